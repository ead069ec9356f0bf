//! The cadastre's error types: what stops an operation, with its context (path, layer, index),
//! and [`StoreError`], the detail of a failure inside the data directory's database (the
//! SQLite step, the change's version, the feature's layer and id, the error underneath kept
//! as its source).

use std::path::PathBuf;

use crate::model::Layer;
use crate::problem::Report;

/// Why a cadastre operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CadastreError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The input is not the format it claims (not JSON, not a FeatureCollection, ...).
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    /// Validation found errors; nothing was written.
    #[error("{} error(s), {} warning(s)", report.n_errors(), report.n_warnings())]
    Invalid { report: Report },
    /// An input file over the size limit ([`crate::limits::Limits`]); nothing was read.
    #[error("{}: {bytes} bytes, over the limit of {max_file_mb} MB per file (max_file_mb)", .path.display())]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        max_file_mb: u64,
    },
    #[error("coordinate reference system: {0}")]
    Crs(String),
    /// The data directory's store failed.
    #[error("cadastre store {path}: {source}")]
    Store {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    /// An edit was based on an older version than the current one.
    #[error("stale edit: based on version {base}, the cadastre is at version {current}")]
    Stale { base: u64, current: u64 },
    #[error("{0}")]
    NotFound(String),
    /// An edit changes or deletes a feature that does not exist.
    #[error("{} {id:?}: no such feature", .layer.as_str())]
    NoSuchFeature { layer: Layer, id: String },
}

/// Why the store could not read or write its database: the detail of
/// [`CadastreError::Store`], which adds the database's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A SQLite call failed; `op` says what the store was doing.
    #[error("cannot {op}: {source}")]
    Sqlite {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// A stored record is not JSON of a record; `version` names the change whose history
    /// holds it (`None`: the current features).
    #[error("{}{} {id:?}: bad record: {source}", in_history(.version), .layer.as_str())]
    BadRecord {
        version: Option<u64>,
        layer: Layer,
        id: String,
        #[source]
        source: serde_json::Error,
    },
    /// A stored record is JSON but not a feature of its layer.
    #[error("{} {id:?}: {message}", .layer.as_str())]
    BadFeature {
        layer: Layer,
        id: String,
        message: String,
    },
    /// A layer name in the database that this build does not know.
    #[error("unknown layer {name:?}")]
    UnknownLayer { name: String },
    /// A schema-0 history row whose inline feature list does not parse.
    #[error("history version {version}: {source}")]
    BadInlineHistory {
        version: i64,
        #[source]
        source: serde_json::Error,
    },
    /// A feature row of the history whose change has no header row.
    #[error("history_features version {version}: no history row")]
    NoHistoryRow { version: u64 },
    /// A number too large for SQLite's 64-bit integers.
    #[error("{what} {value} is out of range")]
    OutOfRange { what: &'static str, value: u64 },
    /// Undo refused: a later change touched a feature of the undone one (`later`: the first
    /// such change, when the history names it).
    #[error(
        "cannot undo version {version}: {} {id:?} was changed since{}; undo that first",
        .layer.as_str(),
        by_version(.later)
    )]
    UndoConflict {
        version: u64,
        layer: Layer,
        id: String,
        later: Option<u64>,
    },
}

fn in_history(version: &Option<u64>) -> String {
    version.map_or(String::new(), |v| format!("history version {v} "))
}

fn by_version(later: &Option<u64>) -> String {
    later.map_or(String::new(), |v| format!(" by version {v}"))
}
