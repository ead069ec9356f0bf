//! The InfluxDB sink through the real binary: `irisops serve` polls the simulator and writes
//! to (1) a capturing HTTP endpoint that answers like InfluxDB v2 and checks every line with
//! the strict `influxdb-line-protocol` parser, answering 503 and 429 at first to make the sink
//! retry; (2) Debian's victoria-metrics (InfluxDB's `/api/v2/write`), stopped during
//! collection while irisops is also killed with SIGKILL and restarted: every point the
//! collector stored arrives, exactly once, with its value.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::simulator::metric;
use crate::util::{
    free_tcp_port, free_udp_port, http_get, http_post, interrupt, irisops, require,
    with_test_token, Proc,
};

fn simulator(port: u16) -> Proc {
    Proc(
        Command::new(irisops())
            .args(["simulate", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--devices", "4", "--ports", "6", "--seed", "9"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

fn config(dir: &Path, sim: u16, influx: &str) -> std::path::PathBuf {
    let mut s = format!(
        "[store]\npath = {:?}\n[influx]\nurl = \"{influx}\"\norg = \"noc\"\nbucket = \"irisops\"\ntoken = \"s3cr3t-t0ken\"\nflush_interval = \"500ms\"\ntimeout = \"2s\"\n",
        dir.join("store").display().to_string()
    );
    for i in 1..=4 {
        s.push_str(&format!(
            "[auth.d{i}]\nversion = \"2c\"\ncommunity = \"dev{i:04}\"\n[[device]]\nname = \"dev{i:04}\"\naddress = \"127.0.0.1:{sim}\"\nauth = \"d{i}\"\nschedule = \"* * * * * *\"\ntimeout = \"1s\"\n"
        ));
    }
    let path = dir.join("irisops.toml");
    std::fs::write(&path, s).unwrap();
    path
}

fn serve(cfg: &Path, listen: u16, log: &Path) -> Proc {
    with_test_token(cfg);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Proc(
        Command::new(irisops())
            .args(["serve", "--config"])
            .arg(cfg)
            .args(["--listen", &format!("127.0.0.1:{listen}")])
            .env("IRISOPS_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    )
}

/// What the capturing endpoint saw: (query, Authorization, body, status answered).
type Captured = Arc<Mutex<Vec<(String, String, Vec<u8>, u16)>>>;

/// An InfluxDB v2 write endpoint on a free port that records every request; requests 2 and 3
/// get 503 and 429, the others 204.
fn capture_server() -> (SocketAddr, Captured, tokio::runtime::Runtime) {
    use axum::body::Bytes;
    use axum::extract::{RawQuery, State};
    use axum::http::{HeaderMap, StatusCode};
    let seen: Captured = Arc::new(Mutex::new(Vec::new()));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let state = seen.clone();
    let app =
        axum::Router::new()
            .route(
                "/api/v2/write",
                axum::routing::post(
                    |State(seen): State<Captured>,
                     RawQuery(q): RawQuery,
                     h: HeaderMap,
                     body: Bytes| async move {
                        let mut seen = seen.lock().unwrap();
                        let status = match seen.len() {
                            1 => 503,
                            2 => 429,
                            _ => 204,
                        };
                        let auth = h
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        seen.push((q.unwrap_or_default(), auth, body.to_vec(), status));
                        StatusCode::from_u16(status).unwrap()
                    },
                ),
            )
            .with_state(state);
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen, rt)
}

/// The schema the sink writes: measurement → (tags, fields).
fn schema() -> BTreeMap<&'static str, (Vec<&'static str>, Vec<&'static str>)> {
    BTreeMap::from([
        (
            "interface",
            (
                vec!["device", "port"],
                vec![
                    "in_bps",
                    "out_bps",
                    "in_pps",
                    "out_pps",
                    "in_errors_ps",
                    "out_errors_ps",
                    "in_discards_ps",
                    "out_discards_ps",
                    "utilisation_in",
                    "utilisation_out",
                    "in_octets",
                    "out_octets",
                    "speed_bps",
                ],
            ),
        ),
        (
            "optics",
            (
                vec!["device", "port", "direction", "lane"],
                vec!["dbm", "dbm_min", "dbm_max", "dbm_avg", "no_light"],
            ),
        ),
        (
            "wifi",
            (vec!["device"], vec!["aps_total", "aps_up", "clients_total"]),
        ),
        ("wifi_ap", (vec!["device", "ap"], vec!["clients", "up"])),
        ("device", (vec!["device"], vec!["up", "poll_ms"])),
    ])
}

#[test]
fn every_line_the_sink_sends_parses_strictly_and_a_refused_batch_is_resent_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let (addr, seen, _rt) = capture_server();
    let sim_port = free_udp_port();
    let _sim = simulator(sim_port);
    let cfg = config(tmp.path(), sim_port, &format!("http://{addr}"));
    let http = free_tcp_port();
    let log = tmp.path().join("serve.log");
    let mut srv = serve(&cfg, http, &log);
    // Until 4 batches were accepted after the 503 and the 429.
    let t = Instant::now();
    while seen.lock().unwrap().iter().filter(|r| r.3 == 204).count() < 4 {
        assert!(t.elapsed() < Duration::from_secs(40), "too few writes");
        std::thread::sleep(Duration::from_millis(200));
    }
    let metrics = http_get(http, "/metrics").1;
    interrupt(&mut srv);
    for name in [
        "irisops_outbox_depth",
        "irisops_outbox_bytes",
        "irisops_outbox_oldest_age_seconds",
        "irisops_outbox_sent_total",
        "irisops_outbox_dropped_total",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    let seen = seen.lock().unwrap().clone();
    // The batch answered 503 is sent again, then again after the 429, byte for byte.
    assert_eq!(seen[1].3, 503);
    assert_eq!(
        seen[1].2, seen[2].2,
        "a retried batch is resent identically"
    );
    assert_eq!(
        seen[2].2, seen[3].2,
        "a retried batch is resent identically"
    );
    let schema = schema();
    let mut measurements = BTreeSet::new();
    let mut n_lines = 0;
    for (query, auth, body, status) in &seen {
        assert_eq!(auth, "Token s3cr3t-t0ken");
        for want in ["org=noc", "bucket=irisops", "precision=ms"] {
            assert!(query.contains(want), "{query}");
        }
        if *status != 204 {
            continue;
        }
        let text = std::str::from_utf8(body).expect("UTF-8 body");
        for line in influxdb_line_protocol::parse_lines(text) {
            let line = line.unwrap_or_else(|e| panic!("a line does not parse: {e}\n{text}"));
            n_lines += 1;
            let m = line.series.measurement.as_str().to_string();
            let (tags, fields) = schema
                .get(m.as_str())
                .unwrap_or_else(|| panic!("unknown measurement {m}"));
            let line_tags: Vec<String> = line
                .series
                .tag_set
                .iter()
                .flatten()
                .map(|(k, _)| k.as_str().to_string())
                .collect();
            assert!(
                line_tags.iter().all(|t| tags.contains(&t.as_str())),
                "{m}: {line_tags:?}"
            );
            assert!(line_tags.iter().any(|t| t == "device"));
            for (k, v) in &line.field_set {
                assert!(fields.contains(&k.as_str()), "{m}: field {k}");
                match v {
                    influxdb_line_protocol::FieldValue::F64(x) => assert!(x.is_finite()),
                    influxdb_line_protocol::FieldValue::I64(_) => {}
                    other => panic!("{m}.{k}: {other:?} (only floats and integers are written)"),
                }
            }
            let ts = line
                .timestamp
                .expect("every point has its poll's timestamp");
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
            assert!(
                (now_ms - 120_000..=now_ms).contains(&ts),
                "ms timestamps: {ts}"
            );
            measurements.insert(m);
        }
    }
    assert!(n_lines > 50, "{n_lines} lines");
    assert!(measurements.contains("interface") && measurements.contains("device"));
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("s3cr3t"), "the token is never logged");
    assert!(log.contains("InfluxDB write failed, retrying"), "{log}");
}

/// Every (series key, timestamp) → value of a victoria-metrics export of `metric`.
fn exported(vm: u16, metric: &str) -> BTreeMap<(String, String, i64), Vec<f64>> {
    http_get(vm, "/internal/force_flush");
    let (_, text) = http_post(
        vm,
        "/api/v1/export",
        &format!("match[]={{__name__=%22{metric}%22}}"),
    );
    let mut out: BTreeMap<(String, String, i64), Vec<f64>> = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let m = &v["metric"];
        let key = (
            m["device"].as_str().unwrap_or("").to_string(),
            m["port"].as_str().unwrap_or("").to_string(),
        );
        let values = v["values"].as_array().unwrap();
        let stamps = v["timestamps"].as_array().unwrap();
        for (x, t) in values.iter().zip(stamps) {
            out.entry((key.0.clone(), key.1.clone(), t.as_i64().unwrap()))
                .or_default()
                .push(x.as_f64().unwrap());
        }
    }
    out
}

/// The (device, port, time) of every `interface` point with `in_octets` still in the outbox.
fn queued_in_octets(store: &Path) -> BTreeSet<(String, String, i64)> {
    let mut o = collector::sinks::outbox::Outbox::open(store, u64::MAX).unwrap();
    let mut out = BTreeSet::new();
    while let Some(b) = o.oldest().unwrap() {
        let text = String::from_utf8(b.body.clone()).unwrap();
        for line in influxdb_line_protocol::parse_lines(&text) {
            let line = line.unwrap();
            if line.series.measurement.as_str() != "interface"
                || !line
                    .field_set
                    .iter()
                    .any(|(k, _)| k.as_str() == "in_octets")
            {
                continue;
            }
            let tag = |name: &str| {
                line.series
                    .tag_set
                    .iter()
                    .flatten()
                    .find(|(k, _)| k.as_str() == name)
                    .map(|(_, v)| v.as_str().to_string())
                    .unwrap_or_default()
            };
            out.insert((tag("device"), tag("port"), line.timestamp.unwrap_or(0)));
        }
        // Read-only in spirit: this copy of the queue is thrown away with the test.
        o.ack(b.id).unwrap();
    }
    out
}

fn victoria(port: u16, data: &Path) -> Proc {
    let bin = require("victoria-metrics", "victoria-metrics");
    let p = Proc(
        Command::new(bin)
            .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
            .arg(format!("-storageDataPath={}", data.display()))
            .arg("-search.latencyOffset=1s")
            // InfluxDB overwrites a point written twice (same series and time); this makes
            // victoria-metrics do the same, so a duplicate would be a bug of ours.
            .arg("-dedup.minScrapeInterval=1ms")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "victoria-metrics did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    p
}

#[test]
fn an_outage_and_a_kill_lose_no_point_and_duplicate_none() {
    let tmp = tempfile::tempdir().unwrap();
    let vm_port = free_tcp_port();
    let vm_data = tmp.path().join("vm");
    let mut vm = Some(victoria(vm_port, &vm_data));
    let sim_port = free_udp_port();
    let _sim = simulator(sim_port);
    let cfg = config(tmp.path(), sim_port, &format!("http://127.0.0.1:{vm_port}"));
    let log = tmp.path().join("serve.log");
    let mut srv = serve(&cfg, free_tcp_port(), &log);
    std::thread::sleep(Duration::from_secs(4));
    // The server goes away (stopped cleanly: what it acknowledged it keeps); collection
    // goes on into the outbox.
    if let Some(mut v) = vm.take() {
        interrupt(&mut v);
    }
    std::thread::sleep(Duration::from_secs(4));
    // irisops dies mid-stream (SIGKILL: no flush, no goodbye) and comes back.
    let killed_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let _ = srv.0.kill();
    let _ = srv.0.wait();
    let http = free_tcp_port();
    let mut srv = serve(&cfg, http, &log);
    std::thread::sleep(Duration::from_secs(3));
    let _vm = victoria(vm_port, &vm_data);
    // Until the outbox has drained (the sender is backing off when the server returns).
    let t = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let depth = metric(&http_get(http, "/metrics").1, "irisops_outbox_depth ");
        if depth == 0.0 && t.elapsed() > Duration::from_secs(2) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the outbox did not drain: {depth}"
        );
    }
    interrupt(&mut srv);
    // Every interface sample in the embedded store, by (device, port, time) → in_octets.
    let store = collector::store::Store::open(
        &tmp.path().join("store"),
        collector::store::Retention::default(),
    )
    .unwrap();
    let mut want: BTreeMap<(String, String, i64), f64> = BTreeMap::new();
    for d in store.devices().unwrap() {
        for p in store.ports(&d.name).unwrap() {
            for (t, s) in store.raw_samples(&d.name, &p.key, 0, i64::MAX).unwrap() {
                if let Some(v) = s.in_octets {
                    want.insert((d.name.clone(), p.key.clone(), t), v as f64);
                }
            }
        }
    }
    // Points polled before the kill but not yet in the outbox die with the process: a poll
    // counts as acknowledged once the store and the outbox have it. The store has them all,
    // so compare with what the outbox had: everything the store had up to the last flush
    // before the kill, and everything after the restart.
    let mut got = BTreeMap::new();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        got = exported(vm_port, "interface_in_octets");
        if got.len() >= want.len() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let dup: Vec<_> = got.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(
        dup.is_empty(),
        "points written twice: {:?}",
        &dup[..dup.len().min(3)]
    );
    // Polls taken after the outbox had drained and before the stop are still queued (sent at
    // the next start): read them from the outbox.
    let queued = queued_in_octets(&tmp.path().join("store"));
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k) && !queued.contains(*k))
        .collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    for (k, v) in &want {
        if let Some(g) = got.get(k) {
            assert_eq!(g[0], *v, "{k:?}");
        }
    }
    assert!(want.len() > 100, "{} samples", want.len());
    // Polls the killed process had not put in the outbox yet are replayed from the store on
    // restart: nothing the store has is missing.
    assert!(
        missing.is_empty(),
        "{} of {} samples neither in InfluxDB nor queued: {:?}",
        missing.len(),
        want.len(),
        &missing[..missing.len().min(3)]
    );
    // The other way round, a poll the outbox took just before the kill while the store had not
    // committed it yet may be in InfluxDB alone; nothing older.
    let late: Vec<_> = extra
        .iter()
        .filter(|k| !(killed_ms - 2_000..=killed_ms).contains(&k.2))
        .collect();
    assert!(
        late.is_empty(),
        "points the store never had: {:?}",
        &late[..late.len().min(3)]
    );
    println!(
        "outage test: {} samples in the store, {} in victoria-metrics, {} still queued, {} missing, {} only in victoria-metrics",
        want.len(),
        got.len(),
        queued.len(),
        missing.len(),
        extra.len()
    );
}
