//! The InfluxDB v2 sink: the pipeline's events → line protocol (influxdb2's `DataPoint`) →
//! the durable outbox → `/api/v2/write` (influxdb2's client), acknowledged batch by batch.
//!
//! Schema (the contract; see README): `interface` (tags `device`, `port`; fields `in_bps`,
//! `out_bps`, `in_pps`, `out_pps`, `in_errors_ps`, `out_errors_ps`, `in_discards_ps`,
//! `out_discards_ps`, `utilisation_in`, `utilisation_out` as floats, `in_octets`, `out_octets`,
//! `speed_bps` as integers), `optics` (tags `device`, `port`, `direction`, `lane` when
//! multi-lane; field `dbm`, the level now; `dbm_min`, `dbm_max`, `dbm_avg` where the device
//! keeps those statistics over a period of its own, so a query of `dbm` reads levels only;
//! `no_light` = 1 where the level is a present optic's no-light floor), `wifi` (tag `device`;
//! `aps_total`, `aps_up`, `clients_total`),
//! `wifi_ap` (tags `device`, `ap`; `clients`, `up`), `device` (tag `device`; `up`, `poll_ms`).
//! Names are tags, never string fields (influxdb2 0.5.2 does not escape `\` in string
//! fields); only finite floats are written (it writes NaN/inf raw); counters are i64, a
//! counter at or above 2^63 saturates at i64::MAX (influxdb2 has no u64 field). Timestamps are
//! the poll's, in milliseconds, so a resent batch overwrites itself: at-least-once delivery
//! is exactly-once in effect.
//!
//! A crash loses what was not in the outbox yet (at most `flush_interval` of polls): on start,
//! [`replay`] queues the interface points the store holds beyond each device's high-water
//! mark, so those arrive too (optics, wifi and poll durations are not kept per poll by the
//! store, so they are not replayed).
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

use influxdb2::models::{DataPoint, WriteDataPoint};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use super::outbox::{Outbox, OutboxError};
use crate::config::InfluxConfig;
use crate::metrics::Metrics;
use crate::pipeline::Event;
use crate::sample::{DevicePoll, OpticStat, PortRates};
use crate::store::{Retention, Store, StoreError};

/// Why the sink could not start: its outbox or the store it replays from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    #[error("InfluxDB sink: {0}")]
    Outbox(#[from] OutboxError),
    #[error("InfluxDB sink: cannot replay from the store: {0}")]
    Store(#[from] StoreError),
}

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

fn finite(b: Builder, name: &str, v: Option<f64>) -> Builder {
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
        } => push(
            &mut points,
            DataPoint::builder("device")
                .tag("device", device.as_str())
                .field("up", 0i64),
            *time_ms,
        ),
    }
    write_points(&points, out)
}

/// `points` as line protocol appended to `out`; returns how many.
fn write_points(points: &[DataPoint], out: &mut Vec<u8>) -> usize {
    for dp in points {
        // Writing to a Vec cannot fail.
        let _ = dp.write_data_point_to(&mut *out);
    }
    points.len()
}

type Builder = influxdb2::models::data_point::DataPointBuilder;

/// Adds the point `b` at time `t`; a point with no field (nothing measured) is not written.
fn push(points: &mut Vec<DataPoint>, b: Builder, t: i64) {
    if let Ok(dp) = b.timestamp(t).build() {
        points.push(dp);
    }
}

/// The `interface` points of a poll rebuilt from the store (see [`replay`]), appended to `out`.
pub fn encode_interfaces(poll: &DevicePoll, rates: &[PortRates], out: &mut Vec<u8>) -> usize {
    let mut points = Vec::new();
    encode_ports(poll, rates, &mut points);
    write_points(&points, out)
}

fn encode_poll(poll: &DevicePoll, rates: &[PortRates], points: &mut Vec<DataPoint>) {
    push(
        points,
        DataPoint::builder("device")
            .tag("device", poll.device.as_str())
            .field("up", 1i64)
            .field("poll_ms", counter(poll.duration_ms)),
        poll.time_ms,
    );
    encode_ports(poll, rates, points);
    encode_observed(poll, points);
}

fn encode_ports(poll: &DevicePoll, rates: &[PortRates], points: &mut Vec<DataPoint>) {
    let (t, d) = (poll.time_ms, poll.device.as_str());
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
        push(points, b, t);
    }
}

