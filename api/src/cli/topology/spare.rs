//! `irisops topology spare --data DIR [--by owner|route] [--format table|json|csv] [--config F
//! [--window-days 30]]`: spare capacity per owner or per route, with the lit headroom of the
//! store a config names.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::questions::spare::{self, Form};

use super::{emit, live, load_with_cadastre};

/// Arguments of `irisops topology spare`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Totals per owner, or one line per route.
    #[arg(long, value_enum, default_value_t = SpareBy::Owner)]
    by: SpareBy,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Table)]
    format: OutFormat,
    /// A collector config: adds the lit headroom of each route (port speed − 95th
    /// percentile of the circuits' end ports) from the store it names.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The p95 window, days.
    #[arg(long, default_value_t = 30)]
    window_days: u32,
}

/// How `spare` groups its lines.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SpareBy {
    Owner,
    Route,
}

/// Output formats of `spare`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
    Csv,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cad, net) = load_with_cadastre(&args.data)?;
    let report = match &args.config {
        None => net.spare(),
        Some(config) => {
            let mut store = live::open_store(config)?;
            let window = std::time::Duration::from_secs(u64::from(args.window_days) * 86_400);
            // The latest buckets count: roll the store up first (the API reads what the
            // pipeline rolled up).
            let now = collector::poll::now_ms();
            store.rollup(now).context("cannot roll the store up")?;
            let (lit, stats) = crate::questions::live::lit_ports(&store, &cad, window, now)?;
            tracing::info!(
                ends = stats.ends,
                measured = stats.measured,
                "lit headroom from the store"
            );
            if stats.measured == 0 {
                eprintln!(
                    "irisops: none of the {} circuit ends of the cadastre has p95 samples in the store",
                    stats.ends
                );
            }
            net.spare_with(&lit)
        }
    };
    emit(&spare_text(&report, args.by, args.format)?)?;
    Ok(ExitCode::SUCCESS)
}

/// `spare` as a table (tab-separated), JSON or CSV.
fn spare_text(r: &topology::SpareReport, by: SpareBy, format: OutFormat) -> anyhow::Result<String> {
    let by = match by {
        SpareBy::Owner => spare::SpareBy::Owner,
        SpareBy::Route => spare::SpareBy::Route,
    };
    Ok(match format {
        OutFormat::Json => crate::cli::pretty_json(&spare::answer(r, by))?,
        OutFormat::Csv => spare::table(r, by, Form::Full).to_csv(),
        OutFormat::Table => {
            let mut t = spare::table(r, by, Form::Full).to_tsv();
            if by == spare::SpareBy::Owner {
                t.push_str("(owner: the route's owner, every strand of its cables counted under it; `cadastre stats` counts strands under the cable's owner)\n");
            }
            t
        }
    })
}
