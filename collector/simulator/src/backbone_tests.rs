//! Tests of a described backbone over real UDP on 127.0.0.1: a router's LLDP, entity and sensor
//! tables, a controller's access point, radio and SSID tables, a 1,500-AP walk, and generated
//! devices unchanged beside them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::backbone::{
    AccessPoint, Backbone, ClientPattern, Controller, Neighbour, Router, RouterPort,
};
use super::ber::{self, tag};
use super::server::{Reply, Responder};
use super::test_support::{config, parse_response, request, start_sim, Client};
use super::{start, SimError};

const LLDP_LOC_PORT: [u32; 10] = [1, 0, 8802, 1, 1, 2, 1, 3, 7, 1];
const LLDP_REM: [u32; 10] = [1, 0, 8802, 1, 1, 2, 1, 4, 1, 1];
const ENT_PHYSICAL: [u32; 11] = [1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];
const ENT_ALIAS: [u32; 11] = [1, 3, 6, 1, 2, 1, 47, 1, 3, 2, 1];
const ENT_SENSOR: [u32; 10] = [1, 3, 6, 1, 2, 1, 99, 1, 1, 1];
const ESS: [u32; 11] = [1, 3, 6, 1, 4, 1, 14179, 2, 1, 1, 1];
const AP: [u32; 11] = [1, 3, 6, 1, 4, 1, 14179, 2, 2, 1, 1];
const AP_IF: [u32; 11] = [1, 3, 6, 1, 4, 1, 14179, 2, 2, 2, 1];
const CONNECT_COUNT: [u32; 13] = [1, 3, 6, 1, 4, 1, 9, 9, 618, 1, 8, 4, 0];

const PEER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

fn port(name: &str, neighbour: Option<&str>, levels: Option<(f64, f64)>) -> RouterPort {
    RouterPort {
        name: name.into(),
        speed_bps: 10_000_000_000,
        neighbour: neighbour.map(|p| Neighbour {
            system_name: "pop-02".into(),
            chassis_mac: PEER_MAC,
            port: p.into(),
        }),
        tx_dbm: levels.map(|l| l.0),
        rx_dbm: levels.map(|l| l.1),
    }
}

fn ap(n: u8, pattern: ClientPattern) -> AccessPoint {
    AccessPoint {
        name: format!("ap-{n}"),
        mac: [0x00, 0x1a, 0x1e, 0, 0, n],
        pattern,
    }
}

/// Router pop-01: xe-0/0/0 and et-0/0/2 see pop-02 and carry optics, xe-0/0/1 neither; and
/// controller wlc-01 with access points listed out of MAC order.
fn small() -> Backbone {
    let router = Router {
        name: "pop-01".into(),
        chassis_mac: [0x02, 0, 0, 0, 0, 0x01],
        ports: vec![
            port("xe-0/0/0", Some("xe-0/0/5"), Some((-2.0, -7.31))),
            port("xe-0/0/1", None, None),
            port("et-0/0/2", Some("et-1/0/0"), Some((1.2, -12.5))),
        ],
    };
    let controller = Controller {
        name: "wlc-01".into(),
        aps: vec![
            ap(9, ClientPattern::Busy { peak: 30 }),
            ap(3, ClientPattern::Dead),
            ap(5, ClientPattern::Quiet { peak: 3 }),
            ap(1, ClientPattern::Busy { peak: 60 }),
        ],
        ssids: vec!["eduroam".into(), "guest".into(), "iot".into()],
    };
    Backbone {
        routers: vec![router],
        controllers: vec![controller],
    }
}

type Vb = (Vec<u32>, u8, Vec<u8>);

/// Walks the subtree under `prefix` with GETBULK.
fn bulk_walk(c: &mut Client, community: &str, prefix: &[u32]) -> Vec<Vb> {
    let mut out: Vec<Vb> = Vec::new();
    let mut oid = prefix.to_vec();
    loop {
        let r = c.bulk(community, 40, &[&oid]);
        for vb in r.varbinds {
            if vb.1 == tag::END_OF_MIB_VIEW || !vb.0.starts_with(prefix) {
                return out;
            }
            oid.clone_from(&vb.0);
            out.push(vb);
        }
    }
}

