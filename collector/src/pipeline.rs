//! The collector's pipeline: one task per device on its cron schedule (the sources) sends owned
//! poll results over a bounded channel to the store sink, which batches them into transactions.
//!
//! A device's polls never overlap: the task polls, then sleeps until the next tick after *now*;
//! ticks that passed while the poll ran are skipped and counted. Each poll runs in its own
//! spawned task, so a panic costs that poll (counted), never the device loop or anyone else.
//! The sink keeps a failed batch and retries it with back-off: nothing the pipeline accepted
//! is dropped; while the store is down, the bounded channel pushes back on the pollers.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::config::{Config, DeviceConfig};
use crate::metrics::Metrics;
use crate::poll::{now_ms, poll, DeviceState, PollError};
use crate::rates;
use crate::sample::{DevicePoll, PollStatus, PortRates};
use crate::store::Store;

/// What a device task hands to the sinks (cheap to clone: the poll is shared).
#[derive(Debug, Clone)]
pub enum Event {
    /// A successful poll with the rates against the previous one (empty for the first).
    Poll(Arc<(DevicePoll, Vec<PortRates>)>),
    /// How a poll ended.
    Status {
        device: String,
        status: PollStatus,
        error: Option<String>,
        time_ms: i64,
    },
}

/// The running pipeline.
pub struct Running {
    pub devices: Vec<JoinHandle<()>>,
    pub sink: JoinHandle<()>,
}

impl Running {
    /// Waits for every task to end (after shutdown was signalled).
    pub async fn join(self) {
        for d in self.devices {
            let _ = d.await;
        }
        let _ = self.sink.await;
    }
}

