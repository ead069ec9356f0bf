//! `irisops topology cut --data DIR (--route ID... | --srlg ID... | --area FILE.geojson |
//! --worksite ID [--buffer-m M]) [--json]`: what a cut takes down, and which broken
//! allocations can be re-routed.

use std::path::{Path as FsPath, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use cadastre::answer::CutTargets;
use topology::CutReport;

use super::{emit, emit_json, load_cadastre, network_of};

/// Arguments of `irisops topology cut`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Routes cut (repeatable).
    #[arg(long = "route")]
    routes: Vec<String>,
    /// Shared-risk groups cut (repeatable).
    #[arg(long = "srlg")]
    srlgs: Vec<String>,
    /// A GeoJSON file of (Multi)Polygons: every route crossing or touching them is cut.
    #[arg(long)]
    area: Option<PathBuf>,
    /// A worksite of the cadastre: the routes its footprint touches are cut (a point or
    /// line worksite counts `--buffer-m` around it).
    #[arg(long)]
    worksite: Option<String>,
    /// Metres around a point or line worksite.
    #[arg(long, default_value_t = 25.0)]
    buffer_m: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cad = load_cadastre(&args.data)?;
    let index = cadastre::geometry::SpatialIndex::build(&cad);
    let areas = match &args.area {
        Some(file) => Some(read_areas(file)?),
        None => None,
    };
    let spec = cadastre::answer::cut_spec(
        &cad,
        &index,
        CutTargets {
            routes: args.routes,
            srlgs: args.srlgs,
            areas,
            worksite: args.worksite,
            buffer_m: args.buffer_m,
        },
    )
    .map_err(|e| match e {
        cadastre::answer::CutTargetError::Nothing => {
            anyhow::anyhow!("say what is cut: --route, --srlg, --area or --worksite")
        }
        e => anyhow::Error::new(e),
    })?;
    let net = network_of(&cad, &index);
    let (report, answer) = topology::answer::cut(&net, &spec)?;
    if args.json {
        emit_json(&answer)?;
    } else {
        emit(&cut_text(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The cut as text: one summary line, then one line per isolated site and allocation.
fn cut_text(report: &CutReport) -> String {
    let mut t = format!(
        "{} routes cut: {} sites isolated from the core, {} allocations broken, {} re-routable, {} not\n",
        report.removed_links.len(),
        report.isolated_sites.len(),
        report.broken_allocations.len(),
        report.reroutable.len(),
        report.not_reroutable.len()
    );
    for s in &report.isolated_sites {
        t.push_str(&format!("isolated site {s}\n"));
    }
    for r in &report.reroutable {
        t.push_str(&format!(
            "re-route {} over {:.3} km: {}\n",
            r.allocation,
            r.path.length_km(),
            r.path.routes.join(" ")
        ));
    }
    for a in &report.not_reroutable {
        t.push_str(&format!("cannot re-route {a}\n"));
    }
    t
}

/// The (Multi)Polygons of a GeoJSON file (a FeatureCollection, a Feature or a bare geometry).
fn read_areas(file: &FsPath) -> anyhow::Result<geo::MultiPolygon<f64>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{}: not GeoJSON", file.display()))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::Geometry(g) => vec![g],
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
    };
    cadastre::answer::areas_of(geometries).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}
