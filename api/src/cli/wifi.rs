//! `irisops wifi usage|verdicts|plan --data DIR (--config F | --usage FILE.csv)
//! [--window-days N] [--until DATE] [--radius-m R] [--max-fibre-m M] [--max-moves K]
//! [--format table|json|csv|geojson]` (the contract): the hotspots' daily usage, their
//! verdicts over a window of whole local days, and the relocation plan of the underused ones.
//! The usage comes from the store a config names (its daily rollup) or from a captive portal's
//! CSV; the thresholds are the config's `[wifi]` keys (the built-in defaults without one),
//! each overridable by its flag. The answers are `questions::wifi`'s, as the API serves them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;

use cadastre::wifi::{Criteria, DailyUsage, PlanParams};
use cadastre::Cadastre;

use crate::questions::wifi::{self as answers, Window};

use super::{emit, pretty_json};

/// The `wifi` subcommands.
#[derive(clap::Subcommand)]
pub enum WifiCommand {
    /// Each hotspot's daily usage: peak clients, client-hours, active hours, availability,
    /// coverage (and sessions, unique users from a CSV).
    Usage(Args),
    /// The verdict on each hotspot over the window (insufficient_data, faulty, underused, ok),
    /// with its figures and the rule that decided.
    Verdicts(Args),
    /// Where to move the underused hotspots: the target places that cover the most weight of
    /// not-yet-served targets near the fibre, solved exactly, and which hotspot goes where.
    Plan(Args),
}

/// Arguments shared by the `wifi` subcommands.
#[derive(clap::Args, Clone)]
pub struct Args {
    /// The cadastre's data directory (its `hotspots` and `targets` layers).
    #[arg(long)]
    data: PathBuf,
    /// A collector config: the usage from the daily rollup of the store it names, and its
    /// `[wifi]` keys as the criteria.
    #[arg(long, required_unless_present = "usage")]
    config: Option<PathBuf>,
    /// Daily usage from a captive portal's CSV
    /// (`hotspot,date,peak_clients,client_hours[,availability][,sessions][,unique_users]`).
    #[arg(long)]
    usage: Option<PathBuf>,
    /// The window's length in whole local days (`[wifi] window_days`, 28).
    #[arg(long)]
    window_days: Option<u32>,
    /// The window's last day, YYYY-MM-DD (default: yesterday; with `--usage`, the file's last
    /// date).
    #[arg(long)]
    until: Option<NaiveDate>,
    /// A target is covered within this distance of a hotspot, metres (`[wifi] radius_m`, 100).
    #[arg(long)]
    radius_m: Option<f64>,
    /// A place is a candidate within this distance of the fibre, metres (`[wifi] max_fibre_m`,
    /// 500).
    #[arg(long)]
    max_fibre_m: Option<f64>,
    /// At most this many moves (`[wifi] max_moves`; default the number of underused hotspots).
    #[arg(long)]
    max_moves: Option<usize>,
    /// `usage`: one hotspot only.
    #[arg(long)]
    hotspot: Option<String>,
    /// Output format (`geojson`: the plan's moves as lines).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Output formats of the `wifi` subcommands.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Geojson,
}

/// What a subcommand works from: the cadastre, the usage, the window and the criteria.
struct Inputs {
    cad: Cadastre,
    usage: Vec<DailyUsage>,
    window: Window,
    criteria: Criteria,
    params: PlanParams,
}

