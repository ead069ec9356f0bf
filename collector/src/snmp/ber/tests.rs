//! Tests of the v1/v2c codec, including the inputs snmp2 0.5 mishandles.

use super::*;
use crate::snmp::oid::oid;

fn response(varbinds: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    push_int(&mut body, 77);
    push_int(&mut body, 0);
    push_int(&mut body, 0);
    push_tlv(&mut body, TAG_SEQUENCE, varbinds);
    let mut pdu = Vec::new();
    push_tlv(&mut pdu, PDU_RESPONSE, &body);
    encode_community_message(1, b"public", &pdu)
}

fn varbind(name: &str, tag: u8, content: &[u8]) -> Vec<u8> {
    let mut vb = Vec::new();
    push_tlv(&mut vb, TAG_OID, oid(name).as_ber());
    push_tlv(&mut vb, tag, content);
    let mut out = Vec::new();
    push_tlv(&mut out, TAG_SEQUENCE, &vb);
    out
}

#[test]
fn requests_decode_with_snmp2() {
    let a = oid("1.3.6.1.2.1.31.1.1.1.6");
    let b = oid("1.3.6.1.2.1.31.1.1.1.10");
    let pdu = encode_pdu(PDU_GET_BULK, 123_456, 0, 25, &[&a, &b]);
    let msg = encode_community_message(1, b"public", &pdu);
    let parsed = snmp2::Pdu::from_bytes(&msg).unwrap();
    assert_eq!(parsed.req_id, 123_456);
    assert_eq!(parsed.community, b"public");
    assert_eq!(parsed.message_type, snmp2::MessageType::GetBulkRequest);
    assert_eq!((parsed.error_status, parsed.error_index), (0, 25));
    let names: Vec<String> = parsed.varbinds.map(|(o, _)| o.to_string()).collect();
    assert_eq!(names, vec![a.to_string(), b.to_string()]);
}

#[test]
fn integers_encode_minimally() {
    for (v, want) in [
        (0i64, vec![2, 1, 0]),
        (127, vec![2, 1, 127]),
        (128, vec![2, 2, 0, 128]),
        (-1, vec![2, 1, 0xff]),
        (-129, vec![2, 2, 0xff, 0x7f]),
    ] {
        let mut out = Vec::new();
        push_int(&mut out, v);
        assert_eq!(out, want, "{v}");
        assert_eq!(signed(&out[2..]).unwrap(), v);
    }
}

#[test]
fn values_decode_strictly() {
    let mut vbs = varbind("1.3.6.1.2.1.1.3.0", TAG_TIMETICKS, &[0x01, 0x00]);
    vbs.extend(varbind(
        "1.3.6.1.2.1.31.1.1.1.6.1",
        TAG_COUNTER64,
        &[0, 0xff, 0, 0, 0, 0, 0, 0, 1],
    ));
    vbs.extend(varbind(
        "1.3.6.1.2.1.2.2.1.10.1",
        TAG_COUNTER32,
        &[0xff, 0xff, 0xff, 0xff],
    ));
    vbs.extend(varbind("1.3.6.1.2.1.2.2.1.2.1", TAG_OCTET_STRING, b"eth0"));
    vbs.extend(varbind(
        "1.3.6.1.2.1.31.1.1.1.7.1",
        TAG_END_OF_MIB_VIEW,
        &[],
    ));
    let (version, community, r) = decode_community_message(&response(&vbs)).unwrap();
    assert_eq!(
        (version, community.as_slice(), r.request_id),
        (1, &b"public"[..], 77)
    );
    let values: Vec<Value> = r.varbinds.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        values,
        vec![
            Value::TimeTicks(256),
            Value::Counter64(0xff00_0000_0000_0001),
            Value::Counter32(u32::MAX),
            Value::OctetString(b"eth0".to_vec()),
            Value::EndOfMibView,
        ]
    );
}

#[test]
fn hostile_values_are_errors_naming_the_varbind() {
    let cases: [(u8, &[u8], &str); 5] = [
        (TAG_INTEGER, &[], "zero-length INTEGER"),
        (TAG_COUNTER32, &[], "zero-length unsigned value"),
        (
            TAG_COUNTER32,
            &[1, 0, 0, 0, 0],
            "unsigned value out of range",
        ),
        (
            TAG_COUNTER64,
            &[1, 0, 0, 0, 0, 0, 0, 0, 0],
            "unsigned value out of range",
        ),
        (0x99, &[1], "unsupported value type"),
    ];
    for (tag, content, reason) in cases {
        let mut vbs = varbind("1.3.6.1.2.1.1.5.0", TAG_OCTET_STRING, b"ok");
        vbs.extend(varbind("1.3.6.1.2.1.1.3.0", tag, content));
        vbs.extend(varbind("1.3.6.1.2.1.1.1.0", TAG_OCTET_STRING, b"after"));
        let err = decode_community_message(&response(&vbs)).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Varbind {
                index: 1,
                reason: reason.to_string()
            }
        );
    }
}

