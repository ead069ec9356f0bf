//! The api of irisops: the composition root. It owns the CLI subcommands and the HTTP surface
//! (axum); it depends on every other crate and nothing depends on it.
//!
//! Layout:
//! - [`cli`]: the `irisops` subcommands (clap) and their dispatch.
//! - [`poll_cmd`]: `irisops poll`: two polls, rates, JSON or a table.

pub mod cli;
pub mod poll_cmd;
