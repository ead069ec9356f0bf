//! OFDS → cadastre: organisations become owners, nodes sites, and each span a route with its
//! cable (both keeping the span's `id`). Every problem names the input index and OFDS field;
//! a feature is dropped only when it has no usable id, ends or geometry.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::codes;
use super::fields::{self, Obj};
use crate::model::{Cable, Cadastre, Layer, Owner, Route, Site};
use crate::problem::{Problem, Report};

const PIP: &str = "physicalInfrastructureProvider";

/// Builds a cadastre from OFDS objects, collecting every problem.
pub(super) struct Reader {
    pub cad: Cadastre,
    pub report: Report,
    owner_index: HashMap<String, usize>,
    /// Package: every organisation is listed in `organisations` (a reference to another is
    /// warned about). GeoJSON: references embed the organisation and are its only source, and
    /// only physical infrastructure providers are kept, as only they come back on export.
    from_package: bool,
    site_ids: HashSet<String>,
    route_ids: HashSet<String>,
}

impl Reader {
    pub fn new(from_package: bool) -> Reader {
        Reader {
            cad: Cadastre::default(),
            report: Report::default(),
            owner_index: HashMap::new(),
            from_package,
            site_ids: HashSet::new(),
            route_ids: HashSet::new(),
        }
    }

    pub fn finish(self) -> (Cadastre, Report) {
        (self.cad, self.report)
    }

    /// A network's `crs`: OFDS allows only CRS84 (WGS84 lon/lat); anything else is warned
    /// about and the coordinates are read as they are (convert them with the `crs` module).
    pub fn crs(&mut self, network: &Map<String, Value>) {
        let Some(crs) = network.get("crs").filter(|v| !v.is_null()) else {
            return;
        };
        let name = crs.get("name").and_then(Value::as_str).unwrap_or("");
        let wgs84 = ["CRS84", "EPSG::4326", "EPSG:4326"];
        if !wgs84.iter().any(|w| name.ends_with(w)) {
            let message = format!("{name:?} is not CRS84: coordinates are read as WGS84 lon/lat");
            self.report
                .push(Problem::warning(Layer::Sites, None, None, "crs", message));
        }
    }

    /// The package's `organisations`, in order, become owners (`roleDetails` → `notes`).
    pub fn organisations(&mut self, list: &[Value], first_index: usize) {
        for (i, v) in list.iter().enumerate() {
            let Some(obj) = self.start(v, Layer::Owners, first_index + i, "organisation") else {
                continue;
            };
            let id = obj.id.clone().unwrap_or_default();
            if self.owner_index.contains_key(&id) {
                obj.error(&mut self.report, "id", "duplicate organisation id");
                continue;
            }
            let name = match obj.str(&mut self.report, "name") {
                Some(n) => n.to_string(),
                None => {
                    obj.warning(&mut self.report, "name", "no name: the id is used");
                    id.clone()
                }
            };
            let notes = obj.str(&mut self.report, "roleDetails").map(str::to_string);
            self.add_owner(Owner { id, name, notes });
        }
    }

