//! One device's SNMP session: our own UDP socket, request-ids, retries and deadlines.
//!
//! We own the transport (snmp2's async session reads exactly one datagram, so a late reply
//! poisons the next request, and its connected socket loses replies a multi-homed agent sends
//! from another address). Here every request waits until its deadline for a datagram that
//! carries one of *its* request-ids, from any address; anything else — a late reply to an
//! earlier request, a foreign id, garbage — is counted and discarded.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;

use super::auth::{Auth, SnmpVersion};
use super::ber::{self, Reply, Response};
use super::oid::Oid;
use super::usm::{Outcome, Usm};
use super::window::{LossRate, Window};

/// Why an SNMP request failed. Never carries a secret or a received value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnmpError {
    #[error("no answer before the deadline")]
    Timeout,
    #[error("authentication failed: {0}")]
    Auth(&'static str),
    #[error("garbled reply: {0}")]
    Garbled(String),
    #[error("agent error-status {status} at varbind {index}")]
    ErrorStatus { status: u32, index: u32 },
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("socket: {0}")]
    Io(String),
}

/// Requests a walk keeps in flight together unless the device's config says otherwise (the
/// session's [`Window`] lowers it while requests sent together go unanswered).
pub const DEFAULT_IN_FLIGHT: usize = 32;

/// Ids of tries that timed out, kept so that a reply that comes after all is known as late
/// (and the loss it was counted as is undone), not merely foreign.
const EXPIRED_IDS: usize = 256;

/// When a burst of at least this many requests is in flight, the poller naps (its socket
/// deregistered) while two or more replies are awaited and then reads every reply that has
/// arrived, instead of waking up for each datagram: an agent answers a queue of requests one
/// after the other, so replies arrive spread out, and each wake-up costs the poller more CPU
/// than reading a datagram does. A sleep costs more than a wake-up in a VM: it pays off only
/// over many replies, hence the floor.
const COALESCE_FROM: usize = 8;
/// The first nap of a session; later naps last as long as the replies still awaited take to
/// arrive at the rate the last naps saw, within [`COALESCE`, `COALESCE_MAX`]: one wake-up
/// per burst instead of one per millisecond.
const COALESCE: Duration = Duration::from_millis(1);
const COALESCE_MAX: Duration = Duration::from_millis(8);
/// How much later than asked the runtime's timer (millisecond ticks, rounded up) ends a nap.
const TIMER_SLACK: Duration = Duration::from_millis(1);

/// One request's outcome in a burst: `None` while it is awaited.
type Slot = Option<Result<Reply, SnmpError>>;

/// The requests of one [`Session::bulk_many`] call, index by index.
struct BurstState {
    /// Every try's request-id (a late reply to an earlier try answers the request).
    ids: Vec<Vec<i32>>,
    tries: Vec<u32>,
    /// The request's place in this round's burst (1 = sent first), 0 when not in flight.
    place: Vec<usize>,
    results: Vec<Slot>,
}

impl BurstState {
    /// Requests in flight this round and not answered yet.
    fn awaited(&self) -> usize {
        self.place
            .iter()
            .zip(&self.results)
            .filter(|(&p, r)| p > 0 && r.is_none())
            .count()
    }
}

/// What every request of a v1/v2c burst shares: the PDU type and the credential.
struct Burst<'a> {
    tag: u8,
    version: i64,
    community: &'a [u8],
}

/// The PDU's max-repetitions field: `r` for GETBULK, 0 for GETNEXT.
fn max_repetitions(tag: u8, r: u32) -> i64 {
    if tag == ber::PDU_GET_BULK {
        i64::from(r)
    } else {
        0
    }
}

/// Counters of one session, for tests and `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub requests: u64,
    pub sent: u64,
    pub discarded: u64,
    pub timeouts: u64,
}

enum Security {
    Community { version: i64, community: Vec<u8> },
    V3(Box<Usm>),
}

