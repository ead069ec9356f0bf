//! Object identifiers kept in their BER content encoding.
//!
//! Equality and prefixes work on the bytes (a byte-prefix that ends on a sub-id boundary is an
//! OID prefix); ordering decodes sub-ids pairwise on the fly, without allocating, because
//! bytewise order is wrong for multi-byte sub-ids of different lengths (2^28 encodes as
//! 0x81.., below 17,865,728's 0x88..).

use std::fmt;
use std::str::FromStr;

use smallvec::SmallVec;

/// Inline capacity of an [`Oid`]: table rows such as ifXTable's (11-12 bytes) and most
/// enterprise rows fit, so decoding a varbind's OID does not allocate.
const INLINE: usize = 24;

/// An OID as BER content bytes (no tag, no length).
#[derive(PartialEq, Eq, Hash, Default)]
pub struct Oid(SmallVec<[u8; INLINE]>);

impl Clone for Oid {
    /// A copy of the bytes (SmallVec's own clone goes element by element).
    fn clone(&self) -> Self {
        Oid(SmallVec::from_slice(&self.0))
    }
}

impl Ord for Oid {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        cmp_subids(&self.0, &other.0)
    }
}

impl PartialOrd for Oid {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Iterates encoded sub-ids (the first one packed) as u64.
struct SubIds<'a>(&'a [u8]);

impl Iterator for SubIds<'_> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for (i, &b) in self.0.iter().enumerate() {
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                self.0 = &self.0[i + 1..];
                return Some(v);
            }
        }
        None
    }
}

/// A malformed OID (text or bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid OID: {0}")]
pub struct OidError(pub String);

impl Oid {
    /// From BER content bytes, checked: non-empty, last byte ends a sub-id, sub-ids fit u32.
    pub fn from_ber(bytes: &[u8]) -> Result<Oid, OidError> {
        check_ber(bytes).map_err(|e| OidError(e.into()))?;
        Ok(Oid(SmallVec::from_slice(bytes)))
    }

    /// From sub-identifiers; the first two are packed as BER requires.
    pub fn from_subids(ids: &[u32]) -> Result<Oid, OidError> {
        if ids.len() < 2 || ids[0] > 2 || (ids[0] < 2 && ids[1] >= 40) {
            return Err(OidError(format!("{ids:?} does not start with a valid arc")));
        }
        let mut out = SmallVec::with_capacity(ids.len() + 4);
        push_subid(&mut out, ids[0] * 40 + ids[1]);
        for &id in &ids[2..] {
            push_subid(&mut out, id);
        }
        Ok(Oid(out))
    }

    /// The BER content bytes.
    pub fn as_ber(&self) -> &[u8] {
        &self.0
    }

    /// True when `prefix` is this OID or an ancestor of it.
    pub fn starts_with(&self, prefix: &Oid) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The encoded sub-ids after `prefix`, when this OID is strictly below it.
    pub fn suffix_after<'a>(&'a self, prefix: &Oid) -> Option<&'a [u8]> {
        if self.0.len() > prefix.0.len() && self.starts_with(prefix) {
            Some(&self.0[prefix.0.len()..])
        } else {
            None
        }
    }

    /// Appends encoded sub-ids (a suffix taken from another OID below the same prefix).
    pub fn extend_ber(&mut self, suffix: &[u8]) {
        self.0.extend_from_slice(suffix);
    }

    /// This OID with one more sub-id.
    pub fn child(&self, id: u32) -> Oid {
        let mut out = self.0.clone();
        push_subid(&mut out, id);
        Oid(out)
    }

    /// The sub-ids, decoded.
    pub fn subids(&self) -> Vec<u32> {
        let mut ids = decode_subids(&self.0);
        if let Some(first) = ids.first().copied() {
            let (a, b) = if first < 80 {
                (first / 40, first % 40)
            } else {
                (2, first - 80)
            };
            ids[0] = b;
            ids.insert(0, a);
        }
        ids
    }
}

