//! SNMPv3 (USM) through snmp2's codec: `Pdu::from_bytes_with_security` to authenticate,
//! decrypt and parse replies, `Pdu::to_bytes_with_security` to sign and encrypt requests.
//!
//! Around it, what snmp2 0.5 gets wrong:
//! - snmp2 updates engine boots/time before the HMAC is checked, so one spoofed datagram could
//!   break a session: every reply is parsed against a *clone* of the security state, and the
//!   clone is kept only when the reply was authenticated.
//! - snmp2 cannot build a `Pdu` from parts outside the crate: a request is first encoded as a
//!   plain noAuthNoPriv message, parsed with a throw-away template state, then re-encoded with
//!   the real one.
//! - snmp2's engine-time correction is crate-private: we keep when we last heard the engine's
//!   time and add the elapsed time ourselves.
//! - Unauthenticated reports (wrong digest, unknown user) are read here, from the plaintext, to
//!   tell an authentication error from a timeout.

use std::time::Instant;

use snmp2::v3::{self, Security};
use snmp2::{AsnReader, MessageType};

use super::auth::{AuthProtocol, PrivProtocol, SecurityLevel, V3Auth};
use super::ber::{self, Response, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE};
use super::oid::Oid;
use super::value::Value;

const FLAG_AUTH: u8 = 0x01;
const FLAG_PRIV: u8 = 0x02;
const FLAG_REPORTABLE: u8 = 0x04;
const MAX_SIZE: i64 = 65_507;
/// usmStats (1.3.6.1.6.3.15.1.1): the report counters an agent answers with.
const USM_STATS: &str = "1.3.6.1.6.3.15.1.1";

/// What a v3 datagram meant for the pending request.
pub enum Outcome {
    /// An authenticated (or, at noAuthNoPriv, plain) response to one of our requests.
    Response(Response),
    /// Not ours, or failed its HMAC: ignore it and keep reading.
    Foreign,
    /// Engine id, boots or time changed (learnt from an authenticated message): resend.
    Resync,
    /// An unauthenticated report says our engine id or time is stale (the agent restarted):
    /// discover the engine again, then resend.
    Rediscover,
    /// The agent refused our credentials (wrong digest, unknown user, ...).
    AuthFailed(&'static str),
    /// A datagram for us that cannot be decoded.
    Garbled(String),
}

/// The SNMPv3 state of one session.
pub struct Usm {
    security: Security,
    template: Security,
    level: SecurityLevel,
    /// When we last learnt the engine's boots and time, and what they were.
    synced: Option<(Instant, i64, i64)>,
}

impl Usm {
    /// Builds the security state. Passwords were checked at config load (≥ 8 characters).
    pub fn new(a: &V3Auth) -> Result<Usm, String> {
        let auth_pw = a
            .auth
            .as_ref()
            .map(|(_, s)| s.expose().as_bytes())
            .unwrap_or(b"");
        let mut sec = Security::new(a.user.as_bytes(), auth_pw);
        if let Some((p, _)) = &a.auth {
            sec = sec.with_auth_protocol(match p {
                AuthProtocol::Md5 => v3::AuthProtocol::Md5,
                AuthProtocol::Sha => v3::AuthProtocol::Sha1,
                AuthProtocol::Sha224 => v3::AuthProtocol::Sha224,
                AuthProtocol::Sha256 => v3::AuthProtocol::Sha256,
                AuthProtocol::Sha384 => v3::AuthProtocol::Sha384,
                AuthProtocol::Sha512 => v3::AuthProtocol::Sha512,
            });
        }
        sec = match (a.level, &a.privacy) {
            (SecurityLevel::NoAuthNoPriv, _) => sec.with_auth(v3::Auth::NoAuthNoPriv),
            (SecurityLevel::AuthNoPriv, _) => sec.with_auth(v3::Auth::AuthNoPriv),
            (SecurityLevel::AuthPriv, Some((p, pw))) => {
                let (cipher, ext) = match p {
                    PrivProtocol::Des => (v3::Cipher::Des, None),
                    PrivProtocol::Aes128 => (v3::Cipher::Aes128, None),
                    PrivProtocol::Aes192 => {
                        (v3::Cipher::Aes192, Some(v3::KeyExtension::Blumenthal))
                    }
                    PrivProtocol::Aes256 => {
                        (v3::Cipher::Aes256, Some(v3::KeyExtension::Blumenthal))
                    }
                    PrivProtocol::Aes192C => (v3::Cipher::Aes192, Some(v3::KeyExtension::Reeder)),
                    PrivProtocol::Aes256C => (v3::Cipher::Aes256, Some(v3::KeyExtension::Reeder)),
                };
                let sec = sec.with_auth(v3::Auth::AuthPriv {
                    cipher,
                    privacy_password: pw.expose().as_bytes().to_vec(),
                });
                match ext {
                    Some(e) => sec.with_key_extension_method(e),
                    None => sec,
                }
            }
            (SecurityLevel::AuthPriv, None) => return Err("authPriv without privacy".into()),
        };
        if !a.context.is_empty() {
            sec = sec.with_context_name(&a.context);
        }
        let template = Security::new(b"", b"")
            .with_auth(v3::Auth::NoAuthNoPriv)
            .with_engine_id(&[1])
            .map_err(|e| format!("template security: {e}"))?;
        Ok(Usm {
            security: sec,
            template,
            level: a.level,
            synced: None,
        })
    }

