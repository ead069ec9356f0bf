//! The cadastre's routes. Reads (`CadastreRead`, [`reads`]): `GET /api/v1/cadastre/stats`,
//! `GET /api/v1/cadastre/layers/{layer}?bbox=&owner=&status=` (the layer's GeoJSON file,
//! `ETag: "<version>"`, 304 on a matching `If-None-Match`), `GET /api/v1/cadastre/history?limit=`,
//! `GET /api/v1/cadastre/history/{version}` (that change's diff),
//! `GET /api/v1/cadastre/versions/{version}/layers/{layer}` and
//! `GET /api/v1/cadastre/export?to=geojson|ofds|csv` (a zip). Writes (`CadastreWrite`,
//! [`writes`]): `POST /api/v1/cadastre/changes`, `POST /api/v1/cadastre/undo/{version}` and
//! `POST /api/v1/cadastre/import?from=geojson|ofds&crs=&area=`, each with a required
//! `If-Match: "<version>"` naming the version it is based on (428 without, 412 when stale),
//! 201 `{"version"}` when written, 422 `{"error", "problems"}` with nothing written. Every
//! route answers 404 when no cadastre is served.
//!
//! The answers are the CLI's: the same structs (`cadastre::versions`, `cadastre::stats`) and
//! the same writes (`cadastre::writes`), so `irisops cadastre ... --json` and a route agree.

mod reads;
mod writes;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::http::HeaderMap;
use utoipa_axum::router::OpenApiRouter;

use cadastre::{CadastreError, Layer};

use super::snapshot::{Cadastres, Snapshot};
use super::{blocking, ApiError, AppState};

/// The cadastre's routes, each in the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(reads::router())
        .merge(writes::router())
}

/// The served cadastre; 404 when none is.
fn cadastres(s: &AppState) -> Result<Arc<Cadastres>, ApiError> {
    s.cadastre
        .clone()
        .ok_or_else(|| ApiError::NotFound("no cadastre is served ([cadastre] data)".into()))
}

/// The served cadastre's current snapshot, off the async threads unless it is quick (the
/// version unchanged: a thread hop per request cost more than the read); 404 when none is
/// served.
pub(super) async fn snapshot(s: &AppState) -> Result<Arc<Snapshot>, ApiError> {
    let c = cadastres(s)?;
    if let Some(snap) = c.current_if_quick() {
        return Ok(snap);
    }
    blocking(move || c.current()).await
}

/// The layer named in the path; 404 naming the layers otherwise.
fn layer_of(name: &str) -> Result<Layer, ApiError> {
    Layer::parse(name).ok_or_else(|| {
        let names: Vec<&str> = cadastre::model::LAYERS.iter().map(|l| l.as_str()).collect();
        ApiError::NotFound(format!(
            "unknown layer {name:?}: one of {}",
            names.join(", ")
        ))
    })
}

/// A version named in the path (`field`: its name in the answer).
fn version_of(text: &str, field: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| {
        ApiError::bad_field(
            field,
            format!("{field}: expected a version number, got {text:?}"),
        )
    })
}

/// The entity tag of a version: `"<version>"`.
fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The version an entity tag names: `"7"`, `W/"7"` or `7`.
fn tag_version(tag: &str) -> Option<u64> {
    let t = tag.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    t.trim_matches('"').parse().ok()
}

/// True when `If-None-Match` names `version` (or is `*`).
fn none_match(headers: &HeaderMap, version: u64) -> bool {
    headers
        .get_all(axum::http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || tag_version(t) == Some(version))
}

/// A domain error as an answer (a 5xx names no path; the detail goes to the log).
fn cadastre_error(e: CadastreError) -> ApiError {
    match e {
        CadastreError::Stale { base, current } => {
            ApiError::PreconditionFailed(stale(base, current))
        }
        CadastreError::NotFound(m) => ApiError::NotFound(m),
        CadastreError::Invalid { report } => writes::refused(report_problems(&report)),
        CadastreError::Store {
            source: source @ cadastre::StoreError::UndoConflict { .. },
            ..
        } => ApiError::Conflict(source.to_string()),
        other => ApiError::Internal(other.to_string()),
    }
}

/// A write's problems (an import's, an undo's) in the API's shape; no change set names them,
/// so `change` is null.
fn report_problems(report: &cadastre::Report) -> Vec<cadastre::store::ChangeProblem> {
    report
        .problems
        .iter()
        .map(|p| cadastre::store::ChangeProblem {
            severity: p.severity,
            change: None,
            layer: Some(p.layer),
            index: p.index,
            id: p.id.clone(),
            field: p.field.clone(),
            message: p.message.clone(),
        })
        .collect()
}

/// The CLI's words for a stale write.
fn stale(base: u64, current: u64) -> String {
    format!("stale edit: data is at version {current}, your edit is based on {base}")
}
