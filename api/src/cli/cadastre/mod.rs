//! `irisops cadastre ...`: one file per subcommand, its arguments beside its `run`. The
//! contract's names: `validate FILE...`, `import --data DIR --from ofds|geojson [--crs]
//! FILE...`, `export --data DIR --to ofds|geojson|csv --out DIR2`, `stats --data DIR
//! [--json]`, `generate-demo --out DIR [--seed S]`; the versions: `history`, `show`, `undo`,
//! `edit`. Here: the shared readers (GeoJSON, OFDS), validation options and the printing of a
//! write's outcome.

mod edit;
mod export;
mod generate_demo;
mod history;
mod import;
mod show;
mod stats;
mod undo;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;

use cadastre::crs::Crs;
use cadastre::limits::{self, Limits};
use cadastre::store::Store;
use cadastre::validate::ValidateOptions;
use cadastre::{geojson_io, ofds, Cadastre, CadastreError, Report};

/// The `cadastre` subcommands.
#[derive(Subcommand)]
pub enum CadastreCommand {
    /// Validate GeoJSON layer files or an OFDS package; print every problem (exit 1 on errors).
    Validate(validate::Args),
    /// Import files into a data directory (validated first; nothing is written on errors).
    Import(import::Args),
    /// Export a data directory: OFDS package, GeoJSON (one file per layer) or CSV.
    Export(export::Args),
    /// Route km, strands and per-owner figures of a data directory.
    Stats(stats::Args),
    /// The changes of a data directory, newest first: version, time, author, reason, and the
    /// numbers of features added, changed and deleted.
    History(history::Args),
    /// Export the cadastre as it was at a version, as GeoJSON (one file per layer).
    Show(show::Args),
    /// Undo a change, as a new change (refused when a later change touched one of its
    /// features: undo that one first).
    Undo(undo::Args),
    /// Apply a change-set file (add, change, delete features of any layer) as one change:
    /// `{"changes": [{"op": "add"|"change", "layer": L, "feature": FEATURE} |
    /// {"op": "delete", "layer": L, "id": ID}]}`.
    Edit(edit::Args),
    /// Write the generated Brussels-scale demo network into a data directory (and its GeoJSON
    /// layers into DIR/geojson).
    GenerateDemo(generate_demo::Args),
}

/// Runs a cadastre subcommand.
pub fn run(cmd: CadastreCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CadastreCommand::Validate(args) => validate::run(args),
        CadastreCommand::Import(args) => import::run(args),
        CadastreCommand::Export(args) => export::run(args),
        CadastreCommand::Stats(args) => stats::run(args),
        CadastreCommand::History(args) => history::run(args),
        CadastreCommand::Show(args) => show::run(args),
        CadastreCommand::Undo(args) => undo::run(args),
        CadastreCommand::Edit(args) => edit::run(args),
        CadastreCommand::GenerateDemo(args) => generate_demo::run(args),
    }
}

/// The limits of a read (`--max-file-mb`, `--max-features`, `--max-vertices`); the defaults
/// are `cadastre::limits`' (README's limits table).
#[derive(clap::Args)]
pub struct LimitArgs {
    /// The largest input file, MB.
    #[arg(long, value_name = "MB", default_value_t = limits::DEFAULT_MAX_FILE_MB,
        value_parser = clap::value_parser!(u64).range(1..))]
    max_file_mb: u64,
    /// The most features of one layer.
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_FEATURES,
        value_parser = positive)]
    max_features: usize,
    /// The most vertices (positions) of one feature's geometry.
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_VERTICES,
        value_parser = positive)]
    max_vertices: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_mb: self.max_file_mb,
            max_features: self.max_features,
            max_vertices: self.max_vertices,
        }
    }
}

/// A whole number >= 1.
fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected a whole number >= 1, got {s:?}")),
    }
}

