//! The simulator's faults against the collector: ten devices, one dead, one slow beyond its
//! budget, one answering garbage, one rebooting, one renumbering, one 32-bit-only at high load.
//! The healthy ones finish in their normal time, no rate exceeds its port's speed, and every
//! reboot is a gap, not a rate. Then `irisops serve` on the same fleet: the API and
//! `/metrics` show the same story.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

const FAULTS: &str = r#"
[[fault]]
device = 2
kind = "dead"
[[fault]]
device = 3
kind = "slow"
delay = "6s"
[[fault]]
device = 4
kind = "garbage"
[[fault]]
device = 5
kind = "reboot"
every = "3s"
[[fault]]
device = 6
kind = "counter32"
[[fault]]
device = 7
kind = "renumber"
every = "3s"
"#;

pub fn start_sim(dir: &Path, devices: u32, ports: u32) -> (Proc, u16) {
    let port = free_udp_port();
    (simulate_on(dir, port, 7, devices, ports, FAULTS), port)
}

/// `irisops simulate` with `seed` and the faults file `faults` (written to
/// `dir/faults-SEED.toml`) on `port`, once it answers.
pub fn simulate_on(
    dir: &Path,
    port: u16,
    seed: u64,
    devices: u32,
    ports: u32,
    faults: &str,
) -> Proc {
    let file = dir.join(format!("faults-{seed}.toml"));
    std::fs::write(&file, faults).unwrap();
    let child = Command::new(irisops())
        .args(["simulate", "--seed", &seed.to_string()])
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--devices")
        .arg(devices.to_string())
        .arg("--ports")
        .arg(ports.to_string())
        .arg("--faults")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops simulate");
    let p = Proc(child);
    wait_for_agent(port, "dev0001", Duration::from_secs(10));
    p
}

pub fn fleet_config(store: &Path, port: u16, devices: u32, schedule: &str) -> String {
    let mut s = format!("[store]\npath = {:?}\n", store.display().to_string());
    for i in 1..=devices {
        // The slow device (6 s answers) waits 3 s per request: longer than a 2 s schedule.
        let (timeout, budget) = if i == 3 { ("3s", "5s") } else { ("1s", "2s") };
        s.push_str(&format!(
            "[auth.d{i}]\nversion = \"2c\"\ncommunity = \"dev{i:04}\"\n[[device]]\nname = \"dev{i:04}\"\n\
             address = \"127.0.0.1:{port}\"\nauth = \"d{i}\"\ntimeout = \"{timeout}\"\nretries = 0\nbudget = \"{budget}\"\n\
             schedule = \"{schedule}\"\n"
        ));
    }
    s
}

fn ports(d: &Value) -> &Vec<Value> {
    d["ports"].as_array().unwrap()
}

#[test]
fn faults_hurt_only_their_own_device_and_rates_stay_within_speed() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, port) = start_sim(dir.path(), 10, 16);
    let cfg = dir.path().join("fleet.toml");
    std::fs::write(
        &cfg,
        fleet_config(&dir.path().join("store"), port, 10, "* * * * *"),
    )
    .unwrap();
    let devs = devices(&poll_json(&cfg, "4"));
    for name in ["dev0001", "dev0008", "dev0009", "dev0010"] {
        let d = &devs[name];
        assert_eq!(d["status"], "ok", "{name}: {d}");
        assert!(
            d["duration_ms"].as_u64().unwrap() < 1000,
            "{name} took {}",
            d["duration_ms"]
        );
        assert_eq!(ports(d).len(), 16);
        assert!(
            ports(d).iter().all(|p| p["in_bps"].is_number()),
            "{name}: every port has a rate"
        );
    }
    assert_eq!(devs["dev0002"]["status"], "timeout", "dead");
    assert_ne!(devs["dev0003"]["status"], "ok", "slow beyond its budget");
    assert_ne!(devs["dev0004"]["status"], "ok", "garbage");
    // Rebooting every 3 s, polled 4 s apart: a reboot in between, so no rate at all.
    let reboot = &devs["dev0005"];
    assert_eq!(reboot["status"], "ok");
    for p in ports(reboot) {
        assert!(
            p["in_bps"].is_null() && p["out_bps"].is_null(),
            "reboot gave a rate: {p}"
        );
        assert_eq!(p["gap"], "reboot", "{p}");
    }
    // 32-bit only: counters wrap every few seconds at high load; wraps that fit the speed are
    // rates, the rest are gaps.
    let c32 = &devs["dev0006"];
    assert_eq!(c32["status"], "ok");
    assert!(ports(c32).iter().all(|p| p["counter_bits"] == 32));
    // Renumbering keeps the port keys (ifName), whatever ifIndex says.
    let renum = ports(&devs["dev0007"]);
    let keys: BTreeSet<&str> = renum.iter().map(|p| p["key"].as_str().unwrap()).collect();
    let names: BTreeSet<&str> = renum.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 16);
    assert_eq!(keys, names, "keys are the ifNames");
    assert!(
        renum.iter().any(|p| p["if_index"].as_u64().unwrap() > 16),
        "renumbered"
    );
    // No rate ever exceeds its port's speed.
    for (name, d) in &devs {
        for p in ports(d) {
            for k in ["utilisation_in", "utilisation_out"] {
                if let Some(u) = p[k].as_f64() {
                    assert!((0.0..=100.0).contains(&u), "{name} {}: {k} = {u}", p["key"]);
                }
            }
            if let (Some(bps), Some(speed)) = (p["in_bps"].as_f64(), p["speed_bps"].as_f64()) {
                assert!(bps <= speed, "{name} {}: {bps} > {speed}", p["key"]);
            }
        }
    }
}

