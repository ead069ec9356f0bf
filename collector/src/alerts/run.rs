//! The alerts task `irisops serve` starts: the pipeline's events (offered on a tap, never
//! holding the pollers back) → the [`Engine`] → each notification appended to its receiver's
//! outbox (before it counts as sent), then the alerts' changes written to the store; and one
//! webhook sender per receiver ([`crate::sinks::webhook`]).
//!
//! At start the store's open alerts are put back into the engine (a pending alert keeps its
//! start; a firing one counts its condition as last held at the start, so a `keep_firing_for`
//! runs from there); an open alert of a rule no longer configured is resolved in the store,
//! without a notification (the rule, and so its receivers, are gone). A crash between the
//! outbox's append and the store's write sends the notification and, after the restart, may
//! send it again with a new id (at least once, never lost).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::engine::{Change, Engine, Tracked};
use super::payload::{self, Notification};
use super::series::{Extra, Hotspots};
use super::state::{Phase, Track, Transition};
use crate::config::{AlertRule, ReceiverConfig};
use crate::metrics::Metrics;
use crate::pipeline::Event;
use crate::sinks::outbox::OutboxError;
use crate::sinks::webhook::{self, Queue};
use crate::store::{AlertFilter, AlertRow, AlertWrite, Retention, Store, StoreError};

/// Events the evaluator may have queued before the pipeline's offers are refused (counted).
const QUEUE: usize = 16_384;
/// Most events read per pass.
const BATCH: usize = 4096;

