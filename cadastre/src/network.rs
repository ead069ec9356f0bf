//! The cadastre as a `topology` graph: sites become nodes, routes (trenches, ducts) become
//! links. A route's strands are those of the cables laid along it: fibre count summed over its
//! cables, allocated strands counted once per (cable, strand) and never above a cable's fibre
//! count (validation reports over-allocation; the graph must still build). Sites of kind
//! `pop` are the core.
//!
//! Shared-risk groups come from the geometry: two routes that run within
//! [`TrenchRule::within_m`] of each other for at least [`TrenchRule::min_shared_m`] (away from
//! their ends, where every route meets its site's others) lie in one trench, and share the group
//! `trench:A+B` (ids in order). A digger in that street cuts both, so they are not diverse.
//! A route's declared `srlgs` (a bridge crossing, a tunnel) are added to those found.

use std::collections::{BTreeMap, BTreeSet};

use geo::MultiPolygon;
use topology::{
    AllocationSpec, BuildWarning, Circuit, LinkSpec, LitPort, Network, PortEnd, SiteSpec,
};

use crate::geometry::{route_length_m, SpatialIndex};
use crate::model::{Cadastre, Layer, PortRef, Use};
use crate::works::{self, WorksFilter};

/// When two routes count as one trench.
#[derive(Debug, Clone, Copy)]
pub struct TrenchRule {
    /// Two routes closer than this (metres) run in the same trench at that point.
    pub within_m: f64,
    /// They share a trench when they do so along at least this many metres.
    pub min_shared_m: f64,
    /// Metres at each end of a route that are not compared (routes converge at their sites).
    pub skip_ends_m: f64,
    /// Distance between the points sampled along each route, metres.
    pub step_m: f64,
}

impl Default for TrenchRule {
    fn default() -> Self {
        TrenchRule {
            within_m: 3.0,
            min_shared_m: 50.0,
            skip_ends_m: 30.0,
            step_m: 10.0,
        }
    }
}

/// Route id → the `trench:A+B` groups it shares with other routes (see [`TrenchRule`]).
pub fn shared_trenches(
    cad: &Cadastre,
    index: &SpatialIndex,
    rule: &TrenchRule,
) -> BTreeMap<String, Vec<String>> {
    use geo::{Distance, Geodesic, InterpolatePoint};
    // (lower route index, higher) → sampled metres where they are within `within_m`.
    let mut near: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let step = rule.step_m.max(0.5);
    for (i, r) in cad.routes.iter().enumerate() {
        let total = route_length_m(r);
        let mut along = 0.0;
        let mut seen: BTreeMap<usize, f64> = BTreeMap::new();
        for line in &r.geometry.0 {
            for seg in line.lines() {
                let (a, b) = (geo::Point::from(seg.start), geo::Point::from(seg.end));
                let len = Geodesic.distance(a, b);
                let mut t = 0.0;
                while t < len {
                    let at = along + t;
                    if at >= rule.skip_ends_m && total - at >= rule.skip_ends_m {
                        let p = Geodesic.point_at_distance_between(a, b, t);
                        for hit in index.within(p, rule.within_m) {
                            if hit.layer == Layer::Routes && hit.index != i {
                                *seen.entry(hit.index).or_default() += step;
                            }
                        }
                    }
                    t += step;
                }
                along += len;
            }
        }
        for (j, m) in seen {
            let key = (i.min(j), i.max(j));
            // Seen from both sides: keep the larger (a short route inside a long one).
            let e = near.entry(key).or_default();
            *e = e.max(m);
        }
    }
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((i, j), m) in near {
        if m >= rule.min_shared_m {
            let (a, b) = (&cad.routes[i].id, &cad.routes[j].id);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let g = format!("trench:{lo}+{hi}");
            groups.entry(a.clone()).or_default().push(g.clone());
            groups.entry(b.clone()).or_default().push(g);
        }
    }
    groups
}

