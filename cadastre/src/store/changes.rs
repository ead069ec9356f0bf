//! What a change does to the stored features: from edits, or as the inverse of an earlier
//! change (undo); a whole new cadastre (import) streams instead (`replace.rs`). Each returns the touched features with their
//! records before and after, in key order; features left as they were are not listed.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::db::{self, Key, State};
use super::feature::{Edit, Record};
use super::FeatureChange;
use crate::error::CadastreError;
use crate::model::Layer;
use crate::problem::{Problem, Report};

/// Before (as stored) and after (as edited so far) of each touched feature.
type Touched = BTreeMap<Key, (Option<Record>, Option<Record>)>;

/// The changes made by `edits`, applied in order. Adding an existing id, or changing or
/// deleting a missing one, is an error naming the layer and id.
pub(super) fn changes_of_edits(
    state: &State,
    edits: &[Edit],
) -> Result<Vec<FeatureChange>, CadastreError> {
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
                (key, Some(record))
            }
            Edit::Change(f) => {
                let key = (f.layer(), f.id().to_string());
                let old = current(state, &touched, &key).ok_or_else(|| missing(&key))?;
                let record = f.record(old.position).map_err(|m| bad_feature(&key, &m))?;
                (key, Some(record))
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
) -> Result<Vec<FeatureChange>, CadastreError> {
    let store_err = |message: String| CadastreError::Store {
        path: conn.path().unwrap_or_default().into(),
        message,
    };
    let change = db::read_change(conn, version)
        .map_err(store_err)?
        .ok_or_else(|| CadastreError::NotFound(format!("no change with version {version}")))?;
    let mut out = Vec::with_capacity(change.features.len());
    for fc in change.features {
        let key = (fc.layer, fc.id.clone());
        let now = state.get(&key).map(Record::to_value);
        if now != fc.after {
            let by = db::later_change(conn, version, fc.layer, &fc.id)
                .map_err(store_err)?
                .map_or(String::new(), |v| format!(" by version {v}"));
            return Err(store_err(format!(
                "cannot undo version {version}: {} {:?} was changed since{by}; undo that first",
                fc.layer.as_str(),
                fc.id
            )));
        }
        out.push(FeatureChange {
            before: fc.after,
            after: fc.before,
            ..fc
        });
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
fn current<'a>(state: &'a State, touched: &'a Touched, key: &Key) -> Option<&'a Record> {
    match touched.get(key) {
        Some((_, after)) => after.as_ref(),
        None => state.get(key),
    }
}

/// The touched features whose record changed.
fn listed(touched: Touched) -> Vec<FeatureChange> {
    touched
        .into_iter()
        .filter(|(_, (before, after))| before != after)
        .map(|((layer, id), (before, after))| FeatureChange {
            layer,
            id,
            before: before.as_ref().map(Record::to_value),
            after: after.as_ref().map(Record::to_value),
        })
        .collect()
}

fn duplicate(key: &Key) -> CadastreError {
    let message = format!("duplicate id {:?}: the feature already exists", key.1);
    let mut report = Report::default();
    report.push(Problem::error(key.0, None, Some(&key.1), "id", message));
    CadastreError::Invalid { report }
}

fn missing(key: &Key) -> CadastreError {
    CadastreError::NotFound(format!("{} {:?}: no such feature", key.0.as_str(), key.1))
}

fn bad_feature(key: &Key, message: &str) -> CadastreError {
    CadastreError::NotFound(format!("{} {:?}: {message}", key.0.as_str(), key.1))
}
