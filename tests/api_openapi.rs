//! The OpenAPI document of a running `irisops demo`, and Schemathesis (PyPI, installed by
//! `tests/run` into the venv) run against it with the admin's token: no answer is a 5xx and
//! every answer matches the schema the document gives it. The interactive reference renders
//! every operation in headless Chromium.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

/// Schemathesis' `st`: `IRISOPS_SCHEMATHESIS` (set by `tests/run`), else the suite's venv.
fn schemathesis() -> PathBuf {
    let bin = std::env::var_os("IRISOPS_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/irisops/venv/bin/st")
        });
    assert!(
        bin.is_file(),
        "schemathesis missing at {}: install it with `pip install 'schemathesis==4.32.*'` into \
         the venv (tests/run does), or set IRISOPS_SCHEMATHESIS",
        bin.display()
    );
    bin
}

/// A GET with a bearer token: status and body (the API's JSON answers carry a length).
fn get_as(port: u16, path: &str, token: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let code = buf.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = buf.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (code, body.to_string())
}

/// The port keys of `device` once it has been polled (the demo polls every 10 s).
fn polled_ports(http: u16, admin: &str, device: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let (code, body) = get_as(http, &format!("/api/v1/devices/{device}/ports"), admin);
        if code == 200 {
            let v: Value = serde_json::from_str(&body).unwrap();
            let keys: Vec<String> = v["ports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["key"].as_str().unwrap().to_string())
                .collect();
            if !keys.is_empty() {
                return keys;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "{device} not polled: {code} {body}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Schemathesis' configuration: half of the generated device names, times and steps are ones
/// the demo knows, and the port routes ask for a polled port (a fixed value: Schemathesis
/// leaves a dictionary's value with a `/` out of a path), so the tests reach the store and not
/// only the 404s.
///
/// The cadastre's writes: half of the `If-Match` headers name a version the demo's cadastre
/// reaches (it starts at 1), so a change set or import Schemathesis makes up gets past the
/// precondition and is read, validated and, when valid, written. An undo always names a stale
/// version (`"0"`): an undo of version 1 with a current `If-Match` would delete the whole demo
/// network, and every read after it would be fuzzed on an empty cadastre; the undo's body and
/// version are still read first, and its writes are covered by `api_cadastre` and the unit
/// tests.
fn schemathesis_config(device: &str, port: &str) -> String {
    format!(
        "[dictionaries.devices]\nvalues = [{device:?}, \"dev0002\", \"pop-01\"]\n\
         [dictionaries.times]\n\
         values = [\"0\", \"1700000000000\", \"2026-01-01T00:00:00Z\", \"253402300799999\"]\n\
         [dictionaries.steps]\nvalues = [\"60\", \"5m\", \"1h\", \"0\"]\n\
         [dictionaries.versions]\n\
         values = ['\"1\"', '\"2\"', '\"3\"', '\"4\"', '5', 'W/\"6\"']\n\
         [parameters]\n\
         \"path.name\" = {{ dictionary = \"devices\", probability = 0.5 }}\n\
         \"query.from\" = {{ dictionary = \"times\", probability = 0.5 }}\n\
         \"query.to\" = {{ dictionary = \"times\", probability = 0.5 }}\n\
         \"query.step\" = {{ dictionary = \"steps\", probability = 0.5 }}\n\
         \"header.If-Match\" = {{ dictionary = \"versions\", probability = 0.5 }}\n\
         [[operations]]\n\
         include-path-regex = \"^/api/v1/ports/\"\n\
         parameters = {{ \"path.device\" = {device:?}, \"path.port\" = {port:?} }}\n\
         [[operations]]\n\
         include-path-regex = \"^/api/v1/cadastre/undo/\"\n\
         parameters = {{ \"header.If-Match\" = '\"0\"' }}\n"
    )
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_off_its_schema() {
    let st = schemathesis();
    let dir = tempfile::tempdir().unwrap();
    let (_demo, http, tokens) = start_demo(dir.path(), 2, 4);
    let admin = demo_token(&tokens, "admin").to_string();
    let (code, body) = http_get(http, "/api/openapi.json");
    assert_eq!(code, 200, "the document is open: {body}");
    let doc: Value = serde_json::from_str(&body).expect("the document is JSON");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/devices",
        "/api/v1/wifi",
        "/api/v1/cadastre/stats",
        "/api/v1/topology/paths",
        "/api/v1/spare",
        "/api/v1/quote",
        "/api/v1/links",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path} documented");
    }
    assert!(paths.len() >= 12, "{} paths", paths.len());
    assert_eq!(http_get(http, "/api/docs/").0, 200, "the reference is open");

    let ports = polled_ports(http, &admin, "dev0001");
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(&config, schemathesis_config("dev0001", &ports[0])).unwrap();
    let base = format!("http://127.0.0.1:{http}");
    let started = Instant::now();
    let out = Command::new(st)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("{base}/api/openapi.json"))
        .args(["--url", &base])
        .args(["-H", &format!("Authorization: Bearer {admin}")])
        .args(["--checks", "not_a_server_error,response_schema_conformance"])
        .args(["--max-examples", "20", "--request-timeout", "10"])
        .arg("--report-dir")
        .arg(dir.path().join("schemathesis-report"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemathesis");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis failed ({}):\n{text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // It tested every documented operation (all but the document itself, which it reads).
    let selected = summary_number(&text, "Selected:");
    let tested = summary_number(&text, "Tested:");
    assert_eq!(selected, tested, "not every operation was tested:\n{text}");
    assert!(
        tested + 1 >= operations(&doc),
        "{tested} of {} operations tested:\n{text}",
        operations(&doc)
    );
    eprintln!("schemathesis: {:.1} s", started.elapsed().as_secs_f64());

    // The reference renders every operation in a browser, from the binary's files alone.
    let dom = crate::web::dump_dom(dir.path(), &format!("{base}/api/docs"));
    for path in paths.keys() {
        assert!(
            dom.contains(&format!("data-path=\"{path}\"")),
            "{path} in the reference:\n{dom}"
        );
    }
}

/// The first number after `label` in Schemathesis' summary (`Selected: 12/12` → 12).
fn summary_number(text: &str, label: &str) -> usize {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| {
            let digits: String = rest
                .trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no {label:?} in the summary:\n{text}"))
}

/// The number of operations in the document.
fn operations(doc: &Value) -> usize {
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            ["get", "put", "post", "delete", "patch"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum()
}
