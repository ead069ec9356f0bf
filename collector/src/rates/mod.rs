//! The counter laws: turn two consecutive polls of one device into per-port rates an engineer
//! can trust, and say why an interval is a gap when it cannot be trusted.
//!
//! Pure functions: no IO, no clock. [`compute`] pairs the ports of two [`DevicePoll`]s by their
//! stable `key` (see [`crate::ports::assign_keys`]), never by ifIndex, and applies these rules:
//!
//! - **Interval**: the wall time between the polls, `cur.time_ms - prev.time_ms`; `<= 0` is a
//!   [`GapReason::BadInterval`] for every port. sysUpTime is not used as the interval: it is a
//!   32-bit count of centiseconds on the agent's clock, while `time_ms` is what the store stamps
//!   the rate with, so a rate × its interval adds up over the stored series.
//! - **Reboot**: when both polls carry sysUpTime and it went back, or it advanced by less than
//!   half the wall interval (the device came back up between the polls, so its counters
//!   restarted), every port is a [`GapReason::Reboot`]. The reboot check comes before the
//!   interval check. sysUpTime wrapping after 497 days is taken for a reboot: one gap.
//! - **Counter discontinuity**: a port whose ifCounterDiscontinuityTime (IF-MIB, RFC 2863)
//!   changed between the polls had its counters reset or replaced without a reboot (a line
//!   card's counters cleared): a [`GapReason::Discontinuity`] for the whole port. A port that
//!   has it in one poll only is judged by its counters.
//! - **Counter width**: octets are 64-bit or 32-bit as `counter_bits` says, packets as
//!   `pkts_bits_64` says, errors and discards are always Counter32. A width that changed between
//!   the polls is a [`GapReason::Discontinuity`].
//! - **Back-going counters**: a 64-bit counter going back is a discontinuity (a reset; it cannot
//!   wrap in practice). A 32-bit counter going back is one wrap (`cur + 2^32 - prev`) only if the
//!   wrapped delta is plausible (see below), else [`GapReason::ImplausibleWrap`].
//! - **Plausible deltas**, the limit per interval of `secs` seconds at port speed `speed` bit/s:
//!   octets `speed × 1.1 × secs / 8`; packets `speed × 1.1 × secs / (8 × 40)` (40 octets: the
//!   smallest IPv4 + TCP packet, more lenient than Ethernet's 64-octet frame); errors and
//!   discards `2^31` whatever the speed. A forward delta above the limit is a
//!   [`GapReason::OverSpeed`]; a wrap above it is an [`GapReason::ImplausibleWrap`].
//! - **Unknown speed** (`speed_bps` `None` or 0): rates are computed, utilisation is `None`, no
//!   over-speed check is possible, and a 32-bit octet or packet counter going back is a gap
//!   ([`GapReason::ImplausibleWrap`]): without a speed a wrap cannot be told from a reset.
//! - **Speed of the interval** is the current poll's: a port renegotiated down within the
//!   interval may show one over-speed gap.
//! - **Rates**: `bps = delta_octets × 8 / secs`, `utilisation = bps / speed × 100`. Utilisation
//!   keeps its true value, up to 110 (above is a gap); it is not clamped at 100 (only a
//!   rounding ulp above 110 is cut). Rates are computed as `delta × 1000 / interval_ms`.
//! - **Malformed counters**: a 32-bit counter holding a value of 2^32 or more is a
//!   [`GapReason::Discontinuity`].
//! - **A port's octets decide for the port**: if either octet rate is a gap, the whole port is a
//!   gap (`PortRates::gap` names the reason, in before out) and all its rates are `None`: a reset
//!   clears every counter of a port, and a cleared 32-bit packet counter can look like a
//!   plausible wrap. Packet, error and discard gaps only blank that one rate and are counted in
//!   [`RateStats::n_counter_gaps`].
//! - **Missing data**: a port in `cur` but not in `prev` is a [`GapReason::NoPrevious`]. A
//!   counter absent from both polls is not a gap, just a `None` rate; absent from one only, it
//!   is a [`GapReason::NoPrevious`] gap of that rate (of the port, for octets).
//! - **Ambiguity we accept**: a 32-bit counter that can carry more than 2^32 in one interval
//!   (e.g. octets of a 10G port polled every 5 minutes) may wrap more than once unseen; we
//!   report the single-wrap reading. Poll faster or use HC counters.
//!
//! Each gap is logged with `tracing::debug!` (fields `device`, `port`, `reason`, and `counter`
//! for a single rate); the caller aggregates [`RateStats`] for `/metrics`.

