//! Hostile fake agents (a UDP socket in the test) against the session's transport.

use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;

use super::*;
use crate::secret::Secret;
use crate::snmp::oid::oid;
use crate::snmp::Value;

fn v2c() -> Auth {
    Auth::Community {
        version: SnmpVersion::V2c,
        community: Secret::new("public"),
    }
}

/// A GetResponse for `id` carrying sysName.0 = `name`.
fn reply(id: i32, name: &[u8]) -> Vec<u8> {
    let vb = (oid("1.3.6.1.2.1.1.5.0"), Value::OctetString(name.to_vec()));
    ber::encode_response(1, b"public", id, &[vb])
}

async fn agent() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let a = s.local_addr().unwrap();
    (s, a)
}

async fn recv_id(s: &UdpSocket) -> (i32, SocketAddr) {
    let mut buf = vec![0; 65536];
    let (n, from) = s.recv_from(&mut buf).await.unwrap();
    let (_, id) = ber::peek_community_request_id(&buf[..n]).unwrap();
    (id, from)
}

async fn session(addr: SocketAddr, timeout_ms: u64, retries: u32) -> Session {
    Session::new(addr, &v2c(), Duration::from_millis(timeout_ms), retries)
        .await
        .unwrap()
}

fn sys_name() -> Oid {
    oid("1.3.6.1.2.1.1.5.0")
}

#[tokio::test]
async fn foreign_ids_and_garbage_before_the_reply_are_discarded() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 2000, 0).await;
    let t = tokio::spawn(async move {
        let (id, from) = recv_id(&a).await;
        a.send_to(&reply(id.wrapping_add(1000), b"foreign"), from)
            .await
            .unwrap();
        a.send_to(b"\x30\x03\x02\x01", from).await.unwrap();
        a.send_to(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], from)
            .await
            .unwrap();
        a.send_to(&reply(id, b"real"), from).await.unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let r = s.get(&[&sys_name()], deadline).await.unwrap();
    t.await.unwrap();
    assert_eq!(r.varbinds[0].1, Value::OctetString(b"real".to_vec()));
    assert_eq!(s.stats.discarded, 3);
}