/// The walk of `prefix` by (column, index) with decoded values.
fn by_column(walk: &[Vb], prefix: &[u32]) -> BTreeMap<(u32, Vec<u32>), Vb> {
    walk.iter()
        .map(|vb| {
            let rest = &vb.0[prefix.len()..];
            ((rest[0], rest[1..].to_vec()), vb.clone())
        })
        .collect()
}

fn int(vb: &Vb) -> i64 {
    assert_eq!(vb.1, tag::INTEGER, "{vb:?}");
    ber::parse_int(&vb.2).unwrap()
}

fn text(vb: &Vb) -> &str {
    assert_eq!(vb.1, tag::OCTETS, "{vb:?}");
    std::str::from_utf8(&vb.2).unwrap()
}

fn gauge(vb: &Vb) -> u64 {
    assert_eq!(vb.1, tag::GAUGE32, "{vb:?}");
    ber::parse_uint(&vb.2).unwrap()
}

fn column(table: &BTreeMap<(u32, Vec<u32>), Vb>, col: u32) -> Vec<(Vec<u32>, Vb)> {
    table
        .iter()
        .filter(|(k, _)| k.0 == col)
        .map(|(k, v)| (k.1.clone(), v.clone()))
        .collect()
}

fn backbone_sim() -> super::test_support::TestSim {
    let mut cfg = config(2, 4, "");
    cfg.backbone = Some(small());
    start_sim(cfg)
}

#[test]
fn router_serves_system_interfaces_and_lldp() {
    let sim = backbone_sim();
    let mut c = Client::new(sim.addr);
    let walk = c.walk("pop-01", &[1, 0]);
    assert!(walk.windows(2).all(|w| w[0].0 < w[1].0), "not ascending");
    let get = |oid: &[u32]| walk.iter().find(|v| v.0 == oid).unwrap().clone();
    assert_eq!(text(&get(&[1, 3, 6, 1, 2, 1, 1, 5, 0])), "pop-01");
    let sys_object_id = get(&[1, 3, 6, 1, 2, 1, 1, 2, 0]);
    assert_eq!(sys_object_id.1, tag::OID);
    let names: Vec<&str> = (1..=3)
        .map(|i| {
            walk.iter()
                .find(|v| v.0 == [1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, i])
        })
        .map(|v| text(v.unwrap()))
        .collect();
    assert_eq!(names, ["xe-0/0/0", "xe-0/0/1", "et-0/0/2"]);
    assert_eq!(gauge(&get(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15, 2])), 10_000);
    assert_eq!(int(&get(&[1, 3, 6, 1, 2, 1, 2, 1, 0])), 3);
    // LLDP local system and ports.
    assert_eq!(int(&get(&[1, 0, 8802, 1, 1, 2, 1, 3, 1, 0])), 4);
    assert_eq!(
        get(&[1, 0, 8802, 1, 1, 2, 1, 3, 2, 0]).2,
        [2, 0, 0, 0, 0, 1]
    );
    assert_eq!(text(&get(&[1, 0, 8802, 1, 1, 2, 1, 3, 3, 0])), "pop-01");
    let loc = by_column(&bulk_walk(&mut c, "pop-01", &LLDP_LOC_PORT), &LLDP_LOC_PORT);
    assert_eq!(loc.len(), 9);
    assert!(column(&loc, 2).iter().all(|(_, v)| int(v) == 5));
    let ids: Vec<(Vec<u32>, String)> = column(&loc, 3)
        .iter()
        .map(|(i, v)| (i.clone(), text(v).to_string()))
        .collect();
    assert_eq!(ids[2], (vec![3], "et-0/0/2".to_string()));
    assert_eq!(text(&loc[&(4, vec![1])]), "xe-0/0/0");
    // LLDP remote: one row per port with a neighbour, index 0.ifIndex.1.
    let rem = by_column(&bulk_walk(&mut c, "pop-01", &LLDP_REM), &LLDP_REM);
    let rows: Vec<Vec<u32>> = column(&rem, 9).into_iter().map(|r| r.0).collect();
    assert_eq!(rows, [vec![0, 1, 1], vec![0, 3, 1]]);
    assert_eq!(rem.len(), 12);
    let row = vec![0, 3, 1];
    assert_eq!(int(&rem[&(4, row.clone())]), 4);
    assert_eq!(rem[&(5, row.clone())].2, PEER_MAC);
    assert_eq!(int(&rem[&(6, row.clone())]), 5);
    assert_eq!(text(&rem[&(7, row.clone())]), "et-1/0/0");
    assert_eq!(text(&rem[&(8, row.clone())]), "et-1/0/0");
    assert_eq!(text(&rem[&(9, row)]), "pop-02");
    assert_eq!(text(&rem[&(7, vec![0, 1, 1])]), "xe-0/0/5");
}

