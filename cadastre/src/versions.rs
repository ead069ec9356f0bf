//! The history as the CLI's `--json` and the HTTP API both answer it: [`History`] (`irisops
//! cadastre history --json`, `GET /api/v1/cadastre/history`) and [`ChangeDiff`], one change's
//! features before and after (`GET /api/v1/cadastre/history/{version}`). One struct per
//! answer, built here, serialised by both.

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::CadastreError;
use crate::model::Layer;
use crate::store::{ChangeSummary, FeatureChange, Store};

/// The changes, newest first: `{"changes": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub changes: Vec<HistoryEntry>,
}

/// One change of the history: who, when, why, and how many features it added, changed and
/// deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub version: u64,
    pub time_ms: i64,
    /// `time_ms` as RFC 3339, UTC, to the second.
    pub time: String,
    pub author: String,
    pub reason: String,
    pub n_added: usize,
    pub n_changed: usize,
    pub n_deleted: usize,
}

impl From<&ChangeSummary> for HistoryEntry {
    fn from(c: &ChangeSummary) -> Self {
        HistoryEntry {
            version: c.version,
            time_ms: c.time_ms,
            time: rfc3339(c.time_ms),
            author: c.author.clone(),
            reason: c.reason.clone(),
            n_added: c.n_added,
            n_changed: c.n_changed,
            n_deleted: c.n_deleted,
        }
    }
}

/// The `limit` latest changes (all when `None`), newest first.
pub fn history(store: &Store, limit: Option<usize>) -> Result<History, CadastreError> {
    let mut changes = store.summaries()?;
    changes.reverse();
    changes.truncate(limit.unwrap_or(usize::MAX));
    Ok(History {
        changes: changes.iter().map(HistoryEntry::from).collect(),
    })
}

/// One change: its history entry and each feature it touched, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeDiff {
    #[serde(flatten)]
    pub change: HistoryEntry,
    /// In the order the change wrote them.
    pub features: Vec<FeatureDiff>,
}

/// What a change did to one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    Added,
    Changed,
    Deleted,
}

/// One feature a change touched: GeoJSON Features as stored (`properties` and `geometry`; a
/// cable's geometry, its routes' on export, is `null` here) before (`null`: added) and after
/// (`null`: deleted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureDiff {
    pub layer: Layer,
    pub id: String,
    pub op: DiffOp,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Change `version`'s diff; [`CadastreError::NotFound`] when there is no such change.
pub fn diff(store: &Store, version: u64) -> Result<ChangeDiff, CadastreError> {
    let not_found = || CadastreError::NotFound(format!("no change with version {version}"));
    let summary = store.summary(version)?.ok_or_else(not_found)?;
    let change = store.change(version)?.ok_or_else(not_found)?;
    Ok(ChangeDiff {
        change: HistoryEntry::from(&summary),
        features: change.features.into_iter().map(feature_diff).collect(),
    })
}

fn feature_diff(fc: FeatureChange) -> FeatureDiff {
    let op = match (&fc.before, &fc.after) {
        (None, _) => DiffOp::Added,
        (Some(_), None) => DiffOp::Deleted,
        (Some(_), Some(_)) => DiffOp::Changed,
    };
    let feature = |record: Option<Value>| record.map(|r| as_feature(&fc.id, r));
    FeatureDiff {
        layer: fc.layer,
        op,
        before: feature(fc.before),
        after: feature(fc.after),
        id: fc.id,
    }
}

/// A stored record (`{"position", "properties", "geometry"?}`) as a GeoJSON Feature.
fn as_feature(id: &str, record: Value) -> Value {
    let Value::Object(mut r) = record else {
        return Value::Null;
    };
    let mut f = Map::new();
    f.insert("type".into(), "Feature".into());
    f.insert("id".into(), id.into());
    f.insert(
        "geometry".into(),
        r.remove("geometry").unwrap_or(Value::Null),
    );
    f.insert(
        "properties".into(),
        r.remove("properties").unwrap_or(Value::Null),
    );
    Value::Object(f)
}

/// `time_ms` as RFC 3339, UTC, to the second (the number itself when out of chrono's range).
pub fn rfc3339(time_ms: i64) -> String {
    DateTime::from_timestamp_millis(time_ms).map_or_else(
        || time_ms.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}
