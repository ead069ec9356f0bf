//! The topology's questions over the served cadastre's graph (`Permission::TopologyRead`;
//! drift is a monitoring read): `GET /api/v1/topology/paths`, `GET /api/v1/topology/spof`,
//! `POST /api/v1/topology/cut`, `GET /api/v1/topology/dig-once`, `GET /api/v1/topology/drift`.
//! Each answers the JSON its CLI command's `--json` prints, built by the same function
//! (`topology::answer`, `cadastre::answer`, `crate::questions`), on the blocking threads.
//! Query parameters are read one by one ([`Params`]) into the typed queries the document
//! describes (`IntoParams`); the answers' schemas are mirrors ([`foreign`]).

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use cadastre::answer::{CutTargetError, CutTargets, DigOnceAnswer};
use topology::answer::{CutAnswer, PathsAnswer, SpofAnswer};
use topology::{Constraints, TopologyError, TransceiverBudget, Wavelength};

use super::auth::{Caller, Permission};
use super::error::ErrorBody;
use super::openapi::foreign;
use super::params::Params;
use super::snapshot::Snapshot;
use super::{blocking, with_store, ApiError, AppState, SortedJson};
use crate::questions::drift::DriftAnswer;

/// The topology's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(paths))
        .routes(routes!(spof))
        .routes(routes!(cut))
        .routes(routes!(dig_once))
        .routes(routes!(drift))
}

/// A topology error as a 400 naming the parameter at fault (`from`/`to` for a site).
pub(super) fn bad_input(e: TopologyError, from: &str) -> ApiError {
    let field = match &e {
        TopologyError::UnknownSite { site_id } if site_id == from => "from",
        TopologyError::UnknownSite { .. } | TopologyError::SameSite { .. } => "to",
        TopologyError::UnknownLink { .. } => "routes",
        TopologyError::UnknownSrlg { .. } => "srlgs",
        TopologyError::ZeroPaths => "k",
        _ => return ApiError::bad_request(e.to_string()),
    };
    ApiError::bad_field(field, format!("{field}: {e}"))
}

/// The most diverse paths one request may ask for: the search grows with `k` (the CLI has no
/// such cap; a server must not spend seconds on one request).
pub const MAX_K: usize = 16;

/// `k` (default `default`), within 1..=[`MAX_K`].
pub(super) fn k_of(p: &Params, default: usize) -> Result<usize, ApiError> {
    let k = p.parse("k", default, "a whole number from 1 to 16")?;
    if !(1..=MAX_K).contains(&k) {
        return Err(ApiError::bad_field(
            "k",
            format!("k: must be from 1 to {MAX_K}, got {k}"),
        ));
    }
    Ok(k)
}

/// The transceiver budget of `budget_db` and `budget_margin_db` (defaults 11 and 3 dB).
pub(super) fn budget(p: &Params) -> Result<TransceiverBudget, ApiError> {
    let budget_db = p.number("budget_db", Some(11.0), |x| x > 0.0, "a number > 0")?;
    let margin_db = p.number("budget_margin_db", Some(3.0), |x| x >= 0.0, "a number >= 0")?;
    Ok(TransceiverBudget {
        budget_db: budget_db.unwrap_or(11.0),
        margin_db: margin_db.unwrap_or(3.0),
    })
}

/// The query of `GET /api/v1/topology/paths` (the options of `topology paths`).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PathsQuery {
    /// The site the paths start at.
    #[param(example = "pop-01")]
    pub from: String,
    /// The site they end at.
    #[param(example = "pop-09")]
    pub to: String,
    /// How many diverse paths (1: the shortest).
    #[param(required = false, default = 2, minimum = 1, maximum = 16)]
    pub k: usize,
    /// Strand pairs wanted spare on every route.
    #[param(required = false, default = 0)]
    pub pairs: u32,
    /// Only routes of these owners (repeatable: `owner=a&owner=b`).
    #[param(required = false)]
    pub owner: Vec<String>,
    /// The longest path, km.
    #[param(exclusive_minimum = 0)]
    pub max_km: Option<f64>,
    /// Paths that share no intermediate site either (`true`, `false`; a bare key is true).
    #[param(required = false, default = false)]
    pub node_disjoint: bool,
    /// The transceivers' loss budget, dB.
    #[param(required = false, default = 11.0, exclusive_minimum = 0)]
    pub budget_db: f64,
    /// The margin below the budget a path must keep to pass, dB.
    #[param(required = false, default = 3.0, minimum = 0)]
    pub budget_margin_db: f64,
}

