//! Tests of the profile files and of what each kind makes of its rows.

use std::collections::HashMap;

use super::interpret::{self, Entity, EntityMap, Ports, Row};
use super::*;
use crate::sample::{OpticDirection, PortCounters};
use crate::snmp::Value;

mod language;

#[test]
fn every_shipped_profile_is_valid_and_listed() {
    let profiles = builtin().expect("valid built-in profiles");
    assert!(profiles.len() >= 12, "{}", profiles.len());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.ends_with(".toml").then_some(n)
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = builtin::FILES.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(
        listed, on_disk,
        "collector/src/profiles/builtin.rs lists every file"
    );
    for kind in [Kind::Lldp, Kind::Optics, Kind::Wifi] {
        assert!(profiles.iter().any(|p| p.kind == kind));
    }
}

#[test]
fn a_bad_profile_names_its_file_and_every_key() {
    let text = r#"
name = "x"
version = 1
kind = "optics"
description = "broken"
sys_object_id = ["1.3.6.1.4.1.x"]
[[table]]
role = "nodes"
entry = "1.3.6.one"
index = ["a:*", "b", "c:0"]
columns = [
  { name = "rx_dbm", column = 5, type = "integer" },
  { name = "rx_power", column = 5, type = "gauge", scale = 0.0 },
]
"#;
    let e = Profile::parse("bad.toml", text).unwrap_err();
    assert_eq!(
        e.problems,
        [
            r#"bad.toml: sys_object_id[0]: "1.3.6.1.4.1.x" is not a dotted OID"#,
            r#"bad.toml: table[0].role: "nodes" is not one of ["sensors"]"#,
            r#"bad.toml: table[0].entry: "1.3.6.one" is not a dotted OID"#,
            "bad.toml: table[0].index[0]: only the last component may be name:*",
            r#"bad.toml: table[0].index[2]: "c:0": expected name, name:N, name:text or name:*"#,
            "bad.toml: table[0].columns[0].unit: a power column names its unit",
            r#"bad.toml: table[0].columns[1].name: "rx_power" is not a role of a Optics profile (["rx_dbm", "tx_dbm", "sensor_type", "sensor_scale", "sensor_precision", "sensor_value", "sensor_status", "port_name", "present"])"#,
            "bad.toml: table[0].columns[1].column: sub-id 5 twice",
            "bad.toml: table[0].columns[1].scale: must be a finite, non-zero number",
        ]
    );
    let e = Profile::parse("typo.toml", "name = 1").unwrap_err();
    assert!(e.problems[0].starts_with("typo.toml: "), "{:?}", e.problems);
}

#[test]
fn sys_object_id_prefixes_match_on_sub_id_boundaries() {
    let p = registry()
        .iter()
        .find(|p| p.name == "optics-juniper-dom")
        .unwrap();
    assert!(p.matches(Some("1.3.6.1.4.1.2636.1.1.1.4.82.5")));
    assert!(p.matches(Some(".1.3.6.1.4.1.2636")));
    assert!(!p.matches(Some("1.3.6.1.4.1.26360.1")));
    assert!(!p.matches(None));
    assert!(registry().iter().any(|p| p.is_probe() && p.name == "lldp"));
}

#[test]
fn power_units_convert_to_dbm() {
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
    // Huawei: 78 uW; Nokia: 5425 tenths of uW; Arista: 0.0001 mW (no light).
    assert!(close(
        PowerUnit::MicroWatt.to_dbm(78.0),
        -11.079_053_973_095_194
    ));
    assert!(close(
        PowerUnit::TenthMicroWatt.to_dbm(5425.0),
        -2.656_002_574_794_3
    ));
    assert!(close(PowerUnit::Watt.to_dbm(1e-7), -40.0));
    assert!(close(PowerUnit::Dbm.to_dbm(-4.8), -4.8));
    assert_eq!(PowerUnit::MilliWatt.to_dbm(0.0), None);
    assert_eq!(PowerUnit::Dbm.to_dbm(f64::NAN), None);
}

fn port(key: &str, if_index: u32) -> PortCounters {
    PortCounters {
        key: key.into(),
        if_index,
        if_name: Some(key.into()),
        ..PortCounters::default()
    }
}

fn table<'a>(p: &'a Profile, role: &str) -> &'a TableDef {
    p.tables.iter().find(|t| t.role == role).unwrap()
}

fn profile(name: &str) -> &'static Profile {
    registry().iter().find(|p| p.name == name).unwrap()
}

