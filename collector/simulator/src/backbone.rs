//! A described backbone: routers (LLDP neighbours, optical levels) and wifi controllers (access
//! points, SSIDs) that the simulator serves beside the generated `devNNNN` devices, each selected
//! by the community equal to its name.
//!
//! Plain data: the caller builds it (from a file, a demo or a test); [`problems`] says what the
//! simulator cannot serve.

use std::collections::{HashMap, HashSet};

use super::model;

/// Routers and wifi controllers, each an extra device whose community is its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backbone {
    pub routers: Vec<Router>,
    pub controllers: Vec<Controller>,
}

/// A router: the standard tables, LLDP-MIB, ENTITY-MIB and ENTITY-SENSOR-MIB.
#[derive(Debug, Clone, PartialEq)]
pub struct Router {
    /// sysName, lldpLocSysName and the community.
    pub name: String,
    pub chassis_mac: [u8; 6],
    /// ifIndex 1..n in this order.
    pub ports: Vec<RouterPort>,
}

/// A router port.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterPort {
    /// ifName, e.g. `xe-0/0/1`.
    pub name: String,
    pub speed_bps: u64,
    /// The LLDP neighbour seen on this port, if any.
    pub neighbour: Option<Neighbour>,
    /// Optical levels; a port with either has a port entity and a sensor per level.
    pub tx_dbm: Option<f64>,
    pub rx_dbm: Option<f64>,
}

/// What a port's LLDP neighbour announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    pub system_name: String,
    pub chassis_mac: [u8; 6],
    /// The neighbour's port name (its PortId, subtype interfaceName).
    pub port: String,
}

/// A wifi controller, Cisco AIRESPACE-WIRELESS-MIB style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    /// sysName and the community.
    pub name: String,
    pub aps: Vec<AccessPoint>,
    /// bsnDot11EssTable rows, index 1..n in this order.
    pub ssids: Vec<String>,
}

/// An access point with two radios (slots 0 and 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPoint {
    pub name: String,
    /// Unique within a controller: the index of its rows.
    pub mac: [u8; 6],
    pub pattern: ClientPattern,
}

/// How many clients an access point has through the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientPattern {
    /// Near `peak` clients (over both radios) at the morning and evening rush hours, fewer at
    /// midday, a handful at night.
    Busy { peak: u32 },
    /// Between none and `peak` clients, a few at most.
    Quiet { peak: u32 },
    /// Disassociating: no clients, not counted as connected.
    Dead,
}

/// The key of a described device in the traffic model (its "device number" there): a hash of
/// its name, so its counters do not depend on the other devices.
pub(crate) fn model_key(name: &str) -> u32 {
    let h = name.bytes().fold(model::hash(&[0xbac4_b04e]), |acc, b| {
        model::mix(acc ^ u64::from(b))
    });
    (h >> 32) as u32
}

/// Names that would shadow a generated device: `dev` followed by digits.
fn looks_generated(name: &str) -> bool {
    name.strip_prefix("dev")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Every problem of `backbone`, each naming the device (and port or access point).
pub(crate) fn problems(backbone: &Backbone, max_ports: u32, out: &mut Vec<String>) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let names = backbone
        .routers
        .iter()
        .map(|r| ("router", r.name.as_str()))
        .chain(
            backbone
                .controllers
                .iter()
                .map(|c| ("controller", c.name.as_str())),
        );
    for (kind, name) in names {
        if name.is_empty() {
            out.push(format!("a {kind} has an empty name"));
        } else if looks_generated(name) {
            out.push(format!(
                "{kind} {name:?}: names of the form devNNNN belong to generated devices"
            ));
        } else if let Some(first) = seen.insert(name, kind) {
            out.push(format!("{kind} {name:?}: name already used by a {first}"));
        }
    }
    for router in &backbone.routers {
        router_problems(router, max_ports, out);
    }
    for controller in &backbone.controllers {
        let mut macs = HashSet::new();
        for ap in &controller.aps {
            if !macs.insert(ap.mac) {
                out.push(format!(
                    "controller {:?}: access point {:?} repeats MAC {}",
                    controller.name,
                    ap.name,
                    mac_text(&ap.mac)
                ));
            }
        }
    }
}

