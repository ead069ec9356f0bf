//! The history rows: a change's header (`history`) and one row per feature it touched
//! (`history_features`), written as the change goes so an import of 100k features never holds
//! the history of all of them at once; read back as rows (undo), as records (`Store::history`),
//! as counts (`Store::summaries`), or applied backwards onto a state (`Store::at_version`).
//! The history's own types ([`Change`], [`ChangeSummary`], [`FeatureChange`]) and the one
//! schema migration (it rewrites history) live here too.

use rusqlite::{params, Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::db::{clamp, parse_layer, sql, to_i64, write_row, Row, RowChange, State};
use crate::error::StoreError;
use crate::model::Layer;

/// One change in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub version: u64,
    pub author: String,
    /// Unix time, milliseconds.
    pub time_ms: i64,
    pub reason: String,
    pub features: Vec<FeatureChange>,
}

/// One change without its features: who, when, why, and how many features it added, changed
/// and deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSummary {
    pub version: u64,
    pub author: String,
    /// Unix time, milliseconds.
    pub time_ms: i64,
    pub reason: String,
    pub n_added: usize,
    pub n_changed: usize,
    pub n_deleted: usize,
}

/// One feature touched by a change: its stored record (a [`Record`](super::Record)'s JSON)
/// before (`None`: added) and after (`None`: deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureChange {
    pub layer: Layer,
    pub id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The schema version [`migrate`] leaves (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// Schema 0 → 1: copies the inline history lists into `history_features`.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let op = sql("migrate the history to schema 1");
    let schema = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    if schema(conn).map_err(op)? >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(op)?;
    if schema(&tx).map_err(op)? < SCHEMA_VERSION {
        let inline: Vec<(i64, String)> = tx
            .prepare("SELECT version, features FROM history ORDER BY version")
            .map_err(op)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(op)?
            .collect::<Result<_, _>>()
            .map_err(op)?;
        for (version, features) in inline {
            let features: Vec<FeatureChange> = serde_json::from_str(&features)
                .map_err(|source| StoreError::BadInlineHistory { version, source })?;
            let version = u64::try_from(version).unwrap_or(0);
            for (seq, fc) in features.iter().enumerate() {
                let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
                let (before, after) = (json(&fc.before), json(&fc.after));
                append(&tx, version, seq, fc.layer, &fc.id, before, after)?;
            }
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(op)?;
    }
    tx.commit().map_err(op)
}

/// Appends change `version`'s history row (inside the caller's transaction); its features
/// follow with [`append`].
pub(super) fn write_header(
    conn: &Connection,
    version: u64,
    author: &str,
    time_ms: i64,
    reason: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO history (version, author, time_ms, reason, features)
         VALUES (?1, ?2, ?3, ?4, '[]')",
        params![to_i64("version", version)?, author, time_ms, reason],
    )
    .map_err(sql("write a change's history row"))?;
    Ok(())
}