fn row(def: &TableDef, index: &[u32], values: &[(&str, Value)]) -> Row {
    Row {
        index: interpret::split_index(def, index).expect("index fits"),
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

fn s(text: &str) -> Value {
    Value::OctetString(text.as_bytes().to_vec())
}

#[test]
fn lldp_resolves_local_ports_and_formats_mac_ids() {
    let p = profile("lldp");
    let (rem, loc) = (table(p, "remote"), table(p, "local_ports"));
    let ports = [port("xe-0/0/0", 513), port("xe-0/0/1", 518)];
    let walked = vec![
        (
            rem,
            vec![
                row(
                    rem,
                    &[0, 7, 1],
                    &[
                        ("remote_chassis_id_subtype", Value::Integer(4)),
                        (
                            "remote_chassis_id",
                            Value::OctetString(vec![0x50, 0xc5, 0x8d, 0x12, 0x34, 0x56]),
                        ),
                        ("remote_port_id_subtype", Value::Integer(7)),
                        ("remote_port_id", s("2150")),
                        ("remote_system_name", s("devicea")),
                    ],
                ),
                // Local port 518 has no lldpLocPortTable row: the number is an ifIndex.
                row(rem, &[0, 518, 2], &[("remote_system_name", s("<private>"))]),
                // Neither a known port nor an ifIndex: kept as reported.
                row(
                    rem,
                    &[0, 99, 3],
                    &[("remote_port_descr", s(&"x".repeat(12_000)))],
                ),
            ],
        ),
        (
            loc,
            vec![row(
                loc,
                &[7],
                &[
                    ("port_id_subtype", Value::Integer(5)),
                    ("port_id", s("XE-0/0/0")),
                ],
            )],
        ),
    ];
    let n = interpret::lldp(&walked, &Ports::new(&ports));
    assert_eq!(n.len(), 3);
    assert_eq!(n[0].local_port, "xe-0/0/0");
    assert_eq!(n[0].remote_chassis_id.as_deref(), Some("50:c5:8d:12:34:56"));
    assert_eq!(n[0].remote_port_id.as_deref(), Some("2150"));
    assert_eq!(n[0].remote_system_name.as_deref(), Some("devicea"));
    assert_eq!(n[1].local_port, "xe-0/0/1");
    assert_eq!(n[1].remote_system_name, None, "<private> is no name");
    assert_eq!(n[2].local_port, "99");
    assert_eq!(n[2].remote_port_descr.as_ref().map(String::len), Some(255));
}

#[test]
fn entity_sensors_keep_precision_convert_watts_and_find_their_port() {
    let p = profile("optics-entity-sensor");
    let t = table(p, "sensors");
    let ports = [port("Ethernet1", 1), port("TwentyFiveGigE1/1/0/45", 48)];
    let entity = |name: Option<&str>, descr: &str, parent: u32| Entity {
        name: name.map(str::to_string),
        descr: Some(descr.to_string()),
        contained_in: parent,
    };
    let entities = EntityMap {
        entities: HashMap::from([
            (10, entity(None, "DOM RX Power Sensor for Ethernet1", 9)),
            (11, entity(None, "DOM TX Power Sensor for Ethernet1", 9)),
            (9, entity(None, "Xcvr for Ethernet1", 1)),
            (
                1902,
                entity(Some("TwentyFiveGigE1/1/0/45"), "SFP+ 10GBASE-LR", 1),
            ),
            (
                1907,
                entity(
                    Some("Twe1/1/0/45 Receive Power Sensor"),
                    "Twe1/1/0/45 Receive Power Sensor",
                    1902,
                ),
            ),
            (
                20,
                entity(Some("PSU 1 Input Power"), "PSU 1 Input Power", 1),
            ),
        ]),
        aliases: HashMap::from([(1902, 48)]),
    };
    let sensor = |e: u32, kind: i64, scale: i64, precision: i64, value: i64| {
        row(
            t,
            &[e],
            &[
                ("sensor_type", Value::Integer(kind)),
                ("sensor_scale", Value::Integer(scale)),
                ("sensor_precision", Value::Integer(precision)),
                ("sensor_value", Value::Integer(value)),
                ("sensor_status", Value::Integer(1)),
            ],
        )
    };
    let walked = vec![(
        t,
        vec![
            // Arista: watts, milli, precision 4: 1 → 0.0001 mW → −40 dBm.
            sensor(10, 6, 8, 4, 1),
            // dBm with 3 decimals.
            sensor(11, 14, 9, 3, -1991),
            // Cisco style: dBm, precision 1, on the port its container is aliased to.
            sensor(1907, 14, 9, 1, -48),
            // A power supply's watts are not optics.
            sensor(20, 6, 9, 0, 120),
        ],
    )];
    let o = interpret::optics(p, &walked, &Ports::new(&ports), &entities);
    let got: Vec<(&str, OpticDirection, f64)> = o
        .iter()
        .map(|r| (r.port.as_str(), r.direction, r.dbm))
        .collect();
    assert_eq!(
        got,
        [
            ("Ethernet1", OpticDirection::Rx, -40.0),
            ("Ethernet1", OpticDirection::Tx, -1.991),
            ("TwentyFiveGigE1/1/0/45", OpticDirection::Rx, -4.8),
        ]
    );
}

#[test]
fn scaled_columns_keep_the_devices_precision() {
    let p = profile("optics-juniper-dom");
    let t = table(p, "sensors");
    let ports = [port("xe-0/0/0", 513)];
    let walked = vec![(
        t,
        vec![
            row(
                t,
                &[513],
                &[
                    ("rx_dbm", Value::Integer(-230)),
                    ("tx_dbm", Value::Integer(-188)),
                    ("present", Value::Integer(5588)),
                ],
            ),
            // An empty cage: every column 0.
            row(
                t,
                &[520],
                &[
                    ("rx_dbm", Value::Integer(0)),
                    ("tx_dbm", Value::Integer(0)),
                    ("present", Value::Integer(0)),
                ],
            ),
        ],
    )];
    let o = interpret::optics(p, &walked, &Ports::new(&ports), &EntityMap::default());
    let got: Vec<(OpticDirection, f64)> = o.iter().map(|r| (r.direction, r.dbm)).collect();
    assert_eq!(
        got,
        [(OpticDirection::Rx, -2.3), (OpticDirection::Tx, -1.88)]
    );
}

#[test]
fn wifi_controllers_prefer_their_own_totals_and_sum_radios_per_ap() {
    let p = profile("wifi-airespace");
    let (aps, radios, ssids, totals) = (
        table(p, "aps"),
        table(p, "radios"),
        table(p, "ssids"),
        table(p, "totals"),
    );
    let mac1 = [20, 22, 157, 36, 236, 128];
    let mac2 = [160, 15, 55, 26, 8, 128];
    let with = |m: &[u32; 6], slot: u32| {
        let mut v = m.to_vec();
        v.push(slot);
        v
    };
    let walked = vec![
        (
            aps,
            vec![
                row(
                    aps,
                    &mac1,
                    &[("ap_name", s("ap1")), ("ap_status", Value::Integer(1))],
                ),
                row(
                    aps,
                    &mac2,
                    &[("ap_name", s("ap2")), ("ap_status", Value::Integer(2))],
                ),
            ],
        ),
        (
            radios,
            vec![
                row(radios, &with(&mac1, 0), &[("clients", Value::Gauge32(3))]),
                row(radios, &with(&mac1, 1), &[("clients", Value::Gauge32(4))]),
            ],
        ),
        (
            ssids,
            vec![
                row(
                    ssids,
                    &[1],
                    &[
                        ("ssid_name", s("public")),
                        ("ssid_clients", Value::Gauge32(6)),
                    ],
                ),
                row(
                    ssids,
                    &[2],
                    &[
                        ("ssid_name", s("staff")),
                        ("ssid_clients", Value::Gauge32(1)),
                    ],
                ),
            ],
        ),
        (
            totals,
            vec![row(totals, &[0], &[("aps_up", Value::Gauge32(5))])],
        ),
    ];
    let w = interpret::wifi(p, &walked, None);
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (2, 5, 7));
    assert_eq!(w.aps[0].name, "ap1");
    assert_eq!(w.aps[0].mac.as_deref(), Some("14:16:9d:24:ec:80"));
    assert_eq!(
        (w.aps[0].status.as_str(), w.aps[0].clients),
        ("up", Some(7))
    );
    assert_eq!((w.aps[1].status.as_str(), w.aps[1].clients), ("down", None));
    assert_eq!(w.ssids.len(), 2);
}

#[test]
fn a_standalone_ap_is_its_one_ap_with_the_sum_of_its_vaps() {
    let p = profile("wifi-unifi");
    let t = table(p, "vaps");
    let vap = |i: u32, ssid: &str, n: u32| {
        row(
            t,
            &[i],
            &[("ssid_name", s(ssid)), ("clients", Value::Gauge32(n))],
        )
    };
    let walked = vec![(
        t,
        vec![
            vap(1, "home", 4),
            vap(2, "guest", 0),
            vap(3, "home", 14),
            vap(4, "guest", 0),
        ],
    )];
    let w = interpret::wifi(p, &walked, Some("nanohd-1"));
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (1, 1, 18));
    assert_eq!(w.aps[0].name, "nanohd-1");
    assert_eq!(w.aps[0].clients, Some(18));
    let home = w.ssids.iter().find(|s| s.name == "home").unwrap();
    assert_eq!(home.clients, 18);
}

#[test]
fn text_status_columns_and_device_totals_of_a_smartzone() {
    let p = profile("wifi-ruckus-sz");
    let (aps, totals) = (table(p, "aps"), table(p, "totals"));
    let walked = vec![
        (
            aps,
            vec![
                row(
                    aps,
                    &[0, 1, 2, 3, 4, 5],
                    &[
                        ("ap_name", s("hall")),
                        ("ap_status", s("Connect")),
                        ("ap_clients", Value::Gauge32(12)),
                    ],
                ),
                row(
                    aps,
                    &[0, 1, 2, 3, 4, 6],
                    &[
                        ("ap_name", s("roof")),
                        ("ap_status", s("Disconnect")),
                        ("ap_clients", Value::Gauge32(0)),
                    ],
                ),
            ],
        ),
        (
            totals,
            vec![row(
                totals,
                &[0],
                &[
                    ("aps_total", Value::Gauge32(2)),
                    ("clients_total", Value::Gauge32(13)),
                ],
            )],
        ),
    ];
    let w = interpret::wifi(p, &walked, None);
    // The device's own client total wins over the sum of its APs (12).
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (2, 1, 13));
    assert_eq!(w.aps[1].status, "down");
}
