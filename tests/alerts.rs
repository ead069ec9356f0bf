//! Alerts end to end: the simulator, `irisops serve` with `[[alert]]` rules, and a real HTTP
//! receiver in the test that checks every Standard Webhooks signature. A port the simulator
//! runs hot fires a utilisation rule after `for` and resolves after `keep_firing_for` once it
//! cools down (the simulator restarted with another seed); a dead device fires `device_up`;
//! rebooting and renumbering devices never fire a rate rule; a receiver answering 503 then 200
//! gets the notification twice with the same id; a SIGKILL between an alert and its delivery
//! delivers it after the restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::simulator::{fleet_config, simulate_on};
use crate::util::*;

/// The receivers' signing secret (Standard Webhooks: `whsec_` + base64 of the key).
const SECRET: &str = "whsec_aXJpc29wcy1hbGVydHMtdGVzdC1rZXktMDEyMzQ1";

/// One request the receiver took.
#[derive(Debug, Clone)]
struct Hook {
    id: String,
    signature_ok: bool,
    /// What the receiver answered.
    status: u16,
    body: Value,
}

/// A webhook receiver on 127.0.0.1: answers the `n`th request (0-based) with `policy(n)`.
struct Receiver {
    port: u16,
    hooks: Arc<Mutex<Vec<Hook>>>,
}

impl Receiver {
    fn start(port: u16, policy: fn(usize) -> u16) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the receiver");
        let hooks: Arc<Mutex<Vec<Hook>>> = Arc::default();
        let h = hooks.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let n = h.lock().unwrap().len();
                if let Some(hook) = take(stream, policy(n)) {
                    h.lock().unwrap().push(hook);
                }
            }
        });
        Receiver { port, hooks }
    }

    fn hooks(&self) -> Vec<Hook> {
        self.hooks.lock().unwrap().clone()
    }

    /// Waits (at most `within`) until `done` holds for the requests taken.
    fn wait(&self, within: Duration, what: &str, done: impl Fn(&[Hook]) -> bool) -> Vec<Hook> {
        let t = Instant::now();
        while t.elapsed() < within {
            let hooks = self.hooks();
            if done(&hooks) {
                return hooks;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "{what}: not within {within:?}; received {:#?}",
            self.hooks()
        );
    }
}

