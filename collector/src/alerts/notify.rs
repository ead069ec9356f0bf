//! The alerts' notifier: the engine's changes → Alertmanager messages appended to each
//! receiver's outbox, then the changes handed to the store's writer (in that order: an alert
//! the store holds as firing always has its notification on disk).
//!
//! Group commit: the notifier reads every batch of changes queued since its last append, builds
//! one message per receiver, rule and status from all of them and appends them in one
//! transaction per receiver (one fsync). Under a burst (a site's ports going down together)
//! the messages grow instead of multiplying, and a notification waits at most for the append
//! before it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::engine::Change;
use super::payload::{self, Notification};
use super::state::{Track, Transition};
use crate::config::AlertRule;
use crate::pinned::Pinned;
use crate::sinks::outbox::Outbox;
use crate::sinks::webhook::{self, Queue};
use crate::store::{AlertRow, AlertWrite, Store};

/// The notifier's state.
pub(super) struct Notifier {
    pub rules: Vec<AlertRule>,
    pub receivers: Vec<String>,
    pub queues: Vec<Queue>,
    pub external_url: String,
    /// The store writer's queue.
    pub writes: mpsc::Sender<Vec<AlertWrite>>,
}

impl Notifier {
    pub async fn run(self, mut rx: mpsc::Receiver<Vec<Change>>) {
        while let Some(mut changes) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                changes.extend(more);
            }
            let notes = payload::notifications(
                &self.rules,
                &self.receivers,
                &changes,
                &self.external_url,
                &mut new_id,
            );
            self.enqueue(notes).await;
            if self
                .writes
                .send(writes(&self.rules, &changes))
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

/// A new Standard Webhooks message id: `msg_` and 32 random hex digits.
fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// Appends each receiver's bodies to its outbox. A receiver whose append failed had nothing
/// committed; one that succeeded before it is not appended again on a retry.
fn append_all(
    outboxes: &[Arc<Mutex<Outbox>>],
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

/// The store's writes of a batch of changes.
pub(super) fn writes(rules: &[AlertRule], changes: &[Change]) -> Vec<AlertWrite> {
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

/// The store's writer: each batch of changes in order on its own thread, retried with
/// back-off while the store refuses (the batches that come meanwhile are written with it);
/// resolved alerts older than `rollup_retention` pruned every hour.
pub(super) async fn write_loop(
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
    let store = Arc::new(Mutex::new(store));
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
