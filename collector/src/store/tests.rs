//! Tests of the store: round trips, port identity, series bucketing, rollups, prune, p95.

use tempfile::TempDir;

use super::recent::{self, SampleRow};
use super::*;
use crate::sample::{DevicePoll, GapReason, PortCounters, PortRates};

pub(super) const MIN: i64 = 60_000;
/// A round time far from the epoch, on a bucket boundary.
pub(super) const T0: i64 = 1_800_000_000_000;

pub(super) fn open() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("store"), Retention::default()).unwrap();
    (dir, store)
}

/// A poll of `device` at `time_ms`; each port is `(key, if_index, in_bps)`, out = in / 2,
/// utilisation against a 1 Gbit/s port; a `None` rate is a gap.
pub(super) fn poll(
    device: &str,
    time_ms: i64,
    ports: &[(&str, u32, Option<f64>)],
) -> (DevicePoll, Vec<PortRates>) {
    let counters = ports
        .iter()
        .map(|&(key, if_index, _)| PortCounters {
            key: key.to_owned(),
            if_index,
            if_name: Some(key.to_owned()),
            speed_bps: Some(1_000_000_000),
            oper_status: Some(1),
            in_octets: Some(u64::MAX - 5),
            out_octets: Some(time_ms as u64),
            counter_bits: 64,
            ..PortCounters::default()
        })
        .collect();
    let rates = ports
        .iter()
        .map(|&(key, _, bps)| PortRates {
            key: key.to_owned(),
            time_ms,
            interval_ms: MIN,
            in_bps: bps,
            out_bps: bps.map(|b| b / 2.0),
            utilisation_in: bps.map(|b| b / 1e7),
            utilisation_out: bps.map(|b| b / 2e7),
            gap: bps.is_none().then_some(GapReason::NoPrevious),
            ..PortRates::default()
        })
        .collect();
    let poll = DevicePoll {
        device: device.to_owned(),
        time_ms,
        sys_uptime: Some(4242),
        sys_name: Some(format!("{device}.example")),
        sys_descr: Some("Linux".to_owned()),
        sys_object_id: Some("1.3.6.1.4.1.8072.3.2.10".to_owned()),
        ports: counters,
        ..DevicePoll::default()
    };
    (poll, rates)
}

/// Every stored sample: the recent ones (decoded from `poll_recent`, flagged `true`) and the
/// moved ones (`sample` rows).
pub(super) fn all_samples(store: &Store) -> Vec<(bool, SampleRow)> {
    let mut out = Vec::new();
    let mut stmt = store
        .conn
        .prepare("SELECT time_ms, data FROM poll_recent ORDER BY time_ms")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let t: i64 = r.get(0).unwrap();
        let data: Vec<u8> = r.get(1).unwrap();
        let decoded = recent::decode(&data, t).expect("a readable poll_recent row");
        out.extend(decoded.into_iter().map(|s| (true, s)));
    }
    let mut stmt = store.conn.prepare("SELECT * FROM sample").unwrap();
    let moved = stmt.query_map([], read::sample_row).unwrap();
    out.extend(moved.map(|s| (false, s.unwrap())));
    out
}

/// Samples stored, recent and moved (a sample in both counts twice).
pub(super) fn n_samples(store: &Store) -> i64 {
    all_samples(store).len() as i64
}

/// Samples in `poll_recent`.
pub(super) fn n_recent(store: &Store) -> i64 {
    all_samples(store).iter().filter(|(r, _)| *r).count() as i64
}

