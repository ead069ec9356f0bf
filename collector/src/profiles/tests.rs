//! Tests of the profile files and of what each kind makes of its rows.

use std::collections::HashMap;

use super::interpret::{self, Entity, EntityMap, Ports, Row};
use super::*;
use crate::sample::{OpticDirection, PortCounters};
use crate::snmp::Value;

mod language;
mod statistics;

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
            r#"bad.toml: table[0].columns[1].name: "rx_power" is not a role of a Optics profile (["rx_dbm", "tx_dbm", "sensor_type", "sensor_scale", "sensor_precision", "sensor_value", "sensor_status", "port_name", "present", "dbm", "direction", "stat"])"#,
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

/// A row as the engine builds it: values by role, and by sub-id (the first column of that
/// role whose `index_is` fits).
fn row(def: &TableDef, index: &[u32], values: &[(&str, Value)]) -> Row {
    let index = interpret::split_index(def, index).expect("index fits");
    let by_column = values
        .iter()
        .filter_map(|(k, v)| {
            let c = def
                .columns
                .iter()
                .find(|c| c.name == *k && interpret::index_fits(c, &index))?;
            Some((c.column, v.clone()))
        })
        .collect();
    Row {
        index,
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        by_column,
    }
}

/// A row given by column sub-ids (several columns of one role).
fn row_by_column(def: &TableDef, index: &[u32], values: &[(u32, Value)]) -> Row {
    Row {
        index: interpret::split_index(def, index).expect("index fits"),
        values: HashMap::new(),
        by_column: values.iter().cloned().collect(),
    }
}

