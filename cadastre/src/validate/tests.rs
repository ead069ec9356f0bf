//! Every rule: a fixture (the valid network with one layer replaced, under
//! `tests/fixtures/invalid/RULE/`) and the exact problems it yields.

use std::path::{Path, PathBuf};

use super::{validate, ValidateOptions};
use crate::geojson_io::read_files;
use crate::model::{Cadastre, LAYERS};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The valid network, each layer replaced by `invalid/RULE/LAYER.geojson` when that exists.
fn load(rule: Option<&str>) -> Cadastre {
    let paths: Vec<PathBuf> = LAYERS
        .iter()
        .map(|layer| {
            let name = format!("{}.geojson", layer.as_str());
            let over = rule.map(|r| fixtures().join("invalid").join(r).join(&name));
            over.filter(|p| p.exists())
                .unwrap_or_else(|| fixtures().join("valid").join(&name))
        })
        .collect();
    let (cad, report) = read_files(&paths, None).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    cad
}

fn check(rule: &str, expect: &[&str]) {
    let report = validate(&load(Some(rule)), &ValidateOptions::brussels());
    let got: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(got, expect, "rule {rule}");
}

#[test]
fn the_valid_network_has_no_problem() {
    let report = validate(&load(None), &ValidateOptions::brussels());
    assert_eq!(report.problems, vec![]);
}

#[test]
fn ids_are_unique_per_layer() {
    check(
        "duplicate_id",
        &[
            r#"error: routes[1] (id "r1") id: duplicate id (first at routes[0])"#,
            r#"error: cables[0] (id "c1") routes: unknown route "r2""#,
        ],
    );
}

