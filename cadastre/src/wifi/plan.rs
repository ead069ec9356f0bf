//! The relocation plan: where the underused hotspots should go to reach the most of the
//! region's target places, and which hotspot goes where.
//!
//! - Movable: the hotspots whose verdict is `underused`; every other hotspot stays (whatever
//!   its verdict, or none). A hotspot is at its site; one whose site is not in the cadastre
//!   neither covers nor moves.
//! - A target is already covered when a staying hotspot is within `radius_m` of it. Candidate
//!   places: the targets not already covered whose distance to the fibre is at most
//!   `max_fibre_m`. The distance to the fibre is the distance to the nearest site (any site)
//!   or to the nearest point of a route with a dark pair (at least 2 spare strands), whichever
//!   is nearer ([`FibreVia`] says which).
//! - A chosen place covers the targets not already covered within `radius_m` of it (itself
//!   included). At most K places (K = `max_moves`, by default and at most the number of
//!   movable hotspots) maximise the covered weight; among plans of equal weight (1e-9
//!   relative), the fewest fibre metres. This is a maximal covering location problem, solved
//!   exactly in [`solve`] (reduction, components, enumeration or branch and bound, a dynamic
//!   programme over K), from the greedy plan, within `time_limit` (else `optimal: false` and
//!   an upper `bound` on the weight).
//! - Hotspots go to the chosen places with the least total move distance (Kuhn-Munkres on
//!   negated centimetres, as `pathfinding` wants integer weights); with fewer places than
//!   movable hotspots, the others stay.
//!
//! Distances are [`distance_m`] (local metric, millimetres at city scale). Answers round metres
//! to 0.1 m and weights to 1e-6; the solve does not round. The same input gives the same plan
//! (candidates are numbered in id order and every tie falls to that order), unless the time
//! limit cuts the search.
//!
//! Layout: `instance` (cadastre → covering problem), `solve` (the exact solver), `targets`
//! (target places from a GeoJSON of points and polygons), `tests`.

mod instance;
mod solve;
mod targets;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use geo::Coord;
use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use serde::Serialize;
use serde_json::{json, Value};

use crate::geometry::local::distance_m;
use crate::model::Cadastre;
use crate::wifi::verdict::{Criteria, HotspotVerdict};

pub use targets::targets_from_geojson;

/// The plan's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanParams {
    /// A hotspot covers the targets within this many metres.
    pub radius_m: f64,
    /// A candidate place is at most this far from the fibre, metres.
    pub max_fibre_m: f64,
    /// At most this many moves (default and at most: the number of movable hotspots).
    pub max_moves: Option<usize>,
    /// The exact solve stops here with the best plan found (`optimal: false`).
    pub time_limit: Duration,
}

impl PlanParams {
    /// The defaults for a radius and a fibre distance: as many moves as movable hotspots,
    /// 10 s of solving.
    pub fn new(radius_m: f64, max_fibre_m: f64) -> PlanParams {
        PlanParams {
            radius_m,
            max_fibre_m,
            max_moves: None,
            time_limit: Duration::from_secs(10),
        }
    }
}

/// What a candidate place is nearest to on the fibre: `{"site": "<id>"}` or
/// `{"route": "<id>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FibreVia {
    Site(String),
    Route(String),
}

impl FibreVia {
    /// `site` or `route`, and the id.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            FibreVia::Site(id) => ("site", id),
            FibreVia::Route(id) => ("route", id),
        }
    }
}

/// One hotspot's move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub hotspot: String,
    pub from_site: String,
    /// The target place it moves to.
    pub to_target: String,
    /// That target's kind.
    pub to_kind: String,
    /// From its site to the place, metres.
    pub distance_m: f64,
    /// From the place to the fibre, metres.
    pub fibre_m: f64,
    pub fibre_via: FibreVia,
    /// The targets it newly covers (a target two places cover is listed under the nearer).
    pub covers: Vec<String>,
    /// Their total weight.
    pub weight: f64,
}

/// The criteria the plan was made with: the verdict's thresholds and the plan's parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanCriteria {
    #[serde(flatten)]
    pub verdict: Criteria,
    pub radius_m: f64,
    pub max_fibre_m: f64,
    /// K: the most moves allowed.
    pub max_moves: usize,
}

/// The relocation plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub moves: Vec<Move>,
    /// Σ of the moves' weights: the weight of the targets newly covered.
    pub covered_weight: f64,
    /// Σ of the moves' `fibre_m`.
    pub fibre_m_total: f64,
    /// True when no plan covers more weight (or as much with fewer fibre metres).
    pub optimal: bool,
    /// An upper bound on the weight any plan covers (`covered_weight` when optimal).
    pub bound: f64,
    /// Wall-clock time of the whole plan (instance, solve, assignment), ms.
    pub solve_ms: f64,
    /// Candidate places.
    pub candidates: usize,
    /// Movable (underused, located) hotspots.
    pub movable: usize,
    /// The weight the greedy plan (best marginal weight first) covers.
    pub greedy_weight: f64,
    pub criteria: PlanCriteria,
}

