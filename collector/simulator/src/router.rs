//! The MIB of a described router: the standard tables over its ports, LLDP-MIB (local system,
//! local ports, remote neighbours), ENTITY-MIB (chassis, optical ports, their Rx/Tx sensors, the
//! port → ifIndex alias) and ENTITY-SENSOR-MIB (levels in hundredths of a dBm).
//!
//! Rows are computed once when the simulator starts, sorted by index; only the sensor values
//! depend on the time of the request (a wobble of at most ±2 hundredths around the level).

use std::sync::Arc;

use super::backbone::{Router, RouterPort};
use super::ber::Value;
use super::mib::{DeviceNow, Table};
use super::model;
use super::tables::{self, Identity, NamedPort};

/// sysObjectID of routers: a Juniper MX (jnxProductNameMX960).
const SYS_OBJECT_ID: &[u32] = &[1, 3, 6, 1, 4, 1, 2636, 1, 1, 1, 2, 29];
/// LLDP-MIB lldpLocalSystemData.
const LLDP_LOCAL: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3];
/// LLDP-MIB lldpLocPortEntry.
const LLDP_LOC_PORT: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3, 7, 1];
/// LLDP-MIB lldpRemEntry.
const LLDP_REM: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1];
/// ENTITY-MIB entPhysicalEntry.
const ENT_PHYSICAL: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];
/// ENTITY-MIB entAliasMappingEntry.
const ENT_ALIAS: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 3, 2, 1];
/// ENTITY-SENSOR-MIB entPhySensorEntry.
const ENT_SENSOR: &[u32] = &[1, 3, 6, 1, 2, 1, 99, 1, 1, 1];
/// IF-MIB ifIndex: the alias of a port entity is this OID plus the ifIndex.
const IF_INDEX: [u32; 10] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 1];

/// LLDP chassis id subtype macAddress, port id subtype interfaceName.
const CHASSIS_MAC: i64 = 4;
const PORT_IF_NAME: i64 = 5;
/// entPhysicalClass values.
const CLASS_CHASSIS: i64 = 3;
const CLASS_SENSOR: i64 = 8;
const CLASS_PORT: i64 = 10;
/// Entity index of the chassis, and the bases of ports and sensors.
const CHASSIS: u32 = 1;
const PORT_BASE: u32 = 1000;
const SENSOR_BASE: u32 = 100_000;

/// The tables of `router`, whose device must have `router.ports.len()` ports.
pub(crate) fn tables(router: &Router) -> Vec<Box<dyn Table>> {
    let ports: Arc<[NamedPort]> = router.ports.iter().map(named_port).collect();
    let identity = Identity {
        name: router.name.clone(),
        descr: format!(
            "irisops simulated backbone router {}, {} ports",
            router.name,
            router.ports.len()
        ),
        object_id: SYS_OBJECT_ID,
    };
    let router = Arc::new(router.clone());
    let mut out = tables::described(identity, ports);
    out.push(Box::new(LldpLocal(Arc::clone(&router))));
    out.push(Box::new(LldpLocPort(Arc::clone(&router))));
    out.push(Box::new(LldpRem::new(Arc::clone(&router))));
    let entities = Entities::new(&router);
    out.push(Box::new(EntPhysical(entities.physical)));
    out.push(Box::new(EntAlias(entities.aliases)));
    out.push(Box::new(EntSensor(entities.sensors)));
    out
}

fn named_port(p: &RouterPort) -> NamedPort {
    NamedPort {
        name: p.name.clone(),
        speed_bps: p.speed_bps,
        alias: p
            .neighbour
            .as_ref()
            .map(|n| format!("to {} {}", n.system_name, n.port))
            .unwrap_or_default(),
    }
}