/// Reads one HTTP/1.1 request, checks its signature, answers `status`.
fn take(mut stream: std::net::TcpStream, status: u16) -> Option<Hook> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut headers = std::collections::HashMap::new();
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    let get = |k: &str| headers.get(k).cloned().unwrap_or_default();
    let (id, ts, sig) = (
        get("webhook-id"),
        get("webhook-timestamp"),
        get("webhook-signature"),
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&body);
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (t - chrono::Utc::now().timestamp()).abs() < 300);
    let signature_ok = fresh && sig.split(' ').any(|s| s == format!("v1,{want}"));
    let reason = if status == 200 { "OK" } else { "Unavailable" };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    Some(Hook {
        id,
        signature_ok,
        status,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

/// `irisops serve` on `cfg` and `http`, its log in `dir/serve-N.log`; once it answers.
fn serve(dir: &Path, cfg: &Path, http: u16, n: u32) -> Proc {
    let log = std::fs::File::create(dir.join(format!("serve-{n}.log"))).unwrap();
    let child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(cfg)
        .arg("--listen")
        .arg(format!("127.0.0.1:{http}"))
        .env("IRISOPS_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start irisops serve");
    let p = Proc(child);
    wait_healthy(http, Duration::from_secs(30));
    p
}

/// A fleet's config polled every 2 s, with the test token and `extra` (rules, receivers).
fn config(dir: &Path, sim: u16, devices: u32, extra: &str) -> std::path::PathBuf {
    let cfg = dir.join("alerts.toml");
    let text = fleet_config(&dir.join("store"), sim, devices, "*/2 * * * * *");
    std::fs::write(&cfg, format!("{text}\n{extra}")).unwrap();
    with_test_token(&cfg);
    cfg
}

fn receiver_block(name: &str, port: u16) -> String {
    format!("[[receiver]]\nname = \"{name}\"\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret = \"{SECRET}\"\ntimeout = \"2s\"\n")
}

/// The alerts `GET /api/v1/alerts?...` answers.
fn api_alerts(http: u16, query: &str) -> Vec<Value> {
    let (code, body) = http_get(http, &format!("/api/v1/alerts?{query}"));
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["alerts"].as_array().unwrap().clone()
}

/// The busier direction's utilisation of each port of dev0001, one `poll --gap 2` against
/// the simulator on `sim`.
fn utilisation(dir: &Path, sim: u16) -> Vec<(String, f64)> {
    let cfg = dir.join("poll.toml");
    std::fs::write(
        &cfg,
        fleet_config(&dir.join("poll-store"), sim, 1, "* * * * *"),
    )
    .unwrap();
    let devs = devices(&poll_json(&cfg, "2"));
    devs["dev0001"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let u = |k: &str| p[k].as_f64().unwrap_or(0.0);
            let key = p["key"].as_str().unwrap().to_string();
            (key, u("utilisation_in").max(u("utilisation_out")))
        })
        .collect()
}

/// A port hot under the first seed and cool under the second (three times or more), and a
/// threshold between: (hot seed, cool seed, port, threshold). The port has the same name under
/// both seeds: a port's name follows its seeded speed (`ge-`, `xe-`, `et-`), and a rule on a
/// name the hot seed does not serve never fires (CI, 03:43 UTC: `et-0/0/12` under seed 11 was
/// `ge-0/0/12`, the hot one, under seed 12).
fn hot_then_cool(dir: &Path, sim: u16) -> (u64, u64, String, f64) {
    for (a, b) in [(11, 12), (13, 14), (15, 16)] {
        let ua = {
            let _s = simulate_on(dir, sim, a, 1, 24, "");
            utilisation(dir, sim)
        };
        let ub = {
            let _s = simulate_on(dir, sim, b, 1, 24, "");
            utilisation(dir, sim)
        };
        let mut best: Option<(u64, u64, String, f64, f64)> = None;
        for ((port, x), (_, y)) in ua.iter().zip(&ub).filter(|((p, _), (q, _))| p == q) {
            for (hot, cool, h, c) in [(a, b, *x, *y), (b, a, *y, *x)] {
                let ratio = h / c.max(0.01);
                if h >= 5.0
                    && ratio >= 3.0
                    && best.as_ref().is_none_or(|b| ratio > b.3 / b.4.max(0.01))
                {
                    best = Some((hot, cool, port.clone(), h, c));
                }
            }
        }
        if let Some((hot, cool, port, h, c)) = best {
            return (hot, cool, port, (h * c.max(h / 9.0)).sqrt());
        }
    }
    panic!("no port of dev0001 is three times busier under one seed than another");
}

/// Faults of the first test: dev0002 dead, dev0003 rebooting, dev0004 renumbering.
const FAULTS: &str = "[[fault]]\ndevice = 2\nkind = \"dead\"\n\
    [[fault]]\ndevice = 3\nkind = \"reboot\"\nevery = \"3s\"\n\
    [[fault]]\ndevice = 4\nkind = \"renumber\"\nevery = \"3s\"\n";

#[test]
fn a_hot_port_fires_after_for_and_resolves_after_keep_firing_for_and_a_dead_device_fires() {
    let dir = tempfile::tempdir().unwrap();
    let sim = free_udp_port();
    let (hot, cool, port, threshold) = hot_then_cool(dir.path(), sim);
    let receiver = Receiver::start(free_tcp_port(), |_| 200);
    let rules = format!(
        "{}[[alert]]\nname = \"busy\"\nmetric = \"utilisation\"\nop = \">\"\nvalue = {threshold}\n\
         for = \"10s\"\nkeep_firing_for = \"10s\"\nreceivers = [\"hook\"]\n\
         [alert.select]\ndevice = \"dev0001\"\nport = \"{port}\"\n\
         [[alert]]\nname = \"down\"\nmetric = \"device_up\"\nop = \"==\"\nvalue = 0\nfor = \"4s\"\n\
         severity = \"critical\"\nreceivers = [\"hook\"]\n\
         [[alert]]\nname = \"false-rate\"\nmetric = \"utilisation\"\nop = \">\"\nvalue = 95\nreceivers = [\"hook\"]\n\
         [alert.select]\ndevice = \"dev000[34]\"\n\
         [[alert]]\nname = \"false-errors\"\nmetric = \"errors_ps\"\nop = \">\"\nvalue = 1000\nreceivers = [\"hook\"]\n\
         [alert.select]\ndevice = \"dev000[34]\"\n",
        receiver_block("hook", receiver.port)
    );
    let cfg = config(dir.path(), sim, 4, &rules);
    let sim_hot = simulate_on(dir.path(), sim, hot, 4, 24, FAULTS);
    let http = free_tcp_port();
    let _serve = serve(dir.path(), &cfg, http, 1);
    let named = |h: &Hook, name: &str, status: &str| {
        h.body["status"] == status && h.body["alerts"][0]["labels"]["alertname"] == name
    };
    receiver.wait(Duration::from_secs(60), "busy and down firing", |hs| {
        hs.iter().any(|h| named(h, "busy", "firing"))
            && hs.iter().any(|h| named(h, "down", "firing"))
    });
    let busy = api_alerts(http, "state=firing")
        .into_iter()
        .find(|a| a["rule"] == "busy")
        .expect("busy firing over the API");
    let held = busy["fired_ms"].as_i64().unwrap() - busy["pending_ms"].as_i64().unwrap();
    assert!(
        held >= 10_000,
        "fired after {held} ms, before `for`: {busy}"
    );
    assert_eq!(busy["labels"]["port"], port.as_str());

    // The port cools down: the simulator restarted with the other seed.
    drop(sim_hot);
    let switched = chrono::Utc::now().timestamp_millis();
    let _sim_cool = simulate_on(dir.path(), sim, cool, 4, 24, FAULTS);
    let hooks = receiver.wait(Duration::from_secs(60), "busy resolved", |hs| {
        hs.iter().any(|h| named(h, "busy", "resolved"))
    });
    let resolved = api_alerts(
        http,
        &format!(
            "fingerprint={}&state=resolved",
            busy["fingerprint"].as_str().unwrap()
        ),
    );
    let after = resolved[0]["resolved_ms"].as_i64().unwrap() - switched;
    // It last held at most one poll (2 s) before the switch: resolved keep_firing_for after.
    assert!(
        (7_000..60_000).contains(&after),
        "resolved {after} ms after the switch"
    );

    assert!(hooks.iter().all(|h| h.signature_ok), "{hooks:#?}");
    assert!(hooks
        .iter()
        .all(|h| h.body["version"] == "4" && h.id.starts_with("msg_")));
    let ids: std::collections::BTreeSet<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), hooks.len(), "every message its own id");
    let down = hooks.iter().find(|h| named(h, "down", "firing")).unwrap();
    assert_eq!(down.body["alerts"][0]["labels"]["device"], "dev0002");
    assert_eq!(down.body["alerts"][0]["labels"]["severity"], "critical");
    // Rebooting and renumbering devices: their rate intervals across a reboot are gaps.
    for h in &hooks {
        for a in h.body["alerts"].as_array().unwrap() {
            let d = a["labels"]["device"].as_str().unwrap();
            assert!(d != "dev0003" && d != "dev0004", "a false rate alert: {a}");
        }
    }
    let all: Vec<Value> = ["firing", "pending", "resolved"]
        .iter()
        .flat_map(|s| api_alerts(http, &format!("state={s}")))
        .collect();
    assert!(
        all.iter()
            .all(|a| a["rule"] != "false-rate" && a["rule"] != "false-errors"),
        "{all:#?}"
    );
    let metrics = http_get(http, "/metrics").1;
    assert!(
        metrics.contains("irisops_alerts{state=\"firing\",severity=\"critical\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "irisops_webhook_sent_total{{receiver=\"hook\"}} {}",
            hooks.len()
        )),
        "{metrics}"
    );
}

