//! Reading: every bad feature named by index, id and field, nothing else lost; the layer from
//! the `layer` member or the file name; the CRS from the `crs` member or the caller.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{crs_member, read_files, read_str};
use crate::crs::Crs;
use crate::model::{Cadastre, Layer};
use crate::problem::Report;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/read")
        .join(name)
}

fn messages(report: &Report) -> Vec<String> {
    report.problems.iter().map(|p| p.to_string()).collect()
}

fn read(name: &str, text: &str) -> (Cadastre, Report) {
    let (mut cad, mut report) = (Cadastre::default(), Report::default());
    read_str(text, Path::new(name), None, &mut cad, &mut report).unwrap();
    (cad, report)
}

#[test]
fn bad_features_are_named_and_the_others_all_read() {
    let (cad, report) = read_files(&[fixture("routes.geojson")], None).unwrap();
    assert_eq!(
        messages(&report),
        [
            r#"error: routes[1] (id "r2") owner: missing field"#,
            r#"error: routes[2] (id "r3") geometry: expected a LineString or MultiLineString, found Point"#,
            r#"error: routes[3] (id "r4") ducts_total: invalid type: string "many", expected u32"#,
            r#"error: routes[4] (id "r5b") id: feature id "r5" differs from properties.id "r5b""#,
            r#"error: routes[5] feature: expected a GeoJSON Feature object"#,
            r#"error: routes[7] (id "r8") deployment: missing field"#,
            r#"error: routes[7] (id "r8") from_site: missing field"#,
            r#"error: routes[7] (id "r8") to_site: invalid type: integer `5`, expected a string"#,
        ]
    );
    let ids: Vec<&str> = cad.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r7", "r9"]);
    assert_eq!(cad.routes[1].geometry.0.len(), 2);
}

#[test]
fn a_site_needs_a_point() {
    let text = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","id":"s7","geometry":{"type":"LineString","coordinates":[[4.3,50.8],[4.4,50.9]]},
         "properties":{"name":"x","kind":"pop"}},
        {"type":"Feature","id":"s8","geometry":null,"properties":{"name":"y","kind":"pop"}}]}"#;
    let (cad, report) = read("sites.geojson", text);
    assert_eq!(
        messages(&report),
        [
            r#"error: sites[0] (id "s7") geometry: expected a Point, found LineString"#,
            r#"error: sites[1] (id "s8") geometry: expected a Point, found null"#,
        ]
    );
    assert!(cad.sites.is_empty());
}

#[test]
fn owners_read_without_geometry_and_warn_when_given_one() {
    let text = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","id":"o1","geometry":null,"properties":{"name":"Regional IT body"}},
        {"type":"Feature","id":"o2","geometry":{"type":"Point","coordinates":[4.3,50.8]},
         "properties":{"name":"Port"}}]}"#;
    let (cad, report) = read("owners.geojson", text);
    assert_eq!(
        messages(&report),
        [r#"warning: owners[1] (id "o2") geometry: ignored: owners have no geometry, found Point"#]
    );
    assert_eq!(cad.owners.len(), 2);
}

