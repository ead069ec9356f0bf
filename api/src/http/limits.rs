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
mod tests;
