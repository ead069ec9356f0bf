//! The change-set file of `irisops cadastre edit`: one JSON object listing edits of any layer,
//! applied in order as one change.
//!
//! ```json
//! {"changes": [
//!   {"op": "add", "layer": "sites", "feature": {"type": "Feature", "id": "s-9", ...}},
//!   {"op": "change", "layer": "routes", "feature": {"type": "Feature", "id": "r-1", ...}},
//!   {"op": "delete", "layer": "cables", "id": "c-4"}
//! ]}
//! ```
//!
//! A `feature` is a GeoJSON Feature exactly as in the layer's file (WGS84, RFC 7946), read by
//! the same reader; its problems name the change's position in `changes` as their index
//! (`error: sites[0] (id "s-9") owner: ...` is the first change). Whether the edited cadastre
//! is valid is the store's check, after the changes are applied.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::feature::{features, Edit, Feature};
use crate::error::CadastreError;
use crate::geojson_io;
use crate::model::{Cadastre, Layer};
use crate::problem::{Report, Severity};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet<'a> {
    /// Each a [`RawChange`], read as an object ([`raw_changes`]).
    #[serde(borrow)]
    changes: Vec<&'a RawValue>,
}

/// The HTTP form: the change set with its `reason` (and an `author`, only to refuse it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest<'a> {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    author: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    changes: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange<'a> {
    op: String,
    layer: String,
    #[serde(borrow, default)]
    feature: Option<&'a RawValue>,
    #[serde(default)]
    id: Option<String>,
}

/// A change set read: its edits, in order, and the problems of the features that could not
/// be read (their `index` is the change's position in `changes`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSet {
    pub edits: Vec<Edit>,
    /// The change's position in `changes` of each edit.
    pub positions: Vec<usize>,
    pub report: Report,
}

/// The body of `POST /api/v1/cadastre/changes`: `{"reason": R, "changes": [...]}`, the change
/// set of `irisops cadastre edit` with the reason beside it. The author is who calls, never
/// the body: `has_author` says the body named one (the API refuses it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeRequest {
    pub reason: Option<String>,
    pub has_author: bool,
    pub set: ChangeSet,
}

/// Why a change request was not read.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestError {
    /// Not JSON, or not `{"reason", "changes": [...]}`.
    Malformed(String),
    /// Changes that are not edits (unknown op or layer, a missing `feature` or `id`).
    Faults(Vec<ChangeProblem>),
}

/// One problem of a change set, in the one shape the API answers (422): the change's position
/// in `changes`, the layer, the feature's position in its layer when the problem is about the
/// edited cadastre, its id, the field at fault and what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeProblem {
    pub severity: Severity,
    /// The position in `changes` of the change the problem is about (`None`: a feature no
    /// change touched, e.g. a route left without the site a change deleted).
    pub change: Option<usize>,
    pub layer: Option<Layer>,
    /// The feature's position in its layer once edited (`None`: not in the edited cadastre).
    pub index: Option<usize>,
    pub id: Option<String>,
    pub field: String,
    pub message: String,
}

/// The edits of the change-set `text` (read from `path`), and the problems of its features.
/// A malformed file or change (not JSON, unknown op or layer, a missing `feature` or `id`) is a
/// [`CadastreError::Format`] listing every such change, one per line.
pub fn read_change_set(text: &str, path: &Path) -> Result<ChangeSet, CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: path.to_path_buf(),
        message,
    };
    let set: RawSet<'_> =
        crate::json::object(text).map_err(|e| format(format!("not a change set: {e}")))?;
    let changes =
        raw_changes(&set.changes).map_err(|e| format(format!("not a change set: {e}")))?;
    match read_changes(&changes, path) {
        Ok(set) => Ok(set),
        Err(faults) => {
            let lines = faults.iter().map(|f| {
                let change = f.change.unwrap_or_default();
                format!("changes[{change}]: {}: {}", f.field, f.message)
            });
            Err(format(lines.collect::<Vec<_>>().join("\n")))
        }
    }
}

/// The change request `text` (an HTTP body; see [`ChangeRequest`]).
pub fn read_change_request(text: &str) -> Result<ChangeRequest, RequestError> {
    let malformed = |e: String| RequestError::Malformed(format!("not a change request: {e}"));
    let raw: RawRequest<'_> = crate::json::object(text).map_err(|e| malformed(e.to_string()))?;
    let changes = raw_changes(&raw.changes).map_err(malformed)?;
    let set = read_changes(&changes, Path::new("body")).map_err(RequestError::Faults)?;
    Ok(ChangeRequest {
        reason: raw.reason,
        has_author: raw.author.is_some(),
        set,
    })
}

/// The changes, each an object (`changes[2]: expected a JSON object, found an array`).
fn raw_changes<'a>(changes: &[&'a RawValue]) -> Result<Vec<RawChange<'a>>, String> {
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| crate::json::object(c.get()).map_err(|e| format!("changes[{i}]: {e}")))
        .collect()
}

