//! Reads for the api: the device list, a device's ports with their latest rates, and a port's
//! series bucketed by a step.

use rusqlite::{params, OptionalExtension, Row};

use super::raw::RawCounters;
use super::sql;
use super::write::gap_from_code;
use super::{bucket_of, Store, StoreError};
use crate::sample::GapReason;

/// A stored device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub name: String,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_object_id: Option<String>,
    /// sysUpTime of the last poll, hundredths of a second.
    pub sys_uptime: Option<u32>,
    /// Time of the newest poll written, ms since the epoch.
    pub last_poll_ms: Option<i64>,
    /// The last status written by [`Store::write_status`], with its error and time.
    pub last_status: Option<String>,
    pub last_error: Option<String>,
    pub last_status_ms: Option<i64>,
    pub n_ports: usize,
}

/// The rates of a port's newest sample. A `None` rate is a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestRates {
    pub time_ms: i64,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    pub utilisation_in: Option<f64>,
    pub utilisation_out: Option<f64>,
    pub gap: Option<GapReason>,
}

/// A stored port of a device.
#[derive(Debug, Clone, PartialEq)]
pub struct PortInfo {
    pub key: String,
    pub if_index: u32,
    pub if_name: Option<String>,
    pub if_descr: Option<String>,
    pub if_alias: Option<String>,
    pub speed_bps: Option<u64>,
    pub oper_status: Option<u8>,
    pub admin_status: Option<u8>,
    /// `None` when the port has no sample (pruned, or never written).
    pub latest: Option<LatestRates>,
}

/// One bucket of a series: `[time_ms, time_ms + step_ms)`. A bucket with no rate at all is
/// absent from the series; a direction with no rate in the bucket is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub time_ms: i64,
    pub in_bps_avg: Option<f64>,
    pub in_bps_max: Option<f64>,
    pub out_bps_avg: Option<f64>,
    pub out_bps_max: Option<f64>,
    pub utilisation_in_avg: Option<f64>,
    pub utilisation_in_max: Option<f64>,
    pub utilisation_out_avg: Option<f64>,
    pub utilisation_out_max: Option<f64>,
}

/// Raw samples serve steps below this; coarser steps read the rollups when they cover the range.
const RAW_MAX_STEP_MS: i64 = 3_600_000;

const SERIES_RAW: &str = "
SELECT (time_ms - ?2) / ?4 AS b, avg(in_bps), max(in_bps), avg(out_bps), max(out_bps),
       avg(utilisation_in), max(utilisation_in), avg(utilisation_out), max(utilisation_out)
FROM (
  SELECT time_ms, in_bps, out_bps, utilisation_in, utilisation_out FROM sample
  WHERE port_id = ?1 AND time_ms >= ?2 AND time_ms < ?3
  UNION ALL
  SELECT time_ms, in_bps, out_bps, utilisation_in, utilisation_out FROM sample_recent
  WHERE port_id = ?1 AND time_ms >= ?2 AND time_ms < ?3
)
GROUP BY b HAVING count(in_bps) + count(out_bps) > 0 ORDER BY b";

/// Averages of bucket averages are weighted by each bucket's sample count.
const SERIES_ROLLUP: &str = "
SELECT (bucket_ms - ?2) / ?4 AS b,
       sum(in_bps_avg * n) / sum(CASE WHEN in_bps_avg IS NULL THEN NULL ELSE n END),
       max(in_bps_max),
       sum(out_bps_avg * n) / sum(CASE WHEN out_bps_avg IS NULL THEN NULL ELSE n END),
       max(out_bps_max),
       sum(utilisation_in_avg * n)
         / sum(CASE WHEN utilisation_in_avg IS NULL THEN NULL ELSE n END),
       max(utilisation_in_max),
       sum(utilisation_out_avg * n)
         / sum(CASE WHEN utilisation_out_avg IS NULL THEN NULL ELSE n END),
       max(utilisation_out_max)
FROM rollup WHERE port_id = ?1 AND bucket_ms >= ?2 AND bucket_ms < ?3
GROUP BY b HAVING count(in_bps_avg) + count(out_bps_avg) > 0 ORDER BY b";

