//! Geometry tests: lengths against geo's geodesic, the index against brute force.

use geo::{Coord, Distance, Geodesic, Intersects, LineString, MultiLineString, Point, Polygon};
use proptest::prelude::*;

use super::*;
use crate::model::{Layer, Owner, Site};

pub(crate) fn site(id: &str, lon: f64, lat: f64) -> Site {
    Site {
        id: id.to_string(),
        name: id.to_string(),
        kind: "pop".to_string(),
        owner: None,
        address: None,
        commune: None,
        status: "in_service".to_string(),
        location: Point::new(lon, lat),
    }
}

pub(crate) fn route(id: &str, owner: &str, parts: Vec<Vec<(f64, f64)>>) -> Route {
    Route {
        id: id.to_string(),
        name: None,
        from_site: String::new(),
        to_site: String::new(),
        owner: owner.to_string(),
        deployment: "underground".to_string(),
        ducts_total: 0,
        ducts_free: 0,
        status: "in_service".to_string(),
        declared_length_m: None,
        srlgs: Vec::new(),
        geometry: MultiLineString::new(parts.into_iter().map(LineString::from).collect()),
    }
}

fn owner(id: &str) -> Owner {
    Owner {
        id: id.to_string(),
        name: id.to_string(),
        notes: None,
    }
}

#[test]
fn route_length_sums_the_geodesic_parts() {
    let a = vec![(4.35, 50.85), (4.36, 50.85), (4.36, 50.86)];
    let b = vec![(4.40, 50.80), (4.41, 50.81)];
    let r = route("r", "o", vec![a.clone(), b.clone()]);
    let want = Geodesic.length(&LineString::from(a)) + Geodesic.length(&LineString::from(b));
    assert!((route_length_m(&r) - want).abs() < 1e-9);
    // 0.01° of longitude at 50.85°N is about 704 m, 0.01° of latitude about 1113 m.
    assert!(
        (route_length_m(&route("x", "o", vec![vec![(4.35, 50.85), (4.36, 50.85)]])) - 704.0).abs()
            < 2.0
    );
    assert_eq!(route_length_m(&route("e", "o", vec![])), 0.0);
}

#[test]
fn length_by_owner_keys_every_owner() {
    let cad = Cadastre {
        owners: vec![owner("irisnet"), owner("stib")],
        routes: vec![
            route("r1", "irisnet", vec![vec![(4.35, 50.85), (4.36, 50.85)]]),
            route("r2", "irisnet", vec![vec![(4.35, 50.85), (4.35, 50.86)]]),
            route("r3", "ghost", vec![vec![(4.35, 50.85), (4.35, 50.86)]]),
        ],
        ..Cadastre::default()
    };
    let by_owner = length_by_owner(&cad);
    let keys: Vec<&str> = by_owner.keys().map(String::as_str).collect();
    assert_eq!(keys, ["ghost", "irisnet", "stib"]);
    assert!(
        (by_owner["irisnet"] - route_length_m(&cad.routes[0]) - route_length_m(&cad.routes[1]))
            .abs()
            < 1e-9
    );
    assert_eq!(by_owner["stib"], 0.0);
}

fn small_cadastre() -> Cadastre {
    Cadastre {
        sites: vec![
            site("gp", 4.3525, 50.8467),
            site("atomium", 4.3416, 50.8949),
            site("nan", f64::NAN, 50.0),
        ],
        routes: vec![
            route("east-west", "o", vec![vec![(4.34, 50.85), (4.36, 50.85)]]),
            route(
                "north",
                "o",
                vec![vec![(4.34, 50.89), (4.35, 50.90)], vec![(4.30, 50.90)]],
            ),
        ],
        ..Cadastre::default()
    }
}

#[test]
fn index_answers_on_a_hand_made_cadastre() {
    let idx = SpatialIndex::build(&small_cadastre());
    assert_eq!(idx.size(), (2, 3));
    let (id, d) = idx.nearest_site(Point::new(4.3525, 50.8468)).unwrap();
    assert_eq!(id, "gp");
    assert!((d - 11.1).abs() < 0.1, "{d}");
    let (id, d) = idx.nearest_route(Point::new(4.35, 50.851)).unwrap();
    assert_eq!(id, "east-west");
    assert!((d - 111.2).abs() < 0.1, "{d}");
    // The one-point part of "north" is a zero-length segment.
    assert_eq!(
        idx.nearest_route(Point::new(4.30, 50.90)).unwrap(),
        ("north".to_string(), 0.0)
    );
    let hits = idx.within(Point::new(4.3525, 50.8467), 500.0);
    let found: Vec<(Layer, &str)> = hits.iter().map(|h| (h.layer, h.id.as_str())).collect();
    assert_eq!(found, [(Layer::Sites, "gp"), (Layer::Routes, "east-west")]);
    assert!(idx.nearest_site(Point::new(f64::NAN, 0.0)).is_none());
    assert!(idx.within(Point::new(4.35, 50.85), -1.0).is_empty());
}

