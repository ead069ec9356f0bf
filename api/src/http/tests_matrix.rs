//! The role × route × method matrix, generated from the OpenAPI document the router serves:
//! every documented operation is called without a token (401 with the bearer challenge) and
//! with each role's token (403 exactly when the permission table denies the role the
//! operation's scope), so a new route is tested as soon as it is registered. Every answer's
//! status must be documented for its operation, and every JSON answer must match its
//! documented schema. A source check holds the other side: the area modules register routes
//! only through `routes!`, and each handler checks the permission its document names.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use collector::config::{ApiConfig, API_ROLES};

use super::auth::{access, Access, Auth, Permission, PERMISSIONS};
use super::openapi::{BEARER, DOCS_PATH, DOCUMENT_PATH, OPEN_PATHS};
use super::tests::{state, token_of};
use super::{api_router, router, AppState};

/// The store of `tests.rs`, the demo cadastre, and rates no matrix can exhaust.
fn matrix_state(dir: &Path) -> AppState {
    let mut st = state(dir);
    let cad_dir = dir.join("cadastre");
    let mut store = cadastre::store::Store::open(&cad_dir).unwrap();
    let ok = |_: &cadastre::Cadastre| cadastre::Report::default();
    store
        .replace_all(0, &cadastre::demo::generate(3), "test", "demo", &ok)
        .unwrap();
    st.cadastre = Some(Arc::new(
        super::snapshot::Cadastres::open(&cad_dir).unwrap(),
    ));
    st.auth = Arc::new(Auth::new(&ApiConfig {
        tokens: API_ROLES.iter().map(|&r| token_of(r)).collect(),
        rate_per_second: 1_000_000,
        operator_rate_per_second: 1_000_000,
        ..ApiConfig::default()
    }));
    st
}

/// The document as served, as JSON.
fn document() -> Value {
    serde_json::to_value(api_router().1).unwrap()
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every (path, method, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, &'static str, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((path.clone(), m, op.clone()));
            }
        }
    }
    out
}

/// The permission an operation names as its bearer scope; an error when it names none, several,
/// or one that is not a [`Permission`].
fn permission(op: &Value) -> Result<Permission, String> {
    let requirements = op["security"].as_array().ok_or("no security requirement")?;
    let scopes: Vec<&str> = requirements
        .iter()
        .filter_map(|r| r.get(BEARER)?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let [scope] = scopes[..] else {
        return Err(format!("expected one bearer scope, found {scopes:?}"));
    };
    PERMISSIONS
        .into_iter()
        .find(|p| p.as_str() == scope)
        .ok_or_else(|| format!("scope {scope:?} is not a permission"))
}

/// `schema` with its `$ref` followed.
fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            let target = doc.pointer(pointer);
            resolve(
                target.unwrap_or_else(|| panic!("{r} does not resolve")),
                doc,
            )
        }
        None => schema,
    }
}

/// The schema's types (`type` is a name or a list of names in OpenAPI 3.1).
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// A plain value of `schema`: its example, default or first enum value, else the simplest
/// value of its type, objects with their required properties only.
fn sample(schema: &Value, doc: &Value) -> Value {
    let s = resolve(schema, doc);
    if let Some(v) = s.get("example").or(s.get("default")).or(s.get("const")) {
        return v.clone();
    }
    if let Some(v) = s["enum"].as_array().and_then(|e| e.first()) {
        return v.clone();
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = s[key].as_array().and_then(|a| a.first()) {
            return sample(first, doc);
        }
    }
    match types(s).into_iter().find(|t| *t != "null") {
        Some("string") => json!("x"),
        Some("integer") => json!(1),
        Some("number") => json!(1.0),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("object") => {
            let mut o = serde_json::Map::new();
            for name in s["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                o.insert(name.into(), sample(&s["properties"][name], doc));
            }
            Value::Object(o)
        }
        _ => Value::Null,
    }
}

/// A value as it goes into a URL.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A path parameter: a name the test store or cadastre knows, else a sample of its schema.
fn path_value(name: &str, schema: &Value, doc: &Value) -> String {
    match name {
        "name" | "device" => "core-01".into(),
        "port" => "xe-0%2F0%2F1".into(),
        "layer" => "routes".into(),
        "file" => "app.js".into(),
        "vendor_file" => "leaflet.js".into(),
        _ => text(&sample(schema, doc))
            .replace('%', "%25")
            .replace('/', "%2F"),
    }
}

