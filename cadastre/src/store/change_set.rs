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

use serde::Deserialize;
use serde_json::value::RawValue;

use super::feature::{features, Edit, Feature};
use crate::error::CadastreError;
use crate::geojson_io;
use crate::model::{Cadastre, Layer};
use crate::problem::Report;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet<'a> {
    #[serde(borrow)]
    changes: Vec<RawChange<'a>>,
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

/// The edits of the change-set `text` (read from `path`), and the problems of its features.
/// A malformed file or change (not JSON, unknown op or layer, a missing `feature` or `id`) is a
/// [`CadastreError::Format`] listing every such change, one per line.
pub fn read_change_set(text: &str, path: &Path) -> Result<(Vec<Edit>, Report), CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: path.to_path_buf(),
        message,
    };
    let set: RawSet<'_> =
        serde_json::from_str(text).map_err(|e| format(format!("not a change set: {e}")))?;
    let mut edits = Vec::with_capacity(set.changes.len());
    let mut report = Report::default();
    let mut faults = Vec::new();
    for (index, change) in set.changes.iter().enumerate() {
        match edit(index, change, path, &mut report) {
            Ok(Some(e)) => edits.push(e),
            Ok(None) => {}
            Err(message) => faults.push(format!("changes[{index}]: {message}")),
        }
    }
    if !faults.is_empty() {
        return Err(format(faults.join("\n")));
    }
    Ok((edits, report))
}

/// Change `index` as an edit; `None` when its feature has problems (pushed to `report`).
fn edit(
    index: usize,
    change: &RawChange<'_>,
    path: &Path,
    report: &mut Report,
) -> Result<Option<Edit>, String> {
    let layer = Layer::parse(&change.layer)
        .ok_or_else(|| format!("layer: unknown layer {:?}", change.layer))?;
    let feature = |report: &mut Report| {
        let raw = change
            .feature
            .ok_or("feature: missing (add and change need one)")?;
        Ok::<_, String>(read_feature(layer, index, raw, path, report))
    };
    Ok(match change.op.as_str() {
        "add" => feature(report)?.map(Edit::Add),
        "change" => feature(report)?.map(Edit::Change),
        "delete" => {
            let id = change.id.clone().ok_or("id: missing (delete needs one)")?;
            Some(Edit::Delete { layer, id })
        }
        other => {
            return Err(format!(
                "op: expected add, change or delete, found {other:?}"
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
        read_change_set(text, Path::new("c.json")).map_err(|e| e.to_string())
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
}