#[test]
fn a_notification_survives_a_sigkill_and_a_503_and_arrives_with_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let sim = free_udp_port();
    let _sim = simulate_on(
        dir.path(),
        sim,
        5,
        2,
        4,
        "[[fault]]\ndevice = 2\nkind = \"dead\"\n",
    );
    // Nothing listens on the receiver's port yet: every attempt fails to connect.
    let hook_port = free_tcp_port();
    let rules = format!(
        "{}[[alert]]\nname = \"down\"\nmetric = \"device_up\"\nop = \"==\"\nvalue = 0\nreceivers = [\"hook\"]\n",
        receiver_block("hook", hook_port)
    );
    let cfg = config(dir.path(), sim, 2, &rules);
    let http = free_tcp_port();
    let mut first = serve(dir.path(), &cfg, http, 1);
    let t = Instant::now();
    while api_alerts(http, "state=firing").is_empty() {
        assert!(t.elapsed() < Duration::from_secs(30), "down never fired");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The alert is in the store, so its notification is in the outbox: kill -9.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let receiver = Receiver::start(hook_port, |n| if n == 0 { 503 } else { 200 });
    let _second = serve(dir.path(), &cfg, http, 2);
    receiver.wait(Duration::from_secs(40), "a 200 after the 503", |hs| {
        hs.iter().any(|h| h.status == 200)
    });
    // Nothing more comes: the restored alert is still firing, not fired again.
    std::thread::sleep(Duration::from_secs(6));
    let hooks = receiver.hooks();
    assert_eq!(hooks.len(), 2, "{hooks:#?}");
    assert_eq!((hooks[0].status, hooks[1].status), (503, 200));
    assert_eq!(hooks[0].id, hooks[1].id, "the same message id on the retry");
    assert_eq!(hooks[0].body, hooks[1].body);
    assert!(hooks.iter().all(|h| h.signature_ok), "{hooks:#?}");
    let a = &hooks[1].body["alerts"][0];
    assert_eq!(
        (a["status"].as_str(), a["labels"]["device"].as_str()),
        (Some("firing"), Some("dev0002"))
    );
    let metrics = http_get(http, "/metrics").1;
    assert!(
        metrics.contains("irisops_webhook_retries_total{receiver=\"hook\"} 1"),
        "{metrics}"
    );
}