#[test]
fn inside_finds_contained_sites_and_crossing_routes() {
    let idx = SpatialIndex::build(&small_cadastre());
    let square = Polygon::new(
        LineString::from(vec![
            (4.345, 50.84),
            (4.36, 50.84),
            (4.36, 50.86),
            (4.345, 50.86),
            (4.345, 50.84),
        ]),
        vec![],
    );
    let hits = idx.inside(&square);
    let found: Vec<(Layer, usize, &str)> = hits
        .iter()
        .map(|h| (h.layer, h.index, h.id.as_str()))
        .collect();
    assert_eq!(
        found,
        [(Layer::Sites, 0, "gp"), (Layer::Routes, 0, "east-west")]
    );
}

#[test]
fn an_empty_cadastre_finds_nothing() {
    let idx = SpatialIndex::build(&Cadastre::default());
    assert!(idx.nearest_route(Point::new(4.35, 50.85)).is_none());
    assert!(idx.within(Point::new(4.35, 50.85), 1e6).is_empty());
}

/// The geodesic distance from `p` to the lon/lat-straight segment `a`-`b`, by ternary search.
fn brute_segment(p: Point<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let at = |t: f64| Geodesic.distance(p, Point::from(a + (b - a) * t));
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..60 {
        let (m1, m2) = (lo + (hi - lo) / 3.0, hi - (hi - lo) / 3.0);
        if at(m1) < at(m2) {
            hi = m2
        } else {
            lo = m1
        }
    }
    at((lo + hi) / 2.0).min(at(0.0)).min(at(1.0))
}

fn brute_route(p: Point<f64>, r: &Route) -> f64 {
    let segments = r.geometry.0.iter().flat_map(|l| l.lines());
    segments
        .map(|s| brute_segment(p, s.start, s.end))
        .fold(f64::INFINITY, f64::min)
}

/// The measuring formula's documented accuracy against the geodesic at `d` metres.
fn tolerance(d: f64) -> f64 {
    if d < 10_000.0 {
        0.005
    } else {
        0.03
    }
}

fn lonlat() -> impl Strategy<Value = (f64, f64)> {
    (4.24f64..4.48, 50.76f64..50.92)
}

/// A random city: sites, and short routes of 1-4 segments of up to ~1 km.
fn city() -> impl Strategy<Value = Cadastre> {
    let sites = prop::collection::vec(lonlat(), 1..30);
    let step = (-0.01f64..0.01, -0.006f64..0.006);
    let routes = prop::collection::vec((lonlat(), prop::collection::vec(step, 1..5)), 1..30);
    (sites, routes).prop_map(|(sites, routes)| Cadastre {
        sites: sites
            .into_iter()
            .enumerate()
            .map(|(i, (x, y))| site(&format!("s{i}"), x, y))
            .collect(),
        routes: routes
            .into_iter()
            .enumerate()
            .map(|(i, (start, steps))| {
                let mut pts = vec![start];
                for (dx, dy) in steps {
                    let (x, y) = pts[pts.len() - 1];
                    pts.push((x + dx, y + dy));
                }
                route(&format!("r{i}"), "o", vec![pts])
            })
            .collect(),
        ..Cadastre::default()
    })
}

/// The index's nearest site and route agree with the brute-force geodesic minimum.
fn check_nearest(cad: &Cadastre, p: Point<f64>) -> Result<(), TestCaseError> {
    let idx = SpatialIndex::build(cad);
    let (site_id, site_d) = idx.nearest_site(p).unwrap();
    let refs: Vec<f64> = cad
        .sites
        .iter()
        .map(|s| Geodesic.distance(p, s.location))
        .collect();
    let chosen = cad.sites.iter().position(|s| s.id == site_id).unwrap();
    check_best(&refs, chosen, site_d)?;
    let (route_id, route_d) = idx.nearest_route(p).unwrap();
    let refs: Vec<f64> = cad.routes.iter().map(|r| brute_route(p, r)).collect();
    let chosen = cad.routes.iter().position(|r| r.id == route_id).unwrap();
    check_best(&refs, chosen, route_d)
}

/// `chosen` is (within tolerance) the nearest of `refs`, and `d` its distance.
fn check_best(refs: &[f64], chosen: usize, d: f64) -> Result<(), TestCaseError> {
    let best = refs.iter().copied().fold(f64::INFINITY, f64::min);
    let tol = tolerance(best);
    prop_assert!(
        (refs[chosen] - best).abs() < tol,
        "chose {} m, best {best} m",
        refs[chosen]
    );
    prop_assert!((d - best).abs() < tol, "said {d} m, best {best} m");
    Ok(())
}

