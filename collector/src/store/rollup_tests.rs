//! Tests of rollups, the move between the sample tables, prune boundaries, and the p95
//! against a brute-force reference.

use proptest::prelude::*;
use tempfile::TempDir;

use super::schema::BUCKET_MS;
use super::tests::{all_samples, count, minutes, n_recent, n_samples, open, poll, MIN, T0};
use super::*;

pub(super) fn rollups(store: &Store) -> Vec<(i64, i64, Option<f64>, Option<f64>)> {
    let mut stmt = store
        .conn
        .prepare("SELECT bucket_ms, n, in_bps_avg, in_bps_max FROM rollup ORDER BY bucket_ms")
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)));
    rows.unwrap().collect::<Result<_, _>>().unwrap()
}

/// The rollup's and the move's reads come in key order: a plan that sorts them builds a
/// temporary B-tree of every BLOB of the range (the soak's +37 MB at each 5-minute rollup).
#[test]
fn rollup_reads_need_no_sort() {
    let (_dir, mut store) = open();
    minutes(&mut store, &[Some(1.0), Some(2.0)]);
    for sql in [
        rollup::RECENT_RANGE_SQL,
        rollup::SAMPLE_RANGE_SQL,
        rollup::MOVE_SQL,
    ] {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let bounds = [0i64, i64::MAX];
        let bounds = &bounds[..stmt.parameter_count()];
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(bounds), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{sql}: {plan:?}"
        );
    }
}

#[test]
fn rollup_takes_complete_buckets_once() {
    let (_dir, mut store) = open();
    let values: Vec<_> = (0..12).map(|i| Some(f64::from(i))).collect();
    minutes(&mut store, &values);
    // At T0 + 11 min the third bucket (10-14) is incomplete.
    assert_eq!(store.rollup(T0 + 11 * MIN).unwrap(), 2);
    assert_eq!(store.rollup(T0 + 11 * MIN).unwrap(), 0);
    let first = rollups(&store);
    assert_eq!(
        first,
        [
            (T0, 5, Some(2.0), Some(4.0)),
            (T0 + BUCKET_MS, 5, Some(7.0), Some(9.0))
        ]
    );
    assert_eq!(store.rollup(T0 + 15 * MIN).unwrap(), 1);
    assert_eq!(
        rollups(&store)[2],
        (T0 + 2 * BUCKET_MS, 2, Some(10.5), Some(11.0))
    );

    // A late sample into a rolled-up bucket: the next rollup recomputes that bucket whole.
    store
        .write(&[poll("r1", T0 + 30_000, &[("eth0", 1, Some(100.0))])])
        .unwrap();
    store.rollup(T0 + 15 * MIN).unwrap();
    let again = rollups(&store);
    assert_eq!(again[0], (T0, 6, Some(110.0 / 6.0), Some(100.0)));
    assert_eq!(again[1], first[1]);
    store.rollup(T0 + 15 * MIN).unwrap();
    assert_eq!(rollups(&store), again);
}

#[test]
fn prune_boundaries() {
    let dir = TempDir::new().unwrap();
    let retention = Retention {
        samples: std::time::Duration::from_secs(10 * 60),
        rollups: std::time::Duration::from_secs(20 * 60),
    };
    let mut store = Store::open(dir.path(), retention).unwrap();
    let values: Vec<_> = (0..30).map(|i| Some(f64::from(i))).collect();
    minutes(&mut store, &values);
    // Nothing rolled up yet: prune keeps every sample.
    assert_eq!(store.prune(T0 + 30 * MIN).unwrap(), PruneStats::default());
    store.rollup(T0 + 30 * MIN).unwrap();
    // now - 10 min = T0 + 22 min, rounded down to T0 + 20 min: minutes 0-19 go.
    let stats = store.prune(T0 + 32 * MIN).unwrap();
    assert_eq!(stats.n_samples, 20);
    let oldest = all_samples(&store)
        .iter()
        .map(|(_, s)| s.time_ms)
        .min()
        .unwrap();
    assert_eq!(oldest, T0 + 20 * MIN);
    // Rollups before now - 20 min = T0 + 12 min go: the buckets at 0, 5 and 10 min.
    assert_eq!(stats.n_rollups, 3);
    assert_eq!(rollups(&store)[0].0, T0 + 15 * MIN);
    // Bucket start exactly at the cutoff stays.
    assert_eq!(store.prune(T0 + 35 * MIN).unwrap().n_rollups, 0);
    assert_eq!(store.prune(T0 + 35 * MIN + 1).unwrap().n_rollups, 1);
    // Samples and rollups both start at 20 min now: the series reads the samples.
    let s = store.series("r1", "eth0", T0, T0 + 30 * MIN, MIN).unwrap();
    assert_eq!(s.first().map(|p| p.time_ms), Some(T0 + 20 * MIN));
}

