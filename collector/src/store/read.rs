//! Reads for the api: the device list, a device's ports with their latest rates, and a port's
//! series bucketed by a step.

use rusqlite::{params, OptionalExtension, Row};

use std::collections::HashMap;

use super::raw::{RawCounters, RAW_LEN};
use super::recent::{self, col, SampleRow};
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

    /// The ports of `device`, by key, each with its newest sample's rates: from the device's
    /// recent polls, newest first, until every port has one; ports missing from all of them
    /// look in `sample`.
    pub fn ports(&self, device: &str) -> Result<Vec<PortInfo>, StoreError> {
        let op = "read ports";
        let device_id = self.device_id(device)?;
        let mut ports: Vec<(i64, PortInfo)> = self
            .conn
            .prepare_cached(
                "SELECT port_id, key, if_index, if_name, if_descr, if_alias, speed_bps,
                   oper_status, admin_status
                 FROM port WHERE device_id = ?1 ORDER BY key",
            )
            .and_then(|mut stmt| {
                stmt.query_map([device_id], port_info)
                    .and_then(|rows| rows.collect())
            })
            .map_err(sql(&self.path, op))?;
        let mut missing: HashMap<i64, usize> = ports
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT time_ms, data FROM poll_recent WHERE device_id = ?1
                     ORDER BY time_ms DESC",
                )
                .map_err(sql(&self.path, op))?;
            let mut rows = stmt.query([device_id]).map_err(sql(&self.path, op))?;
            while !missing.is_empty() {
                let Some(r) = rows.next().map_err(sql(&self.path, op))? else {
                    break;
                };
                let time_ms: i64 = r.get(0).map_err(sql(&self.path, op))?;
                let data = r.get_ref(1).and_then(|v| Ok(v.as_blob()?));
                let data = data.map_err(sql(&self.path, op))?;
                for sample in recent::decode(data, time_ms).unwrap_or_default() {
                    if let Some(i) = missing.remove(&sample.port_id) {
                        ports[i].1.latest = Some(latest_of(&sample));
                    }
                }
            }
        }
        if !missing.is_empty() {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT time_ms, in_bps, out_bps, utilisation_in, utilisation_out, gap
                     FROM sample WHERE port_id = ?1 ORDER BY time_ms DESC LIMIT 1",
                )
                .map_err(sql(&self.path, op))?;
            for (port_id, i) in missing {
                ports[i].1.latest = stmt
                    .query_row([port_id], |r| {
                        Ok(LatestRates {
                            time_ms: r.get(0)?,
                            in_bps: r.get(1)?,
                            out_bps: r.get(2)?,
                            utilisation_in: r.get(3)?,
                            utilisation_out: r.get(4)?,
                            gap: r.get::<_, Option<i64>>(5)?.and_then(gap_from_code),
                        })
                    })
                    .optional()
                    .map_err(sql(&self.path, op))?;
            }
        }
        Ok(ports.into_iter().map(|(_, p)| p).collect())
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
        let (device_id, port_id) = self.port_ref(device, port_key)?;
        if step_ms < RAW_MAX_STEP_MS && self.raw_covers(device_id, port_id, from_ms)? {
            let samples = self
                .samples(device_id, port_id, from_ms, to_ms)
                .map_err(sql(&self.path, op))?;
            return Ok(bucket_samples(&samples, from_ms, step_ms));
        }
        let mut stmt = self
            .conn
            .prepare_cached(SERIES_ROLLUP)
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
        let (device_id, port_id) = self.port_ref(device, port_key)?;
        let samples = self
            .samples(device_id, port_id, from_ms, to_ms)
            .map_err(sql(&self.path, op))?;
        Ok(samples
            .into_iter()
            .filter_map(|s| Some((s.time_ms, RawCounters::decode(&s.raw)?)))
            .collect())
    }

    /// Every sample of one port in `[from_ms, to_ms)`, oldest first, from both tables; a
    /// sample in both (a retried batch after a move) is the recent one.
    pub(crate) fn samples(
        &self,
        device_id: i64,
        port_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> rusqlite::Result<Vec<SampleRow>> {
        let mut recent = self.recent_samples(device_id, port_id, from_ms, to_ms)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT port_id, time_ms, interval_ms, raw, in_bps, out_bps, in_pps, out_pps,
               in_errors_ps, out_errors_ps, in_discards_ps, out_discards_ps, utilisation_in,
               utilisation_out, gap
             FROM sample WHERE port_id = ?1 AND time_ms >= ?2 AND time_ms < ?3
             ORDER BY time_ms",
        )?;
        let stored = stmt
            .query_map(params![port_id, from_ms, to_ms], sample_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if recent.is_empty() {
            return Ok(stored);
        }
        let newer: std::collections::HashSet<i64> = recent.iter().map(|s| s.time_ms).collect();
        let mut all: Vec<SampleRow> = stored
            .into_iter()
            .filter(|s| !newer.contains(&s.time_ms))
            .collect();
        all.append(&mut recent);
        all.sort_by_key(|s| s.time_ms);
        Ok(all)
    }

    /// The samples of one port in the device's recent polls in `[from_ms, to_ms)`, oldest
    /// first.
    fn recent_samples(
        &self,
        device_id: i64,
        port_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> rusqlite::Result<Vec<SampleRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT time_ms, data FROM poll_recent
             WHERE device_id = ?1 AND time_ms >= ?2 AND time_ms < ?3 ORDER BY time_ms",
        )?;
        let mut rows = stmt.query(params![device_id, from_ms, to_ms])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let time_ms: i64 = r.get(0)?;
            out.extend(recent::find(r.get_ref(1)?.as_blob()?, time_ms, port_id));
        }
        Ok(out)
    }

    /// Whether the raw samples hold everything known about the port from `from_ms` on: they
    /// reach back to `from_ms`, or no rollup is older than the oldest sample (nothing pruned).
    fn raw_covers(&self, device_id: i64, port_id: i64, from_ms: i64) -> Result<bool, StoreError> {
        let op = "read series";
        let (oldest_stored, oldest_rollup): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT (SELECT min(time_ms) FROM sample WHERE port_id = ?1),
                        (SELECT min(bucket_ms) FROM rollup WHERE port_id = ?1)",
            )
            .and_then(|mut s| s.query_row([port_id], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(sql(&self.path, op))?;
        let oldest_sample = match oldest_stored {
            Some(t) => Some(t),
            None => self
                .oldest_recent(device_id, port_id)
                .map_err(sql(&self.path, op))?,
        };
        Ok(match oldest_sample {
            None => false,
            Some(s) => from_ms >= s || oldest_rollup.is_none_or(|r| r >= bucket_of(s)),
        })
    }

    /// The time of the oldest recent poll of the device that holds the port.
    fn oldest_recent(&self, device_id: i64, port_id: i64) -> rusqlite::Result<Option<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT time_ms, data FROM poll_recent WHERE device_id = ?1 ORDER BY time_ms",
        )?;
        let mut rows = stmt.query([device_id])?;
        while let Some(r) = rows.next()? {
            let time_ms: i64 = r.get(0)?;
            if recent::find(r.get_ref(1)?.as_blob()?, time_ms, port_id).is_some() {
                return Ok(Some(time_ms));
            }
        }
        Ok(None)
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
        Ok(self.port_ref(device, port_key)?.1)
    }

    /// The device's id and the port's.
    pub(crate) fn port_ref(&self, device: &str, port_key: &str) -> Result<(i64, i64), StoreError> {
        let device_id = self.device_id(device)?;
        self.conn
            .prepare_cached("SELECT port_id FROM port WHERE device_id = ?1 AND key = ?2")
            .and_then(|mut s| {
                s.query_row(params![device_id, port_key], |r| r.get(0))
                    .optional()
            })
            .map_err(sql(&self.path, "find port"))?
            .map(|port_id| (device_id, port_id))
            .ok_or_else(|| StoreError::UnknownPort {
                device: device.to_owned(),
                port: port_key.to_owned(),
            })
    }
}