#[test]
fn the_layer_comes_from_the_member_then_the_file_name() {
    let member = r#"{"type":"FeatureCollection","layer":"targets","features":[]}"#;
    let bare = r#"{"type":"FeatureCollection","features":[]}"#;
    let (mut cad, mut report) = (Cadastre::default(), Report::default());
    let mut layer = |name: &str, text: &str| {
        read_str(text, Path::new(name), None, &mut cad, &mut report).map_err(|e| e.to_string())
    };
    assert_eq!(layer("x/any.json", member), Ok(Layer::Targets));
    assert_eq!(layer("x/worksites.geojson", bare), Ok(Layer::Worksites));
    assert_eq!(layer("x/hotspots.json", bare), Ok(Layer::Hotspots));
    assert_eq!(
        layer("x/network.geojson", bare),
        Err(
            "x/network.geojson: cannot tell the layer: no \"layer\" member and the file is not \
             named after a layer (sites.geojson, routes.geojson, ...)"
                .to_string()
        )
    );
    let unknown = r#"{"type":"FeatureCollection","layer":"ducts","features":[]}"#;
    assert_eq!(
        layer("sites.geojson", unknown),
        Err("sites.geojson: unknown layer \"ducts\"".to_string())
    );
    assert_eq!(
        layer("sites.geojson", r#"{"type":"Feature"}"#),
        Err("sites.geojson: not a GeoJSON FeatureCollection".to_string())
    );
    assert_eq!(
        layer("sites.geojson", "[1]"),
        Err(
            "sites.geojson: not a GeoJSON FeatureCollection: expected a JSON object, found an \
             array"
                .to_string()
        )
    );
    assert!(layer("sites.geojson", "{")
        .unwrap_err()
        .starts_with("sites.geojson: not JSON: "));
    assert_eq!(
        layer("sites.geojson", r#"{"type":"FeatureCollection"}"#),
        Err("sites.geojson: features: expected an array".to_string())
    );
}

#[test]
fn the_crs_member_names_the_input_crs() {
    let urn = json!({"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::31370"}});
    assert_eq!(crs_member(Some(&urn)), Ok(Crs::Lambert72));
    assert_eq!(crs_member(Some(&json!("EPSG:3812"))), Ok(Crs::Lambert2008));
    let crs84 = json!({"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}});
    assert_eq!(crs_member(Some(&crs84)), Ok(Crs::Wgs84));
    assert_eq!(crs_member(None), Ok(Crs::Wgs84));
    assert!(crs_member(Some(&json!({"type":"link"}))).is_err());
}

#[test]
fn lambert72_input_is_converted_by_crs() {
    let (cad, report) = read_files(&[fixture("lambert72.geojson")], None).unwrap();
    match Crs::Lambert72.to_wgs84(148855.0, 170700.0) {
        Ok((lon, lat)) => {
            assert!(report.problems.is_empty(), "{:?}", messages(&report));
            assert_eq!(
                (cad.sites[0].location.x(), cad.sites[0].location.y()),
                (lon, lat)
            );
        }
        Err(e) => assert_eq!(
            messages(&report),
            [format!(
                r#"error: sites[0] (id "grand-place") geometry: {e}"#
            )]
        ),
    }
}

#[test]
fn an_explicit_crs_overrides_the_member() {
    // Read as WGS84 despite its Lambert 72 member: the override is obeyed, and Lambert metres
    // are no longitudes.
    let (_, report) = read_files(&[fixture("lambert72.geojson")], Some(Crs::Wgs84)).unwrap();
    assert_eq!(
        messages(&report),
        [
            r#"error: sites[0] (id "grand-place") geometry: coordinate reference system: cannot convert (148855, 170700) from EPSG:4326: not a valid coordinate"#
        ]
    );
    let (cad, report) = read_files(&[fixture("lambert72.geojson")], Some(Crs::Lambert72)).unwrap();
    assert!(report.problems.is_empty(), "{:?}", messages(&report));
    assert!(
        (cad.sites[0].location.x() - 4.3524).abs() < 0.001,
        "{:?}",
        cad.sites[0].location
    );
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let err = read_files(&[fixture("absent.geojson")], None).unwrap_err();
    assert!(err.to_string().starts_with("cannot read "), "{err}");
    assert!(err.to_string().contains("absent.geojson"), "{err}");
}

#[test]
fn collections_carry_the_layer_ids_and_derived_geometry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let paths: Vec<PathBuf> = crate::model::LAYERS
        .iter()
        .map(|l| dir.join(format!("{}.geojson", l.as_str())))
        .collect();
    let (cad, _) = read_files(&paths, None).unwrap();
    let cables = super::to_feature_collection(&cad, Layer::Cables);
    assert_eq!(cables.foreign_members.unwrap()["layer"], json!("cables"));
    let c1 = &cables.features[0];
    assert_eq!(c1.id, Some(geojson::feature::Id::String("c1".to_string())));
    assert_eq!(c1.properties.as_ref().unwrap()["id"], json!("c1"));
    let union = json!({"type": "MultiLineString", "coordinates": [
        [[4.3524, 50.8467], [4.356, 50.849], [4.36, 50.85]], [[4.36, 50.85], [4.37, 50.845]]]});
    assert_eq!(
        serde_json::to_value(c1.geometry.as_ref().unwrap()).unwrap(),
        union
    );
    let hotspots = super::to_feature_collection(&cad, Layer::Hotspots);
    let at_site = json!({"type": "Point", "coordinates": [4.36, 50.85]});
    let h1 = hotspots.features[0].geometry.as_ref().unwrap();
    assert_eq!(serde_json::to_value(h1).unwrap(), at_site);
    // The collection reads back as the same layer.
    for layer in crate::model::LAYERS {
        let text = serde_json::to_string(&super::to_feature_collection(&cad, layer)).unwrap();
        let (mut back, mut report) = (Cadastre::default(), Report::default());
        let got = read_str(&text, Path::new("x.json"), None, &mut back, &mut report).unwrap();
        assert_eq!((got, report.problems.len()), (layer, 0));
        assert_eq!(back.len(layer), cad.len(layer));
    }
}

/// The region's worksite feed: every GeoJSON geometry a worksite has, read, validated, stored,
/// exported (GeoJSON byte for byte, CSV as WKT) and read back unchanged.
#[test]
fn a_worksite_feed_with_every_geometry_type_goes_in_and_out() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/worksites_feed/worksites.geojson");
    let (cad, report) = read_files(&[path], None).unwrap();
    assert_eq!(messages(&report), Vec::<String>::new());
    let kinds: Vec<&str> = cad
        .worksites
        .iter()
        .map(|w| match &w.geometry {
            geo::Geometry::Polygon(_) => "Polygon",
            geo::Geometry::MultiPolygon(_) => "MultiPolygon",
            geo::Geometry::GeometryCollection(_) => "GeometryCollection",
            geo::Geometry::MultiPoint(_) => "MultiPoint",
            geo::Geometry::MultiLineString(_) => "MultiLineString",
            geo::Geometry::LineString(_) => "LineString",
            geo::Geometry::Point(_) => "Point",
            _ => "other",
        })
        .collect();
    let expect = [
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "MultiPoint",
        "MultiLineString",
        "LineString",
        "Point",
    ];
    assert_eq!(kinds, expect);
    let opts = crate::validate::ValidateOptions::brussels();
    assert_eq!(crate::validate::validate(&cad, &opts).problems, vec![]);
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    let ok = |c: &Cadastre| crate::validate::validate(c, &opts);
    store.replace_all(0, &cad, "t", "feed", &ok).unwrap();
    let (back, _) = store.load().unwrap();
    assert_eq!(back.worksites, cad.worksites);
    let text = super::to_text(&cad, Layer::Worksites).unwrap();
    let (again, report) = read("worksites.geojson", std::str::from_utf8(&text).unwrap());
    assert!(report.problems.is_empty());
    assert_eq!(super::to_text(&again, Layer::Worksites).unwrap(), text);
    let csv = crate::csv::layer_csv(&cad, Layer::Worksites);
    assert!(csv.contains("MULTIPOLYGON ((("), "{csv}");
    assert!(csv.contains("GEOMETRYCOLLECTION (POLYGON"), "{csv}");
}

#[test]
fn empty_worksite_parts_are_named() {
    let feature = |g: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{g},"properties":{{"id":"w","name":"w","nature":"gas","organisation":"o","start":"2026-01-01","end":"2026-02-01"}}}}]}}"#
        )
    };
    let cases = [
        (
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
            "an empty MultiPolygon",
        ),
        (
            r#"{"type":"MultiPolygon","coordinates":[[[[4.35,50.85],[4.36,50.85],[4.36,50.86],[4.35,50.85]]],[]]}"#,
            "coordinates[1]: an empty Polygon",
        ),
        (
            r#"{"type":"GeometryCollection","geometries":[]}"#,
            "an empty GeometryCollection",
        ),
        (
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[4.35,50.85]},{"type":"MultiPoint","coordinates":[]}]}"#,
            "geometries[1]: an empty MultiPoint",
        ),
        (
            r#"{"type":"LineString","coordinates":[[4.35,50.85]]}"#,
            "a LineString needs two positions, found 1",
        ),
        (
            r#"{"type":"Polygon","coordinates":[[]]}"#,
            "an empty Polygon ring",
        ),
        ("null", "expected a geometry, found null"),
    ];
    for (g, expect) in cases {
        let (cad, report) = read("worksites.geojson", &feature(g));
        assert!(cad.worksites.is_empty());
        assert_eq!(
            messages(&report),
            [format!(
                r#"error: worksites[0] (id "w") geometry: {expect}"#
            )],
            "{g}"
        );
    }
}