    /// An object with a non-empty string `id`, or `None` with the problem reported.
    fn start<'a>(
        &mut self,
        v: &'a Value,
        layer: Layer,
        index: usize,
        what: &str,
    ) -> Option<Obj<'a>> {
        let Some(map) = v.as_object() else {
            let message = format!("expected a {what} object, found {}", fields::kind(v));
            self.report
                .push(Problem::error(layer, Some(index), None, what, message));
            return None;
        };
        let mut obj = Obj::new(map, layer, index);
        if map.get("id").is_none_or(Value::is_null) {
            obj.error(
                &mut self.report,
                "id",
                format!("missing: a {what} needs an id"),
            );
            return None;
        }
        obj.id = Some(obj.str(&mut self.report, "id")?.to_string());
        Some(obj)
    }

    fn add_owner(&mut self, owner: Owner) {
        self.owner_index
            .insert(owner.id.clone(), self.cad.owners.len());
        self.cad.owners.push(owner);
    }

    /// The owner an organisation reference names; an organisation seen first here is added.
    fn org_ref(&mut self, obj: &Obj<'_>, field: &str, v: &Value) -> Option<String> {
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let Some(id) = id else {
            obj.error(
                &mut self.report,
                field,
                "an organisation reference needs an id",
            );
            return None;
        };
        if !self.owner_index.contains_key(id) {
            if self.from_package {
                let message = format!("organisation {id:?} is not in organisations");
                obj.warning(&mut self.report, field, message);
            }
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let name = text("name").unwrap_or_else(|| id.to_string());
            let notes = text("roleDetails");
            self.add_owner(Owner {
                id: id.to_string(),
                name,
                notes,
            });
        }
        Some(id.to_string())
    }

    /// The owner: the physical infrastructure provider. In a package, network providers and
    /// the supplier are checked and become owners too (the model has no place for their role
    /// on a feature).
    fn provider(&mut self, obj: &Obj<'_>) -> Option<String> {
        let pip = obj.map.get(PIP).filter(|v| !v.is_null());
        let owner = pip.and_then(|v| self.org_ref(obj, PIP, v));
        if !self.from_package {
            return owner;
        }
        for (i, v) in obj
            .array(&mut self.report, "networkProviders")
            .iter()
            .enumerate()
        {
            self.org_ref(obj, &format!("networkProviders[{i}]"), v);
        }
        if let Some(v) = obj.map.get("supplier").filter(|v| !v.is_null()) {
            self.org_ref(obj, "supplier", v);
        }
        owner
    }

    /// OFDS status → ours; absent is `in_service` (the model's default); a code outside the
    /// codelist is kept as it is, with a warning.
    fn status(&mut self, obj: &Obj<'_>) -> String {
        let Some(code) = obj.str(&mut self.report, "status") else {
            return "in_service".to_string();
        };
        codes::status_from_ofds(code).unwrap_or_else(|| {
            obj.warning(
                &mut self.report,
                "status",
                format!("{code:?} is not an OFDS status"),
            );
            code.to_string()
        })
    }

    /// A node becomes a site (`type[0]` → kind, `address.streetAddress`/`locality` →
    /// address/commune, physical infrastructure provider → owner).
    pub fn node(&mut self, index: usize, v: &Value) {
        let Some(obj) = self.start(v, Layer::Sites, index, "node") else {
            return;
        };
        let id = obj.id.clone().unwrap_or_default();
        if !self.site_ids.insert(id.clone()) {
            obj.error(&mut self.report, "id", "duplicate node id");
            return;
        }
        let location = self.geometry(&obj, "location", fields::point);
        let name = obj.str(&mut self.report, "name").unwrap_or("").to_string();
        let kind = self.kind(&obj);
        let status = self.status(&obj);
        let owner = self.provider(&obj);
        let address = obj.object(&mut self.report, "address");
        let text = |k: &str| address.and_then(|a| a.get(k)?.as_str().map(str::to_string));
        let (address, commune) = (text("streetAddress"), text("locality"));
        let Some(location) = location else {
            return;
        };
        let site = Site {
            id,
            name,
            kind,
            owner,
            address,
            commune,
            status,
            location,
        };
        self.cad.sites.push(site);
        self.report.positions.push(Layer::Sites, index);
    }

    fn kind(&mut self, obj: &Obj<'_>) -> String {
        let types = obj.strings(&mut self.report, "type");
        if types.len() > 1 {
            let message = format!("only the first type is kept, {:?} dropped", &types[1..]);
            obj.warning(&mut self.report, "type", message);
        }
        types.first().unwrap_or(&"other").to_string()
    }

    /// A required geometry; `None` (reported) when missing or malformed.
    fn geometry<T>(
        &mut self,
        obj: &Obj<'_>,
        field: &str,
        parse: fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        match obj.map.get(field).filter(|v| !v.is_null()) {
            None => obj.error(&mut self.report, field, "missing"),
            Some(g) => match parse(g) {
                Ok(t) => return Some(t),
                Err(e) => obj.error(&mut self.report, field, e),
            },
        }
        None
    }

    /// A span's `start` or `end`: a node id (package) or an embedded node (GeoJSON).
    fn end_node(&mut self, obj: &Obj<'_>, field: &str) -> Option<String> {
        let v = obj.map.get(field).filter(|v| !v.is_null());
        let id = match v {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(v) => v.get("id").and_then(Value::as_str),
            None => {
                obj.error(&mut self.report, field, "missing: a span joins two nodes");
                return None;
            }
        };
        let Some(id) = id.filter(|s| !s.is_empty()) else {
            obj.error(&mut self.report, field, "expected a node id");
            return None;
        };
        if !self.site_ids.contains(id) {
            obj.error(&mut self.report, field, format!("unknown node {id:?}"));
        }
        Some(id.to_string())
    }

    /// A span becomes a route and the cable laid along it, both with the span's id.
    pub fn span(&mut self, index: usize, v: &Value) {
        let Some(obj) = self.start(v, Layer::Routes, index, "span") else {
            return;
        };
        let id = obj.id.clone().unwrap_or_default();
        if !self.route_ids.insert(id.clone()) {
            obj.error(&mut self.report, "id", "duplicate span id");
            return;
        }
        let from_site = self.end_node(&obj, "start");
        let to_site = self.end_node(&obj, "end");
        let geometry = self
            .geometry(&obj, "route", fields::lines)
            .map(|(g, multi)| {
                if multi {
                    obj.warning(
                        &mut self.report,
                        "route",
                        "a MultiLineString: OFDS wants a LineString",
                    );
                }
                g
            });
        let route = self.route_fields(&obj, id);
        let cable = self.cable_fields(&obj, &route);
        let (Some(from_site), Some(to_site), Some(geometry)) = (from_site, to_site, geometry)
        else {
            return;
        };
        self.cad.routes.push(Route {
            from_site,
            to_site,
            geometry,
            ..route
        });
        self.cad.cables.push(cable);
        self.report.positions.push(Layer::Routes, index);
        self.report.positions.push(Layer::Cables, index);
    }

    /// The route's own fields (ends and geometry are filled in by the caller).
    fn route_fields(&mut self, obj: &Obj<'_>, id: String) -> Route {
        let name = obj.str(&mut self.report, "name").map(str::to_string);
        let status = self.status(obj);
        let owner = self.provider(obj).unwrap_or_else(|| {
            obj.error(&mut self.report, PIP, "missing: a route needs an owner");
            String::new()
        });
        let deployment = self.deployment(obj);
        // OFDS fibreLength is in km; kept to the millimetre so that m → km → m is exact.
        let declared_length_m = obj
            .non_negative(&mut self.report, "fibreLength")
            .map(|km| (km * 1e6).round() / 1e3);
        Route {
            id,
            name,
            from_site: String::new(),
            to_site: String::new(),
            owner,
            deployment,
            ducts_total: 0,
            ducts_free: 0,
            status,
            declared_length_m,
            srlgs: Vec::new(),
            geometry: geo::MultiLineString::new(vec![]),
        }
    }

    /// `deployment` codes → ours; without codes, a one-word `deploymentDetails.description`
    /// (how the writer says `in_building`), else `unknown`.
    fn deployment(&mut self, obj: &Obj<'_>) -> String {
        let found = obj.strings(&mut self.report, "deployment");
        if found.is_empty() {
            let details = obj.object(&mut self.report, "deploymentDetails");
            let text = details.and_then(|d| d.get("description")?.as_str());
            return match text.filter(|t| codes::is_deployment_word(t)) {
                Some(t) => t.to_string(),
                None => "unknown".to_string(),
            };
        }
        match codes::deployment_from_ofds(&found) {
            Ok(d) => d.to_string(),
            Err(code) => {
                let message = format!("{code:?} is not in the deployment codelist: kept as it is");
                obj.warning(&mut self.report, "deployment", message);
                code
            }
        }
    }

    /// The cable on the span: `fibreCount` (absent or 0 → 0, unknown, with a warning), the
    /// fibre type (`fibreTypeDetails.fibreSubtype` when it refines `fibreType`).
    fn cable_fields(&mut self, obj: &Obj<'_>, route: &Route) -> Cable {
        let fibre_count = match obj.count(&mut self.report, "fibreCount") {
            Some(n) if n > 0 => n,
            _ => {
                let message = "absent or 0: the cable's fibre_count is 0 (unknown)";
                obj.warning(&mut self.report, "fibreCount", message);
                0
            }
        };
        Cable {
            id: route.id.clone(),
            name: route.name.clone(),
            routes: vec![route.id.clone()],
            fibre_count,
            fibre_type: self.fibre_type(obj),
            owner: route.owner.clone(),
            status: route.status.clone(),
        }
    }

    fn fibre_type(&mut self, obj: &Obj<'_>) -> Option<String> {
        let family = obj.str(&mut self.report, "fibreType");
        if let Some(f) = family.filter(|f| !codes::is_fibre_type(f)) {
            obj.warning(
                &mut self.report,
                "fibreType",
                format!("{f:?} is not in the fibreType codelist"),
            );
        }
        let details = obj.object(&mut self.report, "fibreTypeDetails");
        let subtype = details.and_then(|d| d.get("fibreSubtype")?.as_str());
        match (family, subtype) {
            (Some(f), Some(s)) if !s.starts_with(f) => {
                let message = format!("{s:?} does not refine fibreType {f:?}: not kept");
                obj.warning(&mut self.report, "fibreTypeDetails", message);
                Some(f.to_string())
            }
            (f, s) => s.or(f).map(str::to_string),
        }
    }
}
