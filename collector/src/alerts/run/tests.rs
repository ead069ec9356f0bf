//! The alerts task with a real store and outboxes: a notification is queued before the alert
//! is written, and a restart carries on from the store.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::config::{AlertMetric, AlertOp, AlertSelect};
use crate::sample::{DevicePoll, PortCounters, PortRates};
use crate::secret::Secret;
use crate::sinks::outbox::Outbox;

fn setup(dir: &std::path::Path, rules: Vec<&str>) -> Setup {
    let rule = |name: &str| AlertRule {
        name: name.into(),
        metric: AlertMetric::Utilisation,
        op: AlertOp::Gt,
        value: 50.0,
        for_: Duration::ZERO,
        keep_firing_for: Duration::ZERO,
        select: AlertSelect::default(),
        severity: "critical".into(),
        receivers: vec![0],
    };
    Setup {
        rules: rules.into_iter().map(rule).collect(),
        // Nothing listens on port 1: every attempt fails and the notification stays queued.
        receivers: vec![ReceiverConfig {
            name: "hook".into(),
            url: Secret::new("http://127.0.0.1:1/hook"),
            secret: Secret::new("0123456789abcdef"),
            timeout: Duration::from_secs(1),
        }],
        store_dir: dir.to_path_buf(),
        retention: Retention::default(),
        external_url: "http://127.0.0.1:8080".into(),
    }
}

fn poll(t: i64, utilisation: f64) -> Event {
    let p = DevicePoll {
        device: "r1".into(),
        time_ms: t,
        ports: vec![PortCounters {
            key: "xe-0".into(),
            ..PortCounters::default()
        }],
        ..DevicePoll::default()
    };
    let r = PortRates {
        key: "xe-0".into(),
        time_ms: t,
        utilisation_in: Some(utilisation),
        ..PortRates::default()
    };
    Event::Poll(Arc::new((p, vec![r])))
}

/// Waits until the store holds `n` alerts of `filter`.
async fn wait_for(dir: &std::path::Path, filter: AlertFilter, n: usize) -> Vec<AlertRow> {
    let store = Store::open(dir, Retention::default()).unwrap();
    for _ in 0..200 {
        let rows = store.alerts(filter, None, 100).unwrap();
        if rows.len() == n {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "no {n} alerts of {filter:?}: {:?}",
        store.alerts(filter, None, 100)
    );
}

/// The notifications queued for the receiver: (id, JSON).
fn queued(dir: &std::path::Path) -> Vec<(String, serde_json::Value)> {
    let mut o = Outbox::open(&webhook::outbox_dir(dir, "hook"), 1 << 20).unwrap();
    let mut out = Vec::new();
    while let Some(b) = o.oldest().unwrap() {
        let (id, json) = webhook::decode(&b.body).unwrap();
        out.push((id.to_string(), serde_json::from_slice(json).unwrap()));
        o.ack(b.id).unwrap();
    }
    out
}

async fn stop(a: Alerts, tx: watch::Sender<bool>) {
    let _ = tx.send(true);
    drop(a.tap);
    for t in a.tasks {
        let _ = t.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_fires_is_queued_and_stored_then_resolves_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::default());
    let (tx, rx) = watch::channel(false);
    let t0 = crate::poll::now_ms();
    let a = start(setup(dir.path(), vec!["busy", "gone"]), metrics.clone(), rx).unwrap();
    a.tap.send(poll(t0, 90.0)).await.unwrap();
    let firing = wait_for(dir.path(), AlertFilter::Firing, 2).await;
    assert!(firing.iter().all(|r| r.fired_ms == Some(t0)), "{firing:?}");
    let text = metrics.render();
    assert!(
        text.contains("irisops_alerts{state=\"firing\",severity=\"critical\"} 2"),
        "{text}"
    );
    stop(a, tx).await;
    let q = queued(dir.path());
    assert_eq!(q.len(), 2, "one message per rule: {q:?}");
    assert!(q
        .iter()
        .all(|(id, v)| id.starts_with("msg_") && v["status"] == "firing"));

    // Restarted without the rule "gone": its alert is resolved; "busy" carries on and resolves.
    let (tx, rx) = watch::channel(false);
    let a = start(
        setup(dir.path(), vec!["busy"]),
        Arc::new(Metrics::default()),
        rx,
    )
    .unwrap();
    let gone = wait_for(dir.path(), AlertFilter::Resolved, 1).await;
    assert_eq!(gone[0].rule, "gone");
    // The first poll after the restart: its condition no longer holds.
    let t1 = crate::poll::now_ms() + 1000;
    a.tap.send(poll(t1, 10.0)).await.unwrap();
    let resolved = wait_for(dir.path(), AlertFilter::Resolved, 2).await;
    assert!(
        resolved
            .iter()
            .any(|r| r.rule == "busy" && r.resolved_ms == Some(t1)),
        "{resolved:?}"
    );
    stop(a, tx).await;
    let q = queued(dir.path());
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].1["status"], "resolved");
    assert_eq!(q[0].1["alerts"][0]["labels"]["alertname"], "busy");
}
