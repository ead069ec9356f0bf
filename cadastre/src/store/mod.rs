//! The data directory (`--data DIR`): the cadastre in SQLite (`DIR/cadastre.db`, WAL,
//! synchronous=FULL), edited through validated, atomic, versioned changes with an append-only
//! history.
//!
//! - Every change ([`Store::apply`], [`Store::replace_all`], [`Store::undo`]) names the version
//!   it is based on; a change based on an older version is refused with
//!   [`CadastreError::Stale`] (optimistic check, no silent merge). The check and the write run
//!   inside one `BEGIN IMMEDIATE` transaction, so two stores on one file cannot both win.
//! - The changed cadastre is checked by the caller's validator first; a report with errors
//!   refuses the change ([`CadastreError::Invalid`]) and nothing is written.
//! - History keeps, for each feature a change touched, its stored record before and after
//!   (`{"position", "properties", "geometry"}`), so [`Store::at_version`] rebuilds any earlier
//!   version and [`Store::undo`] restores features byte for byte (the history's text is
//!   written back as is), at their old position. An import ([`Store::replace_all`]) writes
//!   each feature's history row as it goes (one transaction still), and [`Store::summaries`]
//!   counts without reading the records.
//! - Changes work on the features as stored text (`db::Row`); a feature is parsed only to
//!   build the cadastre to validate or return, so memory is about the text plus one cadastre.
//! - Undo refuses (naming the feature and the later version) when a later change touched a
//!   feature of the undone change ([`StoreError::UndoConflict`]): undo that later change first.
//! - A failure inside the database is a [`CadastreError::Store`] with the database's path and a
//!   [`StoreError`] saying what the store was doing, its source kept.
//!
//! Layout: `db` (the schema, the `features` rows; imports nothing of the store but `feature`),
//! `history` (the history tables, their types and the schema migration; imports `db`),
//! `changes` (edits and undo as row changes), `replace` (an import, streamed), `feature`
//! (records ↔ features), `change_set` (the edit file). [`StoreError`] sits with the crate's
//! other error in `crate::error`.

mod change_set;
mod db;
mod feature;
mod history;
mod replace;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use change_set::{
    read_change_request, read_change_set, ChangeProblem, ChangeRequest, ChangeSet, RequestError,
};
pub use feature::{feature_iter, features, Edit, Feature, Record};
pub use history::{Change, ChangeSummary, FeatureChange};

pub use crate::error::StoreError;

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer, LAYERS};
use crate::problem::Report;
use db::{sql, Key, Row, RowChange, State};

/// The database file inside the data directory.
pub const DB_FILE: &str = "cadastre.db";

/// The cadastre's data directory.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A validator: the caller passes `validate` (tests pass closures).
pub type Check<'a> = &'a dyn Fn(&Cadastre) -> Report;

impl Store {
    /// Opens the store in `dir` (created if missing).
    pub fn open(dir: &Path) -> Result<Store, CadastreError> {
        std::fs::create_dir_all(dir).map_err(|source| CadastreError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut conn = db::open(&path).map_err(|e| store_error(&path, e))?;
        history::migrate(&mut conn).map_err(|e| store_error(&path, e))?;
        Ok(Store { conn, path })
    }

    /// The current version (0 for an empty store).
    pub fn version(&self) -> Result<u64, CadastreError> {
        db::version(&self.conn).map_err(|e| store_error(&self.path, e))
    }

    /// The current cadastre and its version, read in one snapshot.
    pub fn load(&self) -> Result<(Cadastre, u64), CadastreError> {
        let err = |e: StoreError| store_error(&self.path, e);
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql("begin a read"))
            .map_err(err)?;
        let version = db::version(&tx).map_err(err)?;
        let state = db::read_state(&tx).map_err(err)?;
        Ok((to_cadastre(&state).map_err(err)?, version))
    }

    /// Applies `edits` as one change based on `base_version`; returns the new version.
    pub fn apply(
        &mut self,
        base_version: u64,
        edits: &[Edit],
        author: &str,
        reason: &str,
        check: Check<'_>,
    ) -> Result<u64, CadastreError> {
        let meta = Meta {
            author,
            reason,
            check,
        };
        self.write(base_version, meta, |_, state| {
            changes_of_edits(state, edits)
        })
    }

    /// Replaces the whole cadastre by `cad` (an import) as one change. The cadastre after the
    /// change is `cad` itself, so `check` runs on it before anything is locked or written; the
    /// write then streams (see `replace.rs`).
    pub fn replace_all(
        &mut self,
        base_version: u64,
        cad: &Cadastre,
        author: &str,
        reason: &str,
        check: Check<'_>,
    ) -> Result<u64, CadastreError> {
        replace::check_ids(cad)?;
        let report = check(cad);
        if report.has_errors() {
            return Err(CadastreError::Invalid { report });
        }
        let path = self.path.clone();
        let err = |e: StoreError| store_error(&path, e);
        let (tx, current) = begin(&mut self.conn, &path, base_version)?;
        let version = current + 1;
        history::write_header(&tx, version, author, now_ms(), reason).map_err(err)?;
        replace::write(&tx, version, cad).map_err(err)?;
        tx.commit().map_err(sql("commit the change")).map_err(err)?;
        Ok(version)
    }

    /// Undoes change `version` as a new change based on `base_version`. Refused when a later
    /// change touched one of its features (the error names the feature and that change).
    pub fn undo(
        &mut self,
        version: u64,
        base_version: u64,
        author: &str,
        reason: &str,
        check: Check<'_>,
    ) -> Result<u64, CadastreError> {
        let meta = Meta {
            author,
            reason,
            check,
        };
        self.write(base_version, meta, |conn, state| {
            changes_of_undo(conn, state, version)
        })
    }

