//! `irisops bench`: benchmarks that measure CPU time, not wall time (the machines they run on
//! are shared with compilers). Each prints one JSON line of figures; `BENCHMARKS.md` at the
//! repository root records the commands and the results.
//!
//! CPU time comes from `/proc` (the workspace forbids `unsafe`, so no `getrusage`):
//! `/proc/PID/task/*/schedstat` (nanoseconds, live threads only) or `/proc/PID/stat`
//! (utime + stime in clock ticks, exited threads included).
//!
//! Layout:
//! - [`poll`]: `bench poll`: one agent, 4 ifXTable columns, rates and the store write measured.
//! - [`fleet`]: `bench fleet`: the pipeline against a simulated fleet on cron schedules.
//! - [`fleet_alerts`]: `bench fleet --alerts N`: alert rules and their webhooks' delay.
//! - [`influx`]: `bench influx`: encode, outbox and replay costs of the InfluxDB sink.
//! - [`wifi`]: `bench wifi`: CPU per access point of a simulated 1,500-AP controller.
//! - [`wifi_rollup`]: `bench wifi-rollup`: the hotspots' daily usage rollup of 900 APs.
//! - [`wifi_plan`]: `bench wifi-plan`: the exact relocation plan on 5,000 candidate places.

pub mod fleet;
pub mod fleet_alerts;
pub mod influx;
pub mod poll;
pub mod wifi;
pub mod wifi_plan;
pub mod wifi_rollup;

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

/// The benchmarks.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// Walk ifName, ifHCInOctets, ifHCOutOctets, ifHighSpeed of one agent, compute rates and
    /// write them to a store, round after round; report CPU µs per varbind.
    Poll(poll::PollArgs),
    /// Poll a simulated fleet (a child `irisops simulate`) through the pipeline on a cron
    /// schedule; report the poller's CPU share, peak RSS and whether every round was on time.
    Fleet(fleet::FleetArgs),
    /// Poll a simulated wifi controller (1,500 APs by default) through the profiles; report
    /// the poller's CPU per AP, and the store write's.
    Wifi(wifi::WifiArgs),
    /// The InfluxDB sink at fleet scale: encode CPU, outbox append cost, replay speed of an
    /// outage's backlog to a real v2-write server.
    Influx(influx::InfluxArgs),
    /// Roll up a day of 1-minute samples of 900 APs in 220 hotspots; read 28 days of them.
    WifiRollup(wifi_rollup::WifiRollupArgs),
    /// The wifi relocation plan on synthetic Brussels instances (5,000 candidate places,
    /// spread and clustered): exact solve vs greedy, and vs brute force on a small one.
    WifiPlan(wifi_plan::WifiPlanArgs),
}

/// Runs one benchmark; exit code 1 when a benchmark's own checks fail.
pub fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Poll(args) => {
            // One thread: every cycle of the poller is on it, and schedstat sees all of it.
            let rt = current_thread()?;
            rt.block_on(poll::run(args))
        }
        BenchCommand::Fleet(args) => {
            // The production runtime, as `irisops serve` runs the pipeline.
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the tokio runtime")?;
            rt.block_on(fleet::run(args))
        }
        BenchCommand::Wifi(args) => {
            let rt = current_thread()?;
            rt.block_on(wifi::run(args))
        }
        BenchCommand::Influx(args) => {
            let rt = current_thread()?;
            rt.block_on(influx::run(args))
        }
        BenchCommand::WifiRollup(args) => wifi_rollup::run(args),
        BenchCommand::WifiPlan(args) => wifi_plan::run(args),
    }
}

/// One thread: every cycle of the measured code is on it, and schedstat sees all of it.
fn current_thread() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")
}

/// Clock ticks per second of `/proc/PID/stat` (USER_HZ: 100 on every Linux ABI we run on).
const USER_HZ: u64 = 100;

/// CPU time of the live threads of `pid` (`"self"` for this process), nanoseconds: the sum of
/// the first field of `/proc/PID/task/*/schedstat`. Threads that exited are not counted.
/// For `"self"`, the calling thread's own figure is brought up to date first (see
/// [`thread_cpu_ns`]); other threads' figures may lag by one scheduler tick.
pub fn threads_cpu_ns(pid: &str) -> anyhow::Result<u64> {
    if pid == "self" {
        std::thread::yield_now();
    }
    let dir = format!("/proc/{pid}/task");
    let mut total = 0u64;
    for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {dir}"))? {
        let path = entry.with_context(|| format!("cannot list {dir}"))?.path();
        // A thread may exit between the listing and the read: it is simply not counted.
        if let Some(ns) = task_cpu_ns(&path)? {
            total += ns;
        }
    }
    Ok(total)
}

/// CPU time of one thread, nanoseconds, from its `TASK_DIR/schedstat` (`/proc/PID/task/TID`;
/// may lag by one scheduler tick): `None` when it cannot be read (the thread exited), an
/// error when it reads but holds no number.
pub fn task_cpu_ns(task_dir: &std::path::Path) -> anyhow::Result<Option<u64>> {
    match std::fs::read_to_string(task_dir.join("schedstat")) {
        Ok(text) => first_field(&text).map(Some),
        Err(_) => Ok(None),
    }
}

/// CPU time of the calling thread, nanoseconds (`/proc/thread-self/schedstat`).
///
/// The kernel adds a running thread's CPU time to that figure only at a scheduler tick or a
/// context switch, so a thread that has not blocked for a while reads a stale value (up to a
/// tick behind). `sched_yield` makes the scheduler account the running thread first, so this
/// yields before reading: the figure is then exact, at the cost of one system call.
pub fn thread_cpu_ns() -> anyhow::Result<u64> {
    std::thread::yield_now();
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")
        .context("cannot read /proc/thread-self/schedstat")?;
    first_field(&text)
}

/// CPU time of the whole process `pid`, exited threads included, nanoseconds (utime + stime
/// of `/proc/PID/stat`, 10 ms resolution).
pub fn process_cpu_ns(pid: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = text
        .rsplit_once(')')
        .map(|(_, r)| r)
        .with_context(|| format!("{path}: no command name"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let tick = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .with_context(|| format!("{path}: field {} is not a number", i + 3))
    };
    Ok((tick(11)? + tick(12)?) * (1_000_000_000 / USER_HZ))
}

/// A `kB` line of `/proc/PID/status` (`VmHWM`, `VmRSS`), in kB.
pub fn status_kb(pid: &str, key: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{path}: no {key} line"))
}

fn first_field(text: &str) -> anyhow::Result<u64> {
    text.split_whitespace()
        .next()
        .and_then(|f| f.parse().ok())
        .context("schedstat: no CPU time field")
}

/// A benchmark's figures as one JSON line. It goes through `serde_json::Value`, whose objects
/// keep their keys sorted, as the lines recorded in BENCHMARKS.md have them.
pub(crate) fn json_line<T: serde::Serialize>(figures: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_value(figures)?.to_string())
}

/// Rounds to `digits` decimals, for readable JSON.
pub(crate) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let a = threads_cpu_ns("self").unwrap();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(threads_cpu_ns("self").unwrap() > a);
        assert!(thread_cpu_ns().unwrap() > 0);
        process_cpu_ns("self").unwrap();
        assert!(status_kb("self", "VmHWM").unwrap() > 0);
        assert!(status_kb("self", "NoSuchKey").is_err());
    }

    #[test]
    fn rounds() {
        assert_eq!(round(1.23456, 2), 1.23);
    }
}
