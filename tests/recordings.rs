//! Against snmpsim serving recordings: our own hostile ifXTable-only fixture, the ifTable-only
//! walks of the PyPI package `snmpsim-data`, and, when `IRISOPS_SHARED` points at the shared
//! test data, the 65 LibreNMS recordings (`testdata/librenms` and `testdata/librenms-metro`)
//! compared with the values LibreNMS expects (without it, that test is reported as skipped:
//! `util::skip`).

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

/// The project's own hostile profile fixture: `<private>` values, 12 KB strings, an LLDP local
/// port table and a radio table that end early, sensors found through ENTITY-MIB aliases.
#[test]
fn hostile_profile_rows_fixture() {
    let data = root().join("tests/fixtures/snmprec");
    let devs = poll_dir(&data, "2s");
    let d = &devs["hostile-profiles"];
    assert_eq!(d["status"], "ok", "{d}");
    let lldp = d["lldp"].as_array().unwrap();
    let got: Vec<(&str, Option<&str>)> = lldp
        .iter()
        .map(|l| {
            (
                l["local_port"].as_str().unwrap(),
                l["remote_system_name"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Gi0/1", Some("core-01")),
            ("Gi0/2", None),
            ("Gi0/3", Some("edge-03"))
        ]
    );
    assert_eq!(lldp[0]["remote_chassis_id"], "00:11:22:33:44:55");
    assert_eq!(lldp[0]["remote_port_id"], "xe-0/0/7");
    assert!(lldp[2]["remote_port_descr"].as_str().unwrap().len() <= 255);
    let optics: Vec<(&str, &str, f64)> = d["optics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["port"].as_str().unwrap(),
                o["direction"].as_str().unwrap(),
                o["dbm"].as_f64().unwrap(),
            )
        })
        .collect();
    // −48 at precision 1 is −4.8 dBm; 501 µW-thousandths of a watt is 0.501 mW = −3.002 dBm.
    assert_eq!(optics, [("Gi0/2", "rx", -4.8), ("Gi0/2", "tx", -3.002)]);
    assert_eq!(d["wifi"]["aps_total"], 3);
    assert_eq!(d["wifi"]["aps_up"], 2);
    assert_eq!(d["wifi"]["clients_total"], 7);
    let aps = d["aps"].as_array().unwrap();
    assert_eq!(aps[0]["name"], "lobby");
    assert_eq!(aps[0]["mac"], "00:11:22:33:44:01");
    assert_eq!(aps[0]["clients"], 7);
    assert!(aps[1]["clients"].is_null(), "no radio rows: unknown, not 0");
    assert!(aps[2]["name"].as_str().unwrap().len() <= 255);
    assert_eq!(aps[2]["status"], "down");
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

/// What share of LibreNMS's values each kind must match, in percent: the targets
/// (ports 99, the others 95), or, for a kind still below its target, today's level as a floor
/// that must not regress (raise it as profiles land).
const SHARES: [(&str, f64); 5] = [
    ("ports", 99.0),
    ("lldp", 95.0),
    ("aps", 95.0),
    // Floor, 18 of 19: OpenWrt's expected total double-counts (LibreNMS's per-interface
    // sensors plus its "wlan" sensor, which is their sum: 2 + 1 + 3); we report 3.
    ("clients", 94.7),
    // 810 of 843 (96.1%) with the bin statistics (stat) and the no-light floors of present
    // optics (no_light): the 33 misses are values judged wrong on LibreNMS's side
    // (placeholders of empty facilities, "no reading" sentinels, gains, losses and return
    // loss in dB; listed in BENCHMARKS.md).
    ("dbm", 95.0),
];

/// Right and checked values per kind, with every difference.
#[derive(Default)]
struct Tally {
    kinds: BTreeMap<&'static str, (usize, usize)>,
    differences: Vec<String>,
}

impl Tally {
    fn check(&mut self, kind: &'static str, device: &str, right: bool, what: String) {
        let k = self.kinds.entry(kind).or_default();
        k.1 += 1;
        if right {
            k.0 += 1;
        } else {
            self.differences.push(format!("{device}: {kind}: {what}"));
        }
    }

    fn share(&self, kind: &str) -> (usize, usize, f64) {
        let (ok, n) = self.kinds.get(kind).copied().unwrap_or_default();
        (ok, n, 100.0 * ok as f64 / n.max(1) as f64)
    }
}

/// The LibreNMS recordings (shared test data, not in the repository: both sets,
/// `testdata/librenms` and `testdata/librenms-metro`): ports, LLDP neighbours, dBm sensors and
/// wifi counts against what LibreNMS expects, each kind at its share of [`SHARES`].
#[test]
fn librenms_recordings_match_expected_values() {
    let Some(shared) = std::env::var_os("IRISOPS_SHARED").map(PathBuf::from) else {
        skip("IRISOPS_SHARED is not set (the LibreNMS recordings are shared test data, not in the repository; tests/run sets it when ../shared/testdata exists)");
        return;
    };
    let mut tally = Tally::default();
    for set in ["librenms", "librenms-metro"] {
        let lib = shared.join("testdata").join(set);
        let devs = poll_dir(&lib.join("snmprec"), "10s");
        for f in snmprecs(&lib.join("snmprec")) {
            let n = f.file_stem().unwrap().to_string_lossy().to_string();
            let exp: Value = serde_json::from_str(
                &std::fs::read_to_string(lib.join(format!("json/{n}.json"))).unwrap(),
            )
            .unwrap();
            let d = &devs[&n];
            assert_eq!(d["status"], "ok", "{n}: {d}");
            ports_match_expected_values(&f, &n, &exp, d, &mut tally);
            profiles_match_expected_values(&n, &exp, d, &mut tally);
        }
    }
    let mut short = Vec::new();
    for (kind, need) in SHARES {
        let (ok, n, pct) = tally.share(kind);
        eprintln!("{kind:8} {ok:5}/{n:<5} {pct:5.1}% (need {need}%)");
        if pct < need {
            short.push(format!("{kind} {pct:.1}% < {need}%"));
        }
    }
    assert!(
        tally.share("ports").1 > 1000,
        "ports checked: {:?}",
        tally.kinds
    );
    assert!(
        short.is_empty(),
        "short: {}; differences:\n{}",
        short.join(", "),
        tally.differences.join("\n")
    );
}

/// Every port's ifName, HC counter and speed as LibreNMS expects them (ports LibreNMS adds
/// from vendor MIBs, absent from the recording's IF-MIB, are left out).
fn ports_match_expected_values(f: &Path, n: &str, exp: &Value, d: &Value, tally: &mut Tally) {
    let Some(ports) = exp.get("ports") else {
        return;
    };
    let rows = ports["poller"]["ports"]
        .as_array()
        .or_else(|| ports["discovery"]["ports"].as_array())
        .cloned()
        .unwrap_or_default();
    let names = recorded(f, "1.3.6.1.2.1.31.1.1.1.1");
    let descrs = recorded(f, "1.3.6.1.2.1.2.2.1.2");
    let got: BTreeMap<u64, &Value> = d["ports"]
        .as_array()
        .map(|a| a.iter())
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["if_index"].as_u64()?, p)))
        .collect();
    for r in rows {
        let Some(i) = r["ifIndex"].as_u64() else {
            continue;
        };
        if !names.contains_key(&i) && !descrs.contains_key(&i) {
            continue; // LibreNMS adds ports from vendor MIBs
        }
        let Some(p) = got.get(&i) else {
            tally.check("ports", n, false, format!("no port ifIndex {i}"));
            continue;
        };
        let mut wrong = Vec::new();
        if let Some(v) = r["ifInOctets"].as_u64().filter(|&v| v != 0) {
            if p["in_octets"].as_u64() != Some(v) {
                wrong.push(format!("in_octets {} != {v}", p["in_octets"]));
            }
        }
        if let Some(v) = r["ifSpeed"].as_u64().filter(|&v| v != 0) {
            if p["speed_bps"].as_u64() != Some(v) {
                wrong.push(format!("speed {} != {v}", p["speed_bps"]));
            }
        }
        // LibreNMS rewrites some OSes' names (ZyNOS "swp00" → "1/01"): the name is checked
        // where LibreNMS shows the recorded ifName.
        let raw = names.get(&i).map(String::as_str);
        if let Some(name) = r["ifName"]
            .as_str()
            .filter(|&s| !s.is_empty() && Some(s) == raw)
        {
            if p["name"].as_str() != Some(name) {
                wrong.push(format!("name {} != {name}", p["name"]));
            }
        }
        tally.check(
            "ports",
            n,
            wrong.is_empty(),
            format!("#{i} {}", wrong.join(", ")),
        );
    }
}

