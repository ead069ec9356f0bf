//! The topology, commercial and links routes with `oneshot`: the demo cadastre served, a store
//! with one measured circuit end, every route's roles, the offer's form, and bad queries.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use collector::config::{ApiConfig, ApiRole, ApiToken, API_ROLES};
use collector::metrics::Metrics;
use collector::poll::now_ms;
use collector::sample::{DevicePoll, PortCounters, PortRates};
use collector::store::{Retention, Store};

use super::auth::Auth;
use super::snapshot::Cadastres;
use super::{router, AppState};

/// The measured circuit: its allocation id, device and port.
struct Measured {
    allocation: String,
    device: String,
    port: String,
}

/// Polls of one 10G port every minute for 20 minutes at 2.5 Gbit/s out, rolled up.
fn write_store(dir: &std::path::Path, device: &str, port: &str) {
    let mut w = Store::open(dir, Retention::default()).unwrap();
    let now = now_ms();
    let counters = |octets: u64| PortCounters {
        key: port.into(),
        if_index: 1,
        if_name: Some(port.into()),
        speed_bps: Some(10_000_000_000),
        in_octets: Some(octets),
        out_octets: Some(octets),
        counter_bits: 64,
        ..PortCounters::default()
    };
    for i in 0..=20 {
        let t = now - (20 - i) * 60_000;
        let rates = PortRates {
            key: port.into(),
            time_ms: t,
            interval_ms: 60_000,
            in_bps: Some(1e9),
            out_bps: Some(2.5e9),
            utilisation_in: Some(10.0),
            utilisation_out: Some(25.0),
            ..PortRates::default()
        };
        let poll = DevicePoll {
            device: device.into(),
            time_ms: t,
            ports: vec![counters(i as u64 * 1_000_000)],
            ..DevicePoll::default()
        };
        w.write(&[(poll, if i == 0 { vec![] } else { vec![rates] })])
            .unwrap();
    }
    w.rollup(now).unwrap();
}

/// The demo cadastre (seed 3) served, and a store measuring its first circuit's `a_end`.
fn app(dir: &std::path::Path) -> (Router, cadastre::Cadastre, Measured) {
    let cad = cadastre::demo::generate(3);
    let cad_dir = dir.join("cadastre");
    let mut store = cadastre::store::Store::open(&cad_dir).unwrap();
    let ok = |_: &cadastre::Cadastre| cadastre::Report::default();
    store.replace_all(0, &cad, "test", "demo", &ok).unwrap();
    let a = cad.allocations.iter().find(|a| a.a_end.is_some()).unwrap();
    let end = a.a_end.clone().unwrap();
    let measured = Measured {
        allocation: a.id.clone(),
        device: end.device.clone(),
        port: end.port.clone(),
    };
    write_store(dir, &end.device, &end.port);
    let token = |role: ApiRole| ApiToken {
        name: format!("test-{}", role.as_str()),
        role,
        sha256: Sha256::digest(format!("tok-{}", role.as_str()).as_bytes()).into(),
    };
    let state = AppState {
        store: Arc::new(Mutex::new(Store::open(dir, Retention::default()).unwrap())),
        metrics: Arc::new(Metrics::default()),
        cadastre: Some(Arc::new(Cadastres::open(&cad_dir).unwrap())),
        auth: Arc::new(Auth::new(&ApiConfig {
            tokens: API_ROLES.iter().map(|&r| token(r)).collect(),
            ..ApiConfig::default()
        })),
        answers: Arc::default(),
        wifi: Default::default(),
        web: Default::default(),
    };
    (router(state), cad, measured)
}

