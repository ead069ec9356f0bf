//! `[api]` and its `[[api.token]]` entries: where the HTTP server listens, who may call it with
//! which role, and its limits. Validated here, with the rest of the file, so one run of
//! `check-config` reports every problem; the api crate turns roles into permissions.
//!
//! A token is never written in the configuration: only the hex SHA-256 of it
//! (`irisops token new` prints both, once).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::problems::{duration_or, Problems};

/// `[api]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawApi {
    pub listen: Option<String>,
    #[serde(default)]
    pub token: Vec<RawToken>,
    pub header_timeout: Option<String>,
    pub request_timeout: Option<String>,
    pub max_body_mb: Option<i64>,
    pub max_concurrent: Option<i64>,
    pub rate_per_second: Option<i64>,
    pub operator_rate_per_second: Option<i64>,
}

/// One `[[api.token]]` as written.
#[derive(Debug, Deserialize)]
pub(super) struct RawToken {
    pub name: Option<String>,
    pub role: Option<String>,
    pub sha256: Option<String>,
}

/// What a token may do, as the README's permission table says. The api maps each role to its
/// permissions; the names are the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiRole {
    Viewer,
    Engineer,
    Planner,
    Commercial,
    /// An outside telecom operator: the published capacity offer only.
    Operator,
    Admin,
}

/// Every role, in the README's order.
pub const API_ROLES: [ApiRole; 6] = [
    ApiRole::Viewer,
    ApiRole::Engineer,
    ApiRole::Planner,
    ApiRole::Commercial,
    ApiRole::Operator,
    ApiRole::Admin,
];

impl ApiRole {
    /// The role's name in the configuration and in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiRole::Viewer => "viewer",
            ApiRole::Engineer => "engineer",
            ApiRole::Planner => "planner",
            ApiRole::Commercial => "commercial",
            ApiRole::Operator => "operator",
            ApiRole::Admin => "admin",
        }
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<ApiRole> {
        API_ROLES.into_iter().find(|r| r.as_str() == name)
    }
}

/// One API token: its name (the author of the edits made with it), its role and the SHA-256
/// of the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub name: String,
    pub role: ApiRole,
    pub sha256: [u8; 32],
}

impl std::fmt::Debug for ApiToken {
    // The hash is not the token, but it has no business in logs either.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `[api]`, validated, every value with its default.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Where to listen (default 127.0.0.1:8080; `--listen` overrides).
    pub listen: SocketAddr,
    pub tokens: Vec<ApiToken>,
    /// The most a client may take to send a request's headers (default 10 s).
    pub header_timeout: Duration,
    /// The most a request may take, body and answer included (default 60 s).
    pub request_timeout: Duration,
    /// The largest request body accepted, bytes (default 64 MB: a cadastre import).
    pub max_body_bytes: usize,
    /// Requests served at once; beyond, 503 (default 512).
    pub max_concurrent: usize,
    /// Requests per second a token may make, sustained (twice that in a burst); default 2,000.
    pub rate_per_second: u32,
    /// The same for `operator` tokens, outside parties (default 20).
    pub operator_rate_per_second: u32,
}

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Vec::new(),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 64 << 20,
            max_concurrent: 512,
            rate_per_second: 2_000,
            operator_rate_per_second: 20,
        }
    }
}

/// Validates `[api]` (absent: every default, no token).
pub(super) fn api(raw: Option<&RawApi>, p: &mut Problems) -> ApiConfig {
    let d = ApiConfig::default();
    let Some(raw) = raw else { return d };
    let listen = match raw.listen.as_deref() {
        None => d.listen,
        Some(text) => text.parse().unwrap_or_else(|_| {
            p.push("api.listen", format!("not an address:port: {text:?}"));
            d.listen
        }),
    };
    ApiConfig {
        listen,
        tokens: tokens(&raw.token, p),
        header_timeout: duration_or(
            raw.header_timeout.as_deref(),
            "api.header_timeout",
            d.header_timeout,
            p,
        ),
        request_timeout: duration_or(
            raw.request_timeout.as_deref(),
            "api.request_timeout",
            d.request_timeout,
            p,
        ),
        max_body_bytes: bounded(raw.max_body_mb, "api.max_body_mb", 1..=4096, 64, p) << 20,
        max_concurrent: bounded(
            raw.max_concurrent,
            "api.max_concurrent",
            1..=100_000,
            512,
            p,
        ),
        rate_per_second: bounded(
            raw.rate_per_second,
            "api.rate_per_second",
            1..=1_000_000,
            2_000,
            p,
        ) as u32,
        operator_rate_per_second: bounded(
            raw.operator_rate_per_second,
            "api.operator_rate_per_second",
            1..=1_000_000,
            20,
            p,
        ) as u32,
    }
}

fn bounded(
    v: Option<i64>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    default: usize,
    p: &mut Problems,
) -> usize {
    match v {
        None => default,
        Some(n) if range.contains(&n) => n as usize,
        Some(n) => {
            p.push(
                key,
                format!("must be {}..={}, got {n}", range.start(), range.end()),
            );
            default
        }
    }
}

fn tokens(raw: &[RawToken], p: &mut Problems) -> Vec<ApiToken> {
    let mut out = Vec::new();
    let (mut names, mut hashes) = (BTreeSet::new(), BTreeSet::new());
    for (i, t) in raw.iter().enumerate() {
        let key = |field: &str| format!("api.token[{i}].{field}");
        let name = match t.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => {
                p.push(key("name"), "missing (who the token belongs to)");
                continue;
            }
        };
        if !names.insert(name.clone()) {
            p.push(key("name"), format!("duplicate token name {name:?}"));
        }
        let role = match t.role.as_deref() {
            Some(r) => ApiRole::parse(r).or_else(|| {
                let all: Vec<&str> = API_ROLES.iter().map(|r| r.as_str()).collect();
                p.push(
                    key("role"),
                    format!("unknown role {r:?}: one of {}", all.join(", ")),
                );
                None
            }),
            None => {
                p.push(key("role"), "missing");
                None
            }
        };
        let sha256 = match t.sha256.as_deref().map(parse_sha256) {
            Some(Some(h)) => Some(h),
            // Never echo the value: a token pasted here by mistake must not reach a log.
            Some(None) => {
                p.push(
                    key("sha256"),
                    "must be 64 hex digits: the SHA-256 of the token, not the token (irisops token new prints it)",
                );
                None
            }
            None => {
                p.push(key("sha256"), "missing");
                None
            }
        };
        if let (Some(role), Some(sha256)) = (role, sha256) {
            if !hashes.insert(sha256) {
                p.push(key("sha256"), "the same token as an earlier entry");
            }
            out.push(ApiToken { name, role, sha256 });
        }
    }
    out
}

/// 64 hex digits → 32 bytes.
pub fn parse_sha256(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
