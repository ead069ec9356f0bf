//! Fault tests (each kind observable), hostile datagrams, and the throughput benchmark.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::ber::tag;
use super::server::{Reply, Responder};
use super::test_support::{parse_response, request, sim, Client, IF_X_ENTRY, SYS_UPTIME};
use super::{parse_faults, SimConfig};

const START_MS: u64 = 1_790_000_000_000;

fn responder(ports: u32, faults: &str) -> Responder {
    let cfg = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        devices: 3,
        ports,
        seed: 9,
        faults: parse_faults(faults).unwrap(),
        backbone: None,
    };
    Responder::new(&cfg, START_MS)
}

/// Asks `responder` at a fixed time, as a client would over UDP.
fn ask_at(
    r: &mut Responder,
    now_ms: u64,
    pdu: u8,
    oids: &[&[u32]],
) -> super::test_support::Response {
    let request = request(1, "dev0001", pdu, (7, 0, 50), oids);
    assert_eq!(r.handle(&request, now_ms), Reply::Now);
    parse_response(r.response()).unwrap()
}

#[test]
fn dead_device_is_silent_others_answer() {
    let sim = sim(2, 2, "[[fault]]\ndevice = 1\nkind = \"dead\"");
    let mut c = Client::new(sim.addr);
    c.timeout(Duration::from_millis(200));
    assert!(c
        .ask(1, "dev0001", tag::GET, (0, 0), &[&SYS_UPTIME])
        .is_none());
    assert!(c
        .ask(1, "dev0002", tag::GET, (0, 0), &[&SYS_UPTIME])
        .is_some());
}

#[test]
fn slow_device_answers_late_without_holding_up_others() {
    let sim = sim(
        2,
        2,
        "[[fault]]\ndevice = 1\nkind = \"slow\"\ndelay = \"800ms\"",
    );
    let mut slow = Client::new(sim.addr);
    let mut fast = Client::new(sim.addr);
    slow.timeout(Duration::from_secs(3));
    let t0 = Instant::now();
    let request = slow.encode(1, "dev0001", tag::GET, (0, 0), &[&SYS_UPTIME]);
    let pending = std::thread::spawn(move || slow.raw(&request).map(|_| t0.elapsed()));
    std::thread::sleep(Duration::from_millis(50));
    let asked = Instant::now();
    assert!(fast
        .ask(1, "dev0002", tag::GET, (0, 0), &[&SYS_UPTIME])
        .is_some());
    assert!(
        asked.elapsed() < Duration::from_millis(400),
        "the fast device waited"
    );
    let late = pending.join().unwrap().expect("slow device never answered");
    assert!(
        late >= Duration::from_millis(800),
        "answered after {late:?}"
    );
}

#[test]
fn counter32_device_has_no_hc_columns() {
    let sim = sim(2, 3, "[[fault]]\ndevice = 2\nkind = \"counter32\"");
    let mut c = Client::new(sim.addr);
    let x: Vec<Vec<u32>> = c
        .walk("dev0002", &IF_X_ENTRY)
        .into_iter()
        .map(|v| v.0)
        .collect();
    assert_eq!(x.len(), 3);
    assert!(x.iter().all(|o| o[10] == 1), "only ifName: {x:?}");
    let hc = [&IF_X_ENTRY[..], &[6, 1]].concat();
    assert_eq!(c.get("dev0002", &[&hc]).varbinds[0].1, tag::NO_SUCH_OBJECT);
    assert_eq!(c.get("dev0001", &[&hc]).varbinds[0].1, tag::COUNTER64);
    let in32 = [1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1];
    assert_eq!(c.get("dev0002", &[&in32]).varbinds[0].1, tag::COUNTER32);
}

#[test]
fn counter32_is_the_hc_counter_wrapped() {
    let mut r = responder(4, "");
    for port in 1..=4 {
        let in32: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, port];
        let in64 = [&IF_X_ENTRY[..], &[6, port]].concat();
        let resp = ask_at(&mut r, START_MS + 12_345, tag::GET, &[in32, &in64]);
        assert_eq!(resp.uint(0), resp.uint(1) % (1 << 32));
    }
}

