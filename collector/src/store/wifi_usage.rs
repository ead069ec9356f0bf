//! The wifi hotspots' daily usage: per hotspot and local day, figures rolled up from the raw
//! per-AP samples (`wifi_ap_sample`, kept for `store.retention`) into `wifi_hotspot_day`, kept
//! for `store.rollup_retention`, so a usage window of 28 to 365 days can be read back.
//!
//! A hotspot is an id and its access points, each written as an AP name or a MAC; the caller
//! (the api, from the cadastre) passes them as [`HotspotAps`]. An access point the controller
//! reports belongs to a hotspot when its name equals one of the hotspot's entries (ignoring
//! case), or when the MAC it reported in its first sample of the day equals one of them once
//! both are normalised (`:`, `-` and `.` removed, lowercase: `AA:BB:CC:00:11:22`,
//! `aabb.cc00.1122` and `aa-bb-cc-00-11-22` are the same AP).
//!
//! The figures of a hotspot for a local day (in the configured time zone, Europe/Brussels by
//! default: the day runs from local midnight to the next local midnight, so it lasts 23 hours
//! on the day clocks go forward and 25 hours on the day they go back):
//! - a **poll** is the set of its access points' samples taken at one time (one controller
//!   poll). When its access points are on several controllers, times are put on the poll
//!   interval's grid from local midnight, so the controllers' polls of one interval count as one
//!   poll (an access point seen twice in one interval counts once, its last sample);
//! - **peak_clients**: the highest number of clients on its access points together at one poll
//!   (a down access point, or one that did not report clients, counts 0);
//! - **client_hours**: that number summed over the day, each poll counting until the next poll
//!   but for at most one poll interval (the day's last poll until the end of the day, at most one
//!   interval), in hours. Missing polls add nothing: they lower the coverage instead of being
//!   filled in;
//! - **active_hours**: how many of the day's clock hours (23, 24 or 25) had at least one poll
//!   with at least one client;
//! - **availability**: the share of its access points' samples that say the access point is
//!   `up` (`down` and `unknown` are not);
//! - **coverage**: the samples present divided by the samples expected (its number of access
//!   points × the day's length / the poll interval), at most 1;
//! - **n_aps**: the number of access points the hotspot lists, whether they reported or not
//!   (its distinct entries: an access point listed both by name and by MAC counts twice).
//!
//! A hotspot none of whose access points has a sample that day gets a row with coverage 0 and
//! no other figure: "no data" is explicit, never a zero.
//!
//! [`Store::rollup_wifi_through`] keeps its progress in `meta.wifi_rolled_through` (days since
//! 1970-01-01 of the last local day rolled up). A day is rolled up with the hotspots known at
//! that time; a sample that arrives after its day was rolled up is not counted unless the day
//! is rolled up again with [`Store::rollup_wifi_day`].
//!
//! Speed: each access point's samples of the day are read by a range of the primary key
//! `(device_id, ap, time_ms)`, and the access points are listed by seeking from one name to the
//! next, so a day of 900 APs polled every minute (1.3 M samples) is read in one pass without
//! touching another day's samples. Measured on one day of 1.3 M samples among two days written
//! in time order: reading them through the `time_ms` index took 2.4 s (each index entry is a
//! seek into the primary key), by primary-key ranges 0.15 s; `irisops bench wifi-rollup`
//! measures the whole rollup of such a day at 0.3 s.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::schema::WIFI_ROLLED_THROUGH;
use super::{sql, Store, StoreError};

const HOUR_MS: i64 = 3_600_000;

/// A hotspot and its access points, each an AP name or a MAC (any of the usual spellings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotspotAps {
    /// The hotspot's id (the cadastre's).
    pub id: String,
    /// AP names or MACs, as the cadastre lists them.
    pub access_points: Vec<String>,
}