/// Issue 19: a huge geometry, a huge layer and a huge file are refused, each naming the
/// feature (or the file) and the limit, before anything is built.
#[test]
fn limits_name_the_feature_and_the_limit() {
    use crate::limits::Limits;
    let limits = Limits {
        max_file_mb: 1,
        max_features: 2,
        max_vertices: 3,
    };
    let route = |id: &str, n: usize| {
        let coords: Vec<String> = (0..n).map(|i| format!("[4.3{i},50.8]")).collect();
        format!(
            r#"{{"type":"Feature","geometry":{{"type":"LineString","coordinates":[{}]}},"properties":{{"id":"{id}","from_site":"a","to_site":"b","owner":"o","deployment":"underground"}}}}"#,
            coords.join(",")
        )
    };
    let collection = |fs: &[String]| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            fs.join(",")
        )
    };
    let within = |text: &str| {
        let (mut cad, mut report) = (Cadastre::default(), Report::default());
        let path = Path::new("routes.geojson");
        super::read_str_within(text, path, None, &limits, &mut cad, &mut report).unwrap();
        (cad, messages(&report))
    };
    let (cad, got) = within(&collection(&[route("r1", 3), route("r2", 4)]));
    assert_eq!(cad.routes.len(), 1);
    assert_eq!(
        got,
        [
            r#"error: routes[1] (id "r2") geometry: 4 positions, over the limit of 3 per geometry (max_vertices): not read"#
        ]
    );
    let (cad, got) = within(&collection(&[
        route("r1", 2),
        route("r2", 2),
        route("r3", 2),
    ]));
    assert!(cad.routes.is_empty());
    assert_eq!(
        got,
        [
            r#"error: routes[2] (id "r3") features: 3 features in routes, over the limit of 2 per layer (max_features): none of this file read"#
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("routes.geojson");
    std::fs::write(&big, " ".repeat(1_000_001)).unwrap();
    let e = super::read_files_within(&[big], None, &limits).unwrap_err();
    assert!(
        e.to_string().ends_with(
            "routes.geojson: 1000001 bytes, over the limit of 1 MB per file (max_file_mb)"
        ),
        "{e}"
    );
}

/// Found by the `geojson_import` fuzz target: a cable's exported geometry is the union of its
/// routes, so it may hold more positions than `max_vertices` though no route does; it is not
/// read, so it is not counted, and the export reads back within the same limits.
#[test]
fn a_cable_along_many_routes_reads_back_within_the_vertex_limit() {
    use crate::limits::Limits;
    let limits = Limits {
        max_vertices: 3,
        ..Limits::default()
    };
    let route = r#"{"type":"FeatureCollection","layer":"routes","features":[{"type":"Feature",
        "geometry":{"type":"LineString","coordinates":[[4.35,50.84],[4.36,50.85],[4.37,50.85]]},
        "properties":{"id":"r1","from_site":"a","to_site":"b","owner":"o","deployment":"aerial"}}]}"#;
    let cable = r#"{"type":"FeatureCollection","layer":"cables","features":[{"type":"Feature",
        "geometry":null,"properties":{"id":"c1","routes":["r1","r1"],"fibre_count":24,"owner":"o"}}]}"#;
    let read = |texts: &[&str]| {
        let (mut cad, mut report) = (Cadastre::default(), Report::default());
        for text in texts {
            super::read_str_within(text, Path::new("x"), None, &limits, &mut cad, &mut report)
                .unwrap();
        }
        (cad, messages(&report))
    };
    let (cad, problems) = read(&[route, cable]);
    assert_eq!(problems, Vec::<String>::new());
    let cables = String::from_utf8(super::to_text(&cad, Layer::Cables).unwrap()).unwrap();
    assert!(
        cables.contains(r#""geometry":{"type":"MultiLineString""#),
        "{cables}"
    );
    let routes = String::from_utf8(super::to_text(&cad, Layer::Routes).unwrap()).unwrap();
    let (back, problems) = read(&[&routes, &cables]);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(back, cad);
}

/// serde's derived structs also read an array of their fields in order: neither a
/// FeatureCollection, nor a Feature, nor its properties may be one (GeoJSON is objects).
#[test]
fn collections_features_and_properties_are_objects() {
    let (mut cad, mut report) = (Cadastre::default(), Report::default());
    let path = Path::new("sites.geojson");
    let e = read_str(
        r#"["FeatureCollection",null,null,[]]"#,
        path,
        None,
        &mut cad,
        &mut report,
    );
    assert_eq!(
        e.unwrap_err().to_string(),
        "sites.geojson: not a GeoJSON FeatureCollection: expected a JSON object, found an array"
    );
    let point = r#"{"type":"Point","coordinates":[4.3,50.8]}"#;
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[["Feature","s1",{point},{{"name":"x","kind":"pop"}}],
        {{"type":"Feature","id":"s2","geometry":{point},"properties":["s2","y","pop"]}}]}}"#
    );
    let (cad, report) = read("sites.geojson", &text);
    assert!(cad.sites.is_empty());
    assert_eq!(
        messages(&report),
        [
            "error: sites[0] feature: expected a GeoJSON Feature object",
            r#"error: sites[1] (id "s2") properties: expected an object"#,
        ]
    );
}
