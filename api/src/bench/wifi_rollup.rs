//! `irisops bench wifi-rollup`: the wifi hotspots' daily usage rollup at a city's scale.
//!
//! A temporary store is filled with `--aps` access points (900 by default) on two controllers,
//! grouped in `--hotspots` hotspots (220; every other AP listed by name, the others by a dotted
//! MAC, one hotspot spanning both controllers), polled every minute for `--days` local days
//! (2 by default; `--days 365` works but writes ~470 M samples, hours and tens of GB). The fill
//! goes through the store's real write path, `Store::write` of `DevicePoll`s carrying the
//! controllers' AP tables, an hour of polls per transaction, as the store sink batches them.
//! Before the raw days, 400 days of daily rows (empty days, coverage 0) are rolled up so the
//! daily table has the size a year of service gives it.
//!
//! Measured, wall time and this thread's CPU time (`/proc/thread-self/schedstat`):
//! `rollup_wifi_through` over the raw days (per day), `rollup_wifi_day` of the last day again
//! (`--rounds` times, median), and `wifi_usage` of 28 days of every hotspot (median). The
//! check: every hotspot's last day has coverage 1.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDate, TimeZone};
use serde::Serialize;

use collector::config::Config;
use collector::sample::{ApStatus, DevicePoll, Wifi};
use collector::store::{HotspotAps, Retention, Store};

use super::{json_line, round, thread_cpu_ns};

/// Arguments of `irisops bench wifi-rollup`.
#[derive(clap::Args)]
pub struct WifiRollupArgs {
    /// Access points (half on each of two controllers).
    #[arg(long, default_value_t = 900)]
    aps: u32,
    /// Hotspots the access points are grouped in.
    #[arg(long, default_value_t = 220)]
    hotspots: u32,
    /// Local days of 1-minute polls written, the last one 2026-06-11.
    #[arg(long, default_value_t = 2)]
    days: u32,
    /// Measured repetitions of the one-day rollup and of the 28-day read.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
}

/// The benchmark's JSON line.
#[derive(Serialize)]
struct Figures {
    bench: &'static str,
    aps: u32,
    hotspots: u32,
    days: u32,
    samples: u64,
    fill_s: f64,
    db_mb: f64,
    through_ms_per_day: f64,
    rollup_day_ms_median: f64,
    rollup_day_cpu_ms_median: f64,
    usage_28d_rows: usize,
    usage_28d_ms_median: f64,
    /// The verdicts over 28 days of every hotspot: the store's read and the rules.
    verdicts_28d_ms_median: f64,
    all_covered: bool,
}

const LAST_DAY: (i32, u32, u32) = (2026, 6, 11);

fn ap_name(i: u32) -> String {
    format!("ap-{i:04}")
}

fn ap_mac(i: u32) -> String {
    let b = i.to_be_bytes();
    format!("02:00:00:00:{:02x}:{:02x}", b[2], b[3])
}

/// Hotspot `k` of `n`: its APs, the even ones by name, the odd ones by dotted MAC.
fn hotspots(args: &WifiRollupArgs) -> Vec<HotspotAps> {
    let mut out: Vec<HotspotAps> = (0..args.hotspots)
        .map(|k| HotspotAps {
            id: format!("spot-{k:03}"),
            access_points: Vec::new(),
        })
        .collect();
    for i in 0..args.aps {
        let k = (u64::from(i) * u64::from(args.hotspots) / u64::from(args.aps)) as usize;
        let entry = if i % 2 == 0 {
            ap_name(i)
        } else {
            let hex: String = ap_mac(i).chars().filter(|c| *c != ':').collect();
            format!("{}.{}.{}", &hex[0..4], &hex[4..8], &hex[8..12])
        };
        out[k].access_points.push(entry);
    }
    out
}

/// AP `i` at `minute` of the local day: busy in the day, a few night owls, AP 0 of every 50
/// down from 03:00 to 04:00.
fn ap_status(i: u32, minute: u32) -> ApStatus {
    let hour = minute / 60;
    let down = i.is_multiple_of(50) && hour == 3;
    let clients = if (8..20).contains(&hour) {
        u64::from(i % 7 + (minute + i) % 5)
    } else {
        u64::from(i.is_multiple_of(3))
    };
    ApStatus {
        name: ap_name(i),
        mac: Some(ap_mac(i)),
        status: if down { "down" } else { "up" }.to_string(),
        clients: (!down).then_some(clients),
    }
}

/// Writes `day`'s polls: controller `wlc-1` on the minute, `wlc-2` 20 s later.
fn fill_day(
    store: &mut Store,
    args: &WifiRollupArgs,
    start_ms: i64,
    end_ms: i64,
) -> anyhow::Result<u64> {
    let half = args.aps / 2;
    let mut batch = Vec::with_capacity(120);
    let mut samples = 0u64;
    for (minute, t) in (start_ms..end_ms).step_by(60_000).enumerate() {
        let minute = minute as u32;
        for (device, offset, range) in [("wlc-1", 0, 0..half), ("wlc-2", 20_000, half..args.aps)] {
            let aps: Vec<ApStatus> = range.map(|i| ap_status(i, minute)).collect();
            samples += aps.len() as u64;
            let poll = DevicePoll {
                device: device.to_string(),
                time_ms: t + offset,
                wifi: Some(Wifi {
                    aps_total: aps.len() as u64,
                    aps,
                    ..Wifi::default()
                }),
                ..DevicePoll::default()
            };
            batch.push((poll, Vec::new()));
        }
        if batch.len() >= 120 {
            store.write(&batch).context("store write")?;
            batch.clear();
        }
    }
    store.write(&batch).context("store write")?;
    Ok(samples)
}

