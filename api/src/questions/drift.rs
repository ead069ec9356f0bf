//! Drift: the cadastre's circuits (allocations with a device port at both ends) against the
//! LLDP tables and optical levels observed — the answer of `topology drift --json` and
//! `GET /api/v1/topology/drift`.

use serde::Serialize;

use topology::{DriftOptions, DriftReport, Network, Observed, Wavelength};

/// The answer: the report and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftAnswer {
    #[serde(flatten)]
    pub report: DriftReport,
    pub n_circuits: usize,
    pub n_lldp_devices: usize,
}

/// The wavelength of a number of nanometres: 1310 or 1550.
pub fn wavelength(nm: u32) -> Option<Wavelength> {
    match nm {
        1310 => Some(Wavelength::Nm1310),
        1550 => Some(Wavelength::Nm1550),
        _ => None,
    }
}

/// The directions of the cadastre's circuits with the loss their routes explain at 1310 nm
/// (the drift's default): what the alerts' `optic_loss_excess_db` measures against.
pub fn loss_paths(cad: &cadastre::Cadastre, net: &Network) -> Vec<collector::alerts::LossPath> {
    let circuits = cadastre::network::circuits(cad);
    let wavelength = DriftOptions::default().wavelength;
    net.expected_losses(&circuits, wavelength, &mut Vec::new())
        .into_iter()
        .map(|e| collector::alerts::LossPath {
            circuit: e.circuit,
            tx_device: e.from.device,
            tx_port: e.from.port,
            rx_device: e.to.device,
            rx_port: e.to.port,
            expected_db: e.expected_db,
        })
        .collect()
}

/// The cadastre's circuits against `observed`.
pub fn drift(
    cad: &cadastre::Cadastre,
    net: &Network,
    observed: &Observed,
    options: &DriftOptions,
) -> DriftAnswer {
    let circuits = cadastre::network::circuits(cad);
    DriftAnswer {
        report: net.drift(&circuits, observed, options),
        n_circuits: circuits.len(),
        n_lldp_devices: observed.lldp_devices.len(),
    }
}
