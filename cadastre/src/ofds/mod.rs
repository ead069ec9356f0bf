//! Open Fibre Data Standard (OFDS 0.3) both ways: network packages (JSON) and OFDS GeoJSON
//! (a nodes and a spans FeatureCollection). Coordinates are WGS84 lon/lat (CRS84).
//!
//! The mapping (OFDS → cadastre; the writers do the inverse):
//! - organisation → owner (`id`, `name`, `roleDetails` ↔ `notes`). A package's `organisations`
//!   all become owners, in order; an organisation referenced but not listed is added (warning).
//!   In GeoJSON the references embed the organisations: physical infrastructure providers
//!   become owners in first-seen order (network providers and suppliers would not come back).
//! - node → site with the node's `id`: `location` → location, `name` (absent → ""), `status`,
//!   `type[0]` → kind (absent → `other`; further types dropped, warning),
//!   `address.streetAddress`/`locality` → address/commune, `physicalInfrastructureProvider` →
//!   owner. `networkProviders` and `supplier` become owners but are not kept on the feature.
//! - span → route AND its cable, both with the span's `id`: `start`/`end` → from_site/to_site,
//!   `route` → geometry, `physicalInfrastructureProvider` → owner (of both), `deployment`
//!   (`belowGround` → `underground`, `aboveGround` → `aerial`, both → `mixed`, absent →
//!   `unknown`; other words travel in `deploymentDetails.description`), `fibreLength` (km) →
//!   declared_length_m, `fibreCount` → the cable's fibre_count (absent or 0 → 0, meaning
//!   unknown, with a warning), `fibreType` + `fibreTypeDetails.fibreSubtype` → fibre_type
//!   (`G.652` + `G.652.D` → `G.652.D`).
//! - status: `operational` ↔ `in_service`, `underConstruction` ↔ `under_construction`, the
//!   other codes as they are; absent → `in_service` (the model's default).
//!
//! Not carried: phases, contracts, `directed`, `darkFibre`, capacity, technologies, a network's
//! id and name (written as [`NETWORK_ID`], [`NETWORK_NAME`]). Several networks in one package
//! are merged; indexes in problems then count across them.
//!
//! What OFDS cannot hold, written best-effort and listed by [`export_losses`]: a route's
//! fibre is the sum over every cable laid along it (a cable on several routes appears in each
//! of their spans; reading back gives one cable per span, with the span's id), ducts, the parts
//! of a multi-part route (joined into one LineString), allocations, hotspots, targets and
//! worksites. GeoJSON also drops owners that own no site or route.
//!
//! Problems: each names the layer (`owners`, `sites` for nodes, `routes` for spans and their
//! cables), the index in the input array, the id and the OFDS field. A node or span without a
//! usable id, ends or geometry is left out; every other one is kept.

mod codes;
mod fields;
mod files;
mod geojson;
mod read;
mod write;

use serde_json::{Map, Value};

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer};
use crate::problem::{Problem, Report};
pub use files::{geojson_role, is_package, read_texts, read_texts_within, Text};
use read::Reader;
use write::Index;
pub use write::{NETWORK_ID, NETWORK_NAME, SCHEMA_URL};

/// Reads an OFDS network package (`{"networks": [...]}`; a bare network object is accepted).
/// Problems with nodes, spans and organisations are in the report; only input that is not a
/// package at all is an error.
pub fn read_package(text: &str) -> Result<(Cadastre, Report), CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: "network package".into(),
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| format(format!("not JSON: {e}")))?;
    let networks = match value.get("networks") {
        Some(Value::Array(n)) => n.iter().collect::<Vec<_>>(),
        None if value.get("nodes").is_some() => vec![&value],
        _ => return Err(format("no \"networks\" array".to_string())),
    };
    let networks = networks
        .into_iter()
        .map(|n| {
            n.as_object()
                .ok_or_else(|| format("a network must be an object".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut reader = Reader::new(true);
    let mut counts = [0usize; 3];
    for net in &networks {
        reader.crs(net);
        let list = members(net, "organisations", Layer::Owners, &mut reader.report);
        reader.organisations(list, counts[0]);
        counts[0] += list.len();
    }
    for net in &networks {
        for v in members(net, "nodes", Layer::Sites, &mut reader.report) {
            reader.node(counts[1], v);
            counts[1] += 1;
        }
    }
    for net in &networks {
        for v in members(net, "spans", Layer::Routes, &mut reader.report) {
            reader.span(counts[2], v);
            counts[2] += 1;
        }
    }
    Ok(reader.finish())
}

/// A network's array member; absent is empty, another type an error on the whole layer.
fn members<'a>(
    net: &'a Map<String, Value>,
    field: &str,
    layer: Layer,
    report: &mut Report,
) -> &'a [Value] {
    match net.get(field) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(_) => {
            report.push(Problem::error(
                layer,
                None,
                None,
                field,
                "expected an array",
            ));
            &[]
        }
    }
}