/// A request as `role`: status, headers, body bytes.
async fn call(
    app: &Router,
    role: &str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer tok-{role}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = body.map_or(Body::empty(), |b| Body::from(b.to_string()));
    let r = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    let bytes = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

async fn get_json(app: &Router, role: &str, uri: &str) -> (StatusCode, Value) {
    let (s, _, b) = call(app, role, "GET", uri, None).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// Every key of `v`, at every depth.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn paths_answer_the_clis_json_and_name_bad_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, _) = app(dir.path());
    let (code, v) = get_json(
        &app,
        "viewer",
        "/api/v1/topology/paths?from=pop-01&to=pop-09&k=2",
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["paths"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["paths"][0]["sites"][0], "pop-01");
    assert_eq!(v["k"], 2);
    let net = cadastre::network::build(&cadastre::demo::generate(3)).0;
    let want = topology::answer::paths(
        &net,
        "pop-01",
        "pop-09",
        2,
        &topology::Constraints::default(),
        &topology::TransceiverBudget::new(11.0),
    )
    .unwrap();
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    for (uri, field) in [
        ("/api/v1/topology/paths?from=pop-01&to=pop-09&k=x", "k"),
        ("/api/v1/topology/paths?from=pop-01&to=pop-09&k=0", "k"),
        ("/api/v1/topology/paths?from=pop-01&to=pop-09&k=100000", "k"),
        ("/api/v1/topology/paths?to=pop-09", "from"),
        ("/api/v1/topology/paths?from=nowhere&to=pop-09", "from"),
        (
            "/api/v1/topology/paths?from=pop-01&to=pop-09&max_km=-1",
            "max_km",
        ),
        (
            "/api/v1/topology/paths?from=pop-01&to=pop-09&budget_db=NaN",
            "budget_db",
        ),
        ("/api/v1/topology/paths?from=pop-01&to=pop-09&kk=1", "kk"),
    ] {
        let (code, v) = get_json(&app, "viewer", uri).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["field"], field, "{uri}: {v}");
    }
    // Owners repeat; none of an unknown owner's routes: no path, the CLI's JSON.
    let (code, v) = get_json(
        &app,
        "planner",
        "/api/v1/topology/paths?from=pop-01&to=pop-09&owner=nobody&owner=none",
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["paths"], json!([]));
    assert_eq!(v["fully_diverse"], false);
    for uri in [
        "/api/v1/topology/paths?from=pop-01&to=pop-09",
        "/api/v1/topology/spof",
        "/api/v1/topology/dig-once",
        "/api/v1/topology/drift",
        "/api/v1/links",
    ] {
        assert_eq!(
            get_json(&app, "operator", uri).await.0,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn spof_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (app, cad, _) = app(dir.path());
    let (code, v) = get_json(&app, "engineer", "/api/v1/topology/spof").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["n_routes"], cad.routes.len());
    let route = cad.routes[0].id.clone();
    let (code, _, b) = call(
        &app,
        "planner",
        "POST",
        "/api/v1/topology/cut",
        Some(json!({"routes": [route]})),
    )
    .await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["removed_routes"], json!([route]));
    // An area around the route's first point cuts it too.
    let c = cad.routes[0].geometry.0[0].0[0];
    let d = 0.0005;
    let area = json!({"type": "Polygon", "coordinates": [[[c.x - d, c.y - d], [c.x + d, c.y - d], [c.x + d, c.y + d], [c.x - d, c.y + d], [c.x - d, c.y - d]]]});
    let (code, _, b) = call(
        &app,
        "planner",
        "POST",
        "/api/v1/topology/cut",
        Some(json!({"area": area})),
    )
    .await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(code, StatusCode::OK, "{v}");
    assert!(
        v["removed_routes"]
            .as_array()
            .unwrap()
            .contains(&json!(route)),
        "{v}"
    );
    for (body, field) in [
        (json!({"worksite": "no-such"}), Some("worksite")),
        (json!({"routes": ["no-such"]}), Some("routes")),
        (
            json!({"area": {"type": "Point", "coordinates": [4.3, 50.8]}}),
            Some("area"),
        ),
        // A position of one number panicked in the geojson crate's conversion (found by the
        // `wifi_targets` fuzz target on the same path).
        (
            json!({"area": {"type": "Polygon", "coordinates": [[[4.3, 50.8], [4.4, 50.8], [4.4]]]}}),
            Some("area"),
        ),
        (json!({"buffer_m": -1, "worksite": "w"}), Some("buffer_m")),
        (json!({}), None),
        (json!({"route": ["x"]}), None),
    ] {
        let (code, _, b) = call(
            &app,
            "planner",
            "POST",
            "/api/v1/topology/cut",
            Some(body.clone()),
        )
        .await;
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["field"].as_str(), field, "{body}: {v}");
    }
    let (code, _, _) = call(
        &app,
        "operator",
        "POST",
        "/api/v1/topology/cut",
        Some(json!({"routes": [route]})),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn dig_once_and_its_wishes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, cad, _) = app(dir.path());
    let (code, v) = get_json(&app, "viewer", "/api/v1/topology/dig-once").await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["n_worksites"], cad.worksites.len());
    let (code, v) = get_json(
        &app,
        "viewer",
        "/api/v1/topology/dig-once?wish=pop-01:nowhere",
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "wish");
    assert!(v["error"].as_str().unwrap().contains("unknown site"), "{v}");
    let (code, v) = get_json(&app, "viewer", "/api/v1/topology/dig-once?wish=pop-01").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wish"))
    );
}