/// Sites and links for [`Network::build`], in the cadastre's order, with the shared trenches
/// of [`TrenchRule::default`] found through `index` (the cadastre's).
pub fn specs(cad: &Cadastre, index: &SpatialIndex) -> (Vec<SiteSpec>, Vec<LinkSpec>) {
    let trenches = shared_trenches(cad, index, &TrenchRule::default());
    specs_with(cad, &trenches)
}

/// Sites and links with the given shared-risk groups per route id.
pub fn specs_with(
    cad: &Cadastre,
    srlgs: &BTreeMap<String, Vec<String>>,
) -> (Vec<SiteSpec>, Vec<LinkSpec>) {
    let sites = cad
        .sites
        .iter()
        .map(|s| SiteSpec {
            id: s.id.clone(),
            name: s.name.clone(),
            is_core: s.kind == "pop",
        })
        .collect();
    // Distinct allocated strands per cable, capped at its fibre count.
    let mut used: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for a in &cad.allocations {
        used.entry(a.cable.as_str())
            .or_default()
            .extend(a.strands.iter().copied());
    }
    let mut on_route: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for c in &cad.cables {
        let allocated = used.get(c.id.as_str()).map_or(0, |s| {
            s.iter().filter(|&&k| k >= 1 && k <= c.fibre_count).count()
        }) as u32;
        for r in &c.routes {
            let e = on_route.entry(r.as_str()).or_default();
            e.0 = e.0.saturating_add(c.fibre_count);
            e.1 = e.1.saturating_add(allocated);
        }
    }
    let links = cad
        .routes
        .iter()
        .map(|r| {
            let (fibre_count, allocated_strands) =
                on_route.get(r.id.as_str()).copied().unwrap_or((0, 0));
            LinkSpec {
                id: r.id.clone(),
                a: r.from_site.clone(),
                b: r.to_site.clone(),
                length_m: route_length_m(r),
                owner: r.owner.clone(),
                fibre_count,
                allocated_strands,
                free_ducts: r.ducts_free,
                srlgs: {
                    // Declared groups first, then the trenches found; each once.
                    let mut all: Vec<String> = Vec::new();
                    for g in r.srlgs.iter().chain(srlgs.get(&r.id).into_iter().flatten()) {
                        if !all.contains(g) {
                            all.push(g.clone());
                        }
                    }
                    all
                },
            }
        })
        .collect();
    (sites, links)
}

/// The cadastre's graph and what building it found (islands, dangling sites, allocations on
/// unknown routes, ...), with its strand allocations attached (each runs along its cable's
/// routes).
pub fn build(cad: &Cadastre) -> (Network, Vec<String>) {
    build_with(cad, &SpatialIndex::build(cad))
}

/// The graph without shared-trench detection (no SRLGs but the declared ones), for figures
/// trenches do not change: spare capacity, lengths, loss.
pub fn build_without_trenches(cad: &Cadastre) -> Network {
    let (sites, links) = specs_with(cad, &BTreeMap::new());
    Network::build(&sites, &links).0
}

/// [`build`] with the cadastre's spatial index already built (callers that also query it).
pub fn build_with(cad: &Cadastre, index: &SpatialIndex) -> (Network, Vec<String>) {
    let (sites, links) = specs(cad, index);
    let (mut net, built) = Network::build(&sites, &links);
    let mut warnings: Vec<String> = built.iter().map(BuildWarning::to_string).collect();
    warnings.extend(
        net.set_allocations(allocations(cad))
            .iter()
            .map(ToString::to_string),
    );
    (net, warnings)
}

/// Every strand allocation as the graph sees it: the routes of its cable, its ends, how many
/// strands. An allocation naming an unknown cable runs along no route (validation reports it).
pub fn allocations(cad: &Cadastre) -> Vec<AllocationSpec> {
    let cables = cable_routes(cad);
    cad.allocations
        .iter()
        .map(|a| AllocationSpec {
            id: a.id.clone(),
            links: cables
                .get(a.cable.as_str())
                .map_or_else(Vec::new, |r| r.to_vec()),
            from_site: a.from_site.clone(),
            to_site: a.to_site.clone(),
            strands: a.strands.len() as u32,
            kind: match a.use_ {
                Use::Internal => "internal",
                Use::Lease => "lease",
                Use::Reserved => "reserved",
            }
            .to_string(),
            party: a.party.clone(),
        })
        .collect()
}

