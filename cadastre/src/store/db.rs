//! The SQLite schema and the `features` rows: `features` (the current version, one row per
//! feature), `history` (one row per change: version, author, time, reason) and
//! `history_features` (one row per feature a change touched: its record before and after, as
//! JSON; read and written in `history.rs`). Both history tables are append-only (triggers
//! refuse UPDATE and DELETE). The current version number is the last history row's; an empty
//! store is version 0.
//!
//! Data directories written before `history_features` existed kept the list inline in
//! `history.features` (schema 0); `history::migrate` copies it over once (schema 1), right
//! after [`open`]; since then `history.features` is always `[]`.
//!
//! This module knows nothing of history: `history.rs` imports it, never the reverse.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::value::RawValue;
use serde_json::Value;

use super::feature::Record;
use crate::error::StoreError;
use crate::model::Layer;

/// A feature's key: its layer and id.
pub(super) type Key = (Layer, String);

/// Every stored feature, by key, as stored text (a `Value` tree per feature would take 2-4
/// times the memory: 250 MB to load 100k features).
pub(super) type State = BTreeMap<Key, Row>;

/// One feature a change touches: its row before (`None`: added) and after (`None`: deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowChange {
    pub layer: Layer,
    pub id: String,
    pub before: Option<Row>,
    pub after: Option<Row>,
}

/// A `features` row as stored: position, properties and geometry as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    pub position: i64,
    pub properties: String,
    pub geometry: Option<String>,
}

impl Row {
    pub fn of_record(r: &Record) -> Row {
        Row {
            position: r.position,
            properties: r.properties.to_string(),
            geometry: r.geometry.as_ref().map(Value::to_string),
        }
    }

    /// The row of a record's JSON as history keeps it, its text taken as is.
    pub fn of_record_json(text: &str) -> Result<Row, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Raw<'a> {
            position: i64,
            #[serde(borrow)]
            properties: &'a RawValue,
            #[serde(borrow, default)]
            geometry: Option<&'a RawValue>,
        }
        let raw: Raw<'_> = serde_json::from_str(text)?;
        Ok(Row {
            position: raw.position,
            properties: raw.properties.get().to_string(),
            geometry: raw.geometry.map(|g| g.get().to_string()),
        })
    }

    /// The stored record, parsed.
    pub fn to_record(&self) -> Result<Record, serde_json::Error> {
        let parse = serde_json::from_str::<Value>;
        Ok(Record {
            position: self.position,
            properties: parse(&self.properties)?,
            geometry: self.geometry.as_deref().map(parse).transpose()?,
        })
    }

    /// The record's JSON for history, the same text as `Record::to_value` writes (keys in
    /// serde_json's sorted order).
    pub fn record_json(&self) -> String {
        match &self.geometry {
            Some(g) => format!(
                r#"{{"geometry":{g},"position":{},"properties":{}}}"#,
                self.position, self.properties
            ),
            None => format!(
                r#"{{"position":{},"properties":{}}}"#,
                self.position, self.properties
            ),
        }
    }
}

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
CREATE TABLE IF NOT EXISTS history_features (
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    layer TEXT NOT NULL,
    id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    PRIMARY KEY (version, seq)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_features_no_update BEFORE UPDATE ON history_features
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS history_features_no_delete BEFORE DELETE ON history_features
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
";

/// Opens (creating if needed) the database at `path` and its tables: WAL, synchronous=FULL (an
/// acknowledged edit survives a power loss), a 5 s wait for another writer's lock.
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(sql("open the database"))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sql("set the busy timeout"))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(sql("set journal_mode=WAL"))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql("set synchronous=FULL"))?;
    conn.execute_batch(SCHEMA)
        .map_err(sql("create the tables"))?;
    Ok(conn)
}

/// The current version: the last change's (0 for an empty store).
pub(super) fn version(conn: &Connection) -> Result<u64, StoreError> {
    let v: i64 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM history", [], |r| {
            r.get(0)
        })
        .map_err(sql("read the version"))?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// Every stored feature, as stored.
pub(super) fn read_state(conn: &Connection) -> Result<State, StoreError> {
    let op = sql("read the features");
    let mut stmt = conn
        .prepare("SELECT layer, id, position, properties, geometry FROM features")
        .map_err(op)?;
    let rows = stmt
        .query_map([], |r| {
            let row = Row {
                position: r.get(2)?,
                properties: r.get(3)?,
                geometry: r.get(4)?,
            };
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, row))
        })
        .map_err(op)?;
    let mut state = State::new();
    for row in rows {
        let (layer, id, row) = row.map_err(op)?;
        state.insert((parse_layer(&layer)?, id), row);
    }
    Ok(state)
}

/// The stored row of one feature, if any.
pub(super) fn read_row(
    conn: &Connection,
    layer: Layer,
    id: &str,
) -> Result<Option<Row>, StoreError> {
    let op = sql("read a feature");
    let mut stmt = conn
        .prepare_cached(
            "SELECT position, properties, geometry FROM features WHERE layer = ?1 AND id = ?2",
        )
        .map_err(op)?;
    stmt.query_row(params![layer.as_str(), id], |r| {
        Ok(Row {
            position: r.get(0)?,
            properties: r.get(1)?,
            geometry: r.get(2)?,
        })
    })
    .optional()
    .map_err(op)
}

/// Sets one feature's row (`None`: deletes it).
pub(super) fn write_row(
    conn: &Connection,
    layer: Layer,
    id: &str,
    row: Option<&Row>,
) -> Result<(), StoreError> {
    let Some(row) = row else {
        let op = sql("delete a feature");
        let mut delete = conn
            .prepare_cached("DELETE FROM features WHERE layer = ?1 AND id = ?2")
            .map_err(op)?;
        delete.execute(params![layer.as_str(), id]).map_err(op)?;
        return Ok(());
    };
    let op = sql("write a feature");
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO features (layer, id, position, properties, geometry)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (layer, id) DO UPDATE SET position = excluded.position,
                 properties = excluded.properties, geometry = excluded.geometry",
        )
        .map_err(op)?;
    let p = params![
        layer.as_str(),
        id,
        row.position,
        row.properties,
        row.geometry
    ];
    upsert.execute(p).map_err(op)?;
    Ok(())
}

/// Every stored feature's key.
pub(super) fn read_keys(conn: &Connection) -> Result<Vec<Key>, StoreError> {
    let op = sql("read the feature keys");
    let mut stmt = conn.prepare("SELECT layer, id FROM features").map_err(op)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(op)?;
    let mut keys = Vec::new();
    for row in rows {
        let (layer, id) = row.map_err(op)?;
        keys.push((parse_layer(&layer)?, id));
    }
    Ok(keys)
}

pub(super) fn parse_layer(name: &str) -> Result<Layer, StoreError> {
    Layer::parse(name).ok_or_else(|| StoreError::UnknownLayer {
        name: name.to_string(),
    })
}

/// `v` as SQLite's integer; `what` names it in the error.
pub(super) fn to_i64(what: &'static str, v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::OutOfRange { what, value: v })
}

pub(super) fn clamp(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Wraps a SQLite error with what the store was doing.
pub(super) fn sql(op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + Copy {
    move |source| StoreError::Sqlite { op, source }
}
