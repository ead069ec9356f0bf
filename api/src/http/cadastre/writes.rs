//! The cadastre's writes: a change set, an undo, an import. Each names the version it is
//! based on in `If-Match: "<version>"` (required: 428 without; 412 when the data has moved
//! on), runs the write the CLI runs (`cadastre::writes`) on the one writer connection, and
//! answers 201 `{"version"}` with the new version's `ETag`. The author recorded is the
//! token's name: a body naming an `author` is refused (400), never believed.

use std::io::Read;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use cadastre::limits::Limits;
use cadastre::store::{read_change_request, ChangeProblem, ChangeSet, RequestError};
use cadastre::writes::{self, Author};
use cadastre::{Cadastre, CadastreError, Report};

use super::super::auth::{Caller, Permission};
use super::super::error::ErrorBody;
use super::super::openapi::foreign;
use super::super::{content_type, ApiError, AppState, SortedJson};
use super::{blocking, cadastre_error, cadastres, etag, tag_version, version_of};

/// The largest import body: a zip of a whole cadastre (100k features deflate to ~10 MB).
pub const IMPORT_MAX_BYTES: usize = 256 << 20;
/// The largest an import may grow to once unzipped.
pub const IMPORT_MAX_UNZIPPED_BYTES: u64 = 1 << 30;

/// The writes (`cadastre:write`); the import with its own body limit ([`IMPORT_MAX_BYTES`]).
pub(super) fn router() -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(IMPORT_MAX_BYTES));
    OpenApiRouter::new()
        .routes(routes!(changes))
        .routes(routes!(undo))
        .merge(import)
}

/// A write's answer: the new version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    /// The version the write made (its diff: `/api/v1/cadastre/history/{version}`).
    pub version: u64,
}

/// 201 `{"version"}`, `ETag` and `Location` (the change's diff).
fn created(version: u64) -> Response {
    let mut r = (StatusCode::CREATED, SortedJson(Written { version })).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        h.insert(header::ETAG, v);
    }
    let location = format!("/api/v1/cadastre/history/{version}");
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    r
}

/// The version `If-Match` names: 428 without one, 400 when it is not one version.
fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired {
            message: "If-Match: required: name the version your change is based on, \
                      e.g. If-Match: \"12\" (the layers' ETag)"
                .into(),
            field: "If-Match".into(),
        });
    };
    let text = v.to_str().unwrap_or_default();
    tag_version(text).ok_or_else(|| {
        ApiError::bad_field(
            "If-Match",
            format!("If-Match: expected one version, e.g. \"12\", got {text:?}"),
        )
    })
}

/// The body as UTF-8 text.
fn text_of(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|_| ApiError::bad_field("body", "body: not UTF-8"))
}

/// Applies a change set (the one of `irisops cadastre edit`, with its `reason`) as one change
/// based on the version `If-Match` names; the author recorded is the token's name.
#[utoipa::path(post, path = "/api/v1/cadastre/changes", tag = "cadastre",
    security(("bearer" = ["cadastre:write"])),
    params(("If-Match" = String, Header, example = "\"1\"",
        description = "the version the change is based on: `\"<version>\"` (the layers' ETag)")),
    request_body = foreign::ChangeRequest,
    responses(
        (status = 201, description = "written", body = Written, headers(
            ("ETag" = String, description = "the new version: `\"<version>\"`"),
            ("Location" = String, description = "the change's diff"))),
        (status = 400, description = "a malformed body or If-Match, a body naming an author, \
            no reason", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody),
        (status = 412, description = "stale: the cadastre has moved on from If-Match", body = ErrorBody),
        (status = 413, description = "the body is too large", body = ErrorBody),
        (status = 415, description = "the body is not application/json", body = ErrorBody),
        (status = 422, description = "refused, nothing written: every problem named", body = ErrorBody),
        (status = 428, description = "no If-Match", body = ErrorBody)))]
async fn changes(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreWrite)?;
    let c = cadastres(&s)?;
    let base = if_match(&headers)?;
    content_type(&headers, &["application/json"])?;
    let req = match read_change_request(text_of(&body)?) {
        Ok(r) => r,
        Err(RequestError::Malformed(m)) => return Err(ApiError::bad_field("body", m)),
        Err(RequestError::Faults(problems)) => return Err(refused(problems)),
    };
    refuse_author(req.has_author)?;
    let reason = required_reason(req.reason)?;
    let author = caller.name.clone();
    let set = req.set;
    blocking(move || {
        let who = Author {
            author: &author,
            reason: &reason,
        };
        match c.write(|store| writes::apply(store, base, &set, who))? {
            Ok(v) => Ok(created(v)),
            Err(e) => Err(change_set_error(&set, e)),
        }
    })
    .await
}

/// 400 when a body names an author: the author is the token's name.
fn refuse_author(has_author: bool) -> Result<(), ApiError> {
    if has_author {
        return Err(ApiError::bad_field(
            "author",
            "author: the author recorded is the token's name: leave it out",
        ));
    }
    Ok(())
}

