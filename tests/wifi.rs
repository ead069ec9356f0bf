//! The wifi hotspots' review end to end: the demo's backfilled history through the API and
//! the CLI (one answer, the roles), a captive portal's CSV with a bad line, and the daily
//! rollup of real polls of the simulated controller (SNMP → store → the hotspots' figures).

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::{
    demo_token as token, free_tcp_port, http_as, irisops, start_demo, wait_healthy,
    with_test_token, Proc,
};

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The plan without its solve time (the one figure two runs do not share).
fn without_time(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("solve_ms");
    v
}

#[test]
fn the_demo_s_wifi_review_over_the_api_equals_the_cli_and_keeps_operators_out() {
    let dir = tempfile::tempdir().unwrap();
    let (_demo, port, tokens) = start_demo(dir.path(), 1, 2);
    let viewer = token(&tokens, "viewer");
    // Roles: every reader but the outside operator; no token is 401.
    for path in [
        "/api/v1/wifi/verdicts",
        "/api/v1/wifi/plan",
        "/api/v1/wifi/usage",
    ] {
        let (code, body) = http_as(port, "GET", path, None, Some(token(&tokens, "operator")));
        assert_eq!(code, 403, "{path}: {body}");
        assert!(!body.contains("spot-"), "{body}");
        assert_eq!(http_as(port, "GET", path, None, None).0, 401, "{path}");
    }
    // The verdicts over the 28 days before yesterday: the backfilled history gives a mix.
    let (code, body) = http_as(port, "GET", "/api/v1/wifi/verdicts", None, Some(viewer));
    assert_eq!(code, 200, "{body}");
    let v = json(&body);
    let hotspots = v["hotspots"].as_array().unwrap();
    let n = |verdict: &str| hotspots.iter().filter(|h| h["verdict"] == verdict).count();
    assert_eq!(hotspots.len(), cadastre::demo::generate(1).hotspots.len());
    assert!(
        n("underused") >= 20 && n("ok") >= 50 && n("faulty") >= 5,
        "{body}"
    );
    assert_eq!(n("insufficient_data"), 0);
    for h in hotspots {
        assert!(!h["reason"].as_str().unwrap().is_empty(), "{h}");
        assert_eq!(h["days_with_data"], 28, "{h}");
    }
    let until = v["until"].as_str().unwrap().to_string();

    // The plan: optimal, moves only underused hotspots, the same answer as the CLI's.
    let q = format!("/api/v1/wifi/plan?until={until}&max_moves=15");
    let (code, body) = http_as(port, "GET", &q, None, Some(viewer));
    assert_eq!(code, 200, "{body}");
    let plan = json(&body);
    assert_eq!(plan["optimal"], true, "{body}");
    let moves = plan["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 15, "{body}");
    let underused: Vec<&str> = hotspots
        .iter()
        .filter(|h| h["verdict"] == "underused")
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    for m in moves {
        assert!(underused.contains(&m["hotspot"].as_str().unwrap()), "{m}");
        assert!(m["fibre_m"].as_f64().unwrap() <= 500.0, "{m}");
    }
    let weights: f64 = moves.iter().map(|m| m["weight"].as_f64().unwrap()).sum();
    assert!((weights - plan["covered_weight"].as_f64().unwrap()).abs() < 1e-3);
    let data = dir.path().join("demo");
    let out = Command::new(irisops())
        .args(["wifi", "plan", "--data"])
        .arg(data.join("cadastre"))
        .arg("--config")
        .arg(data.join("irisops-demo.toml"))
        .args(["--until", &until, "--max-moves", "15", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(without_time(cli), without_time(plan.clone()));

    // The same plan as CSV (one line per move) and as GeoJSON lines.
    let (code, csv) = http_as(port, "GET", &format!("{q}&format=csv"), None, Some(viewer));
    assert_eq!(code, 200);
    assert_eq!(csv.lines().count(), 1 + moves.len(), "{csv}");
    let (code, geo) = http_as(
        port,
        "GET",
        &format!("{q}&format=geojson"),
        None,
        Some(viewer),
    );
    assert_eq!(code, 200);
    let geo = json(&geo);
    assert_eq!(geo["features"].as_array().unwrap().len(), moves.len());
    assert_eq!(geo["features"][0]["geometry"]["type"], "LineString");

    // A bad parameter names its field.
    let (code, body) = http_as(
        port,
        "GET",
        "/api/v1/wifi/plan?radius_m=-1",
        None,
        Some(viewer),
    );
    assert_eq!(code, 400, "{body}");
    assert_eq!(json(&body)["field"], "radius_m");

    // Usage: one hotspot's 28 days, as the CLI reads them.
    let first = hotspots[0]["id"].as_str().unwrap();
    let (code, body) = http_as(
        port,
        "GET",
        &format!("/api/v1/wifi/usage?hotspot={first}&to={until}"),
        None,
        Some(viewer),
    );
    assert_eq!(code, 200, "{body}");
    let days = json(&body)["days"].as_array().unwrap().clone();
    assert_eq!(days.len(), 28);
    assert!(days
        .iter()
        .all(|d| d["hotspot"] == first && d["coverage"] == 1.0));
}

#[test]
fn a_portal_csv_with_a_bad_line_is_judged_on_its_good_lines_and_names_the_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let cad = dir.path().join("cad");
    let out = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "2", "--out"])
        .arg(&cad)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let demo = cadastre::demo::generate(2);
    let (quiet, busy) = (&demo.hotspots[0], &demo.hotspots[1]);
    let mut csv = String::from("date,hotspot,peak_clients,client_hours,availability\n");
    for d in 1..=28 {
        let date = format!("2026-02-{d:02}");
        csv += &format!("{date},{},1,2.5,1\n", quiet.id);
        csv += &format!("{date},{},40,300,0.99\n", busy.id);
    }
    csv += "2026-02-30,oops,1,1,1\n";
    let file = dir.path().join("usage.csv");
    std::fs::write(&file, csv).unwrap();
    let out = Command::new(irisops())
        .args(["wifi", "verdicts", "--data"])
        .arg(&cad)
        .arg("--usage")
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 58") && stderr.contains("date"),
        "{stderr}"
    );
    let v = json(&String::from_utf8_lossy(&out.stdout));
    // The window ends on the file's last good date.
    assert_eq!(
        (v["until"].as_str(), v["from"].as_str()),
        (Some("2026-02-28"), Some("2026-02-01"))
    );
    let verdict = |id: &str| {
        v["hotspots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap()
            .clone()
    };
    let q = verdict(&quiet.id);
    let n = quiet.access_points.len().max(1) as f64;
    let want = if 1.0 / n < 3.0 && 2.5 / n < 8.0 {
        "underused"
    } else {
        "ok"
    };
    assert_eq!(q["verdict"], want, "{q}");
    assert_eq!(verdict(&busy.id)["verdict"], "ok");
    // A hotspot the file does not mention: no data, never underused.
    assert_eq!(
        verdict(&demo.hotspots[2].id)["verdict"],
        "insufficient_data"
    );
}

