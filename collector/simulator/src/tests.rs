//! Tests of the simulator over real UDP on 127.0.0.1: walks, GETBULK caps, error answers,
//! communities and counters. Fault tests live in `fault_tests.rs`.

use std::time::Duration;

use super::ber::{self, tag};
use super::test_support::{parse_response, sim, Client, IF_X_ENTRY, SYS_UPTIME};

#[test]
fn getnext_walks_every_object_in_order_then_ends() {
    let sim = sim(2, 5, "");
    let mut c = Client::new(sim.addr);
    let walk = c.walk("dev0002", &[1, 3]);
    assert_eq!(walk.len(), 4 + 1 + 14 * 5 + 7 * 5);
    assert!(walk.windows(2).all(|w| w[0].0 < w[1].0), "not ascending");
    assert_eq!(walk[0].0, [1, 3, 6, 1, 2, 1, 1, 1, 0]);
    assert_eq!(walk[3].2, b"dev0002");
    assert_eq!(
        walk.last().unwrap().0,
        [1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18, 5]
    );
    // From inside a column, between rows, and past the end.
    let r = c
        .ask(
            1,
            "dev0002",
            tag::GET_NEXT,
            (0, 0),
            &[&[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 3, 7]],
        )
        .unwrap();
    assert_eq!(r.oids(), [vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 4]]);
    let r = c
        .ask(
            1,
            "dev0002",
            tag::GET_NEXT,
            (0, 0),
            &[&[1, 3, 6, 1, 2, 1, 2, 2, 1, 4]],
        )
        .unwrap();
    assert_eq!(r.oids(), [vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 1]]);
    let r = c
        .ask(0, "dev0002", tag::GET_NEXT, (0, 0), &[&[1, 4]])
        .unwrap();
    assert_eq!((r.status, r.index), (2, 1), "v1 past the end is noSuchName");
}

#[test]
fn getbulk_agrees_with_the_getnext_walk() {
    let sim = sim(1, 7, "");
    let mut c = Client::new(sim.addr);
    let walk: Vec<_> = c
        .walk("dev0001", &IF_X_ENTRY)
        .into_iter()
        .map(|v| v.0)
        .collect();
    let mut bulk = Vec::new();
    let mut oid = IF_X_ENTRY.to_vec();
    loop {
        let r = c.bulk("dev0001", 4, &[&oid]);
        let done = r.varbinds.iter().any(|v| v.1 == tag::END_OF_MIB_VIEW);
        bulk.extend(
            r.varbinds
                .iter()
                .filter(|v| v.1 != tag::END_OF_MIB_VIEW)
                .map(|v| v.0.clone()),
        );
        if done {
            break;
        }
        oid.clone_from(bulk.last().unwrap());
    }
    assert_eq!(bulk, walk);
    // Columns side by side, as pollers ask: rows advance together.
    let cols: Vec<Vec<u32>> = [1, 6, 10]
        .iter()
        .map(|&c| [&IF_X_ENTRY[..], &[c]].concat())
        .collect();
    let refs: Vec<&[u32]> = cols.iter().map(Vec::as_slice).collect();
    let r = c.bulk("dev0001", 2, &refs);
    assert_eq!(r.varbinds.len(), 6);
    assert_eq!(r.varbinds[4].0, [&IF_X_ENTRY[..], &[6, 2]].concat());
    assert_eq!(r.varbinds[0].1, tag::OCTETS);
    assert_eq!(r.varbinds[1].1, tag::COUNTER64);
}

#[test]
fn getbulk_is_capped_in_varbinds_and_bytes() {
    let sim = sim(1, 3000, "");
    let mut c = Client::new(sim.addr);
    let request = c.encode(
        1,
        "dev0001",
        tag::GET_BULK,
        (0, i64::from(i32::MAX)),
        &[&[1, 3]],
    );
    let raw = c.raw(&request).unwrap();
    assert!(raw.len() <= 65_507);
    let r = parse_response(&raw).unwrap();
    assert!(r.varbinds.len() <= super::server::MAX_VARBINDS && r.varbinds.len() > 1000);
    assert!(r.varbinds.windows(2).all(|w| w[0].0 < w[1].0));
    // Non-repeaters first, then repetitions; negative values are taken as zero.
    let r = c
        .ask(1, "dev0001", tag::GET_BULK, (1, 2), &[&[1, 3], &IF_X_ENTRY])
        .unwrap();
    assert_eq!(r.varbinds.len(), 3);
    assert_eq!(r.varbinds[0].0, [1, 3, 6, 1, 2, 1, 1, 1, 0]);
    let r = c
        .ask(1, "dev0001", tag::GET_BULK, (-5, -5), &[&[1, 3]])
        .unwrap();
    assert!(r.varbinds.is_empty());
}

