//! The traffic model of a fibre backbone: seeded port profiles (speed, utilisation, daily phase)
//! and counters computed analytically as the integral of the rate since boot.
//!
//! Everything here is a pure function of (seed, device, port, boot time, now), so any number of
//! polls agree, and the rate between two polls is the model's mean rate over the interval: never
//! above the port speed, never negative.

use std::f64::consts::TAU;

pub(crate) const DAY_MS: u64 = 86_400_000;
pub(crate) const HOUR_MS: u64 = 3_600_000;
/// Relative amplitudes of the daily wave, its second harmonic and the fast jitter: they sum to
/// 0.68, so the rate stays within `mean × [0.32, 1.68]`.
const AMPLITUDES: [f64; 3] = [0.5, 0.1, 0.08];
const PEAK_FACTOR: f64 = 1.68;

/// splitmix64: a tiny, good-enough hash for seeding.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of several parts.
pub(crate) fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x1f01_5eed, |acc, &p| mix(acc ^ p))
}

/// A uniform value in [0, 1) from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Traffic direction of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    In = 0,
    Out = 1,
}

/// One direction's rate curve: `mean × (1 + Σ aᵢ·wave_i(t))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Curve {
    /// Mean utilisation in parts per million of the port speed.
    mean_ppm: u64,
    /// Periods (ms) of the daily wave, its harmonic and the jitter.
    periods_ms: [u64; 3],
    /// Time (ms, modulo the period) at which each wave peaks.
    peaks_ms: [u64; 3],
}

/// A port as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Port {
    pub speed_bps: u64,
    pub up: bool,
    pub packet_bytes: u64,
    /// Errors and discards per billion packets.
    pub errors_ppb: u64,
    pub discards_ppb: u64,
    pub curves: [Curve; 2],
}

/// The seeded profile of `port` (1-based) of `device` (1-based).
pub(crate) fn port(seed: u64, device: u32, port: u32) -> Port {
    let h = |salt: u64| hash(&[seed, u64::from(device), u64::from(port), salt]);
    let speed_bps = match h(1) % 100 {
        0..=29 => 1_000_000_000,
        30..=84 => 10_000_000_000,
        _ => 100_000_000_000,
    };
    port_with(seed, device, port, speed_bps, h(2) % 25 != 0)
}

/// The seeded profile of a port whose speed and state are given (a described router's port).
pub(crate) fn port_with(seed: u64, device: u32, port: u32, speed_bps: u64, up: bool) -> Port {
    let h = |salt: u64| hash(&[seed, u64::from(device), u64::from(port), salt]);
    let hot = h(3) % 12 == 0;
    let curve = |dir: u64| {
        let r = |salt: u64| unit(h(16 * dir + salt));
        let peak = if hot {
            0.60 + 0.30 * r(4)
        } else {
            0.08 + 0.32 * r(4)
        };
        let mean_ppm = if up {
            (peak / PEAK_FACTOR * 1e6) as u64
        } else {
            0
        };
        // Busiest at 13:00-17:00 UTC; the harmonic sharpens the evening.
        let daily_peak = 13 * HOUR_MS + (r(5) * 4.0 * HOUR_MS as f64) as u64;
        let jitter_period = 60_000 + (r(6) * 540_000.0) as u64;
        Curve {
            mean_ppm,
            periods_ms: [DAY_MS, DAY_MS / 2, jitter_period],
            peaks_ms: [
                daily_peak,
                daily_peak + 3 * HOUR_MS,
                (r(7) * jitter_period as f64) as u64,
            ],
        }
    };
    Port {
        speed_bps,
        up,
        packet_bytes: 300 + h(8) % 1000,
        errors_ppb: h(9) % 50,
        discards_ppb: h(10) % 500,
        curves: [curve(0), curve(1)],
    }
}

/// Phase in radians of a wave of `period` peaking at `peak`, at time `t` (all ms).
fn phase(t_ms: u64, period: u64, peak: u64) -> f64 {
    let p = (t_ms % period + period - peak % period) % period;
    p as f64 * TAU / period as f64
}

impl Curve {
    #[cfg(test)]
    /// Utilisation (0..1) at a time in ms since the Unix epoch.
    pub(crate) fn utilisation(&self, t_ms: u64) -> f64 {
        let wave: f64 = (0..3)
            .map(|i| AMPLITUDES[i] * phase(t_ms, self.periods_ms[i], self.peaks_ms[i]).cos())
            .sum();
        self.mean_ppm as f64 / 1e6 * (1.0 + wave)
    }

    /// Octets carried from `from_ms` to `to_ms` on a port of `speed_bps`: the exact integral of
    /// the rate, the linear part in integers so it stays exact over years of uptime.
    pub(crate) fn octets(&self, speed_bps: u64, from_ms: u64, to_ms: u64) -> u64 {
        let to_ms = to_ms.max(from_ms);
        let linear =
            u128::from(speed_bps) * u128::from(self.mean_ppm) * u128::from(to_ms - from_ms)
                / 8_000_000_000;
        // ∫ cos(ωt + φ) dt = sin(ωt + φ) / ω, with ω = 2π / period (per ms).
        let waves: f64 = (0..3)
            .map(|i| {
                let period = self.periods_ms[i];
                let omega = TAU / period as f64;
                let s = |t| phase(t, period, self.peaks_ms[i]).sin();
                AMPLITUDES[i] / omega * (s(to_ms) - s(from_ms))
            })
            .sum();
        let bytes_per_ms = speed_bps as f64 / 8000.0 * self.mean_ppm as f64 / 1e6;
        // Adding in i128 keeps the linear part exact where it exceeds f64 precision.
        let total = linear as i128 + (waves * bytes_per_ms).floor() as i128;
        u64::try_from(total.max(0)).unwrap_or(u64::MAX)
    }
}

