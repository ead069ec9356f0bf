//! The HTTP server's connection limits on a real `irisops serve`: connections that never send
//! a complete request head, and idle keep-alive connections, are closed after
//! `[api] header_timeout`, while well-behaved clients are served.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::simulator::start_serve;
use crate::util::*;

/// The token of the test's `[[api.token]]` (the config holds its SHA-256 only).
const TOKEN: &str = "limits-test-token";
const TOKEN_SHA256: &str = "539a60e8a7b3038b98675ee8194c037c787f052e9cf37435ecb01bbb74ca78b8";

/// `irisops serve` with no device, one admin token and `header_timeout = "1s"`; its port once
/// `/healthz` answers.
fn serve(dir: &Path) -> (Proc, u16) {
    let cfg = dir.join("irisops.toml");
    let text = format!(
        "{}[api]\nheader_timeout = \"1s\"\n[[api.token]]\nname = \"bench\"\nrole = \"admin\"\nsha256 = \"{TOKEN_SHA256}\"\n",
        config(&dir.join("store"), &[])
    );
    std::fs::write(&cfg, text).unwrap();
    let (p, port) = start_serve(&cfg);
    wait_healthy(port, Duration::from_secs(20));
    (p, port)
}

/// One GET with the token on a fresh connection: the status line's code.
fn get_with_token(port: u16, path: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    buf.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// Whether the server closed `s` (end of stream or reset) before `deadline`, reading and
/// dropping whatever it sent first.
fn closed_by(s: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn half_open_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, port) = serve(dir.path());
    let opened = Instant::now();
    let mut half_open: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .unwrap();
            s
        })
        .collect();
    // While they hang, a complete request is served.
    assert_eq!(get_with_token(port, "/api/v1/devices"), 200);
    let deadline = opened + Duration::from_secs(4);
    let still_open = half_open
        .iter_mut()
        .map(|s| closed_by(s, deadline))
        .filter(|closed| !closed)
        .count();
    assert_eq!(
        still_open, 0,
        "connections still open 4 s after they were opened"
    );
    assert!(
        opened.elapsed() >= Duration::from_millis(900),
        "closed before the timeout"
    );
    assert_eq!(get_with_token(port, "/api/v1/devices"), 200);
    // Ctrl-C with half-open connections still there: the server stops all the same.
    let _hanging: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    let t = Instant::now();
    interrupt(&mut server);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "stopped in {:?}",
        t.elapsed()
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (_serve, port) = serve(dir.path());
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.ends_with("ok\n"),
        "the whole answer in one read: {head}"
    );
    let answered = Instant::now();
    assert!(
        closed_by(&mut s, answered + Duration::from_secs(3)),
        "the idle connection is still open 3 s after its answer"
    );
    assert!(answered.elapsed() >= Duration::from_millis(900));
}