/// One hotspot's figures for one local day (see the module documentation for each figure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotspotDay {
    pub hotspot: String,
    /// The local day, serialised `YYYY-MM-DD`.
    #[serde(serialize_with = "date_text")]
    pub date: NaiveDate,
    /// Access points the hotspot lists.
    pub n_aps: u32,
    /// The most clients at one poll.
    pub peak_clients: Option<f64>,
    /// Clients × hours over the day.
    pub client_hours: Option<f64>,
    /// Clock hours with at least one client.
    pub active_hours: Option<f64>,
    /// Share of samples with the access point up, 0..=1.
    pub availability: Option<f64>,
    /// Share of the expected samples present, 0..=1.
    pub coverage: f64,
}

fn date_text<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&date.format("%Y-%m-%d"))
}

/// A MAC without separators, lowercase (`AA:BB:CC:00:11:22` → `aabbcc001122`).
pub fn normalise_mac(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ':' | '-' | '.') && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a normalised entry is a MAC (12 hex digits) rather than a name.
fn is_mac(normalised: &str) -> bool {
    normalised.len() == 12 && normalised.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The hotspots each name or MAC belongs to.
struct Matcher {
    names: HashMap<String, Vec<usize>>,
    macs: HashMap<String, Vec<usize>>,
    /// Per hotspot, its distinct entries.
    n_aps: Vec<u32>,
}

impl Matcher {
    fn new(hotspots: &[HotspotAps]) -> Matcher {
        let mut m = Matcher {
            names: HashMap::new(),
            macs: HashMap::new(),
            n_aps: Vec::with_capacity(hotspots.len()),
        };
        for (i, h) in hotspots.iter().enumerate() {
            let mut distinct = BTreeSet::new();
            for entry in &h.access_points {
                let mac = normalise_mac(entry);
                if is_mac(&mac) {
                    m.macs.entry(mac.clone()).or_default().push(i);
                    distinct.insert(mac);
                } else {
                    distinct.insert(entry.trim().to_lowercase());
                }
                // Also as a name: a controller may name its APs by their MAC.
                m.names
                    .entry(entry.trim().to_lowercase())
                    .or_default()
                    .push(i);
            }
            m.n_aps
                .push(u32::try_from(distinct.len()).unwrap_or(u32::MAX));
        }
        m
    }

    /// The hotspots an access point named `name`, with `mac`, belongs to (each once).
    fn hotspots_of(&self, name: &str, mac: Option<&str>) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some(v) = self.names.get(&name.to_lowercase()) {
            out.extend(v);
        }
        if let Some(v) = mac.and_then(|m| self.macs.get(&normalise_mac(m))) {
            out.extend(v);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The instant a local day starts: local midnight, or the first local time after it that
/// exists (in a zone that moves its clocks at midnight).
fn local_day_start(date: NaiveDate, tz: Tz) -> i64 {
    let mut t = date.and_time(NaiveTime::MIN);
    for _ in 0..96 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => return x.timestamp_millis(),
            LocalResult::None => t += chrono::Duration::minutes(15),
        }
    }
    t.and_utc().timestamp_millis()
}

/// A local day as `[start_ms, end_ms)`; `None` for the last date chrono knows.
fn day_bounds(date: NaiveDate, tz: Tz) -> Option<(i64, i64)> {
    Some((
        local_day_start(date, tz),
        local_day_start(date.succ_opt()?, tz),
    ))
}

/// The poll interval in milliseconds, refusing zero.
fn interval_ms(interval: Duration) -> Result<i64, StoreError> {
    match i64::try_from(interval.as_millis()) {
        Ok(ms) if ms > 0 => Ok(ms),
        _ => Err(StoreError::InvalidArgument {
            op: "wifi rollup",
            reason: "the poll interval must be at least 1 ms",
        }),
    }
}

fn epoch() -> NaiveDate {
    DateTime::UNIX_EPOCH.date_naive()
}

/// The access points with a sample in `[start, end)`: `(device_id, name, first MAC)`. Names
/// are found by seeking from one to the next on the primary key (a few µs each), not by
/// scanning the day's samples.
fn aps_of_day(
    conn: &Connection,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<(i64, String, Option<String>)>> {
    let devices: Vec<i64> = conn
        .prepare_cached("SELECT device_id FROM device ORDER BY device_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut next = conn.prepare_cached(
        "SELECT ap FROM wifi_ap_sample WHERE device_id = ?1 AND ap > ?2 ORDER BY ap LIMIT 1",
    )?;
    let mut first = conn.prepare_cached(
        "SELECT mac FROM wifi_ap_sample
         WHERE device_id = ?1 AND ap = ?2 AND time_ms >= ?3 AND time_ms < ?4
         ORDER BY time_ms LIMIT 1",
    )?;
    let mut out = Vec::new();
    for device_id in devices {
        let mut ap = String::new();
        while let Some(name) = next
            .query_row(params![device_id, ap], |r| r.get::<_, String>(0))
            .optional()?
        {
            let mac: Option<Option<String>> = first
                .query_row(params![device_id, name, start, end], |r| r.get(0))
                .optional()?;
            if let Some(mac) = mac {
                out.push((device_id, name.clone(), mac));
            }
            ap = name;
        }
    }
    Ok(out)
}

/// One hotspot's samples of the day, gathered.
#[derive(Default)]
struct Gathered {
    /// `(poll time, clients)`, one entry per access point per poll, unsorted.
    polls: Vec<(i64, u64)>,
    n_samples: u64,
    n_up: u64,
}

/// Adds one access point's samples in `[start, end)` to `g`. With `grid`, times go on the grid
/// of that step from `start`, keeping the access point's last sample of each step.
fn gather_ap(
    conn: &Connection,
    (device_id, ap): (i64, &str),
    (start, end): (i64, i64),
    grid: Option<i64>,
    g: &mut Gathered,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT time_ms, status = 'up', clients FROM wifi_ap_sample
         WHERE device_id = ?1 AND ap = ?2 AND time_ms >= ?3 AND time_ms < ?4 ORDER BY time_ms",
    )?;
    let mut rows = stmt.query(params![device_id, ap, start, end])?;
    let first = g.polls.len();
    while let Some(r) = rows.next()? {
        let t: i64 = r.get(0)?;
        let up: bool = r.get(1)?;
        let clients: Option<i64> = r.get(2)?;
        g.n_samples += 1;
        g.n_up += u64::from(up);
        let clients = if up {
            clients.map_or(0, |c| c.max(0) as u64)
        } else {
            0
        };
        let key = grid.map_or(t, |step| start + (t - start).div_euclid(step) * step);
        let mine = g.polls.len() > first;
        match g.polls.last_mut() {
            Some(last) if mine && last.0 == key => last.1 = clients,
            _ => g.polls.push((key, clients)),
        }
    }
    Ok(())
}

/// The figures of one hotspot from its gathered samples.
fn figures(
    id: &str,
    date: NaiveDate,
    n_aps: u32,
    mut g: Gathered,
    (start, end): (i64, i64),
    step: i64,
) -> HotspotDay {
    let mut day = HotspotDay {
        hotspot: id.to_string(),
        date,
        n_aps,
        peak_clients: None,
        client_hours: None,
        active_hours: None,
        availability: None,
        coverage: 0.0,
    };
    if g.n_samples == 0 {
        return day;
    }
    g.polls.sort_unstable_by_key(|p| p.0);
    let mut polls: Vec<(i64, u64)> = Vec::with_capacity(g.polls.len());
    for (t, c) in g.polls {
        match polls.last_mut() {
            Some(last) if last.0 == t => last.1 += c,
            _ => polls.push((t, c)),
        }
    }
    let (mut peak, mut client_ms, mut hours, mut last_hour) = (0u64, 0f64, 0u32, None);
    for (i, &(t, clients)) in polls.iter().enumerate() {
        peak = peak.max(clients);
        let next = polls.get(i + 1).map_or(end, |p| p.0);
        client_ms += clients as f64 * (next - t).min(step) as f64;
        let hour = (t - start).div_euclid(HOUR_MS);
        if clients > 0 && last_hour != Some(hour) {
            hours += 1;
            last_hour = Some(hour);
        }
    }
    let expected = f64::from(n_aps) * (end - start) as f64 / step as f64;
    day.peak_clients = Some(peak as f64);
    day.client_hours = Some(client_ms / HOUR_MS as f64);
    day.active_hours = Some(f64::from(hours));
    day.availability = Some(g.n_up as f64 / g.n_samples as f64);
    day.coverage = if expected > 0.0 {
        (g.n_samples as f64 / expected).min(1.0)
    } else {
        0.0
    };
    day
}

/// Every hotspot's figures for the local day `[start, end)`.
fn compute_day(
    conn: &Connection,
    date: NaiveDate,
    bounds: (i64, i64),
    step: i64,
    hotspots: &[HotspotAps],
) -> rusqlite::Result<Vec<HotspotDay>> {
    let matcher = Matcher::new(hotspots);
    let mut members: Vec<Vec<(i64, String)>> = vec![Vec::new(); hotspots.len()];
    for (device_id, ap, mac) in aps_of_day(conn, bounds.0, bounds.1)? {
        for h in matcher.hotspots_of(&ap, mac.as_deref()) {
            members[h].push((device_id, ap.clone()));
        }
    }
    let mut out = Vec::with_capacity(hotspots.len());
    for (i, (h, aps)) in hotspots.iter().zip(members).enumerate() {
        let several = aps.windows(2).any(|w| w[0].0 != w[1].0);
        let grid = several.then_some(step);
        let mut g = Gathered::default();
        for (device_id, ap) in &aps {
            gather_ap(conn, (*device_id, ap), bounds, grid, &mut g)?;
        }
        out.push(figures(&h.id, date, matcher.n_aps[i], g, bounds, step));
    }
    Ok(out)
}

/// The local day's bounds, refusing the last date chrono knows (it has no next midnight).
fn bounds(date: NaiveDate, tz: Tz) -> Result<(i64, i64), StoreError> {
    day_bounds(date, tz).ok_or(StoreError::InvalidArgument {
        op: "wifi rollup",
        reason: "the date is the last one chrono knows",
    })
}

/// Computes and upserts the day's rows; returns how many.
fn roll_day(
    conn: &Connection,
    date: NaiveDate,
    bounds: (i64, i64),
    step: i64,
    hotspots: &[HotspotAps],
) -> rusqlite::Result<usize> {
    let days = compute_day(conn, date, bounds, step, hotspots)?;
    for d in &days {
        insert_day(conn, d, true)?;
    }
    Ok(days.len())
}

/// Writes one hotspot-day row, over the row of that (hotspot, date) when `replace`, else only
/// when the store holds none; the rows written (0 or 1).
pub(super) fn insert_day(
    conn: &Connection,
    d: &HotspotDay,
    replace: bool,
) -> rusqlite::Result<usize> {
    let sql = if replace {
        "INSERT OR REPLACE INTO wifi_hotspot_day (hotspot, date, n_aps, peak_clients,
           client_hours, active_hours, availability, coverage)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    } else {
        "INSERT OR IGNORE INTO wifi_hotspot_day (hotspot, date, n_aps, peak_clients,
           client_hours, active_hours, availability, coverage)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    };
    conn.prepare_cached(sql)?.execute(params![
        d.hotspot,
        d.date.format("%Y-%m-%d").to_string(),
        d.n_aps,
        d.peak_clients,
        d.client_hours,
        d.active_hours,
        d.availability,
        d.coverage
    ])
}