impl Store {
    /// Every stored device, by name.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>, StoreError> {
        let op = "read devices";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.name, d.sys_name, d.sys_descr, d.sys_object_id, d.sys_uptime,
                   d.last_poll_ms, d.last_status, d.last_error, d.last_status_ms,
                   (SELECT count(*) FROM port p WHERE p.device_id = d.device_id)
                 FROM device d ORDER BY d.name",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DeviceInfo {
                    name: r.get(0)?,
                    sys_name: r.get(1)?,
                    sys_descr: r.get(2)?,
                    sys_object_id: r.get(3)?,
                    sys_uptime: r.get(4)?,
                    last_poll_ms: r.get(5)?,
                    last_status: r.get(6)?,
                    last_error: r.get(7)?,
                    last_status_ms: r.get(8)?,
                    n_ports: r.get::<_, i64>(9)? as usize,
                })
            })
            .and_then(|rows| rows.collect());
        rows.map_err(sql(&self.path, op))
    }

    /// The ports of `device`, by key, each with its newest sample's rates. The newest sample is
    /// found by a seek at the device's last poll; only ports missing from that poll scan the
    /// (small) `sample_recent` table.
    pub fn ports(&self, device: &str) -> Result<Vec<PortInfo>, StoreError> {
        let op = "read ports";
        let device_id = self.device_id(device)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "WITH l AS MATERIALIZED (
                   SELECT p.*, coalesce(
                     (SELECT time_ms FROM sample_recent
                      WHERE time_ms = d.last_poll_ms AND port_id = p.port_id),
                     (SELECT time_ms FROM sample_recent WHERE port_id = p.port_id
                      ORDER BY time_ms DESC LIMIT 1),
                     (SELECT max(time_ms) FROM sample WHERE port_id = p.port_id)) AS t
                   FROM port p JOIN device d ON d.device_id = p.device_id
                   WHERE p.device_id = ?1)
                 SELECT l.key, l.if_index, l.if_name, l.if_descr, l.if_alias, l.speed_bps,
                   l.oper_status, l.admin_status, l.t, coalesce(r.in_bps, s.in_bps),
                   coalesce(r.out_bps, s.out_bps), coalesce(r.utilisation_in, s.utilisation_in),
                   coalesce(r.utilisation_out, s.utilisation_out), coalesce(r.gap, s.gap)
                 FROM l
                 LEFT JOIN sample_recent r ON r.time_ms = l.t AND r.port_id = l.port_id
                 LEFT JOIN sample s ON s.port_id = l.port_id AND s.time_ms = l.t
                 ORDER BY l.key",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map([device_id], port_info)
            .and_then(|rows| rows.collect());
        rows.map_err(sql(&self.path, op))
    }

    /// The series of one port over `[from_ms, to_ms)`, in buckets of `step_ms` starting at
    /// `from_ms`: avg and max of each bucket's rates.
    ///
    /// Raw samples are read when `step_ms` is under an hour and the port has samples back to
    /// `from_ms` (the range is within sample retention); otherwise the 5-minute rollups are
    /// read (only buckets [`Store::rollup`] has computed; a step under 5 minutes then yields
    /// one point per rollup bucket).
    pub fn series(
        &self,
        device: &str,
        port_key: &str,
        from_ms: i64,
        to_ms: i64,
        step_ms: i64,
    ) -> Result<Vec<SeriesPoint>, StoreError> {
        let op = "read series";
        if step_ms <= 0 {
            return Err(StoreError::InvalidArgument {
                op,
                reason: "step_ms must be positive",
            });
        }
        if to_ms <= from_ms {
            return Ok(Vec::new());
        }
        let port_id = self.port_id(device, port_key)?;
        let raw = step_ms < RAW_MAX_STEP_MS && self.raw_covers(port_id, from_ms)?;
        let query = if raw { SERIES_RAW } else { SERIES_ROLLUP };
        let mut stmt = self
            .conn
            .prepare_cached(query)
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map(params![port_id, from_ms, to_ms, step_ms], |r| {
                Ok(SeriesPoint {
                    time_ms: from_ms + r.get::<_, i64>(0)? * step_ms,
                    in_bps_avg: r.get(1)?,
                    in_bps_max: r.get(2)?,
                    out_bps_avg: r.get(3)?,
                    out_bps_max: r.get(4)?,
                    utilisation_in_avg: r.get(5)?,
                    utilisation_in_max: r.get(6)?,
                    utilisation_out_avg: r.get(7)?,
                    utilisation_out_max: r.get(8)?,
                })
            })
            .and_then(|rows| rows.collect());
        rows.map_err(sql(&self.path, op))
    }

    /// The raw counters of one port over `[from_ms, to_ms)`, oldest first, as stored with each
    /// sample: what rates can be recomputed from. A BLOB this reader does not know (another
    /// layout version) is skipped rather than misread.
    pub fn raw_samples(
        &self,
        device: &str,
        port_key: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(i64, RawCounters)>, StoreError> {
        let op = "read raw samples";
        let port_id = self.port_id(device, port_key)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT time_ms, raw FROM sample WHERE port_id = ?1 AND time_ms >= ?2
                   AND time_ms < ?3
                 UNION ALL
                 SELECT time_ms, raw FROM sample_recent WHERE port_id = ?1 AND time_ms >= ?2
                   AND time_ms < ?3
                 ORDER BY time_ms",
            )
            .map_err(sql(&self.path, op))?;
        let rows = stmt
            .query_map(params![port_id, from_ms, to_ms], |r| {
                let blob: Option<Vec<u8>> = r.get(1)?;
                Ok((r.get::<_, i64>(0)?, blob))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql(&self.path, op))?;
        Ok(rows
            .into_iter()
            .filter_map(|(t, b)| Some((t, RawCounters::decode(&b?)?)))
            .collect())
    }

    /// Whether the raw samples hold everything known about the port from `from_ms` on: they
    /// reach back to `from_ms`, or no rollup is older than the oldest sample (nothing pruned).
    fn raw_covers(&self, port_id: i64, from_ms: i64) -> Result<bool, StoreError> {
        let (oldest_sample, oldest_rollup): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT coalesce((SELECT min(time_ms) FROM sample WHERE port_id = ?1),
                          (SELECT time_ms FROM sample_recent WHERE port_id = ?1
                           ORDER BY time_ms LIMIT 1)),
                        (SELECT min(bucket_ms) FROM rollup WHERE port_id = ?1)",
            )
            .and_then(|mut s| s.query_row([port_id], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(sql(&self.path, "read series"))?;
        Ok(match oldest_sample {
            None => false,
            Some(s) => from_ms >= s || oldest_rollup.is_none_or(|r| r >= bucket_of(s)),
        })
    }

    pub(crate) fn device_id(&self, device: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT device_id FROM device WHERE name = ?1")
            .and_then(|mut s| s.query_row([device], |r| r.get(0)).optional())
            .map_err(sql(&self.path, "find device"))?
            .ok_or_else(|| StoreError::UnknownDevice {
                device: device.to_owned(),
            })
    }

    pub(crate) fn port_id(&self, device: &str, port_key: &str) -> Result<i64, StoreError> {
        let device_id = self.device_id(device)?;
        self.conn
            .prepare_cached("SELECT port_id FROM port WHERE device_id = ?1 AND key = ?2")
            .and_then(|mut s| {
                s.query_row(params![device_id, port_key], |r| r.get(0))
                    .optional()
            })
            .map_err(sql(&self.path, "find port"))?
            .ok_or_else(|| StoreError::UnknownPort {
                device: device.to_owned(),
                port: port_key.to_owned(),
            })
    }
}

fn port_info(r: &Row<'_>) -> rusqlite::Result<PortInfo> {
    let latest = match r.get::<_, Option<i64>>(8)? {
        None => None,
        Some(time_ms) => Some(LatestRates {
            time_ms,
            in_bps: r.get(9)?,
            out_bps: r.get(10)?,
            utilisation_in: r.get(11)?,
            utilisation_out: r.get(12)?,
            gap: r.get::<_, Option<i64>>(13)?.and_then(gap_from_code),
        }),
    };
    Ok(PortInfo {
        key: r.get(0)?,
        if_index: r.get(1)?,
        if_name: r.get(2)?,
        if_descr: r.get(3)?,
        if_alias: r.get(4)?,
        speed_bps: r.get::<_, Option<i64>>(5)?.map(|s| s as u64),
        oper_status: r.get(6)?,
        admin_status: r.get(7)?,
        latest,
    })
}
