//! Monitoring: health, Prometheus metrics and the read API over the collector's store.
//!
//! - `GET /healthz`, `GET /metrics` (Prometheus text)
//! - `GET /api/v1/devices`, `GET /api/v1/devices/{name}/ports`
//! - `GET /api/v1/ports/{device}/{port}/series?from=&to=&step=` (port keys URL-encoded:
//!   `xe-0%2F0%2F1`), `GET /api/v1/ports/{device}/{port}/p95?from=&to=`
//! - `GET /api/v1/lldp` (every device's latest LLDP table: `{"devices": [{"device",
//!   "neighbours": [...]}]}`, the keys of `poll`'s `lldp[]`)
//! - `GET /api/v1/optics?fresh_hours=24` (latest optical level per device, port, lane and
//!   direction: `{"optics": [{"device", "port", "lane", "direction", "dbm", "time_ms"}]}`, and
//!   `"no_light": true` where `dbm` is a present optic's no-light floor; current levels only,
//!   never a device's period statistics)

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use collector::poll::now_ms;
use collector::sample::{LldpNeighbour, OpticDirection};
use collector::store::{DeviceInfo, LatestOptic, PortInfo, SeriesPoint, P95};

use super::auth::{Caller, Permission};
use super::error::ErrorBody;
use super::openapi::foreign;
use super::{answers, read, ApiError, AppState, SortedJson};

/// Health, metrics, devices, ports, series, p95, LLDP and optics.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(devices))
        .routes(routes!(ports))
        .routes(routes!(series))
        .routes(routes!(p95))
        .routes(routes!(lldp))
        .routes(routes!(optics))
}

/// Liveness: `ok` while the server runs (open, no token).
#[utoipa::path(get, path = "/healthz", tag = "monitoring",
    responses((status = 200, description = "the server runs", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok\n"
}

/// The collector's counters in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "monitoring",
    security(("bearer" = ["metrics"])),
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")))]
async fn metrics(caller: Caller, State(s): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    caller.require(Permission::Metrics)?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    ))
}

/// The answer of `GET /api/v1/devices`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Devices {
    pub devices: Vec<Device>,
}

/// A device as last polled.
#[derive(Debug, Serialize, ToSchema)]
pub struct Device {
    pub name: String,
    pub status: Option<String>,
    pub error: Option<String>,
    pub status_time_ms: Option<i64>,
    pub last_poll_ms: Option<i64>,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_object_id: Option<String>,
    pub sys_uptime: Option<u32>,
    pub n_ports: usize,
}

impl From<DeviceInfo> for Device {
    fn from(d: DeviceInfo) -> Self {
        Device {
            name: d.name,
            status: d.last_status,
            error: d.last_error,
            status_time_ms: d.last_status_ms,
            last_poll_ms: d.last_poll_ms,
            sys_name: d.sys_name,
            sys_descr: d.sys_descr,
            sys_object_id: d.sys_object_id,
            sys_uptime: d.sys_uptime,
            n_ports: d.n_ports,
        }
    }
}

/// Every configured device as last polled. Its answer is kept between the store's writes
/// (`answers::kept`): a dashboard asks for it often.
#[utoipa::path(get, path = "/api/v1/devices", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    responses((status = 200, description = "the devices", body = Devices)))]
async fn devices(caller: Caller, State(s): State<AppState>) -> Result<Response, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    answers::kept(&s, "devices", |st| {
        Ok(Devices {
            devices: st.devices()?.into_iter().map(Device::from).collect(),
        })
    })
    .await
}

/// The answer of `GET /api/v1/lldp`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lldp {
    pub devices: Vec<LldpTable>,
}

/// One device's LLDP table as last read.
#[derive(Debug, Serialize, ToSchema)]
pub struct LldpTable {
    pub device: String,
    #[schema(value_type = Vec<foreign::LldpNeighbour>)]
    pub neighbours: Vec<LldpNeighbour>,
}

/// Every device's latest LLDP table.
#[utoipa::path(get, path = "/api/v1/lldp", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    responses((status = 200, description = "the LLDP tables", body = Lldp)))]
async fn lldp(caller: Caller, State(s): State<AppState>) -> Result<SortedJson<Lldp>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let t = read(&s, |st| st.lldp_tables()).await?;
    let mut devices: Vec<LldpTable> = t
        .devices
        .into_iter()
        .map(|device| LldpTable {
            device,
            neighbours: Vec::new(),
        })
        .collect();
    for (dev, n) in t.neighbours {
        if let Some(d) = devices.iter_mut().find(|d| d.device == dev) {
            d.neighbours.push(n);
        }
    }
    Ok(SortedJson(Lldp { devices }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OpticsQuery {
    /// Only levels read within this many hours (default 24, at most 9600).
    fresh_hours: Option<u32>,
}

/// The answer of `GET /api/v1/optics`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Optics {
    pub optics: Vec<Optic>,
}

/// The latest level of one (device, port, lane, direction).
#[derive(Debug, Serialize, ToSchema)]
pub struct Optic {
    pub device: String,
    pub port: String,
    pub lane: Option<u32>,
    #[schema(value_type = foreign::OpticDirection)]
    pub direction: OpticDirection,
    pub dbm: f64,
    pub time_ms: i64,
    /// `dbm` is the device's no-light floor on a present optic (omitted when false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_light: bool,
}

impl From<LatestOptic> for Optic {
    fn from(o: LatestOptic) -> Self {
        Optic {
            device: o.device,
            port: o.reading.port,
            lane: o.reading.lane,
            direction: o.reading.direction,
            dbm: o.reading.dbm,
            time_ms: o.time_ms,
            no_light: o.reading.no_light,
        }
    }
}

/// The latest optical level per device, port, lane and direction.
#[utoipa::path(get, path = "/api/v1/optics", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    params(OpticsQuery),
    responses((status = 200, description = "the latest levels", body = Optics),
        (status = 400, description = "a bad query", body = ErrorBody)))]
