//! `irisops topology paths --data DIR --from SITE --to SITE [--k 2] [--pairs N] [--owner O]...
//! [--max-km K] [--node-disjoint] [--budget-db 11] [--budget-margin-db 3] [--json]`: the
//! shortest or k diverse fibre paths (exit 1 when none exists).

use std::path::PathBuf;
use std::process::ExitCode;

use topology::answer::{find_paths, PathsAnswer};
use topology::Constraints;

use super::{emit, emit_json, load, BudgetArgs};

/// Arguments of `irisops topology paths`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Site id where the paths start.
    #[arg(long)]
    from: String,
    /// Site id where the paths end.
    #[arg(long)]
    to: String,
    /// How many diverse paths (1: the shortest path).
    #[arg(long, default_value_t = 2)]
    k: usize,
    /// Strand pairs wanted: every route used must have at least 2 × N spare strands.
    #[arg(long, default_value_t = 0)]
    pairs: u32,
    /// Only routes of these owners (repeatable; default: any owner).
    #[arg(long = "owner")]
    owners: Vec<String>,
    /// Longest acceptable path, km.
    #[arg(long)]
    max_km: Option<f64>,
    /// Paths that share no intermediate site either.
    #[arg(long)]
    node_disjoint: bool,
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
        k,
        pairs,
        owners,
        max_km,
        node_disjoint,
        budget,
        json,
    } = args;
    anyhow::ensure!(k >= 1, "--k must be at least 1");
    let budget = budget.budget()?;
    let net = load(&data)?;
    let constraints = Constraints {
        min_spare_strands: pairs.saturating_mul(2),
        allowed_owners: (!owners.is_empty()).then(|| owners.into_iter().collect()),
        max_length_m: max_km.map(|km| km * 1000.0),
        node_disjoint,
    };
    let found = find_paths(&net, &from, &to, k, &constraints)?;
    if json {
        emit_json(&PathsAnswer::new(&from, &to, k, &found, &budget))?;
    } else {
        emit(&paths_text(&from, &to, &found, &budget)?)?;
    }
    Ok(if found.paths.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn paths_text(
    from: &str,
    to: &str,
    found: &topology::Diverse,
    budget: &topology::TransceiverBudget,
) -> anyhow::Result<String> {
    let paths = &found.paths;
    use std::fmt::Write;
    let mut s = String::new();
    if paths.is_empty() {
        let _ = writeln!(s, "no path from {from} to {to} within the constraints");
        return Ok(s);
    }
    for (i, p) in paths.iter().enumerate() {
        let owners: Vec<String> = p
            .owners
            .iter()
            .map(|(o, km)| format!("{o} {km:.2} km"))
            .collect();
        let _ = writeln!(
            s,
            "path {}: {:.3} km, {} routes, spare strands {}, loss {:.2} dB @1310 / {:.2} dB @1550 ({} against a {} dB budget); {}",
            i + 1,
            p.length_km(),
            p.routes.len(),
            p.spare_strands,
            p.loss_db_1310,
            p.loss_db_1550,
            serde_json::to_value(budget.verdict(p.loss_db_1310))?
                .as_str()
                .unwrap_or("?"),
            budget.budget_db,
            owners.join(", ")
        );
        let _ = writeln!(s, "  sites: {}", p.sites.join(" → "));
    }
    if paths.len() > 1 {
        let full = if found.fully_diverse { "yes" } else { "no" };
        let _ = writeln!(s, "fully diverse: {full}");
        for r in &found.shared_risks {
            let _ = writeln!(s, "  shared: {}", serde_json::to_value(r)?);
        }
    }
    Ok(s)
}