    /// True until the engine id is known.
    pub fn needs_discovery(&self) -> bool {
        self.security.engine_id().is_empty()
    }

    /// Forgets the engine (after an unknown-engine or time-window report).
    pub fn reset(&mut self) {
        self.security.reset_engine_id();
        self.security.reset_engine_counters();
        self.synced = None;
    }

    /// The discovery request (RFC 3414 §4): no user, no engine, reportable.
    pub fn discovery_message(&self, msg_id: i32) -> Vec<u8> {
        let pdu = ber::encode_pdu(ber::PDU_GET, msg_id, 0, 0, &[]);
        plain_message(msg_id, FLAG_REPORTABLE, &[], 0, 0, b"", &[], &pdu)
    }

    /// Reads the discovery report: learns the engine id (and boots/time when given).
    pub fn accept_discovery(&mut self, bytes: &[u8], ids: &[i32]) -> Outcome {
        let Some(h) = header(bytes) else {
            return Outcome::Foreign;
        };
        if !ids.contains(&h.msg_id) {
            return Outcome::Foreign;
        }
        let mut trial = self.security.clone();
        // snmp2 zeroes the auth parameters in place through a shared slice: give it a copy.
        let copy = bytes.to_vec();
        let res = snmp2::Pdu::from_bytes_with_security(&copy, Some(&mut trial)).map(|_| ());
        match res {
            Err(snmp2::Error::AuthUpdated) | Ok(()) if !trial.engine_id().is_empty() => {
                self.synced = Some((Instant::now(), trial.engine_boots(), trial.engine_time()));
                self.security = trial;
                Outcome::Resync
            }
            _ => Outcome::Garbled("discovery reply without an engine id".into()),
        }
    }

    /// A request, signed and encrypted with the current state.
    pub fn request_message(
        &self,
        tag: u8,
        msg_id: i32,
        a: i64,
        b: i64,
        oids: &[&Oid],
    ) -> Result<Vec<u8>, String> {
        let pdu = ber::encode_pdu(tag, msg_id, a, b, oids);
        let plain = plain_message(msg_id, FLAG_REPORTABLE, &[1], 0, 0, b"", &[], &pdu);
        let mut tmpl = self.template.clone();
        let parsed = snmp2::Pdu::from_bytes_with_security(&plain, Some(&mut tmpl))
            .map_err(|e| format!("cannot template the request: {e}"))?;
        let mut sec = self.security.clone();
        if let Some((at, boots, time)) = self.synced {
            let elapsed = i64::try_from(at.elapsed().as_secs()).unwrap_or(i64::MAX / 2);
            sec = sec.with_engine_boots_and_time(boots, time.saturating_add(elapsed));
        }
        parsed
            .to_bytes_with_security(Some(&sec))
            .map_err(|e| format!("cannot encode the request: {e}"))
    }

