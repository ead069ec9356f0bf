//! What an engineer reads: at the default log level every warning names its device, and a
//! poll in which every device failed is a failure (exit 3).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::*;

#[test]
fn a_failed_poll_s_warning_names_its_device_at_the_default_level() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing answers on this port: every poll times out.
    let dead = free_udp_port();
    let http = free_tcp_port();
    let cfg = dir.path().join("irisops.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\npath = {:?}\n[api]\nlisten = \"127.0.0.1:{http}\"\n[auth.a]\nversion = \"2c\"\n\
             community = \"public\"\n[[device]]\nname = \"edge-router-7\"\naddress = \"127.0.0.1:{dead}\"\n\
             auth = \"a\"\nschedule = \"* * * * * *\"\ntimeout = \"300ms\"\nretries = 0\nbudget = \"900ms\"\n",
            dir.path().join("store").display().to_string()
        ),
    )
    .unwrap();
    with_test_token(&cfg);
    let mut child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(&cfg)
        .env_remove("IRISOPS_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut serve = Proc(child);
    wait_healthy(http, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(3));
    interrupt(&mut serve);
    let mut text = String::new();
    stderr.read_to_string(&mut text).unwrap();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert!(
        warnings.iter().any(|l| l.contains("poll failed")),
        "no poll warning in:\n{text}"
    );
    for w in &warnings {
        assert!(
            w.contains("edge-router-7"),
            "a warning without its device: {w}"
        );
    }
    assert!(!text.contains("public"), "the community leaked:\n{text}");
}

#[test]
fn a_poll_where_every_device_failed_exits_3_with_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let dead = free_udp_port();
    let cfg = dir.path().join("irisops.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\npath = {:?}\n[auth.a]\nversion = \"2c\"\ncommunity = \"public\"\n[[device]]\n\
             name = \"gone\"\naddress = \"127.0.0.1:{dead}\"\nauth = \"a\"\ntimeout = \"200ms\"\n\
             retries = 0\nbudget = \"500ms\"\n",
            dir.path().join("store").display().to_string()
        ),
    )
    .unwrap();
    let out = Command::new(irisops())
        .args([
            "poll", "--once", "--format", "json", "--gap", "0", "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["devices"][0]["status"], "timeout", "{v}");
}
