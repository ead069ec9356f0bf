//! The alerts' webhooks: one sender task and one durable outbox per `[[receiver]]`, so a dead
//! or slow receiver never delays polling, the evaluation, or any other receiver.
//!
//! A notification is appended to its receiver's outbox (`STORE/webhooks/NAME/outbox.db`,
//! fsynced: see [`super::outbox`]) before it counts as sent; after a crash, what is still there
//! goes out at start. Each is POSTed as `application/json`, signed the Standard Webhooks way:
//! `webhook-id` (the message's, the same on every attempt so a receiver can de-duplicate),
//! `webhook-timestamp` (the attempt's, Unix seconds), `webhook-signature: v1,<base64 of
//! HMAC-SHA256 over "{id}.{timestamp}.{body}">`, the key being the receiver's secret
//! (`whsec_` + base64 is decoded, see [`crate::config::signing_key`]).
//!
//! Oldest first, one at a time per receiver (a resolution never overtakes its firing). A 2xx
//! acknowledges; 429, 5xx, a timeout or a connection error is retried after a back-off of 5 s
//! doubling to 10 min (or the receiver's `Retry-After`, at most 10 min), for 24 h after the
//! notification was made; any other status (redirects are not followed) can never succeed:
//! the notification is dropped, counted and logged with the receiver's name (never its URL,
//! which may hold a token).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::outbox::{Batch, Outbox, OutboxError};
use crate::config::{signing_key, ReceiverConfig};
use crate::metrics::Metrics;
use crate::pinned::Pinned;

/// The first retry's wait, and the longest.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(5);
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// How long a notification is tried before it is dropped.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Each receiver's outbox bound (the oldest notifications dropped beyond it, counted).
const OUTBOX_MAX_BYTES: u64 = 256 << 20;

/// The `Standard Webhooks` signature header's value.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: this never returns early.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("v1,{sig}")
}

/// A queued notification's body in the outbox: its id, a newline, the JSON.
pub fn encode(id: &str, json: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(id.len() + 1 + json.len());
    b.extend_from_slice(id.as_bytes());
    b.push(b'\n');
    b.extend_from_slice(json);
    b
}

/// The id and JSON of a queued body.
pub fn decode(body: &[u8]) -> Option<(&str, &[u8])> {
    let nl = body.iter().position(|&b| b == b'\n')?;
    Some((std::str::from_utf8(&body[..nl]).ok()?, &body[nl + 1..]))
}

/// A receiver's outbox, its sender's wake-up, and its counters.
#[derive(Clone)]
pub struct Queue {
    pub name: String,
    pub outbox: Arc<Mutex<Outbox>>,
    /// The one thread every outbox's SQLite work runs on (see [`crate::pinned`]).
    pub thread: Arc<Pinned>,
    pub wake: Arc<Notify>,
    /// Attempts that failed and will be retried.
    pub retries: Arc<AtomicU64>,
}

/// Where receiver `name`'s outbox lives.
pub fn outbox_dir(store_dir: &Path, name: &str) -> PathBuf {
    store_dir.join("webhooks").join(name)
}

/// Opens each receiver's outbox (acknowledged lazily: a power cut may send a notification
/// twice, with its id, never lose one), and the thread their SQLite work runs on.
pub fn open_queues(
    store_dir: &Path,
    receivers: &[ReceiverConfig],
) -> Result<Vec<Queue>, OutboxError> {
    let thread = Pinned::new("irisops-webhooks").map_err(|e| OutboxError::thread(store_dir, e))?;
    let thread = Arc::new(thread);
    receivers
        .iter()
        .map(|r| {
            let sink = format!("webhook:{}", r.name);
            let o = Outbox::open_for(&outbox_dir(store_dir, &r.name), OUTBOX_MAX_BYTES, &sink)?
                .lazy_acks();
            Ok(Queue {
                name: r.name.clone(),
                outbox: Arc::new(Mutex::new(o)),
                thread: thread.clone(),
                wake: Arc::new(Notify::new()),
                retries: Arc::new(AtomicU64::new(0)),
            })
        })
        .collect()
}

/// Starts one sender per receiver (`queues` in the order of `receivers`).
pub fn start_senders(
    receivers: &[ReceiverConfig],
    queues: &[Queue],
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("irisops/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    receivers
        .iter()
        .zip(queues)
        .map(|(r, q)| {
            let sender = Sender {
                client: client.clone(),
                cfg: r.clone(),
                key: signing_key(r.secret.expose()).unwrap_or_default(),
                queue: q.clone(),
                metrics: metrics.clone(),
            };
            tokio::spawn(sender.run(shutdown.clone()))
        })
        .collect()
}

/// What one attempt says about the notification.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Retry, after the receiver's `Retry-After` when it gave one.
    Retry(String, Option<Duration>),
    Refused(String),
}

struct Sender {
    client: reqwest::Client,
    cfg: ReceiverConfig,
    key: Vec<u8>,
    queue: Queue,
    metrics: Arc<Metrics>,
}

