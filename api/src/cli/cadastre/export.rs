//! `irisops cadastre export --data DIR --to ofds|geojson|csv --out DIR2`: GeoJSON (one
//! FeatureCollection per layer), an OFDS package with its nodes and spans GeoJSON, or CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use cadastre::{geojson_io, ofds};

use super::open_store;

/// Arguments of `irisops cadastre export`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    #[arg(long, value_enum)]
    to: ExportFormat,
    #[arg(long)]
    out: PathBuf,
}

/// Output formats of `export`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Ofds,
    Geojson,
    Csv,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { data, to, out } = args;
    let (cad, version) = open_store(&data)?.load()?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    match to {
        ExportFormat::Geojson => geojson_io::write_dir(&cad, &out)?,
        ExportFormat::Csv => {
            cadastre::csv::write_csv(&cad, &out)?;
        }
        ExportFormat::Ofds => {
            let pkg = ofds::write_package(&cad);
            let path = out.join("network-package.json");
            std::fs::write(&path, serde_json::to_string_pretty(&pkg)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let (nodes, spans) = ofds::write_geojson(&cad);
            std::fs::write(out.join("nodes.geojson"), nodes.to_string())?;
            std::fs::write(out.join("spans.geojson"), spans.to_string())?;
        }
    }
    eprintln!(
        "exported version {version} ({} features) to {}",
        cad.n_features(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
