//! The walker against scripted fake agents (a UDP socket in the test): back-off on unanswered
//! GETBULKs, agent loops, truncated replies, endOfMibView and exceptions.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;

use super::*;
use crate::secret::Secret;
use crate::snmp::auth::{Auth, SnmpVersion};
use crate::snmp::ber;
use crate::snmp::oid::oid;

/// How the fake agent misbehaves.
#[derive(Clone, Copy, Default)]
struct Quirks {
    /// GETBULKs asking for more repetitions than this go unanswered.
    max_reps_answered: Option<u32>,
    /// Replies carry at most this many varbinds.
    truncate: Option<usize>,
    /// Every reply repeats the requested OIDs instead of advancing (an agent loop).
    looping: bool,
    /// Holds up to this many requests (or 100 ms), then answers them newest first, each
    /// batch preceded by a datagram with a foreign request-id.
    hold: usize,
}

fn response(id: i32, varbinds: &[(Oid, Value)]) -> Vec<u8> {
    ber::encode_response(1, b"public", id, varbinds)
}

/// Serves `table` (sorted) with GETBULK semantics and the given quirks; counts requests.
async fn fake_agent(table: Vec<(Oid, Value)>, q: Quirks) -> (std::net::SocketAddr, Arc<AtomicU32>) {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let count = Arc::new(AtomicU32::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        let mut held: Vec<(Vec<u8>, std::net::SocketAddr)> = Vec::new();
        loop {
            let got = if held.is_empty() {
                Some(sock.recv_from(&mut buf).await)
            } else {
                tokio::time::timeout(Duration::from_millis(100), sock.recv_from(&mut buf))
                    .await
                    .ok()
            };
            match got {
                Some(Ok((n, from))) => {
                    c.fetch_add(1, Ordering::SeqCst);
                    held.push((buf[..n].to_vec(), from));
                }
                Some(Err(_)) => return,
                None => {}
            }
            if held.len() < q.hold.max(1) && got.is_some() {
                continue;
            }
            if q.hold > 0 {
                let from = held[0].1;
                let _ = sock.send_to(&response(1, &[]), from).await;
            }
            for (bytes, from) in held.drain(..).rev() {
                let Ok(req) = snmp2::Pdu::from_bytes(&bytes) else {
                    continue;
                };
                let reps = req.error_index;
                if q.max_reps_answered.is_some_and(|m| reps > m) {
                    continue;
                }
                let starts: Vec<Oid> = req
                    .varbinds
                    .map(|(o, _)| Oid::from_ber(o.as_bytes()).unwrap())
                    .collect();
                let mut cursors = starts.clone();
                let mut out = Vec::new();
                for _ in 0..reps {
                    for c in cursors.iter_mut() {
                        if q.looping {
                            // The first row, then the same OID again and again.
                            let o = if c.subids().len() <= 11 {
                                c.child(1)
                            } else {
                                c.clone()
                            };
                            out.push((o, Value::OctetString(b"x".to_vec())));
                            continue;
                        }
                        match table.iter().find(|(o, _)| o > c) {
                            Some((o, v)) => {
                                *c = o.clone();
                                out.push((o.clone(), v.clone()));
                            }
                            None => out.push((c.clone(), Value::EndOfMibView)),
                        }
                    }
                }
                if let Some(t) = q.truncate {
                    out.truncate(t);
                }
                let _ = sock.send_to(&response(req.req_id, &out), from).await;
            }
        }
    });
    (addr, count)
}

/// A two-column table (ifHCInOctets, ifName) of `n` rows, each name `len` bytes long.
fn table(n: u32, len: usize) -> Vec<(Oid, Value)> {
    let mut t = Vec::new();
    for i in 1..=n {
        t.push((
            oid("1.3.6.1.2.1.31.1.1.1.1").child(i),
            Value::OctetString(vec![b'n'; len]),
        ));
        t.push((
            oid("1.3.6.1.2.1.31.1.1.1.6").child(i),
            Value::Counter64(u64::from(i) << 40),
        ));
    }
    t.push((oid("1.3.6.1.2.1.31.1.1.1.7.1"), Value::Counter64(1)));
    t.sort_by(|a, b| a.0.cmp(&b.0));
    t
}