/// The lit circuits: allocations with a device port at both ends, along their cable's routes,
/// in allocation order (what `topology drift` compares with LLDP and optical levels).
pub fn circuits(cad: &Cadastre) -> Vec<Circuit> {
    let cables = cable_routes(cad);
    let end = |p: &PortRef| PortEnd::new(p.device.clone(), p.port.clone());
    cad.allocations
        .iter()
        .filter_map(|a| {
            let (Some(x), Some(y)) = (&a.a_end, &a.b_end) else {
                return None;
            };
            Some(Circuit {
                id: a.id.clone(),
                links: cables
                    .get(a.cable.as_str())
                    .map_or_else(Vec::new, |r| r.to_vec()),
                a_end: end(x),
                b_end: end(y),
            })
        })
        .collect()
}

/// The lit ports on each route, for `Network::spare_with`: every allocation with a port end
/// counts once on each route of its cable, with the first end `measure` knows (`a_end`, else
/// `b_end`: both ends carry the same traffic, so one is enough and two would count it twice).
pub fn lit_ports(
    cad: &Cadastre,
    mut measure: impl FnMut(&PortRef) -> Option<LitPort>,
) -> BTreeMap<String, Vec<LitPort>> {
    let cables = cable_routes(cad);
    let mut out: BTreeMap<String, Vec<LitPort>> = BTreeMap::new();
    for a in &cad.allocations {
        let lit = a
            .a_end
            .as_ref()
            .and_then(&mut measure)
            .or_else(|| a.b_end.as_ref().and_then(&mut measure));
        let (Some(lit), Some(routes)) = (lit, cables.get(a.cable.as_str())) else {
            continue;
        };
        for r in routes.iter() {
            out.entry(r.clone()).or_default().push(lit);
        }
    }
    out
}

fn cable_routes(cad: &Cadastre) -> BTreeMap<&str, &[String]> {
    cad.cables
        .iter()
        .map(|c| (c.id.as_str(), c.routes.as_slice()))
        .collect()
}

/// Ids of the routes that cross or touch any of `areas` (a worksite, a digger's zone), in
/// route order.
pub fn routes_in(index: &SpatialIndex, areas: &MultiPolygon<f64>) -> Vec<String> {
    let mut ids: BTreeSet<(usize, String)> = BTreeSet::new();
    for poly in &areas.0 {
        for hit in index.inside(poly) {
            if hit.layer == Layer::Routes {
                ids.insert((hit.index, hit.id));
            }
        }
    }
    ids.into_iter().map(|(_, id)| id).collect()
}

/// A planned worksite along which a useful new route could be laid while the street is open.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DigOnce {
    pub worksite: String,
    pub worksite_name: String,
    /// The work's nature (`water_main`, `resurfacing`, ...).
    pub nature: String,
    pub organisation: String,
    pub start: String,
    /// The last day the street is open (an open-ended work's placeholder, e.g. 3000-01-01).
    pub end: String,
    /// Days the street stays open from the later of its start and the day asked about, both
    /// counted; `null` when open-ended.
    pub open_days: Option<i64>,
    /// The work has no real end (an end in year 2999 or later).
    pub open_ended: bool,
    /// The wish's sites: the single-homed site the new route would protect and the site it
    /// would reach, or the wish list's pair.
    pub site: String,
    pub to_site: String,
    /// The wish's reason: `single_homed` or `wish_list`.
    pub reason: &'static str,
    /// Straight-line length of the new route, km.
    pub new_route_km: f64,
    /// Metres of it inside the worksite's footprint: trench not to dig separately.
    pub saved_m: f64,
}

