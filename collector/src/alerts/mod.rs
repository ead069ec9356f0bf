//! Alerts: the `[[alert]]` rules evaluated in the pipeline on every poll's results (no
//! re-query of the store), per series, with `for` and `keep_firing_for`; their state and
//! history kept in the store; their notifications handed to the webhooks' outboxes.
//!
//! Layout:
//! - [`state`]: one series' state machine (inactive → pending → firing → resolved), pure.
//! - [`series`]: the series of a poll per metric, and their values (a gap is `None`);
//!   [`loss`] the circuits' measured − expected loss, from both ends' levels.
//! - [`engine`]: the rules over the pipeline's events → [`engine::Change`]s; `tracked` the
//!   series of a device that are pending or firing.
//! - [`payload`]: changes → Alertmanager's webhook JSON (version 4).
//! - [`run`]: the tasks `serve` starts: the pipeline's tap → engine → `notify` (the outboxes,
//!   then the store).

pub mod engine;
pub mod loss;
mod notify;
pub mod payload;
pub mod run;
pub mod series;
pub mod state;
mod tracked;

pub use engine::{Change, Engine};
pub use loss::{LossPath, LossPaths};
pub use series::{Extra, Hotspots, Sub};
pub use state::{Phase, Timing, Track, Transition};
pub use tracked::Tracked;
