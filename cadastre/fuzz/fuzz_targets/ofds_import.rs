//! Fuzzes the OFDS import, as `irisops cadastre validate`/`import` and the API's import
//! (`?from=ofds`) run it: `ofds::read_texts_within` on one network package, or the nodes and
//! spans GeoJSON (NUL-separated; told apart by their content, the names being neutral), within
//! small limits, then `validate::validate_read`.
//!
//! Checks: no panic; every problem names an index below what it counts in (a node's its
//! position among the nodes, a span's among the spans, an organisation's among the
//! organisations; a layer over the feature limit or a validator's problem, a position in the
//! layer read). Once OFDS-shaped (written and read back once), the cadastre round-trips
//! exactly through the package writer and through the GeoJSON writer, as
//! `ofds::tests::what_ofds_cannot_hold_is_written_best_effort_and_listed` has it.

#![no_main]

#[path = "../shared.rs"]
mod shared;

use cadastre::ofds::{self, Text};
use cadastre::validate::{validate_read, ValidateOptions};
use cadastre::{Cadastre, Layer, Problem};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let texts: Vec<Text> = input
        .split(shared::SEPARATOR)
        .enumerate()
        .map(|(k, text)| Text {
            name: format!("input-{k}.json"),
            text: text.to_string(),
        })
        .collect();
    let Ok((cad, report)) = ofds::read_texts_within(&texts, None, &shared::LIMITS) else {
        return;
    };
    let checked = validate_read(&cad, &report.positions, &ValidateOptions::default());
    if let Some(counts) = counts(&texts) {
        for p in report.problems.iter().chain(&checked.problems) {
            check_index(p, &counts, &cad);
        }
    }
    let _ = ofds::export_losses(&cad);
    round_trip(&cad);
});

/// What the input holds: organisations, nodes and spans (`None` when it is not a single
/// package, a package beside another text, or a nodes and spans pair, where which text was
/// read is the reader's choice). Of two texts, the first package is the one read (as
/// `ofds::read_texts` does).
fn counts(texts: &[Text]) -> Option<[usize; 3]> {
    let len = |v: &Value, k: &str| v.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    let package = |text: &str| -> Option<[usize; 3]> {
        let v: Value = serde_json::from_str(text).ok()?;
        let networks = match v.get("networks") {
            Some(Value::Array(n)) => n.clone(),
            _ => vec![v],
        };
        let sum = |k: &str| networks.iter().map(|n| len(n, k)).sum();
        Some([sum("organisations"), sum("nodes"), sum("spans")])
    };
    match texts {
        [one] => package(&one.text),
        [a, _] if ofds::is_package(&a.text) => package(&a.text),
        [_, b] if ofds::is_package(&b.text) => package(&b.text),
        [a, b] => {
            let features = |t: &Text| {
                let v: Value = serde_json::from_str(&t.text).ok()?;
                Some(len(&v, "features"))
            };
            let (nodes, spans) = match (ofds::geojson_role(a), ofds::geojson_role(b)) {
                (Some("nodes"), _) | (_, Some("spans")) => (a, b),
                _ => (b, a),
            };
            Some([0, features(nodes)?, features(spans)?])
        }
        _ => None,
    }
}

fn check_index(p: &Problem, counts: &[usize; 3], cad: &Cadastre) {
    let Some(i) = p.index else { return };
    let counted = match p.layer {
        Layer::Owners => counts[0],
        Layer::Sites => counts[1],
        Layer::Routes | Layer::Cables => counts[2],
        _ => 0,
    };
    let bound = counted.max(cad.len(p.layer));
    assert!(
        i < bound,
        "index {i}, {counted} in the input, {} read: {p}",
        cad.len(p.layer)
    );
}

/// Written and read back once (what OFDS cannot hold is dropped then), the cadastre is a
/// fixed point of both writers.
fn round_trip(cad: &Cadastre) {
    let package = |c: &Cadastre| {
        let text = ofds::write_package(c).to_string();
        ofds::read_package(&text)
            .expect("a written package reads")
            .0
    };
    let shaped = package(cad);
    assert_eq!(package(&shaped), shaped, "package write → read moved");
    let geojson = |c: &Cadastre| {
        let (nodes, spans) = ofds::write_geojson(c);
        let read = ofds::read_geojson(&nodes.to_string(), &spans.to_string());
        read.expect("written GeoJSON reads").0
    };
    let shaped = geojson(cad);
    assert_eq!(geojson(&shaped), shaped, "GeoJSON write → read moved");
}
