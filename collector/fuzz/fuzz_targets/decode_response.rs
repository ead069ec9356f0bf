//! Fuzzes the v1/v2c response decoder: `decode_community_message` and
//! `peek_community_request_id` on arbitrary datagrams.
//!
//! Checks: neither panics; when the full decode succeeds, the cheap peek agrees with it
//! (same version and request-id, since the peek reads a prefix of what the decode reads), and
//! every varbind's OID and value format.

#![no_main]

use collector::snmp::ber::{decode_community_message, peek_community_request_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let peeked = peek_community_request_id(data);
    let Ok((version, _community, response)) = decode_community_message(data) else {
        return;
    };
    assert_eq!(
        peeked,
        Some((version, response.request_id)),
        "the peek disagrees with the decode"
    );
    for (oid, value) in &response.varbinds {
        let text = oid.to_string();
        assert!(!text.is_empty(), "a decoded OID formats as nothing");
        let _ = format!("{value:?}");
    }
});
