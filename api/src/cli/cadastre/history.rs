//! `irisops cadastre history --data DIR [--json] [--limit N]`: the changes, newest first.
//! Every write (`import`, `edit`, `undo`, `generate-demo`) names the version it is based on;
//! a stale one is refused, as is one whose result does not validate. The JSON is
//! [`cadastre::versions::History`], `GET /api/v1/cadastre/history`'s answer.

use std::path::PathBuf;
use std::process::ExitCode;

use cadastre::versions;

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

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let history = versions::history(&open_store(&args.data)?, args.limit)?;
    if args.json {
        println!("{}", crate::cli::pretty_json(&history)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>7}  {:<20}  {:<12} {:>7} {:>7} {:>7}  reason",
        "version", "time (UTC)", "author", "added", "changed", "deleted"
    );
    for c in &history.changes {
        println!(
            "{:>7}  {:<20}  {:<12} {:>7} {:>7} {:>7}  {}",
            c.version, c.time, c.author, c.n_added, c.n_changed, c.n_deleted, c.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}
