//! The cadastre's error type: what stops an operation, with its context (path, layer, index).

use std::path::PathBuf;

use crate::problem::Report;
use crate::store::StoreError;

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
}
