//! The v1/v2c wire format: request encoding and a strict response decoder.
//!
//! snmp2's `AsnReader` frames the TLVs; values are decoded here, strictly, because snmp2 0.5
//! turns a zero-length INTEGER into 0 (or panics in debug), a Counter32 of 2^32 into 0, refuses
//! a 9-byte Counter64 and silently ends the varbind list at the first malformed varbind. Here a
//! malformed varbind is an error that names its position, never a shorter list.

use snmp2::AsnReader;

use super::oid::Oid;
use super::value::Value;

pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_NULL: u8 = 0x05;
pub const TAG_OID: u8 = 0x06;
pub const TAG_SEQUENCE: u8 = 0x30;
pub const TAG_IPADDRESS: u8 = 0x40;
pub const TAG_COUNTER32: u8 = 0x41;
pub const TAG_GAUGE32: u8 = 0x42;
pub const TAG_TIMETICKS: u8 = 0x43;
pub const TAG_OPAQUE: u8 = 0x44;
pub const TAG_COUNTER64: u8 = 0x46;
pub const TAG_NO_SUCH_OBJECT: u8 = 0x80;
pub const TAG_NO_SUCH_INSTANCE: u8 = 0x81;
pub const TAG_END_OF_MIB_VIEW: u8 = 0x82;
pub const PDU_GET: u8 = 0xa0;
pub const PDU_GET_NEXT: u8 = 0xa1;
pub const PDU_RESPONSE: u8 = 0xa2;
pub const PDU_GET_BULK: u8 = 0xa5;
pub const PDU_REPORT: u8 = 0xa8;

/// A decoded response PDU, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub pdu_type: u8,
    pub request_id: i32,
    pub error_status: u32,
    pub error_index: u32,
    pub varbinds: Vec<(Oid, Value)>,
}

/// Why a datagram could not be decoded. Carries positions, never the received values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed message: {0}")]
    Message(&'static str),
    #[error("malformed varbind #{index}: {reason}")]
    Varbind { index: usize, reason: String },
}

/// Appends a TLV with definite length.
pub fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Appends an INTEGER.
pub fn push_int(out: &mut Vec<u8>, v: i64) {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    push_tlv(out, TAG_INTEGER, &bytes[start..]);
}

/// Appends an unsigned application value (Counter32/64, Gauge32, TimeTicks) in minimal form.
fn push_unsigned(out: &mut Vec<u8>, tag: u8, v: u64) {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count().min(7);
    let mut c = Vec::with_capacity(9);
    if b[skip] & 0x80 != 0 {
        c.push(0);
    }
    c.extend_from_slice(&b[skip..]);
    push_tlv(out, tag, &c);
}

/// Appends one value.
pub fn push_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Integer(n) => push_int(out, *n),
        Value::OctetString(b) => push_tlv(out, TAG_OCTET_STRING, b),
        Value::Null => out.extend_from_slice(&[TAG_NULL, 0]),
        Value::Oid(o) => push_tlv(out, TAG_OID, o.as_ber()),
        Value::IpAddress(a) => push_tlv(out, TAG_IPADDRESS, a),
        Value::Counter32(n) => push_unsigned(out, TAG_COUNTER32, u64::from(*n)),
        Value::Gauge32(n) => push_unsigned(out, TAG_GAUGE32, u64::from(*n)),
        Value::TimeTicks(n) => push_unsigned(out, TAG_TIMETICKS, u64::from(*n)),
        Value::Opaque(b) => push_tlv(out, TAG_OPAQUE, b),
        Value::Counter64(n) => push_unsigned(out, TAG_COUNTER64, *n),
        Value::NoSuchObject => out.extend_from_slice(&[TAG_NO_SUCH_OBJECT, 0]),
        Value::NoSuchInstance => out.extend_from_slice(&[TAG_NO_SUCH_INSTANCE, 0]),
        Value::EndOfMibView => out.extend_from_slice(&[TAG_END_OF_MIB_VIEW, 0]),
    }
}

