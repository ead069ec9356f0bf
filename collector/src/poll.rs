//! One poll of one device: the system group, then ifXTable and ifTable walked with GETBULK,
//! joined by ifIndex into owned [`PortCounters`]. Works from ifXTable alone (recordings and
//! modern agents without ifTable octets) and from ifTable alone (v1 devices).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::config::DeviceConfig;
use crate::ports::{key_ports, ByIndex};
use crate::sample::{DevicePoll, PollStatus, PortCounters};
use crate::snmp::oid::{oid, single_subid};
use crate::snmp::walk::{walk_many, Repetitions, Table};
use crate::snmp::{Oid, Session, SnmpError, Value};

/// Longest text kept from an agent (hostile agents send 12 KB strings).
const MAX_TEXT: usize = 255;

/// Why a poll failed, with the contract's status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PollError {
    pub status: PollStatus,
    pub message: String,
}

impl From<SnmpError> for PollError {
    fn from(e: SnmpError) -> Self {
        let status = match e {
            SnmpError::Timeout => PollStatus::Timeout,
            SnmpError::Auth(_) => PollStatus::AuthError,
            _ => PollStatus::Error,
        };
        PollError {
            status,
            message: e.to_string(),
        }
    }
}

/// The ifXTable columns a poll walks, by their sub-identifier under ifXEntry: ifName,
/// ifHCInOctets, ifHCInUcastPkts, ifHCOutOctets, ifHCOutUcastPkts, ifHighSpeed, ifAlias,
/// ifCounterDiscontinuityTime.
pub const IFX_COLUMNS: [u32; 8] = [1, 6, 7, 10, 11, 15, 18, 19];

/// IF-MIB columns, in the order the walker asks for them.
pub struct Columns {
    pub ifx: Vec<Oid>,
    pub ift: Vec<Oid>,
    pub system: Vec<Oid>,
}

impl Columns {
    pub fn new() -> Self {
        let x = |c: u32| oid("1.3.6.1.2.1.31.1.1.1").child(c);
        let t = |c: u32| oid("1.3.6.1.2.1.2.2.1").child(c);
        Columns {
            ifx: IFX_COLUMNS.into_iter().map(x).collect(),
            // ifDescr, ifSpeed, ifAdminStatus, ifOperStatus, ifInOctets, ifInUcastPkts,
            // ifInDiscards, ifInErrors, ifOutOctets, ifOutUcastPkts, ifOutDiscards, ifOutErrors
            ift: [2, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19, 20]
                .into_iter()
                .map(t)
                .collect(),
            // sysDescr, sysObjectID, sysUpTime, sysName
            system: [1, 2, 3, 5]
                .into_iter()
                .map(|c| oid("1.3.6.1.2.1.1").child(c).child(0))
                .collect(),
        }
    }
}

impl Default for Columns {
    fn default() -> Self {
        Self::new()
    }
}

/// What a device task keeps between polls: its session (v3 engine state) and the GETBULK
/// sizes that worked.
pub struct DeviceState {
    pub session: Session,
    pub reps: Repetitions,
    columns: Columns,
    if_index_by_key: HashMap<String, u32>,
    /// Which profiles apply, and the ENTITY-MIB map.
    pub profiles: crate::profiles::engine::ProfileState,
}

impl DeviceState {
    pub async fn new(dev: &DeviceConfig) -> Result<DeviceState, PollError> {
        let mut session = Session::new(dev.addr, &dev.auth, dev.timeout, dev.retries).await?;
        session.set_max_in_flight(dev.max_in_flight as usize);
        Ok(DeviceState {
            session,
            reps: Repetitions::new(dev.max_repetitions),
            columns: Columns::new(),
            if_index_by_key: HashMap::new(),
            profiles: Default::default(),
        })
    }
}

/// Polls one device once, within its budget. The session's receive buffer is released
/// afterwards, whatever the outcome.
pub async fn poll(dev: &DeviceConfig, st: &mut DeviceState) -> Result<DevicePoll, PollError> {
    let r = poll_once(dev, st).await;
    st.session.release_buffer();
    r
}

