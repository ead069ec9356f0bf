//! The web page: `GET /`, one HTML file embedded in the binary.

use axum::response::Html;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// `GET /`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(index))
}

/// The web page (open, no token: it reads the token from its URL's fragment, `#token=`).
#[utoipa::path(get, path = "/", tag = "web",
    responses((status = 200, description = "the page", body = String, content_type = "text/html")))]
async fn index() -> Html<&'static str> {
    Html(include_str!("../../../dashboards/web/index.html"))
}
