//! The demo's simulated backbone end to end: the simulator serves routers and a wifi
//! controller built from the demo cadastre, the real binary polls them through its profiles,
//! and `topology drift` on that poll finds exactly the departures the demo built in (and
//! confirms every other circuit); the controller reports every AP, dead ones with no client.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::util::irisops;

fn ids(v: &Value, key: &str, field: Option<&str>) -> BTreeSet<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| match field {
            Some(f) => x[f].as_str().unwrap().to_string(),
            None => x.as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn demo_backbone_polled_through_profiles_reconciles_with_the_cadastre() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("cad");
    let out = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--out", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let cad = cadastre::demo::generate(1);
    let backbone = simulator::demo::backbone(&cad);
    let circuits = cadastre::network::circuits(&cad);
    let n_aps = backbone.controllers[0].aps.len();
    let n_dead = backbone.controllers[0]
        .aps
        .iter()
        .filter(|a| a.pattern == simulator::ClientPattern::Dead)
        .count();
    let names: Vec<String> = backbone
        .routers
        .iter()
        .map(|r| r.name.clone())
        .chain([simulator::demo::CONTROLLER.to_string()])
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(simulator::start(simulator::SimConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            devices: 1,
            ports: 1,
            seed: 3,
            faults: Default::default(),
            backbone: Some(backbone),
        }))
        .unwrap();
    let addr = sim.local_addr();
    let mut cfg = format!(
        "[store]\npath = {:?}\n",
        tmp.path().join("store").display().to_string()
    );
    for (i, n) in names.iter().enumerate() {
        cfg.push_str(&format!(
            "[auth.a{i}]\nversion = \"2c\"\ncommunity = {n:?}\n[[device]]\nname = {n:?}\naddress = \"{addr}\"\nauth = \"a{i}\"\ntimeout = \"3s\"\nbudget = \"30s\"\n"
        ));
    }
    let cfg_path = tmp.path().join("irisops.toml");
    std::fs::write(&cfg_path, cfg).unwrap();
    // The simulator's client counts change on the wall clock's minute, and the controller's
    // AP and SSID tables are walked one after the other: they agree only in a poll that did
    // not straddle a minute. Polled again (at most twice more) until one did not.
    let minute = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 60
    };
    let mut poll = Value::Null;
    for _ in 0..3 {
        let before = minute();
        poll = crate::util::poll_json(&cfg_path, "1");
        if minute() == before {
            break;
        }
    }
    let file = tmp.path().join("poll.json");
    std::fs::write(&file, serde_json::to_string(&poll).unwrap()).unwrap();
    rt.block_on(sim.shutdown()).unwrap();

    let out = Command::new(irisops())
        .args([
            "topology",
            "drift",
            "--data",
            data.to_str().unwrap(),
            "--observed",
        ])
        .arg(&file)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The departures the demo builds in, by circuit position.
    let pick = |m: usize, k: usize| -> BTreeSet<String> {
        circuits
            .iter()
            .enumerate()
            .filter(|(i, _)| i % m == k)
            .map(|(_, c)| c.id.clone())
            .collect()
    };
    let (dirty, miscabled, silent) = (pick(40, 7), pick(60, 11), pick(80, 23));
    assert!(!dirty.is_empty() && !miscabled.is_empty() && !silent.is_empty());
    assert_eq!(ids(&r, "wrong_port", Some("circuit")), miscabled);
    assert_eq!(ids(&r, "no_live_neighbour", Some("circuit")), silent);
    assert_eq!(
        ids(&r, "confirmed", None).len(),
        circuits.len() - miscabled.len() - silent.len()
    );
    assert_eq!(ids(&r, "loss_excess", Some("circuit")), dirty);
    assert!(
        r["unknown_neighbours"].as_array().unwrap().is_empty(),
        "{}",
        r["unknown_neighbours"]
    );
    assert!(r["not_observed"].as_array().unwrap().is_empty());

    // The controller: every AP, named, with its MAC; dead APs down and without clients.
    let wlc = poll["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == simulator::demo::CONTROLLER)
        .unwrap();
    assert_eq!(wlc["wifi"]["aps_total"], n_aps);
    assert_eq!(wlc["wifi"]["aps_up"], n_aps - n_dead);
    let aps = wlc["aps"].as_array().unwrap();
    assert_eq!(aps.len(), n_aps);
    let down: Vec<&Value> = aps.iter().filter(|a| a["status"] == "down").collect();
    assert_eq!(down.len(), n_dead);
    assert!(down.iter().all(|a| a["clients"] == 0));
    let sum: u64 = aps.iter().filter_map(|a| a["clients"].as_u64()).sum();
    assert_eq!(
        wlc["wifi"]["clients_total"].as_u64(),
        Some(sum),
        "SSID sum = AP sum"
    );
    assert!(aps
        .iter()
        .all(|a| a["name"].as_str().unwrap().starts_with("ap-")));
}
