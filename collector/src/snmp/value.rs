//! Owned SNMP values. Unlike snmp2's borrowed `Value`, whose `Debug` recurses without bound
//! into nested SEQUENCEs, these are flat and their `Debug` output is bounded.

use std::fmt;

use super::oid::Oid;

/// One varbind value, owned.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Integer(i64),
    OctetString(Vec<u8>),
    Null,
    Oid(Oid),
    IpAddress([u8; 4]),
    Counter32(u32),
    Gauge32(u32),
    TimeTicks(u32),
    Opaque(Vec<u8>),
    Counter64(u64),
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
}

impl Value {
    /// True for the v2 exceptions that carry no data.
    pub fn is_exception(&self) -> bool {
        matches!(
            self,
            Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView | Value::Null
        )
    }

    /// Any unsigned numeric value as u64 (Counter32/64, Gauge32, TimeTicks, non-negative INTEGER).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => Some(u64::from(v)),
            Value::Counter64(v) => Some(v),
            Value::Integer(v) if v >= 0 => Some(v as u64),
            _ => None,
        }
    }

    /// An OCTET STRING as text: UTF-8 lossily, control characters dropped, cut at `max` chars.
    pub fn as_text(&self, max: usize) -> Option<String> {
        match self {
            // The usual case: short printable ASCII, copied as is.
            Value::OctetString(b)
                if b.len() <= max && b.iter().all(|c| (0x20..0x7f).contains(c)) =>
            {
                String::from_utf8(b.clone()).ok()
            }
            Value::OctetString(b) => Some(
                String::from_utf8_lossy(b)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(max)
                    .collect(),
            ),
            _ => None,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Integer(v) => write!(f, "Integer({v})"),
            Value::OctetString(b) => write!(f, "OctetString({} bytes)", b.len()),
            Value::Null => f.write_str("Null"),
            Value::Oid(o) => write!(f, "{o:?}"),
            Value::IpAddress(a) => write!(f, "IpAddress({}.{}.{}.{})", a[0], a[1], a[2], a[3]),
            Value::Counter32(v) => write!(f, "Counter32({v})"),
            Value::Gauge32(v) => write!(f, "Gauge32({v})"),
            Value::TimeTicks(v) => write!(f, "TimeTicks({v})"),
            Value::Opaque(b) => write!(f, "Opaque({} bytes)", b.len()),
            Value::Counter64(v) => write!(f, "Counter64({v})"),
            Value::NoSuchObject => f.write_str("NoSuchObject"),
            Value::NoSuchInstance => f.write_str("NoSuchInstance"),
            Value::EndOfMibView => f.write_str("EndOfMibView"),
        }
    }
}