/// The session's socket: registered with the runtime to wait for replies, or parked
/// (deregistered) while the poller sleeps through a burst of replies, so that the datagrams
/// arriving meanwhile queue in the kernel instead of waking the poller one by one.
enum Socket {
    Live(UdpSocket),
    Parked(std::net::UdpSocket),
    /// Only between the two while switching.
    Switching,
}

impl Socket {
    /// Reads one queued datagram without waiting.
    fn try_recv(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Socket::Live(s) => s.try_recv_from(buf).map(|(n, _)| n),
            Socket::Parked(s) => s.recv_from(buf).map(|(n, _)| n),
            Socket::Switching => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }
}

/// A session with one agent.
pub struct Session {
    socket: Socket,
    target: SocketAddr,
    security: Security,
    timeout: Duration,
    retries: u32,
    next_id: i32,
    /// How many requests [`Session::bulk_many`] keeps in flight together.
    window: Window,
    /// The device's losses while it answers: how many tries a request gets.
    loss: LossRate,
    /// The latest ids of tries that timed out (at most [`EXPIRED_IDS`]).
    expired: VecDeque<i32>,
    /// Replies per second seen while napping through a burst (0 until measured).
    reply_rate: f64,
    /// The receive buffer (64 KiB), allocated on first use and released between polls by
    /// [`Session::release_buffer`], so idle devices hold no buffer.
    buf: Vec<u8>,
    pub stats: SessionStats,
}

impl Session {
    /// Opens a socket for `target` (not connected: replies may come from any address).
    pub async fn new(
        target: SocketAddr,
        auth: &Auth,
        timeout: Duration,
        retries: u32,
    ) -> Result<Session, SnmpError> {
        let bind: SocketAddr = if target.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(bind)
            .await
            .map_err(|e| SnmpError::Io(e.to_string()))?;
        let security = match auth {
            Auth::Community { version, community } => Security::Community {
                version: if *version == SnmpVersion::V1 { 0 } else { 1 },
                community: community.expose().as_bytes().to_vec(),
            },
            Auth::V3(v3) => Security::V3(Box::new(Usm::new(v3).map_err(SnmpError::Protocol)?)),
        };
        Ok(Session {
            socket: Socket::Live(socket),
            target,
            security,
            timeout,
            retries,
            next_id: (rand::random::<u32>() >> 2) as i32 + 1,
            window: Window::new(DEFAULT_IN_FLIGHT),
            loss: LossRate::default(),
            expired: VecDeque::new(),
            reply_rate: 0.0,
            buf: Vec::new(),
            stats: SessionStats::default(),
        })
    }

    /// Frees the receive buffer until the next request (a fleet of idle devices then costs a
    /// socket each, not 64 KiB each).
    pub fn release_buffer(&mut self) {
        self.buf = Vec::new();
    }

    /// True for a v1/v2c session (requests may be in flight together).
    pub fn is_community(&self) -> bool {
        matches!(self.security, Security::Community { .. })
    }

    /// True for an SNMPv1 session (no GETBULK, no Counter64).
    pub fn is_v1(&self) -> bool {
        matches!(self.security, Security::Community { version: 0, .. })
    }

    /// Resends of an unanswered request.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The most requests a walk ever keeps in flight together on this session (at least 1).
    pub fn max_in_flight(&self) -> usize {
        self.window.max()
    }

    /// How many requests a walk keeps in flight together now (at least 1, at most
    /// [`Session::max_in_flight`]): lowered while requests sent together are lost, raised
    /// again as replies come back.
    pub fn window(&self) -> usize {
        self.window.current()
    }

    /// The share of tries this device loses while it answers (a moving average).
    pub fn loss_rate(&self) -> f64 {
        self.loss.rate()
    }

    /// Sets how many requests a walk may keep in flight together (1: one at a time, for
    /// agents that drop requests that arrive while they are busy).
    pub fn set_max_in_flight(&mut self, n: usize) {
        self.window = Window::new(n);
    }

