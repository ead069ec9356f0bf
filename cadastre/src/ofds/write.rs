//! Cadastre → OFDS: owners become organisations, sites nodes, routes spans carrying the fibre of
//! the cables laid along them. What OFDS cannot hold is listed by [`super::export_losses`].

use std::collections::{HashMap, HashSet};

use geo::{Coord, MultiLineString};
use serde_json::{json, Map, Value};

use super::codes;
use crate::model::{Cable, Cadastre, Owner, Route, Site};

/// The network's `id` in written packages (the cadastre holds one network and no id for it).
pub const NETWORK_ID: &str = "irisops";
/// The network's `name` in written packages.
pub const NETWORK_NAME: &str = "irisops fibre cadastre";
/// The OFDS schema the written packages follow (the first of a network's `links`).
pub const SCHEMA_URL: &str = "https://raw.githubusercontent.com/Open-Telecoms-Data/open-fibre-data-standard/0__3__0/schema/network-schema.json";

/// Lookups the writers need, built once per export.
pub(super) struct Index<'a> {
    pub cad: &'a Cadastre,
    owners: HashMap<&'a str, &'a Owner>,
    /// Owners of a site or a route: their role is `physicalInfrastructureProvider`.
    providers: HashSet<&'a str>,
    cables: HashMap<&'a str, Vec<&'a Cable>>,
    pub sites: HashMap<&'a str, &'a Site>,
}

