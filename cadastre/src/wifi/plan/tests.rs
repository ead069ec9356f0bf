//! Tests of the relocation plan: the instance's rules (coverage, candidates, fibre), the
//! solver against brute force on many seeded random instances (through the plan, and on
//! abstract instances with branch and bound forced), the tie-break, K, the assignment, the
//! time limit, determinism, the outputs and the targets from GeoJSON.

use std::time::{Duration, Instant};

use geo::{Coord, LineString, MultiLineString, Point};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::solve::{self, Mclp};
use super::*;
use crate::geometry::local::metres_per_degree;
use crate::model::{Cable, Hotspot, Route, Site, TargetPlace};
use crate::wifi::verdict::Verdict;

const LON0: f64 = 4.35;
const LAT0: f64 = 50.85;

/// lon/lat of the point `x` m east and `y` m north of the origin.
fn at(x: f64, y: f64) -> Coord<f64> {
    let (kx, ky) = metres_per_degree(LAT0);
    Coord {
        x: LON0 + x / kx,
        y: LAT0 + y / ky,
    }
}

/// A cadastre under construction, with the verdicts of its hotspots.
#[derive(Default)]
struct Fixture {
    cad: Cadastre,
    verdicts: Vec<HotspotVerdict>,
}

impl Fixture {
    fn site(&mut self, id: &str, x: f64, y: f64) -> &mut Self {
        self.cad.sites.push(Site {
            id: id.into(),
            name: id.into(),
            kind: "pop".into(),
            owner: None,
            address: None,
            commune: None,
            status: "in_service".into(),
            location: Point(at(x, y)),
        });
        self
    }

    /// A straight route between two sites with one cable of `strands` strands.
    fn route(&mut self, id: &str, a: &str, b: &str, strands: u32) -> &mut Self {
        let loc = |s: &str| {
            self.cad
                .sites
                .iter()
                .find(|x| x.id == s)
                .unwrap()
                .location
                .0
        };
        let line = LineString::new(vec![loc(a), loc(b)]);
        self.cad.routes.push(Route {
            id: id.into(),
            name: None,
            from_site: a.into(),
            to_site: b.into(),
            owner: "o".into(),
            deployment: "underground".into(),
            ducts_total: 0,
            ducts_free: 0,
            status: "in_service".into(),
            declared_length_m: None,
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![line]),
        });
        self.cad.cables.push(Cable {
            id: format!("c-{id}"),
            name: None,
            routes: vec![id.into()],
            fibre_count: strands,
            fibre_type: None,
            owner: "o".into(),
            status: "in_service".into(),
        });
        self
    }

    /// A hotspot at a new site `s-<id>` at (x, y).
    fn hotspot(&mut self, id: &str, x: f64, y: f64, verdict: Verdict) -> &mut Self {
        let site = format!("s-{id}");
        self.site(&site, x, y);
        self.cad.hotspots.push(Hotspot {
            id: id.into(),
            name: id.into(),
            site,
            access_points: vec![format!("ap-{id}")],
            owner: None,
        });
        self.verdicts.push(HotspotVerdict {
            id: id.into(),
            verdict,
            reason: String::new(),
            n_aps: 1,
            days_with_data: 28,
            data_coverage: 1.0,
            p90_peak_per_ap: None,
            median_client_hours_per_ap: None,
            median_availability: None,
        });
        self
    }

    fn target(&mut self, id: &str, x: f64, y: f64, weight: f64) -> &mut Self {
        self.cad.targets.push(TargetPlace {
            id: id.into(),
            name: id.into(),
            kind: "library".into(),
            weight,
            location: Point(at(x, y)),
        });
        self
    }

    fn plan(&self, p: &PlanParams) -> Plan {
        plan(&self.cad, &self.verdicts, &Criteria::default(), p)
    }

    fn candidates(&self, p: &PlanParams) -> Vec<String> {
        let inst = instance::build(&self.cad, &self.verdicts, p.radius_m, p.max_fibre_m, None);
        inst.places
            .iter()
            .map(|pl| self.cad.targets[pl.target].id.clone())
            .collect()
    }
}