    /// Every change, oldest first, with the records of its features (an import's are all of
    /// them: prefer [`Store::summaries`] to list changes).
    pub fn history(&self) -> Result<Vec<Change>, CadastreError> {
        history::read_history(&self.conn, 0, u64::MAX).map_err(|e| store_error(&self.path, e))
    }

    /// Every change's summary, oldest first.
    pub fn summaries(&self) -> Result<Vec<ChangeSummary>, CadastreError> {
        history::read_summaries(&self.conn, 0, u64::MAX).map_err(|e| store_error(&self.path, e))
    }

    /// Change `version`'s summary (`None`: no such change).
    pub fn summary(&self, version: u64) -> Result<Option<ChangeSummary>, CadastreError> {
        let after = version.saturating_sub(1);
        let found = history::read_summaries(&self.conn, after, version)
            .map_err(|e| store_error(&self.path, e))?;
        Ok(found.into_iter().find(|c| c.version == version))
    }

    /// Change `version` with the records of its features (`None`: no such change).
    pub fn change(&self, version: u64) -> Result<Option<Change>, CadastreError> {
        let after = version.saturating_sub(1);
        let found = history::read_history(&self.conn, after, version)
            .map_err(|e| store_error(&self.path, e))?;
        Ok(found.into_iter().find(|c| c.version == version))
    }

    /// The cadastre as it was at `version` (0: empty).
    pub fn at_version(&self, version: u64) -> Result<Cadastre, CadastreError> {
        let err = |e: StoreError| store_error(&self.path, e);
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql("begin a read"))
            .map_err(err)?;
        let current = db::version(&tx).map_err(err)?;
        if version > current {
            return Err(CadastreError::NotFound(format!(
                "version {version}: the cadastre is at version {current}"
            )));
        }
        let mut state = db::read_state(&tx).map_err(err)?;
        history::revert(&tx, &mut state, version, current).map_err(err)?;
        to_cadastre(&state).map_err(err)
    }

    /// The common write path: lock, version check, compute the changes, check, write.
    fn write(
        &mut self,
        base_version: u64,
        meta: Meta<'_>,
        changes: impl FnOnce(&Connection, &State) -> Result<Vec<RowChange>, CadastreError>,
    ) -> Result<u64, CadastreError> {
        let path = self.path.clone();
        let err = |e: StoreError| store_error(&path, e);
        let (tx, current) = begin(&mut self.conn, &path, base_version)?;
        let mut state = db::read_state(&tx).map_err(err)?;
        let features = changes(&tx, &state)?;
        for fc in &features {
            let key = (fc.layer, fc.id.clone());
            match &fc.after {
                Some(row) => state.insert(key, row.clone()),
                None => state.remove(&key),
            };
        }
        let report = (meta.check)(&to_cadastre(&state).map_err(err)?);
        if report.has_errors() {
            return Err(CadastreError::Invalid { report });
        }
        drop(state);
        let header = ChangeSummary {
            version: current + 1,
            author: meta.author.to_string(),
            time_ms: now_ms(),
            reason: meta.reason.to_string(),
            n_added: 0,
            n_changed: 0,
            n_deleted: 0,
        };
        history::write_change(&tx, &header, &features).map_err(err)?;
        tx.commit().map_err(sql("commit the change")).map_err(err)?;
        Ok(header.version)
    }
}

/// Takes the write lock and checks the version: the transaction and the current version.
fn begin<'c>(
    conn: &'c mut Connection,
    path: &Path,
    base_version: u64,
) -> Result<(Transaction<'c>, u64), CadastreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql("take the write lock"))
        .map_err(|e| store_error(path, e))?;
    let current = db::version(&tx).map_err(|e| store_error(path, e))?;
    if base_version != current {
        return Err(CadastreError::Stale {
            base: base_version,
            current,
        });
    }
    Ok((tx, current))
}

/// Who writes a change, why, and the validator it must pass.
struct Meta<'a> {
    author: &'a str,
    reason: &'a str,
    check: Check<'a>,
}

/// A store error naming the database at `path`.
fn store_error(path: &Path, source: StoreError) -> CadastreError {
    CadastreError::Store {
        path: path.to_path_buf(),
        source,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The cadastre of `state`: each layer in position order.
fn to_cadastre(state: &State) -> Result<Cadastre, StoreError> {
    let mut by_layer: HashMap<Layer, Vec<(&Key, &Row)>> = HashMap::new();
    for (key, row) in state {
        by_layer.entry(key.0).or_default().push((key, row));
    }
    let mut cad = Cadastre::default();
    for layer in LAYERS {
        let Some(mut rows) = by_layer.remove(&layer) else {
            continue;
        };
        rows.sort_by(|a, b| (a.1.position, &a.0 .1).cmp(&(b.1.position, &b.0 .1)));
        for ((layer, id), row) in rows {
            let record = row.to_record().map_err(|source| StoreError::BadRecord {
                version: None,
                layer: *layer,
                id: id.clone(),
                source,
            })?;
            let f = Feature::from_record(*layer, &record).map_err(|message| {
                StoreError::BadFeature {
                    layer: *layer,
                    id: id.clone(),
                    message,
                }
            })?;
            f.push_into(&mut cad);
        }
    }
    Ok(cad)
}

mod changes;
use changes::{changes_of_edits, changes_of_undo};

#[cfg(test)]
mod tests;
