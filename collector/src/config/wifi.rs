//! `[wifi]`: the wifi hotspots' usage review — the window and thresholds of the verdicts
//! (insufficient data, faulty, underused), the limits of a proposed move, and how daily usage
//! is rolled up (the local time zone of a day, the poll interval). Raw, validated and checked
//! in one file; the cadastre applies the verdicts, the store rolls the days up.

use std::ops::RangeInclusive;
use std::time::Duration;

use serde::Deserialize;

use super::problems::{duration_or, Problems};

/// `[wifi]` as written.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RawWifi {
    pub window_days: Option<i64>,
    pub min_coverage: Option<f64>,
    pub min_availability: Option<f64>,
    pub peak_per_ap_min: Option<f64>,
    pub client_hours_per_ap_min: Option<f64>,
    pub radius_m: Option<f64>,
    pub max_fibre_m: Option<f64>,
    pub max_moves: Option<i64>,
    pub timezone: Option<String>,
    pub poll_interval: Option<String>,
}

/// `[wifi]`, validated (every key has its default when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct WifiConfig {
    /// Days of daily usage a verdict looks at (default 28, 1..=3660).
    pub window_days: u32,
    /// Below this share of days with data, a hotspot has insufficient data (default 0.8).
    pub min_coverage: f64,
    /// Below this median availability, a hotspot is faulty (default 0.9).
    pub min_availability: f64,
    /// Underused below this p90 daily peak of clients per access point (default 3).
    pub peak_per_ap_min: f64,
    /// ... and below this median of daily client-hours per access point (default 8).
    pub client_hours_per_ap_min: f64,
    /// How far a hotspot may move to a candidate place, metres (default 100, > 0).
    pub radius_m: f64,
    /// The most fibre a moved hotspot may need to reach the network, metres (default 500).
    pub max_fibre_m: f64,
    /// The most hotspots one proposal moves; `None`: as many as can move.
    pub max_moves: Option<u32>,
    /// The time zone of a day of usage (default Europe/Brussels): a day runs from local
    /// midnight to local midnight.
    pub timezone: chrono_tz::Tz,
    /// How often the controllers are polled, for the rollup's coverage and client-hours
    /// (default 60 s, the default schedule's every minute).
    pub poll_interval: Duration,
}

impl Default for WifiConfig {
    fn default() -> WifiConfig {
        WifiConfig {
            window_days: 28,
            min_coverage: 0.8,
            min_availability: 0.9,
            peak_per_ap_min: 3.0,
            client_hours_per_ap_min: 8.0,
            radius_m: 100.0,
            max_fibre_m: 500.0,
            max_moves: None,
            timezone: chrono_tz::Europe::Brussels,
            poll_interval: Duration::from_secs(60),
        }
    }
}

/// Validates `[wifi]`; absent, every key takes its default.
pub(super) fn wifi(raw: Option<&RawWifi>, p: &mut Problems) -> WifiConfig {
    let d = WifiConfig::default();
    let Some(w) = raw else {
        return d;
    };
    let window_days = match w.window_days {
        None => d.window_days,
        Some(n) if (1..=3660).contains(&n) => n as u32,
        Some(n) => {
            p.push("wifi.window_days", format!("must be 1..=3660, got {n}"));
            d.window_days
        }
    };
    let max_moves = match w.max_moves {
        None => None,
        Some(n) => match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                p.push("wifi.max_moves", format!("must be >= 0, got {n}"));
                None
            }
        },
    };
    let timezone = match w.timezone.as_deref() {
        None => d.timezone,
        Some(t) => t.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
            p.push(
                "wifi.timezone",
                format!("unknown time zone {t:?}; write an IANA name, e.g. \"Europe/Brussels\""),
            );
            d.timezone
        }),
    };
    WifiConfig {
        window_days,
        min_coverage: real(
            w.min_coverage,
            "min_coverage",
            Bound::Share,
            d.min_coverage,
            p,
        ),
        min_availability: real(
            w.min_availability,
            "min_availability",
            Bound::Share,
            d.min_availability,
            p,
        ),
        peak_per_ap_min: real(
            w.peak_per_ap_min,
            "peak_per_ap_min",
            Bound::AtLeastZero,
            d.peak_per_ap_min,
            p,
        ),
        client_hours_per_ap_min: real(
            w.client_hours_per_ap_min,
            "client_hours_per_ap_min",
            Bound::AtLeastZero,
            d.client_hours_per_ap_min,
            p,
        ),
        radius_m: real(w.radius_m, "radius_m", Bound::Positive, d.radius_m, p),
        max_fibre_m: real(
            w.max_fibre_m,
            "max_fibre_m",
            Bound::AtLeastZero,
            d.max_fibre_m,
            p,
        ),
        max_moves,
        timezone,
        poll_interval: duration_or(
            w.poll_interval.as_deref(),
            "wifi.poll_interval",
            d.poll_interval,
            p,
        ),
    }
}

