//! What the graph questions take from the collector's store: the lit headroom of the ports at
//! the ends of the cadastre's circuits (`topology spare --config F`) and the LLDP tables and
//! optical levels (`topology drift`), or the same from a fixture file shaped like
//! `irisops poll --format json`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path as FsPath;
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use collector::config::Config;
use collector::sample::{LldpNeighbour, OpticDirection, OpticReading};
use collector::store::{PortInfo, Retention, Store, StoreError};
use topology::{Direction, LitPort, Neighbour, Observed, OpticLevel};

/// Opens the store a config names, refusing to create one (a typo must not read as "nothing
/// measured").
pub fn open_store(config: &FsPath) -> anyhow::Result<Store> {
    let cfg = Config::load(config).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid configuration:\n{}",
            config.display(),
            e.problems()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let path = &cfg.store.path;
    let retention = Retention {
        samples: cfg.store.retention,
        rollups: cfg.store.rollup_retention,
    };
    match Store::open_existing(path, retention) {
        Err(StoreError::NotFound { .. }) => anyhow::bail!(
            "no store at {} (store.path of {}): run `irisops serve` first",
            path.display(),
            config.display()
        ),
        r => r.with_context(|| format!("cannot open the store at {}", path.display())),
    }
}

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

/// What [`lit_ports`] found, for the report's footnote.
#[derive(Debug, Default, Clone, Copy)]
pub struct LitStats {
    /// Circuit ends looked up.
    pub ends: usize,
    /// Ends with a port in the store, a speed and p95 samples.
    pub measured: usize,
}

/// The lit ports on each route: for every allocation with port ends, the 95th percentile of
/// the busier direction over `window` before now (5-minute rollups; the store is rolled up
/// first so the latest buckets count) against the port's speed.
pub fn lit_ports(
    store: &mut Store,
    cad: &cadastre::Cadastre,
    window: Duration,
) -> anyhow::Result<(BTreeMap<String, Vec<LitPort>>, LitStats)> {
    let now = collector::poll::now_ms();
    store.rollup(now).context("cannot roll the store up")?;
    let from = now - window.as_millis() as i64;
    let mut ports: HashMap<String, Vec<PortInfo>> = HashMap::new();
    let mut stats = LitStats::default();
    let mut failure: Option<anyhow::Error> = None;
    let lit = cadastre::network::lit_ports(cad, |end| {
        stats.ends += 1;
        if failure.is_some() {
            return None;
        }
        if !ports.contains_key(&end.device) {
            let found = match store.ports(&end.device) {
                Ok(found) => found,
                // A device the store never saw is unmeasured, not an error.
                Err(StoreError::UnknownDevice { .. }) => Vec::new(),
                Err(e) => {
                    failure = Some(anyhow::Error::new(e).context("cannot read ports"));
                    return None;
                }
            };
            ports.insert(end.device.clone(), found);
        }
        let port = find_port(ports.get(&end.device)?, &end.port)?;
        let speed = port.speed_bps.filter(|s| *s > 0)? as f64;
        match store.p95(&end.device, &port.key, from, now) {
            Ok(p) => {
                let p95 = p.max_bps?;
                stats.measured += 1;
                Some(LitPort {
                    speed_bps: speed,
                    p95_bps: p95,
                })
            }
            Err(e) => {
                failure = Some(anyhow::Error::new(e).context("cannot read p95"));
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

fn neighbour(device: &str, n: LldpNeighbour) -> Neighbour {
    Neighbour {
        device: device.to_string(),
        local_port: n.local_port,
        remote_chassis_id: n.remote_chassis_id,
        remote_system_name: n.remote_system_name,
        remote_port_id: n.remote_port_id,
        remote_port_descr: n.remote_port_descr,
    }
}

fn level(device: &str, o: OpticReading) -> OpticLevel {
    OpticLevel {
        device: device.to_string(),
        port: o.port,
        lane: o.lane,
        direction: direction(o.direction),
        dbm: o.dbm,
    }
}

/// The store's LLDP tables and the optical levels read within `fresh` before now.
pub fn observed_from_store(store: &Store, fresh: Duration) -> anyhow::Result<Observed> {
    let tables = store.lldp_tables().context("cannot read the LLDP tables")?;
    let optics = store
        .optics_latest(collector::poll::now_ms() - fresh.as_millis() as i64)
        .context("cannot read the optical levels")?;
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
            .map(|o| level(&o.device, o.reading))
            .collect(),
    })
}

/// A device of a fixture (`{"devices": [{"name", "lldp", "optics", "lldp_chassis_id"}]}`).
#[derive(Deserialize)]
struct FixtureDevice {
    name: String,
    /// Absent or null: the LLDP table was not read.
    #[serde(default)]
    lldp: Option<Vec<LldpNeighbour>>,
    #[serde(default)]
    optics: Vec<OpticReading>,
    /// The device's own chassis id, to resolve remotes that give no system name.
    #[serde(default)]
    lldp_chassis_id: Option<String>,
}

#[derive(Deserialize)]
struct Fixture {
    devices: Vec<FixtureDevice>,
}

/// Observations from a file shaped like `irisops poll --format json` (extra keys ignored).
pub fn observed_from_file(file: &FsPath) -> anyhow::Result<Observed> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let fixture: Fixture = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a poll report ({{\"devices\": [{{\"name\", \"lldp\", \"optics\"}}]}})",
            file.display()
        )
    })?;
    let mut out = Observed::default();
    for d in fixture.devices {
        if let Some(c) = d.lldp_chassis_id {
            out.chassis_ids.insert(d.name.clone(), c);
        }
        if let Some(table) = d.lldp {
            out.lldp_devices.insert(d.name.clone());
            out.neighbours
                .extend(table.into_iter().map(|n| neighbour(&d.name, n)));
        }
        out.optics
            .extend(d.optics.into_iter().map(|o| level(&d.name, o)));
    }
    Ok(out)
}
