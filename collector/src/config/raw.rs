//! The configuration as written: serde structs (a key none of them takes is reported by
//! `unknown.rs`, all of them at once). Everything optional
//! that has a default is an `Option` here; defaults are applied in `validate`.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct RawConfig {
    pub store: Option<RawStore>,
    pub collector: Option<RawCollector>,
    #[serde(default)]
    pub auth: BTreeMap<String, RawAuth>,
    #[serde(default)]
    pub device: Vec<RawDevice>,
    pub cadastre: Option<RawCadastre>,
    pub influx: Option<RawInflux>,
    pub api: Option<super::api::RawApi>,
    #[serde(default)]
    pub report: Vec<super::report::RawReport>,
    pub wifi: Option<super::wifi::RawWifi>,
    pub web: Option<super::web::RawWeb>,
    #[serde(default)]
    pub alert: Vec<super::alerts::RawAlert>,
    #[serde(default)]
    pub receiver: Vec<super::alerts::RawReceiver>,
}

/// `[influx]`: the InfluxDB v2 sink.
#[derive(Debug, Deserialize)]
pub(super) struct RawInflux {
    pub url: Option<String>,
    pub org: Option<String>,
    pub bucket: Option<String>,
    pub token: Option<String>,
    pub batch_points: Option<i64>,
    pub flush_interval: Option<String>,
    pub timeout: Option<String>,
    pub outbox_max_mb: Option<i64>,
}

/// `[cadastre]`: read by the api (the cadastre crate owns the data); validated here so one
/// file reports every problem.
#[derive(Debug, Deserialize)]
pub(super) struct RawCadastre {
    pub data: Option<String>,
    pub max_file_mb: Option<i64>,
    pub max_features: Option<i64>,
    pub max_vertices: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawStore {
    pub path: Option<String>,
    pub retention: Option<String>,
    pub rollup_retention: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawCollector {
    pub concurrency: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawAuth {
    pub version: Option<String>,
    pub community: Option<String>,
    pub user: Option<String>,
    pub level: Option<String>,
    pub auth_protocol: Option<String>,
    pub auth_password: Option<String>,
    pub priv_protocol: Option<String>,
    pub priv_password: Option<String>,
    pub context: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawDevice {
    pub name: Option<String>,
    pub address: Option<String>,
    pub auth: Option<String>,
    pub profile: Option<String>,
    pub profiles: Option<Vec<String>>,
    pub schedule: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<i64>,
    pub max_repetitions: Option<i64>,
    pub max_in_flight: Option<i64>,
    pub budget: Option<String>,
}
