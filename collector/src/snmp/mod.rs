//! SNMP for the collector: our own UDP transport, with snmp2 as the codec for SNMPv3 (USM
//! authentication and privacy) and a strict decoder of our own for values.
//!
//! Layout:
//! - [`auth`]: the credentials ([`Auth`], [`V3Auth`] and their protocols), built by the config.
//! - [`oid`]: OIDs as BER bytes (byte order is OID order).
//! - [`value`]: owned, flat values with bounded `Debug`.
//! - [`ber`]: v1/v2c request encoding and strict response decoding.
//! - [`usm`]: SNMPv3 through snmp2's `Pdu::{from,to}_bytes_with_security`.
//! - [`session`]: one device's socket: request-ids, retries, discarding foreign datagrams.
//! - [`walk`]: multi-column GETBULK table walks with max-repetitions back-off.
//! - [`window`]: what a session learns from lost and late replies: requests in flight, tries.

pub mod auth;
pub mod ber;
pub mod oid;
pub mod session;
pub mod usm;
pub mod value;
pub mod walk;
pub mod window;

pub use auth::{Auth, V3Auth};
pub use oid::Oid;

pub use session::{Session, SessionStats, SnmpError};
pub use value::Value;
