//! Tests of the OFDS reader and writers: our own Brussels fixtures, malformed input, what an
//! export loses, and the shared OFDS examples when they are present.

use std::path::Path;

use geo::{LineString, MultiLineString, Point};

use super::*;
use crate::model::{Allocation, Cable, Owner, Route, Site, Use};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ofds");
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/testdata/ofds");

fn fixture(dir: &str, name: &str) -> String {
    std::fs::read_to_string(Path::new(dir).join(name)).unwrap()
}

fn lines(report: &Report) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

/// Reads a package that must have no problem at all.
fn clean_package(text: &str) -> Cadastre {
    let (cad, report) = read_package(text).unwrap();
    assert_eq!(lines(&report), Vec::<String>::new());
    cad
}

fn geojson_text(cad: &Cadastre) -> (String, String) {
    let (nodes, spans) = write_geojson(cad);
    (nodes.to_string(), spans.to_string())
}

#[test]
fn package_round_trip_is_the_identity_and_keeps_the_ofds_ids() {
    let cad = clean_package(&fixture(FIXTURES, "package.json"));
    let site_ids: Vec<_> = cad.sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(site_ids, ["n-madou", "n-midi", "n-ixelles", "n-cab-12"]);
    let route_ids: Vec<_> = cad.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        route_ids,
        ["s-madou-midi", "s-madou-ixelles", "s-madou-cab-12"]
    );
    let cable_ids: Vec<_> = cad.cables.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(cable_ids, route_ids);
    let owner_ids: Vec<_> = cad.owners.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        owner_ids,
        ["org-it", "org-carrier", "org-energy", "org-builder"]
    );

    let text = serde_json::to_string_pretty(&write_package(&cad)).unwrap();
    assert_eq!(clean_package(&text), cad);
    assert!(export_losses(&cad).problems.is_empty());
}

#[test]
fn nodes_and_spans_map_to_the_model() {
    let cad = clean_package(&fixture(FIXTURES, "package.json"));
    let madou = &cad.sites[0];
    assert_eq!(madou.location, Point::new(4.3685, 50.8512));
    assert_eq!(
        (madou.kind.as_str(), madou.status.as_str()),
        ("pop", "in_service")
    );
    assert_eq!(madou.owner.as_deref(), Some("org-it"));
    assert_eq!(madou.address.as_deref(), Some("Place Madou 1"));
    assert_eq!(madou.commune.as_deref(), Some("Saint-Josse-ten-Noode"));
    assert_eq!(cad.sites[3].status, "under_construction");
    assert_eq!(cad.sites[3].owner, None);

    let [core, ixelles, cabinet] = &cad.routes[..] else {
        panic!("3 routes")
    };
    assert_eq!(
        (core.from_site.as_str(), core.to_site.as_str()),
        ("n-madou", "n-midi")
    );
    assert_eq!(
        (core.deployment.as_str(), core.owner.as_str()),
        ("underground", "org-it")
    );
    assert_eq!(core.declared_length_m, Some(2874.0));
    assert_eq!(core.geometry.0[0].0.len(), 4);
    assert_eq!(ixelles.deployment, "aerial");
    assert_eq!(cabinet.deployment, "mixed");
    assert_eq!(
        (cabinet.name.as_deref(), cabinet.status.as_str()),
        (None, "planned")
    );

    let cable = &cad.cables[0];
    assert_eq!(
        (cable.fibre_count, cable.fibre_type.as_deref()),
        (144, Some("G.652.D"))
    );
    assert_eq!(cable.routes, ["s-madou-midi"]);
    assert_eq!(cad.cables[1].fibre_type.as_deref(), Some("G.657.A1"));
    assert_eq!(cad.cables[2].fibre_type.as_deref(), Some("G.652"));
    assert_eq!(cad.owners[0].notes.as_deref(), Some("Owns the core ducts."));
}

#[test]
fn geojson_reads_as_the_package_and_round_trips() {
    let mut from_package = clean_package(&fixture(FIXTURES, "package.json"));
    // Only owners of sites or routes travel in GeoJSON.
    from_package
        .owners
        .retain(|o| ["org-it", "org-energy"].contains(&o.id.as_str()));
    let (cad, report) = read_geojson(
        &fixture(FIXTURES, "nodes.geojson"),
        &fixture(FIXTURES, "spans.geojson"),
    )
    .unwrap();
    assert_eq!(lines(&report), Vec::<String>::new());
    assert_eq!(cad, from_package);

    let (nodes, spans) = geojson_text(&cad);
    let (again, report) = read_geojson(&nodes, &spans).unwrap();
    assert_eq!(lines(&report), Vec::<String>::new());
    assert_eq!(again, cad);
}