/// The request of an operation: its URI (path parameters filled, required query parameters
/// given: their example, else a sample), its required headers and a JSON body when it takes
/// one.
fn request_of(
    path: &str,
    op: &Value,
    doc: &Value,
) -> (String, Vec<(String, String)>, Option<Value>) {
    let mut uri = path.to_string();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let p = resolve(p, doc);
        let name = p["name"].as_str().unwrap();
        let required = p["required"].as_bool().unwrap_or(false);
        match p["in"].as_str() {
            Some("path") => {
                uri = uri.replace(&format!("{{{name}}}"), &path_value(name, &p["schema"], doc))
            }
            // A query parameter's example (a site the cadastre knows) reaches the answer.
            Some("query") if required => {
                let v = p.get("example").cloned();
                let v = v.unwrap_or_else(|| sample(&p["schema"], doc));
                query.push(format!("{name}={}", text(&v)))
            }
            Some("header") if required => {
                headers.push((name.to_string(), text(&sample(&p["schema"], doc))))
            }
            _ => {}
        }
    }
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    let body = op["requestBody"]["content"]["application/json"]["schema"]
        .as_object()
        .map(|_| {
            sample(
                &op["requestBody"]["content"]["application/json"]["schema"],
                doc,
            )
        });
    (uri, headers, body)
}