#[test]
fn real_polls_of_the_controller_roll_up_into_each_hotspot_s_day() {
    let dir = tempfile::tempdir().unwrap();
    let cad_dir = dir.path().join("cad");
    let out = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--out"])
        .arg(&cad_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let cad = cadastre::demo::generate(1);
    let backbone = simulator::demo::backbone(&cad);
    let controller = backbone.controllers[0].clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(simulator::start(simulator::SimConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            devices: 1,
            ports: 1,
            seed: 42,
            faults: Default::default(),
            backbone: Some(simulator::Backbone {
                routers: vec![],
                controllers: vec![controller.clone()],
            }),
        }))
        .unwrap();
    let store = dir.path().join("store");
    let http = free_tcp_port();
    let cfg = dir.path().join("irisops.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\npath = {:?}\n[cadastre]\ndata = {:?}\n[api]\nlisten = \"127.0.0.1:{http}\"\n\
             [wifi]\npoll_interval = \"2s\"\n[auth.w]\nversion = \"2c\"\ncommunity = {:?}\n\
             [[device]]\nname = {:?}\naddress = \"{}\"\nauth = \"w\"\nschedule = \"*/2 * * * * *\"\n\
             timeout = \"1s\"\nbudget = \"2s\"\n",
            store.display().to_string(),
            cad_dir.display().to_string(),
            controller.name,
            controller.name,
            sim.local_addr()
        ),
    )
    .unwrap();
    with_test_token(&cfg);
    let serve = Proc(
        Command::new(irisops())
            .args(["serve", "--config"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_healthy(http, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(9));
    drop(serve);
    rt.block_on(sim.shutdown()).unwrap();

    // Today's polls rolled up (a partial day) with the cadastre's hotspots.
    use collector::store::{HotspotAps, Retention, Store};
    let tz = chrono_tz_brussels();
    let mut st = Store::open_existing(&store, Retention::default()).unwrap();
    let hotspots: Vec<HotspotAps> = cad
        .hotspots
        .iter()
        .map(|h| HotspotAps {
            id: h.id.clone(),
            access_points: h.access_points.clone(),
        })
        .collect();
    let today = today_in(tz);
    st.rollup_wifi_day(today, tz, Duration::from_secs(2), &hotspots)
        .unwrap();
    let days = st.wifi_usage(None, today, today).unwrap();
    assert_eq!(days.len(), cad.hotspots.len());
    // Each hotspot's peak is the highest sum of its APs' clients at one poll, as the
    // simulator's client model had them at the poll's time; dead APs make it less available.
    let model = simulator::ClientModel::new(&controller, 42);
    let index = |name: &str| controller.aps.iter().position(|a| a.name == name).unwrap();
    let (from, to) = (0, i64::MAX);
    let mut checked = 0;
    for (h, d) in cad.hotspots.iter().zip(&days) {
        assert_eq!(d.hotspot, h.id);
        let series: Vec<Vec<(i64, Option<u64>)>> = h
            .access_points
            .iter()
            .map(|ap| st.wifi_ap_series(&controller.name, ap, from, to).unwrap())
            .collect();
        let polls = series[0].len();
        assert!(polls >= 3, "{} polls of {}", polls, h.id);
        let mut peak = 0u64;
        for (k, (t, _)) in series[0].iter().enumerate() {
            let mut sum = 0;
            for (ap, s) in h.access_points.iter().zip(&series) {
                let (t2, clients) = s[k];
                assert_eq!(t2, *t);
                // The counts change on the minute: a walk that started just before one may
                // read an AP after it.
                let at = |t: i64| u64::from(model.clients(index(ap), t as u64).unwrap_or(0));
                let got = clients.unwrap_or(0);
                assert!(
                    got == at(t2) || got == at(t2 + 2_000),
                    "{ap} at {t2}: {got}"
                );
                sum += clients.unwrap_or(0);
            }
            peak = peak.max(sum);
        }
        assert_eq!(d.peak_clients, Some(peak as f64), "{}", h.id);
        let dead = h
            .access_points
            .iter()
            .filter(|ap| model.clients(index(ap), 0).is_none())
            .count();
        let want = 1.0 - dead as f64 / h.access_points.len() as f64;
        assert!(
            (d.availability.unwrap() - want).abs() < 1e-9,
            "{}: {d:?}",
            h.id
        );
        assert!(d.coverage > 0.0 && d.coverage < 0.01, "{d:?}");
        checked += 1;
    }
    assert_eq!(checked, cad.hotspots.len());
}

fn chrono_tz_brussels() -> chrono_tz::Tz {
    chrono_tz::Europe::Brussels
}

fn today_in(tz: chrono_tz::Tz) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

#[test]
fn a_plan_for_districts_from_polygons_weighted_by_a_named_property() {
    let dir = tempfile::tempdir().unwrap();
    let cad_dir = dir.path().join("cad");
    let out = Command::new(irisops())
        .args(["cadastre", "generate-demo", "--seed", "2", "--out"])
        .arg(&cad_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let demo = cadastre::demo::generate(2);
    // Every hotspot quiet for 28 days: all movable, no target served yet.
    let mut csv = String::from("hotspot,date,peak_clients,client_hours\n");
    for h in &demo.hotspots {
        for d in 1..=28 {
            csv += &format!("{},2026-02-{d:02},0,0\n", h.id);
        }
    }
    let usage = dir.path().join("usage.csv");
    std::fs::write(&usage, csv).unwrap();
    // Two districts: a square of ~140 m around a site (on the fibre), weighted 0.37 by its
    // social-housing share; one whose share is not a number (skipped, named).
    let site = &demo.sites[0].location;
    let (x, y, d) = (site.x(), site.y(), 0.001);
    let square = serde_json::json!([[
        [x - d, y - d],
        [x + d, y - d],
        [x + d, y + d],
        [x - d, y + d],
        [x - d, y - d]
    ]]);
    let districts = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "d-centre", "name": "Centre", "social_housing_share": 0.37},
         "geometry": {"type": "Polygon", "coordinates": square}},
        {"type": "Feature", "properties": {"id": "d-bad", "social_housing_share": "n/a"},
         "geometry": {"type": "Point", "coordinates": [x, y]}}
    ]});
    let file = dir.path().join("districts.geojson");
    std::fs::write(&file, districts.to_string()).unwrap();
    let out = Command::new(irisops())
        .args(["wifi", "plan", "--data"])
        .arg(&cad_dir)
        .arg("--usage")
        .arg(&usage)
        .arg("--targets")
        .arg(&file)
        .args([
            "--weight-property",
            "social_housing_share",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("[1]") && stderr.contains("social_housing_share"),
        "{stderr}"
    );
    let plan = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(plan["movable"], demo.hotspots.len());
    assert_eq!(
        (plan["candidates"].as_u64(), plan["optimal"].as_bool()),
        (Some(1), Some(true))
    );
    let m = &plan["moves"][0];
    assert_eq!(
        (m["to_target"].as_str(), m["to_kind"].as_str()),
        (Some("d-centre"), Some("district"))
    );
    assert!((m["weight"].as_f64().unwrap() - 0.37).abs() < 1e-9, "{m}");
    // The centroid of the square is the site: on the fibre.
    assert!(m["fibre_m"].as_f64().unwrap() < 1.0, "{m}");
    assert_eq!(plan["moves"].as_array().unwrap().len(), 1);
}