    /// Classifies a received datagram against the pending request's ids.
    pub fn accept(&mut self, bytes: &[u8], ids: &[i32]) -> Outcome {
        let Some(h) = header(bytes) else {
            return Outcome::Foreign;
        };
        if !ids.contains(&h.msg_id) {
            return Outcome::Foreign;
        }
        if h.flags & FLAG_AUTH == 0 && self.level != SecurityLevel::NoAuthNoPriv {
            return unauthenticated_report(h.scoped);
        }
        let mut trial = self.security.clone();
        let copy = bytes.to_vec();
        let parsed = snmp2::Pdu::from_bytes_with_security(&copy, Some(&mut trial));
        let outcome = match parsed {
            Ok(pdu) if pdu.message_type == MessageType::Response => match owned(&pdu) {
                Ok(r) => Outcome::Response(r),
                Err(e) => return Outcome::Garbled(e),
            },
            Ok(pdu) if pdu.message_type == MessageType::Report => Outcome::Resync,
            Ok(_) => return Outcome::Foreign,
            Err(snmp2::Error::AuthUpdated) => Outcome::Resync,
            Err(snmp2::Error::AuthFailure(v3::AuthErrorKind::SignatureMismatch)) => {
                return Outcome::Foreign
            }
            Err(snmp2::Error::AuthFailure(_)) => {
                return Outcome::AuthFailed("authentication failed")
            }
            Err(e) => return Outcome::Garbled(format!("undecodable v3 reply: {e}")),
        };
        // Authenticated (HMAC checked by snmp2): keep the state it learnt.
        self.synced = Some((Instant::now(), trial.engine_boots(), trial.engine_time()));
        self.security = trial;
        outcome
    }
}

fn owned(pdu: &snmp2::Pdu<'_>) -> Result<Response, String> {
    let mut varbinds = Vec::new();
    for (i, (name, value)) in pdu.varbinds.clone().enumerate() {
        let oid = Oid::from_ber(name.as_bytes()).map_err(|e| format!("varbind #{i}: {e}"))?;
        let v = match value {
            snmp2::Value::Integer(n) => Value::Integer(n),
            snmp2::Value::OctetString(s) => Value::OctetString(s.to_vec()),
            snmp2::Value::Null => Value::Null,
            snmp2::Value::ObjectIdentifier(o) => {
                Value::Oid(Oid::from_ber(o.as_bytes()).map_err(|e| format!("varbind #{i}: {e}"))?)
            }
            snmp2::Value::IpAddress(a) => Value::IpAddress(a),
            snmp2::Value::Counter32(n) => Value::Counter32(n),
            snmp2::Value::Unsigned32(n) => Value::Gauge32(n),
            snmp2::Value::Timeticks(n) => Value::TimeTicks(n),
            snmp2::Value::Opaque(b) => Value::Opaque(b.to_vec()),
            snmp2::Value::Counter64(n) => Value::Counter64(n),
            snmp2::Value::NoSuchObject => Value::NoSuchObject,
            snmp2::Value::NoSuchInstance => Value::NoSuchInstance,
            snmp2::Value::EndOfMibView => Value::EndOfMibView,
            _ => return Err(format!("varbind #{i}: unsupported value type")),
        };
        varbinds.push((oid, v));
    }
    Ok(Response {
        pdu_type: ber::PDU_RESPONSE,
        request_id: pdu.req_id,
        error_status: pdu.error_status,
        error_index: pdu.error_index,
        varbinds,
    })
}

/// An unauthenticated reply while we authenticate: a report telling why.
fn unauthenticated_report(scoped: Option<&[u8]>) -> Outcome {
    let Some(scoped) = scoped else {
        return Outcome::Foreign;
    };
    let mut rdr = AsnReader::from_bytes(scoped);
    let ok = rdr
        .read_raw(TAG_OCTET_STRING)
        .and_then(|_| rdr.read_raw(TAG_OCTET_STRING));
    let Ok(tag) = ok.and_then(|_| rdr.peek_byte()) else {
        return Outcome::Foreign;
    };
    if tag != ber::PDU_REPORT {
        return Outcome::Foreign;
    }
    let Ok(r) = rdr
        .read_raw(tag)
        .map_err(|_| ())
        .and_then(|c| ber::decode_pdu(tag, c).map_err(|_| ()))
    else {
        return Outcome::Garbled("undecodable report".into());
    };
    let stats = super::oid::oid(USM_STATS);
    let kind = r
        .varbinds
        .first()
        .and_then(|(o, _)| o.suffix_after(&stats).and_then(|s| s.first().copied()));
    match kind {
        Some(1) => Outcome::AuthFailed("unsupported security level"),
        Some(2) | Some(4) => Outcome::Rediscover,
        Some(3) => Outcome::AuthFailed("unknown user name"),
        Some(5) => Outcome::AuthFailed("wrong digest (authentication password or protocol)"),
        Some(6) => Outcome::AuthFailed("decryption error (privacy password or protocol)"),
        _ => Outcome::Garbled("unexpected report".into()),
    }
}

struct Header<'a> {
    msg_id: i32,
    flags: u8,
    /// The plaintext scoped PDU, when not encrypted.
    scoped: Option<&'a [u8]>,
}