#[test]
fn router_serves_entities_aliases_and_optical_sensors() {
    let sim = backbone_sim();
    let mut c = Client::new(sim.addr);
    let ent = by_column(&bulk_walk(&mut c, "pop-01", &ENT_PHYSICAL), &ENT_PHYSICAL);
    let rows: Vec<u32> = column(&ent, 7).iter().map(|r| r.0[0]).collect();
    assert_eq!(rows, [1, 1001, 1003, 100_011, 100_012, 100_031, 100_032]);
    let class = |i: u32| int(&ent[&(5, vec![i])]);
    let contained = |i: u32| int(&ent[&(4, vec![i])]);
    let name = |i: u32| text(&ent[&(7, vec![i])]).to_string();
    assert_eq!((class(1), contained(1), name(1)), (3, 0, "pop-01".into()));
    assert_eq!(
        (class(1003), contained(1003), name(1003)),
        (10, 1, "et-0/0/2".into())
    );
    assert_eq!((class(100_031), contained(100_031)), (8, 1003));
    assert_eq!(name(100_031), "et-0/0/2 Rx Power");
    assert_eq!(text(&ent[&(2, vec![100_012])]), "xe-0/0/0 Tx Power");
    // The port entity maps to its ifIndex.
    let alias = bulk_walk(&mut c, "pop-01", &ENT_ALIAS);
    let got: Vec<(Vec<u32>, Vec<u32>)> = alias
        .iter()
        .map(|v| {
            assert_eq!(v.1, tag::OID);
            let mut oid = Vec::new();
            ber::parse_oid(&v.2, &mut oid).unwrap();
            (v.0[ENT_ALIAS.len()..].to_vec(), oid)
        })
        .collect();
    let if_index = |i: u32| vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 1, i];
    assert_eq!(
        got,
        [
            (vec![2, 1001, 0], if_index(1)),
            (vec![2, 1003, 0], if_index(3))
        ]
    );
    // Sensors: dBm, units, precision 2, hundredths within ±2 of the level, status ok.
    let sensors = by_column(&bulk_walk(&mut c, "pop-01", &ENT_SENSOR), &ENT_SENSOR);
    assert_eq!(sensors.len(), 4 * 5);
    for (index, level) in [
        (100_011, -731),
        (100_012, -200),
        (100_031, -1250),
        (100_032, 120),
    ] {
        let at = |col: u32| int(&sensors[&(col, vec![index])]);
        assert_eq!(
            (at(1), at(2), at(3), at(5)),
            (14, 9, 2, 1),
            "sensor {index}"
        );
        assert!(
            (at(4) - level).abs() <= 2,
            "sensor {index}: {} vs {level}",
            at(4)
        );
    }
}

/// Clients per radio (by AP MAC) and per SSID, read at the same minute.
fn clients_at_one_minute(c: &mut Client) -> (Vec<(Vec<u32>, u64)>, Vec<u64>) {
    let radios = |c: &mut Client| -> Vec<(Vec<u32>, u64)> {
        bulk_walk(c, "wlc-01", &AP_IF)
            .iter()
            .map(|v| (v.0[AP_IF.len() + 1..].to_vec(), gauge(v)))
            .collect()
    };
    for _ in 0..3 {
        let before = radios(c);
        let ess = by_column(&bulk_walk(c, "wlc-01", &ESS), &ESS);
        if radios(c) == before {
            let per_ssid = column(&ess, 38).iter().map(|(_, v)| gauge(v)).collect();
            return (before, per_ssid);
        }
    }
    panic!("client counts never held still for a minute");
}

