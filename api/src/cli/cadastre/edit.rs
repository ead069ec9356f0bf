//! `irisops cadastre edit --data DIR --file CHANGE.json --author A --reason R --base-version V`:
//! applies a change set as one new version; every problem printed and nothing written when
//! it is malformed, invalid or stale (exit 1). The write is [`cadastre::writes::apply`], the
//! one `POST /api/v1/cadastre/changes` runs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use cadastre::store::{read_change_set, Edit};
use cadastre::writes;
use cadastre::CadastreError;

use super::{open_store, written};

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
    let file = &args.file;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let set = match read_change_set(&text, file) {
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
    let who = writes::Author {
        author: &args.author,
        reason: &args.reason,
    };
    let result = writes::apply(&mut store, args.base_version, &set, who);
    let (mut add, mut change, mut delete) = (0, 0, 0);
    for e in &set.edits {
        match e {
            Edit::Add(_) => add += 1,
            Edit::Change(_) => change += 1,
            Edit::Delete { .. } => delete += 1,
        }
    }
    let what = format!("applied {add} add(s), {change} change(s), {delete} delete(s)");
    written(result, &what)
}
