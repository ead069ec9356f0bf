//! Unit tests of the drift report: small networks in the text form, fixtures of LLDP entries
//! and optical levels, findings compared exactly.

use super::*;
use crate::text::parse;

fn net(text: &str) -> Network {
    let (sites, links) = parse(text).unwrap();
    Network::build(&sites, &links).0
}

fn circuit(id: &str, links: &str, a: (&str, &str), b: (&str, &str)) -> Circuit {
    Circuit {
        id: id.into(),
        links: links.split(',').map(str::to_string).collect(),
        a_end: PortEnd::new(a.0, a.1),
        b_end: PortEnd::new(b.0, b.1),
    }
}

/// `device:local_port` sees `system_name` on `port_id`.
fn nb(device: &str, local: &str, system_name: &str, port_id: &str) -> Neighbour {
    Neighbour {
        device: device.into(),
        local_port: local.into(),
        remote_chassis_id: None,
        remote_system_name: Some(system_name.into()),
        remote_port_id: Some(port_id.into()),
        remote_port_descr: None,
    }
}

fn level(device: &str, port: &str, direction: Direction, dbm: f64) -> OpticLevel {
    OpticLevel {
        no_light: false,
        device: device.into(),
        port: port.into(),
        lane: None,
        direction,
        dbm,
    }
}

fn observed(devices: &[&str], neighbours: Vec<Neighbour>) -> Observed {
    Observed {
        lldp_devices: devices.iter().map(|d| d.to_string()).collect(),
        neighbours,
        ..Observed::default()
    }
}

/// Three routers in a line: c1 = ra:xe-1 ↔ rb:xe-1 along A-B, c2 = rb:xe-2 ↔ rc:xe-1 along B-C.
fn line() -> (Network, Vec<Circuit>) {
    (
        net("A-B 10km; B-C 4km"),
        vec![
            circuit("c1", "A-B", ("ra", "xe-1"), ("rb", "xe-1")),
            circuit("c2", "B-C", ("rb", "xe-2"), ("rc", "xe-1")),
        ],
    )
}

#[test]
fn matching_lldp_confirms_every_circuit_and_leaves_nothing_unknown() {
    let (n, cs) = line();
    let obs = observed(
        &["ra", "rb", "rc"],
        vec![
            nb("ra", "xe-1", "rb", "xe-1"),
            nb("rb", "xe-1", "ra", "xe-1"),
            nb("rb", "xe-2", "rc", "xe-1"),
            nb("rc", "xe-1", "rb", "xe-2"),
        ],
    );
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.confirmed, ["c1", "c2"]);
    assert!(r.wrong_port.is_empty() && r.no_live_neighbour.is_empty());
    assert!(r.unknown_neighbours.is_empty() && r.not_observed.is_empty());
}

#[test]
fn one_side_of_lldp_is_enough_and_names_resolve_by_host_part_and_case() {
    let (n, cs) = line();
    // Only ra and rc answer LLDP; they report FQDNs and upper-case port names.
    let obs = observed(
        &["ra", "rc"],
        vec![
            nb("ra", "xe-1", "RB.backbone.example", "XE-1"),
            nb("rc", "xe-1", "rb.backbone.example", "xe-2"),
        ],
    );
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.confirmed, ["c1", "c2"]);
}

#[test]
fn chassis_ids_resolve_a_remote_without_a_system_name() {
    let (n, cs) = line();
    let mut obs = observed(
        &["ra"],
        vec![Neighbour {
            device: "ra".into(),
            local_port: "xe-1".into(),
            remote_chassis_id: Some("00-1A-2B-3C-4D-5E".into()),
            remote_system_name: None,
            remote_port_id: Some("xe-1".into()),
            remote_port_descr: None,
        }],
    );
    obs.chassis_ids
        .insert("rb".into(), "00:1a:2b:3c:4d:5e".into());
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.confirmed, ["c1"]);
    assert_eq!(r.not_observed, ["c2"]);
}