async fn poll_once(dev: &DeviceConfig, st: &mut DeviceState) -> Result<DevicePoll, PollError> {
    let started = Instant::now();
    let deadline = started + dev.budget;
    let over_budget = |e: SnmpError| {
        if Instant::now() >= deadline && e == SnmpError::Timeout && started.elapsed() > dev.timeout
        {
            PollError {
                status: PollStatus::Error,
                message: format!("poll exceeded its budget of {:?}", dev.budget),
            }
        } else {
            PollError::from(e)
        }
    };
    let mut out = DevicePoll {
        device: dev.name.clone(),
        ..DevicePoll::default()
    };
    system(st, deadline, &mut out).await.map_err(over_budget)?;
    out.time_ms = now_ms();
    // Both tables in flight together: one wake-up reads a reply of each.
    let groups = [st.columns.ifx.as_slice(), st.columns.ift.as_slice()];
    let mut attempt = 0;
    let (ifx, ift) = loop {
        let mut tables = walk_many(&mut st.session, &groups, &mut st.reps, deadline)
            .await
            .map_err(over_budget)?;
        let ift = tables.pop().unwrap_or_default();
        let ifx = tables.pop().unwrap_or_default();
        out.n_requests += ifx.n_requests + ift.n_requests;
        out.n_varbinds += ifx.n_varbinds + ift.n_varbinds;
        // Renumbered during the walk: each table holds indexes the other lacks. Joined, every
        // port would appear twice, half-filled; walk both again, once.
        if attempt == 0 && tables_disagree(&ifx, &ift) {
            tracing::info!(
                device = dev.name.as_str(),
                "ifXTable and ifTable disagree on ifIndex (renumbered during the walk): walked again"
            );
            attempt += 1;
            continue;
        }
        break (ifx, ift);
    };
    out.ports = join_ports(&ifx, &IFX_COLUMNS, &ift);
    note_renumbering(&dev.name, &out.ports, &mut st.if_index_by_key);
    crate::profiles::engine::collect(
        &mut st.session,
        &mut st.reps,
        deadline,
        &dev.profiles,
        &mut st.profiles,
        &mut out,
    )
    .await;
    out.duration_ms = started.elapsed().as_millis() as u64;
    Ok(out)
}

async fn system(
    st: &mut DeviceState,
    deadline: Instant,
    out: &mut DevicePoll,
) -> Result<(), SnmpError> {
    let mut wanted: Vec<Oid> = st.columns.system.clone();
    // v1 agents answer noSuchName for a missing object: drop it and ask again.
    for _ in 0..=wanted.len() {
        let refs: Vec<&Oid> = wanted.iter().collect();
        let r = st.session.get(&refs, deadline).await?;
        out.n_requests += 1;
        if r.error_status == 2 && r.error_index >= 1 && (r.error_index as usize) <= wanted.len() {
            wanted.remove(r.error_index as usize - 1);
            continue;
        }
        if r.error_status != 0 {
            return Err(SnmpError::ErrorStatus {
                status: r.error_status,
                index: r.error_index,
            });
        }
        if r.varbinds.len() != wanted.len() {
            return Err(SnmpError::Protocol(format!(
                "asked {} varbinds, got {}",
                wanted.len(),
                r.varbinds.len()
            )));
        }
        out.n_varbinds += r.varbinds.len() as u32;
        for ((got, v), want) in r.varbinds.into_iter().zip(&wanted) {
            if &got != want {
                return Err(SnmpError::Protocol(format!(
                    "asked {want}, the agent answered another OID"
                )));
            }
            match want.subids().get(7) {
                Some(1) => out.sys_descr = v.as_text(MAX_TEXT),
                Some(2) => {
                    if let Value::Oid(o) = v {
                        out.sys_object_id = Some(o.to_string());
                    }
                }
                Some(3) => {
                    if let Value::TimeTicks(t) = v {
                        out.sys_uptime = Some(t);
                    }
                }
                Some(5) => out.sys_name = v.as_text(MAX_TEXT),
                _ => {}
            }
        }
        return Ok(());
    }
    Err(SnmpError::Protocol(
        "system group: too many noSuchName".into(),
    ))
}

/// The ifIndex values of a table's rows (every column), sorted, each once.
fn indexes(t: &Table) -> Vec<u32> {
    let mut ix: Vec<u32> = (0..t.n_columns())
        .flat_map(|c| t.rows(c).filter_map(|(suffix, _)| single_subid(suffix)))
        .collect();
    // Each column is already in index order: the sort merges runs.
    ix.sort_unstable();
    ix.dedup();
    ix
}

/// True when each table has rows whose ifIndex the other lacks: the agent renumbered between
/// them (a table that only lacks some rows of the other, or is empty, is normal).
fn tables_disagree(ifx: &Table, ift: &Table) -> bool {
    let (a, b) = (indexes(ifx), indexes(ift));
    let lacks = |x: &[u32], y: &[u32]| x.iter().any(|i| y.binary_search(i).is_err());
    !a.is_empty() && !b.is_empty() && lacks(&a, &b) && lacks(&b, &a)
}