/// The relocation plan for the hotspots of `cad` given their `verdicts` (made with
/// `criteria`, reported in the plan).
pub fn plan(
    cad: &Cadastre,
    verdicts: &[HotspotVerdict],
    criteria: &Criteria,
    p: &PlanParams,
) -> Plan {
    let started = Instant::now();
    let inst = instance::build(cad, verdicts, p.radius_m, p.max_fibre_m, p.max_moves);
    let all: Vec<usize> = (0..inst.places.len()).collect();
    let greedy = solve::greedy(&inst.mclp, &all, inst.mclp.k);
    let greedy_weight = solve::covered_weight(&inst.mclp, &greedy);
    let solved = solve::solve(&inst.mclp, started + p.time_limit);
    let moves = moves(cad, &inst, &solved.chosen);
    let covered_weight: f64 = moves.iter().map(|m| m.weight).sum();
    Plan {
        fibre_m_total: round(moves.iter().map(|m| m.fibre_m).sum(), 1),
        covered_weight: round(covered_weight, 6),
        optimal: solved.optimal,
        bound: round(
            if solved.optimal {
                covered_weight
            } else {
                solved.bound
            },
            6,
        ),
        solve_ms: round(started.elapsed().as_secs_f64() * 1e3, 1),
        candidates: inst.places.len(),
        movable: inst.movers.len(),
        greedy_weight: round(greedy_weight, 6),
        criteria: PlanCriteria {
            verdict: *criteria,
            radius_m: p.radius_m,
            max_fibre_m: p.max_fibre_m,
            max_moves: inst.mclp.k,
        },
        moves,
    }
}

/// The moves to the `chosen` places (indices into `inst.places`): hotspots assigned with the
/// least total distance, each place's newly covered targets.
fn moves(cad: &Cadastre, inst: &instance::Instance, chosen: &[usize]) -> Vec<Move> {
    let at = |place: usize| cad.targets[inst.places[place].target].location.0;
    let owner = nearest_owner(cad, inst, chosen);
    let hotspot_of = assign(
        &inst.movers,
        &chosen.iter().map(|&c| at(c)).collect::<Vec<_>>(),
    );
    let mut moves: Vec<Move> = chosen
        .iter()
        .zip(hotspot_of)
        .enumerate()
        .map(|(i, (&c, h))| {
            let place = &inst.places[c];
            let target = &cad.targets[place.target];
            let mover = &inst.movers[h];
            let covers: Vec<usize> = owner
                .iter()
                .filter(|(_, o)| *o == i)
                .map(|(t, _)| *t)
                .collect();
            Move {
                hotspot: mover.hotspot.clone(),
                from_site: mover.site.clone(),
                to_target: target.id.clone(),
                to_kind: target.kind.clone(),
                distance_m: round(distance_m(mover.at, at(c)), 1),
                fibre_m: round(place.fibre_m, 1),
                fibre_via: place.via.clone(),
                covers: covers.iter().map(|&t| cad.targets[t].id.clone()).collect(),
                weight: round(covers.iter().map(|&t| cad.targets[t].weight).sum(), 6),
            }
        })
        .collect();
    moves.sort_by(|a, b| a.hotspot.cmp(&b.hotspot));
    moves
}

/// Each newly covered target (index in `cad.targets`, weight ≥ 0) and the position in `chosen`
/// of the nearest chosen place that covers it (ties: the first in id order).
fn nearest_owner(
    cad: &Cadastre,
    inst: &instance::Instance,
    chosen: &[usize],
) -> Vec<(usize, usize)> {
    let mut best: Vec<Option<(f64, usize)>> = vec![None; inst.open.len()];
    for (i, &c) in chosen.iter().enumerate() {
        let from = cad.targets[inst.places[c].target].location.0;
        for &j in &inst.mclp.covers[c] {
            let d = distance_m(from, cad.targets[inst.open[j]].location.0);
            if best[j].is_none_or(|(bd, _)| d < bd) {
                best[j] = Some((d, i));
            }
        }
    }
    let mut owner: Vec<(usize, usize)> = best
        .iter()
        .enumerate()
        .filter_map(|(j, b)| b.map(|(_, i)| (inst.open[j], i)))
        .filter(|&(t, _)| {
            let w = cad.targets[t].weight;
            w >= 0.0 && w.is_finite()
        })
        .collect();
    owner.sort_by(|a, b| {
        cad.targets[a.0]
            .id
            .cmp(&cad.targets[b.0].id)
            .then(a.0.cmp(&b.0))
    });
    owner
}