#[test]
fn port_description_resolves_when_the_port_id_is_a_mac() {
    let (n, cs) = line();
    let mut e = nb("ra", "xe-1", "rb", "00:11:22:33:44:55");
    e.remote_port_descr = Some("xe-1".into());
    let r = n.drift(&cs, &observed(&["ra"], vec![e]), &DriftOptions::default());
    assert_eq!(r.confirmed, ["c1"]);
}

#[test]
fn each_kind_of_wrong_port_is_named_with_what_is_live() {
    let (n, cs) = line();
    let obs = observed(
        &["ra", "rb", "rc"],
        vec![
            // c1: ra:xe-1 sees rb, but on rb's xe-7 (the far end is on the wrong port).
            nb("ra", "xe-1", "rb", "xe-7"),
            // c2: rb sees rc:xe-1 on its xe-9, not xe-2 (the local end is on the wrong port).
            nb("rb", "xe-9", "rc", "xe-1"),
        ],
    );
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert!(r.confirmed.is_empty());
    let got: Vec<_> = r
        .wrong_port
        .iter()
        .map(|w| {
            (
                w.circuit.as_str(),
                w.kind,
                w.documented.clone(),
                w.live.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "c1",
                WrongPortKind::FarPort,
                PortEnd::new("rb", "xe-1"),
                PortEnd::new("rb", "xe-7")
            ),
            (
                "c2",
                WrongPortKind::LocalPort,
                PortEnd::new("rb", "xe-2"),
                PortEnd::new("rb", "xe-9")
            ),
        ]
    );
    // rb:xe-9 is explained by c2's finding: not an unknown neighbour.
    assert!(
        r.unknown_neighbours.is_empty(),
        "{:?}",
        r.unknown_neighbours
    );
}

#[test]
fn a_documented_port_facing_another_device_is_wrong_and_no_entry_is_unconfirmed() {
    let (n, cs) = line();
    let obs = observed(&["ra", "rb", "rc"], vec![nb("ra", "xe-1", "rx", "ge-0")]);
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.wrong_port.len(), 1);
    assert_eq!(r.wrong_port[0].kind, WrongPortKind::OtherDevice);
    assert_eq!(r.wrong_port[0].live, PortEnd::new("rx", "ge-0"));
    assert_eq!(r.no_live_neighbour.len(), 1);
    assert_eq!(r.no_live_neighbour[0].circuit, "c2");
}

#[test]
fn devices_without_lldp_data_are_not_observed_rather_than_missing() {
    let (n, cs) = line();
    let r = n.drift(&cs, &Observed::default(), &DriftOptions::default());
    assert_eq!(r.not_observed, ["c1", "c2"]);
    assert!(r.no_live_neighbour.is_empty());
}

#[test]
fn undocumented_adjacencies_are_listed_once_per_pair() {
    let (n, cs) = line();
    let obs = observed(
        &["ra", "rb", "rc"],
        vec![
            nb("ra", "xe-1", "rb", "xe-1"),
            // A cable between ra and rc the cadastre does not have, seen from both sides.
            nb("ra", "xe-5", "rc", "xe-6"),
            nb("rc", "xe-6", "ra", "xe-5"),
            // A foreign box on rb.
            nb("rb", "ge-0/0/0", "isp-cpe-17", "eth0"),
        ],
    );
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    let got: Vec<_> = r
        .unknown_neighbours
        .iter()
        .map(|l| {
            (
                l.local.clone(),
                l.remote.clone(),
                l.remote_known,
                l.seen_both_ways,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                PortEnd::new("ra", "xe-5"),
                PortEnd::new("rc", "xe-6"),
                true,
                true
            ),
            (
                PortEnd::new("rb", "ge-0/0/0"),
                PortEnd::new("isp-cpe-17", "eth0"),
                false,
                false
            ),
        ]
    );
}

