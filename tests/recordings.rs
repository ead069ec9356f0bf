//! Against snmpsim serving recordings: our own hostile ifXTable-only fixture, the ifTable-only
//! walks of the PyPI package `snmpsim-data`, and, when `IRISOPS_SHARED` points at the shared
//! test data, the ten LibreNMS recordings compared with the values LibreNMS expects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::*;

fn poll_dir(data: &Path, timeout: &str) -> BTreeMap<String, Value> {
    let work = tempfile::tempdir().unwrap();
    let (_sim, port) = start_snmpsim(data, work.path());
    let mut cfg = format!(
        "[store]\npath = {:?}\n",
        work.path().join("store").display().to_string()
    );
    for f in snmprecs(data) {
        let n = f.file_stem().unwrap().to_string_lossy().to_string();
        let a = n.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        cfg.push_str(&format!(
            "[auth.{a}]\nversion = \"2c\"\ncommunity = {n:?}\n[[device]]\nname = {n:?}\naddress = \"127.0.0.1:{port}\"\nauth = \"{a}\"\ntimeout = {timeout:?}\n"
        ));
    }
    let path = work.path().join("irisops.toml");
    std::fs::write(&path, cfg).unwrap();
    devices(&poll_json(&path, "1"))
}

fn snmprecs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "snmprec"))
        .collect();
    v.sort();
    v
}

/// The recorded values of one column: index → raw value text.
fn recorded(file: &Path, column: &str) -> BTreeMap<u64, String> {
    let prefix = format!("{column}.");
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, '|');
            let oid = it.next()?;
            let _ty = it.next()?;
            let val = it.next()?;
            let idx = oid.strip_prefix(&prefix)?.parse().ok()?;
            Some((idx, val.to_string()))
        })
        .collect()
}

#[test]
fn hostile_ifxtable_only_fixture() {
    let data = root().join("tests/fixtures/snmprec");
    let devs = poll_dir(&data, "2s");
    let d = &devs["ifx-only-switch"];
    assert_eq!(d["status"], "ok", "{d}");
    let ports = d["ports"].as_array().unwrap();
    let keys: BTreeSet<&str> = ports.iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 8, "two vlan-730 ports stay two ports: {keys:?}");
    assert!(
        keys.contains("vlan-730#1") && keys.contains("vlan-730#2"),
        "{keys:?}"
    );
    let by_index: BTreeMap<u64, &Value> = ports
        .iter()
        .map(|p| (p["if_index"].as_u64().unwrap(), p))
        .collect();
    // A Counter64 ≥ 2^63 (9-byte encoding, refused by snmp2) is read exactly.
    assert_eq!(
        by_index[&2]["in_octets"].as_u64(),
        Some(9_223_372_036_854_775_813)
    );
    assert_eq!(by_index[&1]["speed_bps"].as_u64(), Some(10_000_000_000));
    assert_eq!(by_index[&1]["counter_bits"], 64);
    // The column that ends early leaves that port's out counter empty, not shifted.
    assert!(by_index[&6]["out_octets"].is_null());
    assert_eq!(by_index[&5]["out_octets"].as_u64(), Some(10_000_003));
    // 12 KB aliases are cut, and the oversized GETBULK was backed off, not fatal.
    assert!(by_index[&1]["alias"].as_str().unwrap().len() <= 255);
    assert_eq!(by_index[&3]["name"], "<private>");
}

#[test]
fn iftable_only_recordings_from_snmpsim_data() {
    let base = std::env::var_os("IRISOPS_SNMPSIM_DATA")
        .map(PathBuf::from)
        .expect("IRISOPS_SNMPSIM_DATA is not set: run tests/run (it installs snmpsim-data)");
    // Copy the recordings into one flat directory: the community is the file name.
    let flat = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for sub in ["data/UPS", "data/network/appliance", "data/iot"] {
        for f in snmprecs(&base.join(sub)) {
            let to = flat.path().join(f.file_name().unwrap());
            std::fs::copy(&f, &to).unwrap();
            files.push(to);
        }
    }
    assert!(files.len() >= 3, "snmpsim-data recordings found: {files:?}");
    let devs = poll_dir(flat.path(), "3s");
    for f in &files {
        let n = f.file_stem().unwrap().to_string_lossy().to_string();
        let d = &devs[&n];
        assert_eq!(d["status"], "ok", "{n}: {d}");
        let descr = recorded(f, "1.3.6.1.2.1.2.2.1.2");
        let octets = recorded(f, "1.3.6.1.2.1.2.2.1.10");
        let ports = d["ports"].as_array().unwrap();
        assert_eq!(ports.len(), descr.len(), "{n}: one port per ifDescr row");
        for p in ports {
            let i = p["if_index"].as_u64().unwrap();
            assert_eq!(
                p["name"].as_str(),
                descr.get(&i).map(String::as_str),
                "{n} #{i}"
            );
            assert_eq!(p["counter_bits"], 32, "{n}: ifTable only");
            if let Some(v) = octets.get(&i) {
                assert_eq!(
                    p["in_octets"].as_u64(),
                    v.parse().ok(),
                    "{n} #{i} ifInOctets"
                );
            }
        }
    }
}

/// The LibreNMS recordings (shared test data, not in the repository): every port's ifName,
/// HC counter and speed as LibreNMS expects them.
#[test]
fn librenms_recordings_match_expected_values() {
    let Some(shared) = std::env::var_os("IRISOPS_SHARED").map(PathBuf::from) else {
        eprintln!("IRISOPS_SHARED not set: the LibreNMS recordings check runs in CI only");
        return;
    };
    let lib = shared.join("testdata/librenms");
    let devs = poll_dir(&lib.join("snmprec"), "10s");
    let mut checked = 0;
    for f in snmprecs(&lib.join("snmprec")) {
        let n = f.file_stem().unwrap().to_string_lossy().to_string();
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(lib.join(format!("json/{n}.json"))).unwrap(),
        )
        .unwrap();
        let Some(ports) = exp.get("ports") else {
            continue;
        };
        let rows = ports["poller"]["ports"]
            .as_array()
            .or_else(|| ports["discovery"]["ports"].as_array())
            .cloned()
            .unwrap_or_default();
        let names = recorded(&f, "1.3.6.1.2.1.31.1.1.1.1");
        let descrs = recorded(&f, "1.3.6.1.2.1.2.2.1.2");
        let d = &devs[&n];
        assert_eq!(d["status"], "ok", "{n}: {d}");
        let got: BTreeMap<u64, &Value> = d["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["if_index"].as_u64().unwrap(), p))
            .collect();
        for r in rows {
            let i = r["ifIndex"].as_u64().unwrap();
            if !names.contains_key(&i) && !descrs.contains_key(&i) {
                continue; // LibreNMS adds ports from vendor MIBs
            }
            let p = got
                .get(&i)
                .unwrap_or_else(|| panic!("{n}: no port ifIndex {i}"));
            if let Some(v) = r["ifInOctets"].as_u64().filter(|&v| v != 0) {
                assert_eq!(p["in_octets"].as_u64(), Some(v), "{n} #{i} in_octets");
            }
            if let Some(v) = r["ifSpeed"].as_u64().filter(|&v| v != 0) {
                assert_eq!(p["speed_bps"].as_u64(), Some(v), "{n} #{i} speed");
            }
            if let Some(name) = r["ifName"].as_str().filter(|s| !s.is_empty()) {
                assert_eq!(p["name"].as_str(), Some(name), "{n} #{i} name");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} ports checked");
}
