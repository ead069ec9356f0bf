//! The cadastre's versions through the real binary: `edit` (applied, stale, invalid), `history`,
//! `undo`, `show`, and exports compared byte for byte.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::util::irisops;

/// Runs `irisops cadastre ARGS`: exit code and stdout (stderr is appended to failures).
fn cadastre(args: &[&str]) -> (i32, String) {
    let out = Command::new(irisops())
        .arg("cadastre")
        .args(args)
        .output()
        .expect("run irisops");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

fn ok(args: &[&str]) -> String {
    let (code, out) = cadastre(args);
    assert_eq!(code, 0, "irisops cadastre {args:?}:\n{out}");
    out
}

/// Every file of a GeoJSON export, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 8, "one file per layer");
    out
}

fn export(data: &str, out: &Path) -> Vec<(String, Vec<u8>)> {
    let out_s = out.to_str().unwrap();
    ok(&["export", "--data", data, "--to", "geojson", "--out", out_s]);
    files(out)
}

/// One feature of the exported layer, by id.
fn feature(dir: &Path, layer: &str, id: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{layer}.geojson"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let features = v["features"].as_array().unwrap();
    features.iter().find(|f| f["id"] == id).unwrap().clone()
}

fn site(id: &str, owner: &str) -> Value {
    json!({"type": "Feature", "id": id,
        "geometry": {"type": "Point", "coordinates": [4.3601, 50.8512]},
        "properties": {"id": id, "name": "PoP test", "kind": "pop", "owner": owner,
            "status": "in_service"}})
}

fn write(path: &Path, v: &Value) -> String {
    std::fs::write(path, v.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn edit_stale_invalid_history_undo_and_show() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    ok(&["generate-demo", "--out", data]);
    let before = export(data, &tmp.path().join("v1"));

    let mut route = feature(&tmp.path().join("v1"), "routes", "r-0001");
    route["properties"]["ducts_free"] = json!(1);
    let changes = json!({"changes": [
        {"op": "add", "layer": "sites", "feature": site("pop-test", "cirb")},
        {"op": "change", "layer": "routes", "feature": route},
        {"op": "delete", "layer": "targets", "id": "t-001"},
    ]});
    let file = write(&tmp.path().join("edit.json"), &changes);
    let edit = |file: &str, base: &str| {
        cadastre(&[
            "edit",
            "--data",
            data,
            "--file",
            file,
            "--author",
            "alice",
            "--reason",
            "survey 12",
            "--base-version",
            base,
        ])
    };
    let (code, out) = edit(&file, "1");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 add(s), 1 change(s), 1 delete(s) as version 2"),
        "{out}"
    );
    let edited = export(data, &tmp.path().join("v2"));
    assert_ne!(edited, before);

    let (code, out) = edit(&file, "1");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("stale edit: data is at version 2, your edit is based on 1"),
        "{out}"
    );

    // A route of an unknown owner between unknown sites, and a site of an unknown owner: every
    // problem is printed, nothing is written.
    let mut bad_route = feature(&tmp.path().join("v1"), "routes", "r-0001");
    bad_route["id"] = json!("r-bad");
    bad_route["properties"]["id"] = json!("r-bad");
    bad_route["properties"]["owner"] = json!("acme");
    bad_route["properties"]["from_site"] = json!("nowhere");
    let bad = json!({"changes": [
        {"op": "add", "layer": "routes", "feature": bad_route},
        {"op": "add", "layer": "sites", "feature": site("pop-bad", "nobody")},
    ]});
    let bad = write(&tmp.path().join("bad.json"), &bad);
    let (code, out) = edit(&bad, "2");
    assert_eq!(code, 1, "{out}");
    for needle in ["\"acme\"", "\"nowhere\"", "\"nobody\"", "nothing written"] {
        assert!(out.contains(needle), "{needle} in:\n{out}");
    }
    assert!(out.matches("error: ").count() >= 3, "{out}");
    assert_eq!(export(data, &tmp.path().join("v2-again")), edited);

    let history = ok(&["history", "--data", data, "--json"]);
    let history: Value = serde_json::from_str(&history).unwrap();
    let latest = &history["changes"][0];
    assert_eq!(history["changes"].as_array().unwrap().len(), 2);
    assert_eq!(
        (&latest["version"], &latest["author"], &latest["reason"]),
        (&json!(2), &json!("alice"), &json!("survey 12"))
    );
    let counts = (
        &latest["n_added"],
        &latest["n_changed"],
        &latest["n_deleted"],
    );
    assert_eq!(counts, (&json!(1), &json!(1), &json!(1)));
    let table = ok(&["history", "--data", data, "--limit", "1"]);
    assert!(
        table.contains("alice") && !table.contains("generated demo"),
        "{table}"
    );

    let undo = |version: &str, base: &str| {
        let args = [
            "undo",
            "--data",
            data,
            "--version",
            version,
            "--author",
            "bob",
        ];
        let base = ["--reason", "wrong survey", "--base-version", base];
        cadastre(&[&args[..], &base[..]].concat())
    };
    let (code, out) = undo("2", "1");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("stale edit: data is at version 2, your edit is based on 1"),
        "{out}"
    );
    let (code, out) = undo("1", "2");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("was changed since by version 2; undo that first"),
        "{out}"
    );
    // Without --base-version: based on the current version.
    let out = ok(&[
        "undo",
        "--data",
        data,
        "--version",
        "2",
        "--author",
        "bob",
        "--reason",
        "wrong survey",
    ]);
    assert!(out.contains("as version 3"), "{out}");
    assert_eq!(export(data, &tmp.path().join("v3")), before);
    let v1 = tmp.path().join("show-v1");
    ok(&[
        "show",
        "--data",
        data,
        "--version",
        "1",
        "--out",
        v1.to_str().unwrap(),
    ]);
    assert_eq!(files(&v1), before);
    let v2 = tmp.path().join("show-v2");
    ok(&[
        "show",
        "--data",
        data,
        "--version",
        "2",
        "--out",
        v2.to_str().unwrap(),
    ]);
    assert_eq!(files(&v2), edited);
}
