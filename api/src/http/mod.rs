//! The HTTP surface: one module per area, each exposing `fn router() ->
//! OpenApiRouter<AppState>` (`utoipa_axum`: a handler is registered with `routes!(handler)`
//! from its `#[utoipa::path]`, so it is in the OpenAPI document), merged in [`api_router`]. Handlers are thin: parse, call the library, answer a typed
//! `Serialize` struct (the shapes the CLI's `--json` prints, where both print one). Errors are
//! [`ApiError`]s: a JSON `{"error": ...}` body, generic for a 5xx. The router is a plain
//! function of its state, tested with `oneshot` (`tests.rs`).
//!
//! Routes (the contract):
//! - [`web`]: `GET /` (the web app's page), `GET /web/{file}`, `GET /web/vendor/{file}` (its
//!   files), `GET /api/v1/me`, `GET /api/v1/web/config`, `GET /api/v1/web/background`
//! - [`openapi`]: `GET /api/openapi.json` (the OpenAPI 3.1 document), `GET /api/docs` (its
//!   interactive reference)
//! - [`monitoring`]: `GET /healthz`, `GET /metrics` (Prometheus text), `GET /api/v1/devices`,
//!   `GET /api/v1/devices/{name}/ports`, `GET /api/v1/ports/{device}/{port}/series?from=&to=&step=`
//!   (port keys URL-encoded: `xe-0%2F0%2F1`), `GET /api/v1/ports/{device}/{port}/p95?from=&to=`,
//!   `GET /api/v1/lldp`, `GET /api/v1/optics?fresh_hours=24`
//! - [`wifi`]: `GET /api/v1/wifi`
//! - [`cadastre`]: `GET /api/v1/cadastre/stats`, `GET /api/v1/cadastre/layers/{layer}`,
//!   `GET /api/v1/cadastre/history`, `GET /api/v1/cadastre/history/{version}`,
//!   `GET /api/v1/cadastre/versions/{version}/layers/{layer}`, `GET /api/v1/cadastre/export`,
//!   `POST /api/v1/cadastre/changes`, `POST /api/v1/cadastre/undo/{version}`,
//!   `POST /api/v1/cadastre/import`
//! - [`topology`]: `GET /api/v1/topology/paths`, `GET /api/v1/topology/spof`,
//!   `POST /api/v1/topology/cut`, `GET /api/v1/topology/dig-once`, `GET /api/v1/topology/drift`
//! - [`commercial`]: `GET /api/v1/spare`, `GET /api/v1/quote`
//! - [`links`]: `GET /api/v1/links`
//! - [`alerts`]: `GET /api/v1/alerts?state=&fingerprint=&limit=`, `GET /api/v1/alerts/{id}`,
//!   `POST /api/v1/alerts/{id}/ack`
//!
//! [`params`] reads query parameters one by one (a bad one is a 400 naming it).

pub mod alerts;
pub mod answers;
pub mod auth;
pub mod cadastre;
pub mod commercial;
pub mod error;
pub mod limits;
pub mod links;
pub mod monitoring;
pub mod openapi;
pub mod params;
pub mod snapshot;
pub mod topology;
pub mod web;
pub mod wifi;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_matrix;
#[cfg(test)]
mod tests_topology;

use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use collector::config::ApiConfig;
use collector::metrics::Metrics;
use collector::store::{Store, StoreError};

pub use error::ApiError;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// A reader connection (the pipeline writes through its own; WAL lets both run).
    pub store: Arc<Mutex<Store>>,
    pub metrics: Arc<Metrics>,
    /// The served cadastre (`[cadastre] data`), one snapshot per version.
    pub cadastre: Option<Arc<snapshot::Cadastres>>,
    /// The tokens and their rate budgets.
    pub auth: Arc<auth::Auth>,
    /// Answers kept between the store's writes (`answers::kept`).
    pub answers: Arc<answers::Answers>,
    /// `[wifi]`: the verdicts' thresholds and the plan's limits (the defaults of the wifi
    /// routes' parameters), the days' time zone.
    pub wifi: Arc<collector::config::WifiConfig>,
    /// `[web]`: the map's optional tiles and background.
    pub web: Arc<web::WebState>,
}

