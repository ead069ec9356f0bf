//! Helpers for the simulator's tests: a simulator on its own runtime, a blocking UDP client
//! speaking our own BER, and response decoding.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use super::ber::{self, tag, Message};
use super::{parse_faults, start, SimConfig, SimHandle};

pub(super) const IF_X_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
pub(super) const SYS_UPTIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];

/// A simulator on its own runtime, stopped on drop.
pub(super) struct TestSim {
    rt: tokio::runtime::Runtime,
    handle: Option<SimHandle>,
    pub addr: SocketAddr,
}

pub(super) fn sim(devices: u32, ports: u32, faults: &str) -> TestSim {
    start_sim(config(devices, ports, faults))
}

/// The configuration [`sim`] starts: seed 42, no backbone.
pub(super) fn config(devices: u32, ports: u32, faults: &str) -> SimConfig {
    SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        devices,
        ports,
        seed: 42,
        faults: parse_faults(faults).unwrap(),
        backbone: None,
    }
}

pub(super) fn start_sim(cfg: SimConfig) -> TestSim {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt.block_on(start(cfg)).unwrap();
    let addr = handle.local_addr();
    TestSim {
        rt,
        handle: Some(handle),
        addr,
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            self.rt.block_on(h.shutdown()).unwrap();
        }
    }
}

/// One decoded response.
#[derive(Debug, Clone)]
pub(super) struct Response {
    pub request_id: i64,
    pub status: i64,
    pub index: i64,
    pub varbinds: Vec<(Vec<u32>, u8, Vec<u8>)>,
}

impl Response {
    pub fn oids(&self) -> Vec<Vec<u32>> {
        self.varbinds.iter().map(|v| v.0.clone()).collect()
    }
    pub fn uint(&self, i: usize) -> u64 {
        ber::parse_uint(&self.varbinds[i].2).unwrap()
    }
}

pub(super) fn parse_response(bytes: &[u8]) -> Option<Response> {
    let msg = ber::decode(bytes)?;
    let mut varbinds = Vec::new();
    for vb in msg.varbinds() {
        let (oid, t, value) = vb.ok()?;
        let mut arcs = Vec::new();
        ber::parse_oid(oid, &mut arcs)?;
        varbinds.push((arcs, t, value.to_vec()));
    }
    (msg.pdu == tag::RESPONSE).then_some(Response {
        request_id: msg.request_id,
        status: msg.a,
        index: msg.b,
        varbinds,
    })
}

/// A request datagram; `ids` is (request-id, non-repeaters or 0, max-repetitions or 0).
pub(super) fn request(
    version: i64,
    community: &str,
    pdu: u8,
    ids: (i64, i64, i64),
    oids: &[&[u32]],
) -> Vec<u8> {
    let (request_id, a, b) = ids;
    let head = Message {
        version,
        community: community.as_bytes(),
        pdu,
        request_id,
        a,
        b,
        varbinds: &[],
    };
    let mut out = Vec::new();
    ber::put_request(&mut out, &head, oids);
    out
}

/// A blocking SNMP client speaking our own encoder.
pub(super) struct Client {
    sock: UdpSocket,
    addr: SocketAddr,
    next_id: i64,
    pub buf: Vec<u8>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        Client {
            sock,
            addr,
            next_id: 1000,
            buf: vec![0; 65_536],
        }
    }

    pub fn timeout(&self, t: Duration) {
        self.sock.set_read_timeout(Some(t)).unwrap();
    }

    /// Sends raw bytes; the raw answer, if any arrives before the timeout.
    pub fn raw(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        self.sock.send_to(bytes, self.addr).unwrap();
        let n = self.sock.recv(&mut self.buf).ok()?;
        Some(self.buf[..n].to_vec())
    }

    pub fn encode(
        &mut self,
        version: i64,
        community: &str,
        pdu: u8,
        ab: (i64, i64),
        oids: &[&[u32]],
    ) -> Vec<u8> {
        self.next_id += 1;
        request(version, community, pdu, (self.next_id, ab.0, ab.1), oids)
    }

    pub fn ask(
        &mut self,
        version: i64,
        community: &str,
        pdu: u8,
        ab: (i64, i64),
        oids: &[&[u32]],
    ) -> Option<Response> {
        let request = self.encode(version, community, pdu, ab, oids);
        let resp = parse_response(&self.raw(&request)?)?;
        assert_eq!(resp.request_id, self.next_id);
        Some(resp)
    }

    pub fn get(&mut self, community: &str, oids: &[&[u32]]) -> Response {
        self.ask(1, community, tag::GET, (0, 0), oids)
            .expect("no answer")
    }

    pub fn bulk(&mut self, community: &str, reps: i64, oids: &[&[u32]]) -> Response {
        self.ask(1, community, tag::GET_BULK, (0, reps), oids)
            .expect("no answer")
    }

    /// Walks with GETNEXT from `from` to the end of the MIB.
    pub fn walk(&mut self, community: &str, from: &[u32]) -> Vec<(Vec<u32>, u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut oid = from.to_vec();
        loop {
            let r = self
                .ask(1, community, tag::GET_NEXT, (0, 0), &[&oid])
                .expect("no answer");
            let vb = r.varbinds.into_iter().next().unwrap();
            if vb.1 == tag::END_OF_MIB_VIEW {
                return out;
            }
            oid.clone_from(&vb.0);
            out.push(vb);
        }
    }
}