#[test]
fn loss_beyond_the_route_budget_and_margin_is_listed_per_direction() {
    let (n, cs) = line();
    // c1 over 10 km at 1310 nm: 3.5 dB + 5 splices x 0.1 + 2 connectors x 0.5 = 5.0 dB.
    let expected = 5.0;
    let obs = Observed {
        optics: vec![
            level("ra", "xe-1", Direction::Tx, -1.0),
            level("rb", "xe-1", Direction::Rx, -1.0 - expected - 2.9), // within the 3 dB margin
            level("rb", "xe-1", Direction::Tx, 0.5),
            level("ra", "xe-1", Direction::Rx, 0.5 - expected - 4.0), // 4 dB too much
            level("rb", "xe-2", Direction::Tx, f64::NAN),             // ignored
            level("rc", "xe-1", Direction::Rx, -30.0),
        ],
        ..Observed::default()
    };
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.loss_checked, 2);
    assert_eq!(r.loss_excess.len(), 1);
    let e = &r.loss_excess[0];
    assert_eq!((e.from.device.as_str(), e.to.device.as_str()), ("rb", "ra"));
    assert!((e.expected_db - expected).abs() < 1e-9, "{}", e.expected_db);
    assert!((e.excess_db - 4.0).abs() < 1e-9, "{}", e.excess_db);
    // At 1550 nm the expected loss is 1 dB lower: the first direction now exceeds it too.
    let r = n.drift(
        &cs,
        &obs,
        &DriftOptions {
            wavelength: Wavelength::Nm1550,
            ..DriftOptions::default()
        },
    );
    assert_eq!(r.loss_excess.len(), 2);
}

#[test]
fn a_dark_laser_measures_no_loss_and_a_dark_receiver_is_a_lower_bound() {
    let (n, cs) = line();
    let dark = |d: &str, dir, dbm| OpticLevel {
        no_light: true,
        ..level(d, "xe-1", dir, dbm)
    };
    let obs = Observed {
        optics: vec![
            // ra's laser is off (its floor): nothing is sent, no loss to judge.
            dark("ra", Direction::Tx, -40.0),
            level("rb", "xe-1", Direction::Rx, -60.0),
            // rb sends, ra receives nothing: at least 40.5 dB lost.
            level("rb", "xe-1", Direction::Tx, 0.5),
            dark("ra", Direction::Rx, -40.0),
        ],
        ..Observed::default()
    };
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.loss_checked, 1);
    assert_eq!(r.loss_excess.len(), 1);
    let e = &r.loss_excess[0];
    assert_eq!((e.from.device.as_str(), e.to.device.as_str()), ("rb", "ra"));
    assert!(e.rx_no_light);
    assert!((e.measured_db - 40.5).abs() < 1e-9, "{}", e.measured_db);
}

#[test]
fn lanes_are_compared_lane_by_lane() {
    let (n, cs) = line();
    let lane = |d: &str, dir, l, dbm| OpticLevel {
        no_light: false,
        device: String::from(d),
        port: "xe-1".into(),
        lane: Some(l),
        direction: dir,
        dbm,
    };
    let obs = Observed {
        optics: vec![
            lane("ra", Direction::Tx, 1, 0.0),
            lane("ra", Direction::Tx, 2, 0.0),
            lane("rb", Direction::Rx, 1, -6.0),
            lane("rb", Direction::Rx, 2, -15.0),
        ],
        ..Observed::default()
    };
    let r = n.drift(&cs, &obs, &DriftOptions::default());
    assert_eq!(r.loss_checked, 2);
    assert_eq!(r.loss_excess.len(), 1);
    assert_eq!(r.loss_excess[0].lane, Some(2));
}

#[test]
fn a_circuit_on_an_unknown_link_is_reported_not_guessed() {
    let (n, _) = line();
    let cs = [circuit("c9", "A-B,Z-Q", ("ra", "xe-1"), ("rb", "xe-1"))];
    let r = n.drift(&cs, &Observed::default(), &DriftOptions::default());
    assert_eq!(r.unknown_links, ["c9"]);
}
