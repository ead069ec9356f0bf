//! The SNMP simulator of a fibre backbone (`irisops simulate`): one UDP socket answering SNMP
//! v1/v2c GET, GETNEXT and GETBULK for many devices, each selected by its community `devNNNN`.
//! A described [`Backbone`] adds routers (LLDP neighbours, optical levels) and wifi controllers
//! (access points, clients per radio and SSID), each selected by the community equal to its name.
//!
//! Counters follow a seeded daily traffic model and are computed analytically from the time of
//! the request, so any number of pollers agree and rates never exceed port speed. Faults
//! (dead, slow, counter32, reboot, renumber, garbage) make devices misbehave on purpose.
//!
//! Requests other than GET, GETNEXT and (v2c) GETBULK, unknown communities and malformed
//! datagrams get no answer. SNMPv1 never sees Counter64 objects, as with real agents.
//!
//! ```no_run
//! # async fn demo() -> Result<(), simulator::SimError> {
//! use simulator::{parse_faults, start, SimConfig};
//! let faults = parse_faults("[[fault]]\ndevice = 2\nkind = \"dead\"")?;
//! let cfg = SimConfig { listen: "127.0.0.1:0".parse().unwrap(), devices: 10, ports: 48, seed: 1, faults, backbone: None };
//! let sim = start(cfg).await?;
//! println!("snmpbulkwalk -v2c -c dev0001 {} .1.3.6.1.2.1.31.1.1.1", sim.local_addr());
//! sim.shutdown().await
//! # }
//! ```
//!
//! Layout:
//! - `ber`: the BER reader for requests and writer for responses.
//! - `model`: port profiles and the integral of the daily traffic curve.
//! - `mib`: the per-device table view: sorted tables, GET/GETNEXT seeks, walk cursors.
//! - `tables`: the system group, ifNumber, ifTable and ifXTable, of generated and described
//!   devices; new tables of every device go here.
//! - `backbone`: the described routers and wifi controllers (plain data) and their validation.
//! - `router`: a router's LLDP-MIB, ENTITY-MIB and ENTITY-SENSOR-MIB tables.
//! - `wifi`: a controller's access point, radio, SSID tables and its client model.
//! - `faults`: the faults file.
//! - `server`: one datagram in, one response out; the socket loop.
//! - [`demo`]: the demo's simulated routers and wifi controller, built from the demo cadastre.
//!
//! It shares no code with the collector, on purpose: its BER reader and writer are a second,
//! independent implementation of the wire format, so a bug in the collector's decoder cannot
//! hide behind the same bug in the agent it is tested against.

mod backbone;
#[cfg(test)]
mod backbone_tests;
mod ber;
pub mod demo;
#[cfg(test)]
mod fault_tests;
mod faults;
mod mib;
mod model;
mod router;
mod server;
mod tables;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
mod wifi;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use backbone::{
    AccessPoint, Backbone, ClientPattern, Controller, Neighbour, Router, RouterPort,
};
pub use faults::{parse_faults, DeviceFaults, Faults};
pub use wifi::ClientModel;

/// Most ports per device: keeps ifIndex arithmetic and table sizes sane.
const MAX_PORTS: u32 = 100_000;

/// What to simulate and where.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    /// Number of devices; communities `dev0001` up to this number.
    pub devices: u32,
    /// Ports per device (ifIndex 1..=ports unless renumbered).
    pub ports: u32,
    /// Seed of the traffic model and of the garbage.
    pub seed: u64,
    /// Faults per device.
    pub faults: Faults,
    /// Routers and wifi controllers served beside the generated devices, by name.
    pub backbone: Option<Backbone>,
}

/// Errors of the simulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    #[error("cannot bind the simulator to {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("faults file is not valid: {0}")]
    FaultsToml(#[source] Box<toml::de::Error>),
    #[error("invalid faults: {0}")]
    Faults(String),
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    #[error("the simulator task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Wall-clock milliseconds that never go backwards: the Unix time at start plus a monotonic
/// elapsed time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start_ms: u64,
    start: Instant,
}

