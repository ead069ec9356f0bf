//! `irisops cadastre history --data DIR [--json] [--limit N]`: the changes, newest first.
//! Every write (`import`, `edit`, `undo`, `generate-demo`) names the version it is based on;
//! a stale one is refused, as is one whose result does not validate.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;

use cadastre::store::ChangeSummary;

use super::open_store;

/// Arguments of `irisops cadastre history`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    /// JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Only the N latest changes.
    #[arg(long)]
    limit: Option<usize>,
}

/// The JSON: `{"changes": [...]}`.
#[derive(Debug, Serialize)]
pub struct History {
    pub changes: Vec<Change>,
}

/// One change of the history.
#[derive(Debug, Serialize)]
pub struct Change {
    pub version: u64,
    pub time_ms: i64,
    /// `time_ms` as RFC 3339, UTC, to the second.
    pub time: String,
    pub author: String,
    pub reason: String,
    pub n_added: usize,
    pub n_changed: usize,
    pub n_deleted: usize,
}

impl From<&ChangeSummary> for Change {
    fn from(c: &ChangeSummary) -> Self {
        Change {
            version: c.version,
            time_ms: c.time_ms,
            time: rfc3339(c.time_ms),
            author: c.author.clone(),
            reason: c.reason.clone(),
            n_added: c.n_added,
            n_changed: c.n_changed,
            n_deleted: c.n_deleted,
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut changes = open_store(&args.data)?.summaries()?;
    changes.reverse();
    changes.truncate(args.limit.unwrap_or(usize::MAX));
    if args.json {
        let history = History {
            changes: changes.iter().map(Change::from).collect(),
        };
        println!("{}", crate::cli::pretty_json(&history)?);
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

fn rfc3339(time_ms: i64) -> String {
    DateTime::from_timestamp_millis(time_ms).map_or_else(
        || time_ms.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}
