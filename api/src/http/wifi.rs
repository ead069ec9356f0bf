//! Wifi: `GET /api/v1/wifi`, each controller's latest totals and access points:
//! `{"controllers": [{"device", "time_ms", "aps_total", "aps_up", "clients_total", "aps":
//! [...]}]}` (`Permission::MonitoringRead`); and the hotspots' review (`Permission::WifiRead`):
//! `GET /api/v1/wifi/usage?hotspot=&from=&to=`, `GET /api/v1/wifi/verdicts?until=&window_days=`,
//! `GET /api/v1/wifi/plan?until=&window_days=&radius_m=&max_fibre_m=&max_moves=&format=`, the
//! answers of `irisops wifi usage|verdicts|plan --config` (`crate::questions::wifi`) from the
//! server's store (its daily rollup) and the served cadastre, the `[wifi]` keys as defaults.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use cadastre::wifi::PlanParams;
use collector::sample::ApStatus;
use collector::store::LatestWifi;

use super::auth::{Caller, Permission};
use super::error::ErrorBody;
use super::openapi::foreign;
use super::params::Params;
use super::{blocking, read, with_store, ApiError, AppState, SortedJson};
use crate::questions::wifi::{self as answers, UsageAnswer, VerdictsAnswer, Window};

/// `GET /api/v1/wifi` and the hotspots' review.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(wifi))
        .routes(routes!(usage))
        .routes(routes!(verdicts))
        .routes(routes!(plan))
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

/// The query of `GET /api/v1/wifi/usage`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// One hotspot only.
    #[param(required = false, example = "spot-001")]
    pub hotspot: Option<String>,
    /// The first day, YYYY-MM-DD (default: `window_days` before `to`).
    #[param(required = false, value_type = String, format = Date, example = "2026-11-01")]
    pub from: Option<NaiveDate>,
    /// The last day, YYYY-MM-DD (default: yesterday, local).
    #[param(required = false, value_type = String, format = Date, example = "2026-11-28")]
    pub to: Option<NaiveDate>,
}

/// Each hotspot's daily usage from the store's daily rollup: peak clients, client-hours,
/// active hours, availability, coverage (`irisops wifi usage --config`).
#[utoipa::path(get, path = "/api/v1/wifi/usage", tag = "wifi",
    security(("bearer" = ["wifi:read"])),
    params(UsageQuery),
    responses(
        (status = 200, description = "the days, by hotspot then date", body = foreign::UsageAnswer),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody)))]
async fn usage(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<UsageAnswer>, ApiError> {
    caller.require(Permission::WifiRead)?;
    let p = Params::new(query, &["hotspot", "from", "to"])?;
    let to = date(&p, "to")?.unwrap_or_else(|| answers::yesterday(&s.wifi));
    let from = match date(&p, "from")? {
        Some(d) => d,
        None => Window {
            until: to,
            days: s.wifi.window_days,
        }
        .from(),
    };
    if from > to {
        return Err(ApiError::bad_field("from", "from: must not be after to"));
    }
    let hotspot = p.one("hotspot")?.map(str::to_string);
    with_store(&s, move |st| {
        let rows = answers::usage_of_store(st, hotspot.as_deref(), from, to)?;
        Ok(answers::usage(&rows, hotspot.as_deref(), from, to))
    })
    .await
    .map(SortedJson)
}

/// The query of `GET /api/v1/wifi/verdicts` (and the first part of the plan's).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerdictsQuery {
    /// The window's last day, YYYY-MM-DD (default: yesterday, local).
    #[param(required = false, value_type = String, format = Date, example = "2026-11-28")]
    pub until: Option<NaiveDate>,
    /// The window's length in whole days (default `[wifi] window_days`, 28).
    #[param(required = false, minimum = 1, maximum = 3660, example = 28)]
    pub window_days: Option<u32>,
}

