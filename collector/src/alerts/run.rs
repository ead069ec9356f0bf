//! The alerts task `irisops serve` starts: the pipeline's events (offered on a tap, never
//! holding the pollers back) → the [`Engine`] → each notification appended to its receiver's
//! outbox (before it counts as sent), then the alerts' changes handed to the store's writer
//! (a task of its own: the store's lock, held by the store sink's transactions, never delays
//! a notification); and one webhook sender per receiver ([`crate::sinks::webhook`]). The
//! outboxes' and the store's SQLite work each run on a thread of their own
//! ([`crate::pinned`]).
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
use crate::pinned::Pinned;
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
    let (writes, writes_rx) = mpsc::channel(1024);
    tasks.push(tokio::spawn(write_loop(
        writes_rx,
        store,
        setup.retention.rollups,
    )));
    let eval = Evaluator {
        engine,
        receivers: setup.receivers.iter().map(|r| r.name.clone()).collect(),
        queues,
        external_url: setup.external_url,
        metrics,
        writes,
    };
    tasks.push(tokio::spawn(eval.run(rx, hotspots_rx)));
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
    /// The store writer's queue.
    writes: mpsc::Sender<Vec<AlertWrite>>,
}

impl Evaluator {
    async fn run(mut self, mut rx: mpsc::Receiver<Event>, mut hotspots: watch::Receiver<Hotspots>) {
        while let Some(first) = rx.recv().await {
            if hotspots.has_changed().unwrap_or(false) {
                self.engine
                    .set_hotspots(hotspots.borrow_and_update().clone());
            }
            let started = std::time::Instant::now();
            let mut changes = self.engine.observe(&first);
            for _ in 1..BATCH {
                match rx.try_recv() {
                    Ok(ev) => changes.extend(self.engine.observe(&ev)),
                    Err(_) => break,
                }
            }
            let spent = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.metrics
                .alert_eval_ns
                .fetch_add(spent, std::sync::atomic::Ordering::Relaxed);
            if changes.is_empty() {
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
            self.enqueue(notes).await;
            // The store's write waits for the store sink's transactions: not on this path.
            if self
                .writes
                .send(writes(self.engine.rules(), &changes))
                .await
                .is_err()
            {
                tracing::error!("the alerts' store writer is gone: changes not kept");
            }
        }
    }

    /// Appends the notifications to their receivers' outboxes, one transaction per receiver
    /// (retrying while the disk refuses: they stay in memory meanwhile), then wakes the
    /// senders.
    async fn enqueue(&self, notes: Vec<Notification>) {
        let Some(thread) = self.queues.first().map(|q| q.thread.clone()) else {
            return;
        };
        if notes.is_empty() {
            return;
        }
        let now = crate::poll::now_ms();
        let mut by_receiver: Vec<Vec<(Vec<u8>, u64)>> = vec![Vec::new(); self.queues.len()];
        for note in &notes {
            if let Some(q) = by_receiver.get_mut(note.receiver) {
                q.push((webhook::encode(&note.id, &note.body), note.n_alerts as u64));
            }
        }
        let outboxes: Vec<_> = self.queues.iter().map(|q| q.outbox.clone()).collect();
        let batches = Arc::new(by_receiver);
        let mut backoff = Duration::from_millis(200);
        loop {
            let (o, b) = (outboxes.clone(), batches.clone());
            let r = thread
                .run("webhooks", move || append_all(&o, &b, now))
                .await;
            match r {
                Ok(Ok(())) => break,
                Ok(Err(e)) => tracing::error!(
                    sink = "webhook",
                    "cannot queue notifications, retrying: {e}"
                ),
                Err(e) => tracing::error!(sink = "webhook", "queueing failed, retrying: {e}"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
        for (q, b) in self.queues.iter().zip(batches.iter()) {
            if !b.is_empty() {
                q.wake.notify_one();
            }
        }
    }
}

/// Appends each receiver's bodies to its outbox. A receiver whose append failed had nothing
/// committed; one that succeeded before it is not appended again on a retry.
fn append_all(
    outboxes: &[Arc<std::sync::Mutex<crate::sinks::outbox::Outbox>>],
    batches: &[Vec<(Vec<u8>, u64)>],
    now: i64,
) -> Result<(), String> {
    for (o, b) in outboxes.iter().zip(batches) {
        if b.is_empty() {
            continue;
        }
        let refs: Vec<(&[u8], u64)> = b.iter().map(|(body, n)| (body.as_slice(), *n)).collect();
        let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
        o.append_many(&refs, now).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The store's writer: each batch of changes in order on its own thread, retried with
/// back-off while the store refuses (the batches that come meanwhile are written with it);
/// resolved alerts older than `rollup_retention` pruned every hour.
async fn write_loop(
    mut rx: mpsc::Receiver<Vec<AlertWrite>>,
    store: Store,
    rollup_retention: Duration,
) {
    let thread = match Pinned::new("irisops-alerts") {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("alerts: cannot start the store's thread: {e}");
            return;
        }
    };
    let store = Arc::new(std::sync::Mutex::new(store));
    let mut prune = tokio::time::interval(Duration::from_secs(3600));
    let mut pending: Vec<AlertWrite> = Vec::new();
    let mut backoff = Duration::from_millis(200);
    loop {
        tokio::select! {
            batch = rx.recv() => match batch {
                Some(b) => pending.extend(b),
                None if pending.is_empty() => return,
                None => {}
            },
            _ = prune.tick() => {
                let before = crate::poll::now_ms() - crate::store::duration_ms(rollup_retention);
                let s = store.clone();
                let _ = thread.run("alerts", move || {
                    if let Ok(mut s) = s.lock() {
                        if let Err(e) = s.prune_alerts(before) {
                            tracing::warn!("cannot prune resolved alerts: {e}");
                        }
                    }
                }).await;
                continue;
            }
        }
        while let Ok(b) = rx.try_recv() {
            pending.extend(b);
        }
        let (s, batch) = (store.clone(), Arc::new(std::mem::take(&mut pending)));
        let b = batch.clone();
        let r = thread
            .run("alerts", move || match s.lock() {
                Ok(mut s) => s.write_alerts(&b).map_err(|e| e.to_string()),
                Err(_) => Err("the store's lock is poisoned".to_string()),
            })
            .await;
        match r {
            Ok(Ok(())) => backoff = Duration::from_millis(200),
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e,
                    _ => "the store's thread failed".to_string(),
                };
                tracing::error!("cannot write the alerts' changes, retrying in {backoff:?}: {why}");
                pending = Arc::try_unwrap(batch).unwrap_or_else(|b| (*b).clone());
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

#[cfg(test)]
mod tests;
