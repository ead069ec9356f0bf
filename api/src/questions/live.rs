//! What the graph questions take from the collector's store: the measured end port of each of
//! the cadastre's circuits (an allocation with a device port at an end: `a_end`, else `b_end`;
//! both ends carry the same traffic) with its speed, its latest utilisation and the 95th
//! percentile of its busier direction, the lit headroom per route they give, and the LLDP
//! tables and optical levels. Reads only: the store must be rolled up by its writer (the
//! pipeline does it; the CLI does it before it asks).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use cadastre::PortRef;
use collector::sample::{LldpNeighbour, OpticDirection, OpticReading};
use collector::store::{PortInfo, Store, StoreError};
use topology::{Direction, LitPort, Neighbour, Observed, OpticLevel};

use super::QuestionError;

/// The port of `device` a cadastre end names: by key, else by ifName, else by ifDescr (case
/// as written first, then without case).
fn find_port<'a>(ports: &'a [PortInfo], name: &str) -> Option<&'a PortInfo> {
    ports
        .iter()
        .find(|p| p.key == name)
        .or_else(|| ports.iter().find(|p| p.if_name.as_deref() == Some(name)))
        .or_else(|| ports.iter().find(|p| p.if_descr.as_deref() == Some(name)))
        .or_else(|| ports.iter().find(|p| p.key.eq_ignore_ascii_case(name)))
}

/// A circuit end measured in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredEnd {
    pub device: String,
    /// The store's port key.
    pub port: String,
    pub speed_bps: f64,
    /// 95th percentile of the busier direction over the window, bit/s.
    pub p95_bps: f64,
    /// 5-minute samples behind it.
    pub n_samples: usize,
    /// The latest rate of the busier direction, bit/s, and its time.
    pub now_bps: Option<f64>,
    pub now_ms: Option<i64>,
}

/// Measures circuit ends over `[from_ms, to_ms)`, reading each device's ports once.
pub struct Meter<'a> {
    store: &'a Store,
    from_ms: i64,
    to_ms: i64,
    ports: HashMap<String, Vec<PortInfo>>,
}

impl<'a> Meter<'a> {
    pub fn new(store: &'a Store, window: Duration, now_ms: i64) -> Self {
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        Meter {
            store,
            from_ms: now_ms.saturating_sub(window_ms),
            to_ms: now_ms,
            ports: HashMap::new(),
        }
    }

    /// The end's port with a speed and p95 samples; `None` when the store does not know the
    /// device or the port, or has no speed or no sample for it.
    pub fn measure(&mut self, end: &PortRef) -> Result<Option<MeasuredEnd>, QuestionError> {
        if !self.ports.contains_key(&end.device) {
            let found = match self.store.ports(&end.device) {
                Ok(found) => found,
                // A device the store never saw is unmeasured, not an error.
                Err(StoreError::UnknownDevice { .. }) => Vec::new(),
                Err(e) => return Err(QuestionError::store("read ports")(e)),
            };
            self.ports.insert(end.device.clone(), found);
        }
        let Some(port) = self
            .ports
            .get(&end.device)
            .and_then(|ports| find_port(ports, &end.port))
        else {
            return Ok(None);
        };
        let Some(speed) = port.speed_bps.filter(|s| *s > 0) else {
            return Ok(None);
        };
        let p = self
            .store
            .p95(&end.device, &port.key, self.from_ms, self.to_ms)
            .map_err(QuestionError::store("read p95"))?;
        let Some(p95_bps) = p.max_bps else {
            return Ok(None);
        };
        let latest = port.latest.as_ref();
        let now_bps = latest.and_then(|l| match (l.in_bps, l.out_bps) {
            (Some(i), Some(o)) => Some(i.max(o)),
            (a, b) => a.or(b),
        });
        Ok(Some(MeasuredEnd {
            device: end.device.clone(),
            port: port.key.clone(),
            speed_bps: speed as f64,
            p95_bps,
            n_samples: p.n_samples,
            now_bps,
            now_ms: latest.map(|l| l.time_ms),
        }))
    }

    /// The first measured end of `a_end`, `b_end`.
    pub fn measure_first(
        &mut self,
        ends: [Option<&PortRef>; 2],
    ) -> Result<Option<MeasuredEnd>, QuestionError> {
        for end in ends.into_iter().flatten() {
            if let Some(m) = self.measure(end)? {
                return Ok(Some(m));
            }
        }
        Ok(None)
    }
}

/// What [`lit_ports`] found, for the report's footnote.
#[derive(Debug, Default, Clone, Copy)]
pub struct LitStats {
    /// Circuit ends looked up.
    pub ends: usize,
    /// Ends with a port in the store, a speed and p95 samples.
    pub measured: usize,
}

/// The lit ports on each route: for every allocation with port ends, the 95th percentile of
/// the busier direction over `window` before `now_ms` (5-minute rollups) against the port's
/// speed.
pub fn lit_ports(
    store: &Store,
    cad: &cadastre::Cadastre,
    window: Duration,
    now_ms: i64,
) -> Result<(BTreeMap<String, Vec<LitPort>>, LitStats), QuestionError> {
    let mut meter = Meter::new(store, window, now_ms);
    let mut stats = LitStats::default();
    let mut failure = None;
    let lit = cadastre::network::lit_ports(cad, |end| {
        stats.ends += 1;
        if failure.is_some() {
            return None;
        }
        match meter.measure(end) {
            Ok(m) => {
                let m = m?;
                stats.measured += 1;
                Some(LitPort {
                    speed_bps: m.speed_bps,
                    p95_bps: m.p95_bps,
                })
            }
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok((lit, stats)),
    }
}

fn direction(d: OpticDirection) -> Direction {
    match d {
        OpticDirection::Rx => Direction::Rx,
        OpticDirection::Tx => Direction::Tx,
    }
}

/// An LLDP neighbour of `device` as the drift check reads it.
pub fn neighbour(device: &str, n: LldpNeighbour) -> Neighbour {
    Neighbour {
        device: device.to_string(),
        local_port: n.local_port,
        remote_chassis_id: n.remote_chassis_id,
        remote_system_name: n.remote_system_name,
        remote_port_id: n.remote_port_id,
        remote_port_descr: n.remote_port_descr,
    }
}

/// An optical level of `device` as the drift check reads it; `None` for a statistic of the
/// device's period (min/max/avg of its PM bin): loss is judged on the level now.
pub fn level(device: &str, o: OpticReading) -> Option<OpticLevel> {
    o.stat.is_current().then(|| OpticLevel {
        device: device.to_string(),
        port: o.port,
        lane: o.lane,
        direction: direction(o.direction),
        dbm: o.dbm,
        no_light: o.no_light,
    })
}

/// The store's LLDP tables and the optical levels read within `fresh` before `now_ms`.
pub fn observed_from_store(
    store: &Store,
    fresh: Duration,
    now_ms: i64,
) -> Result<Observed, QuestionError> {
    let tables = store
        .lldp_tables()
        .map_err(QuestionError::store("read the LLDP tables"))?;
    let fresh_ms = i64::try_from(fresh.as_millis()).unwrap_or(i64::MAX);
    let optics = store
        .optics_latest(now_ms.saturating_sub(fresh_ms))
        .map_err(QuestionError::store("read the optical levels"))?;
    Ok(Observed {
        lldp_devices: tables.devices,
        neighbours: tables
            .neighbours
            .into_iter()
            .map(|(d, n)| neighbour(&d, n))
            .collect(),
        chassis_ids: BTreeMap::new(),
        optics: optics
            .into_iter()
            .filter_map(|o| level(&o.device, o.reading))
            .collect(),
    })
}
