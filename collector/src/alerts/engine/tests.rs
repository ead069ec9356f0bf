//! The engine over hand-made events: which series a rule reads, gaps, device failures, and
//! that series never disturb each other.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::config::{AlertOp, AlertSelect, Pattern};
use crate::sample::{
    ApStatus, GapReason, OpticDirection, OpticReading, PollStatus, PortCounters, PortRates, Wifi,
};

fn rule(
    name: &str,
    metric: AlertMetric,
    op: AlertOp,
    value: f64,
    for_s: u64,
    keep_s: u64,
) -> AlertRule {
    AlertRule {
        name: name.into(),
        metric,
        op,
        value,
        for_: Duration::from_secs(for_s),
        keep_firing_for: Duration::from_secs(keep_s),
        select: AlertSelect::default(),
        severity: "warning".into(),
        receivers: vec![],
    }
}

fn port(key: &str, alias: &str) -> PortCounters {
    PortCounters {
        key: key.into(),
        if_alias: Some(alias.into()),
        oper_status: Some(1),
        admin_status: Some(1),
        ..PortCounters::default()
    }
}

/// A poll of `device` at `t` s with one port per (key, utilisation): `None` a gap.
fn poll(device: &str, t: i64, ports: &[(&str, Option<f64>)]) -> Event {
    let p = DevicePoll {
        device: device.into(),
        time_ms: t * 1000,
        ports: ports
            .iter()
            .map(|(k, _)| port(k, &format!("to {k}")))
            .collect(),
        ..DevicePoll::default()
    };
    let rates = ports
        .iter()
        .map(|(k, u)| PortRates {
            key: (*k).into(),
            time_ms: t * 1000,
            utilisation_in: *u,
            utilisation_out: u.map(|x| x / 2.0),
            in_bps: u.map(|x| x * 1e7),
            gap: u.is_none().then_some(GapReason::Reboot),
            ..PortRates::default()
        })
        .collect();
    Event::Poll(Arc::new((p, rates)))
}

fn failed(device: &str, t: i64) -> Event {
    Event::Status {
        device: device.into(),
        status: PollStatus::Timeout,
        error: None,
        time_ms: t * 1000,
    }
}

/// The transitions of a run, as `(t s, rule, device, series, transition)`.
fn run(e: &mut Engine, events: &[Event]) -> Vec<(i64, usize, String, Sub, Transition)> {
    events
        .iter()
        .flat_map(|ev| e.observe(ev))
        .map(|c| (c.at_ms / 1000, c.rule, c.device, c.sub, c.transition))
        .collect()
}

fn port_sub(k: &str) -> Sub {
    Sub::Port(k.into())
}

#[test]
fn a_busy_port_fires_after_for_and_resolves_after_keep_firing_for_gaps_changing_nothing() {
    let mut e = Engine::new(vec![rule(
        "busy",
        AlertMetric::Utilisation,
        AlertOp::Gt,
        80.0,
        60,
        120,
    )]);
    let events = [
        poll("r1", 0, &[("a", Some(90.0)), ("b", Some(10.0))]),
        poll("r1", 30, &[("a", None), ("b", Some(10.0))]),
        poll("r1", 60, &[("a", Some(85.0)), ("b", Some(10.0))]),
        poll("r1", 90, &[("a", Some(10.0)), ("b", Some(10.0))]),
        poll("r1", 150, &[("a", None), ("b", None)]),
        poll("r1", 210, &[("a", Some(10.0)), ("b", Some(10.0))]),
    ];
    let t = run(&mut e, &events);
    let a = || "r1".to_string();
    assert_eq!(
        t,
        [
            (0, 0, a(), port_sub("a"), Transition::Pending),
            (60, 0, a(), port_sub("a"), Transition::Fired),
            (210, 0, a(), port_sub("a"), Transition::Resolved),
        ]
    );
    assert_eq!(e.tracked().count(), 0);
}

#[test]
fn a_failed_poll_is_device_up_0_and_no_rate_rule_sees_it() {
    let mut e = Engine::new(vec![
        rule("down", AlertMetric::DeviceUp, AlertOp::Eq, 0.0, 10, 0),
        rule("idle", AlertMetric::Utilisation, AlertOp::Lt, 1.0, 0, 0),
    ]);
    let events = [
        failed("r2", 0),
        failed("r2", 5),
        failed("r2", 10),
        poll("r2", 15, &[("a", None)]),
        poll("r2", 20, &[("a", Some(0.5))]),
    ];
    let t = run(&mut e, &events);
    let d = || "r2".to_string();
    assert_eq!(
        t,
        [
            (0, 0, d(), Sub::Device, Transition::Pending),
            (10, 0, d(), Sub::Device, Transition::Fired),
            (15, 0, d(), Sub::Device, Transition::Resolved),
            (20, 1, d(), port_sub("a"), Transition::Fired),
        ]
    );
}

