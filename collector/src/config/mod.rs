//! The irisops configuration: one TOML file, read into raw serde structs, then validated into a
//! [`Config`] plan. Validation reports *every* problem at once, each naming its key
//! (`device[3].schedule: ...`), so `irisops check-config` can print them all.
//!
//! Secrets may be written as `${ENV_NAME}` and are resolved at load; they live in
//! [`Secret`](crate::secret::Secret) and are never printed.
//!
//! Layout:
//! - `raw`: the serde structs; `unknown`: the keys none of them takes, every one named.
//! - `api`: `[api]` and its tokens (raw, validated and checked in one file).
//! - `plan`: the validated configuration, [`Config`] and its sections.
//! - `validate`: raw → plan, collecting [`Problem`]s.
//! - `schedule`: cron with the classic 5-field form accepted.
//! - `problems`: [`Problem`] and the readers every section's validation shares.
//! - `report`: `[[report]]`, the report files written on a schedule (raw, validated, checked).
//! - `wifi`: `[wifi]`, the hotspots' usage review and daily rollup (raw, validated, checked).
//! - `alerts`: `[[alert]]` rules and `[[receiver]]` webhooks (raw, validated, checked).
//!
//! Imports run one way: this file → `validate` → `plan`, `raw`, `schedule`, `api`, `report`,
//! `wifi`, `alerts` and [`snmp::auth`](crate::snmp::auth); every section → `problems`; none of
//! them imports this file, and `problems` imports none of them.

mod alerts;
mod api;
mod plan;
mod problems;
mod raw;
mod report;
mod schedule;
mod unknown;
mod validate;
mod web;
mod wifi;

use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};

pub use alerts::{
    signing_key, AlertMetric, AlertOp, AlertRule, AlertSelect, Pattern, ReceiverConfig,
    ALERT_METRICS,
};
pub use api::{parse_sha256, ApiConfig, ApiRole, ApiToken, API_ROLES, DEFAULT_LISTEN};
pub use plan::{CadastreLimits, CollectorConfig, Config, DeviceConfig, InfluxConfig, StoreConfig};
pub use problems::Problem;
pub use report::{ReportConfig, ReportKind};
pub use schedule::Schedule;
pub use validate::Lookup;
pub use web::WebConfig;
pub use wifi::WifiConfig;

// The credentials are the transport's types (`snmp` imports nothing from `config`); they stay
// nameable here because the configuration is where they are built.
pub use crate::snmp::auth::{Auth, AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion, V3Auth};

/// Why a configuration could not be loaded: every problem found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} problem(s) in the configuration", problems.len())]
    Invalid { problems: Vec<Problem> },
}

impl ConfigError {
    /// Every problem, for printing one per line.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ConfigError::Read { path, source } => vec![Problem {
                key: path.display().to_string(),
                message: source.to_string(),
            }],
            ConfigError::Invalid { problems } => problems.clone(),
        }
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, &|name| std::env::var(name).ok())
    }

    /// Parses and validates configuration text. `env` resolves `${NAME}` references; a
    /// device's host name is looked up with the system resolver.
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Config::parse_with(text, env, &|address| {
            address.to_socket_addrs().map(Iterator::collect)
        })
    }

    /// [`Config::parse`] with the look-up of a device's `host:port` that is not an address
    /// literal given: the fuzz target's never touches the network (a fuzzed host name would
    /// otherwise be a DNS query per input).
    pub fn parse_with(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
        lookup: &Lookup<'_>,
    ) -> Result<Config, ConfigError> {
        let (raw, unknown) = unknown::parse(text).map_err(|e| ConfigError::Invalid {
            problems: vec![toml_problem(text, &e)],
        })?;
        match validate::validate(raw, env, lookup) {
            Ok(config) if unknown.is_empty() => Ok(config),
            Ok(_) => Err(ConfigError::Invalid { problems: unknown }),
            Err(problems) => Err(ConfigError::Invalid {
                problems: unknown.into_iter().chain(problems).collect(),
            }),
        }
    }
}

fn toml_problem(text: &str, e: &toml::de::Error) -> Problem {
    // The toml error names the line; the message is enough for a person. No secret can be in
    // it: serde errors quote keys and types, not string values.
    let key = match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("toml line {line}, column {column}")
        }
        None => "toml".to_string(),
    };
    Problem {
        key,
        message: e.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests;