/// Runs one `wifi` subcommand.
pub fn run(cmd: WifiCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        WifiCommand::Usage(args) => {
            let i = inputs(&args)?;
            let a = answers::usage(
                &i.usage,
                args.hotspot.as_deref(),
                i.window.from(),
                i.window.until,
            );
            emit(&match args.format {
                Format::Json => pretty_json(&a)?,
                Format::Csv => answers::usage_table(&a).to_csv(),
                Format::Table => answers::usage_table(&a).to_tsv(),
                Format::Geojson => anyhow::bail!("--format geojson is for `wifi plan`"),
            })?;
        }
        WifiCommand::Verdicts(args) => {
            let i = inputs(&args)?;
            let a = answers::verdicts(&i.cad, &i.usage, i.window, &i.criteria);
            emit(&match args.format {
                Format::Json => pretty_json(&a)?,
                Format::Csv => answers::verdicts_table(&a).to_csv(),
                Format::Table => answers::verdicts_table(&a).to_tsv(),
                Format::Geojson => anyhow::bail!("--format geojson is for `wifi plan`"),
            })?;
        }
        WifiCommand::Plan(args) => plan(&args)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `wifi plan`.
fn plan(args: &Args) -> anyhow::Result<()> {
    let i = inputs(args)?;
    let p = answers::plan(&i.cad, &i.usage, i.window, &i.criteria, &i.params);
    eprintln!("irisops: {}", answers::plan_summary(&p));
    emit(&match args.format {
        Format::Json => pretty_json(&p)?,
        Format::Csv => cadastre::wifi::to_csv(&p),
        Format::Table => answers::plan_table(&p).to_tsv(),
        Format::Geojson => pretty_json(&cadastre::wifi::to_geojson(&p, &i.cad))?,
    })?;
    Ok(())
}

/// The cadastre, the usage (CSV or store), the window and the criteria of `args`: the config's
/// `[wifi]` keys (the defaults without one), each flag over its key.
fn inputs(args: &Args) -> anyhow::Result<Inputs> {
    let cad = super::topology::load_cadastre(&args.data)?;
    let cfg = match &args.config {
        Some(file) => Some((super::topology::live::load_config(file)?, file)),
        None => None,
    };
    let w = cfg
        .as_ref()
        .map(|(c, _)| c.wifi.clone())
        .unwrap_or_default();
    let days = args.window_days.unwrap_or(w.window_days);
    anyhow::ensure!(
        (1..=3660).contains(&days),
        "--window-days must be from 1 to 3660, got {days}"
    );
    let (usage, until) = match (&args.usage, &cfg) {
        (Some(file), _) => {
            let usage = read_csv(file)?;
            let last = answers::last_date(&usage);
            let until = args
                .until
                .or(last)
                .with_context(|| format!("{}: no usable row", file.display()))?;
            (usage, until)
        }
        (None, Some((cfg, file))) => {
            let until = args.until.unwrap_or_else(|| answers::yesterday(&w));
            let mut store = super::topology::live::open_store_of(cfg, file)?;
            answers::roll_up(&mut store, &cad, &w, answers::yesterday(&w).min(until))?;
            let window = Window { until, days };
            let usage = answers::usage_of_store(&store, None, window.from(), until)?;
            (usage, until)
        }
        (None, None) => anyhow::bail!("give --config FILE (the store's usage) or --usage FILE.csv"),
    };
    let mut params = answers::plan_params_of(&w);
    params.radius_m = positive("--radius-m", args.radius_m.unwrap_or(params.radius_m))?;
    params.max_fibre_m = args.max_fibre_m.unwrap_or(params.max_fibre_m);
    anyhow::ensure!(
        params.max_fibre_m.is_finite() && params.max_fibre_m >= 0.0,
        "--max-fibre-m must be a number >= 0, got {}",
        params.max_fibre_m
    );
    params.max_moves = args.max_moves.or(params.max_moves);
    Ok(Inputs {
        cad,
        usage,
        window: Window { until, days },
        criteria: Criteria {
            window_days: days,
            ..answers::criteria_of(&w)
        },
        params,
    })
}

/// `value` when it is a finite number > 0.
fn positive(flag: &str, value: f64) -> anyhow::Result<f64> {
    anyhow::ensure!(
        value.is_finite() && value > 0.0,
        "{flag} must be a number > 0, got {value}"
    );
    Ok(value)
}

/// The usage rows of a CSV; each bad line is reported on stderr (line and column) and skipped.
fn read_csv(file: &Path) -> anyhow::Result<Vec<DailyUsage>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (rows, problems) = cadastre::wifi::usage_csv::read(&text);
    for p in &problems {
        eprintln!("irisops: {}: {p} (line skipped)", file.display());
    }
    anyhow::ensure!(
        !rows.is_empty(),
        "{}: no usable row ({} problems)",
        file.display(),
        problems.len()
    );
    Ok(rows)
}
