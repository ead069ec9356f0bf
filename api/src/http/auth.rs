//! Who is calling, and may they: the bearer token of a request → a [`Caller`] (401 without a
//! valid one), the permission table (role → what it may do, the README's table as data) and
//! a per-token rate limit (429).
//!
//! Tokens are known only by their SHA-256 (`[[api.token]] sha256`); a presented token is
//! hashed and compared with every known hash in constant time, so neither the comparison nor
//! the position of a match leaks anything. The token itself is never logged or answered.

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use collector::config::{ApiConfig, ApiRole, ApiToken};

use super::{ApiError, AppState};

/// What a route needs, one per row of the README's permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Devices, ports, series, p95, links, LLDP, optics, wifi, drift, alerts.
    MonitoringRead,
    /// Layers, stats, history, versions, export.
    CadastreRead,
    /// Changes, undo, import.
    CadastreWrite,
    /// Paths, SPOF, cuts, dig-once.
    TopologyRead,
    /// Spare capacity, quotes, reports (an operator gets the offer's form).
    Commercial,
    /// `/metrics`.
    Metrics,
    /// The wifi hotspots' usage, verdicts and relocation plan.
    WifiRead,
    /// Who the caller is and the web app's map settings (`/api/v1/me`, `/api/v1/web/*`):
    /// every role.
    Session,
    /// Acknowledging alerts (`POST /api/v1/alerts/{id}/ack`): engineers and admins.
    AlertsAck,
}

/// Every permission, in the README's order.
pub const PERMISSIONS: [Permission; 9] = [
    Permission::MonitoringRead,
    Permission::CadastreRead,
    Permission::CadastreWrite,
    Permission::TopologyRead,
    Permission::Commercial,
    Permission::Metrics,
    Permission::WifiRead,
    Permission::Session,
    Permission::AlertsAck,
];

impl Permission {
    /// The permission's name (in OpenAPI security scopes and messages).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::MonitoringRead => "monitoring:read",
            Permission::CadastreRead => "cadastre:read",
            Permission::CadastreWrite => "cadastre:write",
            Permission::TopologyRead => "topology:read",
            Permission::Commercial => "commercial",
            Permission::Metrics => "metrics",
            Permission::WifiRead => "wifi:read",
            Permission::Session => "session",
            Permission::AlertsAck => "alerts:ack",
        }
    }
}

/// How much of a permission a role has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything the route answers.
    Full,
    /// The published capacity offer only: routes and sites with their dark strands and km,
    /// quotes; no allocations, parties, devices, addresses or lit headroom.
    Offer,
    Denied,
}

/// The permission table: what `role` may do with `permission`.
pub fn access(role: ApiRole, permission: Permission) -> Access {
    use Permission::*;
    match (role, permission) {
        (ApiRole::Admin, _) | (_, Session) => Access::Full,
        (ApiRole::Operator, Commercial) => Access::Offer,
        (ApiRole::Operator, _) => Access::Denied,
        (ApiRole::Planner, CadastreWrite) => Access::Full,
        (_, CadastreWrite) => Access::Denied,
        (ApiRole::Engineer, AlertsAck) => Access::Full,
        (_, AlertsAck) => Access::Denied,
        (
            ApiRole::Viewer | ApiRole::Engineer | ApiRole::Planner | ApiRole::Commercial,
            MonitoringRead | CadastreRead | TopologyRead | Commercial | Metrics | WifiRead,
        ) => Access::Full,
    }
}

/// The tokens the server knows and their rate budgets.
#[derive(Debug)]
pub struct Auth {
    tokens: Vec<ApiToken>,
    rate: u32,
    operator_rate: u32,
    /// One bucket per token, in the order of `tokens`: a request locks its own token's only.
    buckets: Vec<Mutex<Bucket>>,
}

/// A token bucket: `level` requests available now, refilled at the token's rate, up to twice it.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at: Instant,
}

impl Auth {
    /// The tokens and limits of `[api]`.
    pub fn new(cfg: &ApiConfig) -> Auth {
        let now = Instant::now();
        let full = |t: &ApiToken| Bucket {
            level: 2.0 * f64::from(rate_of(cfg, t.role)),
            at: now,
        };
        Auth {
            tokens: cfg.tokens.clone(),
            rate: cfg.rate_per_second,
            operator_rate: cfg.operator_rate_per_second,
            buckets: cfg.tokens.iter().map(|t| Mutex::new(full(t))).collect(),
        }
    }