#[test]
fn written_geojson_embeds_the_network_nodes_and_organisations() {
    let cad = clean_package(&fixture(FIXTURES, "package.json"));
    let (nodes, spans) = write_geojson(&cad);
    assert_eq!((nodes.features.len(), spans.features.len()), (4, 3));
    let span = &spans.features[0];
    assert_eq!(
        span.property("featureType"),
        Some(&serde_json::json!("span"))
    );
    assert_eq!(
        span.property("start").and_then(|s| s.get("name")),
        Some(&serde_json::json!("PoP Madou"))
    );
    let pip = span.property("physicalInfrastructureProvider").unwrap();
    assert_eq!(
        pip.get("roleDetails"),
        Some(&serde_json::json!("Owns the core ducts."))
    );
    let network = span.property("network").unwrap();
    assert_eq!(network.get("id"), Some(&serde_json::json!(NETWORK_ID)));
    assert_eq!(
        nodes.features[0].id,
        Some(::geojson::feature::Id::String("n-madou".into()))
    );
}

const BROKEN: &str = r#"{"networks": [{"id": "x", "nodes": [
  {"id": "a", "location": {"type": "Point", "coordinates": [4.35, 50.85]}},
  {"name": "no id", "location": {"type": "Point", "coordinates": [4.36, 50.85]}},
  {"id": "c", "status": 7, "location": {"type": "LineString", "coordinates": [[4.3, 50.8], [4.4, 50.9]]}},
  {"id": "d", "status": "lit", "type": ["pop", "exchange"], "location": {"type": "Point", "coordinates": [4.37, 50.86]}},
  "not a node"
], "spans": [
  {"id": "s1", "start": "a", "end": "zz", "route": {"type": "LineString", "coordinates": [[4.35, 50.85], [4.37, 50.86]]},
   "physicalInfrastructureProvider": {"id": "ghost"}, "fibreCount": "lots", "deployment": ["inTheAir"]},
  {"id": "s2", "start": "a", "end": "d", "route": {"type": "LineString", "coordinates": [[4.35, 50.85]]},
   "physicalInfrastructureProvider": {"id": "ghost"}, "fibreCount": 12},
  {"id": "s3", "end": "d", "route": {"type": "LineString", "coordinates": [[4.35, 50.85], [4.37, 50.86]]}, "fibreCount": 0}
]}]}"#;

#[test]
fn every_node_and_span_problem_names_index_and_field_and_the_rest_is_kept() {
    let (cad, report) = read_package(BROKEN).unwrap();
    assert_eq!(
        lines(&report),
        [
            "error: sites[1] id: missing: a node needs an id",
            "error: sites[2] (id \"c\") location: expected a GeoJSON Point, found LineString",
            "error: sites[2] (id \"c\") status: expected a string, found a number",
            "warning: sites[3] (id \"d\") type: only the first type is kept, [\"exchange\"] dropped",
            "warning: sites[3] (id \"d\") status: \"lit\" is not an OFDS status",
            "error: sites[4] node: expected a node object, found a string",
            "error: routes[0] (id \"s1\") end: unknown node \"zz\"",
            "warning: routes[0] (id \"s1\") physicalInfrastructureProvider: organisation \"ghost\" is not in organisations",
            "warning: routes[0] (id \"s1\") deployment: \"inTheAir\" is not in the deployment codelist: kept as it is",
            "error: routes[0] (id \"s1\") fibreCount: expected a fibre count, found \"lots\"",
            "warning: routes[0] (id \"s1\") fibreCount: absent or 0: the cable's fibre_count is 0 (unknown)",
            "error: routes[1] (id \"s2\") route: a LineString needs 2 positions, found 1",
            "error: routes[2] (id \"s3\") start: missing: a span joins two nodes",
            "error: routes[2] (id \"s3\") physicalInfrastructureProvider: missing: a route needs an owner",
            "warning: routes[2] (id \"s3\") fibreCount: absent or 0: the cable's fibre_count is 0 (unknown)",
        ]
    );
    let sites: Vec<_> = cad.sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(sites, ["a", "d"]);
    assert_eq!(cad.sites[1].status, "lit");
    let routes: Vec<_> = cad.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(routes, ["s1"]);
    assert_eq!(
        (cad.routes[0].deployment.as_str(), cad.cables[0].fibre_count),
        ("inTheAir", 0)
    );
    assert_eq!(
        cad.owners
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["ghost"]
    );
}

