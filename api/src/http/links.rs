//! `GET /api/v1/links?sort=now|p95&top=N&window_days=30` (`Permission::MonitoringRead`): the
//! engineer's busiest circuits — every documented circuit whose end port the server's store
//! measures, with its utilisation now and its p95 over the window (busier direction) and its
//! speed, busiest first (`crate::questions::links`).

use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Caller, Permission};
use super::error::ErrorBody;
use super::params::Params;
use super::with_store;
use super::{ApiError, AppState, SortedJson};
use crate::questions::links::{LinkSort, LinksAnswer};

/// The links route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(links))
}

/// The query of `GET /api/v1/links`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// Busiest first by the p95 over the window, or by the latest rate (default `p95`).
    #[param(required = false, inline, value_type = LinkSort)]
    pub sort: String,
    /// How many circuits, busiest first.
    #[param(required = false, default = 20)]
    pub top: usize,
    /// The p95 window, days.
    #[param(required = false, default = 30, minimum = 1)]
    pub window_days: u32,
}

impl LinksQuery {
    fn parse(p: &Params) -> Result<Self, ApiError> {
        let window_days = p.window_days()?;
        Ok(LinksQuery {
            sort: p.choice("sort", &["p95", "now"], "p95")?.to_string(),
            top: p.parse("top", 20usize, "a whole number")?,
            window_days,
        })
    }
}

/// The busiest documented circuits: each with a measured end port, its utilisation now and
/// its p95 over the window (busier direction) and its speed.
#[utoipa::path(get, path = "/api/v1/links", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    params(LinksQuery),
    responses(
        (status = 200, description = "the circuits, busiest first", body = LinksAnswer),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn links(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<LinksAnswer>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let q = LinksQuery::parse(&Params::new(query, &["sort", "top", "window_days"])?)?;
    let sort = LinkSort::parse(&q.sort).unwrap_or(LinkSort::P95);
    let snap = super::cadastre::snapshot(&s).await?;
    with_store(&s, move |st| {
        crate::questions::links::links(
            st,
            &snap.cad,
            q.window_days,
            collector::poll::now_ms(),
            sort,
            q.top,
        )
    })
    .await
    .map(SortedJson)
}
