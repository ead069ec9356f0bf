//! Model → GeoJSON: one FeatureCollection per layer with a `"layer"` member; every feature has
//! its top-level `id` and `properties.id`; cables carry the union of their routes, hotspots
//! their site's Point. The file text is deterministic: input order, serde_json's shortest
//! round-trip floats, sorted property keys, one feature per line.

use std::collections::HashMap;
use std::path::Path;

use geo::{Geometry, LineString, MultiLineString};
use geojson::feature::Id;
use geojson::{Feature, FeatureCollection, GeometryValue};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer, Route, Site, LAYERS};

/// Writes every layer (empty ones too) as `DIR/LAYER.geojson`, each file replaced atomically
/// (written beside, then renamed).
pub fn write_dir(cad: &Cadastre, dir: &Path) -> Result<(), CadastreError> {
    let write_err = |path: &Path, source| CadastreError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    for layer in LAYERS {
        let path = dir.join(format!("{}.geojson", layer.as_str()));
        let tmp = dir.join(format!(".{}.geojson.tmp", layer.as_str()));
        let text = to_string(&to_feature_collection(cad, layer));
        std::fs::write(&tmp, text).map_err(|e| write_err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// The layer as a FeatureCollection, features in the cadastre's order.
pub fn to_feature_collection(cad: &Cadastre, layer: Layer) -> FeatureCollection {
    let features = match layer {
        Layer::Owners => features(&cad.owners, |o| &o.id, |_| None),
        Layer::Sites => features(&cad.sites, |s| &s.id, |s| Some((&s.location).into())),
        Layer::Routes => features(
            &cad.routes,
            |r| &r.id,
            |r| Some(route_geometry(&r.geometry)),
        ),
        Layer::Cables => {
            let routes: HashMap<&str, &Route> =
                cad.routes.iter().map(|r| (r.id.as_str(), r)).collect();
            features(
                &cad.cables,
                |c| &c.id,
                |c| cable_geometry(&c.routes, &routes),
            )
        }
        Layer::Allocations => features(&cad.allocations, |a| &a.id, |_| None),
        Layer::Hotspots => {
            let sites: HashMap<&str, &Site> =
                cad.sites.iter().map(|s| (s.id.as_str(), s)).collect();
            let at = |site: &str| sites.get(site).map(|s| (&s.location).into());
            features(&cad.hotspots, |h| &h.id, |h| at(&h.site))
        }
        Layer::Targets => features(&cad.targets, |t| &t.id, |t| Some((&t.location).into())),
        Layer::Worksites => features(
            &cad.worksites,
            |w| &w.id,
            |w| Some(area_geometry(&w.geometry)),
        ),
    };
    let mut members = Map::new();
    members.insert(
        "layer".to_string(),
        Value::String(layer.as_str().to_string()),
    );
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(members),
    }
}

/// The collection as the file's text: a header line, one feature per line, a closing line.
pub fn to_string(fc: &FeatureCollection) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\"");
    for (key, value) in fc.foreign_members.iter().flatten() {
        out.push_str(&format!(",{}:{}", Value::String(key.clone()), value));
    }
    out.push_str(",\"features\":[");
    for (i, f) in fc.features.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        // Serializing a Feature cannot fail (string keys only; NaN is written as null).
        out.push_str(&serde_json::to_string(f).unwrap_or_default());
    }
    out.push_str(if fc.features.is_empty() {
        "]}\n"
    } else {
        "\n]}\n"
    });
    out
}

fn features<T: Serialize>(
    items: &[T],
    id: impl Fn(&T) -> &String,
    geometry: impl Fn(&T) -> Option<GeometryValue>,
) -> Vec<Feature> {
    let feature = |item: &T| Feature {
        bbox: None,
        geometry: geometry(item).map(geojson::Geometry::new),
        id: Some(Id::String(id(item).clone())),
        properties: Some(properties(item)),
        foreign_members: None,
    };
    items.iter().map(feature).collect()
}

/// The struct's serde form. It cannot fail for the model's types (string keys, no maps of
/// non-string keys); an empty object stands in if it ever did.
fn properties<T: Serialize>(item: &T) -> Map<String, Value> {
    match serde_json::to_value(item) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// A one-part route is written as a LineString (and read back as a one-part MultiLineString).
fn route_geometry(lines: &MultiLineString<f64>) -> GeometryValue {
    match lines.0.as_slice() {
        [one] => one.into(),
        _ => lines.into(),
    }
}

/// The union of the cable's routes, in its order (unknown routes left out; none: null).
fn cable_geometry(ids: &[String], routes: &HashMap<&str, &Route>) -> Option<GeometryValue> {
    let parts: Vec<LineString<f64>> = ids
        .iter()
        .filter_map(|id| routes.get(id.as_str()))
        .flat_map(|r| r.geometry.0.iter().cloned())
        .collect();
    (!parts.is_empty()).then(|| (&MultiLineString::new(parts)).into())
}

fn area_geometry(g: &Geometry<f64>) -> GeometryValue {
    g.into()
}
