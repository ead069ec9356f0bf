//! The cadastre's reads: stats, a layer (cached per version, filtered on demand), the history,
//! one change's diff, a layer as it was at a version, and the export as a zip.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use cadastre::geojson_io::Filter;
use cadastre::stats::VersionedStats;
use cadastre::versions::{ChangeDiff, History};

use super::super::auth::{Caller, Permission};
use super::super::error::ErrorBody;
use super::super::openapi::foreign;
use super::super::{ApiError, AppState, SortedJson};
use super::{
    blocking, cadastre_error, cadastres, etag, layer_of, none_match, snapshot, version_of,
};

/// The reads (`cadastre:read`).
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(layer))
        .routes(routes!(history))
        .routes(routes!(diff))
        .routes(routes!(version_layer))
        .routes(routes!(export))
}

/// Route km, strands per owner and spare figures of the served cadastre, with its version
/// (`irisops cadastre stats --json`).
#[utoipa::path(get, path = "/api/v1/cadastre/stats", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    responses((status = 200, description = "the statistics", body = foreign::CadastreStats),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn stats(
    caller: Caller,
    State(s): State<AppState>,
) -> Result<SortedJson<VersionedStats>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let snap = snapshot(&s).await?;
    // Lit headroom as `topology spare` measures it, over its default window.
    let window = std::time::Duration::from_secs(30 * 86_400);
    let stats = crate::http::with_store(&s, move |st| {
        crate::questions::spare::measured_stats(
            st,
            &snap.cad,
            &snap.network,
            snap.version,
            window,
            collector::poll::now_ms(),
        )
    })
    .await?;
    Ok(SortedJson(stats))
}

/// The filters of a layer.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LayerQuery {
    /// `minlon,minlat,maxlon,maxlat` (WGS84): features whose geometry meets the box.
    #[param(example = "4.3,50.8,4.45,50.9")]
    bbox: Option<String>,
    /// Features of this owner (in the `owners` layer: this owner).
    owner: Option<String>,
    /// Features in this status (`in_service`, `planned`, ...).
    status: Option<String>,
}

impl LayerQuery {
    /// The filter, or `None` when nothing is filtered.
    fn filter(self) -> Result<Option<Filter>, ApiError> {
        let bbox = self.bbox.as_deref().map(parse_bbox).transpose()?;
        let text = |v: Option<String>, field: &str| match v {
            Some(v) if v.is_empty() => Err(ApiError::bad_field(field, format!("{field}: empty"))),
            v => Ok(v),
        };
        let f = Filter {
            bbox,
            owner: text(self.owner, "owner")?,
            status: text(self.status, "status")?,
        };
        Ok((f != Filter::default()).then_some(f))
    }
}

/// `minlon,minlat,maxlon,maxlat`, each finite, lon in ±180, lat in ±90, min ≤ max.
fn parse_bbox(text: &str) -> Result<geo::Rect<f64>, ApiError> {
    let bad = |why: &str| {
        ApiError::bad_field(
            "bbox",
            format!("bbox: expected minlon,minlat,maxlon,maxlat ({why}), got {text:?}"),
        )
    };
    let v: Vec<f64> = text
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("four numbers"))?;
    let [a, b, c, d] = v.as_slice() else {
        return Err(bad("four numbers"));
    };
    let lon = |x: &f64| x.is_finite() && (-180.0..=180.0).contains(x);
    let lat = |x: &f64| x.is_finite() && (-90.0..=90.0).contains(x);
    if !(lon(a) && lon(c) && lat(b) && lat(d)) {
        return Err(bad("WGS84 degrees"));
    }
    if a > c || b > d {
        return Err(bad("the minimum before the maximum"));
    }
    Ok(geo::Rect::new(
        geo::coord! { x: *a, y: *b },
        geo::coord! { x: *c, y: *d },
    ))
}

/// One layer of the served cadastre, filtered on demand: the layer's GeoJSON file as the
/// export writes it, `ETag` the version (a matching `If-None-Match` is a 304).
#[utoipa::path(get, path = "/api/v1/cadastre/layers/{layer}", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(("layer" = inline(foreign::LayerName), Path, description = "the layer"),
        LayerQuery,
        ("If-None-Match" = Option<String>, Header,
            description = "the ETag of a copy already held: `\"<version>\"`")),
    responses(
        (status = 200, description = "the layer's features (an RFC 7946 FeatureCollection)",
            content((foreign::FeatureCollection = "application/geo+json")),
            headers(("ETag" = String, description = "the version: `\"<version>\"`"))),
        (status = 304, description = "the copy held is the current version",
            headers(("ETag" = String, description = "the version"))),
        (status = 400, description = "a bad filter or path", body = ErrorBody),
        (status = 404, description = "no such layer, or no cadastre is served", body = ErrorBody)))]
async fn layer(
    caller: Caller,
    State(s): State<AppState>,
    Path(layer): Path<String>,
    Query(q): Query<LayerQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let layer = layer_of(&layer)?;
    let filter = q.filter()?;
    let snap = snapshot(&s).await?;
    if none_match(&headers, snap.version) {
        return Ok(not_modified(snap.version));
    }
    let version = snap.version;
    let bytes = match filter {
        None => snap.layer_text(layer)?,
        Some(f) => {
            blocking(move || {
                cadastre::geojson_io::to_text_filtered(&snap.cad, layer, &f)
                    .map(Bytes::from)
                    .map_err(|e| ApiError::Internal(e.to_string()))
            })
            .await?
        }
    };
    Ok(geojson(bytes, version))
}

