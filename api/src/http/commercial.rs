//! The commercial routes (`Permission::Commercial`; an outside operator gets the published
//! offer's form): `GET /api/v1/spare?by=owner|route&window_days=30&format=json|csv|xlsx|geojson`
//! (the answer of `topology spare --config`, lit headroom from the server's store) and
//! `GET /api/v1/quote?from=&to=&pairs=&k=` (the answer of `topology quote --json` with the
//! default tariff).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use topology::SpareReport;

use super::auth::{Access, Caller, Permission};
use super::error::ErrorBody;
use super::openapi::foreign;
use super::params::Params;
use super::snapshot::Snapshot;
use super::topology::{bad_input, budget, k_of};
use super::{blocking, with_store};
use super::{ApiError, AppState, SortedJson};
use crate::questions::spare::{self, Form, SpareBy, SpareFormat, SpareOffer};

/// The commercial routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(spare))
        .routes(routes!(quote))
}

/// The query of `GET /api/v1/spare`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpareQuery {
    /// One line per route owner (and the total), or per route (default `owner`).
    #[param(required = false, inline, value_type = SpareGrouping)]
    pub by: String,
    /// The p95 window of the lit headroom, days.
    #[param(required = false, default = 30, minimum = 1)]
    pub window_days: u32,
    /// The answer's format: JSON, CSV, an xlsx workbook, or the routes as GeoJSON with their
    /// spare figures as properties (for a map); default `json`.
    #[param(required = false, inline, value_type = SpareFormatName)]
    pub format: String,
}

/// How a spare answer groups its lines (`by`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // schema only
enum SpareGrouping {
    Owner,
    Route,
}

/// The formats of a spare answer (`format`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // schema only
enum SpareFormatName {
    Json,
    Csv,
    Xlsx,
    Geojson,
}

/// The JSON of a spare answer (`questions::spare::SpareAnswer`, whose parts are `topology`'s),
/// or the published offer's form of it (an operator's token): the offer's schemas admit no
/// other key, so an answer matches exactly one of them.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // schema only
enum SpareJson {
    /// Grouped by owner (`by=owner`).
    ByOwner {
        #[schema(value_type = BTreeMap<String, foreign::OwnerSpare>)]
        by_owner: BTreeMap<String, ()>,
        #[schema(value_type = foreign::OwnerSpare)]
        total: (),
    },
    /// Grouped by route (`by=route`).
    ByRoute {
        #[schema(value_type = Vec<foreign::LinkSpare>)]
        routes: Vec<()>,
        #[schema(value_type = foreign::OwnerSpare)]
        total: (),
    },
    /// The offer's form.
    Offer(SpareOffer),
}

impl SpareQuery {
    fn parse(p: &Params) -> Result<Self, ApiError> {
        let window_days = p.window_days()?;
        Ok(SpareQuery {
            by: p.choice("by", &["owner", "route"], "owner")?.to_string(),
            window_days,
            format: p
                .choice("format", &["json", "csv", "xlsx", "geojson"], "json")?
                .to_string(),
        })
    }
}

pub use crate::questions::table::XLSX;

