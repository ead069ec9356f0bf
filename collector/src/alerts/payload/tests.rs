//! The notifications' JSON, field by field, as Alertmanager's webhook writes it.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::alerts::state::{Phase, Track};
use crate::config::{AlertOp, AlertSelect};

fn rule(receivers: Vec<usize>) -> AlertRule {
    AlertRule {
        name: "busy".into(),
        metric: AlertMetric::Utilisation,
        op: AlertOp::Gt,
        value: 80.0,
        for_: Duration::from_secs(60),
        keep_firing_for: Duration::ZERO,
        select: AlertSelect::default(),
        severity: "warning".into(),
        receivers,
    }
}

fn change(port: &str, transition: Transition, at_ms: i64, value: f64) -> Change {
    let fired = Track {
        phase: Phase::Firing,
        since_ms: 1_800_000_000_000,
        fired_ms: Some(1_800_000_060_000),
        last_held_ms: 1_800_000_060_000,
    };
    Change {
        rule: 0,
        device: "dev0001".into(),
        sub: Sub::Port(port.into()),
        transition,
        before: (transition == Transition::Resolved).then_some(fired),
        after: (transition == Transition::Fired).then_some(fired),
        value,
        at_ms,
        extra: Extra {
            alias: Some(format!("uplink {port}")),
            ..Extra::default()
        },
    }
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("msg_{n}")
    }
}

#[test]
fn fired_and_resolved_alerts_make_one_message_each_per_receiver() {
    let changes = [
        change("xe-0/0/1", Transition::Fired, 1_800_000_060_000, 87.25),
        change("xe-0/0/2", Transition::Fired, 1_800_000_060_000, 91.0),
        change("xe-0/0/3", Transition::Resolved, 1_800_000_120_500, 12.5),
        change("xe-0/0/4", Transition::Pending, 1_800_000_120_500, 99.0),
    ];
    let names = ["noc".to_string(), "pager".to_string()];
    let out = notifications(
        &[rule(vec![1, 0])],
        &names,
        &changes,
        "http://irisops:8080",
        &mut ids(),
    );
    let got: Vec<(usize, &str, usize)> = out
        .iter()
        .map(|n| (n.receiver, n.id.as_str(), n.n_alerts))
        .collect();
    assert_eq!(
        got,
        [
            (1, "msg_1", 2),
            (0, "msg_2", 2),
            (1, "msg_3", 1),
            (0, "msg_4", 1)
        ]
    );
    let firing: Value = serde_json::from_slice(&out[0].body).unwrap();
    assert_eq!(firing["version"], "4");
    assert_eq!(firing["status"], "firing");
    assert_eq!(firing["receiver"], "pager");
    assert_eq!(firing["groupKey"], "{}:{alertname=\"busy\"}");
    assert_eq!(firing["groupLabels"], json!({"alertname": "busy"}));
    assert_eq!(firing["truncatedAlerts"], 0);
    assert_eq!(firing["externalURL"], "http://irisops:8080");
    assert_eq!(
        firing["commonLabels"],
        json!({"alertname": "busy", "device": "dev0001", "metric": "utilisation", "severity": "warning"})
    );
    assert_eq!(firing["commonAnnotations"], json!({"threshold": "> 80"}));
    let a = &firing["alerts"][0];
    let fp = fingerprint("busy", "dev0001", &Sub::Port("xe-0/0/1".into()));
    assert_eq!(
        *a,
        json!({
            "status": "firing",
            "labels": {"alertname": "busy", "device": "dev0001", "metric": "utilisation",
                       "port": "xe-0/0/1", "severity": "warning"},
            "annotations": {"alias": "uplink xe-0/0/1", "summary": "dev0001 xe-0/0/1: utilisation 87.25 > 80",
                            "threshold": "> 80", "value": "87.25"},
            "startsAt": "2027-01-15T08:01:00.000Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": format!("http://irisops:8080/api/v1/alerts?fingerprint={fp}"),
            "fingerprint": fp,
        })
    );
    let resolved: Value = serde_json::from_slice(&out[2].body).unwrap();
    assert_eq!(resolved["status"], "resolved");
    let a = &resolved["alerts"][0];
    assert_eq!(a["startsAt"], "2027-01-15T08:01:00.000Z");
    assert_eq!(a["endsAt"], "2027-01-15T08:02:00.500Z");
    assert_eq!(a["annotations"]["value"], "12.5");
}

#[test]
fn many_alerts_are_split_never_truncated() {
    let changes: Vec<Change> = (0..MAX_ALERTS + 1)
        .map(|i| change(&format!("p{i}"), Transition::Fired, 0, 90.0))
        .collect();
    let out = notifications(
        &[rule(vec![0])],
        &["noc".to_string()],
        &changes,
        "",
        &mut ids(),
    );
    assert_eq!(
        out.iter().map(|n| n.n_alerts).collect::<Vec<_>>(),
        [MAX_ALERTS, 1]
    );
}

#[test]
fn a_fingerprint_is_of_rule_and_series_and_labels_give_the_series_back() {
    let subs = [
        Sub::Device,
        Sub::Port("a".into()),
        Sub::Lane("a".into(), 0),
        Sub::Lane("a".into(), 2),
        Sub::Ap("a".into()),
        Sub::Hotspot("a".into()),
    ];
    let fps: std::collections::BTreeSet<String> =
        subs.iter().map(|s| fingerprint("r", "d", s)).collect();
    assert_eq!(fps.len(), subs.len());
    assert_ne!(
        fingerprint("r", "d", &subs[0]),
        fingerprint("r2", "d", &subs[0])
    );
    assert_eq!(fingerprint("r", "d", &subs[1]).len(), 16);
    let metric = |s: &Sub| match s {
        Sub::Device => AlertMetric::DeviceUp,
        Sub::Port(_) => AlertMetric::InBps,
        Sub::Lane(..) => AlertMetric::OpticRxDbm,
        Sub::Ap(_) => AlertMetric::WifiApUp,
        Sub::Hotspot(_) => AlertMetric::HotspotClients,
    };
    for s in &subs {
        let mut r = rule(vec![]);
        r.metric = metric(s);
        let l = labels(&r, "d", s, &Extra::default());
        assert_eq!(sub_of(r.metric, &l).as_ref(), Some(s), "{l:?}");
    }
}