fn params(radius_m: f64, max_fibre_m: f64, k: Option<usize>) -> PlanParams {
    PlanParams {
        max_moves: k,
        ..PlanParams::new(radius_m, max_fibre_m)
    }
}

#[test]
fn candidates_exclude_covered_targets_and_those_far_from_fibre() {
    let mut f = Fixture::default();
    f.hotspot("h-stay", 0.0, 0.0, Verdict::Ok)
        .hotspot("h-faulty", 2000.0, 0.0, Verdict::Faulty)
        .hotspot("h-move", 4000.0, 0.0, Verdict::Underused)
        .site("pop", 1000.0, 1000.0)
        .target("t-covered", 99.0, 0.0, 5.0)
        .target("t-covered-by-faulty", 2000.0, 50.0, 5.0)
        .target("t-edge", 101.0, 0.0, 1.0)
        .target("t-near-pop", 1000.0, 1150.0, 2.0)
        .target("t-far", 6000.0, 6000.0, 9.0);
    let p = params(100.0, 200.0, None);
    // t-edge is 101 m from the staying hotspot and 101 m from its site (a site is fibre).
    assert_eq!(f.candidates(&p), ["t-edge", "t-near-pop"]);
    let plan = f.plan(&p);
    assert_eq!(plan.movable, 1);
    assert_eq!(plan.candidates, 2);
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(plan.moves[0].to_target, "t-near-pop");
    assert_eq!(plan.moves[0].fibre_via, FibreVia::Site("pop".into()));
    assert!((plan.moves[0].fibre_m - 150.0).abs() < 0.05);
    assert_eq!(plan.covered_weight, 2.0);
    assert!(plan.optimal);
    assert_eq!(plan.bound, plan.covered_weight);
}

#[test]
fn a_route_with_fewer_than_two_spare_strands_is_not_fibre() {
    let build = |strands: u32| {
        let mut f = Fixture::default();
        f.hotspot("h-move", -3000.0, 0.0, Verdict::Underused)
            .site("a", 0.0, 0.0)
            .site("b", 2000.0, 0.0)
            .route("r-ab", "a", "b", strands)
            .target("t-mid", 1000.0, 60.0, 1.0);
        f
    };
    let p = params(100.0, 500.0, None);
    assert!(
        build(1).candidates(&p).is_empty(),
        "1 spare strand is no dark pair"
    );
    let f = build(2);
    let plan = f.plan(&p);
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(plan.moves[0].fibre_via, FibreVia::Route("r-ab".into()));
    assert!((plan.moves[0].fibre_m - 60.0).abs() < 0.05);
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        json["moves"][0]["fibre_via"],
        serde_json::json!({"route": "r-ab"})
    );
    assert_eq!(json["criteria"]["window_days"], 28);
    assert_eq!(json["criteria"]["radius_m"], 100.0);
}

#[test]
fn equal_weights_go_to_fewer_fibre_metres() {
    let mut f = Fixture::default();
    f.hotspot("h-move", 0.0, -3000.0, Verdict::Underused)
        .site("pop", 0.0, 0.0)
        .target("t-a", 0.0, 120.0, 3.0)
        .target("t-b", 0.0, -80.0, 3.0)
        .target("t-c", 2000.0, 150.0, 3.0);
    let plan = f.plan(&params(50.0, 500.0, None));
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(plan.moves[0].to_target, "t-b");
    assert_eq!(plan.fibre_m_total, 80.0);
}

#[test]
fn k_limits_the_moves_and_extra_hotspots_stay() {
    let mut f = Fixture::default();
    f.site("pop", 0.0, 0.0);
    for i in 0..3 {
        f.hotspot(
            &format!("h-{i}"),
            -5000.0,
            f64::from(i) * 10.0,
            Verdict::Underused,
        );
        f.target(
            &format!("t-{i}"),
            f64::from(i) * 300.0,
            0.0,
            f64::from(i + 1),
        );
    }
    let p = params(100.0, 1000.0, Some(1));
    let plan = f.plan(&p);
    assert_eq!(plan.criteria.max_moves, 1);
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(plan.moves[0].to_target, "t-2");
    let all = f.plan(&params(100.0, 1000.0, Some(10)));
    assert_eq!(
        all.criteria.max_moves, 3,
        "never more than the movable hotspots"
    );
    assert_eq!(all.covered_weight, 6.0);
    // Two places only: one of the three hotspots stays.
    f.cad.targets.pop();
    assert_eq!(f.plan(&params(100.0, 1000.0, None)).moves.len(), 2);
}