/// Spare capacity by owner or by route (dark strands, free ducts, and the lit headroom the
/// server's store measures), as JSON, CSV, a workbook or GeoJSON (`irisops topology spare
/// --config`); an outside operator's token gets the published offer's form.
#[utoipa::path(get, path = "/api/v1/spare", tag = "commercial",
    security(("bearer" = ["commercial"])),
    params(SpareQuery),
    responses(
        (status = 200, description = "the spare report in the format asked (a workbook as an \
            attachment)",
            content((SpareJson = "application/json"), (String = "text/csv"),
                (inline(foreign::Xlsx) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (foreign::FeatureCollection = "application/geo+json")),
            headers(("Content-Disposition" = String,
                description = "with `format=xlsx`: `attachment; filename=\"spare-by-<by>.xlsx\"`"))),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn spare(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let access = caller.require(Permission::Commercial)?;
    let q = SpareQuery::parse(&Params::new(query, &["by", "window_days", "format"])?)?;
    let by = SpareBy::parse(&q.by).unwrap_or(SpareBy::Owner);
    let form = if access == Access::Offer {
        Form::Offer
    } else {
        Form::Full
    };
    let snap = super::cadastre::snapshot(&s).await?;
    // The offer holds no lit headroom: the store is not read for it.
    let report: SpareReport = match form {
        Form::Offer => {
            let snap = snap.clone();
            blocking(move || Ok(snap.network.spare())).await?
        }
        Form::Full => {
            let snap = snap.clone();
            let window = std::time::Duration::from_secs(u64::from(q.window_days) * 86_400);
            with_store(&s, move |st| {
                let (lit, _) = crate::questions::live::lit_ports(
                    st,
                    &snap.cad,
                    window,
                    collector::poll::now_ms(),
                )?;
                Ok(snap.network.spare_with(&lit))
            })
            .await?
        }
    };
    render(report, by, form, &q.format, snap).await
}

/// The spare report in the format asked (a workbook as an attachment).
async fn render(
    report: SpareReport,
    by: SpareBy,
    form: Form,
    format: &str,
    snap: Arc<Snapshot>,
) -> Result<Response, ApiError> {
    let format = SpareFormat::parse(format).unwrap_or(SpareFormat::Json);
    let bytes = blocking(move || {
        spare::render(&report, by, form, format, &snap.cad)
            .map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await?;
    let mut r = ([(header::CONTENT_TYPE, format.content_type())], bytes).into_response();
    if format == SpareFormat::Xlsx {
        let disposition = format!("attachment; filename=\"spare-by-{}.xlsx\"", by.as_str());
        if let Ok(v) = header::HeaderValue::from_str(&disposition) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(r)
}

/// The query of `GET /api/v1/quote` (the options of `topology quote`).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// The site the lease starts at.
    #[param(example = "pop-01")]
    pub from: String,
    /// The site it ends at.
    #[param(example = "pop-09")]
    pub to: String,
    /// Strand pairs leased.
    #[param(minimum = 1, example = 1)]
    pub pairs: u32,
    /// Quote k diverse paths (2: a protected lease).
    #[param(required = false, default = 1, minimum = 1, maximum = 16)]
    pub k: usize,
    /// The transceivers' loss budget, dB.
    #[param(required = false, default = 11.0, exclusive_minimum = 0)]
    pub budget_db: f64,
    /// The margin below the budget a path must keep to pass, dB.
    #[param(required = false, default = 3.0, minimum = 0)]
    pub budget_margin_db: f64,
}

/// A quote, or the published offer's form of it (an operator's token): the offer's lines
/// admit no other key, so an answer matches exactly one of them.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // schema only
enum QuoteJson {
    Full(foreign::QuoteAnswer),
    Offer(foreign::QuoteOffer),
}

impl QuoteQuery {
    fn parse(p: &Params) -> Result<Self, ApiError> {
        let pairs = p
            .parse_opt::<u32>("pairs", "a whole number >= 1")?
            .ok_or_else(|| ApiError::bad_field("pairs", "pairs: required"))?;
        if pairs == 0 {
            return Err(ApiError::bad_field("pairs", "pairs: must be at least 1"));
        }
        let k = k_of(p, 1)?;
        let b = budget(p)?;
        Ok(QuoteQuery {
            from: p.required("from")?,
            to: p.required("to")?,
            pairs,
            k,
            budget_db: b.budget_db,
            budget_margin_db: b.margin_db,
        })
    }
}

/// A lease quote of strand pairs on the shortest (or k diverse) paths with the pairs spare on
/// every route: the paths, their loss verdict, the price and its split between the route
/// owners (`irisops topology quote --json`, the default tariff); an outside operator's token
/// gets the published offer's form (no split).
#[utoipa::path(get, path = "/api/v1/quote", tag = "commercial",
    security(("bearer" = ["commercial"])),
    params(QuoteQuery),
    responses(
        (status = 200, description = "the quote", body = QuoteJson),
        (status = 400, description = "a bad or unknown parameter, an unknown site", body = ErrorBody),
        (status = 404, description = "no path with the pairs spare on every route, or no \
            cadastre is served", body = ErrorBody)))]
async fn quote(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let access = caller.require(Permission::Commercial)?;
    let keys = ["from", "to", "pairs", "k", "budget_db", "budget_margin_db"];
    let q = QuoteQuery::parse(&Params::new(query, &keys)?)?;
    let snap = super::cadastre::snapshot(&s).await?;
    blocking(move || {
        let budget = topology::TransceiverBudget {
            budget_db: q.budget_db,
            margin_db: q.budget_margin_db,
        };
        let tariff = topology::Tariff::default();
        let found = topology::answer::quote(
            &snap.network,
            &q.from,
            &q.to,
            q.pairs,
            q.k,
            &tariff,
            &budget,
        )
        .map_err(|e| bad_input(e, &q.from))?;
        let Some((_, answer)) = found else {
            return Err(ApiError::NotFound(format!(
                "no path from {} to {} with {} spare strands on every route",
                q.from,
                q.to,
                2 * u64::from(q.pairs)
            )));
        };
        Ok(if access == Access::Offer {
            SortedJson(answer.offer()).into_response()
        } else {
            SortedJson(answer).into_response()
        })
    })
    .await
}
