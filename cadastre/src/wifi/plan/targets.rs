//! Target places from a GeoJSON FeatureCollection (WGS84 lon/lat, as RFC 7946 says) of
//! Points, Polygons or MultiPolygons, e.g. the region's districts with their population. A
//! polygon stands for its centroid (geo's `Centroid`: area-weighted, so a MultiPolygon's
//! larger parts pull harder; it may fall outside a concave shape).
//!
//! Per feature: the id is the `id` property, else the feature's id, else `t-<index>`; the
//! name is `name` (else the id); the kind is the kind property (`kind` unless named), else
//! `district` for a polygon and `place` for a point; the weight is the weight property
//! (`weight` unless named). A missing, non-numeric or negative weight, a geometry of another
//! type or without a centroid, or a repeated id is a [`Problem`] naming the feature's index and
//! the property, and the feature is skipped; the others are kept.

use std::collections::BTreeSet;
use std::path::PathBuf;

use geo::{Centroid, Geometry, Point};
use geojson::{feature::Id, GeoJson};
use serde_json::{Map, Value};

use crate::error::CadastreError;
use crate::model::{Layer, TargetPlace};
use crate::problem::Problem;

/// Reads target places from `text` (see the module doc); `weight_property` and
/// `kind_property` name the properties to read (default `weight` and `kind`). Fails only when
/// the text is not a GeoJSON FeatureCollection.
pub fn targets_from_geojson(
    text: &str,
    weight_property: Option<&str>,
    kind_property: Option<&str>,
) -> Result<(Vec<TargetPlace>, Vec<Problem>), CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: PathBuf::from("targets"),
        message,
    };
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => return Err(format("not a GeoJSON FeatureCollection".to_string())),
        Err(e) => return Err(format(format!("not GeoJSON: {e}"))),
    };
    let weight_key = weight_property.unwrap_or("weight");
    let kind_key = kind_property.unwrap_or("kind");
    let mut targets = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let empty = Map::new();
    for (index, f) in collection.features.into_iter().enumerate() {
        let props = f.properties.as_ref().unwrap_or(&empty);
        let id = match (props.get("id"), &f.id) {
            (Some(Value::String(s)), _) => s.clone(),
            (Some(Value::Number(n)), _) => n.to_string(),
            (_, Some(Id::String(s))) => s.clone(),
            (_, Some(Id::Number(n))) => n.to_string(),
            _ => format!("t-{index}"),
        };
        let problem = |field: &str, message: String| {
            Problem::error(Layer::Targets, Some(index), Some(&id), field, message)
        };
        let weight = match props.get(weight_key).and_then(Value::as_f64) {
            Some(w) if w >= 0.0 && w.is_finite() => w,
            Some(w) => {
                problems.push(problem(weight_key, format!("negative weight {w}")));
                continue;
            }
            None => {
                let what = match props.get(weight_key) {
                    None | Some(Value::Null) => "missing".to_string(),
                    Some(v) => format!("not a number: {v}"),
                };
                problems.push(problem(weight_key, what));
                continue;
            }
        };
        let (location, default_kind) = match place_of(f.geometry) {
            Ok(found) => found,
            Err(message) => {
                problems.push(problem("geometry", message));
                continue;
            }
        };
        if !seen.insert(id.clone()) {
            problems.push(problem("id", format!("repeated id {id:?}")));
            continue;
        }
        let text = |key: &str| props.get(key).and_then(Value::as_str).map(str::to_string);
        targets.push(TargetPlace {
            name: text("name").unwrap_or_else(|| id.clone()),
            kind: text(kind_key).unwrap_or_else(|| default_kind.to_string()),
            id,
            weight,
            location,
        });
    }
    Ok((targets, problems))
}

/// The point a feature's geometry stands for, and the default kind.
fn place_of(geometry: Option<geojson::Geometry>) -> Result<(Point<f64>, &'static str), String> {
    let g = geometry.ok_or_else(|| "missing".to_string())?;
    let g = crate::geometry::from_geojson(&g.value).map_err(|e| format!("not a geometry: {e}"))?;
    let (c, kind) = match &g {
        Geometry::Point(p) => (Some(*p), "place"),
        Geometry::Polygon(p) => (p.centroid(), "district"),
        Geometry::MultiPolygon(p) => (p.centroid(), "district"),
        _ => return Err("expected a Point, a Polygon or a MultiPolygon".to_string()),
    };
    match c {
        Some(p) if p.x().is_finite() && p.y().is_finite() => Ok((p, kind)),
        _ => Err("no centroid (empty or degenerate)".to_string()),
    }
}