#[test]
fn moves_list_each_covered_target_once_under_the_nearest_place() {
    let mut f = Fixture::default();
    f.site("pop", 0.0, 0.0)
        .hotspot("h-1", -5000.0, 0.0, Verdict::Underused)
        .hotspot("h-2", 5000.0, 0.0, Verdict::Underused)
        .target("t-a", 0.0, 0.0, 4.0)
        .target("t-b", 180.0, 0.0, 4.0)
        .target("t-mid", 70.0, 0.0, 1.0)
        .target("t-zero", 200.0, 0.0, 0.0);
    let plan = f.plan(&params(100.0, 1000.0, None));
    assert_eq!(plan.moves.len(), 2);
    let by_place = |t: &str| plan.moves.iter().find(|m| m.to_target == t).unwrap();
    assert_eq!(by_place("t-a").covers, ["t-a", "t-mid"]);
    assert_eq!(by_place("t-b").covers, ["t-b", "t-zero"]);
    assert_eq!(by_place("t-a").hotspot, "h-1");
    assert_eq!(by_place("t-b").hotspot, "h-2");
    let sum: f64 = plan.moves.iter().map(|m| m.weight).sum();
    assert_eq!(sum, plan.covered_weight);
    assert_eq!(plan.covered_weight, 9.0);
}

/// Random plans through the whole pipeline against the brute force: same weight, and the
/// same fibre metres at that weight.
#[test]
fn the_plan_matches_brute_force_on_random_instances() {
    let mut checked = 0;
    for seed in 0..400u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let f = random_fixture(&mut rng);
        let k = rng.gen_range(1..=5);
        let p = params(150.0, 250.0, Some(k));
        let n = f.candidates(&p).len();
        if !(6..=14).contains(&n) {
            continue;
        }
        checked += 1;
        let got = f.plan(&p);
        let want = brute_force(&f.cad, &f.verdicts, &p);
        assert!(got.optimal, "seed {seed}");
        assert!(
            (got.covered_weight - want.covered_weight).abs() < 1e-6,
            "seed {seed}: {} vs {}",
            got.covered_weight,
            want.covered_weight
        );
        let exact_fibre: f64 = got
            .moves
            .iter()
            .map(|m| {
                let inst = instance::build(&f.cad, &f.verdicts, 150.0, 250.0, Some(k));
                inst.places
                    .iter()
                    .find(|pl| f.cad.targets[pl.target].id == m.to_target)
                    .unwrap()
                    .fibre_m
            })
            .sum();
        assert!(
            (exact_fibre - want.fibre_m_total).abs() < 1e-6,
            "seed {seed}: fibre {exact_fibre} vs {} ({:?} vs {:?})",
            want.fibre_m_total,
            got.moves.iter().map(|m| &m.to_target).collect::<Vec<_>>(),
            want.places
        );
        assert!(got.moves.len() <= k);
    }
    assert!(
        checked >= 100,
        "only {checked} instances of 6-14 candidates"
    );
}

