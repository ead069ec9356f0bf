//! Tests of the optics language's statistics and no-light floors: a `stat` column (codes of a
//! period's min/max/avg, sharing its sub-id with the `direction` column), a power column's own
//! `stat`, and `no_light` values kept and flagged where `absent` ones are dropped; checked on
//! small profiles and on the shipped Ciena and Infinera XTM profiles with rows of their
//! recordings.

use super::*;
use crate::sample::{OpticReading, OpticStat};

/// (port, direction, stat, dBm, no light) of a profile's readings.
type Got = (String, OpticDirection, OpticStat, f64, bool);

fn got(p: &Profile, rows: Vec<Row>, ports: &[PortCounters]) -> Vec<Got> {
    let walked = vec![(&p.tables[0], rows)];
    interpret::optics(p, &walked, &Ports::new(ports), &EntityMap::default())
        .into_iter()
        .map(|r: OpticReading| (r.port, r.direction, r.stat, r.dbm, r.no_light))
        .collect()
}

fn level(port: &str, d: OpticDirection, stat: OpticStat, dbm: f64, no_light: bool) -> Got {
    (port.to_string(), d, stat, dbm, no_light)
}

const PM_TABLE: &str = r#"
name = "t"
version = 1
kind = "optics"
description = "t"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.99.1"
index = ["if_index", "parameter"]
columns = [
  { name = "direction", column = 2, type = "enum", rx = [10, 11, 12, 13], tx = [20, 21] },
  { name = "stat", column = 2, type = "enum", min = [11, 21], max = [12], avg = [13] },
  { name = "dbm", column = 6, type = "decimal", unit = "dBm", absent = [-99], no_light = [-40] },
]
"#;

#[test]
fn a_stat_column_gives_each_row_its_statistic_beside_its_direction() {
    let p = parse(PM_TABLE);
    let t = &p.tables[0];
    let pm = |param: u32, value: &str| {
        let code = Value::Integer(i64::from(param));
        row(
            t,
            &[7, param],
            &[
                ("direction", code.clone()),
                ("stat", code),
                ("dbm", s(value)),
            ],
        )
    };
    let rows = vec![
        pm(10, "-13.20"),
        pm(11, "-13.30"),
        pm(12, "-13.10"),
        pm(13, "-13.22"),
        pm(20, "-1.70"),
        pm(21, "-1.80"),
        // A percentage row of the same table: no direction, no level.
        pm(30, "52"),
    ];
    use OpticDirection::{Rx, Tx};
    use OpticStat::{Avg, Current, Max, Min};
    assert_eq!(
        got(&p, rows, &[port("OSC-1", 7)]),
        [
            level("OSC-1", Rx, Current, -13.2, false),
            level("OSC-1", Rx, Min, -13.3, false),
            level("OSC-1", Rx, Max, -13.1, false),
            level("OSC-1", Rx, Avg, -13.22, false),
            level("OSC-1", Tx, Current, -1.7, false),
            level("OSC-1", Tx, Min, -1.8, false),
        ]
    );
}

#[test]
fn no_light_values_are_kept_and_flagged_where_absent_ones_are_dropped() {
    let p = parse(PM_TABLE);
    let t = &p.tables[0];
    let rx = |i: u32, value: &str| {
        row(
            t,
            &[i, 10],
            &[("direction", Value::Integer(10)), ("dbm", s(value))],
        )
    };
    let rows = vec![
        rx(1, "-40.00"),
        rx(2, "-99.0"),
        rx(3, "OOR"),
        rx(4, "-39.99"),
    ];
    let ports = [port("a", 1), port("b", 2), port("c", 3), port("d", 4)];
    use OpticDirection::Rx;
    use OpticStat::Current;
    assert_eq!(
        got(&p, rows, &ports),
        [
            level("a", Rx, Current, -40.0, true),
            level("d", Rx, Current, -39.99, false),
        ]
    );
}

#[test]
fn a_columns_own_stat_marks_a_column_of_minima() {
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
  { name = "rx_dbm", column = 48, type = "decimal", unit = "dBm", lane = 1 },
  { name = "rx_dbm", column = 49, type = "decimal", unit = "dBm", lane = 1, stat = "min" },
]
"#,
    );
    let rows = vec![row_by_column(
        &p.tables[0],
        &[3],
        &[(48, s("10.7")), (49, s("10.6"))],
    )];
    use OpticDirection::Rx;
    assert_eq!(
        got(&p, rows, &[port("amp", 3)]),
        [
            level("amp", Rx, OpticStat::Current, 10.7, false),
            level("amp", Rx, OpticStat::Min, 10.6, false),
        ]
    );
    // Lane 1 of a level with a statistic beside it is still a single-lane optic.
    let walked = vec![(
        &p.tables[0],
        vec![row_by_column(
            &p.tables[0],
            &[3],
            &[(48, s("1")), (49, s("0.5"))],
        )],
    )];
    let o = interpret::optics(&p, &walked, &Ports::new(&[]), &EntityMap::default());
    assert!(o.iter().all(|r| r.lane.is_none()), "{o:?}");
}

