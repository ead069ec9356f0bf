//! `irisops bench fleet`: the collector's pipeline polling a simulated fleet on a cron schedule,
//! as `irisops serve` runs it: one task per device, the store sink, rollups every minute.
//!
//! The simulator runs as a child process (`irisops simulate`), so this process's CPU is the
//! poller's alone; the child's CPU is reported beside it. The measured window starts half a
//! second before the first tick and ends half a second before the first tick at least
//! `--minutes` later, so it holds whole schedule periods. A round is on time when every device
//! finished its poll before the next tick; the benchmark also checks that no tick was skipped
//! and no poll failed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use tokio::sync::watch;

use collector::config::{Auth, Config, SnmpVersion};
use collector::metrics::Metrics;
use collector::secret::Secret;
use collector::snmp::oid::oid;
use collector::snmp::Session;
use collector::store::{Retention, Store};

use super::{json_line, process_cpu_ns, round, status_kb};

/// Arguments of `irisops bench fleet`.
#[derive(clap::Args)]
pub struct FleetArgs {
    /// Simulated devices (communities dev0001..).
    #[arg(long, default_value_t = 2000)]
    devices: u32,
    /// Ports per device.
    #[arg(long, default_value_t = 50)]
    ports: u32,
    /// Length of the measured window, minutes (whole schedule periods).
    #[arg(long, default_value_t = 3)]
    minutes: u32,
    /// Every device's poll schedule (cron, seconds first).
    #[arg(long, default_value = "0 * * * * *")]
    schedule: String,
    /// `[collector] concurrency`: devices polled at the same time at most.
    #[arg(long, default_value_t = 256)]
    concurrency: u32,
    /// Store directory (default: a fresh directory under the system's temp dir, removed after).
    #[arg(long)]
    store: Option<PathBuf>,
    /// Alert rules matching every port (a cycle of 10), their webhooks delivered to a receiver
    /// in this process: reports the delay from a poll's end to the webhook's arrival.
    #[arg(long, default_value_t = 0)]
    alerts: u32,
}

/// The child simulator, killed when dropped.
struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// CPU of this process and of the simulator at one instant, nanoseconds.
#[derive(Clone, Copy)]
struct CpuSample {
    own: u64,
    sim: u64,
}

