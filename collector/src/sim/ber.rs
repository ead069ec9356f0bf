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

/// SNMP limits an OID to 128 sub-identifiers; longer ones are hostile.
const MAX_ARCS: usize = 128;

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

/// A decoded message: the header fields plus the raw varbind list, read lazily.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message<'a> {
    pub version: i64,
    pub community: &'a [u8],
    pub pdu: u8,
    pub request_id: i64,
    /// error-status, or non-repeaters in a GetBulkRequest.
    pub a: i64,
    /// error-index, or max-repetitions in a GetBulkRequest.
    pub b: i64,
    /// The content of the varbind-list SEQUENCE.
    pub varbinds: &'a [u8],
}

impl<'a> Message<'a> {
    /// The varbinds as (OID content bytes, value tag, value content bytes).
    pub(crate) fn varbinds(&self) -> VarBinds<'a> {
        VarBinds(Reader(self.varbinds))
    }
}

/// Decodes one SNMP v1/v2c message; `None` for anything malformed.
pub(crate) fn decode(datagram: &[u8]) -> Option<Message<'_>> {
    let mut outer = Reader(datagram);
    let mut msg = Reader(outer.expect(tag::SEQUENCE)?);
    let version = parse_int(msg.expect(tag::INTEGER)?)?;
    let community = msg.expect(tag::OCTETS)?;
    let (pdu, body) = msg.tlv()?;
    let mut body = Reader(body);
    let request_id = parse_int(body.expect(tag::INTEGER)?)?;
    let a = parse_int(body.expect(tag::INTEGER)?)?;
    let b = parse_int(body.expect(tag::INTEGER)?)?;
    let varbinds = body.expect(tag::SEQUENCE)?;
    Some(Message {
        version,
        community,
        pdu,
        request_id,
        a,
        b,
        varbinds,
    })
}

/// Iterator over a varbind list; yields `Err(())` once on malformed content, then stops.
pub(crate) struct VarBinds<'a>(Reader<'a>);

impl<'a> Iterator for VarBinds<'a> {
    type Item = Result<(&'a [u8], u8, &'a [u8]), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.0 .0.is_empty() {
            return None;
        }
        let item = self.0.expect(tag::SEQUENCE).and_then(|vb| {
            let mut vb = Reader(vb);
            let oid = vb.expect(tag::OID)?;
            let (value_tag, value) = vb.tlv()?;
            vb.0.is_empty().then_some((oid, value_tag, value))
        });
        if item.is_none() {
            self.0 .0 = &[];
        }
        Some(item.ok_or(()))
    }
}

/// A cursor over TLVs; every read is bounds-checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    /// Reads one TLV (single-byte tags only, as SNMP uses), returning its tag and content.
    pub(crate) fn tlv(&mut self) -> Option<(u8, &'a [u8])> {
        let (&t, rest) = self.0.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let (bytes, after) = rest.split_at_checked(n)?;
            rest = after;
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        let (content, after) = rest.split_at_checked(len)?;
        self.0 = after;
        Some((t, content))
    }

    /// Reads one TLV that must carry `want`.
    pub(crate) fn expect(&mut self, want: u8) -> Option<&'a [u8]> {
        let (t, content) = self.tlv()?;
        (t == want).then_some(content)
    }
}

/// Parses a two's-complement INTEGER of 1 to 8 bytes.
pub(crate) fn parse_int(bytes: &[u8]) -> Option<i64> {
    let (&first, _) = bytes.split_first()?;
    if bytes.len() > 8 {
        return None;
    }
    let init = if first & 0x80 != 0 { -1i64 } else { 0 };
    Some(bytes.iter().fold(init, |acc, &b| (acc << 8) | i64::from(b)))
}

