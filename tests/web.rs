//! The web page in a real headless Chromium: served by `irisops serve`, its script renders the
//! devices and ports from the API into the DOM.

use std::process::{Command, Stdio};

use crate::simulator::{serve_fleet, wait_for_metrics};
use crate::util::*;

#[test]
fn the_page_renders_devices_and_ports_in_chromium() {
    let chromium = require(
        "chromium",
        "the Debian package chromium (tests/run installs it)",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_sim, _serve, http) = serve_fleet(dir.path(), 8, 6);
    wait_for_metrics(
        http,
        &[("irisops_rates_total", 6.0), ("irisops_polls_total", 24.0)],
    );
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
