//! The tables every simulated device serves: the system group, ifNumber, ifTable and ifXTable,
//! with counters from the traffic [`model`](super::model). Generated devices (`devNNNN`) get
//! generated ports; described backbone devices give their own name, identity and ports.

use std::io::Write;
use std::sync::Arc;

use super::ber::Value;
use super::mib::{DeviceNow, Table};
use super::model::{self, Counters, Direction};

/// sysObjectID: net-snmp's Linux agent (NET-SNMP-MIB netSnmpAgentOIDs.10).
const SYS_OBJECT_ID: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 3, 2, 10];

/// The tables of a generated device, for [`Mib::new`](super::mib::Mib::new).
pub(crate) fn standard() -> Vec<Box<dyn Table>> {
    vec![
        Box::new(System(None)),
        Box::new(Interfaces),
        Box::new(IfTable(Ports::Generated)),
        Box::new(IfXTable(Ports::Generated)),
    ]
}

/// The standard tables of a described device: its identity and one ifTable row per port, with
/// ifIndex 1..n in order (the device's `n_ports` must be `ports.len()`).
pub(crate) fn described(identity: Identity, ports: Arc<[NamedPort]>) -> Vec<Box<dyn Table>> {
    vec![
        system(identity),
        Box::new(Interfaces),
        Box::new(IfTable(Ports::Named(Arc::clone(&ports)))),
        Box::new(IfXTable(Ports::Named(ports))),
    ]
}

/// The system group alone, of a described device without interfaces (a wifi controller).
pub(crate) fn system(identity: Identity) -> Box<dyn Table> {
    Box::new(System(Some(identity)))
}

/// Who a described device says it is; generated devices are `devNNNN`.
pub(crate) struct Identity {
    pub name: String,
    pub descr: String,
    pub object_id: &'static [u32],
}

/// A described port, served instead of a generated one; traffic still comes from the model.
pub(crate) struct NamedPort {
    pub name: String,
    pub speed_bps: u64,
    pub alias: String,
}

/// The ports behind ifTable and ifXTable.
enum Ports {
    Generated,
    Named(Arc<[NamedPort]>),
}

impl Ports {
    fn named(&self, n: u32) -> Option<&NamedPort> {
        match self {
            Ports::Generated => None,
            Ports::Named(ports) => ports.get(n.checked_sub(1)? as usize),
        }
    }

    /// The model of port `n` (1-based); described ports are up at their given speed.
    fn model(&self, dev: &DeviceNow<'_>, n: u32) -> model::Port {
        match self.named(n) {
            Some(p) => model::port_with(dev.seed, dev.device, n, p.speed_bps, true),
            None => model::port(dev.seed, dev.device, n),
        }
    }

    fn write_name(&self, out: &mut Vec<u8>, port: &model::Port, n: u32) {
        match self.named(n) {
            Some(p) => out.extend_from_slice(p.name.as_bytes()),
            None => write_name(out, port, n),
        }
    }

    fn write_alias(&self, dev: &DeviceNow<'_>, out: &mut Vec<u8>, port: &model::Port, n: u32) {
        if let Some(p) = self.named(n) {
            out.extend_from_slice(p.alias.as_bytes());
        } else if port.up {
            let peer =
                1 + model::hash(&[dev.seed, u64::from(dev.device), u64::from(n), 0xa1]) % 9999;
            let _ = write!(out, "backbone to dev{peer:04}");
        }
    }
}

/// ifIndex of `port` (1-based): shifted by 1000 per reboot on a renumbering device.
pub(crate) fn if_index(dev: &DeviceNow<'_>, port: u32) -> u32 {
    if dev.faults.renumber {
        let shift = (dev.boot_count % 2_000_000).saturating_mul(1000);
        u32::try_from(u64::from(port) + shift).unwrap_or(u32::MAX)
    } else {
        port
    }
}

/// ifName and ifDescr, Juniper style by speed: `ge-0/0/N`, `xe-0/0/N`, `et-0/0/N` (N from 0).
fn write_name(out: &mut Vec<u8>, port: &model::Port, n: u32) {
    let kind = match port.speed_bps {
        s if s >= 100_000_000_000 => "et",
        s if s >= 10_000_000_000 => "xe",
        _ => "ge",
    };
    let _ = write!(out, "{kind}-0/0/{}", n - 1);
}

fn write_device_name(out: &mut Vec<u8>, device: u32) {
    let _ = write!(out, "dev{device:04}");
}

/// A scalar group: one row with index `.0`.
fn scalar_index(out: &mut Vec<u32>) {
    out.clear();
    out.push(0);
}

/// The system group (SNMPv2-MIB).
struct System(Option<Identity>);