pub(super) fn count(store: &Store, table: &str) -> i64 {
    store
        .conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn store_is_send() {
    fn send<T: Send>() {}
    send::<Store>();
}

#[test]
fn round_trip_devices_ports_and_counters() {
    let (_dir, mut store) = open();
    let batch = vec![
        poll("r1", T0, &[("eth0", 1, Some(1e6)), ("eth1", 2, None)]),
        poll("r2", T0, &[("xe-0/0/0", 10, Some(5e8))]),
    ];
    let stats = store.write(&batch).unwrap();
    assert_eq!(
        (stats.n_devices, stats.n_points, stats.n_new_ports),
        (2, 3, 3)
    );
    store
        .write(&[poll("r1", T0 + MIN, &[("eth0", 1, Some(2e6))])])
        .unwrap();
    store
        .write_status("r1", "timeout", Some("no answer"), T0 + 2 * MIN)
        .unwrap();

    let devices = store.devices().unwrap();
    assert_eq!(devices.len(), 2);
    let r1 = &devices[0];
    assert_eq!(r1.name, "r1");
    assert_eq!(r1.sys_name.as_deref(), Some("r1.example"));
    assert_eq!(r1.sys_uptime, Some(4242));
    assert_eq!(r1.last_poll_ms, Some(T0 + MIN));
    assert_eq!(r1.last_status.as_deref(), Some("timeout"));
    assert_eq!(r1.last_error.as_deref(), Some("no answer"));
    assert_eq!(r1.n_ports, 2);

    let ports = store.ports("r1").unwrap();
    assert_eq!(ports.len(), 2);
    let eth0 = ports[0].latest.as_ref().unwrap();
    assert_eq!(
        (eth0.time_ms, eth0.in_bps, eth0.out_bps),
        (T0 + MIN, Some(2e6), Some(1e6))
    );
    let eth1 = ports[1].latest.as_ref().unwrap();
    assert_eq!((eth1.in_bps, eth1.gap), (None, Some(GapReason::NoPrevious)));
    assert_eq!(ports[0].speed_bps, Some(1_000_000_000));

    // 64-bit counters keep every bit, with the poll's sysUpTime.
    let raw = store.raw_samples("r1", "eth0", 0, i64::MAX).unwrap();
    assert_eq!(raw.len(), 2, "{raw:?}");
    let (t, last) = raw[1];
    assert_eq!(t, T0 + MIN);
    assert_eq!(last.in_octets.map(|v| u64::MAX - v), Some(5));
    assert_eq!(last.out_octets, Some((T0 + MIN) as u64));
    assert_eq!((last.counter_bits, last.sys_uptime), (64, Some(4242)));
}

/// A store written by schema 1 (raw counters as INTEGER columns) opens, is converted in place,
/// and keeps every sample with its counters and rates.
#[test]
fn a_schema_1_store_is_migrated_without_losing_samples() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join(super::DB_FILE)).unwrap();
        conn.execute_batch(super::schema::TABLES).unwrap();
        let v1_columns = "port_id INTEGER NOT NULL, time_ms INTEGER NOT NULL, sys_uptime INTEGER,
            interval_ms INTEGER, counter_bits INTEGER, pkts_64 INTEGER, in_octets INTEGER,
            out_octets INTEGER, in_ucast_pkts INTEGER, out_ucast_pkts INTEGER, in_errors INTEGER,
            out_errors INTEGER, in_discards INTEGER, out_discards INTEGER, in_bps REAL,
            out_bps REAL, in_pps REAL, out_pps REAL, in_errors_ps REAL, out_errors_ps REAL,
            in_discards_ps REAL, out_discards_ps REAL, utilisation_in REAL, utilisation_out REAL,
            gap INTEGER,";
        conn.execute_batch(&format!(
            "CREATE TABLE sample ({v1_columns} PRIMARY KEY (port_id, time_ms)) WITHOUT ROWID;
             CREATE TABLE sample_recent ({v1_columns} PRIMARY KEY (time_ms, port_id))
               WITHOUT ROWID;
             CREATE VIEW sample_all AS SELECT * FROM sample UNION ALL SELECT * FROM sample_recent;
             INSERT INTO device (device_id, name) VALUES (1, 'r1');
             INSERT INTO port (port_id, device_id, key, if_index) VALUES (7, 1, 'eth0', 3);
             INSERT INTO sample VALUES (7, {T0}, 99, 60000, 64, 1, -6, 10, 20, 30, NULL, 0,
               NULL, NULL, 1e6, 2e6, NULL, NULL, NULL, NULL, NULL, NULL, 0.1, 0.2, NULL);
             INSERT INTO sample_recent VALUES (7, {T0} + 60000, 105, 60000, 32, 0, 5, 6, 7, 8,
               NULL, NULL, NULL, NULL, 3e6, 4e6, NULL, NULL, NULL, NULL, NULL, NULL, 0.3, 0.4, 3);
             PRAGMA user_version = 1;"
        ))
        .unwrap();
    }
    let store = Store::open(dir.path(), Retention::default()).unwrap();
    let raw = store.raw_samples("r1", "eth0", 0, i64::MAX).unwrap();
    assert_eq!(raw.len(), 2, "{raw:?}");
    assert_eq!(raw[0].0, T0);
    assert_eq!(raw[0].1.in_octets, Some(u64::MAX - 5));
    assert_eq!(
        (
            raw[0].1.sys_uptime,
            raw[0].1.counter_bits,
            raw[0].1.pkts_bits_64
        ),
        (Some(99), 64, true)
    );
    assert_eq!((raw[0].1.in_errors, raw[0].1.out_errors), (None, Some(0)));
    assert_eq!(raw[1].1.out_ucast_pkts, Some(8));
    let series = store
        .series("r1", "eth0", T0, T0 + 120_000, 60_000)
        .unwrap();
    let bps: Vec<_> = series.iter().map(|p| p.in_bps_avg).collect();
    assert_eq!(bps, vec![Some(1e6), Some(3e6)]);
    let latest = store.ports("r1").unwrap()[0].latest.clone().unwrap();
    assert_eq!(latest.gap, Some(GapReason::Discontinuity));
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
    drop(store);
    // Opening again finds the current version: nothing to migrate, nothing lost.
    let store = Store::open(dir.path(), Retention::default()).unwrap();
    assert_eq!(n_samples(&store), 2);
}

