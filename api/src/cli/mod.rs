//! The `irisops` command line: `check-config`, `poll`, `serve`, `simulate`, `demo`, `bench`.
//! Thin: arguments → config → tracing → the library call; `anyhow` only here.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use collector::config::Config;

#[derive(Parser)]
#[command(
    name = "irisops",
    version,
    about = "Network operations and capacity manager for a metropolitan fibre backbone"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a configuration file; print every problem, naming its key (exit 2 on any).
    CheckConfig {
        /// The TOML configuration file.
        file: PathBuf,
    },
    /// Poll every device twice, `--gap` seconds apart, and print counters and rates.
    Poll {
        /// The TOML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Poll twice and exit (without it, keep polling every `--gap` seconds).
        #[arg(long)]
        once: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Seconds between the two polls.
        #[arg(long, default_value_t = 5.0)]
        gap: f64,
    },
    /// Run the collector on its schedules and serve the API, metrics and web page.
    Serve {
        /// The TOML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// HTTP address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Poll only the devices rendezvous hashing assigns to shard K of N (1-based): N
        /// collectors with the same config share the fleet with no coordinator.
        #[arg(long, value_name = "K/N")]
        shard: Option<collector::shard::Shard>,
    },
    /// Start the simulator and `serve` on a built-in configuration; prints the URL.
    Demo {
        /// HTTP address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Data directory of the demo's store.
        #[arg(long, default_value = "irisops-demo-data")]
        data: PathBuf,
        /// Simulated devices.
        #[arg(long, default_value_t = 20)]
        devices: u32,
        /// Ports per simulated device.
        #[arg(long, default_value_t = 24)]
        ports: u32,
    },
    /// The fibre cadastre: validate, import, export, stats, generate-demo.
    #[command(subcommand)]
    Cadastre(crate::cadastre_cmd::CadastreCommand),
    /// The fibre network as a graph: diverse paths, single points of failure.
    #[command(subcommand)]
    Topology(crate::topology_cmd::TopologyCommand),
    /// Serve the simulated fibre backbone over SNMP v1/v2c (community devNNNN picks a device).
    Simulate {
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
    },
    /// Benchmarks (CPU time from /proc, one JSON line of figures; see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: crate::bench::BenchCommand,
    },
}

/// Output format of `poll`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Table,
}

/// Runs the command line; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("irisops: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IRISOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::CheckConfig { file } => Ok(check_config(&file)),
        Command::Poll {
            config,
            once,
            format,
            gap,
        } => {
            let Some(cfg) = load(&config) else {
                return Ok(ExitCode::from(2));
            };
            if !(0.0..=3600.0).contains(&gap) {
                anyhow::bail!("--gap must be between 0 and 3600 seconds");
            }
            let gap = std::time::Duration::from_secs_f64(gap);
            runtime()?.block_on(crate::poll_cmd::run(cfg, once, format, gap))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Cadastre(cmd) => crate::cadastre_cmd::run(cmd),
        Command::Topology(cmd) => crate::topology_cmd::run(cmd),
        Command::Serve {
            config,
            listen,
            shard,
        } => {
            let Some(mut cfg) = load(&config) else {
                return Ok(ExitCode::from(2));
            };
            if let Some(shard) = shard {
                let before = cfg.devices.len();
                cfg.devices.retain(|d| shard.owns(&d.name));
                eprintln!(
                    "irisops: shard {shard}: polling {} of the {before} devices of {}",
                    cfg.devices.len(),
                    config.display()
                );
            }
            runtime()?.block_on(crate::serve::run(cfg, listen, None))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            listen,
            data,
            devices,
            ports,
        } => {
            runtime()?.block_on(crate::serve::demo(listen, data, devices, ports))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate {
            listen,
            devices,
            ports,
            seed,
            faults,
            cadastre,
            wifi_aps,
        } => {
            let mut backbone = match &cadastre {
                Some(dir) => {
                    let store = cadastre::store::Store::open(dir).with_context(|| {
                        format!("cannot open the cadastre in {}", dir.display())
                    })?;
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
            let backbone = (!backbone.routers.is_empty() || !backbone.controllers.is_empty())
                .then_some(backbone);
            let faults = match faults {
                Some(f) => {
                    let text = std::fs::read_to_string(&f)
                        .with_context(|| format!("cannot read {}", f.display()))?;
                    simulator::parse_faults(&text).with_context(|| format!("in {}", f.display()))?
                }
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
            runtime()?.block_on(async {
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                eprintln!("irisops simulate: {devices} devices x {ports} ports on udp://{listen} (communities dev0001..)");
                simulator::run(cfg, shutdown).await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { what } => crate::bench::run(what),
    }
}

fn check_config(file: &std::path::Path) -> ExitCode {
    match Config::load(file) {
        Ok(cfg) => {
            println!(
                "{}: ok ({} devices, {} credentials)",
                file.display(),
                cfg.devices.len(),
                cfg.auth.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            for p in e.problems() {
                println!("{p}");
            }
            ExitCode::from(2)
        }
    }
}

/// Loads a config for a command; prints every problem and returns None when invalid.
fn load(file: &std::path::Path) -> Option<Config> {
    match Config::load(file) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("irisops: {}: invalid configuration", file.display());
            for p in e.problems() {
                eprintln!("{p}");
            }
            None
        }
    }
}
