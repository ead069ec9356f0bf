//! The web app: `GET /` (its page), `GET /web/{file}` and `GET /web/vendor/{file}` (its
//! modules, styles and vendored libraries, all embedded in the binary by `build.rs` from
//! `dashboards/web/`: no CDN, no tile server), and what the page asks of the server before
//! anything else: who the token is (`GET /api/v1/me`) and the deployment's map settings
//! (`GET /api/v1/web/config`, `GET /api/v1/web/background`, `[web]` in the configuration).
//!
//! The page holds no secret and no private route: it uses the API with the token it was given,
//! and shows only what the token's role may do (the server enforces it anyway).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{access, Access, Caller, Permission, PERMISSIONS};
use super::error::ErrorBody;
use super::{ApiError, AppState, SortedJson};

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The page, its assets, the caller and the map settings.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(index))
        .routes(routes!(asset))
        .routes(routes!(vendor_asset))
        .routes(routes!(me))
        .routes(routes!(web_config))
        .routes(routes!(background))
}

/// `[web]` as the server holds it: the map's optional background and tiles.
#[derive(Debug, Default)]
pub struct WebState {
    /// `[web] tiles`: a tile URL template (`https://tiles.example/{z}/{x}/{y}.png`).
    pub tiles: Option<String>,
    /// `[web] tiles_attribution`.
    pub tiles_attribution: Option<String>,
    /// `[web] background`: the GeoJSON read at start (validated there), served as it is.
    pub background: Option<axum::body::Bytes>,
}

/// The web page (open, no token: it reads the token from its URL's fragment, `#token=`).
#[utoipa::path(get, path = "/", tag = "web",
    responses((status = 200, description = "the page", body = String, content_type = "text/html")))]
async fn index(headers: HeaderMap) -> Response {
    match find("index.html") {
        Some(a) => answer(a, &headers),
        None => Html("irisops: the web app is missing from this build").into_response(),
    }
}

/// A file of the web app.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct FileParam {
    /// The file's name (`app.js`, `app.css`, ...).
    file: String,
}

/// A vendored library's file.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct VendorParam {
    /// The file's name (`leaflet.js`, `uPlot.iife.min.js`, their styles and licences).
    vendor_file: String,
}

/// A module, style or image of the web app (open: nothing in it is data).
#[utoipa::path(get, path = "/web/{file}", tag = "web", params(FileParam),
    responses(
        (status = 200, description = "the file; `ETag` its hash, `Cache-Control: no-cache`", body = String),
        (status = 304, description = "`If-None-Match` names the file's hash"),
        (status = 404, description = "no such file", body = ErrorBody)))]
async fn asset(Path(p): Path<FileParam>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve(&p.file, &headers)
}

/// A file of a vendored library (Leaflet, uPlot), with its licence beside it.
#[utoipa::path(get, path = "/web/vendor/{vendor_file}", tag = "web", params(VendorParam),
    responses(
        (status = 200, description = "the file; `ETag` its hash, `Cache-Control: no-cache`", body = String),
        (status = 304, description = "`If-None-Match` names the file's hash"),
        (status = 404, description = "no such file", body = ErrorBody)))]
async fn vendor_asset(
    Path(p): Path<VendorParam>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve(&format!("vendor/{}", p.vendor_file), &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    match find(path) {
        Some(a) if path != "index.html" => Ok(answer(a, headers)),
        _ => Err(ApiError::NotFound(format!(
            "no file {path:?} in the web app"
        ))),
    }
}

/// A file of the app and its ETag.
struct Asset {
    path: String,
    bytes: Cow<'static, [u8]>,
    etag: String,
}

/// Every embedded file with its hash, computed once.
fn embedded() -> &'static BTreeMap<&'static str, String> {
    static ETAGS: OnceLock<BTreeMap<&'static str, String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        WEB_ASSETS
            .iter()
            .map(|&(path, bytes)| (path, etag_of(bytes)))
            .collect()
    })
}

fn etag_of(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The directory `IRISOPS_WEB_DIR` names, read when the server starts: the app is then served
/// from the disk (an edit shows at the next reload, no rebuild), for the app's developers.
fn dev_dir() -> Option<&'static std::path::Path> {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("IRISOPS_WEB_DIR").map(Into::into))
        .as_deref()
}

/// The file at `path` (`app.js`, `vendor/leaflet.js`): from `IRISOPS_WEB_DIR` when set, else
/// embedded. A path is one or two plain names (no `..`, no hidden file).
fn find(path: &str) -> Option<Asset> {
    let plain = |n: &str| {
        !n.is_empty()
            && !n.starts_with('.')
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if !path.split('/').all(plain) {
        return None;
    }
    if let Some(dir) = dev_dir() {
        let bytes = std::fs::read(dir.join(path)).ok()?;
        return Some(Asset {
            path: path.to_string(),
            etag: etag_of(&bytes),
            bytes: Cow::Owned(bytes),
        });
    }
    let i = WEB_ASSETS.binary_search_by(|(p, _)| (*p).cmp(path)).ok()?;
    let (p, bytes) = WEB_ASSETS[i];
    Some(Asset {
        path: p.to_string(),
        bytes: Cow::Borrowed(bytes),
        etag: embedded().get(p).cloned().unwrap_or_default(),
    })
}

/// The file, or 304 when the client has it; `no-cache`: a browser revalidates, so a new
/// binary's page is never mixed with an old module.
fn answer(a: Asset, headers: &HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&a.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == a.etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&a.path)),
            ),
            (header::ETAG, etag),
            cache,
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        match a.bytes {
            Cow::Borrowed(b) => axum::body::Bytes::from_static(b),
            Cow::Owned(v) => axum::body::Bytes::from(v),
        },
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        _ => "text/plain; charset=utf-8",
    }
}

