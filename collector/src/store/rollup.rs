//! 5-minute rollups and retention.
//!
//! Rollups are driven by a watermark, `meta.rollup_from_ms`: every write lowers it to the
//! bucket of its oldest sample, and [`Store::rollup`] recomputes each complete bucket from the
//! watermark up to `now`, then raises it. A bucket is recomputed whole from its samples
//! (`INSERT OR REPLACE`), so running rollup twice, or after a late write into an already
//! rolled-up bucket, gives the same rows: it is idempotent. Rollup also moves the samples of
//! complete 15-minute spans from `poll_recent` to `sample` (see [`super::schema`]).

use rusqlite::{params, OptionalExtension};

use super::recent::{self, col, SampleRow};
use super::schema::ROLLUP_FROM;
use super::sql;
use super::write::SampleWriter;
use super::{bucket_of, duration_ms, Store, StoreError};

/// What one [`Store::prune`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Sample rows deleted.
    pub n_samples: usize,
    /// Rollup rows deleted.
    pub n_rollups: usize,
    /// Wifi hotspots' daily rows deleted.
    pub n_wifi_days: usize,
}

/// The `sample` rows of a time range, port by port: `CROSS JOIN` pins the port as the outer
/// loop, so each port's range is a primary-key seek (a plain join planned a scan of `sample`).
/// Usually every sample of the range is still in `poll_recent` and this finds nothing; it
/// matters when a late write reopens a moved bucket.
pub(super) const SAMPLE_RANGE_SQL: &str = "
SELECT s.port_id, s.time_ms, s.in_bps, s.out_bps, s.utilisation_in, s.utilisation_out,
       s.in_errors_ps, s.out_errors_ps, s.in_discards_ps, s.out_discards_ps
FROM port p
CROSS JOIN sample s ON s.port_id = p.port_id AND s.time_ms >= ?1 AND s.time_ms < ?2";

/// The recent polls of a time range in (device, time) order: `CROSS JOIN` pins the device as
/// the outer loop, so each device's range is a seek on `poll_recent`'s primary key, already in
/// order. Planned on `poll_recent_time`, the same query sorted the range's rows, BLOBs and all,
/// in a temporary B-tree: +37 MB of RSS at every 5-minute rollup of a 2,000 x 50 fleet's store,
/// kept by the allocator afterwards (BENCHMARKS.md, "Soak").
pub(super) const RECENT_RANGE_SQL: &str = "
SELECT r.device_id, r.time_ms, r.data
FROM device d
CROSS JOIN poll_recent r ON r.device_id = d.device_id AND r.time_ms >= ?1 AND r.time_ms < ?2
ORDER BY d.device_id, r.time_ms";

/// The rates a rollup row aggregates, in its column order, as indices of
/// [`SampleRow::reals`].
const ROLLED: [usize; 8] = [
    col::IN_BPS,
    col::OUT_BPS,
    col::UTIL_IN,
    col::UTIL_OUT,
    col::IN_ERRORS,
    col::OUT_ERRORS,
    col::IN_DISCARDS,
    col::OUT_DISCARDS,
];

/// One rollup row being computed: per rate the sum and count of its values (gaps, `None`, are
/// ignored, as SQL's `avg` ignores NULL) and the maximum; `n` counts the samples with an octet
/// rate. A bucket where every sample is a gap gets no row: gaps stay gaps.
#[derive(Default)]
struct Acc {
    n: i64,
    sum: [f64; 8],
    count: [u32; 8],
    max: [f64; 8],
}

impl Acc {
    fn add(&mut self, v: &[Option<f64>; 8]) {
        self.n += i64::from(v[0].is_some() || v[1].is_some());
        for (k, x) in v.iter().enumerate() {
            if let Some(x) = *x {
                self.max[k] = if self.count[k] == 0 {
                    x
                } else {
                    self.max[k].max(x)
                };
                self.sum[k] += x;
                self.count[k] += 1;
            }
        }
    }

