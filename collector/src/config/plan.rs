//! The validated configuration: the plan that `validate` builds from the raw TOML and the rest
//! of the collector (and the api) reads. Every value is checked and has its default.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::schedule::Schedule;
use crate::secret::Secret;
use crate::snmp::auth::Auth;

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
    /// `[cadastre] max_file_mb`, `max_features`, `max_vertices`: the limits of an import
    /// through the API (`None`: the cadastre crate's default).
    pub cadastre_limits: CadastreLimits,
    /// `[influx]`: the InfluxDB v2 sink, when configured.
    pub influx: Option<InfluxConfig>,
    /// `[api]`: the HTTP server's address, tokens and limits (defaults when absent).
    pub api: super::api::ApiConfig,
    /// `[[report]]`: report files written on a schedule.
    pub reports: Vec<super::report::ReportConfig>,
    /// `[wifi]`: the hotspots' usage review and daily rollup (defaults when absent).
    pub wifi: super::wifi::WifiConfig,
    /// `[web]`: the web app's map background and tiles (none when absent).
    pub web: super::web::WebConfig,
    /// `[[alert]]`: threshold rules evaluated on every poll.
    pub alerts: Vec<super::alerts::AlertRule>,
    /// `[[receiver]]`: the webhooks the alerts notify.
    pub receivers: Vec<super::alerts::ReceiverConfig>,
}

/// The limits of a cadastre import (`[cadastre]`); each `None` takes the cadastre crate's
/// default (`cadastre::limits`), which the collector does not know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CadastreLimits {
    pub max_file_mb: Option<u64>,
    pub max_features: Option<u64>,
    pub max_vertices: Option<u64>,
}

/// `[influx]`: where and how the InfluxDB sink writes (v2 `/api/v2/write`).
#[derive(Debug, Clone)]
pub struct InfluxConfig {
    /// `http://host:port` or `https://...`, no path.
    pub url: String,
    pub org: String,
    pub bucket: String,
    pub token: Secret,
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
