//! The router tested with `oneshot`: each area's routes over a store and a cadastre written
//! for the test.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use collector::metrics::Metrics;
use collector::poll::now_ms;
use collector::sample::{DevicePoll, PortCounters, PortRates};
use collector::store::Retention;
use collector::store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

use collector::config::{ApiConfig, ApiRole, ApiToken, API_ROLES};
use sha2::{Digest, Sha256};

use super::auth::Auth;
use super::{router, AppState};

pub(super) fn state(dir: &std::path::Path) -> AppState {
    let mut w = Store::open(dir, Retention::default()).unwrap();
    let now = now_ms();
    let port = |octets: u64| PortCounters {
        key: "xe-0/0/1".into(),
        if_index: 1,
        if_name: Some("xe-0/0/1".into()),
        speed_bps: Some(10_000_000_000),
        in_octets: Some(octets),
        out_octets: Some(octets),
        counter_bits: 64,
        ..PortCounters::default()
    };
    let poll = |t: i64, octets: u64| DevicePoll {
        device: "core-01".into(),
        time_ms: t,
        ports: vec![port(octets)],
        ..DevicePoll::default()
    };
    let rates = PortRates {
        key: "xe-0/0/1".into(),
        time_ms: now,
        interval_ms: 60_000,
        in_bps: Some(1e9),
        out_bps: Some(2e9),
        utilisation_in: Some(10.0),
        utilisation_out: Some(20.0),
        ..PortRates::default()
    };
    w.write(&[
        (poll(now - 60_000, 0), vec![]),
        (poll(now, 7_500_000_000), vec![rates]),
    ])
    .unwrap();
    w.write_status("core-01", "ok", None, now).unwrap();
    // Another device with LLDP, optics and wifi (and no ports, so core-01's figures stay).
    let mut observed = DevicePoll {
        device: "edge-01".into(),
        time_ms: now,
        ..DevicePoll::default()
    };
    observed.lldp = Some(vec![collector::sample::LldpNeighbour {
        local_port: "xe-0/0/1".into(),
        remote_system_name: Some("core-02".into()),
        ..Default::default()
    }]);
    observed.optics = vec![collector::sample::OpticReading::current(
        "xe-0/0/1".into(),
        None,
        collector::sample::OpticDirection::Rx,
        -4.8,
    )];
    observed.wifi = Some(collector::sample::Wifi {
        aps_total: 2,
        aps_up: 1,
        clients_total: 9,
        aps: vec![collector::sample::ApStatus {
            name: "lobby".into(),
            mac: None,
            status: "up".into(),
            clients: Some(9),
        }],
        ssids: vec![],
    });
    w.write(&[(observed, vec![])]).unwrap();
    w.write_alerts(&[test_alert(now)]).unwrap();
    AppState {
        store: Arc::new(Mutex::new(Store::open(dir, Retention::default()).unwrap())),
        metrics: Arc::new(Metrics::default()),
        cadastre: None,
        auth: Arc::new(Auth::new(&ApiConfig {
            tokens: API_ROLES.iter().map(|&r| token_of(r)).collect(),
            ..ApiConfig::default()
        })),
        answers: Arc::default(),
        wifi: Default::default(),
        web: Default::default(),
    }
}

/// A firing alert of core-01's port (id 1 in a fresh store).
pub(super) fn test_alert(now: i64) -> collector::store::AlertWrite {
    let labels = [
        ("alertname", "busy"),
        ("device", "core-01"),
        ("metric", "utilisation"),
        ("port", "xe-0/0/1"),
        ("severity", "warning"),
    ];
    collector::store::AlertWrite::Open(Box::new(collector::store::AlertRow {
        id: 0,
        rule: "busy".into(),
        fingerprint: "0123456789abcdef".into(),
        state: "firing".into(),
        severity: "warning".into(),
        metric: "utilisation".into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        annotations: [(
            "summary".to_string(),
            "core-01 xe-0/0/1: utilisation 20 > 10".to_string(),
        )]
        .into(),
        value: Some(20.0),
        pending_ms: now - 60_000,
        fired_ms: Some(now),
        resolved_ms: None,
        acked_by: None,
        ack_comment: None,
        acked_ms: None,
    }))
}

/// The test token of a role: `tok-<role>`.
pub(super) fn token_of(role: ApiRole) -> ApiToken {
    let token = format!("tok-{}", role.as_str());
    ApiToken {
        name: format!("test-{}", role.as_str()),
        role,
        sha256: Sha256::digest(token.as_bytes()).into(),
    }
}

/// A GET as `admin`.
async fn get(app: Router, uri: &str) -> (StatusCode, serde_json::Value) {
    get_as(app, uri, Some("tok-admin")).await
}