#[test]
fn select_by_device_port_and_alias() {
    let mut r = rule("busy", AlertMetric::InBps, AlertOp::Gt, 0.0, 0, 0);
    r.select = AlertSelect {
        device: Some(Pattern::glob("core-*").unwrap()),
        port: Some(Pattern::glob("xe-*").unwrap()),
        alias: Some(Pattern::regex("(?i)TO XE-0").unwrap()),
        hotspot: None,
    };
    let mut e = Engine::new(vec![r]);
    let ports = [
        ("xe-0", Some(50.0)),
        ("xe-1", Some(50.0)),
        ("ge-0", Some(50.0)),
    ];
    let t = run(
        &mut e,
        &[poll("edge-1", 0, &ports), poll("core-1", 0, &ports)],
    );
    assert_eq!(
        t,
        [(
            0,
            0,
            "core-1".to_string(),
            port_sub("xe-0"),
            Transition::Fired
        )]
    );
    let (_, _, _, tracked) = e.tracked().next().unwrap();
    assert_eq!(tracked.extra.alias.as_deref(), Some("to xe-0"));
}

#[test]
fn oper_status_is_down_while_admin_up_only() {
    let mut e = Engine::new(vec![rule(
        "down",
        AlertMetric::OperStatus,
        AlertOp::Eq,
        0.0,
        0,
        0,
    )]);
    let mut p = DevicePoll {
        device: "r".into(),
        ports: vec![
            port("up", ""),
            port("down", ""),
            port("shut", ""),
            port("dormant", ""),
        ],
        ..DevicePoll::default()
    };
    p.ports[1].oper_status = Some(2);
    p.ports[2].oper_status = Some(2);
    p.ports[2].admin_status = Some(2);
    p.ports[3].oper_status = Some(5);
    let t = run(&mut e, &[Event::Poll(Arc::new((p, vec![])))]);
    assert_eq!(
        t,
        [(0, 0, "r".to_string(), port_sub("down"), Transition::Fired)]
    );
}

#[test]
fn optics_access_points_and_hotspots() {
    let mut e = Engine::new(vec![
        rule("dark", AlertMetric::OpticRxDbm, AlertOp::Lt, -20.0, 0, 0),
        rule("ap", AlertMetric::WifiApUp, AlertOp::Eq, 0.0, 0, 0),
        rule(
            "crowd",
            AlertMetric::HotspotClients,
            AlertOp::Ge,
            30.0,
            0,
            0,
        ),
    ]);
    e.set_hotspots(Hotspots::new(&[crate::store::HotspotAps {
        id: "spot-1".into(),
        access_points: vec!["AP-1".into(), "00:11:22:33:44:55".into()],
    }]));
    let ap = |name: &str, mac: Option<&str>, status: &str, clients: u64| ApStatus {
        name: name.into(),
        mac: mac.map(str::to_string),
        status: status.into(),
        clients: Some(clients),
    };
    let optic = |lane: Option<u32>, direction, dbm| {
        OpticReading::current("xe-0".into(), lane, direction, dbm)
    };
    let p = DevicePoll {
        device: "wlc".into(),
        optics: vec![
            optic(Some(1), OpticDirection::Rx, -3.0),
            optic(Some(2), OpticDirection::Rx, -25.0),
            optic(Some(2), OpticDirection::Tx, -30.0),
        ],
        wifi: Some(Wifi {
            aps: vec![
                ap("ap-1", None, "down", 0),
                ap("ap-2", Some("0011.2233.4455"), "up", 31),
                ap("ap-3", None, "unknown", 99),
            ],
            ..Wifi::default()
        }),
        ..DevicePoll::default()
    };
    let changes = e.observe(&Event::Poll(Arc::new((p, vec![]))));
    let got: Vec<(usize, Sub, Option<String>)> = changes
        .into_iter()
        .map(|c| (c.rule, c.sub, c.extra.hotspot))
        .collect();
    assert_eq!(
        got,
        [
            (0, Sub::Lane("xe-0".into(), 2), None),
            (1, Sub::Ap("ap-1".into()), Some("spot-1".into())),
            (2, Sub::Hotspot("spot-1".into()), None),
        ]
    );
}

/// A poll of `device` at `t` s reading `(port, direction, dBm)` (`no_light` for a dark one).
fn optics_poll(device: &str, t: i64, levels: &[(&str, OpticDirection, f64, bool)]) -> Event {
    let p = DevicePoll {
        device: device.into(),
        time_ms: t * 1000,
        optics: levels
            .iter()
            .map(|(port, d, dbm, dark)| OpticReading {
                no_light: *dark,
                ..OpticReading::current((*port).into(), None, *d, *dbm)
            })
            .collect(),
        ..DevicePoll::default()
    };
    Event::Poll(Arc::new((p, vec![])))
}