#[tokio::test]
async fn spare_in_every_format_and_the_offers_form() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, m) = app(dir.path());
    // Full: the lit headroom of the measured circuit (10G − 2.5G p95) on its routes.
    let (code, v) = get_json(&app, "commercial", "/api/v1/spare?by=route").await;
    assert_eq!(code, StatusCode::OK, "{v}");
    let lit: Vec<f64> = v["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["lit_headroom_bps"].as_f64())
        .collect();
    assert!(
        !lit.is_empty() && lit.iter().all(|h| *h >= 7.5e9),
        "{lit:?}"
    );
    assert!(v["total"]["lit_routes"].as_u64().unwrap() > 0);
    let (code, v) = get_json(&app, "viewer", "/api/v1/spare").await;
    assert_eq!(code, StatusCode::OK);
    assert!(v["by_owner"].as_object().unwrap().len() > 1);
    // The offer: no allocated counts, no lit headroom, no party, no device, in any format.
    for by in ["route", "owner"] {
        let (code, v) = get_json(&app, "operator", &format!("/api/v1/spare?by={by}")).await;
        assert_eq!(code, StatusCode::OK);
        let mut k = Vec::new();
        keys(&v, &mut k);
        assert!(k.contains(&"dark_strands".to_string()), "{k:?}");
        for bad in [
            "allocated_strands",
            "lit_headroom_bps",
            "lit_routes",
            "fibre_count",
            "party",
        ] {
            assert!(!k.contains(&bad.to_string()), "{by}: {bad} in {v}");
        }
    }
    for format in ["json", "csv", "geojson", "xlsx"] {
        let (code, _, b) = call(
            &app,
            "operator",
            "GET",
            &format!("/api/v1/spare?by=route&format={format}"),
            None,
        )
        .await;
        assert_eq!(code, StatusCode::OK, "{format}");
        let text = String::from_utf8_lossy(&b);
        // The demo's devices are named after their sites (`pop-01`), which the offer names as
        // the routes' ends: the device shows by its port and the `device` key instead.
        for bad in [
            "party",
            "allocat",
            "lit_headroom",
            "device",
            m.port.as_str(),
            m.allocation.as_str(),
        ] {
            assert!(!text.contains(bad), "{format}: {bad}");
        }
    }
}

