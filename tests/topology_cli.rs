//! `irisops topology` through the real binary on the generated demo network, checked against
//! an independent reading of the exported routes: paths are chains of real routes from one
//! site to the other, their length is the sum of the routes', diverse paths share no route,
//! and every reported bridge disconnects the network when removed (a non-bridge does not).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::Command;

use serde_json::Value;

use crate::util::irisops;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(irisops())
        .args(args)
        .output()
        .expect("run irisops");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some(),
        "irisops {args:?} was killed:\n{stderr}"
    );
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

fn json(args: &[&str]) -> Value {
    let out = Command::new(irisops())
        .args(args)
        .output()
        .expect("run irisops");
    assert!(
        out.status.success(),
        "irisops {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Route id → (from site, to site, km), from the GeoJSON export's own properties.
fn routes(dir: &std::path::Path) -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(dir.join("routes.geojson")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["id"].as_str().unwrap().to_string(),
                (
                    p["from_site"].as_str().unwrap().to_string(),
                    p["to_site"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn is_chain(p: &Value, from: &str, to: &str, r: &BTreeMap<String, (String, String)>) -> bool {
    let mut at = from.to_string();
    for id in p["routes"].as_array().unwrap() {
        let (a, b) = &r[id.as_str().unwrap()];
        at = if &at == a {
            b.clone()
        } else if &at == b {
            a.clone()
        } else {
            return false;
        };
    }
    at == to
}

fn n_components(r: &BTreeMap<String, (String, String)>, without: &str) -> usize {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, (a, b)) in r {
        adj.entry(a).or_default();
        adj.entry(b).or_default();
        if id != without {
            adj.get_mut(a.as_str()).unwrap().push(b);
            adj.get_mut(b.as_str()).unwrap().push(a);
        }
    }
    let mut seen = BTreeSet::new();
    let mut n = 0;
    for &s in adj.keys() {
        if !seen.insert(s) {
            continue;
        }
        n += 1;
        let mut q = VecDeque::from([s]);
        while let Some(u) = q.pop_front() {
            for &v in &adj[u] {
                if seen.insert(v) {
                    q.push_back(v);
                }
            }
        }
    }
    n
}

#[test]
fn paths_and_spof_on_the_demo_network() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    let (code, out) = run(&["cadastre", "generate-demo", "--out", data]);
    assert_eq!(code, 0, "{out}");
    let exp = tmp.path().join("exp");
    let (code, out) = run(&[
        "cadastre",
        "export",
        "--data",
        data,
        "--to",
        "geojson",
        "--out",
        exp.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let r = routes(&exp);
    let sites: BTreeSet<&str> = r
        .values()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    let sites: Vec<&str> = sites.into_iter().collect();
    let (from, to) = (sites[0], sites[sites.len() / 2]);

    let one = json(&[
        "topology", "paths", "--data", data, "--from", from, "--to", to, "--k", "1", "--json",
    ]);
    let p = &one["paths"][0];
    assert!(
        is_chain(p, from, to, &r),
        "shortest path is not a chain: {p}"
    );
    assert!(p["length_km"].as_f64().unwrap() > 0.0);
    let owner_km: f64 = p["owners"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!(
        (owner_km - p["length_km"].as_f64().unwrap()).abs() < 0.01,
        "km per owner add up: {p}"
    );
    assert!(p["loss_db"].as_f64().unwrap() > 0.0);

    let two = json(&[
        "topology", "paths", "--data", data, "--from", from, "--to", to, "--k", "2", "--json",
    ]);
    let ps = two["paths"].as_array().unwrap();
    assert!(!ps.is_empty());
    for q in ps {
        assert!(is_chain(q, from, to, &r), "not a chain: {q}");
    }
    if two["fully_diverse"] == true {
        let ids = |q: &Value| -> BTreeSet<String> {
            q["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect()
        };
        let (a, b) = (ids(&ps[0]), ids(&ps[1]));
        assert!(a.is_disjoint(&b), "'diverse' paths share routes: {two}");
        assert!(
            ps[1]["length_km"].as_f64().unwrap() >= p["length_km"].as_f64().unwrap() - 1e-3
                || ps[0]["length_km"].as_f64().unwrap() >= p["length_km"].as_f64().unwrap() - 1e-3
        );
    } else {
        assert!(!two["shared_risks"].as_array().unwrap().is_empty(), "{two}");
    }

    let spof = json(&["topology", "spof", "--data", data, "--json"]);
    let base = n_components(&r, "");
    let bridges: BTreeSet<&str> = spof["bridges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    for b in &bridges {
        assert!(n_components(&r, b) > base, "{b} is no bridge");
    }
    for id in r
        .keys()
        .filter(|id| !bridges.contains(id.as_str()))
        .take(50)
    {
        assert_eq!(
            n_components(&r, id),
            base,
            "{id} is a bridge that spof missed"
        );
    }

    let (code, out) = run(&[
        "topology", "paths", "--data", data, "--from", "nowhere", "--to", to,
    ]);
    assert_ne!(code, 0);
    assert!(
        out.contains("nowhere"),
        "the error names the unknown site: {out}"
    );
}
