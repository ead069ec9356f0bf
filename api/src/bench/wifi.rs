//! `irisops bench wifi`: the poller's CPU per access point of a large controller.
//!
//! The simulator serves one AIRESPACE controller of `--aps` APs (two radios each, four SSIDs)
//! on its own thread and runtime; the poll runs on this thread (a current-thread runtime), so
//! this thread's CPU time (`/proc/thread-self/schedstat`) is the poller's alone: the system
//! group, the (empty) interface tables, the profile walks (bsnAPTable, bsnAPIfTable,
//! bsnDot11EssTable, clsSysApConnectCount), their interpretation, and, measured apart, the
//! store write of the result. One warm-up poll first chooses the profiles (probing) and
//! creates the store rows.

use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use tokio::time::Instant;

use collector::config::Config;
use collector::poll::{poll, DeviceState};
use collector::store::{Retention, Store};
use simulator::{AccessPoint, Backbone, ClientPattern, Controller, SimConfig};

use super::{json_line, round, thread_cpu_ns};

/// Arguments of `irisops bench wifi`.
#[derive(clap::Args)]
pub struct WifiArgs {
    /// Access points on the simulated controller.
    #[arg(long, default_value_t = 1500)]
    aps: u32,
    /// Measured polls (after one warm-up poll).
    #[arg(long, default_value_t = 20)]
    rounds: u32,
    /// GETBULK max-repetitions.
    #[arg(long, default_value_t = 25)]
    max_repetitions: u32,
}

/// The benchmark's controller `wlc-bench`: `n` APs, one in 10 dead, 3 in 10 busy.
pub fn controller(n: u32) -> Controller {
    let aps = (0..n)
        .map(|i| {
            let b = i.to_be_bytes();
            AccessPoint {
                name: format!("ap-{i:05}"),
                mac: [0x02, 0x00, b[0], b[1], b[2], b[3]],
                pattern: match i % 10 {
                    0 => ClientPattern::Dead,
                    1..=3 => ClientPattern::Busy { peak: 40 },
                    _ => ClientPattern::Quiet { peak: 4 },
                },
            }
        })
        .collect();
    Controller {
        name: "wlc-bench".to_string(),
        aps,
        ssids: ["public", "staff", "eduroam", "iot"]
            .into_iter()
            .map(str::to_string)
            .collect(),
    }
}

/// Runs the benchmark (on a current-thread runtime) and prints one JSON line.
pub async fn run(args: WifiArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.aps >= 1 && args.rounds >= 1,
        "--aps and --rounds must be at least 1"
    );
    let cfg = SimConfig {
        listen: "127.0.0.1:0".parse().context("listen address")?,
        devices: 1,
        ports: 1,
        seed: 7,
        faults: Default::default(),
        backbone: Some(Backbone {
            routers: Vec::new(),
            controllers: vec![controller(args.aps)],
        }),
    };
    // The simulator on its own thread, so its CPU is not this thread's.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let sim_thread = std::thread::spawn(move || -> anyhow::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let sim = simulator::start(cfg).await?;
            let _ = addr_tx.send(sim.local_addr());
            let _ = stop_rx.await;
            sim.shutdown().await?;
            anyhow::Ok(())
        })
    });
    let addr = addr_rx.recv().context("the simulator did not start")?;
    let dir = std::env::temp_dir().join(format!("irisops-bench-wifi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = measure(&args, addr, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    let _ = stop_tx.send(());
    sim_thread
        .join()
        .map_err(|_| anyhow::anyhow!("simulator thread panicked"))??;
    result
}

/// The benchmark's JSON line.
#[derive(Serialize)]
struct Figures {
    bench: &'static str,
    aps: u32,
    rounds: u32,
    max_repetitions: u32,
    profiles: Vec<&'static str>,
    all_aps_read: bool,
    varbinds_per_poll: f64,
    pdus_per_poll: f64,
    poll_cpu_ms_median: f64,
    poll_cpu_us_per_ap: f64,
    store_cpu_us_per_ap: f64,
    wall_ms_median: f64,
}

async fn measure(
    args: &WifiArgs,
    addr: std::net::SocketAddr,
    dir: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let text = format!(
        "[store]\npath = {:?}\n[auth.w]\nversion = \"2c\"\ncommunity = \"wlc-bench\"\n[[device]]\nname = \"wlc-bench\"\naddress = \"{addr}\"\nauth = \"w\"\ntimeout = \"5s\"\nbudget = \"50s\"\nmax_repetitions = {}\n",
        dir.display().to_string(),
        args.max_repetitions
    );
    let config = Config::parse(&text, &|_| None)
        .map_err(|e| anyhow::anyhow!("bench config: {:?}", e.problems()))?;
    let dev = &config.devices[0];
    let mut st = DeviceState::new(dev)
        .await
        .map_err(|e| anyhow::anyhow!("session: {e}"))?;
    let mut store = Store::open(dir, Retention::default()).context("store")?;
    let warm = poll(dev, &mut st)
        .await
        .map_err(|e| anyhow::anyhow!("warm-up poll: {e}"))?;
    store.write(&[(warm, vec![])]).context("store write")?;
    let (mut poll_ns, mut store_ns, mut wall_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut varbinds, mut pdus, mut ok) = (0u64, 0u64, true);
    for _ in 0..args.rounds {
        let t0 = Instant::now();
        let c0 = thread_cpu_ns()?;
        let p = poll(dev, &mut st)
            .await
            .map_err(|e| anyhow::anyhow!("poll: {e}"))?;
        let c1 = thread_cpu_ns()?;
        wall_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        let w = p.wifi.clone().unwrap_or_default();
        ok &= w.aps_total == u64::from(args.aps) && w.aps.len() == args.aps as usize;
        varbinds += u64::from(p.n_varbinds);
        pdus += u64::from(p.n_requests);
        store.write(&[(p, vec![])]).context("store write")?;
        let c2 = thread_cpu_ns()?;
        poll_ns.push(c1 - c0);
        store_ns.push(c2 - c1);
    }
    let median = |v: &mut Vec<u64>| {
        v.sort_unstable();
        v[v.len() / 2] as f64
    };
    let (p, s) = (median(&mut poll_ns), median(&mut store_ns));
    wall_ms.sort_by(f64::total_cmp);
    let n = f64::from(args.aps);
    let r = f64::from(args.rounds);
    let figures = Figures {
        bench: "wifi",
        aps: args.aps,
        rounds: args.rounds,
        max_repetitions: args.max_repetitions,
        profiles: st.profiles.active_names(),
        all_aps_read: ok,
        varbinds_per_poll: round(varbinds as f64 / r, 1),
        pdus_per_poll: round(pdus as f64 / r, 1),
        poll_cpu_ms_median: round(p / 1e6, 3),
        poll_cpu_us_per_ap: round(p / 1e3 / n, 3),
        store_cpu_us_per_ap: round(s / 1e3 / n, 3),
        wall_ms_median: round(wall_ms[wall_ms.len() / 2], 1),
    };
    println!("{}", json_line(&figures)?);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
