//! Fixtures: free ports, real agents started as child processes (killed on drop), the
//! `irisops` binary, temporary configs.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free UDP port on 127.0.0.1.
pub fn free_udp_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind a free port");
    s.local_addr().expect("local addr").port()
}

/// Path of a binary on PATH, or a failure that says what to install.
pub fn require(bin: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(bin);
        if p.is_file() {
            return p;
        }
    }
    for dir in ["/usr/sbin", "/sbin"] {
        let p = Path::new(dir).join(bin);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{bin}` is missing: install {package} (tests/run does: apt-get install snmpd snmp)");
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The `irisops` binary: `IRISOPS_BIN`, else `target/debug/irisops` (built by `tests/run`).
pub fn irisops() -> PathBuf {
    if let Some(p) = std::env::var_os("IRISOPS_BIN") {
        return PathBuf::from(p);
    }
    let p = root().join("target/debug/irisops");
    assert!(
        p.is_file(),
        "no irisops binary at {}: run `cargo build -p api` (tests/run does) or set IRISOPS_BIN",
        p.display()
    );
    p
}

/// Waits until `snmpget` answers on `port` with `community`.
pub fn wait_for_agent(port: u16, community: &str, within: Duration) {
    let snmpget = require("snmpget", "the Debian package snmp");
    let start = Instant::now();
    while start.elapsed() < within {
        let ok = Command::new(&snmpget)
            .args(["-v2c", "-c", community, "-t", "0.3", "-r", "0"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("1.3.6.1.2.1.1.3.0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("agent on 127.0.0.1:{port} did not answer within {within:?}");
}

/// net-snmp's snmpd on a free port, with v2c `public` and two v3 users.
pub fn start_snmpd(dir: &Path) -> (Proc, u16) {
    let snmpd = require("snmpd", "the Debian package snmpd");
    let port = free_udp_port();
    let conf = dir.join("snmpd.conf");
    std::fs::write(
        &conf,
        format!(
            "agentAddress udp:127.0.0.1:{port}\nrocommunity public 127.0.0.1\n\
             createUser itsha SHA \"itauthpass\" AES \"itprivpass\"\nrouser itsha priv\n\
             createUser it512 SHA-512 \"itauthpass512\" AES-256 \"itprivpass256\"\nrouser it512 priv\n"
        ),
    )
    .expect("write snmpd.conf");
    let persist = dir.join("persist");
    std::fs::create_dir_all(&persist).expect("persist dir");
    let child = Command::new(snmpd)
        .args(["-f", "-C", "-c"])
        .arg(&conf)
        .arg("-Lf")
        .arg(dir.join("snmpd.log"))
        .env("SNMP_PERSISTENT_DIR", &persist)
        .env("MIBS", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start snmpd");
    let p = Proc(child);
    wait_for_agent(port, "public", Duration::from_secs(10));
    (p, port)
}

/// snmpsim serving the `.snmprec` files of `data`; the community is the file name.
pub fn start_snmpsim(data: &Path, work: &Path) -> (Proc, u16) {
    let bin = std::env::var_os("IRISOPS_SNMPSIM").map(PathBuf::from).unwrap_or_else(|| {
        panic!("IRISOPS_SNMPSIM is not set: run the suite with tests/run (it installs snmpsim in a venv)")
    });
    assert!(
        bin.is_file(),
        "snmpsim missing at {}: run tests/run",
        bin.display()
    );
    let port = free_udp_port();
    let child = Command::new(bin)
        .arg(format!("--data-dir={}", data.display()))
        .arg(format!("--agent-udpv4-endpoint=127.0.0.1:{port}"))
        .arg("--log-level=error")
        .arg(format!(
            "--cache-dir={}",
            work.join("snmpsim-cache").display()
        ))
        .env("SNMPSIM_ALLOW_ROOT", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start snmpsim");
    let p = Proc(child);
    let first = std::fs::read_dir(data)
        .expect("data dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "snmprec"))
        .expect("a .snmprec file");
    let community = first
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .to_string();
    // snmpsim indexes every recording before it answers: the 65 LibreNMS recordings take
    // minutes on 2 cores while the other tests run (the acceptance check allows 300 s too).
    wait_for_agent(port, &community, Duration::from_secs(300));
    (p, port)
}

/// Runs `irisops poll --once --format json` on a config; the parsed JSON.
pub fn poll_json(config: &Path, gap: &str) -> serde_json::Value {
    let out = Command::new(irisops())
        .args([
            "poll", "--once", "--format", "json", "--gap", gap, "--config",
        ])
        .arg(config)
        .output()
        .expect("run irisops poll");
    assert!(
        out.status.success(),
        "irisops poll failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("poll prints JSON")
}

/// The devices of a poll output, by name.
pub fn devices(v: &serde_json::Value) -> std::collections::BTreeMap<String, serde_json::Value> {
    v["devices"]
        .as_array()
        .expect("devices[]")
        .iter()
        .map(|d| (d["name"].as_str().expect("name").to_string(), d.clone()))
        .collect()
}

/// A config text with one `[auth.NAME]` + `[[device]]` per entry (name, port, auth TOML body).
pub fn config(store: &Path, devices: &[(&str, u16, &str)]) -> String {
    let mut s = format!("[store]\npath = {:?}\n", store.display().to_string());
    for (name, port, auth) in devices {
        let a = name.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        s.push_str(&format!(
            "[auth.{a}]\n{auth}\n[[device]]\nname = {name:?}\naddress = \"127.0.0.1:{port}\"\nauth = \"{a}\"\ntimeout = \"2s\"\n"
        ));
    }
    s
}

/// Runs the real binary with `args`; it must succeed and print JSON, which is returned.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(irisops())
        .args(args)
        .output()
        .expect("run irisops");
    assert!(
        out.status.success(),
        "irisops {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A free TCP port on 127.0.0.1.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .expect("local address")
        .port()
}

/// Stops a process with SIGINT (a clean shutdown) and waits at most 20 s for it to end.
pub fn interrupt(p: &mut Proc) {
    let _ = Command::new("kill")
        .args(["-INT", &p.0.id().to_string()])
        .status();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if p.0.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("process {} did not stop on SIGINT", p.0.id());
}

/// Waits until the server on `port` answers `GET /healthz` with 200 (at most `within`; a
/// refused connection is retried, since the HTTP helpers panic on one).
pub fn wait_healthy(port: u16, within: Duration) {
    let t = Instant::now();
    while t.elapsed() < within {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http_as(port, "GET", "/healthz", None, None).0 == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server on 127.0.0.1:{port} did not answer /healthz within {within:?}");
}

/// The API token every test server grants `admin` (see [`with_test_token`]); [`http_get`]
/// and [`http_post`] send it.
pub const TEST_TOKEN: &str = "irisops_test_admin_token_not_a_secret_0123456789";

/// Grants [`TEST_TOKEN`] the `admin` role in the configuration file `cfg` (once).
pub fn with_test_token(cfg: &Path) {
    use sha2::{Digest, Sha256};
    let text = std::fs::read_to_string(cfg).expect("read the test config");
    if text.contains("name = \"tests\"") {
        return;
    }
    let hash: String = Sha256::digest(TEST_TOKEN.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let block =
        format!("\n[[api.token]]\nname = \"tests\"\nrole = \"admin\"\nsha256 = \"{hash}\"\n");
    std::fs::write(cfg, text + &block).expect("write the test config");
}

/// One HTTP/1.1 request to 127.0.0.1 with [`TEST_TOKEN`] (a form body when `body` is given):
/// status and body, a chunked body decoded.
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    http_as(port, method, path, body, Some(TEST_TOKEN))
}

/// The same with this bearer token, or none.
pub fn http_as(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let form = body.map_or(String::new(), |b| {
        format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            b.len()
        )
    });
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}{form}\r\n{}",
        body.unwrap_or("")
    )
    .unwrap();
    // A binary answer (the cadastre's export, a zip) is read lossily: callers compare text.
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let buf = String::from_utf8_lossy(&bytes).into_owned();
    let code = buf.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = buf.split_once("\r\n\r\n").unwrap_or((&buf, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        code,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

pub fn http_get(port: u16, path: &str) -> (u16, String) {
    http(port, "GET", path, None)
}

pub fn http_post(port: u16, path: &str, form: &str) -> (u16, String) {
    http(port, "POST", path, Some(form))
}

/// Undoes chunked transfer encoding.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// Marks the calling test as skipped, for a reason outside the repository (shared test data
/// that a clean clone lacks); the caller returns right after. libtest has no run-time skip, so
/// the test still shows as passed there: this prints `SKIPPED <test>: <reason>` and appends the
/// same line to the file named by `IRISOPS_SKIPS`, which `tests/run` counts as skipped (and
/// takes off the passed count). A missing tool is never a skip: `require` fails the test.
pub fn skip(reason: &str) {
    use std::io::Write;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("an unnamed test");
    let line = format!("SKIPPED {test}: {reason}");
    eprintln!("{line}");
    if let Some(path) = std::env::var_os("IRISOPS_SKIPS") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open IRISOPS_SKIPS {}: {e}", path.to_string_lossy()));
        writeln!(f, "{line}").expect("append to IRISOPS_SKIPS");
    }
}

/// `irisops demo` on a free port with `devices` × `ports` simulated, its data in `dir/demo`:
/// the process, its HTTP port once it answers, and each role's token (from `DATA/tokens`).
pub fn start_demo(dir: &Path, devices: u32, ports: u32) -> (Proc, u16, Vec<(String, String)>) {
    let http = free_tcp_port();
    let child = Command::new(irisops())
        .args([
            "demo",
            "--devices",
            &devices.to_string(),
            "--ports",
            &ports.to_string(),
        ])
        .arg("--listen")
        .arg(format!("127.0.0.1:{http}"))
        .arg("--data")
        .arg(dir.join("demo"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops demo");
    let demo = Proc(child);
    wait_healthy(http, Duration::from_secs(60));
    let tokens = std::fs::read_to_string(dir.join("demo/tokens")).expect("DATA/tokens");
    let tokens = tokens
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(r, t)| (r.to_string(), t.trim().to_string()))
        .collect();
    (demo, http, tokens)
}

/// The token of `role` among the demo's.
pub fn demo_token<'a>(tokens: &'a [(String, String)], role: &str) -> &'a str {
    &tokens
        .iter()
        .find(|(r, _)| r == role)
        .unwrap_or_else(|| panic!("no {role} token"))
        .1
}

/// The ifName of every port `snmpbulkwalk` (v2c, community `public`) reads from the agent on
/// `port`, sorted.
pub fn walk_if_names(port: u16) -> Vec<String> {
    walk_if_names_with(port, &[])
}

/// As [`walk_if_names`], with more `snmpbulkwalk` options (`-t 1 -r 2`).
pub fn walk_if_names_with(port: u16, options: &[&str]) -> Vec<String> {
    let walk = require("snmpbulkwalk", "the Debian package snmp");
    let out = Command::new(walk)
        .args(["-v2c", "-c", "public", "-On", "-Oqv"])
        .args(options)
        .arg(format!("127.0.0.1:{port}"))
        .arg("1.3.6.1.2.1.31.1.1.1.1")
        .output()
        .expect("snmpbulkwalk");
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_matches('"').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    names.sort();
    names
}