#[test]
fn controller_serves_aps_radios_ssids_and_connect_count() {
    let sim = backbone_sim();
    let mut c = Client::new(sim.addr);
    let sys = c.get(
        "wlc-01",
        &[&[1, 3, 6, 1, 2, 1, 1, 5, 0], &[1, 3, 6, 1, 2, 1, 1, 2, 0]],
    );
    assert_eq!(sys.varbinds[0].2, b"wlc-01");
    let mut oid = Vec::new();
    ber::parse_oid(&sys.varbinds[1].2, &mut oid).unwrap();
    assert_eq!(oid, [1, 3, 6, 1, 4, 1, 14179, 1, 1, 4, 3]);
    // Access points sorted by MAC, whatever the order given.
    let aps = by_column(&bulk_walk(&mut c, "wlc-01", &AP), &AP);
    let mac = |n: u32| vec![0x00, 0x1a, 0x1e, 0, 0, n];
    let rows: Vec<Vec<u32>> = column(&aps, 3).into_iter().map(|r| r.0).collect();
    assert_eq!(rows, [mac(1), mac(3), mac(5), mac(9)]);
    assert_eq!(aps.len(), 12);
    assert_eq!(aps[&(1, mac(5))].2, [0x00, 0x1a, 0x1e, 0, 0, 5]);
    assert_eq!(text(&aps[&(3, mac(9))]), "ap-9");
    let status: Vec<i64> = column(&aps, 6).iter().map(|r| int(&r.1)).collect();
    assert_eq!(status, [1, 2, 1, 1]);
    // Two radios each; the dead one has no clients, the quiet one a few.
    let (radios, per_ssid) = clients_at_one_minute(&mut c);
    let indices: Vec<Vec<u32>> = radios.iter().map(|r| r.0.clone()).collect();
    let slot = |n: u32, s: u32| [mac(n), vec![s]].concat();
    assert_eq!(
        indices,
        [1, 3, 5, 9]
            .iter()
            .flat_map(|&n| [slot(n, 0), slot(n, 1)])
            .collect::<Vec<_>>()
    );
    let ap_total = |i: usize| radios[2 * i].1 + radios[2 * i + 1].1;
    assert_eq!(ap_total(1), 0, "dead AP has clients");
    assert!(ap_total(2) <= 3 && ap_total(0) <= 60 && ap_total(3) <= 30);
    let sum: u64 = radios.iter().map(|r| r.1).sum();
    assert_eq!(per_ssid.len(), 3);
    assert_eq!(
        per_ssid.iter().sum::<u64>(),
        sum,
        "{per_ssid:?} vs {radios:?}"
    );
    let ess = by_column(&bulk_walk(&mut c, "wlc-01", &ESS), &ESS);
    let ssids: Vec<String> = column(&ess, 2)
        .iter()
        .map(|r| text(&r.1).to_string())
        .collect();
    assert_eq!(ssids, ["eduroam", "guest", "iot"]);
    let count = c.get("wlc-01", &[&CONNECT_COUNT]);
    assert_eq!(count.varbinds[0].1, tag::GAUGE32);
    assert_eq!(count.uint(0), 3);
    // Two reads a second apart agree (unless a minute turned in between).
    let radio = [&AP_IF[..], &[15], &slot(1, 1)].concat();
    let a = c.get("wlc-01", &[&radio]).uint(0);
    std::thread::sleep(Duration::from_secs(1));
    let b = c.get("wlc-01", &[&radio]).uint(0);
    let again = c.get("wlc-01", &[&radio]).uint(0);
    assert!(a == b || b == again, "{a} then {b}");
}