    /// Whether any token is configured.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The entry (and its position) whose hash is the hash of `token`, compared with every entry
    /// in constant time.
    fn find(&self, token: &str) -> Option<(usize, &ApiToken)> {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for (i, t) in self.tokens.iter().enumerate() {
            if bool::from(t.sha256.ct_eq(&hash)) {
                found = Some((i, t));
            }
        }
        found
    }

    /// Takes one request from the bucket of the token at `i`; false when it is empty.
    fn admit(&self, i: usize) -> bool {
        let (Some(t), Some(bucket)) = (self.tokens.get(i), self.buckets.get(i)) else {
            return false;
        };
        let rate = f64::from(if t.role == ApiRole::Operator {
            self.operator_rate
        } else {
            self.rate
        });
        let now = Instant::now();
        let mut b = bucket.lock().unwrap_or_else(|e| e.into_inner());
        let refill = now.duration_since(b.at).as_secs_f64() * rate;
        b.level = (b.level + refill).min(2.0 * rate);
        b.at = now;
        if b.level >= 1.0 {
            b.level -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The caller of a request: its token's name (the author of its edits) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: ApiRole,
}

impl Caller {
    /// How much of `permission` the caller has; 403 when none.
    pub fn require(&self, permission: Permission) -> Result<Access, ApiError> {
        match access(self.role, permission) {
            Access::Denied => Err(ApiError::Forbidden(format!(
                "the role {} may not use this route ({})",
                self.role.as_str(),
                permission.as_str()
            ))),
            a => Ok(a),
        }
    }
}

/// The sustained rate of a token of `role`.
fn rate_of(cfg: &ApiConfig, role: ApiRole) -> u32 {
    if role == ApiRole::Operator {
        cfg.operator_rate_per_second
    } else {
        cfg.rate_per_second
    }
}

/// The bearer token of a request, when it has one.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError::Unauthorized(
                "a bearer token is needed: Authorization: Bearer <token>".into(),
            ));
        };
        let Some((i, t)) = s.auth.find(token) else {
            return Err(ApiError::Unauthorized("unknown token".into()));
        };
        if !s.auth.admit(i) {
            return Err(ApiError::TooManyRequests(format!(
                "token {:?} is over its rate limit",
                t.name
            )));
        }
        Ok(Caller {
            name: t.name.clone(),
            role: t.role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collector::config::API_ROLES;

    /// The README's table, row by row: r = full, o = offer, - = denied, in the order viewer,
    /// engineer, planner, commercial, operator, admin.
    const TABLE: [(Permission, &str); 9] = [
        (Permission::MonitoringRead, "rrrr-r"),
        (Permission::CadastreRead, "rrrr-r"),
        (Permission::CadastreWrite, "--r--r"),
        (Permission::TopologyRead, "rrrr-r"),
        (Permission::Commercial, "rrrror"),
        (Permission::Metrics, "rrrr-r"),
        (Permission::WifiRead, "rrrr-r"),
        (Permission::Session, "rrrrrr"),
        (Permission::AlertsAck, "-r---r"),
    ];

    #[test]
    fn the_table_is_the_readme_s() {
        for (perm, row) in TABLE {
            for (role, want) in API_ROLES.iter().zip(row.chars()) {
                let want = match want {
                    'r' => Access::Full,
                    'o' => Access::Offer,
                    _ => Access::Denied,
                };
                assert_eq!(access(*role, perm), want, "{role:?} {perm:?}");
            }
        }
        assert_eq!(TABLE.len(), PERMISSIONS.len());
    }

    fn auth(rate: u32) -> Auth {
        let cfg = ApiConfig {
            tokens: vec![ApiToken {
                name: "noc".into(),
                role: ApiRole::Engineer,
                sha256: Sha256::digest(b"s3cret-token").into(),
            }],
            rate_per_second: rate,
            ..ApiConfig::default()
        };
        Auth::new(&cfg)
    }

    #[test]
    fn a_token_is_found_by_its_hash_only() {
        let a = auth(10);
        assert_eq!(
            a.find("s3cret-token").map(|(i, t)| (i, t.name.as_str())),
            Some((0, "noc"))
        );
        assert!(a.find("s3cret-tokeN").is_none());
        assert!(a.find("").is_none());
        let hex: String = Sha256::digest(b"s3cret-token")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(a.find(&hex).is_none(), "the hash is not a token");
    }

    #[test]
    fn the_rate_limit_allows_a_burst_of_twice_the_rate_then_refuses() {
        let a = auth(5);
        let admitted = (0..30).filter(|_| a.admit(0)).count();
        assert_eq!(admitted, 10);
    }
}
