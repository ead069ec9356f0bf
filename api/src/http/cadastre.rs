//! The cadastre: `GET /api/v1/cadastre/stats` (route km, strands per owner, and the version;
//! the JSON `irisops cadastre stats --json` prints) and `GET /api/v1/cadastre/layers/{layer}`
//! (an RFC 7946 FeatureCollection). Both answer 404 when no cadastre is served.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use cadastre::stats::VersionedStats;

use super::auth::{Caller, Permission};
use super::{ApiError, AppState, SortedJson};

/// The cadastre's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cadastre/stats", get(stats))
        .route("/api/v1/cadastre/layers/{layer}", get(layer))
}

/// Loads the served cadastre off the async threads.
async fn load(s: &AppState) -> Result<(cadastre::Cadastre, u64), ApiError> {
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

async fn stats(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<VersionedStats>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let (cad, version) = load(&s).await?;
    Ok(SortedJson(VersionedStats::of(&cad, version)))
}

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
    let (cad, _) = load(&s).await?;
    Ok(Json(cadastre::geojson_io::to_feature_collection(&cad, l)))
}
