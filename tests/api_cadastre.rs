//! The cadastre's HTTP writes against a real `irisops serve` (a `generate-demo --seed 3` data
//! directory, a planner token made by `irisops token new`): concurrent edits on one base
//! version, exactly one wins; the layer's ETag, the history and the export follow.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::util::{free_tcp_port, irisops, wait_healthy, Proc};

/// An answer: status, head (lower-cased), body.
struct Answer {
    code: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn etag_version(&self) -> u64 {
        let line = self.head.lines().find(|l| l.starts_with("etag:")).unwrap();
        line["etag:".len()..]
            .trim()
            .trim_matches('"')
            .parse()
            .unwrap()
    }
}

/// One HTTP/1.1 request with a bearer token, extra headers and a JSON body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, String)],
    body: Option<&Value>,
) -> Answer {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
    let code = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut body = buf[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Answer { code, head, body }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..eol]);
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        let data = &rest[eol + 2..];
        if n == 0 || data.len() < n {
            break;
        }
        out.extend_from_slice(&data[..n]);
        rest = data[n..].strip_prefix(b"\r\n").unwrap_or(&data[n..]);
    }
    out
}

/// A planner token from `irisops token new`: the token and its config block.
fn planner_token() -> (String, String) {
    let out = Command::new(irisops())
        .args(["token", "new", "--name", "it-planner", "--role", "planner"])
        .output()
        .expect("run irisops token new");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .find(|l| l.starts_with("irisops_"))
        .expect("a token")
        .to_string();
    let block = &text[text.find("[[api.token]]").expect("a config block")..];
    (token, block.to_string())
}

/// `irisops serve` of a seed-3 demo cadastre with one planner token: the process, its port,
/// the token.
fn serve(dir: &Path) -> (Proc, u16, String) {
    let data = dir.join("cadastre");
    let ok = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "3", "--out"])
        .arg(&data)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let (token, block) = planner_token();
    let port = free_tcp_port();
    let cfg = dir.join("irisops.toml");
    let text = format!(
        "[store]\npath = {:?}\n[cadastre]\ndata = {:?}\n[api]\nlisten = \"127.0.0.1:{port}\"\n{block}",
        dir.join("store").display().to_string(),
        data.display().to_string()
    );
    std::fs::write(&cfg, text).unwrap();
    let child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops serve");
    let p = Proc(child);
    wait_healthy(port, Duration::from_secs(20));
    (p, port, token)
}

fn site(id: &str) -> Value {
    json!({"reason": "acceptance", "changes": [{"op": "add", "layer": "sites", "feature": {
        "type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [4.3601, 50.8512]},
        "properties": {"id": id, "name": "PoP Acceptance", "kind": "pop", "owner": "cirb",
            "status": "in_service"}}}]})
}

#[test]
fn eight_concurrent_edits_on_one_version_one_wins_seven_are_stale() {
    let dir = tempfile::tempdir().unwrap();
    let (_serve, port, token) = serve(dir.path());
    let layer = request(
        port,
        "GET",
        "/api/v1/cadastre/layers/sites",
        &token,
        &[],
        None,
    );
    assert_eq!(layer.code, 200);
    let base = layer.etag_version();
    let history = |t: &str| request(port, "GET", "/api/v1/cadastre/history", t, &[], None).json();
    let n_changes = history(&token)["changes"].as_array().unwrap().len();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let edits: Vec<_> = (0..8)
        .map(|i| {
            let (token, barrier) = (token.clone(), barrier.clone());
            std::thread::spawn(move || {
                let body = site(&format!("pop-acc-{i}"));
                let if_match = [("If-Match", format!("\"{base}\""))];
                barrier.wait();
                let a = request(
                    port,
                    "POST",
                    "/api/v1/cadastre/changes",
                    &token,
                    &if_match,
                    Some(&body),
                );
                (i, a.code, a.json())
            })
        })
        .collect();
    let answers: Vec<_> = edits.into_iter().map(|t| t.join().unwrap()).collect();
    let won: Vec<_> = answers.iter().filter(|a| a.1 == 201).collect();
    let stale = answers.iter().filter(|a| a.1 == 412).count();
    assert_eq!((won.len(), stale), (1, 7), "{answers:?}");
    let winner = won[0];
    assert_eq!(winner.2, json!({"version": base + 1}));
    let after = history(&token);
    let changes = after["changes"].as_array().unwrap();
    assert_eq!(changes.len(), n_changes + 1, "one new version");
    assert_eq!(
        (&changes[0]["version"], &changes[0]["author"]),
        (&json!(base + 1), &json!("it-planner"))
    );
    // The export holds the winner's site and none of the seven's.
    let export = request(
        port,
        "GET",
        "/api/v1/cadastre/export?to=geojson",
        &token,
        &[],
        None,
    );
    assert_eq!(export.code, 200);
    assert!(
        export.head.contains("content-type: application/zip"),
        "{}",
        export.head
    );
    let sites = request(
        port,
        "GET",
        "/api/v1/cadastre/layers/sites",
        &token,
        &[],
        None,
    );
    assert_eq!(sites.etag_version(), base + 1);
    let ids: Vec<String> = sites.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            f["id"]
                .as_str()
                .filter(|id| id.starts_with("pop-acc-"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(ids, [format!("pop-acc-{}", winner.0)]);
    // The seven again, on the new version: the export is the same bytes after an answer of 412
    // on the old one.
    let again = request(
        port,
        "POST",
        "/api/v1/cadastre/changes",
        &token,
        &[("If-Match", format!("\"{base}\""))],
        Some(&site("pop-late")),
    );
    assert_eq!(again.code, 412, "{}", again.json());
    let export_again = request(
        port,
        "GET",
        "/api/v1/cadastre/export?to=geojson",
        &token,
        &[],
        None,
    );
    assert_eq!(
        export_again.body, export.body,
        "a refused edit changes nothing"
    );
    let unchanged = request(
        port,
        "GET",
        "/api/v1/cadastre/layers/sites",
        &token,
        &[("If-None-Match", format!("\"{}\"", base + 1))],
        None,
    );
    assert_eq!(unchanged.code, 304);
    let no_token = request(
        port,
        "GET",
        "/api/v1/cadastre/layers/sites",
        "nope",
        &[],
        None,
    );
    assert_eq!(no_token.code, 401);
}
