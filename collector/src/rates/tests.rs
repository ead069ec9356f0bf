//! Tests of the counter laws: examples for each rule, then the laws as proptest properties.

use proptest::prelude::*;

use super::*;

const G: u64 = 1_000_000_000;
const WRAP: u64 = 1 << 32;

/// A port with octet counters of `bits` width and the given speed; other counters absent.
fn port(key: &str, bits: u8, in_octets: u64, out_octets: u64, speed: Option<u64>) -> PortCounters {
    PortCounters {
        key: key.to_string(),
        if_index: 1,
        speed_bps: speed,
        in_octets: Some(in_octets),
        out_octets: Some(out_octets),
        counter_bits: bits,
        ..PortCounters::default()
    }
}

fn poll(time_ms: i64, sys_uptime: Option<u32>, ports: Vec<PortCounters>) -> DevicePoll {
    DevicePoll {
        device: "core-1".to_string(),
        time_ms,
        sys_uptime,
        ports,
        ..DevicePoll::default()
    }
}

/// Two polls `interval_ms` apart with a consistent sysUpTime, one port each.
fn pair(interval_ms: i64, prev: PortCounters, cur: PortCounters) -> (DevicePoll, DevicePoll) {
    let up = 1_000_000u32;
    let advance = u32::try_from(interval_ms.max(0) / 10).unwrap();
    (
        poll(1_000_000, Some(up), vec![prev]),
        poll(1_000_000 + interval_ms, Some(up + advance), vec![cur]),
    )
}

fn one(prev: &DevicePoll, cur: &DevicePoll) -> (PortRates, RateStats) {
    let (mut rates, stats) = compute(prev, cur);
    assert_eq!(rates.len(), 1);
    (rates.remove(0), stats)
}

#[test]
fn hc_counters_give_bit_rates_and_utilisation() {
    let (prev, cur) = pair(
        10_000,
        port("xe-0/0/0", 64, 5_000_000_000_000, 7, Some(G)),
        port("xe-0/0/0", 64, 5_000_001_250_000, 7 + 125_000_000, Some(G)),
    );
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, None);
    assert_eq!(r.interval_ms, 10_000);
    assert_eq!(r.time_ms, cur.time_ms);
    assert_eq!(r.in_bps, Some(1_000_000.0));
    assert_eq!(r.out_bps, Some(100_000_000.0));
    assert_eq!(r.utilisation_in, Some(0.1));
    assert_eq!(r.utilisation_out, Some(10.0));
    assert_eq!(r.in_pps, None);
    assert_eq!((stats.n_ports, stats.n_rates, stats.n_gaps), (1, 1, 0));
    assert!(is_rate_sane(&r, Some(G)));
}

#[test]
fn a_plausible_32_bit_wrap_is_a_rate() {
    let (prev, cur) = pair(
        10_000,
        port("ge-1", 32, WRAP - 1_000, 0, Some(G)),
        port("ge-1", 32, 24_000, 0, Some(G)),
    );
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.gap, None);
    assert_eq!(r.in_bps, Some(25_000.0 * 8.0 / 10.0));
}

#[test]
fn an_implausible_32_bit_wrap_is_a_gap() {
    // 10 Mbit/s for 10 s carries at most 13.75 MB; the wrapped delta is ~4 GB.
    let (prev, cur) = pair(
        10_000,
        port("fe-1", 32, 1_000_000, 0, Some(10_000_000)),
        port("fe-1", 32, 999_000, 0, Some(10_000_000)),
    );
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::ImplausibleWrap));
    assert_eq!(r.in_bps, None);
    assert_eq!(r.out_bps, None);
    assert_eq!(stats.gaps(GapReason::ImplausibleWrap), 1);
    assert_eq!(stats.n_gaps, 1);
}

#[test]
fn a_wrap_with_unknown_speed_is_a_gap() {
    for speed in [None, Some(0)] {
        let (prev, cur) = pair(
            10_000,
            port("tun0", 32, WRAP - 10, 0, speed),
            port("tun0", 32, 10, 0, speed),
        );
        assert_eq!(one(&prev, &cur).0.gap, Some(GapReason::ImplausibleWrap));
    }
}