#[tokio::test]
async fn a_late_reply_does_not_poison_the_next_request() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 200, 0).await;
    let t = tokio::spawn(async move {
        let (first, from) = recv_id(&a).await;
        // Answer the first request only after it timed out, just before the second's reply.
        let (second, _) = recv_id(&a).await;
        a.send_to(&reply(first, b"late"), from).await.unwrap();
        a.send_to(&reply(second, b"second"), from).await.unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    assert_eq!(
        s.get(&[&sys_name()], deadline).await,
        Err(SnmpError::Timeout)
    );
    let r = s.get(&[&sys_name()], deadline).await.unwrap();
    t.await.unwrap();
    assert_eq!(r.varbinds[0].1, Value::OctetString(b"second".to_vec()));
    assert_eq!(s.stats.discarded, 1);
}

#[tokio::test]
async fn a_late_reply_to_an_earlier_attempt_answers_the_request() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 150, 2).await;
    let t = tokio::spawn(async move {
        let (first, from) = recv_id(&a).await;
        let _ = recv_id(&a).await; // the retry
        a.send_to(&reply(first, b"first-attempt"), from)
            .await
            .unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let r = s.get(&[&sys_name()], deadline).await.unwrap();
    t.await.unwrap();
    assert_eq!(
        r.varbinds[0].1,
        Value::OctetString(b"first-attempt".to_vec())
    );
}

#[tokio::test]
async fn a_multi_homed_agent_may_answer_from_another_address() {
    let (a, addr) = agent().await;
    let other = UdpSocket::bind("127.0.0.2:0").await.unwrap();
    let mut s = session(addr, 2000, 0).await;
    let t = tokio::spawn(async move {
        let (id, from) = recv_id(&a).await;
        other
            .send_to(&reply(id, b"other-address"), from)
            .await
            .unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let r = s.get(&[&sys_name()], deadline).await.unwrap();
    t.await.unwrap();
    assert_eq!(
        r.varbinds[0].1,
        Value::OctetString(b"other-address".to_vec())
    );
}

#[tokio::test]
async fn a_garbled_reply_with_our_id_is_an_error_not_data() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 2000, 0).await;
    let t = tokio::spawn(async move {
        let (id, from) = recv_id(&a).await;
        let mut bad = reply(id, b"x");
        // Corrupt the value's tag into an unsupported type.
        let n = bad.len();
        bad[n - 3] = 0x99;
        a.send_to(&bad, from).await.unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let e = s.get(&[&sys_name()], deadline).await.unwrap_err();
    t.await.unwrap();
    assert!(
        matches!(e, SnmpError::Garbled(ref m) if m.contains("varbind #0")),
        "{e}"
    );
}

#[tokio::test]
async fn the_deadline_bounds_a_silent_agent() {
    let (_a, addr) = agent().await;
    let mut s = session(addr, 1000, 10).await;
    let start = Instant::now();
    let e = s
        .get(&[&sys_name()], start + Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e, SnmpError::Timeout);
    assert!(start.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn naps_last_as_long_as_the_awaited_replies_take_at_the_rate_seen() {
    let (_a, addr) = agent().await;
    let mut s = session(addr, 1000, 0).await;
    // Nothing measured yet: the shortest nap.
    assert_eq!(s.nap(32), COALESCE);
    // 10 of 32 replies in 2 ms: 5,000 replies/s, so 22 more take 4.4 ms (less the timer's
    // slack).
    s.learn_rate(10, 32, Duration::from_millis(2));
    assert!((s.reply_rate - 5000.0).abs() < 1e-6, "{}", s.reply_rate);
    assert_eq!(s.nap(22), Duration::from_micros(4400) - TIMER_SLACK);
    // Never longer than the cap, never shorter than the first nap.
    assert_eq!(s.nap(1000), COALESCE_MAX);
    assert_eq!(s.nap(2), COALESCE);
    // A nap that read everything awaited only bounds the rate from below: a slower figure
    // does not lower it, a faster one raises it.
    s.learn_rate(8, 8, Duration::from_millis(4));
    assert!((s.reply_rate - 5000.0).abs() < 1e-6, "{}", s.reply_rate);
    s.learn_rate(8, 8, Duration::from_millis(1));
    assert!((s.reply_rate - 8000.0).abs() < 1e-6, "{}", s.reply_rate);
    // A nap that read part of them measures the rate, lower or not.
    s.learn_rate(2, 8, Duration::from_millis(2));
    assert!((s.reply_rate - 1000.0).abs() < 1e-6, "{}", s.reply_rate);
    // A nap that read nothing teaches nothing (the poller waits for the next datagram).
    s.learn_rate(0, 8, Duration::from_millis(8));
    assert!((s.reply_rate - 1000.0).abs() < 1e-6, "{}", s.reply_rate);
}

/// An agent that answered a burst at once and then slows down far below that rate (replies
/// 12 ms apart, longer than the longest nap): naps sized for the fast rate must not lose or
/// mismatch a reply.
#[tokio::test]
async fn a_burst_answered_much_slower_than_the_last_is_read_whole() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 3000, 0).await;
    let n = 12;
    let agent = tokio::spawn(async move {
        for pace_ms in [0u64, 12] {
            let mut got = Vec::new();
            for _ in 0..n {
                got.push(recv_id(&a).await);
            }
            // Answered last first: replies are matched by request-id, not by order.
            for (id, from) in got.into_iter().rev() {
                if pace_ms > 0 {
                    tokio::time::sleep(Duration::from_millis(pace_ms)).await;
                }
                let name = format!("r{id}");
                a.send_to(&reply(id, name.as_bytes()), from).await.unwrap();
            }
        }
    });
    let oid = sys_name();
    let reqs: Vec<(Vec<&Oid>, u32)> = (0..n).map(|_| (vec![&oid], 1)).collect();
    for round in 0..2 {
        let deadline = Instant::now() + Duration::from_secs(5);
        let replies = s.bulk_many(&reqs, deadline, 0).await;
        assert_eq!(replies.len(), n, "round {round}");
        let mut ids = Vec::new();
        for r in replies {
            let r = r.unwrap_or_else(|e| panic!("round {round}: {e}"));
            let vb = r.varbinds.iter().next().unwrap().unwrap();
            assert_eq!(
                vb.value().unwrap(),
                Value::OctetString(format!("r{}", r.request_id).into_bytes())
            );
            ids.push(r.request_id);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "round {round}: each request its own reply");
        if round == 0 {
            assert!(s.reply_rate > 0.0, "a burst at once teaches a rate");
        }
    }
    agent.await.unwrap();
    assert_eq!(s.stats.timeouts, 0);
}

/// The first try of one request of a burst is answered after its timeout, its retry never:
/// the late reply answers the request, and the window it shrank is given back.
#[tokio::test]
async fn a_late_reply_to_a_first_try_answers_a_burst_request_and_restores_the_window() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 100, 2).await;
    let agent = tokio::spawn(async move {
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(recv_id(&a).await);
        }
        for &(id, from) in &got[..3] {
            a.send_to(&reply(id, b"now"), from).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (id, from) = got[3];
        a.send_to(&reply(id, b"late"), from).await.unwrap();
        // The retry is never answered.
        let _ = recv_id(&a).await;
    });
    let oid = sys_name();
    let reqs: Vec<(Vec<&Oid>, u32)> = (0..4).map(|_| (vec![&oid], 1)).collect();
    let replies = s
        .bulk_many(&reqs, Instant::now() + Duration::from_secs(5), 2)
        .await;
    let names: Vec<Value> = replies
        .into_iter()
        .map(|r| {
            r.unwrap()
                .varbinds
                .iter()
                .next()
                .unwrap()
                .unwrap()
                .value()
                .unwrap()
        })
        .collect();
    assert_eq!(names[3], Value::OctetString(b"late".to_vec()));
    assert_eq!(s.stats.timeouts, 1, "the first try timed out");
    assert_eq!(s.window(), DEFAULT_IN_FLIGHT, "a late reply is not a loss");
    agent.await.unwrap();
}

/// Tries lost at the tail of a burst (an agent that keeps two): the next tries go two at a
/// time at most, and the lost requests are resent and answered.
#[tokio::test]
async fn requests_lost_at_the_tail_of_a_burst_are_resent_within_a_smaller_window() {
    let (a, addr) = agent().await;
    let mut s = session(addr, 100, 2).await;
    let agent = tokio::spawn(async move {
        let mut bursts = Vec::new();
        let mut answered = 0;
        while answered < 6 {
            let mut burst = vec![recv_id(&a).await];
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = a.try_recv_from(&mut buf) {
                let id = ber::peek_community_request_id(&buf[..n]).unwrap().1;
                burst.push((id, from));
            }
            bursts.push(burst.len());
            for &(id, from) in burst.iter().take(2) {
                a.send_to(&reply(id, b"x"), from).await.unwrap();
                answered += 1;
            }
        }
        bursts
    });
    let oid = sys_name();
    let reqs: Vec<(Vec<&Oid>, u32)> = (0..6).map(|_| (vec![&oid], 1)).collect();
    let replies = s
        .bulk_many(&reqs, Instant::now() + Duration::from_secs(5), 2)
        .await;
    assert!(replies.iter().all(Result::is_ok));
    let bursts = agent.await.unwrap();
    assert_eq!(bursts[0], 6);
    assert!(bursts[1..].iter().all(|&b| b <= 2), "{bursts:?}");
    assert_eq!(s.stats.timeouts, 4);
}
