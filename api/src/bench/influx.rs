//! `irisops bench influx`: the InfluxDB sink's costs at fleet scale, against a real v2-write
//! server (victoria-metrics on loopback in BENCHMARKS.md).
//!
//! `--minutes` minutes of polls of `--ports` ports (1-minute polls, 50 ports a device, every
//! rate field set) are encoded to line protocol (CPU per 1k points), appended to a fresh outbox
//! in batches of `--batch` points (CPU and wall per point, fsync included: the outbox runs with
//! `synchronous = FULL`), then the outbox is drained to `--url` oldest first, one batch in
//! flight, as the sink does after an outage of that length (points/s, sender CPU per 1k
//! points). Encode and append CPU is this thread's (`/proc/thread-self/schedstat`); the
//! sender's is the process's (`/proc/self/stat`: its HTTP client's threads included).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use collector::pipeline::Event;
use collector::sample::{DevicePoll, PortCounters, PortRates};
use collector::sinks::outbox::Outbox;

use super::{json_line, process_cpu_ns, round, thread_cpu_ns};

/// Arguments of `irisops bench influx`.
#[derive(clap::Args)]
pub struct InfluxArgs {
    /// The v2-write server, e.g. http://127.0.0.1:8428.
    #[arg(long)]
    url: String,
    /// Ports polled every minute.
    #[arg(long, default_value_t = 100_000)]
    ports: u32,
    /// Minutes of polls queued (the outage's length).
    #[arg(long, default_value_t = 10)]
    minutes: u32,
    /// Points per batch.
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
}

fn poll(device: u32, minute: u32, ports: u32, t0: i64) -> Event {
    let t = t0 + i64::from(minute) * 60_000;
    let mut p = DevicePoll {
        device: format!("dev{device:05}"),
        time_ms: t,
        duration_ms: 40,
        ..DevicePoll::default()
    };
    let mut rates = Vec::new();
    for i in 0..ports {
        let key = format!("xe-0/0/{i}");
        p.ports.push(PortCounters {
            key: key.clone(),
            if_index: i + 1,
            speed_bps: Some(10_000_000_000),
            in_octets: Some(u64::from(minute) * 1_000_000_007 + u64::from(i)),
            out_octets: Some(u64::from(minute) * 500_000_003 + u64::from(i)),
            counter_bits: 64,
            ..PortCounters::default()
        });
        let bps = 1.0e9 + f64::from(i) * 1e3;
        rates.push(PortRates {
            key,
            time_ms: t,
            interval_ms: 60_000,
            in_bps: Some(bps),
            out_bps: Some(bps / 2.0),
            in_pps: Some(bps / 8000.0),
            out_pps: Some(bps / 16000.0),
            in_errors_ps: Some(0.0),
            out_errors_ps: Some(0.0),
            in_discards_ps: Some(0.01),
            out_discards_ps: Some(0.0),
            utilisation_in: Some(bps / 1e8),
            utilisation_out: Some(bps / 2e8),
            gap: None,
        });
    }
    Event::Poll(Arc::new((p, rates)))
}

/// The benchmark's JSON line.
#[derive(Serialize)]
struct Figures {
    bench: &'static str,
    ports: u32,
    minutes: u32,
    points: usize,
    bytes: usize,
    batches: usize,
    encode_cpu_ms_per_1k_points: f64,
    outbox_append_cpu_us_per_point: f64,
    outbox_append_wall_us_per_point: f64,
    replay_points_per_s: f64,
    replay_s: f64,
    send_cpu_ms_per_1k_points: f64,
}

/// Runs the benchmark and prints one JSON line.
pub async fn run(args: InfluxArgs) -> anyhow::Result<ExitCode> {
    let per_device = 50u32;
    let devices = args.ports.div_ceil(per_device);
    let dir = std::env::temp_dir().join(format!("irisops-bench-influx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut outbox = Outbox::open(&dir, u64::MAX).context("outbox")?;
    let t0 = collector::poll::now_ms() - i64::from(args.minutes) * 60_000;
    let (mut encode_ns, mut append_ns, mut append_wall) = (0u64, 0u64, 0f64);
    let (mut points, mut bytes) = (0usize, 0usize);
    let mut body = Vec::new();
    let mut in_body = 0usize;
    for minute in 0..args.minutes {
        for d in 0..devices {
            let ev = poll(d, minute, per_device, t0);
            let c0 = thread_cpu_ns()?;
            in_body += collector::sinks::influx::encode(&ev, &mut body);
            encode_ns += thread_cpu_ns()? - c0;
            if in_body >= args.batch {
                let (c0, w0) = (thread_cpu_ns()?, Instant::now());
                outbox.append(&body, in_body as u64, t0).context("append")?;
                append_ns += thread_cpu_ns()? - c0;
                append_wall += w0.elapsed().as_secs_f64();
                points += in_body;
                bytes += body.len();
                body.clear();
                in_body = 0;
            }
        }
    }
    if in_body > 0 {
        outbox.append(&body, in_body as u64, t0).context("append")?;
        points += in_body;
        bytes += body.len();
    }
    let client = influxdb2::Client::new(args.url.clone(), "bench", "");
    let (c0, w0) = (process_cpu_ns("self")?, Instant::now());
    let mut sent = 0u64;
    while let Some(b) = outbox.oldest().context("outbox")? {
        client
            .write_line_protocol_with_precision(
                "bench",
                "bench",
                b.body.clone(),
                influxdb2::api::write::TimestampPrecision::Milliseconds,
            )
            .await
            .map_err(|e| anyhow::anyhow!("write: {e}"))?;
        sent += b.n_points;
        outbox.ack(b.id).context("ack")?;
    }
    let (send_ns, send_s) = (process_cpu_ns("self")? - c0, w0.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&dir);
    let k = points as f64 / 1e3;
    let figures = Figures {
        bench: "influx",
        ports: args.ports,
        minutes: args.minutes,
        points,
        bytes,
        batches: points.div_ceil(args.batch),
        encode_cpu_ms_per_1k_points: round(encode_ns as f64 / 1e6 / k, 3),
        outbox_append_cpu_us_per_point: round(append_ns as f64 / 1e3 / points as f64, 3),
        outbox_append_wall_us_per_point: round(append_wall * 1e6 / points as f64, 3),
        replay_points_per_s: round(sent as f64 / send_s, 0),
        replay_s: round(send_s, 2),
        send_cpu_ms_per_1k_points: round(send_ns as f64 / 1e6 / k, 3),
    };
    println!("{}", json_line(&figures)?);
    Ok(ExitCode::SUCCESS)
}
