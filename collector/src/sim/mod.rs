//! The simulator (placeholder until the sim branch lands).

use std::future::Future;
use std::net::SocketAddr;

/// Per-device faults.
#[derive(Debug, Default, Clone)]
pub struct Faults;

/// Simulator errors.
#[derive(Debug, thiserror::Error)]
#[error("simulator: {0}")]
pub struct SimError(String);

/// Simulator settings.
pub struct SimConfig {
    pub listen: SocketAddr,
    pub devices: u32,
    pub ports: u32,
    pub seed: u64,
    pub faults: Faults,
}

/// Parses faults.
pub fn parse_faults(_text: &str) -> Result<Faults, SimError> {
    Ok(Faults)
}

/// Runs until shutdown.
pub async fn run(_cfg: SimConfig, shutdown: impl Future<Output = ()>) -> Result<(), SimError> {
    shutdown.await;
    Ok(())
}