fn header(bytes: &[u8]) -> Option<Header<'_>> {
    let mut outer = AsnReader::from_bytes(bytes);
    let mut msg = AsnReader::from_bytes(outer.read_raw(TAG_SEQUENCE).ok()?);
    let version = ber::decode_value(TAG_INTEGER, msg.read_raw(TAG_INTEGER).ok()?).ok()?;
    if version != Value::Integer(3) {
        return None;
    }
    let mut global = AsnReader::from_bytes(msg.read_raw(TAG_SEQUENCE).ok()?);
    let Value::Integer(id) =
        ber::decode_value(TAG_INTEGER, global.read_raw(TAG_INTEGER).ok()?).ok()?
    else {
        return None;
    };
    global.read_raw(TAG_INTEGER).ok()?;
    let flags = *global.read_raw(TAG_OCTET_STRING).ok()?.first()?;
    // RFC 3414: engine boots and time are 0..2^31-1. snmp2 subtracts engine times unchecked
    // (an overflow panic in debug builds, found by fuzzing): refuse anything else here.
    let params = msg.read_raw(TAG_OCTET_STRING).ok()?;
    let mut usm = AsnReader::from_bytes(AsnReader::from_bytes(params).read_raw(TAG_SEQUENCE).ok()?);
    usm.read_raw(TAG_OCTET_STRING).ok()?;
    for _ in 0..2 {
        match ber::decode_value(TAG_INTEGER, usm.read_raw(TAG_INTEGER).ok()?).ok()? {
            Value::Integer(v) if (0..=i64::from(i32::MAX)).contains(&v) => {}
            _ => return None,
        }
    }
    let scoped = if flags & FLAG_PRIV == 0 {
        Some(msg.read_raw(TAG_SEQUENCE).ok()?)
    } else {
        None
    };
    Some(Header {
        msg_id: i32::try_from(id).ok()?,
        flags,
        scoped,
    })
}

/// A plaintext v3 message with the given USM parameters (no authentication, no privacy).
#[allow(clippy::too_many_arguments)]
fn plain_message(
    msg_id: i32,
    flags: u8,
    engine_id: &[u8],
    boots: i64,
    time: i64,
    user: &[u8],
    context: &[u8],
    pdu: &[u8],
) -> Vec<u8> {
    let mut global = Vec::new();
    ber::push_int(&mut global, i64::from(msg_id));
    ber::push_int(&mut global, MAX_SIZE);
    ber::push_tlv(&mut global, TAG_OCTET_STRING, &[flags]);
    ber::push_int(&mut global, 3);
    let mut usm = Vec::new();
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, engine_id);
    ber::push_int(&mut usm, boots);
    ber::push_int(&mut usm, time);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, user);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, &[]);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, &[]);
    let mut usm_seq = Vec::new();
    ber::push_tlv(&mut usm_seq, TAG_SEQUENCE, &usm);
    let mut scoped = Vec::new();
    ber::push_tlv(&mut scoped, TAG_OCTET_STRING, engine_id);
    ber::push_tlv(&mut scoped, TAG_OCTET_STRING, context);
    scoped.extend_from_slice(pdu);
    let mut body = Vec::new();
    ber::push_int(&mut body, 3);
    ber::push_tlv(&mut body, TAG_SEQUENCE, &global);
    ber::push_tlv(&mut body, TAG_OCTET_STRING, &usm_seq);
    ber::push_tlv(&mut body, TAG_SEQUENCE, &scoped);
    let mut msg = Vec::new();
    ber::push_tlv(&mut msg, TAG_SEQUENCE, &body);
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_auth() -> Usm {
        Usm::new(&V3Auth {
            user: "u".into(),
            level: SecurityLevel::NoAuthNoPriv,
            auth: None,
            privacy: None,
            context: String::new(),
        })
        .unwrap()
    }

    fn report(id: i32, time: i64) -> Vec<u8> {
        let stats = super::super::oid::oid("1.3.6.1.6.3.15.1.1.4.0");
        let pdu = ber::encode_pdu(ber::PDU_REPORT, id, 0, 0, &[&stats]);
        plain_message(id, 0, &[1, 2, 3], 1, time, b"", &[], &pdu)
    }

    #[test]
    fn engine_times_out_of_range_are_refused_before_snmp2() {
        // Found by the usm_accept fuzz target: an engine time of i64::MIN after a discovery
        // made snmp2 overflow in a subtraction.
        let mut usm = no_auth();
        assert!(matches!(
            usm.accept_discovery(&report(1, 100), &[1]),
            Outcome::Resync
        ));
        assert!(!usm.needs_discovery());
        let oid = super::super::oid::oid("1.3.6.1.2.1.1.3.0");
        let pdu = ber::encode_pdu(ber::PDU_RESPONSE, 2, 0, 0, &[&oid]);
        for bad in [i64::MIN, -1, i64::from(i32::MAX) + 1] {
            let msg = plain_message(2, 0, &[1, 2, 3], 1, bad, b"u", &[], &pdu);
            assert!(
                matches!(usm.accept(&msg, &[2]), Outcome::Foreign),
                "time {bad}"
            );
        }
        let msg = plain_message(2, 0, &[1, 2, 3], 1, 101, b"u", &[], &pdu);
        assert!(matches!(usm.accept(&msg, &[2]), Outcome::Response(_)));
    }
}
