//! The recent samples: one `poll_recent` row per device poll, its ports' samples packed in one
//! BLOB (`data`).
//!
//! Why: a poll of 2,001 ports as 2,001 SQLite rows cost ≈ 8.4k instructions a row (binding,
//! record building, B-tree balancing), half of the poller's CPU; one row per poll with the
//! ports packed costs a memcpy and a few pages. Samples stay here until [`super::Store::rollup`]
//! moves complete 15-minute spans into `sample` (one row per port and poll, clustered on the
//! port), so this table holds about 20 minutes and every read of it is a short scan of one
//! device's rows. Readers decode the BLOB in Rust ([`decode`], [`find`]).
//!
//! Layout (little-endian): a version byte ([`VERSION`]), a `u32` record count, then the
//! records, each:
//!
//! | size | field |
//! |---|---|
//! | 8 | `port_id` (i64) |
//! | 2 | presence mask: bit 0 `interval_ms`, bits 1-10 the rates in [`SampleRow::reals`] order, bit 11 `gap` |
//! | 10 | the raw counters' header ([`super::raw`]: version, widths, their presence mask, sysUpTime) |
//! | 8 | `interval_ms` (i64), when present |
//! | 8 each | the present rates (f64), in order |
//! | 1 | gap code, when present |
//! | 8 each | the present raw counters, in their order |
//!
//! A BLOB of another version, or one that ends inside a record, decodes to `None`: a reader
//! never misreads bytes it does not know.

use super::raw::RAW_LEN;

/// The layout version of a `poll_recent.data` BLOB.
pub(crate) const VERSION: u8 = 1;

/// Rates per sample, in column order: in/out bit/s, in/out packets/s, in/out errors/s,
/// in/out discards/s, utilisation in/out.
pub(crate) const N_REALS: usize = 10;

const INTERVAL_BIT: u16 = 1;
/// Bytes of the raw counters' header, and where its presence mask sits in it.
const RAW_HEAD: usize = 10;
const RAW_MASK_AT: usize = 4;
const GAP_BIT: u16 = 1 << 11;

/// One port's sample of one poll, in the column order of a `sample` row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SampleRow {
    pub port_id: i64,
    pub time_ms: i64,
    pub interval_ms: Option<i64>,
    pub raw: [u8; RAW_LEN],
    pub reals: [Option<f64>; N_REALS],
    pub gap: Option<i64>,
}

/// Index of each rate in [`SampleRow::reals`].
pub(crate) mod col {
    pub const IN_BPS: usize = 0;
    pub const OUT_BPS: usize = 1;
    pub const IN_ERRORS: usize = 4;
    pub const OUT_ERRORS: usize = 5;
    pub const IN_DISCARDS: usize = 6;
    pub const OUT_DISCARDS: usize = 7;
    pub const UTIL_IN: usize = 8;
    pub const UTIL_OUT: usize = 9;
}

/// Packs the samples of one poll (all with the same `time_ms`, which the row stores apart).
pub(crate) fn encode(rows: &[SampleRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + rows.len() * (8 + 2 + RAW_HEAD + 8 + 4 * 8 + 2 * 8));
    out.push(VERSION);
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    for r in rows {
        out.extend_from_slice(&r.port_id.to_le_bytes());
        let mut mask = 0u16;
        if r.interval_ms.is_some() {
            mask |= INTERVAL_BIT;
        }
        for (k, v) in r.reals.iter().enumerate() {
            if v.is_some() {
                mask |= 1 << (k + 1);
            }
        }
        if r.gap.is_some() {
            mask |= GAP_BIT;
        }
        out.extend_from_slice(&mask.to_le_bytes());
        out.extend_from_slice(&r.raw[..RAW_HEAD]);
        if let Some(i) = r.interval_ms {
            out.extend_from_slice(&i.to_le_bytes());
        }
        for v in r.reals.iter().flatten() {
            out.extend_from_slice(&v.to_le_bytes());
        }
        if let Some(g) = r.gap {
            // Gap codes are small (see `write::gap_code`); anything else is stored as unknown.
            out.push(u8::try_from(g).unwrap_or(u8::MAX));
        }
        let raw_mask = raw_mask(&r.raw);
        for k in 0..8 {
            if raw_mask & (1 << k) != 0 {
                out.extend_from_slice(&r.raw[RAW_HEAD + 8 * k..RAW_HEAD + 8 * k + 8]);
            }
        }
    }
    out
}

/// The counters' presence bits (0-7) of a raw BLOB.
fn raw_mask(raw: &[u8]) -> u16 {
    u16::from_le_bytes([raw[RAW_MASK_AT], raw[RAW_MASK_AT + 1]]) & 0xff
}