/// What a real-valued key accepts.
#[derive(Clone, Copy)]
enum Bound {
    /// 0..=1.
    Share,
    /// >= 0.
    AtLeastZero,
    /// > 0.
    Positive,
}

/// A real-valued key of `[wifi]`, or `default` when absent; out of its bound (or not finite)
/// it is a problem naming `wifi.{key}`.
fn real(v: Option<f64>, key: &str, bound: Bound, default: f64, p: &mut Problems) -> f64 {
    let Some(v) = v else {
        return default;
    };
    let share: RangeInclusive<f64> = 0.0..=1.0;
    let (ok, rule) = match bound {
        Bound::Share => (share.contains(&v), "must be 0..=1"),
        Bound::AtLeastZero => (v.is_finite() && v >= 0.0, "must be >= 0"),
        Bound::Positive => (v.is_finite() && v > 0.0, "must be > 0"),
    };
    if ok {
        v
    } else {
        p.push(format!("wifi.{key}"), format!("{rule}, got {v}"));
        default
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config::{Config, WifiConfig};

    fn parse(text: &str) -> Result<Config, Vec<String>> {
        Config::parse(text, &|_| None)
            .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
    }

    fn problems(wifi: &str) -> Vec<String> {
        parse(&format!("[wifi]\n{wifi}\n")).unwrap_err()
    }

    #[test]
    fn absent_or_empty_it_has_the_defaults() {
        assert_eq!(parse("").unwrap().wifi, WifiConfig::default());
        let cfg = parse("[wifi]\n").unwrap();
        assert_eq!(cfg.wifi, WifiConfig::default());
        assert_eq!(cfg.wifi.window_days, 28);
        assert_eq!(cfg.wifi.timezone, chrono_tz::Europe::Brussels);
        assert_eq!(cfg.wifi.poll_interval, Duration::from_secs(60));
        assert_eq!(cfg.wifi.max_moves, None);
    }

    #[test]
    fn every_key_is_read() {
        let cfg = parse(
            "[wifi]\nwindow_days = 365\nmin_coverage = 1\nmin_availability = 0\n\
             peak_per_ap_min = 0\nclient_hours_per_ap_min = 12.5\nradius_m = 250\n\
             max_fibre_m = 0\nmax_moves = 0\ntimezone = \"UTC\"\npoll_interval = \"5m\"\n",
        )
        .unwrap();
        let want = WifiConfig {
            window_days: 365,
            min_coverage: 1.0,
            min_availability: 0.0,
            peak_per_ap_min: 0.0,
            client_hours_per_ap_min: 12.5,
            radius_m: 250.0,
            max_fibre_m: 0.0,
            max_moves: Some(0),
            timezone: chrono_tz::UTC,
            poll_interval: Duration::from_secs(300),
        };
        assert_eq!(cfg.wifi, want);
    }

    #[test]
    fn each_rule_names_its_key() {
        let cases = [
            (
                "window_days = 0",
                "wifi.window_days: must be 1..=3660, got 0",
            ),
            ("window_days = 3661", "wifi.window_days: must be 1..=3660"),
            (
                "min_coverage = 1.5",
                "wifi.min_coverage: must be 0..=1, got 1.5",
            ),
            ("min_coverage = nan", "wifi.min_coverage: must be 0..=1"),
            (
                "min_availability = -0.1",
                "wifi.min_availability: must be 0..=1",
            ),
            ("peak_per_ap_min = -1", "wifi.peak_per_ap_min: must be >= 0"),
            (
                "client_hours_per_ap_min = -2",
                "wifi.client_hours_per_ap_min: must be >= 0",
            ),
            ("radius_m = 0", "wifi.radius_m: must be > 0, got 0"),
            ("radius_m = inf", "wifi.radius_m: must be > 0"),
            ("max_fibre_m = -5", "wifi.max_fibre_m: must be >= 0"),
            ("max_moves = -1", "wifi.max_moves: must be >= 0, got -1"),
            (
                "timezone = \"Europe/Bruxelles\"",
                "wifi.timezone: unknown time zone",
            ),
            (
                "poll_interval = \"0s\"",
                "wifi.poll_interval: must be greater than zero",
            ),
            (
                "poll_interval = \"often\"",
                "wifi.poll_interval: invalid duration",
            ),
        ];
        for (line, want) in cases {
            let p = problems(line);
            assert!(
                p.len() == 1 && p[0].starts_with(want),
                "{line}: {p:?}, want {want}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_and_unknown_keys_are_refused() {
        let p = problems("window_days = 0\nradius_m = -1\ntimezone = \"Mars/Olympus\"");
        assert_eq!(p.len(), 3, "{p:?}");
        let p = problems("radius = 100");
        assert!(
            p.len() == 1 && p[0] == "wifi.radius: unknown key (did you mean radius_m?)",
            "{p:?}"
        );
    }
}
