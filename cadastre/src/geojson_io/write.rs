//! Model → GeoJSON: one FeatureCollection per layer with a `"layer"` member; every feature has
//! its top-level `id` and `properties.id`; cables carry the union of their routes, hotspots
//! their site's Point. The file text is deterministic: input order, serde_json's shortest
//! round-trip floats, properties in the struct's field order, one feature per line.

use std::collections::HashMap;
use std::path::Path;

use geo::{Intersects, LineString, MultiLineString};
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
        let text = to_text(cad, layer).map_err(|e| CadastreError::Format {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&tmp, text).map_err(|e| write_err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// The layer as a FeatureCollection, features in the cadastre's order.
pub fn to_feature_collection(cad: &Cadastre, layer: Layer) -> FeatureCollection {
    let mut features = Features(vec![]);
    walk(cad, layer, &mut features);
    let mut members = Map::new();
    members.insert(
        "layer".to_string(),
        Value::String(layer.as_str().to_string()),
    );
    FeatureCollection {
        bbox: None,
        features: features.0,
        foreign_members: Some(members),
    }
}

/// The layer's file text (`LAYER.geojson` as [`write_dir`] writes it): a header line with the
/// `layer` member, one feature per line (properties in the struct's field order), a closing
/// line. Written straight from the structs: building `Feature`s first costs as much as the
/// rest of the export.
pub fn to_text(cad: &Cadastre, layer: Layer) -> Result<Vec<u8>, serde_json::Error> {
    layer_text(cad, layer, None)
}

/// The layer's text as [`to_text`] writes it, with only the features `filter` keeps.
pub fn to_text_filtered(
    cad: &Cadastre,
    layer: Layer,
    filter: &Filter,
) -> Result<Vec<u8>, serde_json::Error> {
    layer_text(cad, layer, Some(filter))
}

/// Which features of a layer to keep; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// The feature's geometry intersects this box (a feature without geometry is left out).
    pub bbox: Option<geo::Rect<f64>>,
    /// The feature's `owner` property (in the `owners` layer: its `id`) is this.
    pub owner: Option<String>,
    /// The feature's `status` property is this (a layer without one keeps nothing).
    pub status: Option<String>,
}

impl Filter {
    fn keeps<T: Serialize>(
        &self,
        layer: Layer,
        geometry: Option<&GeometryValue>,
        item: &T,
    ) -> bool {
        if let Some(bbox) = &self.bbox {
            let inside = geometry
                .and_then(|g| geo::Geometry::<f64>::try_from(g.clone()).ok())
                .is_some_and(|g| g.intersects(bbox));
            if !inside {
                return false;
            }
        }
        if self.owner.is_none() && self.status.is_none() {
            return true;
        }
        let Ok(Value::Object(props)) = serde_json::to_value(item) else {
            return false;
        };
        let owner_key = if layer == Layer::Owners {
            "id"
        } else {
            "owner"
        };
        let is = |key: &str, want: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| props.get(key).and_then(Value::as_str) == Some(w.as_str()))
        };
        is(owner_key, &self.owner) && is("status", &self.status)
    }
}

fn layer_text(
    cad: &Cadastre,
    layer: Layer,
    filter: Option<&Filter>,
) -> Result<Vec<u8>, serde_json::Error> {
    let capacity = if filter.is_some() {
        4096
    } else {
        256 * cad.len(layer)
    };
    let mut text = Text {
        out: Vec::with_capacity(capacity),
        n: 0,
        error: None,
        filter: filter.map(|f| (layer, f)),
    };
    text.out
        .extend_from_slice(b"{\"type\":\"FeatureCollection\",\"layer\":");
    serde_json::to_writer(&mut text.out, layer.as_str())?;
    text.out.extend_from_slice(b",\"features\":[");
    walk(cad, layer, &mut text);
    if let Some(e) = text.error {
        return Err(e);
    }
    let end: &[u8] = if text.n == 0 { b"]}\n" } else { b"\n]}\n" };
    text.out.extend_from_slice(end);
    Ok(text.out)
}

/// Receives a layer's features one by one.
trait Sink {
    fn feature<T: Serialize>(&mut self, id: &str, geometry: Option<GeometryValue>, item: &T);
}

/// Collects `geojson::Feature`s.
struct Features(Vec<Feature>);

impl Sink for Features {
    fn feature<T: Serialize>(&mut self, id: &str, geometry: Option<GeometryValue>, item: &T) {
        // The model's types always serialize to an object (string keys only).
        let properties = match serde_json::to_value(item) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        self.0.push(Feature {
            bbox: None,
            geometry: geometry.map(geojson::Geometry::new),
            id: Some(Id::String(id.to_string())),
            properties: Some(properties),
            foreign_members: None,
        });
    }
}

/// Writes features as text, one per line; keeps the first error.
struct Text<'f> {
    out: Vec<u8>,
    n: usize,
    error: Option<serde_json::Error>,
    filter: Option<(Layer, &'f Filter)>,
}

impl Sink for Text<'_> {
    fn feature<T: Serialize>(&mut self, id: &str, geometry: Option<GeometryValue>, item: &T) {
        if let Some((layer, f)) = self.filter {
            if !f.keeps(layer, geometry.as_ref(), item) {
                return;
            }
        }
        let out = &mut self.out;
        out.extend_from_slice(if self.n == 0 { b"\n" } else { b",\n" });
        self.n += 1;
        out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
        let mut result = serde_json::to_writer(&mut *out, id);
        out.extend_from_slice(b",\"geometry\":");
        result = result.and_then(|()| serde_json::to_writer(&mut *out, &geometry));
        out.extend_from_slice(b",\"properties\":");
        result = result.and_then(|()| serde_json::to_writer(&mut *out, item));
        out.push(b'}');
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

/// Every feature of the layer, in order, with its geometry.
fn walk(cad: &Cadastre, layer: Layer, sink: &mut impl Sink) {
    match layer {
        Layer::Owners => cad.owners.iter().for_each(|o| sink.feature(&o.id, None, o)),
        Layer::Sites => cad
            .sites
            .iter()
            .for_each(|s| sink.feature(&s.id, Some((&s.location).into()), s)),
        Layer::Routes => cad
            .routes
            .iter()
            .for_each(|r| sink.feature(&r.id, Some(route_geometry(&r.geometry)), r)),
        Layer::Cables => {
            let routes: HashMap<&str, &Route> =
                cad.routes.iter().map(|r| (r.id.as_str(), r)).collect();
            cad.cables
                .iter()
                .for_each(|c| sink.feature(&c.id, cable_geometry(&c.routes, &routes), c))
        }
        Layer::Allocations => cad
            .allocations
            .iter()
            .for_each(|a| sink.feature(&a.id, None, a)),
        Layer::Hotspots => {
            let sites: HashMap<&str, &Site> =
                cad.sites.iter().map(|s| (s.id.as_str(), s)).collect();
            let at = |site: &str| sites.get(site).map(|s| (&s.location).into());
            cad.hotspots
                .iter()
                .for_each(|h| sink.feature(&h.id, at(&h.site), h))
        }
        Layer::Targets => cad
            .targets
            .iter()
            .for_each(|t| sink.feature(&t.id, Some((&t.location).into()), t)),
        Layer::Worksites => cad
            .worksites
            .iter()
            .for_each(|w| sink.feature(&w.id, Some((&w.geometry).into()), w)),
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