#[test]
fn a_schema_2_store_is_migrated_its_recent_rows_moved_into_sample() {
    let dir = tempfile::tempdir().unwrap();
    let raw = |octets: u64| {
        let r = RawCounters {
            sys_uptime: Some(500),
            counter_bits: 64,
            in_octets: Some(octets),
            ..RawCounters::default()
        };
        r.encode().to_vec()
    };
    {
        let conn = rusqlite::Connection::open(dir.path().join(super::DB_FILE)).unwrap();
        conn.execute_batch(super::schema::TABLES).unwrap();
        let cols = "port_id INTEGER NOT NULL, time_ms INTEGER NOT NULL, interval_ms INTEGER,
            raw BLOB, in_bps REAL, out_bps REAL, in_pps REAL, out_pps REAL, in_errors_ps REAL,
            out_errors_ps REAL, in_discards_ps REAL, out_discards_ps REAL, utilisation_in REAL,
            utilisation_out REAL, gap INTEGER,";
        conn.execute_batch(&format!(
            "CREATE TABLE sample ({cols} PRIMARY KEY (port_id, time_ms)) WITHOUT ROWID;
             CREATE TABLE sample_recent ({cols} PRIMARY KEY (time_ms, port_id)) WITHOUT ROWID;
             CREATE VIEW sample_all AS SELECT * FROM sample UNION ALL SELECT * FROM sample_recent;
             INSERT INTO device (device_id, name, last_poll_ms) VALUES (1, 'r1', {T0} + 60000);
             INSERT INTO port (port_id, device_id, key, if_index) VALUES (7, 1, 'eth0', 3);
             PRAGMA user_version = 2;"
        ))
        .unwrap();
        let mut ins = conn
            .prepare(
                "INSERT INTO sample_recent VALUES (7, ?1, 60000, ?2, ?3, 2e6, NULL, NULL, NULL,
                   NULL, NULL, NULL, 0.1, 0.2, NULL)",
            )
            .unwrap();
        ins.execute(rusqlite::params![T0, raw(10), 1e6]).unwrap();
        ins.execute(rusqlite::params![T0 + MIN, raw(20), 3e6])
            .unwrap();
    }
    let store = Store::open(dir.path(), Retention::default()).unwrap();
    let tables: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('sample_recent', 'sample_all')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
    assert_eq!(count(&store, "sample"), 2);
    assert_eq!(n_recent(&store), 0);
    let raw = store.raw_samples("r1", "eth0", 0, i64::MAX).unwrap();
    let octets: Vec<_> = raw.iter().map(|(t, r)| (*t, r.in_octets)).collect();
    assert_eq!(octets, [(T0, Some(10)), (T0 + MIN, Some(20))]);
    let latest = store.ports("r1").unwrap()[0].latest.clone().unwrap();
    assert_eq!((latest.time_ms, latest.in_bps), (T0 + MIN, Some(3e6)));
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

