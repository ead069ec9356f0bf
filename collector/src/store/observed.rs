//! What the profiles observe besides interface counters: LLDP neighbour tables (latest only:
//! a neighbour table is state, not a series) and optical levels (a series of current levels,
//! pruned with the samples; a device's period statistics are not kept here). Written in the
//! same transaction as the poll's samples (see `write.rs`).

use std::collections::BTreeSet;

use rusqlite::{params, Transaction};

use super::sql;
use super::{Store, StoreError};
use crate::sample::{ApStatus, LldpNeighbour, OpticDirection, OpticReading, Wifi};

/// Every device's LLDP table as last read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LldpTables {
    /// Devices whose table was read at least once (even if it was empty).
    pub devices: BTreeSet<String>,
    /// `(device, neighbour)`, by device then in the order the poll read them.
    pub neighbours: Vec<(String, LldpNeighbour)>,
}

/// The latest optical level of one (device, port, lane, direction).
#[derive(Debug, Clone, PartialEq)]
pub struct LatestOptic {
    pub device: String,
    pub time_ms: i64,
    pub reading: OpticReading,
}

fn direction_code(d: OpticDirection) -> i64 {
    match d {
        OpticDirection::Rx => 0,
        OpticDirection::Tx => 1,
    }
}

/// An optic row back from its columns (lane 0 = single-lane, direction 1 = tx): a current
/// level.
fn reading(port: String, lane: i64, direction: i64, dbm: f64, no_light: bool) -> OpticReading {
    let direction = if direction == 1 {
        OpticDirection::Tx
    } else {
        OpticDirection::Rx
    };
    let lane = u32::try_from(lane).ok().filter(|l| *l > 0);
    OpticReading {
        no_light,
        ..OpticReading::current(port, lane, direction, dbm)
    }
}

