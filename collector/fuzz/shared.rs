//! What the fuzz targets and the seed generator agree on: the SNMPv3 credentials, the engine,
//! the message ids a pending request waits for, and plaintext messages built with the
//! collector's own BER writer.

#![allow(dead_code)] // each binary uses a different part

use collector::config::{AuthProtocol, PrivProtocol, SecurityLevel, V3Auth};
use collector::secret::Secret;
use collector::snmp::ber::{self, TAG_OCTET_STRING, TAG_SEQUENCE};
use collector::snmp::usm::Usm;

/// The ids of the pending request: what `Usm::accept` compares a reply's msgID with.
pub const IDS: &[i32] = &[0x1234, 7];
/// The agent's engine id in every seed.
pub const ENGINE_ID: &[u8] = &[0x80, 0x00, 0x1f, 0x88, 0x04, b'f', b'u', b'z', b'z'];
pub const ENGINE_BOOTS: i64 = 1;
pub const ENGINE_TIME: i64 = 100;
pub const USER: &str = "fuzzuser";
pub const AUTH_PASSWORD: &str = "authpass1";
pub const PRIV_PASSWORD: &str = "privpass1";
/// Reportable, in msgFlags.
pub const FLAG_REPORTABLE: u8 = 0x04;

/// The credential of a security level: authPriv is SHA-1 with AES-128.
pub fn v3_auth(level: SecurityLevel) -> V3Auth {
    let auth_priv = level == SecurityLevel::AuthPriv;
    V3Auth {
        user: USER.into(),
        level,
        auth: auth_priv.then(|| (AuthProtocol::Sha, Secret::new(AUTH_PASSWORD))),
        privacy: auth_priv.then(|| (PrivProtocol::Aes128, Secret::new(PRIV_PASSWORD))),
        context: String::new(),
    }
}

/// A fresh `Usm`, before discovery.
pub fn usm(level: SecurityLevel) -> Usm {
    match Usm::new(&v3_auth(level)) {
        Ok(u) => u,
        Err(e) => panic!("the fuzz credentials are valid: {e}"),
    }
}

/// The unauthenticated report an agent answers a discovery request with
/// (usmStatsUnknownEngineIDs.0), carrying the engine id, boots and time.
pub fn discovery_report(msg_id: i32) -> Vec<u8> {
    let unknown_engine_ids = oid(&[1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0]);
    let vb = varbind(&unknown_engine_ids, 0x41, &[1]);
    let pdu = pdu(ber::PDU_REPORT, msg_id, &vb);
    let usm = usm_params(ENGINE_ID, ENGINE_BOOTS, ENGINE_TIME, b"");
    v3_message(msg_id, 0, &usm, &scoped(ENGINE_ID, &pdu))
}

/// A plaintext v3 message with the given msgFlags.
pub fn v3_message(msg_id: i32, flags: u8, usm_params: &[u8], scoped: &[u8]) -> Vec<u8> {
    let mut global = Vec::new();
    ber::push_int(&mut global, i64::from(msg_id));
    ber::push_int(&mut global, 65_507);
    ber::push_tlv(&mut global, TAG_OCTET_STRING, &[flags]);
    ber::push_int(&mut global, 3);
    let mut body = Vec::new();
    ber::push_int(&mut body, 3);
    ber::push_tlv(&mut body, TAG_SEQUENCE, &global);
    ber::push_tlv(&mut body, TAG_OCTET_STRING, usm_params);
    body.extend_from_slice(scoped);
    let mut msg = Vec::new();
    ber::push_tlv(&mut msg, TAG_SEQUENCE, &body);
    msg
}

/// UsmSecurityParameters with empty authentication and privacy parameters.
pub fn usm_params(engine_id: &[u8], boots: i64, time: i64, user: &[u8]) -> Vec<u8> {
    let mut usm = Vec::new();
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, engine_id);
    ber::push_int(&mut usm, boots);
    ber::push_int(&mut usm, time);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, user);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, &[]);
    ber::push_tlv(&mut usm, TAG_OCTET_STRING, &[]);
    let mut seq = Vec::new();
    ber::push_tlv(&mut seq, TAG_SEQUENCE, &usm);
    seq
}

/// A ScopedPDU with an empty context name.
pub fn scoped(context_engine_id: &[u8], pdu: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    ber::push_tlv(&mut content, TAG_OCTET_STRING, context_engine_id);
    ber::push_tlv(&mut content, TAG_OCTET_STRING, &[]);
    content.extend_from_slice(pdu);
    let mut out = Vec::new();
    ber::push_tlv(&mut out, TAG_SEQUENCE, &content);
    out
}

/// A PDU (error-status and error-index 0) around already encoded varbinds.
pub fn pdu(tag: u8, request_id: i32, varbinds: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    ber::push_int(&mut body, i64::from(request_id));
    ber::push_int(&mut body, 0);
    ber::push_int(&mut body, 0);
    ber::push_tlv(&mut body, TAG_SEQUENCE, varbinds);
    let mut out = Vec::new();
    ber::push_tlv(&mut out, tag, &body);
    out
}

/// One encoded varbind.
pub fn varbind(oid_content: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
    let mut vb = Vec::new();
    ber::push_tlv(&mut vb, ber::TAG_OID, oid_content);
    ber::push_tlv(&mut vb, tag, value);
    let mut out = Vec::new();
    ber::push_tlv(&mut out, TAG_SEQUENCE, &vb);
    out
}

/// OID content bytes.
pub fn oid(ids: &[u32]) -> Vec<u8> {
    match collector::snmp::Oid::from_subids(ids) {
        Ok(o) => o.as_ber().to_vec(),
        Err(e) => panic!("a constant OID: {e}"),
    }
}

/// Encodes an INTEGER's content bytes (for seed values).
pub fn int_content(v: i64) -> Vec<u8> {
    let mut out = Vec::new();
    ber::push_int(&mut out, v);
    out[2..].to_vec()
}

/// What every `${NAME}` resolves to in the config target: a value no problem may echo.
pub const ENV_VALUE: &str = "fuzz-env-value-Zq7w4Xk2";

/// The config target's environment: every name is set, to [`ENV_VALUE`].
pub fn config_env(_name: &str) -> Option<String> {
    Some(ENV_VALUE.to_string())
}

/// The config target's host-name look-up: every name is 192.0.2.1:161, without a DNS query.
pub fn config_lookup(_address: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
    Ok(vec![std::net::SocketAddr::from(([192, 0, 2, 1], 161))])
}
