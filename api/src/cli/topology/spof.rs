//! `irisops topology spof --data DIR [--json]`: single points of failure on the route
//! multigraph: bridges, articulation points, and the shared trenches whose loss disconnects.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{emit, emit_json, load};

/// Arguments of `irisops topology spof`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let net = load(&args.data)?;
    let a = topology::answer::spof(&net);
    if args.json {
        return emit_json(&a).map(|()| ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{} sites, {} routes, {} shared trenches: {} bridges, {} articulation points, {} shared trenches whose loss disconnects, {} sites whose every path to the core runs through one shared trench\n",
        a.n_sites,
        a.n_routes,
        a.n_srlgs,
        a.bridges.len(),
        a.articulation_points.len(),
        a.srlg_bridges.len(),
        a.srlg_dependent_sites.len()
    );
    for b in &a.bridges {
        text.push_str(&format!("bridge route {b}\n"));
    }
    for p in &a.articulation_points {
        text.push_str(&format!("articulation site {p}\n"));
    }
    for (site, groups) in &a.srlg_dependent_sites {
        text.push_str(&format!("site {site} depends on {}\n", groups.join(", ")));
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
