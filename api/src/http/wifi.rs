//! Wifi: `GET /api/v1/wifi`, each controller's latest totals and access points:
//! `{"controllers": [{"device", "time_ms", "aps_total", "aps_up", "clients_total", "aps":
//! [...]}]}`.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use collector::sample::ApStatus;
use collector::store::LatestWifi;

use super::auth::{Caller, Permission};
use super::openapi::foreign;
use super::{read, ApiError, AppState, SortedJson};

/// `GET /api/v1/wifi`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(wifi))
}

/// The answer of `GET /api/v1/wifi`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Controllers {
    pub controllers: Vec<Controller>,
}

/// One controller's latest poll.
#[derive(Debug, Serialize, ToSchema)]
pub struct Controller {
    pub device: String,
    pub time_ms: i64,
    pub aps_total: u64,
    pub aps_up: u64,
    pub clients_total: u64,
    #[schema(value_type = Vec<foreign::ApStatus>)]
    pub aps: Vec<ApStatus>,
}

impl From<LatestWifi> for Controller {
    fn from(w: LatestWifi) -> Self {
        Controller {
            device: w.device,
            time_ms: w.time_ms,
            aps_total: w.wifi.aps_total,
            aps_up: w.wifi.aps_up,
            clients_total: w.wifi.clients_total,
            aps: w.wifi.aps,
        }
    }
}

/// Each wifi controller's latest totals and access points.
#[utoipa::path(get, path = "/api/v1/wifi", tag = "wifi",
    security(("bearer" = ["monitoring:read"])),
    responses((status = 200, description = "the controllers", body = Controllers)))]
async fn wifi(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<Controllers>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let all = read(&s, |st| st.wifi_latest()).await?;
    Ok(SortedJson(Controllers {
        controllers: all.into_iter().map(Controller::from).collect(),
    }))
}