/// A new route someone wants: a straight line between two sites (standing for the street path
/// a planner would draw).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Wish {
    pub from: String,
    pub to: String,
    /// `single_homed` (protects a site one bridge cuts off) or `wish_list` (asked for).
    pub reason: &'static str,
}

/// Dig-once candidates for the single-homed sites' wishes ([`single_homed_wishes`]).
pub fn dig_once(cad: &Cadastre, net: &Network, buffer_m: f64, works: &WorksFilter) -> Vec<DigOnce> {
    dig_once_for(cad, &single_homed_wishes(cad, net), buffer_m, works)
}

/// One new route per **single-homed** site (a non-core site that some bridge's loss cuts off
/// from the core): a straight line to the nearest site that none of those bridges cuts off;
/// two sites that are each other's answer make one wish.
pub fn single_homed_wishes(cad: &Cadastre, net: &Network) -> Vec<Wish> {
    use geo::{Distance, Geodesic};
    // What each bridge cuts off; per single-homed site, its largest such set: the sets of a
    // site's bridges are nested (they all lie on its way to the core), so it holds the others.
    let mut sets: Vec<BTreeSet<String>> = Vec::new();
    let mut largest: BTreeMap<String, usize> = BTreeMap::new();
    for b in net.spof().bridges {
        let Ok(isolated) = net.isolated_by(&topology::CutSpec {
            links: vec![b],
            srlgs: Vec::new(),
        }) else {
            continue;
        };
        let k = sets.len();
        sets.push(isolated.into_iter().collect());
        for s in &sets[k] {
            let e = largest.entry(s.clone()).or_insert(k);
            if sets[k].len() > sets[*e].len() {
                *e = k;
            }
        }
    }
    let at: BTreeMap<&str, geo::Point<f64>> = cad
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.location))
        .collect();
    let mut wishes = Vec::new();
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for (s, &k) in &largest {
        let with_it = &sets[k];
        let Some(&p) = at.get(s.as_str()) else {
            continue;
        };
        let best = cad
            .sites
            .iter()
            .filter(|t| !with_it.contains(&t.id))
            .map(|t| (Geodesic.distance(p, t.location), t))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, t)) = best else {
            continue;
        };
        let key = if s <= &t.id {
            (s.clone(), t.id.clone())
        } else {
            (t.id.clone(), s.clone())
        };
        if pairs.insert(key) {
            wishes.push(Wish {
                from: s.clone(),
                to: t.id.clone(),
                reason: "single_homed",
            });
        }
    }
    wishes
}

