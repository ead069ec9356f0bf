//! One feature of any layer, and its stored record: the position in its layer, the
//! properties (the model struct's serde form) and the geometry (GeoJSON). A record's JSON is
//! canonical (serialised through `serde_json::Value`), so writing a record read back from
//! history yields the same bytes as the first write: undo restores features byte for byte.

use geo::{Geometry, MultiLineString, Point};
use geojson::GeometryValue;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{
    Allocation, Cable, Cadastre, Hotspot, Layer, Owner, Route, Site, TargetPlace, Worksite,
};

/// A feature of one layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Feature {
    Owner(Owner),
    Site(Site),
    Route(Route),
    Cable(Cable),
    Allocation(Allocation),
    Hotspot(Hotspot),
    Target(TargetPlace),
    Worksite(Worksite),
}

/// One edit of a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A new feature; its id must not exist in its layer.
    Add(Feature),
    /// A new version of an existing feature (same layer and id); it keeps its position.
    Change(Feature),
    Delete {
        layer: Layer,
        id: String,
    },
}

/// A feature as stored: its position in its layer (a sort key; gaps are allowed, so a deleted
/// feature restored by undo finds its place again), its properties and its GeoJSON geometry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub position: i64,
    pub properties: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<Value>,
}

impl Record {
    /// The record stored in history as `v`.
    pub fn from_value(v: &Value) -> Result<Record, String> {
        Record::deserialize(v).map_err(|e| format!("bad record: {e}"))
    }

    /// The record's JSON for history.
    pub fn to_value(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("position".into(), self.position.into());
        m.insert("properties".into(), self.properties.clone());
        if let Some(g) = &self.geometry {
            m.insert("geometry".into(), g.clone());
        }
        Value::Object(m)
    }
}

impl Feature {
    pub fn layer(&self) -> Layer {
        match self {
            Feature::Owner(_) => Layer::Owners,
            Feature::Site(_) => Layer::Sites,
            Feature::Route(_) => Layer::Routes,
            Feature::Cable(_) => Layer::Cables,
            Feature::Allocation(_) => Layer::Allocations,
            Feature::Hotspot(_) => Layer::Hotspots,
            Feature::Target(_) => Layer::Targets,
            Feature::Worksite(_) => Layer::Worksites,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Feature::Owner(f) => &f.id,
            Feature::Site(f) => &f.id,
            Feature::Route(f) => &f.id,
            Feature::Cable(f) => &f.id,
            Feature::Allocation(f) => &f.id,
            Feature::Hotspot(f) => &f.id,
            Feature::Target(f) => &f.id,
            Feature::Worksite(f) => &f.id,
        }
    }

    /// The stored record of this feature at `position`.
    pub fn record(&self, position: i64) -> Result<Record, String> {
        let (properties, geometry) = match self {
            Feature::Owner(f) => (to_value(f)?, None),
            Feature::Site(f) => (to_value(f)?, Some(geometry_value(&f.location.into()))),
            Feature::Route(f) => (
                to_value(f)?,
                Some(geometry_value(&f.geometry.clone().into())),
            ),
            Feature::Cable(f) => (to_value(f)?, None),
            Feature::Allocation(f) => (to_value(f)?, None),
            Feature::Hotspot(f) => (to_value(f)?, None),
            Feature::Target(f) => (to_value(f)?, Some(geometry_value(&f.location.into()))),
            Feature::Worksite(f) => (to_value(f)?, Some(geometry_value(&f.geometry))),
        };
        Ok(Record {
            position,
            properties,
            geometry: geometry.transpose()?,
        })
    }

    /// The feature of `layer` stored as `record`.
    pub fn from_record(layer: Layer, record: &Record) -> Result<Feature, String> {
        let p = &record.properties;
        let g = record.geometry.as_ref();
        Ok(match layer {
            Layer::Owners => Feature::Owner(from_value(p)?),
            Layer::Sites => Feature::Site(Site {
                location: point(g)?,
                ..from_value(p)?
            }),
            Layer::Routes => Feature::Route(Route {
                geometry: lines(g)?,
                ..from_value(p)?
            }),
            Layer::Cables => Feature::Cable(from_value(p)?),
            Layer::Allocations => Feature::Allocation(from_value(p)?),
            Layer::Hotspots => Feature::Hotspot(from_value(p)?),
            Layer::Targets => Feature::Target(TargetPlace {
                location: point(g)?,
                ..from_value(p)?
            }),
            Layer::Worksites => Feature::Worksite(Worksite {
                geometry: geometry(g)?,
                ..from_value(p)?
            }),
        })
    }

