//! The alerts and their history (schema 7): one `alert` row per alert — from the moment its
//! series turned pending, through firing, to resolved — with who acknowledged it and why.
//! Resolved rows are the history, kept `rollup_retention`; a pending alert that never fired
//! is removed when its condition clears (it was never an alert). At most one row per
//! fingerprint is open (pending or firing): a partial unique index says so.
//!
//! The tables are added by [`migrate_to`], one self-contained step that runs on every open
//! (`IF NOT EXISTS`), so renumbering it is the one line of [`ALERTS_SCHEMA`].

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{sql, Store, StoreError};

/// The schema version that adds the alerts' tables.
pub(crate) const ALERTS_SCHEMA: i64 = 7;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS alert (
    alert_id     INTEGER PRIMARY KEY,
    rule         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL,   -- pending | firing | resolved
    severity     TEXT NOT NULL,
    metric       TEXT NOT NULL,
    labels       TEXT NOT NULL,   -- JSON object
    annotations  TEXT NOT NULL,   -- JSON object
    value        REAL,
    pending_ms   INTEGER NOT NULL,
    fired_ms     INTEGER,
    resolved_ms  INTEGER,
    acked_by     TEXT,
    ack_comment  TEXT,
    acked_ms     INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS alert_open ON alert (fingerprint) WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS alert_resolved ON alert (resolved_ms) WHERE state = 'resolved';";

/// Adds the alerts' tables and stamps `version` (never lowering it), in one transaction.
pub(crate) fn migrate_to(conn: &mut Connection, version: i64) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(TABLES)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found < version {
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    tx.commit()
}

/// One alert as stored and as `GET /api/v1/alerts` answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    /// The rule's name (`alertname`).
    pub rule: String,
    /// Of the rule and the series: stable across restarts (Alertmanager's `fingerprint`).
    pub fingerprint: String,
    /// `pending`, `firing` or `resolved`.
    pub state: String,
    pub severity: String,
    pub metric: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The value at the last change.
    pub value: Option<f64>,
    /// When the condition started to hold, ms.
    pub pending_ms: i64,
    pub fired_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
    /// The API token's name that acknowledged it, its comment, when.
    pub acked_by: Option<String>,
    pub ack_comment: Option<String>,
    pub acked_ms: Option<i64>,
}

/// One change to the alerts, as the alerts task writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertWrite {
    /// A series turned pending, or fired: its open row inserted, or updated (`id` ignored;
    /// the acknowledgement kept).
    Open(Box<AlertRow>),
    /// Its open row resolved at `resolved_ms` with the last value.
    Resolve {
        fingerprint: String,
        resolved_ms: i64,
        value: f64,
    },
    /// A pending alert whose condition cleared before it fired: removed.
    Cancel { fingerprint: String },
}

const COLUMNS: &str = "alert_id, rule, fingerprint, state, severity, metric, labels, annotations, \
     value, pending_ms, fired_ms, resolved_ms, acked_by, ack_comment, acked_ms";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    let json = |i: usize| -> rusqlite::Result<BTreeMap<String, String>> {
        let text: String = r.get(i)?;
        // A row this code wrote is always a JSON object of strings; anything else reads empty.
        Ok(serde_json::from_str(&text).unwrap_or_default())
    };
    Ok(AlertRow {
        id: r.get(0)?,
        rule: r.get(1)?,
        fingerprint: r.get(2)?,
        state: r.get(3)?,
        severity: r.get(4)?,
        metric: r.get(5)?,
        labels: json(6)?,
        annotations: json(7)?,
        value: r.get(8)?,
        pending_ms: r.get(9)?,
        fired_ms: r.get(10)?,
        resolved_ms: r.get(11)?,
        acked_by: r.get(12)?,
        ack_comment: r.get(13)?,
        acked_ms: r.get(14)?,
    })
}

fn to_json(m: &BTreeMap<String, String>) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".to_string())
}

/// Which alerts a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertFilter {
    /// Pending and firing.
    Open,
    Pending,
    Firing,
    Resolved,
}