#[test]
fn bad_stat_and_no_light_options_name_their_keys() {
    let text = r#"
name = "x"
version = 1
kind = "optics"
description = "bad statistics"
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.1.1"
index = ["if_index", "p"]
columns = [
  { name = "stat", column = 2, type = "enum" },
  { name = "stat", column = 3, type = "enum", min = [1, 2], avg = [2] },
  { name = "port_name", column = 4, type = "string", no_light = [-40], stat = "min", max = [5] },
  { name = "dbm", column = 5, type = "decimal", unit = "dBm", absent = [-40], no_light = [-40] },
  { name = "rx_dbm", column = 2, type = "decimal", unit = "dBm", stat = "max" },
]
[[table]]
role = "sensors"
entry = "1.3.6.1.4.1.1.2"
index = ["if_index"]
columns = [
  { name = "stat", column = 2, type = "enum", min = [1] },
  { name = "port_name", column = 3, type = "string" },
]
"#;
    let e = Profile::parse("stat.toml", text).unwrap_err();
    assert_eq!(
        e.problems,
        [
            "stat.toml: table[0].columns[2].no_light: only for power columns (rx_dbm, tx_dbm, dbm)",
            "stat.toml: table[0].columns[2].stat: only for power columns (rx_dbm, tx_dbm, dbm)",
            "stat.toml: table[0].columns[3].no_light: -40 is also absent (no light on a present optic, or no reading: one)",
            "stat.toml: table[0].columns[4].column: sub-id 2 twice",
            "stat.toml: table[0].columns: a dbm column needs a direction column",
            "stat.toml: table[0].columns[0]: a stat column lists its min, max or avg codes",
            "stat.toml: table[0].columns[1]: code 2 in two statistics",
            "stat.toml: table[0].columns[2].max: only for a stat column",
            "stat.toml: table[0].columns[2].stat: the table's stat column gives each row its statistic",
            "stat.toml: table[0].columns[4].stat: the table's stat column gives each row its statistic",
            "stat.toml: table[1].columns: a stat column serves power columns",
        ]
    );
}

/// A row of nnOpticalPmRecentTable as the Ciena 6500 recording has it.
fn ciena_pm(t: &TableDef, facility: u32, param: u32, name: &str, value: &str) -> Row {
    let code = Value::Integer(i64::from(param));
    row(
        t,
        &[facility, param],
        &[
            ("direction", code.clone()),
            ("stat", code),
            ("port_name", s(name)),
            ("dbm", s(value)),
        ],
    )
}

#[test]
fn the_ciena_6500_profile_reads_the_bin_statistics_and_the_no_light_floor() {
    let p = profile("optics-ciena-6500");
    let t = table(p, "sensors");
    let rows = vec![
        // ETH10G-1-4-1: nothing received (the shelf's -40 floor), the laser at -2.30.
        ciena_pm(t, 813695132, 32, "ETH10G-1-4-1", "-40.00"),
        ciena_pm(t, 813695132, 33, "ETH10G-1-4-1", "-100"), // OPRN, a percentage
        ciena_pm(t, 813695132, 34, "ETH10G-1-4-1", "-2.30"),
        ciena_pm(t, 813695132, 163, "ETH10G-1-4-1", "-40.00"),
        // The OSC: OPR and its bin's minimum, and the span loss (a loss in dB).
        ciena_pm(t, 1105215506, 32, "OSC-1-15-1", "-14.10"),
        ciena_pm(t, 1105215506, 163, "OSC-1-15-1", "-14.20"),
        ciena_pm(t, 1105215506, 155, "OSC-1-15-1", "6.55"),
        // VOA-1-3-9: output out of range now, the bin's average at the -60 floor.
        ciena_pm(t, 1080180750, 55, "VOA-1-3-9", "OOR"),
        ciena_pm(t, 1080180750, 96, "VOA-1-3-9", "-60.00"),
    ];
    let walked = vec![(t, rows)];
    let o = interpret::optics(p, &walked, &Ports::new(&[]), &EntityMap::default());
    let got: Vec<Got> = o
        .into_iter()
        .map(|r| (r.port, r.direction, r.stat, r.dbm, r.no_light))
        .collect();
    use OpticDirection::{Rx, Tx};
    use OpticStat::{Avg, Current, Min};
    assert_eq!(
        got,
        [
            level("ETH10G-1-4-1", Rx, Current, -40.0, true),
            level("ETH10G-1-4-1", Tx, Current, -2.3, false),
            level("ETH10G-1-4-1", Rx, Min, -40.0, true),
            level("OSC-1-15-1", Rx, Current, -14.1, false),
            level("OSC-1-15-1", Rx, Min, -14.2, false),
            level("VOA-1-3-9", Tx, Avg, -60.0, true),
        ]
    );
}

