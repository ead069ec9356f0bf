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
    crate::util::run_json(args)
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

/// The generated demo network in `dir/data`, exported as GeoJSON layers into `dir/exp`.
fn demo(dir: &std::path::Path) -> (String, std::path::PathBuf) {
    let data = dir.join("data").to_str().unwrap().to_string();
    let (code, out) = run(&["cadastre", "generate-demo", "--out", &data]);
    assert_eq!(code, 0, "{out}");
    let exp = dir.join("exp");
    let (code, out) = run(&[
        "cadastre",
        "export",
        "--data",
        &data,
        "--to",
        "geojson",
        "--out",
        exp.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    (data, exp)
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
    let (data, exp) = demo(tmp.path());
    let data = data.as_str();
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
    let loss = p["loss_db"].as_f64().unwrap();
    assert!(loss > 0.0);
    // The verdict against budgets just above, within 3 dB of, and below the loss.
    for (budget, verdict) in [
        (loss + 3.5, "pass"),
        (loss + 1.0, "warn"),
        (loss - 0.5, "fail"),
    ] {
        let b = format!("{budget}");
        let v = json(&[
            "topology",
            "paths",
            "--data",
            data,
            "--from",
            from,
            "--to",
            to,
            "--k",
            "1",
            "--budget-db",
            &b,
            "--json",
        ]);
        assert_eq!(v["paths"][0]["loss_verdict"], verdict, "budget {b}: {v}");
    }

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

/// Sites connected to a `pop` site over the routes minus `cut`.
fn reach_core(
    r: &BTreeMap<String, (String, String)>,
    pops: &BTreeSet<String>,
    cut: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, (a, b)) in r {
        if !cut.contains(id) {
            adj.entry(a).or_default().push(b);
            adj.entry(b).or_default().push(a);
        }
    }
    let mut seen: BTreeSet<String> = pops.clone();
    let mut q: VecDeque<String> = pops.iter().cloned().collect();
    while let Some(u) = q.pop_front() {
        for &v in adj.get(u.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(v.to_string()) {
                q.push_back(v.to_string());
            }
        }
    }
    seen
}

#[test]
fn spare_cut_and_quote_on_the_demo_network() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, exp) = demo(tmp.path());
    let data = data.as_str();
    let r = routes(&exp);
    let sites: Value =
        serde_json::from_str(&std::fs::read_to_string(exp.join("sites.geojson")).unwrap()).unwrap();
    let pops: BTreeSet<String> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "pop")
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!pops.is_empty());

    // Spare: per-route lines add up to the owners' totals and to the network's.
    let by_route = json(&[
        "topology", "spare", "--data", data, "--by", "route", "--format", "json",
    ]);
    let by_owner = json(&["topology", "spare", "--data", data, "--format", "json"]);
    let dark: u64 = by_route["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["dark_strands"].as_u64().unwrap())
        .sum();
    assert!(dark > 0);
    assert_eq!(by_owner["total"]["dark_strands"].as_u64().unwrap(), dark);
    let owners_dark: u64 = by_owner["by_owner"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| o["dark_strands"].as_u64().unwrap())
        .sum();
    assert_eq!(owners_dark, dark);
    let t = &by_owner["total"];
    assert_eq!(
        t["fibre_count"].as_u64().unwrap() - t["allocated_strands"].as_u64().unwrap(),
        dark
    );
    let (code, csv) = run(&["topology", "spare", "--data", data, "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with("owner,routes,km,"), "{csv}");

    // Cut a bridge: what it isolates is exactly what loses every path to a PoP.
    let spof = json(&["topology", "spof", "--data", data, "--json"]);
    let bridge = spof["bridges"][0].as_str().unwrap().to_string();
    let cut = json(&[
        "topology", "cut", "--data", data, "--route", &bridge, "--json",
    ]);
    assert_eq!(cut["removed_routes"], serde_json::json!([bridge]));
    let before = reach_core(&r, &pops, &BTreeSet::new());
    let after = reach_core(&r, &pops, &BTreeSet::from([bridge.clone()]));
    let want: BTreeSet<String> = before.difference(&after).cloned().collect();
    let got: BTreeSet<String> = cut["isolated_sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "isolated sites of cutting {bridge}");
    for re in cut["reroutable"].as_array().unwrap() {
        let routes = re["path"]["routes"].as_array().unwrap();
        assert!(
            !routes.iter().any(|x| x == bridge.as_str()),
            "a re-route uses the cut: {re}"
        );
    }
    let (code, out) = run(&[
        "topology",
        "cut",
        "--data",
        data,
        "--route",
        "no-such-route",
    ]);
    assert_ne!(code, 0);
    assert!(out.contains("no-such-route"), "{out}");

    // Quote: owners' shares and the operator's add up to the price, above the minimum.
    let (from, to) = (pops.iter().next().unwrap(), pops.iter().last().unwrap());
    let q = json(&[
        "topology", "quote", "--data", data, "--from", from, "--to", to, "--pairs", "2", "--json",
    ]);
    let quote = &q["quotes"][0];
    let monthly = quote["monthly"].as_f64().unwrap();
    assert!(monthly >= 150.0, "{q}");
    let shares: f64 = quote["owners"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum::<f64>()
        + quote["operator_kept"].as_f64().unwrap();
    assert!((shares - monthly).abs() < 1e-6, "{q}");
    assert!(q["paths"][0]["spare_strands"].as_u64().unwrap() >= 4);
}

#[test]
fn dig_once_with_a_wish_list() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _exp) = demo(tmp.path());
    let data = data.as_str();
    let default = json(&["topology", "dig-once", "--data", data, "--json"]);
    let first = &default["candidates"][0];
    assert_eq!(first["reason"], "single_homed");
    let (site, to) = (
        first["site"].as_str().unwrap(),
        first["to_site"].as_str().unwrap(),
    );
    // The same route asked for explicitly saves the same metres in the same worksite.
    let wish = format!("{site}:{to}");
    let listed = json(&[
        "topology", "dig-once", "--data", data, "--wish", &wish, "--json",
    ]);
    assert_eq!(listed["n_wishes"], 1);
    let c = listed["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["worksite"] == first["worksite"])
        .expect("the worksite along the wished route");
    assert_eq!(c["saved_m"], first["saved_m"]);
    assert_eq!(c["reason"], "wish_list");
    // A CSV wish list, and its errors by line and by site.
    let file = tmp.path().join("wish.csv");
    std::fs::write(
        &file,
        format!("from,to\n# asked by the commune\n{site},{to}\n"),
    )
    .unwrap();
    let from_file = json(&[
        "topology",
        "dig-once",
        "--data",
        data,
        "--wish-file",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(from_file["candidates"], listed["candidates"]);
    std::fs::write(&file, "from,to\npop-01\n").unwrap();
    let (code, out) = run(&[
        "topology",
        "dig-once",
        "--data",
        data,
        "--wish-file",
        file.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(out.contains("wish.csv:2"), "{out}");
    let (code, out) = run(&[
        "topology",
        "dig-once",
        "--data",
        data,
        "--wish",
        "pop-01:nowhere",
    ]);
    assert_ne!(code, 0);
    assert!(
        out.contains("wish[0].to: unknown site \"nowhere\""),
        "{out}"
    );
}