/// Every change as an edit, or every change that is not one.
fn read_changes(changes: &[RawChange<'_>], path: &Path) -> Result<ChangeSet, Vec<ChangeProblem>> {
    let mut set = ChangeSet::default();
    let mut faults = Vec::new();
    if changes.is_empty() {
        // A version that changes nothing would only clutter the history.
        faults.push(ChangeProblem {
            severity: Severity::Error,
            change: None,
            layer: None,
            index: None,
            id: None,
            field: "changes".to_string(),
            message: "no change: a change set needs at least one".to_string(),
        });
    }
    for (index, change) in changes.iter().enumerate() {
        match edit(index, change, path, &mut set.report) {
            Ok(Some(e)) => {
                set.edits.push(e);
                set.positions.push(index);
            }
            Ok(None) => {}
            Err((field, message)) => faults.push(ChangeProblem {
                severity: Severity::Error,
                change: Some(index),
                layer: Layer::parse(&change.layer),
                index: None,
                id: change.id.clone(),
                field: field.to_string(),
                message,
            }),
        }
    }
    if faults.is_empty() {
        Ok(set)
    } else {
        Err(faults)
    }
}

/// Change `index` as an edit; `None` when its feature has problems (pushed to `report`). A
/// malformed change is its field and what is wrong.
fn edit(
    index: usize,
    change: &RawChange<'_>,
    path: &Path,
    report: &mut Report,
) -> Result<Option<Edit>, (&'static str, String)> {
    let layer = Layer::parse(&change.layer)
        .ok_or_else(|| ("layer", format!("unknown layer {:?}", change.layer)))?;
    let feature = |report: &mut Report| {
        let raw = change
            .feature
            .ok_or(("feature", "missing (add and change need one)".to_string()))?;
        Ok(read_feature(layer, index, raw, path, report))
    };
    Ok(match change.op.as_str() {
        "add" => feature(report)?.map(Edit::Add),
        "change" => feature(report)?.map(Edit::Change),
        "delete" => {
            let id = change
                .id
                .clone()
                .ok_or(("id", "missing (delete needs one)".to_string()))?;
            Some(Edit::Delete { layer, id })
        }
        other => {
            return Err((
                "op",
                format!("expected add, change or delete, found {other:?}"),
            ))
        }
    })
}

/// One GeoJSON Feature of `layer`, read as the layer's file would be.
fn read_feature(
    layer: Layer,
    index: usize,
    raw: &RawValue,
    path: &Path,
    report: &mut Report,
) -> Option<Feature> {
    let text = format!(
        r#"{{"type":"FeatureCollection","layer":"{}","features":[{}]}}"#,
        layer.as_str(),
        raw.get()
    );
    let mut one = Cadastre::default();
    let mut problems = Report::default();
    if let Err(e) = geojson_io::read_str(&text, path, None, &mut one, &mut problems) {
        let message = e.to_string();
        let p = crate::problem::Problem::error(layer, Some(index), None, "feature", message);
        report.push(p);
        return None;
    }
    for mut p in problems.problems {
        p.index = Some(index);
        report.push(p);
    }
    features(&one).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Vec<Edit>, Report), String> {
        read_change_set(text, Path::new("c.json"))
            .map(|s| (s.edits, s.report))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn edits_in_order_and_feature_problems_at_the_change_index() {
        let site = r#"{"type":"Feature","id":"s","geometry":{"type":"Point","coordinates":[4.36,50.85]},
            "properties":{"id":"s","name":"S","kind":"pop","status":"in_service"}}"#;
        let nameless = site.replace(r#""name":"S","#, "");
        let text = format!(
            r#"{{"changes":[{{"op":"delete","layer":"targets","id":"t"}},
                {{"op":"add","layer":"sites","feature":{site}}},
                {{"op":"change","layer":"sites","feature":{nameless}}}]}}"#
        );
        let (edits, report) = read(&text).unwrap();
        assert_eq!(edits.len(), 2);
        let Edit::Add(Feature::Site(s)) = &edits[1] else {
            panic!("{edits:?}")
        };
        assert_eq!(s.name, "S");
        let problems: Vec<_> = report.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [r#"error: sites[2] (id "s") name: missing field"#]
        );
    }

    #[test]
    fn every_malformed_change_is_named() {
        let text = r#"{"changes":[{"op":"move","layer":"sites"},{"op":"add","layer":"roads"},
            {"op":"delete","layer":"sites"},{"op":"add","layer":"sites"}]}"#;
        assert_eq!(
            read(text).unwrap_err(),
            "c.json: changes[0]: op: expected add, change or delete, found \"move\"\n\
             changes[1]: layer: unknown layer \"roads\"\n\
             changes[2]: id: missing (delete needs one)\n\
             changes[3]: feature: missing (add and change need one)"
        );
        assert!(read("[]")
            .unwrap_err()
            .starts_with("c.json: not a change set"));
    }

    /// Found by the `change_set` fuzz target: serde's derived structs also read an array of
    /// their fields in order, so `["r", "", []]` was a request (reason "r", an author, no
    /// change). The body, the file and each change must be objects.
    #[test]
    fn a_change_set_and_its_changes_are_objects() {
        let malformed = |text: &str| match read_change_request(text) {
            Err(RequestError::Malformed(m)) => m,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            malformed(r#"["r", "", []]"#),
            "not a change request: expected a JSON object, found an array"
        );
        assert_eq!(
            malformed(r#"{"changes":[["delete","sites",null,"s1"]]}"#),
            "not a change request: changes[0]: expected a JSON object, found an array"
        );
        assert!(malformed("[").starts_with("not a change request: EOF"));
        assert_eq!(
            read(r#"[[{"op":"delete","layer":"sites","id":"s1"}]]"#).unwrap_err(),
            "c.json: not a change set: expected a JSON object, found an array"
        );
        let one = r#"{"changes":[{"op":"delete","layer":"sites","id":"s1"}]}"#;
        assert_eq!(read(one).unwrap().0.len(), 1);
    }
}