impl Clock {
    fn start() -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            start_ms: u64::try_from(since_epoch.as_millis()).unwrap_or(0),
            start: Instant::now(),
        }
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.start_ms + u64::try_from(self.start.elapsed().as_millis()).unwrap_or(0)
    }
}

fn validate(cfg: &SimConfig) -> Result<(), SimError> {
    let mut problems = Vec::new();
    if cfg.devices == 0 {
        problems.push("devices must be at least 1".to_string());
    }
    if cfg.ports > MAX_PORTS {
        problems.push(format!(
            "ports must be at most {MAX_PORTS}, got {}",
            cfg.ports
        ));
    }
    if let Some(d) = cfg.faults.max_device().filter(|&d| d > cfg.devices) {
        problems.push(format!(
            "a fault names device {d}, beyond the {} devices",
            cfg.devices
        ));
    }
    if let Some(backbone) = &cfg.backbone {
        backbone::problems(backbone, MAX_PORTS, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SimError::Config(problems.join("; ")))
    }
}

/// Receive buffer asked for the simulator's one socket: it stands for a whole fleet of agents,
/// so requests of hundreds of devices queue on it at once (each poll keeps ifXTable and ifTable
/// walks in flight). The kernel caps it at `net.core.rmem_max`; a smaller grant is logged.
const SIM_RCVBUF: usize = 4 << 20;

async fn bind(cfg: &SimConfig) -> Result<UdpSocket, SimError> {
    validate(cfg)?;
    let err = |source| SimError::Bind {
        addr: cfg.listen,
        source,
    };
    let domain = socket2::Domain::for_address(cfg.listen);
    let sock = socket2::Socket::new(domain, socket2::Type::DGRAM, Some(socket2::Protocol::UDP))
        .map_err(err)?;
    if let Err(e) = sock.set_recv_buffer_size(SIM_RCVBUF) {
        tracing::warn!(error = %e, "simulator: cannot enlarge the receive buffer");
    }
    if let Ok(got) = sock.recv_buffer_size() {
        if got < SIM_RCVBUF {
            tracing::info!(
                bytes = got,
                "simulator: receive buffer capped by net.core.rmem_max"
            );
        }
    }
    sock.set_nonblocking(true).map_err(err)?;
    sock.bind(&cfg.listen.into()).map_err(err)?;
    UdpSocket::from_std(sock.into()).map_err(err)
}

/// Serves `cfg` until `shutdown` resolves.
pub async fn run(cfg: SimConfig, shutdown: impl Future<Output = ()>) -> Result<(), SimError> {
    let socket = bind(&cfg).await?;
    let clock = Clock::start();
    tracing::info!(addr = %cfg.listen, devices = cfg.devices, ports = cfg.ports, "simulator listening");
    server::serve(
        socket,
        server::Responder::new(&cfg, clock.start_ms),
        clock,
        shutdown,
    )
    .await
}

/// A simulator running in its own task; dropping the handle stops it too.
#[derive(Debug)]
pub struct SimHandle {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), SimError>>,
}

impl SimHandle {
    /// The bound address (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops the simulator and waits for its task.
    pub async fn shutdown(self) -> Result<(), SimError> {
        let _ = self.stop.send(());
        self.task.await.map_err(SimError::Task)?
    }
}

/// Binds `cfg.listen` (port 0 picks a free port) and serves in a spawned task.
pub async fn start(cfg: SimConfig) -> Result<SimHandle, SimError> {
    let socket = bind(&cfg).await?;
    let local_addr = socket.local_addr().map_err(|source| SimError::Bind {
        addr: cfg.listen,
        source,
    })?;
    let clock = Clock::start();
    let responder = server::Responder::new(&cfg, clock.start_ms);
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(server::serve(socket, responder, clock, shutdown));
    Ok(SimHandle {
        local_addr,
        stop,
        task,
    })
}