/// Staying and movable hotspots, a few sites and routes, 10-30 targets in 1.2 km × 1.2 km,
/// weights 1-3 (many ties).
fn random_fixture(rng: &mut StdRng) -> Fixture {
    let mut f = Fixture::default();
    let xy = |rng: &mut StdRng| (rng.gen_range(0.0..1200.0), rng.gen_range(0.0..1200.0));
    for i in 0..rng.gen_range(1..4) {
        let (x, y) = xy(rng);
        f.hotspot(&format!("h-s{i}"), x, y, Verdict::Ok);
    }
    for i in 0..6 {
        let (x, y) = xy(rng);
        f.hotspot(&format!("h-m{i}"), x, y, Verdict::Underused);
    }
    for i in 0..4 {
        let (x, y) = xy(rng);
        f.site(&format!("p{i}"), x, y);
    }
    f.route("r-1", "p0", "p1", rng.gen_range(0..4))
        .route("r-2", "p2", "p3", rng.gen_range(0..4));
    for i in 0..rng.gen_range(10..30) {
        let (x, y) = xy(rng);
        f.target(
            &format!("t-{i:02}"),
            x,
            y,
            f64::from(rng.gen_range(1u8..=3)),
        );
    }
    f
}

/// An abstract instance: `n` candidates with random fibre over `n_targets` targets, each
/// candidate covering a few neighbours on a ring (so components are large).
fn random_mclp(rng: &mut StdRng, n: usize, n_targets: usize, k: usize) -> Mclp {
    let covers = (0..n)
        .map(|_| {
            let centre = rng.gen_range(0..n_targets);
            let spread = rng.gen_range(1..5);
            let mut v: Vec<usize> = (0..rng.gen_range(1..6))
                .map(|_| (centre + rng.gen_range(0..spread)) % n_targets)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    Mclp {
        fibre: (0..n)
            .map(|_| f64::from(rng.gen_range(0u32..20)) * 10.0)
            .collect(),
        covers,
        weight: (0..n_targets)
            .map(|_| f64::from(rng.gen_range(1u8..=4)))
            .collect(),
        k,
    }
}

#[test]
fn branch_and_bound_matches_brute_force() {
    let far = Instant::now() + Duration::from_secs(60);
    for seed in 0..300u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.gen_range(6..=14);
        let (n_targets, k) = (rng.gen_range(5..20), rng.gen_range(1..=5));
        let m = random_mclp(&mut rng, n, n_targets, k);
        let (want, _) = solve::brute_force(&m);
        for enumerate_up_to in [0.0, 1e9] {
            let got = solve::solve_with(&m, far, enumerate_up_to);
            assert!(got.optimal);
            assert!(
                (got.weight - want.w).abs() < 1e-9 && (got.fibre - want.f).abs() < 1e-9,
                "seed {seed} (enumerate up to {enumerate_up_to}): {:?} vs {want:?}",
                got
            );
            assert!(got.chosen.len() <= m.k);
            assert!((solve::covered_weight(&m, &got.chosen) - got.weight).abs() < 1e-9);
        }
    }
}

#[test]
fn a_time_limited_hard_instance_reports_a_bound() {
    let mut rng = StdRng::seed_from_u64(7);
    let m = random_mclp(&mut rng, 3000, 400, 40);
    let got = solve::solve(&m, Instant::now());
    assert!(!got.optimal);
    assert!(got.bound >= got.weight);
    let all: Vec<usize> = (0..3000).collect();
    let greedy = solve::covered_weight(&m, &solve::greedy(&m, &all, 40));
    assert!(got.weight >= greedy - 1e-9);
    // Through the plan: a dense district, no time.
    let mut f = Fixture::default();
    f.site("pop", 500.0, 500.0);
    for i in 0..30 {
        f.hotspot(
            &format!("h-{i:02}"),
            -3000.0,
            f64::from(i),
            Verdict::Underused,
        );
    }
    for i in 0..400 {
        let (x, y) = (rng.gen_range(0.0..1000.0), rng.gen_range(0.0..1000.0));
        f.target(
            &format!("t-{i:03}"),
            x,
            y,
            f64::from(rng.gen_range(1u8..=5)),
        );
    }
    let p = PlanParams {
        time_limit: Duration::ZERO,
        ..params(150.0, 2000.0, Some(12))
    };
    let plan = f.plan(&p);
    assert!(!plan.optimal);
    assert!(plan.bound >= plan.covered_weight);
    assert!(plan.covered_weight >= plan.greedy_weight - 1e-6);
    assert_eq!(plan.moves.len(), 12);
}

#[test]
fn the_same_input_gives_the_same_plan() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut f = random_fixture(&mut rng);
    let p = params(150.0, 250.0, Some(4));
    let a = f.plan(&p);
    let b = f.plan(&p);
    f.cad.targets.reverse();
    f.cad.hotspots.reverse();
    let c = f.plan(&p);
    let strip = |p: &Plan| (p.moves.clone(), p.covered_weight, p.fibre_m_total);
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(strip(&a), strip(&c));
}

