//! Writes the seed corpus under `corpus/<target>/`: a few features of the demo cadastre (one
//! cable with its routes, their sites, allocations, a hotspot, a target and a worksite) as
//! GeoJSON layers, as an OFDS package and as OFDS GeoJSON; the repository's Lambert 72 and
//! worksite-feed fixtures; change sets over those features; usage CSVs; target places (the
//! demo's, and districts as polygons). Each is checked
//! against the code it seeds (read without a problem) before it is written.
//!
//! Run from `cadastre/fuzz`: `cargo run --example seeds --no-default-features`.

#[path = "../shared.rs"]
mod shared;

use std::collections::BTreeSet;
use std::path::Path;

use cadastre::geojson_io::{read_str_within, to_text};
use cadastre::store::read_change_request;
use cadastre::validate::{validate, ValidateOptions};
use cadastre::wifi::usage_csv;
use cadastre::{ofds, Cadastre, Layer, Report, LAYERS};
use geo::CoordsIter;

fn main() -> std::io::Result<()> {
    let cad = subset(&cadastre::demo::generate(1));
    let report = validate(&cad, &ValidateOptions::brussels());
    assert!(
        !report.has_errors(),
        "the subset validates: {:?}",
        report.problems
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (target, seeds) in [
        ("geojson_import", geojson_import(&cad)),
        ("ofds_import", ofds_import(&cad)),
        ("change_set", change_set(&cad)),
        ("usage_csv", usage_csv()),
        ("wifi_targets", wifi_targets(&cad)),
    ] {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        for (name, text) in seeds {
            std::fs::write(dir.join(name), &text)?;
            println!("{target}/{name}: {} bytes", text.len());
        }
    }
    Ok(())
}

/// A small, valid piece of the demo: the first cable whose routes are short (within the fuzz
/// limits), those routes and their sites, the cable's allocations between them, every owner,
/// a hotspot (with its site), a target and the smallest worksite.
fn subset(demo: &Cadastre) -> Cadastre {
    let short = |id: &String| {
        let r = demo.routes.iter().find(|r| &r.id == id);
        r.is_some_and(|r| r.geometry.coords_count() <= 12)
    };
    let cable = demo
        .cables
        .iter()
        .find(|c| (2..=3).contains(&c.routes.len()) && c.routes.iter().all(short))
        .expect("a cable on two or three short routes");
    let routes: Vec<_> = demo
        .routes
        .iter()
        .filter(|r| cable.routes.contains(&r.id))
        .cloned()
        .collect();
    let mut site_ids: BTreeSet<&str> = routes
        .iter()
        .flat_map(|r| [r.from_site.as_str(), r.to_site.as_str()])
        .collect();
    let hotspot = demo.hotspots[0].clone();
    site_ids.insert(&hotspot.site);
    let allocations = demo
        .allocations
        .iter()
        .filter(|a| a.cable == cable.id)
        .filter(|a| {
            site_ids.contains(a.from_site.as_str()) && site_ids.contains(a.to_site.as_str())
        })
        .take(2)
        .cloned()
        .collect();
    let worksite = demo
        .worksites
        .iter()
        .min_by_key(|w| w.geometry.coords_count())
        .expect("a worksite")
        .clone();
    Cadastre {
        owners: demo.owners.clone(),
        sites: demo
            .sites
            .iter()
            .filter(|s| site_ids.contains(s.id.as_str()))
            .cloned()
            .collect(),
        routes,
        cables: vec![cable.clone()],
        allocations,
        hotspots: vec![hotspot],
        targets: vec![demo.targets[0].clone()],
        worksites: vec![worksite],
    }
}

fn text(cad: &Cadastre, layer: Layer) -> String {
    String::from_utf8(to_text(cad, layer).expect("a layer writes")).expect("UTF-8")
}

/// The layers in one input (the k-th text named after the k-th layer), the demo's sites alone,
/// and the fixtures in Lambert 72 and from the worksite feed.
fn geojson_import(cad: &Cadastre) -> Vec<(&'static str, String)> {
    let all: Vec<String> = LAYERS.iter().map(|&l| text(cad, l)).collect();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let fixture = |p: &str| std::fs::read_to_string(format!("{fixtures}/{p}")).expect(p);
    let seeds = vec![
        ("demo_layers", all.join(&shared::SEPARATOR.to_string())),
        ("sites.geojson", text(cad, Layer::Sites)),
        ("lambert72.geojson", fixture("read/lambert72.geojson")),
        (
            "worksites_feed.geojson",
            fixture("worksites_feed/worksites.geojson"),
        ),
    ];
    for (name, input) in &seeds {
        let mut out = Cadastre::default();
        let mut report = Report::default();
        for (k, t) in input.split(shared::SEPARATOR).enumerate() {
            let path = format!("{}.geojson", LAYERS[k % LAYERS.len()].as_str());
            read_str_within(
                t,
                Path::new(&path),
                None,
                &shared::LIMITS,
                &mut out,
                &mut report,
            )
            .unwrap_or_else(|e| panic!("seed {name} reads: {e}"));
        }
        assert!(
            report.problems.is_empty(),
            "seed {name}: {:?}",
            report.problems
        );
    }
    seeds
}

/// The OFDS-shaped part (owners, sites, routes, cables) as a package and as nodes + spans.
fn ofds_import(cad: &Cadastre) -> Vec<(&'static str, String)> {
    let (nodes, spans) = ofds::write_geojson(cad);
    let seeds = vec![
        ("package.json", ofds::write_package(cad).to_string()),
        (
            "nodes_spans",
            format!("{nodes}{}{spans}", shared::SEPARATOR),
        ),
    ];
    for (name, input) in &seeds {
        let texts: Vec<ofds::Text> = input
            .split(shared::SEPARATOR)
            .enumerate()
            .map(|(k, t)| ofds::Text {
                name: format!("input-{k}.json"),
                text: t.to_string(),
            })
            .collect();
        let (_, report) = ofds::read_texts_within(&texts, None, &shared::LIMITS)
            .unwrap_or_else(|e| panic!("seed {name} reads: {e}"));
        assert!(!report.has_errors(), "seed {name}: {:?}", report.problems);
    }
    seeds
}

/// The feature text of `layer`'s first feature, as its layer file writes it.
fn feature(cad: &Cadastre, layer: Layer) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&text(cad, layer)).expect("JSON");
    v["features"][0].clone()
}

