//! The series a poll holds for each metric, and their values: what a rule is evaluated on.
//!
//! A value of `None` is a gap (no rate for the interval: the first poll, a reboot, a counter
//! reset, an over-speed delta — see [`crate::rates`]; an access point in an unknown state; an
//! oper status the rule cannot read): the rule neither fires nor resolves on it.

use std::collections::{BTreeMap, HashMap};

use crate::config::{AlertMetric, AlertSelect};
use crate::sample::{DevicePoll, OpticDirection, PortCounters, PortRates};
use crate::store::{normalise_mac, HotspotAps};

/// Which series of a device: the device itself, a port, a transceiver lane, an access point,
/// a hotspot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sub {
    Device,
    Port(String),
    /// A port's receive level on one lane (0: a single-lane transceiver).
    Lane(String, u32),
    Ap(String),
    Hotspot(String),
}

/// What a series shows beside its identity (labels that are not part of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// The port's ifAlias.
    pub alias: Option<String>,
    /// The hotspot an access point serves.
    pub hotspot: Option<String>,
    /// The circuit whose loss a lane's series measures (`optic_loss_excess_db`).
    pub circuit: Option<String>,
}

/// The hotspots of the served cadastre, by their access points' names and MACs (the
/// collector knows no cadastre: the caller gives them).
#[derive(Debug, Clone, Default)]
pub struct Hotspots {
    by_name: HashMap<String, String>,
    by_mac: HashMap<String, String>,
}

impl Hotspots {
    pub fn new(hotspots: &[HotspotAps]) -> Hotspots {
        let mut h = Hotspots::default();
        for spot in hotspots {
            for entry in &spot.access_points {
                let mac = normalise_mac(entry);
                if mac.len() == 12 && mac.bytes().all(|b| b.is_ascii_hexdigit()) {
                    h.by_mac.entry(mac).or_insert_with(|| spot.id.clone());
                }
                h.by_name
                    .entry(entry.trim().to_lowercase())
                    .or_insert_with(|| spot.id.clone());
            }
        }
        h
    }

    /// The hotspot an access point named `name`, with `mac`, serves.
    pub fn of(&self, name: &str, mac: Option<&str>) -> Option<&str> {
        self.by_name
            .get(&name.to_lowercase())
            .or_else(|| mac.and_then(|m| self.by_mac.get(&normalise_mac(m))))
            .map(String::as_str)
    }
}

/// A port's value for a port metric (`None`: a gap, or not a port metric).
pub fn port_value(
    metric: AlertMetric,
    port: &PortCounters,
    rates: Option<&PortRates>,
) -> Option<f64> {
    let sum = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    };
    let r = rates.filter(|r| r.gap.is_none());
    let v = match metric {
        AlertMetric::Utilisation => {
            let r = r?;
            match (r.utilisation_in, r.utilisation_out) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            }
        }
        AlertMetric::InBps => r?.in_bps,
        AlertMetric::OutBps => r?.out_bps,
        AlertMetric::ErrorsPs => r.and_then(|r| sum(r.in_errors_ps, r.out_errors_ps)),
        AlertMetric::DiscardsPs => r.and_then(|r| sum(r.in_discards_ps, r.out_discards_ps)),
        AlertMetric::OperStatus => oper_value(port),
        _ => None,
    };
    v.filter(|x| x.is_finite())
}

/// 0 when the port is down (IF-MIB down, notPresent, lowerLayerDown) while administratively
/// up, 1 when it is up or administratively down; `None` (a gap) for testing, unknown, dormant
/// or an unread status.
fn oper_value(port: &PortCounters) -> Option<f64> {
    match port.oper_status? {
        1 => Some(1.0),
        2 | 6 | 7 => Some(if port.admin_status == Some(1) {
            0.0
        } else {
            1.0
        }),
        _ => None,
    }
}

/// Whether a port metric.
pub fn is_port_metric(m: AlertMetric) -> bool {
    use AlertMetric::*;
    matches!(
        m,
        Utilisation | InBps | OutBps | ErrorsPs | DiscardsPs | OperStatus
    )
}

/// Whether `port` of a device is selected (the device was checked already).
pub fn port_selected(select: &AlertSelect, port: &PortCounters) -> bool {
    select.port.as_ref().is_none_or(|p| p.matches(&port.key))
        && select
            .alias
            .as_ref()
            .is_none_or(|a| port.if_alias.as_deref().is_some_and(|x| a.matches(x)))
}

/// The rates of `port`, the `i`th of the poll: `rates` come in the poll's port order (see
/// [`crate::rates::compute`]); looked up by key when they do not.
pub fn rates_of<'a>(
    rates: &'a [PortRates],
    i: usize,
    port: &PortCounters,
) -> Option<&'a PortRates> {
    match rates.get(i) {
        Some(r) if r.key == port.key => Some(r),
        _ => rates.iter().find(|r| r.key == port.key),
    }
}

/// The receive levels of the poll's transceivers now (a period's min/max/avg is not a level
/// now; a no-light floor is: nothing arrives): (port, lane, dBm).
pub fn rx_levels(poll: &DevicePoll) -> impl Iterator<Item = (&str, u32, f64)> {
    poll.optics
        .iter()
        .filter(|o| o.direction == OpticDirection::Rx && o.stat.is_current() && o.dbm.is_finite())
        .map(|o| (o.port.as_str(), o.lane.unwrap_or(0), o.dbm))
}

/// Each access point of the poll: (name, its hotspot, 1 up / 0 down / `None` unknown).
pub fn aps<'a>(
    poll: &'a DevicePoll,
    hotspots: &'a Hotspots,
) -> impl Iterator<Item = (&'a str, Option<&'a str>, Option<f64>)> {
    poll.wifi
        .iter()
        .flat_map(|w| &w.aps)
        .filter(|a| !a.name.is_empty())
        .map(move |a| {
            let up = match a.status.as_str() {
                "up" => Some(1.0),
                "down" => Some(0.0),
                _ => None,
            };
            (a.name.as_str(), hotspots.of(&a.name, a.mac.as_deref()), up)
        })
}

/// The clients of each hotspot on this controller: the sum over its access points that say
/// (`None` when none of them does).
pub fn hotspot_clients(poll: &DevicePoll, hotspots: &Hotspots) -> BTreeMap<String, Option<f64>> {
    let mut out: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for ap in poll.wifi.iter().flat_map(|w| &w.aps) {
        let Some(h) = hotspots.of(&ap.name, ap.mac.as_deref()) else {
            continue;
        };
        let slot = out.entry(h.to_string()).or_insert(None);
        if let Some(c) = ap.clients {
            *slot = Some(slot.unwrap_or(0.0) + c as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{OpticReading, OpticStat};

    #[test]
    fn a_receive_level_is_the_level_now_never_a_period_statistic() {
        let mut min = OpticReading::current("xe-0".into(), None, OpticDirection::Rx, -30.0);
        min.stat = OpticStat::Min;
        let mut floor = OpticReading::current("xe-1".into(), None, OpticDirection::Rx, -40.0);
        floor.no_light = true;
        let poll = DevicePoll {
            optics: vec![
                OpticReading::current("xe-0".into(), None, OpticDirection::Rx, -3.0),
                min,
                floor,
                OpticReading::current("xe-0".into(), None, OpticDirection::Tx, -1.0),
            ],
            ..DevicePoll::default()
        };
        let got: Vec<_> = rx_levels(&poll).collect();
        assert_eq!(got, [("xe-0", 0, -3.0), ("xe-1", 0, -40.0)]);
    }
}
