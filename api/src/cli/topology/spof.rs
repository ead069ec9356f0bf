//! `irisops topology spof --data DIR [--json]`: single points of failure on the route
//! multigraph: bridges, articulation points, and the shared trenches whose loss disconnects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

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

/// The JSON of `spof`.
#[derive(Debug, Serialize)]
pub struct SpofJson<'a> {
    pub bridges: &'a [String],
    pub articulation_points: &'a [String],
    pub srlg_bridges: &'a [String],
    pub srlg_dependent_sites: &'a BTreeMap<String, Vec<String>>,
    pub n_srlgs: usize,
    pub n_sites: usize,
    pub n_routes: usize,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let net = load(&args.data)?;
    let spof = net.spof();
    let srlgs: BTreeSet<&str> = net
        .links()
        .flat_map(|l| l.srlgs.iter().map(String::as_str))
        .collect();
    let srlg_bridges = net.srlg_bridges();
    let dependent = net.srlg_dependent_sites();
    if args.json {
        return emit_json(&SpofJson {
            bridges: &spof.bridges,
            articulation_points: &spof.articulation_points,
            srlg_bridges: &srlg_bridges,
            srlg_dependent_sites: &dependent,
            n_srlgs: srlgs.len(),
            n_sites: net.n_sites(),
            n_routes: net.n_links(),
        })
        .map(|()| ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{} sites, {} routes, {} shared trenches: {} bridges, {} articulation points, {} shared trenches whose loss disconnects, {} sites whose every path to the core runs through one shared trench\n",
        net.n_sites(),
        net.n_links(),
        srlgs.len(),
        spof.bridges.len(),
        spof.articulation_points.len(),
        srlg_bridges.len(),
        dependent.len()
    );
    for b in &spof.bridges {
        text.push_str(&format!("bridge route {b}\n"));
    }
    for a in &spof.articulation_points {
        text.push_str(&format!("articulation site {a}\n"));
    }
    for (site, groups) in &dependent {
        text.push_str(&format!("site {site} depends on {}\n", groups.join(", ")));
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
