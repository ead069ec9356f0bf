//! What the alerts say: each series' labels, annotations and fingerprint, and the
//! notifications a batch of changes makes — Alertmanager's webhook JSON, version 4, so the
//! bridges people already run for Alertmanager (chat, paging, ticketing) take it unchanged:
//!
//! `{"version": "4", "groupKey", "truncatedAlerts": 0, "status", "receiver", "groupLabels",
//! "commonLabels", "commonAnnotations", "externalURL", "alerts": [{"status", "labels",
//! "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}]}`
//!
//! One notification per receiver, rule and status (`firing`, `resolved`) of a batch, grouped
//! by `alertname` like Alertmanager's default route; at most [`MAX_ALERTS`] alerts each (more
//! are split over several notifications, never truncated). A firing alert's `endsAt` is
//! Alertmanager's zero time; a resolved one's is when it resolved.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::engine::Change;
use super::series::{Extra, Sub};
use super::state::Transition;
use crate::config::{AlertMetric, AlertRule};

/// The most alerts in one notification.
pub const MAX_ALERTS: usize = 1000;

/// Alertmanager's "no end" time.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A notification for one receiver: its Standard Webhooks id (kept across retries) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Index into the receivers.
    pub receiver: usize,
    pub id: String,
    pub body: Vec<u8>,
    pub n_alerts: usize,
}

/// The series' fingerprint: 16 hex digits of SHA-256 over the rule's name and the series'
/// identity, stable across restarts and versions.
pub fn fingerprint(rule: &str, device: &str, sub: &Sub) -> String {
    let mut h = Sha256::new();
    for part in [rule, device] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    match sub {
        Sub::Device => h.update(b"d"),
        Sub::Port(p) => h.update(format!("p\0{p}")),
        Sub::Lane(p, l) => h.update(format!("l\0{p}\0{l}")),
        Sub::Ap(a) => h.update(format!("a\0{a}")),
        Sub::Hotspot(s) => h.update(format!("h\0{s}")),
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The series' labels: `alertname` (the rule's name), `severity`, `metric`, `device`, and by
/// series `port`, `lane`, `ap`, `hotspot`.
pub fn labels(
    rule: &AlertRule,
    device: &str,
    sub: &Sub,
    extra: &Extra,
) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        l.insert(k.to_string(), v.to_string());
    };
    put("alertname", &rule.name);
    put("severity", &rule.severity);
    put("metric", rule.metric.as_str());
    put("device", device);
    match sub {
        Sub::Device => {}
        Sub::Port(p) => put("port", p),
        Sub::Lane(p, lane) => {
            put("port", p);
            put("lane", &lane.to_string());
        }
        Sub::Ap(a) => put("ap", a),
        Sub::Hotspot(h) => put("hotspot", h),
    }
    if let Some(h) = &extra.hotspot {
        put("hotspot", h);
    }
    l
}

/// The series back from its labels (a restart), for a rule of `metric`.
pub fn sub_of(metric: AlertMetric, labels: &BTreeMap<String, String>) -> Option<Sub> {
    use AlertMetric::*;
    let get = |k: &str| labels.get(k).cloned();
    Some(match metric {
        DeviceUp => Sub::Device,
        OpticRxDbm | OpticLossExcessDb => Sub::Lane(
            get("port")?,
            get("lane").and_then(|l| l.parse().ok()).unwrap_or(0),
        ),
        WifiApUp => Sub::Ap(get("ap")?),
        HotspotClients => Sub::Hotspot(get("hotspot")?),
        _ => Sub::Port(get("port")?),
    })
}

/// A value as people read it: integers plain, else up to three decimals.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The series' annotations: `summary` (`dev0001 xe-0/0/1: utilisation 87.3 > 80`), `value`,
/// `threshold` (`> 80`), the port's `alias` and a loss's `circuit` when there is one.
pub fn annotations(
    rule: &AlertRule,
    device: &str,
    sub: &Sub,
    extra: &Extra,
    value: f64,
) -> BTreeMap<String, String> {
    let what = match sub {
        Sub::Device => device.to_string(),
        Sub::Port(p) => format!("{device} {p}"),
        Sub::Lane(p, 0) => format!("{device} {p}"),
        Sub::Lane(p, l) => format!("{device} {p} lane {l}"),
        Sub::Ap(a) => format!("{device} access point {a}"),
        Sub::Hotspot(h) => format!("{device} hotspot {h}"),
    };
    let threshold = format!("{} {}", rule.op.as_str(), number(rule.value));
    let mut a = BTreeMap::new();
    a.insert(
        "summary".to_string(),
        format!(
            "{what}: {} {} {threshold}",
            rule.metric.as_str(),
            number(value)
        ),
    );
    a.insert("value".to_string(), number(value));
    a.insert("threshold".to_string(), threshold);
    if let Some(alias) = &extra.alias {
        a.insert("alias".to_string(), alias.clone());
    }
    if let Some(circuit) = &extra.circuit {
        a.insert("circuit".to_string(), circuit.clone());
    }
    a
}

