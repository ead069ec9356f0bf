//! A whole new cadastre (an import) as one change, streamed: each feature is compared with its
//! stored row and, when it differs, written with its history row at once, so memory holds the
//! new cadastre and the set of its keys, never the history of every feature (an import of
//! 100k features: 588 MB peak before, see BENCHMARKS.md section 4).

use std::collections::HashSet;

use rusqlite::Connection;

use super::db::{self, Key, Row};
use super::feature::{feature_iter, ids};
use super::history;
use crate::error::{CadastreError, StoreError};
use crate::model::{Cadastre, Layer};
use crate::problem::{Problem, Report};

/// Refuses a cadastre with a repeated id in a layer (the store keys features by layer and id),
/// naming each repeat.
pub(super) fn check_ids(cad: &Cadastre) -> Result<(), CadastreError> {
    let mut seen: HashSet<(Layer, &str)> = HashSet::with_capacity(cad.n_features());
    let mut index = (Layer::Owners, 0usize);
    let mut report = Report::default();
    for (layer, id) in ids(cad) {
        index = if index.0 == layer {
            (layer, index.1 + 1)
        } else {
            (layer, 0)
        };
        if !seen.insert((layer, id)) {
            let message = format!("duplicate id {id:?}");
            report.push(Problem::error(
                layer,
                Some(index.1),
                Some(id),
                "id",
                message,
            ));
        }
    }
    if report.has_errors() {
        return Err(CadastreError::Invalid { report });
    }
    Ok(())
}

/// Writes change `version` turning the stored features into `cad`'s (each layer in `cad`'s
/// order, positions 0, 1, ...), inside the caller's transaction. `cad`'s ids must be unique
/// per layer ([`check_ids`]).
pub(super) fn write(conn: &Connection, version: u64, cad: &Cadastre) -> Result<(), StoreError> {
    let keep: HashSet<(Layer, &str)> = ids(cad).collect();
    let gone: Vec<Key> = db::read_keys(conn)?
        .into_iter()
        .filter(|(layer, id)| !keep.contains(&(*layer, id.as_str())))
        .collect();
    drop(keep);
    let mut seq = 0;
    let mut layer_position = (Layer::Owners, 0i64);
    for f in feature_iter(cad) {
        let layer = f.layer();
        layer_position = if layer_position.0 == layer {
            (layer, layer_position.1 + 1)
        } else {
            (layer, 0)
        };
        let record = f
            .record(layer_position.1)
            .map_err(|message| StoreError::BadFeature {
                layer,
                id: f.id().to_string(),
                message,
            })?;
        let new = Row::of_record(&record);
        let old = db::read_row(conn, layer, f.id())?;
        if old.as_ref() == Some(&new) {
            continue;
        }
        db::write_row(conn, layer, f.id(), Some(&new))?;
        let before = old.as_ref().map(Row::record_json);
        history::append(
            conn,
            version,
            seq,
            layer,
            f.id(),
            before,
            Some(new.record_json()),
        )?;
        seq += 1;
    }
    for (layer, id) in gone {
        let old = db::read_row(conn, layer, &id)?;
        db::write_row(conn, layer, &id, None)?;
        let before = old.as_ref().map(Row::record_json);
        history::append(conn, version, seq, layer, &id, before, None)?;
        seq += 1;
    }
    Ok(())
}
