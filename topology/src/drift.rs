//! Documented vs live: the cadastre's circuits (allocations with a device port at each end)
//! against what the devices report — their LLDP neighbours and their transceivers' optical
//! levels.
//!
//! Findings, per circuit:
//! - **confirmed**: an LLDP neighbour entry on one documented end names the other documented
//!   end (device and port);
//! - **wrong port**: an end's LLDP entry names the documented far device on another port, the
//!   documented port sees another device, or the far device is seen on another local port;
//! - **no live neighbour**: at least one end's device reported its LLDP table and nothing on
//!   either end points at the other;
//! - **not observed**: neither end's device reported an LLDP table (nothing can be said; a
//!   device that was never polled is not evidence of a missing cable).
//!
//! Live neighbours that no circuit documents are listed once per pair (A:p↔B:q seen from both
//! sides is one entry). A remote is resolved to one of our devices by its system name (exact,
//! case-insensitive, or the host part of a domain name) or by its chassis id; its port by the
//! port id or the port description naming one of our port names (case-insensitive).
//!
//! Optical loss: for each direction of a circuit with a tx level at one end and an rx level at
//! the other (same lane), measured loss = tx − rx; it is compared with the loss the model
//! expects from the cadastre's route (the circuit's links) at the chosen wavelength, and listed
//! when it exceeds it by more than the margin. A tx at its no-light floor (a laser that is
//! off) sends nothing to lose: no loss is measured. An rx at its floor under a lit tx is a
//! lower bound (the loss is at least tx − floor), listed with `rx_no_light`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::loss::Wavelength;
use crate::network::Network;

/// A device port: the device's name and the port's name (ifName).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortEnd {
    /// Device name (as in the collector's config).
    pub device: String,
    /// Port name.
    pub port: String,
}

impl PortEnd {
    /// A port end from two names.
    pub fn new(device: impl Into<String>, port: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            port: port.into(),
        }
    }
}

/// A documented circuit: an allocation lit by a device port at each end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Circuit {
    /// The allocation id.
    pub id: String,
    /// The links (route ids) its cable runs along, in order.
    pub links: Vec<String>,
    /// One end.
    pub a_end: PortEnd,
    /// The other end.
    pub b_end: PortEnd,
}

/// One LLDP neighbour entry as a device reports it (LLDP-MIB `lldpRemTable`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Neighbour {
    /// The device that reported it.
    pub device: String,
    /// Its local port (our port name).
    pub local_port: String,
    /// The remote's chassis id as reported (MAC or name).
    pub remote_chassis_id: Option<String>,
    /// The remote's system name.
    pub remote_system_name: Option<String>,
    /// The remote's port id.
    pub remote_port_id: Option<String>,
    /// The remote's port description.
    pub remote_port_descr: Option<String>,
}

/// Which way the light goes through a transceiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Received power.
    Rx,
    /// Transmitted power.
    Tx,
}

/// One optical level as a device reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpticLevel {
    /// The device.
    pub device: String,
    /// Our port name.
    pub port: String,
    /// Lane of a multi-lane transceiver; `None` when single-lane.
    pub lane: Option<u32>,
    /// Rx or tx.
    pub direction: Direction,
    /// Power, dBm.
    pub dbm: f64,
    /// `dbm` is the device's no-light floor on a present optic, not a measured level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_light: bool,
}

/// What the devices report, as input to [`Network::drift`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Observed {
    /// Devices whose LLDP neighbour table was read (even if empty).
    pub lldp_devices: BTreeSet<String>,
    /// Every neighbour entry read.
    pub neighbours: Vec<Neighbour>,
    /// Our devices' own LLDP chassis ids (`lldpLocChassisId`), to resolve remotes by chassis.
    pub chassis_ids: BTreeMap<String, String>,
    /// Every optical level read.
    pub optics: Vec<OpticLevel>,
}

