//! Answering requests: a synchronous [`Responder`] that turns one datagram into one response
//! (testable with a fixed clock, fuzzable), and the socket loop around it.
//!
//! The responder reuses its buffers, so the hot path allocates nothing. Slow devices answer from
//! a spawned task; the socket loop never sleeps.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rand::{RngCore, SeedableRng};
use tokio::net::UdpSocket;
use tokio::task::JoinSet;

use super::ber::{self, tag, Message, Value};
use super::faults::{DeviceFaults, Faults};
use super::mib::{DeviceNow, Mib, Missing, Pos};
use super::{backbone, model, router, tables, wifi, SimConfig, SimError};

/// Varbind-list bytes that keep a whole response under the 65,507-byte UDP payload limit.
const MAX_VARBIND_BYTES: usize = 65_400;
/// Most varbinds in one response, whatever max-repetitions asks for.
pub(crate) const MAX_VARBINDS: usize = 2000;
const NO_SUCH_NAME: i64 = 2;
const TOO_BIG: i64 = 1;

/// What to do with a datagram once handled; the response is [`Responder::response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reply {
    Drop,
    Now,
    Later(Duration),
}

/// How a PDU ended: answered, or an error response.
enum Status {
    Ok,
    /// v1 error: the response repeats the request's varbinds.
    Error {
        status: i64,
        index: i64,
    },
    TooBig,
}

/// The immutable part: configuration and MIB.
struct Sim {
    /// The MIB of the generated devices.
    mib: Mib,
    /// Routers and wifi controllers of the backbone, by community (their name).
    described: HashMap<Vec<u8>, Described>,
    devices: u32,
    ports: u32,
    seed: u64,
    faults: Faults,
    healthy: DeviceFaults,
    start_ms: u64,
}

/// A router or wifi controller: its own MIB, its key in the traffic model, its number of ports.
struct Described {
    mib: Mib,
    key: u32,
    n_ports: u32,
}

/// The device a request is for.
enum Target<'a> {
    /// A generated device `devNNNN`, 1-based.
    Generated(u32),
    Described(&'a Described),
}

/// The described devices of `cfg`, by community.
fn described(cfg: &SimConfig) -> HashMap<Vec<u8>, Described> {
    let Some(bb) = &cfg.backbone else {
        return HashMap::new();
    };
    let routers = bb.routers.iter().map(|r| {
        let n_ports = u32::try_from(r.ports.len()).unwrap_or(u32::MAX);
        (&r.name, router::tables(r), n_ports)
    });
    let controllers = bb.controllers.iter().map(|c| {
        let key = backbone::model_key(&c.name);
        (&c.name, wifi::tables(c, cfg.seed, key), 0)
    });
    routers
        .chain(controllers)
        .map(|(name, tables, n_ports)| {
            let device = Described {
                mib: Mib::new(tables),
                key: backbone::model_key(name),
                n_ports,
            };
            (name.as_bytes().to_vec(), device)
        })
        .collect()
}

/// Buffers reused from request to request.
#[derive(Default)]
struct Buffers {
    oid: Vec<u32>,
    idx: Vec<u32>,
    text: Vec<u8>,
    vbs: Vec<u8>,
    out: Vec<u8>,
    /// GETBULK repeaters: position and the request OID (offsets into the datagram).
    cursors: Vec<(Option<Pos>, usize, usize)>,
}

/// Turns request datagrams into response datagrams.
pub(crate) struct Responder {
    sim: Sim,
    buf: Buffers,
    /// Garbled answers sent so far, by device: picks the next kind of garbage.
    garbage_seq: std::collections::HashMap<u32, u64>,
}

impl Responder {
    /// A responder for `cfg`, whose clock started at `start_ms` (ms since the Unix epoch).
    pub(crate) fn new(cfg: &SimConfig, start_ms: u64) -> Self {
        let sim = Sim {
            mib: Mib::new(tables::standard()),
            described: described(cfg),
            devices: cfg.devices,
            ports: cfg.ports,
            seed: cfg.seed,
            faults: cfg.faults.clone(),
            healthy: DeviceFaults::default(),
            start_ms,
        };
        Responder {
            sim,
            buf: Buffers::default(),
            garbage_seq: Default::default(),
        }
    }

    /// The response of the last [`Reply::Now`] or [`Reply::Later`].
    pub(crate) fn response(&self) -> &[u8] {
        &self.buf.out
    }

