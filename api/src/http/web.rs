//! The web page: `GET /`, one HTML file embedded in the binary.

use axum::response::Html;
use axum::routing::get;
use axum::Router;

use super::AppState;

/// `GET /`.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

async fn index() -> Html<&'static str> {
    Html(include_str!("../../../dashboards/web/index.html"))
}
