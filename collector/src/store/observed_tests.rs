//! Tests of the LLDP tables and optical levels in the store.

use super::tests::{open, poll, MIN, T0};
use crate::sample::{LldpNeighbour, OpticDirection, OpticReading, OpticStat};

fn neighbour(local: &str, remote: &str) -> LldpNeighbour {
    LldpNeighbour {
        local_port: local.into(),
        remote_chassis_id: Some("00:11:22:33:44:55".into()),
        remote_system_name: Some(remote.into()),
        remote_port_id: Some("xe-0/0/1".into()),
        remote_port_descr: None,
    }
}

fn optic(port: &str, lane: Option<u32>, direction: OpticDirection, dbm: f64) -> OpticReading {
    OpticReading::current(port.into(), lane, direction, dbm)
}

#[test]
fn the_latest_lldp_table_replaces_the_previous_one_and_an_older_poll_does_not() {
    let (_dir, mut store) = open();
    let with = |t: i64, table: Option<Vec<LldpNeighbour>>| {
        let (mut p, r) = poll("r1", t, &[("xe-1", 1, Some(1.0))]);
        p.lldp = table;
        (p, r)
    };
    store
        .write(&[with(
            T0,
            Some(vec![neighbour("xe-1", "a"), neighbour("xe-2", "b")]),
        )])
        .unwrap();
    store
        .write(&[with(T0 + MIN, Some(vec![neighbour("xe-1", "c")]))])
        .unwrap();
    // A late retry of the first poll, and a poll that did not walk LLDP: neither changes it.
    store
        .write(&[with(T0, Some(vec![neighbour("xe-9", "old")]))])
        .unwrap();
    store.write(&[with(T0 + 2 * MIN, None)]).unwrap();
    let t = store.lldp_tables().unwrap();
    assert_eq!(t.devices.iter().collect::<Vec<_>>(), ["r1"]);
    assert_eq!(t.neighbours, [("r1".to_string(), neighbour("xe-1", "c"))]);
    // A walked, empty table empties it: the device is still known to have been read.
    store.write(&[with(T0 + 3 * MIN, Some(vec![]))]).unwrap();
    let t = store.lldp_tables().unwrap();
    assert_eq!(t.devices.len(), 1);
    assert!(t.neighbours.is_empty());
}

#[test]
fn a_device_never_walked_for_lldp_is_not_in_the_tables() {
    let (_dir, mut store) = open();
    store
        .write(&[poll("r1", T0, &[("xe-1", 1, Some(1.0))])])
        .unwrap();
    assert!(store.lldp_tables().unwrap().devices.is_empty());
}

