//! Writes the seed corpus under `corpus/<target>/`: a few small, valid messages per target,
//! built with the collector's own encoders (and snmp2 for the one authenticated, encrypted
//! reply), and configurations (the repository's example among them), each checked against the
//! code it seeds before it is written.
//!
//! Run from `collector/fuzz`: `cargo run --example seeds --no-default-features`.

#[path = "../shared.rs"]
mod shared;

use std::path::Path;

use collector::config::SecurityLevel;
use collector::snmp::ber::{self, decode_community_message, PDU_GET, PDU_GET_BULK, PDU_GET_NEXT};
use collector::snmp::ber::{PDU_REPORT, PDU_RESPONSE};
use collector::snmp::usm::Outcome;
use shared::{oid, pdu, varbind, IDS};

const IF_HC_IN_OCTETS_1: &[u32] = &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1];
const SYS_UPTIME_0: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (target, seeds) in [
        ("decode_response", decode_response()),
        ("usm_accept", usm_accept()),
        ("sim_request", sim_request()),
        ("config", config()),
    ] {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in seeds {
            std::fs::write(dir.join(name), &bytes)?;
            println!("{target}/{name}: {} bytes", bytes.len());
        }
    }
    Ok(())
}

/// v1/v2c responses: every value type, an error status, the end of a walk.
fn decode_response() -> Vec<(&'static str, Vec<u8>)> {
    let sys_descr = oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]);
    let mut vbs = varbind(&sys_descr, ber::TAG_OCTET_STRING, b"fibre router");
    vbs.extend(varbind(
        &oid(SYS_UPTIME_0),
        ber::TAG_TIMETICKS,
        &[0x01, 0x02, 0x03],
    ));
    vbs.extend(varbind(
        &oid(IF_HC_IN_OCTETS_1),
        ber::TAG_COUNTER64,
        &[0; 9],
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1]),
        ber::TAG_COUNTER32,
        &[0x00, 0xff, 0xff, 0xff, 0xff],
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15, 1]),
        ber::TAG_GAUGE32,
        &[0x27, 0x10],
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 1]),
        ber::TAG_INTEGER,
        &shared::int_content(-2),
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 1, 2, 0]),
        ber::TAG_OID,
        &oid(&[1, 3, 6, 1, 4, 1, 8072, 3, 2, 10]),
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1]),
        ber::TAG_IPADDRESS,
        &[10, 0, 0, 1],
    ));
    vbs.extend(varbind(
        &oid(&[1, 3, 6, 1, 4, 1, 1, 1]),
        ber::TAG_OPAQUE,
        &[0x9f, 0x78, 0x04, 0, 0, 0, 0],
    ));
    let v2c = ber::encode_community_message(1, b"public", &pdu(PDU_RESPONSE, 0x1234, &vbs));

    let mut v1_error = Vec::new();
    ber::push_int(&mut v1_error, 0x7fff_ffff);
    ber::push_int(&mut v1_error, 2);
    ber::push_int(&mut v1_error, 1);
    ber::push_tlv(
        &mut v1_error,
        ber::TAG_SEQUENCE,
        &varbind(&sys_descr, ber::TAG_NULL, &[]),
    );
    let mut v1_pdu = Vec::new();
    ber::push_tlv(&mut v1_pdu, PDU_RESPONSE, &v1_error);
    let v1 = ber::encode_community_message(0, b"dev0001", &v1_pdu);

    let mut end = varbind(&oid(IF_HC_IN_OCTETS_1), ber::TAG_NO_SUCH_INSTANCE, &[]);
    end.extend(varbind(
        &oid(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6]),
        ber::TAG_NO_SUCH_OBJECT,
        &[],
    ));
    end.extend(varbind(
        &oid(&[1, 3, 6, 1, 6, 3, 1, 1, 1, 0]),
        ber::TAG_END_OF_MIB_VIEW,
        &[],
    ));
    let walk_end = ber::encode_community_message(1, b"public", &pdu(PDU_RESPONSE, -5, &end));

    let seeds = vec![
        ("v2c_values", v2c),
        ("v1_error", v1),
        ("walk_end", walk_end),
    ];
    for (name, bytes) in &seeds {
        assert!(
            decode_community_message(bytes).is_ok(),
            "seed {name} decodes"
        );
    }
    seeds
}

/// SNMPv3 replies; the first byte picks the fuzz target's case (see `usm_accept.rs`).
fn usm_accept() -> Vec<(&'static str, Vec<u8>)> {
    let report = shared::discovery_report(IDS[0]);
    let vb = varbind(
        &oid(IF_HC_IN_OCTETS_1),
        ber::TAG_COUNTER64,
        &[0x12, 0x34, 0x56, 0x78, 0x9a],
    );
    let usm_params = shared::usm_params(
        shared::ENGINE_ID,
        shared::ENGINE_BOOTS,
        shared::ENGINE_TIME,
        shared::USER.as_bytes(),
    );
    let plain = shared::v3_message(
        IDS[0],
        0,
        &usm_params,
        &shared::scoped(shared::ENGINE_ID, &pdu(PDU_RESPONSE, IDS[0], &vb)),
    );
    let wrong_digests = varbind(
        &oid(&[1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0]),
        ber::TAG_COUNTER32,
        &[3],
    );
    let wrong_digest = shared::v3_message(
        IDS[0],
        0,
        &usm_params,
        &shared::scoped(shared::ENGINE_ID, &pdu(PDU_REPORT, IDS[0], &wrong_digests)),
    );
    let encrypted = auth_priv_response(&vb);

    let mut usm = shared::usm(SecurityLevel::NoAuthNoPriv);
    assert!(matches!(
        usm.accept_discovery(&report, IDS),
        Outcome::Resync
    ));
    assert!(matches!(usm.accept(&plain, IDS), Outcome::Response(_)));
    let mut usm = shared::usm(SecurityLevel::AuthPriv);
    assert!(matches!(
        usm.accept_discovery(&report, IDS),
        Outcome::Resync
    ));
    assert!(matches!(
        usm.accept(&wrong_digest, IDS),
        Outcome::AuthFailed(_)
    ));
    assert!(
        matches!(usm.accept(&encrypted, IDS), Outcome::Response(_)),
        "the authPriv seed authenticates"
    );

    let case = |c: u8, bytes: &[u8]| [&[c][..], bytes].concat();
    vec![
        ("0_discovery", case(0, &report)),
        ("1_response", case(1, &plain)),
        ("2_discovery", case(2, &report)),
        ("3_response", case(3, &encrypted)),
        ("3_wrong_digest", case(3, &wrong_digest)),
    ]
}