/// The cadastre as an OFDS network package holding one network.
pub fn write_package(cad: &Cadastre) -> Value {
    let index = Index::new(cad);
    let mut net = write::network_header();
    let nodes = cad
        .sites
        .iter()
        .map(|s| Value::Object(write::node(s, &index)));
    net.insert("nodes".into(), Value::Array(nodes.collect()));
    let spans = cad
        .routes
        .iter()
        .map(|r| Value::Object(write::span(r, &index)));
    net.insert("spans".into(), Value::Array(spans.collect()));
    if !cad.owners.is_empty() {
        let orgs = cad.owners.iter().map(|o| index.organisation(o));
        net.insert("organisations".into(), Value::Array(orgs.collect()));
    }
    serde_json::json!({ "networks": [net] })
}

/// Reads OFDS GeoJSON: the nodes and the spans FeatureCollections.
pub fn read_geojson(nodes: &str, spans: &str) -> Result<(Cadastre, Report), CadastreError> {
    let nodes = geojson::features(nodes, "nodes")?;
    let spans = geojson::features(spans, "spans")?;
    let mut reader = Reader::new(false);
    if let Some(net) = geojson::network(&nodes).or_else(|| geojson::network(&spans)) {
        reader.crs(net);
    }
    for (i, f) in nodes.iter().enumerate() {
        reader.node(i, &geojson::as_ofds(f, "location"));
    }
    for (i, f) in spans.iter().enumerate() {
        reader.span(i, &geojson::as_ofds(f, "route"));
    }
    Ok(reader.finish())
}

/// The cadastre as OFDS GeoJSON: (nodes, spans).
pub fn write_geojson(
    cad: &Cadastre,
) -> (::geojson::FeatureCollection, ::geojson::FeatureCollection) {
    let index = Index::new(cad);
    (geojson::nodes(&index), geojson::spans(&index))
}

/// Warnings for what an OFDS export cannot carry exactly (see the module documentation): the
/// features written best-effort and the layers left out.
pub fn export_losses(cad: &Cadastre) -> Report {
    let mut report = Report::default();
    let index = Index::new(cad);
    for (i, r) in cad.routes.iter().enumerate() {
        let warn = |field: &str, message: String| {
            Problem::warning(Layer::Routes, Some(i), Some(&r.id), field, message)
        };
        if r.ducts_total != 0 || r.ducts_free != 0 {
            report.push(warn("ducts_total", "ducts are not carried by OFDS".into()));
        }
        if r.geometry.0.len() > 1 {
            let message = format!("{} parts joined into one LineString", r.geometry.0.len());
            report.push(warn("geometry", message));
        }
    }
    for (i, c) in cad.cables.iter().enumerate() {
        if let Some((field, message)) = cable_loss(c, &index) {
            report.push(Problem::warning(
                Layer::Cables,
                Some(i),
                Some(&c.id),
                field,
                message,
            ));
        }
    }
    let left_out = [
        Layer::Allocations,
        Layer::Hotspots,
        Layer::Targets,
        Layer::Worksites,
    ];
    for layer in left_out.into_iter().filter(|&l| cad.len(l) > 0) {
        let message = format!("{} feature(s) not carried by OFDS", cad.len(layer));
        report.push(Problem::warning(layer, None, None, "layer", message));
    }
    report
}

/// Why a cable will not read back as itself: OFDS holds one cable per span, with the span's
/// id, name, owner and status.
fn cable_loss(c: &crate::model::Cable, index: &Index<'_>) -> Option<(&'static str, String)> {
    let [route_id] = c.routes.as_slice() else {
        let message = format!(
            "on {} routes: its fibre is added to each route's span",
            c.routes.len()
        );
        return Some(("routes", message));
    };
    let route = index.cad.routes.iter().find(|r| &r.id == route_id)?;
    let shared = index.cables_on(route_id).len() > 1;
    let differs = [
        (
            "routes",
            shared,
            "shares its route with other cables: their fibre counts are summed",
        ),
        (
            "id",
            c.id != route.id,
            "an id other than its route's: read back with the route's id",
        ),
        (
            "name",
            c.name != route.name,
            "a name other than its route's: read back with the route's",
        ),
        (
            "owner",
            c.owner != route.owner,
            "an owner other than its route's: read back with the route's",
        ),
        (
            "status",
            c.status != route.status,
            "a status other than its route's: read back with the route's",
        ),
    ];
    let (field, _, message) = differs.into_iter().find(|d| d.1)?;
    Some((field, message.to_string()))
}

#[cfg(test)]
mod tests;
