//! The alerts' tasks `irisops serve` starts: the evaluator (the pipeline's events, offered on
//! a tap that never holds the pollers back → the [`Engine`] → its changes); the notifier
//! (`super::notify`: each notification appended to its receiver's outbox before it counts as
//! sent, then the changes handed to the store's writer, a task of its own, so the store's
//! lock, held by the store sink's transactions, never delays a notification); and one webhook
//! sender per receiver ([`crate::sinks::webhook`]). The outboxes' and the store's SQLite work
//! each run on a thread of their own ([`crate::pinned`]).
//!
//! At start the store's open alerts are put back into the engine (a pending alert keeps its
//! start; a firing one counts its condition as last held at the start, so a `keep_firing_for`
//! runs from there); an open alert of a rule no longer configured is resolved in the store,
//! without a notification (the rule, and so its receivers, are gone). A crash between the
//! outbox's append and the store's write sends the notification and, after the restart, may
//! send it again with a new id (at least once, never lost).

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::engine::{Change, Engine};
use super::loss::LossPaths;
use super::notify;
use super::payload;
use super::series::{Extra, Hotspots};
use super::state::{Phase, Track};
use super::tracked::Tracked;
use crate::config::{AlertRule, ReceiverConfig};
use crate::metrics::Metrics;
use crate::pipeline::Event;
use crate::sinks::outbox::OutboxError;
use crate::sinks::webhook;
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
    /// The served cadastre's circuits' directions and expected losses
    /// (`optic_loss_excess_db`).
    pub losses: watch::Sender<LossPaths>,
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
    let (losses, losses_rx) = watch::channel(LossPaths::default());
    let (writes, writes_rx) = mpsc::channel(1024);
    tasks.push(tokio::spawn(notify::write_loop(
        writes_rx,
        store,
        setup.retention.rollups,
    )));
    let (changes, changes_rx) = mpsc::channel(1024);
    let notifier = notify::Notifier {
        rules: engine.rules().to_vec(),
        receivers: setup.receivers.iter().map(|r| r.name.clone()).collect(),
        queues,
        external_url: setup.external_url,
        writes,
    };
    tasks.push(tokio::spawn(notifier.run(changes_rx)));
    let eval = Evaluator {
        engine,
        metrics,
        changes,
    };
    tasks.push(tokio::spawn(eval.run(rx, hotspots_rx, losses_rx)));
    Ok(Alerts {
        tap,
        hotspots,
        losses,
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
            circuit: row.annotations.get("circuit").cloned(),
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

struct Evaluator {
    engine: Engine,
    metrics: Arc<Metrics>,
    /// The notifier's queue.
    changes: mpsc::Sender<Vec<Change>>,
}

impl Evaluator {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Event>,
        mut hotspots: watch::Receiver<Hotspots>,
        mut losses: watch::Receiver<LossPaths>,
    ) {
        while let Some(first) = rx.recv().await {
            if hotspots.has_changed().unwrap_or(false) {
                self.engine
                    .set_hotspots(hotspots.borrow_and_update().clone());
            }
            if losses.has_changed().unwrap_or(false) {
                self.engine.set_losses(losses.borrow_and_update().clone());
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
            if self.changes.send(changes).await.is_err() {
                tracing::error!("the alerts' notifier is gone: changes not notified");
            }
        }
    }
}

#[cfg(test)]
mod tests;