    /// Handles one datagram at `now_ms`; malformed or unanswerable ones are dropped.
    pub(crate) fn handle(&mut self, datagram: &[u8], now_ms: u64) -> Reply {
        let Some(msg) = ber::decode(datagram) else {
            return Reply::Drop;
        };
        let sim = &self.sim;
        let (mib, dev) = match sim.target(&msg) {
            None => return Reply::Drop,
            Some(Target::Generated(device)) => {
                let faults = sim.faults.device(device).unwrap_or(&sim.healthy);
                (&sim.mib, sim.device_now(device, faults, now_ms))
            }
            Some(Target::Described(d)) => (&d.mib, sim.described_now(d, now_ms)),
        };
        let faults = dev.faults;
        if faults.dead {
            return Reply::Drop;
        }
        let b = &mut self.buf;
        b.vbs.clear();
        let status = match (msg.pdu, msg.version) {
            (tag::GET, _) => get(mib, &msg, &dev, b),
            (tag::GET_NEXT, _) => get_next(mib, &msg, &dev, b),
            (tag::GET_BULK, 1) => get_bulk(mib, &msg, datagram, &dev, b),
            _ => None,
        };
        let Some(status) = status else {
            return Reply::Drop;
        };
        b.out.clear();
        encode(&mut b.out, &msg, &status, &b.vbs, msg.request_id);
        if faults.garbage {
            let seq = self.garbage_seq.entry(dev.device).or_insert(0);
            garble(
                &mut self.buf,
                &msg,
                &status,
                sim.seed ^ u64::from(dev.device),
                *seq,
            );
            *seq += 1;
        }
        faults.slow.map_or(Reply::Now, Reply::Later)
    }
}

fn encode(out: &mut Vec<u8>, msg: &Message<'_>, status: &Status, vbs: &[u8], request_id: i64) {
    let (a, b, vbs) = match *status {
        Status::Ok => (0, 0, vbs),
        Status::Error { status, index } => (status, index, msg.varbinds),
        Status::TooBig => (TOO_BIG, 0, &[][..]),
    };
    let head = Message {
        pdu: tag::RESPONSE,
        request_id,
        a,
        b,
        varbinds: &[],
        ..*msg
    };
    ber::put_message(out, &head, vbs);
}

/// Replaces a good response with garbage: random bytes, truncated BER, or a wrong request-id.
fn garble(b: &mut Buffers, msg: &Message<'_>, status: &Status, seed: u64, seq: u64) {
    match seq % 3 {
        0 => {
            let mut rng = rand::rngs::StdRng::seed_from_u64(model::hash(&[seed, seq]));
            b.out.resize(16 + (rng.next_u32() % 200) as usize, 0);
            rng.fill_bytes(&mut b.out);
        }
        1 => b.out.truncate(b.out.len() / 2),
        _ => {
            b.out.clear();
            encode(
                &mut b.out,
                msg,
                status,
                &b.vbs,
                msg.request_id.wrapping_add(1) & 0x7fff_ffff,
            );
        }
    }
}

impl Sim {
    /// The device a community names: a described device's name, or `devNNNN` (1-based, at
    /// least four digits).
    fn target(&self, msg: &Message<'_>) -> Option<Target<'_>> {
        if msg.version != 0 && msg.version != 1 {
            return None;
        }
        if let Some(d) = self.described.get(msg.community) {
            return Some(Target::Described(d));
        }
        self.device_of(msg.community).map(Target::Generated)
    }

    fn device_of(&self, community: &[u8]) -> Option<u32> {
        let digits = community.strip_prefix(b"dev")?;
        let canonical = digits.len() == 4 || (digits.len() > 4 && digits.first() != Some(&b'0'));
        if !canonical || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = digits
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
        (1..=self.devices).contains(&n).then_some(n)
    }

    fn device_now<'a>(&self, device: u32, faults: &'a DeviceFaults, now_ms: u64) -> DeviceNow<'a> {
        let every = faults
            .reboot_every
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let (boot_ms, boot_count) = model::boot(self.seed, device, every, self.start_ms, now_ms);
        DeviceNow {
            device,
            n_ports: self.ports,
            seed: self.seed,
            faults,
            now_ms,
            boot_ms,
            boot_count,
        }
    }

    /// A described device, healthy, booted as the model says.
    fn described_now(&self, d: &Described, now_ms: u64) -> DeviceNow<'_> {
        let (boot_ms, boot_count) = model::boot(self.seed, d.key, None, self.start_ms, now_ms);
        DeviceNow {
            device: d.key,
            n_ports: d.n_ports,
            seed: self.seed,
            faults: &self.healthy,
            now_ms,
            boot_ms,
            boot_count,
        }
    }
}

fn get(mib: &Mib, msg: &Message<'_>, dev: &DeviceNow<'_>, b: &mut Buffers) -> Option<Status> {
    let v1 = msg.version == 0;
    for (i, vb) in msg.varbinds().enumerate() {
        let (oid, _, _) = vb.ok()?;
        ber::parse_oid(oid, &mut b.oid)?;
        let written = match mib.get(dev, &b.oid, &mut b.idx) {
            Ok(pos) => mib.put(dev, pos, v1, &mut b.vbs, &mut b.idx, &mut b.text),
            Err(_) if v1 => false,
            Err(missing) => {
                let value = match missing {
                    Missing::NoSuchObject => Value::NoSuchObject,
                    Missing::NoSuchInstance => Value::NoSuchInstance,
                };
                ber::put_varbind(&mut b.vbs, oid, &[], &value);
                true
            }
        };
        if !written {
            return Some(no_such_name(i));
        }
        if b.vbs.len() > MAX_VARBIND_BYTES || i >= MAX_VARBINDS {
            return Some(Status::TooBig);
        }
    }
    Some(Status::Ok)
}