#[test]
fn unknown_speed_gives_rates_without_utilisation_or_speed_check() {
    for speed in [None, Some(0)] {
        let (prev, cur) = pair(
            1_000,
            port("tun0", 64, 0, 0, speed),
            port("tun0", 64, u64::MAX / 2, 1, speed),
        );
        let (r, _) = one(&prev, &cur);
        assert_eq!(r.gap, None);
        assert_eq!(r.in_bps, Some((u64::MAX / 2) as f64 * 8.0));
        assert_eq!(r.out_bps, Some(8.0));
        assert_eq!((r.utilisation_in, r.utilisation_out), (None, None));
    }
}

#[test]
fn a_64_bit_counter_going_back_is_a_discontinuity() {
    let (prev, cur) = pair(
        10_000,
        port("xe-1", 64, 10, 500, Some(G)),
        port("xe-1", 64, 20, 499, Some(G)),
    );
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::Discontinuity));
    assert_eq!((r.in_bps, r.out_bps), (None, None));
    assert_eq!(stats.gaps(GapReason::Discontinuity), 1);
}

#[test]
fn a_changed_counter_discontinuity_time_is_a_discontinuity_without_a_reboot() {
    let at = |t: Option<u32>, octets: u64| PortCounters {
        discontinuity_time: t,
        ..port("xe-1", 64, octets, octets, Some(G))
    };
    // The line card's counters were cleared and have since grown past their old value: the
    // counters alone look like a plausible rate, sysUpTime like no reboot.
    let (mut prev, mut cur) = pair(10_000, at(Some(500), 1_000), at(Some(90_000), 2_000));
    prev.sys_uptime = Some(100_000);
    cur.sys_uptime = Some(101_000);
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::Discontinuity));
    assert_eq!((r.in_bps, r.out_bps, r.in_pps), (None, None, None));
    assert_eq!(stats.gaps(GapReason::Discontinuity), 1);
    // Unchanged, or known in one poll only: the counters decide.
    for (before, now) in [(Some(500), Some(500)), (None, Some(500)), (Some(500), None)] {
        let (prev, cur) = pair(10_000, at(before, 1_000), at(now, 2_000));
        let r = one(&prev, &cur).0;
        assert_eq!(r.gap, None, "{before:?} → {now:?}");
        assert_eq!(r.in_bps, Some(800.0));
    }
}

#[test]
fn a_change_of_counter_width_is_a_discontinuity() {
    let (prev, cur) = pair(
        10_000,
        port("xe-1", 32, 10, 10, Some(G)),
        port("xe-1", 64, 20, 20, Some(G)),
    );
    assert_eq!(one(&prev, &cur).0.gap, Some(GapReason::Discontinuity));
}

#[test]
fn over_speed_is_a_gap_and_110_percent_is_not() {
    // 1 Gbit/s × 1.1 × 10 s / 8 = 1.375 GB.
    let limit = 1_375_000_000;
    let (prev, cur) = pair(
        10_000,
        port("ge-1", 64, 0, 0, Some(G)),
        port("ge-1", 64, limit, limit + 1, Some(G)),
    );
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::OverSpeed));
    assert_eq!(stats.gaps(GapReason::OverSpeed), 1);

    let (prev, cur) = pair(
        10_000,
        port("ge-1", 64, 0, 0, Some(G)),
        port("ge-1", 64, limit, 0, Some(G)),
    );
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.gap, None);
    assert_eq!(r.utilisation_in, Some(110.0));
}

#[test]
fn sys_uptime_going_back_makes_every_port_a_reboot_gap() {
    let prev = poll(
        0,
        Some(50_000),
        vec![port("a", 64, 0, 0, Some(G)), port("b", 32, 0, 0, None)],
    );
    let cur = poll(
        60_000,
        Some(100),
        vec![port("a", 64, 10, 10, Some(G)), port("b", 32, 10, 10, None)],
    );
    let (rates, stats) = compute(&prev, &cur);
    assert!(rates.iter().all(|r| r.gap == Some(GapReason::Reboot)));
    assert!(rates
        .iter()
        .all(|r| r.in_bps.is_none() && r.out_bps.is_none()));
    assert_eq!(stats.gaps(GapReason::Reboot), 2);
    assert_eq!(stats.n_rates, 0);
}