impl PathsQuery {
    const KEYS: &'static [&'static str] = &[
        "from",
        "to",
        "k",
        "pairs",
        "owner",
        "max_km",
        "node_disjoint",
        "budget_db",
        "budget_margin_db",
    ];

    fn parse(p: &Params) -> Result<Self, ApiError> {
        let k = k_of(p, 2)?;
        let b = budget(p)?;
        Ok(PathsQuery {
            from: p.required("from")?,
            to: p.required("to")?,
            k,
            pairs: p.parse("pairs", 0u32, "a whole number >= 0")?,
            owner: p.all("owner"),
            max_km: p.number("max_km", None, |x| x > 0.0, "a number of km > 0")?,
            node_disjoint: p.flag("node_disjoint")?,
            budget_db: b.budget_db,
            budget_margin_db: b.margin_db,
        })
    }
}

/// The shortest path, or `k` diverse ones, between two sites, with their loss against the
/// budget (`irisops topology paths --json`).
#[utoipa::path(get, path = "/api/v1/topology/paths", tag = "topology",
    security(("bearer" = ["topology:read"])),
    params(PathsQuery),
    responses(
        (status = 200, description = "the paths (none: `paths: []`)", body = foreign::PathsAnswer),
        (status = 400, description = "a bad or unknown parameter, an unknown site", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn paths(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<PathsAnswer>, ApiError> {
    caller.require(Permission::TopologyRead)?;
    let q = PathsQuery::parse(&Params::new(query, PathsQuery::KEYS)?)?;
    let snap = super::cadastre::snapshot(&s).await?;
    blocking(move || {
        let constraints = Constraints {
            min_spare_strands: q.pairs.saturating_mul(2),
            allowed_owners: (!q.owner.is_empty()).then(|| q.owner.iter().cloned().collect()),
            max_length_m: q.max_km.map(|km| km * 1000.0),
            node_disjoint: q.node_disjoint,
        };
        let budget = TransceiverBudget {
            budget_db: q.budget_db,
            margin_db: q.budget_margin_db,
        };
        topology::answer::paths(&snap.network, &q.from, &q.to, q.k, &constraints, &budget)
            .map(SortedJson)
            .map_err(|e| bad_input(e, &q.from))
    })
    .await
}

/// Single points of failure: the routes, sites and shared trenches whose loss disconnects
/// the network (`irisops topology spof --json`).
#[utoipa::path(get, path = "/api/v1/topology/spof", tag = "topology",
    security(("bearer" = ["topology:read"])),
    responses(
        (status = 200, description = "the single points of failure", body = foreign::SpofAnswer),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn spof(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<SpofAnswer>, ApiError> {
    caller.require(Permission::TopologyRead)?;
    let snap = super::cadastre::snapshot(&s).await?;
    blocking(move || Ok(SortedJson(topology::answer::spof(&snap.network)))).await
}

/// The body of `POST /api/v1/topology/cut`: what is cut (any of them, at least one).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"routes": ["r-0001"]}))]
pub struct CutBody {
    /// Route ids.
    #[serde(default)]
    pub routes: Vec<String>,
    /// Shared-risk groups (trenches): every route in one is cut.
    #[serde(default)]
    pub srlgs: Vec<String>,
    /// A GeoJSON Polygon or MultiPolygon (or a Feature or FeatureCollection of them): every
    /// route crossing or touching it is cut.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// A worksite id of the cadastre: the routes its footprint touches are cut.
    #[serde(default)]
    pub worksite: Option<String>,
    /// Metres around a point or line worksite (default 25).
    #[serde(default)]
    #[schema(minimum = 0, example = 25)]
    pub buffer_m: Option<f64>,
}

/// The polygons of the body's `area`.
fn area_of(v: serde_json::Value) -> Result<geo::MultiPolygon<f64>, ApiError> {
    let bad = |m: String| ApiError::bad_field("area", format!("area: {m}"));
    let gj: geojson::GeoJson =
        serde_json::from_value(v).map_err(|e| bad(format!("not GeoJSON: {e}")))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::Geometry(g) => vec![g],
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
    };
    cadastre::answer::areas_of(geometries).map_err(bad)
}

/// The targets of a cut body, checked.
fn cut_targets(b: CutBody) -> Result<CutTargets, ApiError> {
    let buffer_m = b.buffer_m.unwrap_or(25.0);
    if !(buffer_m.is_finite() && buffer_m >= 0.0) {
        return Err(ApiError::bad_field(
            "buffer_m",
            "buffer_m: expected a number of metres >= 0",
        ));
    }
    Ok(CutTargets {
        routes: b.routes,
        srlgs: b.srlgs,
        areas: b.area.map(area_of).transpose()?,
        worksite: b.worksite,
        buffer_m,
    })
}

/// What a cut (routes, trenches, an area, a worksite) takes down: the routes removed, the
/// sites isolated, the allocations broken and their re-routes (`irisops topology cut --json`).
#[utoipa::path(post, path = "/api/v1/topology/cut", tag = "topology",
    security(("bearer" = ["topology:read"])),
    request_body = CutBody,
    responses(
        (status = 200, description = "what the cut takes down", body = foreign::CutAnswer),
        (status = 400, description = "a malformed body, nothing to cut, an unknown route, SRLG \
            or worksite, an area that is no polygon", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody),
        (status = 415, description = "the body is not application/json", body = ErrorBody)))]
async fn cut(
    caller: Caller,
    State(s): State<AppState>,
    body: Result<Json<CutBody>, JsonRejection>,
) -> Result<SortedJson<CutAnswer>, ApiError> {
    caller.require(Permission::TopologyRead)?;
    let body = match body {
        Ok(Json(b)) => b,
        Err(JsonRejection::MissingJsonContentType(e)) => {
            return Err(ApiError::UnsupportedMediaType(e.body_text()))
        }
        Err(e) => return Err(ApiError::bad_request(e.body_text())),
    };
    let targets = cut_targets(body)?;
    let snap: Arc<Snapshot> = super::cadastre::snapshot(&s).await?;
    blocking(move || {
        let spec =
            cadastre::answer::cut_spec(&snap.cad, &snap.index, targets).map_err(|e| match e {
                CutTargetError::UnknownWorksite(_) => {
                    ApiError::bad_field("worksite", format!("worksite: {e}"))
                }
                e => ApiError::bad_request(e.to_string()),
            })?;
        topology::answer::cut(&snap.network, &spec)
            .map(|(_, answer)| SortedJson(answer))
            .map_err(|e| bad_input(e, ""))
    })
    .await
}

/// The query of `GET /api/v1/topology/dig-once` (the options of `topology dig-once`).
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DigOnceQuery {
    /// Wished new routes, `FROM:TO` site ids (repeatable); none: the single-homed sites'
    /// protection routes.
    #[param(required = false, value_type = Vec<String>, example = json!(["pop-01:pop-05"]))]
    pub wish: Vec<(String, String)>,
    /// The single-homed sites' protection routes as well as the wishes.
    #[param(required = false, default = false)]
    pub single_homed: bool,
    /// Metres around a point or line worksite.
    #[param(required = false, default = 25.0, minimum = 0)]
    pub buffer_m: f64,
    /// Natures of the works considered (repeatable; `all`: every one). Default: the works
    /// that open the street (resurfacing, road_works, water_main, gas, sewer, electricity,
    /// telecom, tramway, ...: README's list); markets, parades, events, filming are left out.
    #[param(required = false, value_type = Vec<String>, example = json!(["water_main", "gas"]))]
    pub nature: Vec<String>,
    /// Works that ended before this day are left out; `open_days` counts from it
    /// (`YYYY-MM-DD`; default: today, the server's local date).
    #[param(required = false, value_type = String, format = Date, example = "2026-03-01")]
    pub from: chrono::NaiveDate,
}

impl DigOnceQuery {
    const KEYS: &'static [&'static str] = &["wish", "single_homed", "buffer_m", "nature", "from"];

    fn parse(p: &Params) -> Result<Self, ApiError> {
        let mut wish = Vec::new();
        for w in p.all("wish") {
            let Some((a, b)) = w.split_once(':') else {
                return Err(ApiError::bad_field(
                    "wish",
                    format!("wish: expected FROM:TO, got {w:?}"),
                ));
            };
            wish.push((a.trim().to_string(), b.trim().to_string()));
        }
        let single_homed = p.flag("single_homed")?;
        let buffer_m = p.number(
            "buffer_m",
            Some(25.0),
            |x| x >= 0.0,
            "a number of metres >= 0",
        )?;
        let from = match p.one("from")? {
            None => chrono::Local::now().date_naive(),
            Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_field("from", format!("from: expected YYYY-MM-DD, got {v:?}"))
            })?,
        };
        Ok(DigOnceQuery {
            wish,
            single_homed,
            buffer_m: buffer_m.unwrap_or(25.0),
            nature: p.all("nature"),
            from,
        })
    }
}