/// A GeoJSON answer of version `version`.
fn geojson(bytes: Bytes, version: u64) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    with_etag(h, version);
    r
}

fn not_modified(version: u64) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    with_etag(r.headers_mut(), version);
    r
}

/// `ETag: "<version>"`, and revalidate before reuse (the data is per token: private).
fn with_etag(h: &mut HeaderMap, version: u64) {
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
}

/// `?limit=N`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// Only the N latest changes (default: all).
    #[param(value_type = Option<u64>)]
    limit: Option<String>,
}

/// The cadastre's changes, newest first (`irisops cadastre history --json`).
#[utoipa::path(get, path = "/api/v1/cadastre/history", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(HistoryQuery),
    responses((status = 200, description = "the changes", body = foreign::History),
        (status = 400, description = "a bad limit", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn history(
    caller: Caller,
    State(s): State<AppState>,
    Query(q): Query<HistoryQuery>,
) -> Result<SortedJson<History>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let limit = q
        .limit
        .map(|t| {
            t.parse::<usize>().map_err(|_| {
                ApiError::bad_field("limit", format!("limit: expected a count, got {t:?}"))
            })
        })
        .transpose()?;
    let c = cadastres(&s)?;
    let h = blocking(move || {
        c.read(|store| cadastre::versions::history(store, limit))
            .map_err(cadastre_error)
    })
    .await?;
    Ok(SortedJson(h))
}

/// One change of the history: who, when, why, and each feature it touched, before and after.
#[utoipa::path(get, path = "/api/v1/cadastre/history/{version}", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(("version" = u64, Path, description = "the version the change made")),
    responses((status = 200, description = "the change's diff", body = foreign::ChangeDiff),
        (status = 400, description = "not a version", body = ErrorBody),
        (status = 404, description = "no such change, or no cadastre is served", body = ErrorBody)))]
async fn diff(
    caller: Caller,
    State(s): State<AppState>,
    Path(version): Path<String>,
) -> Result<SortedJson<ChangeDiff>, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let version = version_of(&version, "version")?;
    let c = cadastres(&s)?;
    let d = blocking(move || {
        c.read(|store| cadastre::versions::diff(store, version))
            .map_err(cadastre_error)
    })
    .await?;
    Ok(SortedJson(d))
}

/// One layer as it was at a version (the file `irisops cadastre show` writes).
#[utoipa::path(get, path = "/api/v1/cadastre/versions/{version}/layers/{layer}", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(("version" = u64, Path, description = "the version"),
        ("layer" = inline(foreign::LayerName), Path, description = "the layer")),
    responses(
        (status = 200, description = "the layer's features at that version",
            content((foreign::FeatureCollection = "application/geo+json")),
            headers(("ETag" = String, description = "the version: `\"<version>\"`"))),
        (status = 400, description = "not a version", body = ErrorBody),
        (status = 404, description = "no such layer, a version not reached yet, or no cadastre is served",
            body = ErrorBody)))]
async fn version_layer(
    caller: Caller,
    State(s): State<AppState>,
    Path((version, layer)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let version = version_of(&version, "version")?;
    let layer = layer_of(&layer)?;
    let snap = snapshot(&s).await?;
    if snap.version == version {
        return Ok(geojson(snap.layer_text(layer)?, version));
    }
    let c = cadastres(&s)?;
    let bytes = blocking(move || match c.past(version)? {
        Some(p) => p.layers.get(&p.cad, layer),
        None => Err(ApiError::NotFound(format!(
            "no version {version}: the cadastre is at version {}",
            snap.version
        ))),
    })
    .await?;
    Ok(geojson(bytes, version))
}

/// `?to=geojson|ofds|csv`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// The format of the files (default `geojson`).
    #[param(inline, value_type = Option<foreign::ExportFormat>)]
    to: Option<String>,
}

/// The served cadastre as a zip of the files `irisops cadastre export` writes.
#[utoipa::path(get, path = "/api/v1/cadastre/export", tag = "cadastre",
    security(("bearer" = ["cadastre:read"])),
    params(ExportQuery),
    responses(
        (status = 200, description = "the files, zipped", content((inline(foreign::Zip) = "application/zip")),
            headers(("ETag" = String, description = "the version: `\"<version>\"`"),
                ("Content-Disposition" = String, description = "`cadastre-v<version>-<to>.zip`"))),
        (status = 400, description = "a bad format", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody)))]
async fn export(
    caller: Caller,
    State(s): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreRead)?;
    let to = q.to.as_deref().unwrap_or("geojson");
    let format = cadastre::export::Format::parse(to).ok_or_else(|| {
        ApiError::bad_field(
            "to",
            format!("to: expected geojson, ofds or csv, got {to:?}"),
        )
    })?;
    let snap = snapshot(&s).await?;
    let version = snap.version;
    let zip = blocking(move || {
        let files = cadastre::export::files(&snap.cad, format).map_err(cadastre_error)?;
        zip_of(&files).map_err(|e| ApiError::Internal(format!("cannot zip the export: {e}")))
    })
    .await?;
    let name = format!("attachment; filename=\"cadastre-v{version}-{to}.zip\"");
    let mut r = Response::new(Body::from(zip));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    with_etag(h, version);
    Ok(r)
}

/// The files as a zip (deflated; no timestamps, so one version's zip is always the same bytes).
fn zip_of(files: &[cadastre::export::File]) -> zip::result::ZipResult<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        w.start_file(f.name.as_str(), options)?;
        w.write_all(&f.bytes)?;
    }
    Ok(w.finish()?.into_inner())
}
