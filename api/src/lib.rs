//! The api of irisops: the composition root. It owns the HTTP surface (axum) and the CLI
//! subcommands; it depends on every other crate and nothing depends on it.