/// Runs the benchmark and prints one JSON line; exit 1 when a round was late or a poll failed.
pub async fn run(args: FleetArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.devices >= 1, "--devices must be at least 1");
    anyhow::ensure!(args.minutes >= 1, "--minutes must be at least 1");
    check_open_files(args.devices)?;
    let (dir, temporary) = match &args.store {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("irisops-bench-fleet-{}", std::process::id())),
            true,
        ),
    };
    let result = measure(&args, &dir).await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (report, ok) = result?;
    println!("{}", json_line(&report)?);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn measure(args: &FleetArgs, dir: &Path) -> anyhow::Result<(Figures, bool)> {
    let sim_addr = free_udp().context("no free UDP port for the simulator")?;
    let sim = start_simulator(args, sim_addr).await?;
    let sim_pid = sim.0.id().to_string();
    let cfg = fleet_config(args, sim_addr, dir)?;
    let schedule = cfg.devices[0].schedule.clone();
    // Device tasks take their first tick when they start: keep clear of a tick boundary, so
    // they and we agree on which tick is the first.
    while let Some(t) = schedule.next_after(Utc::now()) {
        if t - Utc::now() > TimeDelta::seconds(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let store = Store::open(dir, Retention::default())
        .with_context(|| format!("cannot open the store at {}", dir.display()))?;
    let metrics = Arc::new(Metrics::default());
    let (stop, stopped) = watch::channel(false);
    let alerts = match args.alerts {
        0 => None,
        n => Some(super::fleet_alerts::start(n, dir, metrics.clone(), stopped.clone()).await?),
    };
    let taps = alerts.iter().map(|a| a.tap.clone()).collect();
    let running = collector::pipeline::start_with_taps(&cfg, store, metrics.clone(), stopped, taps);

    let (ticks, end) = window(&schedule, Utc::now(), args.minutes)?;
    let udp_drops0 = udp_rcvbuf_errors()?;
    let seen = observe(ticks, end, args.devices, &metrics, &sim_pid).await?;
    let udp_drops = udp_rcvbuf_errors()? - udp_drops0;
    let (mut report, ok) = report(args, &metrics, &seen);
    let mb = |kb: u64| round(kb as f64 / 1024.0, 1);
    report.poller.peak_rss_mb = Some(mb(status_kb("self", "VmHWM")?));
    report.poller.memory = Some(Memory {
        rss_mb_at_round_boundaries: seen.rss_mb.clone(),
        rss_peak_mb_sampled: mb(seen.rss_peak.0),
        rss_peak_at: seen.rss_peak.1.format("%H:%M:%S%.3f").to_string(),
        rss_anon_mb_end: mb(status_kb("self", "RssAnon")?),
        rss_file_mb_end: mb(status_kb("self", "RssFile")?),
    });
    report.simulator.peak_rss_mb = Some(mb(status_kb(&sim_pid, "VmHWM")?));
    report.udp_rcvbuf_errors_host = Some(udp_drops);
    report.store_mb = Some(round(dir_size(dir) as f64 / 1e6, 1));
    report.first_tick = Some(seen.ticks[0].format("%H:%M:%S").to_string());
    report.alerts = alerts.as_ref().map(|a| a.figures(&metrics));
    if let Some(a) = &report.alerts {
        // What irisops spent: the process without the test receiver's thread.
        let own = report.poller.cpu_s - a.receiver_cpu_s;
        report.poller.cpu_percent_without_receiver = Some(round(own / report.window_s * 100.0, 2));
    }
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(30), running.join()).await;
    drop(sim);
    Ok((report, ok))
}

/// What the measured window showed.
struct Observed {
    ticks: Vec<DateTime<Utc>>,
    end: DateTime<Utc>,
    /// CPU at each boundary: 0.5 s before each tick, then the window's end.
    cpu: Vec<CpuSample>,
    /// `VmRSS` at the same boundaries, MB.
    rss_mb: Vec<f64>,
    /// The highest `VmRSS` sampled (every 100 ms), kB, and when: its time tells its cause.
    rss_peak: (u64, DateTime<Utc>),
    /// Per round, seconds from its tick to the end of its last poll.
    done_s: Vec<f64>,
    /// Counters at the first boundary and at the end.
    before: Counters,
    after: Counters,
}

/// Watches the pipeline through the window: CPU and RSS at each boundary, RSS and the poll
/// count every 100 ms.
async fn observe(
    ticks: Vec<DateTime<Utc>>,
    end: DateTime<Utc>,
    devices: u32,
    metrics: &Metrics,
    sim_pid: &str,
) -> anyhow::Result<Observed> {
    let n = u64::from(devices);
    let half = TimeDelta::milliseconds(500);
    let boundaries: Vec<DateTime<Utc>> = ticks
        .iter()
        .map(|&t| t - half)
        .chain(std::iter::once(end))
        .collect();
    let mut seen = Observed {
        ticks,
        end,
        cpu: Vec::new(),
        rss_mb: Vec::new(),
        rss_peak: (0, Utc::now()),
        done_s: Vec::new(),
        before: (0, 0, 0, 0),
        after: (0, 0, 0, 0),
    };
    for (i, &b) in boundaries.iter().enumerate() {
        while let Ok(wait) = (b - Utc::now()).to_std() {
            tokio::time::sleep(wait.min(Duration::from_millis(100))).await;
            let rss = status_kb("self", "VmRSS")?;
            if rss > seen.rss_peak.0 {
                seen.rss_peak = (rss, Utc::now());
            }
            let polls = metrics.polls.load(Relaxed);
            let rounds = seen.ticks.len();
            while seen.done_s.len() < rounds && polls >= n * (seen.done_s.len() as u64 + 1) {
                let since = Utc::now() - seen.ticks[seen.done_s.len()];
                seen.done_s.push(round(since.as_seconds_f64(), 2));
            }
        }
        seen.cpu.push(CpuSample {
            own: process_cpu_ns("self")?,
            sim: process_cpu_ns(sim_pid)?,
        });
        seen.rss_mb
            .push(round(status_kb("self", "VmRSS")? as f64 / 1024.0, 1));
        if i == 0 {
            seen.before = counters(metrics);
        }
    }
    seen.after = counters(metrics);
    Ok(seen)
}

/// (polls, failed polls including panics, skipped ticks, varbinds received).
type Counters = (u64, u64, u64, u64);

fn counters(m: &Metrics) -> Counters {
    let failures = m.poll_timeouts.load(Relaxed)
        + m.poll_auth_errors.load(Relaxed)
        + m.poll_errors.load(Relaxed)
        + m.poll_panics.load(Relaxed);
    (
        m.polls.load(Relaxed),
        failures,
        m.skipped_ticks.load(Relaxed),
        m.varbinds.load(Relaxed),
    )
}

/// The benchmark's JSON line (the memory and host figures are filled in by `measure`).
#[derive(Serialize)]
struct Figures {
    bench: &'static str,
    devices: u32,
    ports: u32,
    schedule: String,
    concurrency: u32,
    rounds: u64,
    window_s: f64,
    ok: bool,
    polls: u64,
    polls_expected: u64,
    failed_polls: u64,
    skipped_ticks: u64,
    round_done_s_after_tick: Vec<f64>,
    every_round_on_time: bool,
    varbinds_per_round: u64,
    store_points: u64,
    rates: u64,
    gaps: u64,
    poll_duration_buckets: BTreeMap<String, u64>,
    poller: PollerFigures,
    simulator: SimulatorFigures,
    #[serde(skip_serializing_if = "Option::is_none")]
    udp_rcvbuf_errors_host: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    store_mb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_tick: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alerts: Option<super::fleet_alerts::AlertFigures>,
}

/// The poller's CPU and memory.
#[derive(Serialize)]
struct PollerFigures {
    cpu_s: f64,
    cpu_percent_of_one_core: f64,
    cpu_percent_per_round: Vec<f64>,
    cpu_us_per_varbind: f64,
    /// With `--alerts`: the CPU share without the test receiver's thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_percent_without_receiver: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_rss_mb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<Memory>,
}

/// The poller's resident memory over the run, MB.
#[derive(Serialize)]
struct Memory {
    rss_mb_at_round_boundaries: Vec<f64>,
    rss_peak_mb_sampled: f64,
    rss_peak_at: String,
    rss_anon_mb_end: f64,
    rss_file_mb_end: f64,
}

/// The simulator's CPU and memory.
#[derive(Serialize)]
struct SimulatorFigures {
    cpu_s: f64,
    cpu_percent_of_one_core: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_rss_mb: Option<f64>,
}

fn report(args: &FleetArgs, metrics: &Metrics, seen: &Observed) -> (Figures, bool) {
    let (ticks, end, done_s) = (&seen.ticks, seen.end, &seen.done_s);
    let (samples, before, after) = (&seen.cpu, seen.before, seen.after);
    let rounds = ticks.len() as u64;
    let window_s = (end - (ticks[0] - TimeDelta::milliseconds(500))).as_seconds_f64();
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    let share = |ns: u64, secs: f64| round(ns as f64 / 1e9 / secs * 100.0, 2);
    let per_round: Vec<f64> = samples
        .windows(2)
        .zip(boundaries_s(ticks, end))
        .map(|(w, secs)| share(w[1].own - w[0].own, secs))
        .collect();
    let polls = after.0 - before.0;
    let expected = u64::from(args.devices) * rounds;
    let failures = after.1 - before.1;
    let skipped = after.2 - before.2;
    let varbinds = after.3 - before.3;
    let on_time = done_s.len() == ticks.len()
        && done_s
            .iter()
            .zip(boundaries_s(ticks, end))
            .all(|(d, period)| *d < period);
    let ok = on_time && polls == expected && failures == 0 && skipped == 0;
    let own = last.own - first.own;
    let sim = last.sim - first.sim;
    let report = Figures {
        bench: "fleet",
        devices: args.devices,
        ports: args.ports,
        schedule: args.schedule.clone(),
        concurrency: args.concurrency,
        rounds,
        window_s: round(window_s, 1),
        ok,
        polls,
        polls_expected: expected,
        failed_polls: failures,
        skipped_ticks: skipped,
        round_done_s_after_tick: done_s.clone(),
        every_round_on_time: on_time,
        varbinds_per_round: varbinds / rounds.max(1),
        store_points: metrics.store_points.load(Relaxed),
        rates: metrics.rates.load(Relaxed),
        gaps: metrics.gaps.iter().map(|g| g.load(Relaxed)).sum::<u64>(),
        poll_duration_buckets: duration_buckets(metrics),
        poller: PollerFigures {
            cpu_s: round(own as f64 / 1e9, 2),
            cpu_percent_of_one_core: share(own, window_s),
            cpu_percent_per_round: per_round,
            cpu_us_per_varbind: round(own as f64 / 1e3 / varbinds.max(1) as f64, 3),
            cpu_percent_without_receiver: None,
            peak_rss_mb: None,
            memory: None,
        },
        simulator: SimulatorFigures {
            cpu_s: round(sim as f64 / 1e9, 2),
            cpu_percent_of_one_core: share(sim, window_s),
            peak_rss_mb: None,
        },
        udp_rcvbuf_errors_host: None,
        store_mb: None,
        first_tick: None,
        alerts: None,
    };
    (report, ok)
}

/// Seconds from each round's boundary to the next.
fn boundaries_s(ticks: &[DateTime<Utc>], end: DateTime<Utc>) -> Vec<f64> {
    let half = TimeDelta::milliseconds(500);
    let mut b: Vec<DateTime<Utc>> = ticks.iter().map(|&t| t - half).collect();
    b.push(end);
    b.windows(2)
        .map(|w| (w[1] - w[0]).as_seconds_f64())
        .collect()
}

/// The poll duration histogram, `{"0.01": n, ...}`, read from the metrics' text.
fn duration_buckets(metrics: &Metrics) -> BTreeMap<String, u64> {
    let text = metrics.render();
    text.lines()
        .filter_map(|l| l.strip_prefix("irisops_poll_duration_seconds_bucket{le=\""))
        .filter_map(|l| {
            let (le, rest) = l.split_once("\"} ")?;
            Some((le.to_string(), rest.trim().parse::<u64>().ok()?))
        })
        .collect()
}

/// The ticks of the measured window (the first tick after `now` and those after it until
/// `minutes` have passed) and the window's end, half a second before the tick after them.
fn window(
    schedule: &collector::config::Schedule,
    now: DateTime<Utc>,
    minutes: u32,
) -> anyhow::Result<(Vec<DateTime<Utc>>, DateTime<Utc>)> {
    let never = || anyhow::anyhow!("the schedule never fires");
    let first = schedule.next_after(now).ok_or_else(never)?;
    let half = TimeDelta::milliseconds(500);
    let until = first - half + TimeDelta::minutes(i64::from(minutes));
    let mut ticks = vec![first];
    loop {
        let next = schedule
            .next_after(ticks[ticks.len() - 1])
            .ok_or_else(never)?;
        if next - half >= until {
            return Ok((ticks, next - half));
        }
        ticks.push(next);
    }
}

/// The configuration: one `[auth]` and one `[[device]]` per simulated device.
fn fleet_config(args: &FleetArgs, sim: SocketAddr, dir: &Path) -> anyhow::Result<Config> {
    let mut text = format!(
        "[store]\npath = {:?}\n[collector]\nconcurrency = {}\n",
        dir.display().to_string(),
        args.concurrency
    );
    for i in 1..=args.devices {
        text.push_str(&format!(
            "[auth.d{i}]\nversion = \"2c\"\ncommunity = \"dev{i:04}\"\n[[device]]\n\
             name = \"dev{i:04}\"\naddress = \"{sim}\"\nauth = \"d{i}\"\nschedule = {:?}\n",
            args.schedule
        ));
    }
    Config::parse(&text, &|_| None).map_err(|e| {
        let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        anyhow::anyhow!("fleet configuration: {}", problems.join("; "))
    })
}

/// Starts `irisops simulate` as a child and waits until it answers.
async fn start_simulator(args: &FleetArgs, addr: SocketAddr) -> anyhow::Result<Simulator> {
    let exe = std::env::current_exe().context("cannot find the irisops executable")?;
    let child = Command::new(exe)
        .args(["simulate", "--listen", &addr.to_string()])
        .args(["--devices", &args.devices.to_string()])
        .args(["--ports", &args.ports.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start `irisops simulate`")?;
    let sim = Simulator(child);
    let auth = Auth::Community {
        version: SnmpVersion::V2c,
        community: Secret::new("dev0001"),
    };
    let mut session = Session::new(addr, &auth, Duration::from_millis(200), 0)
        .await
        .context("cannot open a UDP socket")?;
    let uptime = oid("1.3.6.1.2.1.1.3.0");
    for _ in 0..50 {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
        if session.get(&[&uptime], deadline).await.is_ok() {
            return Ok(sim);
        }
    }
    anyhow::bail!("the simulator on {addr} did not answer within 10 s")
}

/// Every device keeps its UDP socket between polls: one file descriptor each.
fn check_open_files(devices: u32) -> anyhow::Result<()> {
    let limits = std::fs::read_to_string("/proc/self/limits").context("cannot read limits")?;
    let soft = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok());
    match soft {
        Some(n) if n < u64::from(devices) + 64 => anyhow::bail!(
            "{devices} devices need {} open files, the limit is {n}: run `ulimit -n {}` first",
            u64::from(devices) + 64,
            u64::from(devices) + 1024
        ),
        _ => Ok(()),
    }
}

/// UDP datagrams the host dropped because a socket's receive buffer was full (host-wide:
/// `RcvbufErrors` of `/proc/net/snmp`). A poll that lost one waits for its timeout.
fn udp_rcvbuf_errors() -> anyhow::Result<u64> {
    let text = std::fs::read_to_string("/proc/net/snmp").context("cannot read /proc/net/snmp")?;
    let mut udp = text.lines().filter(|l| l.starts_with("Udp:"));
    let (names, values) = (udp.next(), udp.next());
    names
        .zip(values)
        .and_then(|(n, v)| {
            let i = n.split_whitespace().position(|f| f == "RcvbufErrors")?;
            v.split_whitespace().nth(i)?.parse().ok()
        })
        .context("/proc/net/snmp: no Udp RcvbufErrors")
}

fn free_udp() -> std::io::Result<SocketAddr> {
    std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()
}

/// Bytes of the files directly in `dir`.
fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn window_holds_whole_periods() {
        let s = collector::config::Schedule::parse("0 * * * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 20).unwrap();
        let (ticks, end) = window(&s, now, 3).unwrap();
        assert_eq!(ticks.len(), 3);
        assert_eq!(
            ticks[0],
            Utc.with_ymd_and_hms(2026, 1, 1, 10, 1, 0).unwrap()
        );
        let want =
            Utc.with_ymd_and_hms(2026, 1, 1, 10, 4, 0).unwrap() - TimeDelta::milliseconds(500);
        assert_eq!(end, want);
        assert_eq!(boundaries_s(&ticks, end), vec![60.0, 60.0, 60.0]);
    }

    #[test]
    fn time_formats_are_valid() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 5).unwrap();
        assert_eq!(t.format("%H:%M:%S%.3f").to_string(), "10:00:05.000");
        assert_eq!(t.format("%H:%M:%S").to_string(), "10:00:05");
    }

    #[test]
    fn window_with_a_faster_schedule() {
        let s = collector::config::Schedule::parse("*/10 * * * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 5).unwrap();
        let (ticks, _) = window(&s, now, 1).unwrap();
        assert_eq!(ticks.len(), 6);
    }
}