    /// GET of several OIDs.
    pub async fn get(&mut self, oids: &[&Oid], deadline: Instant) -> Result<Response, SnmpError> {
        self.request(ber::PDU_GET, 0, 0, oids, deadline, self.retries)
            .await
    }

    /// GETNEXT of several OIDs.
    pub async fn get_next(
        &mut self,
        oids: &[&Oid],
        deadline: Instant,
    ) -> Result<Response, SnmpError> {
        self.request(ber::PDU_GET_NEXT, 0, 0, oids, deadline, self.retries)
            .await
    }

    /// GETBULK; `retries` overrides the session's (the walker backs off instead of resending).
    pub async fn get_bulk(
        &mut self,
        oids: &[&Oid],
        non_repeaters: u32,
        max_repetitions: u32,
        deadline: Instant,
        retries: u32,
    ) -> Result<Response, SnmpError> {
        let (a, b) = (i64::from(non_repeaters), i64::from(max_repetitions));
        self.request(ber::PDU_GET_BULK, a, b, oids, deadline, retries)
            .await
    }

    /// Several GETBULK (or, on v1, GETNEXT) requests, each `(oids, max_repetitions)`; returns
    /// one result per request, in order. Up to [`Session::window`] of them are in flight
    /// together; replies are matched by request-id in whatever order they come, so one
    /// wake-up can read several; foreign and garbled datagrams are discarded as for one
    /// request. An unanswered request is resent (a new id; a late reply to an earlier try
    /// still answers it) until it has had its tries ([`LossRate::tries`]: `1 + retries`, more
    /// on a device measured lossy) or the deadline passes, then times out. SNMPv3 requests go
    /// one at a time (a report may resynchronise the engine between them).
    pub async fn bulk_many(
        &mut self,
        reqs: &[(Vec<&Oid>, u32)],
        deadline: Instant,
        retries: u32,
    ) -> Vec<Result<Reply, SnmpError>> {
        let tag = if self.is_v1() {
            ber::PDU_GET_NEXT
        } else {
            ber::PDU_GET_BULK
        };
        // The community is lent to the burst (no copy per call) and given back after.
        let (version, community) = match &mut self.security {
            Security::Community { version, community } => (*version, std::mem::take(community)),
            Security::V3(_) => return self.bulk_each(tag, reqs, deadline, retries).await,
        };
        let burst = Burst {
            tag,
            version,
            community: &community,
        };
        let out = self.burst(&burst, reqs, deadline, retries).await;
        if let Security::Community { community: c, .. } = &mut self.security {
            *c = community;
        }
        out
    }

    /// [`Session::bulk_many`] on v1/v2c: rounds of at most a window of tries each, until
    /// every request has its answer or has had its tries.
    async fn burst(
        &mut self,
        burst: &Burst<'_>,
        reqs: &[(Vec<&Oid>, u32)],
        deadline: Instant,
        retries: u32,
    ) -> Vec<Result<Reply, SnmpError>> {
        self.stats.requests += reqs.len() as u64;
        let mut state = BurstState {
            ids: vec![Vec::new(); reqs.len()],
            tries: vec![0; reqs.len()],
            place: vec![0; reqs.len()],
            results: vec![None; reqs.len()],
        };
        while Instant::now() < deadline {
            let n_sent = self.send_burst(burst, reqs, &mut state).await;
            let until = (Instant::now() + self.timeout).min(deadline);
            self.await_burst(burst, &mut state, n_sent, until).await;
            self.settle(&mut state);
            let most = self.loss.tries(retries);
            let past = Instant::now() >= deadline;
            for (r, &t) in state.results.iter_mut().zip(&state.tries) {
                if r.is_none() && (t >= most || past) {
                    *r = Some(Err(SnmpError::Timeout));
                }
            }
            if state.results.iter().all(Option::is_some) {
                break;
            }
        }
        // Past the deadline: what is still unanswered times out.
        state
            .results
            .into_iter()
            .map(|r| r.unwrap_or(Err(SnmpError::Timeout)))
            .collect()
    }