#[test]
fn an_unreadable_recent_row_is_skipped_by_reads_and_rollups() {
    let (_dir, mut store) = open();
    store
        .write(&[poll("r1", T0, &[("eth0", 1, Some(5.0))])])
        .unwrap();
    store
        .write(&[poll("r1", T0 + MIN, &[("eth0", 1, Some(7.0))])])
        .unwrap();
    // A newer writer's layout (or a torn BLOB) at T0 + 1 min.
    store
        .conn
        .execute(
            "UPDATE poll_recent SET data = x'02000000' WHERE time_ms = ?1",
            [T0 + MIN],
        )
        .unwrap();
    let s = store.series("r1", "eth0", T0, T0 + 2 * MIN, MIN).unwrap();
    assert_eq!(
        s.iter()
            .map(|p| (p.time_ms, p.in_bps_avg))
            .collect::<Vec<_>>(),
        [(T0, Some(5.0))]
    );
    let latest = store.ports("r1").unwrap()[0].latest.clone().unwrap();
    assert_eq!(latest.time_ms, T0);
    assert_eq!(store.rollup(T0 + 20 * MIN).unwrap(), 1);
}

#[test]
fn a_retried_batch_is_harmless() {
    let (_dir, mut store) = open();
    let batch = vec![poll("r1", T0, &[("eth0", 1, Some(1e6))])];
    store.write(&batch).unwrap();
    store.write(&batch).unwrap();
    assert_eq!(n_samples(&store), 1);
    assert_eq!(count(&store, "port"), 1);
}

#[test]
fn unknown_names_are_errors() {
    let (_dir, mut store) = open();
    store
        .write(&[poll("r1", T0, &[("eth0", 1, Some(1e6))])])
        .unwrap();
    assert!(matches!(
        store.ports("nope"),
        Err(StoreError::UnknownDevice { .. })
    ));
    assert!(matches!(
        store.series("r1", "eth9", T0, T0 + MIN, MIN),
        Err(StoreError::UnknownPort { .. })
    ));
    assert!(matches!(
        store.series("r1", "eth0", T0, T0 + MIN, 0),
        Err(StoreError::InvalidArgument { .. })
    ));
}

#[test]
fn renumbering_keeps_history() {
    let (dir, mut store) = open();
    store
        .write(&[poll(
            "r1",
            T0,
            &[("eth0", 1, Some(1e6)), ("eth1", 2, Some(1e6))],
        )])
        .unwrap();
    let stats = store
        .write(&[poll(
            "r1",
            T0 + MIN,
            &[("eth0", 7, Some(3e6)), ("eth1", 2, Some(1e6))],
        )])
        .unwrap();
    assert_eq!((stats.n_renumbered, stats.n_new_ports), (1, 0));
    drop(store);

    // A cold cache (a restarted collector) sees the renumbering too.
    let mut store = Store::open(&dir.path().join("store"), Retention::default()).unwrap();
    let stats = store
        .write(&[poll("r1", T0 + 2 * MIN, &[("eth0", 9, Some(5e6))])])
        .unwrap();
    assert_eq!(stats.n_renumbered, 1);
    let ports = store.ports("r1").unwrap();
    assert_eq!((ports[0].key.as_str(), ports[0].if_index), ("eth0", 9));
    let series = store.series("r1", "eth0", T0, T0 + 3 * MIN, MIN).unwrap();
    let ins: Vec<_> = series.iter().map(|p| p.in_bps_avg).collect();
    assert_eq!(ins, [Some(1e6), Some(3e6), Some(5e6)]);
    assert_eq!(count(&store, "port"), 2);
}