impl Store {
    /// Applies the alerts task's changes in one transaction.
    pub fn write_alerts(&mut self, writes: &[AlertWrite]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |op| sql(&path, op);
        let tx = self.conn.transaction().map_err(err("begin alerts"))?;
        for w in writes {
            match w {
                AlertWrite::Open(a) => {
                    tx.prepare_cached(
                        "INSERT INTO alert (rule, fingerprint, state, severity, metric, labels,
                            annotations, value, pending_ms, fired_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                         ON CONFLICT (fingerprint) WHERE state <> 'resolved' DO UPDATE SET
                            state = excluded.state, severity = excluded.severity,
                            labels = excluded.labels, annotations = excluded.annotations,
                            value = excluded.value, fired_ms = excluded.fired_ms",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            a.rule,
                            a.fingerprint,
                            a.state,
                            a.severity,
                            a.metric,
                            to_json(&a.labels),
                            to_json(&a.annotations),
                            a.value,
                            a.pending_ms,
                            a.fired_ms
                        ])
                    })
                    .map_err(err("open an alert"))?;
                }
                AlertWrite::Resolve {
                    fingerprint,
                    resolved_ms,
                    value,
                } => {
                    tx.prepare_cached(
                        "UPDATE alert SET state = 'resolved', resolved_ms = ?2, value = ?3
                         WHERE fingerprint = ?1 AND state <> 'resolved'",
                    )
                    .and_then(|mut s| s.execute(params![fingerprint, resolved_ms, value]))
                    .map_err(err("resolve an alert"))?;
                }
                AlertWrite::Cancel { fingerprint } => {
                    tx.prepare_cached(
                        "DELETE FROM alert WHERE fingerprint = ?1 AND state = 'pending'",
                    )
                    .and_then(|mut s| s.execute([fingerprint]))
                    .map_err(err("cancel an alert"))?;
                }
            }
        }
        tx.commit().map_err(err("commit alerts"))
    }

    /// The alerts of `filter`: firing first, then pending, then resolved; the most recent
    /// change first within each; `fingerprint` narrows to one series; at most `limit`.
    pub fn alerts(
        &self,
        filter: AlertFilter,
        fingerprint: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AlertRow>, StoreError> {
        let states = match filter {
            AlertFilter::Open => "state <> 'resolved'",
            AlertFilter::Pending => "state = 'pending'",
            AlertFilter::Firing => "state = 'firing'",
            AlertFilter::Resolved => "state = 'resolved'",
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM alert WHERE {states} AND (?1 IS NULL OR fingerprint = ?1)
                 ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END,
                    coalesce(resolved_ms, fired_ms, pending_ms) DESC, alert_id DESC
                 LIMIT ?2"
            ))
            .map_err(sql(&self.path, "read alerts"))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        stmt.query_map(params![fingerprint, limit], row)
            .and_then(|rows| rows.collect())
            .map_err(sql(&self.path, "read alerts"))
    }

    /// One alert by id.
    pub fn alert(&self, id: i64) -> Result<Option<AlertRow>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM alert WHERE alert_id = ?1"),
                [id],
                row,
            )
            .optional()
            .map_err(sql(&self.path, "read an alert"))
    }

    /// Records that `by` acknowledged alert `id` at `at_ms` with `comment` (a later ack
    /// replaces it); the alert as it is now, `None` when there is no such alert.
    pub fn ack_alert(
        &mut self,
        id: i64,
        by: &str,
        comment: &str,
        at_ms: i64,
    ) -> Result<Option<AlertRow>, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE alert SET acked_by = ?2, ack_comment = ?3, acked_ms = ?4 WHERE alert_id = ?1",
                params![id, by, comment, at_ms],
            )
            .map_err(sql(&self.path, "acknowledge an alert"))?;
        if n == 0 {
            return Ok(None);
        }
        self.alert(id)
    }

    /// Removes the resolved alerts resolved before `before_ms`; how many.
    pub fn prune_alerts(&mut self, before_ms: i64) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "DELETE FROM alert WHERE state = 'resolved' AND resolved_ms < ?1",
                [before_ms],
            )
            .map_err(sql(&self.path, "prune alerts"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Retention;

    fn open(fp: &str, state: &str, t: i64) -> AlertWrite {
        AlertWrite::Open(Box::new(AlertRow {
            id: 0,
            rule: "busy".into(),
            fingerprint: fp.into(),
            state: state.into(),
            severity: "warning".into(),
            metric: "utilisation".into(),
            labels: [("device".to_string(), "r1".to_string())].into(),
            annotations: BTreeMap::new(),
            value: Some(91.5),
            pending_ms: 1000,
            fired_ms: (state == "firing").then_some(t),
            resolved_ms: None,
            acked_by: None,
            ack_comment: None,
            acked_ms: None,
        }))
    }

    #[test]
    fn an_alert_goes_pending_firing_resolved_and_its_ack_stays() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), Retention::default()).unwrap();
        s.write_alerts(&[open("f1", "pending", 0), open("f2", "pending", 0)])
            .unwrap();
        s.write_alerts(&[AlertWrite::Cancel {
            fingerprint: "f2".into(),
        }])
        .unwrap();
        s.write_alerts(&[open("f1", "firing", 5000)]).unwrap();
        let firing = s.alerts(AlertFilter::Firing, None, 10).unwrap();
        assert_eq!(firing.len(), 1);
        let id = firing[0].id;
        assert_eq!(
            (firing[0].fired_ms, firing[0].pending_ms),
            (Some(5000), 1000)
        );
        let acked = s
            .ack_alert(id, "noc-alice", "on it", 6000)
            .unwrap()
            .unwrap();
        assert_eq!(acked.acked_by.as_deref(), Some("noc-alice"));
        assert_eq!(s.ack_alert(id + 100, "x", "", 0).unwrap(), None);
        s.write_alerts(&[AlertWrite::Resolve {
            fingerprint: "f1".into(),
            resolved_ms: 9000,
            value: 3.0,
        }])
        .unwrap();
        // The same series again: a new alert beside the resolved one.
        s.write_alerts(&[open("f1", "firing", 10_000)]).unwrap();
        let all: Vec<(String, Option<i64>)> = s
            .alerts(AlertFilter::Open, None, 10)
            .unwrap()
            .into_iter()
            .chain(s.alerts(AlertFilter::Resolved, Some("f1"), 10).unwrap())
            .map(|a| (a.state, a.resolved_ms))
            .collect();
        assert_eq!(
            all,
            [("firing".into(), None), ("resolved".into(), Some(9000))]
        );
        let old = s.alert(id).unwrap().unwrap();
        assert_eq!(
            (old.ack_comment.as_deref(), old.value),
            (Some("on it"), Some(3.0))
        );
        assert_eq!(s.prune_alerts(9001).unwrap(), 1);
        assert_eq!(s.alert(id).unwrap(), None);
    }

    #[test]
    fn the_step_is_idempotent_and_never_lowers_the_version() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path(), Retention::default()).unwrap());
        let mut conn = Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        migrate_to(&mut conn, ALERTS_SCHEMA).unwrap();
        migrate_to(&mut conn, 1).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, crate::store::schema::SCHEMA_VERSION);
    }
}
