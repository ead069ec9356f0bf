//! The irisops configuration: one TOML file, read into raw serde structs, then validated into a
//! [`Config`] plan. Validation reports *every* problem at once, each naming its key
//! (`device[3].schedule: ...`), so `irisops check-config` can print them all.
//!
//! Secrets may be written as `${ENV_NAME}` and are resolved at load; they live in
//! [`Secret`](crate::secret::Secret) and are never printed.
//!
//! Layout:
//! - `raw`: the serde structs, `deny_unknown_fields`.
//! - `validate`: raw → plan, collecting problems.
//! - `schedule`: cron with the classic 5-field form accepted.

mod raw;
mod schedule;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use schedule::Schedule;

// The credentials are the transport's types (`snmp` imports nothing from `config`); they stay
// nameable here because the configuration is where they are built.
pub use crate::snmp::auth::{Auth, AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion, V3Auth};

/// One problem in a configuration, naming its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key, e.g. `device[3].schedule` or `auth.backbone.priv_password`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

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

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub collector: CollectorConfig,
    pub devices: Vec<DeviceConfig>,
    /// The named credentials, shared by the devices that reference them.
    pub auth: BTreeMap<String, Arc<Auth>>,
    /// `[cadastre] data`: the cadastre's data directory, when the server should serve one.
    pub cadastre_data: Option<PathBuf>,
    /// `[influx]`: the InfluxDB v2 sink, when configured.
    pub influx: Option<InfluxConfig>,
}

/// `[influx]`: where and how the InfluxDB sink writes (v2 `/api/v2/write`).
#[derive(Debug, Clone)]
pub struct InfluxConfig {
    /// `http://host:port` or `https://...`, no path.
    pub url: String,
    pub org: String,
    pub bucket: String,
    pub token: crate::secret::Secret,
    /// Points per batch (one outbox row, one HTTP write). Default 5,000.
    pub batch_points: usize,
    /// A partial batch is flushed after this long. Default 1 s.
    pub flush_interval: Duration,
    /// Per-write HTTP timeout. Default 10 s.
    pub timeout: Duration,
    /// The outbox's bound: when full, the oldest batches are dropped (and counted). Default
    /// 1,024 MB.
    pub outbox_max_bytes: u64,
}

/// `[store]`: the embedded store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// How long samples at the poll interval are kept (default 14 days).
    pub retention: Duration,
    /// How long 5-minute rollups are kept (default 400 days).
    pub rollup_retention: Duration,
}

/// `[collector]`: process-wide collector settings.
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// How many devices are polled at the same time at most (default 256).
    pub concurrency: usize,
}

/// One `[[device]]`, validated.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    pub name: String,
    /// As written (`host:port`), for display.
    pub address: String,
    /// Resolved at load.
    pub addr: SocketAddr,
    pub auth_name: String,
    pub auth: Arc<Auth>,
    pub profiles: Vec<String>,
    pub schedule: Schedule,
    /// Per-request timeout (default 5 s).
    pub timeout: Duration,
    /// Retries per request after a timeout (default 1).
    pub retries: u32,
    /// GETBULK max-repetitions to start from (default 25); halved on timeouts.
    pub max_repetitions: u32,
    /// Requests of one walk in flight together (default 32); halved when requests of a
    /// burst go unanswered, 1 sends them one at a time.
    pub max_in_flight: u32,
    /// The most one poll of this device may take (default 50 s).
    pub budget: Duration,
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

    /// Parses and validates configuration text. `env` resolves `${NAME}` references.
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let raw: raw::RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            problems: vec![toml_problem(&e)],
        })?;
        validate::validate(raw, env).map_err(|problems| ConfigError::Invalid { problems })
    }
}

fn toml_problem(e: &toml::de::Error) -> Problem {
    // The toml error names the line; the message is enough for a person. No secret can be in
    // it: serde errors quote keys and types, not string values.
    let key = match e.span() {
        Some(span) => format!("toml (bytes {}..{})", span.start, span.end),
        None => "toml".to_string(),
    };
    Problem {
        key,
        message: e.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests;
