//! The HTTP surface: health, Prometheus metrics, the first read API and the web page.
//! The router is a plain function of its state, tested with `oneshot`.
//!
//! Routes (the contract):
//! - `GET /healthz`
//! - `GET /metrics` (Prometheus text)
//! - `GET /api/v1/devices`
//! - `GET /api/v1/devices/{name}/ports`
//! - `GET /api/v1/ports/{device}/{port}/series?from=&to=&step=` (port keys URL-encoded:
//!   `xe-0%2F0%2F1`)
//! - `GET /api/v1/ports/{device}/{port}/p95?from=&to=`
//! - `GET /api/v1/lldp` (every device's latest LLDP table: `{"devices": [{"device",
//!   "neighbours": [...]}]}`, the keys of `poll`'s `lldp[]`)
//! - `GET /api/v1/optics?fresh_hours=24` (latest optical level per device, port, lane and
//!   direction: `{"optics": [{"device", "port", "lane", "direction", "dbm", "time_ms"}]}`)
//! - `GET /api/v1/wifi` (each controller's latest totals and APs: `{"controllers":
//!   [{"device", "time_ms", "aps_total", "aps_up", "clients_total", "aps": [...]}]}`)
//! - `GET /api/v1/cadastre/stats` (route km, strands per owner; 404 without a cadastre)
//! - `GET /api/v1/cadastre/layers/{layer}` (an RFC 7946 FeatureCollection)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use collector::metrics::Metrics;
use collector::poll::now_ms;
use collector::store::Store;

use crate::error::ApiError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// A reader connection (the pipeline writes through its own; WAL lets both run).
    pub store: Arc<Mutex<Store>>,
    pub metrics: Arc<Metrics>,
    /// The cadastre's data directory, when one is served.
    pub cadastre: Option<std::path::PathBuf>,
}

/// The router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/api/v1/devices", get(devices))
        .route("/api/v1/devices/{name}/ports", get(ports))
        .route("/api/v1/ports/{device}/{port}/series", get(series))
        .route("/api/v1/ports/{device}/{port}/p95", get(p95))
        .route("/api/v1/lldp", get(lldp))
        .route("/api/v1/optics", get(optics))
        .route("/api/v1/wifi", get(wifi))
        .route("/api/v1/cadastre/stats", get(cadastre_stats))
        .route("/api/v1/cadastre/layers/{layer}", get(cadastre_layer))
        .with_state(state)
}

async fn index() -> Html<&'static str> {
    Html(include_str!("../../dashboards/web/index.html"))
}

async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

/// Runs a read on the store off the async threads.
async fn read<T: Send + 'static>(
    s: &AppState,
    f: impl FnOnce(&Store) -> Result<T, collector::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = s.store.clone();
    tokio::task::spawn_blocking(move || {
        let guard = store
            .lock()
            .map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
        f(&guard).map_err(ApiError::from)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("read task failed: {e}")))?
}

async fn devices(State(s): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let devs = read(&s, |st| st.devices()).await?;
    let out: Vec<serde_json::Value> = devs
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "name": d.name, "status": d.last_status, "error": d.last_error,
                "status_time_ms": d.last_status_ms, "last_poll_ms": d.last_poll_ms,
                "sys_name": d.sys_name, "sys_descr": d.sys_descr,
                "sys_object_id": d.sys_object_id, "sys_uptime": d.sys_uptime,
                "n_ports": d.n_ports,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "devices": out })))
}

async fn lldp(State(s): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let t = read(&s, |st| st.lldp_tables()).await?;
    let out: Vec<serde_json::Value> = t
        .devices
        .iter()
        .map(|d| {
            let n: Vec<&collector::sample::LldpNeighbour> = t
                .neighbours
                .iter()
                .filter(|(dev, _)| dev == d)
                .map(|(_, n)| n)
                .collect();
            serde_json::json!({ "device": d, "neighbours": n })
        })
        .collect();
    Ok(Json(serde_json::json!({ "devices": out })))
}

#[derive(serde::Deserialize)]
struct OpticsQuery {
    fresh_hours: Option<u32>,
}

async fn optics(
    State(s): State<AppState>,
    Query(q): Query<OpticsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let hours = i64::from(q.fresh_hours.unwrap_or(24).min(24 * 400));
    let since = collector::poll::now_ms() - hours * 3_600_000;
    let levels = read(&s, move |st| st.optics_latest(since)).await?;
    let out: Vec<serde_json::Value> = levels
        .into_iter()
        .map(|o| {
            serde_json::json!({
                "device": o.device, "port": o.reading.port, "lane": o.reading.lane,
                "direction": o.reading.direction, "dbm": o.reading.dbm, "time_ms": o.time_ms,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "optics": out })))
}

async fn wifi(State(s): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let all = read(&s, |st| st.wifi_latest()).await?;
    let out: Vec<serde_json::Value> = all
        .into_iter()
        .map(|w| {
            serde_json::json!({
                "device": w.device, "time_ms": w.time_ms, "aps_total": w.wifi.aps_total,
                "aps_up": w.wifi.aps_up, "clients_total": w.wifi.clients_total, "aps": w.wifi.aps,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "controllers": out })))
}