#[test]
fn optics_keep_precision_lanes_and_the_latest_value_and_drop_non_finite_levels() {
    let (_dir, mut store) = open();
    for (i, rx) in [-4.8, -5.13].into_iter().enumerate() {
        let (mut p, r) = poll("r1", T0 + i as i64 * MIN, &[("xe-1", 1, Some(1.0))]);
        p.optics = vec![
            optic("xe-1", None, OpticDirection::Rx, rx),
            optic("xe-1", None, OpticDirection::Tx, -1.25),
            optic("et-0", Some(2), OpticDirection::Rx, -7.5),
            optic("et-0", Some(3), OpticDirection::Rx, f64::NAN),
        ];
        store.write(&[(p, r)]).unwrap();
    }
    let latest = store.optics_latest(T0).unwrap();
    let got: Vec<_> = latest
        .iter()
        .map(|o| {
            (
                o.reading.port.as_str(),
                o.reading.lane,
                o.reading.direction,
                o.reading.dbm,
                o.time_ms,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("et-0", Some(2), OpticDirection::Rx, -7.5, T0 + MIN),
            ("xe-1", None, OpticDirection::Rx, -5.13, T0 + MIN),
            ("xe-1", None, OpticDirection::Tx, -1.25, T0 + MIN),
        ]
    );
    let series = store.optic_series("r1", "xe-1", T0, T0 + 2 * MIN).unwrap();
    assert_eq!(series.len(), 4);
    assert_eq!(series[0].1.dbm, -4.8);
    // Stale levels are not "latest".
    assert!(store.optics_latest(T0 + 2 * MIN).unwrap().is_empty());
}

#[test]
fn only_current_levels_are_stored_and_a_no_light_floor_keeps_its_flag() {
    let (_dir, mut store) = open();
    let (mut p, r) = poll("r1", T0, &[("xe-1", 1, Some(1.0))]);
    p.optics = vec![
        optic("xe-1", None, OpticDirection::Rx, -13.2),
        // The bin's minimum is no second level of the series (and would replace the first).
        OpticReading {
            stat: OpticStat::Min,
            ..optic("xe-1", None, OpticDirection::Rx, -13.3)
        },
        OpticReading {
            no_light: true,
            ..optic("xe-2", None, OpticDirection::Rx, -40.0)
        },
    ];
    store.write(&[(p, r)]).unwrap();
    let got: Vec<_> = store
        .optics_latest(T0)
        .unwrap()
        .into_iter()
        .map(|o| (o.reading.port, o.reading.dbm, o.reading.no_light))
        .collect();
    assert_eq!(
        got,
        [
            ("xe-1".to_string(), -13.2, false),
            ("xe-2".to_string(), -40.0, true)
        ]
    );
    let series = store.optic_series("r1", "xe-2", T0, T0 + MIN).unwrap();
    assert!(series[0].1.no_light);
}

#[test]
fn a_schema_5_store_gains_the_no_light_column_and_keeps_its_levels() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = super::Store::open(dir.path(), super::Retention::default()).unwrap();
        let (mut p, r) = poll("r1", T0, &[("xe-1", 1, Some(1.0))]);
        p.optics = vec![optic("xe-1", None, OpticDirection::Rx, -4.8)];
        store.write(&[(p, r)]).unwrap();
        store
            .conn
            .execute_batch(
                "ALTER TABLE optic_sample DROP COLUMN no_light; PRAGMA user_version = 5;",
            )
            .unwrap();
    }
    let store = super::Store::open(dir.path(), super::Retention::default()).unwrap();
    assert_eq!(
        super::schema::version(&store.conn).unwrap(),
        super::schema::SCHEMA_VERSION
    );
    let latest = store.optics_latest(T0).unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(
        (latest[0].reading.dbm, latest[0].reading.no_light),
        (-4.8, false)
    );
}

#[test]
fn optics_are_pruned_with_the_samples() {
    let (_dir, mut store) = open();
    let (mut p, r) = poll("r1", T0, &[("xe-1", 1, Some(1.0))]);
    p.optics = vec![optic("xe-1", None, OpticDirection::Rx, -3.0)];
    store.write(&[(p, r)]).unwrap();
    let later = T0 + 30 * 86_400_000;
    store.rollup(later).unwrap();
    store.prune(later).unwrap();
    assert!(store
        .optic_series("r1", "xe-1", 0, i64::MAX)
        .unwrap()
        .is_empty());
}

#[test]
fn wifi_totals_and_aps_are_stored_per_poll_and_pruned() {
    use crate::sample::{ApStatus, Wifi};
    let (_dir, mut store) = open();
    let ap = |name: &str, clients: Option<u64>| ApStatus {
        name: name.into(),
        mac: Some("00:11:22:33:44:55".into()),
        status: "up".into(),
        clients,
    };
    for (i, lobby) in [3u64, 9].into_iter().enumerate() {
        let (mut p, r) = poll("wlc", T0 + i as i64 * MIN, &[]);
        p.wifi = Some(Wifi {
            aps_total: 2,
            aps_up: 2,
            clients_total: lobby + 1,
            aps: vec![ap("lobby", Some(lobby)), ap("library", None)],
            ssids: vec![],
        });
        store.write(&[(p, r)]).unwrap();
    }
    let latest = store.wifi_latest().unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].time_ms, T0 + MIN);
    assert_eq!(latest[0].wifi.clients_total, 10);
    let names: Vec<(&str, Option<u64>)> = latest[0]
        .wifi
        .aps
        .iter()
        .map(|a| (a.name.as_str(), a.clients))
        .collect();
    assert_eq!(names, [("library", None), ("lobby", Some(9))]);
    let series = store
        .wifi_ap_series("wlc", "lobby", T0, T0 + 2 * MIN)
        .unwrap();
    assert_eq!(series, [(T0, Some(3)), (T0 + MIN, Some(9))]);
    let later = T0 + 30 * 86_400_000;
    store.rollup(later).unwrap();
    store.prune(later).unwrap();
    assert!(store.wifi_latest().unwrap().is_empty());
}