#[test]
fn the_assignment_minimises_the_total_distance() {
    for seed in 0..40u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let n_movers = rng.gen_range(4..=5);
        let n_places = rng.gen_range(1..=n_movers);
        let movers: Vec<instance::Mover> = (0..n_movers)
            .map(|i| instance::Mover {
                hotspot: format!("h-{i}"),
                site: format!("s-{i}"),
                at: at(rng.gen_range(0.0..3000.0), rng.gen_range(0.0..3000.0)),
            })
            .collect();
        let places: Vec<Coord<f64>> = (0..n_places)
            .map(|_| at(rng.gen_range(0.0..3000.0), rng.gen_range(0.0..3000.0)))
            .collect();
        let got = assign(&movers, &places);
        let total = |a: &[usize]| -> f64 {
            a.iter()
                .zip(&places)
                .map(|(&h, &p)| distance_m(movers[h].at, p))
                .sum()
        };
        let mut uniq = got.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), n_places, "seed {seed}: a hotspot used twice");
        let best = permutations(n_movers, n_places)
            .iter()
            .map(|a| total(a))
            .fold(f64::INFINITY, f64::min);
        assert!(total(&got) <= best + 0.01 * n_places as f64, "seed {seed}");
    }
}

/// Every injective map of `k` places to `n` movers.
fn permutations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for p in permutations(n, k - 1) {
        for h in (0..n).filter(|h| !p.contains(h)) {
            let mut q = p.clone();
            q.push(h);
            out.push(q);
        }
    }
    out
}

#[test]
fn csv_and_geojson_carry_every_move() {
    let mut f = Fixture::default();
    f.site("pop", 0.0, 0.0)
        .hotspot("h-1", -500.0, 0.0, Verdict::Underused)
        .target("t-a", 0.0, 30.0, 2.0)
        .target("t-b, annex", 0.0, 60.0, 1.5);
    let plan = f.plan(&params(100.0, 1000.0, None));
    let csv = to_csv(&plan);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], CSV_HEADER.join(","));
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("h-1,s-h-1,"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(",site,pop,\"t-a;t-b, annex\",3.5"),
        "{}",
        lines[1]
    );
    let g = to_geojson(&plan, &f.cad);
    assert_eq!(g["type"], "FeatureCollection");
    let feature = &g["features"][0];
    assert_eq!(feature["geometry"]["type"], "LineString");
    assert_eq!(feature["properties"]["hotspot"], "h-1");
    assert_eq!(feature["properties"]["covers"][1], "t-b, annex");
    let start = &feature["geometry"]["coordinates"][0];
    assert!((start[0].as_f64().unwrap() - at(-500.0, 0.0).x).abs() < 1e-12);
}