/// LLDP neighbours, dBm sensors and wifi counts against what LibreNMS expects (its
/// `discovery-protocols`, `sensors` and `wireless` sections): every LLDP link LibreNMS found
/// is among ours (by remote system name), every dBm value is among our optical levels (within
/// 0.05 dB), and our wifi totals equal LibreNMS's total sensor (else its SSID sum, else its
/// clients sum) and its AP count. RouterOS is left out of the clients total: LibreNMS mixes
/// per-radio and per-SSID sensors there, with no single total to expect.
fn profiles_match_expected_values(n: &str, exp: &Value, d: &Value, tally: &mut Tally) {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    // LLDP.
    let ours: BTreeSet<String> = list(&d["lldp"])
        .iter()
        .filter_map(|l| l["remote_system_name"].as_str().map(str::to_string))
        .collect();
    for l in list(&exp["discovery-protocols"]["discovery"]["links"]) {
        if l["protocol"] != "lldp" {
            continue;
        }
        if let Some(h) = l["remote_hostname"].as_str().filter(|h| !h.is_empty()) {
            tally.check(
                "lldp",
                n,
                ours.contains(h),
                format!("neighbour {h} missing"),
            );
        }
    }
    // dBm.
    let levels: Vec<f64> = list(&d["optics"])
        .iter()
        .filter_map(|o| o["dbm"].as_f64())
        .collect();
    for s in list(&exp["sensors"]["discovery"]["sensors"]) {
        if s["sensor_class"] != "dbm" {
            continue;
        }
        let Some(v) = s["sensor_current"].as_f64() else {
            continue;
        };
        let descr = s["sensor_descr"].as_str().unwrap_or_default();
        tally.check(
            "dbm",
            n,
            levels.iter().any(|m| (m - v).abs() <= 0.05),
            format!("{v} ({descr}) not among {} levels", levels.len()),
        );
    }
    // Wifi.
    let w = &exp["wireless"];
    let section = if w["poller"].is_object() {
        &w["poller"]
    } else {
        &w["discovery"]
    };
    let sensors = list(&section["wireless_sensors"]);
    let of = |class: &str| -> Vec<&Value> {
        sensors
            .iter()
            .filter(|s| s["sensor_class"] == class)
            .collect()
    };
    let current = |s: &&Value| s["sensor_current"].as_f64().unwrap_or(0.0);
    let clients = of("clients");
    if !clients.is_empty() && n != "routeros" {
        let descr = |s: &&Value| s["sensor_descr"].as_str().unwrap_or("").to_lowercase();
        let totals: Vec<&Value> = clients
            .iter()
            .copied()
            .filter(|s| descr(s).contains("total") || descr(s).contains("client count"))
            .collect();
        let ssids: Vec<&Value> = clients
            .iter()
            .copied()
            .filter(|s| descr(s).starts_with("ssid"))
            .collect();
        let want = if !totals.is_empty() {
            totals.iter().map(current).fold(0.0, f64::max)
        } else if !ssids.is_empty() {
            ssids.iter().map(current).sum()
        } else {
            clients.iter().map(current).sum()
        };
        let got = d["wifi"]["clients_total"].as_f64();
        tally.check(
            "clients",
            n,
            got == Some(want),
            format!("clients_total {got:?}, LibreNMS {want}"),
        );
    }
    for s in of("ap-count") {
        let want = current(&s);
        let got = (
            d["wifi"]["aps_total"].as_f64(),
            d["wifi"]["aps_up"].as_f64(),
        );
        tally.check(
            "aps",
            n,
            got.0 == Some(want) || got.1 == Some(want),
            format!("{got:?}, LibreNMS {want}"),
        );
    }
}
