//! `irisops simulate`: the simulated fibre backbone over SNMP v1/v2c until Ctrl-C; with
//! `--cadastre`, also the demo cadastre's routers and wifi controller. A non-loopback `--listen`
//! is refused unless `--allow-remote` (the simulator answers anyone: an amplifier).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `irisops simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// UDP address to listen on.
    #[arg(long, default_value = "127.0.0.1:16100")]
    listen: SocketAddr,
    /// Number of devices.
    #[arg(long, default_value_t = 10)]
    devices: u32,
    /// Ports per device.
    #[arg(long, default_value_t = 24)]
    ports: u32,
    /// Seed of the traffic model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A TOML file of per-device faults (dead, slow, counter32, reboot, renumber, garbage).
    #[arg(long)]
    faults: Option<PathBuf>,
    /// Also serve the routers (LLDP, optics) and wifi controller of the demo cadastre in
    /// this data directory, each under the community of its name.
    #[arg(long)]
    cadastre: Option<PathBuf>,
    /// Also serve a wifi controller `wlc-bench` with this many access points.
    #[arg(long, default_value_t = 0)]
    wifi_aps: u32,
    /// Listen on a non-loopback address. The simulator answers any sender, and a small
    /// GETBULK gets a large answer: on a reachable address it is a UDP amplifier.
    #[arg(long)]
    allow_remote: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        listen,
        devices,
        ports,
        seed,
        faults,
        cadastre,
        wifi_aps,
        allow_remote,
    } = args;
    anyhow::ensure!(
        listen.ip().is_loopback() || allow_remote,
        "refusing to serve on {listen}: the simulator answers any sender, and a 57-byte GETBULK \
         gets a 20 KB answer (an amplifier); listen on 127.0.0.1, or pass --allow-remote on a \
         network you control"
    );
    let mut backbone = match &cadastre {
        Some(dir) => {
            let store = cadastre::store::Store::open(dir)
                .with_context(|| format!("cannot open the cadastre in {}", dir.display()))?;
            let (cad, _) = store.load()?;
            simulator::demo::backbone(&cad)
        }
        None => Default::default(),
    };
    if wifi_aps > 0 {
        backbone
            .controllers
            .push(crate::bench::wifi::controller(wifi_aps));
    }
    let backbone =
        (!backbone.routers.is_empty() || !backbone.controllers.is_empty()).then_some(backbone);
    let faults = match faults {
        Some(f) => read_faults(&f)?,
        None => Default::default(),
    };
    let cfg = simulator::SimConfig {
        listen,
        devices,
        ports,
        seed,
        faults,
        backbone,
    };
    super::runtime()?.block_on(async {
        // Bound before it says so: a poll started on the printed line reaches this simulator.
        let sim = simulator::start(cfg)
            .await
            .with_context(|| format!("cannot serve on udp://{listen}"))?;
        eprintln!(
            "irisops simulate: {devices} devices x {ports} ports on udp://{} (communities dev0001..)",
            sim.local_addr()
        );
        let _ = tokio::signal::ctrl_c().await;
        sim.shutdown().await.context("the simulator failed")
    })?;
    Ok(ExitCode::SUCCESS)
}

fn read_faults(f: &Path) -> anyhow::Result<simulator::Faults> {
    let text =
        std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
    simulator::parse_faults(&text).with_context(|| format!("in {}", f.display()))
}