async fn ports(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let dev = name.clone();
    let ports = read(&s, move |st| st.ports(&dev)).await?;
    let out: Vec<serde_json::Value> = ports
        .into_iter()
        .map(|p| {
            let l = p.latest.as_ref();
            serde_json::json!({
                "key": p.key, "if_index": p.if_index, "name": p.if_name.clone().or(p.if_descr.clone()),
                "descr": p.if_descr, "alias": p.if_alias, "speed_bps": p.speed_bps,
                "oper_status": p.oper_status, "admin_status": p.admin_status,
                "time_ms": l.map(|l| l.time_ms),
                "in_bps": l.and_then(|l| l.in_bps), "out_bps": l.and_then(|l| l.out_bps),
                "utilisation_in": l.and_then(|l| l.utilisation_in),
                "utilisation_out": l.and_then(|l| l.utilisation_out),
                "gap": l.and_then(|l| l.gap).map(|g| g.as_str()),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "device": name, "ports": out })))
}

/// `from`/`to`: Unix milliseconds or RFC 3339; `step`: seconds or a duration ("5m").
#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub step: Option<String>,
}

fn parse_time(v: Option<&str>, default: i64, key: &str) -> Result<i64, ApiError> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    if let Ok(ms) = v.parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "{key}: expected Unix milliseconds or RFC 3339, got {v:?}"
            ))
        })
}

fn parse_step(v: Option<&str>, from: i64, to: i64) -> Result<i64, ApiError> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        // About 300 points over the range, at least a minute.
        return Ok(((to - from) / 300).max(60_000));
    };
    let d = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(v).map_err(|_| {
            ApiError::BadRequest(format!(
                "step: expected seconds or a duration like \"5m\", got {v:?}"
            ))
        })?,
    };
    let ms = d.as_millis() as i64;
    if ms <= 0 {
        return Err(ApiError::BadRequest("step: must be positive".into()));
    }
    if (to - from) / ms > 100_000 {
        return Err(ApiError::BadRequest(
            "step: too many points (over 100000) for the range".into(),
        ));
    }
    Ok(ms)
}

fn range(q: &RangeQuery) -> Result<(i64, i64), ApiError> {
    let now = now_ms();
    let to = parse_time(q.to.as_deref(), now, "to")?;
    let from = parse_time(q.from.as_deref(), to - 86_400_000, "from")?;
    if from >= to {
        return Err(ApiError::BadRequest("from must be before to".into()));
    }
    Ok((from, to))
}

async fn series(
    State(s): State<AppState>,
    Path((device, port)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (from, to) = range(&q)?;
    let step = parse_step(q.step.as_deref(), from, to)?;
    let (d, p) = (device.clone(), port.clone());
    let points: Vec<serde_json::Value> = read(&s, move |st| st.series(&d, &p, from, to, step))
        .await?
        .into_iter()
        .map(|p| {
            serde_json::json!({
                "time_ms": p.time_ms,
                "in_bps_avg": p.in_bps_avg, "in_bps_max": p.in_bps_max,
                "out_bps_avg": p.out_bps_avg, "out_bps_max": p.out_bps_max,
                "utilisation_in_avg": p.utilisation_in_avg, "utilisation_in_max": p.utilisation_in_max,
                "utilisation_out_avg": p.utilisation_out_avg, "utilisation_out_max": p.utilisation_out_max,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "device": device, "port": port, "from": from, "to": to, "step_ms": step,
        "points": points,
    })))
}

async fn p95(
    State(s): State<AppState>,
    Path((device, port)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (from, to) = range(&q)?;
    let (d, p) = (device.clone(), port.clone());
    let r = read(&s, move |st| st.p95(&d, &p, from, to)).await?;
    Ok(Json(serde_json::json!({
        "device": device, "port": port, "from": from, "to": to,
        "n_samples": r.n_samples, "in_bps": r.in_bps, "out_bps": r.out_bps, "max_bps": r.max_bps,
    })))
}

/// Loads the served cadastre off the async threads.
async fn load_cadastre(s: &AppState) -> Result<(cadastre::Cadastre, u64), ApiError> {
    let Some(dir) = s.cadastre.clone() else {
        return Err(ApiError::NotFound(
            "no cadastre is served ([cadastre] data)".into(),
        ));
    };
    tokio::task::spawn_blocking(move || {
        cadastre::store::Store::open(&dir)
            .and_then(|st| st.load())
            .map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("cadastre task failed: {e}")))?
}

async fn cadastre_stats(State(s): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let (cad, version) = load_cadastre(&s).await?;
    let mut v = serde_json::to_value(cadastre::stats::stats(&cad))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    v["version"] = version.into();
    Ok(Json(v))
}

async fn cadastre_layer(
    State(s): State<AppState>,
    Path(layer): Path<String>,
) -> Result<Json<geojson::FeatureCollection>, ApiError> {
    let Some(l) = cadastre::Layer::parse(&layer) else {
        return Err(ApiError::NotFound(format!(
            "unknown layer {layer:?}: one of owners, sites, routes, cables, allocations, hotspots, targets, worksites"
        )));
    };
    let (cad, _) = load_cadastre(&s).await?;
    Ok(Json(cadastre::geojson_io::to_feature_collection(&cad, l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use collector::sample::{DevicePoll, PortCounters, PortRates};
    use collector::store::Retention;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn state(dir: &std::path::Path) -> AppState {
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
        observed.optics = vec![collector::sample::OpticReading {
            port: "xe-0/0/1".into(),
            lane: None,
            direction: collector::sample::OpticDirection::Rx,
            dbm: -4.8,
        }];
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
        AppState {
            store: Arc::new(Mutex::new(Store::open(dir, Retention::default()).unwrap())),
            metrics: Arc::new(Metrics::default()),
            cadastre: None,
        }
    }

    async fn get(app: Router, uri: &str) -> (StatusCode, serde_json::Value) {
        let r = app
            .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
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
        st.cadastre = Some(cad_dir);
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
}