/// A cursor over the records of one BLOB.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// The next record's port id, mask and raw header, without reading the rest.
    fn head(&mut self) -> Option<(i64, u16, &'a [u8])> {
        let port_id = self.i64()?;
        let mask = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        Some((port_id, mask, self.take(RAW_HEAD)?))
    }

    /// Bytes of a record's body after its head.
    fn body_len(mask: u16, raw_head: &[u8]) -> usize {
        let words = (mask & !GAP_BIT).count_ones() + raw_mask(raw_head).count_ones();
        words as usize * 8 + usize::from(mask & GAP_BIT != 0)
    }

    fn body(
        &mut self,
        port_id: i64,
        time_ms: i64,
        mask: u16,
        raw_head: &[u8],
    ) -> Option<SampleRow> {
        let interval_ms = if mask & INTERVAL_BIT != 0 {
            Some(self.i64()?)
        } else {
            None
        };
        let mut reals = [None; N_REALS];
        for (k, slot) in reals.iter_mut().enumerate() {
            if mask & (1 << (k + 1)) != 0 {
                *slot = Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?));
            }
        }
        let gap = if mask & GAP_BIT != 0 {
            Some(i64::from(self.take(1)?[0]))
        } else {
            None
        };
        let mut raw = [0u8; RAW_LEN];
        raw[..RAW_HEAD].copy_from_slice(raw_head);
        let raw_mask = raw_mask(raw_head);
        for k in 0..8 {
            if raw_mask & (1 << k) != 0 {
                raw[RAW_HEAD + 8 * k..RAW_HEAD + 8 * k + 8].copy_from_slice(self.take(8)?);
            }
        }
        Some(SampleRow {
            port_id,
            time_ms,
            interval_ms,
            raw,
            reals,
            gap,
        })
    }
}

/// The record count of a BLOB of this layout, and a reader after the header.
fn open(b: &[u8]) -> Option<(u32, Reader<'_>)> {
    if b.first() != Some(&VERSION) {
        return None;
    }
    let mut r = Reader { b, at: 1 };
    let n = u32::from_le_bytes(r.take(4)?.try_into().ok()?);
    Some((n, r))
}

/// Every sample of a BLOB, stamped with the poll's `time_ms`; `None` when it is not a BLOB of
/// this layout or ends early.
pub(crate) fn decode(b: &[u8], time_ms: i64) -> Option<Vec<SampleRow>> {
    let (n, mut r) = open(b)?;
    // A count the bytes cannot hold is corrupt; never reserve for it.
    let mut rows = Vec::with_capacity((n as usize).min(b.len() / (10 + RAW_HEAD)));
    for _ in 0..n {
        let (port_id, mask, raw_head) = r.head()?;
        rows.push(r.body(port_id, time_ms, mask, raw_head)?);
    }
    (r.at == b.len()).then_some(rows)
}

/// The sample of `port_id` in a BLOB, skipping the other records unread.
pub(crate) fn find(b: &[u8], time_ms: i64, port_id: i64) -> Option<SampleRow> {
    let (n, mut r) = open(b)?;
    for _ in 0..n {
        let (id, mask, raw_head) = r.head()?;
        if id == port_id {
            return r.body(id, time_ms, mask, raw_head);
        }
        r.take(Reader::body_len(mask, raw_head))?;
    }
    None
}

/// The number of samples a BLOB holds (0 for one this reader does not know).
pub(crate) fn count(b: &[u8]) -> usize {
    open(b).map_or(0, |(n, _)| n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opt_f64() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![Just(None), (-1e12f64..1e12).prop_map(Some)]
    }

    fn row() -> impl Strategy<Value = SampleRow> {
        (
            any::<i64>(),
            prop_oneof![Just(None), any::<i64>().prop_map(Some)],
            proptest::collection::vec(any::<u8>(), RAW_LEN),
            proptest::array::uniform10(opt_f64()),
            prop_oneof![Just(None), (0i64..=255).prop_map(Some)],
        )
            .prop_map(|(port_id, interval_ms, raw, reals, gap)| {
                let mut raw: [u8; RAW_LEN] = raw.try_into().expect("RAW_LEN bytes");
                // As `RawCounters::encode` writes them: an absent counter is zeros.
                let m = raw_mask(&raw);
                for k in 0..8 {
                    if m & (1 << k) == 0 {
                        raw[RAW_HEAD + 8 * k..RAW_HEAD + 8 * k + 8].fill(0);
                    }
                }
                SampleRow {
                    port_id,
                    time_ms: 1_700_000_000_000,
                    interval_ms,
                    raw,
                    reals,
                    gap,
                }
            })
    }

    proptest! {
        #[test]
        fn encode_decode_is_the_identity(rows in proptest::collection::vec(row(), 0..40)) {
            let b = encode(&rows);
            prop_assert_eq!(decode(&b, 1_700_000_000_000), Some(rows.clone()));
            prop_assert_eq!(count(&b), rows.len());
            for r in &rows {
                // The first record of that port (ids may repeat in generated input).
                let first = rows.iter().find(|x| x.port_id == r.port_id).copied();
                prop_assert_eq!(find(&b, r.time_ms, r.port_id), first);
            }
        }

        #[test]
        fn a_truncated_blob_never_decodes(rows in proptest::collection::vec(row(), 1..10), cut in 1usize..200) {
            let b = encode(&rows);
            let short = &b[..b.len().saturating_sub(cut)];
            prop_assert_eq!(decode(short, 0), None);
        }
    }

    #[test]
    fn another_version_or_garbage_is_not_read() {
        let r = SampleRow {
            port_id: 7,
            time_ms: 0,
            interval_ms: Some(60_000),
            raw: crate::store::RawCounters {
                in_octets: Some(5),
                counter_bits: 64,
                ..Default::default()
            }
            .encode(),
            reals: [Some(1.0); N_REALS],
            gap: None,
        };
        let mut b = encode(&[r]);
        assert_eq!(find(&b, 0, 7), Some(r));
        assert_eq!(find(&b, 0, 8), None);
        b[0] = 2;
        assert_eq!(decode(&b, 0), None);
        assert_eq!(find(&b, 0, 7), None);
        assert_eq!(count(&b), 0);
        assert_eq!(decode(&[], 0), None);
        // A huge count with no records behind it.
        assert_eq!(decode(&[VERSION, 255, 255, 255, 255], 0), None);
    }
}
