//! `irisops cadastre edit --data DIR --file CHANGE.json --author A --reason R --base-version V`:
//! applies a change set as one new version; every problem printed and nothing written when
//! it is malformed, invalid or stale (exit 1).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use cadastre::store::{read_change_set, Edit};
use cadastre::validate::{validate, ValidateOptions};
use cadastre::{Cadastre, CadastreError};

use super::{open_store, written, Author};

/// Arguments of `irisops cadastre edit`.
#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    data: PathBuf,
    /// The change-set JSON file.
    #[arg(long)]
    file: PathBuf,
    /// Who edits (recorded in the history).
    #[arg(long)]
    author: String,
    /// Why (recorded in the history).
    #[arg(long)]
    reason: String,
    /// The version the edit is based on; refused when the data has moved on since.
    #[arg(long)]
    base_version: u64,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let who = Author {
        author: &args.author,
        reason: &args.reason,
        base_version: Some(args.base_version),
    };
    let file = &args.file;
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
    let mut store = open_store(&args.data)?;
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