/// How [`Network::drift`] judges optical loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftOptions {
    /// Excess over the expected loss tolerated before a circuit is listed, dB.
    pub margin_db: f64,
    /// Wavelength the expected loss is computed at.
    pub wavelength: Wavelength,
}

impl Default for DriftOptions {
    fn default() -> Self {
        Self {
            margin_db: 3.0,
            wavelength: Wavelength::Nm1310,
        }
    }
}

/// What kind of wrong port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrongPortKind {
    /// The documented port sees the documented far device, on another far port.
    FarPort,
    /// The documented far end is seen on another local port of this device.
    LocalPort,
    /// The documented port sees another device altogether.
    OtherDevice,
}

/// A circuit end that is cabled elsewhere than the cadastre says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrongPort {
    /// The circuit (allocation id).
    pub circuit: String,
    /// Which kind of mismatch.
    pub kind: WrongPortKind,
    /// The end that is wrong, as documented.
    pub documented: PortEnd,
    /// Where it is live (`port` is the remote's port id as reported when unresolved).
    pub live: PortEnd,
    /// The device port whose LLDP table says so.
    pub seen_from: PortEnd,
}

/// A circuit nothing live confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unconfirmed {
    /// The circuit (allocation id).
    pub circuit: String,
    /// Its documented ends.
    pub a_end: PortEnd,
    /// Its documented ends.
    pub b_end: PortEnd,
}

/// A live LLDP adjacency that no circuit documents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LiveLink {
    /// The reporting device's port.
    pub local: PortEnd,
    /// The remote as resolved (our device and port names), or as reported when unknown.
    pub remote: PortEnd,
    /// Whether the remote resolved to one of our devices.
    pub remote_known: bool,
    /// Whether both ends report each other.
    pub seen_both_ways: bool,
}

/// A direction of a circuit that loses more light than its route explains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossExcess {
    /// The circuit (allocation id).
    pub circuit: String,
    /// The transmitting end.
    pub from: PortEnd,
    /// The receiving end.
    pub to: PortEnd,
    /// Lane, when multi-lane.
    pub lane: Option<u32>,
    /// Tx power at `from`, dBm.
    pub tx_dbm: f64,
    /// Rx power at `to`, dBm.
    pub rx_dbm: f64,
    /// `tx − rx`, dB.
    pub measured_db: f64,
    /// What the loss model expects from the documented route, dB.
    pub expected_db: f64,
    /// `measured − expected`, dB.
    pub excess_db: f64,
    /// The rx end reads its no-light floor: the loss is at least `measured_db`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rx_no_light: bool,
}

/// One direction of a circuit and the loss its documented route explains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedLoss {
    /// The circuit (allocation id).
    pub circuit: String,
    /// The transmitting end.
    pub from: PortEnd,
    /// The receiving end.
    pub to: PortEnd,
    /// dB.
    pub expected_db: f64,
}

/// The drift report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DriftReport {
    /// Circuits an LLDP entry confirms end to end.
    pub confirmed: Vec<String>,
    /// Circuit ends cabled elsewhere.
    pub wrong_port: Vec<WrongPort>,
    /// Circuits with no live neighbour on either end.
    pub no_live_neighbour: Vec<Unconfirmed>,
    /// Circuits whose end devices reported no LLDP table.
    pub not_observed: Vec<String>,
    /// Live adjacencies the cadastre does not know.
    pub unknown_neighbours: Vec<LiveLink>,
    /// Directions whose measured loss exceeds the expected loss by more than the margin.
    pub loss_excess: Vec<LossExcess>,
    /// Directions whose loss could be checked (tx and rx both known).
    pub loss_checked: usize,
    /// Circuits naming a link the network does not know (their expected loss is unknown).
    pub unknown_links: Vec<String>,
}

/// A lane (`None`: single-lane), its level in dBm and whether that is a no-light floor.
type Lane = (Option<u32>, f64, bool);

