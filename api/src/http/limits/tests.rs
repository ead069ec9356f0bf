//! The limits' layers tested with `oneshot` on routes made for the test (a slow one, an echo
//! of the body's length, a large answer) under `layered`, the server's own stack.
use std::io::Read;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use tokio::sync::oneshot;
use tower::ServiceExt;

use collector::config::ApiConfig;

fn cfg() -> ApiConfig {
    ApiConfig {
        max_body_bytes: 1024,
        max_concurrent: 1,
        request_timeout: Duration::from_millis(300),
        ..ApiConfig::default()
    }
}

/// Test routes under the server's layers: an echo of the body's length, a slow answer,
/// a 10 KB one.
fn app(cfg: &ApiConfig) -> Router {
    let routes = Router::new()
        .route("/echo", post(|b: Bytes| async move { b.len().to_string() }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/big", get(|| async { "irisops ".repeat(1280) }));
    crate::http::layered(routes, cfg)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Bytes) {
    let r = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = r.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

fn json(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_json_shape() {
    let app = app(&cfg());
    let declared = Request::post("/echo")
        .header("content-length", "2048")
        .body(Body::from(vec![b'x'; 2048]))
        .unwrap();
    let (status, _, body) = send(&app, declared).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let error = json(&body)["error"].as_str().unwrap().to_string();
    assert!(error.contains("api.max_body_mb"), "{error}");
    // No Content-Length: refused when the handler reads past the limit.
    let streamed = Request::post("/echo")
        .body(Body::from(vec![b'x'; 2048]))
        .unwrap();
    let (status, _, body) = send(&app, streamed).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(json(&body)["error"].is_string());
    let small = Request::post("/echo").body(Body::from("abc")).unwrap();
    let (status, _, body) = send(&app, small).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"3"[..]));
}

#[tokio::test]
async fn beyond_the_cap_a_request_is_refused_at_once_with_503() {
    let app = app(&ApiConfig {
        request_timeout: Duration::from_secs(10),
        ..cfg()
    });
    let (started_tx, started_rx) = oneshot::channel();
    let slow = {
        let app = app.clone();
        tokio::spawn(async move {
            let fut = send(&app, Request::get("/slow").body(Body::empty()).unwrap());
            let _ = started_tx.send(());
            fut.await
        })
    };
    started_rx.await.unwrap();
    // The slow request holds the only permit once it is polled: wait until it is.
    let t = std::time::Instant::now();
    let (status, headers, body) = loop {
        let r = send(&app, Request::get("/big").body(Body::empty()).unwrap()).await;
        if r.0 != StatusCode::OK || t.elapsed() > Duration::from_secs(2) {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(t.elapsed() < Duration::from_secs(2), "refused, not queued");
    assert_eq!(headers.get("retry-after").unwrap(), "1");
    let error = json(&body)["error"].as_str().unwrap().to_string();
    assert!(error.contains("api.max_concurrent"), "{error}");
    slow.abort();
    let _ = slow.await;
    let (status, _, _) = send(&app, Request::get("/big").body(Body::empty()).unwrap()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the permit is back once the slow one ends"
    );
}

#[tokio::test]
async fn a_request_over_its_time_is_503_in_the_json_shape() {
    let app = app(&cfg());
    let t = std::time::Instant::now();
    let (status, _, body) = send(&app, Request::get("/slow").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let error = json(&body)["error"].as_str().unwrap().to_string();
    assert!(error.contains("api.request_timeout"), "{error}");
}

#[tokio::test]
async fn answers_are_gzipped_for_the_clients_that_ask() {
    let app = app(&cfg());
    let plain = send(&app, Request::get("/big").body(Body::empty()).unwrap()).await;
    assert_eq!(plain.0, StatusCode::OK);
    assert!(plain.1.get("content-encoding").is_none());
    let req = Request::get("/big")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert!(body.len() < plain.2.len() / 10, "{} bytes", body.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.2);
    // An error asked gzipped is still the JSON shape once unzipped (or not zipped).
    let req = Request::get("/nowhere")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json(&body)["error"].is_string());
}
