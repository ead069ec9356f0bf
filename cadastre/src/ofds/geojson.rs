//! OFDS GeoJSON: two FeatureCollections, nodes (Points) and spans (LineStrings), whose feature
//! properties are the node and span objects with the network embedded (`network`), organisation
//! references embedding the organisation, and a span's `start`/`end` embedding the node.

use geojson::{feature::Id, Feature, FeatureCollection, Geometry, GeometryValue};
use serde_json::{Map, Value};

use super::write::{self, Index};
use crate::error::CadastreError;

const PIP: &str = "physicalInfrastructureProvider";

/// The features of a FeatureCollection (`what` names the input in errors).
pub(super) fn features(text: &str, what: &str) -> Result<Vec<Value>, CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: what.into(),
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| format(format!("not JSON: {e}")))?;
    if value.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(format("not a GeoJSON FeatureCollection".to_string()));
    }
    match value.get("features") {
        Some(Value::Array(f)) => Ok(f.clone()),
        _ => Err(format(
            "a FeatureCollection needs a \"features\" array".to_string(),
        )),
    }
}

/// A feature as the OFDS object: its properties, with its geometry as `field` (`location` for
/// a node, `route` for a span). Anything but a feature object is passed on for the reader to
/// report.
pub(super) fn as_ofds(feature: &Value, field: &str) -> Value {
    let Some(f) = feature.as_object() else {
        return feature.clone();
    };
    let mut props = match f.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        _ => Map::new(),
    };
    if let Some(g) = f.get("geometry").filter(|g| !g.is_null()) {
        props.insert(field.to_string(), g.clone());
    }
    Value::Object(props)
}

/// The embedded `network` of the first feature that has one.
pub(super) fn network(features: &[Value]) -> Option<&Map<String, Value>> {
    features
        .iter()
        .find_map(|f| f.get("properties")?.get("network")?.as_object())
}

fn feature(id: &str, geometry: GeometryValue, properties: Map<String, Value>) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: Some(Id::String(id.to_string())),
        properties: Some(properties),
        foreign_members: None,
    }
}

/// Embeds the organisation in full in place of its reference, and the network.
fn embed(props: &mut Map<String, Value>, owner: Option<&str>, index: &Index<'_>, kind: &str) {
    if let Some(owner) = owner.filter(|o| !o.is_empty()) {
        props.insert(PIP.into(), index.org_full(owner));
    }
    props.insert("network".into(), Value::Object(write::network_header()));
    props.insert("featureType".into(), Value::String(kind.into()));
}

/// Every site as a node feature.
pub(super) fn nodes(index: &Index<'_>) -> FeatureCollection {
    let features = index.cad.sites.iter().map(|site| {
        let mut props = write::node(site, index);
        props.remove("location");
        embed(&mut props, site.owner.as_deref(), index, "node");
        feature(&site.id, GeometryValue::from(&site.location), props)
    });
    FeatureCollection::new(features)
}

/// Every route as a span feature, its end nodes embedded.
pub(super) fn spans(index: &Index<'_>) -> FeatureCollection {
    let features = index.cad.routes.iter().map(|route| {
        let mut props = write::span(route, index);
        props.remove("route");
        for (field, site_id) in [("start", &route.from_site), ("end", &route.to_site)] {
            if let Some(site) = index.sites.get(site_id.as_str()) {
                props.insert(field.into(), Value::Object(write::node(site, index)));
            }
        }
        embed(&mut props, Some(&route.owner), index, "span");
        let coords = write::joined(&route.geometry)
            .into_iter()
            .map(|c| [c.x, c.y]);
        feature(&route.id, GeometryValue::new_line_string(coords), props)
    });
    FeatureCollection::new(features)
}
