//! The remote sinks the pipeline feeds through its taps, each on its own tasks with its own
//! retry policy, so a failing sink never blocks polling or the embedded store.
//!
//! Layout:
//! - [`outbox`]: the durable queue of a remote sink, in SQLite (acknowledged batch by batch).
//! - [`influx`]: the InfluxDB v2 sink: line protocol, the outbox, the sender.
//! - [`webhook`]: the alerts' webhooks: an outbox and a signing sender per receiver.

pub mod influx;
pub mod outbox;
pub mod webhook;
