//! The commercial routes (`Permission::Commercial`; an outside operator gets the published
//! offer's form): `GET /api/v1/spare?by=owner|route&window_days=30&format=json|csv|xlsx|geojson`
//! (the answer of `topology spare --config`, lit headroom from the server's store) and
//! `GET /api/v1/quote?from=&to=&pairs=&k=` (the answer of `topology quote --json` with the
//! default tariff).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use topology::SpareReport;

use super::auth::{Access, Caller, Permission};
use super::params::Params;
use super::snapshot::Snapshot;
use super::topology::{bad_input, blocking, budget, k_of, with_store};
use super::{ApiError, AppState, SortedJson};
use crate::questions::spare::{self, Form, SpareBy, SpareFormat};

/// The commercial routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/spare", get(spare))
        .route("/api/v1/quote", get(quote))
}

/// The query of `GET /api/v1/spare`.
#[derive(Debug, Clone, Deserialize)]
pub struct SpareQuery {
    /// `owner` (default) or `route`.
    pub by: String,
    /// The p95 window of the lit headroom, days (default 30).
    pub window_days: u32,
    /// `json` (default), `csv`, `xlsx` or `geojson`.
    pub format: String,
}

impl SpareQuery {
    fn parse(p: &Params) -> Result<Self, ApiError> {
        let window_days = p.parse("window_days", 30u32, "a whole number of days >= 1")?;
        if window_days == 0 {
            return Err(ApiError::bad_field(
                "window_days",
                "window_days: must be at least 1",
            ));
        }
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
#[derive(Debug, Clone, Deserialize)]
pub struct QuoteQuery {
    pub from: String,
    pub to: String,
    /// Strand pairs leased (required, >= 1).
    pub pairs: u32,
    /// Quote k diverse paths (default 1; 2: a protected lease).
    pub k: usize,
    pub budget_db: f64,
    pub budget_margin_db: f64,
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