impl Sender {
    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = FIRST_BACKOFF;
        let mut shown = tokio::time::Instant::now();
        self.publish().await;
        let mut next = self.with_outbox(|o| o.oldest()).await.flatten();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let Some(batch) = next.take() else {
                self.publish().await;
                tokio::select! {
                    _ = self.queue.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = shutdown.changed() => return,
                }
                next = self.with_outbox(|o| o.oldest()).await.flatten();
                continue;
            };
            let age = crate::poll::now_ms().saturating_sub(batch.created_ms);
            let outcome = if age > GIVE_UP_AFTER.as_millis() as i64 {
                Outcome::Refused("not taken in 24 h".into())
            } else {
                self.attempt(&batch).await
            };
            match outcome {
                Outcome::Sent => {
                    backoff = FIRST_BACKOFF;
                    next = self.settle_and_next(batch.id, true).await;
                }
                Outcome::Refused(why) => {
                    tracing::error!(
                        sink = "webhook",
                        receiver = self.cfg.name.as_str(),
                        batch = batch.id,
                        "a notification is dropped ({why})"
                    );
                    next = self.settle_and_next(batch.id, false).await;
                }
                Outcome::Retry(why, after) => {
                    self.queue.retries.fetch_add(1, Relaxed);
                    self.publish().await;
                    let wait = after.unwrap_or(backoff).min(MAX_BACKOFF);
                    tracing::warn!(
                        sink = "webhook",
                        receiver = self.cfg.name.as_str(),
                        batch = batch.id,
                        "a notification failed, retrying in {wait:?}: {why}"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    // The same notification again (its bytes are still in memory).
                    next = Some(batch);
                    continue;
                }
            }
            // While a backlog drains, the queue is shown once a second.
            if shown.elapsed() >= Duration::from_secs(1) {
                shown = tokio::time::Instant::now();
                self.publish().await;
            }
        }
    }

    /// One POST of a queued notification.
    async fn attempt(&self, batch: &Batch) -> Outcome {
        let Some((id, json)) = decode(&batch.body) else {
            return Outcome::Refused("not a notification (no id line)".into());
        };
        let ts = crate::poll::now_ms().div_euclid(1000);
        let req = self
            .client
            .post(self.cfg.url.expose())
            .timeout(self.cfg.timeout)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sign(&self.key, id, ts, json))
            .body(json.to_vec());
        match req.send().await {
            Ok(resp) => outcome(resp.status(), retry_after(resp.headers())),
            // Without the URL: reqwest's errors quote it, and it may hold a token.
            Err(e) => Outcome::Retry(describe(&e), None),
        }
    }

    /// Acknowledges (`sent`) or drops a notification; the next one, read in the same job.
    async fn settle_and_next(&self, id: i64, sent: bool) -> Option<Batch> {
        let r = self
            .with_outbox(move |o| {
                if sent {
                    o.ack(id)?;
                } else {
                    o.reject(id)?;
                }
                o.oldest()
            })
            .await;
        if r.is_none() {
            tracing::error!(
                sink = "webhook",
                receiver = self.cfg.name.as_str(),
                "cannot settle notification {id}"
            );
        }
        r.flatten()
    }

    /// Runs `f` on the outbox off the async threads; `None` (logged) when it failed.
    async fn with_outbox<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Outbox) -> Result<T, OutboxError> + Send + 'static,
    ) -> Option<T> {
        let o = self.queue.outbox.clone();
        let r = self
            .queue
            .thread
            .run("webhooks", move || {
                let mut o = o.lock().map_err(|_| "outbox lock poisoned".to_string())?;
                f(&mut o).map_err(|e| e.to_string())
            })
            .await;
        match r {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                tracing::error!(
                    sink = "webhook",
                    receiver = self.cfg.name.as_str(),
                    "outbox: {e}"
                );
                None
            }
            Err(e) => {
                tracing::error!(
                    sink = "webhook",
                    receiver = self.cfg.name.as_str(),
                    "outbox task: {e}"
                );
                None
            }
        }
    }

    /// The receiver's queue and counters, for `/metrics`.
    async fn publish(&self) {
        if let Some(stats) = self.with_outbox(|o| o.stats()).await {
            self.metrics
                .webhook_stats(&self.cfg.name, stats, self.queue.retries.load(Relaxed));
        }
    }
}

/// The outcome of an answer's status.
fn outcome(status: reqwest::StatusCode, retry_after: Option<Duration>) -> Outcome {
    let code = status.as_u16();
    if status.is_success() {
        Outcome::Sent
    } else if code == 429 || status.is_server_error() {
        Outcome::Retry(format!("HTTP {code}"), retry_after)
    } else {
        Outcome::Refused(format!("HTTP {code}"))
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not read: the back-off stands in).
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let s = h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    s.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A transport error without its URL.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let mut s = e.without_url_ref_text();
        s.truncate(300);
        s
    }
}

/// reqwest's message of an error, its URL left out.
trait WithoutUrl {
    fn without_url_ref_text(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref_text(&self) -> String {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(self);
        let mut last = String::from("request failed");
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (its reference libraries' test).
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_body_keeps_its_id_and_statuses_decide() {
        let b = encode("msg_1", b"{\"a\":1}\n");
        assert_eq!(decode(&b), Some(("msg_1", &b"{\"a\":1}\n"[..])));
        assert_eq!(decode(b"no newline"), None);
        let s = |c: u16| reqwest::StatusCode::from_u16(c).unwrap();
        assert_eq!(outcome(s(204), None), Outcome::Sent);
        assert!(matches!(outcome(s(503), None), Outcome::Retry(..)));
        assert!(
            matches!(outcome(s(429), Some(Duration::from_secs(7))), Outcome::Retry(_, Some(d)) if d.as_secs() == 7)
        );
        assert!(matches!(outcome(s(400), None), Outcome::Refused(_)));
        assert!(matches!(outcome(s(301), None), Outcome::Refused(_)));
    }
}