/// Checks an OID's BER content bytes without building it: non-empty, the last byte ends a
/// sub-id, no sub-id starts with 0x80, every sub-id fits u32 (the first, which packs two arcs,
/// up to u32::MAX + 80).
pub fn check_ber(bytes: &[u8]) -> Result<(), &'static str> {
    let Some(&last) = bytes.last() else {
        return Err("empty encoding");
    };
    if last & 0x80 != 0 {
        return Err("truncated sub-identifier");
    }
    let mut start = true;
    let mut v = 0u64;
    for &b in bytes {
        if start && b < 0x80 {
            // A one-byte sub-id, the usual case: nothing to check.
            continue;
        }
        if start && b == 0x80 {
            return Err("sub-identifier with a leading 0x80 byte");
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if v > u64::from(u32::MAX) + 80 {
            return Err("sub-identifier longer than 32 bits");
        }
        start = b & 0x80 == 0;
        if start {
            v = 0;
        }
    }
    Ok(())
}

/// Appends one sub-id in base-128.
pub fn push_subid(out: &mut impl Extend<u8>, id: u32) {
    let mut buf = [0u8; 5];
    let mut i = 5;
    let mut v = id;
    loop {
        i -= 1;
        buf[i] = (v & 0x7f) as u8 | if i == 4 { 0 } else { 0x80 };
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().copied());
}

/// Decodes encoded sub-ids (no first-arc packing), e.g. a table index suffix.
pub fn decode_subids(bytes: &[u8]) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut v: u32 = 0;
    for &b in bytes {
        v = (v << 7) | u32::from(b & 0x7f);
        if b & 0x80 == 0 {
            ids.push(v);
            v = 0;
        }
    }
    ids
}

/// The single sub-id of an index suffix such as an ifIndex, if it is exactly one.
pub fn single_subid(bytes: &[u8]) -> Option<u32> {
    let (last, head) = bytes.split_last()?;
    if last & 0x80 != 0 || head.iter().any(|b| b & 0x80 == 0) || bytes.len() > 5 {
        return None;
    }
    let v = bytes
        .iter()
        .fold(0u64, |v, &b| (v << 7) | u64::from(b & 0x7f));
    u32::try_from(v).ok()
}