/// An authenticated, AES-encrypted response from the seed engine, built by snmp2: a plaintext
/// message parsed with a throw-away state, re-encoded with the agent's keys.
fn auth_priv_response(varbinds: &[u8]) -> Vec<u8> {
    use snmp2::v3::{Auth, AuthProtocol, Cipher, Security};
    let template_engine = [1u8];
    let plain = shared::v3_message(
        IDS[0],
        shared::FLAG_REPORTABLE,
        &shared::usm_params(&template_engine, 0, 0, b""),
        &shared::scoped(&template_engine, &pdu(PDU_RESPONSE, IDS[0], varbinds)),
    );
    let mut template = Security::new(b"", b"")
        .with_auth(Auth::NoAuthNoPriv)
        .with_engine_id(&template_engine)
        .expect("template security");
    let parsed =
        snmp2::Pdu::from_bytes_with_security(&plain, Some(&mut template)).expect("template parse");
    let agent = Security::new(shared::USER.as_bytes(), shared::AUTH_PASSWORD.as_bytes())
        .with_auth_protocol(AuthProtocol::Sha1)
        .with_auth(Auth::AuthPriv {
            cipher: Cipher::Aes128,
            privacy_password: shared::PRIV_PASSWORD.as_bytes().to_vec(),
        })
        .with_engine_id(shared::ENGINE_ID)
        .expect("agent security")
        .with_engine_boots_and_time(shared::ENGINE_BOOTS, shared::ENGINE_TIME);
    parsed
        .to_bytes_with_security(Some(&agent))
        .expect("agent encoding")
}

/// Requests the simulator answers: GET, GETNEXT (v1), GETBULK, and one to the garbage device.
fn sim_request() -> Vec<(&'static str, Vec<u8>)> {
    let uptime = collector::snmp::Oid::from_subids(SYS_UPTIME_0).expect("oid");
    let if_table = collector::snmp::Oid::from_subids(&[1, 3, 6, 1, 2, 1, 2, 2, 1]).expect("oid");
    let if_x = collector::snmp::Oid::from_subids(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6]).expect("oid");
    let msg = |version, community: &[u8], pdu: Vec<u8>| {
        ber::encode_community_message(version, community, &pdu)
    };
    vec![
        (
            "get",
            msg(
                1,
                b"dev0001",
                ber::encode_pdu(PDU_GET, 11, 0, 0, &[&uptime, &if_x]),
            ),
        ),
        (
            "getnext_v1",
            msg(
                0,
                b"dev0003",
                ber::encode_pdu(PDU_GET_NEXT, 12, 0, 0, &[&if_table]),
            ),
        ),
        (
            "bulk",
            msg(
                1,
                b"dev0001",
                ber::encode_pdu(PDU_GET_BULK, 13, 1, 5, &[&uptime, &if_x]),
            ),
        ),
        (
            "garbage",
            msg(
                1,
                b"dev0002",
                ber::encode_pdu(PDU_GET, 14, 0, 0, &[&uptime]),
            ),
        ),
    ]
}

/// Configurations that validate: the repository's annotated example, and one with what the
/// example leaves commented out (influx, v1, a host name, profiles, six-field cron, limits).
fn config() -> Vec<(&'static str, Vec<u8>)> {
    let example = include_str!("../../../irisops.example.toml");
    let other = r#"[store]
path = "/srv/irisops"
retention = "7d"

[influx]
url = "https://influx.noc.example:8086"
org = "noc"
bucket = "irisops"
token = "${INFLUX_TOKEN}"
batch_points = 1000
flush_interval = "2s"

[auth.old]
version = "1"
community = "${IRISOPS_COMMUNITY}"

[auth.ro]
version = "3"
user = "ro"
level = "authNoPriv"
auth_protocol = "SHA-512"
auth_password = "${IRISOPS_V3_AUTH}"

[[device]]
name = "agg-07"
address = "agg-07.noc.example:161"
auth = "old"
profiles = ["lldp"]
schedule = "30 */2 * * * *"
max_in_flight = 1

[[device]]
name = "olt-3"
address = "[2001:db8::3]:161"
auth = "ro"
timeout = "2s"
budget = "20s"

[cadastre]
data = "/srv/irisops/cadastre"
max_features = 200000

[api]
listen = "127.0.0.1:8081"
"#;
    let seeds = vec![
        ("example.toml", example.as_bytes().to_vec()),
        ("influx_v1_v3.toml", other.as_bytes().to_vec()),
    ];
    for (name, bytes) in &seeds {
        let text = std::str::from_utf8(bytes).expect("utf-8");
        if let Err(e) =
            collector::config::Config::parse_with(text, &shared::config_env, &shared::config_lookup)
        {
            panic!("seed {name} validates: {:?}", e.problems());
        }
    }
    seeds
}