/// (port, lane, direction, dBm) of a profile's readings.
fn readings(
    p: &Profile,
    rows: Vec<Row>,
    ports: &[PortCounters],
) -> Vec<(String, Option<u32>, OpticDirection, f64)> {
    let walked = vec![(table(p, "sensors"), rows)];
    interpret::optics(p, &walked, &Ports::new(ports), &EntityMap::default())
        .into_iter()
        .map(|r| (r.port, r.lane, r.direction, r.dbm))
        .collect()
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

#[test]
fn one_row_per_measurement_reads_by_index_and_skips_absent_values() {
    let p = Profile::parse(
        "pivot.toml",
        r#"
name = "pivot"
version = 1
kind = "optics"
description = "one row per port and test"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.89.90.1.2.1"
index = ["if_index", "test"]
columns = [
  { name = "tx_dbm", column = 3, type = "integer", scale = 0.001, unit = "dBm", index_is = { test = 8 }, absent = [0] },
  { name = "rx_dbm", column = 3, type = "integer", scale = 0.001, unit = "dBm", index_is = { test = 9 }, absent = [0] },
]
"#,
    )
    .unwrap();
    let t = table(&p, "sensors");
    let v = |x: i64| Row {
        by_column: HashMap::from([(3, Value::Integer(x))]),
        ..Row::default()
    };
    let at = |index: &[u32], x: i64| Row {
        index: interpret::split_index(t, index).unwrap(),
        ..v(x)
    };
    let rows = vec![
        at(&[10, 5], 54), // temperature: no column reads test 5
        at(&[10, 8], -3939),
        at(&[10, 9], -5501),
        at(&[11, 8], 0), // an empty cage
        at(&[11, 9], 0),
    ];
    let ports = [port("te1/0/10", 10), port("te1/0/11", 11)];
    assert_eq!(
        readings(&p, rows, &ports),
        [
            ("te1/0/10".to_string(), None, OpticDirection::Tx, -3.939),
            ("te1/0/10".to_string(), None, OpticDirection::Rx, -5.501),
        ]
    );
}

#[test]
fn a_column_per_lane_text_numbers_and_split_channels() {
    let dell = profile("optics-dell-networking");
    let t = table(dell, "sensors");
    let ports = [port("fortyGigE 1/1/1", 2097157), port("Te 1/1", 2097156)];
    let rows = vec![
        row_by_column(
            t,
            &[2097157],
            &[
                (8, s("1.485101")),
                (9, s("1.485101")),
                (12, s("0.313681")),
                (15, s("0.601310")),
            ],
        ),
        // An empty cage: empty texts.
        row_by_column(t, &[2097156], &[(8, s("")), (12, s(""))]),
    ];
    let got = readings(dell, rows, &ports);
    let forty = |lane, d, dbm| ("fortyGigE 1/1/1".to_string(), Some(lane), d, dbm);
    assert_eq!(
        got,
        [
            forty(1, OpticDirection::Tx, 1.485101),
            forty(2, OpticDirection::Tx, 1.485101),
            forty(1, OpticDirection::Rx, 0.313681),
            forty(4, OpticDirection::Rx, 0.60131),
        ]
    );

    let fs = profile("optics-fs-centec");
    let rx = fs
        .tables
        .iter()
        .find(|t| t.columns[0].name == "rx_dbm")
        .unwrap();
    let walked = vec![(
        rx,
        vec![
            row(rx, &[50], &[("rx_dbm", s("-0.43 ,0.01  ,0.30  ,0.19"))]),
            row(rx, &[1], &[("rx_dbm", s("-7.20"))]),
        ],
    )];
    let ports = [port("eth-0-50", 50), port("eth-0-1", 1)];
    let got: Vec<_> = interpret::optics(fs, &walked, &Ports::new(&ports), &EntityMap::default())
        .into_iter()
        .map(|r| (r.port, r.lane, r.dbm))
        .collect();
    let p50 = |lane, dbm| ("eth-0-50".to_string(), Some(lane), dbm);
    assert_eq!(
        got,
        [
            p50(1, -0.43),
            p50(2, 0.01),
            p50(3, 0.3),
            p50(4, 0.19),
            ("eth-0-1".to_string(), None, -7.2),
        ]
    );

    // Text with its unit and state after the number.
    let edgecore = profile("optics-edgecore");
    let t = table(edgecore, "sensors");
    let rows = vec![row(
        t,
        &[3],
        &[("rx_dbm", s("-4.80 dBm normal")), ("tx_dbm", s("N/A"))],
    )];
    assert_eq!(
        readings(edgecore, rows, &[port("Port3", 3)]),
        [("Port3".to_string(), None, OpticDirection::Rx, -4.8)]
    );
}

#[test]
fn negative_values_in_their_own_unit_and_ports_numbered_by_the_index() {
    let huawei = profile("optics-huawei");
    let t = table(huawei, "sensors");
    let entities = EntityMap {
        entities: HashMap::from([270, 271].map(|e| {
            let name = format!("GigabitEthernet0/0/{}", e - 266);
            (
                e,
                Entity {
                    name: Some(name),
                    descr: None,
                    contained_in: 0,
                },
            )
        })),
        aliases: HashMap::new(),
    };
    let walked = vec![(
        t,
        vec![
            // An AR router: hundredths of dBm below zero.
            row(
                t,
                &[270],
                &[
                    ("rx_dbm", Value::Integer(-849)),
                    ("tx_dbm", Value::Integer(-575)),
                ],
            ),
            // A switch: microwatts; -1 is an empty cage.
            row(
                t,
                &[271],
                &[
                    ("rx_dbm", Value::Integer(78)),
                    ("tx_dbm", Value::Integer(-1)),
                ],
            ),
        ],
    )];
    let ports = [port("GigabitEthernet0/0/4", 4)];
    let got: Vec<_> = interpret::optics(huawei, &walked, &Ports::new(&ports), &entities)
        .into_iter()
        .map(|r| (r.port, r.direction, r.dbm))
        .collect();
    assert_eq!(
        got,
        [
            (
                "GigabitEthernet0/0/4".to_string(),
                OpticDirection::Rx,
                -8.49
            ),
            (
                "GigabitEthernet0/0/4".to_string(),
                OpticDirection::Tx,
                -5.75
            ),
            (
                "GigabitEthernet0/0/5".to_string(),
                OpticDirection::Rx,
                -11.079
            ),
        ]
    );

    // Hirschmann numbers its SFPs by module/port: our "1/1/1" (unit 1 in front).
    let hm = profile("optics-hirschmann");
    let t = table(hm, "sensors");
    let rows = vec![
        row(t, &[1, 1], &[("rx_dbm", s("-5.9"))]),
        row(t, &[3, 2], &[("rx_dbm", s("-5.6"))]),
    ];
    let ports = [port("1/1/1", 1), port("1/2/1", 5)];
    let got: Vec<_> = readings(hm, rows, &ports)
        .into_iter()
        .map(|(p, _, _, dbm)| (p, dbm))
        .collect();
    assert_eq!(
        got,
        [("1/1/1".to_string(), -5.9), ("3/2".to_string(), -5.6)]
    );

    // OcNOS: unit/port and a channel per row; a single channel is a single-lane optic.
    let oc = profile("optics-ocnos");
    let t = table(oc, "sensors");
    let rows = vec![
        row(t, &[1, 10, 1], &[("rx_dbm", Value::Integer(-19172))]),
        row(t, &[1, 10, 2], &[("rx_dbm", Value::Integer(-19626))]),
        row(t, &[1, 3, 1], &[("rx_dbm", Value::Integer(-2219))]),
        row(t, &[1, 4, 1], &[("rx_dbm", Value::Integer(-100002))]),
    ];
    assert_eq!(
        readings(oc, rows, &[]),
        [
            ("1/10".to_string(), Some(1), OpticDirection::Rx, -19.172),
            ("1/10".to_string(), Some(2), OpticDirection::Rx, -19.626),
            ("1/3".to_string(), None, OpticDirection::Rx, -2.219),
        ]
    );
}

#[test]
fn bad_optics_options_name_their_keys() {
    let text = r#"
name = "x"
version = 1
kind = "optics"
description = "bad options"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.1.1"
index = ["if_index", "rest:*"]
columns = [
  { name = "rx_dbm", column = 3, type = "integer", unit = "dBm", index_is = { rest = 1 }, lane = 0 },
  { name = "port_name", column = 4, type = "string", split = ",", absent = [0] },
  { name = "tx_dbm", column = 5, type = "string", unit = "dBm", split = "", negative = { unit = "uW", scale = 0.0 } },
  { name = "tx_dbm", column = 6, type = "integer", unit = "dBm", index_is = { kind = 4 } },
]
"#;
    let e = Profile::parse("opts.toml", text).unwrap_err();
    assert_eq!(
        e.problems,
        [
            r#"opts.toml: table[0].columns[0].index_is: "rest" is not a one-sub-id component of the index"#,
            "opts.toml: table[0].columns[0].lane: lanes count from 1",
            "opts.toml: table[0].columns[1].absent: only for power columns (rx_dbm, tx_dbm, dbm)",
            "opts.toml: table[0].columns[1].split: only for power columns (rx_dbm, tx_dbm, dbm)",
            "opts.toml: table[0].columns[2].split: an empty separator",
            "opts.toml: table[0].columns[2].negative.scale: must be a finite, non-zero number",
            r#"opts.toml: table[0].columns[3].index_is: "kind" is not a one-sub-id component of the index"#,
        ]
    );
}

fn parse(text: &str) -> Profile {
    Profile::parse("t.toml", text).expect("valid profile")
}

fn levels(
    p: &Profile,
    rows: Vec<Row>,
    ports: &[PortCounters],
) -> Vec<(String, OpticDirection, f64)> {
    let walked = vec![(&p.tables[0], rows)];
    interpret::optics(p, &walked, &Ports::new(ports), &EntityMap::default())
        .into_iter()
        .map(|r| (r.port, r.direction, r.dbm))
        .collect()
}

#[test]
fn decimal_text_levels_skip_their_sentinels() {
    let p = parse(
        r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["if_index"]
columns = [
  { name = "rx_dbm", column = 4, type = "decimal", unit = "dBm", absent = [-99] },
  { name = "tx_dbm", column = 5, type = "integer", scale = 0.1, unit = "dBm", absent = [-1000] },
]
"#,
    );
    let t = &p.tables[0];
    let rows = vec![
        row(
            t,
            &[1],
            &[("rx_dbm", s("-14.50")), ("tx_dbm", Value::Integer(-25))],
        ),
        row(
            t,
            &[2],
            &[("rx_dbm", s("-99.0")), ("tx_dbm", Value::Integer(-1000))],
        ),
        row(t, &[3], &[("rx_dbm", s("n/a"))]),
    ];
    assert_eq!(
        levels(&p, rows, &[port("ge-1", 1)]),
        [
            ("ge-1".to_string(), OpticDirection::Rx, -14.5),
            ("ge-1".to_string(), OpticDirection::Tx, -2.5)
        ]
    );
}

#[test]
fn a_direction_column_gives_each_row_its_direction() {
    let p = parse(
        r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["if_index", "kind"]
columns = [
  { name = "direction", column = 1, type = "enum", rx = [2], tx = [1] },
  { name = "dbm", column = 3, type = "integer", scale = 0.001, unit = "dBm" },
]
"#,
    );
    let t = &p.tables[0];
    let rows = vec![
        row(
            t,
            &[3, 1],
            &[
                ("direction", Value::Integer(1)),
                ("dbm", Value::Integer(-1567)),
            ],
        ),
        row(
            t,
            &[3, 2],
            &[
                ("direction", Value::Integer(2)),
                ("dbm", Value::Integer(-2571)),
            ],
        ),
        // A temperature row of the same table is no level.
        row(
            t,
            &[3, 3],
            &[
                ("direction", Value::Integer(3)),
                ("dbm", Value::Integer(37000)),
            ],
        ),
    ];
    assert_eq!(
        levels(&p, rows, &[port("6/1", 3)]),
        [
            ("6/1".to_string(), OpticDirection::Tx, -1.567),
            ("6/1".to_string(), OpticDirection::Rx, -2.571)
        ]
    );
    let lone = "name = \"t\"\nversion = 1\nkind = \"optics\"\ndescription = \"t\"\n[[table]]\nrole = \"sensors\"\nentry = \"1.3.6.1.4.1.99.1\"\ncolumns = [ { name = \"dbm\", column = 3, type = \"integer\", unit = \"dBm\" } ]\n";
    let e = Profile::parse("d.toml", lone).unwrap_err();
    assert_eq!(
        e.problems,
        ["d.toml: table[0].columns: a dbm column needs a direction column"]
    );
}

#[test]
fn port_templates_name_ports_from_index_components_and_text() {
    let p = parse(
        r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["slot:text", "amp:text"]
port = "Slot {slot} {amp}"
columns = [ { name = "rx_dbm", column = 48, type = "decimal", unit = "dBm" } ]
"#,
    );
    let t = &p.tables[0];
    // "1", "Booster": each a length, then its bytes.
    let ids = [1, 49, 7, 66, 111, 111, 115, 116, 101, 114];
    assert_eq!(
        levels(&p, vec![row(t, &ids, &[("rx_dbm", s("3.1"))])], &[]),
        [("Slot 1 Booster".to_string(), OpticDirection::Rx, 3.1)]
    );
    assert!(
        interpret::split_index(t, &[1, 49, 7, 66]).is_none(),
        "short text"
    );
    // Numeric components, resolved to our port by name; {port} is the port found otherwise.
    let q = parse(
        r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["shelf", "slot", "subslot", "port_number"]
port = "port-{shelf}/{slot}/{port_number}"
columns = [ { name = "rx_dbm", column = 4, type = "decimal", unit = "dBm" } ]
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.2"
index = ["if_index"]
port = "{port} OSC"
columns = [ { name = "rx_dbm", column = 4, type = "integer", unit = "dBm" } ]
"#,
    );
    let (t0, t1) = (&q.tables[0], &q.tables[1]);
    let walked = vec![
        (t0, vec![row(t0, &[1, 3, 0, 10], &[("rx_dbm", s("8.9"))])]),
        (t1, vec![row(t1, &[7], &[("rx_dbm", Value::Integer(-10))])]),
    ];
    let ports = [port("Port-1/3/10", 40), port("1/2/LINEIN", 7)];
    let got: Vec<String> =
        interpret::optics(&q, &walked, &Ports::new(&ports), &EntityMap::default())
            .into_iter()
            .map(|r| r.port)
            .collect();
    assert_eq!(got, ["Port-1/3/10", "1/2/LINEIN OSC"]);
    let bad = "name = \"t\"\nversion = 1\nkind = \"optics\"\ndescription = \"t\"\n[[table]]\nrole = \"sensors\"\nentry = \"1.3.6.1.4.1.99.1\"\nindex = [\"a\"]\nport = \"x-{b}-{a\"\ncolumns = [ { name = \"rx_dbm\", column = 3, type = \"integer\", unit = \"dBm\" } ]\n";
    assert_eq!(
        Profile::parse("p.toml", bad).unwrap_err().problems,
        [
            "p.toml: table[0].port: {b} is not an index component (nor {port})",
            r#"p.toml: table[0].port: "x-{b}-{a": a { without its }"#,
        ]
    );
}

#[test]
fn empty_when_zero_skips_rows_reading_zero_everywhere_and_names_match_as_words() {
    let p = parse(
        r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["if_index"]
empty_when_zero = true
columns = [
  { name = "port_name", column = 2, type = "string" },
  { name = "rx_dbm", column = 26, type = "integer", scale = 0.01, unit = "dBm" },
  { name = "tx_dbm", column = 30, type = "integer", scale = 0.01, unit = "dBm" },
]
"#,
    );
    let t = &p.tables[0];
    let rows = vec![
        row(
            t,
            &[1],
            &[
                ("port_name", s("ETH10G-1-4-2")),
                ("rx_dbm", Value::Integer(-1253)),
                ("tx_dbm", Value::Integer(0)),
            ],
        ),
        row(
            t,
            &[2],
            &[
                ("port_name", s("ETH10G-1-4-2")),
                ("rx_dbm", Value::Integer(0)),
                ("tx_dbm", Value::Integer(0)),
            ],
        ),
    ];
    let ports = [
        port("Ciena, 6500, ethernetCsmacd, ETH10G-1-4-2", 9),
        port("Ciena, 6500, ethernetCsmacd, ETH10G-1-4-20", 10),
    ];
    let want = "Ciena, 6500, ethernetCsmacd, ETH10G-1-4-2".to_string();
    assert_eq!(
        levels(&p, rows, &ports),
        [
            (want.clone(), OpticDirection::Rx, -12.53),
            (want, OpticDirection::Tx, 0.0)
        ]
    );
}
