//! The response side: lengths are computed up front, so a message is written in one pass
//! without shifting bytes or allocating.

use super::{tag, Message, Value};

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
pub(super) fn oid_content_len(arcs: &[u32]) -> usize {
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

pub(super) fn put_int(out: &mut Vec<u8>, t: u8, v: i64) {
    let n = int_len(v);
    put_header(out, t, n);
    out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
}

pub(super) fn put_uint(out: &mut Vec<u8>, t: u8, v: u64) {
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
