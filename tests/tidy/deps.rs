//! Tidy: the workspace's dependency rules, read from `cargo metadata --no-deps` (every member's
//! declared dependencies, each of kind normal, build or dev; a renamed dependency is matched by
//! its package name). The rules, as ARCHITECTURE.md states them:
//!
//! - `topology` depends on no workspace crate, of any kind: it is the shared vocabulary.
//! - `collector` depends on no workspace crate, of any kind: it knows no GeoJSON (cadastre) and
//!   needs no graph (topology); the api joins them.
//! - `simulator` depends on no workspace crate but `cadastre` (the demo's devices are built
//!   from the demo cadastre), never on `collector`: its own BER codec checks the collector's.
//! - Nothing depends on `api`, of any kind: it is the composition root; the integration tests
//!   run its binary (`IRISOPS_BIN`), they do not link it.
//! - Only `api` depends on `axum` (any kind). The one exception is the `tests` package's
//!   dev-dependencies: a test harness that stands up fake HTTP servers (the InfluxDB receiver
//!   of `tests/influx.rs`), not product code. No library crate may use it, not even in tests.
//! - Only `api` depends on `anyhow` (any kind); where in `api` it may be used is `source.rs`.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::util::root;

/// One declared dependency of a workspace member.
#[derive(Debug)]
struct Dep<'a> {
    from: &'a str,
    to: &'a str,
    /// "normal", "build" or "dev".
    kind: &'a str,
}

/// The names of the workspace members, and their declared dependencies of every kind.
fn member_deps(meta: &Value) -> (BTreeSet<&str>, Vec<Dep<'_>>) {
    let ids: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members[]")
        .iter()
        .map(|id| id.as_str().expect("a member id"))
        .collect();
    let mut names = BTreeSet::new();
    let mut deps = Vec::new();
    for p in meta["packages"].as_array().expect("packages[]") {
        if !ids.contains(p["id"].as_str().expect("a package id")) {
            continue;
        }
        let from = p["name"].as_str().expect("a package name");
        names.insert(from);
        for d in p["dependencies"].as_array().expect("dependencies[]") {
            let kind = match d["kind"].as_str() {
                None => "normal",
                Some(k @ ("build" | "dev")) => k,
                Some(other) => panic!("{from}: unknown dependency kind {other:?}"),
            };
            let to = d["name"].as_str().expect("a dependency name");
            deps.push(Dep { from, to, kind });
        }
    }
    (names, deps)
}

/// Every broken rule, naming the crate, the dependency, its kind and the rule.
fn problems(meta: &Value) -> Vec<String> {
    let (members, deps) = member_deps(meta);
    let mut out = Vec::new();
    for Dep { from, to, kind } in deps {
        let what = format!("{from} depends on {to} ({kind})");
        if from == "topology" && members.contains(to) {
            out.push(format!(
                "{what}: topology is the shared vocabulary and depends on no workspace crate"
            ));
        }
        if from == "collector" && members.contains(to) {
            out.push(format!(
                "{what}: the collector depends on no workspace crate (the api joins it with the cadastre and the graph)"
            ));
        }
        if from == "simulator" && members.contains(to) && to != "cadastre" {
            out.push(format!(
                "{what}: the simulator depends on cadastre only (an independent implementation of the devices)"
            ));
        }
        if to == "api" {
            out.push(format!(
                "{what}: nothing depends on api, the composition root (tests run its binary)"
            ));
        }
        if to == "axum" && from != "api" && !(from == "tests" && kind == "dev") {
            out.push(format!(
                "{what}: only api knows HTTP (the tests package may dev-depend on axum for fake servers)"
            ));
        }
        if to == "anyhow" && from != "api" {
            out.push(format!(
                "{what}: anyhow belongs to the binary in api; a library returns its thiserror enum"
            ));
        }
    }
    out
}

#[test]
fn workspace_dependencies_run_one_way() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let (members, _) = member_deps(&meta);
    for name in [
        "api",
        "collector",
        "simulator",
        "topology",
        "cadastre",
        "tests",
    ] {
        assert!(
            members.contains(name),
            "{name} is not a workspace member: {members:?}"
        );
    }
    let problems = problems(&meta);
    assert!(
        problems.is_empty(),
        "dependency rules broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_rules_catch_forbidden_dependencies() {
    let dep = |name: &str, kind: Option<&str>| serde_json::json!({ "name": name, "kind": kind });
    let package = |name: &str, deps: Vec<Value>| serde_json::json!({ "id": format!("path+file:///w/{name}#0.1.0"), "name": name, "dependencies": deps });
    let members = ["topology", "collector", "simulator", "api", "tests"]
        .map(|n| format!("path+file:///w/{n}#0.1.0"));
    let meta = serde_json::json!({
        "workspace_members": members,
        "packages": [
            package("topology", vec![dep("serde", None), dep("collector", Some("dev"))]),
            package("collector", vec![dep("axum", Some("dev")), dep("anyhow", Some("build")), dep("topology", None)]),
            package("simulator", vec![dep("cadastre", None), dep("collector", Some("dev"))]),
            package("api", vec![dep("axum", None), dep("anyhow", None), dep("collector", None)]),
            package("tests", vec![dep("axum", Some("dev")), dep("api", Some("dev"))]),
            // Not a member: its dependencies are its own business.
            { "id": "registry+x#1", "name": "outside", "dependencies": [dep("axum", None)] },
        ],
    });
    assert_eq!(
        problems(&meta),
        [
            "topology depends on collector (dev): topology is the shared vocabulary and depends on no workspace crate",
            "collector depends on axum (dev): only api knows HTTP (the tests package may dev-depend on axum for fake servers)",
            "collector depends on anyhow (build): anyhow belongs to the binary in api; a library returns its thiserror enum",
            "collector depends on topology (normal): the collector depends on no workspace crate (the api joins it with the cadastre and the graph)",
            "simulator depends on collector (dev): the simulator depends on cadastre only (an independent implementation of the devices)",
            "tests depends on api (dev): nothing depends on api, the composition root (tests run its binary)",
        ]
    );
}