/// Local midnight of `d` in `tz`, milliseconds since the epoch.
fn midnight<Z: TimeZone>(tz: &Z, d: NaiveDate) -> anyhow::Result<i64> {
    let local = d.and_hms_opt(0, 0, 0).context("midnight")?;
    Ok(tz
        .from_local_datetime(&local)
        .earliest()
        .context("local midnight")?
        .timestamp_millis())
}

/// Writes the polls of the local days `first..=last`; returns the AP samples written.
fn fill<Z: TimeZone>(
    store: &mut Store,
    args: &WifiRollupArgs,
    tz: &Z,
    first: NaiveDate,
    last: NaiveDate,
) -> anyhow::Result<u64> {
    let mut samples = 0;
    let mut day = first;
    while day <= last {
        let next = day.succ_opt().context("next day")?;
        samples += fill_day(store, args, midnight(tz, day)?, midnight(tz, next)?)?;
        day = next;
    }
    Ok(samples)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the benchmark and prints one JSON line.
pub fn run(args: WifiRollupArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.aps >= 2 && args.hotspots >= 1 && args.days >= 1 && args.rounds >= 1,
        "--aps must be at least 2, --hotspots, --days and --rounds at least 1"
    );
    let dir =
        std::env::temp_dir().join(format!("irisops-bench-wifi-rollup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = measure(&args, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(args: &WifiRollupArgs, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    // The [wifi] defaults: Europe/Brussels, 60 s.
    let config = Config::parse("", &|_| None)
        .map_err(|e| anyhow::anyhow!("bench config: {:?}", e.problems()))?;
    let (tz, interval) = (config.wifi.timezone, config.wifi.poll_interval);
    let (y, m, d) = LAST_DAY;
    let last = NaiveDate::from_ymd_opt(y, m, d).context("last day")?;
    let first = last - chrono::Duration::days(i64::from(args.days) - 1);
    let spots = hotspots(args);
    let mut store = Store::open(dir, Retention::default()).context("store")?;
    for back in (1..=400).rev() {
        store.rollup_wifi_day(first - chrono::Duration::days(back), tz, interval, &spots)?;
    }
    let t0 = Instant::now();
    let samples = fill(&mut store, args, &tz, first, last)?;
    let fill_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    store.rollup_wifi_through(last, tz, interval, &spots)?;
    let through_ms = t0.elapsed().as_secs_f64() * 1e3;
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        let (t0, c0) = (Instant::now(), thread_cpu_ns()?);
        store.rollup_wifi_day(last, tz, interval, &spots)?;
        cpu.push((thread_cpu_ns()? - c0) as f64 / 1e6);
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let from = last - chrono::Duration::days(27);
    let (mut read, mut n_rows) = (Vec::new(), 0);
    for _ in 0..args.rounds {
        let t0 = Instant::now();
        n_rows = store.wifi_usage(None, from, last)?.len();
        read.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let pairs: Vec<(String, usize)> = spots
        .iter()
        .map(|h| (h.id.clone(), h.access_points.len().max(1)))
        .collect();
    let criteria = cadastre::wifi::Criteria::default();
    let mut judge = Vec::new();
    for _ in 0..args.rounds {
        let t0 = Instant::now();
        let rows = crate::questions::wifi::usage_of_store(&store, None, from, last)?;
        let v = cadastre::wifi::verdicts(&pairs, &rows, last, &criteria);
        anyhow::ensure!(v.len() == spots.len(), "a verdict per hotspot");
        judge.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let last_rows = store.wifi_usage(None, last, last)?;
    let all_covered =
        last_rows.len() == spots.len() && last_rows.iter().all(|r| r.coverage >= 0.999_999);
    let db_bytes = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(store.path().with_extension("db-wal")).map_or(0, |m| m.len());
    let figures = Figures {
        bench: "wifi-rollup",
        aps: args.aps,
        hotspots: args.hotspots,
        days: args.days,
        samples,
        fill_s: round(fill_s, 1),
        db_mb: round(db_bytes as f64 / 1e6, 1),
        through_ms_per_day: round(through_ms / f64::from(args.days), 1),
        rollup_day_ms_median: round(median(&mut wall), 1),
        rollup_day_cpu_ms_median: round(median(&mut cpu), 1),
        usage_28d_rows: n_rows,
        usage_28d_ms_median: round(median(&mut read), 2),
        verdicts_28d_ms_median: round(median(&mut judge), 2),
        all_covered,
    };
    println!("{}", json_line(&figures)?);
    Ok(if all_covered {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
