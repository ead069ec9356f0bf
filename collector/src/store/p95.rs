//! The billing 95th percentile of a port over a window, from its 5-minute rollups.
//!
//! Rank rule (what transit billing does): take the n 5-minute averages in the window that have
//! a value, sort them ascending, drop the top `floor(n / 20)` (5%, rounded down), and take the
//! highest remaining, i.e. the value at 1-based ascending rank `n - floor(n / 20)` (equal to
//! `ceil(0.95 n)`). 8,640 samples (30 days) drop 432 and take rank 8,208; 19 samples drop none
//! and take the maximum; 20 drop one.

use rusqlite::params;

use super::sql;
use super::{Store, StoreError};

/// The 95th percentiles of a port over a window, in bit/s. `None` when no 5-minute sample in
/// the window has a value for that direction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct P95 {
    /// 5-minute samples in the window with at least one direction.
    pub n_samples: usize,
    pub in_bps: Option<f64>,
    pub out_bps: Option<f64>,
    /// Of `max(in, out)` per 5-minute sample (a missing direction counts as absent, not 0).
    pub max_bps: Option<f64>,
}

/// The 1-based ascending rank the 95th percentile takes among `n > 0` values.
pub fn p95_rank(n: usize) -> usize {
    n - n / 20
}

/// The 95th percentile of `values` by the rank rule above; sorts in place.
fn percentile(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    Some(values[p95_rank(values.len()) - 1])
}

impl Store {
    /// The 95th percentile of the 5-minute averages of one port over buckets starting in
    /// `[from_ms, to_ms)`. Reads rollups only: call [`Store::rollup`] first for recent buckets.
    pub fn p95(
        &self,
        device: &str,
        port_key: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<P95, StoreError> {
        let op = "read p95";
        let port_id = self.port_id(device, port_key)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT in_bps_avg, out_bps_avg FROM rollup
                 WHERE port_id = ?1 AND bucket_ms >= ?2 AND bucket_ms < ?3",
            )
            .map_err(sql(&self.path, op))?;
        let mut rows = stmt
            .query(params![port_id, from_ms, to_ms])
            .map_err(sql(&self.path, op))?;
        let (mut ins, mut outs, mut maxes) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(r) = rows.next().map_err(sql(&self.path, op))? {
            let i: Option<f64> = r.get(0).map_err(sql(&self.path, op))?;
            let o: Option<f64> = r.get(1).map_err(sql(&self.path, op))?;
            ins.extend(i);
            outs.extend(o);
            let m = match (i, o) {
                (Some(i), Some(o)) => Some(i.max(o)),
                (a, b) => a.or(b),
            };
            maxes.extend(m);
        }
        Ok(P95 {
            n_samples: maxes.len(),
            in_bps: percentile(&mut ins),
            out_bps: percentile(&mut outs),
            max_bps: percentile(&mut maxes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{p95_rank, percentile};

    #[test]
    fn rank_rule() {
        assert_eq!(p95_rank(1), 1);
        assert_eq!(p95_rank(19), 19);
        assert_eq!(p95_rank(20), 19);
        assert_eq!(p95_rank(39), 38);
        assert_eq!(p95_rank(40), 38);
        assert_eq!(p95_rank(100), 95);
        assert_eq!(p95_rank(8_640), 8_208);
    }

    #[test]
    fn percentile_drops_the_top_five_percent() {
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(percentile(&mut v), Some(95.0));
        let mut v: Vec<f64> = (1..=19).map(f64::from).collect();
        assert_eq!(percentile(&mut v), Some(19.0));
        assert_eq!(percentile(&mut []), None);
    }
}