#[test]
fn input_that_is_not_ofds_is_an_error() {
    assert!(matches!(
        read_package("{"),
        Err(CadastreError::Format { .. })
    ));
    assert!(matches!(
        read_package("{\"nets\": []}"),
        Err(CadastreError::Format { .. })
    ));
    assert!(matches!(
        read_package("{\"networks\": [1]}"),
        Err(CadastreError::Format { .. })
    ));
    let fc = r#"{"type": "FeatureCollection", "features": []}"#;
    assert!(matches!(
        read_geojson("[]", fc),
        Err(CadastreError::Format { .. })
    ));
    assert!(matches!(
        read_geojson(fc, "{\"type\": \"Feature\"}"),
        Err(CadastreError::Format { .. })
    ));
    let (cad, report) = read_geojson(fc, fc).unwrap();
    assert!(cad.is_empty() && report.problems.is_empty());
}

#[test]
fn a_crs_other_than_crs84_is_warned_about() {
    let text = r#"{"networks": [{"id": "x", "crs": {"name": "urn:ogc:def:crs:EPSG::31370"}}]}"#;
    let (_, report) = read_package(text).unwrap();
    assert_eq!(
        lines(&report),
        ["warning: sites crs: \"urn:ogc:def:crs:EPSG::31370\" is not CRS84: coordinates are read as WGS84 lon/lat"]
    );
}

fn line(coords: &[(f64, f64)]) -> LineString<f64> {
    LineString::from(coords.to_vec())
}

/// A cadastre that is not OFDS-shaped: a cable on two routes, two cables on one route, a
/// two-part route, ducts, an allocation, an in-building route.
fn not_ofds_shaped() -> Cadastre {
    let site = |id: &str, x: f64| Site {
        id: id.into(),
        name: String::new(),
        kind: "other".into(),
        owner: None,
        address: None,
        commune: None,
        status: "in_service".into(),
        location: Point::new(x, 50.85),
    };
    let route = |id: &str, from: &str, to: &str, parts: Vec<LineString<f64>>| Route {
        id: id.into(),
        name: None,
        from_site: from.into(),
        to_site: to.into(),
        owner: "o".into(),
        deployment: "in_building".into(),
        ducts_total: 0,
        ducts_free: 0,
        status: "in_service".into(),
        declared_length_m: None,
        srlgs: Vec::new(),
        geometry: MultiLineString::new(parts),
    };
    let cable = |id: &str, routes: &[&str], n: u32| Cable {
        id: id.into(),
        name: None,
        routes: routes.iter().map(|r| r.to_string()).collect(),
        fibre_count: n,
        fibre_type: Some("G.652.D".into()),
        owner: "o".into(),
        status: "in_service".into(),
    };
    let mut r2 = route(
        "r2",
        "b",
        "c",
        vec![
            line(&[(4.36, 50.85), (4.365, 50.85)]),
            line(&[(4.365, 50.85), (4.37, 50.85)]),
        ],
    );
    r2.ducts_total = 4;
    Cadastre {
        owners: vec![Owner {
            id: "o".into(),
            name: "Owner".into(),
            notes: None,
        }],
        sites: vec![site("a", 4.35), site("b", 4.36), site("c", 4.37)],
        routes: vec![
            route("r1", "a", "b", vec![line(&[(4.35, 50.85), (4.36, 50.85)])]),
            r2,
        ],
        cables: vec![
            cable("k-long", &["r1", "r2"], 96),
            cable("k-short", &["r2"], 12),
        ],
        allocations: vec![Allocation {
            id: "al".into(),
            cable: "k-long".into(),
            strands: vec![1, 2],
            use_: Use::Internal,
            party: "core".into(),
            owner: "o".into(),
            from_site: "a".into(),
            to_site: "c".into(),
            a_end: None,
            b_end: None,
        }],
        ..Cadastre::default()
    }
}