use std::collections::HashMap;

use crate::sample::{DevicePoll, GapReason, PortCounters, PortRates};

#[cfg(test)]
mod tests;

/// A delta may reach this share of the port speed before it is a gap (110%).
pub const SPEED_MARGIN: f64 = 1.1;

/// The highest utilisation a rate can show, percent (`SPEED_MARGIN × 100`, written exactly).
pub const MAX_UTILISATION: f64 = 110.0;

/// The smallest packet we expect on a wire, in octets: bounds the packet rate by the speed.
pub const MIN_PACKET_OCTETS: f64 = 40.0;

/// The largest plausible delta of an error or discard Counter32 in one interval.
pub const SMALL_COUNTER_MAX_DELTA: f64 = 2_147_483_648.0; // 2^31

/// Every gap reason, in the order [`RateStats::by_reason`] lists them.
/// ifSpeed of a link at 4.29 Gbit/s or more (the Gauge32 saturates): the speed is unknown.
pub const SATURATED_IF_SPEED: u64 = u32::MAX as u64;

pub const GAP_REASONS: [GapReason; 7] = [
    GapReason::NoPrevious,
    GapReason::Reboot,
    GapReason::Discontinuity,
    GapReason::ImplausibleWrap,
    GapReason::OverSpeed,
    GapReason::BadInterval,
    GapReason::AmbiguousWrap,
];

/// What one [`compute`] did, countable for `/metrics`; [`RateStats::merge`] sums them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateStats {
    /// Ports of the current poll.
    pub n_ports: u32,
    /// Ports with at least one octet rate and no gap.
    pub n_rates: u32,
    /// Ports whose interval is a gap (`PortRates::gap` is set).
    pub n_gaps: u32,
    /// Single packet, error or discard rates that were gaps on ports that were not.
    pub n_counter_gaps: u32,
    /// Port gaps per reason, indexed like [`GAP_REASONS`].
    gaps_by_reason: [u32; 7],
}

impl RateStats {
    /// Port gaps with this reason.
    pub fn gaps(&self, reason: GapReason) -> u32 {
        self.gaps_by_reason[reason_index(reason)]
    }

    /// Port gaps per reason, every reason listed (zeros included), in [`GAP_REASONS`] order.
    pub fn by_reason(&self) -> impl Iterator<Item = (GapReason, u32)> + '_ {
        GAP_REASONS
            .iter()
            .map(|&reason| (reason, self.gaps(reason)))
    }

    /// Adds `other` into `self` (saturating), to aggregate devices or rounds.
    pub fn merge(&mut self, other: &RateStats) {
        self.n_ports = self.n_ports.saturating_add(other.n_ports);
        self.n_rates = self.n_rates.saturating_add(other.n_rates);
        self.n_gaps = self.n_gaps.saturating_add(other.n_gaps);
        self.n_counter_gaps = self.n_counter_gaps.saturating_add(other.n_counter_gaps);
        for (mine, theirs) in self.gaps_by_reason.iter_mut().zip(other.gaps_by_reason) {
            *mine = mine.saturating_add(theirs);
        }
    }

    fn record_gap(&mut self, reason: GapReason) {
        self.n_gaps = self.n_gaps.saturating_add(1);
        let slot = &mut self.gaps_by_reason[reason_index(reason)];
        *slot = slot.saturating_add(1);
    }
}

pub fn reason_index(reason: GapReason) -> usize {
    match reason {
        GapReason::NoPrevious => 0,
        GapReason::Reboot => 1,
        GapReason::Discontinuity => 2,
        GapReason::ImplausibleWrap => 3,
        GapReason::OverSpeed => 4,
        GapReason::BadInterval => 5,
        GapReason::AmbiguousWrap => 6,
    }
}

