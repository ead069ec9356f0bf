//! The cadastre's routes with `oneshot` over the demo network (seed 3) in a temporary data
//! directory; tokens `tok-<role>` for every role, named `test-<role>`.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use collector::config::{ApiConfig, ApiToken, API_ROLES};
use collector::metrics::Metrics;
use collector::store::{Retention, Store};

use super::super::auth::Auth;
use super::super::snapshot::Cadastres;
use super::super::{router, AppState};

/// The router over a fresh demo cadastre (version 1), and its directory.
fn app() -> (Router, tempfile::TempDir) {
    app_within(cadastre::limits::Limits::default())
}

/// [`app`], importing within `limits` (the server's `[cadastre]` limits).
fn app_within(limits: cadastre::limits::Limits) -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let cad_dir = dir.path().join("cadastre");
    let mut store = cadastre::store::Store::open(&cad_dir).unwrap();
    let ok = |_: &cadastre::Cadastre| cadastre::Report::default();
    let demo = cadastre::demo::generate(3);
    store.replace_all(0, &demo, "test", "demo", &ok).unwrap();
    let tokens = API_ROLES
        .iter()
        .map(|&role| ApiToken {
            name: format!("test-{}", role.as_str()),
            role,
            sha256: Sha256::digest(format!("tok-{}", role.as_str()).as_bytes()).into(),
        })
        .collect();
    let state = AppState {
        store: Arc::new(Mutex::new(
            Store::open(&dir.path().join("store"), Retention::default()).unwrap(),
        )),
        metrics: Arc::new(Metrics::default()),
        cadastre: Some(Arc::new(
            Cadastres::open(&cad_dir).unwrap().with_limits(limits),
        )),
        auth: Arc::new(Auth::new(&ApiConfig {
            tokens,
            ..ApiConfig::default()
        })),
        answers: Arc::default(),
        wifi: Default::default(),
        web: Default::default(),
    };
    (router(state), dir)
}

