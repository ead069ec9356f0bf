//! The store's error type: every variant names the database path and the operation that failed,
//! so a log line is enough to find the file and the step.

use std::path::{Path, PathBuf};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store directory could not be created.
    #[error("cannot create store directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed; `op` names the store operation (`open`, `write`, `rollup`, ...).
    #[error("store {path}: {op}: {source}")]
    Sqlite {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer irisops (unknown schema version).
    #[error("store {path}: schema version {found} is newer than this build's {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// No device by that name has been stored.
    #[error("unknown device {device}")]
    UnknownDevice { device: String },
    /// No port by that key has been stored for the device.
    #[error("unknown port {port} on device {device}")]
    UnknownPort { device: String, port: String },
    /// A read was asked with an unusable argument (an empty range, a step of zero).
    #[error("invalid argument to {op}: {reason}")]
    InvalidArgument {
        op: &'static str,
        reason: &'static str,
    },
}

/// Maps a rusqlite error to [`StoreError::Sqlite`] with its context.
pub(crate) fn sql<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        op,
        source,
    }
}