fn encode_observed(poll: &DevicePoll, points: &mut Vec<DataPoint>) {
    let (t, d) = (poll.time_ms, poll.device.as_str());
    for o in &poll.optics {
        let mut b = DataPoint::builder("optics")
            .tag("device", d)
            .tag("port", o.port.as_str())
            .tag("direction", o.direction.as_str());
        if let Some(l) = o.lane {
            b = b.tag("lane", l.to_string());
        }
        if o.no_light {
            b = b.field("no_light", 1i64);
        }
        let field = match o.stat {
            OpticStat::Current => "dbm",
            OpticStat::Min => "dbm_min",
            OpticStat::Max => "dbm_max",
            OpticStat::Avg => "dbm_avg",
        };
        push(points, finite(b, field, Some(o.dbm)), t);
    }
    if let Some(w) = &poll.wifi {
        push(
            points,
            DataPoint::builder("wifi")
                .tag("device", d)
                .field("aps_total", counter(w.aps_total))
                .field("aps_up", counter(w.aps_up))
                .field("clients_total", counter(w.clients_total)),
            t,
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
            push(points, b, t);
        }
    }
}

/// Starts the encoder and the sender. The outbox is `store_dir/outbox.db`.
pub fn start(
    cfg: &InfluxConfig,
    store_dir: &Path,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Result<InfluxSink, SinkError> {
    let mut outbox = Outbox::open(store_dir, cfg.outbox_max_bytes)?;
    let replayed = replay(&mut outbox, store_dir, cfg.batch_points)?;
    if replayed > 0 {
        tracing::info!(
            sink = "influx",
            points = replayed,
            "replayed from the store the polls that never reached the outbox (a crash)"
        );
    }
    let stats = outbox.stats()?;
    if stats.depth > 0 {
        tracing::info!(
            sink = "influx",
            batches = stats.depth,
            bytes = stats.bytes,
            "outbox holds unsent batches from before: sending them first"
        );
    }
    // A poisoned lock only means a panic elsewhere while it was held: the stats are still ours.
    *metrics.outbox.lock().unwrap_or_else(|e| e.into_inner()) = Some(stats);
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

/// Puts into the outbox the interface points of every poll the store holds beyond its
/// device's mark (or, for a device the outbox never saw, since the outbox was created): the
/// polls a crash took before they reached the outbox. Returns the points queued.
pub fn replay(
    outbox: &mut Outbox,
    store_dir: &Path,
    batch_points: usize,
) -> Result<usize, SinkError> {
    let store = match Store::open_existing(store_dir, Retention::default()) {
        // A first start: nothing was ever stored, nothing to replay.
        Err(StoreError::NotFound { .. }) => return Ok(0),
        r => r?,
    };
    let (marks, created) = outbox.marks()?;
    let (mut body, mut n, mut total) = (Vec::new(), 0usize, 0usize);
    let mut batch_marks: Vec<(String, i64)> = Vec::new();
    for d in store.devices()? {
        let from = marks.get(&d.name).map_or(created, |t| t + 1);
        let polls = store.polls_since(&d.name, from)?;
        for (poll, rates) in &polls {
            n += encode_interfaces(poll, rates, &mut body);
            batch_marks.push((poll.device.clone(), poll.time_ms));
            if n >= batch_points {
                outbox.append_marked(&body, n as u64, crate::poll::now_ms(), &batch_marks)?;
                total += n;
                (n, body, batch_marks) = (0, Vec::new(), Vec::new());
            }
        }
    }
    if n > 0 {
        outbox.append_marked(&body, n as u64, crate::poll::now_ms(), &batch_marks)?;
        total += n;
    }
    Ok(total)
}

/// Appends `body` to the outbox with the devices' marks (retrying while the disk refuses: the
/// batch stays in memory).
async fn append(
    outbox: &Arc<Mutex<Outbox>>,
    metrics: &Arc<Metrics>,
    body: Vec<u8>,
    n: u64,
    created_ms: i64,
    marks: Vec<(String, i64)>,
) {
    let mut backoff = Duration::from_millis(200);
    let body = Arc::new(body);
    let marks = Arc::new(marks);
    loop {
        let o = outbox.clone();
        let b = body.clone();
        let m = marks.clone();
        let met = metrics.clone();
        let r = tokio::task::spawn_blocking(move || {
            let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
            o.append_marked(&b, n, created_ms, &m)
                .map_err(|e| e.to_string())?;
            // The depth /metrics shows, read while the lock is held anyway.
            if let (Ok(stats), Ok(mut shown)) = (o.stats(), met.outbox.lock()) {
                *shown = Some(stats);
            }
            Ok::<_, String>(())
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
    let mut marks: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
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
            if let Event::Poll(p) = &ev {
                let m = marks.entry(p.0.device.clone()).or_insert(i64::MIN);
                *m = (*m).max(p.0.time_ms);
            }
            n += encode(&ev, &mut body);
            if deadline.is_none() && n > 0 {
                deadline = Some(tokio::time::Instant::now() + flush);
            }
        }
        let due = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
        if n > 0 && (n >= batch_points || due || done) {
            let m: Vec<(String, i64)> = std::mem::take(&mut marks).into_iter().collect();
            append(
                &outbox,
                &metrics,
                std::mem::take(&mut body),
                n as u64,
                crate::poll::now_ms(),
                m,
            )
            .await;
            n = 0;
            deadline = None;
            wake.notify_one();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::PortCounters;

    fn poll(t: i64) -> (DevicePoll, Vec<PortRates>) {
        let p = DevicePoll {
            device: "r1".into(),
            time_ms: t,
            duration_ms: 12,
            ports: vec![PortCounters {
                key: "xe-0/0/1".into(),
                if_index: 1,
                if_name: Some("xe-0/0/1".into()),
                speed_bps: Some(10_000_000_000),
                in_octets: Some(u64::MAX),
                out_octets: Some(7),
                counter_bits: 64,
                ..PortCounters::default()
            }],
            ..DevicePoll::default()
        };
        let r = PortRates {
            key: "xe-0/0/1".into(),
            time_ms: t,
            interval_ms: 60_000,
            in_bps: Some(1.5e9),
            out_bps: Some(f64::NAN),
            ..PortRates::default()
        };
        (p, vec![r])
    }

    #[test]
    fn encoding_saturates_counters_skips_non_finite_values_and_tags_names() {
        let (p, r) = poll(1_800_000_000_000);
        let mut out = Vec::new();
        let n = encode(&Event::Poll(Arc::new((p, r))), &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(n, 2, "{text}");
        assert!(
            text.contains("device,device=r1 poll_ms=12i,up=1i 1800000000000\n"),
            "{text}"
        );
        assert!(text.contains("in_octets=9223372036854775807i"), "{text}");
        assert!(text.contains("in_bps=1500000000"), "{text}");
        assert!(
            !text.contains("out_bps") && !text.to_lowercase().contains("nan"),
            "{text}"
        );
        assert!(
            text.contains("interface,device=r1,port=xe-0/0/1 "),
            "{text}"
        );
    }

    #[test]
    fn statistics_are_their_own_fields_and_no_light_is_flagged() {
        use crate::sample::{OpticDirection, OpticReading};
        let (mut p, _) = poll(1_800_000_000_000);
        let rx = |dbm| OpticReading::current("OSC-1".into(), None, OpticDirection::Rx, dbm);
        p.optics = vec![
            rx(-14.1),
            OpticReading {
                stat: OpticStat::Min,
                ..rx(-14.2)
            },
            OpticReading {
                no_light: true,
                ..OpticReading::current("ETH-1".into(), None, OpticDirection::Rx, -40.0)
            },
        ];
        let mut points = Vec::new();
        encode_observed(&p, &mut points);
        let mut out = Vec::new();
        write_points(&points, &mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "optics,device=r1,direction=rx,port=OSC-1 dbm=-14.1 1800000000000",
                "optics,device=r1,direction=rx,port=OSC-1 dbm_min=-14.2 1800000000000",
                "optics,device=r1,direction=rx,port=ETH-1 dbm=-40,no_light=1i 1800000000000",
            ]
        );
    }

    #[test]
    fn replay_queues_what_the_store_has_beyond_each_mark_once() {
        let dir = tempfile::tempdir().unwrap();
        let t = 1_800_000_000_000i64;
        let mut store =
            crate::store::Store::open(dir.path(), crate::store::Retention::default()).unwrap();
        store
            .write(&[poll(t), poll(t + 60_000), poll(t + 120_000)])
            .unwrap();
        drop(store);
        let mut outbox = Outbox::open(dir.path(), 1 << 20).unwrap();
        // The outbox took the first poll before the crash.
        outbox
            .append_marked(b"x", 1, t, &[("r1".to_string(), t)])
            .unwrap();
        assert_eq!(replay(&mut outbox, dir.path(), 1000).unwrap(), 2);
        let first = outbox.oldest().unwrap().unwrap();
        outbox.ack(first.id).unwrap();
        let queued = outbox.oldest().unwrap().unwrap();
        let text = String::from_utf8(queued.body).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains(&format!(" {}\n", t + 60_000)), "{text}");
        assert!(text.contains(&format!(" {}\n", t + 120_000)), "{text}");
        assert!(
            !text.starts_with("device"),
            "poll durations are not replayed"
        );
        // The marks moved: a second start replays nothing.
        assert_eq!(replay(&mut outbox, dir.path(), 1000).unwrap(), 0);
    }
}