/// A whole v1/v2c GetResponse carrying `varbinds` (for fake agents and tools).
pub fn encode_response(
    version: i64,
    community: &[u8],
    request_id: i32,
    varbinds: &[(Oid, Value)],
) -> Vec<u8> {
    let pdu = pdu_with(
        PDU_RESPONSE,
        request_id,
        0,
        0,
        varbinds.iter().map(|(o, v)| (o, Some(v))),
    );
    encode_community_message(version, community, &pdu)
}

/// The PDU part of a request: `tag { request-id, a, b, varbinds(oid, NULL)* }`, where `a`/`b`
/// are error-status/index (0) or, for GETBULK, non-repeaters/max-repetitions.
pub fn encode_pdu(tag: u8, request_id: i32, a: i64, b: i64, oids: &[&Oid]) -> Vec<u8> {
    pdu_with(tag, request_id, a, b, oids.iter().map(|o| (*o, None)))
}

/// A PDU whose varbinds carry the given values (`None`: NULL, as requests do).
fn pdu_with<'a>(
    tag: u8,
    request_id: i32,
    a: i64,
    b: i64,
    varbinds: impl Iterator<Item = (&'a Oid, Option<&'a Value>)>,
) -> Vec<u8> {
    let mut vbs = Vec::with_capacity(64);
    for (oid, value) in varbinds {
        let mut vb = Vec::with_capacity(oid.as_ber().len() + 8);
        push_tlv(&mut vb, TAG_OID, oid.as_ber());
        match value {
            Some(v) => push_value(&mut vb, v),
            None => vb.extend_from_slice(&[TAG_NULL, 0]),
        }
        push_tlv(&mut vbs, TAG_SEQUENCE, &vb);
    }
    let mut body = Vec::with_capacity(vbs.len() + 24);
    push_int(&mut body, i64::from(request_id));
    push_int(&mut body, a);
    push_int(&mut body, b);
    push_tlv(&mut body, TAG_SEQUENCE, &vbs);
    let mut pdu = Vec::with_capacity(body.len() + 4);
    push_tlv(&mut pdu, tag, &body);
    pdu
}

/// A whole v1 (`version` 0) or v2c (1) message around an encoded PDU.
pub fn encode_community_message(version: i64, community: &[u8], pdu: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(pdu.len() + community.len() + 8);
    push_int(&mut body, version);
    push_tlv(&mut body, TAG_OCTET_STRING, community);
    body.extend_from_slice(pdu);
    let mut msg = Vec::with_capacity(body.len() + 4);
    push_tlv(&mut msg, TAG_SEQUENCE, &body);
    msg
}

/// Peeks the request-id of a v1/v2c message, cheaply, to discard foreign datagrams before a
/// full decode. `None` when the datagram is not a well-formed community message.
pub fn peek_community_request_id(bytes: &[u8]) -> Option<(i64, i32)> {
    let mut outer = AsnReader::from_bytes(bytes);
    let mut msg = AsnReader::from_bytes(outer.read_raw(TAG_SEQUENCE).ok()?);
    let version = read_int(&mut msg).ok()?;
    msg.read_raw(TAG_OCTET_STRING).ok()?;
    let tag = msg.peek_byte().ok()?;
    let mut pdu = AsnReader::from_bytes(msg.read_raw(tag).ok()?);
    let id = read_int(&mut pdu).ok()?;
    Some((version, i32::try_from(id).ok()?))
}

/// Decodes a v1/v2c response message. The community is checked by the caller.
pub fn decode_community_message(bytes: &[u8]) -> Result<(i64, Vec<u8>, Response), DecodeError> {
    let m = community_parts(bytes)?;
    Ok((m.version, m.community.to_vec(), decode_pdu(m.tag, m.pdu)?))
}

/// Decodes the content of a PDU (after its tag and length).
pub fn decode_pdu(tag: u8, content: &[u8]) -> Result<Response, DecodeError> {
    let (request_id, error_status, error_index, list) = pdu_header(content)?;
    Ok(Response {
        pdu_type: tag,
        request_id,
        error_status,
        error_index,
        varbinds: decode_varbinds(list)?,
    })
}

