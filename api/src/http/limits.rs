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

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{Layer, Service, ServiceBuilder};
use tower_http::compression::CompressionLayer;

use collector::config::ApiConfig;

use super::ApiError;

/// What [`Limit`] enforces.
#[derive(Debug)]
struct Limits {
    permits: Arc<Semaphore>,
    max_concurrent: usize,
    request_timeout: Duration,
    max_body_bytes: usize,
}

/// `routes` under the layers every route runs under, outermost first: gzip for the clients
/// that ask (it sees the answer last, so the error layer below reads bodies uncompressed),
/// [`Limit`]
/// (the cap, the declared body size, the time, and the JSON error shape of every answer),
/// then axum's body limit for the extractors (2 MB unless told: ours instead; a route may set
/// a lower one of its own). One stack, applied once: each `Router::layer` call would wrap
/// every route once more (a boxed clone per request and level).
pub fn apply(routes: Router, cfg: &ApiConfig) -> Router {
    let limits = Arc::new(Limits {
        permits: Arc::new(Semaphore::new(cfg.max_concurrent)),
        max_concurrent: cfg.max_concurrent,
        request_timeout: cfg.request_timeout,
        max_body_bytes: cfg.max_body_bytes,
    });
    routes.layer(
        ServiceBuilder::new()
            .layer(CompressionLayer::new())
            .layer(LimitLayer(limits))
            .layer(DefaultBodyLimit::max(cfg.max_body_bytes)),
    )
}

/// Makes [`Limit`]s.
#[derive(Debug, Clone)]
struct LimitLayer(Arc<Limits>);

impl<S> Layer<S> for LimitLayer {
    type Service = Limit<S>;

    fn layer(&self, inner: S) -> Limit<S> {
        Limit {
            inner,
            limits: self.0.clone(),
        }
    }
}

/// Admits a request under the cap, refuses a body declared too large, bounds the time, and
/// puts every error answer in the JSON shape (`json_errors`).
#[derive(Debug, Clone)]
pub struct Limit<S> {
    inner: S,
    limits: Arc<Limits>,
}

impl<S> Service<Request> for Limit<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let permit = match self.limits.admit(&req) {
            Ok(p) => p,
            Err(refused) => return Box::pin(std::future::ready(Ok(*refused))),
        };
        let answer = self.inner.call(req);
        let timeout = self.limits.request_timeout;
        Box::pin(async move {
            let r = match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(r)) => r,
                Ok(Err(never)) => match never {},
                Err(_) => ApiError::Unavailable(format!(
                    "the request took longer than {} (api.request_timeout)",
                    humantime::format_duration(timeout)
                ))
                .into_response(),
            };
            drop(permit);
            Ok(super::json_errors(r).await)
        })
    }
}

impl Limits {
    /// A permit to serve `req`, or the answer refusing it.
    fn admit(&self, req: &Request) -> Result<OwnedSemaphorePermit, Box<Response>> {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            let mut r = ApiError::Unavailable(format!(
                "the server is serving its maximum of {} requests at once (api.max_concurrent): try again",
                self.max_concurrent
            ))
            .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Err(Box::new(r));
        };
        match declared_length(req) {
            Some(n) if n > self.max_body_bytes as u64 => Err(Box::new(
                ApiError::PayloadTooLarge(format!(
                    "the request body ({n} bytes) is over the limit of {} bytes (api.max_body_mb)",
                    self.max_body_bytes
                ))
                .into_response(),
            )),
            _ => Ok(permit),
        }
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