/// The simulator with the faults above and `irisops serve` polling its `devices` every 2 s;
/// (simulator, server, HTTP port).
pub fn serve_fleet(dir: &Path, devices: u32, ports: u32) -> (Proc, Proc, u16) {
    let (sim, sim_port) = start_sim(dir, devices, ports);
    let cfg = dir.join("fleet.toml");
    let text = fleet_config(&dir.join("store"), sim_port, devices, "*/2 * * * * *");
    std::fs::write(&cfg, text).unwrap();
    let (serve, http) = start_serve(&cfg);
    (sim, serve, http)
}

/// `irisops serve` on a free port.
pub fn start_serve(cfg: &Path) -> (Proc, u16) {
    with_test_token(cfg);
    let http = free_tcp_port();
    let child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(cfg)
        .arg("--listen")
        .arg(format!("127.0.0.1:{http}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops serve");
    (Proc(child), http)
}

/// Polls `/metrics` until every (metric, minimum) holds (30 s at most); the last text.
pub fn wait_for_metrics(http: u16, wanted: &[(&str, f64)]) -> String {
    let start = Instant::now();
    let mut text = String::new();
    while start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(500));
        if std::net::TcpStream::connect(("127.0.0.1", http)).is_err() {
            continue;
        }
        text = http_get(http, "/metrics").1;
        if wanted.iter().all(|(m, min)| metric(&text, m) >= *min) {
            return text;
        }
    }
    panic!("metrics {wanted:?} not reached in 30 s:\n{text}");
}

pub fn metric(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {line_start} in:\n{text}"))
}

#[test]
fn serve_polls_on_schedule_and_answers_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, serve, http) = serve_fleet(dir.path(), 8, 8);
    let metrics = wait_for_metrics(
        http,
        &[("irisops_rates_total", 16.0), ("irisops_polls_total", 24.0)],
    );
    // Serving (so past `main`): no transparent huge pages (khugepaged's collapses grew a
    // long-running collector's RSS with its heap flat: BENCHMARKS.md, "Soak"); kernels before
    // 5.0 do not show the field.
    let status = std::fs::read_to_string(format!("/proc/{}/status", serve.0.id())).unwrap();
    match status.lines().find(|l| l.starts_with("THP_enabled:")) {
        Some(l) => assert_eq!(l.split_whitespace().nth(1), Some("0"), "{l}"),
        None => eprintln!("skipped: this kernel's /proc/PID/status has no THP_enabled"),
    }
    assert!(metric(&metrics, "irisops_rates_total") >= 16.0, "{metrics}");
    // The slow device's polls overran its 2 s schedule: ticks skipped, never overlapping.
    assert!(
        metric(&metrics, "irisops_skipped_ticks_total") >= 1.0,
        "{metrics}"
    );
    assert!(metric(&metrics, "irisops_poll_failures_total{status=\"timeout\"}") >= 1.0);
    assert!(
        metric(&metrics, "irisops_gaps_total{reason=\"reboot\"}") >= 1.0,
        "{metrics}"
    );
    assert_eq!(http_get(http, "/healthz"), (200, "ok\n".to_string()));
    let (code, body) = http_get(http, "/api/v1/devices");
    assert_eq!(code, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let devs: Vec<&Value> = v["devices"].as_array().unwrap().iter().collect();
    assert_eq!(devs.len(), 8);
    let dead = devs.iter().find(|d| d["name"] == "dev0002").unwrap();
    assert_eq!(dead["status"], "timeout");
    // Renumbered at every reboot (every 3 s): still 8 ports, history continued.
    let renum = devs.iter().find(|d| d["name"] == "dev0007").unwrap();
    assert_eq!(renum["n_ports"], 8, "{renum}");
    assert!(
        metric(&metrics, "irisops_store_renumbered_total") >= 1.0,
        "{metrics}"
    );
    let (code, body) = http_get(http, "/api/v1/devices/dev0001/ports");
    assert_eq!(code, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let p = &v["ports"][0];
    let key = p["key"].as_str().unwrap().replace('/', "%2F");
    assert!(p["in_bps"].is_number(), "{p}");
    let (code, body) = http_get(http, &format!("/api/v1/ports/dev0001/{key}/series?step=1s"));
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(!v["points"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(http_get(http, "/api/v1/devices/nope/ports").0, 404);
    assert_eq!(
        http_get(http, &format!("/api/v1/ports/dev0001/{key}/series?from=x")).0,
        400
    );
    let (code, page) = http_get(http, "/");
    assert_eq!(code, 200);
    assert!(page.contains("<title>irisops"));
}

#[test]
fn simulate_refuses_a_reachable_address_and_a_port_it_cannot_bind() {
    // Any sender gets answers many times the request's size: not on a reachable address.
    let out = Command::new(irisops())
        .args(["simulate", "--listen", "0.0.0.0:0", "--devices", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
    // A port taken: an error, and never the line that says it is serving.
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(irisops())
        .args(["simulate", "--listen", &addr, "--devices", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("cannot serve on") && !err.contains("devices x"),
        "{err}"
    );
}
