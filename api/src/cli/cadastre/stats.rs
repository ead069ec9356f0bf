//! `irisops cadastre stats --data DIR [--json]`: route km, counts, per-owner strands and the
//! spare capacity. The JSON is `GET /api/v1/cadastre/stats`'s answer.

use std::path::PathBuf;
use std::process::ExitCode;

use cadastre::stats::VersionedStats;

use super::open_store;

/// Arguments of `irisops cadastre stats`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cad, version) = open_store(&args.data)?.load()?;
    let stats = VersionedStats::of(&cad, version);
    if args.json {
        println!("{}", crate::cli::pretty_json(&stats)?);
    } else {
        print_stats(&stats.stats, version);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stats(s: &cadastre::stats::Stats, version: u64) {
    println!("cadastre version {version}: {:.1} km of routes, {} sites, {} routes, {} cables, {} allocations, {} hotspots",
        s.routes_km, s.n_sites, s.n_routes, s.n_cables, s.n_allocations, s.n_hotspots);
    println!(
        "{:<22} {:>9} {:>9} {:>14} {:>13} {:>6}",
        "owner", "route km", "cable km", "strands total", "strands used", "used%"
    );
    for (owner, o) in &s.by_owner {
        let pct = if o.strands_total > 0 {
            o.strands_used as f64 * 100.0 / o.strands_total as f64
        } else {
            0.0
        };
        println!(
            "{owner:<22} {:>9.1} {:>9.1} {:>14} {:>13} {:>5.1}%",
            o.km, o.cables_km, o.strands_total, o.strands_used, pct
        );
    }
    let t = &s.spare.total;
    println!(
        "spare (topology): {} dark strands, {:.1} dark strand-km, {} free ducts, {:.1} free duct-km (per owner: irisops topology spare)",
        t.dark_strands, t.dark_strand_km, t.free_ducts, t.free_duct_km
    );
}