/// All counters of one port direction at one instant, since boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counters {
    pub octets: u64,
    pub packets: u64,
    pub errors: u64,
    pub discards: u64,
}

impl Port {
    /// Counters of `dir` at `now_ms` for a device booted at `boot_ms`.
    pub(crate) fn counters(&self, dir: Direction, boot_ms: u64, now_ms: u64) -> Counters {
        let octets = self.curves[dir as usize].octets(self.speed_bps, boot_ms, now_ms);
        let packets = octets / self.packet_bytes;
        let per_billion = |ppb: u64| (u128::from(packets) * u128::from(ppb) / 1_000_000_000) as u64;
        Counters {
            octets,
            packets,
            errors: per_billion(self.errors_ppb),
            discards: per_billion(self.discards_ppb),
        }
    }
}

/// Simulators with the same seed started within one such window boot devices at the same
/// instant, so they serve the same counters.
const BOOT_WINDOW_MS: u64 = 30 * DAY_MS;

/// Boot time and reboots since `start_ms` of `device` at `now_ms` (all ms since the epoch).
///
/// Rebooting devices boot at multiples of their period since the epoch; the others booted 1 h to
/// 60 days before the 30-day window in which the simulator started. Either way counters depend
/// on (seed, device, port, time) only, not on the instant the simulator started.
pub(crate) fn boot(
    seed: u64,
    device: u32,
    reboot_every: Option<u64>,
    start_ms: u64,
    now_ms: u64,
) -> (u64, u64) {
    match reboot_every {
        Some(every) => {
            let every = every.max(1);
            (
                now_ms - now_ms % every,
                (now_ms / every).saturating_sub(start_ms / every),
            )
        }
        None => {
            let window = start_ms - start_ms % BOOT_WINDOW_MS;
            let uptime = HOUR_MS + hash(&[seed, u64::from(device), 0xb007]) % (60 * DAY_MS);
            (window.saturating_sub(uptime), 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const YEAR_MS: u64 = 365 * DAY_MS;
    const NOW_MS: u64 = 1_790_000_000_000;

    proptest! {
        #[test]
        fn counters_monotonic_and_below_speed(
            seed in any::<u64>(), device in 1u32..10_000, p in 1u32..500,
            uptime in 0u64..YEAR_MS, t1 in 0u64..DAY_MS, dt in 1u64..DAY_MS,
        ) {
            let port = port(seed, device, p);
            let boot = NOW_MS - uptime;
            for dir in [Direction::In, Direction::Out] {
                let a = port.counters(dir, boot, NOW_MS + t1);
                let b = port.counters(dir, boot, NOW_MS + t1 + dt);
                prop_assert!(b.octets >= a.octets && b.packets >= a.packets);
                prop_assert!(b.errors >= a.errors && b.discards >= a.discards);
                let bits = u128::from(b.octets - a.octets) * 8 * 1000;
                prop_assert!(bits <= u128::from(port.speed_bps) * u128::from(dt), "{bits} in {dt} ms");
            }
        }

        #[test]
        fn rate_matches_mean_utilisation(seed in any::<u64>(), p in 1u32..100, t in 0u64..DAY_MS) {
            let port = port(seed, 1, p);
            let curve = port.curves[0];
            let (from, to) = (NOW_MS + t, NOW_MS + t + 1000);
            let octets = curve.octets(port.speed_bps, from, to) as f64;
            let expect = curve.utilisation(from + 500) * port.speed_bps as f64 / 8.0;
            prop_assert!((octets - expect).abs() <= expect * 0.01 + 2.0, "{octets} vs {expect}");
        }
    }

    #[test]
    fn most_ports_moderate_a_few_hot() {
        let peaks: Vec<f64> = (1..=1000)
            .map(|p| port(42, 1, p))
            .filter(|p| p.up)
            .map(|p| p.curves[0].mean_ppm as f64 / 1e6 * PEAK_FACTOR)
            .collect();
        let hot = peaks.iter().filter(|&&u| u >= 0.6).count();
        assert!(peaks.iter().all(|&u| (0.08..=0.9).contains(&u)));
        assert!(hot > 30 && hot < 150, "{hot} hot ports");
    }

    #[test]
    fn boots_do_not_depend_on_the_start_instant() {
        let start = NOW_MS - NOW_MS % BOOT_WINDOW_MS;
        assert_eq!(
            boot(1, 2, None, start + 5, NOW_MS),
            boot(1, 2, None, start + DAY_MS, NOW_MS)
        );
        assert_eq!(
            boot(1, 2, Some(10_000), NOW_MS - 35_000, NOW_MS - 5),
            (NOW_MS - 10_000, 3)
        );
        assert_eq!(
            boot(1, 2, Some(10_000), NOW_MS - 20_000, NOW_MS + 9_999).0,
            NOW_MS
        );
    }

    #[test]
    fn night_is_quieter_than_day() {
        let curve = port(7, 1, 1).curves[0];
        let midnight = NOW_MS - NOW_MS % DAY_MS;
        let night = curve.utilisation(midnight + 3 * HOUR_MS);
        let day = curve.utilisation(midnight + 15 * HOUR_MS);
        assert!(night < day, "{night} vs {day}");
    }
}