fn required_reason(reason: Option<String>) -> Result<String, ApiError> {
    match reason {
        Some(r) if !r.trim().is_empty() => Ok(r),
        _ => Err(ApiError::bad_field(
            "reason",
            "reason: required (recorded in the history)",
        )),
    }
}

/// 422 with every problem; nothing was written.
pub(super) fn refused(problems: Vec<ChangeProblem>) -> ApiError {
    let n = problems.len();
    ApiError::Unprocessable {
        message: format!("nothing written: {n} problem(s)"),
        problems,
    }
}

/// A refused change set as an answer.
fn change_set_error(set: &ChangeSet, e: CadastreError) -> ApiError {
    match e {
        CadastreError::Invalid { report } => refused(writes::problems(set, &report)),
        CadastreError::NoSuchFeature { layer, id } => {
            refused(vec![writes::no_such_feature(set, layer, &id)])
        }
        other => cadastre_error(other),
    }
}

/// The body of an undo: why (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UndoBody {
    /// Why (recorded in the history; default `undo version N`).
    reason: Option<String>,
    /// Refused when present: the author is the token's name.
    #[schema(ignore)]
    author: Option<serde::de::IgnoredAny>,
}

/// Undoes a change as a new change based on the version `If-Match` names; 409 when a later
/// change touched one of its features (undo that one first). The body is optional (none, or
/// `null`: the reason is `undo version N`).
#[utoipa::path(post, path = "/api/v1/cadastre/undo/{version}", tag = "cadastre",
    security(("bearer" = ["cadastre:write"])),
    params(("version" = u64, Path, description = "the version whose change to undo"),
        ("If-Match" = String, Header, example = "\"1\"",
            description = "the version the undo is based on: `\"<version>\"` (the layers' ETag)")),
    request_body(content = Option<UndoBody>, description = "optional: why"),
    responses(
        (status = 201, description = "written", body = Written, headers(
            ("ETag" = String, description = "the new version: `\"<version>\"`"),
            ("Location" = String, description = "the change's diff"))),
        (status = 400, description = "a malformed body, version or If-Match, a body naming an \
            author", body = ErrorBody),
        (status = 404, description = "no such change, or no cadastre is served", body = ErrorBody),
        (status = 409, description = "a later change touched one of its features", body = ErrorBody),
        (status = 412, description = "stale: the cadastre has moved on from If-Match", body = ErrorBody),
        (status = 413, description = "the body is too large", body = ErrorBody),
        (status = 415, description = "a body that is not application/json", body = ErrorBody),
        (status = 422, description = "refused (the result would be invalid), nothing written",
            body = ErrorBody),
        (status = 428, description = "no If-Match", body = ErrorBody)))]
async fn undo(
    caller: Caller,
    State(s): State<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreWrite)?;
    let c = cadastres(&s)?;
    let version = version_of(&version, "version")?;
    let base = if_match(&headers)?;
    // No body, or `null` (the document's optional body), is the default reason.
    let b: UndoBody = if body.iter().all(u8::is_ascii_whitespace) {
        UndoBody::default()
    } else {
        content_type(&headers, &["application/json"])?;
        serde_json::from_slice::<Option<UndoBody>>(&body)
            .map_err(|e| ApiError::bad_field("body", format!("not an undo request: {e}")))?
            .unwrap_or_default()
    };
    refuse_author(b.author.is_some())?;
    let reason = b
        .reason
        .unwrap_or_else(|| format!("undo version {version}"));
    let author = caller.name.clone();
    blocking(move || {
        let who = Author {
            author: &author,
            reason: &reason,
        };
        match c.write(|store| writes::undo(store, version, base, who))? {
            Ok(v) => Ok(created(v)),
            Err(e) => Err(cadastre_error(e)),
        }
    })
    .await
}

/// `?from=geojson|ofds&crs=&reason=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// What the body holds.
    #[param(required = true, inline, value_type = foreign::ImportFormat)]
    from: Option<String>,
    /// The input's CRS when the files do not say (EPSG:31370, EPSG:3812).
    #[param(example = "EPSG:31370")]
    crs: Option<String>,
    /// Why (recorded in the history; default `import`).
    reason: Option<String>,
}

/// Replaces the whole cadastre, as `irisops cadastre import` does, based on the version
/// `If-Match` names. The body: a zip of the files (the layer files `cadastre export --to
/// geojson` writes, or an OFDS package or nodes + spans), or for `from=ofds` the package itself
/// (JSON); at most 256 MiB, 1 GiB unzipped. Read within the server's `[cadastre]` limits
/// (file size, features per layer, vertices per geometry) and validated first: 422 with
/// every problem and nothing written.
#[utoipa::path(post, path = "/api/v1/cadastre/import", tag = "cadastre",
    security(("bearer" = ["cadastre:write"])),
    params(ImportQuery,
        ("If-Match" = String, Header, example = "\"1\"",
            description = "the version the import replaces: `\"<version>\"` (the layers' ETag)")),
    request_body(description = "the files, zipped; or for `from=ofds` the OFDS package",
        content((inline(foreign::Zip) = "application/zip"), (Object = "application/json"))),
    responses(
        (status = 201, description = "written", body = Written, headers(
            ("ETag" = String, description = "the new version: `\"<version>\"`"),
            ("Location" = String, description = "the change's diff"))),
        (status = 400, description = "a bad query, If-Match or body (not a zip, not UTF-8, a \
            file that cannot be read)", body = ErrorBody),
        (status = 404, description = "no cadastre is served", body = ErrorBody),
        (status = 412, description = "stale: the cadastre has moved on from If-Match", body = ErrorBody),
        (status = 413, description = "over 256 MiB, over 1 GiB unzipped, or a file over \
            `[cadastre] max_file_mb`", body = ErrorBody),
        (status = 415, description = "a body of another media type", body = ErrorBody),
        (status = 422, description = "refused, nothing written: every problem named", body = ErrorBody),
        (status = 428, description = "no If-Match", body = ErrorBody)))]
