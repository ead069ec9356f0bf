//! The api of irisops: the composition root. It owns the CLI subcommands and the HTTP surface
//! (axum); it depends on every other crate and nothing depends on it.
//!
//! Layout:
//! - [`bench`]: `irisops bench poll` and `irisops bench fleet`: CPU, memory and timeliness.
//! - [`cli`]: the `irisops` subcommands (clap) and their dispatch.
//! - [`cadastre_cmd`]: `irisops cadastre ...` (validate, import, export, stats, generate-demo).
//! - [`poll_cmd`]: `irisops poll`: two polls, rates, JSON or a table.
//! - [`serve`]: `irisops serve` and `irisops demo`.
//! - [`server`]: the axum router (health, metrics, read API, web page).
//! - [`error`]: `ApiError`, domain errors as HTTP answers.
//! - [`topology_cmd`]: `irisops topology`: diverse paths and single points of failure.

pub mod bench;
pub mod cadastre_cmd;
pub mod cli;
pub mod error;
pub mod poll_cmd;
pub mod serve;
pub mod server;
pub mod topology_cmd;