/// The increase of a counter `bits` wide (1-64) from `prev` to `cur`.
///
/// A narrow counter whose delta would still fit `max_delta` after one more wrap is a
/// [`GapReason::AmbiguousWrap`]: it may have wrapped any number of times (32-bit counters on
/// fast links, LibreNMS #7756).
///
/// Forward: the difference, or [`GapReason::OverSpeed`] above `max_delta`. Back: for a 64-bit
/// counter a [`GapReason::Discontinuity`]; for a narrower one a single wrap when the wrapped
/// delta is at most `max_delta`, else [`GapReason::ImplausibleWrap`] (also when `max_delta` is
/// `None`: an unknown limit cannot vouch for a wrap). A width of 0 or above 64, or a value that
/// does not fit the width, is a [`GapReason::Discontinuity`].
pub fn counter_delta(
    prev: u64,
    cur: u64,
    bits: u8,
    max_delta: Option<f64>,
) -> Result<u64, GapReason> {
    let modulus = match bits {
        1..=63 => Some(1u64 << bits),
        64 => None,
        _ => return Err(GapReason::Discontinuity),
    };
    if modulus.is_some_and(|m| prev >= m || cur >= m) {
        return Err(GapReason::Discontinuity);
    }
    let fits = |delta: u64| max_delta.is_some_and(|max| delta as f64 <= max);
    // A narrow counter whose delta plus one more wrap would still fit the limit could have
    // wrapped an unknown number of times: no rate can be vouched for.
    let ambiguous = |delta: u64| modulus.is_some_and(|m| fits(delta.saturating_add(m)));
    if cur >= prev {
        let delta = cur - prev;
        return if ambiguous(delta) {
            Err(GapReason::AmbiguousWrap)
        } else if max_delta.is_none() || fits(delta) {
            Ok(delta)
        } else {
            Err(GapReason::OverSpeed)
        };
    }
    match modulus {
        None => Err(GapReason::Discontinuity),
        // prev < m and cur < prev, so this neither overflows nor reaches m.
        Some(m) => {
            let delta = m - prev + cur;
            if ambiguous(delta) {
                Err(GapReason::AmbiguousWrap)
            } else if fits(delta) {
                Ok(delta)
            } else {
                Err(GapReason::ImplausibleWrap)
            }
        }
    }
}

/// One [`PortRates`] per port of `cur`, in its order, matched to `prev` by `key`, and what
/// happened, counted. See the module doc for the laws.
///
/// The port of `prev` at the same position is taken when its key matches (ports come sorted
/// by ifIndex, so an unchanged table matches throughout without a map); otherwise the first
/// port of `prev` with that key. Keys are unique within a poll (`ports::key_ports`), where
/// the two agree.
pub fn compute(prev: &DevicePoll, cur: &DevicePoll) -> (Vec<PortRates>, RateStats) {
    let interval_ms = cur.time_ms.saturating_sub(prev.time_ms);
    let device_gap = device_gap(prev, cur, interval_ms);
    // foldhash, not SipHash: keys come from our own poll, not from an adversary choosing
    // collisions. Built on the first port that is not where it was.
    let mut by_key: Option<HashMap<&str, &PortCounters, foldhash::fast::RandomState>> = None;
    let mut stats = RateStats {
        n_ports: u32::try_from(cur.ports.len()).unwrap_or(u32::MAX),
        ..RateStats::default()
    };
    let mut rates = Vec::with_capacity(cur.ports.len());
    for (i, port) in cur.ports.iter().enumerate() {
        let before = match prev.ports.get(i) {
            Some(p) if p.key == port.key => Some(p),
            _ => by_key
                .get_or_insert_with(|| {
                    let mut m = HashMap::with_capacity_and_hasher(
                        prev.ports.len(),
                        foldhash::fast::RandomState::default(),
                    );
                    for p in &prev.ports {
                        m.entry(p.key.as_str()).or_insert(p);
                    }
                    m
                })
                .get(port.key.as_str())
                .copied(),
        };
        let mut ctx = Ctx {
            device: &cur.device,
            port: &port.key,
            stats: &mut stats,
        };
        rates.push(rate_port(
            &mut ctx,
            device_gap,
            before,
            port,
            cur.time_ms,
            interval_ms,
        ));
    }
    (rates, stats)
}

/// Optional check for consumers: no rate is negative or non-finite, and with a known speed the
/// bit rates stay within [`SPEED_MARGIN`] of it. Every rate [`compute`] returns passes.
pub fn is_rate_sane(rates: &PortRates, speed_bps: Option<u64>) -> bool {
    let all = [
        rates.in_bps,
        rates.out_bps,
        rates.in_pps,
        rates.out_pps,
        rates.in_errors_ps,
        rates.out_errors_ps,
        rates.in_discards_ps,
        rates.out_discards_ps,
        rates.utilisation_in,
        rates.utilisation_out,
    ];
    let finite = all.iter().flatten().all(|v| v.is_finite() && *v >= 0.0);
    let limit = speed_bps
        .filter(|&s| s > 0)
        .map(|s| s as f64 * SPEED_MARGIN);
    let within = [rates.in_bps, rates.out_bps]
        .iter()
        .flatten()
        .all(|bps| limit.is_none_or(|limit| *bps <= limit));
    finite && within
}

