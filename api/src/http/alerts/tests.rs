//! The alerts' routes over the test store (one firing alert, id 1).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::http::router;
use crate::http::tests::state;

async fn call(
    app: axum::Router,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req
        .body(Body::from(body.unwrap_or("").to_string()))
        .unwrap();
    let r = app.oneshot(req).await.unwrap();
    let code = r.status();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn lists_filter_by_state_and_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let get = |uri: &'static str| call(app.clone(), "GET", uri, "tok-viewer", None);
    let (code, v) = get("/api/v1/alerts").await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["alerts"][0]["labels"]["alertname"], "busy");
    assert_eq!(v["alerts"][0]["state"], "firing");
    let (_, v) = get("/api/v1/alerts?state=firing").await;
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
    let (_, v) = get("/api/v1/alerts?state=resolved").await;
    assert_eq!(v["alerts"], serde_json::json!([]));
    let (_, v) = get("/api/v1/alerts?fingerprint=0123456789abcdef").await;
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
    let (code, v) = get("/api/v1/alerts?state=burning").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("state"))
    );
    let (code, v) = get("/api/v1/alerts?limit=0").await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit"))
    );
    let (code, _) = get("/api/v1/alerts/1").await;
    assert_eq!(code, StatusCode::OK);
    let (code, _) = get("/api/v1/alerts/99").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn engineers_acknowledge_with_their_token_s_name_and_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(state(dir.path()));
    let post = |token: &'static str, body: Option<&'static str>| {
        call(app.clone(), "POST", "/api/v1/alerts/1/ack", token, body)
    };
    let (code, _) = post("tok-viewer", Some("{}")).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, v) = post("tok-engineer", Some(r#"{"comment": "swapping the optic"}"#)).await;
    assert_eq!(code, StatusCode::OK, "{v}");
    assert_eq!(v["acked_by"], "test-engineer");
    assert_eq!(v["ack_comment"], "swapping the optic");
    assert!(v["acked_ms"].as_i64().unwrap() > 0);
    assert_eq!(v["state"], "firing", "an ack changes no state");
    let (code, v) = post("tok-admin", None).await;
    assert_eq!(
        (code, v["acked_by"].as_str()),
        (StatusCode::OK, Some("test-admin"))
    );
    let (code, v) = post(
        "tok-admin",
        Some(r#"{"comment": "x", "acked_by": "someone"}"#),
    )
    .await;
    assert_eq!(
        (code, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    let (code, _) = call(
        app.clone(),
        "POST",
        "/api/v1/alerts/7/ack",
        "tok-admin",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = call(
        app.clone(),
        "POST",
        "/api/v1/alerts/x/ack",
        "tok-admin",
        None,
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}