/// Wishes for explicit site pairs; every unknown site id is named in the error.
pub fn wish_list(cad: &Cadastre, pairs: &[(String, String)]) -> Result<Vec<Wish>, Vec<String>> {
    let known: BTreeSet<&str> = cad.sites.iter().map(|s| s.id.as_str()).collect();
    let mut problems = Vec::new();
    for (i, (a, b)) in pairs.iter().enumerate() {
        for (end, id) in [("from", a), ("to", b)] {
            if !known.contains(id.as_str()) {
                problems.push(format!("wish[{i}].{end}: unknown site {id:?}"));
            }
        }
        if a == b {
            problems.push(format!("wish[{i}]: from and to are the same site {a:?}"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(pairs
        .iter()
        .map(|(a, b)| Wish {
            from: a.clone(),
            to: b.clone(),
            reason: "wish_list",
        })
        .collect())
}

/// Dig-once candidates: each worksite `works` keeps (it opens the street and is still open)
/// whose footprint (points and lines widened by `buffer_m`, [`works::footprint`]) overlaps a
/// wish's straight line is listed with the metres it would save and how long the street stays
/// open, most metres first. Wishes naming an unknown site are skipped.
pub fn dig_once_for(
    cad: &Cadastre,
    wishes: &[Wish],
    buffer_m: f64,
    works: &WorksFilter,
) -> Vec<DigOnce> {
    use geo::{BooleanOps, Distance, Geodesic, Length};
    let at: BTreeMap<&str, geo::Point<f64>> = cad
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.location))
        .collect();
    let wishes: Vec<(&Wish, geo::Line<f64>, f64)> = wishes
        .iter()
        .filter_map(|w| {
            let (a, b) = (at.get(w.from.as_str())?, at.get(w.to.as_str())?);
            Some((w, geo::Line::new(a.0, b.0), Geodesic.distance(*a, *b)))
        })
        .collect();
    let mut out = Vec::new();
    for w in &cad.worksites {
        let Ok(open) = works.open(w) else {
            continue;
        };
        let area = works::footprint(&w.geometry, buffer_m);
        for (wish, line, d) in &wishes {
            let path =
                geo::MultiLineString::new(vec![geo::LineString::from(vec![line.start, line.end])]);
            let inside = area.clip(&path, false);
            let saved: f64 = inside.0.iter().map(|l| Geodesic.length(l)).sum();
            if saved >= 1.0 {
                out.push(DigOnce {
                    worksite: w.id.clone(),
                    worksite_name: w.name.clone(),
                    nature: w.nature.clone(),
                    organisation: w.organisation.clone(),
                    start: w.start.clone(),
                    end: w.end.clone(),
                    open_days: open.open_days,
                    open_ended: open.open_ended,
                    site: wish.from.clone(),
                    to_site: wish.to.clone(),
                    reason: wish.reason,
                    new_route_km: (d / 1000.0 * 1000.0).round() / 1000.0,
                    saved_m: saved.round(),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.saved_m
            .total_cmp(&a.saved_m)
            .then_with(|| a.worksite.cmp(&b.worksite))
            .then_with(|| a.site.cmp(&b.site))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::tests::{route, site};
    use crate::model::Worksite;

    /// Two routes in one street (1.1 m apart over 300 m) share a trench; a route crossing
    /// them, and one that only meets them at a shared site, do not.
    #[test]
    fn routes_along_one_street_share_a_trench() {
        let (lon0, lat) = (4.35, 50.85);
        let dlat = 1.1 / 111_320.0; // 1.1 m north
        let mut a = route("r-a", "o", vec![vec![(lon0, lat), (lon0 + 0.0045, lat)]]);
        a.from_site = "s1".into();
        a.to_site = "s2".into();
        let mut b = route(
            "r-b",
            "o",
            vec![vec![
                (lon0 + 0.0002, lat + dlat),
                (lon0 + 0.0043, lat + dlat),
            ]],
        );
        b.from_site = "s3".into();
        b.to_site = "s4".into();
        let mut cross = route(
            "r-x",
            "o",
            vec![vec![
                (lon0 + 0.002, lat - 0.002),
                (lon0 + 0.002, lat + 0.002),
            ]],
        );
        cross.from_site = "s5".into();
        cross.to_site = "s6".into();
        // Leaves s2 to the north-east: it touches r-a only within the skipped end.
        let mut spur = route(
            "r-s",
            "o",
            vec![vec![(lon0 + 0.0045, lat), (lon0 + 0.006, lat + 0.001)]],
        );
        spur.from_site = "s2".into();
        spur.to_site = "s7".into();
        let cad = Cadastre {
            sites: (1..=7).map(|i| site(&format!("s{i}"), lon0, lat)).collect(),
            routes: vec![a, b, cross, spur],
            ..Cadastre::default()
        };
        let t = shared_trenches(&cad, &SpatialIndex::build(&cad), &TrenchRule::default());
        let want: BTreeMap<String, Vec<String>> = [
            ("r-a".to_string(), vec!["trench:r-a+r-b".to_string()]),
            ("r-b".to_string(), vec!["trench:r-a+r-b".to_string()]),
        ]
        .into();
        assert_eq!(t, want);
        // 10 m apart is two streets' worth of separation: no trench.
        let mut far = cad.clone();
        for c in far.routes[1].geometry.0[0].0.iter_mut() {
            c.y += 9.0 / 111_320.0;
        }
        assert!(
            shared_trenches(&far, &SpatialIndex::build(&far), &TrenchRule::default()).is_empty()
        );
        let (_, links) = specs(&cad, &SpatialIndex::build(&cad));
        assert_eq!(links[0].srlgs, ["trench:r-a+r-b"]);
        assert!(links[2].srlgs.is_empty());
        // Declared groups come first and are merged with the trenches found.
        let mut declared = cad.clone();
        declared.routes[0].srlgs = vec!["bridge:canal".into()];
        declared.routes[2].srlgs = vec!["bridge:canal".into(), "bridge:canal".into()];
        let (_, links) = specs(&declared, &SpatialIndex::build(&declared));
        assert_eq!(links[0].srlgs, ["bridge:canal", "trench:r-a+r-b"]);
        assert_eq!(links[2].srlgs, ["bridge:canal"]);
    }

    /// A (pop) — D (pop) are linked; S hangs on A alone, 1 km east of A, with D 300 m north
    /// of S. The wish route is S → D; a worksite straddling its middle (a 100 m square) saves
    /// ≈ 100 m, one far away saves nothing, and a point worksite on the line saves its buffer.
    #[test]
    fn dig_once_finds_worksites_along_the_protection_route() {
        use geo::{Geometry, LineString, Point, Polygon};
        let (lon, lat): (f64, f64) = (4.35, 50.85);
        let m_lon = 1.0 / (111_320.0 * lat.to_radians().cos());
        let m_lat = 1.0 / 111_320.0;
        let a = (lon, lat);
        let s_at = (lon + 1000.0 * m_lon, lat);
        let d_at = (lon + 1000.0 * m_lon, lat + 300.0 * m_lat);
        let mut sites = vec![
            site("A", a.0, a.1),
            site("D", d_at.0, d_at.1),
            site("S", s_at.0, s_at.1),
        ];
        sites[2].kind = "cabinet".into();
        let mut ad = route("r-ad", "o", vec![vec![a, d_at]]);
        ad.from_site = "A".into();
        ad.to_site = "D".into();
        let mut as_ = route("r-as", "o", vec![vec![a, s_at]]);
        as_.from_site = "A".into();
        as_.to_site = "S".into();
        let square = |cx: f64, cy: f64, half_m: f64| {
            let (dx, dy) = (half_m * m_lon, half_m * m_lat);
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![
                    (cx - dx, cy - dy),
                    (cx + dx, cy - dy),
                    (cx + dx, cy + dy),
                    (cx - dx, cy + dy),
                    (cx - dx, cy - dy),
                ]),
                vec![],
            ))
        };
        let ws = |id: &str, g: Geometry<f64>| Worksite {
            id: id.into(),
            name: id.into(),
            nature: "resurfacing".into(),
            organisation: "Commune".into(),
            start: "2027-01-01".into(),
            end: "2027-02-01".into(),
            geometry: g,
        };
        let mid = (s_at.0, lat + 150.0 * m_lat);
        let cad = Cadastre {
            sites,
            routes: vec![ad, as_],
            worksites: vec![
                ws("w-on", square(mid.0, mid.1, 50.0)),
                ws("w-far", square(lon - 0.01, lat - 0.01, 50.0)),
                ws(
                    "w-point",
                    Geometry::Point(Point::new(mid.0, mid.1 + 100.0 * m_lat)),
                ),
            ],
            ..Cadastre::default()
        };
        let (net, _) = build(&cad);
        let works =
            WorksFilter::street_works(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let found = dig_once(&cad, &net, 25.0, &works);
        let got: Vec<(&str, &str, &str, f64)> = found
            .iter()
            .map(|d| {
                (
                    d.worksite.as_str(),
                    d.site.as_str(),
                    d.to_site.as_str(),
                    d.saved_m,
                )
            })
            .collect();
        assert_eq!(
            got,
            [("w-on", "S", "D", 100.0), ("w-point", "S", "D", 50.0)]
        );
        assert!((found[0].new_route_km - 0.3).abs() < 0.002, "{found:?}");
        assert!(found.iter().all(|d| d.reason == "single_homed"));

        // An explicit wish list: D → S (the same street) finds the same worksites, A → S (along
        // the existing route, away from them) finds none.
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let listed = wish_list(&cad, &[pair("D", "S"), pair("A", "S")]).unwrap();
        let found = dig_once_for(&cad, &listed, 25.0, &works);
        let got: Vec<(&str, &str, f64, &str)> = found
            .iter()
            .map(|d| (d.worksite.as_str(), d.site.as_str(), d.saved_m, d.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("w-on", "D", 100.0, "wish_list"),
                ("w-point", "D", 50.0, "wish_list")
            ]
        );
        let bad = wish_list(&cad, &[pair("A", "nowhere"), pair("S", "S")]).unwrap_err();
        assert_eq!(
            bad,
            [
                "wish[0].to: unknown site \"nowhere\"",
                "wish[1]: from and to are the same site \"S\""
            ]
        );
    }

    #[test]
    fn the_demo_network_builds_with_strands_per_route() {
        let cad = crate::demo::generate(1);
        let (sites, links) = specs(&cad, &SpatialIndex::build(&cad));
        assert_eq!(sites.len(), cad.sites.len());
        assert_eq!(links.len(), cad.routes.len());
        // Every cable's fibres are counted on each route it runs along.
        let fibres: u64 = cad
            .cables
            .iter()
            .map(|c| u64::from(c.fibre_count) * c.routes.len() as u64)
            .sum();
        assert_eq!(
            links.iter().map(|l| u64::from(l.fibre_count)).sum::<u64>(),
            fibres
        );
        assert!(links.iter().all(|l| l.allocated_strands <= l.fibre_count));
        assert!(links.iter().any(|l| l.allocated_strands > 0));
        let (net, _warnings) = build(&cad);
        assert_eq!(net.n_links(), cad.routes.len());
        assert_eq!(net.n_components(), 1, "the demo backbone is one network");
    }

    /// A cable over r1 and r2 carries a lit circuit (both ends), a lease (no ends) and a
    /// circuit with one end: only the first is a circuit; lit ports count once per route, from
    /// the first end that is measured.
    #[test]
    fn circuits_and_lit_ports_follow_the_cable() {
        use crate::model::{Allocation, Cable};
        let end = |d: &str, p: &str| PortRef {
            device: d.into(),
            port: p.into(),
        };
        let alloc = |id: &str, a: Option<PortRef>, b: Option<PortRef>| Allocation {
            id: id.into(),
            cable: "c1".into(),
            strands: vec![1, 2],
            use_: Use::Internal,
            party: "x".into(),
            owner: "o".into(),
            from_site: "s1".into(),
            to_site: "s3".into(),
            a_end: a,
            b_end: b,
        };
        let cad = Cadastre {
            cables: vec![Cable {
                id: "c1".into(),
                name: None,
                routes: vec!["r1".into(), "r2".into()],
                fibre_count: 12,
                fibre_type: None,
                owner: "o".into(),
                status: "in_service".into(),
            }],
            allocations: vec![
                alloc("a1", Some(end("ra", "xe-1")), Some(end("rb", "xe-1"))),
                alloc("a2", None, None),
                alloc("a3", None, Some(end("rb", "xe-2"))),
            ],
            ..Cadastre::default()
        };
        let cs = circuits(&cad);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].links, ["r1", "r2"]);
        assert_eq!(cs[0].b_end, PortEnd::new("rb", "xe-1"));
        // ra is not measured: a1 falls back to its b end; a3 has only a b end.
        let lit = lit_ports(&cad, |p| {
            (p.device == "rb").then_some(LitPort {
                speed_bps: 1e10,
                p95_bps: if p.port == "xe-1" { 2e9 } else { 1e9 },
            })
        });
        assert_eq!(lit.len(), 2);
        let r1: Vec<f64> = lit["r1"].iter().map(|l| l.p95_bps).collect();
        assert_eq!(r1, [2e9, 1e9]);
        assert_eq!(lit["r2"], lit["r1"]);
    }
}