#[test]
fn loss_excess_is_the_far_ends_last_level_minus_this_ones_minus_the_expected() {
    use OpticDirection::{Rx, Tx};
    let mut e = Engine::new(vec![rule(
        "loss",
        AlertMetric::OpticLossExcessDb,
        AlertOp::Gt,
        3.0,
        0,
        0,
    )]);
    // c-1: a:xe-1 → b:xe-2 expects 4 dB (and back); c-2 is on another port of b.
    let path = |c: &str, tx: (&str, &str), rx: (&str, &str), expected_db| loss::LossPath {
        circuit: c.into(),
        tx_device: tx.0.into(),
        tx_port: tx.1.into(),
        rx_device: rx.0.into(),
        rx_port: rx.1.into(),
        expected_db,
    };
    e.set_losses(LossPaths::new(vec![
        path("c-1", ("a", "xe-1"), ("b", "xe-2"), 4.0),
        path("c-1", ("b", "xe-2"), ("a", "xe-1"), 4.0),
    ]));
    let b = |t, rx| {
        optics_poll(
            "b",
            t,
            &[("xe-2", Rx, rx, false), ("xe-9", Rx, -30.0, false)],
        )
    };
    let changes = |e: &mut Engine, ev: &Event| -> Vec<(Sub, Transition, f64, Option<String>)> {
        e.observe(ev)
            .into_iter()
            .map(|c| (c.sub, c.transition, c.value, c.extra.circuit))
            .collect()
    };
    let lane = Sub::Lane("xe-2".into(), 0);
    // b read before a: no level for the far end yet, a gap.
    assert_eq!(changes(&mut e, &b(0, -12.0)), []);
    // a sends at -1 dBm: b's -12 dBm is 11 dB of loss, 7 more than expected.
    assert_eq!(
        changes(&mut e, &optics_poll("a", 10, &[("xe-1", Tx, -1.0, false)])),
        []
    );
    let fired = changes(&mut e, &b(30, -12.0));
    assert_eq!(
        fired,
        [(lane.clone(), Transition::Fired, 7.0, Some("c-1".into()))],
        "xe-9 carries no circuit, and a's own receive level is not read on b's poll"
    );
    // a's poll fails: its level is no longer known, a gap that does not resolve.
    assert_eq!(changes(&mut e, &failed("a", 40)), []);
    assert_eq!(changes(&mut e, &b(60, -5.0)), []);
    // a reads again, its laser dark: no light sent is no loss to measure, still a gap.
    assert_eq!(
        changes(&mut e, &optics_poll("a", 70, &[("xe-1", Tx, -40.0, true)])),
        []
    );
    assert_eq!(changes(&mut e, &b(90, -5.0)), []);
    // a's last level read more than 15 minutes before b's: stale, a gap.
    assert_eq!(
        changes(&mut e, &optics_poll("a", 100, &[("xe-1", Tx, -1.0, false)])),
        []
    );
    assert_eq!(changes(&mut e, &b(100 + 15 * 60 + 1, -5.0)), []);
    // A fresh level and a clean path (1 dB over): resolved.
    assert_eq!(
        changes(
            &mut e,
            &optics_poll("a", 1100, &[("xe-1", Tx, -1.0, false)])
        ),
        []
    );
    assert_eq!(
        changes(&mut e, &b(1110, -6.0)),
        [(lane, Transition::Resolved, 1.0, Some("c-1".into()))]
    );
}

#[test]
fn a_restored_series_carries_on() {
    let mut e = Engine::new(vec![rule(
        "busy",
        AlertMetric::Utilisation,
        AlertOp::Gt,
        80.0,
        60,
        0,
    )]);
    let track = Track {
        phase: Phase::Pending,
        since_ms: 0,
        fired_ms: None,
        last_held_ms: 0,
    };
    let tracked = Tracked {
        track,
        value: 90.0,
        extra: Extra::default(),
    };
    e.restore(0, "r1", port_sub("a"), tracked);
    let t = run(&mut e, &[poll("r1", 61, &[("a", Some(95.0))])]);
    assert_eq!(
        t,
        [(61, 0, "r1".to_string(), port_sub("a"), Transition::Fired)]
    );
    assert_eq!(
        e.counts().get(&(Phase::Firing, "warning".to_string())),
        Some(&1)
    );
}

proptest! {
    /// Several devices and ports polled in any interleaving: each series goes through exactly
    /// the transitions the state machine gives it alone.
    #[test]
    fn series_never_disturb_each_other(
        steps in prop::collection::vec((0usize..3, 0usize..3, prop::option::weighted(0.8, 0.0f64..100.0)), 0..200),
        for_s in 0u64..120,
        keep_s in 0u64..120,
    ) {
        let r = rule("busy", AlertMetric::Utilisation, AlertOp::Gt, 50.0, for_s, keep_s);
        let timing = Timing { for_ms: for_s as i64 * 1000, keep_firing_for_ms: keep_s as i64 * 1000 };
        let mut e = Engine::new(vec![r]);
        let mut alone: HashMap<(usize, usize), Option<Track>> = HashMap::new();
        let mut want = Vec::new();
        let mut got = Vec::new();
        for (i, (d, p, u)) in steps.into_iter().enumerate() {
            let t = i as i64 * 10;
            let dev = format!("d{d}");
            let key = format!("p{p}");
            got.extend(run(&mut e, &[poll(&dev, t, &[(&key, u)])]));
            if let Some(u) = u {
                let slot = alone.entry((d, p)).or_default();
                let (next, what) = step(*slot, u > 50.0, t * 1000, timing);
                *slot = next;
                if what != Transition::None {
                    want.push((t, 0, dev, Sub::Port(key), what));
                }
            }
        }
        prop_assert_eq!(got, want);
    }
}