    /// [`Session::bulk_many`] one request at a time (SNMPv3).
    async fn bulk_each(
        &mut self,
        tag: u8,
        reqs: &[(Vec<&Oid>, u32)],
        deadline: Instant,
        retries: u32,
    ) -> Vec<Result<Reply, SnmpError>> {
        let mut out = Vec::with_capacity(reqs.len());
        for (oids, r) in reqs {
            let b = max_repetitions(tag, *r);
            let r = self.request(tag, 0, b, oids, deadline, retries).await;
            out.push(r.map(Reply::from));
        }
        out
    }

    /// Sends requests not answered yet, as many as the window allows, each with a new
    /// request-id (the earlier ids stay valid: a late reply to them still counts); returns
    /// how many were sent.
    async fn send_burst(
        &mut self,
        burst: &Burst<'_>,
        reqs: &[(Vec<&Oid>, u32)],
        state: &mut BurstState,
    ) -> usize {
        let window = self.window.current();
        let mut n_sent = 0;
        for (i, (oids, r)) in reqs.iter().enumerate() {
            if n_sent >= window {
                break;
            }
            if state.results[i].is_some() {
                continue;
            }
            let id = self.next_request_id();
            state.ids[i].push(id);
            let b = max_repetitions(burst.tag, *r);
            let msg = ber::encode_community_message(
                burst.version,
                burst.community,
                &ber::encode_pdu(burst.tag, id, 0, b, oids),
            );
            if let Err(e) = self.send(&msg).await {
                state.results[i] = Some(Err(e));
                continue;
            }
            n_sent += 1;
            state.tries[i] += 1;
            state.place[i] = n_sent;
            self.stats.sent += 1;
        }
        n_sent
    }

    /// Reads replies until each request in flight has one or `until` passes: napping
    /// through a large burst (see [`COALESCE_FROM`]), otherwise waking up for each datagram.
    async fn await_burst(
        &mut self,
        burst: &Burst<'_>,
        state: &mut BurstState,
        n_sent: usize,
        until: Instant,
    ) {
        if self.buf.is_empty() {
            self.buf = vec![0; 65_536];
        }
        // After a sleep that found nothing, wait for the next datagram instead: an agent
        // that is slow or far away must not be polled every millisecond.
        let mut may_sleep = true;
        loop {
            let pending = state.awaited();
            if pending == 0 {
                break;
            }
            let now = Instant::now();
            if now >= until {
                break;
            }
            if n_sent >= COALESCE_FROM && pending >= 2 && may_sleep {
                self.park();
                tokio::time::sleep_until((now + self.nap(pending)).min(until)).await;
                let got = self.drain(burst, state);
                self.learn_rate(got, pending, now.elapsed());
                may_sleep = got > 0;
                continue;
            }
            if self.ensure_live().is_err() {
                break;
            }
            let Socket::Live(socket) = &self.socket else {
                break;
            };
            let n = match tokio::time::timeout_at(until, socket.recv_from(&mut self.buf)).await {
                Err(_) => break,
                Ok(Err(_)) => continue,
                Ok(Ok((n, _from))) => n,
            };
            may_sleep = true;
            self.take_reply(n, burst, state);
            // Read on while datagrams are queued: one wake-up, every reply that is there.
            self.drain(burst, state);
        }
    }

