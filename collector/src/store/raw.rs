//! The raw counters of a sample row, packed in one BLOB column (`raw`).
//!
//! Raw counters and sysUpTime are stored so rates can be recomputed, but SQL never aggregates
//! them: only rates are averaged and ranked. Bound as eleven INTEGER columns they cost a third
//! of a row's insert (each parameter is bound, unbound, copied into the record and given an
//! affinity); as one BLOB they are a single memcpy. Callgrind, a 2,001-port poll: 10.1k
//! instructions per stored row with 25 columns, see BENCHMARKS.md section 1 for the figure
//! with the BLOB.
//!
//! Layout (little-endian, [`RAW_LEN`] bytes, version 1):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | layout version (1) |
//! | 1 | 1 | `counter_bits`: 64 or 32 (the octet counters' width) |
//! | 2 | 1 | 1 when the packet counters are 64-bit |
//! | 3 | 1 | 0 (reserved) |
//! | 4 | 2 | presence mask: bit 0-7 the counters below, bit 8 sysUpTime |
//! | 6 | 4 | sysUpTime in hundredths of a second |
//! | 10 | 8 × 8 | in/out octets, in/out unicast packets, in/out errors, in/out discards |
//!
//! An absent value is 0 with its presence bit clear.

use crate::sample::PortCounters;

/// Length of a version-1 raw BLOB.
pub const RAW_LEN: usize = 10 + 8 * 8;

const VERSION: u8 = 1;
const UPTIME_BIT: u16 = 1 << 8;

/// The raw counters of one stored sample, as the device reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawCounters {
    /// sysUpTime of the poll, hundredths of a second.
    pub sys_uptime: Option<u32>,
    /// 64 when the octet counters came from ifHCIn/OutOctets, 32 from ifIn/OutOctets.
    pub counter_bits: u8,
    /// True when the packet counters are 64-bit.
    pub pkts_bits_64: bool,
    pub in_octets: Option<u64>,
    pub out_octets: Option<u64>,
    pub in_ucast_pkts: Option<u64>,
    pub out_ucast_pkts: Option<u64>,
    pub in_errors: Option<u64>,
    pub out_errors: Option<u64>,
    pub in_discards: Option<u64>,
    pub out_discards: Option<u64>,
}

impl RawCounters {
    /// The raw part of a port's counters.
    pub fn of(sys_uptime: Option<u32>, c: &PortCounters) -> Self {
        RawCounters {
            sys_uptime,
            counter_bits: c.counter_bits,
            pkts_bits_64: c.pkts_bits_64,
            in_octets: c.in_octets,
            out_octets: c.out_octets,
            in_ucast_pkts: c.in_ucast_pkts,
            out_ucast_pkts: c.out_ucast_pkts,
            in_errors: c.in_errors,
            out_errors: c.out_errors,
            in_discards: c.in_discards,
            out_discards: c.out_discards,
        }
    }

    fn counters(&self) -> [Option<u64>; 8] {
        [
            self.in_octets,
            self.out_octets,
            self.in_ucast_pkts,
            self.out_ucast_pkts,
            self.in_errors,
            self.out_errors,
            self.in_discards,
            self.out_discards,
        ]
    }

    /// The BLOB of these counters.
    pub fn encode(&self) -> [u8; RAW_LEN] {
        let mut out = [0u8; RAW_LEN];
        out[0] = VERSION;
        out[1] = self.counter_bits;
        out[2] = u8::from(self.pkts_bits_64);
        let mut mask = 0u16;
        for (i, v) in self.counters().into_iter().enumerate() {
            if let Some(v) = v {
                mask |= 1 << i;
                out[10 + 8 * i..18 + 8 * i].copy_from_slice(&v.to_le_bytes());
            }
        }
        if let Some(t) = self.sys_uptime {
            mask |= UPTIME_BIT;
            out[6..10].copy_from_slice(&t.to_le_bytes());
        }
        out[4..6].copy_from_slice(&mask.to_le_bytes());
        out
    }

    /// Reads a BLOB written by [`RawCounters::encode`]; `None` for another length or version
    /// (a newer writer), so a reader never misreads bytes it does not know.
    pub fn decode(b: &[u8]) -> Option<Self> {
        if b.len() != RAW_LEN || b[0] != VERSION {
            return None;
        }
        let mask = u16::from_le_bytes([b[4], b[5]]);
        let counter = |i: usize| -> Option<u64> {
            if mask & (1 << i) == 0 {
                return None;
            }
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[10 + 8 * i..18 + 8 * i]);
            Some(u64::from_le_bytes(w))
        };
        Some(RawCounters {
            sys_uptime: (mask & UPTIME_BIT != 0)
                .then(|| u32::from_le_bytes([b[6], b[7], b[8], b[9]])),
            counter_bits: b[1],
            pkts_bits_64: b[2] != 0,
            in_octets: counter(0),
            out_octets: counter(1),
            in_ucast_pkts: counter(2),
            out_ucast_pkts: counter(3),
            in_errors: counter(4),
            out_errors: counter(5),
            in_discards: counter(6),
            out_discards: counter(7),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opt_u64() -> impl Strategy<Value = Option<u64>> {
        prop_oneof![Just(None), any::<u64>().prop_map(Some)]
    }

    proptest! {
        #[test]
        fn encode_decode_is_the_identity(
            sys_uptime in prop_oneof![Just(None), any::<u32>().prop_map(Some)],
            counter_bits in prop_oneof![Just(32u8), Just(64u8)],
            pkts_bits_64 in any::<bool>(),
            c in proptest::array::uniform8(opt_u64()),
        ) {
            let r = RawCounters {
                sys_uptime, counter_bits, pkts_bits_64,
                in_octets: c[0], out_octets: c[1], in_ucast_pkts: c[2], out_ucast_pkts: c[3],
                in_errors: c[4], out_errors: c[5], in_discards: c[6], out_discards: c[7],
            };
            prop_assert_eq!(RawCounters::decode(&r.encode()), Some(r));
        }
    }

    #[test]
    fn a_blob_of_another_length_or_version_is_not_read() {
        let b = RawCounters::default().encode();
        assert!(RawCounters::decode(&b[..RAW_LEN - 1]).is_none());
        let mut v2 = b;
        v2[0] = 2;
        assert!(RawCounters::decode(&v2).is_none());
        assert!(RawCounters::decode(&b).is_some());
    }

    #[test]
    fn zero_and_absent_differ() {
        let r = RawCounters {
            in_octets: Some(0),
            ..RawCounters::default()
        };
        let back = RawCounters::decode(&r.encode()).unwrap();
        assert_eq!((back.in_octets, back.out_octets), (Some(0), None));
    }
}