fn get_next(mib: &Mib, msg: &Message<'_>, dev: &DeviceNow<'_>, b: &mut Buffers) -> Option<Status> {
    let v1 = msg.version == 0;
    for (i, vb) in msg.varbinds().enumerate() {
        let (oid, _, _) = vb.ok()?;
        ber::parse_oid(oid, &mut b.oid)?;
        let mut pos = mib.next_after(dev, &b.oid, &mut b.idx);
        while let Some(p) = pos {
            if mib.put(dev, p, v1, &mut b.vbs, &mut b.idx, &mut b.text) {
                break;
            }
            pos = mib.advance(dev, p);
        }
        match pos {
            Some(_) => {}
            None if v1 => return Some(no_such_name(i)),
            None => ber::put_varbind(&mut b.vbs, oid, &[], &Value::EndOfMibView),
        }
        if b.vbs.len() > MAX_VARBIND_BYTES || i >= MAX_VARBINDS {
            return Some(Status::TooBig);
        }
    }
    Some(Status::Ok)
}

/// GETBULK (v2c): non-repeaters as GETNEXT, then rounds over the repeaters, truncated to
/// the size and varbind caps; stops after a round in which every repeater hit the end.
fn get_bulk(
    mib: &Mib,
    msg: &Message<'_>,
    datagram: &[u8],
    dev: &DeviceNow<'_>,
    b: &mut Buffers,
) -> Option<Status> {
    let n_vbs = msg.varbinds().count();
    let non_repeaters = usize::try_from(msg.a.max(0))
        .unwrap_or(usize::MAX)
        .min(n_vbs);
    let max_repetitions = usize::try_from(msg.b.max(0))
        .unwrap_or(usize::MAX)
        .min(MAX_VARBINDS);
    let base = datagram.as_ptr() as usize;
    b.cursors.clear();
    for (i, vb) in msg.varbinds().enumerate() {
        let (oid, _, _) = vb.ok()?;
        ber::parse_oid(oid, &mut b.oid)?;
        let pos = mib.next_after(dev, &b.oid, &mut b.idx);
        if i < non_repeaters {
            match pos {
                Some(pos) => {
                    mib.put(dev, pos, false, &mut b.vbs, &mut b.idx, &mut b.text);
                }
                None => ber::put_varbind(&mut b.vbs, oid, &[], &Value::EndOfMibView),
            }
        } else {
            let start = oid.as_ptr() as usize - base;
            b.cursors.push((pos, start, start + oid.len()));
        }
    }
    if b.vbs.len() > MAX_VARBIND_BYTES || non_repeaters > MAX_VARBINDS {
        return Some(Status::TooBig);
    }
    let mut n_out = non_repeaters;
    'rounds: for _ in 0..max_repetitions {
        let mut any = false;
        for c in 0..b.cursors.len() {
            let before = b.vbs.len();
            let (pos, start, end) = b.cursors[c];
            match pos {
                Some(p) => {
                    mib.put(dev, p, false, &mut b.vbs, &mut b.idx, &mut b.text);
                    b.cursors[c].0 = mib.advance(dev, p);
                    any = true;
                }
                None => {
                    let oid = datagram.get(start..end)?;
                    ber::put_varbind(&mut b.vbs, oid, &[], &Value::EndOfMibView);
                }
            }
            n_out += 1;
            if b.vbs.len() > MAX_VARBIND_BYTES || n_out > MAX_VARBINDS {
                b.vbs.truncate(before);
                break 'rounds;
            }
        }
        if !any {
            break;
        }
    }
    Some(Status::Ok)
}

fn no_such_name(i: usize) -> Status {
    Status::Error {
        status: NO_SUCH_NAME,
        index: i64::try_from(i + 1).unwrap_or(i64::MAX),
    }
}

/// Serves `socket` until `shutdown` resolves.
pub(crate) async fn serve(
    socket: UdpSocket,
    mut responder: Responder,
    clock: super::Clock,
    shutdown: impl Future<Output = ()>,
) -> Result<(), SimError> {
    let socket = Arc::new(socket);
    let mut delayed = JoinSet::new();
    let mut datagram = vec![0u8; 65_536];
    tokio::pin!(shutdown);
    loop {
        let (n, peer): (usize, SocketAddr) = tokio::select! {
            () = &mut shutdown => return Ok(()),
            r = socket.recv_from(&mut datagram) => match r {
                Ok(r) => r,
                Err(e) => {
                    tracing::debug!(error = %e, "simulator receive failed");
                    continue;
                }
            },
        };
        while delayed.try_join_next().is_some() {}
        let request = datagram.get(..n).unwrap_or_default();
        match responder.handle(request, clock.now_ms()) {
            Reply::Drop => {}
            Reply::Now => {
                if let Err(e) = socket.send_to(responder.response(), peer).await {
                    tracing::debug!(error = %e, %peer, "simulator send failed");
                }
            }
            Reply::Later(delay) => {
                let (socket, bytes) = (Arc::clone(&socket), responder.response().to_vec());
                delayed.spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = socket.send_to(&bytes, peer).await;
                });
            }
        }
    }
}