/// Validation options with `--area` (`brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`).
fn options(area: Option<&str>) -> anyhow::Result<ValidateOptions> {
    let area = match area {
        None => None,
        Some("brussels") => Some(cadastre::validate::brussels_area()),
        Some(text) => {
            let v: Vec<f64> = text
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    anyhow::anyhow!(
                        "--area: expected brussels or MINLON,MINLAT,MAXLON,MAXLAT, got {text:?}"
                    )
                })?;
            let [a, b, c, d] = v.as_slice() else {
                bail!("--area: expected 4 numbers MINLON,MINLAT,MAXLON,MAXLAT, got {text:?}");
            };
            if a >= c || b >= d {
                bail!("--area: the minimum must be below the maximum, got {text:?}");
            }
            Some(geo::Rect::new(
                geo::coord! { x: *a, y: *b },
                geo::coord! { x: *c, y: *d },
            ))
        }
    };
    Ok(ValidateOptions {
        area,
        ..ValidateOptions::default()
    })
}

fn parse_crs(s: Option<&str>) -> anyhow::Result<Option<Crs>> {
    s.map(Crs::parse).transpose().map_err(anyhow::Error::from)
}

fn open_store(data: &Path) -> anyhow::Result<Store> {
    Store::open(data).with_context(|| format!("cannot open the cadastre in {}", data.display()))
}

/// GeoJSON layer files, one OFDS package (`.json` with `networks`), or OFDS GeoJSON (a nodes
/// and a spans file).
fn read_any(
    files: &[PathBuf],
    crs: Option<Crs>,
    limits: &Limits,
) -> anyhow::Result<(Cadastre, Report)> {
    if files.len() <= 2 {
        let texts = read_texts(files, limits)?;
        let package = texts.len() == 1 && ofds::is_package(&texts[0].text);
        let pair = texts.len() == 2 && texts.iter().all(|t| ofds::geojson_role(t).is_some());
        if package || pair {
            return Ok(ofds::read_texts_within(&texts, crs, limits)?);
        }
    }
    Ok(geojson_io::read_files_within(files, crs, limits)?)
}

/// An OFDS package (one file) or OFDS GeoJSON (nodes + spans files); coordinates converted
/// from `crs` (or the files' legacy `crs` member) to WGS84 ([`ofds::read_texts`]).
fn read_ofds(
    files: &[PathBuf],
    crs: Option<Crs>,
    limits: &Limits,
) -> anyhow::Result<(Cadastre, Report)> {
    Ok(ofds::read_texts_within(
        &read_texts(files, limits)?,
        crs,
        limits,
    )?)
}

/// The files' texts, named by their paths; a file over `max_file_mb` is not read.
fn read_texts(files: &[PathBuf], limits: &Limits) -> anyhow::Result<Vec<ofds::Text>> {
    files
        .iter()
        .map(|p| {
            let size = std::fs::metadata(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .len();
            limits.check_size(p, size)?;
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Ok(ofds::Text {
                name: p.display().to_string(),
                text,
            })
        })
        .collect()
}

fn print_report(report: &Report) {
    for p in &report.problems {
        println!("{p}");
    }
}

/// Prints the outcome of a write: the new version, or why nothing was written (exit 1).
fn written(result: Result<u64, CadastreError>, what: &str) -> anyhow::Result<ExitCode> {
    match result {
        Ok(v) => {
            println!("{what} as version {v}");
            Ok(ExitCode::SUCCESS)
        }
        Err(CadastreError::Stale { base, current }) => {
            println!("stale edit: data is at version {current}, your edit is based on {base}");
            Ok(ExitCode::from(1))
        }
        Err(CadastreError::Invalid { report }) => {
            print_report(&report);
            println!("nothing written: {} error(s)", report.n_errors());
            Ok(ExitCode::from(1))
        }
        Err(
            e @ (CadastreError::NotFound(_)
            | CadastreError::NoSuchFeature { .. }
            | CadastreError::Store { .. }),
        ) => {
            println!("error: {e}");
            println!("nothing written");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
