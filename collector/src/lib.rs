//! The collector of irisops: polls devices over SNMP (v1/v2c/v3), turns counters into rates an
//! engineer can trust, and keeps them in the embedded store. It knows no HTTP and no GeoJSON.
//!
//! Layout:
//! - [`alerts`]: `[[alert]]` rules on every poll, their state, their webhooks' payloads.
//! - [`config`]: the TOML configuration, validated into a plan (every problem names its key);
//!   it builds the transport's credentials ([`snmp::auth`]) and imports `snmp`, never the reverse.
//! - [`secret`]: a redacting wrapper for communities, passwords and tokens.
//! - [`snmp`]: our own UDP transport with snmp2 as the codec; GETBULK table walks; the
//!   credentials it speaks with ([`snmp::Auth`]). It imports nothing from `config`.
//! - [`poll`]: one poll of one device: system group, ifXTable and ifTable into owned samples.
//! - [`profiles`]: LLDP, optics and wifi tables as versioned data (`collector/profiles/`).
//! - [`ports`]: stable port identity (ifName, disambiguated) across ifIndex renumbering.
//! - [`rates`]: the counter laws: wraps, reboots, discontinuities, over-speed gaps.
//! - [`sample`]: the owned values that flow from pollers to sinks.
//! - [`store`]: the embedded SQLite store: samples, 5-minute rollups, retention, reads, p95.
//! - [`pipeline`]: per-device tasks on cron schedules feeding the sinks.
//! - [`sinks`]: the remote sinks: the durable outbox and the InfluxDB v2 sink.
//! - [`metrics`]: counters the api renders as Prometheus text.
//! - [`shard`]: rendezvous hashing of devices onto `serve --shard K/N` collectors.

pub mod alerts;
pub mod config;
pub mod metrics;
pub mod pinned;
pub mod pipeline;
pub mod poll;
pub mod ports;
pub mod profiles;
pub mod rates;
pub mod sample;
pub mod secret;
pub mod shard;
pub mod sinks;
pub mod snmp;
pub mod store;
