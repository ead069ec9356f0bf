//! Fuzzes the simulator's request handling through its only public door, its UDP socket: the
//! BER reader (`simulator`'s `ber::read`), the community and PDU dispatch, GET/GETNEXT/GETBULK and the
//! response writer all run in this process, so libFuzzer sees their coverage.
//!
//! Each input is sent as one datagram, followed by a good GET with a fresh request-id; the
//! reply to that probe proves the simulator read the input and is still answering. A panic in
//! the simulator's task aborts the process (libFuzzer's panic hook); a simulator that stops
//! answering fails the probe after two seconds.
//!
//! Devices: dev0001 healthy, dev0002 answers garbage, dev0003 has 32-bit counters only and
//! reboots (renumbering its ports) every minute.

#![no_main]

use std::cell::RefCell;
use std::net::SocketAddr;
use std::time::Duration;

use collector::snmp::ber::{self, PDU_GET};
use collector::snmp::Oid;
use libfuzzer_sys::fuzz_target;
use simulator::{DeviceFaults, Faults, SimConfig, SimHandle};
use tokio::net::UdpSocket;
use tokio::runtime::Runtime;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

struct Harness {
    rt: Runtime,
    socket: UdpSocket,
    sim_addr: SocketAddr,
    /// Keeps the simulator running.
    _sim: SimHandle,
    sys_uptime: Oid,
    next_id: i32,
}

thread_local! {
    static HARNESS: RefCell<Harness> = RefCell::new(Harness::start());
}

impl Harness {
    fn start() -> Harness {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("cannot build the runtime: {e}"),
        };
        let mut faults = Faults::default();
        let mut garbage = DeviceFaults::default();
        garbage.garbage = true;
        faults.set(2, garbage);
        let mut odd = DeviceFaults::default();
        odd.counter32 = true;
        odd.reboot_every = Some(Duration::from_secs(60));
        odd.renumber = true;
        faults.set(3, odd);
        let cfg = SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            devices: 3,
            ports: 8,
            seed: 1,
            faults,
            backbone: None,
        };
        let (sim, socket) = rt.block_on(async {
            let sim = simulator::start(cfg).await;
            let socket = UdpSocket::bind("127.0.0.1:0").await;
            (sim, socket)
        });
        let (sim, socket) = match (sim, socket) {
            (Ok(sim), Ok(socket)) => (sim, socket),
            (sim, socket) => panic!("cannot start: {:?} {:?}", sim.err(), socket.err()),
        };
        let sys_uptime = match Oid::from_subids(&[1, 3, 6, 1, 2, 1, 1, 3, 0]) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        Harness {
            rt,
            socket,
            sim_addr: sim.local_addr(),
            _sim: sim,
            sys_uptime,
            next_id: 1,
        }
    }

    /// Sends the input, then a probe, and waits for the probe's reply.
    fn exchange(&mut self, datagram: &[u8]) {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let id = self.next_id;
        let pdu = ber::encode_pdu(PDU_GET, id, 0, 0, &[&self.sys_uptime]);
        let probe = ber::encode_community_message(1, b"dev0001", &pdu);
        let (socket, addr) = (&self.socket, self.sim_addr);
        self.rt.block_on(async {
            // A datagram the kernel refuses (too large) is not the simulator's problem.
            let _ = socket.send_to(datagram, addr).await;
            if let Err(e) = socket.send_to(&probe, addr).await {
                panic!("cannot send the probe: {e}");
            }
            let mut buf = vec![0u8; 65_536];
            loop {
                let n = match tokio::time::timeout(PROBE_TIMEOUT, socket.recv(&mut buf)).await {
                    Ok(Ok(n)) => n,
                    Ok(Err(e)) => panic!("cannot receive: {e}"),
                    Err(_) => panic!("the simulator stopped answering after this datagram"),
                };
                if ber::peek_community_request_id(&buf[..n]) == Some((1, id)) {
                    return;
                }
            }
        });
    }
}

fuzz_target!(|data: &[u8]| {
    HARNESS.with(|h| h.borrow_mut().exchange(data));
});