async fn optics(
    caller: Caller,
    State(s): State<AppState>,
    Query(q): Query<OpticsQuery>,
) -> Result<SortedJson<Optics>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let hours = i64::from(q.fresh_hours.unwrap_or(24).min(24 * 400));
    let since = now_ms() - hours * 3_600_000;
    let levels = read(&s, move |st| st.optics_latest(since)).await?;
    Ok(SortedJson(Optics {
        optics: levels.into_iter().map(Optic::from).collect(),
    }))
}

/// The answer of `GET /api/v1/devices/{name}/ports`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ports {
    pub device: String,
    pub ports: Vec<Port>,
}

/// A stored port and its newest rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct Port {
    pub key: String,
    pub if_index: u32,
    /// ifName, else ifDescr.
    pub name: Option<String>,
    pub descr: Option<String>,
    pub alias: Option<String>,
    pub speed_bps: Option<u64>,
    pub oper_status: Option<u8>,
    pub admin_status: Option<u8>,
    pub time_ms: Option<i64>,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    pub utilisation_in: Option<f64>,
    pub utilisation_out: Option<f64>,
    /// Why the newest rates have a gap (e.g. `counter_reset`), when they have one.
    pub gap: Option<&'static str>,
}

impl From<PortInfo> for Port {
    fn from(p: PortInfo) -> Self {
        let l = p.latest.as_ref();
        Port {
            name: p.if_name.or(p.if_descr.clone()),
            key: p.key,
            if_index: p.if_index,
            descr: p.if_descr,
            alias: p.if_alias,
            speed_bps: p.speed_bps,
            oper_status: p.oper_status,
            admin_status: p.admin_status,
            time_ms: l.map(|l| l.time_ms),
            in_bps: l.and_then(|l| l.in_bps),
            out_bps: l.and_then(|l| l.out_bps),
            utilisation_in: l.and_then(|l| l.utilisation_in),
            utilisation_out: l.and_then(|l| l.utilisation_out),
            gap: l.and_then(|l| l.gap).map(|g| g.as_str()),
        }
    }
}

/// A device's stored ports and their newest rates.
#[utoipa::path(get, path = "/api/v1/devices/{name}/ports", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    params(("name" = String, Path, description = "the device's name")),
    responses((status = 200, description = "the device's ports", body = Ports),
        (status = 400, description = "a bad path", body = ErrorBody),
        (status = 404, description = "no such device", body = ErrorBody)))]
async fn ports(
    caller: Caller,
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> Result<SortedJson<Ports>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let dev = name.clone();
    let ports = read(&s, move |st| st.ports(&dev)).await?;
    Ok(SortedJson(Ports {
        device: name,
        ports: ports.into_iter().map(Port::from).collect(),
    }))
}

/// `from`/`to`: Unix milliseconds or RFC 3339; `step`: seconds or a duration ("5m").
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// Start: Unix milliseconds or RFC 3339 (default: a day before `to`).
    #[param(example = "2026-12-01T00:00:00Z")]
    pub from: Option<String>,
    /// End: Unix milliseconds or RFC 3339 (default: now).
    #[param(example = "1796560220001")]
    pub to: Option<String>,
    /// Bucket width: seconds or a duration like `5m` (default: about 300 points, at least
    /// a minute); at most 100000 points. `p95` ignores it.
    #[param(example = "5m")]
    pub step: Option<String>,
}

/// 9999-12-31T23:59:59.999Z in Unix milliseconds.
const MAX_TIME_MS: i64 = 253_402_300_799_999;

fn parse_time(v: Option<&str>, default: i64, key: &str) -> Result<i64, ApiError> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let ms = match v.parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| t.timestamp_millis())
            .map_err(|_| {
                ApiError::bad_field(
                    key,
                    format!("{key}: expected Unix milliseconds or RFC 3339, got {v:?}"),
                )
            })?,
    };
    // Times between 1970 and 9999 only: the store's bucket arithmetic stays far from overflow.
    if !(0..=MAX_TIME_MS).contains(&ms) {
        return Err(ApiError::bad_field(
            key,
            format!("{key}: {ms} is outside 1970-01-01 .. 9999-12-31"),
        ));
    }
    Ok(ms)
}