#[test]
fn a_reboot_between_polls_is_seen_from_a_short_uptime_advance() {
    // 10 minutes of wall time, but sysUpTime advanced 2 minutes: the device came back up.
    let prev = poll(0, Some(12_000), vec![port("a", 32, 1_000, 0, Some(G))]);
    let cur = poll(600_000, Some(24_000), vec![port("a", 32, 900, 0, Some(G))]);
    assert_eq!(one(&prev, &cur).0.gap, Some(GapReason::Reboot));
}

#[test]
fn without_sys_uptime_counters_decide() {
    let prev = poll(0, None, vec![port("a", 64, 0, 0, Some(G))]);
    let cur = poll(1_000, Some(5), vec![port("a", 64, 1, 1, Some(G))]);
    assert_eq!(one(&prev, &cur).0.gap, None);
}

#[test]
fn a_non_increasing_time_is_a_bad_interval() {
    for dt in [0, -1_000] {
        let prev = poll(10_000, None, vec![port("a", 64, 0, 0, Some(G))]);
        let cur = poll(10_000 + dt, None, vec![port("a", 64, 1, 1, Some(G))]);
        let (r, stats) = one(&prev, &cur);
        assert_eq!(r.gap, Some(GapReason::BadInterval));
        assert_eq!(r.interval_ms, dt);
        assert_eq!(stats.gaps(GapReason::BadInterval), 1);
    }
}

#[test]
fn a_new_port_has_no_previous_and_ports_match_by_key_not_if_index() {
    let mut moved = port("ge-1", 64, 0, 0, Some(G));
    moved.if_index = 7;
    let prev = poll(0, None, vec![moved]);
    let mut renumbered = port("ge-1", 64, 125, 0, Some(G));
    renumbered.if_index = 1007;
    let cur = poll(
        1_000,
        None,
        vec![port("ge-2", 64, 1, 1, Some(G)), renumbered],
    );
    let (rates, stats) = compute(&prev, &cur);
    assert_eq!(rates[0].key, "ge-2");
    assert_eq!(rates[0].gap, Some(GapReason::NoPrevious));
    assert_eq!(rates[1].key, "ge-1");
    assert_eq!(rates[1].in_bps, Some(1_000.0));
    assert_eq!(stats.gaps(GapReason::NoPrevious), 1);
    assert_eq!((stats.n_ports, stats.n_rates, stats.n_gaps), (2, 1, 1));
}

#[test]
fn missing_counters() {
    // Absent from both: no rate, no gap.
    let mut a = port("a", 64, 0, 0, Some(G));
    let mut b = port("a", 64, 8, 0, Some(G));
    a.out_octets = None;
    b.out_octets = None;
    let (prev, cur) = pair(1_000, a.clone(), b.clone());
    let (r, _) = one(&prev, &cur);
    assert_eq!((r.gap, r.in_bps, r.out_bps), (None, Some(64.0), None));

    // Octets absent from one poll only: the port is a gap.
    a.out_octets = Some(0);
    let (prev, cur) = pair(1_000, a.clone(), b.clone());
    assert_eq!(one(&prev, &cur).0.gap, Some(GapReason::NoPrevious));

    // Another counter absent from one poll only: that rate alone is a gap.
    let mut a = port("a", 64, 0, 0, Some(G));
    let b = port("a", 64, 8, 0, Some(G));
    a.in_errors = Some(3);
    let (prev, cur) = pair(1_000, a, b);
    let (r, stats) = one(&prev, &cur);
    assert_eq!((r.gap, r.in_errors_ps), (None, None));
    assert_eq!(stats.n_counter_gaps, 1);
}