#[tokio::test]
async fn spare_as_geojson_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let (app, cad, _) = app(dir.path());
    let (_, h, b) = call(
        &app,
        "operator",
        "GET",
        "/api/v1/spare?by=route&format=geojson",
        None,
    )
    .await;
    assert_eq!(h["content-type"], "application/geo+json");
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"].as_array().unwrap().len(), cad.routes.len());
    assert_eq!(v["features"][0]["geometry"]["type"], "MultiLineString");
    assert!(v["features"][0]["properties"]["dark_strands"].is_u64());
    // CSV: the CLI's table (the header of `topology spare --by owner --format csv`).
    let (_, h, b) = call(&app, "commercial", "GET", "/api/v1/spare?format=csv", None).await;
    assert!(h["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = String::from_utf8(b).unwrap();
    assert!(text.starts_with("owner,routes,km,fibres,allocated,dark,dark_strand_km,free_ducts,free_duct_km,lit_routes,lit_headroom_gbps\n"), "{text}");
    assert!(text.lines().last().unwrap().starts_with("TOTAL,"));
    let (code, h, b) = call(
        &app,
        "commercial",
        "GET",
        "/api/v1/spare?by=owner&format=xlsx",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(h["content-type"], super::commercial::XLSX);
    assert_eq!(&b[..2], b"PK");
    for (uri, field) in [
        ("/api/v1/spare?by=site", "by"),
        ("/api/v1/spare?format=pdf", "format"),
        ("/api/v1/spare?window_days=0", "window_days"),
        ("/api/v1/spare?window_days=-3", "window_days"),
    ] {
        let (code, v) = get_json(&app, "commercial", uri).await;
        assert_eq!(
            (code, v["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{uri}: {v}"
        );
    }
}

#[tokio::test]
async fn quotes_full_and_offered() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, _) = app(dir.path());
    let uri = "/api/v1/quote?from=pop-01&to=pop-09&pairs=1";
    let (code, full) = get_json(&app, "commercial", uri).await;
    assert_eq!(code, StatusCode::OK, "{full}");
    assert!(full["monthly"].as_f64().unwrap() >= 150.0);
    assert!(full["quotes"][0]["operator_kept"].is_number());
    let (code, offer) = get_json(&app, "operator", uri).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(offer["monthly"], full["monthly"]);
    assert_eq!(offer["paths"], full["paths"]);
    assert!(offer["quotes"][0].get("operator_kept").is_none(), "{offer}");
    assert!(offer["quotes"][0].get("owners").is_none(), "{offer}");
    let (code, v) = get_json(&app, "commercial", "/api/v1/quote?from=pop-01&to=pop-09").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("pairs"))
    );
    let (code, v) = get_json(
        &app,
        "commercial",
        "/api/v1/quote?from=pop-01&to=pop-09&pairs=100000",
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{v}");
    assert!(v["error"].as_str().unwrap().starts_with("no path"));
}

#[tokio::test]
async fn links_and_drift_read_the_servers_store() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, m) = app(dir.path());
    let (code, v) = get_json(&app, "engineer", "/api/v1/links?sort=now&top=5").await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["n_measured"], 1, "{v}");
    assert!(v["n_circuits"].as_u64().unwrap() > 1);
    let l = &v["links"][0];
    assert_eq!(l["allocation"], m.allocation.as_str());
    assert_eq!(l["device"], m.device.as_str());
    assert_eq!(l["port"], m.port.as_str());
    assert_eq!(l["speed_bps"], 1e10);
    assert_eq!(l["utilisation_now"], 25.0);
    assert_eq!(l["utilisation_p95"], 25.0);
    let (_, v) = get_json(&app, "viewer", "/api/v1/links?top=0").await;
    assert_eq!(v["links"], json!([]));
    let (code, v) = get_json(&app, "viewer", "/api/v1/links?sort=fast").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("sort"))
    );
    let (code, v) = get_json(&app, "viewer", "/api/v1/topology/drift").await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert!(v["n_circuits"].as_u64().unwrap() > 1);
    assert_eq!(v["n_lldp_devices"], 0);
    let (code, v) = get_json(&app, "viewer", "/api/v1/topology/drift?wavelength=1400").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wavelength"))
    );
}

#[tokio::test]
async fn cadastre_stats_measure_lit_headroom_from_the_servers_store() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _, _) = app(dir.path());
    let (code, stats) = get_json(&app, "viewer", "/api/v1/cadastre/stats").await;
    assert_eq!(code, StatusCode::OK, "{stats}");
    let (_, spare) = get_json(&app, "viewer", "/api/v1/spare").await;
    let lit = stats["spare"]["total"]["lit_headroom_bps"]
        .as_f64()
        .unwrap();
    assert!(
        lit >= 7.5e9,
        "the measured circuit's headroom, not 0: {lit}"
    );
    assert_eq!(
        stats["spare"]["total"], spare["total"],
        "stats and spare measure alike"
    );
}