impl Table for System {
    fn entry(&self) -> &'static [u32] {
        &[1, 3, 6, 1, 2, 1, 1]
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 2, 3, 5]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        1
    }
    fn index(&self, _dev: &DeviceNow<'_>, _row: usize, out: &mut Vec<u32>) {
        scalar_index(out);
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        _row: usize,
        scratch: &'s mut Vec<u8>,
    ) -> Value<'s> {
        scratch.clear();
        if let Some(id) = &self.0 {
            return match column {
                1 => Value::Octets(id.descr.as_bytes()),
                2 => Value::Oid(id.object_id),
                3 => uptime(dev),
                _ => Value::Octets(id.name.as_bytes()),
            };
        }
        match column {
            1 => {
                let _ = write!(
                    scratch,
                    "irisops simulated backbone router, {} ports, ",
                    dev.n_ports
                );
                write_device_name(scratch, dev.device);
                Value::Octets(scratch)
            }
            2 => Value::Oid(SYS_OBJECT_ID),
            3 => uptime(dev),
            _ => {
                write_device_name(scratch, dev.device);
                Value::Octets(scratch)
            }
        }
    }
}

/// sysUpTime: hundredths of a second since boot.
fn uptime(dev: &DeviceNow<'_>) -> Value<'static> {
    Value::TimeTicks((dev.now_ms.saturating_sub(dev.boot_ms) / 10) as u32)
}

/// ifNumber (IF-MIB interfaces group).
struct Interfaces;

impl Table for Interfaces {
    fn entry(&self) -> &'static [u32] {
        &[1, 3, 6, 1, 2, 1, 2]
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1]
    }
    fn n_rows(&self, _dev: &DeviceNow<'_>) -> usize {
        1
    }
    fn index(&self, _dev: &DeviceNow<'_>, _row: usize, out: &mut Vec<u32>) {
        scalar_index(out);
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        _column: u32,
        _row: usize,
        _scratch: &'s mut Vec<u8>,
    ) -> Value<'s> {
        Value::Integer(i64::from(dev.n_ports))
    }
}

/// Port number (1-based) of a row.
fn port_of(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

fn port_index(dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
    out.clear();
    out.push(if_index(dev, port_of(row)));
}

fn counters(dev: &DeviceNow<'_>, port: &model::Port, dir: Direction) -> Counters {
    port.counters(dir, dev.boot_ms, dev.now_ms)
}

/// ifTable (IF-MIB): 32-bit counters, wrapping.
struct IfTable(Ports);

impl Table for IfTable {
    fn entry(&self) -> &'static [u32] {
        &[1, 3, 6, 1, 2, 1, 2, 2, 1]
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 2, 3, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19, 20]
    }
    fn n_rows(&self, dev: &DeviceNow<'_>) -> usize {
        dev.n_ports as usize
    }
    fn index(&self, dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        port_index(dev, row, out);
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        row: usize,
        scratch: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let n = port_of(row);
        let port = self.0.model(dev, n);
        let c32 = |dir, pick: fn(&Counters) -> u64| {
            Value::Counter32(pick(&counters(dev, &port, dir)) as u32)
        };
        match column {
            1 => Value::Integer(i64::from(if_index(dev, n))),
            2 => {
                scratch.clear();
                self.0.write_name(scratch, &port, n);
                Value::Octets(scratch)
            }
            3 => Value::Integer(6),
            5 => Value::Gauge32(u32::try_from(port.speed_bps).unwrap_or(u32::MAX)),
            7 => Value::Integer(1),
            8 => Value::Integer(if port.up { 1 } else { 2 }),
            10 => c32(Direction::In, |c| c.octets),
            11 => c32(Direction::In, |c| c.packets),
            13 => c32(Direction::In, |c| c.discards),
            14 => c32(Direction::In, |c| c.errors),
            16 => c32(Direction::Out, |c| c.octets),
            17 => c32(Direction::Out, |c| c.packets),
            19 => c32(Direction::Out, |c| c.discards),
            _ => c32(Direction::Out, |c| c.errors),
        }
    }
}

/// ifXTable (IF-MIB): names, 64-bit counters, speed in Mbit/s and the alias.
struct IfXTable(Ports);

impl Table for IfXTable {
    fn entry(&self) -> &'static [u32] {
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1]
    }
    fn all_columns(&self) -> &'static [u32] {
        &[1, 6, 7, 10, 11, 15, 18]
    }
    fn columns(&self, dev: &DeviceNow<'_>) -> &'static [u32] {
        if dev.faults.counter32 {
            &[1]
        } else {
            self.all_columns()
        }
    }
    fn n_rows(&self, dev: &DeviceNow<'_>) -> usize {
        dev.n_ports as usize
    }
    fn index(&self, dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>) {
        port_index(dev, row, out);
    }
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        row: usize,
        scratch: &'s mut Vec<u8>,
    ) -> Value<'s> {
        let n = port_of(row);
        let port = self.0.model(dev, n);
        let c64 =
            |dir, pick: fn(&Counters) -> u64| Value::Counter64(pick(&counters(dev, &port, dir)));
        scratch.clear();
        match column {
            1 => {
                self.0.write_name(scratch, &port, n);
                Value::Octets(scratch)
            }
            6 => c64(Direction::In, |c| c.octets),
            7 => c64(Direction::In, |c| c.packets),
            10 => c64(Direction::Out, |c| c.octets),
            11 => c64(Direction::Out, |c| c.packets),
            15 => Value::Gauge32(u32::try_from(port.speed_bps / 1_000_000).unwrap_or(u32::MAX)),
            _ => {
                self.0.write_alias(dev, scratch, &port, n);
                Value::Octets(scratch)
            }
        }
    }
}