fn columns() -> Vec<Oid> {
    vec![oid("1.3.6.1.2.1.31.1.1.1.1"), oid("1.3.6.1.2.1.31.1.1.1.6")]
}

async fn session(addr: std::net::SocketAddr, timeout_ms: u64) -> Session {
    let auth = Auth::Community {
        version: SnmpVersion::V2c,
        community: Secret::new("public"),
    };
    Session::new(addr, &auth, Duration::from_millis(timeout_ms), 0)
        .await
        .unwrap()
}

/// Walks [`columns`] with a 5 s deadline.
async fn walk_columns(s: &mut Session, reps: &mut Repetitions) -> Result<Table, SnmpError> {
    walk(s, &columns(), reps, Instant::now() + Duration::from_secs(5)).await
}

fn check_full(t: &Table, n: u32) {
    assert_eq!(t.n_rows(0), n as usize);
    assert_eq!(t.n_rows(1), n as usize);
    for (i, (suffix, v)) in t.rows(1).enumerate() {
        let idx = i as u32 + 1;
        assert_eq!(crate::snmp::oid::single_subid(suffix), Some(idx));
        assert_eq!(*v, Value::Counter64(u64::from(idx) << 40));
    }
}

#[tokio::test]
async fn groups_in_flight_together_take_replies_in_any_order() {
    let q = Quirks {
        hold: 2,
        ..Quirks::default()
    };
    let (addr, count) = fake_agent(table(30, 8), q).await;
    let mut s = session(addr, 1000).await;
    let mut reps = Repetitions::new(10);
    let cols = columns();
    let groups = [&cols[..1], &cols[1..]];
    let deadline = Instant::now() + Duration::from_secs(5);
    let tables = walk_many(&mut s, &groups, &mut reps, deadline)
        .await
        .unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0].n_rows(0), 30);
    let ins: Vec<_> = tables[1].rows(0).map(|(_, v)| v.clone()).collect();
    let want: Vec<_> = (1..=30u64).map(|i| Value::Counter64(i << 40)).collect();
    assert_eq!(ins, want);
    // 3 rounds of 10 rows and one that finds the end, for each group; nothing resent.
    assert_eq!(tables[0].n_requests + tables[1].n_requests, 8);
    assert_eq!(count.load(Ordering::SeqCst), 8);
    assert_eq!(s.stats.timeouts, 0);
    assert_eq!(s.stats.discarded, 4, "one foreign datagram per round");
}

#[tokio::test]
async fn walks_two_columns_to_their_end() {
    let (addr, _) = fake_agent(table(30, 8), Quirks::default()).await;
    let mut s = session(addr, 1000).await;
    let mut reps = Repetitions::new(10);
    let t = walk_columns(&mut s, &mut reps).await.unwrap();
    check_full(&t, 30);
    assert_eq!(
        t.n_requests, 4,
        "30 rows at 10 per PDU, the last reply leaves the columns"
    );
    assert_eq!(
        reps.rows_hint, 30,
        "the next walk reserves the rows it will get"
    );
    // The next walk starts from the hint and reads the same table.
    let again = walk_columns(&mut s, &mut reps).await.unwrap();
    // Walked in 3 segments, each sized from the hint once (a chunk that had to grow would
    // have doubled its room).
    let chunks = &again.columns[0];
    assert_eq!(chunks.len(), 3, "one chunk per segment");
    let room: usize = chunks.iter().map(Vec::capacity).sum();
    let caps: Vec<usize> = chunks.iter().map(Vec::capacity).collect();
    assert!((30..=36).contains(&room), "room for {room} rows: {caps:?}");
    check_full(&again, 30);
}

