//! `irisops bench fleet --alerts N`: N alert rules matching every port of the fleet, their
//! webhooks delivered to a receiver in this process, and the delay from a poll's end to the
//! arrival of each alert it made fire or resolve.
//!
//! A poll ends where its device's task offers the event to the taps: a forwarder on the
//! alerts' tap notes that instant per (device, poll time) and passes the event on. The
//! receiver reads each alert's device and `startsAt` (firing) or `endsAt` (resolved) — the
//! poll time of the change — and subtracts. The receiver runs on a thread of its own (its own
//! single-threaded runtime): its CPU time is read from that thread's `schedstat` and reported
//! apart (`receiver_cpu_s`), so what alerts add to irisops is the process's CPU without it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use collector::alerts::run::{self, Setup};
use collector::config::{AlertMetric, AlertOp, AlertRule, AlertSelect, ReceiverConfig};
use collector::metrics::Metrics;
use collector::pipeline::Event;
use collector::poll::now_ms;
use collector::secret::Secret;
use collector::store::Retention;

use super::round;

/// The rules, taken in order (cycling) for `--alerts N`. On the simulated fleet (1 port in
/// 25 down while administratively up, 1 in 12 hot at 60-90% at its daily peak) `port-down`
/// fires for 4% of the ports at the first poll and `idle` for the same ports a minute after
/// the first rates: two bursts of about 4,000 alerts; the others fire on the hot ports as
/// their traffic moves.
const RULES: [(&str, AlertMetric, AlertOp, f64, u64); 10] = [
    ("hot", AlertMetric::Utilisation, AlertOp::Gt, 80.0, 0),
    ("busy-2m", AlertMetric::Utilisation, AlertOp::Gt, 60.0, 120),
    ("in-80g", AlertMetric::InBps, AlertOp::Gt, 8e10, 0),
    ("out-80g", AlertMetric::OutBps, AlertOp::Gt, 8e10, 0),
    ("errors", AlertMetric::ErrorsPs, AlertOp::Gt, 100.0, 0),
    ("discards", AlertMetric::DiscardsPs, AlertOp::Gt, 100.0, 0),
    ("port-down", AlertMetric::OperStatus, AlertOp::Eq, 0.0, 0),
    ("idle", AlertMetric::Utilisation, AlertOp::Lt, 0.5, 60),
    ("warm", AlertMetric::Utilisation, AlertOp::Gt, 50.0, 0),
    ("saturated", AlertMetric::Utilisation, AlertOp::Ge, 95.0, 0),
];

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    /// When each poll's event was offered, ms, by (device, poll time).
    offered: Mutex<HashMap<(String, i64), i64>>,
    /// Each alert's poll time and delay, ms.
    delays_ms: Mutex<Vec<(i64, i64)>>,
    notifications: AtomicU64,
    /// Alerts whose poll was not offered in this run.
    unmatched: AtomicU64,
    /// The receiver's thread, `PID/task/TID` (from `/proc/thread-self`).
    receiver_thread: std::sync::OnceLock<std::path::PathBuf>,
}

/// The alerts' figures of a run.
#[derive(Serialize)]
pub struct AlertFigures {
    rules: u32,
    notifications: u64,
    alerts_notified: usize,
    alerts_unmatched: u64,
    delay_ms_p50: Option<i64>,
    delay_ms_p99: Option<i64>,
    delay_ms_max: Option<i64>,
    /// Per minute of poll time (the default schedule's rounds): alerts, p99 of their delay.
    by_minute: Vec<(usize, Option<i64>)>,
    evaluation_cpu_s: f64,
    /// The test receiver's CPU (its thread): not irisops's.
    pub receiver_cpu_s: f64,
    firing_at_end: u64,
    webhook_retries: u64,
    events_dropped: u64,
}

/// The running alerts: the tap to give the pipeline, and what reads the figures.
pub struct Bench {
    pub tap: mpsc::Sender<Event>,
    seen: Arc<Seen>,
    rules: u32,
    pub tasks: Vec<JoinHandle<()>>,
}

/// Starts the receiver, the alerts (their store and outboxes in `dir`) and the forwarder.
pub async fn start(
    n: u32,
    dir: &Path,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Bench> {
    let seen = Arc::new(Seen::default());
    let addr = receiver(seen.clone(), shutdown.clone())?;
    let mut tasks = Vec::new();
    let setup = Setup {
        rules: (0..n as usize).map(rule).collect(),
        receivers: vec![ReceiverConfig {
            name: "bench".into(),
            url: Secret::new(format!("http://{addr}/hook")),
            secret: Secret::new("bench-fleet-signing-key-0123456789"),
            timeout: Duration::from_secs(10),
        }],
        store_dir: dir.to_path_buf(),
        retention: Retention::default(),
        external_url: "http://127.0.0.1:8080".into(),
    };
    let alerts = run::start(setup, metrics, shutdown)?;
    tasks.extend(alerts.tasks);
    let (tap, mut rx) = mpsc::channel::<Event>(16_384);
    let (s, onward) = (seen.clone(), alerts.tap);
    tasks.push(tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            let key = match &ev {
                Event::Poll(p) => (p.0.device.clone(), p.0.time_ms),
                Event::Status {
                    device, time_ms, ..
                } => (device.clone(), *time_ms),
            };
            if let Ok(mut o) = s.offered.lock() {
                o.insert(key, now_ms());
            }
            if onward.send(ev).await.is_err() {
                return;
            }
        }
    }));
    Ok(Bench {
        tap,
        seen,
        rules: n,
        tasks,
    })
}

