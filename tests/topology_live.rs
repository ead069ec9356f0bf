//! `irisops topology drift` and `topology spare --config` through the real binary on the demo
//! network, with what the devices "report" built from the exported allocations: a fixture file
//! shaped like `irisops poll --format json`, and the same observations written into a real
//! store through the collector's library (both paths must give the same report).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use collector::sample::{
    DevicePoll, LldpNeighbour, OpticDirection, OpticReading, PortCounters, PortRates,
};
use collector::store::{Retention, Store};

use crate::util::{config, irisops, run_json};

/// One lit circuit of the export: id, cable, (device, port) at each end.
struct Circuit {
    id: String,
    cable: String,
    a: (String, String),
    b: (String, String),
}

fn end(v: &Value) -> (String, String) {
    (
        v["device"].as_str().unwrap().to_string(),
        v["port"].as_str().unwrap().to_string(),
    )
}

fn features(exp: &Path, layer: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(exp.join(format!("{layer}.geojson"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

fn circuits(exp: &Path) -> Vec<Circuit> {
    features(exp, "allocations")
        .iter()
        .map(|f| &f["properties"])
        .filter(|p| p["a_end"].is_object() && p["b_end"].is_object())
        .map(|p| Circuit {
            id: p["id"].as_str().unwrap().to_string(),
            cable: p["cable"].as_str().unwrap().to_string(),
            a: end(&p["a_end"]),
            b: end(&p["b_end"]),
        })
        .collect()
}

/// The demo cadastre in `dir/data`, exported to `dir/exp`.
fn demo(dir: &Path) -> (String, std::path::PathBuf) {
    let data = dir.join("data");
    let exp = dir.join("exp");
    for args in [
        vec!["cadastre", "generate-demo", "--out", data.to_str().unwrap()],
        vec![
            "cadastre",
            "export",
            "--data",
            data.to_str().unwrap(),
            "--to",
            "geojson",
            "--out",
            exp.to_str().unwrap(),
        ],
    ] {
        let out = Command::new(irisops()).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    (data.to_str().unwrap().to_string(), exp)
}

/// Per device: LLDP entries and optical levels. Every circuit is seen both ways with 1 dB of
/// loss, except: circuit 0 loses 40 dB from a to b (a dirty connector), circuit 1's far end
/// is live on port `xe-0/0/99`, circuit 2 has no LLDP entry at all; and pop devices 0 and 1 of
/// circuit 3 have an undocumented cable `xe-9/9/9` between them.
type Reports = BTreeMap<String, (Vec<LldpNeighbour>, Vec<OpticReading>)>;

fn reports(cs: &[Circuit]) -> Reports {
    let mut out: Reports = BTreeMap::new();
    let lldp = |local: &str, remote: &str, port: &str| LldpNeighbour {
        local_port: local.into(),
        remote_chassis_id: Some(format!("chassis-{remote}")),
        remote_system_name: Some(remote.into()),
        remote_port_id: Some(port.into()),
        remote_port_descr: None,
    };
    let level =
        |port: &str, direction, dbm| OpticReading::current(port.into(), None, direction, dbm);
    for (i, c) in cs.iter().enumerate() {
        let (a, b) = (&c.a, &c.b);
        if i != 2 {
            let far_port = if i == 1 { "xe-0/0/99" } else { b.1.as_str() };
            out.entry(a.0.clone())
                .or_default()
                .0
                .push(lldp(&a.1, &b.0, far_port));
            if i != 1 {
                out.entry(b.0.clone())
                    .or_default()
                    .0
                    .push(lldp(&b.1, &a.0, &a.1));
            }
        }
        let a_to_b = if i == 0 { 40.0 } else { 1.0 };
        let ea = out.entry(a.0.clone()).or_default();
        ea.1.push(level(&a.1, OpticDirection::Tx, -1.5));
        ea.1.push(level(&a.1, OpticDirection::Rx, -2.5));
        let eb = out.entry(b.0.clone()).or_default();
        eb.1.push(level(&b.1, OpticDirection::Tx, -1.5));
        eb.1.push(level(&b.1, OpticDirection::Rx, -1.5 - a_to_b));
    }
    let (x, y) = (&cs[3].a.0, &cs[3].b.0);
    out.entry(x.clone())
        .or_default()
        .0
        .push(lldp("xe-9/9/9", y, "xe-9/9/9"));
    out.entry(y.clone())
        .or_default()
        .0
        .push(lldp("xe-9/9/9", x, "xe-9/9/9"));
    out
}

fn ids(v: &Value, key: &str, field: Option<&str>) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            match field {
                Some(f) => &x[f],
                None => x,
            }
            .as_str()
            .unwrap()
            .to_string()
        })
        .collect()
}

/// A config file in `dir` whose store is `store` (one placeholder device: the commands read
/// the store, they poll nothing).
fn config_for(dir: &Path, store: &Path) -> std::path::PathBuf {
    let file = dir.join("irisops.toml");
    let text = config(store, &[("r1", 161, "version = \"2c\"\ncommunity = \"x\"")]);
    std::fs::write(&file, text).unwrap();
    file
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn drift_on_the_demo_network_from_a_fixture_and_from_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, exp) = demo(tmp.path());
    let cs = circuits(&exp);
    assert!(cs.len() > 50, "the demo has lit circuits: {}", cs.len());
    let obs = reports(&cs);

    // The fixture: `irisops poll --format json`'s shape.
    let fixture = json!({
        "devices": obs.iter().map(|(d, (l, o))| json!({"name": d, "status": "ok", "ports": [], "lldp": l, "optics": o})).collect::<Vec<_>>()
    });
    let file = tmp.path().join("observed.json");
    std::fs::write(&file, serde_json::to_string(&fixture).unwrap()).unwrap();
    let r = run_json(&[
        "topology",
        "drift",
        "--data",
        &data,
        "--observed",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r["n_circuits"], cs.len());
    let confirmed = ids(&r, "confirmed", None);
    assert_eq!(confirmed.len(), cs.len() - 2, "{}", r["wrong_port"]);
    assert!(!confirmed.contains(&cs[1].id) && !confirmed.contains(&cs[2].id));
    let wrong = &r["wrong_port"];
    assert_eq!(wrong.as_array().unwrap().len(), 1, "{wrong}");
    assert_eq!(wrong[0]["circuit"], cs[1].id.as_str());
    assert_eq!(wrong[0]["kind"], "far_port");
    assert_eq!(wrong[0]["documented"]["port"], cs[1].b.1.as_str());
    assert_eq!(wrong[0]["live"]["port"], "xe-0/0/99");
    assert_eq!(
        ids(&r, "no_live_neighbour", Some("circuit")),
        [cs[2].id.clone()]
    );
    let unknown = r["unknown_neighbours"].as_array().unwrap();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0]["local"]["port"], "xe-9/9/9");
    assert_eq!(unknown[0]["seen_both_ways"], true);
    // Both directions of every circuit are checked; only circuit 0's a → b loses too much.
    assert_eq!(r["loss_checked"], 2 * cs.len());
    let excess = r["loss_excess"].as_array().unwrap();
    assert_eq!(excess.len(), 1, "{excess:?}");
    assert_eq!(excess[0]["circuit"], cs[0].id.as_str());
    assert_eq!(excess[0]["from"]["device"], cs[0].a.0.as_str());
    assert_eq!(excess[0]["measured_db"], 40.0);

    // The same observations written into a store: the same report.
    let store_dir = tmp.path().join("store");
    let mut store = Store::open(&store_dir, Retention::default()).unwrap();
    let t = now_ms();
    for (d, (lldp, optics)) in &obs {
        let poll = DevicePoll {
            device: d.clone(),
            time_ms: t,
            lldp: Some(lldp.clone()),
            optics: optics.clone(),
            ..DevicePoll::default()
        };
        store.write(&[(poll, vec![])]).unwrap();
    }
    drop(store);
    let cfg = config_for(tmp.path(), &store_dir);
    let from_store = run_json(&[
        "topology",
        "drift",
        "--data",
        &data,
        "--config",
        cfg.to_str().unwrap(),
        "--json",
    ]);
    for key in [
        "confirmed",
        "wrong_port",
        "no_live_neighbour",
        "not_observed",
        "unknown_neighbours",
        "loss_excess",
        "loss_checked",
    ] {
        assert_eq!(from_store[key], r[key], "{key}");
    }

    // A store path that does not exist is an error naming it, not an empty report.
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        config(
            &tmp.path().join("nowhere"),
            &[("r1", 161, "version = \"2c\"\ncommunity = \"x\"")],
        ),
    )
    .unwrap();
    let out = Command::new(irisops())
        .args([
            "topology",
            "drift",
            "--data",
            &data,
            "--config",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
}

#[test]
fn spare_takes_lit_headroom_from_the_stores_p95() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, exp) = demo(tmp.path());
    let cs = circuits(&exp);
    let c = &cs[0];
    let cable_routes: Vec<String> = features(&exp, "cables")
        .iter()
        .map(|f| &f["properties"])
        .find(|p| p["id"] == c.cable.as_str())
        .unwrap()["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    // Two hours of 1-minute polls of circuit 0's a-end port: 10 Gbit/s, 2 Gbit/s in (with a
    // 9 Gbit/s burst of 3 minutes, under 5 % of the 5-minute buckets), 1 Gbit/s out.
    let store_dir = tmp.path().join("store");
    let mut store = Store::open(&store_dir, Retention::default()).unwrap();
    let start = (now_ms() - 3 * 3_600_000) / 300_000 * 300_000;
    for i in 0..120i64 {
        let t = start + i * 60_000;
        let port = PortCounters {
            key: c.a.1.clone(),
            if_index: 1,
            if_name: Some(c.a.1.clone()),
            speed_bps: Some(10_000_000_000),
            counter_bits: 64,
            ..PortCounters::default()
        };
        let in_bps = if (60..63).contains(&i) { 9e9 } else { 2e9 };
        let rates = PortRates {
            key: c.a.1.clone(),
            time_ms: t,
            interval_ms: 60_000,
            in_bps: Some(in_bps),
            out_bps: Some(1e9),
            ..PortRates::default()
        };
        let poll = DevicePoll {
            device: c.a.0.clone(),
            time_ms: t,
            ports: vec![port],
            ..DevicePoll::default()
        };
        store.write(&[(poll, vec![rates])]).unwrap();
    }
    drop(store);
    let cfg = config_for(tmp.path(), &store_dir);
    let r = run_json(&[
        "topology",
        "spare",
        "--data",
        &data,
        "--by",
        "route",
        "--format",
        "json",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let lit: BTreeMap<String, f64> = r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| {
            Some((
                l["id"].as_str()?.to_string(),
                l["lit_headroom_bps"].as_f64()?,
            ))
        })
        .collect();
    let want: BTreeMap<String, f64> = cable_routes.iter().map(|r| (r.clone(), 8e9)).collect();
    assert_eq!(lit, want);
    assert_eq!(r["total"]["lit_routes"], cable_routes.len());
    // Without a store, no route has lit headroom.
    let r = run_json(&[
        "topology", "spare", "--data", &data, "--by", "route", "--format", "json",
    ]);
    assert!(r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["lit_headroom_bps"].is_null()));
}
