//! The Brussels-scale demo network, generated from a seed (`generate-demo`): about 400 km of
//! routes over the region (lon 4.24-4.48, lat 50.76-50.92) owned by six bodies; a meshed core
//! of PoPs around the pentagon and along the main axes; a tree-shaped access part from PoPs
//! through cabinets and manholes to ~300 administrations, schools and hospitals; the canal
//! corridor (the port) and tram lines (STIB); cables of 12-288 strands, 15-30 % allocated;
//! ~200 wifi spots, ~60 target places and a few 2027 worksites.
//!
//! Deterministic for a seed (`StdRng::seed_from_u64`). Routes follow street-like polylines
//! (`streets`), end exactly at their sites and never cross themselves, so the result passes
//! validation without errors.
//!
//! Layout: `streets` (polylines, the local frame), `network` (owners, PoPs, core, canal,
//! trams), `access` (cabinets, manholes, trees), `places` (spots, targets, worksites),
//! `strands` (cables' allocations).

mod access;
mod network;
mod places;
mod strands;
mod streets;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use geo::{Coord, Geodesic, Length, LineString, MultiLineString, Point};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::{Cable, Cadastre, Route, Site};
pub use streets::EXTENT;

/// The demo network for `seed`.
pub fn generate(seed: u64) -> Cadastre {
    let mut b = Builder {
        rng: StdRng::seed_from_u64(seed),
        cad: Cadastre::default(),
        at: BTreeMap::new(),
        cable_tiers: Vec::new(),
    };
    network::owners(&mut b);
    let pops = network::core(&mut b);
    network::canal(&mut b, &pops);
    network::trams(&mut b, &pops);
    let buildings = access::build(&mut b, &pops);
    places::spots(&mut b, &buildings);
    places::targets(&mut b);
    places::worksites(&mut b);
    strands::allocate(&mut b);
    b.cad
}

/// Which part of the network a cable belongs to (sizes and allocations follow it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// Between PoPs: lit by the region's routers, leased to operators.
    Core,
    /// PoP to cabinet, canal and tram trunks.
    Feeder,
    /// Cabinet to building, building to spot.
    Access,
}

/// The network under construction.
struct Builder {
    rng: StdRng,
    cad: Cadastre,
    /// Each site's local position (metres east/north of the Grand-Place).
    at: BTreeMap<String, Coord>,
    /// Each cable's tier, parallel to `cad.cables`.
    cable_tiers: Vec<Tier>,
}

/// How a route runs between its sites.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// Through the streets, with blocks of this many metres.
    Street(f64, f64),
    /// Along an axis (canal bank, tram avenue): vertex spacing and wobble, metres.
    Corridor(f64, f64),
}

impl Builder {
    /// Adds a site at local point `at`; its commune is the nearest one's.
    fn site(&mut self, id: String, name: String, kind: &str, owner: &str, at: Coord) -> String {
        let lonlat = streets::to_lonlat(at);
        self.cad.sites.push(Site {
            id: id.clone(),
            name,
            kind: kind.to_string(),
            owner: Some(owner.to_string()),
            address: Some(network::address(&mut self.rng)),
            commune: Some(network::commune_of(at).to_string()),
            status: "in_service".to_string(),
            location: Point(lonlat),
        });
        self.at.insert(id.clone(), at);
        id
    }

    /// The local position of site `id` (the origin for an unknown id, which never happens).
    fn pos(&self, id: &str) -> Coord {
        self.at.get(id).copied().unwrap_or_default()
    }

    /// Adds a route from site `from` to site `to`; returns its id.
    fn route(
        &mut self,
        from: &str,
        to: &str,
        owner: &str,
        path: Path,
        ducts: (u32, u32),
    ) -> String {
        let (a, b) = (self.pos(from), self.pos(to));
        let local = match path {
            Path::Street(lo, hi) => streets::street(&mut self.rng, a, b, (lo, hi)),
            Path::Corridor(step, wobble) => streets::corridor(&mut self.rng, a, b, step, wobble),
        };
        let line: LineString<f64> = local.into_iter().map(streets::to_lonlat).collect();
        let length = Geodesic.length(&line);
        let ducts_total = self.rng.gen_range(ducts.0..=ducts.1);
        let ducts_free = self.rng.gen_range(0..=ducts_total.saturating_sub(1).min(3));
        let id = format!("r-{:04}", self.cad.routes.len() + 1);
        let aerial = matches!(path, Path::Street(lo, _) if lo < 80.0) && self.rng.gen_bool(0.04);
        self.cad.routes.push(Route {
            id: id.clone(),
            name: None,
            from_site: from.to_string(),
            to_site: to.to_string(),
            owner: owner.to_string(),
            deployment: if aerial { "aerial" } else { "underground" }.to_string(),
            ducts_total,
            ducts_free,
            status: "in_service".to_string(),
            declared_length_m: Some((length * 10.0).round() / 10.0),
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![line]),
        });
        id
    }

    /// Adds a cable along `routes` (contiguous, in order); returns its id.
    fn cable(&mut self, routes: Vec<String>, fibre_count: u32, owner: &str, tier: Tier) -> String {
        let id = format!("c-{:04}", self.cad.cables.len() + 1);
        let fibre_type = if tier == Tier::Access {
            "G.657.A1"
        } else {
            "G.652.D"
        };
        self.cad.cables.push(Cable {
            id: id.clone(),
            name: None,
            routes,
            fibre_count,
            fibre_type: Some(fibre_type.to_string()),
            owner: owner.to_string(),
            status: "in_service".to_string(),
        });
        self.cable_tiers.push(tier);
        id
    }

    /// A local point near `centre` (gaussian-ish, `spread` metres), inside the extent and at
    /// least `clear` metres from every site; `None` after a few tries.
    fn free_point(&mut self, centre: Coord, spread: f64, clear: f64) -> Option<Coord> {
        for _ in 0..40 {
            let r = spread * (self.rng.gen_range(0.0f64..1.0) + self.rng.gen_range(0.0..1.0));
            let t = self.rng.gen_range(0.0..std::f64::consts::TAU);
            let p = centre
                + Coord {
                    x: r * t.cos(),
                    y: r * t.sin(),
                };
            let crowded = self
                .at
                .values()
                .any(|&q| (p - q).x.hypot((p - q).y) < clear);
            if streets::inside(p, 400.0) && !crowded {
                return Some(p);
            }
        }
        None
    }
}

/// Euclidean distance between local points, metres.
fn dist(a: Coord, b: Coord) -> f64 {
    (a - b).x.hypot((a - b).y)
}