/// Deletes the daily rows of days before the UTC day of `cutoff_ms`.
pub(super) fn prune(conn: &Connection, cutoff_ms: i64) -> rusqlite::Result<usize> {
    let Some(cutoff) = DateTime::from_timestamp_millis(cutoff_ms) else {
        return Ok(0);
    };
    conn.prepare_cached("DELETE FROM wifi_hotspot_day WHERE date < ?1")?
        .execute([cutoff.date_naive().format("%Y-%m-%d").to_string()])
}

impl Store {
    /// Computes every hotspot's figures for the local day `date` in `tz` from the raw samples,
    /// polled every `interval`, and writes them (replacing the day's rows of these hotspots),
    /// in one transaction. Returns the rows written (one per hotspot). Idempotent.
    pub fn rollup_wifi_day(
        &mut self,
        date: NaiveDate,
        tz: Tz,
        interval: Duration,
        hotspots: &[HotspotAps],
    ) -> Result<usize, StoreError> {
        let step = interval_ms(interval)?;
        let bounds = bounds(date, tz)?;
        let path = &self.path;
        let tx = self
            .conn
            .transaction()
            .map_err(sql(path, "begin wifi rollup"))?;
        let n = roll_day(&tx, date, bounds, step, hotspots).map_err(sql(path, "wifi rollup"))?;
        tx.commit().map_err(sql(path, "commit wifi rollup"))?;
        Ok(n)
    }