#[test]
fn packets_errors_and_discards() {
    let mut a = port("a", 64, 0, 0, Some(G));
    a.in_ucast_pkts = Some(u64::from(u32::MAX) - 9);
    a.out_ucast_pkts = Some(100);
    a.in_errors = Some(u64::from(u32::MAX));
    a.out_errors = Some(10);
    a.in_discards = Some(5);
    a.out_discards = Some(0);
    let mut b = a.clone();
    b.in_ucast_pkts = Some(10); // a wrap of 20 packets
    b.out_ucast_pkts = Some(300);
    b.in_errors = Some(1); // a wrap of 2 errors
    b.out_errors = Some(9); // back by 1: a wrap of 2^32 - 1, implausible
    b.in_discards = Some(25);
    b.out_discards = Some(0);
    let (prev, cur) = pair(2_000, a, b);
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, None);
    assert_eq!((r.in_pps, r.out_pps), (Some(10.0), Some(100.0)));
    assert_eq!((r.in_errors_ps, r.out_errors_ps), (Some(1.0), None));
    assert_eq!(
        (r.in_discards_ps, r.out_discards_ps),
        (Some(10.0), Some(0.0))
    );
    assert_eq!(stats.n_counter_gaps, 1);
    assert_eq!(stats.n_gaps, 0);
}

#[test]
fn packet_counter_width_change_blanks_packet_rates_only() {
    let mut a = port("a", 64, 0, 0, Some(G));
    a.in_ucast_pkts = Some(1);
    a.out_ucast_pkts = Some(1);
    let mut b = port("a", 64, 1, 1, Some(G));
    b.in_ucast_pkts = Some(2);
    b.out_ucast_pkts = Some(2);
    b.pkts_bits_64 = true;
    let (prev, cur) = pair(1_000, a, b);
    let (r, stats) = one(&prev, &cur);
    assert_eq!(
        (r.gap, r.in_bps, r.in_pps, r.out_pps),
        (None, Some(8.0), None, None)
    );
    assert_eq!(stats.n_counter_gaps, 2);
}

#[test]
fn an_octet_gap_blanks_every_rate_of_the_port() {
    let mut a = port("a", 64, 100, 0, Some(G));
    a.in_ucast_pkts = Some(5);
    let mut b = port("a", 64, 0, 0, Some(G));
    b.in_ucast_pkts = Some(6);
    let (prev, cur) = pair(1_000, a, b);
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::Discontinuity));
    assert_eq!(r.in_pps, None);
    assert_eq!(r.out_bps, None);
}

#[test]
fn counter_delta_rules() {
    assert_eq!(counter_delta(5, 7, 64, None), Ok(2));
    assert_eq!(counter_delta(7, 5, 64, None), Err(GapReason::Discontinuity));
    assert_eq!(
        counter_delta(7, 5, 64, Some(1e30)),
        Err(GapReason::Discontinuity)
    );
    assert_eq!(counter_delta(WRAP - 1, 1, 32, Some(2.0)), Ok(2));
    assert_eq!(
        counter_delta(WRAP - 1, 1, 32, Some(1.9)),
        Err(GapReason::ImplausibleWrap)
    );
    assert_eq!(
        counter_delta(WRAP - 1, 1, 32, None),
        Err(GapReason::ImplausibleWrap)
    );
    assert_eq!(
        counter_delta(0, 3, 32, Some(2.0)),
        Err(GapReason::OverSpeed)
    );
    assert_eq!(
        counter_delta(0, WRAP, 32, None),
        Err(GapReason::Discontinuity)
    );
    assert_eq!(counter_delta(0, 1, 0, None), Err(GapReason::Discontinuity));
    assert_eq!(counter_delta(0, 1, 65, None), Err(GapReason::Discontinuity));
    assert_eq!(
        counter_delta(u64::MAX, 0, 64, None),
        Err(GapReason::Discontinuity)
    );
    assert_eq!(counter_delta(15, 1, 4, Some(2.0)), Ok(2));
}

#[test]
fn stats_merge_and_list_every_reason() {
    let (prev, cur) = pair(
        1_000,
        port("a", 64, 10, 0, Some(G)),
        port("a", 64, 0, 0, Some(G)),
    );
    let (_, one_gap) = one(&prev, &cur);
    let mut total = RateStats::default();
    total.merge(&one_gap);
    total.merge(&one_gap);
    assert_eq!(total.n_gaps, 2);
    let listed: Vec<_> = total.by_reason().collect();
    assert_eq!(listed.len(), GAP_REASONS.len());
    assert!(listed.contains(&(GapReason::Discontinuity, 2)));
    assert!(listed.contains(&(GapReason::Reboot, 0)));
}

// ---- The laws, as properties ----

