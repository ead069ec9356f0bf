//! Validation: every rule over every feature, every problem at once, each naming the layer,
//! the feature's index and id, and the field. Errors stop an import; warnings do not.
//!
//! Rules, layer by layer: ids present and unique; owners known (required on routes, cables and
//! allocations; checked on sites and hotspots when given); sites known (route ends, allocation
//! ends, hotspots); routes: geometry not degenerate, not crossing itself, inside the area, ends
//! within `end_tolerance_m` of their sites, declared length within `length_tolerance` of the
//! geodesic length (a warning); cables: routes known and contiguous (a warning), strands > 0;
//! allocations: cable known, strands within the cable and allocated once; targets: weight > 0;
//! worksites: dates ISO 8601, end not before start.
//!
//! Every check is a hash lookup or linear in the feature's own geometry: 100k features
//! validate in well under a second (`benches/import.rs`).
//!
//! Layout: this file (options, the index of ids, ids and owners), `network` (references
//! between layers, strands), `shapes` (geometry).

mod network;
mod shapes;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use geo::{coord, Rect};

use crate::model::{Cable, Cadastre, Layer, Route, Site};
use crate::problem::{Positions, Problem, Report};

/// Tolerances and the area the network must lie in.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidateOptions {
    /// How far a route's end may be from its site, metres (geodesic), before a warning: owners'
    /// drawings often stop at the street or the building's edge.
    pub end_tolerance_m: f64,
    /// Beyond this (metres) a route's end is an error: it most likely names the wrong site.
    pub end_error_m: f64,
    /// How far a declared length may be from the geodesic length, as a fraction (0.2 = 20%).
    pub length_tolerance: f64,
    /// Every coordinate must lie inside (lon/lat); `None`: anywhere on Earth (coordinates must
    /// still be WGS84 longitudes and latitudes).
    pub area: Option<Rect<f64>>,
}

/// The Brussels-Capital region's bounding box (lon 4.20-4.52, lat 50.74-50.94).
pub fn brussels_area() -> Rect<f64> {
    Rect::new(coord! { x: 4.20, y: 50.74 }, coord! { x: 4.52, y: 50.94 })
}

impl Default for ValidateOptions {
    /// 25 m (warning) / 500 m (error) for route ends, 20% for declared lengths, no area.
    fn default() -> Self {
        ValidateOptions {
            end_tolerance_m: 25.0,
            end_error_m: 500.0,
            length_tolerance: 0.2,
            area: None,
        }
    }
}

impl ValidateOptions {
    /// The defaults with the area set to the Brussels-Capital region.
    pub fn brussels() -> Self {
        ValidateOptions {
            area: Some(brussels_area()),
            ..ValidateOptions::default()
        }
    }
}

/// Every problem in the cadastre, layer by layer, feature by feature; a feature is named by
/// its position in its layer.
pub fn validate(cad: &Cadastre, opts: &ValidateOptions) -> Report {
    validate_read(cad, &Positions::default(), opts)
}

/// [`validate`] of a cadastre a reader read: a feature is named by its index in its file
/// (`positions`, the reader's [`Report::positions`]), which features that could not be read
/// and were left out do not shift.
pub fn validate_read(cad: &Cadastre, positions: &Positions, opts: &ValidateOptions) -> Report {
    let ix = Index::new(cad, positions);
    let mut report = Report::default();
    let r = &mut report;
    unique_ids(&ix, Layer::Owners, cad.owners.iter().map(|o| &o.id), r);
    unique_ids(&ix, Layer::Sites, cad.sites.iter().map(|s| &s.id), r);
    network::sites(cad, &ix, opts, r);
    unique_ids(&ix, Layer::Routes, cad.routes.iter().map(|x| &x.id), r);
    network::routes(cad, &ix, opts, r);
    unique_ids(&ix, Layer::Cables, cad.cables.iter().map(|c| &c.id), r);
    network::cables(cad, &ix, r);
    let ids = cad.allocations.iter().map(|a| &a.id);
    unique_ids(&ix, Layer::Allocations, ids, r);
    network::allocations(cad, &ix, r);
    unique_ids(&ix, Layer::Hotspots, cad.hotspots.iter().map(|h| &h.id), r);
    network::hotspots(cad, &ix, r);
    unique_ids(&ix, Layer::Targets, cad.targets.iter().map(|t| &t.id), r);
    network::targets(cad, &ix, opts, r);
    let ids = cad.worksites.iter().map(|w| &w.id);
    unique_ids(&ix, Layer::Worksites, ids, r);
    network::worksites(cad, &ix, opts, r);
    report
}

/// The ids of the layers others refer to (the first feature wins a duplicate id).
pub(crate) struct Index<'a> {
    owners: HashSet<&'a str>,
    sites: HashMap<&'a str, &'a Site>,
    routes: HashMap<&'a str, &'a Route>,
    cables: HashMap<&'a str, &'a Cable>,
    positions: &'a Positions,
}

impl<'a> Index<'a> {
    /// The index in its file of the feature at `position` of `layer`.
    pub fn index(&self, layer: Layer, position: usize) -> usize {
        self.positions.index(layer, position)
    }

    fn new(cad: &'a Cadastre, positions: &'a Positions) -> Index<'a> {
        fn first<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<&str, &T> {
            let mut map = HashMap::with_capacity(items.len());
            for item in items.iter().rev() {
                map.insert(id(item), item);
            }
            map
        }
        Index {
            owners: cad.owners.iter().map(|o| o.id.as_str()).collect(),
            sites: first(&cad.sites, |s| &s.id),
            routes: first(&cad.routes, |r| &r.id),
            cables: first(&cad.cables, |c| &c.id),
            positions,
        }
    }
}

/// A feature being checked: where its problems are reported.
pub(crate) struct At<'a> {
    pub layer: Layer,
    pub index: usize,
    pub id: &'a str,
}

impl At<'_> {
    pub fn error(&self, field: &str, message: impl Into<String>) -> Problem {
        Problem::error(self.layer, Some(self.index), Some(self.id), field, message)
    }

    pub fn warning(&self, field: &str, message: impl Into<String>) -> Problem {
        Problem::warning(self.layer, Some(self.index), Some(self.id), field, message)
    }
}

/// Every id present, none twice in its layer.
fn unique_ids<'a>(
    ix: &Index<'_>,
    layer: Layer,
    ids: impl Iterator<Item = &'a String>,
    report: &mut Report,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (position, id) in ids.enumerate() {
        let index = ix.index(layer, position);
        let at = At { layer, index, id };
        if id.is_empty() {
            report.push(at.error("id", "missing id"));
        } else if let Some(first) = seen.insert(id, index) {
            seen.insert(id, first);
            let message = format!("duplicate id (first at {}[{first}])", layer.as_str());
            report.push(at.error("id", message));
        }
    }
}

/// A required owner: present and in the registry.
fn owner(at: &At<'_>, owner: &str, ix: &Index<'_>, report: &mut Report) {
    if owner.is_empty() {
        report.push(at.error("owner", "missing owner"));
    } else {
        known_owner(at, owner, ix, report);
    }
}

/// An owner that is given must be in the registry.
fn known_owner(at: &At<'_>, owner: &str, ix: &Index<'_>, report: &mut Report) {
    if !ix.owners.contains(owner) {
        report.push(at.error("owner", format!("unknown owner {owner:?}")));
    }
}

/// A site reference (`field`) must name a site.
fn known_site(at: &At<'_>, field: &str, site: &str, ix: &Index<'_>, report: &mut Report) {
    if !ix.sites.contains_key(site) {
        report.push(at.error(field, format!("unknown site {site:?}")));
    }
}