/// A GET with this bearer token (or none).
async fn get_as(app: Router, uri: &str, token: Option<&str>) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let r = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let code = r.status();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (
        code,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn lldp_optics_and_wifi_read_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let (code, v) = get(app.clone(), "/api/v1/lldp").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["devices"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["devices"][0]["device"], "edge-01");
    assert_eq!(
        v["devices"][0]["neighbours"][0]["remote_system_name"],
        "core-02"
    );
    let (_, v) = get(app.clone(), "/api/v1/optics").await;
    assert_eq!(v["optics"][0]["dbm"], -4.8);
    assert_eq!(v["optics"][0]["direction"], "rx");
    let (_, v) = get(app.clone(), "/api/v1/wifi").await;
    assert_eq!(v["controllers"][0]["clients_total"], 9);
    assert_eq!(v["controllers"][0]["aps"][0]["name"], "lobby");
    let (code, _) = get(app, "/api/v1/optics?fresh_hours=x").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn devices_ports_series_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let (code, v) = get(app.clone(), "/api/v1/devices").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["devices"][0]["name"], "core-01");
    assert_eq!(v["devices"][0]["status"], "ok");
    let (code, v) = get(app.clone(), "/api/v1/devices/core-01/ports").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["ports"][0]["key"], "xe-0/0/1");
    assert_eq!(v["ports"][0]["utilisation_out"], 20.0);
    let (code, v) = get(
        app.clone(),
        "/api/v1/ports/core-01/xe-0%2F0%2F1/series?step=60",
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["points"][0]["in_bps_avg"], 1e9);
    let (code, v) = get(app.clone(), "/api/v1/ports/core-01/nope/series").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("unknown port"));
    let (code, v) = get(
        app.clone(),
        "/api/v1/ports/core-01/xe-0%2F0%2F1/series?from=yesterday",
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().starts_with("from:"));
    let (code, _) = get(
        app,
        "/api/v1/ports/core-01/xe-0%2F0%2F1/series?from=10&to=5",
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_cadastre_is_served_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(dir.path());
    let app = router(st.clone());
    assert_eq!(
        get(app, "/api/v1/cadastre/stats").await.0,
        StatusCode::NOT_FOUND
    );
    let cad_dir = dir.path().join("cadastre");
    let cad = cadastre::demo::generate(3);
    let mut store = cadastre::store::Store::open(&cad_dir).unwrap();
    let ok = |_: &cadastre::Cadastre| cadastre::Report::default();
    store.replace_all(0, &cad, "test", "demo", &ok).unwrap();
    st.cadastre = Some(Arc::new(
        super::snapshot::Cadastres::open(&cad_dir).unwrap(),
    ));
    let app = router(st);
    let (code, v) = get(app.clone(), "/api/v1/cadastre/stats").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["version"], 1);
    let km = v["routes_km"].as_f64().unwrap();
    assert!((350.0..450.0).contains(&km), "{km}");
    assert_eq!(v["by_owner"].as_object().unwrap().len(), 6);
    let (code, v) = get(app.clone(), "/api/v1/cadastre/layers/routes").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"].as_array().unwrap().len(), cad.routes.len());
    let (code, v) = get(app, "/api/v1/cadastre/layers/roads").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("unknown layer"));
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let r = app
        .oneshot(
            Request::builder()
                .uri("/metrics")
                .header("authorization", "Bearer tok-viewer")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text =
        String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("# TYPE irisops_polls_total counter"));
}

#[tokio::test]
async fn no_token_is_401_with_the_bearer_challenge_and_a_role_without_the_right_is_403() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let r = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/api/v1/devices")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let body = r.into_body().collect().await.unwrap().to_bytes();
    assert!(
        !body.windows(7).any(|w| w == b"core-01"),
        "no data without a token"
    );
    let (code, v) = get_as(app.clone(), "/api/v1/devices", Some("tok-nobody")).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "{v}");
    let (code, v) = get_as(app.clone(), "/api/v1/devices", Some("tok-operator")).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("operator"));
    let (code, _) = get_as(app.clone(), "/metrics", Some("tok-operator")).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = get_as(app.clone(), "/api/v1/devices", Some("tok-viewer")).await;
    assert_eq!(code, StatusCode::OK);
    // Open without a token: health and the page.
    let (code, _) = get_as(app.clone(), "/healthz", None).await;
    assert_eq!(code, StatusCode::OK);
    let r = app
        .oneshot(Request::builder().uri("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn extreme_ranges_are_refused_and_every_error_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let (code, v) = get(
        app.clone(),
        "/api/v1/ports/core-01/xe-0%2F0%2F1/series?from=-9223372036854775808&to=9223372036854775807&step=1",
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["field"], "to", "{v}");
    let (code, v) = get(
        app.clone(),
        "/api/v1/ports/core-01/xe-0%2F0%2F1/series?from=0&to=253402300799999&step=1",
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["field"], "step");
    // Not UTF-8 once decoded: axum's own rejection, answered in the JSON shape.
    let (code, v) = get(app.clone(), "/api/v1/devices/%FF%FE/ports").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(v["error"].is_string(), "{v}");
    let (code, v) = get(app.clone(), "/api/v1/nothing-here").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string(), "{v}");
    let r = app
        .oneshot(
            Request::builder()
                .method("DELETE")
                .uri("/api/v1/devices")
                .header("authorization", "Bearer tok-admin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = r.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(v["error"].is_string(), "{v}");
}
