//! The InfluxDB v2 sink: the pipeline's events → line protocol (influxdb2's `DataPoint`) →
//! the durable outbox → `/api/v2/write` (influxdb2's client), acknowledged batch by batch.
//!
//! Schema (the contract; see README): `interface` (tags `device`, `port`; fields `in_bps`,
//! `out_bps`, `in_pps`, `out_pps`, `in_errors_ps`, `out_errors_ps`, `in_discards_ps`,
//! `out_discards_ps`, `utilisation_in`, `utilisation_out` as floats, `in_octets`, `out_octets`,
//! `speed_bps` as integers), `optics` (tags `device`, `port`, `direction`, `lane` when
//! multi-lane; field `dbm`), `wifi` (tag `device`; `aps_total`, `aps_up`, `clients_total`),
//! `wifi_ap` (tags `device`, `ap`; `clients`, `up`), `device` (tag `device`; `up`, `poll_ms`).
//! Names are tags, never string fields (influxdb2 0.5.2 does not escape `\` in string
//! fields); only finite floats are written (it writes NaN/inf raw); counters are i64, a
//! counter at or above 2^63 saturates at i64::MAX (influxdb2 has no u64 field). Timestamps are
//! the poll's, in milliseconds, so a resent batch overwrites itself: at-least-once delivery
//! is exactly-once in effect.
//!
//! Sending: the oldest batch first, identical bytes on every attempt; 204 acknowledges it;
//! 429, 5xx and connection errors are retried with exponential back-off (0.5 s doubling to
//! 60 s); any other status can never succeed and drops the batch (counted, logged with the
//! first line of the batch). influxdb2 0.5.2 does not expose response headers, so
//! `Retry-After` cannot be read: the back-off stands in for it; and it compresses only its
//! stream API, not the line-protocol write that lets us resend identical bytes, so batches go
//! uncompressed.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use influxdb2::models::{DataPoint, WriteDataPoint};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use collector::config::InfluxConfig;
use collector::metrics::Metrics;
use collector::outbox::Outbox;
use collector::pipeline::Event;
use collector::sample::{DevicePoll, PortRates};

/// Events the encoder may have queued before the pipeline's offers are refused (counted).
const QUEUE: usize = 8192;

/// The running sink.
pub struct InfluxSink {
    pub tap: mpsc::Sender<Event>,
    pub tasks: Vec<JoinHandle<()>>,
}

