//! Fuzzes SNMPv3 reply handling: `Usm::accept_discovery` and `Usm::accept` on arbitrary
//! datagrams, at noAuthNoPriv and at authPriv (SHA-1, AES-128).
//!
//! The first byte picks the case, the rest is the datagram:
//! - 0: noAuthNoPriv, before discovery: `accept_discovery`, then build a request with
//!   whatever engine id, boots and time it learnt;
//! - 1: noAuthNoPriv, after a good discovery: `accept`;
//! - 2: authPriv, before discovery: `accept_discovery`, then build a request;
//! - 3: authPriv, after a good discovery: `accept`.
//!
//! Checks: nothing panics; an accepted response's OIDs format. Case 3 reuses one discovered
//! `Usm` across inputs, because discovery derives the keys (two 1 MB password hashes) and a
//! fuzzer cannot forge the HMAC that would let an input change its state.

#![no_main]

#[path = "../shared.rs"]
mod shared;

use std::cell::RefCell;

use collector::config::SecurityLevel;
use collector::snmp::ber::PDU_GET_BULK;
use collector::snmp::usm::{Outcome, Usm};
use collector::snmp::Oid;
use libfuzzer_sys::fuzz_target;
use shared::IDS;

thread_local! {
    static AUTH_PRIV: RefCell<Usm> = RefCell::new(discovered(SecurityLevel::AuthPriv));
}

/// A `Usm` that has learnt the seed engine from a good discovery report.
fn discovered(level: SecurityLevel) -> Usm {
    let mut usm = shared::usm(level);
    let report = shared::discovery_report(IDS[0]);
    let outcome = usm.accept_discovery(&report, IDS);
    assert!(
        matches!(outcome, Outcome::Resync),
        "the seed discovery works"
    );
    usm
}

fn check(outcome: &Outcome) {
    if let Outcome::Response(r) = outcome {
        for (oid, value) in &r.varbinds {
            let _ = (oid.to_string(), format!("{value:?}"));
        }
    }
}

/// After a discovery, a request must encode (or fail cleanly) with what was learnt.
fn request_after(usm: &Usm) {
    let if_hc_in_octets = Oid::from_subids(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6]);
    if let Ok(oid) = if_hc_in_octets {
        let _ = usm.request_message(PDU_GET_BULK, IDS[0], 0, 10, &[&oid]);
    }
}

fn discovery(level: SecurityLevel, datagram: &[u8]) {
    let mut usm = shared::usm(level);
    let outcome = usm.accept_discovery(datagram, IDS);
    check(&outcome);
    if !usm.needs_discovery() {
        request_after(&usm);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&case, datagram)) = data.split_first() else {
        return;
    };
    match case % 4 {
        0 => discovery(SecurityLevel::NoAuthNoPriv, datagram),
        1 => {
            let mut usm = discovered(SecurityLevel::NoAuthNoPriv);
            check(&usm.accept(datagram, IDS));
        }
        2 => discovery(SecurityLevel::AuthPriv, datagram),
        _ => AUTH_PRIV.with(|usm| check(&usm.borrow_mut().accept(datagram, IDS))),
    }
});