/// The verdict on each hotspot of the served cadastre over the window (insufficient_data,
/// faulty, underused, ok), with its figures and the rule that decided
/// (`irisops wifi verdicts --config`).
#[utoipa::path(get, path = "/api/v1/wifi/verdicts", tag = "wifi",
    security(("bearer" = ["wifi:read"])),
    params(VerdictsQuery),
    responses(
        (status = 200, description = "one verdict per hotspot", body = foreign::VerdictsAnswer),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn verdicts(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<VerdictsAnswer>, ApiError> {
    caller.require(Permission::WifiRead)?;
    let p = Params::new(query, &["until", "window_days"])?;
    let window = window(&s, &p)?;
    let snap = super::cadastre::snapshot(&s).await?;
    let criteria = answers::criteria_of(&s.wifi);
    with_store(&s, move |st| {
        let rows = answers::usage_of_store(st, None, window.from(), window.until)?;
        Ok(answers::verdicts(&snap.cad, &rows, window, &criteria))
    })
    .await
    .map(SortedJson)
}

/// The query of `GET /api/v1/wifi/plan`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The verdicts' window's last day, YYYY-MM-DD (default: yesterday, local).
    #[param(required = false, value_type = String, format = Date, example = "2026-11-28")]
    pub until: Option<NaiveDate>,
    /// The verdicts' window, whole days (default `[wifi] window_days`).
    #[param(required = false, minimum = 1, maximum = 3660, example = 28)]
    pub window_days: Option<u32>,
    /// A target is covered within this distance of a hotspot, metres (default `[wifi]
    /// radius_m`, 100).
    #[param(required = false, example = 100.0)]
    pub radius_m: Option<f64>,
    /// A place is a candidate within this distance of the fibre, metres (default `[wifi]
    /// max_fibre_m`, 500).
    #[param(required = false, example = 500.0)]
    pub max_fibre_m: Option<f64>,
    /// At most this many moves (default `[wifi] max_moves`, else the underused hotspots').
    #[param(required = false, example = 10)]
    pub max_moves: Option<usize>,
    /// `json` (default), `csv` (one line per move) or `geojson` (the moves as lines).
    #[param(required = false, inline, value_type = PlanFormat)]
    pub format: Option<String>,
}

/// The formats of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PlanFormat {
    Json,
    Csv,
    Geojson,
}

/// The relocation plan of the underused hotspots: the target places that newly cover the most
/// weight near the fibre (exact, with its bound), and which hotspot goes where
/// (`irisops wifi plan --config`).
#[utoipa::path(get, path = "/api/v1/wifi/plan", tag = "wifi",
    security(("bearer" = ["wifi:read"])),
    params(PlanQuery),
    responses(
        (status = 200, description = "the plan in the format asked",
            content((foreign::Plan = "application/json"), (String = "text/csv"),
                (foreign::FeatureCollection = "application/geo+json"))),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn plan(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    caller.require(Permission::WifiRead)?;
    let p = Params::new(
        query,
        &[
            "until",
            "window_days",
            "radius_m",
            "max_fibre_m",
            "max_moves",
            "format",
        ],
    )?;
    let window = window(&s, &p)?;
    let params = plan_params(&s, &p)?;
    let format = p.choice("format", &["json", "csv", "geojson"], "json")?;
    let snap = super::cadastre::snapshot(&s).await?;
    let criteria = answers::criteria_of(&s.wifi);
    let rows = with_store(&s, move |st| {
        answers::usage_of_store(st, None, window.from(), window.until)
    })
    .await?;
    let (body, content_type) = blocking(move || {
        let plan = answers::plan(&snap.cad, &rows, window, &criteria, &params);
        Ok(match format {
            "csv" => (cadastre::wifi::to_csv(&plan).into_bytes(), "text/csv"),
            "geojson" => (
                json_bytes(&cadastre::wifi::to_geojson(&plan, &snap.cad))?,
                "application/geo+json",
            ),
            _ => (json_bytes(&plan)?, "application/json"),
        })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// A YYYY-MM-DD date parameter; 400 naming it otherwise.
fn date(p: &Params, key: &str) -> Result<Option<NaiveDate>, ApiError> {
    p.parse_opt(key, "a date YYYY-MM-DD")
}

/// The verdicts' window of `until` and `window_days`.
fn window(s: &AppState, p: &Params) -> Result<Window, ApiError> {
    let until = date(p, "until")?.unwrap_or_else(|| answers::yesterday(&s.wifi));
    let days = p.parse("window_days", s.wifi.window_days, "a whole number of days")?;
    if !(1..=3660).contains(&days) {
        return Err(ApiError::bad_field(
            "window_days",
            format!("window_days: must be from 1 to 3660, got {days}"),
        ));
    }
    Ok(Window { until, days })
}

/// The plan's parameters: the `[wifi]` keys, each overridden by its query parameter.
fn plan_params(s: &AppState, p: &Params) -> Result<PlanParams, ApiError> {
    let base = answers::plan_params_of(&s.wifi);
    let radius_m = p.number(
        "radius_m",
        Some(base.radius_m),
        |x| x > 0.0,
        "a number of metres > 0",
    )?;
    let max_fibre_m = p.number(
        "max_fibre_m",
        Some(base.max_fibre_m),
        |x| x >= 0.0,
        "a number of metres >= 0",
    )?;
    Ok(PlanParams {
        radius_m: radius_m.unwrap_or(base.radius_m),
        max_fibre_m: max_fibre_m.unwrap_or(base.max_fibre_m),
        max_moves: p
            .parse_opt("max_moves", "a whole number")?
            .or(base.max_moves),
        ..base
    })
}

/// Sorted-key JSON bytes of an answer.
fn json_bytes<T: Serialize>(answer: &T) -> Result<Vec<u8>, ApiError> {
    super::sorted_json_bytes(answer).map(|b| b.to_vec())
}
