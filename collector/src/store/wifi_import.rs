//! Daily wifi usage written as it is, not rolled up from samples: the days of a history the
//! store never polled (the demo's backfilled weeks). A day already in the store is kept: the
//! import fills gaps, it never overwrites a day the rollup measured.

use super::wifi_usage::HotspotDay;
use super::{sql, Store, StoreError};

impl Store {
    /// Writes each of `days` whose (hotspot, date) the store does not hold yet, in one
    /// transaction; the number written.
    pub fn import_wifi_days(&mut self, days: &[HotspotDay]) -> Result<usize, StoreError> {
        let op = "import wifi days";
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql(&path, op))?;
        let mut written = 0;
        for d in days {
            written += super::wifi_usage::insert_day(&tx, d, false).map_err(sql(&path, op))?;
        }
        tx.commit().map_err(sql(&path, op))?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Retention;
    use chrono::NaiveDate;

    fn day(hotspot: &str, date: &str, peak: f64) -> HotspotDay {
        HotspotDay {
            hotspot: hotspot.into(),
            date: date.parse::<NaiveDate>().unwrap(),
            n_aps: 2,
            peak_clients: Some(peak),
            client_hours: Some(peak * 3.0),
            active_hours: Some(10.0),
            availability: Some(1.0),
            coverage: 1.0,
        }
    }

    #[test]
    fn imported_days_read_back_and_never_overwrite_a_day_held() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db"), Retention::default()).unwrap();
        let first = [day("h", "2026-11-01", 4.0), day("h", "2026-11-02", 5.0)];
        assert_eq!(store.import_wifi_days(&first).unwrap(), 2);
        // Again, with one day changed and one new: only the new one is written.
        let again = [day("h", "2026-11-02", 9.0), day("h", "2026-11-03", 6.0)];
        assert_eq!(store.import_wifi_days(&again).unwrap(), 1);
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let back = store
            .wifi_usage(Some("h"), d("2026-11-01"), d("2026-11-03"))
            .unwrap();
        let peaks: Vec<Option<f64>> = back.iter().map(|r| r.peak_clients).collect();
        assert_eq!(peaks, [Some(4.0), Some(5.0), Some(6.0)]);
        assert_eq!(back[0], first[0]);
    }
}