#[test]
fn a_1500_ap_controller_walks_completely_and_quickly() {
    let aps: Vec<AccessPoint> = (0..1500u32)
        .map(|i| AccessPoint {
            name: format!("ap-{i:04}"),
            // Listed in reverse MAC order: the simulator sorts.
            mac: [
                0x00,
                0x1a,
                0x1e,
                0x99,
                (255 - i / 256) as u8,
                (255 - i % 256) as u8,
            ],
            pattern: if i % 10 == 0 {
                ClientPattern::Dead
            } else {
                ClientPattern::Busy { peak: 40 }
            },
        })
        .collect();
    let mut cfg = config(1, 2, "");
    cfg.backbone = Some(Backbone {
        routers: vec![],
        controllers: vec![Controller {
            name: "wlc-big".into(),
            aps,
            ssids: vec!["eduroam".into(), "guest".into()],
        }],
    });
    let sim = start_sim(cfg);
    let mut c = Client::new(sim.addr);
    let t = Instant::now();
    let walk = bulk_walk(&mut c, "wlc-big", &AP);
    let radios = bulk_walk(&mut c, "wlc-big", &AP_IF);
    let elapsed = t.elapsed();
    assert_eq!(walk.len(), 3 * 1500);
    assert_eq!(radios.len(), 2 * 1500);
    assert!(walk.windows(2).all(|w| w[0].0 < w[1].0), "not ascending");
    assert!(elapsed < Duration::from_secs(5), "walk took {elapsed:?}");
    let names = walk.iter().filter(|v| v.0[AP.len()] == 3).count();
    assert_eq!(names, 1500);
    assert_eq!(c.get("wlc-big", &[&CONNECT_COUNT]).uint(0), 1350);
}

#[test]
fn generated_devices_are_unchanged_beside_a_backbone() {
    const START_MS: u64 = 1_790_000_000_000;
    let plain = config(3, 5, "[[fault]]\ndevice = 2\nkind = \"renumber\"");
    let mut with = plain.clone();
    with.backbone = Some(small());
    let (mut a, mut b) = (
        Responder::new(&plain, START_MS),
        Responder::new(&with, START_MS),
    );
    for community in ["dev0001", "dev0002", "dev0003"] {
        let mut oid = vec![1, 3];
        loop {
            let req = request(1, community, tag::GET_BULK, (7, 0, 25), &[&oid]);
            let now = START_MS + 90_000;
            assert_eq!(a.handle(&req, now), Reply::Now);
            assert_eq!(b.handle(&req, now), Reply::Now);
            assert_eq!(a.response(), b.response(), "{community} after {oid:?}");
            let r = parse_response(a.response()).unwrap();
            let last = r.varbinds.last().unwrap();
            if last.1 == tag::END_OF_MIB_VIEW {
                break;
            }
            oid.clone_from(&last.0);
        }
    }
    // Over UDP both kinds answer, and a backbone name is unknown without a backbone.
    let sim = backbone_sim();
    let mut c = Client::new(sim.addr);
    assert_eq!(c.walk("dev0002", &[1, 3]).len(), 4 + 1 + 14 * 4 + 7 * 4);
    assert_eq!(
        c.get("pop-01", &[&[1, 3, 6, 1, 2, 1, 1, 5, 0]]).varbinds[0].2,
        b"pop-01"
    );
    let plain_sim = start_sim(config(1, 1, ""));
    let mut c = Client::new(plain_sim.addr);
    c.timeout(Duration::from_millis(150));
    assert!(c
        .ask(
            1,
            "pop-01",
            tag::GET,
            (0, 0),
            &[&[1, 3, 6, 1, 2, 1, 1, 5, 0]]
        )
        .is_none());
}

#[test]
fn an_invalid_backbone_is_refused_with_every_problem() {
    let mut bb = small();
    bb.routers[0].name = "wlc-01".into();
    bb.routers[0].ports[1].name.clear();
    let mut cfg = config(1, 1, "");
    cfg.backbone = Some(bb);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(start(cfg)).unwrap_err();
    let SimError::Config(text) = &err else {
        panic!("{err}");
    };
    assert!(
        text.contains("controller \"wlc-01\": name already used by a router"),
        "{text}"
    );
    assert!(text.contains("port 2 has an empty name"), "{text}");
}
