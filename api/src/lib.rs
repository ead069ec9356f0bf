//! The api of irisops: the composition root. It owns the CLI commands and the HTTP surface
//! (axum), and wires the libraries together; it depends on every other crate and nothing
//! depends on it. Nothing of substance lives here that a library could hold.
//!
//! Layout:
//! - [`cli`]: the `irisops` command line: `mod.rs` holds the clap `Cli` and the dispatch, then
//!   one file per command with its arguments beside its `run` (`check_config`, `poll`,
//!   `serve`, `demo`, `simulate`), and one file per subcommand under `cadastre/` and
//!   `topology/`. `anyhow` lives here, in `main.rs` and in [`bench`].
//! - [`http`]: the axum router: `AppState`, `api_router()` merging one router per area
//!   (`monitoring`, `wifi`, `cadastre`, `web`), and `ApiError` (`error.rs`, `thiserror`).
//! - [`questions`]: the questions that need the store as well as the cadastre (spare with lit
//!   headroom, links, drift): inputs → a typed answer, called by the CLI and the HTTP
//!   handlers alike (one code path for `--json` and the API's JSON).
//! - [`reports`]: `[[report]]`, the spare and links report files `serve` writes on a
//!   schedule, atomically.
//! - [`wifi_rollup`]: the task `serve` runs to roll the store's wifi usage up, day by day,
//!   with the served cadastre's hotspots.
//! - [`bench`]: `irisops bench poll|fleet|wifi|influx`: CPU, memory and timeliness, one module
//!   per benchmark.
//!
//! JSON (HTTP answers and `--json` outputs) is built by typed `Serialize` structs; the ones
//! both print (the cadastre's statistics) are one struct, in the HTTP area module.

pub mod bench;
pub mod cli;
pub mod http;
pub mod questions;
pub mod reports;
pub mod wifi_rollup;