fn port_info(r: &Row<'_>) -> rusqlite::Result<(i64, PortInfo)> {
    Ok((
        r.get(0)?,
        PortInfo {
            key: r.get(1)?,
            if_index: r.get(2)?,
            if_name: r.get(3)?,
            if_descr: r.get(4)?,
            if_alias: r.get(5)?,
            speed_bps: r.get::<_, Option<i64>>(6)?.map(|s| s as u64),
            oper_status: r.get(7)?,
            admin_status: r.get(8)?,
            latest: None,
        },
    ))
}

fn latest_of(s: &SampleRow) -> LatestRates {
    LatestRates {
        time_ms: s.time_ms,
        in_bps: s.reals[col::IN_BPS],
        out_bps: s.reals[col::OUT_BPS],
        utilisation_in: s.reals[col::UTIL_IN],
        utilisation_out: s.reals[col::UTIL_OUT],
        gap: s.gap.and_then(gap_from_code),
    }
}

/// A `sample` row in column order.
pub(crate) fn sample_row(r: &Row<'_>) -> rusqlite::Result<SampleRow> {
    let raw: Option<Vec<u8>> = r.get(3)?;
    let mut reals = [None; recent::N_REALS];
    for (k, slot) in reals.iter_mut().enumerate() {
        *slot = r.get(4 + k)?;
    }
    Ok(SampleRow {
        port_id: r.get(0)?,
        time_ms: r.get(1)?,
        interval_ms: r.get(2)?,
        // A BLOB of another length (another layout) reads as version 0, which no reader takes.
        raw: raw
            .and_then(|b| <[u8; RAW_LEN]>::try_from(b.as_slice()).ok())
            .unwrap_or([0; RAW_LEN]),
        reals,
        gap: r.get(14)?,
    })
}