/// The reference: sort descending, drop floor(5% of n) from the top, take the next.
fn brute_p95(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    let drop = (v.len() as f64 * 0.05).floor() as usize;
    v.get(drop).copied()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn p95_matches_brute_force(
        buckets in proptest::collection::vec(
            (proptest::option::of(0u32..1000), proptest::option::of(0u32..1000)), 1..120)
    ) {
        let (_dir, mut store) = open();
        let batch: Vec<_> = buckets.iter().enumerate().map(|(i, &(a, b))| {
            let (mut p, mut r) = poll("r1", T0 + i as i64 * BUCKET_MS, &[("eth0", 1, a.map(f64::from))]);
            r[0].out_bps = b.map(f64::from);
            p.sys_uptime = None;
            (p, r)
        }).collect();
        store.write(&batch).unwrap();
        store.rollup(T0 + 200 * BUCKET_MS).unwrap();
        let got = store.p95("r1", "eth0", T0, T0 + 200 * BUCKET_MS).unwrap();
        let ins: Vec<f64> = buckets.iter().filter_map(|b| b.0.map(f64::from)).collect();
        let outs: Vec<f64> = buckets.iter().filter_map(|b| b.1.map(f64::from)).collect();
        let maxes: Vec<f64> = buckets.iter().filter_map(|&(a, b)| match (a, b) {
            (Some(a), Some(b)) => Some(f64::from(a.max(b))),
            (a, b) => a.or(b).map(f64::from),
        }).collect();
        prop_assert_eq!(got.n_samples, maxes.len());
        prop_assert_eq!(got.in_bps, brute_p95(&ins));
        prop_assert_eq!(got.out_bps, brute_p95(&outs));
        prop_assert_eq!(got.max_bps, brute_p95(&maxes));
    }
}

#[test]
fn reads_span_recent_and_moved_samples() {
    let (_dir, mut store) = open();
    let batch: Vec<_> = (0..20)
        .map(|i| {
            let ports: &[_] = if i < 6 {
                &[("eth0", 1, Some(1.0)), ("gone", 2, Some(7.0))]
            } else {
                &[("eth0", 1, Some(2.0))]
            };
            poll("r1", T0 + i * MIN, ports)
        })
        .collect();
    store.write(&batch).unwrap();
    // Rolls up minutes 0-19 and moves the first 15-minute span to `sample`.
    assert_eq!(store.rollup(T0 + 20 * MIN).unwrap(), 6);
    assert_eq!(count(&store, "sample"), 21);
    assert_eq!(n_recent(&store), 5);
    // A retried batch already moved counts once, and collapses into one row at the next move.
    store.write(&batch[..1]).unwrap();
    assert_eq!(n_samples(&store), 28);
    store.rollup(T0 + 20 * MIN).unwrap();
    let first: Vec<_> = rollups(&store).into_iter().filter(|r| r.0 == T0).collect();
    assert_eq!(first.iter().map(|r| r.1).collect::<Vec<_>>(), [5, 5]);
    store.rollup(T0 + 30 * MIN).unwrap();
    assert_eq!(n_samples(&store), 26);

    let s = store
        .series("r1", "eth0", T0, T0 + 20 * MIN, 4 * MIN)
        .unwrap();
    let got: Vec<_> = s.iter().map(|p| p.in_bps_avg).collect();
    assert_eq!(got, [Some(1.0), Some(1.5), Some(2.0), Some(2.0), Some(2.0)]);
    let ports = store.ports("r1").unwrap();
    let latest: Vec<_> = ports
        .iter()
        .map(|p| p.latest.as_ref().map(|l| (l.time_ms, l.in_bps)))
        .collect();
    assert_eq!(
        latest,
        [
            Some((T0 + 19 * MIN, Some(2.0))),
            Some((T0 + 5 * MIN, Some(7.0)))
        ]
    );
}

/// Rollups are computed device by device; a bucket whose samples sit partly in `sample`
/// (moved) and partly in `poll_recent` (late or retried writes) must still count each sample
/// once, for every device, however the devices' rows interleave.
#[test]
fn buckets_split_between_the_tables_roll_up_per_device() {
    let (_dir, mut store) = open();
    let devices = ["r1", "r2", "r3"];
    let value = |d: usize, m: i64| Some((d as f64 + 1.0) * 100.0 + m as f64);
    let mut batch = Vec::new();
    for m in 0..20 {
        for (d, name) in devices.iter().enumerate() {
            batch.push(poll(name, T0 + m * MIN, &[("eth0", 1, value(d, m))]));
        }
    }
    store.write(&batch).unwrap();
    store.rollup(T0 + 20 * MIN).unwrap();
    assert!(
        n_samples(&store) > n_recent(&store),
        "the first span was moved"
    );
    // Late for r2 (a new sample in the moved bucket), retried for r3 (a duplicate of a
    // moved sample, with another value: the recent one wins), nothing for r1.
    store
        .write(&[
            poll("r2", T0 + 2 * MIN + 30_000, &[("eth0", 1, Some(1000.0))]),
            poll("r3", T0 + MIN, &[("eth0", 1, Some(3000.0))]),
        ])
        .unwrap();
    store.rollup(T0 + 20 * MIN).unwrap();
    let mut stmt = store
        .conn
        .prepare(
            "SELECT d.name, r.n, r.in_bps_avg, r.in_bps_max FROM rollup r
             JOIN port p ON p.port_id = r.port_id JOIN device d ON d.device_id = p.device_id
             WHERE r.bucket_ms = ?1 ORDER BY d.name",
        )
        .unwrap();
    let got: Vec<(String, i64, f64, f64)> = stmt
        .query_map([T0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let r1: Vec<f64> = (0..5).map(|m| value(0, m).unwrap()).collect();
    let mut r2: Vec<f64> = (0..5).map(|m| value(1, m).unwrap()).collect();
    r2.push(1000.0);
    let mut r3: Vec<f64> = (0..5).map(|m| value(2, m).unwrap()).collect();
    r3[1] = 3000.0;
    assert_eq!(
        got,
        [
            ("r1".to_owned(), 5, avg(&r1), 104.0),
            ("r2".to_owned(), 6, avg(&r2), 1000.0),
            ("r3".to_owned(), 5, avg(&r3), 3000.0),
        ]
    );
}