/// Decodes every varbind of a list; any malformed one is an error naming its position.
pub fn decode_varbinds(list: &[u8]) -> Result<Vec<(Oid, Value)>, DecodeError> {
    let mut out = Vec::with_capacity(list.len() / 24);
    for (index, vb) in VarbindList::iter_bytes(list).enumerate() {
        let vb = vb?;
        let bad = |reason: &str| DecodeError::Varbind {
            index,
            reason: reason.to_string(),
        };
        let oid = Oid::from_ber(vb.name).map_err(|e| bad(&e.0))?;
        out.push((oid, vb.value().map_err(bad)?));
    }
    Ok(out)
}

/// A response's varbind list as received, read varbind by varbind without building an
/// [`Oid`] for each, so a walk copies only the rows it keeps. The iterator checks the
/// framing (a framing error names its position and ends the list, never a shorter list);
/// names and values are checked by whoever reads them: [`RawVarbind::value`] decodes
/// strictly, [`RawVarbind::check`] checks what is not decoded, as [`decode_varbinds`] would.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct VarbindList {
    bytes: Vec<u8>,
}

impl VarbindList {
    /// The list's content bytes, copied (checked when read).
    pub fn new(list: &[u8]) -> VarbindList {
        VarbindList {
            bytes: list.to_vec(),
        }
    }

    /// The list of these varbinds (encoded, as an agent would send them).
    pub fn from_pairs(pairs: &[(Oid, Value)]) -> VarbindList {
        let mut bytes = Vec::with_capacity(pairs.len() * 24);
        for (oid, value) in pairs {
            let mut vb = Vec::with_capacity(oid.as_ber().len() + 16);
            push_tlv(&mut vb, TAG_OID, oid.as_ber());
            push_value(&mut vb, value);
            push_tlv(&mut bytes, TAG_SEQUENCE, &vb);
        }
        VarbindList { bytes }
    }

    /// True when the list has no varbind.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The varbinds in order, framed; the first malformed one is an error and the last item.
    pub fn iter(&self) -> RawVarbinds<'_> {
        VarbindList::iter_bytes(&self.bytes)
    }

    fn iter_bytes(list: &[u8]) -> RawVarbinds<'_> {
        RawVarbinds {
            rest: list,
            index: 0,
        }
    }
}

impl std::fmt::Debug for VarbindList {
    // Never the values: the size is enough to debug with, and bounded.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VarbindList({} bytes)", self.bytes.len())
    }
}

/// One framed varbind: the name's BER content, the value's tag and content (not yet checked).
#[derive(Clone, Copy)]
pub struct RawVarbind<'a> {
    pub name: &'a [u8],
    pub tag: u8,
    pub content: &'a [u8],
}

impl RawVarbind<'_> {
    /// The value, owned and strictly decoded.
    pub fn value(&self) -> Result<Value, &'static str> {
        decode_value(self.tag, self.content)
    }

    /// Checks the name and the value without decoding them (for varbinds a reader skips).
    pub fn check(&self) -> Result<(), &'static str> {
        check_oid(self.name)?;
        check_value(self.tag, self.content)
    }
}

/// The varbinds of a [`VarbindList`], framed one by one.
pub struct RawVarbinds<'a> {
    rest: &'a [u8],
    index: usize,
}

impl<'a> Iterator for RawVarbinds<'a> {
    type Item = Result<RawVarbind<'a>, DecodeError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match split_varbind(self.rest) {
            Ok((vb, after)) => {
                self.rest = after;
                self.index += 1;
                Some(Ok(vb))
            }
            Err(reason) => {
                self.rest = &[];
                Some(Err(DecodeError::Varbind {
                    index: self.index,
                    reason: reason.to_string(),
                }))
            }
        }
    }
}

/// The first varbind of `b` and what follows it.
fn split_varbind(b: &[u8]) -> Result<(RawVarbind<'_>, &[u8]), &'static str> {
    let (vb, after) = tlv(b, Some(TAG_SEQUENCE)).ok_or("not a SEQUENCE")?;
    let (name, pair) = tlv(vb, Some(TAG_OID)).ok_or("bad name")?;
    let tag = *pair.first().ok_or("no value")?;
    let (content, trailing) = tlv(pair, None).ok_or("bad value length")?;
    if !trailing.is_empty() {
        return Err("trailing bytes");
    }
    Ok((RawVarbind { name, tag, content }, after))
}

fn check_oid(name: &[u8]) -> Result<(), &'static str> {
    super::oid::check_ber(name)
}