#[test]
fn what_ofds_cannot_hold_is_written_best_effort_and_listed() {
    let cad = not_ofds_shaped();
    assert_eq!(
        lines(&export_losses(&cad)),
        [
            "warning: routes[1] (id \"r2\") ducts_total: ducts are not carried by OFDS",
            "warning: routes[1] (id \"r2\") geometry: 2 parts joined into one LineString",
            "warning: cables[0] (id \"k-long\") routes: on 2 routes: its fibre is added to each route's span",
            "warning: cables[1] (id \"k-short\") routes: shares its route with other cables: their fibre counts are summed",
            "warning: allocations layer: 1 feature(s) not carried by OFDS",
        ]
    );
    let (back, report) = read_package(&write_package(&cad).to_string()).unwrap();
    assert_eq!(lines(&report), Vec::<String>::new());
    let counts: Vec<_> = back
        .cables
        .iter()
        .map(|c| (c.id.as_str(), c.fibre_count))
        .collect();
    assert_eq!(counts, [("r1", 96), ("r2", 108)]);
    assert_eq!(back.routes[1].geometry.0[0].0.len(), 3);
    assert_eq!(back.routes[1].deployment, "in_building");
    assert_eq!(back.cables[1].fibre_type.as_deref(), Some("G.652.D"));
    // Once OFDS-shaped, the cadastre round-trips exactly.
    assert_eq!(
        read_package(&write_package(&back).to_string()).unwrap().0,
        back
    );
}

#[test]
fn shared_ofds_examples_import_and_round_trip() {
    let dir = Path::new(SHARED);
    if !dir.join("network-package.json").exists() {
        eprintln!("skipped: no shared OFDS examples in {}", dir.display());
        return;
    }
    let package = fixture(SHARED, "network-package.json");
    let raw: serde_json::Value = serde_json::from_str(&package).unwrap();
    let net = &raw["networks"][0];
    let n_nodes = net["nodes"].as_array().unwrap().len();
    let n_spans = net["spans"].as_array().unwrap().len();
    let (cad, report) = read_package(&package).unwrap();
    assert!(!report.has_errors(), "{:?}", lines(&report));
    assert_eq!(
        (cad.sites.len(), cad.routes.len(), cad.cables.len()),
        (n_nodes, n_spans, n_spans)
    );
    assert_eq!(
        read_package(&write_package(&cad).to_string()).unwrap().0,
        cad
    );

    let (nodes, spans) = (
        fixture(SHARED, "nodes.geojson"),
        fixture(SHARED, "spans.geojson"),
    );
    let (gcad, report) = read_geojson(&nodes, &spans).unwrap();
    assert!(!report.has_errors(), "{:?}", lines(&report));
    assert_eq!((gcad.sites.len(), gcad.routes.len()), (n_nodes, n_spans));
    assert_eq!(
        (gcad.sites.clone(), gcad.routes.clone(), gcad.cables.clone()),
        (cad.sites, cad.routes, cad.cables)
    );
    let (n, s) = geojson_text(&gcad);
    assert_eq!(read_geojson(&n, &s).unwrap().0, gcad);
}

proptest::proptest! {
    /// write → read is the identity on OFDS-shaped cadastres, whatever the coordinates.
    #[test]
    fn package_write_read_is_the_identity(
        coords in proptest::collection::vec((4.24f64..4.48, 50.76f64..50.92), 3..8),
        fibre_count in 1u32..289,
    ) {
        let cad = clean_package(&fixture(FIXTURES, "package.json"));
        let mut cad = cad;
        for (site, &(x, y)) in cad.sites.iter_mut().zip(&coords) {
            site.location = Point::new(x, y);
        }
        cad.routes[0].geometry = MultiLineString::new(vec![LineString::from(coords.clone())]);
        cad.cables[0].fibre_count = fibre_count;
        let back = read_package(&write_package(&cad).to_string()).unwrap().0;
        proptest::prop_assert_eq!(&back, &cad);
        let (n, s) = geojson_text(&cad);
        let mut geo_cad = cad.clone();
        geo_cad.owners.retain(|o| ["org-it", "org-energy"].contains(&o.id.as_str()));
        proptest::prop_assert_eq!(read_geojson(&n, &s).unwrap().0, geo_cad);
    }
}
