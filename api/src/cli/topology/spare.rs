//! `irisops topology spare --data DIR [--by owner|route] [--format table|json|csv] [--config F
//! [--window-days 30]]`: spare capacity per owner or per route, with the lit headroom of the
//! store a config names.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use topology::{LinkSpare, OwnerSpare};

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

/// The JSON of `spare --by owner`.
#[derive(Debug, Serialize)]
pub struct SpareByOwner<'a> {
    pub by_owner: &'a BTreeMap<String, OwnerSpare>,
    pub total: &'a OwnerSpare,
}

/// The JSON of `spare --by route`.
#[derive(Debug, Serialize)]
pub struct SpareByRoute<'a> {
    pub routes: &'a [LinkSpare],
    pub total: &'a OwnerSpare,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cad, net) = load_with_cadastre(&args.data)?;
    let report = match &args.config {
        None => net.spare(),
        Some(config) => {
            let mut store = live::open_store(config)?;
            let window = std::time::Duration::from_secs(u64::from(args.window_days) * 86_400);
            let (lit, stats) = live::lit_ports(&mut store, &cad, window)?;
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
    if format == OutFormat::Json {
        return match by {
            SpareBy::Owner => crate::cli::pretty_json(&SpareByOwner {
                by_owner: &r.by_owner,
                total: &r.total,
            }),
            SpareBy::Route => crate::cli::pretty_json(&SpareByRoute {
                routes: &r.links,
                total: &r.total,
            }),
        };
    }
    let (header, rows) = match by {
        SpareBy::Owner => (OWNER_HEADER, owner_rows(r)),
        SpareBy::Route => (ROUTE_HEADER, route_rows(r)),
    };
    let sep = if format == OutFormat::Csv { "," } else { "\t" };
    let mut s = header.join(sep);
    s.push('\n');
    for row in rows {
        // CSV: a field with the separator or a quote is quoted (RFC 4180).
        let fields: Vec<String> = row
            .into_iter()
            .map(|f| {
                if format == OutFormat::Csv && (f.contains(',') || f.contains('"')) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f
                }
            })
            .collect();
        s.push_str(&fields.join(sep));
        s.push('\n');
    }
    Ok(s)
}

const OWNER_HEADER: &[&str] = &[
    "owner",
    "routes",
    "km",
    "fibres",
    "allocated",
    "dark",
    "dark_strand_km",
    "free_ducts",
    "free_duct_km",
    "lit_routes",
    "lit_headroom_gbps",
];

/// One row per owner, then the total.
fn owner_rows(r: &topology::SpareReport) -> Vec<Vec<String>> {
    r.by_owner
        .iter()
        .map(|(o, v)| (o.as_str(), v))
        .chain([("TOTAL", &r.total)])
        .map(|(o, v)| {
            vec![
                o.to_string(),
                v.routes.to_string(),
                format!("{:.3}", v.km),
                v.fibre_count.to_string(),
                v.allocated_strands.to_string(),
                v.dark_strands.to_string(),
                format!("{:.1}", v.dark_strand_km),
                v.free_ducts.to_string(),
                format!("{:.3}", v.free_duct_km),
                v.lit_routes.to_string(),
                format!("{:.3}", v.lit_headroom_bps / 1e9),
            ]
        })
        .collect()
}

const ROUTE_HEADER: &[&str] = &[
    "route",
    "owner",
    "km",
    "fibres",
    "allocated",
    "dark",
    "free_ducts",
    "lit_headroom_gbps",
];

/// One row per route.
fn route_rows(r: &topology::SpareReport) -> Vec<Vec<String>> {
    r.links
        .iter()
        .map(|l| {
            vec![
                l.id.clone(),
                l.owner.clone(),
                format!("{:.3}", l.length_m / 1000.0),
                l.fibre_count.to_string(),
                l.allocated_strands.to_string(),
                l.dark_strands.to_string(),
                l.free_ducts.to_string(),
                l.lit_headroom_bps
                    .map(|h| format!("{:.3}", h / 1e9))
                    .unwrap_or_default(),
            ]
        })
        .collect()
}