/// Resolves remote names to our devices and ports.
struct Resolver<'a> {
    /// Lower-cased device name / host part → device name.
    by_name: BTreeMap<String, &'a str>,
    /// Lower-cased chassis id → device name.
    by_chassis: BTreeMap<String, &'a str>,
    /// Device → lower-cased port name → port name.
    ports: BTreeMap<&'a str, BTreeMap<String, &'a str>>,
}

impl<'a> Resolver<'a> {
    fn new(circuits: &'a [Circuit], observed: &'a Observed) -> Self {
        let mut devices: BTreeSet<&str> = BTreeSet::new();
        let mut ports: BTreeMap<&str, BTreeMap<String, &str>> = BTreeMap::new();
        let mut add_port = |d: &'a str, p: &'a str| {
            ports.entry(d).or_default().insert(p.to_lowercase(), p);
        };
        for c in circuits {
            for e in [&c.a_end, &c.b_end] {
                devices.insert(&e.device);
                add_port(&e.device, &e.port);
            }
        }
        for n in &observed.neighbours {
            devices.insert(&n.device);
            add_port(&n.device, &n.local_port);
        }
        devices.extend(observed.lldp_devices.iter().map(String::as_str));
        let mut by_name = BTreeMap::new();
        for d in &devices {
            by_name.insert(d.to_lowercase(), *d);
        }
        // Host parts only where they do not collide with a full name.
        for d in &devices {
            if let Some((host, _)) = d.split_once('.') {
                by_name.entry(host.to_lowercase()).or_insert(*d);
            }
        }
        let by_chassis = observed
            .chassis_ids
            .iter()
            .map(|(d, c)| (normalise_chassis(c), d.as_str()))
            .collect();
        Self {
            by_name,
            by_chassis,
            ports,
        }
    }

    /// Our device a neighbour entry's remote is, if any.
    fn device(&self, n: &Neighbour) -> Option<&'a str> {
        if let Some(name) = n.remote_system_name.as_deref().map(str::trim) {
            let lower = name.to_lowercase();
            if let Some(d) = self.by_name.get(&lower) {
                return Some(d);
            }
            if let Some((host, _)) = lower.split_once('.') {
                if let Some(d) = self.by_name.get(host) {
                    return Some(d);
                }
            }
        }
        n.remote_chassis_id
            .as_deref()
            .and_then(|c| self.by_chassis.get(&normalise_chassis(c)).copied())
    }

    /// The remote's port as one of `device`'s port names, else as reported.
    fn port(&self, device: Option<&str>, n: &Neighbour) -> (String, bool) {
        let known = device.and_then(|d| self.ports.get(d));
        for cand in [&n.remote_port_id, &n.remote_port_descr]
            .into_iter()
            .flatten()
        {
            if let Some(p) = known.and_then(|k| k.get(&cand.trim().to_lowercase())) {
                return ((*p).to_string(), true);
            }
        }
        let raw = n
            .remote_port_id
            .clone()
            .or_else(|| n.remote_port_descr.clone())
            .unwrap_or_default();
        (raw, false)
    }

    /// The remote of `n` as a port end, and whether both device and port resolved.
    fn remote(&self, n: &Neighbour) -> (PortEnd, bool, bool) {
        let device = self.device(n);
        let (port, port_known) = self.port(device, n);
        let name = device.map(str::to_string).unwrap_or_else(|| {
            n.remote_system_name
                .clone()
                .or_else(|| n.remote_chassis_id.clone())
                .unwrap_or_default()
        });
        (PortEnd::new(name, port), device.is_some(), port_known)
    }
}