/// Buckets of `step_ms` from `from_ms`: avg and max of each bucket's rates, gaps ignored; a
/// bucket with no octet rate is absent. `samples` are in time order, all at or after
/// `from_ms`.
fn bucket_samples(samples: &[SampleRow], from_ms: i64, step_ms: i64) -> Vec<SeriesPoint> {
    const COLS: [usize; 4] = [col::IN_BPS, col::OUT_BPS, col::UTIL_IN, col::UTIL_OUT];
    let mut out = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        let b = (samples[i].time_ms - from_ms) / step_ms;
        let (mut sum, mut n, mut max) = ([0.0f64; 4], [0u32; 4], [f64::NEG_INFINITY; 4]);
        while i < samples.len() && (samples[i].time_ms - from_ms) / step_ms == b {
            for (k, &c) in COLS.iter().enumerate() {
                if let Some(v) = samples[i].reals[c] {
                    sum[k] += v;
                    n[k] += 1;
                    max[k] = max[k].max(v);
                }
            }
            i += 1;
        }
        if n[0] + n[1] == 0 {
            continue;
        }
        let avg = |k: usize| (n[k] > 0).then(|| sum[k] / f64::from(n[k]));
        let mx = |k: usize| (n[k] > 0).then_some(max[k]);
        out.push(SeriesPoint {
            time_ms: from_ms + b * step_ms,
            in_bps_avg: avg(0),
            in_bps_max: mx(0),
            out_bps_avg: avg(1),
            out_bps_max: mx(1),
            utilisation_in_avg: avg(2),
            utilisation_in_max: mx(2),
            utilisation_out_avg: avg(3),
            utilisation_out_max: mx(3),
        });
    }
    out
}

impl Store {
    /// The interface part of `device`'s polls at or after `from_ms`, rebuilt from the stored
    /// samples (raw counters, speed, rates), oldest first: what a remote sink replays when it
    /// lost polls the store kept. System group, profiles and poll durations are not kept per
    /// poll, so they are not in it.
    pub fn polls_since(
        &self,
        device: &str,
        from_ms: i64,
    ) -> Result<Vec<(crate::sample::DevicePoll, Vec<crate::sample::PortRates>)>, StoreError> {
        use crate::sample::{DevicePoll, PortCounters, PortRates};
        use std::collections::BTreeMap;
        let op = "read polls";
        let device_id = self.device_id(device)?;
        let ports = self.ports(device)?;
        let mut polls: BTreeMap<i64, (DevicePoll, Vec<PortRates>)> = BTreeMap::new();
        for p in &ports {
            let (_, port_id) = self.port_ref(device, &p.key)?;
            let rows = self
                .samples(device_id, port_id, from_ms, i64::MAX)
                .map_err(sql(&self.path, op))?;
            for s in rows {
                let Some(raw) = super::raw::RawCounters::decode(&s.raw) else {
                    continue;
                };
                let entry = polls.entry(s.time_ms).or_insert_with(|| {
                    (
                        DevicePoll {
                            device: device.to_string(),
                            time_ms: s.time_ms,
                            sys_uptime: raw.sys_uptime,
                            ..DevicePoll::default()
                        },
                        Vec::new(),
                    )
                });
                entry.0.ports.push(PortCounters {
                    key: p.key.clone(),
                    if_index: p.if_index,
                    if_name: p.if_name.clone(),
                    speed_bps: p.speed_bps,
                    in_octets: raw.in_octets,
                    out_octets: raw.out_octets,
                    in_ucast_pkts: raw.in_ucast_pkts,
                    out_ucast_pkts: raw.out_ucast_pkts,
                    in_errors: raw.in_errors,
                    out_errors: raw.out_errors,
                    in_discards: raw.in_discards,
                    out_discards: raw.out_discards,
                    counter_bits: raw.counter_bits,
                    pkts_bits_64: raw.pkts_bits_64,
                    ..PortCounters::default()
                });
                let r = &s.reals;
                entry.1.push(PortRates {
                    key: p.key.clone(),
                    time_ms: s.time_ms,
                    interval_ms: s.interval_ms.unwrap_or(0),
                    in_bps: r[0],
                    out_bps: r[1],
                    in_pps: r[2],
                    out_pps: r[3],
                    in_errors_ps: r[4],
                    out_errors_ps: r[5],
                    in_discards_ps: r[6],
                    out_discards_ps: r[7],
                    utilisation_in: r[8],
                    utilisation_out: r[9],
                    // The reason is not needed to replay: a gap has no rate fields.
                    gap: None,
                });
            }
        }
        Ok(polls.into_values().collect())
    }
}
