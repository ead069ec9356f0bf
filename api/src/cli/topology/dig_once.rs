//! `irisops topology dig-once --data DIR [--wish FROM:TO]... [--wish-file FILE.csv]
//! [--single-homed] [--buffer-m M] [--json]`: planned worksites along which a wanted new route
//! could be laid while the street is open, most metres saved first.

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
    let a = cadastre::answer::dig_once(&cad, &net, &pairs, args.single_homed, args.buffer_m)
        .map_err(|p| anyhow::anyhow!("invalid wish list:\n{}", p.join("\n")))?;
    let found = &a.candidates;
    if args.json {
        emit_json(&a)?;
    } else {
        let mut t = format!(
            "{} dig-once candidates among {} worksites\n",
            found.len(),
            cad.worksites.len()
        );
        for d in found {
            t.push_str(&format!(
                "{} ({}, {} to {}): new route {} → {} ({:.3} km), {:.0} m in the worksite\n",
                d.worksite,
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