    /// Appends this feature to its layer of `cad`.
    pub fn push_into(self, cad: &mut Cadastre) {
        match self {
            Feature::Owner(f) => cad.owners.push(f),
            Feature::Site(f) => cad.sites.push(f),
            Feature::Route(f) => cad.routes.push(f),
            Feature::Cable(f) => cad.cables.push(f),
            Feature::Allocation(f) => cad.allocations.push(f),
            Feature::Hotspot(f) => cad.hotspots.push(f),
            Feature::Target(f) => cad.targets.push(f),
            Feature::Worksite(f) => cad.worksites.push(f),
        }
    }
}

/// Every feature of `cad`, layer by layer in `LAYERS` order, each in its layer's order.
pub fn features(cad: &Cadastre) -> Vec<Feature> {
    let mut out = Vec::with_capacity(cad.n_features());
    out.extend(feature_iter(cad));
    out
}

/// [`features`], one clone at a time.
pub fn feature_iter(cad: &Cadastre) -> impl Iterator<Item = Feature> + '_ {
    let c = cad;
    (c.owners.iter().cloned().map(Feature::Owner))
        .chain(c.sites.iter().cloned().map(Feature::Site))
        .chain(c.routes.iter().cloned().map(Feature::Route))
        .chain(c.cables.iter().cloned().map(Feature::Cable))
        .chain(c.allocations.iter().cloned().map(Feature::Allocation))
        .chain(c.hotspots.iter().cloned().map(Feature::Hotspot))
        .chain(c.targets.iter().cloned().map(Feature::Target))
        .chain(c.worksites.iter().cloned().map(Feature::Worksite))
}

/// Every feature's layer and id, in the order of [`features`].
pub(crate) fn ids(cad: &Cadastre) -> impl Iterator<Item = (Layer, &str)> {
    let c = cad;
    (c.owners.iter().map(|f| (Layer::Owners, f.id.as_str())))
        .chain(c.sites.iter().map(|f| (Layer::Sites, f.id.as_str())))
        .chain(c.routes.iter().map(|f| (Layer::Routes, f.id.as_str())))
        .chain(c.cables.iter().map(|f| (Layer::Cables, f.id.as_str())))
        .chain(
            c.allocations
                .iter()
                .map(|f| (Layer::Allocations, f.id.as_str())),
        )
        .chain(c.hotspots.iter().map(|f| (Layer::Hotspots, f.id.as_str())))
        .chain(c.targets.iter().map(|f| (Layer::Targets, f.id.as_str())))
        .chain(
            c.worksites
                .iter()
                .map(|f| (Layer::Worksites, f.id.as_str())),
        )
}

fn to_value<T: Serialize>(f: &T) -> Result<Value, String> {
    serde_json::to_value(f).map_err(|e| format!("cannot serialise properties: {e}"))
}

fn from_value<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("bad properties: {e}"))
}

fn geometry_value(g: &Geometry<f64>) -> Result<Value, String> {
    let g = geojson::Geometry::new(GeometryValue::from(g));
    serde_json::to_value(&g).map_err(|e| format!("cannot serialise geometry: {e}"))
}

fn geometry(g: Option<&Value>) -> Result<Geometry<f64>, String> {
    let v = g.ok_or("missing geometry")?;
    let g = geojson::Geometry::deserialize(v).map_err(|e| format!("bad geometry: {e}"))?;
    crate::geometry::from_geojson(&g.value).map_err(|e| format!("bad geometry: {e}"))
}

fn point(g: Option<&Value>) -> Result<Point<f64>, String> {
    match geometry(g)? {
        Geometry::Point(p) => Ok(p),
        other => Err(format!("expected a Point, found {other:?}")),
    }
}

fn lines(g: Option<&Value>) -> Result<MultiLineString<f64>, String> {
    match geometry(g)? {
        Geometry::MultiLineString(m) => Ok(m),
        Geometry::LineString(l) => Ok(MultiLineString::new(vec![l])),
        _ => Err("expected a LineString or MultiLineString".to_string()),
    }
}
