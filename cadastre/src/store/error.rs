//! What went wrong inside the data directory's database: the detail of
//! [`CadastreError::Store`](crate::CadastreError::Store), which adds the database's path.
//! Each variant says what the store was doing (the SQLite step, the change's version, the
//! feature's layer and id) and keeps the error underneath as its source.

use crate::model::Layer;

/// Why the store could not read or write its database.
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

/// Wraps a SQLite error with what the store was doing.
pub(super) fn sql(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + Copy {
    move |source| StoreError::Sqlite { op, source }
}

fn in_history(version: &Option<u64>) -> String {
    version.map_or(String::new(), |v| format!("history version {v} "))
}

fn by_version(later: &Option<u64>) -> String {
    later.map_or(String::new(), |v| format!(" by version {v}"))
}
