//! Answers kept between writes of the store: the JSON bytes of a route's answer, served
//! again while the store sink has written nothing since (`Metrics::store_generation`) and
//! for at most [`MAX_AGE`] (the bound for a writer the server does not see, such as another
//! process on the same store file).
//!
//! Why: a dashboard of many viewers asks for the same device list many times between two
//! polls; each ask cost a store read under the reader connection's lock, off the async
//! threads, and a serialisation, ten times the cost of answering the bytes. The bytes are
//! the ones [`SortedJson`] answers, so a cached answer is the same as a fresh one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use collector::store::{Store, StoreError};

use super::{read, ApiError, AppState};

/// The longest an answer is kept, even when the store sink wrote nothing.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// The kept answers, one per route (a route with parameters is not kept).
#[derive(Debug, Default)]
pub struct Answers {
    slots: Mutex<HashMap<&'static str, Kept>>,
}

#[derive(Debug, Clone)]
struct Kept {
    generation: u64,
    made: Instant,
    body: Bytes,
}

impl Answers {
    /// The answer kept for `route` when it is still fresh at `generation`.
    fn get(&self, route: &'static str, generation: u64) -> Option<Bytes> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .get(route)
            .filter(|k| k.generation == generation && k.made.elapsed() < MAX_AGE)
            .map(|k| k.body.clone())
    }

    /// Keeps `body`, read at `generation`, unless a newer answer is kept already.
    fn put(&self, route: &'static str, generation: u64, made: Instant, body: Bytes) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let newer = slots
            .get(route)
            .is_some_and(|k| k.generation > generation || k.made > made);
        if !newer {
            slots.insert(
                route,
                Kept {
                    generation,
                    made,
                    body,
                },
            );
        }
    }
}

/// The answer of `route`: the kept one while fresh, else `f` read from the store (off the
/// async threads), serialised as [`SortedJson`] serialises it, and kept.
///
/// [`SortedJson`]: super::SortedJson
pub async fn kept<T: Serialize + Send + 'static>(
    s: &AppState,
    route: &'static str,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<Response, ApiError> {
    // Read the generation before the store: the read then sees every write counted.
    let generation = s.metrics.store_generation();
    if let Some(body) = s.answers.get(route, generation) {
        return Ok(json(body));
    }
    let made = Instant::now();
    let answer = read(s, f).await?;
    let body = super::sorted_json_bytes(&answer)?;
    s.answers.put(route, generation, made, body.clone());
    Ok(json(body))
}

fn json(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use collector::config::ApiConfig;
    use collector::metrics::Metrics;
    use collector::store::Retention;
    use http_body_util::BodyExt;

    use crate::http::auth::Auth;
    use crate::http::monitoring::{Device, Devices};

    fn state(dir: &std::path::Path) -> AppState {
        let store = Store::open(dir, Retention::default()).unwrap();
        AppState {
            store: Arc::new(std::sync::Mutex::new(store)),
            metrics: Arc::new(Metrics::default()),
            cadastre: None,
            auth: Arc::new(Auth::new(&ApiConfig::default())),
            answers: Arc::default(),
            wifi: Default::default(),
            web: Default::default(),
        }
    }

    async fn devices(s: &AppState) -> Bytes {
        let r = kept(s, "devices", |st| {
            Ok(Devices {
                devices: st.devices()?.into_iter().map(Device::from).collect(),
            })
        })
        .await
        .unwrap();
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
        r.into_body().collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn a_kept_answer_is_the_fresh_one_until_the_store_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let mut writer = Store::open(dir.path(), Retention::default()).unwrap();
        writer.write_status("core-01", "ok", None, 1_000).unwrap();
        let first = devices(&s).await;
        let fresh = {
            let st = s.store.lock().unwrap();
            let d = st
                .devices()
                .unwrap()
                .into_iter()
                .map(Device::from)
                .collect();
            crate::http::sorted_json_bytes(&Devices { devices: d }).unwrap()
        };
        assert_eq!(first, fresh, "the bytes SortedJson answers");
        writer.write_status("core-02", "ok", None, 2_000).unwrap();
        assert_eq!(
            devices(&s).await,
            first,
            "kept: the sink has not said it wrote"
        );
        s.metrics.store_written();
        let after = devices(&s).await;
        assert!(String::from_utf8_lossy(&after).contains("core-02"));
    }

    #[test]
    fn an_answer_is_kept_for_its_generation_and_not_past_its_age() {
        let a = Answers::default();
        let t = Instant::now();
        a.put("devices", 3, t, Bytes::from_static(b"three"));
        assert_eq!(a.get("devices", 3).as_deref(), Some(&b"three"[..]));
        assert_eq!(a.get("devices", 4), None, "the store was written since");
        assert_eq!(a.get("lldp", 3), None);
        // A slower read of an older generation does not replace a newer answer.
        a.put("devices", 2, t, Bytes::from_static(b"two"));
        assert_eq!(a.get("devices", 3).as_deref(), Some(&b"three"[..]));
        let old = Instant::now() - MAX_AGE - Duration::from_millis(1);
        let b = Answers::default();
        b.put("devices", 3, old, Bytes::from_static(b"old"));
        assert_eq!(b.get("devices", 3), None, "older than MAX_AGE");
    }
}