/// The demo's `optic-loss` rule (`optic_loss_excess_db > 3`, the drift's default margin) fires
/// on the receiving end of exactly the directions `GET /api/v1/topology/drift` lists as losing
/// more than their route explains (the simulator's dirty connectors), with the same excess: the
/// rule reads each poll with the other end's last level, the drift the store's levels.
#[test]
fn the_demo_fires_optic_loss_on_the_directions_the_drift_lists() {
    let dir = tempfile::tempdir().unwrap();
    let (_demo, http, tokens) = start_demo(dir.path(), 2, 4);
    let token = demo_token(&tokens, "engineer");
    let get = |path: &str| -> Value {
        let (code, body) = http_as(http, "GET", path, None, Some(token));
        assert_eq!(code, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    };
    // (circuit, receiving device, port, lane) → excess, dB; each a text of the answers
    // (the alert's lane a label, the drift's a number).
    type Key = (String, String, String, String);
    let key = |circuit: &Value, device: &Value, port: &Value, lane: String| -> Key {
        let text = |v: &Value, what| v.as_str().expect(what).to_string();
        let (c, d, p) = (
            text(circuit, "circuit"),
            text(device, "device"),
            text(port, "port"),
        );
        (c, d, p, lane)
    };
    let drift = || -> std::collections::BTreeMap<Key, f64> {
        let d = get("/api/v1/topology/drift");
        d["loss_excess"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let lane = e["lane"].as_u64().unwrap_or(0).to_string();
                let k = key(&e["circuit"], &e["to"]["device"], &e["to"]["port"], lane);
                (k, e["excess_db"].as_f64().unwrap())
            })
            .collect()
    };
    let fired = || -> std::collections::BTreeMap<Key, f64> {
        let a = get("/api/v1/alerts?state=firing");
        a["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == "optic-loss")
            .map(|a| {
                let (l, n) = (&a["labels"], &a["annotations"]);
                let lane = l["lane"].as_str().unwrap_or("0").to_string();
                let k = key(&n["circuit"], &l["device"], &l["port"], lane);
                (k, a["value"].as_f64().expect("the alert's value"))
            })
            .collect()
    };
    // The backbone is polled every 30 s: the first round gives the levels, the second a value
    // for every direction (both ends read), `for = "30s"` fires at the third.
    let t = Instant::now();
    let (mut want, mut got) = (drift(), fired());
    while t.elapsed() < Duration::from_secs(150) && (want.is_empty() || got.len() < want.len()) {
        std::thread::sleep(Duration::from_secs(2));
        (want, got) = (drift(), fired());
    }
    assert!(!want.is_empty(), "the demo's drift lists no loss excess");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the optic-loss alerts' directions are the drift's"
    );
    // The simulator's levels wobble by ±0.02 dB a reading (collector/simulator/src/router.rs):
    // two readings of both ends may differ by 0.08 dB.
    for (k, excess) in &want {
        let v = got[k];
        assert!(
            (v - excess).abs() <= 0.1,
            "{k:?}: alert value {v} against the drift's excess {excess}"
        );
        assert!(v > 3.0, "{k:?}: {v} fires a `> 3` rule");
    }
}