/// Orders two encoded sub-id sequences (suffixes below one prefix) as SNMP does.
pub fn cmp_subids(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // Sub-id by sub-id on the bytes: of two minimal encodings the longer is the larger value,
    // equal lengths compare bytewise. A non-minimal one (a leading 0x80) is decoded instead.
    use std::cmp::Ordering;
    let (mut i, mut j) = (0, 0);
    loop {
        match (i == a.len(), j == b.len()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        if a[i] == 0x80 || b[j] == 0x80 {
            return cmp_decoded(&a[i..], &b[j..]);
        }
        let (si, sj) = (i, j);
        while i < a.len() && a[i] >= 0x80 {
            i += 1;
        }
        while j < b.len() && b[j] >= 0x80 {
            j += 1;
        }
        i = (i + 1).min(a.len());
        j = (j + 1).min(b.len());
        if i - si != j - sj {
            return (i - si).cmp(&(j - sj));
        }
        for k in 0..i - si {
            if a[si + k] != b[sj + k] {
                return a[si + k].cmp(&b[sj + k]);
            }
        }
    }
}

/// [`cmp_subids`] by decoding each sub-id.
fn cmp_decoded(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (mut x, mut y) = (SubIds(a), SubIds(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (p, q) => match p.cmp(&q) {
                std::cmp::Ordering::Equal => {}
                o => return o,
            },
        }
    }
}

impl FromStr for Oid {
    type Err = OidError;
    fn from_str(s: &str) -> Result<Oid, OidError> {
        let s = s.trim().trim_start_matches('.');
        let ids: Result<Vec<u32>, _> = s.split('.').map(str::parse::<u32>).collect();
        let ids = ids.map_err(|_| OidError(format!("{s:?} is not a dotted numeric OID")))?;
        Oid::from_subids(&ids)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = self.subids();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Parses a constant OID; for the OIDs the code itself names.
pub fn oid(text: &str) -> Oid {
    match text.parse() {
        Ok(o) => o,
        Err(e) => panic!("constant OID {text:?}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_round_trip() {
        let o = oid("1.3.6.1.2.1.31.1.1.1.6.1000000");
        assert_eq!(o.to_string(), "1.3.6.1.2.1.31.1.1.1.6.1000000");
        assert_eq!(o.as_ber()[0], 43);
        assert_eq!(
            oid("1.3.6.1.2.1.2.2.1.2.7").child(3).to_string(),
            "1.3.6.1.2.1.2.2.1.2.7.3"
        );
    }

    #[test]
    fn bad_encodings_are_refused() {
        assert!(Oid::from_ber(&[]).is_err());
        assert!(Oid::from_ber(&[43, 0x81]).is_err());
        assert!(Oid::from_ber(&[43, 0x80, 1]).is_err());
        assert!(Oid::from_ber(&[43, 0xff, 0xff, 0xff, 0xff, 0x7f]).is_err());
        assert!("1.3.x".parse::<Oid>().is_err());
    }

    #[test]
    fn single_subids() {
        assert_eq!(single_subid(&[5]), Some(5));
        assert_eq!(single_subid(&[0x81, 0x00]), Some(128));
        assert_eq!(
            single_subid(&[0x8f, 0xff, 0xff, 0xff, 0x7f]),
            Some(u32::MAX)
        );
        assert_eq!(single_subid(&[0x90, 0x80, 0x80, 0x80, 0x00]), None);
        assert_eq!(single_subid(&[1, 2]), None);
        assert_eq!(single_subid(&[0x81]), None);
        assert_eq!(single_subid(&[]), None);
    }

    proptest! {
        #[test]
        fn single_subid_agrees_with_decoding(v in any::<u32>(), w in any::<u32>()) {
            let mut one = Vec::new();
            push_subid(&mut one, v);
            prop_assert_eq!(single_subid(&one), Some(v));
            push_subid(&mut one, w);
            prop_assert_eq!(single_subid(&one), None);
        }

        #[test]
        fn oids_beyond_the_inline_capacity_behave_alike(ids in proptest::collection::vec(any::<u32>(), 0..40)) {
            // Short OIDs stay inline, long ones (MAC- or string-indexed rows) spill to the
            // heap; built at once or grown sub-id by sub-id, they must be the same OID.
            let mut all = vec![1, 3, 6, 1, 4, 1];
            all.extend_from_slice(&ids);
            let whole = Oid::from_subids(&all).unwrap();
            let mut grown = Oid::from_subids(&all[..6]).unwrap();
            for &id in &ids {
                grown = grown.child(id);
            }
            prop_assert_eq!(&grown, &whole);
            prop_assert_eq!(whole.subids(), all);
            prop_assert_eq!(Oid::from_ber(whole.as_ber()).unwrap(), whole.clone());
            prop_assert_eq!(whole.to_string().parse::<Oid>().unwrap(), whole);
        }

        #[test]
        fn suffix_order_is_sub_id_order_also_for_padded_encodings(
            a in proptest::collection::vec((any::<u32>(), 0usize..2), 0..6),
            b in proptest::collection::vec((any::<u32>(), 0usize..2), 0..6),
        ) {
            // Agents may pad a sub-id with leading 0x80 bytes: the order is still the values'.
            let enc = |v: &[(u32, usize)]| {
                let mut out = Vec::new();
                for &(id, pad) in v {
                    out.extend(std::iter::repeat_n(0x80u8, pad));
                    push_subid(&mut out, id);
                }
                out
            };
            let ids = |v: &[(u32, usize)]| v.iter().map(|p| p.0).collect::<Vec<_>>();
            prop_assert_eq!(cmp_subids(&enc(&a), &enc(&b)), ids(&a).cmp(&ids(&b)));
        }

        #[test]
        fn byte_order_is_oid_order(a in proptest::collection::vec(any::<u32>(), 1..6),
                                   b in proptest::collection::vec(any::<u32>(), 1..6)) {
            let mk = |v: &[u32]| { let mut ids = vec![1, 3]; ids.extend_from_slice(v); ids };
            let (ia, ib) = (mk(&a), mk(&b));
            let (oa, ob) = (Oid::from_subids(&ia).unwrap(), Oid::from_subids(&ib).unwrap());
            prop_assert_eq!(oa.cmp(&ob), ia.cmp(&ib));
            prop_assert_eq!(oa.subids(), ia.clone());
            prop_assert_eq!(ob.starts_with(&oa), ib.starts_with(&ia));
        }
    }
}