/// Chassis ids compared without case and separators (`00:1A:2b-...` = `001a2b...`).
fn normalise_chassis(c: &str) -> String {
    c.chars()
        .filter(|ch| !matches!(ch, ':' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Network {
    /// Compares documented circuits with what the devices report (see the module docs).
    /// Lists come sorted (circuits in input order).
    pub fn drift(
        &self,
        circuits: &[Circuit],
        observed: &Observed,
        options: &DriftOptions,
    ) -> DriftReport {
        let resolver = Resolver::new(circuits, observed);
        // (device, local port) → resolved remotes seen there.
        let mut seen: BTreeMap<(&str, &str), Vec<(PortEnd, bool)>> = BTreeMap::new();
        for n in &observed.neighbours {
            let (remote, device_known, _) = resolver.remote(n);
            seen.entry((&n.device, &n.local_port))
                .or_default()
                .push((remote, device_known));
        }
        let mut report = DriftReport::default();
        // Local ends a circuit (or a finding) accounts for: not "unknown" neighbours.
        let mut accounted: BTreeSet<(String, String)> = BTreeSet::new();
        for c in circuits {
            for e in [&c.a_end, &c.b_end] {
                accounted.insert((e.device.clone(), e.port.clone()));
            }
            self.judge(c, observed, &seen, &mut accounted, &mut report);
        }
        report.unknown_neighbours = unknown_neighbours(&resolver, observed, &accounted);
        self.judge_loss(circuits, observed, options, &mut report);
        report
    }

    fn judge(
        &self,
        c: &Circuit,
        observed: &Observed,
        seen: &BTreeMap<(&str, &str), Vec<(PortEnd, bool)>>,
        accounted: &mut BTreeSet<(String, String)>,
        report: &mut DriftReport,
    ) {
        let observed_end = |e: &PortEnd| observed.lldp_devices.contains(&e.device);
        if !observed_end(&c.a_end) && !observed_end(&c.b_end) {
            report.not_observed.push(c.id.clone());
            return;
        }
        let mut confirmed = false;
        let mut wrong = Vec::new();
        for (near, far) in [(&c.a_end, &c.b_end), (&c.b_end, &c.a_end)] {
            if !observed_end(near) {
                continue;
            }
            let on_port = seen
                .get(&(near.device.as_str(), near.port.as_str()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            if on_port.iter().any(|(r, _)| r == far) {
                confirmed = true;
                continue;
            }
            if let Some((r, _)) = on_port.iter().find(|(r, _)| r.device == far.device) {
                wrong.push(WrongPort {
                    circuit: c.id.clone(),
                    kind: WrongPortKind::FarPort,
                    documented: far.clone(),
                    live: r.clone(),
                    seen_from: near.clone(),
                });
                continue;
            }
            // The far end seen on another local port of this device?
            let elsewhere = seen
                .range((near.device.as_str(), "")..)
                .take_while(|((d, _), _)| *d == near.device)
                .find(|(_, rs)| rs.iter().any(|(r, _)| r == far));
            if let Some(((d, p), _)) = elsewhere {
                accounted.insert((d.to_string(), p.to_string()));
                wrong.push(WrongPort {
                    circuit: c.id.clone(),
                    kind: WrongPortKind::LocalPort,
                    documented: near.clone(),
                    live: PortEnd::new(*d, *p),
                    seen_from: PortEnd::new(*d, *p),
                });
                continue;
            }
            if let Some((r, _)) = on_port.first() {
                wrong.push(WrongPort {
                    circuit: c.id.clone(),
                    kind: WrongPortKind::OtherDevice,
                    documented: far.clone(),
                    live: r.clone(),
                    seen_from: near.clone(),
                });
            }
        }
        if confirmed {
            report.confirmed.push(c.id.clone());
        } else if !wrong.is_empty() {
            report.wrong_port.extend(wrong);
        } else {
            report.no_live_neighbour.push(Unconfirmed {
                circuit: c.id.clone(),
                a_end: c.a_end.clone(),
                b_end: c.b_end.clone(),
            });
        }
    }

    fn judge_loss(
        &self,
        circuits: &[Circuit],
        observed: &Observed,
        options: &DriftOptions,
        report: &mut DriftReport,
    ) {
        let mut levels: BTreeMap<(&str, &str, Direction), Vec<Lane>> = BTreeMap::new();
        for o in &observed.optics {
            // A dark laser sends no light to lose.
            let dark_tx = o.no_light && o.direction == Direction::Tx;
            if o.dbm.is_finite() && !dark_tx {
                levels
                    .entry((&o.device, &o.port, o.direction))
                    .or_default()
                    .push((o.lane, o.dbm, o.no_light));
            }
        }
        let expected =
            self.expected_losses(circuits, options.wavelength, &mut report.unknown_links);
        for e in expected {
            let (from, to) = (&e.from, &e.to);
            let tx = levels.get(&(from.device.as_str(), from.port.as_str(), Direction::Tx));
            let rx = levels.get(&(to.device.as_str(), to.port.as_str(), Direction::Rx));
            let (Some(tx), Some(rx)) = (tx, rx) else {
                continue;
            };
            for &(lane, tx_dbm, _) in tx {
                let Some(&(_, rx_dbm, rx_no_light)) = rx.iter().find(|(l, ..)| *l == lane) else {
                    continue;
                };
                report.loss_checked += 1;
                let measured = tx_dbm - rx_dbm;
                let excess = measured - e.expected_db;
                if excess > options.margin_db {
                    report.loss_excess.push(LossExcess {
                        circuit: e.circuit.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        lane,
                        tx_dbm,
                        rx_dbm,
                        measured_db: measured,
                        expected_db: e.expected_db,
                        excess_db: excess,
                        rx_no_light,
                    });
                }
            }
        }
    }

    /// Both directions of each circuit whose links the network knows (a to b, then b to a),
    /// with the loss its documented route explains at `wavelength`; the circuits naming a link
    /// the network does not know are pushed on `unknown`. What the drift's loss check and the
    /// alerts' `optic_loss_excess_db` compare the levels with.
    pub fn expected_losses(
        &self,
        circuits: &[Circuit],
        wavelength: Wavelength,
        unknown: &mut Vec<String>,
    ) -> Vec<ExpectedLoss> {
        let mut out = Vec::new();
        for c in circuits {
            let lengths: Option<Vec<f64>> = c
                .links
                .iter()
                .map(|l| self.link(l).map(|l| l.length_m))
                .collect();
            let Some(lengths) = lengths else {
                unknown.push(c.id.clone());
                continue;
            };
            let loss = self.loss_model().loss(&lengths);
            let expected_db = match wavelength {
                Wavelength::Nm1310 => loss.db_1310,
                Wavelength::Nm1550 => loss.db_1550,
            };
            for (from, to) in [(&c.a_end, &c.b_end), (&c.b_end, &c.a_end)] {
                out.push(ExpectedLoss {
                    circuit: c.id.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    expected_db,
                });
            }
        }
        out
    }
}

/// Live adjacencies on local ports no circuit accounts for, one per pair.
fn unknown_neighbours(
    resolver: &Resolver<'_>,
    observed: &Observed,
    accounted: &BTreeSet<(String, String)>,
) -> Vec<LiveLink> {
    let mut pairs: BTreeMap<(PortEnd, PortEnd), LiveLink> = BTreeMap::new();
    for n in &observed.neighbours {
        let local = PortEnd::new(n.device.clone(), n.local_port.clone());
        let (remote, device_known, port_known) = resolver.remote(n);
        let remote_accounted = accounted.contains(&(remote.device.clone(), remote.port.clone()));
        if accounted.contains(&(local.device.clone(), local.port.clone())) || remote_accounted {
            continue;
        }
        let known = device_known && port_known;
        // One key per unordered pair when both ends are ours.
        let key = if known && remote < local {
            (remote.clone(), local.clone())
        } else {
            (local.clone(), remote.clone())
        };
        match pairs.get_mut(&key) {
            Some(l) if l.local != local => l.seen_both_ways = true,
            Some(_) => {}
            None => {
                pairs.insert(
                    key,
                    LiveLink {
                        local,
                        remote,
                        remote_known: known,
                        seen_both_ways: false,
                    },
                );
            }
        }
    }
    pairs.into_values().collect()
}

#[cfg(test)]
mod tests;
