//! `irisops topology quote --data DIR --from SITE --to SITE --pairs N [--k 1] [--tariff
//! FILE.toml] [--json]`: a lease quote on the shortest (or k diverse) paths with 2 × N spare
//! strands on every route (exit 1 when none exists).

use std::path::{Path as FsPath, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use topology::{Path, Quote, Tariff};

use super::{emit, emit_json, load, BudgetArgs};

/// Arguments of `irisops topology quote`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Site id at one end.
    #[arg(long)]
    from: String,
    /// Site id at the other end.
    #[arg(long)]
    to: String,
    /// Strand pairs leased.
    #[arg(long)]
    pairs: u32,
    /// Quote k diverse paths (2: a protected lease).
    #[arg(long, default_value_t = 1)]
    k: usize,
    /// A TOML tariff (`per_pair_km_month`, `minimum_month`, `per_site_fee_month`,
    /// `operator_share`); defaults otherwise.
    #[arg(long)]
    tariff: Option<PathBuf>,
    #[command(flatten)]
    budget: BudgetArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        data,
        from,
        to,
        pairs,
        k,
        tariff,
        budget,
        json,
    } = args;
    anyhow::ensure!(pairs >= 1, "--pairs must be at least 1");
    let budget = budget.budget()?;
    anyhow::ensure!(k >= 1, "--k must be at least 1");
    let tariff = match &tariff {
        Some(f) => read_tariff(f)?,
        None => Tariff::default(),
    };
    let net = load(&data)?;
    let Some((found, answer)) =
        topology::answer::quote(&net, &from, &to, pairs, k, &tariff, &budget)?
    else {
        emit(&format!(
            "no path from {from} to {to} with {} spare strands on every route",
            2 * pairs
        ))?;
        return Ok(ExitCode::from(1));
    };
    if json {
        emit_json(&answer)?;
    } else {
        let monthly: f64 = answer.quotes.iter().map(|q| q.monthly).sum();
        emit(&quote_text(
            &found.paths,
            &answer.quotes,
            pairs,
            monthly,
            &answer.currency,
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A TOML tariff file, validated.
fn read_tariff(f: &FsPath) -> anyhow::Result<Tariff> {
    let text =
        std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
    let t: Tariff =
        toml::from_str(&text).with_context(|| format!("{}: invalid tariff", f.display()))?;
    t.validate()
        .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
    Ok(t)
}

/// One line per path quoted, then the total.
fn quote_text(
    paths: &[Path],
    quotes: &[Quote],
    pairs: u32,
    monthly: f64,
    currency: &str,
) -> String {
    let mut t = String::new();
    for (p, q) in paths.iter().zip(quotes) {
        t.push_str(&format!(
            "{} pair(s) over {:.3} km ({} routes): {:.2} {currency}/month; operator keeps {:.2}; owners: {}\n",
            pairs,
            p.length_km(),
            p.routes.len(),
            q.monthly,
            q.operator_kept,
            q.owners
                .iter()
                .map(|(o, v)| format!("{o} {v:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    t.push_str(&format!(
        "total {monthly:.2} {currency}/month, {:.2} {currency}/year\n",
        monthly * 12.0
    ));
    t
}