/// Starts the receiver on a thread of its own, until `shutdown`; its address.
fn receiver(seen: Arc<Seen>, shutdown: watch::Receiver<bool>) -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .context("cannot listen for the webhooks")?;
    let addr = listener.local_addr()?;
    let runtime = super::current_thread()?;
    std::thread::Builder::new()
        .name("bench-receiver".into())
        .spawn(move || {
            if let Ok(me) = std::fs::read_link("/proc/thread-self") {
                let _ = seen.receiver_thread.set(me);
            }
            let app = axum::Router::new()
                .route("/hook", axum::routing::post(receive))
                .with_state(seen);
            let mut stop = shutdown;
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.changed().await;
                    })
                    .await;
            });
        })
        .context("cannot start the receiver's thread")?;
    Ok(addr)
}

/// Rule `i` of the cycle, matching every port (its name numbered past the tenth).
fn rule(i: usize) -> AlertRule {
    let (name, metric, op, value, for_s) = RULES[i % RULES.len()];
    let name = match i / RULES.len() {
        0 => name.to_string(),
        k => format!("{name}-{k}"),
    };
    AlertRule {
        name,
        metric,
        op,
        value,
        for_: Duration::from_secs(for_s),
        keep_firing_for: Duration::from_secs(60),
        select: AlertSelect::default(),
        severity: "warning".into(),
        receivers: vec![0],
    }
}

/// The receiver: notes each alert's delay since its poll was offered.
async fn receive(State(seen): State<Arc<Seen>>, body: Bytes) -> &'static str {
    let arrived = now_ms();
    seen.notifications.fetch_add(1, Relaxed);
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return "ok";
    };
    let mut delays = Vec::new();
    let Ok(offered) = seen.offered.lock() else {
        return "ok";
    };
    for a in v["alerts"].as_array().into_iter().flatten() {
        let device = a["labels"]["device"].as_str().unwrap_or_default();
        let at = if a["status"] == "firing" {
            &a["startsAt"]
        } else {
            &a["endsAt"]
        };
        let t = at
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis());
        match t.and_then(|t| offered.get(&(device.to_string(), t))) {
            Some(o) => delays.push((t.unwrap_or(0), arrived - o)),
            None => _ = seen.unmatched.fetch_add(1, Relaxed),
        }
    }
    drop(offered);
    if let Ok(mut d) = seen.delays_ms.lock() {
        d.extend(delays);
    }
    "ok"
}

impl Bench {
    /// The figures so far.
    pub fn figures(&self, metrics: &Metrics) -> AlertFigures {
        let seen = self
            .seen
            .delays_ms
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default();
        let mut minutes: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
        for (t, d) in &seen {
            minutes.entry(t.div_euclid(60_000)).or_default().push(*d);
        }
        let by_minute = minutes
            .into_values()
            .map(|mut d| {
                d.sort_unstable();
                (d.len(), quantile(&d, 0.99))
            })
            .collect();
        let mut d: Vec<i64> = seen.iter().map(|(_, d)| *d).collect();
        d.sort_unstable();
        let at = |q: f64| quantile(&d, q);
        let text = metrics.render();
        let sum = |prefix: &str| -> u64 {
            text.lines()
                .filter(|l| l.starts_with(prefix))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum::<f64>() as u64
        };
        AlertFigures {
            rules: self.rules,
            notifications: self.seen.notifications.load(Relaxed),
            alerts_notified: d.len(),
            alerts_unmatched: self.seen.unmatched.load(Relaxed),
            delay_ms_p50: at(0.5),
            delay_ms_p99: at(0.99),
            delay_ms_max: d.last().copied(),
            by_minute,
            evaluation_cpu_s: round(metrics.alert_eval_ns.load(Relaxed) as f64 / 1e9, 3),
            receiver_cpu_s: self
                .seen
                .receiver_thread
                .get()
                .and_then(|t| super::task_cpu_ns(&Path::new("/proc").join(t)).ok()?)
                .map_or(f64::NAN, |ns| round(ns as f64 / 1e9, 3)),
            firing_at_end: sum("irisops_alerts{state=\"firing\""),
            webhook_retries: sum("irisops_webhook_retries_total"),
            events_dropped: metrics.tap_dropped.load(Relaxed),
        }
    }
}

/// The `q` quantile of sorted values (the smallest value at or above that share).
fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1)) - 1;
    sorted.get(i).copied()
}
