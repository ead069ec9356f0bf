//! `irisops cadastre history|show|undo|edit`: the data directory's versions through the CLI.
//! Every write names the version it is based on; a stale one is refused, as is one whose
//! result does not validate (every problem printed, nothing written).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat};

use cadastre::store::{read_change_set, ChangeSummary, Edit};
use cadastre::validate::{validate, ValidateOptions};
use cadastre::{geojson_io, Cadastre, CadastreError};

use super::{open_store, print_report};

/// `history --data DIR [--json] [--limit N]`: the changes, newest first.
pub fn history(data: &Path, json: bool, limit: Option<usize>) -> anyhow::Result<ExitCode> {
    let mut changes = open_store(data)?.summaries()?;
    changes.reverse();
    changes.truncate(limit.unwrap_or(usize::MAX));
    if json {
        let rows: Vec<serde_json::Value> = changes.iter().map(summary_json).collect();
        let v = serde_json::json!({ "changes": rows });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>7}  {:<20}  {:<12} {:>7} {:>7} {:>7}  reason",
        "version", "time (UTC)", "author", "added", "changed", "deleted"
    );
    for c in &changes {
        println!(
            "{:>7}  {:<20}  {:<12} {:>7} {:>7} {:>7}  {}",
            c.version,
            rfc3339(c.time_ms),
            c.author,
            c.n_added,
            c.n_changed,
            c.n_deleted,
            c.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn summary_json(c: &ChangeSummary) -> serde_json::Value {
    serde_json::json!({
        "version": c.version,
        "time_ms": c.time_ms,
        "time": rfc3339(c.time_ms),
        "author": c.author,
        "reason": c.reason,
        "n_added": c.n_added,
        "n_changed": c.n_changed,
        "n_deleted": c.n_deleted,
    })
}

fn rfc3339(time_ms: i64) -> String {
    DateTime::from_timestamp_millis(time_ms).map_or_else(
        || time_ms.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// `show --data DIR --version N --out DIR2`: the cadastre at version N as GeoJSON layers.
pub fn show(data: &Path, version: u64, out: &Path) -> anyhow::Result<ExitCode> {
    let cad = open_store(data)?.at_version(version)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    geojson_io::write_dir(&cad, out)?;
    eprintln!(
        "wrote version {version} ({} features) to {}",
        cad.n_features(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Who writes a change and why, and the version it is based on (`None`: the current one).
pub struct Author<'a> {
    pub author: &'a str,
    pub reason: &'a str,
    pub base_version: Option<u64>,
}

/// `undo --data DIR --version N --author A --reason R [--base-version V]`.
pub fn undo(data: &Path, version: u64, who: &Author<'_>) -> anyhow::Result<ExitCode> {
    let mut store = open_store(data)?;
    let base = match who.base_version {
        Some(v) => v,
        None => store.version()?,
    };
    let check = |c: &Cadastre| validate(c, &ValidateOptions::default());
    let result = store.undo(version, base, who.author, who.reason, &check);
    written(result, &format!("undid version {version}"))
}

/// `edit --data DIR --file CHANGE.json --author A --reason R --base-version V`.
pub fn edit(data: &Path, file: &Path, who: &Author<'_>) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (edits, report) = match read_change_set(&text, file) {
        Ok(x) => x,
        Err(CadastreError::Format { path, message }) => {
            for line in message.lines() {
                println!("error: {}: {line}", path.display());
            }
            println!("nothing written: the change set is malformed");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let mut store = open_store(data)?;
    let base = match who.base_version {
        Some(v) => v,
        None => store.version()?,
    };
    // The features that could not be read refuse the change with the validator's problems of
    // the rest, so one run prints every problem.
    let check = |c: &Cadastre| {
        let mut r = report.clone();
        r.extend(validate(c, &ValidateOptions::default()));
        r
    };
    let result = store.apply(base, &edits, who.author, who.reason, &check);
    let (mut add, mut change, mut delete) = (0, 0, 0);
    for e in &edits {
        match e {
            Edit::Add(_) => add += 1,
            Edit::Change(_) => change += 1,
            Edit::Delete { .. } => delete += 1,
        }
    }
    let what = format!("applied {add} add(s), {change} change(s), {delete} delete(s)");
    written(result, &what)
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
        Err(e @ (CadastreError::NotFound(_) | CadastreError::Store { .. })) => {
            println!("error: {e}");
            println!("nothing written");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