#[cfg(test)]
/// Parses an unsigned value (Counter32, Gauge32, TimeTicks, Counter64) of up to 9 bytes.
pub(crate) fn parse_uint(bytes: &[u8]) -> Option<u64> {
    let bytes = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// Parses OID content into `out` (cleared first); `None` if malformed or too long.
pub(crate) fn parse_oid(bytes: &[u8], out: &mut Vec<u32>) -> Option<()> {
    out.clear();
    let mut acc: u64 = 0;
    let mut n_bytes = 0;
    for &b in bytes {
        acc = (acc << 7) | u64::from(b & 0x7f);
        n_bytes += 1;
        if n_bytes > 5 || acc > u64::from(u32::MAX) + 80 {
            return None;
        }
        if b & 0x80 == 0 {
            if out.is_empty() {
                let first = (acc / 40).min(2);
                out.push(first as u32);
                out.push(u32::try_from(acc - first * 40).ok()?);
            } else {
                out.push(u32::try_from(acc).ok()?);
            }
            if out.len() > MAX_ARCS {
                return None;
            }
            acc = 0;
            n_bytes = 0;
        }
    }
    (n_bytes == 0 && !out.is_empty()).then_some(())
}

/// Length in bytes of one base-128 sub-identifier.
pub(crate) fn arc_len(arc: u32) -> usize {
    match arc {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        0x20_0000..=0x0fff_ffff => 4,
        _ => 5,
    }
}

/// Appends one base-128 sub-identifier.
pub(crate) fn put_arc(out: &mut Vec<u8>, arc: u32) {
    for shift in (1..arc_len(arc)).rev() {
        out.push(0x80 | ((arc >> (7 * shift)) & 0x7f) as u8);
    }
    out.push((arc & 0x7f) as u8);
}

/// Appends OID content for `arcs` (at least two arcs, the first at most 2).
pub(crate) fn put_oid_content(out: &mut Vec<u8>, arcs: &[u32]) {
    if let [a, b, rest @ ..] = arcs {
        put_arc(out, a.saturating_mul(40).saturating_add(*b));
        for &arc in rest {
            put_arc(out, arc);
        }
    }
}

/// Length of OID content for `arcs`.
fn oid_content_len(arcs: &[u32]) -> usize {
    match arcs {
        [a, b, rest @ ..] => {
            arc_len(a.saturating_mul(40).saturating_add(*b))
                + rest.iter().map(|&r| arc_len(r)).sum::<usize>()
        }
        _ => 0,
    }
}

/// Length of a BER length field for content of `len` bytes.
pub(crate) fn len_len(len: usize) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 4,
    }
}

/// Appends a tag and a minimal length field.
pub(crate) fn put_header(out: &mut Vec<u8>, t: u8, len: usize) {
    out.push(t);
    match len_len(len) {
        1 => out.push(len as u8),
        n => {
            out.push(0x80 | (n - 1) as u8);
            for i in (0..n - 1).rev() {
                out.push((len >> (8 * i)) as u8);
            }
        }
    }
}

fn int_len(v: i64) -> usize {
    let mut n = 1;
    while n < 8 && !(-(1i64 << (8 * n - 1))..(1i64 << (8 * n - 1))).contains(&v) {
        n += 1;
    }
    n
}

fn uint_len(v: u64) -> usize {
    // One byte more than the significant bits need: the top bit must stay clear (not negative).
    (64 - v.leading_zeros() as usize) / 8 + 1
}

fn put_int(out: &mut Vec<u8>, t: u8, v: i64) {
    let n = int_len(v);
    put_header(out, t, n);
    out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
}

fn put_uint(out: &mut Vec<u8>, t: u8, v: u64) {
    let n = uint_len(v);
    put_header(out, t, n);
    if n == 9 {
        out.push(0);
    }
    out.extend_from_slice(&v.to_be_bytes()[8 - n.min(8)..]);
}

/// Content length of a value.
fn value_content_len(v: &Value<'_>) -> usize {
    match *v {
        Value::Integer(i) => int_len(i),
        Value::Octets(s) => s.len(),
        Value::Oid(arcs) => oid_content_len(arcs),
        Value::Counter32(u) | Value::Gauge32(u) | Value::TimeTicks(u) => uint_len(u64::from(u)),
        Value::Counter64(u) => uint_len(u),
        Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => 0,
    }
}

