//! `irisops cadastre show --data DIR --version N --out DIR2`: the cadastre as it was at version
//! N, as GeoJSON layers (the files of `export --to geojson`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use cadastre::geojson_io;

use super::open_store;

/// Arguments of `irisops cadastre show`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    /// The version (0: empty).
    #[arg(long)]
    version: u64,
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { data, version, out } = args;
    let cad = open_store(&data)?.at_version(version)?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    geojson_io::write_dir(&cad, &out)?;
    eprintln!(
        "wrote version {version} ({} features) to {}",
        cad.n_features(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