/// Milliseconds since the epoch as RFC 3339 UTC, milliseconds kept.
pub fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ZERO_TIME.to_string())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Message<'a> {
    version: &'static str,
    group_key: String,
    truncated_alerts: u64,
    status: &'static str,
    receiver: &'a str,
    group_labels: BTreeMap<String, String>,
    common_labels: BTreeMap<String, String>,
    common_annotations: BTreeMap<String, String>,
    #[serde(rename = "externalURL")]
    external_url: &'a str,
    alerts: Vec<Alert>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Alert {
    status: &'static str,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
}

/// The entries present with the same value in every map.
fn common(maps: &[&BTreeMap<String, String>]) -> BTreeMap<String, String> {
    let Some((first, rest)) = maps.split_first() else {
        return BTreeMap::new();
    };
    first
        .iter()
        .filter(|(k, v)| rest.iter().all(|m| m.get(*k) == Some(*v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The alert of a change that fired or resolved (`None` for the others).
fn alert(rule: &AlertRule, c: &Change, external_url: &str) -> Option<Alert> {
    let (status, starts, ends) = match c.transition {
        Transition::Fired => ("firing", c.at_ms, ZERO_TIME.to_string()),
        Transition::Resolved => (
            "resolved",
            c.before.and_then(|t| t.fired_ms).unwrap_or(c.at_ms),
            rfc3339(c.at_ms),
        ),
        _ => return None,
    };
    let fp = fingerprint(&rule.name, &c.device, &c.sub);
    Some(Alert {
        status,
        labels: labels(rule, &c.device, &c.sub, &c.extra),
        annotations: annotations(rule, &c.device, &c.sub, &c.extra, c.value),
        starts_at: rfc3339(starts),
        ends_at: ends,
        generator_url: format!("{external_url}/api/v1/alerts?fingerprint={fp}"),
        fingerprint: fp,
    })
}

/// The notifications of a batch of changes: one per receiver, rule and status (split beyond
/// [`MAX_ALERTS`]); `receivers` are the receivers' names, `new_id` makes each message's id.
pub fn notifications(
    rules: &[AlertRule],
    receivers: &[String],
    changes: &[Change],
    external_url: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Vec<Notification> {
    let mut groups: BTreeMap<(usize, &'static str), Vec<Alert>> = BTreeMap::new();
    for c in changes {
        let rule = &rules[c.rule];
        if let Some(a) = alert(rule, c, external_url) {
            groups.entry((c.rule, a.status)).or_default().push(a);
        }
    }
    let mut out = Vec::new();
    for ((r, status), alerts) in groups {
        let rule = &rules[r];
        for chunk in alerts.chunks(MAX_ALERTS) {
            for &receiver in &rule.receivers {
                let Some(name) = receivers.get(receiver) else {
                    continue;
                };
                let labels: Vec<_> = chunk.iter().map(|a| &a.labels).collect();
                let notes: Vec<_> = chunk.iter().map(|a| &a.annotations).collect();
                let group_labels: BTreeMap<String, String> =
                    [("alertname".to_string(), rule.name.clone())].into();
                let m = Message {
                    version: "4",
                    group_key: format!("{{}}:{{alertname={:?}}}", rule.name),
                    truncated_alerts: 0,
                    status,
                    receiver: name,
                    group_labels,
                    common_labels: common(&labels),
                    common_annotations: common(&notes),
                    external_url,
                    alerts: chunk.to_vec(),
                };
                // Serialising plain strings and maps cannot fail.
                let body = serde_json::to_vec(&m).unwrap_or_default();
                out.push(Notification {
                    receiver,
                    id: new_id(),
                    body,
                    n_alerts: chunk.len(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