impl<'a> Index<'a> {
    pub fn new(cad: &'a Cadastre) -> Index<'a> {
        let mut cables: HashMap<&str, Vec<&Cable>> = HashMap::new();
        for c in &cad.cables {
            for r in &c.routes {
                cables.entry(r.as_str()).or_default().push(c);
            }
        }
        let site_owners = cad.sites.iter().filter_map(|s| s.owner.as_deref());
        let route_owners = cad.routes.iter().map(|r| r.owner.as_str());
        Index {
            cad,
            owners: cad.owners.iter().map(|o| (o.id.as_str(), o)).collect(),
            providers: site_owners.chain(route_owners).collect(),
            cables,
            sites: cad.sites.iter().map(|s| (s.id.as_str(), s)).collect(),
        }
    }

    /// The cables laid along `route_id`.
    pub fn cables_on(&self, route_id: &str) -> &[&'a Cable] {
        self.cables.get(route_id).map_or(&[], Vec::as_slice)
    }

    /// An organisation object (`notes` → `roleDetails`; `roles` from what the owner owns).
    pub fn organisation(&self, owner: &Owner) -> Value {
        let mut o = Map::new();
        o.insert("id".into(), json!(owner.id));
        o.insert("name".into(), json!(owner.name));
        if self.providers.contains(owner.id.as_str()) {
            o.insert("roles".into(), json!(["physicalInfrastructureProvider"]));
        }
        if let Some(notes) = &owner.notes {
            o.insert("roleDetails".into(), json!(notes));
        }
        Value::Object(o)
    }

    /// An organisation reference: `id` and, when the owner is known, `name`.
    pub fn org_ref(&self, owner_id: &str) -> Value {
        match self.owners.get(owner_id) {
            Some(o) => json!({"id": o.id, "name": o.name}),
            None => json!({"id": owner_id}),
        }
    }

    /// The organisation in full when known (OFDS GeoJSON embeds it), else a reference.
    pub fn org_full(&self, owner_id: &str) -> Value {
        match self.owners.get(owner_id) {
            Some(o) => self.organisation(o),
            None => json!({"id": owner_id}),
        }
    }
}

/// The network's own members: `id`, `name`, `crs` (CRS84) and `links` (the schema first).
pub(super) fn network_header() -> Map<String, Value> {
    let header = json!({
        "id": NETWORK_ID,
        "name": NETWORK_NAME,
        "crs": {
            "name": "urn:ogc:def:crs:OGC::CRS84",
            "uri": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        },
        "links": [{"rel": "describedby", "href": SCHEMA_URL}]
    });
    match header {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A site as an OFDS node (organisation references as `{id, name}`).
pub(super) fn node(site: &Site, index: &Index<'_>) -> Map<String, Value> {
    let mut n = Map::new();
    n.insert("id".into(), json!(site.id));
    if !site.name.is_empty() {
        n.insert("name".into(), json!(site.name));
    }
    n.insert("status".into(), json!(codes::status_to_ofds(&site.status)));
    let (x, y) = site.location.x_y();
    n.insert(
        "location".into(),
        json!({"type": "Point", "coordinates": [x, y]}),
    );
    let mut address = Map::new();
    if let Some(a) = &site.address {
        address.insert("streetAddress".into(), json!(a));
    }
    if let Some(c) = &site.commune {
        address.insert("locality".into(), json!(c));
    }
    if !address.is_empty() {
        n.insert("address".into(), Value::Object(address));
    }
    if site.kind != "other" {
        n.insert("type".into(), json!([site.kind]));
    }
    if let Some(owner) = &site.owner {
        n.insert(
            "physicalInfrastructureProvider".into(),
            index.org_ref(owner),
        );
    }
    n
}

/// A route as an OFDS span, with the fibre of the cables laid along it: their fibre counts
/// summed, their fibre type when they all agree.
pub(super) fn span(route: &Route, index: &Index<'_>) -> Map<String, Value> {
    let mut s = Map::new();
    s.insert("id".into(), json!(route.id));
    if let Some(name) = &route.name {
        s.insert("name".into(), json!(name));
    }
    s.insert("status".into(), json!(codes::status_to_ofds(&route.status)));
    s.insert("start".into(), json!(route.from_site));
    s.insert("end".into(), json!(route.to_site));
    let coords: Vec<[f64; 2]> = joined(&route.geometry).iter().map(|c| [c.x, c.y]).collect();
    s.insert(
        "route".into(),
        json!({"type": "LineString", "coordinates": coords}),
    );
    if !route.owner.is_empty() {
        s.insert(
            "physicalInfrastructureProvider".into(),
            index.org_ref(&route.owner),
        );
    }
    insert_deployment(&mut s, &route.deployment);
    if let Some(m) = route.declared_length_m {
        s.insert("fibreLength".into(), json!(m / 1e3));
    }
    insert_fibre(&mut s, index.cables_on(&route.id));
    s
}

fn insert_deployment(s: &mut Map<String, Value>, deployment: &str) {
    match codes::deployment_to_ofds(deployment) {
        Some(found) => {
            s.insert("deployment".into(), json!(found));
        }
        None if deployment != "unknown" && !deployment.is_empty() => {
            s.insert(
                "deploymentDetails".into(),
                json!({"description": deployment}),
            );
        }
        None => {}
    }
}

fn insert_fibre(s: &mut Map<String, Value>, cables: &[&Cable]) {
    let count: u64 = cables.iter().map(|c| u64::from(c.fibre_count)).sum();
    if count > 0 {
        s.insert("fibreCount".into(), json!(count));
    }
    let first = cables.first().and_then(|c| c.fibre_type.as_deref());
    let agree = cables.iter().all(|c| c.fibre_type.as_deref() == first);
    if let (Some(fibre_type), true) = (first, agree) {
        let (family, subtype) = codes::fibre_type_to_ofds(fibre_type);
        if let Some(f) = family {
            s.insert("fibreType".into(), json!(f));
        }
        if let Some(sub) = subtype {
            s.insert("fibreTypeDetails".into(), json!({"fibreSubtype": sub}));
        }
    }
}

/// The parts of a route as one line (OFDS routes are LineStrings): a part that starts where
/// the previous one ended does not repeat that point.
pub(super) fn joined(lines: &MultiLineString<f64>) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::new();
    for part in &lines.0 {
        let skip = usize::from(out.last().is_some() && out.last() == part.0.first());
        out.extend(part.0.iter().skip(skip));
    }
    out
}
