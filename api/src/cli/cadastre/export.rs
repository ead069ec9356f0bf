//! `irisops cadastre export --data DIR --to ofds|geojson|csv --out DIR2`: GeoJSON (one
//! FeatureCollection per layer), an OFDS package with its nodes and spans GeoJSON, or CSV.
//! The files are [`cadastre::export::files`], the ones `GET /api/v1/cadastre/export` zips.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use cadastre::export;

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
    let format = match to {
        ExportFormat::Geojson => export::Format::Geojson,
        ExportFormat::Csv => export::Format::Csv,
        ExportFormat::Ofds => export::Format::Ofds,
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    // Each file replaced atomically: written beside, then renamed.
    for f in export::files(&cad, format)? {
        let path = out.join(&f.name);
        let tmp = out.join(format!(".{}.tmp", f.name));
        std::fs::write(&tmp, &f.bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "exported version {version} ({} features) to {}",
        cad.n_features(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