/// Starts one task per device and the store sink. Ends when `shutdown` turns true.
pub fn start(
    cfg: &Config,
    store: Store,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Running {
    start_with_taps(cfg, store, metrics, shutdown, Vec::new())
}

/// [`start`], every event also offered to each tap (a remote sink's queue) without waiting.
pub fn start_with_taps(
    cfg: &Config,
    store: Store,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
    taps: Vec<mpsc::Sender<Event>>,
) -> Running {
    let (tx, rx) = mpsc::channel(1024);
    let limit = Arc::new(Semaphore::new(cfg.collector.concurrency));
    let devices = cfg
        .devices
        .iter()
        .map(|d| {
            // A WARN span: its device field is on every warning at the default level.
            let span = tracing::warn_span!("device", device = %d.name);
            tokio::spawn(
                device_loop(
                    d.clone(),
                    limit.clone(),
                    tx.clone(),
                    taps.clone(),
                    metrics.clone(),
                    shutdown.clone(),
                )
                .instrument(span),
            )
        })
        .collect();
    drop(tx);
    let sink = tokio::spawn(store_sink(store, rx, metrics));
    Running { devices, sink }
}

async fn device_loop(
    dev: DeviceConfig,
    limit: Arc<Semaphore>,
    tx: mpsc::Sender<Event>,
    taps: Vec<mpsc::Sender<Event>>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut state: Option<DeviceState> = None;
    let mut prev: Option<DevicePoll> = None;
    let mut failures = 0u32;
    let mut next = dev.schedule.next_after(Utc::now());
    while let Some(at) = next {
        let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        let Ok(permit) = limit.clone().acquire_owned().await else {
            return;
        };
        let (st, result) = isolated_poll(&dev, state.take(), &metrics).await;
        drop(permit);
        state = st;
        let event = match result {
            Ok(cur) => {
                failures = 0;
                let rates = match &prev {
                    Some(p) => count_rates(&metrics, rates::compute(p, &cur)),
                    None => Vec::new(),
                };
                prev = Some(cur.clone());
                Event::Poll(Arc::new((cur, rates)))
            }
            Err(e) => {
                failures += 1;
                // One unreachable device is a rate-limited WARN: the first failure, then
                // every 60th.
                if failures == 1 || failures.is_multiple_of(60) {
                    tracing::warn!(
                        device = dev.name.as_str(),
                        status = e.status.as_str(),
                        failures,
                        "poll failed: {}",
                        e.message
                    );
                }
                Event::Status {
                    device: dev.name.clone(),
                    status: e.status,
                    error: Some(e.message),
                    time_ms: now_ms(),
                }
            }
        };
        for tap in &taps {
            // A remote sink never holds the pollers or the store back: when its queue is
            // full the event is not queued for it (counted; the store still has it).
            if tap.try_send(event.clone()).is_err() {
                metrics
                    .tap_dropped
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        if tx.send(event).await.is_err() {
            return;
        }
        next = next_tick(&dev, at, Utc::now(), &metrics);
    }
}

/// The next tick after `now`, counting the ticks after `last` that were missed.
fn next_tick(
    dev: &DeviceConfig,
    last: DateTime<Utc>,
    now: DateTime<Utc>,
    metrics: &Metrics,
) -> Option<DateTime<Utc>> {
    let mut n = dev.schedule.next_after(last)?;
    let mut skipped = 0u64;
    while n <= now {
        skipped += 1;
        if skipped > 100_000 {
            n = dev.schedule.next_after(now)?;
            break;
        }
        n = dev.schedule.next_after(n)?;
    }
    if skipped > 0 {
        metrics
            .skipped_ticks
            .fetch_add(skipped, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(skipped, "poll overran its schedule: ticks skipped");
    }
    Some(n)
}

/// One poll in its own task: a panic there is an error for this poll only (counted in
/// `metrics`, with the poll's outcome). The pipeline's device loops and `irisops poll` both
/// poll through it. `state` is the device's kept state (`None`: open a session first).
pub async fn isolated_poll(
    dev: &DeviceConfig,
    state: Option<DeviceState>,
    metrics: &Metrics,
) -> (Option<DeviceState>, Result<DevicePoll, PollError>) {
    let d = dev.clone();
    let task = tokio::spawn(async move {
        let mut st = match state {
            Some(s) => s,
            None => match DeviceState::new(&d).await {
                Ok(s) => s,
                Err(e) => return (None, Err(e)),
            },
        };
        let r = poll(&d, &mut st).await;
        (Some(st), r)
    });
    let (st, r) = match task.await {
        Ok(x) => x,
        Err(e) => {
            metrics
                .poll_panics
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::error!("poller task died: {e}");
            (
                None,
                Err(PollError {
                    status: PollStatus::Error,
                    message: "the poller task panicked".into(),
                }),
            )
        }
    };
    let (status, ms, n_ports, n_vb) = match &r {
        Ok(p) => (PollStatus::Ok, p.duration_ms, p.ports.len(), p.n_varbinds),
        Err(e) => (e.status, dev.budget.as_millis() as u64, 0, 0),
    };
    metrics.poll_done(&dev.name, status, ms, n_ports);
    metrics
        .varbinds
        .fetch_add(u64::from(n_vb), std::sync::atomic::Ordering::Relaxed);
    (st, r)
}

fn count_rates(
    metrics: &Metrics,
    (rates, _stats): (Vec<PortRates>, rates::RateStats),
) -> Vec<PortRates> {
    for r in &rates {
        match r.gap {
            Some(g) => metrics.gap(g),
            None => {
                _ = metrics
                    .rates
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            }
        }
    }
    rates
}

/// Most polls written in one transaction.
const BATCH: usize = 512;

/// How long the sink must have received nothing before due maintenance runs.
const MAINTAIN_WHEN_IDLE: Duration = Duration::from_secs(1);

/// Longest maintenance waits for the sink to go idle; it runs then regardless.
const MAINTAIN_DEFER_MAX: Duration = Duration::from_secs(30);

/// When due maintenance runs: after [`MAINTAIN_WHEN_IDLE`] without an event, at most
/// [`MAINTAIN_DEFER_MAX`] after it fell due; never while nothing is due.
async fn maintenance_turn(due: Option<tokio::time::Instant>) {
    match due {
        Some(since) => {
            let idle = tokio::time::Instant::now() + MAINTAIN_WHEN_IDLE;
            tokio::time::sleep_until(idle.min(since + MAINTAIN_DEFER_MAX)).await;
        }
        None => std::future::pending().await,
    }
}

/// Writes the events in batches and runs the store's maintenance (rollups, the moves of
/// samples, pruning) once a minute. Maintenance waits for a pause in the writes: run at a
/// round's start, a 15-minute move held the sink for seconds while the whole round's polls
/// queued behind it (in the channel and in the device tasks), the soak's RSS peaks.
async fn store_sink(store: Store, mut rx: mpsc::Receiver<Event>, metrics: Arc<Metrics>) {
    let mut store = Some(store);
    let mut maintenance = tokio::time::interval(Duration::from_secs(60));
    let mut due = None;
    let mut last_prune = 0i64;
    loop {
        let first = tokio::select! {
            ev = rx.recv() => ev,
            _ = maintenance.tick() => {
                due.get_or_insert_with(tokio::time::Instant::now);
                continue;
            }
            () = maintenance_turn(due) => {
                due = None;
                store = maintain(store, &mut last_prune).await;
                metrics.store_written();
                continue;
            }
        };
        let Some(first) = first else { break };
        let mut events = vec![first];
        while events.len() < BATCH {
            match rx.try_recv() {
                Ok(ev) => events.push(ev),
                Err(_) => break,
            }
        }
        store = write_until_done(store, events, &metrics).await;
        metrics.store_written();
    }
    let _ = maintain(store, &mut last_prune).await;
}

/// Writes one batch, retrying with back-off until it is committed.
async fn write_until_done(
    mut store: Option<Store>,
    events: Vec<Event>,
    metrics: &Arc<Metrics>,
) -> Option<Store> {
    let mut polls = Vec::new();
    let mut statuses = Vec::new();
    for ev in events {
        match ev {
            Event::Poll(p) => polls.push(p),
            Event::Status {
                device,
                status,
                error,
                time_ms,
            } => statuses.push((device, status, error, time_ms)),
        }
    }
    let batch = Arc::new((polls, statuses));
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut s = store.take()?;
        let b = batch.clone();
        let m = metrics.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let r = write_batch(&mut s, &b.0, &b.1, &m);
            (s, r)
        })
        .await;
        let Ok((s, r)) = joined else {
            tracing::error!(sink = "store", "store writer panicked; the batch is lost");
            return None;
        };
        store = Some(s);
        match r {
            Ok(()) => return store,
            Err(e) => {
                metrics
                    .store_write_errors
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::error!(
                    sink = "store",
                    "store write failed, retrying in {backoff:?}: {e}"
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

fn write_batch(
    store: &mut Store,
    polls: &[Arc<(DevicePoll, Vec<PortRates>)>],
    statuses: &[(String, PollStatus, Option<String>, i64)],
    metrics: &Metrics,
) -> Result<(), crate::store::StoreError> {
    use std::sync::atomic::Ordering::Relaxed;
    if !polls.is_empty() {
        let stats = store.write_shared(polls)?;
        metrics.store_writes.fetch_add(1, Relaxed);
        metrics
            .store_points
            .fetch_add(stats.n_points as u64, Relaxed);
        metrics
            .store_renumbered
            .fetch_add(stats.n_renumbered as u64, Relaxed);
        for p in polls {
            let p = &p.0;
            store.write_status(&p.device, PollStatus::Ok.as_str(), None, p.time_ms)?;
        }
    }
    for (device, status, error, time_ms) in statuses {
        store.write_status(device, status.as_str(), error.as_deref(), *time_ms)?;
    }
    Ok(())
}

/// Rollups every minute, pruning every hour.
async fn maintain(store: Option<Store>, last_prune: &mut i64) -> Option<Store> {
    let mut s = store?;
    let now = now_ms();
    let prune = now - *last_prune >= 3_600_000;
    if prune {
        *last_prune = now;
    }
    let joined = tokio::task::spawn_blocking(move || {
        if let Err(e) = s.rollup(now) {
            tracing::error!(sink = "store", "rollup failed: {e}");
        }
        if prune {
            if let Err(e) = s.prune(now) {
                tracing::error!(sink = "store", "prune failed: {e}");
            }
        }
        s
    })
    .await;
    joined.ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{timeout, Instant};

    #[tokio::test]
    async fn maintenance_waits_for_a_pause_but_not_forever() {
        // Nothing due: never runs.
        assert!(timeout(Duration::from_millis(200), maintenance_turn(None))
            .await
            .is_err());
        // Due now: runs after a pause of MAINTAIN_WHEN_IDLE, not before.
        let t = Instant::now();
        maintenance_turn(Some(t)).await;
        let waited = t.elapsed();
        assert!(
            waited >= MAINTAIN_WHEN_IDLE && waited < MAINTAIN_WHEN_IDLE * 3,
            "{waited:?}"
        );
        // Due for longer than MAINTAIN_DEFER_MAX: runs at once, busy or not.
        match Instant::now().checked_sub(MAINTAIN_DEFER_MAX + Duration::from_secs(1)) {
            Some(long_ago) => assert!(timeout(
                Duration::from_millis(100),
                maintenance_turn(Some(long_ago))
            )
            .await
            .is_ok()),
            None => eprintln!("skipped the overdue case: the monotonic clock is younger than 31 s"),
        }
    }
}