/// Counter value as an InfluxDB integer: saturates at i64::MAX.
fn counter(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn finite(
    b: influxdb2::models::data_point::DataPointBuilder,
    name: &str,
    v: Option<f64>,
) -> influxdb2::models::data_point::DataPointBuilder {
    match v.filter(|x| x.is_finite()) {
        Some(x) => b.field(name.to_string(), x),
        None => b,
    }
}

/// The points of one event, as line protocol appended to `out`; returns how many.
pub fn encode(event: &Event, out: &mut Vec<u8>) -> usize {
    let mut points: Vec<DataPoint> = Vec::new();
    match event {
        Event::Poll(p) => encode_poll(&p.0, &p.1, &mut points),
        Event::Status {
            device, time_ms, ..
        } => {
            if let Ok(dp) = DataPoint::builder("device")
                .tag("device", device.as_str())
                .field("up", 0i64)
                .timestamp(*time_ms)
                .build()
            {
                points.push(dp);
            }
        }
    }
    for dp in &points {
        // Writing to a Vec cannot fail.
        let _ = dp.write_data_point_to(&mut *out);
    }
    points.len()
}

fn encode_poll(poll: &DevicePoll, rates: &[PortRates], points: &mut Vec<DataPoint>) {
    let t = poll.time_ms;
    let d = poll.device.as_str();
    let mut push = |b: influxdb2::models::data_point::DataPointBuilder| {
        // A point with no field (nothing measured) is not written.
        if let Ok(dp) = b.timestamp(t).build() {
            points.push(dp);
        }
    };
    push(
        DataPoint::builder("device")
            .tag("device", d)
            .field("up", 1i64)
            .field("poll_ms", counter(poll.duration_ms)),
    );
    for port in &poll.ports {
        let mut b = DataPoint::builder("interface")
            .tag("device", d)
            .tag("port", port.key.as_str());
        if let Some(v) = port.in_octets {
            b = b.field("in_octets", counter(v));
        }
        if let Some(v) = port.out_octets {
            b = b.field("out_octets", counter(v));
        }
        if let Some(v) = port.speed_bps {
            b = b.field("speed_bps", counter(v));
        }
        if let Some(r) = rates.iter().find(|r| r.key == port.key) {
            for (name, v) in [
                ("in_bps", r.in_bps),
                ("out_bps", r.out_bps),
                ("in_pps", r.in_pps),
                ("out_pps", r.out_pps),
                ("in_errors_ps", r.in_errors_ps),
                ("out_errors_ps", r.out_errors_ps),
                ("in_discards_ps", r.in_discards_ps),
                ("out_discards_ps", r.out_discards_ps),
                ("utilisation_in", r.utilisation_in),
                ("utilisation_out", r.utilisation_out),
            ] {
                b = finite(b, name, v);
            }
        }
        push(b);
    }
    for o in &poll.optics {
        let mut b = DataPoint::builder("optics")
            .tag("device", d)
            .tag("port", o.port.as_str())
            .tag("direction", o.direction.as_str());
        if let Some(l) = o.lane {
            b = b.tag("lane", l.to_string());
        }
        push(finite(b, "dbm", Some(o.dbm)));
    }
    if let Some(w) = &poll.wifi {
        push(
            DataPoint::builder("wifi")
                .tag("device", d)
                .field("aps_total", counter(w.aps_total))
                .field("aps_up", counter(w.aps_up))
                .field("clients_total", counter(w.clients_total)),
        );
        for ap in &w.aps {
            if ap.name.is_empty() {
                continue;
            }
            let mut b = DataPoint::builder("wifi_ap")
                .tag("device", d)
                .tag("ap", ap.name.as_str())
                .field("up", i64::from(ap.status == "up"));
            if let Some(c) = ap.clients {
                b = b.field("clients", counter(c));
            }
            push(b);
        }
    }
}

/// Starts the encoder and the sender. The outbox is `store_dir/outbox.db`.
pub fn start(
    cfg: &InfluxConfig,
    store_dir: &Path,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<InfluxSink> {
    let outbox = Outbox::open(store_dir, cfg.outbox_max_bytes)
        .with_context(|| format!("cannot open the InfluxDB outbox in {}", store_dir.display()))?;
    let stats = outbox.stats().context("cannot read the outbox")?;
    if stats.depth > 0 {
        tracing::info!(
            sink = "influx",
            batches = stats.depth,
            bytes = stats.bytes,
            "outbox holds unsent batches from before: sending them first"
        );
    }
    *metrics
        .outbox
        .lock()
        .map_err(|_| anyhow::anyhow!("metrics lock"))? = Some(stats);
    let client = influxdb2::Client::new(
        cfg.url.clone(),
        cfg.org.clone(),
        cfg.token.expose().to_string(),
    );
    let outbox = Arc::new(Mutex::new(outbox));
    let wake = Arc::new(Notify::new());
    let (tap, rx) = mpsc::channel(QUEUE);
    let encoder = tokio::spawn(encode_loop(
        rx,
        cfg.batch_points,
        cfg.flush_interval,
        outbox.clone(),
        wake.clone(),
        metrics.clone(),
    ));
    let sender = tokio::spawn(send_loop(
        client,
        cfg.clone(),
        outbox,
        wake,
        metrics,
        shutdown,
    ));
    Ok(InfluxSink {
        tap,
        tasks: vec![encoder, sender],
    })
}

/// Appends `body` to the outbox (retrying while the disk refuses: the batch stays in memory).
async fn append(outbox: &Arc<Mutex<Outbox>>, body: Vec<u8>, n: u64, created_ms: i64) {
    let mut backoff = Duration::from_millis(200);
    let body = Arc::new(body);
    loop {
        let o = outbox.clone();
        let b = body.clone();
        let r = tokio::task::spawn_blocking(move || {
            let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
            o.append(&b, n, created_ms).map_err(|e| e.to_string())
        })
        .await;
        match r {
            Ok(Ok(_)) => return,
            Ok(Err(e)) => tracing::error!(sink = "influx", "outbox append failed, retrying: {e}"),
            Err(e) => tracing::error!(sink = "influx", "outbox append task failed, retrying: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

async fn encode_loop(
    mut rx: mpsc::Receiver<Event>,
    batch_points: usize,
    flush: Duration,
    outbox: Arc<Mutex<Outbox>>,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
) {
    let mut body = Vec::new();
    let mut n = 0usize;
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let next = match deadline {
            Some(d) => tokio::select! {
                ev = rx.recv() => ev.map(Some),
                _ = tokio::time::sleep_until(d) => Some(None),
            },
            None => rx.recv().await.map(Some),
        };
        let done = next.is_none();
        if let Some(Some(ev)) = next {
            n += encode(&ev, &mut body);
            if deadline.is_none() && n > 0 {
                deadline = Some(tokio::time::Instant::now() + flush);
            }
        }
        let due = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
        if n > 0 && (n >= batch_points || due || done) {
            append(
                &outbox,
                std::mem::take(&mut body),
                n as u64,
                collector::poll::now_ms(),
            )
            .await;
            n = 0;
            deadline = None;
            wake.notify_one();
            if let (Ok(o), Ok(mut m)) = (outbox.lock(), metrics.outbox.lock()) {
                *m = o.stats().ok();
            }
        }
        if done {
            return;
        }
    }
}

/// What one write attempt says about the batch.
enum Outcome {
    Sent,
    Retry(String),
    Refused(String),
}

fn outcome(r: Result<(), influxdb2::RequestError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Sent,
        Err(influxdb2::RequestError::Http { status, text }) => {
            let code = status.as_u16();
            let text: String = text.chars().take(300).collect();
            if code == 429 || status.is_server_error() {
                Outcome::Retry(format!("HTTP {code}: {text}"))
            } else {
                Outcome::Refused(format!("HTTP {code}: {text}"))
            }
        }
        // Connection refused, reset, timed out: the server may come back.
        Err(e) => Outcome::Retry(e.to_string()),
    }
}

async fn send_loop(
    client: influxdb2::Client,
    cfg: InfluxConfig,
    outbox: Arc<Mutex<Outbox>>,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let mut backoff = Duration::from_millis(500);
    loop {
        if *shutdown.borrow() {
            return;
        }
        let o = outbox.clone();
        let next = tokio::task::spawn_blocking(move || {
            let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
            let b = o.oldest().map_err(|e| e.to_string())?;
            let s = o.stats().map_err(|e| e.to_string())?;
            Ok::<_, String>((b, s))
        })
        .await;
        let batch = match next {
            Ok(Ok((b, s))) => {
                if let Ok(mut m) = metrics.outbox.lock() {
                    *m = Some(s);
                }
                b
            }
            Ok(Err(e)) => {
                tracing::error!(sink = "influx", "cannot read the outbox: {e}");
                None
            }
            Err(e) => {
                tracing::error!(sink = "influx", "outbox reader failed: {e}");
                None
            }
        };
        let Some(batch) = batch else {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return,
            }
            continue;
        };
        let write = client.write_line_protocol_with_precision(
            &cfg.org,
            &cfg.bucket,
            batch.body.clone(),
            influxdb2::api::write::TimestampPrecision::Milliseconds,
        );
        let r = match tokio::time::timeout(cfg.timeout, write).await {
            Ok(r) => outcome(r),
            Err(_) => Outcome::Retry(format!("no answer within {:?}", cfg.timeout)),
        };
        let id = batch.id;
        let settle = |o: &Arc<Mutex<Outbox>>, sent: bool| {
            let o = o.clone();
            tokio::task::spawn_blocking(move || {
                let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
                if sent { o.ack(id) } else { o.reject(id) }.map_err(|e| e.to_string())
            })
        };
        match r {
            Outcome::Sent => {
                backoff = Duration::from_millis(500);
                if let Ok(Err(e)) = settle(&outbox, true).await {
                    tracing::error!(sink = "influx", "cannot acknowledge batch {id}: {e}");
                }
            }
            Outcome::Refused(why) => {
                metrics.influx_write_errors.fetch_add(1, Relaxed);
                let first = batch
                    .body
                    .split(|&b| b == b'\n')
                    .next()
                    .map(|l| String::from_utf8_lossy(&l[..l.len().min(300)]).into_owned())
                    .unwrap_or_default();
                tracing::error!(
                    sink = "influx",
                    batch = id,
                    points = batch.n_points,
                    first_line = first.as_str(),
                    "InfluxDB refused the batch for good ({why}): dropped"
                );
                if let Ok(Err(e)) = settle(&outbox, false).await {
                    tracing::error!(sink = "influx", "cannot drop batch {id}: {e}");
                }
            }
            Outcome::Retry(why) => {
                metrics.influx_write_errors.fetch_add(1, Relaxed);
                tracing::warn!(
                    sink = "influx",
                    batch = id,
                    "InfluxDB write failed, retrying in {backoff:?}: {why}"
                );
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.changed() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}
