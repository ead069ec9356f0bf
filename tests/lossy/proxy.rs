//! A lossy UDP proxy in front of an agent: every k-th request's reply late by D, or each
//! exchange lost with probability p (seeded: the request or the reply, half and half). It
//! counts the requests outstanding (forwarded, their reply neither sent back nor dropped; a
//! reply held back counts until it leaves) and the most there ever were.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the proxy treats the traffic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Clean,
    /// The reply to every `every`-th request leaves `by` late.
    Late {
        every: u64,
        by: Duration,
    },
    /// Each exchange is lost with probability `p`.
    Loss {
        p: f64,
    },
}

/// What happens to one forwarded request's reply.
#[derive(Clone, Copy)]
enum Fate {
    Deliver,
    Drop,
    Delay(Duration),
}

struct Shared {
    mode: Mutex<Mode>,
    rng: Mutex<u64>,
    client: Mutex<Option<SocketAddr>>,
    fates: Mutex<HashMap<i64, Fate>>,
    requests: AtomicU64,
    outstanding: AtomicI64,
    max_outstanding: AtomicI64,
    stop: AtomicBool,
}

impl Shared {
    fn settle(&self) {
        self.outstanding.fetch_sub(1, Ordering::SeqCst);
    }

    /// A uniform number in [0, 1) (splitmix64).
    fn uniform(&self) -> f64 {
        let mut s = self.rng.lock().unwrap();
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The proxy; stops its threads when dropped.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to the agent on `agent_port`.
    pub fn start(agent_port: u16, mode: Mode, seed: u64) -> Proxy {
        let front = UdpSocket::bind("127.0.0.1:0").expect("bind the proxy");
        let back = UdpSocket::bind("127.0.0.1:0").expect("bind the proxy's upstream");
        back.connect(("127.0.0.1", agent_port)).expect("connect");
        for s in [&front, &back] {
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        }
        let port = front.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            mode: Mutex::new(mode),
            rng: Mutex::new(seed),
            client: Mutex::new(None),
            fates: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            outstanding: AtomicI64::new(0),
            max_outstanding: AtomicI64::new(0),
            stop: AtomicBool::new(false),
        });
        let (f2, b2) = (front.try_clone().unwrap(), back.try_clone().unwrap());
        let (s1, s2) = (shared.clone(), shared.clone());
        let threads = vec![
            std::thread::spawn(move || forward_requests(&front, &back, &s1)),
            std::thread::spawn(move || return_replies(&b2, &f2, &s2)),
        ];
        Proxy {
            port,
            shared,
            threads,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }

    /// The most requests that were ever outstanding at once; resets the count.
    pub fn take_max_outstanding(&self) -> i64 {
        let now = self.shared.outstanding.load(Ordering::SeqCst);
        self.shared.max_outstanding.swap(now, Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn forward_requests(front: &UdpSocket, back: &UdpSocket, sh: &Shared) {
    let mut buf = vec![0u8; 65_536];
    while !sh.stop.load(Ordering::SeqCst) {
        let Ok((n, from)) = front.recv_from(&mut buf) else {
            continue;
        };
        *sh.client.lock().unwrap() = Some(from);
        let k = sh.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let Some(id) = request_id(&buf[..n]) else {
            continue;
        };
        let mode = *sh.mode.lock().unwrap();
        let fate = match mode {
            Mode::Clean => Fate::Deliver,
            Mode::Late { every, by } if k.is_multiple_of(every) => Fate::Delay(by),
            Mode::Late { .. } => Fate::Deliver,
            Mode::Loss { p } if sh.uniform() < p => {
                if sh.uniform() < 0.5 {
                    continue; // the request is lost
                }
                Fate::Drop
            }
            Mode::Loss { .. } => Fate::Deliver,
        };
        sh.fates.lock().unwrap().insert(id, fate);
        let now = sh.outstanding.fetch_add(1, Ordering::SeqCst) + 1;
        sh.max_outstanding.fetch_max(now, Ordering::SeqCst);
        if back.send(&buf[..n]).is_err() {
            sh.fates.lock().unwrap().remove(&id);
            sh.settle();
        }
    }
}

fn return_replies(back: &UdpSocket, front: &UdpSocket, sh: &Arc<Shared>) {
    let mut buf = vec![0u8; 65_536];
    while !sh.stop.load(Ordering::SeqCst) {
        let Ok(n) = back.recv(&mut buf) else {
            continue;
        };
        let (Some(id), Some(client)) = (request_id(&buf[..n]), *sh.client.lock().unwrap()) else {
            continue;
        };
        let Some(fate) = sh.fates.lock().unwrap().remove(&id) else {
            let _ = front.send_to(&buf[..n], client);
            continue;
        };
        match fate {
            Fate::Deliver => {
                let _ = front.send_to(&buf[..n], client);
                sh.settle();
            }
            Fate::Drop => sh.settle(),
            Fate::Delay(by) => {
                let (bytes, front, sh) =
                    (buf[..n].to_vec(), front.try_clone().unwrap(), sh.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(by);
                    let _ = front.send_to(&bytes, client);
                    sh.settle();
                });
            }
        }
    }
}

/// The request-id of a v1/v2c message: SEQUENCE { version, community, PDU { request-id .. } }.
fn request_id(msg: &[u8]) -> Option<i64> {
    let (_, body) = tlv(msg)?;
    let (rest, _) = tlv(body)?; // version
    let (rest, _) = tlv(rest)?; // community
    let (_, pdu) = tlv(rest)?;
    let (_, id) = tlv(pdu)?;
    if id.is_empty() || id.len() > 8 {
        return None;
    }
    let mut v: i64 = if id[0] & 0x80 != 0 { -1 } else { 0 };
    for &b in id {
        v = (v << 8) | i64::from(b);
    }
    Some(v)
}

/// The content of the TLV at the start of `b`, and what follows it: (rest, content).
fn tlv(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let k = usize::from(first & 0x7f);
        let len = b
            .get(2..2 + k)?
            .iter()
            .fold(0usize, |a, &x| (a << 8) | usize::from(x));
        (len, 2 + k)
    };
    let content = b.get(head..head + len)?;
    Some((&b[head + len..], content))
}
