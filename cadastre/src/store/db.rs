//! The SQLite schema and its rows: `features` (the current version, one row per feature) and
//! `history` (append-only: triggers refuse UPDATE and DELETE). The current version number is
//! the last history row's; an empty store is version 0.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, Connection};
use serde_json::Value;

use super::feature::Record;
use super::{Change, FeatureChange};
use crate::model::Layer;

/// A feature's key: its layer and id.
pub(super) type Key = (Layer, String);

/// Every stored feature, by key.
pub(super) type State = BTreeMap<Key, Record>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS features (
    layer TEXT NOT NULL,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    properties TEXT NOT NULL,
    geometry TEXT,
    PRIMARY KEY (layer, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
    version INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    features TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
";

/// Opens (creating if needed) the database at `path`: WAL, synchronous=FULL (an acknowledged
/// edit survives a power loss), a 5 s wait for another writer's lock.
pub(super) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

pub(super) fn version(conn: &Connection) -> Result<u64, String> {
    let v: i64 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM history", [], |r| {
            r.get(0)
        })
        .map_err(|e| e.to_string())?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// Every stored feature. A row that does not parse is an error naming its layer and id.
pub(super) fn read_state(conn: &Connection) -> Result<State, String> {
    let mut stmt = conn
        .prepare("SELECT layer, id, position, properties, geometry FROM features")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| {
            let row: (String, String, i64, String, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(row)
        })
        .map_err(|e| e.to_string())?;
    let mut state = State::new();
    for row in rows {
        let (layer, id, position, properties, geometry) = row.map_err(|e| e.to_string())?;
        let layer = Layer::parse(&layer).ok_or_else(|| format!("unknown layer {layer:?}"))?;
        let parse = |s: &str| {
            serde_json::from_str::<Value>(s).map_err(|e| format!("{} {id:?}: {e}", layer.as_str()))
        };
        let record = Record {
            position,
            properties: parse(&properties)?,
            geometry: geometry.as_deref().map(parse).transpose()?,
        };
        state.insert((layer, id), record);
    }
    Ok(state)
}

/// Writes `change`'s features and appends its history row (inside the caller's transaction).
pub(super) fn write_change(conn: &Connection, change: &Change) -> Result<(), String> {
    let err = |e: rusqlite::Error| e.to_string();
    let mut delete = conn
        .prepare_cached("DELETE FROM features WHERE layer = ?1 AND id = ?2")
        .map_err(err)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO features (layer, id, position, properties, geometry)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(err)?;
    for fc in &change.features {
        delete
            .execute(params![fc.layer.as_str(), fc.id])
            .map_err(err)?;
        if let Some(after) = &fc.after {
            let r = Record::from_value(after)?;
            let geometry = r.geometry.as_ref().map(Value::to_string);
            let row = params![
                fc.layer.as_str(),
                fc.id,
                r.position,
                r.properties.to_string(),
                geometry
            ];
            insert.execute(row).map_err(err)?;
        }
    }
    let features = serde_json::to_string(&change.features).map_err(|e| e.to_string())?;
    conn.execute(
        "INSERT INTO history (version, author, time_ms, reason, features)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            i64::try_from(change.version).map_err(|e| e.to_string())?,
            change.author,
            change.time_ms,
            change.reason,
            features
        ],
    )
    .map_err(err)?;
    Ok(())
}

/// The history rows with a version in `after + 1..=upto`, oldest first.
pub(super) fn read_history(
    conn: &Connection,
    after: u64,
    upto: u64,
) -> Result<Vec<Change>, String> {
    let mut stmt = conn
        .prepare(
            "SELECT version, author, time_ms, reason, features FROM history
             WHERE version > ?1 AND version <= ?2 ORDER BY version",
        )
        .map_err(|e| e.to_string())?;
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let upto = i64::try_from(upto).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map([after, upto], |r| {
            let row: (i64, String, i64, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(row)
        })
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for row in rows {
        let (version, author, time_ms, reason, features) = row.map_err(|e| e.to_string())?;
        let features: Vec<FeatureChange> = serde_json::from_str(&features)
            .map_err(|e| format!("history version {version}: {e}"))?;
        out.push(Change {
            version: u64::try_from(version).unwrap_or(0),
            author,
            time_ms,
            reason,
            features,
        });
    }
    Ok(out)
}

/// The history row of `version`, if any.
pub(super) fn read_change(conn: &Connection, version: u64) -> Result<Option<Change>, String> {
    let mut changes = read_history(conn, version.saturating_sub(1), version)?;
    Ok(changes.pop().filter(|c| c.version == version))
}