async fn send(
    app: &Router,
    method: &str,
    (uri, headers, body): &(String, Vec<(String, String)>, Option<Value>),
    token: Option<&str>,
) -> (StatusCode, HeaderMap, Bytes) {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
        .uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let body = match body {
        Some(v) => {
            req = req.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let r = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let (parts, body) = r.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, bytes)
}

/// Whether `v` matches `schema` (the part of JSON Schema the document uses): the first
/// mismatch found, with where it is.
fn conforms(v: &Value, schema: &Value, doc: &Value, at: &str) -> Result<(), String> {
    let s = resolve(schema, doc);
    if let Some(all) = s["allOf"].as_array() {
        for sub in all {
            conforms(v, sub, doc, at)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = s[key].as_array() {
            if !any.iter().any(|sub| conforms(v, sub, doc, at).is_ok()) {
                return Err(format!("{at}: {v} matches none of {key}"));
            }
        }
    }
    if let Some(e) = s["enum"].as_array() {
        if !e.contains(v) {
            return Err(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    let ts = types(s);
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed =
        ts.is_empty() || ts.contains(&kind) || (kind == "integer" && ts.contains(&"number"));
    if !allowed {
        return Err(format!("{at}: a {kind} where the schema says {ts:?}"));
    }
    match v {
        Value::Object(o) => {
            for name in s["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !o.contains_key(name) {
                    return Err(format!("{at}: no required {name:?}"));
                }
            }
            for (k, item) in o {
                let sub = match s["properties"].get(k) {
                    Some(p) => p,
                    None => &s["additionalProperties"],
                };
                if sub.is_object() {
                    conforms(item, sub, doc, &format!("{at}.{k}"))?;
                }
            }
        }
        Value::Array(items) if s["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                conforms(item, &s["items"], doc, &format!("{at}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// An answer of `op` holds to the document: its status is documented, and a JSON answer
/// documented with a schema matches it.
fn check_answer(
    doc: &Value,
    op: &Value,
    what: &str,
    (code, headers, body): &(StatusCode, HeaderMap, Bytes),
) {
    let documented = &op["responses"][code.as_str()];
    assert!(
        documented.is_object() || op["responses"]["default"].is_object(),
        "{what}: status {code} is not documented ({})",
        String::from_utf8_lossy(body)
    );
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return;
    }
    let response = resolve(documented, doc);
    if let Some(schema) = response["content"]["application/json"].get("schema") {
        let v: Value = serde_json::from_slice(body)
            .unwrap_or_else(|e| panic!("{what}: the answer is not JSON: {e}"));
        if let Err(e) = conforms(&v, schema, doc, "$") {
            panic!("{what}: the answer does not match its schema: {e}");
        }
    }
}

#[tokio::test]
async fn the_role_route_matrix_follows_the_permission_table() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(matrix_state(dir.path()));
    let doc = document();
    let mut n_protected = 0;
    for (path, method, op) in operations(&doc) {
        let what = format!("{} {path}", method.to_uppercase());
        let request = request_of(&path, &op, &doc);
        let anonymous = send(&app, method, &request, None).await;
        if OPEN_PATHS.contains(&path.as_str()) {
            assert!(op.get("security").is_none(), "{what}: open, yet secured");
            assert_eq!(anonymous.0, StatusCode::OK, "{what}: open without a token");
            check_answer(&doc, &op, &what, &anonymous);
            continue;
        }
        let perm = permission(&op).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            anonymous.0,
            StatusCode::UNAUTHORIZED,
            "{what} without a token"
        );
        let challenge = anonymous
            .1
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap());
        assert!(
            challenge.is_some_and(|c| c.starts_with("Bearer")),
            "{what}: 401 without the bearer challenge: {challenge:?}"
        );
        check_answer(&doc, &op, &what, &anonymous);
        for role in API_ROLES {
            let token = format!("tok-{}", role.as_str());
            let answer = send(&app, method, &request, Some(&token)).await;
            let what = format!("{what} as {}", role.as_str());
            let code = answer.0;
            if access(role, perm) == Access::Denied {
                assert_eq!(code, StatusCode::FORBIDDEN, "{what} ({})", perm.as_str());
            } else {
                assert!(
                    code != StatusCode::UNAUTHORIZED && code != StatusCode::FORBIDDEN,
                    "{what}: {code} though the role has {}",
                    perm.as_str()
                );
            }
            check_answer(&doc, &op, &what, &answer);
        }
        n_protected += 1;
    }
    // Today's routes at least: the iteration did run over the document.
    assert!(n_protected >= 10, "only {n_protected} protected operations");
}

#[tokio::test]
async fn the_document_and_the_reference_are_open() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let get = |uri: &str| (uri.to_string(), vec![], None);
    let (code, headers, body) = send(&app, "get", &get(DOCUMENT_PATH), None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let served: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(served, document(), "the served document is the router's");
    let (code, headers, _) = send(&app, "get", &get(DOCS_PATH), None).await;
    assert!(code.is_redirection(), "{code}");
    assert_eq!(headers["location"], format!("{DOCS_PATH}/"));
    let (code, _, page) = send(&app, "get", &get(&format!("{DOCS_PATH}/")), None).await;
    assert_eq!(code, StatusCode::OK);
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    // Everything the page loads comes from the binary: no absolute URL in it or its script.
    let (code, _, init) = send(
        &app,
        "get",
        &get(&format!("{DOCS_PATH}/swagger-initializer.js")),
        None,
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let init = String::from_utf8(init.to_vec()).unwrap();
    assert!(init.contains(DOCUMENT_PATH), "{init}");
    for text in [&page, &init] {
        assert!(!text.contains("src=\"http"), "an external script: {text}");
        assert!(!text.contains("href=\"http"), "an external style: {text}");
        assert!(!text.contains("https://"), "an external URL: {text}");
    }
}

#[test]
fn the_document_is_openapi_3_1_with_the_bearer_scheme_and_unique_operation_ids() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let scheme = &doc["components"]["securitySchemes"][BEARER];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for path in [
        "/api/v1/devices",
        "/api/v1/ports/{device}/{port}/series",
        "/api/v1/wifi",
        "/api/v1/cadastre/layers/{layer}",
        "/api/v1/topology/paths",
        "/api/v1/spare",
        "/api/v1/quote",
        "/api/v1/links",
        "/metrics",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/topology/cut"]["post"].is_object());
    let ops = operations(&doc);
    let ids: BTreeSet<&str> = ops
        .iter()
        .map(|(path, _, op)| {
            op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no operationId"))
        })
        .collect();
    assert_eq!(ids.len(), ops.len(), "operation ids are unique: {ids:?}");
    for (path, method, op) in &ops {
        assert!(
            op["summary"].is_string(),
            "{method} {path}: no summary (the doc comment)"
        );
        // A response without a description is not valid OpenAPI.
        for (status, r) in op["responses"].as_object().unwrap() {
            let r = resolve(r, &doc);
            assert!(
                r["description"].is_string(),
                "{method} {path} {status}: no description"
            );
        }
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for r in refs {
        assert!(
            doc.pointer(r.trim_start_matches('#')).is_some(),
            "{r} resolves"
        );
    }
    // The path parameters the document names are the ones its paths hold.
    for (path, _, op) in &ops {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "path" {
                let name = p["name"].as_str().unwrap();
                assert!(path.contains(&format!("{{{name}}}")), "{path}: {name}");
            }
        }
    }
}

/// Every `$ref` in `v`.
fn collect_refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("$ref") {
                out.push(r);
            }
            o.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The modules of `api/src/http/` (the tests aside) and their text, comment lines left out.
fn http_sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                walk(&p, out);
            } else if name.ends_with(".rs") && !name.starts_with("tests") {
                let text = std::fs::read_to_string(&p).unwrap();
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.push((p.display().to_string(), code.join("\n")));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"),
        &mut out,
    );
    out
}

#[test]
fn routes_are_registered_only_from_their_document_and_check_its_permission() {
    let sources = http_sources();
    assert!(sources.len() >= 6, "{} sources", sources.len());
    let mut problems = Vec::new();
    for (file, code) in &sources {
        // A route registered any other way than `routes!` would be missing from the document.
        for banned in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            "routing::",
        ] {
            if code.contains(banned) {
                problems.push(format!(
                    "{file}: `{banned}`: register with routes!(handler)"
                ));
            }
        }
        // Each `#[utoipa::path]` up to the next: the handler, which must check the permission
        // its security scope names, and none when it is open.
        for chunk in code.split("#[utoipa::path(").skip(1) {
            let handler = chunk
                .split_once("fn ")
                .and_then(|(_, rest)| rest.split('(').next())
                .unwrap_or("?");
            let scope = chunk
                .split_once(&format!("(\"{BEARER}\" = [\""))
                .and_then(|(_, rest)| rest.split('"').next());
            let checked: Vec<&str> = PERMISSIONS
                .iter()
                .filter(|p| chunk.contains(&format!("Permission::{p:?}")))
                .map(|p| p.as_str())
                .collect();
            match scope {
                None if !checked.is_empty() => problems.push(format!(
                    "{file}: {handler} checks {checked:?} but its document names no scope"
                )),
                Some(s) if !checked.contains(&s) => problems.push(format!(
                    "{file}: {handler} is documented as needing {s:?} but checks {checked:?}"
                )),
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