/// A request of the API (add a cabinet, rename a route, delete an allocation) and a file of
/// `irisops cadastre edit` (change a site, add a worksite, delete the hotspot).
fn change_set(cad: &Cadastre) -> Vec<(&'static str, String)> {
    let mut site = feature(cad, Layer::Sites);
    site["id"] = "cab-new".into();
    site["properties"]["id"] = "cab-new".into();
    site["properties"]["name"] = "Cabinet rue Haute".into();
    site["properties"]["kind"] = "cabinet".into();
    let mut route = feature(cad, Layer::Routes);
    route["properties"]["name"] = "Boulevard du Midi".into();
    let request = serde_json::json!({
        "reason": "new cabinet; route renamed after the survey",
        "changes": [
            {"op": "add", "layer": "sites", "feature": site},
            {"op": "change", "layer": "routes", "feature": route},
            {"op": "delete", "layer": "allocations", "id": cad.allocations[0].id},
        ]
    });
    let mut renamed = feature(cad, Layer::Sites);
    renamed["properties"]["address"] = "Rue Haute 296".into();
    let edit = serde_json::json!({
        "changes": [
            {"op": "change", "layer": "sites", "feature": renamed},
            {"op": "add", "layer": "worksites", "feature": feature(cad, Layer::Worksites)},
            {"op": "delete", "layer": "hotspots", "id": cad.hotspots[0].id},
        ]
    });
    let seeds = vec![
        (
            "request.json",
            serde_json::to_string_pretty(&request).expect("JSON"),
        ),
        (
            "edit.json",
            serde_json::to_string_pretty(&edit).expect("JSON"),
        ),
    ];
    for (name, text) in &seeds {
        let req = read_change_request(text).unwrap_or_else(|e| panic!("seed {name}: {e:?}"));
        assert_eq!(req.set.edits.len(), 3, "seed {name}");
        assert!(
            req.set.report.problems.is_empty(),
            "seed {name}: {:?}",
            req.set.report
        );
    }
    seeds
}

/// A controller's export (every column, a quoted name, unknown cells) and a portal's (its
/// own column order, CRLF, the required columns only).
fn usage_csv() -> Vec<(&'static str, String)> {
    let controller = "hotspot,date,peak_clients,client_hours,availability,sessions,unique_users\n\
                      hs-001,2026-11-02,12,30.5,0.98,57,41\n\
                      hs-001,2026-11-03,9,22.25,1,,\n\
                      \"Place Flagey, kiosque\",2026-11-02,31,96.0,0.875,140,118\n\
                      hs-017,2026-11-02,0,0,0,0,0\n";
    let portal = "date,client_hours,hotspot,peak_clients\r\n\
                  2026-11-02,4.5,\"Parc \"\"Josaphat\"\"\",3\r\n\
                  2026-11-03,,hs-204,\r\n";
    let seeds = vec![
        ("controller.csv", controller.to_string()),
        ("portal.csv", portal.to_string()),
    ];
    for (name, text) in &seeds {
        let (rows, problems) = usage_csv::read(text);
        assert!(
            problems.is_empty() && !rows.is_empty(),
            "seed {name}: {problems:?}"
        );
    }
    seeds
}

/// Target places with their weight in `pop`: the demo's as Points, and districts as a Polygon
/// and a MultiPolygon (a commune in two parts).
fn wifi_targets(cad: &Cadastre) -> Vec<(&'static str, String)> {
    let points: Vec<serde_json::Value> = cad
        .targets
        .iter()
        .map(|t| {
            serde_json::json!({"type": "Feature", "id": t.id,
                "properties": {"name": t.name, "kind": t.kind, "pop": t.weight},
                "geometry": {"type": "Point", "coordinates": [t.location.x(), t.location.y()]}})
        })
        .collect();
    let districts = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"ixelles-flagey","name":"Flagey","pop":11840},
 "geometry":{"type":"Polygon","coordinates":[[[4.366,50.826],[4.377,50.826],[4.377,50.833],[4.366,50.833],[4.366,50.826]]]}},
{"type":"Feature","properties":{"id":"bxl-nord","name":"Quartier Nord","pop":9120,"kind":"ward"},
 "geometry":{"type":"MultiPolygon","coordinates":[[[[4.351,50.858],[4.36,50.858],[4.36,50.864],[4.351,50.858]]],[[[4.362,50.86],[4.366,50.86],[4.366,50.863],[4.362,50.86]]]]}}
]}
"#;
    let seeds = vec![
        (
            "demo_targets.geojson",
            serde_json::json!({"type": "FeatureCollection", "features": points}).to_string(),
        ),
        ("districts.geojson", districts.to_string()),
    ];
    for (name, text) in &seeds {
        let (targets, problems) = cadastre::wifi::targets_from_geojson(text, Some("pop"), None)
            .unwrap_or_else(|e| panic!("seed {name}: {e}"));
        assert!(
            problems.is_empty() && !targets.is_empty(),
            "seed {name}: {problems:?}"
        );
    }
    seeds
}
