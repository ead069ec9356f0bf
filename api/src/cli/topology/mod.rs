//! `irisops topology ...` over a cadastre data directory: one file per subcommand, its
//! arguments beside its `run`. The contract's names: `paths --data DIR --from SITE --to SITE
//! [--k 2] [--pairs N] [--json]` → `{"paths": [{"routes", "sites", "length_km", "owners",
//! "spare_strands", "loss_db"}], "fully_diverse", "shared_risks"}`; `spof --data DIR [--json]`
//! → `{"bridges", "articulation_points"}`. Here: loading the cadastre and its graph, the
//! transceiver budget options, a path's JSON and the broken-pipe-tolerant output.

mod cut;
mod dig_once;
mod drift;
pub(crate) mod live;
mod paths;
mod quote;
mod spare;
mod spof;

use std::path::Path as FsPath;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;

use cadastre::store::Store;
use topology::{Network, TransceiverBudget};

/// The `topology` subcommands.
#[derive(Subcommand)]
pub enum TopologyCommand {
    /// Shortest (`--k 1`) or k diverse fibre paths between two sites: routes, km per owner,
    /// spare strands and optical loss.
    Paths(paths::Args),
    /// Spare capacity: dark strands, free ducts, per owner or per route.
    Spare(spare::Args),
    /// Documented vs live: circuits with no LLDP neighbour, undocumented neighbours, ends on
    /// the wrong port, and optical loss above what the route explains.
    Drift(drift::Args),
    /// What a cut takes down: isolated sites, broken allocations, which can be re-routed.
    Cut(cut::Args),
    /// A lease quote: the shortest path with the spare strands for N pairs, its monthly price
    /// and the revenue split between the owners it crosses.
    Quote(quote::Args),
    /// Dig-once: planned worksites along which a wanted new route (one protecting each
    /// single-homed site, or the wish list given) could be laid, with the metres of trench saved.
    DigOnce(dig_once::Args),
    /// Single points of failure: bridges (routes) and articulation points (sites).
    Spof(spof::Args),
}

/// Runs one `topology` subcommand.
pub fn run(cmd: TopologyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TopologyCommand::Paths(args) => paths::run(args),
        TopologyCommand::Spare(args) => spare::run(args),
        TopologyCommand::Drift(args) => drift::run(args),
        TopologyCommand::Cut(args) => cut::run(args),
        TopologyCommand::Quote(args) => quote::run(args),
        TopologyCommand::DigOnce(args) => dig_once::run(args),
        TopologyCommand::Spof(args) => spof::run(args),
    }
}

/// The transceiver budget paths are judged against (`loss_verdict`).
#[derive(clap::Args, Clone, Copy)]
pub struct BudgetArgs {
    /// Optical budget of the transceivers, dB (launch power − receiver sensitivity; 11 dB is a
    /// 1000BASE-LX / 10 km-class optic).
    #[arg(long, default_value_t = 11.0)]
    budget_db: f64,
    /// Safety margin below the budget, dB: a loss within it is `warn`.
    #[arg(long = "budget-margin-db", default_value_t = 3.0)]
    budget_margin_db: f64,
}

impl BudgetArgs {
    fn budget(self) -> anyhow::Result<TransceiverBudget> {
        anyhow::ensure!(
            self.budget_db.is_finite() && self.budget_db > 0.0,
            "--budget-db must be a number > 0, got {}",
            self.budget_db
        );
        anyhow::ensure!(
            self.budget_margin_db.is_finite() && self.budget_margin_db >= 0.0,
            "--budget-margin-db must be a number >= 0, got {}",
            self.budget_margin_db
        );
        Ok(TransceiverBudget {
            budget_db: self.budget_db,
            margin_db: self.budget_margin_db,
        })
    }
}

pub(crate) fn load_cadastre(data: &FsPath) -> anyhow::Result<cadastre::Cadastre> {
    let store = Store::open(data)
        .with_context(|| format!("cannot open the cadastre in {}", data.display()))?;
    let (cad, _version) = store
        .load()
        .with_context(|| format!("cannot read the cadastre in {}", data.display()))?;
    Ok(cad)
}

fn network_of(cad: &cadastre::Cadastre, index: &cadastre::geometry::SpatialIndex) -> Network {
    let (net, warnings) = cadastre::network::build_with(cad, index);
    for w in &warnings {
        tracing::info!(warning = %w, "topology");
    }
    net
}

fn load(data: &FsPath) -> anyhow::Result<Network> {
    Ok(load_with_cadastre(data)?.1)
}

/// The cadastre and its graph (for questions that need both).
fn load_with_cadastre(data: &FsPath) -> anyhow::Result<(cadastre::Cadastre, Network)> {
    let cad = load_cadastre(data)?;
    let net = network_of(&cad, &cadastre::geometry::SpatialIndex::build(&cad));
    Ok((cad, net))
}

/// Writes `value` as the contract's pretty JSON (see [`crate::cli::pretty_json`]).
use crate::cli::emit;

fn emit_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    emit(&crate::cli::pretty_json(value)?)
}
