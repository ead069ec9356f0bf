//! Tokens and roles through the real binary: `irisops token new` prints a token once with a
//! config block that `check-config` accepts; `serve` answers 401 without a token and 403 for a
//! role without the permission; it refuses a non-loopback address with no token configured;
//! `irisops demo` writes one token per role (mode 600) and prints the admin's URL.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::simulator::start_serve;
use crate::util::*;

/// `irisops token new` → (token, config block).
fn new_token(name: &str, role: &str) -> (String, String) {
    let out = Command::new(irisops())
        .args(["token", "new", "--name", name, "--role", role])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .find(|l| l.starts_with("irisops_"))
        .expect("a token line")
        .to_string();
    let block = text[text.find("[[api.token]]").expect("a config block")..].to_string();
    (token, block)
}

#[test]
fn tokens_roles_and_refusals_through_serve() {
    let dir = tempfile::tempdir().unwrap();
    let (op_token, op_block) = new_token("acme-telecom", "operator");
    let (viewer_token, viewer_block) = new_token("noc", "viewer");
    assert_ne!(op_token, viewer_token);
    assert!(
        !op_block.contains(&op_token),
        "the block holds the hash, not the token"
    );
    let bad = Command::new(irisops())
        .args(["token", "new", "--name", "x", "--role", "root"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role"));
    let cfg = dir.path().join("irisops.toml");
    let base = format!(
        "[store]\npath = {:?}\n",
        dir.path().join("store").display().to_string()
    );
    std::fs::write(&cfg, format!("{base}{op_block}\n{viewer_block}\n")).unwrap();
    let check = Command::new(irisops())
        .arg("check-config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let (_serve, http) = start_serve(&cfg);
    wait_healthy(http, Duration::from_secs(60));
    let (code, body) = http_as(http, "GET", "/api/v1/devices", None, None);
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("\"error\""), "{body}");
    assert_eq!(
        http_as(http, "GET", "/api/v1/devices", None, Some("irisops_bogus")).0,
        401
    );
    assert_eq!(
        http_as(http, "GET", "/api/v1/devices", None, Some(&viewer_token)).0,
        200
    );
    assert_eq!(
        http_as(http, "GET", "/api/v1/devices", None, Some(&op_token)).0,
        403
    );
    assert_eq!(
        http_as(http, "GET", "/metrics", None, Some(&op_token)).0,
        403
    );
    assert_eq!(
        http_as(http, "GET", "/metrics", None, Some(&viewer_token)).0,
        200
    );
    // The same config without tokens, on every address: refused, naming tokens.
    std::fs::write(&cfg, &base).unwrap();
    let out = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(&cfg)
        .args(["--listen", &format!("0.0.0.0:{}", free_tcp_port())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("token"), "{err}");
}

#[test]
fn demo_writes_one_private_token_per_role_and_prints_the_admin_url() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let http = free_tcp_port();
    let mut child = Command::new(irisops())
        .args(["demo", "--devices", "2", "--ports", "2", "--listen"])
        .arg(format!("127.0.0.1:{http}"))
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _proc = Proc(child);
    // Read stderr to its end in a thread (a closed pipe would fail the demo's next print);
    // the URL line comes back over a channel.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let (Some(i), true) = (line.find("http://"), line.contains("#token=")) {
                let _ = tx.send(line[i..].trim().to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("demo prints the admin's URL with #token=");
    let token = url.split("#token=").nth(1).unwrap().to_string();
    let file = data.join("tokens");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "tokens file mode {mode:o}");
    let text = std::fs::read_to_string(&file).unwrap();
    let roles: Vec<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(
        roles,
        [
            "viewer",
            "engineer",
            "planner",
            "commercial",
            "operator",
            "admin"
        ]
    );
    assert!(text.contains(&format!("admin {token}")));
    wait_healthy(http, Duration::from_secs(60));
    assert_eq!(
        http_as(http, "GET", "/api/v1/devices", None, Some(&token)).0,
        200
    );
    let operator = text
        .lines()
        .find_map(|l| l.strip_prefix("operator "))
        .unwrap();
    assert_eq!(
        http_as(http, "GET", "/api/v1/devices", None, Some(operator)).0,
        403
    );
    // The token never travels in a query string: the app reads it from the fragment and sends
    // it as a bearer header (its shell and its API client, served open from the binary).
    let page = http_as(http, "GET", "/", None, None).1;
    assert!(page.contains("/web/app.js"), "{page}");
    let shell = http_as(http, "GET", "/web/app.js", None, None).1;
    assert!(
        shell.contains("location.hash") && shell.contains("token="),
        "{shell}"
    );
    let client = http_as(http, "GET", "/web/api.js", None, None).1;
    assert!(client.contains("Bearer"), "{client}");
}