fn parse_step(v: Option<&str>, from: i64, to: i64) -> Result<i64, ApiError> {
    let Some(v) = v.filter(|v| !v.is_empty()) else {
        // About 300 points over the range, at least a minute.
        return Ok((span(from, to) / 300).clamp(60_000, i64::MAX as i128) as i64);
    };
    let d = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(v).map_err(|_| {
            ApiError::bad_field(
                "step",
                format!("step: expected seconds or a duration like \"5m\", got {v:?}"),
            )
        })?,
    };
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    if ms <= 0 {
        return Err(ApiError::bad_field("step", "step: must be positive"));
    }
    if span(from, to) / i128::from(ms) > 100_000 {
        return Err(ApiError::bad_field(
            "step",
            "step: too many points (over 100000) for the range",
        ));
    }
    Ok(ms)
}

/// `to - from`, which does not fit an i64 for every pair of i64s.
fn span(from: i64, to: i64) -> i128 {
    i128::from(to) - i128::from(from)
}

fn range(q: &RangeQuery) -> Result<(i64, i64), ApiError> {
    let now = now_ms();
    let to = parse_time(q.to.as_deref(), now, "to")?;
    let from = parse_time(q.from.as_deref(), to.saturating_sub(86_400_000), "from")?;
    if from >= to {
        return Err(ApiError::bad_field("from", "from must be before to"));
    }
    Ok((from, to))
}

/// The answer of `GET /api/v1/ports/{device}/{port}/series`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    pub device: String,
    pub port: String,
    pub from: i64,
    pub to: i64,
    pub step_ms: i64,
    pub points: Vec<Point>,
}

/// One bucket of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    pub time_ms: i64,
    pub in_bps_avg: Option<f64>,
    pub in_bps_max: Option<f64>,
    pub out_bps_avg: Option<f64>,
    pub out_bps_max: Option<f64>,
    pub utilisation_in_avg: Option<f64>,
    pub utilisation_in_max: Option<f64>,
    pub utilisation_out_avg: Option<f64>,
    pub utilisation_out_max: Option<f64>,
}

impl From<SeriesPoint> for Point {
    fn from(p: SeriesPoint) -> Self {
        Point {
            time_ms: p.time_ms,
            in_bps_avg: p.in_bps_avg,
            in_bps_max: p.in_bps_max,
            out_bps_avg: p.out_bps_avg,
            out_bps_max: p.out_bps_max,
            utilisation_in_avg: p.utilisation_in_avg,
            utilisation_in_max: p.utilisation_in_max,
            utilisation_out_avg: p.utilisation_out_avg,
            utilisation_out_max: p.utilisation_out_max,
        }
    }
}

/// A port's rates over a range, in buckets (average and maximum per bucket).
#[utoipa::path(get, path = "/api/v1/ports/{device}/{port}/series", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    params(("device" = String, Path, description = "the device's name"),
        ("port" = String, Path, description = "the port key, URL-encoded (`xe-0%2F0%2F1`)"),
        RangeQuery),
    responses((status = 200, description = "the series", body = Series),
        (status = 400, description = "a bad range or step", body = ErrorBody),
        (status = 404, description = "no such device or port", body = ErrorBody)))]
async fn series(
    caller: Caller,
    State(s): State<AppState>,
    Path((device, port)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Result<SortedJson<Series>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let (from, to) = range(&q)?;
    let step = parse_step(q.step.as_deref(), from, to)?;
    let (d, p) = (device.clone(), port.clone());
    let points = read(&s, move |st| st.series(&d, &p, from, to, step)).await?;
    Ok(SortedJson(Series {
        device,
        port,
        from,
        to,
        step_ms: step,
        points: points.into_iter().map(Point::from).collect(),
    }))
}

/// The answer of `GET /api/v1/ports/{device}/{port}/p95`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Percentile95 {
    pub device: String,
    pub port: String,
    pub from: i64,
    pub to: i64,
    pub n_samples: usize,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    pub max_bps: Option<f64>,
}

/// A port's 95th percentile over a range (the busier direction in `max_bps`).
#[utoipa::path(get, path = "/api/v1/ports/{device}/{port}/p95", tag = "monitoring",
    security(("bearer" = ["monitoring:read"])),
    params(("device" = String, Path, description = "the device's name"),
        ("port" = String, Path, description = "the port key, URL-encoded (`xe-0%2F0%2F1`)"),
        RangeQuery),
    responses((status = 200, description = "the 95th percentile", body = Percentile95),
        (status = 400, description = "a bad range", body = ErrorBody),
        (status = 404, description = "no such device or port", body = ErrorBody)))]
async fn p95(
    caller: Caller,
    State(s): State<AppState>,
    Path((device, port)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Result<SortedJson<Percentile95>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let (from, to) = range(&q)?;
    let (d, p) = (device.clone(), port.clone());
    let P95 {
        n_samples,
        in_bps,
        out_bps,
        max_bps,
    } = read(&s, move |st| st.p95(&d, &p, from, to)).await?;
    Ok(SortedJson(Percentile95 {
        device,
        port,
        from,
        to,
        n_samples,
        in_bps,
        out_bps,
        max_bps,
    }))
}