#[tokio::test]
async fn an_unanswered_getbulk_halves_max_repetitions_and_remembers() {
    let (addr, count) = fake_agent(
        table(40, 8),
        Quirks {
            max_reps_answered: Some(6),
            ..Quirks::default()
        },
    )
    .await;
    let mut s = session(addr, 100).await;
    let mut reps = Repetitions::new(25);
    let t = walk_columns(&mut s, &mut reps).await.unwrap();
    check_full(&t, 40);
    assert_eq!(reps.current, 6, "25 → 12 → 6");
    let before = count.load(Ordering::SeqCst);
    let t = walk_columns(&mut s, &mut reps).await.unwrap();
    check_full(&t, 40);
    assert_eq!(
        count.load(Ordering::SeqCst) - before,
        t.n_requests,
        "no timeouts the second time"
    );
}

#[tokio::test]
async fn a_truncated_reply_is_not_the_end_of_the_table() {
    let (addr, _) = fake_agent(
        table(25, 8),
        Quirks {
            truncate: Some(3),
            ..Quirks::default()
        },
    )
    .await;
    let mut s = session(addr, 1000).await;
    let mut reps = Repetitions::new(25);
    let t = walk_columns(&mut s, &mut reps).await.unwrap();
    check_full(&t, 25);
}

#[tokio::test]
async fn an_agent_loop_is_an_error() {
    let (addr, _) = fake_agent(
        table(5, 8),
        Quirks {
            looping: true,
            ..Quirks::default()
        },
    )
    .await;
    let mut s = session(addr, 1000).await;
    let mut reps = Repetitions::new(5);
    let e = walk_columns(&mut s, &mut reps).await.unwrap_err();
    assert!(
        matches!(e, SnmpError::Protocol(ref m) if m.contains("non-increasing")),
        "{e}"
    );
}

#[tokio::test]
async fn a_dead_agent_is_a_timeout_within_the_deadline() {
    let (addr, _) = fake_agent(
        table(5, 8),
        Quirks {
            max_reps_answered: Some(0),
            ..Quirks::default()
        },
    )
    .await;
    let mut s = session(addr, 50).await;
    let mut reps = Repetitions::new(25);
    let start = Instant::now();
    let e = walk(
        &mut s,
        &columns(),
        &mut reps,
        start + Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    assert_eq!(e, SnmpError::Timeout);
    assert!(start.elapsed() < Duration::from_secs(2));
}

/// An agent whose table the test swaps between walks; logs every request's OIDs and the
/// largest burst of requests it found queued at once.
struct LiveAgent {
    addr: std::net::SocketAddr,
    table: Arc<std::sync::Mutex<Vec<(Oid, Value)>>>,
    requests: Arc<std::sync::Mutex<Vec<Vec<Oid>>>>,
    max_burst: Arc<AtomicU32>,
}

async fn live_agent(table: Vec<(Oid, Value)>) -> LiveAgent {
    live_agent_keeping(table, usize::MAX).await
}

/// As [`live_agent`], dropping the requests of a burst beyond the first `keep` (an agent
/// with a short input queue).
async fn live_agent_keeping(table: Vec<(Oid, Value)>, keep: usize) -> LiveAgent {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    let table = Arc::new(std::sync::Mutex::new(table));
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let max_burst = Arc::new(AtomicU32::new(0));
    let (t, r, m) = (table.clone(), requests.clone(), max_burst.clone());
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let mut burst = vec![(buf[..n].to_vec(), from)];
            // Give requests sent together the time to arrive, then take them all.
            tokio::time::sleep(Duration::from_millis(2)).await;
            while let Ok((n, from)) = sock.try_recv_from(&mut buf) {
                burst.push((buf[..n].to_vec(), from));
            }
            m.fetch_max(burst.len() as u32, Ordering::SeqCst);
            burst.truncate(keep);
            for (bytes, from) in burst {
                let Ok(req) = snmp2::Pdu::from_bytes(&bytes) else {
                    continue;
                };
                let starts: Vec<Oid> = req
                    .varbinds
                    .map(|(o, _)| Oid::from_ber(o.as_bytes()).unwrap())
                    .collect();
                r.lock().unwrap().push(starts.clone());
                let table = t.lock().unwrap().clone();
                let mut cursors = starts;
                let mut out = Vec::new();
                for _ in 0..req.error_index {
                    for c in cursors.iter_mut() {
                        match table.iter().find(|(o, _)| o > c) {
                            Some((o, v)) => {
                                *c = o.clone();
                                out.push((o.clone(), v.clone()));
                            }
                            None => out.push((c.clone(), Value::EndOfMibView)),
                        }
                    }
                }
                let _ = sock.send_to(&response(req.req_id, &out), from).await;
            }
        }
    });
    LiveAgent {
        addr,
        table,
        requests,
        max_burst,
    }
}