/// Appends the history row of one feature change `version` touched: its record JSON before
/// (`None`: added) and after (`None`: deleted); `seq` orders the features of a change.
pub(super) fn append(
    conn: &Connection,
    version: u64,
    seq: usize,
    layer: Layer,
    id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let op = sql("write a feature's history row");
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO history_features (version, seq, layer, id, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(op)?;
    let seq = to_i64("history seq", seq as u64)?;
    let version = to_i64("version", version)?;
    stmt.execute(params![version, seq, layer.as_str(), id, before, after])
        .map_err(op)?;
    Ok(())
}

/// Writes change `version`'s features and its history (inside the caller's transaction).
pub(super) fn write_change(
    conn: &Connection,
    header: &ChangeSummary,
    features: &[RowChange],
) -> Result<(), StoreError> {
    let version = header.version;
    write_header(
        conn,
        version,
        &header.author,
        header.time_ms,
        &header.reason,
    )?;
    for (seq, fc) in features.iter().enumerate() {
        write_row(conn, fc.layer, &fc.id, fc.after.as_ref())?;
        let json = |r: &Option<Row>| r.as_ref().map(Row::record_json);
        let (before, after) = (json(&fc.before), json(&fc.after));
        append(conn, version, seq, fc.layer, &fc.id, before, after)?;
    }
    Ok(())
}

/// Parses a history record's text with `parse`, naming the change and feature when it fails.
fn history_record<T>(
    version: u64,
    layer: Layer,
    id: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, serde_json::Error>,
) -> Result<Option<T>, StoreError> {
    text.map(parse)
        .transpose()
        .map_err(|source| StoreError::BadRecord {
            version: Some(version),
            layer,
            id: id.to_string(),
            source,
        })
}

/// The features change `version` touched, as rows, in order.
pub(super) fn read_row_changes(
    conn: &Connection,
    version: u64,
) -> Result<Vec<RowChange>, StoreError> {
    let op = sql("read a change's features");
    let mut stmt = conn
        .prepare(
            "SELECT layer, id, before, after FROM history_features
             WHERE version = ?1 ORDER BY seq",
        )
        .map_err(op)?;
    let rows = stmt
        .query_map([clamp(version)], |r| {
            let row: (String, String, Option<String>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            Ok(row)
        })
        .map_err(op)?;
    let mut out = Vec::new();
    for row in rows {
        let (layer, id, before, after) = row.map_err(op)?;
        let layer = parse_layer(&layer)?;
        let parse = |s: Option<String>| {
            history_record(version, layer, &id, s.as_deref(), Row::of_record_json)
        };
        let (before, after) = (parse(before)?, parse(after)?);
        out.push(RowChange {
            layer,
            id,
            before,
            after,
        });
    }
    Ok(out)
}

/// The history rows with a version in `after + 1..=upto`, oldest first, with their features.
pub(super) fn read_history(
    conn: &Connection,
    after: u64,
    upto: u64,
) -> Result<Vec<Change>, StoreError> {
    let mut out: Vec<Change> = read_summaries(conn, after, upto)?
        .into_iter()
        .map(|s| Change {
            version: s.version,
            author: s.author,
            time_ms: s.time_ms,
            reason: s.reason,
            features: Vec::new(),
        })
        .collect();
    let op = sql("read the history");
    let mut stmt = conn
        .prepare(
            "SELECT version, layer, id, before, after FROM history_features
             WHERE version > ?1 AND version <= ?2 ORDER BY version, seq",
        )
        .map_err(op)?;
    let rows = stmt
        .query_map([clamp(after), clamp(upto)], |r| {
            let row: (i64, String, String, Option<String>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(row)
        })
        .map_err(op)?;
    for row in rows {
        let (version, layer, id, before, after) = row.map_err(op)?;
        let version = u64::try_from(version).unwrap_or(0);
        let layer = parse_layer(&layer)?;
        let parse = |s: Option<String>| {
            history_record(version, layer, &id, s.as_deref(), |t| {
                serde_json::from_str::<Value>(t)
            })
        };
        let (before, after) = (parse(before)?, parse(after)?);
        let fc = FeatureChange {
            layer,
            id,
            before,
            after,
        };
        match out.iter_mut().rev().find(|c| c.version == version) {
            Some(change) => change.features.push(fc),
            None => return Err(StoreError::NoHistoryRow { version }),
        }
    }
    Ok(out)
}

/// The summaries of the changes with a version in `after + 1..=upto`, oldest first.
pub(super) fn read_summaries(
    conn: &Connection,
    after: u64,
    upto: u64,
) -> Result<Vec<ChangeSummary>, StoreError> {
    let op = sql("read the history's summaries");
    let mut stmt = conn
        .prepare(
            "SELECT h.version, h.author, h.time_ms, h.reason,
                 COALESCE(SUM(f.before IS NULL AND f.after IS NOT NULL), 0),
                 COALESCE(SUM(f.before IS NOT NULL AND f.after IS NOT NULL), 0),
                 COALESCE(SUM(f.before IS NOT NULL AND f.after IS NULL), 0)
             FROM history h LEFT JOIN history_features f ON f.version = h.version
             WHERE h.version > ?1 AND h.version <= ?2
             GROUP BY h.version ORDER BY h.version",
        )
        .map_err(op)?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let rows = stmt
        .query_map([clamp(after), clamp(upto)], |r| {
            Ok(ChangeSummary {
                version: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                author: r.get(1)?,
                time_ms: r.get(2)?,
                reason: r.get(3)?,
                n_added: count(r.get(4)?),
                n_changed: count(r.get(5)?),
                n_deleted: count(r.get(6)?),
            })
        })
        .map_err(op)?;
    rows.collect::<Result<_, _>>().map_err(op)
}

/// Sets every feature that changes `after + 1..=upto` touched back to its record before them,
/// newest change first, one history row at a time.
pub(super) fn revert(
    conn: &Connection,
    state: &mut State,
    after: u64,
    upto: u64,
) -> Result<(), StoreError> {
    let op = sql("read the history to revert");
    let mut stmt = conn
        .prepare(
            "SELECT version, layer, id, before FROM history_features
             WHERE version > ?1 AND version <= ?2 ORDER BY version DESC, seq DESC",
        )
        .map_err(op)?;
    let mut rows = stmt.query([clamp(after), clamp(upto)]).map_err(op)?;
    while let Some(r) = rows.next().map_err(op)? {
        let (version, layer, id): (i64, String, String) = (
            r.get(0).map_err(op)?,
            r.get(1).map_err(op)?,
            r.get(2).map_err(op)?,
        );
        let before: Option<String> = r.get(3).map_err(op)?;
        let version = u64::try_from(version).unwrap_or(0);
        let layer = parse_layer(&layer)?;
        let row = history_record(version, layer, &id, before.as_deref(), Row::of_record_json)?;
        let key = (layer, id);
        match row {
            Some(row) => state.insert(key, row),
            None => state.remove(&key),
        };
    }
    Ok(())
}

/// The first change after `after` that touched the feature, if any.
pub(super) fn later_change(
    conn: &Connection,
    after: u64,
    layer: Layer,
    id: &str,
) -> Result<Option<u64>, StoreError> {
    let v: Option<i64> = conn
        .query_row(
            "SELECT MIN(version) FROM history_features
             WHERE version > ?1 AND layer = ?2 AND id = ?3",
            params![clamp(after), layer.as_str(), id],
            |r| r.get(0),
        )
        .map_err(sql("find a later change"))?;
    Ok(v.and_then(|v| u64::try_from(v).ok()))
}
