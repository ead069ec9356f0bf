//! `irisops cadastre generate-demo --out DIR [--seed S]`: the generated Brussels-scale demo
//! network as a new version of DIR, and its GeoJSON layers in DIR/geojson.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use cadastre::validate::{validate, ValidateOptions};
use cadastre::{geojson_io, Cadastre};

use super::{open_store, print_report};

/// Arguments of `irisops cadastre generate-demo`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { out, seed } = args;
    let cad = cadastre::demo::generate(seed);
    let report = validate(&cad, &ValidateOptions::brussels());
    if report.has_errors() {
        print_report(&report);
        bail!("the generated demo network does not validate (a bug): nothing written");
    }
    let mut store = open_store(&out)?;
    let base = store.version()?;
    let check = |c: &Cadastre| validate(c, &ValidateOptions::brussels());
    let version = store.replace_all(
        base,
        &cad,
        "irisops",
        &format!("generated demo network (seed {seed})"),
        &check,
    )?;
    let geo_dir = out.join("geojson");
    std::fs::create_dir_all(&geo_dir)
        .with_context(|| format!("cannot create {}", geo_dir.display()))?;
    geojson_io::write_dir(&cad, &geo_dir)?;
    eprintln!(
        "cadastre version {version} in {}; GeoJSON layers in {}",
        out.display(),
        geo_dir.display()
    );
    let s = cadastre::stats::stats(&cad);
    eprintln!(
        "demo network (seed {seed}): {:.1} km of routes, {} sites, {} cables, {} hotspots → {}",
        s.routes_km,
        s.n_sites,
        s.n_cables,
        s.n_hotspots,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
