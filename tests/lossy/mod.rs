//! Polls through a lossy UDP proxy in front of net-snmp's `snmpd` ([`proxy`]): late replies,
//! seeded random loss, the window of requests in flight, a device that recovers.

mod proxy;

use std::time::{Duration, Instant};

use collector::config::{Config, DeviceConfig};
use collector::poll::{self, DeviceState};
use collector::sample::{DevicePoll, PollStatus};

use crate::util::*;
use proxy::{Mode, Proxy};

fn port_names(d: &serde_json::Value) -> Vec<String> {
    let mut got: Vec<String> = d["ports"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    got.sort();
    got
}

/// The issue's agent: every third reply 2.5 s late. `irisops poll` with timeout 1s and
/// retries 2 reads every port, as `snmpbulkwalk -t 1 -r 2` does.
#[test]
fn every_third_reply_late_reads_every_port() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, agent_port) = start_snmpd(dir.path());
    let want = walk_if_names(agent_port);
    assert!(!want.is_empty(), "snmpd has interfaces");
    let late = Mode::Late {
        every: 3,
        by: Duration::from_millis(2500),
    };
    let proxy = Proxy::start(agent_port, late, 1);
    assert_eq!(
        walk_if_names_with(proxy.port, &["-t", "1", "-r", "2"]),
        want
    );
    let cfg = format!(
        "[store]\npath = {:?}\n[auth.v2c]\nversion = \"2c\"\ncommunity = \"public\"\n\
         [[device]]\nname = \"late\"\naddress = \"127.0.0.1:{}\"\nauth = \"v2c\"\n\
         timeout = \"1s\"\nretries = 2\n",
        dir.path().join("store").display().to_string(),
        proxy.port
    );
    let path = dir.path().join("irisops.toml");
    std::fs::write(&path, cfg).unwrap();
    for _ in 0..2 {
        let started = Instant::now();
        let v = poll_json(&path, "1");
        let d = &devices(&v)["late"];
        assert_eq!(d["status"], "ok", "{d}");
        assert_eq!(port_names(d), want);
        assert!(started.elapsed() < Duration::from_secs(15));
    }
}

/// One device behind the proxy on `port`, v2c, with these extra `[[device]]` keys.
fn device(port: u16, keys: &str) -> DeviceConfig {
    let text = format!(
        "[store]\npath = \"unused\"\n[auth.v2c]\nversion = \"2c\"\ncommunity = \"public\"\n\
         [[device]]\nname = \"lossy\"\naddress = \"127.0.0.1:{port}\"\nauth = \"v2c\"\n{keys}\n"
    );
    let mut cfg = Config::parse(&text, &|_| None).expect("a valid config");
    cfg.devices.remove(0)
}

fn names(p: &DevicePoll) -> Vec<String> {
    let mut got: Vec<String> = p.ports.iter().filter_map(|p| p.if_name.clone()).collect();
    got.sort();
    got
}

/// Polls `n` times; each poll must read every port, within the budget, with no more
/// requests outstanding at the proxy than `max_in_flight`.
/// Returns the requests that went unanswered (and were resent).
async fn polls_read_every_port(
    proxy: &Proxy,
    dev: &DeviceConfig,
    want: &[String],
    n: usize,
) -> u64 {
    let mut st = DeviceState::new(dev).await.unwrap();
    for i in 0..n {
        let started = Instant::now();
        let p = poll::poll(dev, &mut st)
            .await
            .unwrap_or_else(|e| panic!("poll {i}: {e}"));
        assert_eq!(names(&p), want, "poll {i}");
        assert!(started.elapsed() <= dev.budget + Duration::from_millis(500));
        let most = proxy.take_max_outstanding();
        assert!(
            most <= i64::from(dev.max_in_flight),
            "poll {i}: {most} requests outstanding, max_in_flight {}",
            dev.max_in_flight
        );
    }
    st.session.stats.timeouts
}

/// Small GETBULKs and a small window: a poll is many requests, several in flight at once.
const MANY_SMALL: &str =
    "timeout = \"300ms\"\nretries = 2\nmax_repetitions = 2\nmax_in_flight = 4\nbudget = \"20s\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_loss_of_10_and_30_percent_loses_no_port() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, agent_port) = start_snmpd(dir.path());
    let want = walk_if_names(agent_port);
    for (p, seed) in [(0.1, 10), (0.3, 30)] {
        let proxy = Proxy::start(agent_port, Mode::Loss { p }, seed);
        let dev = device(proxy.port, MANY_SMALL);
        let lost = polls_read_every_port(&proxy, &dev, &want, 6).await;
        assert!(lost > 0, "{p}: {} requests, none lost", proxy.requests());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_lost_completes_or_fails_within_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, agent_port) = start_snmpd(dir.path());
    let want = walk_if_names(agent_port);
    let proxy = Proxy::start(agent_port, Mode::Loss { p: 0.5 }, 50);
    let dev = device(
        proxy.port,
        "timeout = \"200ms\"\nretries = 2\nmax_repetitions = 2\nmax_in_flight = 4\nbudget = \"3s\"",
    );
    let mut st = DeviceState::new(&dev).await.unwrap();
    let mut ok = 0;
    for _ in 0..4 {
        let started = Instant::now();
        match poll::poll(&dev, &mut st).await {
            Ok(p) => {
                assert_eq!(names(&p), want);
                ok += 1;
            }
            Err(e) => assert!(
                matches!(e.status, PollStatus::Timeout | PollStatus::Error),
                "{e}"
            ),
        }
        assert!(
            started.elapsed() < dev.budget + Duration::from_millis(300),
            "took {:?}",
            started.elapsed()
        );
        assert!(proxy.take_max_outstanding() <= 4);
    }
    eprintln!("half lost: {ok} of 4 polls complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_recovers_gets_its_window_back() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, agent_port) = start_snmpd(dir.path());
    let want = walk_if_names(agent_port);
    let proxy = Proxy::start(agent_port, Mode::Loss { p: 0.4 }, 40);
    let dev = device(
        proxy.port,
        "timeout = \"200ms\"\nretries = 2\nmax_repetitions = 1\nmax_in_flight = 8\nbudget = \"10s\"",
    );
    let mut st = DeviceState::new(&dev).await.unwrap();
    for _ in 0..4 {
        let _ = poll::poll(&dev, &mut st).await;
    }
    let shrunk = st.session.window();
    assert!(shrunk < 8, "losses in bursts shrink the window: {shrunk}");
    proxy.set_mode(Mode::Clean);
    let mut n = 0;
    while st.session.window() < 8 {
        let p = poll::poll(&dev, &mut st).await.unwrap();
        assert_eq!(names(&p), want);
        n += 1;
        assert!(
            n <= 80,
            "window {} after {n} clean polls",
            st.session.window()
        );
    }
    eprintln!("window {shrunk} → 8 after {n} clean polls");
    assert!(proxy.take_max_outstanding() <= 8);
}