/// A port with arbitrary counters (each possibly absent), widths and speed.
fn arb_port(key: &'static str) -> impl Strategy<Value = PortCounters> {
    let counter = proptest::option::weighted(0.9, any::<u64>());
    (
        (
            prop_oneof![Just(32u8), Just(64u8)],
            any::<bool>(),
            proptest::option::of(prop_oneof![Just(0u64), 1u64..=400 * G]),
        ),
        [
            counter.clone(),
            counter.clone(),
            counter.clone(),
            counter.clone(),
        ],
        [counter.clone(), counter.clone(), counter.clone(), counter],
    )
        .prop_map(move |((bits, pkts64, speed), c, e)| {
            let narrow = |v: Option<u64>, wide: bool| v.map(|v| if wide { v } else { v % WRAP });
            PortCounters {
                key: key.to_string(),
                speed_bps: speed,
                counter_bits: bits,
                pkts_bits_64: pkts64,
                in_octets: narrow(c[0], bits == 64),
                out_octets: narrow(c[1], bits == 64),
                in_ucast_pkts: narrow(c[2], pkts64),
                out_ucast_pkts: narrow(c[3], pkts64),
                in_errors: narrow(e[0], false),
                out_errors: narrow(e[1], false),
                in_discards: narrow(e[2], false),
                out_discards: narrow(e[3], false),
                ..PortCounters::default()
            }
        })
}

fn arb_poll() -> impl Strategy<Value = DevicePoll> {
    (
        -1_000i64..=1_000_000,
        proptest::option::of(any::<u32>()),
        arb_port("a"),
        arb_port("b"),
        arb_port("c"),
    )
        .prop_map(|(time_ms, up, a, b, c)| poll(time_ms, up, vec![a, b, c]))
}

/// A speed, an interval, and a delta that fits `speed × interval / 8`, below `cap`.
fn arb_fitting_delta(cap: u64) -> impl Strategy<Value = (u64, i64, u64)> {
    (1u64..=100 * G, 1i64..=900_000).prop_flat_map(move |(speed, interval_ms)| {
        let fits = (u128::from(speed) * interval_ms as u128 / 8_000).min(u128::from(cap));
        let fits = u64::try_from(fits).unwrap();
        (Just(speed), Just(interval_ms), 0..=fits)
    })
}

fn exact_bps(delta: u64, interval_ms: i64) -> f64 {
    delta as f64 * 8_000.0 / interval_ms as f64
}

