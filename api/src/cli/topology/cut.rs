//! `irisops topology cut --data DIR (--route ID... | --srlg ID... | --area FILE.geojson |
//! --worksite ID [--buffer-m M]) [--json]`: what a cut takes down, and which broken
//! allocations can be re-routed.

use std::path::{Path as FsPath, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use topology::CutReport;

use super::{default_budget, emit, emit_json, load_cadastre, network_of, PathJson};

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

/// The JSON of `cut`.
#[derive(Debug, Serialize)]
pub struct CutJson<'a> {
    pub removed_routes: &'a [String],
    pub isolated_sites: &'a [String],
    pub broken_allocations: &'a [String],
    pub reroutable: Vec<RerouteJson<'a>>,
    pub not_reroutable: &'a [String],
}

/// A broken allocation and its new path.
#[derive(Debug, Serialize)]
pub struct RerouteJson<'a> {
    pub allocation: &'a str,
    pub path: PathJson<'a>,
}

impl<'a> CutJson<'a> {
    fn new(report: &'a CutReport) -> Self {
        let budget = default_budget();
        CutJson {
            removed_routes: &report.removed_links,
            isolated_sites: &report.isolated_sites,
            broken_allocations: &report.broken_allocations,
            reroutable: report
                .reroutable
                .iter()
                .map(|r| RerouteJson {
                    allocation: &r.allocation,
                    path: PathJson::new(&r.path, &budget),
                })
                .collect(),
            not_reroutable: &report.not_reroutable,
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cad = load_cadastre(&args.data)?;
    let index = cadastre::geometry::SpatialIndex::build(&cad);
    let mut links = args.routes;
    if let Some(file) = &args.area {
        let areas = read_areas(file)?;
        links.extend(cadastre::network::routes_in(&index, &areas));
    }
    if let Some(id) = &args.worksite {
        let w = cad
            .worksites
            .iter()
            .find(|w| &w.id == id)
            .with_context(|| format!("no worksite {id:?} in the cadastre"))?;
        let areas = cadastre::network::worksite_area(&w.geometry, args.buffer_m);
        links.extend(cadastre::network::routes_in(&index, &areas));
    }
    anyhow::ensure!(
        !links.is_empty()
            || !args.srlgs.is_empty()
            || args.area.is_some()
            || args.worksite.is_some(),
        "say what is cut: --route, --srlg, --area or --worksite"
    );
    links.sort();
    links.dedup();
    let net = network_of(&cad, &index);
    let report = net.cut(&topology::CutSpec {
        links,
        srlgs: args.srlgs,
    })?;
    if args.json {
        emit_json(&CutJson::new(&report))?;
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
    let mut polys = Vec::new();
    for (i, g) in geometries.into_iter().enumerate() {
        let g: geo::Geometry<f64> = g
            .try_into()
            .with_context(|| format!("{}: geometry {i} is not valid", file.display()))?;
        match g {
            geo::Geometry::Polygon(p) => polys.push(p),
            geo::Geometry::MultiPolygon(m) => polys.extend(m.0),
            _ => anyhow::bail!(
                "{}: geometry {i} is not a Polygon or MultiPolygon",
                file.display()
            ),
        }
    }
    anyhow::ensure!(!polys.is_empty(), "{}: no polygon", file.display());
    Ok(geo::MultiPolygon(polys))
}
