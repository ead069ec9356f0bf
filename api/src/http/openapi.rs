//! The OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`) and its interactive
//! reference (`GET /api/docs`, Swagger UI built into the binary: no CDN), both open.
//!
//! The document is built from the routes themselves: each area's `fn router()` is a
//! `utoipa_axum` `OpenApiRouter` whose handlers are registered with `routes!(handler)`, and
//! `routes!` takes the path, method, parameters, bodies and responses from the handler's
//! `#[utoipa::path(...)]`, so a route cannot be served without being in the document
//! (`tests_matrix.rs` also checks the sources register no route another way). Each operation
//! names its permission as the scope of the `bearer` scheme,
//! `security(("bearer" = ["monitoring:read"]))`: the machine-readable permission of the route,
//! which the matrix test holds the handler to. [`complete`] adds what every such operation
//! answers alike (401, 403, 429).

pub mod foreign;

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::error::ErrorBody;
use super::AppState;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";
/// Where the interactive reference is served (and everything under it).
pub const DOCS_PATH: &str = "/api/docs";
/// The documented operations that need no token; every other one names its permission.
pub const OPEN_PATHS: [&str; 5] = [
    "/",
    "/web/{file}",
    "/web/vendor/{vendor_file}",
    "/healthz",
    DOCUMENT_PATH,
];

/// The name of the security scheme every protected operation names.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "irisops",
        description = "Network operations and fibre capacity: monitoring, the fibre cadastre and \
                       its topology. Every route that returns data needs `Authorization: Bearer \
                       <token>`; an operation's security scope is the permission it needs (see \
                       the README's table of roles)."
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "monitoring", description = "the collector's store: devices, ports, series, LLDP, optics"),
        (name = "wifi", description = "wifi controllers and access points"),
        (name = "cadastre", description = "the fibre cadastre: layers, statistics, history and export; changes, undo and import"),
        (name = "topology", description = "the fibre network's graph: paths, single points of failure, what-if cuts, dig-once, drift"),
        (name = "commercial", description = "spare capacity and lease quotes (an outside operator gets the published offer)"),
        (name = "alerts", description = "the alerts the `[[alert]]` rules raised, and their acknowledgement"),
        (name = "web", description = "the web page and this reference"),
    )
)]
struct Base;

/// The document before any route: the info, the tags, the bearer scheme and the error shape.
pub fn base() -> Document {
    let mut doc = Base::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "an API token (`irisops token new`); the scope is the route's permission",
                ))
                .build(),
        ),
    );
    doc
}

/// The answers every operation with a bearer scope may give, whatever it does: no or an
/// unknown token, a role without the permission, a token over its rate.
const AUTH_RESPONSES: [(&str, &str, &str); 3] = [
    ("401", "Unauthorized", "no token, or an unknown one"),
    (
        "403",
        "Forbidden",
        "the token's role lacks the route's permission",
    ),
    ("429", "TooManyRequests", "the token is over its rate limit"),
];

/// Adds [`AUTH_RESPONSES`] to every operation that names a bearer scope (its own answers for
/// those statuses, if it documents any, win).
pub fn complete(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, name, description) in AUTH_RESPONSES {
        components.responses.insert(
            name.to_string(),
            RefOr::T(error_response(status, description)),
        );
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let secured = serde_json::to_value(&op.security)
                .map(|v| v.to_string().contains(&format!("\"{BEARER}\"")))
                .unwrap_or(false);
            if !secured {
                continue;
            }
            for (status, name, _) in AUTH_RESPONSES {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
                    });
            }
        }
    }
}

/// An error answer: the [`ErrorBody`] shape; a 401 says how to authenticate.
fn error_response(status: &str, description: &str) -> Response {
    let mut r = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    );
    if status == "401" {
        r = r.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .description(Some("`Bearer realm=\"irisops\"`"))
                .build(),
        );
    }
    r.build()
}

/// The served document, serialised once.
#[derive(Clone)]
pub struct Served(Bytes);

impl Served {
    pub fn new(doc: &Document) -> Served {
        // The document is plain data: serialising it cannot fail.
        Served(Bytes::from(doc.to_pretty_json().unwrap_or_default()))
    }
}

/// `GET /api/openapi.json`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// This document: every route, its parameters, bodies, answers and permission (open, no
/// token).
#[utoipa::path(get, path = "/api/openapi.json", tag = "web",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object)))]
async fn document(Extension(doc): Extension<Served>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0)
}

/// `GET /api/docs`: Swagger UI, its files built into the binary, reading the document from
/// [`DOCUMENT_PATH`]. Open: a token is typed into its Authorize dialog, never sent elsewhere
/// (no validator badge, no CDN).
pub fn docs() -> Router<AppState> {
    let config = Config::new([DOCUMENT_PATH]).validator_url("none");
    SwaggerUi::new(DOCS_PATH).config(config).into()
}