/// Checks a value as [`decode_value`] would decode it, without allocating.
pub fn check_value(tag: u8, c: &[u8]) -> Result<(), &'static str> {
    match tag {
        TAG_INTEGER => signed(c).map(drop),
        TAG_OCTET_STRING | TAG_OPAQUE => Ok(()),
        TAG_OID => check_oid(c).map_err(|_| "bad OID value"),
        TAG_IPADDRESS if c.len() == 4 => Ok(()),
        TAG_IPADDRESS => Err("IpAddress is not 4 bytes"),
        TAG_COUNTER32 | TAG_GAUGE32 | TAG_TIMETICKS => unsigned32(c).map(drop),
        TAG_COUNTER64 => unsigned64(c).map(drop),
        TAG_NULL | TAG_NO_SUCH_OBJECT | TAG_NO_SUCH_INSTANCE | TAG_END_OF_MIB_VIEW
            if c.is_empty() =>
        {
            Ok(())
        }
        TAG_NULL | TAG_NO_SUCH_OBJECT | TAG_NO_SUCH_INSTANCE | TAG_END_OF_MIB_VIEW => {
            Err("non-empty NULL-like value")
        }
        _ => Err("unsupported value type"),
    }
}

/// A response PDU whose varbinds are kept as a checked [`VarbindList`] (what a walk reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub pdu_type: u8,
    pub request_id: i32,
    pub error_status: u32,
    pub error_index: u32,
    pub varbinds: VarbindList,
}

impl From<Response> for Reply {
    fn from(r: Response) -> Reply {
        Reply {
            pdu_type: r.pdu_type,
            request_id: r.request_id,
            error_status: r.error_status,
            error_index: r.error_index,
            varbinds: VarbindList::from_pairs(&r.varbinds),
        }
    }
}

/// Decodes a v1/v2c message into a [`Reply`]: version, community (borrowed) and the PDU.
pub fn decode_community_reply(bytes: &[u8]) -> Result<(i64, &[u8], Reply), DecodeError> {
    let m = community_parts(bytes)?;
    let (request_id, error_status, error_index, list) = pdu_header(m.pdu)?;
    Ok((
        m.version,
        m.community,
        Reply {
            pdu_type: m.tag,
            request_id,
            error_status,
            error_index,
            varbinds: VarbindList::new(list),
        },
    ))
}

/// A community message's parts: version, community, PDU tag and PDU content.
struct CommunityParts<'a> {
    version: i64,
    community: &'a [u8],
    tag: u8,
    pdu: &'a [u8],
}

fn community_parts(bytes: &[u8]) -> Result<CommunityParts<'_>, DecodeError> {
    let mut outer = AsnReader::from_bytes(bytes);
    let seq = outer
        .read_raw(TAG_SEQUENCE)
        .map_err(|_| DecodeError::Message("not a SEQUENCE"))?;
    let mut msg = AsnReader::from_bytes(seq);
    let version = read_int(&mut msg).map_err(|_| DecodeError::Message("bad version"))?;
    let community = msg
        .read_raw(TAG_OCTET_STRING)
        .map_err(|_| DecodeError::Message("bad community"))?;
    let tag = msg
        .peek_byte()
        .map_err(|_| DecodeError::Message("no PDU"))?;
    let pdu = msg
        .read_raw(tag)
        .map_err(|_| DecodeError::Message("bad PDU length"))?;
    Ok(CommunityParts {
        version,
        community,
        tag,
        pdu,
    })
}

/// A PDU's request-id, error-status, error-index and varbind list content.
fn pdu_header(content: &[u8]) -> Result<(i32, u32, u32, &[u8]), DecodeError> {
    let mut pdu = AsnReader::from_bytes(content);
    let request_id = read_int(&mut pdu).map_err(|_| DecodeError::Message("bad request-id"))?;
    let status = read_int(&mut pdu).map_err(|_| DecodeError::Message("bad error-status"))?;
    let index = read_int(&mut pdu).map_err(|_| DecodeError::Message("bad error-index"))?;
    let list = pdu
        .read_raw(TAG_SEQUENCE)
        .map_err(|_| DecodeError::Message("bad varbind list"))?;
    Ok((
        i32::try_from(request_id).map_err(|_| DecodeError::Message("request-id out of range"))?,
        u32::try_from(status).map_err(|_| DecodeError::Message("bad error-status"))?,
        u32::try_from(index).map_err(|_| DecodeError::Message("bad error-index"))?,
        list,
    ))
}