#[test]
fn the_ciena_rls_profile_reads_minimum_and_maximum_beside_the_current_power() {
    let p = profile("optics-ciena-rls");
    let t = table(p, "sensors");
    // Slot "1", amplifier "Pre-Amp" (length-prefixed texts).
    let mut index = vec![1, u32::from(b'1'), 7];
    index.extend("Pre-Amp".bytes().map(u32::from));
    let rows = vec![row_by_column(
        t,
        &index,
        &[
            (48, s("10.7")),
            (49, s("10.6")),
            (50, s("10.7")),
            (51, s("23.9")),
            (54, s("0.0")),
        ],
    )];
    let walked = vec![(t, rows)];
    let o = interpret::optics(p, &walked, &Ports::new(&[]), &EntityMap::default());
    let got: Vec<(OpticDirection, OpticStat, f64)> =
        o.iter().map(|r| (r.direction, r.stat, r.dbm)).collect();
    use OpticDirection::{Rx, Tx};
    assert_eq!(
        got,
        [
            (Rx, OpticStat::Current, 10.7),
            (Rx, OpticStat::Min, 10.6),
            (Rx, OpticStat::Max, 10.7),
            (Tx, OpticStat::Current, 23.9),
        ]
    );
    assert!(o
        .iter()
        .all(|r| r.port == "Slot 1 Pre-Amp" && r.lane.is_none()));
}

#[test]
fn the_xtm_profile_flags_a_laser_that_is_off_and_drops_what_is_no_value() {
    let p = profile("optics-infinera-xtm");
    let t = &p.tables[0];
    let laser = |i: u32, name: &str, rx: i64, tx: i64| {
        row(
            t,
            &[i],
            &[
                ("port_name", s(name)),
                ("rx_dbm", Value::Integer(rx)),
                ("tx_dbm", Value::Integer(tx)),
            ],
        )
    };
    let rows = vec![
        // Port admin down, transceiver there, laser off; rx not measurable.
        laser(129, "clientL0:1:2:1-2", 2147483646, -1000),
        laser(133, "clientL0:1:2:5-6", -22, -25),
        // No transceiver class, no bias: -2^31 is no level (not -214748364.8 dBm).
        laser(141, "clientL0:1:2:13-14", -2147483648, -2147483648),
    ];
    use OpticDirection::{Rx, Tx};
    use OpticStat::Current;
    assert_eq!(
        got(p, rows, &[]),
        [
            level("clientL0:1:2:1-2", Tx, Current, -100.0, true),
            level("clientL0:1:2:5-6", Rx, Current, -2.2, false),
            level("clientL0:1:2:5-6", Tx, Current, -2.5, false),
        ]
    );
}

#[test]
fn the_poll_json_writes_stat_and_no_light_only_when_they_say_something() {
    let now = OpticReading::current("xe-1".into(), None, OpticDirection::Rx, -4.8);
    assert_eq!(
        serde_json::to_value(&now).unwrap(),
        serde_json::json!({"port": "xe-1", "lane": null, "direction": "rx", "dbm": -4.8})
    );
    let min = OpticReading {
        stat: OpticStat::Min,
        no_light: true,
        ..now.clone()
    };
    let v = serde_json::to_value(&min).unwrap();
    assert_eq!(
        (v["stat"].as_str(), v["no_light"].as_bool()),
        (Some("min"), Some(true))
    );
    // Older files without the keys read as current, measured levels.
    let back: OpticReading = serde_json::from_value(
        serde_json::json!({"port": "xe-1", "lane": null, "direction": "rx", "dbm": -4.8}),
    )
    .unwrap();
    assert_eq!(back, now);
    let named: OpticReading = serde_json::from_value(serde_json::json!(
        {"port": "xe-1", "lane": null, "direction": "rx", "dbm": -4.8, "stat": "current"}
    ))
    .unwrap();
    assert_eq!(named, now);
}
