//! `irisops topology dig-once --data DIR [--wish FROM:TO]... [--wish-file FILE.csv]
//! [--single-homed] [--buffer-m M] [--nature N]... [--from DATE] [--json]`: planned works
//! that open the street (by nature) and are still open on `--from`, along which a wanted new
//! route could be laid, most metres saved first, each with how long the street stays open.

use std::path::{Path as FsPath, PathBuf};
use std::process::ExitCode;

use super::{emit, emit_json, load_with_cadastre};
use anyhow::Context;

/// Arguments of `irisops topology dig-once`.
#[derive(clap::Args)]
pub struct Args {
    /// The cadastre's data directory.
    #[arg(long)]
    data: PathBuf,
    /// A wanted new route `FROM:TO` (site ids; repeatable). With `--wish` or `--wish-file`
    /// only these are considered, without them the single-homed sites' protection routes.
    #[arg(long = "wish", value_name = "FROM:TO")]
    wishes: Vec<String>,
    /// A CSV file of wanted routes: one `from,to` pair of site ids per line (a header line
    /// `from,to` and `#` comments are skipped).
    #[arg(long)]
    wish_file: Option<PathBuf>,
    /// Also consider the single-homed sites' protection routes with a wish list.
    #[arg(long)]
    single_homed: bool,
    /// Metres around a point or line worksite.
    #[arg(long, default_value_t = 25.0)]
    buffer_m: f64,
    /// A nature of works to consider (repeatable; `all`: every one). Default: the works that
    /// open the street (resurfacing, road_works, water_main, gas, sewer, electricity, telecom,
    /// tramway, ...: README's list); markets, parades, events and filming are left out.
    #[arg(long = "nature", value_name = "NATURE")]
    natures: Vec<String>,
    /// Works that ended before this day are left out; `open_days` counts from it
    /// (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (cad, net) = load_with_cadastre(&args.data)?;
    let mut pairs = Vec::new();
    for w in &args.wishes {
        let (a, b) = w
            .split_once(':')
            .with_context(|| format!("--wish {w:?}: expected FROM:TO"))?;
        pairs.push((a.trim().to_string(), b.trim().to_string()));
    }
    if let Some(file) = &args.wish_file {
        pairs.extend(read_wish_file(file)?);
    }
    let from = match &args.from {
        None => chrono::Local::now().date_naive(),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .with_context(|| format!("--from: expected YYYY-MM-DD, got {v:?}"))?,
    };
    let works = cadastre::works::WorksFilter::new(&args.natures, from);
    let single = args.single_homed;
    let a = cadastre::answer::dig_once(&cad, &net, &pairs, single, args.buffer_m, &works)
        .map_err(|p| anyhow::anyhow!("invalid wish list:\n{}", p.join("\n")))?;
    let found = &a.candidates;
    if args.json {
        emit_json(&a)?;
    } else {
        let mut t = format!(
            "{} dig-once candidates among {} worksites open from {} ({} ended, {} of another \
             nature left out)\n",
            found.len(),
            a.n_considered,
            a.from,
            a.n_ended,
            a.n_other_nature
        );
        for d in found {
            let open = match d.open_days {
                Some(days) => format!("open {days} days"),
                None => "open-ended".to_string(),
            };
            t.push_str(&format!(
                "{} ({}, {}, {} to {}, {open}): new route {} → {} ({:.3} km), {:.0} m in the \
                 worksite\n",
                d.worksite,
                d.nature,
                d.organisation,
                d.start,
                d.end,
                d.site,
                d.to_site,
                d.new_route_km,
                d.saved_m
            ));
        }
        emit(&t)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `from,to` pairs of a wish-list CSV; a `from,to` header and `#` comments are skipped, and
/// a bad line is named by its number.
fn read_wish_file(file: &FsPath) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.eq_ignore_ascii_case("from,to") {
            continue;
        }
        let (a, b) = line.split_once(',').with_context(|| {
            format!(
                "{}:{}: expected `from,to`, got {line:?}",
                file.display(),
                i + 1
            )
        })?;
        anyhow::ensure!(
            !b.contains(','),
            "{}:{}: expected two fields, got {line:?}",
            file.display(),
            i + 1
        );
        out.push((a.trim().to_string(), b.trim().to_string()));
    }
    Ok(out)
}
