//! `irisops cadastre undo --data DIR --version N --author A --reason R [--base-version V]`:
//! undoes a change as a new change (refused, exit 1, when a later change touched one of its
//! features, or when V is stale). The write is [`cadastre::writes::undo`], the one
//! `POST /api/v1/cadastre/undo/{version}` runs.

use std::path::PathBuf;
use std::process::ExitCode;

use cadastre::writes;

use super::{open_store, written};

/// Arguments of `irisops cadastre undo`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    /// The version whose change to undo.
    #[arg(long)]
    version: u64,
    /// Who undoes (recorded in the history).
    #[arg(long)]
    author: String,
    /// Why (recorded in the history).
    #[arg(long)]
    reason: String,
    /// The version the undo is based on (default: the current one); refused when stale.
    #[arg(long)]
    base_version: Option<u64>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = open_store(&args.data)?;
    let base = match args.base_version {
        Some(v) => v,
        None => store.version()?,
    };
    let who = writes::Author {
        author: &args.author,
        reason: &args.reason,
    };
    let result = writes::undo(&mut store, args.version, base, who);
    written(result, &format!("undid version {}", args.version))
}