proptest! {
    #[test]
    fn never_a_rate_above_110_percent_of_speed(prev in arb_poll(), cur in arb_poll()) {
        let (rates, stats) = compute(&prev, &cur);
        prop_assert_eq!(rates.len(), cur.ports.len());
        prop_assert_eq!(stats.n_ports as usize, rates.len());
        prop_assert_eq!(stats.n_gaps as usize, rates.iter().filter(|r| r.gap.is_some()).count());
        for (r, port) in rates.iter().zip(&cur.ports) {
            prop_assert_eq!(&r.key, &port.key);
            prop_assert!(is_rate_sane(r, port.speed_bps), "{:?} {:?}", r, port.speed_bps);
            for u in [r.utilisation_in, r.utilisation_out].into_iter().flatten() {
                prop_assert!(u <= 110.0, "utilisation {}", u);
            }
        }
    }

    #[test]
    fn never_a_rate_above_110_percent_near_the_limit(
        (speed, interval_ms, fits) in arb_fitting_delta(u64::MAX / 4),
        bits in prop_oneof![Just(32u8), Just(64u8)],
        start in any::<u64>(),
        scale in 0.0f64..3.0,
    ) {
        // Deltas from 0 to 3 × speed × interval / 8, wrapping at the counter width.
        let delta = (fits as f64 * scale) as u64;
        let (start, end) = if bits == 32 {
            (start % WRAP, (start % WRAP + delta % WRAP) % WRAP)
        } else {
            (start, start.wrapping_add(delta))
        };
        let (prev, cur) = pair(
            interval_ms,
            port("p", bits, start, start, Some(speed)),
            port("p", bits, end, end, Some(speed)),
        );
        let (r, _) = one(&prev, &cur);
        prop_assert!(is_rate_sane(&r, Some(speed)));
        for u in [r.utilisation_in, r.utilisation_out].into_iter().flatten() {
            prop_assert!(u <= MAX_UTILISATION);
        }
        if let Some(bps) = r.in_bps {
            prop_assert!(bps <= speed as f64 * SPEED_MARGIN);
        } else {
            prop_assert!(r.gap.is_some());
        }
    }

    #[test]
    fn a_32_bit_counter_advancing_within_speed_gives_the_exact_rate(
        (speed, interval_ms, delta) in arb_fitting_delta(WRAP - 1),
        start in 0..WRAP,
    ) {
        // Wraps whenever start + delta passes 2^32.
        let end = (start + delta) % WRAP;
        let (prev, cur) = pair(
            interval_ms,
            port("p", 32, start, start, Some(speed)),
            port("p", 32, end, start, Some(speed)),
        );
        let (r, _) = one(&prev, &cur);
        let max = speed as f64 * 1.1 * interval_ms as f64 / 8_000.0;
        // The out counter stands still (delta 0): one more wrap of it fits as soon as 2^32 does.
        if speed == SATURATED_IF_SPEED || WRAP as f64 <= max {
            // One more wrap would fit the speed too: the delta is unknowable.
            prop_assert_eq!(r.gap, Some(GapReason::AmbiguousWrap));
            prop_assert_eq!(r.in_bps, None);
            if speed != SATURATED_IF_SPEED {
                prop_assert_eq!(counter_delta(start, start, 32, Some(max)), Err(GapReason::AmbiguousWrap));
            }
        } else {
            prop_assert_eq!(r.gap, None);
            prop_assert_eq!(r.in_bps, Some(exact_bps(delta, interval_ms)));
            prop_assert_eq!(counter_delta(start, end, 32, Some(max)), Ok(delta));
        }
    }

    #[test]
    fn monotonic_counters_with_plausible_deltas_always_give_a_rate(
        (speed, interval_ms, delta) in arb_fitting_delta(u64::MAX),
        bits in prop_oneof![Just(32u8), Just(64u8)],
        start in any::<u64>(),
    ) {
        let max = if bits == 32 { WRAP - 1 } else { u64::MAX };
        let delta = delta.min(max);
        let start = start.min(max - delta) ;
        let (prev, cur) = pair(
            interval_ms,
            port("p", bits, start, start, Some(speed)),
            port("p", bits, start + delta, start + delta, Some(speed)),
        );
        let (r, stats) = one(&prev, &cur);
        let max = speed as f64 * 1.1 * interval_ms as f64 / 8_000.0;
        if bits == 32 && (speed == SATURATED_IF_SPEED || (delta + WRAP) as f64 <= max) {
            prop_assert_eq!(r.gap, Some(GapReason::AmbiguousWrap));
            prop_assert_eq!(stats.n_rates, 0);
        } else {
            prop_assert_eq!(r.gap, None);
            prop_assert_eq!(r.in_bps, Some(exact_bps(delta, interval_ms)));
            prop_assert_eq!(r.out_bps, Some(exact_bps(delta, interval_ms)));
            prop_assert_eq!(stats.n_rates, 1);
        }
    }

    #[test]
    fn a_reboot_never_produces_a_rate(
        mut prev in arb_poll(),
        mut cur in arb_poll(),
        up in 1u32..,
        back in 1u32..,
    ) {
        prev.sys_uptime = Some(up);
        cur.sys_uptime = Some(up - back.min(up));
        let (rates, stats) = compute(&prev, &cur);
        for r in &rates {
            prop_assert_eq!(r.gap, Some(GapReason::Reboot));
            let none = PortRates { key: r.key.clone(), time_ms: r.time_ms, interval_ms: r.interval_ms, gap: r.gap, ..PortRates::default() };
            prop_assert_eq!(r, &none);
        }
        prop_assert_eq!(stats.gaps(GapReason::Reboot) as usize, rates.len());
        prop_assert_eq!(stats.n_rates, 0);
    }

    #[test]
    fn a_64_bit_decrease_never_produces_a_rate(
        cur_value in any::<u64>(),
        back in 1u64..,
        max in proptest::option::of(any::<f64>()),
        speed in proptest::option::of(any::<u64>()),
        interval_ms in 1i64..=1_000_000,
    ) {
        let prev_value = cur_value.saturating_add(back);
        prop_assume!(prev_value > cur_value);
        prop_assert_eq!(counter_delta(prev_value, cur_value, 64, max), Err(GapReason::Discontinuity));
        let (prev, cur) = pair(
            interval_ms,
            port("p", 64, prev_value, 0, speed),
            port("p", 64, cur_value, 0, speed),
        );
        let (r, _) = one(&prev, &cur);
        prop_assert_eq!(r.gap, Some(GapReason::Discontinuity));
        prop_assert_eq!((r.in_bps, r.out_bps), (None, None));
    }

    #[test]
    fn compute_is_deterministic(prev in arb_poll(), cur in arb_poll()) {
        let first = compute(&prev, &cur);
        let second = compute(&prev.clone(), &cur.clone());
        prop_assert_eq!(first, second);
    }
}

