//! The web page in a real headless Chromium: served by `irisops serve`, its script renders the
//! devices and ports, and the cadastre's map and statistics, from the API into the DOM.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::simulator::{serve_fleet, start_serve, wait_for_metrics};
use crate::util::*;

/// The DOM of `url` after its scripts ran (5 s of virtual time) in headless Chromium.
pub(crate) fn dump_dom(dir: &Path, url: &str) -> String {
    let chromium = require(
        "chromium",
        "the Debian package chromium (tests/run installs it)",
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
            dir.join("chromium").display()
        ))
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_page_renders_devices_and_ports_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, _serve, http) = serve_fleet(dir.path(), 8, 6);
    wait_for_metrics(
        http,
        &[("irisops_rates_total", 6.0), ("irisops_polls_total", 24.0)],
    );
    let dom = dump_dom(
        dir.path(),
        &format!("http://127.0.0.1:{http}/#token={TEST_TOKEN}"),
    );
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

/// `irisops serve` of the generated demo cadastre (no devices); its HTTP port once it answers.
fn serve_demo_cadastre(dir: &Path) -> (Proc, u16) {
    let data = dir.join("cadastre");
    let status = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--out"])
        .arg(&data)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let cfg = dir.join("irisops.toml");
    let text = format!(
        "[store]\npath = {:?}\n[cadastre]\ndata = {:?}\n",
        dir.join("store").display().to_string(),
        data.display().to_string()
    );
    std::fs::write(&cfg, text).unwrap();
    let (serve, http) = start_serve(&cfg);
    wait_healthy(http, Duration::from_secs(20));
    (serve, http)
}

fn api(http: u16, path: &str) -> Value {
    let (code, body) = http_get(http, path);
    assert_eq!(code, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn the_cadastre_map_is_drawn_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_serve, http) = serve_demo_cadastre(dir.path());
    let stats = api(http, "/api/v1/cadastre/stats");
    let n = |layer: &str| {
        let v = api(http, &format!("/api/v1/cadastre/layers/{layer}"));
        v["features"].as_array().unwrap().len()
    };
    let (n_routes, n_sites) = (n("routes"), n("sites"));
    assert!(n_routes > 100 && n_sites > 100);
    // Opened on a link to a route with the sites hidden, as a click on the route and on the
    // sites toggle leave the page.
    let dom = dump_dom(
        dir.path(),
        &format!("http://127.0.0.1:{http}/#feature=routes/r-0001&hide=sites&token={TEST_TOKEN}"),
    );
    assert_eq!(
        dom.matches(r#"<path data-layer="routes""#).count(),
        n_routes,
        "one shape per route:\n{dom}"
    );
    assert_eq!(
        dom.matches(r#"<circle data-layer="sites""#).count(),
        n_sites,
        "one shape per site"
    );
    assert!(dom.contains(r#" d="M"#), "routes are drawn as paths");
    let owners = stats["by_owner"].as_object().unwrap();
    assert!(!owners.is_empty());
    for (owner, s) in owners {
        let km = format!("{:.1}", s["km"].as_f64().unwrap());
        let row = format!(r#"<tr data-owner="{owner}"><td><span style="color:"#);
        let at = dom
            .find(&row)
            .unwrap_or_else(|| panic!("a legend row for {owner}"));
        let cell = format!(r#"<td class="km">{km}</td>"#);
        assert!(dom[at..].contains(&cell), "{owner}: {km} km");
    }
    // The linked route is highlighted and its properties listed.
    let route = r#"<path data-layer="routes" data-id="r-0001" data-owner="cirb""#;
    let at = dom.find(route).expect("the linked route");
    let tag = &dom[at..at + dom[at..].find('>').unwrap()];
    assert!(
        tag.contains(r#"class="sel""#),
        "the route is highlighted: {tag}"
    );
    assert!(dom.contains("Route r-0001"), "properties panel title");
    assert!(dom.contains(r#"<g id="map-sites" style="display: none;">"#));
    assert!(dom.contains(r#"<g id="map-routes">"#), "routes shown");
    assert!(
        dom.contains(r#"<tr data-property="from_site"><th>from_site</th><td>pop-01</td></tr>"#),
        "the route's properties are listed"
    );
}