#[test]
fn reboot_restarts_uptime_and_counters() {
    let mut r = responder(
        2,
        "[[fault]]\ndevice = 1\nkind = \"reboot\"\nevery = \"10s\"",
    );
    let hc_out: &[u32] = &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10, 1];
    let before = ask_at(&mut r, START_MS + 9_900, tag::GET, &[&SYS_UPTIME, hc_out]);
    let after = ask_at(&mut r, START_MS + 10_100, tag::GET, &[&SYS_UPTIME, hc_out]);
    assert_eq!((before.uint(0), after.uint(0)), (990, 10));
    assert!(
        after.uint(1) < before.uint(1) / 10,
        "{} then {}",
        before.uint(1),
        after.uint(1)
    );
    // Over UDP the uptime never exceeds the period.
    let sim = sim(
        1,
        1,
        "[[fault]]\ndevice = 1\nkind = \"reboot\"\nevery = \"1s\"",
    );
    let up = Client::new(sim.addr).get("dev0001", &[&SYS_UPTIME]).uint(0);
    assert!(up <= 100, "uptime {up} ticks");
}

#[test]
fn renumber_shifts_if_index_but_keeps_names() {
    let mut r = responder(
        3,
        "[[fault]]\ndevice = 1\nkind = \"renumber\"\nevery = \"5s\"",
    );
    let cols: [&[u32]; 2] = [
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 1],
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1],
    ];
    let walk = |r: &mut Responder, now| {
        let resp = ask_at(r, now, tag::GET_BULK, &cols);
        let rows: Vec<_> = resp
            .varbinds
            .chunks(2)
            .take(3)
            .map(|p| (p[0].0[10], p[1].2.clone()))
            .collect();
        rows
    };
    let first = walk(&mut r, START_MS + 1_000);
    let second = walk(&mut r, START_MS + 6_000);
    let third = walk(&mut r, START_MS + 11_000);
    assert_eq!(first.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        second.iter().map(|r| r.0).collect::<Vec<_>>(),
        [1001, 1002, 1003]
    );
    assert_eq!(third[0].0, 2001);
    let names = |rows: &[(u32, Vec<u8>)]| rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first), names(&third));
}

#[test]
fn garbage_device_answers_garbage_in_turn() {
    let sim = sim(1, 2, "[[fault]]\ndevice = 1\nkind = \"garbage\"");
    let mut c = Client::new(sim.addr);
    let mut kinds = Vec::new();
    for _ in 0..6 {
        let request = c.encode(1, "dev0001", tag::GET, (0, 0), &[&SYS_UPTIME]);
        let sent = super::ber::decode(&request).unwrap().request_id;
        let raw = c.raw(&request).expect("garbage devices do answer");
        kinds.push(match parse_response(&raw) {
            None => "malformed",
            Some(r) if r.request_id != sent => "wrong id",
            Some(_) => "valid",
        });
    }
    assert!(!kinds.contains(&"valid"), "{kinds:?}");
    assert_eq!(kinds[1], "malformed", "truncated");
    assert_eq!(kinds[2], "wrong id");
    assert_eq!(kinds[..3], kinds[3..], "a repeating cycle");
}

#[test]
fn malformed_datagrams_are_dropped_over_udp() {
    let sim = sim(1, 2, "");
    let mut c = Client::new(sim.addr);
    c.timeout(Duration::from_millis(100));
    let good = c.encode(1, "dev0001", tag::GET_NEXT, (0, 0), &[&[1, 3]]);
    for cut in [0, 1, 2, 5, good.len() / 2, good.len() - 1] {
        assert!(c.raw(&good[..cut]).is_none(), "truncated at {cut}");
    }
    let mut bad_len = good.clone();
    bad_len[1] = 0x84;
    assert!(c.raw(&bad_len).is_none());
    assert!(c.raw(&[0x30, 0x82, 0xff, 0xff]).is_none());
    c.timeout(Duration::from_millis(500));
    assert!(c.raw(&good).is_some(), "still serving");
}

