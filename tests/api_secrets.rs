//! No secret in any answer: `irisops serve` with a configuration holding a v2c community, SNMPv3
//! passwords, an InfluxDB token and API token hashes; every GET route of its OpenAPI document
//! (path parameters filled from the demo cadastre and the fleet), asked with every role, must
//! answer without any of them in its body or headers.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::simulator::start_serve;
use crate::util::*;

const ROLES: [&str; 6] = [
    "viewer",
    "engineer",
    "planner",
    "commercial",
    "operator",
    "admin",
];
const COMMUNITY: &str = "commSecret5e1f";
const AUTH_PASS: &str = "authSecret7f3a9";
const PRIV_PASS: &str = "privSecret91c2d";
const INFLUX_TOKEN: &str = "influxSecret4b8e";

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The config: a simulated device, an unreachable v2c device under a secret community and an
/// unreachable v3 one, an
/// InfluxDB sink nobody answers, the demo cadastre and one token per role.
fn config(dir: &std::path::Path, sim: u16, data: &std::path::Path) -> String {
    let mut c = format!(
        "[store]\npath = {:?}\n[cadastre]\ndata = {:?}\n\
         [influx]\nurl = \"http://127.0.0.1:{}\"\norg = \"o\"\nbucket = \"b\"\ntoken = \"{INFLUX_TOKEN}\"\n\
         [auth.sim]\nversion = \"2c\"\ncommunity = \"dev0001\"\n\
         [auth.c]\nversion = \"2c\"\ncommunity = \"{COMMUNITY}\"\n\
         [auth.v3]\nversion = \"3\"\nuser = \"noc\"\nauth_protocol = \"SHA-256\"\nauth_password = \"{AUTH_PASS}\"\npriv_protocol = \"AES\"\npriv_password = \"{PRIV_PASS}\"\n\
         [[device]]\nname = \"dev0001\"\naddress = \"127.0.0.1:{sim}\"\nauth = \"sim\"\nschedule = \"*/2 * * * * *\"\ntimeout = \"1s\"\n\
         [[device]]\nname = \"unreachable-v2\"\naddress = \"127.0.0.1:9\"\nauth = \"c\"\nschedule = \"*/2 * * * * *\"\ntimeout = \"1s\"\n\
         [[device]]\nname = \"unreachable\"\naddress = \"127.0.0.1:9\"\nauth = \"v3\"\ntimeout = \"1s\"\n",
        dir.join("store").display().to_string(),
        data.display().to_string(),
        free_tcp_port(),
    );
    for r in ROLES {
        c.push_str(&format!(
            "[[api.token]]\nname = \"t-{r}\"\nrole = \"{r}\"\nsha256 = \"{}\"\n",
            hex_sha256(&format!("token-{r}-0123456789"))
        ));
    }
    c
}

/// Fills `{name}` path parameters with a value the server knows.
fn fill(path: &str) -> String {
    path.replace("{name}", "dev0001")
        .replace("{device}", "dev0001")
        .replace("{port}", "1")
        .replace("{layer}", "routes")
        .replace("{version}", "1")
        .replace("{v}", "1")
}

#[test]
fn no_route_answers_a_secret_to_any_role() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cadastre");
    let ok = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "3", "--out"])
        .arg(&data)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let sim = free_udp_port();
    let _sim = Proc(
        Command::new(irisops())
            .args(["simulate", "--devices", "1", "--ports", "4", "--listen"])
            .arg(format!("127.0.0.1:{sim}"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let cfg = dir.path().join("irisops.toml");
    std::fs::write(&cfg, config(dir.path(), sim, &data)).unwrap();
    let (_serve, http) = start_serve(&cfg);
    wait_healthy(http, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(5)); // a few polls, a failing v3 device and sink
    let (code, doc) = http_as(http, "GET", "/api/openapi.json", None, None);
    assert_eq!(code, 200, "{doc}");
    let doc: Value = serde_json::from_str(&doc).expect("the OpenAPI document is JSON");
    let gets: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(p, _)| fill(p))
        .collect();
    assert!(
        gets.len() >= 10,
        "only {} GET routes documented",
        gets.len()
    );
    let mut secrets = vec![
        COMMUNITY.to_string(),
        AUTH_PASS.to_string(),
        PRIV_PASS.to_string(),
        INFLUX_TOKEN.to_string(),
        TEST_TOKEN.to_string(),
        hex_sha256(TEST_TOKEN),
    ];
    for r in ROLES {
        secrets.push(format!("token-{r}-0123456789"));
        secrets.push(hex_sha256(&format!("token-{r}-0123456789")));
    }
    let mut leaks = Vec::new();
    let mut answered = 0;
    for path in &gets {
        for r in ROLES {
            let token = format!("token-{r}-0123456789");
            let (code, body) = http_as(http, "GET", path, None, Some(&token));
            answered += usize::from(code == 200);
            for s in &secrets {
                if body.contains(s.as_str()) {
                    leaks.push(format!("{path} as {r}: {s}"));
                }
            }
        }
    }
    assert!(
        answered >= gets.len(),
        "too few 200s ({answered}): the walk read nothing"
    );
    assert!(leaks.is_empty(), "secrets answered: {leaks:?}");
}