    fn avg(&self, k: usize) -> Option<f64> {
        (self.count[k] > 0).then(|| self.sum[k] / f64::from(self.count[k]))
    }

    fn max(&self, k: usize) -> Option<f64> {
        (self.count[k] > 0).then_some(self.max[k])
    }
}

/// Computes the rollup rows of the buckets in `[from, end)` from both sample tables and
/// writes them (`INSERT OR REPLACE`). A sample in both tables (a retried batch) counts once:
/// the recent one. Returns the rows written.
///
/// Memory stays at one device's ports: `poll_recent` is read device by device and each
/// device's rows are written before the next is read (a 2,000 × 50 fleet held 100k
/// accumulators at once before, +55 MB at each 5-minute rollup). `sample` rows of the range,
/// usually none, are held raw until their port's device is written.
fn roll_up(tx: &rusqlite::Transaction<'_>, from: i64, end: i64) -> rusqlite::Result<usize> {
    type Rates = [Option<f64>; 8];
    // Older rows of the range by port: (time_ms, rates), dropped where recent has the sample.
    let mut older: foldhash::HashMap<i64, Vec<(i64, Rates)>> = foldhash::HashMap::default();
    {
        let mut stmt = tx.prepare_cached(SAMPLE_RANGE_SQL)?;
        let mut rows = stmt.query(params![from, end])?;
        while let Some(r) = rows.next()? {
            let (port_id, time_ms): (i64, i64) = (r.get(0)?, r.get(1)?);
            let mut v = [None; 8];
            for (k, slot) in v.iter_mut().enumerate() {
                *slot = r.get(2 + k)?;
            }
            older.entry(port_id).or_default().push((time_ms, v));
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO rollup VALUES
           (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    let mut n = 0;
    let mut accs: foldhash::HashMap<(i64, i64), Acc> = foldhash::HashMap::default();
    let mut seen: foldhash::HashSet<(i64, i64)> = foldhash::HashSet::default();
    let mut flush = |accs: &mut foldhash::HashMap<(i64, i64), Acc>,
                     seen: &mut foldhash::HashSet<(i64, i64)>,
                     older: &mut foldhash::HashMap<i64, Vec<(i64, Rates)>>|
     -> rusqlite::Result<()> {
        let ports: foldhash::HashSet<i64> = accs.keys().map(|k| k.0).collect();
        for port_id in ports {
            for (time_ms, v) in older.remove(&port_id).unwrap_or_default() {
                if !seen.contains(&(port_id, time_ms)) {
                    accs.entry((port_id, bucket_of(time_ms)))
                        .or_default()
                        .add(&v);
                }
            }
        }
        n += write_accs(&mut insert, accs)?;
        accs.clear();
        seen.clear();
        Ok(())
    };
    {
        let mut stmt = tx.prepare_cached(RECENT_RANGE_SQL)?;
        let mut rows = stmt.query(params![from, end])?;
        let mut device = None;
        while let Some(r) = rows.next()? {
            let device_id: i64 = r.get(0)?;
            let time_ms: i64 = r.get(1)?;
            if device.is_some_and(|d| d != device_id) {
                flush(&mut accs, &mut seen, &mut older)?;
            }
            device = Some(device_id);
            let data = r.get_ref(2)?.as_blob()?;
            let Some(samples) = recent::decode(data, time_ms) else {
                tracing::warn!(
                    device_id,
                    time_ms,
                    "store: an unreadable poll_recent row is skipped"
                );
                continue;
            };
            for s in samples {
                seen.insert((s.port_id, time_ms));
                accs.entry((s.port_id, bucket_of(time_ms)))
                    .or_default()
                    .add(&ROLLED.map(|k| s.reals[k]));
            }
        }
    }
    flush(&mut accs, &mut seen, &mut older)?;
    // Ports with older rows only (their device has no recent poll in the range).
    for (port_id, rows) in older.drain() {
        for (time_ms, v) in rows {
            accs.entry((port_id, bucket_of(time_ms)))
                .or_default()
                .add(&v);
        }
    }
    n += write_accs(&mut insert, &accs)?;
    Ok(n)
}

/// Writes the rollup rows of `accs` in (port, bucket) order, so each port's rows are
/// contiguous in the table; a bucket of gaps only gets no row. Returns the rows written.
fn write_accs(
    insert: &mut rusqlite::CachedStatement<'_>,
    accs: &foldhash::HashMap<(i64, i64), Acc>,
) -> rusqlite::Result<usize> {
    let mut keys: Vec<(i64, i64)> = accs.keys().copied().collect();
    keys.sort_unstable();
    let mut n = 0;
    for key in keys {
        let a = &accs[&key];
        if a.n == 0 {
            continue;
        }
        insert.raw_bind_parameter(1, key.0)?;
        insert.raw_bind_parameter(2, key.1)?;
        insert.raw_bind_parameter(3, a.n)?;
        for k in 0..8 {
            insert.raw_bind_parameter(4 + 2 * k, a.avg(k))?;
            insert.raw_bind_parameter(5 + 2 * k, a.max(k))?;
        }
        n += insert.raw_execute()?;
    }
    Ok(n)
}

impl Store {
    /// Computes the 5-minute rollups of every complete bucket (one that ends at or before
    /// `now_ms`) not rolled up yet, or touched by a write since. Returns the rollup rows
    /// written. Idempotent.
    pub fn rollup(&mut self, now_ms: i64) -> Result<usize, StoreError> {
        let end = bucket_of(now_ms);
        let path = &self.path;
        let tx = self.conn.transaction().map_err(sql(path, "begin rollup"))?;
        let from: Option<i64> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [ROLLUP_FROM],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(path, "rollup"))?;
        let Some(from) = from.filter(|&from| from < end) else {
            return Ok(0);
        };
        let n = roll_up(&tx, from, end).map_err(sql(path, "rollup"))?;
        move_samples(&tx, end).map_err(sql(path, "move samples"))?;
        tx.execute(
            "UPDATE meta SET value = ?2 WHERE key = ?1",
            params![ROLLUP_FROM, end],
        )
        .map_err(sql(path, "rollup"))?;
        tx.commit().map_err(sql(path, "commit rollup"))?;
        Ok(n)
    }

    /// Deletes samples older than `retention.samples` and rollups older than
    /// `retention.rollups`, both counted back from `now_ms`.
    ///
    /// Boundaries: samples with `time_ms < cutoff` go, where cutoff is `now_ms -
    /// retention.samples` rounded down to a 5-minute boundary, so a kept bucket is never
    /// partial; and never at or after the rollup watermark, so a sample is not pruned before it
    /// was rolled up (run [`Store::rollup`] first). Rollups with `bucket_ms < now_ms -
    /// retention.rollups` go, and so do the wifi hotspots' daily rows of days before the UTC
    /// day of that instant.
    pub fn prune(&mut self, now_ms: i64) -> Result<PruneStats, StoreError> {
        let path = &self.path;
        let tx = self.conn.transaction().map_err(sql(path, "begin prune"))?;
        let watermark: Option<i64> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [ROLLUP_FROM],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(path, "prune"))?;
        let mut cutoff = bucket_of(now_ms.saturating_sub(duration_ms(self.retention.samples)));
        if let Some(w) = watermark {
            cutoff = cutoff.min(w);
        }
        // `port_id IN (...)` lets SQLite seek each port's range on the primary key instead of
        // scanning every sample.
        let n_samples = tx
            .execute(
                "DELETE FROM sample WHERE port_id IN (SELECT port_id FROM port) AND time_ms < ?1",
                [cutoff],
            )
            .map_err(sql(path, "prune samples"))?
            + delete_recent(&tx, cutoff).map_err(sql(path, "prune samples"))?
            + super::observed::prune_optics(&tx, cutoff).map_err(sql(path, "prune optics"))?;
        let rollup_cutoff = now_ms.saturating_sub(duration_ms(self.retention.rollups));
        let n_rollups = tx
            .execute(
                "DELETE FROM rollup WHERE port_id IN (SELECT port_id FROM port)
                   AND bucket_ms < ?1",
                [rollup_cutoff],
            )
            .map_err(sql(path, "prune rollups"))?;
        let n_wifi_days =
            super::wifi_usage::prune(&tx, rollup_cutoff).map_err(sql(path, "prune wifi days"))?;
        tx.commit().map_err(sql(path, "commit prune"))?;
        Ok(PruneStats {
            n_samples,
            n_rollups,
            n_wifi_days,
        })
    }
}

/// Samples move from `poll_recent` to `sample` in spans of this length: each move writes a
/// port's page once for ~15 samples (1-minute polls), and `poll_recent` stays small enough
/// (at most ~20 minutes of polls) that a read of one device's recent polls is a short scan.
const MOVE_SPAN_MS: i64 = 900_000;

/// The recent polls to move, in (device, time) order: a scan of `poll_recent`'s primary key
/// (no sort of the BLOBs; see [`RECENT_RANGE_SQL`]).
pub(super) const MOVE_SQL: &str = "
SELECT device_id, time_ms, data FROM poll_recent WHERE time_ms < ?1
ORDER BY device_id, time_ms";

/// Moves the samples of complete move spans before `end` into `sample`, a device at a time
/// (its samples sorted by port, so each port's page is written once per move; a row already
/// moved is replaced). Memory stays at one device's span.
fn move_samples(tx: &rusqlite::Transaction<'_>, end: i64) -> rusqlite::Result<()> {
    let cutoff = end.div_euclid(MOVE_SPAN_MS) * MOVE_SPAN_MS;
    let mut writer = SampleWriter::new(tx)?;
    let mut device: Option<i64> = None;
    let mut rows: Vec<SampleRow> = Vec::new();
    {
        let mut stmt = tx.prepare_cached(MOVE_SQL)?;
        let mut q = stmt.query([cutoff])?;
        while let Some(r) = q.next()? {
            let (d, time_ms): (i64, i64) = (r.get(0)?, r.get(1)?);
            if device != Some(d) {
                flush(&mut rows, &mut writer)?;
                device = Some(d);
            }
            match recent::decode(r.get_ref(2)?.as_blob()?, time_ms) {
                Some(samples) => rows.extend(samples),
                None => tracing::warn!(
                    device_id = d,
                    time_ms,
                    "store: an unreadable poll_recent row is dropped"
                ),
            }
        }
    }
    flush(&mut rows, &mut writer)?;
    writer.finish()?;
    delete_recent(tx, cutoff)?;
    Ok(())
}

/// Writes one device's moved samples in port order.
fn flush(rows: &mut Vec<SampleRow>, writer: &mut SampleWriter<'_>) -> rusqlite::Result<()> {
    rows.sort_by_key(|r| (r.port_id, r.time_ms));
    for r in rows.drain(..) {
        writer.push(r)?;
    }
    Ok(())
}

/// Deletes the recent polls before `cutoff`; returns the samples they held.
fn delete_recent(tx: &rusqlite::Transaction<'_>, cutoff: i64) -> rusqlite::Result<usize> {
    let mut n = 0;
    {
        let mut stmt = tx.prepare_cached("SELECT data FROM poll_recent WHERE time_ms < ?1")?;
        let mut q = stmt.query([cutoff])?;
        while let Some(r) = q.next()? {
            n += recent::count(r.get_ref(0)?.as_blob()?);
        }
    }
    tx.prepare_cached("DELETE FROM poll_recent WHERE time_ms < ?1")?
        .execute([cutoff])?;
    Ok(n)
}