proptest! {
    #[test]
    fn random_datagrams_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut r = responder(4, "");
        let _ = r.handle(&bytes, START_MS);
    }

    #[test]
    fn mutated_requests_never_panic(at in 0usize..64, byte in any::<u8>(), cut in 0usize..64, pdu in 0usize..3) {
        let mut r = responder(4, "");
        let pdu = [tag::GET, tag::GET_NEXT, tag::GET_BULK][pdu];
        let mut request = request(1, "dev0001", pdu, (7, 1, 10), &[&[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1], &IF_X_ENTRY]);
        if let Some(b) = request.get_mut(at) {
            *b = byte;
        }
        request.truncate(request.len().saturating_sub(cut % 4));
        let _ = r.handle(&request, START_MS);
    }
}

/// Server CPU time (user + system, in clock ticks) of the simulator's runtime threads.
fn runtime_cpu_ticks() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter(|stat| stat.contains("(tokio-rt-worker)"))
        .filter_map(|stat| {
            let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

/// `cargo test -p simulator --release fault_tests::bench -- --ignored --nocapture`
#[test]
#[ignore = "benchmark: run by hand, see the doc comment"]
fn bench_getbulk_four_if_x_columns() {
    let sim = sim(100, 48, "");
    let mut c = Client::new(sim.addr);
    let cols: Vec<Vec<u32>> = [1, 6, 10, 15]
        .iter()
        .map(|&k| [&IF_X_ENTRY[..], &[k]].concat())
        .collect();
    let refs: Vec<&[u32]> = cols.iter().map(Vec::as_slice).collect();
    let requests: Vec<Vec<u8>> = (1..=100)
        .map(|d| c.encode(1, &format!("dev{d:04}"), tag::GET_BULK, (0, 25), &refs))
        .collect();
    let (cpu0, t0) = (runtime_cpu_ticks(), Instant::now());
    let (mut n_varbinds, mut n_requests) = (0u64, 0usize);
    while t0.elapsed() < Duration::from_secs(5) {
        let raw = c.raw(&requests[n_requests % requests.len()]).unwrap();
        n_varbinds += parse_response(&raw).unwrap().varbinds.len() as u64;
        n_requests += 1;
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (runtime_cpu_ticks() - cpu0) as f64 / 100.0;
    println!(
        "{n_requests} GETBULK requests, {n_varbinds} varbinds in {wall:.2} s: {:.0} varbinds/s wall, \
         {:.0} varbinds per server CPU second ({cpu:.2} s CPU)",
        n_varbinds as f64 / wall,
        n_varbinds as f64 / cpu.max(0.01)
    );
}

/// Runs net-snmp's own tools against the simulator: an independent BER implementation.
#[test]
fn net_snmp_tools_walk_the_simulator() {
    let sim = sim(2, 4, "[[fault]]\ndevice = 2\nkind = \"counter32\"");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}; install net-snmp: apt-get install snmp", args[0]));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let addr = sim.addr.to_string();
    let x = run(&[
        "snmpbulkwalk",
        "-v2c",
        "-c",
        "dev0001",
        "-On",
        &addr,
        ".1.3.6.1.2.1.31.1.1.1",
    ]);
    println!("{x}");
    let values = |out: &str| {
        out.lines()
            .filter(|l| l.contains(" = ") && !l.contains("No more variables"))
            .count()
    };
    assert_eq!(values(&x), 7 * 4);
    assert!(x.contains(".1.3.6.1.2.1.31.1.1.1.6.4 = Counter64: "), "{x}");
    let all = run(&["snmpwalk", "-v1", "-c", "dev0002", "-On", &addr, ".1"]);
    assert_eq!(values(&all), 4 + 1 + 14 * 4 + 4, "{all}");
    let v1 = run(&["snmpwalk", "-v1", "-c", "dev0001", "-On", &addr, ".1"]);
    assert_eq!(
        values(&v1),
        4 + 1 + 14 * 4 + 3 * 4,
        "v1 skips Counter64: {v1}"
    );
    let get = run(&[
        "snmpget",
        "-v2c",
        "-c",
        "dev0001",
        "-On",
        &addr,
        ".1.3.6.1.2.1.1.5.0",
        ".1.3.6.1.2.1.1.3.0",
        ".1.3.6.1.2.1.1.2.0",
    ]);
    println!("{get}");
    assert!(get.contains("STRING: \"dev0001\""), "{get}");
}
