//! `irisops cadastre stats --data DIR [--json] [--config F [--window-days 30]]`: route km,
//! counts, per-owner strands and the spare capacity, its lit headroom measured from the store F
//! names when given. The JSON is `GET /api/v1/cadastre/stats`'s answer (the server measures
//! from its own store).

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
    /// Measure the spare part's lit headroom from the store this configuration names (as
    /// `topology spare --config`); without it the lit figures are 0 (not measured).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The p95 window of the lit headroom, days.
    #[arg(long, default_value_t = 30)]
    window_days: u32,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cad, version) = open_store(&args.data)?.load()?;
    let stats = match &args.config {
        None => VersionedStats::of(&cad, version),
        Some(config) => {
            let mut store = crate::cli::topology::live::open_store(config)?;
            let now = collector::poll::now_ms();
            // The latest buckets count: roll the store up first, as `topology spare` does.
            store.rollup(now)?;
            let net =
                cadastre::network::build_with(&cad, &cadastre::geometry::SpatialIndex::build(&cad))
                    .0;
            let window = std::time::Duration::from_secs(u64::from(args.window_days) * 86_400);
            crate::questions::spare::measured_stats(&store, &cad, &net, version, window, now)?
        }
    };
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
    println!("(owner: route km under the route's owner, cable km and strands under the cable's owner; `topology spare` counts a route's strands under the route's owner)");
}
