//! Alerts: `GET /api/v1/alerts?state=firing|pending|resolved&fingerprint=&limit=` (the store's
//! alerts, firing first; without `state` the open ones — pending and firing —, or every state
//! of one `fingerprint`), `GET /api/v1/alerts/{id}` (`Permission::MonitoringRead`), and
//! `POST /api/v1/alerts/{id}/ack` with `{"comment": "..."}` (`Permission::AlertsAck`: the
//! caller's token name is recorded as who acknowledged, never a field of the body).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use collector::store::{AlertFilter, AlertRow};

use super::auth::{Caller, Permission};
use super::error::ErrorBody;
use super::openapi::foreign;
use super::params::Params;
use super::{blocking, content_type, read, ApiError, AppState, SortedJson};

/// The most alerts one list answers (and its default).
const MAX_LIMIT: usize = 10_000;
const DEFAULT_LIMIT: usize = 500;
/// The longest comment of an acknowledgement, in characters.
const MAX_COMMENT: usize = 2000;

/// The alerts' routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(ack))
}

/// The answer of `GET /api/v1/alerts`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    #[schema(value_type = Vec<foreign::Alert>)]
    pub alerts: Vec<AlertRow>,
}

/// The query of `GET /api/v1/alerts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `firing`, `pending` or `resolved` (default: pending and firing; with `fingerprint`,
    /// every state).
    #[param(required = false, value_type = String, example = "firing")]
    pub state: Option<String>,
    /// One series' alerts (the notifications' `fingerprint`).
    #[param(required = false, example = "8b3a1c1dbf3bc83b")]
    pub fingerprint: Option<String>,
    /// At most this many (1-10000, default 500).
    #[param(required = false, minimum = 1, maximum = 10000, example = 500)]
    pub limit: Option<usize>,
}

/// The alerts in the store: firing first, then pending, then resolved, the latest change
/// first within each.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    security(("bearer" = ["monitoring:read"])),
    params(ListQuery),
    responses(
        (status = 200, description = "the alerts", body = AlertList),
        (status = 400, description = "a bad or unknown parameter", body = ErrorBody)))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    query: Query<Vec<(String, String)>>,
) -> Result<SortedJson<AlertList>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let p = Params::new(query, &["state", "fingerprint", "limit"])?;
    let fingerprint = p.one("fingerprint")?.map(str::to_string);
    let filter = match p.one("state")? {
        None if fingerprint.is_some() => None,
        None => Some(AlertFilter::Open),
        Some("firing") => Some(AlertFilter::Firing),
        Some("pending") => Some(AlertFilter::Pending),
        Some("resolved") => Some(AlertFilter::Resolved),
        Some(other) => {
            return Err(ApiError::bad_field(
                "state",
                format!("state: expected firing, pending or resolved, got {other:?}"),
            ))
        }
    };
    let limit: usize = p.parse("limit", DEFAULT_LIMIT, "a whole number 1-10000")?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_field("limit", "limit: must be 1-10000"));
    }
    let alerts = read(&s, move |st| {
        let fp = fingerprint.as_deref();
        match filter {
            Some(f) => st.alerts(f, fp, limit),
            None => {
                let mut all = st.alerts(AlertFilter::Open, fp, limit)?;
                all.extend(st.alerts(AlertFilter::Resolved, fp, limit)?);
                all.truncate(limit);
                Ok(all)
            }
        }
    })
    .await?;
    Ok(SortedJson(AlertList { alerts }))
}

/// An alert's id in a path.
fn id_of(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::bad_field("id", format!("id: expected an alert's id, got {text:?}"))
        })
}

/// One alert.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts",
    security(("bearer" = ["monitoring:read"])),
    params(("id" = i64, Path, description = "the alert's id", minimum = 1)),
    responses(
        (status = 200, description = "the alert", body = foreign::Alert),
        (status = 400, description = "not an id", body = ErrorBody),
        (status = 404, description = "no such alert", body = ErrorBody)))]
async fn one(
    caller: Caller,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<SortedJson<AlertRow>, ApiError> {
    caller.require(Permission::MonitoringRead)?;
    let id = id_of(&id)?;
    match read(&s, move |st| st.alert(id)).await? {
        Some(a) => Ok(SortedJson(a)),
        None => Err(ApiError::NotFound(format!("no alert {id}"))),
    }
}

/// The body of an acknowledgement.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AckBody {
    /// What is being done about it (at most 2000 characters).
    #[schema(example = "on it: the far end's optic is being swapped")]
    comment: Option<String>,
}

/// Acknowledges an alert: who (the token's name), when and the comment are recorded (a later
/// acknowledgement replaces them). It changes neither the alert's state nor its notifications.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "alerts",
    security(("bearer" = ["alerts:ack"])),
    params(("id" = i64, Path, description = "the alert's id", minimum = 1)),
    request_body(content = Option<AckBody>, description = "optional: a comment"),
    responses(
        (status = 200, description = "the alert, acknowledged", body = foreign::Alert),
        (status = 400, description = "not an id, or a malformed body", body = ErrorBody),
        (status = 404, description = "no such alert", body = ErrorBody),
        (status = 413, description = "the body is too large", body = ErrorBody),
        (status = 415, description = "a body that is not application/json", body = ErrorBody)))]
async fn ack(
    caller: Caller,
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<SortedJson<AlertRow>, ApiError> {
    caller.require(Permission::AlertsAck)?;
    let id = id_of(&id)?;
    let b = ack_body(&headers, &body)?;
    let comment = b.comment.unwrap_or_default();
    if comment.chars().count() > MAX_COMMENT {
        return Err(ApiError::bad_field(
            "comment",
            format!("comment: at most {MAX_COMMENT} characters"),
        ));
    }
    let (store, by) = (s.store.clone(), caller.name.clone());
    let now = collector::poll::now_ms();
    let acked = blocking(move || {
        let mut st = store
            .lock()
            .map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
        st.ack_alert(id, &by, &comment, now).map_err(ApiError::from)
    })
    .await?;
    match acked {
        Some(a) => Ok(SortedJson(a)),
        None => Err(ApiError::NotFound(format!("no alert {id}"))),
    }
}

/// The acknowledgement's body: none, `null`, or a JSON object.
fn ack_body(headers: &HeaderMap, body: &Bytes) -> Result<AckBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(AckBody::default());
    }
    content_type(headers, &["application/json"])?;
    serde_json::from_slice::<Option<AckBody>>(body)
        .map(Option::unwrap_or_default)
        .map_err(|e| ApiError::bad_field("body", format!("not an acknowledgement: {e}")))
}

#[cfg(test)]
mod tests;