/// For each place, the mover that goes there: the assignment of least total distance
/// (Kuhn-Munkres maximises integer weights, so each pair weighs minus its distance in whole
/// centimetres). Needs no more places than movers.
fn assign(movers: &[instance::Mover], places: &[Coord<f64>]) -> Vec<usize> {
    if places.is_empty() {
        return Vec::new();
    }
    let rows: Vec<Vec<i64>> = places
        .iter()
        .map(|&p| {
            movers
                .iter()
                .map(|m| -((distance_m(m.at, p) * 100.0).round() as i64))
                .collect()
        })
        .collect();
    match Matrix::from_rows(rows) {
        Ok(weights) if places.len() <= movers.len() => kuhn_munkres(&weights).1,
        // Not reached (the solver picks at most as many places as movers, rows are equal).
        _ => (0..places.len()).collect(),
    }
}

/// Rounds `x` to `digits` decimals.
fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// The plan as a GeoJSON FeatureCollection: each move a LineString from the hotspot's site to
/// its place, with the move's fields as properties.
pub fn to_geojson(plan: &Plan, cad: &Cadastre) -> Value {
    let site = |id: &str| cad.sites.iter().find(|s| s.id == id).map(|s| s.location.0);
    let target = |id: &str| {
        cad.targets
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.location.0)
    };
    let features: Vec<Value> = plan
        .moves
        .iter()
        .map(|m| {
            let geometry = match (site(&m.from_site), target(&m.to_target)) {
                (Some(a), Some(b)) => json!({
                    "type": "LineString",
                    "coordinates": [[a.x, a.y], [b.x, b.y]],
                }),
                _ => Value::Null,
            };
            json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": serde_json::to_value(m).unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// The CSV header of [`to_csv`].
pub const CSV_HEADER: [&str; 10] = [
    "hotspot",
    "from_site",
    "to_target",
    "to_kind",
    "distance_m",
    "fibre_m",
    "fibre_via",
    "fibre_via_id",
    "covers",
    "weight",
];

/// The plan as CSV (RFC 4180, CRLF): a header, then one row per move, `covers` joined with `;`.
pub fn to_csv(plan: &Plan) -> String {
    let mut out = String::new();
    crate::csv::push_record(&mut out, CSV_HEADER.into_iter());
    for m in &plan.moves {
        let (via, via_id) = m.fibre_via.parts();
        let fields = [
            m.hotspot.clone(),
            m.from_site.clone(),
            m.to_target.clone(),
            m.to_kind.clone(),
            m.distance_m.to_string(),
            m.fibre_m.to_string(),
            via.to_string(),
            via_id.to_string(),
            m.covers.join(";"),
            m.weight.to_string(),
        ];
        crate::csv::push_record(&mut out, fields.iter().map(String::as_str));
    }
    out
}

/// What the brute force found: the best weight, the fewest fibre metres at that weight, the
/// chosen places' target ids.
#[cfg(any(test, feature = "brute-force"))]
#[derive(Debug, Clone, PartialEq)]
pub struct BruteForce {
    pub covered_weight: f64,
    pub fibre_m_total: f64,
    pub places: Vec<String>,
}

/// The greedy plan alone (best marginal weight first, ties by fewer fibre metres): what the
/// bench compares the exact solve with.
#[cfg(any(test, feature = "brute-force"))]
pub fn greedy(cad: &Cadastre, verdicts: &[HotspotVerdict], p: &PlanParams) -> BruteForce {
    let inst = instance::build(cad, verdicts, p.radius_m, p.max_fibre_m, p.max_moves);
    let all: Vec<usize> = (0..inst.places.len()).collect();
    let chosen = solve::greedy(&inst.mclp, &all, inst.mclp.k);
    BruteForce {
        covered_weight: solve::covered_weight(&inst.mclp, &chosen),
        fibre_m_total: chosen.iter().map(|&c| inst.places[c].fibre_m).sum(),
        places: chosen
            .iter()
            .map(|&c| cad.targets[inst.places[c].target].id.clone())
            .collect(),
    }
}

/// The reference: every subset of at most K candidate places (tests and the bench only:
/// exponential).
#[cfg(any(test, feature = "brute-force"))]
pub fn brute_force(cad: &Cadastre, verdicts: &[HotspotVerdict], p: &PlanParams) -> BruteForce {
    let inst = instance::build(cad, verdicts, p.radius_m, p.max_fibre_m, p.max_moves);
    let (value, chosen) = solve::brute_force(&inst.mclp);
    BruteForce {
        covered_weight: value.w,
        fibre_m_total: value.f,
        places: chosen
            .iter()
            .map(|&c| cad.targets[inst.places[c].target].id.clone())
            .collect(),
    }
}
