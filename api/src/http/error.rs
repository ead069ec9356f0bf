//! `ApiError`: domain errors mapped to HTTP answers. Every error answer is
//! `{"error": "...", "field"?: "..."}`; 4xx bodies say what is wrong, a 5xx body says only
//! `internal error` and the detail is logged in the request's span (never a secret in either).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use cadastre::store::ChangeProblem;
use collector::store::StoreError;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400, naming the query parameter or body field at fault.
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    /// 401, with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with the data (an undo of a change a later one built on).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    /// 422: the body is well formed but its content is refused; every problem named.
    #[error("{message}")]
    Unprocessable {
        message: String,
        problems: Vec<ChangeProblem>,
    },
    /// 428: a write without the precondition it must state, naming the header (`If-Match`).
    #[error("{message}")]
    PreconditionRequired { message: String, field: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming no field.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            message: message.into(),
            field: None,
        }
    }

    /// A 400 naming the query parameter or body field at fault.
    pub fn bad_field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired { .. } => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownDevice { .. } | StoreError::UnknownPort { .. } => {
                ApiError::NotFound(e.to_string())
            }
            StoreError::InvalidArgument { .. } => ApiError::bad_request(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What is wrong (a 5xx says only `internal error`).
    pub error: String,
    /// The query parameter or body field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A 422's problems (a refused change set or import), each naming its field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<super::openapi::foreign::ChangeProblem>>)]
    pub problems: Option<Vec<ChangeProblem>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (error, field, problems) = match self {
            ApiError::BadRequest { message, field } => (message, field, None),
            ApiError::PreconditionRequired { message, field } => (message, Some(field), None),
            ApiError::Unprocessable { message, problems } => (message, None, Some(problems)),
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                ("internal error".to_string(), None, None)
            }
            other => (other.to_string(), None, None),
        };
        let body = ErrorBody {
            error,
            field,
            problems,
        };
        let mut r = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"irisops\""),
            );
        }
        r
    }
}