async fn import(
    caller: Caller,
    State(s): State<AppState>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(Permission::CadastreWrite)?;
    let c = cadastres(&s)?;
    let base = if_match(&headers)?;
    let ofds = match q.from.as_deref() {
        Some("geojson") => false,
        Some("ofds") => true,
        other => {
            let got = other.unwrap_or_default();
            let m = format!("from: expected geojson or ofds, got {got:?}");
            return Err(ApiError::bad_field("from", m));
        }
    };
    let crs = q
        .crs
        .as_deref()
        .map(cadastre::crs::Crs::parse)
        .transpose()
        .map_err(|e| ApiError::bad_field("crs", format!("crs: {e}")))?;
    let types: &[&'static str] = if ofds {
        &["application/zip", "application/json"]
    } else {
        &["application/zip"]
    };
    let zipped = content_type(&headers, types)? == "application/zip";
    let reason = q.reason.unwrap_or_else(|| "import".into());
    let author = caller.name.clone();
    let limits = c.limits();
    blocking(move || {
        let texts = if zipped {
            unzip(&body, &limits)?
        } else {
            let text = text_of(&body)?.to_string();
            vec![cadastre::ofds::Text {
                name: "body".into(),
                text,
            }]
        };
        let (cad, read) = read_import(&texts, ofds, crs, &limits)?;
        drop(texts);
        let who = Author {
            author: &author,
            reason: &reason,
        };
        let opts = cadastre::validate::ValidateOptions::default();
        match c.write(|store| writes::import(store, base, &cad, read, who, &opts))? {
            Ok((v, _warnings)) => Ok(created(v)),
            Err(e) => Err(cadastre_error(e)),
        }
    })
    .await
}

/// The cadastre of the files and the problems of reading them.
fn read_import(
    texts: &[cadastre::ofds::Text],
    ofds: bool,
    crs: Option<cadastre::crs::Crs>,
    limits: &Limits,
) -> Result<(Cadastre, Report), ApiError> {
    let format = |e: CadastreError| match e {
        CadastreError::Format { .. } | CadastreError::Crs(_) => {
            ApiError::bad_field("body", e.to_string())
        }
        CadastreError::TooLarge { .. } => ApiError::PayloadTooLarge(e.to_string()),
        other => cadastre_error(other),
    };
    if ofds {
        return cadastre::ofds::read_texts_within(texts, crs, limits).map_err(format);
    }
    let mut cad = Cadastre::default();
    let mut report = Report::default();
    for t in texts {
        let path = std::path::Path::new(&t.name);
        limits
            .check_size(path, t.text.len() as u64)
            .map_err(format)?;
        cadastre::geojson_io::read_str_within(&t.text, path, crs, limits, &mut cad, &mut report)
            .map_err(format)?;
    }
    Ok((cad, report))
}

/// The zip's files (directories and hidden files left out), as text; 413 past
/// [`IMPORT_MAX_UNZIPPED_BYTES`] unzipped, or for a file over `max_file_mb` (told by its
/// size in the zip's directory, before it is inflated).
fn unzip(body: &[u8], limits: &Limits) -> Result<Vec<cadastre::ofds::Text>, ApiError> {
    let bad = |m: String| ApiError::bad_field("body", m);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body))
        .map_err(|e| bad(format!("body: not a zip: {e}")))?;
    let mut left = IMPORT_MAX_UNZIPPED_BYTES;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| bad(format!("body: zip entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| bad(format!("body: zip entry {i}: {e}")))?
            .to_string();
        let base = name.rsplit('/').next().unwrap_or_default();
        if entry.is_dir() || base.starts_with('.') || name.starts_with("__MACOSX") {
            continue;
        }
        limits
            .check_size(std::path::Path::new(&name), entry.size())
            .map_err(|e| ApiError::PayloadTooLarge(e.to_string()))?;
        let mut bytes = Vec::new();
        entry
            .take(left + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("body: {name}: {e}")))?;
        left = left.checked_sub(bytes.len() as u64).ok_or_else(|| {
            ApiError::PayloadTooLarge(format!(
                "the import is over {} MiB unzipped",
                IMPORT_MAX_UNZIPPED_BYTES >> 20
            ))
        })?;
        let text = String::from_utf8(bytes).map_err(|_| bad(format!("body: {name}: not UTF-8")))?;
        out.push(cadastre::ofds::Text { name, text });
    }
    Ok(out)
}
