//! `irisops cadastre import --data DIR --from ofds|geojson [--crs] [--area] [--max-file-mb]
//! [--max-features] [--max-vertices] FILE...`: read within the limits, validated first, then
//! written as one new version (nothing is written on errors, exit 1).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use cadastre::validate::ValidateOptions;
use cadastre::writes;
use cadastre::{geojson_io, Cadastre, CadastreError, Report};

use super::{open_store, options, parse_crs, print_report, read_ofds, LimitArgs};

/// Arguments of `irisops cadastre import`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// Input format: `ofds` (a package .json, or its nodes + spans GeoJSON) or `geojson`.
    #[arg(long, value_enum)]
    from: Format,
    /// CRS of the input when the files do not say (EPSG:31370, EPSG:3812).
    #[arg(long)]
    crs: Option<String>,
    /// Who imports (recorded in the history).
    #[arg(long, default_value = "irisops")]
    author: String,
    /// Why (recorded in the history).
    #[arg(long, default_value = "import")]
    reason: String,
    /// The area every coordinate must lie in: `brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`.
    #[arg(long)]
    area: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Input formats of `import`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Ofds,
    Geojson,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let crs = parse_crs(args.crs.as_deref())?;
    let opts = options(args.area.as_deref())?;
    let limits = args.limits.limits();
    let (cad, report) = match args.from {
        Format::Geojson => geojson_io::read_files_within(&args.files, crs, &limits)?,
        Format::Ofds => read_ofds(&args.files, crs, &limits)?,
    };
    import(&args.data, cad, report, &args.author, &args.reason, &opts)
}

fn import(
    data: &Path,
    cad: Cadastre,
    report: Report,
    author: &str,
    reason: &str,
    opts: &ValidateOptions,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(data)?;
    let base = store.version()?;
    let who = writes::Author { author, reason };
    match writes::import(&mut store, base, &cad, report, who, opts) {
        Ok((v, report)) => {
            print_report(&report);
            println!("imported {} features as version {v}", cad.n_features());
            Ok(ExitCode::SUCCESS)
        }
        Err(CadastreError::Invalid { report }) => {
            print_report(&report);
            println!("nothing imported: {} error(s)", report.n_errors());
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