/// An answer: status, headers, body bytes.
struct Answer {
    code: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn etag_version(&self) -> u64 {
        let tag = self.headers["etag"].to_str().unwrap();
        tag.trim_matches('"').parse().unwrap()
    }
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    role: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if !role.is_empty() {
        req = req.header("authorization", format!("Bearer tok-{role}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let code = r.status();
    let headers = r.headers().clone();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        code,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str, role: &str) -> Answer {
    send(app, "GET", uri, role, &[], Body::empty()).await
}

/// A POST of `body` as JSON with `If-Match: "<base>"` (none when `base` is `None`).
async fn post(app: &Router, uri: &str, role: &str, base: Option<u64>, body: &Value) -> Answer {
    let tag = base.map(|b| format!("\"{b}\""));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(t) = &tag {
        headers.push(("if-match", t.as_str()));
    }
    send(
        app,
        "POST",
        uri,
        role,
        &headers,
        Body::from(body.to_string()),
    )
    .await
}

fn site(id: &str, owner: &str) -> Value {
    json!({"type": "Feature", "id": id,
        "geometry": {"type": "Point", "coordinates": [4.3601, 50.8512]},
        "properties": {"id": id, "name": "PoP Acceptance", "kind": "pop", "owner": owner,
            "status": "in_service"}})
}

fn add_site(id: &str, owner: &str) -> Value {
    json!({"reason": "acceptance", "changes": [{"op": "add", "layer": "sites", "feature": site(id, owner)}]})
}

#[tokio::test]
async fn a_layer_is_the_export_file_with_its_version_as_etag_and_304_when_unchanged() {
    let (app, _dir) = app();
    let a = get(&app, "/api/v1/cadastre/layers/routes", "viewer").await;
    assert_eq!(a.code, StatusCode::OK);
    assert_eq!(a.etag_version(), 1);
    assert_eq!(a.headers["content-type"], "application/geo+json");
    let demo = cadastre::demo::generate(3);
    let file = cadastre::geojson_io::to_text(&demo, cadastre::Layer::Routes).unwrap();
    assert_eq!(a.body, file, "the bytes of the exported file");
    let again = send(
        &app,
        "GET",
        "/api/v1/cadastre/layers/routes",
        "viewer",
        &[("if-none-match", "W/\"1\"")],
        Body::empty(),
    )
    .await;
    assert_eq!(again.code, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let other = send(
        &app,
        "GET",
        "/api/v1/cadastre/layers/routes",
        "viewer",
        &[("if-none-match", "\"0\"")],
        Body::empty(),
    )
    .await;
    assert_eq!(other.code, StatusCode::OK);
    for role in ["", "operator"] {
        let code = get(&app, "/api/v1/cadastre/layers/routes", role).await.code;
        let want = if role.is_empty() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(code, want, "{role:?}");
    }
}

#[tokio::test]
async fn layers_are_filtered_by_bbox_owner_and_status_and_a_bad_bbox_names_its_field() {
    let (app, _dir) = app();
    let all = get(&app, "/api/v1/cadastre/layers/routes", "viewer")
        .await
        .json();
    let n_all = all["features"].as_array().unwrap().len();
    let owner = all["features"][0]["properties"]["owner"]
        .as_str()
        .unwrap()
        .to_string();
    let mine = get(
        &app,
        &format!("/api/v1/cadastre/layers/routes?owner={owner}"),
        "viewer",
    )
    .await
    .json();
    let mine = mine["features"].as_array().unwrap();
    assert!(
        !mine.is_empty() && mine.len() < n_all,
        "{} of {n_all}",
        mine.len()
    );
    assert!(mine
        .iter()
        .all(|f| f["properties"]["owner"] == owner.as_str()));
    let boxed = get(
        &app,
        "/api/v1/cadastre/layers/sites?bbox=4.34,50.84,4.37,50.86",
        "viewer",
    )
    .await
    .json();
    let boxed = boxed["features"].as_array().unwrap();
    let n_sites = get(&app, "/api/v1/cadastre/layers/sites", "viewer")
        .await
        .json()["features"]
        .as_array()
        .unwrap()
        .len();
    assert!(boxed.len() < n_sites, "{} of {n_sites}", boxed.len());
    for f in boxed {
        let c = &f["geometry"]["coordinates"];
        let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (4.34..=4.37).contains(&x) && (50.84..=50.86).contains(&y),
            "{c}"
        );
    }
    let none = get(
        &app,
        "/api/v1/cadastre/layers/routes?status=nonesuch",
        "viewer",
    )
    .await
    .json();
    assert_eq!(none["features"].as_array().unwrap().len(), 0);
    for bad in [
        "4.3,50.8,4.4",
        "a,b,c,d",
        "4.4,50.8,4.3,50.9",
        "200,0,201,1",
    ] {
        let a = get(
            &app,
            &format!("/api/v1/cadastre/layers/routes?bbox={bad}"),
            "viewer",
        )
        .await;
        assert_eq!(a.code, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(a.json()["field"], "bbox", "{bad}");
    }
    assert_eq!(
        get(&app, "/api/v1/cadastre/layers/roads", "viewer")
            .await
            .code,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_planner_edits_with_if_match_and_the_author_is_the_token() {
    let (app, _dir) = app();
    let uri = "/api/v1/cadastre/changes";
    for role in ["viewer", "engineer", "commercial", "operator"] {
        assert_eq!(
            post(&app, uri, role, Some(1), &add_site("pop-acc", "cirb"))
                .await
                .code,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    assert_eq!(
        post(&app, uri, "", Some(1), &add_site("pop-acc", "cirb"))
            .await
            .code,
        StatusCode::UNAUTHORIZED
    );
    let a = post(&app, uri, "planner", None, &add_site("pop-acc", "cirb")).await;
    assert_eq!(a.code, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(a.json()["field"], "If-Match");
    let a = post(&app, uri, "planner", Some(1), &add_site("pop-acc", "cirb")).await;
    assert_eq!(a.code, StatusCode::CREATED, "{}", a.json());
    assert_eq!(a.json(), json!({"version": 2}));
    assert_eq!(a.etag_version(), 2);
    let a = post(&app, uri, "planner", Some(1), &add_site("pop-acc2", "cirb")).await;
    assert_eq!(a.code, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        a.json()["error"],
        "stale edit: data is at version 2, your edit is based on 1"
    );
    let mut with_author = add_site("pop-eve", "cirb");
    with_author["author"] = json!("eve");
    let a = post(&app, uri, "admin", Some(2), &with_author).await;
    assert_eq!(
        (a.code, a.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("author"))
    );
    let h = get(&app, "/api/v1/cadastre/history?limit=1", "viewer")
        .await
        .json();
    assert_eq!(h["changes"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&h["changes"][0]["author"], &h["changes"][0]["reason"]),
        (&json!("test-planner"), &json!("acceptance"))
    );
    let layer = get(&app, "/api/v1/cadastre/layers/sites", "viewer").await;
    assert_eq!(layer.etag_version(), 2, "the snapshot follows the write");
    assert!(layer.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "pop-acc"));
    let a = get(&app, "/api/v1/cadastre/history?limit=x", "viewer").await;
    assert_eq!(
        (a.code, a.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("limit"))
    );
}

#[tokio::test]
async fn an_invalid_change_set_is_422_with_every_problem_naming_its_field_and_nothing_written() {
    let (app, _dir) = app();
    let uri = "/api/v1/cadastre/changes";
    let mut nameless = site("x1", "nobody");
    nameless["properties"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let bad = json!({"reason": "r", "changes": [
        {"op": "add", "layer": "sites", "feature": site("x0", "nobody")},
        {"op": "add", "layer": "sites", "feature": nameless},
    ]});
    let a = post(&app, uri, "planner", Some(1), &bad).await;
    assert_eq!(a.code, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json());
    let problems = a.json()["problems"].as_array().unwrap().clone();
    assert!(problems.len() >= 2, "{problems:?}");
    assert!(problems
        .iter()
        .all(|p| p["field"].as_str().is_some_and(|f| !f.is_empty())));
    let fields: Vec<_> = problems
        .iter()
        .map(|p| (p["change"].clone(), p["field"].clone()))
        .collect();
    assert!(fields.contains(&(json!(1), json!("name"))), "{fields:?}");
    assert!(fields.contains(&(json!(0), json!("owner"))), "{fields:?}");
    let missing =
        json!({"reason": "r", "changes": [{"op": "delete", "layer": "sites", "id": "nope"}]});
    let a = post(&app, uri, "planner", Some(1), &missing).await;
    assert_eq!(a.code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["problems"][0]["field"], "id");
    let malformed = json!({"reason": "r", "changes": [{"op": "move", "layer": "sites"}]});
    let a = post(&app, uri, "planner", Some(1), &malformed).await;
    assert_eq!(a.code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["problems"][0]["field"], "op");
    let no_reason = json!({"changes": [{"op": "delete", "layer": "sites", "id": "nope"}]});
    let a = post(&app, uri, "planner", Some(1), &no_reason).await;
    assert_eq!(
        (a.code, a.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("reason"))
    );
    let a = post(
        &app,
        uri,
        "planner",
        Some(1),
        &json!({"reason": "r", "changes": []}),
    )
    .await;
    assert_eq!(
        a.code,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty change set"
    );
    assert_eq!(a.json()["problems"][0]["field"], "changes");
    let h = get(&app, "/api/v1/cadastre/history", "viewer").await.json();
    assert_eq!(h["changes"].as_array().unwrap().len(), 1, "nothing written");
}

#[tokio::test]
async fn history_diff_versions_and_undo() {
    let (app, _dir) = app();
    let sites = get(&app, "/api/v1/cadastre/layers/sites", "viewer")
        .await
        .json();
    let mut renamed = sites["features"][0].clone();
    renamed["properties"]["name"] = json!("Renamed");
    let mut edit = add_site("pop-acc", "cirb");
    edit["changes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"op": "change", "layer": "sites", "feature": renamed}));
    let a = post(&app, "/api/v1/cadastre/changes", "planner", Some(1), &edit).await;
    assert_eq!(a.code, StatusCode::CREATED, "{}", a.json());
    let d = get(&app, "/api/v1/cadastre/history/2", "viewer")
        .await
        .json();
    assert_eq!(
        (&d["version"], &d["n_added"], &d["n_changed"]),
        (&json!(2), &json!(1), &json!(1))
    );
    let f = d["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "pop-acc")
        .unwrap();
    assert_eq!(
        (&f["layer"], &f["id"], &f["op"]),
        (&json!("sites"), &json!("pop-acc"), &json!("added"))
    );
    assert_eq!(f["before"], Value::Null);
    assert_eq!(f["after"]["properties"]["owner"], "cirb");
    assert_eq!(f["after"]["type"], "Feature");
    assert_eq!(
        get(&app, "/api/v1/cadastre/history/9", "viewer").await.code,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/api/v1/cadastre/history/x", "viewer")
            .await
            .json()["field"],
        "version"
    );
    let v1 = get(&app, "/api/v1/cadastre/versions/1/layers/sites", "viewer").await;
    assert_eq!(v1.etag_version(), 1);
    assert!(!v1.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "pop-acc"));
    let v2 = get(&app, "/api/v1/cadastre/versions/2/layers/sites", "viewer").await;
    assert!(v2.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "pop-acc"));
    assert_eq!(
        get(&app, "/api/v1/cadastre/versions/3/layers/sites", "viewer")
            .await
            .code,
        StatusCode::NOT_FOUND
    );
    // Undo: If-Match required, 409 when a later change built on it, 201 otherwise.
    let undo = |v: u64| format!("/api/v1/cadastre/undo/{v}");
    assert_eq!(
        post(&app, &undo(2), "viewer", Some(2), &json!({}))
            .await
            .code,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&app, &undo(2), "planner", None, &json!({})).await.code,
        StatusCode::PRECONDITION_REQUIRED
    );
    let a = post(
        &app,
        &undo(1),
        "planner",
        Some(2),
        &json!({"reason": "oops"}),
    )
    .await;
    assert_eq!(a.code, StatusCode::CONFLICT, "{}", a.json());
    assert!(
        a.json()["error"].as_str().unwrap().contains("by version 2"),
        "{}",
        a.json()
    );
    assert_eq!(
        post(&app, &undo(2), "planner", Some(1), &json!({}))
            .await
            .code,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        post(&app, &undo(7), "planner", Some(2), &json!({}))
            .await
            .code,
        StatusCode::NOT_FOUND
    );
    let a = post(
        &app,
        &undo(2),
        "planner",
        Some(2),
        &json!({"reason": "wrong survey"}),
    )
    .await;
    assert_eq!(
        (a.code, a.json()),
        (StatusCode::CREATED, json!({"version": 3}))
    );
    let v3 = get(&app, "/api/v1/cadastre/layers/sites", "viewer").await;
    assert_eq!(v3.body, v1.body, "undone byte for byte");
}

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            let name = f.name().unwrap().to_string();
            f.read_to_end(&mut b).unwrap();
            (name, b)
        })
        .collect()
}

#[tokio::test]
async fn export_is_a_zip_of_the_cli_files_and_import_takes_it_back() {
    let (app, _dir) = app();
    let a = get(&app, "/api/v1/cadastre/export?to=geojson", "viewer").await;
    assert_eq!(a.code, StatusCode::OK);
    assert_eq!(a.headers["content-type"], "application/zip");
    assert!(a.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let files = unzip(&a.body);
    let demo = cadastre::demo::generate(3);
    let want = cadastre::export::files(&demo, cadastre::export::Format::Geojson).unwrap();
    let want: Vec<_> = want.into_iter().map(|f| (f.name, f.bytes)).collect();
    assert_eq!(files, want);
    for to in ["csv", "ofds"] {
        let a = get(&app, &format!("/api/v1/cadastre/export?to={to}"), "viewer").await;
        assert_eq!(a.code, StatusCode::OK, "{to}");
        assert!(!unzip(&a.body).is_empty());
    }
    assert_eq!(
        get(&app, "/api/v1/cadastre/export?to=xls", "viewer")
            .await
            .json()["field"],
        "to"
    );
    assert_eq!(
        get(&app, "/api/v1/cadastre/export", "operator").await.code,
        StatusCode::FORBIDDEN
    );
    // The export imported back: a new version with the same layers.
    let import = |base: &str, ct: &'static str, body: Vec<u8>, role: &'static str| {
        let app = app.clone();
        let base = base.to_string();
        async move {
            let h = [("content-type", ct), ("if-match", base.as_str())];
            send(
                &app,
                "POST",
                "/api/v1/cadastre/import?from=geojson",
                role,
                &h,
                Body::from(body),
            )
            .await
        }
    };
    assert_eq!(
        import("\"1\"", "application/zip", a.body.clone(), "viewer")
            .await
            .code,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        import("\"1\"", "application/json", a.body.clone(), "planner")
            .await
            .code,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let geo = get(&app, "/api/v1/cadastre/export?to=geojson", "viewer")
        .await
        .body;
    let r = import("\"1\"", "application/zip", geo.clone(), "planner").await;
    assert_eq!(
        (r.code, r.json()),
        (StatusCode::CREATED, json!({"version": 2}))
    );
    assert_eq!(
        unzip(
            &get(&app, "/api/v1/cadastre/export?to=geojson", "viewer")
                .await
                .body
        ),
        want
    );
    assert_eq!(
        import("\"1\"", "application/zip", geo, "planner")
            .await
            .code,
        StatusCode::PRECONDITION_FAILED
    );
    // A site of an unknown owner: 422 with the validator's problems, nothing written.
    let mut bad = demo.clone();
    bad.sites[0].owner = Some("nobody".into());
    let files = cadastre::export::files(&bad, cadastre::export::Format::Geojson).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for f in files {
        w.start_file(f.name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &f.bytes).unwrap();
    }
    let r = import(
        "\"2\"",
        "application/zip",
        w.finish().unwrap().into_inner(),
        "planner",
    )
    .await;
    assert_eq!(r.code, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json());
    assert!(r.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["field"] == "owner"));
    let r = import("\"2\"", "application/zip", b"not a zip".to_vec(), "planner").await;
    assert_eq!(
        (r.code, r.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("body"))
    );
    assert_eq!(
        get(&app, "/api/v1/cadastre/history", "viewer").await.json()["changes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// The server's `[cadastre]` limits on an import: a geometry over `max_vertices` is a 422
/// naming the feature and the limit, a file over `max_file_mb` a 413; nothing is written.
#[tokio::test]
async fn import_is_read_within_the_servers_limits() {
    let limits = cadastre::limits::Limits {
        max_file_mb: 1,
        max_features: 1_000,
        max_vertices: 4,
    };
    let (app, _dir) = app_within(limits);
    let zip_of = |files: &[(&str, Vec<u8>)]| {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    };
    let import = |body: Vec<u8>| {
        let h = [("content-type", "application/zip"), ("if-match", "\"1\"")];
        let app = app.clone();
        async move {
            let uri = "/api/v1/cadastre/import?from=geojson";
            send(&app, "POST", uri, "planner", &h, Body::from(body)).await
        }
    };
    let demo = cadastre::demo::generate(3);
    let files = cadastre::export::files(&demo, cadastre::export::Format::Geojson).unwrap();
    let files: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.clone()))
        .collect();
    let r = import(zip_of(&files)).await;
    assert_eq!(r.code, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json());
    let problems = r.json()["problems"].as_array().unwrap().clone();
    let route = demo.routes.iter().position(|r| r.geometry.0[0].0.len() > 4);
    let p = problems
        .iter()
        .find(|p| p["layer"] == "routes")
        .expect("a route over the limit");
    assert_eq!(p["index"].as_u64(), route.map(|i| i as u64));
    assert_eq!(p["field"], "geometry");
    assert!(p["message"]
        .as_str()
        .unwrap()
        .ends_with("over the limit of 4 per geometry (max_vertices): not read"));
    let big = vec![(
        "routes.geojson",
        [b" ".repeat(1_000_001), b"{}".to_vec()].concat(),
    )];
    let r = import(zip_of(&big)).await;
    assert_eq!(r.code, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json());
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("over the limit of 1 MB per file (max_file_mb)"));
    let history = get(&app, "/api/v1/cadastre/history", "viewer").await.json();
    assert_eq!(
        history["changes"].as_array().unwrap().len(),
        1,
        "nothing written"
    );
}