/// Encoded length (tag, length and content) of a value.
fn value_len(v: &Value<'_>) -> usize {
    let n = value_content_len(v);
    1 + len_len(n) + n
}

fn put_value(out: &mut Vec<u8>, v: &Value<'_>) {
    match *v {
        Value::Integer(i) => put_int(out, tag::INTEGER, i),
        Value::Octets(s) => {
            put_header(out, tag::OCTETS, s.len());
            out.extend_from_slice(s);
        }
        Value::Oid(arcs) => {
            put_header(out, tag::OID, oid_content_len(arcs));
            put_oid_content(out, arcs);
        }
        Value::Counter32(u) => put_uint(out, tag::COUNTER32, u64::from(u)),
        Value::Gauge32(u) => put_uint(out, tag::GAUGE32, u64::from(u)),
        Value::TimeTicks(u) => put_uint(out, tag::TIMETICKS, u64::from(u)),
        Value::Counter64(u) => put_uint(out, tag::COUNTER64, u),
        Value::NoSuchObject => put_header(out, tag::NO_SUCH_OBJECT, 0),
        Value::NoSuchInstance => put_header(out, tag::NO_SUCH_INSTANCE, 0),
        Value::EndOfMibView => put_header(out, tag::END_OF_MIB_VIEW, 0),
    }
}

/// Appends one varbind whose OID content is `prefix` (pre-encoded) followed by `suffix` arcs.
pub(crate) fn put_varbind(out: &mut Vec<u8>, prefix: &[u8], suffix: &[u32], v: &Value<'_>) {
    let oid_len = prefix.len() + suffix.iter().map(|&a| arc_len(a)).sum::<usize>();
    let body = 1 + len_len(oid_len) + oid_len + value_len(v);
    put_header(out, tag::SEQUENCE, body);
    put_header(out, tag::OID, oid_len);
    out.extend_from_slice(prefix);
    for &arc in suffix {
        put_arc(out, arc);
    }
    put_value(out, v);
}

/// Appends a whole message around an already encoded varbind-list content.
pub(crate) fn put_message(out: &mut Vec<u8>, head: &Message<'_>, varbinds: &[u8]) {
    let pdu_len = 1
        + len_len(int_len(head.request_id))
        + int_len(head.request_id)
        + 1
        + len_len(int_len(head.a))
        + int_len(head.a)
        + 1
        + len_len(int_len(head.b))
        + int_len(head.b)
        + 1
        + len_len(varbinds.len())
        + varbinds.len();
    let msg_len = 1
        + len_len(int_len(head.version))
        + int_len(head.version)
        + 1
        + len_len(head.community.len())
        + head.community.len()
        + 1
        + len_len(pdu_len)
        + pdu_len;
    put_header(out, tag::SEQUENCE, msg_len);
    put_int(out, tag::INTEGER, head.version);
    put_header(out, tag::OCTETS, head.community.len());
    out.extend_from_slice(head.community);
    put_header(out, head.pdu, pdu_len);
    put_int(out, tag::INTEGER, head.request_id);
    put_int(out, tag::INTEGER, head.a);
    put_int(out, tag::INTEGER, head.b);
    put_header(out, tag::SEQUENCE, varbinds.len());
    out.extend_from_slice(varbinds);
}

/// Appends a request for `oids` (test clients and benchmarks).
#[cfg(test)]
pub(crate) fn put_request(out: &mut Vec<u8>, head: &Message<'_>, oids: &[&[u32]]) {
    let mut vbs = Vec::new();
    for oid in oids {
        let mut content = Vec::new();
        put_oid_content(&mut content, oid);
        let body = 1 + len_len(content.len()) + content.len() + 2;
        put_header(&mut vbs, tag::SEQUENCE, body);
        put_header(&mut vbs, tag::OID, content.len());
        vbs.extend_from_slice(&content);
        put_header(&mut vbs, tag::NULL, 0);
    }
    put_message(out, head, &vbs);
}

#[cfg(test)]
mod tests {
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