/// Why the alerts could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlertsError {
    #[error("alerts: {0}")]
    Store(#[from] StoreError),
    #[error("alerts: {0}")]
    Outbox(#[from] OutboxError),
}

/// What the alerts task needs.
pub struct Setup {
    pub rules: Vec<AlertRule>,
    pub receivers: Vec<ReceiverConfig>,
    pub store_dir: PathBuf,
    pub retention: Retention,
    /// How the notifications link back (`generatorURL`, `externalURL`): `http://host:port`.
    pub external_url: String,
}

/// The running alerts: the pipeline's tap, the hotspots' updates, the tasks.
pub struct Alerts {
    pub tap: mpsc::Sender<Event>,
    /// The served cadastre's hotspots (the wifi metrics' access points → hotspot).
    pub hotspots: watch::Sender<Hotspots>,
    pub tasks: Vec<JoinHandle<()>>,
}

/// Opens the store and the outboxes, puts the open alerts back, starts the tasks.
pub fn start(
    setup: Setup,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Result<Alerts, AlertsError> {
    let mut store = Store::open(&setup.store_dir, setup.retention)?;
    let mut engine = Engine::new(setup.rules.clone());
    let gone = restore(&mut engine, &store, crate::poll::now_ms())?;
    if !gone.is_empty() {
        tracing::info!(
            n = gone.len(),
            "alerts of rules no longer configured: resolved"
        );
        store.write_alerts(&gone)?;
    }
    let queues = webhook::open_queues(&setup.store_dir, &setup.receivers)?;
    publish_counts(&engine, &metrics);
    let mut tasks = webhook::start_senders(&setup.receivers, &queues, metrics.clone(), shutdown);
    let (tap, rx) = mpsc::channel(QUEUE);
    let (hotspots, hotspots_rx) = watch::channel(Hotspots::default());
    let eval = Evaluator {
        engine,
        receivers: setup.receivers.iter().map(|r| r.name.clone()).collect(),
        queues,
        external_url: setup.external_url,
        metrics,
        rollup_retention: setup.retention.rollups,
    };
    tasks.push(tokio::spawn(eval.run(rx, hotspots_rx, store)));
    Ok(Alerts {
        tap,
        hotspots,
        tasks,
    })
}

/// Puts the store's open alerts back into `engine`; the writes that resolve the ones whose
/// rule is gone.
fn restore(engine: &mut Engine, store: &Store, now_ms: i64) -> Result<Vec<AlertWrite>, StoreError> {
    let mut gone = Vec::new();
    for row in store.alerts(AlertFilter::Open, None, usize::MAX)? {
        let rule = engine.rules().iter().position(|r| r.name == row.rule);
        let back = rule.and_then(|i| {
            let r = &engine.rules()[i];
            let sub = payload::sub_of(r.metric, &row.labels)?;
            let device = row.labels.get("device")?.clone();
            Some((i, device, sub))
        });
        let Some((i, device, sub)) = back else {
            gone.push(AlertWrite::Resolve {
                fingerprint: row.fingerprint.clone(),
                resolved_ms: now_ms,
                value: row.value.unwrap_or(f64::NAN),
            });
            continue;
        };
        engine.restore(i, &device, sub, tracked_of(&row, now_ms));
    }
    Ok(gone)
}

fn tracked_of(row: &AlertRow, now_ms: i64) -> Tracked {
    let firing = row.state == "firing";
    Tracked {
        track: Track {
            phase: if firing {
                Phase::Firing
            } else {
                Phase::Pending
            },
            since_ms: row.pending_ms,
            fired_ms: if firing {
                row.fired_ms.or(Some(row.pending_ms))
            } else {
                None
            },
            last_held_ms: now_ms.max(row.pending_ms),
        },
        value: row.value.unwrap_or(f64::NAN),
        extra: Extra {
            alias: row.annotations.get("alias").cloned(),
            hotspot: row.labels.get("hotspot").cloned(),
        },
    }
}

fn publish_counts(engine: &Engine, metrics: &Metrics) {
    let counts = engine
        .counts()
        .into_iter()
        .map(|((phase, sev), n)| {
            let state = match phase {
                Phase::Pending => "pending",
                Phase::Firing => "firing",
            };
            ((state.to_string(), sev), n)
        })
        .collect();
    metrics.alert_counts(counts);
}

/// The store's writes of a batch of changes.
pub fn writes(rules: &[AlertRule], changes: &[Change]) -> Vec<AlertWrite> {
    changes
        .iter()
        .filter_map(|c| {
            let rule = &rules[c.rule];
            let fingerprint = payload::fingerprint(&rule.name, &c.device, &c.sub);
            let open = |track: Track, state: &str| {
                AlertWrite::Open(Box::new(AlertRow {
                    id: 0,
                    rule: rule.name.clone(),
                    fingerprint: fingerprint.clone(),
                    state: state.to_string(),
                    severity: rule.severity.clone(),
                    metric: rule.metric.as_str().to_string(),
                    labels: payload::labels(rule, &c.device, &c.sub, &c.extra),
                    annotations: payload::annotations(rule, &c.device, &c.sub, &c.extra, c.value),
                    value: Some(c.value),
                    pending_ms: track.since_ms,
                    fired_ms: track.fired_ms,
                    resolved_ms: None,
                    acked_by: None,
                    ack_comment: None,
                    acked_ms: None,
                }))
            };
            match (c.transition, c.after) {
                (Transition::Pending, Some(t)) => Some(open(t, "pending")),
                (Transition::Fired, Some(t)) => Some(open(t, "firing")),
                (Transition::Resolved, _) => Some(AlertWrite::Resolve {
                    fingerprint,
                    resolved_ms: c.at_ms,
                    value: c.value,
                }),
                (Transition::Cancelled, _) => Some(AlertWrite::Cancel { fingerprint }),
                _ => None,
            }
        })
        .collect()
}

/// A new Standard Webhooks message id: `msg_` and 32 random hex digits.
fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

struct Evaluator {
    engine: Engine,
    receivers: Vec<String>,
    queues: Vec<Queue>,
    external_url: String,
    metrics: Arc<Metrics>,
    rollup_retention: Duration,
}

impl Evaluator {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Event>,
        mut hotspots: watch::Receiver<Hotspots>,
        store: Store,
    ) {
        let mut store = Some(store);
        let mut unwritten: Vec<AlertWrite> = Vec::new();
        let mut prune = tokio::time::interval(Duration::from_secs(3600));
        loop {
            let first = tokio::select! {
                ev = rx.recv() => ev,
                _ = prune.tick() => {
                    store = self.prune(store).await;
                    continue;
                }
            };
            let Some(first) = first else { break };
            if hotspots.has_changed().unwrap_or(false) {
                self.engine
                    .set_hotspots(hotspots.borrow_and_update().clone());
            }
            let mut changes = self.engine.observe(&first);
            for _ in 1..BATCH {
                match rx.try_recv() {
                    Ok(ev) => changes.extend(self.engine.observe(&ev)),
                    Err(_) => break,
                }
            }
            if changes.is_empty() && unwritten.is_empty() {
                continue;
            }
            publish_counts(&self.engine, &self.metrics);
            let notes = payload::notifications(
                self.engine.rules(),
                &self.receivers,
                &changes,
                &self.external_url,
                &mut new_id,
            );
            unwritten.extend(writes(self.engine.rules(), &changes));
            self.enqueue(notes).await;
            store = self.write(store, &mut unwritten).await;
        }
    }

    /// Appends each notification to its receiver's outbox (retrying while the disk refuses:
    /// they stay in memory meanwhile), then wakes the senders.
    async fn enqueue(&self, notes: Vec<Notification>) {
        if notes.is_empty() {
            return;
        }
        let now = crate::poll::now_ms();
        let outboxes: Vec<_> = self.queues.iter().map(|q| q.outbox.clone()).collect();
        let notes = Arc::new(notes);
        let mut backoff = Duration::from_millis(200);
        loop {
            let (o, n) = (outboxes.clone(), notes.clone());
            let r = tokio::task::spawn_blocking(move || {
                for note in n.iter() {
                    let body = webhook::encode(&note.id, &note.body);
                    let mut q = o[note.receiver]
                        .lock()
                        .map_err(|_| "outbox lock poisoned".to_string())?;
                    q.append(&body, note.n_alerts as u64, now)
                        .map_err(|e| e.to_string())?;
                }
                Ok::<_, String>(())
            })
            .await;
            match r {
                Ok(Ok(())) => break,
                Ok(Err(e)) => tracing::error!(
                    sink = "webhook",
                    "cannot queue notifications, retrying: {e}"
                ),
                Err(e) => tracing::error!(sink = "webhook", "queueing task failed, retrying: {e}"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
        for note in notes.iter() {
            self.queues[note.receiver].wake.notify_one();
        }
    }

    /// Writes the changes not written yet; kept for the next pass when the store refuses.
    async fn write(&self, store: Option<Store>, unwritten: &mut Vec<AlertWrite>) -> Option<Store> {
        let mut s = store?;
        let batch = std::mem::take(unwritten);
        let r = tokio::task::spawn_blocking(move || {
            let r = s.write_alerts(&batch);
            (s, batch, r)
        })
        .await;
        match r {
            Ok((s, _, Ok(()))) => Some(s),
            Ok((s, batch, Err(e))) => {
                tracing::error!(
                    "cannot write the alerts' changes, keeping them for the next pass: {e}"
                );
                *unwritten = batch;
                Some(s)
            }
            Err(e) => {
                tracing::error!("the alerts' store writer failed: {e}");
                None
            }
        }
    }

    /// Removes the resolved alerts older than the rollups' retention.
    async fn prune(&self, store: Option<Store>) -> Option<Store> {
        let mut s = store?;
        let before = crate::poll::now_ms() - crate::store::duration_ms(self.rollup_retention);
        tokio::task::spawn_blocking(move || {
            if let Err(e) = s.prune_alerts(before) {
                tracing::warn!("cannot prune resolved alerts: {e}");
            }
            s
        })
        .await
        .ok()
    }
}

#[cfg(test)]
mod tests;
