//! `[[alert]]` and `[[receiver]]`: threshold rules evaluated on every poll, and the webhooks
//! their notifications go to. Raw, validated and checked in one file; `crate::alerts` evaluates
//! the rules, `crate::sinks::webhook` delivers.
//!
//! ```toml
//! [[receiver]]
//! name = "noc"
//! url = "https://bridge.example/hook"
//! secret = "${NOC_WEBHOOK_SECRET}"   # whsec_<base64>, or any text of 16 bytes or more
//! [[alert]]
//! name = "uplink-busy"
//! metric = "utilisation"
//! op = ">"
//! value = 80
//! for = "5m"
//! keep_firing_for = "10m"
//! severity = "warning"
//! receivers = ["noc"]
//! [alert.select]
//! device = "core-*"
//! alias = "(?i)uplink"
//! ```

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Deserialize;

use super::problems::{duration_or, expand, Problems};
use crate::secret::Secret;

/// One `[[alert]]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawAlert {
    pub name: Option<String>,
    pub metric: Option<String>,
    pub op: Option<String>,
    pub value: Option<f64>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub keep_firing_for: Option<String>,
    pub select: Option<RawSelect>,
    pub severity: Option<String>,
    pub receivers: Option<Vec<String>>,
}

/// `[alert.select]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawSelect {
    pub device: Option<String>,
    pub port: Option<String>,
    pub hotspot: Option<String>,
    pub alias: Option<String>,
}

/// One `[[receiver]]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawReceiver {
    pub name: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub timeout: Option<String>,
}

/// What a rule measures, and on which series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertMetric {
    /// A port's busier direction, % of its speed.
    Utilisation,
    InBps,
    OutBps,
    /// A port's input plus output errors per second.
    ErrorsPs,
    /// A port's input plus output discards per second.
    DiscardsPs,
    /// A port: 0 when it is down while administratively up, else 1.
    OperStatus,
    /// A device: 1 when its poll succeeded, 0 when it failed.
    DeviceUp,
    /// A transceiver lane's received level, dBm.
    OpticRxDbm,
    /// A circuit's measured minus expected loss, dB (the drift's); needs the cadastre.
    OpticLossExcessDb,
    /// An access point: 1 up, 0 down (unknown is a gap).
    WifiApUp,
    /// A hotspot's clients on one controller (needs the cadastre's hotspots).
    HotspotClients,
}

/// Every metric with its name in the configuration.
pub const ALERT_METRICS: [(AlertMetric, &str); 11] = [
    (AlertMetric::Utilisation, "utilisation"),
    (AlertMetric::InBps, "in_bps"),
    (AlertMetric::OutBps, "out_bps"),
    (AlertMetric::ErrorsPs, "errors_ps"),
    (AlertMetric::DiscardsPs, "discards_ps"),
    (AlertMetric::OperStatus, "oper_status"),
    (AlertMetric::DeviceUp, "device_up"),
    (AlertMetric::OpticRxDbm, "optic_rx_dbm"),
    (AlertMetric::OpticLossExcessDb, "optic_loss_excess_db"),
    (AlertMetric::WifiApUp, "wifi_ap_up"),
    (AlertMetric::HotspotClients, "hotspot_clients"),
];

impl AlertMetric {
    pub fn as_str(self) -> &'static str {
        ALERT_METRICS
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("", |(_, n)| n)
    }

    /// The metric named `name`.
    pub fn parse(name: &str) -> Option<AlertMetric> {
        ALERT_METRICS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(m, _)| *m)
    }

    /// The `select` keys that apply to the metric's series.
    fn select_keys(self) -> &'static [&'static str] {
        use AlertMetric::*;
        match self {
            Utilisation | InBps | OutBps | ErrorsPs | DiscardsPs | OperStatus => {
                &["device", "port", "alias"]
            }
            OpticRxDbm | OpticLossExcessDb => &["device", "port"],
            DeviceUp => &["device"],
            WifiApUp | HotspotClients => &["device", "hotspot"],
        }
    }
}

/// A comparison of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl AlertOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertOp::Gt => ">",
            AlertOp::Ge => ">=",
            AlertOp::Lt => "<",
            AlertOp::Le => "<=",
            AlertOp::Eq => "==",
        }
    }

    /// Whether `value op threshold` holds.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            AlertOp::Gt => value > threshold,
            AlertOp::Ge => value >= threshold,
            AlertOp::Lt => value < threshold,
            AlertOp::Le => value <= threshold,
            AlertOp::Eq => value == threshold,
        }
    }
}

