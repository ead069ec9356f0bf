//! The web page in a real headless Chromium: served by `irisops serve`, its script renders the
//! devices and ports from the API into the DOM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::simulator::{fleet_config, http_get, metric, start_sim};
use crate::util::*;

#[test]
fn the_page_renders_devices_and_ports_in_chromium() {
    let chromium = require(
        "chromium",
        "the Debian package chromium (tests/run installs it)",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_sim, sim_port) = start_sim(dir.path(), 8, 6);
    let cfg = dir.path().join("fleet.toml");
    std::fs::write(
        &cfg,
        fleet_config(&dir.path().join("store"), sim_port, 8, "*/2 * * * * *"),
    )
    .unwrap();
    let http = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(irisops())
        .args(["serve", "--config"])
        .arg(&cfg)
        .arg("--listen")
        .arg(format!("127.0.0.1:{http}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start irisops serve");
    let _serve = Proc(child);
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        if std::net::TcpStream::connect(("127.0.0.1", http)).is_ok()
            && metric(&http_get(http, "/metrics").1, "irisops_rates_total") >= 6.0
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no rates after 30 s"
        );
    }
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("chromium").display()
        ))
        .arg(format!("http://127.0.0.1:{http}/"))
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("8 devices, 5 up"),
        "summary line rendered:\n{dom}"
    );
    assert!(
        dom.contains(r#"<tr data-name="dev0001""#),
        "device rows rendered:\n{dom}"
    );
    assert!(
        dom.contains(">timeout<"),
        "the dead device shows its status:\n{dom}"
    );
    assert!(
        dom.contains("Ports of dev0001"),
        "ports of the first device:\n{dom}"
    );
    assert!(dom.contains("<polyline"), "a series chart is drawn:\n{dom}");
}
