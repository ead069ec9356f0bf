//! SNMPv3 against `snmpd` through a UDP proxy the test controls: a spoofed reply (engine boots
//! raised, so its HMAC no longer matches) is discarded and does not break the session; an agent
//! restart (new engine boots) re-initialises the session instead of failing it for good.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use collector::config::Config;
use collector::snmp::oid::oid;
use collector::snmp::Session;
use tokio::net::UdpSocket;
use tokio::time::Instant;

use crate::util::*;

/// Content offset and length of the first TLV of `b` at `at`: (tag, content start, len).
fn tlv(b: &[u8], at: usize) -> (u8, usize, usize) {
    let tag = b[at];
    let l = b[at + 1] as usize;
    if l < 0x80 {
        (tag, at + 2, l)
    } else {
        let n = l & 0x7f;
        let len = b[at + 2..at + 2 + n]
            .iter()
            .fold(0usize, |a, &x| (a << 8) | x as usize);
        (tag, at + 2 + n, len)
    }
}

/// Rewrites the engine boots of a v3 message in place (same length), breaking its HMAC.
fn spoof_boots(msg: &mut [u8]) {
    let (_, body, _) = tlv(msg, 0); // message SEQUENCE
    let (_, v, vl) = tlv(msg, body); // version
    let (_, g, gl) = tlv(msg, v + vl); // global data
    let (_, sp, _) = tlv(msg, g + gl); // security parameters OCTET STRING
    let (_, seq, _) = tlv(msg, sp); // USM SEQUENCE
    let (_, e, el) = tlv(msg, seq); // engine id
    let (tag, b, bl) = tlv(msg, e + el); // boots INTEGER
    assert_eq!(tag, 0x02);
    msg[b] = 0x7f;
    for x in &mut msg[b + 1..b + bl] {
        *x = 0xff;
    }
}

/// A proxy between the session and snmpd; when `spoof` is set it sends a spoofed copy of the
/// next reply before the real one.
async fn proxy(agent: SocketAddr, spoof: Arc<AtomicBool>, spoofed: Arc<AtomicU32>) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = front.local_addr().unwrap();
    tokio::spawn(async move {
        let mut client = None;
        let mut a = vec![0u8; 65536];
        let mut b = vec![0u8; 65536];
        loop {
            tokio::select! {
                r = front.recv_from(&mut a) => {
                    let Ok((n, from)) = r else { return };
                    client = Some(from);
                    let _ = back.send_to(&a[..n], agent).await;
                }
                r = back.recv_from(&mut b) => {
                    let Ok((n, _)) = r else { return };
                    let Some(c) = client else { continue };
                    if spoof.swap(false, Ordering::SeqCst) {
                        let mut fake = b[..n].to_vec();
                        spoof_boots(&mut fake);
                        let _ = front.send_to(&fake, c).await;
                        spoofed.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = front.send_to(&b[..n], c).await;
                }
            }
        }
    });
    addr
}

fn v3_auth() -> collector::config::Auth {
    let text = "[auth.a]\nversion = \"3\"\nuser = \"it512\"\nlevel = \"authPriv\"\nauth_protocol = \"SHA-512\"\n\
                auth_password = \"itauthpass512\"\npriv_protocol = \"AES-256\"\npriv_password = \"itprivpass256\"\n";
    let cfg = Config::parse(text, &|_| None).unwrap();
    (*cfg.auth["a"]).clone()
}

async fn sys_uptime(s: &mut Session) -> Result<(), collector::snmp::SnmpError> {
    let o = oid("1.3.6.1.2.1.1.3.0");
    let r = s
        .get(&[&o], Instant::now() + Duration::from_secs(5))
        .await?;
    assert_eq!(r.varbinds.len(), 1);
    assert!(matches!(
        r.varbinds[0].1,
        collector::snmp::Value::TimeTicks(_)
    ));
    Ok(())
}

#[tokio::test]
async fn a_spoofed_reply_does_not_break_a_v3_session() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, port) = start_snmpd(dir.path());
    let spoof = Arc::new(AtomicBool::new(false));
    let spoofed = Arc::new(AtomicU32::new(0));
    let addr = proxy(
        ([127, 0, 0, 1], port).into(),
        spoof.clone(),
        spoofed.clone(),
    )
    .await;
    let mut s = Session::new(addr, &v3_auth(), Duration::from_secs(2), 0)
        .await
        .unwrap();
    sys_uptime(&mut s).await.unwrap();
    spoof.store(true, Ordering::SeqCst);
    sys_uptime(&mut s).await.unwrap();
    assert_eq!(spoofed.load(Ordering::SeqCst), 1);
    assert_eq!(s.stats.discarded, 1, "the spoof was discarded");
    // Had the spoof's boots been believed, every later request would be out of the time
    // window and refused.
    for _ in 0..3 {
        sys_uptime(&mut s).await.unwrap();
    }
    assert_eq!(s.stats.timeouts, 0);
}

#[tokio::test]
async fn a_v3_session_survives_an_agent_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (agent, port) = start_snmpd(dir.path());
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = Session::new(addr, &v3_auth(), Duration::from_secs(2), 1)
        .await
        .unwrap();
    sys_uptime(&mut s).await.unwrap();
    drop(agent);
    // Same persistent directory: snmpd comes back with engine boots + 1 and time near 0.
    let snmpd = require("snmpd", "the Debian package snmpd");
    let child = Command::new(snmpd)
        .args(["-f", "-C", "-c"])
        .arg(dir.path().join("snmpd.conf"))
        .arg("-Lf")
        .arg(dir.path().join("snmpd2.log"))
        .env("SNMP_PERSISTENT_DIR", dir.path().join("persist"))
        .env("MIBS", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _agent2 = Proc(child);
    wait_for_agent(port, "public", Duration::from_secs(10));
    sys_uptime(&mut s).await.unwrap();
    sys_uptime(&mut s).await.unwrap();
}
