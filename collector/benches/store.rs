//! Benchmarks of the embedded store: sustained ingest in points per second (a point is one
//! port's sample row with its counters and rates), and the 30-day p95 of one port read from
//! 5-minute rollups with 1,000 ports in the database.
//!
//! Run: `cargo bench -p collector --bench store -- --quick` (or `--measurement-time 5`).
//!
//! With `IRISOPS_STORE_PROFILE=1` the binary skips criterion and only writes 50 batches of
//! 2,000 points, a steady workload for `valgrind --tool=callgrind` (instructions per point =
//! the inclusive count of `Store::write` / 100,000):
//! `IRISOPS_STORE_PROFILE=1 valgrind --tool=callgrind target/release/deps/store-HASH`
//! (`IRISOPS_STORE_PROFILE=rollup`: the same with a rollup after every fifth write; `sparse`:
//! ports without packet, error and discard counters).

use std::cell::Cell;
use std::hint::black_box;
use std::path::Path;

use collector::sample::{DevicePoll, PortCounters, PortRates};
use collector::store::{Retention, Store, DB_FILE};
use criterion::{criterion_group, Criterion, Throughput};

const T0: i64 = 1_800_000_000_000;
const MIN: i64 = 60_000;
const N_DEVICES: usize = 10;
const PORTS_PER_DEVICE: usize = 100;
const N_PORTS: usize = N_DEVICES * PORTS_PER_DEVICE;
/// 30 days of 5-minute buckets.
const N_BUCKETS: i64 = 30 * 288;

/// One poll round: `N_DEVICES` devices of `PORTS_PER_DEVICE` ports at `time_ms`.
fn round(time_ms: i64) -> Vec<(DevicePoll, Vec<PortRates>)> {
    round_of(time_ms, N_DEVICES, PORTS_PER_DEVICE)
}

