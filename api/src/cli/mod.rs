//! The `irisops` command line: one file per command, its clap arguments beside its `run`.
//! Thin: arguments → config → tracing → the library call. `anyhow` lives here, in `main.rs`
//! and in the benches (the binary's entry points), nowhere else.
//!
//! Layout:
//! - [`check_config`]: `irisops check-config FILE`.
//! - [`poll`]: `irisops poll`: two polls, rates, JSON or a table.
//! - [`serve`]: `irisops serve`: the collector on its schedules and the HTTP server.
//! - [`demo`]: `irisops demo`: the simulator and `serve` on a built-in configuration.
//! - [`simulate`]: `irisops simulate`: the simulated backbone over SNMP.
//! - [`cadastre`]: `irisops cadastre ...`, one file per subcommand.
//! - [`topology`]: `irisops topology ...`, one file per subcommand.
//! - [`token`]: `irisops token new`: an API token and its config block.
//! - [`wifi`]: `irisops wifi usage|verdicts|plan`: the hotspots' usage, verdicts and moves.
//! - `irisops bench ...` is the [`crate::bench`] module tree.

pub mod cadastre;
pub mod check_config;
pub mod demo;
pub mod poll;
pub mod serve;
pub mod simulate;
pub mod token;
pub mod topology;
pub mod wifi;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

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
    CheckConfig(check_config::Args),
    /// Poll every device twice, `--gap` seconds apart, and print counters and rates.
    Poll(poll::Args),
    /// Run the collector on its schedules and serve the API, metrics and web page.
    Serve(serve::Args),
    /// Start the simulator and `serve` on a built-in configuration; prints the URL.
    Demo(demo::Args),
    /// The fibre cadastre: validate, import, export, stats, history, show, undo, edit,
    /// generate-demo.
    #[command(subcommand)]
    Cadastre(cadastre::CadastreCommand),
    /// The fibre network as a graph: paths, spare, drift, cut, quote, dig-once, spof.
    #[command(subcommand)]
    Topology(topology::TopologyCommand),
    /// Serve the simulated fibre backbone over SNMP v1/v2c (community devNNNN picks a device).
    Simulate(simulate::Args),
    /// Wifi hotspots: daily usage, verdicts (underused, faulty, ...) and the relocation plan.
    #[command(subcommand)]
    Wifi(wifi::WifiCommand),
    /// API tokens: `token new --name N --role R` prints one, once.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Benchmarks (CPU time from /proc, one JSON line of figures; see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: crate::bench::BenchCommand,
    },
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::CheckConfig(args) => Ok(check_config::run(&args)),
        Command::Poll(args) => poll::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Cadastre(cmd) => cadastre::run(cmd),
        Command::Topology(cmd) => topology::run(cmd),
        Command::Simulate(args) => simulate::run(args),
        Command::Token(cmd) => token::run(cmd),
        Command::Wifi(cmd) => wifi::run(cmd),
        Command::Bench { what } => crate::bench::run(what),
    }
}

/// The multi-threaded runtime the long-running commands use.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")
}

/// Loads a config for a command; prints every problem and returns None when invalid.
fn load_config(file: &std::path::Path) -> Option<Config> {
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

/// `value` as pretty JSON. It goes through `serde_json::Value`, whose objects keep their keys
/// sorted: the contract's `--json` outputs have always listed their keys in alphabetical
/// order at every level, and they stay byte-for-byte the same.
fn pretty_json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&serde_json::to_value(value)?)?)
}

/// Writes `text` (and a final newline) to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let r = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `irisops --help` names every subcommand of the groups it summarises, so a new
    /// subcommand cannot go missing from the summary again.
    #[test]
    fn the_group_summaries_name_every_subcommand() {
        let cli = super::Cli::command();
        for group in ["cadastre", "topology", "wifi"] {
            let g = cli.find_subcommand(group).unwrap();
            let about = g.get_about().map(ToString::to_string).unwrap_or_default();
            for sub in g.get_subcommands() {
                assert!(
                    about.contains(sub.get_name()),
                    "`irisops {group}`'s summary {about:?} does not name {}",
                    sub.get_name()
                );
            }
        }
    }
}