#[test]
fn targets_from_points_and_districts() {
    let text = r#"{"type": "FeatureCollection", "features": [
      {"type": "Feature", "id": "f-1", "properties": {"name": "Library", "pop": 3},
       "geometry": {"type": "Point", "coordinates": [4.35, 50.85]}},
      {"type": "Feature", "properties": {"id": "d-2", "pop": 1200, "kind": "ward"},
       "geometry": {"type": "Polygon", "coordinates": [[[4.0, 50.0], [4.2, 50.0], [4.2, 50.2], [4.0, 50.2], [4.0, 50.0]]]}},
      {"type": "Feature", "properties": {"pop": 10},
       "geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]], [[[10, 0], [11, 0], [11, 1], [10, 1], [10, 0]]]]}},
      {"type": "Feature", "properties": {"id": "bad-missing"},
       "geometry": {"type": "Point", "coordinates": [4.3, 50.8]}},
      {"type": "Feature", "properties": {"id": "bad-text", "pop": "many"},
       "geometry": {"type": "Point", "coordinates": [4.3, 50.8]}},
      {"type": "Feature", "properties": {"id": "bad-negative", "pop": -1},
       "geometry": {"type": "Point", "coordinates": [4.3, 50.8]}},
      {"type": "Feature", "properties": {"id": "bad-line", "pop": 1},
       "geometry": {"type": "LineString", "coordinates": [[4.3, 50.8], [4.4, 50.8]]}}
    ]}"#;
    let (targets, problems) = targets_from_geojson(text, Some("pop"), None).unwrap();
    let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["f-1", "d-2", "t-2"]);
    assert_eq!(targets[0].kind, "place");
    assert_eq!(targets[0].name, "Library");
    assert_eq!(targets[1].kind, "ward");
    assert_eq!(targets[1].weight, 1200.0);
    assert!((targets[1].location.x() - 4.1).abs() < 1e-9);
    assert!((targets[1].location.y() - 50.1).abs() < 1e-9);
    assert_eq!(targets[2].kind, "district");
    // Area-weighted: 4 × (1, 1) and 1 × (10.5, 0.5) → (2.9, 0.9).
    assert!((targets[2].location.x() - 2.9).abs() < 1e-9);
    assert!((targets[2].location.y() - 0.9).abs() < 1e-9);
    let found: Vec<(Option<usize>, &str)> = problems
        .iter()
        .map(|p| (p.index, p.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Some(3), "pop"),
            (Some(4), "pop"),
            (Some(5), "pop"),
            (Some(6), "geometry")
        ]
    );
    assert!(
        problems[0].to_string().contains("targets[3]"),
        "{}",
        problems[0]
    );
    assert!(targets_from_geojson("[]", None, None).is_err());
    assert!(targets_from_geojson("{", None, None).is_err());
}

/// Found by the `wifi_targets` fuzz target: a position of fewer than two numbers made the
/// geojson crate's conversion panic; it is the feature's problem now.
#[test]
fn a_short_position_is_a_problem_not_a_panic() {
    let text = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"id":"d","weight":1},
       "geometry":{"type":"Polygon","coordinates":[[[4.36,50.83],[4.37,50.83],[]]]}},
      {"type":"Feature","properties":{"id":"p","weight":2},
       "geometry":{"type":"Point","coordinates":[4.35,50.85]}}]}"#;
    let (targets, problems) = targets_from_geojson(text, None, None).unwrap();
    assert_eq!(targets.len(), 1);
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            r#"error: targets[0] (id "d") geometry: not a geometry: a position needs two numbers, found 0"#
        ]
    );
}

#[test]
fn the_lagrangian_bound_holds_and_beats_the_single_candidates() {
    for seed in 0..100u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.gen_range(6..=14);
        let (n_targets, k) = (rng.gen_range(5..20), rng.gen_range(1..=5));
        let m = random_mclp(&mut rng, n, n_targets, k);
        let (want, _) = solve::brute_force(&m);
        let bound = solve::lagrangian_bound(&m, k, 0.0, 100);
        assert!(bound >= want.w - 1e-9, "seed {seed}: {bound} < {}", want.w);
        let mut singles: Vec<f64> = (0..n).map(|c| solve::covered_weight(&m, &[c])).collect();
        singles.sort_by(|a, b| b.total_cmp(a));
        let top: f64 = singles.iter().take(k).sum();
        assert!(bound <= top + 1e-9, "seed {seed}: {bound} > {top} ({m:?})");
    }
}

/// Every subset of at most `k` candidates of `m` with its weight (tests only: exponential).
fn all_plans(m: &Mclp, k: usize) -> Vec<(Vec<usize>, f64)> {
    let n = m.fibre.len();
    (0u32..1 << n)
        .filter(|mask| mask.count_ones() as usize <= k)
        .map(|mask| {
            let set: Vec<usize> = (0..n).filter(|&c| mask & (1 << c) != 0).collect();
            let w = solve::covered_weight(m, &set);
            (set, w)
        })
        .collect()
}