/// ifIndex of the port at `row` (ports are numbered 1..n in order).
fn if_index(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

fn one_arc(out: &mut Vec<u32>, arc: u32) {
    out.clear();
    out.push(arc);
}

/// lldpLocChassisIdSubtype, lldpLocChassisId, lldpLocSysName.
struct LldpLocal(Arc<Router>);

impl Table for LldpLocal {
    fn entry(&self) -> &'static [u32] {
        LLDP_LOCAL
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 2, 3]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        1
    }
    fn index(&self, _dev: &DeviceNow<'_>, _row: usize, out: &mut Vec<u32>) {
        one_arc(out, 0);
    }
    fn value<'s>(
        &'s self,
        _: &DeviceNow<'_>,
        column: u32,
        _: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        match column {
            1 => Value::Integer(CHASSIS_MAC),
            2 => Value::Octets(&self.0.chassis_mac),
            _ => Value::Octets(self.0.name.as_bytes()),
        }
    }
}

/// lldpLocPortTable: one row per port, indexed by lldpLocPortNum = ifIndex.
struct LldpLocPort(Arc<Router>);

impl Table for LldpLocPort {
    fn entry(&self) -> &'static [u32] {
        LLDP_LOC_PORT
    }
    fn all_columns(&self) -> &'static [u32] {
        &[2, 3, 4]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.ports.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        one_arc(out, if_index(row));
    }
    fn value<'s>(
        &'s self,
        _: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let name = self
            .0
            .ports
            .get(row)
            .map_or(&b""[..], |p| p.name.as_bytes());
        match column {
            2 => Value::Integer(PORT_IF_NAME),
            _ => Value::Octets(name),
        }
    }
}

/// lldpRemTable: one row per port with a neighbour, index timeMark.localPortNum.remIndex =
/// 0.ifIndex.1.
struct LldpRem {
    router: Arc<Router>,
    /// Rows of the ports that have a neighbour, in port order.
    rows: Vec<usize>,
}

impl LldpRem {
    fn new(router: Arc<Router>) -> Self {
        let rows = (0..router.ports.len())
            .filter(|&i| router.ports[i].neighbour.is_some())
            .collect();
        LldpRem { router, rows }
    }
}

impl Table for LldpRem {
    fn entry(&self) -> &'static [u32] {
        LLDP_REM
    }
    fn all_columns(&self) -> &'static [u32] {
        &[4, 5, 6, 7, 8, 9]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.rows.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend([0, if_index(self.rows.get(row).copied().unwrap_or(0)), 1]);
    }
    fn value<'s>(
        &'s self,
        _: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let neighbour = self
            .rows
            .get(row)
            .and_then(|&p| self.router.ports.get(p))
            .and_then(|p| p.neighbour.as_ref());
        let Some(n) = neighbour else {
            return Value::Octets(&[]);
        };
        match column {
            4 => Value::Integer(CHASSIS_MAC),
            5 => Value::Octets(&n.chassis_mac),
            6 => Value::Integer(PORT_IF_NAME),
            7 | 8 => Value::Octets(n.port.as_bytes()),
            _ => Value::Octets(n.system_name.as_bytes()),
        }
    }
}

/// One entPhysicalTable row.
struct Physical {
    index: u32,
    descr: String,
    contained_in: u32,
    class: i64,
    name: String,
}

/// One optical sensor: its entity index and level.
struct Sensor {
    index: u32,
    centi_dbm: i64,
}

/// The ENTITY-MIB rows of a router, each list sorted by entity index.
struct Entities {
    physical: Vec<Physical>,
    /// (port entity, the OID ifIndex.<ifIndex>).
    aliases: Vec<(u32, [u32; 11])>,
    sensors: Vec<Sensor>,
}

