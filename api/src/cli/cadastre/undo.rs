//! `irisops cadastre undo --data DIR --version N --author A --reason R [--base-version V]`:
//! undoes a change as a new change (refused, exit 1, when a later change touched one of its
//! features, or when V is stale).

use std::path::PathBuf;
use std::process::ExitCode;

use cadastre::validate::{validate, ValidateOptions};
use cadastre::Cadastre;

use super::{open_store, written, Author};

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
    let who = Author {
        author: &args.author,
        reason: &args.reason,
        base_version: args.base_version,
    };
    let mut store = open_store(&args.data)?;
    let base = match who.base_version {
        Some(v) => v,
        None => store.version()?,
    };
    let check = |c: &Cadastre| validate(c, &ValidateOptions::default());
    let result = store.undo(args.version, base, who.author, who.reason, &check);
    written(result, &format!("undid version {}", args.version))
}