/// A name pattern of `select`: a glob (`*`, `?`, `[a-z]`, `[!0-9]`) over the whole name, or
/// a regex searched in a port's alias.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// As written.
    pub text: String,
    re: regex::Regex,
}

impl Pattern {
    pub fn matches(&self, name: &str) -> bool {
        self.re.is_match(name)
    }

    /// A glob, anchored at both ends.
    pub fn glob(text: &str) -> Result<Pattern, String> {
        let re = regex::Regex::new(&glob_regex(text)?).map_err(|e| e.to_string())?;
        Ok(Pattern {
            text: text.to_string(),
            re,
        })
    }

    /// A regex, found anywhere in the text (anchor it with `^...$` for the whole).
    pub fn regex(text: &str) -> Result<Pattern, String> {
        let re = regex::RegexBuilder::new(text)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Pattern {
            text: text.to_string(),
            re,
        })
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

/// The regex of a glob: `*` any run, `?` one character, `[...]` a class (`[!...]` negated),
/// everything else literal.
fn glob_regex(glob: &str) -> Result<String, String> {
    let mut re = String::from("^(?s:");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '[' => {
                let mut class = String::from("[");
                if chars.peek() == Some(&'!') {
                    chars.next();
                    class.push('^');
                }
                let mut closed = false;
                let mut first = true;
                for d in chars.by_ref() {
                    if d == ']' && !first {
                        closed = true;
                        break;
                    }
                    first = false;
                    if matches!(d, '\\' | '[' | ']' | '&' | '~' | '^') {
                        class.push('\\');
                    }
                    class.push(d);
                }
                if !closed {
                    return Err(format!("unclosed [ in glob {glob:?}"));
                }
                class.push(']');
                re.push_str(&class);
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push_str(")$");
    Ok(re)
}

/// `[alert.select]`, validated: every pattern given must match (none: everything).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSelect {
    pub device: Option<Pattern>,
    pub port: Option<Pattern>,
    pub hotspot: Option<Pattern>,
    /// Searched in the port's ifAlias (a port without one does not match).
    pub alias: Option<Pattern>,
}

/// One `[[alert]]`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    /// Unique; the notifications' `alertname`.
    pub name: String,
    pub metric: AlertMetric,
    pub op: AlertOp,
    pub value: f64,
    /// How long the condition must hold before the alert fires (default 0: at once).
    pub for_: Duration,
    /// How long a firing alert keeps firing after its condition cleared (default 0).
    pub keep_firing_for: Duration,
    pub select: AlertSelect,
    /// `critical`, `warning` (default) or `info`.
    pub severity: String,
    /// Indices into [`super::Config::receivers`].
    pub receivers: Vec<usize>,
}

/// One `[[receiver]]`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiverConfig {
    /// Unique; letters, digits, `-`, `_`, `.` (it names the receiver's outbox file).
    pub name: String,
    /// `http://` or `https://`; kept secret as well: a chat bridge's URL often holds its token.
    pub url: Secret,
    /// The Standard Webhooks signing key: `whsec_<base64>` (decoded), else the text's bytes.
    pub secret: Secret,
    /// Per-attempt HTTP timeout (default 10 s).
    pub timeout: Duration,
}

