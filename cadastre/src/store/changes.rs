//! What a change does to the stored features: from edits, or as the inverse of an earlier
//! change (undo); a whole new cadastre (import) streams instead (`replace.rs`). Each returns the touched features with their
//! records before and after, in key order; features left as they were are not listed.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::db::{Key, Row, RowChange, State};
use super::feature::Edit;
use super::history;
use crate::error::{CadastreError, StoreError};
use crate::model::Layer;
use crate::problem::{Problem, Report};

/// Before (as stored) and after (as edited so far) of each touched feature.
type Touched = BTreeMap<Key, (Option<Row>, Option<Row>)>;

/// The changes made by `edits`, applied in order. Adding an existing id, or changing or
/// deleting a missing one, is an error naming the layer and id.
pub(super) fn changes_of_edits(
    state: &State,
    edits: &[Edit],
) -> Result<Vec<RowChange>, CadastreError> {
    let mut next_position = next_positions(state);
    let mut touched = Touched::new();
    for edit in edits {
        let (key, after) = match edit {
            Edit::Add(f) => {
                let key = (f.layer(), f.id().to_string());
                if current(state, &touched, &key).is_some() {
                    return Err(duplicate(&key));
                }
                let position = next_position.entry(key.0).or_insert(0);
                let record = f.record(*position).map_err(|m| bad_feature(&key, &m))?;
                *position += 1;
                (key, Some(Row::of_record(&record)))
            }
            Edit::Change(f) => {
                let key = (f.layer(), f.id().to_string());
                let old = current(state, &touched, &key).ok_or_else(|| missing(&key))?;
                let record = f.record(old.position).map_err(|m| bad_feature(&key, &m))?;
                (key, Some(Row::of_record(&record)))
            }
            Edit::Delete { layer, id } => {
                let key = (*layer, id.clone());
                current(state, &touched, &key).ok_or_else(|| missing(&key))?;
                (key, None)
            }
        };
        let before = state.get(&key).cloned();
        touched.entry(key).or_insert((before, None)).1 = after;
    }
    Ok(listed(touched))
}

/// The inverse of change `version`, refused when a later change touched one of its features.
pub(super) fn changes_of_undo(
    conn: &Connection,
    state: &State,
    version: u64,
) -> Result<Vec<RowChange>, CadastreError> {
    let store_err = |source: StoreError| store_error(conn, source);
    if history::read_summaries(conn, version.saturating_sub(1), version)
        .map_err(store_err)?
        .is_empty()
    {
        return Err(CadastreError::NotFound(format!(
            "no change with version {version}"
        )));
    }
    let mut out = history::read_row_changes(conn, version).map_err(store_err)?;
    for fc in &mut out {
        // Rows are canonical text: equal text, equal feature.
        if state.get(&(fc.layer, fc.id.clone())) != fc.after.as_ref() {
            let later =
                history::later_change(conn, version, fc.layer, &fc.id).map_err(store_err)?;
            return Err(store_err(StoreError::UndoConflict {
                version,
                layer: fc.layer,
                id: fc.id.clone(),
                later,
            }));
        }
        std::mem::swap(&mut fc.before, &mut fc.after);
    }
    Ok(out)
}

/// The first free position of each layer (one past the largest).
fn next_positions(state: &State) -> HashMap<Layer, i64> {
    let mut next = HashMap::new();
    for ((layer, _), record) in state {
        let p = next.entry(*layer).or_insert(0);
        *p = (*p).max(record.position + 1);
    }
    next
}

/// The feature's record after the edits so far (`None`: missing or deleted).
fn current<'a>(state: &'a State, touched: &'a Touched, key: &Key) -> Option<&'a Row> {
    match touched.get(key) {
        Some((_, after)) => after.as_ref(),
        None => state.get(key),
    }
}

/// The touched features whose record changed.
fn listed(touched: Touched) -> Vec<RowChange> {
    touched
        .into_iter()
        .filter(|(_, (before, after))| before != after)
        .map(|((layer, id), (before, after))| RowChange {
            layer,
            id,
            before,
            after,
        })
        .collect()
}

/// A store error naming the database of `conn`.
fn store_error(conn: &Connection, source: StoreError) -> CadastreError {
    CadastreError::Store {
        path: conn.path().unwrap_or_default().into(),
        source,
    }
}

fn duplicate(key: &Key) -> CadastreError {
    let message = format!("duplicate id {:?}: the feature already exists", key.1);
    let mut report = Report::default();
    report.push(Problem::error(key.0, None, Some(&key.1), "id", message));
    CadastreError::Invalid { report }
}

fn missing(key: &Key) -> CadastreError {
    CadastreError::NoSuchFeature {
        layer: key.0,
        id: key.1.clone(),
    }
}

fn bad_feature(key: &Key, message: &str) -> CadastreError {
    CadastreError::NotFound(format!("{} {:?}: {message}", key.0.as_str(), key.1))
}