    /// Rolls up every local day after the last one rolled up (or, the first time, from the day
    /// of the oldest raw sample) up to and including `through`, one transaction per day, each
    /// recording its progress: an interrupted run resumes at the next day. Returns the rows
    /// written; when nothing is new it reads one `meta` row.
    pub fn rollup_wifi_through(
        &mut self,
        through: NaiveDate,
        tz: Tz,
        interval: Duration,
        hotspots: &[HotspotAps],
    ) -> Result<usize, StoreError> {
        let step = interval_ms(interval)?;
        let path = &self.path;
        let op = "wifi rollup";
        let last: Option<i64> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [WIFI_ROLLED_THROUGH],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(path, op))?;
        let from = match last {
            Some(days) => {
                epoch().checked_add_signed(chrono::Duration::days(days.saturating_add(1)))
            }
            None => {
                let oldest: Option<i64> = self
                    .conn
                    .query_row("SELECT min(time_ms) FROM wifi_ap_sample", [], |r| r.get(0))
                    .map_err(sql(path, op))?;
                oldest
                    .and_then(DateTime::from_timestamp_millis)
                    .map(|t| t.with_timezone(&tz).date_naive())
            }
        };
        let mut n = 0;
        let mut day = from;
        while let Some(d) = day.filter(|d| *d <= through) {
            let day_bounds = bounds(d, tz)?;
            let tx = self.conn.transaction().map_err(sql(path, op))?;
            n += roll_day(&tx, d, day_bounds, step, hotspots).map_err(sql(path, op))?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![WIFI_ROLLED_THROUGH, (d - epoch()).num_days()],
            )
            .map_err(sql(path, op))?;
            tx.commit().map_err(sql(path, "commit wifi rollup"))?;
            day = d.succ_opt();
        }
        Ok(n)
    }

    /// The daily rows of `hotspot` (every hotspot when `None`) from `from` to `to`, both
    /// included, ordered by hotspot then date.
    pub fn wifi_usage(
        &self,
        hotspot: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HotspotDay>, StoreError> {
        let op = "read wifi usage";
        if from > to {
            return Err(StoreError::InvalidArgument {
                op,
                reason: "from is after to",
            });
        }
        let columns = "SELECT hotspot, date, n_aps, peak_clients, client_hours, active_hours,
                         availability, coverage FROM wifi_hotspot_day";
        let text = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut stmt = match hotspot {
            Some(_) => self.conn.prepare_cached(&format!(
                "{columns} WHERE hotspot = ?3 AND date >= ?1 AND date <= ?2 ORDER BY date"
            )),
            None => self.conn.prepare_cached(&format!(
                "{columns} WHERE date >= ?1 AND date <= ?2 ORDER BY hotspot, date"
            )),
        }
        .map_err(sql(&self.path, op))?;
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<HotspotDay> {
            let date: String = r.get(1)?;
            let date = date.parse::<NaiveDate>().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
            })?;
            Ok(HotspotDay {
                hotspot: r.get(0)?,
                date,
                n_aps: r.get(2)?,
                peak_clients: r.get(3)?,
                client_hours: r.get(4)?,
                active_hours: r.get(5)?,
                availability: r.get(6)?,
                coverage: r.get(7)?,
            })
        };
        let rows = match hotspot {
            Some(h) => stmt.query_map(params![text(from), text(to), h], read),
            None => stmt.query_map(params![text(from), text(to)], read),
        }
        .map_err(sql(&self.path, op))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql(&self.path, op))
    }
}