/// The gap every port of the device gets, if any: a reboot, then a bad interval.
fn device_gap(prev: &DevicePoll, cur: &DevicePoll, interval_ms: i64) -> Option<GapReason> {
    if let (Some(before), Some(now)) = (prev.sys_uptime, cur.sys_uptime) {
        if now < before {
            return Some(GapReason::Reboot);
        }
        // sysUpTime counts centiseconds: allow one tick of truncation.
        let up_ms = i64::from(now - before) * 10 + 10;
        if interval_ms > 0 && up_ms < interval_ms / 2 {
            return Some(GapReason::Reboot);
        }
    }
    (interval_ms <= 0).then_some(GapReason::BadInterval)
}

/// Where gaps are logged and counted.
struct Ctx<'a> {
    device: &'a str,
    port: &'a str,
    stats: &'a mut RateStats,
}

impl Ctx<'_> {
    fn port_gap(&mut self, reason: GapReason) {
        tracing::debug!(
            device = self.device,
            port = self.port,
            reason = reason.as_str(),
            "rate gap"
        );
        self.stats.record_gap(reason);
    }

    /// A single rate from a counter pair, its gap (if any) logged and counted.
    fn rate(
        &mut self,
        counter: &'static str,
        delta: Result<Option<u64>, GapReason>,
        interval_ms: f64,
    ) -> Option<f64> {
        match delta {
            Ok(delta) => delta.map(|d| per_second(d, interval_ms)),
            Err(reason) => {
                tracing::debug!(
                    device = self.device,
                    port = self.port,
                    counter,
                    reason = reason.as_str(),
                    "rate gap"
                );
                self.stats.n_counter_gaps = self.stats.n_counter_gaps.saturating_add(1);
                None
            }
        }
    }
}

/// The delta of an optional counter: absent from both polls is `Ok(None)`, from one only a
/// [`GapReason::NoPrevious`].
fn optional_delta(
    prev: Option<u64>,
    cur: Option<u64>,
    bits: u8,
    max_delta: Option<f64>,
) -> Result<Option<u64>, GapReason> {
    match (prev, cur) {
        (Some(p), Some(c)) => counter_delta(p, c, bits, max_delta).map(Some),
        (None, None) => Ok(None),
        _ => Err(GapReason::NoPrevious),
    }
}

/// The rates of one port of `cur`, or its gap: the device's `gap` if any, a
/// [`GapReason::NoPrevious`] without a `before`, else the port's own counters decide.
fn rate_port(
    ctx: &mut Ctx<'_>,
    gap: Option<GapReason>,
    before: Option<&PortCounters>,
    port: &PortCounters,
    time_ms: i64,
    interval_ms: i64,
) -> PortRates {
    let mut rates = PortRates {
        key: port.key.clone(),
        time_ms,
        interval_ms,
        ..PortRates::default()
    };
    let result = match (gap, before) {
        (Some(reason), _) => Err(reason),
        (None, None) => Err(GapReason::NoPrevious),
        (None, Some(before)) => port_rates(ctx, before, port, interval_ms, &mut rates),
    };
    match result {
        Ok(()) => {
            if rates.in_bps.is_some() || rates.out_bps.is_some() {
                ctx.stats.n_rates = ctx.stats.n_rates.saturating_add(1);
            }
            rates
        }
        Err(reason) => {
            ctx.port_gap(reason);
            PortRates {
                key: rates.key,
                time_ms,
                interval_ms,
                gap: Some(reason),
                ..PortRates::default()
            }
        }
    }
}