/// One poll round: `n_devices` devices of `n_ports` ports each at `time_ms`.
fn round_of(time_ms: i64, n_devices: usize, n_ports: usize) -> Vec<(DevicePoll, Vec<PortRates>)> {
    (0..n_devices)
        .map(|d| {
            let ports: Vec<PortCounters> = (0..n_ports)
                .map(|p| PortCounters {
                    key: format!("xe-0/0/{p}"),
                    if_index: p as u32 + 1,
                    if_name: Some(format!("xe-0/0/{p}")),
                    if_alias: Some(format!("to site {p}")),
                    speed_bps: Some(10_000_000_000),
                    oper_status: Some(1),
                    admin_status: Some(1),
                    in_octets: Some(time_ms as u64 * 1_000 + p as u64),
                    out_octets: Some(time_ms as u64 * 500 + p as u64),
                    in_ucast_pkts: Some(time_ms as u64),
                    out_ucast_pkts: Some(time_ms as u64),
                    in_errors: Some(0),
                    out_errors: Some(0),
                    in_discards: Some(3),
                    out_discards: Some(0),
                    counter_bits: 64,
                    pkts_bits_64: true,
                    ..PortCounters::default()
                })
                .collect();
            let rates = ports
                .iter()
                .map(|c| PortRates {
                    key: c.key.clone(),
                    time_ms,
                    interval_ms: MIN,
                    in_bps: Some(1.2e9),
                    out_bps: Some(0.6e9),
                    in_pps: Some(1e5),
                    out_pps: Some(5e4),
                    in_errors_ps: Some(0.0),
                    out_errors_ps: Some(0.0),
                    in_discards_ps: Some(0.01),
                    out_discards_ps: Some(0.0),
                    utilisation_in: Some(12.0),
                    utilisation_out: Some(6.0),
                    gap: None,
                })
                .collect();
            let poll = DevicePoll {
                device: format!("router-{d}"),
                time_ms,
                sys_uptime: Some(123_456),
                sys_name: Some(format!("router-{d}")),
                sys_descr: Some("Juniper".to_owned()),
                sys_object_id: Some("1.3.6.1.4.1.2636.1.1.1.2.29".to_owned()),
                ports,
                ..DevicePoll::default()
            };
            (poll, rates)
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut store = Store::open(dir.path(), Retention::default()).expect("open store");
    let tick = Cell::new(0i64);
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(N_PORTS as u64));
    group.bench_function("ingest 1,000 points per write", |b| {
        b.iter_batched(
            || {
                tick.set(tick.get() + 1);
                round(T0 + tick.get() * MIN)
            },
            |batch| store.write(black_box(&batch)).expect("write"),
            criterion::BatchSize::LargeInput,
        )
    });
    // The same with a rollup (which moves samples to the port-ordered table) after every 5
    // minutes of 1-minute polls, timed together: the sustained cost of a point.
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut store = Store::open(dir.path(), Retention::default()).expect("open store");
    let tick = Cell::new(0i64);
    group.throughput(Throughput::Elements(5 * N_PORTS as u64));
    group.bench_function("ingest 5 writes of 1,000 points then rollup", |b| {
        b.iter_batched(
            || {
                let first = tick.get();
                tick.set(first + 5);
                (first..first + 5)
                    .map(|t| round(T0 + t * MIN))
                    .collect::<Vec<_>>()
            },
            |rounds| {
                for batch in &rounds {
                    store.write(black_box(batch)).expect("write");
                }
                store.rollup(T0 + tick.get() * MIN).expect("rollup")
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A store with 1,000 ports, each with 30 days of 5-minute rollups, written through SQL
/// directly (writing 8.6 M samples and rolling them up would only slow the set-up).
fn rollup_store(dir: &Path) -> Store {
    let mut store = Store::open(dir, Retention::default()).expect("open store");
    store.write(&round(T0)).expect("write ports");
    drop(store);
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).expect("open db");
    conn.execute(
        "WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i + 1 < ?2)
         INSERT INTO rollup (port_id, bucket_ms, n, in_bps_avg, in_bps_max, out_bps_avg,
           out_bps_max, utilisation_in_avg, utilisation_in_max, utilisation_out_avg,
           utilisation_out_max)
         SELECT p.port_id, ?1 + b.i * 300000, 5,
           abs(random() % 10000000000), 1e10, abs(random() % 10000000000), 1e10, 50, 100, 50, 100
         FROM port p, b ORDER BY p.port_id, b.i",
        rusqlite::params![T0, N_BUCKETS],
    )
    .expect("fill rollups");
    drop(conn);
    Store::open(dir, Retention::default()).expect("reopen store")
}

fn p95(c: &mut Criterion) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let store = rollup_store(dir.path());
    let to = T0 + N_BUCKETS * 300_000;
    let check = store.p95("router-3", "xe-0/0/42", T0, to).expect("p95");
    assert_eq!(check.n_samples, N_BUCKETS as usize);
    let port = Cell::new(0usize);
    c.bench_function("store/p95 30 days of 5-minute rollups, 1,000 ports", |b| {
        b.iter(|| {
            // A different port each time: no help from a warm page of the previous one.
            port.set((port.get() + 337) % N_PORTS);
            let (d, p) = (port.get() / PORTS_PER_DEVICE, port.get() % PORTS_PER_DEVICE);
            let device = format!("router-{d}");
            let key = format!("xe-0/0/{p}");
            store.p95(&device, &key, T0, to).expect("p95")
        })
    });
}

/// The callgrind workload: 50 writes of 2 devices × 1,000 ports, no criterion around it;
/// with `rollup`, a rollup after every 5 minutes of polls as in the sustained benchmark; with
/// `sparse`, ports with octet counters only (13 of the 25 sample columns NULL).
fn profile_writes(mode: &str) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut store = Store::open(dir.path(), Retention::default()).expect("open store");
    let rollup = mode == "rollup";
    for t in 0..50 {
        let mut batch = round_of(T0 + t * MIN, 2, 1_000);
        if mode == "sparse" {
            sparse(&mut batch);
        }
        black_box(store.write(black_box(&batch)).expect("write"));
        if rollup && t % 5 == 4 {
            black_box(store.rollup(T0 + (t + 1) * MIN).expect("rollup"));
        }
    }
}

/// Drops the packet, error and discard counters and their rates (a port that only has octets).
fn sparse(batch: &mut [(DevicePoll, Vec<PortRates>)]) {
    for (poll, rates) in batch {
        for c in &mut poll.ports {
            (c.in_ucast_pkts, c.out_ucast_pkts, c.in_errors, c.out_errors) =
                (None, None, None, None);
            (c.in_discards, c.out_discards) = (None, None);
        }
        for r in rates {
            (r.in_pps, r.out_pps, r.in_errors_ps, r.out_errors_ps) = (None, None, None, None);
            (r.in_discards_ps, r.out_discards_ps) = (None, None);
        }
    }
}

criterion_group!(benches, ingest, p95);

fn main() {
    if let Some(mode) = std::env::var_os("IRISOPS_STORE_PROFILE") {
        profile_writes(&mode.to_string_lossy());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