    /// After a round: the tries answered and lost teach the window and the loss rate. Lost
    /// tries sent together shrink the window once, by the earliest place one had in the burst
    /// (an agent that drops what arrives while it is busy loses the tail of a burst).
    fn settle(&mut self, state: &mut BurstState) {
        let mut lost_at = usize::MAX;
        let mut n_lost = 0;
        let n_sent = state.place.iter().filter(|&&p| p > 0).count();
        let full = n_sent >= self.window.current();
        for i in 0..state.place.len() {
            if state.place[i] > 0 && state.results[i].is_none() {
                lost_at = lost_at.min(state.place[i]);
                n_lost += 1;
                self.loss.lost();
                if let Some(&id) = state.ids[i].last() {
                    if self.expired.len() >= EXPIRED_IDS {
                        self.expired.pop_front();
                    }
                    self.expired.push_back(id);
                }
            }
        }
        for i in 0..state.place.len() {
            if state.place[i] > 0 && state.results[i].is_some() {
                self.loss.answered();
                self.window.answered(full);
            }
            state.place[i] = 0;
        }
        if n_lost > 0 {
            self.stats.timeouts += n_lost;
            self.window.lost(lost_at);
            tracing::debug!(
                lost = n_lost,
                window = self.window.current(),
                loss_rate = self.loss.rate(),
                "requests unanswered: resent"
            );
        }
    }

    /// How long to nap while `pending` replies are awaited.
    fn nap(&self, pending: usize) -> Duration {
        if self.reply_rate <= 0.0 {
            return COALESCE;
        }
        Duration::from_secs_f64(pending as f64 / self.reply_rate)
            .saturating_sub(TIMER_SLACK)
            .clamp(COALESCE, COALESCE_MAX)
    }

    /// Learns the agent's reply rate from a nap of `slept` that read `got` of `pending`
    /// replies. A nap that read every reply only says the rate is at least that much (they
    /// may all have arrived early): it may raise the rate, never lower it.
    fn learn_rate(&mut self, got: usize, pending: usize, slept: Duration) {
        if got == 0 || slept.is_zero() {
            return;
        }
        let seen = got as f64 / slept.as_secs_f64();
        self.reply_rate = if got < pending {
            seen
        } else {
            self.reply_rate.max(seen)
        };
    }

    /// Registers the socket with the runtime again after a park.
    fn ensure_live(&mut self) -> Result<(), SnmpError> {
        if let Socket::Parked(_) = self.socket {
            let Socket::Parked(std) = std::mem::replace(&mut self.socket, Socket::Switching) else {
                unreachable!("matched just above")
            };
            let s = UdpSocket::from_std(std).map_err(|e| SnmpError::Io(e.to_string()))?;
            self.socket = Socket::Live(s);
        }
        match self.socket {
            Socket::Live(_) => Ok(()),
            _ => Err(SnmpError::Io("socket lost while re-registering".into())),
        }
    }

    /// Deregisters the socket from the runtime: datagrams queue without waking anybody.
    fn park(&mut self) {
        if let Socket::Live(_) = self.socket {
            let Socket::Live(s) = std::mem::replace(&mut self.socket, Socket::Switching) else {
                unreachable!("matched just above")
            };
            self.socket = match s.into_std() {
                Ok(std) => Socket::Parked(std),
                // Not expected; without a socket every request times out and says so.
                Err(_) => Socket::Switching,
            };
        }
    }

    /// Sends one datagram to the agent: without waiting when the socket is parked (a full
    /// send buffer is then an error like any other), else through the runtime.
    async fn send(&mut self, msg: &[u8]) -> Result<(), SnmpError> {
        let io = |e: std::io::Error| SnmpError::Io(e.to_string());
        if let Socket::Parked(std) = &self.socket {
            return std.send_to(msg, self.target).map(drop).map_err(io);
        }
        self.ensure_live()?;
        let Socket::Live(socket) = &self.socket else {
            return Err(SnmpError::Io("socket not registered".into()));
        };
        socket.send_to(msg, self.target).await.map(drop).map_err(io)
    }

    /// Reads every datagram already queued (until each request has its answer); returns how
    /// many were read.
    fn drain(&mut self, burst: &Burst<'_>, state: &mut BurstState) -> usize {
        let mut read = 0;
        while state.results.iter().any(Option::is_none) {
            match self.socket.try_recv(&mut self.buf) {
                Ok(n) => {
                    read += 1;
                    self.take_reply(n, burst, state);
                }
                Err(_) => break,
            }
        }
        read
    }