/// The most rules and receivers a file may hold (a typo'd generator, not a real need).
const MAX_ENTRIES: usize = 10_000;
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// Validates every `[[receiver]]`.
pub(super) fn receivers(
    raw: &[RawReceiver],
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> Vec<ReceiverConfig> {
    if raw.len() > MAX_ENTRIES {
        p.push("receiver", format!("at most {MAX_ENTRIES} receivers"));
    }
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let key = |k: &str| format!("receiver[{i}].{k}");
        let before = p.0.len();
        let name = r.name.clone().unwrap_or_default();
        if name.is_empty() {
            p.push(key("name"), "missing");
        } else if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || name.starts_with('.')
        {
            p.push(
                key("name"),
                format!("{name:?}: use letters, digits, '-', '_' and '.' only"),
            );
        } else if !names.insert(name.clone()) {
            p.push(key("name"), format!("duplicate receiver name {name:?}"));
        }
        let url = match r.url.as_deref() {
            None | Some("") => {
                p.push(key("url"), "missing (e.g. \"https://bridge.example/hook\")");
                String::new()
            }
            Some(u) => expand(u, &key("url"), env, p),
        };
        // Neither the URL nor the secret is ever echoed: either may hold a credential.
        let http = url.starts_with("http://") || url.starts_with("https://");
        if url.is_empty() {
        } else if !http {
            p.push(key("url"), "must start with http:// or https://");
        } else if reqwest_url_is_bad(&url) {
            p.push(key("url"), "is not a valid URL");
        }
        let secret = match r.secret.as_deref() {
            None | Some("") => {
                p.push(
                    key("secret"),
                    "missing (the signing key: \"whsec_<base64>\", e.g. \"${NOC_WEBHOOK_SECRET}\")",
                );
                String::new()
            }
            Some(s) => expand(s, &key("secret"), env, p),
        };
        if !secret.is_empty() {
            if let Err(e) = signing_key(&secret) {
                p.push(key("secret"), e);
            }
        }
        let timeout = duration_or(
            r.timeout.as_deref(),
            &key("timeout"),
            Duration::from_secs(10),
            p,
        );
        if p.0.len() == before {
            out.push(ReceiverConfig {
                name,
                url: Secret::new(url),
                secret: Secret::new(secret),
                timeout,
            });
        }
    }
    out
}

/// Whether `url` fails to parse as a URL with a host.
fn reqwest_url_is_bad(url: &str) -> bool {
    reqwest::Url::parse(url).map_or(true, |u| u.host_str().is_none_or(str::is_empty))
}

/// The key a receiver's `secret` signs with: `whsec_` + base64 is decoded (Standard
/// Webhooks), any other text is its own bytes; at least 16 bytes either way. The message
/// never holds the secret.
pub fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let key = match secret.strip_prefix("whsec_") {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| "whsec_ is followed by text that is not base64".to_string())?,
        None => secret.as_bytes().to_vec(),
    };
    if key.len() < 16 {
        return Err(format!(
            "a signing key needs at least 16 bytes, got {}",
            key.len()
        ));
    }
    Ok(key)
}

/// Validates every `[[alert]]` against the receivers' names (`raw_receivers`: as written, so
/// a receiver with problems of its own is not reported again as unknown).
pub(super) fn alerts(
    raw: &[RawAlert],
    raw_receivers: &[RawReceiver],
    receivers: &[ReceiverConfig],
    p: &mut Problems,
) -> Vec<AlertRule> {
    if raw.len() > MAX_ENTRIES {
        p.push("alert", format!("at most {MAX_ENTRIES} rules"));
    }
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, a) in raw.iter().enumerate() {
        if let Some(name) = a.name.as_deref().filter(|n| !n.trim().is_empty()) {
            if !names.insert(name.to_string()) {
                p.push(
                    format!("alert[{i}].name"),
                    format!("duplicate alert name {name:?}"),
                );
            }
        }
        if let Some(rule) = alert(i, a, raw_receivers, receivers, p) {
            out.push(rule);
        }
    }
    out
}