impl Entities {
    fn new(router: &Router) -> Self {
        let mut physical = vec![Physical {
            index: CHASSIS,
            descr: format!("{} chassis", router.name),
            contained_in: 0,
            class: CLASS_CHASSIS,
            name: router.name.clone(),
        }];
        let (mut aliases, mut sensors, mut sensor_rows) = (Vec::new(), Vec::new(), Vec::new());
        for (row, port) in router.ports.iter().enumerate() {
            let levels = [(1, "Rx", port.rx_dbm), (2, "Tx", port.tx_dbm)];
            if levels.iter().all(|l| l.2.is_none()) {
                continue;
            }
            let if_index = if_index(row);
            let entity = PORT_BASE + if_index;
            physical.push(Physical {
                index: entity,
                descr: port.name.clone(),
                contained_in: CHASSIS,
                class: CLASS_PORT,
                name: port.name.clone(),
            });
            let mut alias = [0; 11];
            alias[..10].copy_from_slice(&IF_INDEX);
            alias[10] = if_index;
            aliases.push((entity, alias));
            for (offset, what, dbm) in levels {
                let Some(dbm) = dbm else { continue };
                let index = SENSOR_BASE + 10 * if_index + offset;
                let name = format!("{} {what} Power", port.name);
                sensor_rows.push(Physical {
                    index,
                    descr: name.clone(),
                    contained_in: entity,
                    class: CLASS_SENSOR,
                    name,
                });
                sensors.push(Sensor {
                    index,
                    centi_dbm: (dbm * 100.0).round() as i64,
                });
            }
        }
        // Validation keeps port entities (≤ 100000) below the sensors (≥ 100011).
        physical.extend(sensor_rows);
        Entities {
            physical,
            aliases,
            sensors,
        }
    }
}

/// entPhysicalTable: Descr, ContainedIn, Class, Name.
struct EntPhysical(Vec<Physical>);

impl Table for EntPhysical {
    fn entry(&self) -> &'static [u32] {
        ENT_PHYSICAL
    }
    fn all_columns(&self) -> &'static [u32] {
        &[2, 4, 5, 7]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        one_arc(out, self.0.get(row).map_or(0, |p| p.index));
    }
    fn value<'s>(
        &'s self,
        _: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let Some(p) = self.0.get(row) else {
            return Value::Octets(&[]);
        };
        match column {
            2 => Value::Octets(p.descr.as_bytes()),
            4 => Value::Integer(i64::from(p.contained_in)),
            5 => Value::Integer(p.class),
            _ => Value::Octets(p.name.as_bytes()),
        }
    }
}

/// entAliasMappingIdentifier: port entity → its ifIndex instance, index entity.0.
struct EntAlias(Vec<(u32, [u32; 11])>);

impl Table for EntAlias {
    fn entry(&self) -> &'static [u32] {
        ENT_ALIAS
    }
    fn all_columns(&self) -> &'static [u32] {
        &[2]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend([self.0.get(row).map_or(0, |a| a.0), 0]);
    }
    fn value<'s>(&'s self, _: &DeviceNow<'_>, _: u32, row: usize, _: &'s mut Vec<u8>) -> Value<'s> {
        Value::Oid(self.0.get(row).map_or(&IF_INDEX[..], |a| &a.1[..]))
    }
}

/// entPhySensorTable: dBm in units with precision 2, so the value is hundredths of a dBm.
struct EntSensor(Vec<Sensor>);

/// entPhySensorType dBm(14), entPhySensorScale units(9), precision, operStatus ok(1).
const SENSOR_DBM: i64 = 14;
const SCALE_UNITS: i64 = 9;
const PRECISION: i64 = 2;
/// The level changes at most once per this period, by at most ±2 hundredths of a dBm.
const WOBBLE_MS: u64 = 60_000;

impl Table for EntSensor {
    fn entry(&self) -> &'static [u32] {
        ENT_SENSOR
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 2, 3, 4, 5]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        self.0.len()
    }
    fn index(&self, _dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        one_arc(out, self.0.get(row).map_or(0, |s| s.index));
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        row: usize,
        _: &'s mut Vec<u8>,
    ) -> Value<'s> {
        match column {
            1 => Value::Integer(SENSOR_DBM),
            2 => Value::Integer(SCALE_UNITS),
            3 => Value::Integer(PRECISION),
            4 => {
                let Some(s) = self.0.get(row) else {
                    return Value::Integer(0);
                };
                let h = model::hash(&[
                    dev.seed,
                    u64::from(dev.device),
                    u64::from(s.index),
                    dev.now_ms / WOBBLE_MS,
                ]);
                Value::Integer(s.centi_dbm + (h % 5) as i64 - 2)
            }
            _ => Value::Integer(1),
        }
    }
}
