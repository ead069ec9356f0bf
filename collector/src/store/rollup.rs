//! 5-minute rollups and retention.
//!
//! Rollups are driven by a watermark, `meta.rollup_from_ms`: every write lowers it to the
//! bucket of its oldest sample, and [`Store::rollup`] recomputes each complete bucket from the
//! watermark up to `now`, then raises it. A bucket is recomputed whole from its samples
//! (`INSERT OR REPLACE`), so running rollup twice, or after a late write into an already
//! rolled-up bucket, gives the same rows: it is idempotent. Rollup also moves the samples of
//! complete 15-minute spans from `sample_recent` to `sample` (see [`super::schema`]).

use rusqlite::{params, OptionalExtension};

use super::schema::{BUCKET_MS, ROLLUP_FROM};
use super::sql;
use super::{bucket_of, duration_ms, Store, StoreError};

/// What one [`Store::prune`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Sample rows deleted.
    pub n_samples: usize,
    /// Rollup rows deleted.
    pub n_rollups: usize,
}

/// Averages ignore gaps (NULL rates); `n` counts the samples with an octet rate. Buckets where
/// every sample is a gap get no row: gaps stay gaps. `CROSS JOIN` pins the port as the outer
/// loop, so each port's range is a primary-key seek (a plain join planned a scan of `sample`).
/// Usually every sample of the range is still in `sample_recent` (a time-range scan) and the
/// `sample` side finds nothing; it matters when a late write reopens a moved bucket. A row in
/// both tables (a retried batch) counts once: the recent one. The union carries only the
/// columns the aggregates read (not `*`): each row crosses the co-routine and the sorter.
const ROLLUP_SQL: &str = "
INSERT OR REPLACE INTO rollup
SELECT s.port_id, (s.time_ms / 300000) * 300000 AS bucket,
       count(coalesce(s.in_bps, s.out_bps)),
       avg(s.in_bps), max(s.in_bps), avg(s.out_bps), max(s.out_bps),
       avg(s.utilisation_in), max(s.utilisation_in),
       avg(s.utilisation_out), max(s.utilisation_out),
       avg(s.in_errors_ps), max(s.in_errors_ps), avg(s.out_errors_ps), max(s.out_errors_ps),
       avg(s.in_discards_ps), max(s.in_discards_ps),
       avg(s.out_discards_ps), max(s.out_discards_ps)
FROM (
  SELECT s.port_id, s.time_ms, s.in_bps, s.out_bps, s.utilisation_in, s.utilisation_out,
         s.in_errors_ps, s.out_errors_ps, s.in_discards_ps, s.out_discards_ps
  FROM port p
  CROSS JOIN sample s ON s.port_id = p.port_id AND s.time_ms >= ?1 AND s.time_ms < ?2
  WHERE NOT EXISTS
    (SELECT 1 FROM sample_recent r WHERE r.time_ms = s.time_ms AND r.port_id = s.port_id)
  UNION ALL
  SELECT port_id, time_ms, in_bps, out_bps, utilisation_in, utilisation_out, in_errors_ps,
         out_errors_ps, in_discards_ps, out_discards_ps
  FROM sample_recent WHERE time_ms >= ?1 AND time_ms < ?2
) s
GROUP BY s.port_id, bucket
HAVING count(coalesce(s.in_bps, s.out_bps)) > 0";

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
        let n = tx
            .prepare_cached(ROLLUP_SQL)
            .and_then(|mut s| s.execute(params![from, end]))
            .map_err(sql(path, "rollup"))?;
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
    /// retention.rollups` go.
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
            + tx.execute("DELETE FROM sample_recent WHERE time_ms < ?1", [cutoff])
                .map_err(sql(path, "prune samples"))?;
        let rollup_cutoff = now_ms.saturating_sub(duration_ms(self.retention.rollups));
        let n_rollups = tx
            .execute(
                "DELETE FROM rollup WHERE port_id IN (SELECT port_id FROM port)
                   AND bucket_ms < ?1",
                [rollup_cutoff],
            )
            .map_err(sql(path, "prune rollups"))?;
        tx.commit().map_err(sql(path, "commit prune"))?;
        Ok(PruneStats {
            n_samples,
            n_rollups,
        })
    }
}

/// Samples move from `sample_recent` to `sample` in spans of this length: each move writes a
/// port's page once for ~15 samples (1-minute polls), and `sample_recent` stays small enough
/// (at most ~20 minutes of samples) that a per-port read of it is a short scan.
const MOVE_SPAN_MS: i64 = 900_000;

/// Moves the samples of complete move spans before `end` (sorted by port, so each port's
/// page is written once per move; a row already moved is replaced).
fn move_samples(tx: &rusqlite::Transaction<'_>, end: i64) -> rusqlite::Result<()> {
    let cutoff = end.div_euclid(MOVE_SPAN_MS) * MOVE_SPAN_MS;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO sample
         SELECT * FROM sample_recent WHERE time_ms < ?1 ORDER BY port_id, time_ms",
    )?
    .execute([cutoff])?;
    tx.prepare_cached("DELETE FROM sample_recent WHERE time_ms < ?1")?
        .execute([cutoff])?;
    Ok(())
}

const _: () = assert!(
    BUCKET_MS == 300_000,
    "ROLLUP_SQL spells the bucket length out"
);