    /// Matches the datagram in the buffer (`n` bytes) to the request it answers, by its
    /// version and request-id (any of its tries': a late reply answers it too); foreign
    /// datagrams and replies to requests no longer awaited are discarded, a garbled one for a
    /// pending request is that request's error. A reply to a try that timed out was late,
    /// not lost: the window's decrease for it is undone.
    fn take_reply(&mut self, n: usize, burst: &Burst<'_>, state: &mut BurstState) {
        let bytes = &self.buf[..n];
        // Decoded once (the varbinds are read by the walk); the request-id is peeked apart
        // only when the rest of the header is garbled, to say which request got garbage.
        let decoded = ber::decode_community_reply(bytes);
        let key = match &decoded {
            Ok((v, _, r)) => Some((*v, r.request_id)),
            Err(_) => ber::peek_community_request_id(bytes),
        };
        let Some((_, id)) = key.filter(|(v, _)| *v == burst.version) else {
            self.stats.discarded += 1;
            return;
        };
        let results = &mut state.results;
        let found =
            (0..state.ids.len()).find(|&i| results[i].is_none() && state.ids[i].contains(&id));
        let Some(i) = found else {
            self.stats.discarded += 1;
            if self.expired.contains(&id) {
                self.window.late();
            }
            return;
        };
        match decoded {
            Ok((_, c, r)) if c == burst.community && r.pdu_type == ber::PDU_RESPONSE => {
                if state.ids[i].last() != Some(&id) {
                    self.window.late();
                }
                results[i] = Some(Ok(r));
            }
            Ok(_) => self.stats.discarded += 1,
            Err(e) => results[i] = Some(Err(SnmpError::Garbled(e.to_string()))),
        }
    }

    fn next_request_id(&mut self) -> i32 {
        let id = self.next_id;
        self.next_id = if id >= i32::MAX - 1 { 1 } else { id + 1 };
        id
    }