/// The rates of one port present in both polls, or the port's gap. `interval_ms > 0`.
fn port_rates(
    ctx: &mut Ctx<'_>,
    prev: &PortCounters,
    cur: &PortCounters,
    interval_ms: i64,
    rates: &mut PortRates,
) -> Result<(), GapReason> {
    if prev.counter_bits != cur.counter_bits {
        return Err(GapReason::Discontinuity);
    }
    if let (Some(a), Some(b)) = (prev.discontinuity_time, cur.discontinuity_time) {
        if a != b {
            return Err(GapReason::Discontinuity);
        }
    }
    let interval = interval_ms as f64;
    let secs = interval / 1000.0;
    // ifSpeed saturates at 2^32 − 1 for links of 4.29 Gbit/s and more: without ifHighSpeed the
    // speed is unknown, and a 32-bit counter on such a link can wrap within seconds.
    let saturated = cur.speed_bps == Some(SATURATED_IF_SPEED);
    let speed = cur
        .speed_bps
        .filter(|&s| s > 0 && !saturated)
        .map(|s| s as f64);
    let octet_max = speed.map(|s| s * SPEED_MARGIN * secs / 8.0);
    let bits = cur.counter_bits;
    if saturated && bits < 64 && (cur.in_octets.is_some() || cur.out_octets.is_some()) {
        return Err(GapReason::AmbiguousWrap);
    }
    let in_octets = optional_delta(prev.in_octets, cur.in_octets, bits, octet_max)?;
    let out_octets = optional_delta(prev.out_octets, cur.out_octets, bits, octet_max)?;
    rates.in_bps = bit_rate(in_octets, interval, speed)?;
    rates.out_bps = bit_rate(out_octets, interval, speed)?;
    if let Some(speed) = speed {
        rates.utilisation_in = rates.in_bps.map(|bps| utilisation(bps, speed));
        rates.utilisation_out = rates.out_bps.map(|bps| utilisation(bps, speed));
    }

    let pkt_max = speed.map(|s| s * SPEED_MARGIN * secs / (8.0 * MIN_PACKET_OCTETS));
    let (in_pkts, out_pkts) = if prev.pkts_bits_64 != cur.pkts_bits_64 {
        (Err(GapReason::Discontinuity), Err(GapReason::Discontinuity))
    } else {
        let pkt_bits = if cur.pkts_bits_64 { 64 } else { 32 };
        (
            optional_delta(prev.in_ucast_pkts, cur.in_ucast_pkts, pkt_bits, pkt_max),
            optional_delta(prev.out_ucast_pkts, cur.out_ucast_pkts, pkt_bits, pkt_max),
        )
    };
    rates.in_pps = ctx.rate("in_pps", in_pkts, interval);
    rates.out_pps = ctx.rate("out_pps", out_pkts, interval);

    let small =
        |p: Option<u64>, c: Option<u64>| optional_delta(p, c, 32, Some(SMALL_COUNTER_MAX_DELTA));
    rates.in_errors_ps = ctx.rate(
        "in_errors_ps",
        small(prev.in_errors, cur.in_errors),
        interval,
    );
    rates.out_errors_ps = ctx.rate(
        "out_errors_ps",
        small(prev.out_errors, cur.out_errors),
        interval,
    );
    rates.in_discards_ps = ctx.rate(
        "in_discards_ps",
        small(prev.in_discards, cur.in_discards),
        interval,
    );
    rates.out_discards_ps = ctx.rate(
        "out_discards_ps",
        small(prev.out_discards, cur.out_discards),
        interval,
    );
    Ok(())
}

/// Bit/s from an octet delta; above the speed margin (after rounding) is an over-speed gap, so
/// no returned rate ever exceeds `speed × 1.1`.
fn bit_rate(
    octets: Option<u64>,
    interval_ms: f64,
    speed: Option<f64>,
) -> Result<Option<f64>, GapReason> {
    let Some(octets) = octets else {
        return Ok(None);
    };
    let bps = per_second(octets, interval_ms) * 8.0;
    match speed {
        Some(speed) if bps > speed * SPEED_MARGIN => Err(GapReason::OverSpeed),
        _ => Ok(Some(bps)),
    }
}

/// `count × 1000 / interval_ms`: one rounding step, so a rate is exactly `count / secs` as
/// precise as f64 allows (× 8 for bits is exact).
fn per_second(count: u64, interval_ms: f64) -> f64 {
    count as f64 * 1000.0 / interval_ms
}

/// Percent of the speed. `bps <= speed × 1.1` already; the `min` only drops a rounding ulp so
/// that the stored value never reads above 110.
fn utilisation(bps: f64, speed: f64) -> f64 {
    (bps * 100.0 / speed).min(MAX_UTILISATION)
}