/// Replaces `device_id`'s LLDP table with `table`, read at `time_ms`.
pub(super) fn write_lldp(
    tx: &Transaction<'_>,
    device_id: i64,
    time_ms: i64,
    table: &[LldpNeighbour],
) -> rusqlite::Result<()> {
    // An older poll written late (a retried batch) must not replace a newer table.
    let newer: Option<i64> = tx
        .prepare_cached("SELECT time_ms FROM lldp_read WHERE device_id = ?1 AND time_ms > ?2")?
        .query_row(params![device_id, time_ms], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    if newer.is_some() {
        return Ok(());
    }
    tx.prepare_cached("DELETE FROM lldp_neighbour WHERE device_id = ?1")?
        .execute([device_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO lldp_neighbour (device_id, seq, local_port, remote_chassis_id,
           remote_system_name, remote_port_id, remote_port_descr)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (seq, n) in table.iter().enumerate() {
        insert.execute(params![
            device_id,
            seq as i64,
            n.local_port,
            n.remote_chassis_id,
            n.remote_system_name,
            n.remote_port_id,
            n.remote_port_descr
        ])?;
    }
    tx.prepare_cached(
        "INSERT INTO lldp_read (device_id, time_ms) VALUES (?1, ?2)
         ON CONFLICT (device_id) DO UPDATE SET time_ms = excluded.time_ms",
    )?
    .execute(params![device_id, time_ms])?;
    Ok(())
}

/// Appends `device_id`'s current optical levels at `time_ms` (a rewritten poll replaces its
/// rows). Non-finite levels and statistics of the device's period are not stored: the series
/// is the level now, one per poll.
pub(super) fn write_optics(
    tx: &Transaction<'_>,
    device_id: i64,
    time_ms: i64,
    optics: &[OpticReading],
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO optic_sample
           (device_id, port, lane, direction, time_ms, dbm, no_light)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for o in optics
        .iter()
        .filter(|o| o.dbm.is_finite() && o.stat.is_current())
    {
        insert.execute(params![
            device_id,
            o.port,
            o.lane.map_or(0, i64::from),
            direction_code(o.direction),
            time_ms,
            o.dbm,
            o.no_light
        ])?;
    }
    Ok(())
}

/// Writes a controller's totals and every AP at `time_ms` (a rewritten poll replaces its rows).
pub(super) fn write_wifi(
    tx: &Transaction<'_>,
    device_id: i64,
    time_ms: i64,
    wifi: &Wifi,
) -> rusqlite::Result<()> {
    let sat = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO wifi_sample (device_id, time_ms, aps_total, aps_up, clients_total)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        device_id,
        time_ms,
        sat(wifi.aps_total),
        sat(wifi.aps_up),
        sat(wifi.clients_total)
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO wifi_ap_sample (device_id, ap, time_ms, mac, status, clients)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for ap in &wifi.aps {
        insert.execute(params![
            device_id,
            ap.name,
            time_ms,
            ap.mac,
            ap.status,
            ap.clients.map(sat)
        ])?;
    }
    Ok(())
}

/// Deletes optical levels and wifi samples older than `cutoff_ms`.
pub(super) fn prune_optics(tx: &Transaction<'_>, cutoff_ms: i64) -> rusqlite::Result<usize> {
    let mut n = 0;
    for table in ["optic_sample", "wifi_sample", "wifi_ap_sample"] {
        n += tx
            .prepare_cached(&format!("DELETE FROM {table} WHERE time_ms < ?1"))?
            .execute([cutoff_ms])?;
    }
    Ok(n)
}

/// A controller's latest wifi poll.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestWifi {
    pub device: String,
    pub time_ms: i64,
    pub wifi: Wifi,
}

impl Store {
    /// Every device's LLDP table as last read.
    pub fn lldp_tables(&self) -> Result<LldpTables, StoreError> {
        let op = "read lldp";
        let mut out = LldpTables::default();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.name FROM lldp_read r JOIN device d USING (device_id) ORDER BY d.name",
            )
            .map_err(sql(&self.path, op))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sql(&self.path, op))?;
        for n in names {
            out.devices.insert(n.map_err(sql(&self.path, op))?);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.name, n.local_port, n.remote_chassis_id, n.remote_system_name,
                   n.remote_port_id, n.remote_port_descr
                 FROM lldp_neighbour n JOIN device d USING (device_id)
                 ORDER BY d.name, n.seq",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    LldpNeighbour {
                        local_port: r.get(1)?,
                        remote_chassis_id: r.get(2)?,
                        remote_system_name: r.get(3)?,
                        remote_port_id: r.get(4)?,
                        remote_port_descr: r.get(5)?,
                    },
                ))
            })
            .map_err(sql(&self.path, op))?;
        for row in rows {
            out.neighbours.push(row.map_err(sql(&self.path, op))?);
        }
        Ok(out)
    }

    /// The latest optical level of every (device, port, lane, direction) with one at or after
    /// `since_ms` (older levels are stale: the transceiver may be gone).
    pub fn optics_latest(&self, since_ms: i64) -> Result<Vec<LatestOptic>, StoreError> {
        let op = "read optics";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.name, o.port, o.lane, o.direction, max(o.time_ms), o.dbm, o.no_light
                 FROM optic_sample o JOIN device d USING (device_id)
                 WHERE o.time_ms >= ?1
                 GROUP BY o.device_id, o.port, o.lane, o.direction
                 ORDER BY d.name, o.port, o.lane, o.direction",
            )
            .map_err(sql(&self.path, op))?;
        // SQLite's bare columns with max(): `dbm` and `no_light` come from the row holding the
        // max time.
        let rows = stmt
            .query_map([since_ms], |r| {
                let lane: i64 = r.get(2)?;
                let direction: i64 = r.get(3)?;
                Ok(LatestOptic {
                    device: r.get(0)?,
                    time_ms: r.get(4)?,
                    reading: reading(r.get(1)?, lane, direction, r.get(5)?, r.get(6)?),
                })
            })
            .map_err(sql(&self.path, op))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))
    }

    /// Every controller's latest wifi poll (totals and APs of that poll).
    pub fn wifi_latest(&self) -> Result<Vec<LatestWifi>, StoreError> {
        let op = "read wifi";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.name, w.device_id, max(w.time_ms), w.aps_total, w.aps_up, w.clients_total
                 FROM wifi_sample w JOIN device d USING (device_id)
                 GROUP BY w.device_id ORDER BY d.name",
            )
            .map_err(sql(&self.path, op))?;
        let heads = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    [
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, i64>(5)?,
                    ],
                ))
            })
            .map_err(sql(&self.path, op))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))?;
        let mut out = Vec::with_capacity(heads.len());
        let mut aps = self
            .conn
            .prepare_cached(
                "SELECT ap, mac, status, clients FROM wifi_ap_sample
                 WHERE device_id = ?1 AND time_ms = ?2 ORDER BY ap",
            )
            .map_err(sql(&self.path, op))?;
        for (device, id, time_ms, [total, up, clients]) in heads {
            let list = aps
                .query_map(params![id, time_ms], |r| {
                    Ok(ApStatus {
                        name: r.get(0)?,
                        mac: r.get(1)?,
                        status: r.get(2)?,
                        clients: r.get::<_, Option<i64>>(3)?.map(|c| c.max(0) as u64),
                    })
                })
                .map_err(sql(&self.path, op))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(sql(&self.path, op))?;
            out.push(LatestWifi {
                device,
                time_ms,
                wifi: Wifi {
                    aps_total: total.max(0) as u64,
                    aps_up: up.max(0) as u64,
                    clients_total: clients.max(0) as u64,
                    aps: list,
                    ssids: Vec::new(),
                },
            });
        }
        Ok(out)
    }

    /// One AP's clients in `[from_ms, to_ms)`, oldest first (`None`: the device did not say).
    pub fn wifi_ap_series(
        &self,
        device: &str,
        ap: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, Option<u64>)>, StoreError> {
        let op = "read wifi ap series";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.time_ms, a.clients FROM wifi_ap_sample a JOIN device d USING (device_id)
                 WHERE d.name = ?1 AND a.ap = ?2 AND a.time_ms >= ?3 AND a.time_ms < ?4
                 ORDER BY a.time_ms",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map(params![device, ap, from_ms, to_ms], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, Option<i64>>(1)?.map(|c| c.max(0) as u64),
                ))
            })
            .map_err(sql(&self.path, op))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))
    }

    /// One port's optical levels in `[from_ms, to_ms)`, oldest first.
    pub fn optic_series(
        &self,
        device: &str,
        port: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, OpticReading)>, StoreError> {
        let op = "read optic series";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.time_ms, o.lane, o.direction, o.dbm, o.no_light
                 FROM optic_sample o JOIN device d USING (device_id)
                 WHERE d.name = ?1 AND o.port = ?2 AND o.time_ms >= ?3 AND o.time_ms < ?4
                 ORDER BY o.time_ms, o.lane, o.direction",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map(params![device, port, from_ms, to_ms], |r| {
                let lane: i64 = r.get(1)?;
                let direction: i64 = r.get(2)?;
                Ok((
                    r.get(0)?,
                    reading(port.to_string(), lane, direction, r.get(3)?, r.get(4)?),
                ))
            })
            .map_err(sql(&self.path, op))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))
    }
}
