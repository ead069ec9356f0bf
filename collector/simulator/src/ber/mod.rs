//! Just enough BER for SNMP v1/v2c: a bounds-checked reader for requests that never panics on
//! hostile bytes, and a writer that computes every length up front so a response is written in
//! one pass, without shifting bytes or allocating.

/// BER and SNMP tags used by the simulator.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTETS: u8 = 0x04;
    #[cfg(test)]
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    pub const COUNTER32: u8 = 0x41;
    pub const GAUGE32: u8 = 0x42;
    pub const TIMETICKS: u8 = 0x43;
    pub const COUNTER64: u8 = 0x46;
    pub const NO_SUCH_OBJECT: u8 = 0x80;
    pub const NO_SUCH_INSTANCE: u8 = 0x81;
    pub const END_OF_MIB_VIEW: u8 = 0x82;
    pub const GET: u8 = 0xA0;
    pub const GET_NEXT: u8 = 0xA1;
    pub const RESPONSE: u8 = 0xA2;
    pub const GET_BULK: u8 = 0xA5;
}

mod read;
mod write;

pub(crate) use read::{decode, parse_oid, Message};
#[cfg(test)]
pub(crate) use read::{parse_int, parse_uint};
#[cfg(test)]
pub(crate) use write::put_request;
pub(crate) use write::{put_message, put_oid_content, put_varbind};

/// A value as the simulator answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Integer(i64),
    Octets(&'a [u8]),
    Oid(&'a [u32]),
    Counter32(u32),
    Gauge32(u32),
    TimeTicks(u32),
    Counter64(u64),
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
}

#[cfg(test)]
mod tests {
    use super::read::*;
    use super::write::*;
    use super::*;
    use proptest::prelude::*;

    fn oid_bytes(arcs: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        put_oid_content(&mut out, arcs);
        out
    }

    #[test]
    fn oid_known_encoding() {
        assert_eq!(
            oid_bytes(&[1, 3, 6, 1, 4, 1, 8072]),
            [0x2b, 6, 1, 4, 1, 0xbf, 0x08]
        );
        assert_eq!(oid_content_len(&[1, 3, 6, 1, 4, 1, 8072]), 7);
    }

    #[test]
    fn message_round_trip() {
        let head = Message {
            version: 1,
            community: b"dev0001",
            pdu: tag::RESPONSE,
            request_id: 0x7fff_ffff,
            a: 0,
            b: 0,
            varbinds: &[],
        };
        let mut vbs = Vec::new();
        put_varbind(
            &mut vbs,
            &oid_bytes(&[1, 3, 6]),
            &[300],
            &Value::Counter64(u64::MAX),
        );
        put_varbind(
            &mut vbs,
            &oid_bytes(&[1, 3]),
            &[],
            &Value::Octets(&[7; 300]),
        );
        let mut out = Vec::new();
        put_message(&mut out, &head, &vbs);
        let back = decode(&out).unwrap();
        assert_eq!(
            (back.version, back.request_id, back.community),
            (1, 0x7fff_ffff, &b"dev0001"[..])
        );
        let vbs: Vec<_> = back.varbinds().map(Result::unwrap).collect();
        let mut arcs = Vec::new();
        parse_oid(vbs[0].0, &mut arcs).unwrap();
        assert_eq!(arcs, [1, 3, 6, 300]);
        assert_eq!(
            (vbs[0].1, parse_uint(vbs[0].2)),
            (tag::COUNTER64, Some(u64::MAX))
        );
        assert_eq!(vbs[1].2.len(), 300);
    }

    proptest! {
        #[test]
        fn int_round_trip(v in any::<i64>()) {
            let mut out = Vec::new();
            put_int(&mut out, tag::INTEGER, v);
            let (t, content) = Reader(&out).tlv().unwrap();
            prop_assert_eq!((t, parse_int(content)), (tag::INTEGER, Some(v)));
        }

        #[test]
        fn uint_round_trip(v in any::<u64>()) {
            let mut out = Vec::new();
            put_uint(&mut out, tag::COUNTER64, v);
            let (_, content) = Reader(&out).tlv().unwrap();
            prop_assert_eq!(parse_uint(content), Some(v));
            prop_assert!(content[0] & 0x80 == 0);
        }

        #[test]
        fn oid_round_trip(first in 0u32..3, second in 0u32..40, rest in prop::collection::vec(any::<u32>(), 0..20)) {
            let mut arcs = vec![first, second];
            arcs.extend(rest);
            let bytes = oid_bytes(&arcs);
            prop_assert_eq!(bytes.len(), oid_content_len(&arcs));
            let mut back = Vec::new();
            prop_assert!(parse_oid(&bytes, &mut back).is_some());
            prop_assert_eq!(back, arcs);
        }

        #[test]
        fn hostile_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Some(msg) = decode(&bytes) {
                let mut arcs = Vec::new();
                for (oid, _, _) in msg.varbinds().flatten() {
                    let _ = parse_oid(oid, &mut arcs);
                }
            }
        }
    }
}
