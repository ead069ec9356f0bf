//! `irisops cadastre validate FILE... [--crs] [--area] [--max-file-mb] [--max-features]
//! [--max-vertices]`: every problem of GeoJSON layer files,
//! an OFDS package or OFDS nodes + spans GeoJSON (exit 1 on errors).

use std::path::PathBuf;
use std::process::ExitCode;

use cadastre::validate::validate_read;

use super::{options, parse_crs, print_report, read_any, LimitArgs};

/// Arguments of `irisops cadastre validate`.
#[derive(clap::Args)]
pub struct Args {
    /// GeoJSON FeatureCollections (one layer each) or one OFDS package (.json).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// CRS of the input when the files do not say (EPSG:31370, EPSG:3812).
    #[arg(long)]
    crs: Option<String>,
    /// The area every coordinate must lie in: `brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`
    /// (default: anywhere, as WGS84).
    #[arg(long)]
    area: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let crs = parse_crs(args.crs.as_deref())?;
    let opts = options(args.area.as_deref())?;
    let (cad, mut report) = read_any(&args.files, crs, &args.limits.limits())?;
    let checked = validate_read(&cad, &report.positions, &opts);
    report.extend(checked);
    print_report(&report);
    println!(
        "{} features: {} error(s), {} warning(s)",
        cad.n_features(),
        report.n_errors(),
        report.n_warnings()
    );
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
