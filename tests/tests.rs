//! Integration tests of irisops: real agents (net-snmp `snmpd`, snmpsim) and the simulator,
//! started on free 127.0.0.1 ports by the fixtures in `util`. A missing binary fails the test
//! with what to install; nothing passes silently. `tests/run` installs them all.

mod util;

mod alerts;
mod api_auth;
mod api_cadastre;
mod api_limits;
mod api_openapi;
mod api_secrets;
mod api_topology;
mod cadastre_history;
mod demo_backbone;
mod grafana;
mod influx;
mod logs;
mod lossy;
mod recordings;
mod shards;
mod simulator;
mod snmpd;
mod snmpv3;
mod tidy;
mod topology_cli;
mod topology_live;
mod web;
mod wifi;
