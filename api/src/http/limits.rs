//! The server's limits as layers of the router, each from `[api]` with its default, each
//! answering in the JSON error shape:
//!
//! - `max_concurrent` (512): requests served at once; one more is refused at once with 503
//!   and `Retry-After: 1`, never queued (a queue would only hide an overload until the
//!   clients' own timeouts fire);
//! - `request_timeout` (60 s): a request still unanswered after it (its body read included)
//!   is abandoned with 503;
//! - `max_body_mb` (64): a larger request body gets 413, before it is read when its
//!   `Content-Length` says so, else when the handler reads past the limit;
//! - answers are gzip-compressed for a client that sends `Accept-Encoding: gzip` (not the small
//!   ones, under 32 bytes).
//!
//! The header-read and idle-connection timeout (`header_timeout`) belongs to the connection,
//! not to a request: `cli/serve.rs` sets it on hyper's connection builder.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;

use collector::config::ApiConfig;

use super::ApiError;

/// What the per-request layer enforces.
#[derive(Debug)]
struct Limits {
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    request_timeout: Duration,
    max_body_bytes: usize,
}

/// `routes` inside the request limits: the concurrency cap, the request timeout and the body
/// size limit. The caller puts the JSON error layer outside these (axum's own 413 is plain
/// text) and [`compression`] outside that.
pub fn apply(routes: Router, cfg: &ApiConfig) -> Router {
    let limits = Arc::new(Limits {
        permits: Arc::new(Semaphore::new(cfg.max_concurrent)),
        max_concurrent: cfg.max_concurrent,
        request_timeout: cfg.request_timeout,
        max_body_bytes: cfg.max_body_bytes,
    });
    routes
        // The limit of axum's body extractors (2 MB unless told): ours instead. A route may
        // set a lower one of its own.
        .layer(DefaultBodyLimit::max(cfg.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(limits, limit))
}

/// gzip for the clients that ask for it (`Accept-Encoding: gzip`).
pub fn compression() -> CompressionLayer {
    CompressionLayer::new()
}

/// Admits a request under the cap, refuses a body declared too large, and bounds the time.
async fn limit(State(l): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let Ok(_permit) = l.permits.clone().try_acquire_owned() else {
        let mut r = ApiError::Unavailable(format!(
            "the server is serving its maximum of {} requests at once (api.max_concurrent): try again",
            l.max_concurrent
        ))
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    if let Some(n) = declared_length(&req) {
        if n > l.max_body_bytes as u64 {
            return ApiError::PayloadTooLarge(format!(
                "the request body ({n} bytes) is over the limit of {} bytes (api.max_body_mb)",
                l.max_body_bytes
            ))
            .into_response();
        }
    }
    match tokio::time::timeout(l.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::Unavailable(format!(
            "the request took longer than {} (api.request_timeout)",
            humantime::format_duration(l.request_timeout)
        ))
        .into_response(),
    }
}

/// The request's `Content-Length`, when it has a readable one.
fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
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
        super::super::layered(routes, cfg)
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
        let (status, _, body) =
            send(&app, Request::get("/slow").body(Body::empty()).unwrap()).await;
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
}