/// `within` finds exactly the features the brute-force geodesic puts inside the circle.
fn check_within(cad: &Cadastre, p: Point<f64>, radius: f64) -> Result<(), TestCaseError> {
    let hits = SpatialIndex::build(cad).within(p, radius);
    let sites = cad
        .sites
        .iter()
        .map(|s| (Layer::Sites, Geodesic.distance(p, s.location)));
    let routes = cad
        .routes
        .iter()
        .map(|r| (Layer::Routes, brute_route(p, r)));
    let refs = sites.enumerate().chain(routes.enumerate());
    for (i, (layer, d)) in refs {
        let hit = hits.iter().find(|h| h.layer == layer && h.index == i);
        // Leave out features on the circle itself (within 1 cm): either answer is right.
        if (d - radius).abs() > 0.01 {
            prop_assert_eq!(hit.is_some(), d < radius, "{:?}[{}] at {} m", layer, i, d);
        }
        if let Some(h) = hit {
            prop_assert!((h.distance_m - d).abs() < tolerance(d));
        }
    }
    Ok(())
}

/// `inside` finds exactly what geo's `intersects` finds.
fn check_inside(cad: &Cadastre, poly: &Polygon<f64>) -> Result<(), TestCaseError> {
    let hits = SpatialIndex::build(cad).inside(poly);
    let sites = cad
        .sites
        .iter()
        .map(|s| (Layer::Sites, poly.intersects(&s.location)));
    let routes = cad
        .routes
        .iter()
        .map(|r| (Layer::Routes, poly.intersects(&r.geometry)));
    let want: Vec<(Layer, usize)> = sites
        .enumerate()
        .chain(routes.enumerate())
        .filter(|(_, (_, inside))| *inside)
        .map(|(i, (layer, _))| (layer, i))
        .collect();
    let got: Vec<(Layer, usize)> = hits.iter().map(|h| (h.layer, h.index)).collect();
    prop_assert_eq!(got, want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn nearest_matches_brute_force_geodesic(cad in city(), (x, y) in lonlat()) {
        check_nearest(&cad, Point::new(x, y))?;
    }

    #[test]
    fn within_matches_brute_force_geodesic(
        cad in city(),
        (x, y) in lonlat(),
        radius in 10.0f64..3000.0,
    ) {
        check_within(&cad, Point::new(x, y), radius)?;
    }

    #[test]
    fn inside_matches_geo_predicates(
        cad in city(),
        (x, y) in lonlat(),
        w in 0.001f64..0.05,
        h in 0.001f64..0.03,
    ) {
        let triangle = vec![(x, y), (x + w, y), (x + w / 2.0, y + h), (x, y)];
        check_inside(&cad, &Polygon::new(LineString::from(triangle), vec![]))?;
    }
}

/// Found by the `wifi_targets` fuzz target: the geojson crate reads a position of fewer than
/// two numbers (it refuses one only as a Point's coordinates) and its conversion to geo panics
/// on it; `from_geojson` refuses it first, at any depth, and converts the rest. The areas of `cut` (`answer::areas_of`) take the same path.
#[test]
fn a_position_needs_two_numbers() {
    let value = |json: &str| {
        serde_json::from_str::<geojson::Geometry>(json)
            .unwrap()
            .value
    };
    for (json, n) in [
        (r#"{"type":"MultiPoint","coordinates":[[4.3]]}"#, 1),
        (r#"{"type":"LineString","coordinates":[[4.3,50.8],[]]}"#, 0),
        (
            r#"{"type":"MultiPolygon","coordinates":[[[[4.3,50.8],[4.4,50.8],[4.4],[4.3,50.8]]]]}"#,
            1,
        ),
        (
            r#"{"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[4.3,50.8],[]]}]}"#,
            0,
        ),
    ] {
        let e = from_geojson(&value(json)).unwrap_err();
        assert_eq!(
            e,
            format!("a position needs two numbers, found {n}"),
            "{json}"
        );
    }
    let area = r#"{"type":"Polygon","coordinates":[[[4.3,50.8],[4.4,50.8],[]]]}"#;
    let e = crate::answer::areas_of(vec![serde_json::from_str(area).unwrap()]).unwrap_err();
    assert_eq!(
        e,
        "geometry 0 is not valid: a position needs two numbers, found 0"
    );
    let ok = from_geojson(&value(r#"{"type":"Point","coordinates":[4.3,50.8,12.0]}"#));
    assert_eq!(ok, Ok(geo::Geometry::Point(Point::new(4.3, 50.8))));
}