#[test]
fn a_32_bit_counter_on_a_fast_link_is_ambiguous_not_a_rate() {
    // 1 Gbit/s polled every 60 s: 2^32 octets is 573 Mbit/s over the interval, so 100 Mbit/s
    // and 673 Mbit/s read the same counter delta.
    let d = 750_000_000u64; // 100 Mbit/s over 60 s
    let (prev, cur) = pair(
        60_000,
        port("p", 32, 10, 10, Some(1_000_000_000)),
        port("p", 32, 10 + d, 10 + d, Some(1_000_000_000)),
    );
    let (r, stats) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::AmbiguousWrap));
    assert_eq!(stats.gaps(GapReason::AmbiguousWrap), 1);
    // Polled every 5 s the same port is unambiguous.
    let d = 62_500_000u64; // 100 Mbit/s over 5 s
    let (prev, cur) = pair(
        5_000,
        port("p", 32, 10, 10, Some(1_000_000_000)),
        port("p", 32, 10 + d, 10 + d, Some(1_000_000_000)),
    );
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.gap, None);
    assert_eq!(r.in_bps, Some(100_000_000.0));
}

#[test]
fn a_saturated_if_speed_on_32_bit_counters_is_ambiguous() {
    // A 100G port seen through ifTable only: ifSpeed says 4294967295, the counter wraps in
    // a third of a second at line rate.
    let s = Some(u64::from(u32::MAX));
    let (prev, cur) = pair(4_000, port("p", 32, 10, 10, s), port("p", 32, 20, 20, s));
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.gap, Some(GapReason::AmbiguousWrap));
    // With 64-bit counters the rate stands, but the utilisation is unknown.
    let (prev, cur) = pair(4_000, port("p", 64, 10, 10, s), port("p", 64, 510, 510, s));
    let (r, _) = one(&prev, &cur);
    assert_eq!(r.in_bps, Some(1000.0));
    assert_eq!(r.utilisation_in, None);
}

#[test]
fn ports_are_matched_by_key_wherever_they_moved() {
    let up = 1_000_000u32;
    let prev = poll(
        1_000_000,
        Some(up),
        vec![
            port("a", 64, 1_000, 0, Some(G)),
            port("b", 64, 2_000, 0, Some(G)),
            port("c", 64, 3_000, 0, Some(G)),
        ],
    );
    // 10 s later: "b" kept its place, "a" and "c" swapped, "d" is new.
    let cur = poll(
        1_010_000,
        Some(up + 1_000),
        vec![
            port("c", 64, 3_000 + 30, 0, Some(G)),
            port("b", 64, 2_000 + 20, 0, Some(G)),
            port("a", 64, 1_000 + 10, 0, Some(G)),
            port("d", 64, 5, 0, Some(G)),
        ],
    );
    let (rates, _) = compute(&prev, &cur);
    let got: Vec<_> = rates.iter().map(|r| (r.key.as_str(), r.in_bps)).collect();
    assert_eq!(
        got,
        [
            ("c", Some(24.0)),
            ("b", Some(16.0)),
            ("a", Some(8.0)),
            ("d", None)
        ]
    );
    assert_eq!(rates[3].gap, Some(GapReason::NoPrevious));
}