/// One TLV at the start of `b` (its tag `want` when given): the content and what follows.
/// Definite lengths only, in the short form or a long form of up to 4 bytes, within `b`.
fn tlv(b: &[u8], want: Option<u8>) -> Option<(&[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    if want.is_some_and(|w| w != tag) {
        return None;
    }
    let (&first, b) = b.split_first()?;
    let (len, b) = if first < 0x80 {
        (usize::from(first), b)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || b.len() < n {
            return None;
        }
        let len = b[..n]
            .iter()
            .fold(0usize, |v, &x| (v << 8) | usize::from(x));
        (len, &b[n..])
    };
    (len <= b.len()).then(|| b.split_at(len))
}

/// Decodes one value from its tag and content bytes.
pub fn decode_value(tag: u8, c: &[u8]) -> Result<Value, &'static str> {
    Ok(match tag {
        TAG_INTEGER => Value::Integer(signed(c)?),
        TAG_OCTET_STRING => Value::OctetString(c.to_vec()),
        TAG_NULL if c.is_empty() => Value::Null,
        TAG_OID => Value::Oid(Oid::from_ber(c).map_err(|_| "bad OID value")?),
        TAG_IPADDRESS => Value::IpAddress(c.try_into().map_err(|_| "IpAddress is not 4 bytes")?),
        TAG_COUNTER32 => Value::Counter32(unsigned32(c)?),
        TAG_GAUGE32 => Value::Gauge32(unsigned32(c)?),
        TAG_TIMETICKS => Value::TimeTicks(unsigned32(c)?),
        TAG_OPAQUE => Value::Opaque(c.to_vec()),
        TAG_COUNTER64 => Value::Counter64(unsigned64(c)?),
        TAG_NO_SUCH_OBJECT if c.is_empty() => Value::NoSuchObject,
        TAG_NO_SUCH_INSTANCE if c.is_empty() => Value::NoSuchInstance,
        TAG_END_OF_MIB_VIEW if c.is_empty() => Value::EndOfMibView,
        TAG_NULL | TAG_NO_SUCH_OBJECT | TAG_NO_SUCH_INSTANCE | TAG_END_OF_MIB_VIEW => {
            return Err("non-empty NULL-like value")
        }
        _ => return Err("unsupported value type"),
    })
}

fn read_int(rdr: &mut AsnReader<'_>) -> Result<i64, &'static str> {
    let c = rdr.read_raw(TAG_INTEGER).map_err(|_| "not an INTEGER")?;
    signed(c)
}

fn signed(c: &[u8]) -> Result<i64, &'static str> {
    if c.is_empty() {
        return Err("zero-length INTEGER");
    }
    if c.len() > 8 {
        return Err("INTEGER longer than 64 bits");
    }
    let mut v: i64 = if c[0] & 0x80 != 0 { -1 } else { 0 };
    for &b in c {
        v = (v << 8) | i64::from(b);
    }
    Ok(v)
}

/// An unsigned application value. Up to N bytes are read as unsigned (agents that forget the
/// leading zero of values ≥ 2^(8N-1) are common); one more byte is allowed only as that zero.
fn unsigned(c: &[u8], n: usize) -> Result<u64, &'static str> {
    if c.is_empty() {
        return Err("zero-length unsigned value");
    }
    let c = if c.len() == n + 1 {
        if c[0] != 0 {
            return Err("unsigned value out of range");
        }
        &c[1..]
    } else {
        c
    };
    if c.len() > n {
        return Err("unsigned value out of range");
    }
    Ok(c.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
}

fn unsigned32(c: &[u8]) -> Result<u32, &'static str> {
    unsigned(c, 4).map(|v| v as u32)
}

fn unsigned64(c: &[u8]) -> Result<u64, &'static str> {
    unsigned(c, 8)
}

#[cfg(test)]
mod tests;