/// The Lagrangian bound of a node (some candidates chosen, some excluded) is at least the
/// best plan below it, for every count at once; no plan that reaches the weight asked for
/// contains a candidate it fixes out or lacks one it forces in.
#[test]
fn the_lagrangian_bound_and_its_fixing_hold_at_any_node() {
    for seed in 0..200u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.gen_range(6..=12);
        let (n_targets, k) = (rng.gen_range(5..20), rng.gen_range(1..=5));
        let m = random_mclp(&mut rng, n, n_targets, k);
        let chosen: Vec<usize> = (0..n).filter(|_| rng.gen_bool(0.15)).take(k - 1).collect();
        let pool: Vec<usize> = (0..n)
            .filter(|c| !chosen.contains(c) && rng.gen_bool(0.8))
            .collect();
        let left = k - chosen.len();
        let mut count = vec![0u32; n_targets];
        chosen
            .iter()
            .for_each(|&c| m.covers[c].iter().for_each(|&t| count[t] += 1));
        let base = solve::covered_weight(&m, &chosen);
        // The plans below the node: the chosen ones plus at most `left` of the pool.
        let below: Vec<(Vec<usize>, f64)> = all_plans(&m, k)
            .into_iter()
            .filter(|(s, _)| {
                chosen.iter().all(|c| s.contains(c))
                    && s.iter().all(|c| chosen.contains(c) || pool.contains(c))
            })
            .collect();
        let best = below.iter().map(|p| p.1).fold(0.0, f64::max);
        let need = best - base - rng.gen_range(0.0..2.0);
        let mut lambda: Vec<f64> = m.weight.clone();
        let mut all = vec![f64::INFINITY; left + 1];
        let steps = solve::Steps {
            iterations: 50,
            mu: 1.0,
            patience: 4,
        };
        let r = solve::Relax::new(n_targets).run(
            &m,
            &count,
            &pool,
            left,
            &mut lambda,
            (need, 1e-9),
            steps,
            Some(&mut all),
        );
        assert!(
            base + r.bound >= best - 1e-9,
            "seed {seed}: {} < {best}",
            base + r.bound
        );
        for (j, b) in all.iter().enumerate() {
            let best_j = below
                .iter()
                .filter(|p| p.0.len() <= chosen.len() + j)
                .map(|p| p.1)
                .fold(0.0, f64::max);
            assert!(base + b >= best_j - 1e-9, "seed {seed}, {j} more: {b}");
        }
        for (pos, &c) in pool.iter().enumerate() {
            for (s, w) in below.iter().filter(|p| p.1 - base >= need - 1e-9) {
                assert!(
                    !(r.out[pos] && s.contains(&c)),
                    "seed {seed}: {c} out of {s:?} ({w})"
                );
                assert!(
                    !r.forced[pos] || s.contains(&c),
                    "seed {seed}: {c} not in {s:?}"
                );
            }
        }
    }
}

/// Branch and bound alone (no enumeration), with the Lagrangian bound and fixing, on denser
/// instances (more candidates per target, larger K) against the brute force.
#[test]
fn branch_and_bound_with_the_lagrangian_bound_matches_brute_force() {
    let far = Instant::now() + Duration::from_secs(60);
    for seed in 0..150u64 {
        let mut rng = StdRng::seed_from_u64(1000 + seed);
        let n = rng.gen_range(10..=15);
        let (n_targets, k) = (rng.gen_range(6..14), rng.gen_range(2..=6));
        let m = random_mclp(&mut rng, n, n_targets, k);
        let (want, _) = solve::brute_force(&m);
        let got = solve::solve_with(&m, far, 0.0);
        assert!(got.optimal, "seed {seed}");
        assert!(
            (got.weight - want.w).abs() < 1e-9 && (got.fibre - want.f).abs() < 1e-9,
            "seed {seed}: {got:?} vs {want:?}"
        );
        assert!(got.chosen.len() <= m.k);
    }
}
