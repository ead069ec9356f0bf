//! The cadastre: `GET /api/v1/cadastre/stats` (route km, strands per owner, and the version;
//! the JSON `irisops cadastre stats --json` prints) and `GET /api/v1/cadastre/layers/{layer}`
//! (an RFC 7946 FeatureCollection). Both answer 404 when no cadastre is served.

use axum::extract::{Path, State};
use axum::Json;
use cadastre::stats::VersionedStats;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Permission};
use std::sync::Arc;

use super::error::ErrorBody;
use super::openapi::foreign;
use super::snapshot::Snapshot;
use super::{ApiError, AppState, SortedJson};

/// The cadastre's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(layer))
}

/// The served cadastre's current snapshot, off the async threads; 404 when none is served.
pub(super) async fn snapshot(s: &AppState) -> Result<Arc<Snapshot>, ApiError> {
    let Some(c) = s.cadastre.clone() else {
        return Err(ApiError::NotFound(
            "no cadastre is served ([cadastre] data)".into(),
        ));
    };
    tokio::task::spawn_blocking(move || c.current())
        .await
        .map_err(|e| ApiError::Internal(format!("cadastre task failed: {e}")))?
}

/// Route km, strands per owner and spare figures of the served cadastre, with its version.
#[utoipa::path(get, path = "/api/v1/cadastre/stats", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    responses((status = 200, description = "the statistics", body = foreign::CadastreStats),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn stats(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<VersionedStats>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let snap = snapshot(&s).await?;
    Ok(SortedJson(VersionedStats::of(&snap.cad, snap.version)))
}

/// One layer of the served cadastre as an RFC 7946 FeatureCollection.
#[utoipa::path(get, path = "/api/v1/cadastre/layers/{layer}", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(("layer" = inline(foreign::LayerName), Path, description = "the layer")),
    responses((status = 200, description = "the layer's features", body = foreign::FeatureCollection),
        (status = 400, description = "a bad path", body = ErrorBody),
        (status = 404, description = "no such layer, or no cadastre is served", body = ErrorBody)))]
async fn layer(
    caller: Caller,
    State(s): State<AppState>,
    Path(layer): Path<String>,
) -> Result<Json<geojson::FeatureCollection>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let Some(l) = cadastre::Layer::parse(&layer) else {
        let names: Vec<&str> = cadastre::model::LAYERS.iter().map(|l| l.as_str()).collect();
        return Err(ApiError::NotFound(format!(
            "unknown layer {layer:?}: one of {}",
            names.join(", ")
        )));
    };
    let snap = snapshot(&s).await?;
    Ok(Json(cadastre::geojson_io::to_feature_collection(
        &snap.cad, l,
    )))
}