/// The answer of `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The token's name (`[[api.token]] name`: the author of its edits).
    pub name: String,
    /// Its role: `viewer`, `engineer`, `planner`, `commercial`, `operator` or `admin`.
    pub role: String,
    /// What the role may do, per permission: `full` or `offer` (absent: denied).
    pub permissions: BTreeMap<String, String>,
}

/// Who the token is and what its role may do (every role: the page shows only what it may).
#[utoipa::path(get, path = "/api/v1/me", tag = "web",
    security(("bearer" = ["session"])),
    responses(
        (status = 200, description = "the caller", body = Me),
        (status = 401, description = "no token, or an unknown one", body = ErrorBody),
        (status = 429, description = "over the token's rate", body = ErrorBody)))]
async fn me(caller: Caller) -> Result<SortedJson<Me>, ApiError> {
    caller.require(Permission::Session)?;
    let permissions = PERMISSIONS
        .iter()
        .filter_map(|&p| match access(caller.role, p) {
            Access::Full => Some((p.as_str().to_string(), "full".to_string())),
            Access::Offer => Some((p.as_str().to_string(), "offer".to_string())),
            Access::Denied => None,
        })
        .collect();
    Ok(SortedJson(Me {
        name: caller.name,
        role: caller.role.as_str().to_string(),
        permissions,
    }))
}

/// The answer of `GET /api/v1/web/config`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebConfig {
    /// `[web] tiles`: a tile URL template, when the deployment has a tile server.
    pub tiles: Option<String>,
    /// `[web] tiles_attribution`.
    pub tiles_attribution: Option<String>,
    /// Whether `[web] background` is set (then `GET /api/v1/web/background` has it).
    pub background: bool,
    /// The server's version.
    pub version: String,
}

/// The map's settings: optional tiles and background (every role).
#[utoipa::path(get, path = "/api/v1/web/config", tag = "web",
    security(("bearer" = ["session"])),
    responses(
        (status = 200, description = "the map's settings", body = WebConfig),
        (status = 401, description = "no token, or an unknown one", body = ErrorBody),
        (status = 429, description = "over the token's rate", body = ErrorBody)))]
async fn web_config(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<WebConfig>, ApiError> {
    caller.require(Permission::Session)?;
    Ok(SortedJson(WebConfig {
        tiles: s.web.tiles.clone(),
        tiles_attribution: s.web.tiles_attribution.clone(),
        background: s.web.background.is_some(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }))
}

/// `[web] background`: the GeoJSON the operator supplies for the map's background (e.g. the
/// region's commune outlines), as it is; 404 when none is configured (every role).
#[utoipa::path(get, path = "/api/v1/web/background", tag = "web",
    security(("bearer" = ["session"])),
    responses(
        (status = 200, description = "the background's GeoJSON", body = Object, content_type = "application/geo+json"),
        (status = 401, description = "no token, or an unknown one", body = ErrorBody),
        (status = 404, description = "no `[web] background` configured", body = ErrorBody),
        (status = 429, description = "over the token's rate", body = ErrorBody)))]
async fn background(caller: Caller, State(s): State<AppState>) -> Result<Response, ApiError> {
    caller.require(Permission::Session)?;
    match &s.web.background {
        Some(b) => {
            Ok(([(header::CONTENT_TYPE, "application/geo+json")], b.clone()).into_response())
        }
        None => Err(ApiError::NotFound(
            "no background configured ([web] background)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_and_its_libraries_are_embedded() {
        for f in [
            "index.html",
            "vendor/leaflet.js",
            "vendor/leaflet.css",
            "vendor/leaflet-LICENSE",
            "vendor/uPlot.iife.min.js",
            "vendor/uPlot.min.css",
            "vendor/uplot-LICENSE",
        ] {
            assert!(find(f).is_some_and(|a| !a.bytes.is_empty()), "{f} missing");
        }
        for bad in [
            "../Cargo.toml",
            "vendor/../index.html",
            ".hidden",
            "a/b/c.js",
            "",
        ] {
            assert!(find(bad).is_none(), "{bad:?} served");
        }
    }

    #[test]
    fn nothing_the_page_loads_comes_from_outside() {
        for (path, bytes) in WEB_ASSETS {
            if !(path.ends_with(".html") || path.ends_with(".js") && !path.starts_with("vendor/")) {
                continue;
            }
            let text = String::from_utf8_lossy(bytes);
            for bad in ["src=\"http", "href=\"http", "import(\"http", "from \"http"] {
                assert!(!text.contains(bad), "{path}: {bad}");
            }
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert!(content_type("a.js").starts_with("text/javascript"));
        assert!(content_type("a.css").starts_with("text/css"));
        assert_eq!(content_type("a.png"), "image/png");
    }
}