/// Planned worksites along which a wished route (or a single-homed site's protection route)
/// could be laid while the street is open (`irisops topology dig-once --json`).
#[utoipa::path(get, path = "/api/v1/topology/dig-once", tag = "topology",
    security(("bearer" = ["topology:read"])),
    params(DigOnceQuery),
    responses(
        (status = 200, description = "the candidates", body = foreign::DigOnceAnswer),
        (status = 400, description = "a bad or unknown parameter, a wish naming an unknown site",
            body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn dig_once(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<DigOnceAnswer>, ApiError> {
    caller.require(Permission::TopologyRead)?;
    let q = DigOnceQuery::parse(&Params::new(query, DigOnceQuery::KEYS)?)?;
    let snap = super::cadastre::snapshot(&s).await?;
    let works = cadastre::works::WorksFilter::new(&q.nature, q.from);
    blocking(move || {
        cadastre::answer::dig_once(
            &snap.cad,
            &snap.network,
            &q.wish,
            q.single_homed,
            q.buffer_m,
            &works,
        )
        .map(SortedJson)
        .map_err(|problems| ApiError::bad_field("wish", problems.join("; ")))
    })
    .await
}

/// The query of `GET /api/v1/topology/drift` (the options of `topology drift`).
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DriftQuery {
    /// Optical levels older than this many hours are not looked at.
    #[param(required = false, default = 24)]
    pub fresh_hours: u32,
    /// Excess loss tolerated before a circuit is listed, dB.
    #[param(required = false, default = 3.0, minimum = 0)]
    pub margin_db: f64,
    /// The wavelength the expected loss is computed at, nm.
    #[param(required = false, inline, value_type = foreign::Wavelength)]
    pub wavelength: Wavelength,
}

impl DriftQuery {
    const KEYS: &'static [&'static str] = &["fresh_hours", "margin_db", "wavelength"];

    fn parse(p: &Params) -> Result<Self, ApiError> {
        let fresh_hours = p.parse("fresh_hours", 24u32, "a whole number of hours")?;
        let margin_db = p
            .number("margin_db", Some(3.0), |x| x >= 0.0, "a number >= 0")?
            .unwrap_or(3.0);
        let nm = p.parse("wavelength", 1310u32, "1310 or 1550")?;
        let Some(wavelength) = crate::questions::drift::wavelength(nm) else {
            return Err(ApiError::bad_field(
                "wavelength",
                format!("wavelength: expected 1310 or 1550, got {nm}"),
            ));
        };
        Ok(DriftQuery {
            fresh_hours,
            margin_db,
            wavelength,
        })
    }
}

/// The cadastre's circuits against what the devices report (the server's store): wrong
/// ports, unconfirmed circuits, unknown neighbours, excess loss (`irisops topology drift
/// --json`).
#[utoipa::path(get, path = "/api/v1/topology/drift", tag = "topology",
    security(("bearer" = ["monitoring:read"])),
    params(DriftQuery),
    responses(
        (status = 200, description = "the drift report", body = foreign::DriftAnswer),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn drift(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<DriftAnswer>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let q = DriftQuery::parse(&Params::new(query, DriftQuery::KEYS)?)?;
    let snap = super::cadastre::snapshot(&s).await?;
    let fresh = std::time::Duration::from_secs(u64::from(q.fresh_hours) * 3600);
    let observed = with_store(&s, move |st| {
        crate::questions::live::observed_from_store(st, fresh, collector::poll::now_ms())
    })
    .await?;
    blocking(move || {
        let options = topology::DriftOptions {
            margin_db: q.margin_db,
            wavelength: q.wavelength,
        };
        Ok(SortedJson(crate::questions::drift::drift(
            &snap.cad,
            &snap.network,
            &observed,
            &options,
        )))
    })
    .await
}