#[test]
fn owners_are_present_and_known() {
    check(
        "unknown_owner",
        &[r#"error: routes[1] (id "r2") owner: unknown owner "acme""#],
    );
    check(
        "missing_owner",
        &[r#"error: cables[0] (id "c1") owner: missing owner"#],
    );
}

#[test]
fn route_sites_are_known_and_at_the_ends() {
    check(
        "unknown_site",
        &[r#"error: routes[1] (id "r2") to_site: unknown site "s9""#],
    );
    check(
        "route_end_far",
        &[
            r#"warning: routes[1] (id "r2") geometry: route end is 70 m from its to_site "s3" (tolerance 25 m)"#,
        ],
    );
    // Far beyond the tolerance it most likely names the wrong site: an error.
    let strict = ValidateOptions {
        end_error_m: 50.0,
        ..ValidateOptions::brussels()
    };
    let got: Vec<String> = validate(&load(Some("route_end_far")), &strict)
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        got,
        [
            r#"error: routes[1] (id "r2") geometry: route end is 70 m from its to_site "s3" (more than 50 m: the wrong site?)"#
        ]
    );
}

#[test]
fn the_end_tolerance_is_an_option() {
    let opts = ValidateOptions {
        end_tolerance_m: 100.0,
        ..ValidateOptions::brussels()
    };
    assert_eq!(
        validate(&load(Some("route_end_far")), &opts).problems,
        vec![]
    );
}

#[test]
fn cables_follow_known_contiguous_routes_and_have_strands() {
    check(
        "unknown_route",
        &[r#"error: cables[0] (id "c1") routes: unknown route "r9""#],
    );
    check(
        "cable_not_contiguous",
        &[r#"warning: cables[0] (id "c1") routes: routes "r1" and "r3" share no site"#],
    );
    check(
        "fibre_count_zero",
        &[r#"error: cables[1] (id "c2") fibre_count: a cable has at least one strand, found 0"#],
    );
}

#[test]
fn strands_are_within_the_cable_and_allocated_once() {
    check(
        "strands_outside",
        &[
            r#"error: allocations[1] (id "a2") strands: more strands allocated than the cable has: strands 13, 14 outside 1..=12"#,
        ],
    );
    check(
        "strand_twice",
        &[
            r#"error: allocations[1] (id "a2") strands: strand 2 of cable "c1" also allocated by "a1""#,
        ],
    );
}

#[test]
fn a_strand_listed_twice_in_one_allocation() {
    let mut cad = load(None);
    cad.allocations[0].strands = vec![1, 2, 1];
    let report = validate(&cad, &ValidateOptions::default());
    let got: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        [r#"error: allocations[0] (id "a1") strands: strand 1 listed twice"#]
    );
}

#[test]
fn allocations_name_known_cables_and_sites() {
    check(
        "allocation_unknown_refs",
        &[
            r#"error: allocations[1] (id "a2") cable: unknown cable "c9""#,
            r#"error: allocations[1] (id "a2") from_site: unknown site "s9""#,
        ],
    );
}

#[test]
fn route_geometry_is_neither_degenerate_nor_self_crossing() {
    check(
        "degenerate_route",
        &[
            r#"error: routes[2] (id "r3") geometry: degenerate route: fewer than 2 distinct points (zero length)"#,
        ],
    );
    check(
        "self_intersecting_route",
        &[r#"error: routes[2] (id "r3") geometry: route crosses itself at (4.373750, 50.847500)"#],
    );
}

#[test]
fn a_route_has_no_more_free_ducts_than_ducts() {
    check(
        "ducts_free_over_total",
        &[
            r#"error: routes[1] (id "r2") ducts_free: 3 free ducts of 2 in the trench: more free than there are"#,
        ],
    );
}

#[test]
fn coordinates_lie_in_the_area() {
    check(
        "outside_area",
        &[
            r#"error: targets[0] (id "t1") geometry: coordinate (4.600000, 50.848000) outside the area (lon 4.2..4.52, lat 50.74..50.94)"#,
        ],
    );
    let anywhere = ValidateOptions {
        area: None,
        ..ValidateOptions::default()
    };
    assert_eq!(
        validate(&load(Some("outside_area")), &anywhere).problems,
        vec![]
    );
    // Without an area, coordinates must still be longitudes and latitudes.
    let mut cad = load(None);
    cad.targets[0].location = geo::Point::new(148_855.0, 170_700.0);
    let got: Vec<String> = validate(&cad, &anywhere)
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        got,
        [
            r#"error: targets[0] (id "t1") geometry: coordinate (148855.000000, 170700.000000) outside the area (lon -180..180, lat -90..90) (not WGS84 lon/lat: give the input's CRS, e.g. --crs EPSG:31370)"#
        ]
    );
}

#[test]
fn a_declared_length_far_from_the_geodesic_length_is_a_warning() {
    check(
        "declared_length",
        &[
            r#"warning: routes[0] (id "r1") declared_length_m: declared 1000 m, geodesic length 663 m (differs by 51%, tolerance 20%)"#,
        ],
    );
    let lax = ValidateOptions {
        length_tolerance: 0.6,
        ..ValidateOptions::default()
    };
    assert_eq!(
        validate(&load(Some("declared_length")), &lax).problems,
        vec![]
    );
}

#[test]
fn hotspots_targets_worksites_and_site_kinds() {
    check(
        "hotspot_unknown_site",
        &[r#"error: hotspots[0] (id "h1") site: unknown site "s9""#],
    );
    check(
        "target_weight",
        &[r#"error: targets[0] (id "t1") weight: must be > 0, found 0"#],
    );
    check(
        "worksite_dates",
        &[r#"error: worksites[0] (id "w1") end: ends 2026-02-01 before it starts 2026-03-01"#],
    );
    check(
        "site_kind",
        &[r#"warning: sites[3] (id "s4") kind: unknown kind "igloo""#],
    );
}

#[test]
fn optional_owners_are_checked_when_given_and_dates_are_iso() {
    let mut cad = load(None);
    cad.sites[0].owner = Some("acme".to_string());
    cad.hotspots[0].owner = Some("acme".to_string());
    cad.worksites[0].start = "1 March 2026".to_string();
    let report = validate(&cad, &ValidateOptions::default());
    let got: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        [
            r#"error: sites[0] (id "s1") owner: unknown owner "acme""#,
            r#"error: hotspots[0] (id "h1") owner: unknown owner "acme""#,
            r#"error: worksites[0] (id "w1") start: not an ISO 8601 date (YYYY-MM-DD): "1 March 2026""#,
        ]
    );
}

#[test]
fn every_rule_fixture_is_checked() {
    let mut rules: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    rules.sort();
    let this = include_str!("tests.rs");
    for rule in rules {
        assert!(
            this.contains(&format!("\"{rule}\"")),
            "fixture {rule} has no test"
        );
    }
}

#[test]
fn declared_shared_risk_groups_have_names_outside_the_trench_namespace() {
    let mut cad = load(None);
    cad.routes[0].srlgs = vec![" ".into(), "trench:a+b".into(), "bridge:canal".into()];
    let id = cad.routes[0].id.clone();
    let got: Vec<String> = validate(&cad, &ValidateOptions::brussels())
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        got,
        [
            format!(r#"error: routes[0] (id "{id}") srlgs[0]: a shared-risk group has a name"#),
            format!(
                r#"error: routes[0] (id "{id}") srlgs[1]: "trench:a+b": the `trench:` prefix is for the shared trenches found in the geometry"#
            ),
        ]
    );
}

/// Issue 19: after a feature that cannot be read, the next ones were named one index too low
/// (the validator counted the features kept, not the file's).
#[test]
fn problems_after_an_unreadable_feature_name_the_files_index() {
    let valid = fixtures().join("valid");
    let paths: Vec<PathBuf> = ["owners", "sites"]
        .iter()
        .map(|l| valid.join(format!("{l}.geojson")))
        .collect();
    let (mut cad, mut report) = read_files(&paths, None).unwrap();
    let routes = std::fs::read_to_string(valid.join("routes.geojson")).unwrap();
    // r1 stays at 0; an unreadable feature at 1; r2 (now owned by "acme") at 2.
    let routes = routes
        .replacen(",\n{", ",\n{\"type\":\"Feature\",\"properties\":7},\n{", 1)
        .replace(
            "\"owner\":\"o2\",\"deployment\":\"underground\"",
            "\"owner\":\"acme\",\"deployment\":\"underground\"",
        );
    let path = Path::new("routes.geojson");
    crate::geojson_io::read_str(&routes, path, None, &mut cad, &mut report).unwrap();
    let checked = super::validate_read(&cad, &report.positions, &ValidateOptions::brussels());
    report.extend(checked);
    let got: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        [
            "error: routes[1] properties: expected an object",
            "error: routes[1] geometry: expected a LineString or MultiLineString, found null",
            r#"error: routes[2] (id "r2") owner: unknown owner "acme""#,
        ]
    );
}

/// A route that crosses itself far from its start (its last segment crosses its first): the
/// search went on only until the first pair of segments that did not meet.
#[test]
fn a_crossing_anywhere_along_the_route_is_found() {
    let mut cad = load(None);
    let at = |x: f64, y: f64| geo::coord! { x: 4.36 + x * 0.001, y: 50.85 + y * 0.001 };
    let zigzag = [
        (0., 0.),
        (10., 0.),
        (10., 1.),
        (11., 1.),
        (11., 2.),
        (5., 2.),
        (5., -1.),
    ];
    let line = geo::LineString::new(zigzag.iter().map(|&(x, y)| at(x, y)).collect());
    cad.routes[0].geometry = geo::MultiLineString::new(vec![line]);
    let got: Vec<String> = validate(&cad, &ValidateOptions::brussels())
        .problems
        .iter()
        .filter(|p| p.message.contains("crosses itself"))
        .map(|p| p.message.clone())
        .collect();
    assert_eq!(got, ["route crosses itself at (4.365000, 50.850000)"]);
}

#[test]
fn a_declared_length_is_positive() {
    check(
        "declared_length_negative",
        &[
            r#"error: routes[0] (id "r1") declared_length_m: a route's declared length is a positive number of metres, found -5"#,
        ],
    );
}