/// ifName and ifHCInOctets rows at these indexes; values carry the index and `version`, so
/// a row read from an older table would show.
fn indexed_table(indexes: &[u32], version: u64) -> Vec<(Oid, Value)> {
    let mut t = Vec::new();
    for &i in indexes {
        t.push((
            oid("1.3.6.1.2.1.31.1.1.1.1").child(i),
            Value::OctetString(format!("p{i}").into_bytes()),
        ));
        t.push((
            oid("1.3.6.1.2.1.31.1.1.1.6").child(i),
            Value::Counter64(u64::from(i) * 1000 + version),
        ));
    }
    t.push((oid("1.3.6.1.2.1.31.1.1.1.7.1"), Value::Counter64(1)));
    t.sort_by(|a, b| a.0.cmp(&b.0));
    t
}

/// The rows a correct walk of [`columns`] returns from `table`.
fn expected(table: &[(Oid, Value)]) -> Vec<Vec<(Vec<u8>, Value)>> {
    columns()
        .iter()
        .map(|c| {
            table
                .iter()
                .filter_map(|(o, v)| o.suffix_after(c).map(|s| (s.to_vec(), v.clone())))
                .collect()
        })
        .collect()
}

fn rows_of(t: &Table) -> Vec<Vec<(Vec<u8>, Value)>> {
    (0..t.n_columns())
        .map(|c| t.rows(c).map(|(s, v)| (s.to_vec(), v.clone())).collect())
        .collect()
}

#[tokio::test]
async fn a_table_walked_before_is_asked_in_segments_with_the_same_requests() {
    let indexes: Vec<u32> = (1..=95).map(|i| i * 3).collect();
    let agent = live_agent(indexed_table(&indexes, 0)).await;
    let mut s = session(agent.addr, 1000).await;
    let mut reps = Repetitions::new(10);
    let first = walk_columns(&mut s, &mut reps).await.unwrap();
    let sequential: Vec<Vec<Oid>> = std::mem::take(&mut *agent.requests.lock().unwrap());
    assert_eq!(agent.max_burst.load(Ordering::SeqCst), 1, "one at a time");
    assert_eq!(reps.segments_of(&columns()[0]), 10, "95 rows at 10 a reply");
    agent.max_burst.store(0, Ordering::SeqCst);
    let second = walk_columns(&mut s, &mut reps).await.unwrap();
    let segmented: Vec<Vec<Oid>> = std::mem::take(&mut *agent.requests.lock().unwrap());
    assert_eq!(rows_of(&second), rows_of(&first));
    assert_eq!(rows_of(&second), expected(&agent.table.lock().unwrap()));
    assert_eq!(second.n_requests, first.n_requests);
    let mut a = sequential.clone();
    let mut b = segmented.clone();
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "the very requests of the walk one reply after the other"
    );
    assert!(
        agent.max_burst.load(Ordering::SeqCst) > 1,
        "requests were in flight together"
    );
    assert_eq!(s.stats.timeouts, 0);
}

