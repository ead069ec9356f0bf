//! The request side: a bounds-checked TLV reader that never panics on hostile bytes.

use super::tag;

/// SNMP limits an OID to 128 sub-identifiers; longer ones are hostile.
const MAX_ARCS: usize = 128;

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