fn alert(
    i: usize,
    a: &RawAlert,
    raw_receivers: &[RawReceiver],
    receivers: &[ReceiverConfig],
    p: &mut Problems,
) -> Option<AlertRule> {
    let key = |k: &str| format!("alert[{i}].{k}");
    let before = p.0.len();
    let name = a.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        p.push(key("name"), "missing");
    } else if name.chars().any(char::is_control) {
        p.push(key("name"), "must not hold control characters");
    }
    let metric = match a.metric.as_deref() {
        None => {
            p.push(
                key("metric"),
                format!("missing (one of {})", metric_names()),
            );
            None
        }
        Some(m) => AlertMetric::parse(m).or_else(|| {
            p.push(
                key("metric"),
                format!("unknown metric {m:?} (one of {})", metric_names()),
            );
            None
        }),
    };
    let op = match a.op.as_deref() {
        Some(">") => Some(AlertOp::Gt),
        Some(">=") => Some(AlertOp::Ge),
        Some("<") => Some(AlertOp::Lt),
        Some("<=") => Some(AlertOp::Le),
        Some("==") => Some(AlertOp::Eq),
        Some(o) => {
            p.push(key("op"), format!("must be >, >=, <, <= or ==, got {o:?}"));
            None
        }
        None => {
            p.push(key("op"), "missing (>, >=, <, <= or ==)");
            None
        }
    };
    let value = match a.value {
        Some(v) if v.is_finite() => Some(v),
        Some(v) => {
            p.push(key("value"), format!("must be a finite number, got {v}"));
            None
        }
        None => {
            p.push(key("value"), "missing (the threshold)");
            None
        }
    };
    let for_ = zero_or_duration(a.for_.as_deref(), &key("for"), p);
    let keep_firing_for =
        zero_or_duration(a.keep_firing_for.as_deref(), &key("keep_firing_for"), p);
    let select = select(i, a.select.as_ref(), metric, p);
    let severity = match a.severity.as_deref() {
        None => "warning".to_string(),
        Some(s) if SEVERITIES.contains(&s) => s.to_string(),
        Some(s) => {
            p.push(
                key("severity"),
                format!("must be critical, warning or info, got {s:?}"),
            );
            String::new()
        }
    };
    let mut targets = Vec::new();
    for (j, r) in a.receivers.iter().flatten().enumerate() {
        match receivers.iter().position(|x| &x.name == r) {
            Some(k) if targets.contains(&k) => p.push(
                key(&format!("receivers[{j}]")),
                format!("receiver {r:?} is listed twice"),
            ),
            Some(k) => targets.push(k),
            // A receiver with problems of its own was reported under its own key.
            None if raw_receivers.iter().any(|x| x.name.as_deref() == Some(r)) => {}
            None => p.push(
                key(&format!("receivers[{j}]")),
                format!("unknown receiver {r:?}"),
            ),
        }
    }
    if p.0.len() > before {
        return None;
    }
    Some(AlertRule {
        name,
        metric: metric?,
        op: op?,
        value: value?,
        for_,
        keep_firing_for,
        select,
        severity,
        receivers: targets,
    })
}

fn metric_names() -> String {
    ALERT_METRICS
        .iter()
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A duration that may be zero (`"0s"`): `for` and `keep_firing_for`.
fn zero_or_duration(text: Option<&str>, key: &str, p: &mut Problems) -> Duration {
    match text {
        None => Duration::ZERO,
        Some(t) => match humantime::parse_duration(t) {
            Ok(d) if d <= Duration::from_secs(366 * 86_400) => d,
            Ok(_) => {
                p.push(key, "must be at most a year");
                Duration::ZERO
            }
            Err(e) => {
                p.push(
                    key,
                    format!("invalid duration {t:?} ({e}); write e.g. \"0s\", \"5m\""),
                );
                Duration::ZERO
            }
        },
    }
}

/// `[alert.select]`: each pattern compiled; a key that does not apply to the metric's series
/// is a problem (it would silently select nothing, or everything).
fn select(
    i: usize,
    raw: Option<&RawSelect>,
    metric: Option<AlertMetric>,
    p: &mut Problems,
) -> AlertSelect {
    let Some(s) = raw else {
        return AlertSelect::default();
    };
    let mut one = |name: &str, text: &Option<String>, regex: bool| -> Option<Pattern> {
        let text = text.as_deref()?;
        let key = format!("alert[{i}].select.{name}");
        if let Some(m) = metric {
            if !m.select_keys().contains(&name) {
                p.push(
                    &key,
                    format!(
                        "does not apply to metric {} (it selects by {})",
                        m.as_str(),
                        m.select_keys().join(", ")
                    ),
                );
                return None;
            }
        }
        let compiled = if regex {
            Pattern::regex(text)
        } else {
            Pattern::glob(text)
        };
        match compiled {
            Ok(pat) => Some(pat),
            Err(e) => {
                let what = if regex { "regex" } else { "glob" };
                // The regex crate's message spans lines (the pattern, a caret): one line here.
                let e = e.lines().last().unwrap_or("").trim().to_string();
                p.push(&key, format!("invalid {what} {text:?}: {e}"));
                None
            }
        }
    };
    AlertSelect {
        device: one("device", &s.device, false),
        port: one("port", &s.port, false),
        hotspot: one("hotspot", &s.hotspot, false),
        alias: one("alias", &s.alias, true),
    }
}

#[cfg(test)]
mod tests;