#[tokio::test]
async fn one_in_flight_walks_one_request_at_a_time() {
    let indexes: Vec<u32> = (1..=60).collect();
    let agent = live_agent(indexed_table(&indexes, 0)).await;
    let mut s = session(agent.addr, 1000).await;
    s.set_max_in_flight(1);
    let mut reps = Repetitions::new(10);
    for _ in 0..2 {
        let t = walk_columns(&mut s, &mut reps).await.unwrap();
        assert_eq!(rows_of(&t), expected(&agent.table.lock().unwrap()));
    }
    assert_eq!(agent.max_burst.load(Ordering::SeqCst), 1);
}

/// An agent with a short input queue (it keeps 4 requests of a burst): the lost requests are
/// resent and answered (max-repetitions stays), the window settles at 4 and probes above it
/// less and less often.
#[tokio::test]
async fn an_agent_that_drops_bursts_gets_fewer_requests_at_once() {
    let indexes: Vec<u32> = (1..=200).collect();
    let agent = live_agent_keeping(indexed_table(&indexes, 0), 4).await;
    let auth = Auth::Community {
        version: SnmpVersion::V2c,
        community: Secret::new("public"),
    };
    let mut s = Session::new(agent.addr, &auth, Duration::from_millis(100), 1)
        .await
        .unwrap();
    s.set_max_in_flight(32);
    let mut reps = Repetitions::new(10);
    for _ in 0..3 {
        let t = walk_columns(&mut s, &mut reps).await.unwrap();
        assert_eq!(rows_of(&t), expected(&agent.table.lock().unwrap()));
    }
    assert_eq!(
        reps.current, 10,
        "losses to crowding are resent, not backed off"
    );
    assert!(s.window() <= 4, "window {}", s.window());
    // Probes above 4 now and then: each loses one request (resent), less and less often.
    let mut lost = Vec::new();
    for _ in 0..16 {
        let before = s.stats.timeouts;
        let t = walk_columns(&mut s, &mut reps).await.unwrap();
        assert_eq!(rows_of(&t), expected(&agent.table.lock().unwrap()));
        lost.push(s.stats.timeouts - before);
    }
    assert!(lost.iter().all(|&n| n <= 1), "{lost:?}");
    assert!(lost.iter().sum::<u64>() <= 4, "{lost:?}");
    assert!(lost[8..].iter().sum::<u64>() <= 1, "{lost:?}");
    assert_eq!(reps.current, 10);
}

/// A strictly increasing list of indexes from a list of gaps.
fn from_gaps(gaps: &[u32]) -> Vec<u32> {
    let mut i = 0u32;
    gaps.iter()
        .map(|g| {
            i += g;
            i
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever became of the table since the walk that cut the segments (rows added,
    /// removed, renumbered, emptied), the segmented walk returns exactly the table as it is,
    /// and so does the walk after it.
    #[test]
    fn segmented_walks_read_the_table_as_it_is_now(
        before in proptest::collection::vec(1u32..400, 0..120),
        after in proptest::collection::vec(1u32..400, 0..120),
        reps in 1u32..12,
        window in 1usize..40,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let agent = live_agent(indexed_table(&from_gaps(&before), 1)).await;
            let mut s = session(agent.addr, 1000).await;
            s.set_max_in_flight(window);
            let mut r = Repetitions::new(reps);
            let t = walk_columns(&mut s, &mut r).await.unwrap();
            assert_eq!(rows_of(&t), expected(&agent.table.lock().unwrap()));
            *agent.table.lock().unwrap() = indexed_table(&from_gaps(&after), 2);
            for _ in 0..2 {
                let t = walk_columns(&mut s, &mut r).await.unwrap();
                assert_eq!(rows_of(&t), expected(&agent.table.lock().unwrap()));
            }
        });
    }
}