#[test]
fn truncated_and_garbage_messages_are_errors() {
    let vbs = varbind("1.3.6.1.2.1.1.5.0", TAG_OCTET_STRING, b"name");
    let msg = response(&vbs);
    for cut in 0..msg.len() {
        assert!(
            decode_community_message(&msg[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    assert!(decode_community_message(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    assert_eq!(peek_community_request_id(&msg), Some((1, 77)));
    assert_eq!(peek_community_request_id(b"garbage"), None);
}

#[test]
fn deeply_nested_sequences_do_not_recurse() {
    // A 4 KB datagram of nested SEQUENCEs: snmp2's Debug would recurse on it; we never
    // descend into values, so this is a flat error.
    let mut inner: Vec<u8> = vec![];
    for _ in 0..1000 {
        let mut next = Vec::new();
        push_tlv(&mut next, TAG_SEQUENCE, &inner);
        inner = next;
    }
    let vbs = varbind("1.3.6.1.2.1.1.5.0", TAG_SEQUENCE, &inner);
    let err = decode_community_message(&response(&vbs)).unwrap_err();
    assert!(matches!(err, DecodeError::Varbind { index: 0, .. }));
}

#[test]
fn every_value_round_trips() {
    let values = vec![
        Value::Integer(-129),
        Value::OctetString(b"x".to_vec()),
        Value::Null,
        Value::Oid(oid("1.3.6.1.4.1.9")),
        Value::IpAddress([192, 0, 2, 1]),
        Value::Counter32(u32::MAX),
        Value::Gauge32(0),
        Value::TimeTicks(1 << 31),
        Value::Opaque(vec![1, 2]),
        Value::Counter64(u64::MAX),
        Value::NoSuchObject,
        Value::NoSuchInstance,
        Value::EndOfMibView,
    ];
    let vbs: Vec<(Oid, Value)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (oid("1.3.6.1.2.1.1").child(i as u32), v.clone()))
        .collect();
    let msg = encode_response(1, b"c", 9, &vbs);
    let (_, _, r) = decode_community_message(&msg).unwrap();
    assert_eq!(r.varbinds, vbs);
}

#[test]
fn the_fuzz_corpus_decodes_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode_response");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let decoded = decode_community_message(&bytes);
        let peeked = peek_community_request_id(&bytes);
        if let Ok((version, _, r)) = decoded {
            assert_eq!(peeked, Some((version, r.request_id)));
        }
        n += 1;
    }
    assert!(n >= 3, "seed corpus at {}", dir.display());
}

#[test]
fn tlv_lengths_are_strict() {
    // Short and long forms.
    assert_eq!(
        tlv(&[0x04, 2, b'a', b'b', 9], None),
        Some((&b"ab"[..], &[9u8][..]))
    );
    let mut long = vec![0x04, 0x82, 0x01, 0x00];
    long.extend(vec![7u8; 256]);
    assert_eq!(
        tlv(&long, Some(0x04)).map(|(c, r)| (c.len(), r.len())),
        Some((256, 0))
    );
    // Wrong tag, indefinite length, 5 length bytes, content past the end, nothing at all.
    assert_eq!(tlv(&[0x04, 1, 0], Some(0x30)), None);
    assert_eq!(tlv(&[0x30, 0x80, 0, 0], None), None);
    assert_eq!(tlv(&[0x04, 0x85, 0, 0, 0, 0, 1, 0], None), None);
    assert_eq!(tlv(&[0x04, 3, 1, 2], None), None);
    assert_eq!(tlv(&[0x04, 0x82, 1], None), None);
    assert_eq!(tlv(&[], None), None);
    assert_eq!(tlv(&[0x04], None), None);
}

#[test]
fn oids_of_one_byte_sub_ids_and_of_long_ones_decode_alike() {
    for text in [
        "1.3.6.1.2.1.31.1.1.1.6.5",
        "1.3.6.1.4.1.9.9.1000.4294967295",
    ] {
        let o = oid(text);
        let back = Oid::from_ber(o.as_ber()).unwrap();
        assert_eq!(back.to_string(), text);
    }
    assert!(Oid::from_ber(&[0x2b, 0x80, 0x01]).is_err(), "leading 0x80");
    assert!(Oid::from_ber(&[0x2b, 0x86]).is_err(), "truncated");
}

proptest::proptest! {
    /// The walk checks the values it skips with `check_value` and decodes those it keeps
    /// with `decode_value`: both must accept and refuse the same bytes.
    #[test]
    fn check_value_agrees_with_decode_value(
        tag in proptest::prop_oneof![
            proptest::sample::select(vec![
                TAG_INTEGER, TAG_OCTET_STRING, TAG_NULL, TAG_OID, TAG_IPADDRESS, TAG_COUNTER32,
                TAG_GAUGE32, TAG_TIMETICKS, TAG_OPAQUE, TAG_COUNTER64, TAG_NO_SUCH_OBJECT,
                TAG_NO_SUCH_INSTANCE, TAG_END_OF_MIB_VIEW,
            ]),
            proptest::prelude::any::<u8>(),
        ],
        content in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
    ) {
        proptest::prop_assert_eq!(
            check_value(tag, &content).is_ok(),
            decode_value(tag, &content).is_ok()
        );
    }
}
