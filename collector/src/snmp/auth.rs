//! The credentials of a device as the transport uses them: the SNMP version, and for SNMPv3
//! the user, security level, protocols and secrets. The configuration builds them from
//! `[auth.NAME]` tables (`config::validate`); the session and USM read them.

use crate::secret::Secret;

/// SNMP protocol version of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnmpVersion {
    V1,
    V2c,
    V3,
}

/// SNMPv3 security level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityLevel {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
}

/// SNMPv3 authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProtocol {
    Md5,
    Sha,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

/// SNMPv3 privacy protocol. The `-C` AES variants extend the key the way Cisco does (Reeder),
/// the plain ones the way net-snmp does (Blumenthal), as gosnmp names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivProtocol {
    Des,
    Aes128,
    Aes192,
    Aes256,
    Aes192C,
    Aes256C,
}

/// A named credential: `[auth.NAME]`.
#[derive(Debug, Clone)]
pub enum Auth {
    /// v1 or v2c with a community.
    Community {
        version: SnmpVersion,
        community: Secret,
    },
    /// v3 user-based security.
    V3(V3Auth),
}

/// The SNMPv3 part of a credential.
#[derive(Debug, Clone)]
pub struct V3Auth {
    pub user: String,
    pub level: SecurityLevel,
    pub auth: Option<(AuthProtocol, Secret)>,
    pub privacy: Option<(PrivProtocol, Secret)>,
    pub context: String,
}

impl Auth {
    pub fn version(&self) -> SnmpVersion {
        match self {
            Auth::Community { version, .. } => *version,
            Auth::V3(_) => SnmpVersion::V3,
        }
    }
}
