//! `irisops simulate`: the simulated fibre backbone over SNMP v1/v2c until Ctrl-C; with
//! `--cadastre`, also the demo cadastre's routers and wifi controller.

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
    } = args;
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
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        eprintln!("irisops simulate: {devices} devices x {ports} ports on udp://{listen} (communities dev0001..)");
        simulator::run(cfg, shutdown).await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn read_faults(f: &Path) -> anyhow::Result<simulator::Faults> {
    let text =
        std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
    simulator::parse_faults(&text).with_context(|| format!("in {}", f.display()))
}