#[test]
fn rates_without_counters_are_counted_not_stored() {
    let (_dir, mut store) = open();
    let (p, mut rates) = poll("r1", T0, &[("eth0", 1, Some(1e6))]);
    rates.push(PortRates {
        key: "ghost".to_owned(),
        ..PortRates::default()
    });
    rates.swap(0, 1); // out of order: the lookup by key still matches eth0
    let stats = store.write(&[(p, rates)]).unwrap();
    assert_eq!((stats.n_points, stats.n_orphan_rates), (1, 1));
    let latest = store.ports("r1").unwrap()[0].latest.clone().unwrap();
    assert_eq!(latest.in_bps, Some(1e6));
}

/// Writes one port `eth0` of `r1` with a sample per minute from `T0`; `None` is a gap.
pub(super) fn minutes(store: &mut Store, values: &[Option<f64>]) {
    let batch: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| poll("r1", T0 + i as i64 * MIN, &[("eth0", 1, v)]))
        .collect();
    store.write(&batch).unwrap();
}

#[test]
fn series_buckets_by_step_and_keeps_gaps() {
    let (_dir, mut store) = open();
    minutes(
        &mut store,
        &[Some(1.0), Some(3.0), None, None, Some(10.0), None],
    );
    let s = store
        .series("r1", "eth0", T0, T0 + 6 * MIN, 2 * MIN)
        .unwrap();
    let got: Vec<_> = s
        .iter()
        .map(|p| (p.time_ms, p.in_bps_avg, p.in_bps_max))
        .collect();
    // Minutes 2-3 are all gaps: that bucket is absent. Minute 5's gap does not dilute 10.
    assert_eq!(
        got,
        [
            (T0, Some(2.0), Some(3.0)),
            (T0 + 4 * MIN, Some(10.0), Some(10.0))
        ]
    );
    assert_eq!(s[0].out_bps_avg, Some(1.0));
    // The range is half-open and the buckets start at from_ms.
    let s = store
        .series("r1", "eth0", T0 + MIN, T0 + 2 * MIN, 5 * MIN)
        .unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].time_ms, s[0].in_bps_max), (T0 + MIN, Some(3.0)));
}

#[test]
fn series_reads_rollups_for_coarse_steps() {
    let (_dir, mut store) = open();
    let values: Vec<_> = (0..20).map(|i| Some(f64::from(i))).collect();
    minutes(&mut store, &values);
    // Before rollup, an hourly step has nothing to read.
    assert!(store
        .series("r1", "eth0", T0, T0 + 60 * MIN, 60 * MIN)
        .unwrap()
        .is_empty());
    assert_eq!(store.rollup(T0 + 20 * MIN).unwrap(), 4);
    let s = store
        .series("r1", "eth0", T0, T0 + 60 * MIN, 60 * MIN)
        .unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].in_bps_avg, s[0].in_bps_max), (Some(9.5), Some(19.0)));
}

#[test]
fn a_batch_spanning_insert_chunks_keeps_every_row_and_the_later_duplicate() {
    let (_dir, mut store) = open();
    // 95 ports = a full chunk of 64 plus tails of 16, 8, 4, 2 and 1; the same poll again with
    // other rates replaces every row, across chunk boundaries.
    let keys: Vec<String> = (0..95).map(|i| format!("eth{i:02}")).collect();
    let ports = |bps: f64| -> Vec<(&str, u32, Option<f64>)> {
        (0..95u32)
            .map(|i| (keys[i as usize].as_str(), i + 1, Some(bps + f64::from(i))))
            .collect()
    };
    let batch = vec![poll("r1", T0, &ports(1.0)), poll("r1", T0, &ports(1000.0))];
    assert_eq!(store.write(&batch).unwrap().n_points, 190);
    assert_eq!(n_samples(&store), 95);
    let ports = store.ports("r1").unwrap();
    let ins: Vec<_> = ports
        .iter()
        .map(|p| p.latest.as_ref().unwrap().in_bps)
        .collect();
    let want: Vec<_> = (0..95).map(|i| Some(1000.0 + f64::from(i))).collect();
    assert_eq!(ins, want);
}