/// Entity indices of port entities (1000 + ifIndex) must stay below those of the sensors
/// (100000 + 10·ifIndex + 1), so a router with optics has at most this many ports.
const MAX_PORTS_WITH_OPTICS: usize = 99_000;

fn router_problems(router: &Router, max_ports: u32, out: &mut Vec<String>) {
    let name = &router.name;
    if router.ports.len() > max_ports as usize {
        out.push(format!(
            "router {name:?}: at most {max_ports} ports, got {}",
            router.ports.len()
        ));
    }
    let has_optics = |p: &RouterPort| p.tx_dbm.is_some() || p.rx_dbm.is_some();
    if router.ports.len() > MAX_PORTS_WITH_OPTICS && router.ports.iter().any(has_optics) {
        out.push(format!(
            "router {name:?}: with optical levels, at most {MAX_PORTS_WITH_OPTICS} ports"
        ));
    }
    for (i, port) in router.ports.iter().enumerate() {
        if port.name.is_empty() {
            out.push(format!("router {name:?}: port {} has an empty name", i + 1));
        }
        for (what, dbm) in [("tx_dbm", port.tx_dbm), ("rx_dbm", port.rx_dbm)] {
            if dbm.is_some_and(|v| !v.is_finite() || v.abs() > 100.0) {
                out.push(format!(
                    "router {name:?}: port {:?} {what} must be a level within ±100 dBm",
                    port.name
                ));
            }
        }
    }
}

fn mac_text(mac: &[u8; 6]) -> String {
    let parts: Vec<String> = mac.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(name: &str, ports: &[&str]) -> Router {
        Router {
            name: name.into(),
            chassis_mac: [0; 6],
            ports: ports
                .iter()
                .map(|p| RouterPort {
                    name: (*p).into(),
                    speed_bps: 10_000_000_000,
                    neighbour: None,
                    tx_dbm: None,
                    rx_dbm: Some(-3.0),
                })
                .collect(),
        }
    }

    fn check(backbone: &Backbone, max_ports: u32, expect: &[&str]) {
        let mut got = Vec::new();
        problems(backbone, max_ports, &mut got);
        assert_eq!(got, expect);
    }

    #[test]
    fn names_are_unique_and_not_generated() {
        let ap = AccessPoint {
            name: "ap".into(),
            mac: [1; 6],
            pattern: ClientPattern::Dead,
        };
        let controller = |name: &str| Controller {
            name: name.into(),
            aps: vec![ap.clone(), ap.clone()],
            ssids: vec![],
        };
        let backbone = Backbone {
            routers: vec![
                router("pop-01", &["xe-0/0/0", ""]),
                router("dev0007", &[]),
                router("", &[]),
            ],
            controllers: vec![controller("pop-01"), controller("device")],
        };
        check(
            &backbone,
            1,
            &[
                "router \"dev0007\": names of the form devNNNN belong to generated devices",
                "a router has an empty name",
                "controller \"pop-01\": name already used by a router",
                "router \"pop-01\": at most 1 ports, got 2",
                "router \"pop-01\": port 2 has an empty name",
                "controller \"pop-01\": access point \"ap\" repeats MAC 01:01:01:01:01:01",
                "controller \"device\": access point \"ap\" repeats MAC 01:01:01:01:01:01",
            ],
        );
        let mut bad = router("pop-02", &["xe-0/0/0"]);
        bad.ports[0].tx_dbm = Some(f64::NAN);
        let backbone = Backbone {
            routers: vec![bad],
            controllers: vec![],
        };
        check(
            &backbone,
            10,
            &["router \"pop-02\": port \"xe-0/0/0\" tx_dbm must be a level within ±100 dBm"],
        );
    }
}