/// Joins the two tables by ifIndex into ports keyed by `ports::key_ports`. `ifx_columns`
/// names the ifXTable columns of `ifx` in order, by sub-identifier (a poll walks
/// [`IFX_COLUMNS`]; `irisops bench poll` walks 4 of them through this same join); `ift` holds
/// the ifTable columns of [`Columns::new`] (or none).
pub fn join_ports(ifx: &Table, ifx_columns: &[u32], ift: &Table) -> Vec<PortCounters> {
    let mut by_index = ByIndex::with_capacity(ifx.max_rows().max(ift.max_rows()));
    for (col, &column) in ifx_columns.iter().enumerate().take(ifx.n_columns()) {
        by_index.restart();
        for (suffix, v) in ifx.rows(col) {
            let Some(i) = single_subid(suffix) else {
                continue;
            };
            let p = by_index.entry(i, || PortCounters {
                if_index: i,
                ..PortCounters::default()
            });
            match column {
                1 => p.if_name = v.as_text(MAX_TEXT),
                6 => p.in_octets = v.as_u64(),
                7 => p.in_ucast_pkts = v.as_u64(),
                10 => p.out_octets = v.as_u64(),
                11 => p.out_ucast_pkts = v.as_u64(),
                15 => p.speed_bps = v.as_u64().filter(|&s| s > 0).map(|s| s * 1_000_000),
                18 => p.if_alias = v.as_text(MAX_TEXT),
                19 => {
                    if let Value::TimeTicks(t) = v {
                        p.discontinuity_time = Some(*t);
                    }
                }
                _ => {}
            }
        }
    }
    for p in by_index.ports_mut() {
        p.counter_bits = if p.in_octets.is_some() || p.out_octets.is_some() {
            64
        } else {
            32
        };
        p.pkts_bits_64 = p.in_ucast_pkts.is_some() || p.out_ucast_pkts.is_some();
    }
    for col in 0..ift.n_columns() {
        by_index.restart();
        for (suffix, v) in ift.rows(col) {
            let Some(i) = single_subid(suffix) else {
                continue;
            };
            let p = by_index.entry(i, || PortCounters {
                if_index: i,
                counter_bits: 32,
                ..PortCounters::default()
            });
            let n = v.as_u64();
            let hc = p.counter_bits == 64;
            match col {
                0 => p.if_descr = v.as_text(MAX_TEXT),
                1 if p.speed_bps.is_none() => p.speed_bps = n.filter(|&s| s > 0),
                2 => p.admin_status = n.and_then(|s| u8::try_from(s).ok()),
                3 => p.oper_status = n.and_then(|s| u8::try_from(s).ok()),
                4 if !hc => p.in_octets = n,
                5 if !p.pkts_bits_64 => p.in_ucast_pkts = n,
                6 => p.in_discards = n,
                7 => p.in_errors = n,
                8 if !hc => p.out_octets = n,
                9 if !p.pkts_bits_64 => p.out_ucast_pkts = n,
                10 => p.out_discards = n,
                11 => p.out_errors = n,
                _ => {}
            }
        }
    }
    let mut ports = by_index.into_ports();
    key_ports(&mut ports);
    ports
}

fn note_renumbering(device: &str, ports: &[PortCounters], seen: &mut HashMap<String, u32>) {
    for p in ports {
        match seen.insert(p.key.clone(), p.if_index) {
            Some(old) if old != p.if_index => tracing::warn!(
                device,
                port = %p.key,
                old_if_index = old,
                new_if_index = p.if_index,
                "ifIndex renumbered; the port's history continues"
            ),
            _ => {}
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(column: &str, indexes: &[u32]) -> Table {
        let col = oid(column);
        let mut t = Table::new(std::slice::from_ref(&col));
        for &i in indexes {
            let row = col.child(i);
            let suffix = row.suffix_after(&col).unwrap_or_default();
            t.push(0, suffix, Value::Counter64(u64::from(i)));
        }
        t
    }

    #[test]
    fn tables_disagree_only_when_each_has_indexes_the_other_lacks() {
        let ifx = |ix: &[u32]| table("1.3.6.1.2.1.31.1.1.1.6", ix);
        let ift = |ix: &[u32]| table("1.3.6.1.2.1.2.2.1.10", ix);
        assert!(!tables_disagree(&ifx(&[1, 2, 3]), &ift(&[1, 2, 3])));
        // One table with fewer rows, or none at all: normal (recordings lack columns).
        assert!(!tables_disagree(&ifx(&[1, 2]), &ift(&[1, 2, 3])));
        assert!(!tables_disagree(&ifx(&[1, 2, 3]), &ift(&[])));
        assert!(!tables_disagree(&ifx(&[]), &ift(&[7])));
        // Renumbered between them: 1-3 became 101-103.
        assert!(tables_disagree(&ifx(&[1, 2, 3]), &ift(&[101, 102, 103])));
        assert!(tables_disagree(&ifx(&[1, 2, 3]), &ift(&[2, 3, 4])));
    }

    proptest::proptest! {
        /// Against the definition on sets: neither index set contains the other.
        #[test]
        fn tables_disagree_is_neither_a_subset(
            a in proptest::collection::btree_set(1u32..40, 0..12),
            b in proptest::collection::btree_set(1u32..40, 0..12),
        ) {
            let av: Vec<u32> = a.iter().copied().collect();
            let bv: Vec<u32> = b.iter().copied().collect();
            let want = !a.is_empty() && !b.is_empty() && !a.is_subset(&b) && !b.is_subset(&a);
            let got = tables_disagree(
                &table("1.3.6.1.2.1.31.1.1.1.6", &av),
                &table("1.3.6.1.2.1.2.2.1.10", &bv),
            );
            proptest::prop_assert_eq!(got, want);
        }
    }
}