    async fn request(
        &mut self,
        tag: u8,
        a: i64,
        b: i64,
        oids: &[&Oid],
        deadline: Instant,
        retries: u32,
    ) -> Result<Response, SnmpError> {
        self.stats.requests += 1;
        let mut resyncs = 0;
        let mut attempts = 0;
        // Late replies to an earlier attempt of *this* request are good answers.
        let mut ids: Vec<i32> = Vec::new();
        loop {
            if let Security::V3(usm) = &self.security {
                if usm.needs_discovery() {
                    self.discover(deadline).await?;
                }
            }
            let id = self.next_request_id();
            ids.push(id);
            let msg = match &self.security {
                Security::Community { version, community } => {
                    let pdu = ber::encode_pdu(tag, id, a, b, oids);
                    ber::encode_community_message(*version, community, &pdu)
                }
                Security::V3(usm) => usm
                    .request_message(tag, id, a, b, oids)
                    .map_err(SnmpError::Protocol)?,
            };
            let got = self.exchange(&msg, &ids, deadline).await;
            match &got {
                Err(SnmpError::Timeout) => self.loss.lost(),
                Ok(Outcome::Response(_)) => self.loss.answered(),
                _ => {}
            }
            match got {
                Err(SnmpError::Timeout)
                    if attempts + 1 < self.loss.tries(retries) && Instant::now() < deadline =>
                {
                    attempts += 1;
                }
                Ok(Outcome::Resync) if resyncs < 2 => {
                    resyncs += 1;
                }
                Ok(Outcome::Rediscover) if resyncs < 2 => {
                    resyncs += 1;
                    if let Security::V3(usm) = &mut self.security {
                        usm.reset();
                    }
                }
                Ok(Outcome::Resync) | Ok(Outcome::Rediscover) => {
                    return Err(SnmpError::Protocol(
                        "v3 engine keeps resynchronising".into(),
                    ))
                }
                Ok(Outcome::Response(r)) => return Ok(r),
                Ok(Outcome::AuthFailed(why)) => return Err(SnmpError::Auth(why)),
                Ok(Outcome::Garbled(e)) => return Err(SnmpError::Garbled(e)),
                Ok(Outcome::Foreign) => {
                    return Err(SnmpError::Protocol("foreign datagram accepted".into()))
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn discover(&mut self, deadline: Instant) -> Result<(), SnmpError> {
        let mut ids = Vec::new();
        for _ in 0..=self.retries {
            let id = self.next_request_id();
            ids.push(id);
            let Security::V3(usm) = &mut self.security else {
                return Ok(());
            };
            usm.reset();
            let msg = usm.discovery_message(id);
            match self.exchange(&msg, &ids, deadline).await {
                Ok(Outcome::Resync) => return Ok(()),
                Ok(Outcome::Garbled(e)) => return Err(SnmpError::Garbled(e)),
                Ok(Outcome::AuthFailed(w)) => return Err(SnmpError::Auth(w)),
                Err(SnmpError::Timeout) => continue,
                Err(e) => return Err(e),
                Ok(_) => return Err(SnmpError::Protocol("unexpected discovery reply".into())),
            }
        }
        Err(SnmpError::Timeout)
    }

    /// Sends one datagram and reads until a datagram for `ids` arrives or the attempt's
    /// deadline passes. Foreign datagrams never end the wait.
    async fn exchange(
        &mut self,
        msg: &[u8],
        ids: &[i32],
        deadline: Instant,
    ) -> Result<Outcome, SnmpError> {
        // Registered before sending: the reply is awaited through the runtime.
        self.ensure_live()?;
        self.send(msg).await?;
        self.stats.sent += 1;
        if self.buf.is_empty() {
            self.buf = vec![0; 65_536];
        }
        let until = (Instant::now() + self.timeout).min(deadline);
        loop {
            let socket = match &self.socket {
                Socket::Live(s) => s,
                _ => return Err(SnmpError::Io("socket not registered".into())),
            };
            let got = tokio::time::timeout_at(until, socket.recv_from(&mut self.buf)).await;
            let n = match got {
                Err(_) => {
                    self.stats.timeouts += 1;
                    return Err(SnmpError::Timeout);
                }
                // ICMP errors surface on some platforms; treat like silence and keep waiting.
                Ok(Err(_)) => continue,
                Ok(Ok((n, _from))) => n,
            };
            let outcome = classify(&mut self.security, &self.buf[..n], ids);
            match outcome {
                Outcome::Foreign => self.stats.discarded += 1,
                other => return Ok(other),
            }
        }
    }
}

fn classify(security: &mut Security, bytes: &[u8], ids: &[i32]) -> Outcome {
    match security {
        Security::V3(usm) => {
            if usm.needs_discovery() {
                usm.accept_discovery(bytes, ids)
            } else {
                usm.accept(bytes, ids)
            }
        }
        Security::Community { version, community } => {
            match ber::peek_community_request_id(bytes) {
                Some((v, id)) if v == *version && ids.contains(&id) => {}
                _ => return Outcome::Foreign,
            }
            match ber::decode_community_message(bytes) {
                Ok((_, c, r)) if c == *community && r.pdu_type == ber::PDU_RESPONSE => {
                    Outcome::Response(r)
                }
                Ok(_) => Outcome::Foreign,
                Err(e) => Outcome::Garbled(e.to_string()),
            }
        }
    }
}

/// The response, or its error-status as an error.
pub fn check_status(r: Response) -> Result<Response, SnmpError> {
    if r.error_status != 0 {
        return Err(SnmpError::ErrorStatus {
            status: r.error_status,
            index: r.error_index,
        });
    }
    Ok(r)
}

#[cfg(test)]
mod tests;