#[test]
fn a_null_after_a_value_in_the_same_insert_slot_is_stored_as_null() {
    let (_dir, mut store) = open();
    // 64 ports fill one chunk exactly: the second and third polls reuse its parameter slots.
    let keys: Vec<String> = (0..64).map(|i| format!("eth{i:02}")).collect();
    let ports = |bps: Option<f64>| -> Vec<(&str, u32, Option<f64>)> {
        (0..64u32)
            .map(|i| (keys[i as usize].as_str(), i + 1, bps))
            .collect()
    };
    let batch = vec![
        poll("r1", T0, &ports(Some(5.0))),
        poll("r1", T0 + MIN, &ports(None)),
        poll("r1", T0 + 2 * MIN, &ports(Some(7.0))),
    ];
    store.write(&batch).unwrap();
    let s = store.series("r1", "eth63", T0, T0 + 3 * MIN, MIN).unwrap();
    let got: Vec<_> = s.iter().map(|p| (p.time_ms, p.in_bps_avg)).collect();
    assert_eq!(got, [(T0, Some(5.0)), (T0 + 2 * MIN, Some(7.0))]);
    let gaps = all_samples(&store)
        .into_iter()
        .filter(|(_, s)| s.time_ms == T0 + MIN && s.reals[0].is_none() && s.gap == Some(1))
        .count();
    assert_eq!(gaps, 64);
}

#[test]
fn port_rows_follow_every_change_whether_ports_keep_their_places_or_not() {
    let (_dir, mut store) = open();
    let ports = [("eth0", 1, Some(1e6)), ("eth1", 2, Some(1e6))];
    store.write(&[poll("r1", T0, &ports)]).unwrap();
    // Same places, one attribute changed at each: both rows follow.
    let (mut p, r) = poll("r1", T0 + MIN, &ports);
    p.ports[0].if_alias = Some("uplink".into());
    p.ports[1].speed_bps = Some(10_000_000_000);
    let stats = store.write(&[(p, r)]).unwrap();
    assert_eq!((stats.n_new_ports, stats.n_renumbered), (0, 0));
    let read = store.ports("r1").unwrap();
    assert_eq!(read[0].if_alias.as_deref(), Some("uplink"));
    assert_eq!(read[1].speed_bps, Some(10_000_000_000));
    // The ports swap places (and indexes): the same rows, renumbered, no new port.
    let stats = store
        .write(&[poll(
            "r1",
            T0 + 2 * MIN,
            &[("eth1", 1, Some(2e6)), ("eth0", 2, Some(3e6))],
        )])
        .unwrap();
    assert_eq!((stats.n_new_ports, stats.n_renumbered), (0, 2));
    let read = store.ports("r1").unwrap();
    assert_eq!(
        read.iter()
            .map(|p| (p.key.as_str(), p.if_index, p.if_alias.as_deref()))
            .collect::<Vec<_>>(),
        [("eth0", 2, None), ("eth1", 1, None)]
    );
    assert_eq!(count(&store, "port"), 2);
    // Each key's samples stayed on its own port.
    let ins = |key| -> Vec<Option<f64>> {
        store
            .series("r1", key, T0, T0 + 3 * MIN, MIN)
            .unwrap()
            .iter()
            .map(|p| p.in_bps_avg)
            .collect()
    };
    assert_eq!(ins("eth0"), [Some(1e6), Some(1e6), Some(3e6)]);
    assert_eq!(ins("eth1"), [Some(1e6), Some(1e6), Some(2e6)]);
}