/// Every area's routes, merged, and the OpenAPI document that describes them (which they
/// serve at `/api/openapi.json`, with its reference at `/api/docs`); the caller gives the state.
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(openapi::base())
        .merge(web::router())
        .merge(openapi::router())
        .merge(monitoring::router())
        .merge(wifi::router())
        .merge(cadastre::router())
        .merge(topology::router())
        .merge(commercial::router())
        .merge(links::router())
        .merge(alerts::router())
        .split_for_parts();
    openapi::complete(&mut doc);
    let routes = routes
        .merge(openapi::docs())
        .layer(Extension(openapi::Served::new(&doc)));
    (routes, doc)
}

/// The router with its state under the default limits of `[api]` (see
/// [`router_with_limits`]).
pub fn router(state: AppState) -> Router {
    router_with_limits(state, &ApiConfig::default())
}

/// The router with its state under `limits` (`[api]`): what `irisops serve` runs. Every
/// answer that is an error is in the JSON error shape, including the ones axum makes itself (a
/// path that is not UTF-8, a bad query, an unknown route, a wrong method, a body over the
/// limit) and the limits' own; answers are gzip-compressed for the clients that ask.
pub fn router_with_limits(state: AppState, limits: &ApiConfig) -> Router {
    let routes = api_router()
        .0
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .with_state(state);
    layered(routes, limits)
}

/// `routes` under the server's layers (`limits::apply`): the limits, the JSON error shape of
/// every answer (axum's own rejections and 413 are plain text), compression.
fn layered(routes: Router, limits: &ApiConfig) -> Router {
    limits::apply(routes, limits)
}

/// Turns an error answer that is not JSON (axum's own rejections: plain text) into
/// `{"error": ...}` with the same status.
async fn json_errors(r: Response) -> Response {
    let status = r.status();
    let is_json = r
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return r;
    }
    let (parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .unwrap_or_default();
    let error = if status.is_server_error() {
        "internal error".to_string()
    } else {
        let t = String::from_utf8_lossy(&text).trim().to_string();
        if t.is_empty() {
            status.canonical_reason().unwrap_or("error").to_lowercase()
        } else {
            t
        }
    };
    let mut out = (
        status,
        Json(error::ErrorBody {
            error,
            field: None,
            problems: None,
        }),
    )
        .into_response();
    for (k, v) in parts.headers.iter() {
        if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// A JSON answer of a typed body. The body goes through `serde_json::Value`, whose objects
/// keep their keys sorted: the contract's answers have always listed their keys in
/// alphabetical order at every level, and they stay byte-for-byte the same.
pub struct SortedJson<T>(pub T);

impl<T: Serialize> IntoResponse for SortedJson<T> {
    fn into_response(self) -> Response {
        match sorted_json_bytes(&self.0) {
            Ok(body) => (
                [(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => e.into_response(),
        }
    }
}

/// The bytes of a [`SortedJson`] answer.
pub fn sorted_json_bytes<T: Serialize>(answer: &T) -> Result<axum::body::Bytes, ApiError> {
    serde_json::to_value(answer)
        .and_then(|v| serde_json::to_vec(&v))
        .map(axum::body::Bytes::from)
        .map_err(|e| ApiError::Internal(format!("cannot serialise the answer: {e}")))
}

/// The body's media type must be one of `types` (415 otherwise).
pub(crate) fn content_type(
    headers: &axum::http::HeaderMap,
    types: &[&'static str],
) -> Result<&'static str, ApiError> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = ct.split(';').next().unwrap_or_default().trim();
    types
        .iter()
        .find(|t| essence.eq_ignore_ascii_case(t))
        .copied()
        .ok_or_else(|| {
            ApiError::UnsupportedMediaType(format!(
                "Content-Type: expected {}, got {ct:?}",
                types.join(" or ")
            ))
        })
}

/// Runs a read on the store off the async threads.
async fn read<T: Send + 'static>(
    s: &AppState,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
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

/// Runs `f` on the blocking threads (graph searches, store reads, the cadastre's SQLite).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("question task failed: {e}")))?
}

/// Runs `f` with the server's store on the blocking threads.
pub(crate) async fn with_store<T: Send + 'static>(
    s: &AppState,
    f: impl FnOnce(&Store) -> Result<T, crate::questions::QuestionError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = s.store.clone();
    blocking(move || {
        let guard = store
            .lock()
            .map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
        f(&guard).map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await
}