#[test]
fn get_answers_missing_objects_per_version() {
    let sim = sim(1, 4, "");
    let mut c = Client::new(sim.addr);
    let no_object: &[u32] = &[1, 3, 6, 1, 2, 1, 99, 0];
    let no_instance: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 5];
    let r = c.get("dev0001", &[&SYS_UPTIME, no_object, no_instance]);
    let tags: Vec<u8> = r.varbinds.iter().map(|v| v.1).collect();
    assert_eq!(
        tags,
        [tag::TIMETICKS, tag::NO_SUCH_OBJECT, tag::NO_SUCH_INSTANCE]
    );
    assert_eq!(r.varbinds[1].0, no_object);
    let r = c
        .ask(0, "dev0001", tag::GET, (0, 0), &[&SYS_UPTIME, no_instance])
        .unwrap();
    assert_eq!((r.status, r.index, r.varbinds.len()), (2, 2, 2));
    assert_eq!(r.varbinds[1].1, tag::NULL, "v1 errors echo the request");
    let r = c.get(
        "dev0001",
        &[&[1, 3, 6, 1, 2, 1, 1, 2, 0], &[1, 3, 6, 1, 2, 1, 2, 1, 0]],
    );
    assert_eq!(r.varbinds[0].1, tag::OID);
    assert_eq!(ber::parse_int(&r.varbinds[1].2), Some(4));
    // v1 cannot carry Counter64: GET says noSuchName, GETNEXT steps over it.
    let hc_in_1 = [&IF_X_ENTRY[..], &[6, 1]].concat();
    let r = c.ask(0, "dev0001", tag::GET, (0, 0), &[&hc_in_1]).unwrap();
    assert_eq!((r.status, r.index), (2, 1));
    let r = c
        .ask(
            0,
            "dev0001",
            tag::GET_NEXT,
            (0, 0),
            &[&[&IF_X_ENTRY[..], &[1, 4]].concat()],
        )
        .unwrap();
    assert_eq!(r.oids(), [[&IF_X_ENTRY[..], &[15, 1]].concat()]);
    // v1 knows no GETBULK: dropped.
    assert!(c
        .ask(0, "dev0001", tag::GET_BULK, (0, 5), &[&[1, 3]])
        .is_none());
}

#[test]
fn unknown_communities_get_no_answer() {
    let sim = sim(3, 2, "");
    let mut c = Client::new(sim.addr);
    c.timeout(Duration::from_millis(150));
    for community in [
        "public", "dev0000", "dev0004", "dev01", "dev00001", "dev000a", "DEV0001",
    ] {
        assert!(
            c.ask(1, community, tag::GET, (0, 0), &[&SYS_UPTIME])
                .is_none(),
            "{community}"
        );
    }
    assert!(c
        .ask(1, "dev0003", tag::GET, (0, 0), &[&SYS_UPTIME])
        .is_some());
}

#[test]
fn counters_grow_at_most_at_port_speed() {
    let sim = sim(2, 8, "");
    let mut c = Client::new(sim.addr);
    let hc_in = |port: u32| [&IF_X_ENTRY[..], &[6, port]].concat();
    let speed = |port: u32| [&IF_X_ENTRY[..], &[15, port]].concat();
    let oids: Vec<Vec<u32>> = (1..=8).flat_map(|p| [hc_in(p), speed(p)]).collect();
    let refs: Vec<&[u32]> = oids.iter().map(Vec::as_slice).collect();
    let a = c.get("dev0002", &refs);
    std::thread::sleep(Duration::from_millis(300));
    let b = c.get("dev0002", &refs);
    for p in 0..8 {
        let (before, after) = (a.uint(2 * p), b.uint(2 * p));
        let mbps = a.uint(2 * p + 1);
        assert!(after >= before, "port {p} went backwards");
        // 300 ms sleep, plus up to 200 ms of scheduling between the two reads.
        assert!(
            (after - before) * 8 <= mbps * 1_000_000 / 2,
            "port {p} faster than {mbps} Mbit/s"
        );
    }
    // Two pollers at the same instant agree: the model is a pure function of time.
    let sys_descr = c.get("dev0001", &[&[1, 3, 6, 1, 2, 1, 1, 1, 0]]);
    assert!(String::from_utf8_lossy(&sys_descr.varbinds[0].2).contains("dev0001"));
}

#[test]
fn snmp2_reads_our_answers() {
    let sim = sim(1, 3, "");
    let mut s =
        snmp2::SyncSession::new_v2c(sim.addr, b"dev0001", Some(Duration::from_secs(1)), 7).unwrap();
    let oid = snmp2::Oid::from(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1]).unwrap();
    let mut r = s.getbulk(&[&oid], 0, 3).unwrap();
    let names: Vec<String> = r
        .varbinds
        .by_ref()
        .map(|(_, v)| match v {
            snmp2::Value::OctetString(s) => String::from_utf8_lossy(s).into_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    let ports: Vec<&str> = names
        .iter()
        .map(|n| n.split_once('-').map_or("", |p| p.1))
        .collect();
    assert_eq!(ports, ["0/0/0", "0/0/1", "0/0/2"], "{names:?}");
}
