//! The verdict on each hotspot over a window of whole local days (the contract; the defaults are
//! the `[wifi]` configuration keys):
//!
//! 1. `insufficient_data` when fewer than `min_coverage` (80%) of the window's days have data
//!    (a day has data when both its `peak_clients` and its `client_hours` are known and, for a
//!    day of the store's rollup, its polls cover at least half of it: [`MIN_DAY_COVERAGE`]);
//! 2. else `faulty` when the median daily availability is below `min_availability` (0.9): a dead
//!    access point is not an unused one, and a broken hotspot needs a repair, not a move (when no
//!    day knows its availability, this rule cannot apply and says so in the reason);
//! 3. else `underused` when the 90th percentile of daily `peak_clients` per access point is below
//!    `peak_per_ap_min` (3) **and** the median daily `client_hours` per access point is below
//!    `client_hours_per_ap_min` (8);
//! 4. else `ok`.
//!
//! Percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the n sorted values; the median of
//! an even count is the mean of the two middle values). Unknown is never underused.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// The rules' thresholds (the `[wifi]` keys).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Criteria {
    pub window_days: u32,
    pub min_coverage: f64,
    pub min_availability: f64,
    pub peak_per_ap_min: f64,
    pub client_hours_per_ap_min: f64,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
            window_days: 28,
            min_coverage: 0.8,
            min_availability: 0.9,
            peak_per_ap_min: 3.0,
            client_hours_per_ap_min: 8.0,
        }
    }
}

/// One hotspot's figures for one local day; `None` is unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DailyUsage {
    pub hotspot: String,
    pub date: NaiveDate,
    /// The highest number of clients over its access points at one poll.
    pub peak_clients: Option<f64>,
    /// The integral of that sum over the day, client-hours.
    pub client_hours: Option<f64>,
    /// The share of its access points' polls in which the access point was up, 0-1.
    pub availability: Option<f64>,
    /// Sessions and unique users, which only a captive portal counts (not used by the rules).
    pub sessions: Option<f64>,
    pub unique_users: Option<f64>,
    /// Hours of the day with at least one client (the store's rollup; a CSV does not say).
    pub active_hours: Option<f64>,
    /// The share of the day's expected polls that are present, 0-1 (the store's rollup; a CSV
    /// does not say). A day under [`MIN_DAY_COVERAGE`] is a day without data.
    pub coverage: Option<f64>,
}

/// A day whose polls cover less than this share of it has no data: its peak and client-hours
/// would understate the day (half a day of polls, say a controller down since noon).
pub const MIN_DAY_COVERAGE: f64 = 0.5;

impl DailyUsage {
    /// Whether the day counts as a day with data: its peak and client-hours are known and, when
    /// the coverage is known, it is at least [`MIN_DAY_COVERAGE`].
    pub fn has_data(&self) -> bool {
        self.peak_clients.is_some()
            && self.client_hours.is_some()
            && self.coverage.is_none_or(|c| c >= MIN_DAY_COVERAGE)
    }
}

/// What the rules decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    InsufficientData,
    Faulty,
    Underused,
    Ok,
}

impl Verdict {
    /// The contract's name (its JSON form): `insufficient_data`, `faulty`, `underused`, `ok`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::InsufficientData => "insufficient_data",
            Verdict::Faulty => "faulty",
            Verdict::Underused => "underused",
            Verdict::Ok => "ok",
        }
    }
}

/// One hotspot's verdict with the figures it was computed from and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotspotVerdict {
    pub id: String,
    pub verdict: Verdict,
    pub reason: String,
    pub n_aps: usize,
    pub days_with_data: u32,
    /// `days_with_data` / the window's days, 0-1.
    pub data_coverage: f64,
    pub p90_peak_per_ap: Option<f64>,
    pub median_client_hours_per_ap: Option<f64>,
    pub median_availability: Option<f64>,
}

/// The verdict on every hotspot of `hotspots` (id, number of access points) over the
/// `criteria.window_days` days ending with `until` (included), from `usage` (rows outside the
/// window or of other hotspots are ignored; a repeated day keeps its last row).
pub fn verdicts(
    hotspots: &[(String, usize)],
    usage: &[DailyUsage],
    until: NaiveDate,
    criteria: &Criteria,
) -> Vec<HotspotVerdict> {
    let first = until - chrono::Days::new(u64::from(criteria.window_days.max(1)) - 1);
    let mut days: BTreeMap<&str, BTreeMap<NaiveDate, &DailyUsage>> = BTreeMap::new();
    for u in usage.iter().filter(|u| (first..=until).contains(&u.date)) {
        days.entry(u.hotspot.as_str())
            .or_default()
            .insert(u.date, u);
    }
    hotspots
        .iter()
        .map(|(id, n_aps)| {
            let rows: Vec<&DailyUsage> = days
                .get(id.as_str())
                .map(|d| d.values().copied().collect())
                .unwrap_or_default();
            judge(id, *n_aps, &rows, criteria)
        })
        .collect()
}

/// The verdict on one hotspot from its rows in the window.
fn judge(id: &str, n_aps: usize, rows: &[&DailyUsage], c: &Criteria) -> HotspotVerdict {
    let with_data: Vec<&&DailyUsage> = rows.iter().filter(|u| u.has_data()).collect();
    let per_ap = |v: f64| v / n_aps.max(1) as f64;
    let mut peaks: Vec<f64> = with_data
        .iter()
        .filter_map(|u| u.peak_clients)
        .map(per_ap)
        .collect();
    let mut hours: Vec<f64> = with_data
        .iter()
        .filter_map(|u| u.client_hours)
        .map(per_ap)
        .collect();
    let mut avail: Vec<f64> = rows.iter().filter_map(|u| u.availability).collect();
    let days_with_data = with_data.len() as u32;
    let (p90, med_hours, med_avail) = (
        percentile(&mut peaks, 0.9),
        median(&mut hours),
        median(&mut avail),
    );
    let (verdict, reason) = decide(days_with_data, p90, med_hours, med_avail, c);
    HotspotVerdict {
        id: id.to_string(),
        verdict,
        reason,
        n_aps,
        days_with_data,
        data_coverage: f64::from(days_with_data) / f64::from(c.window_days.max(1)),
        p90_peak_per_ap: p90,
        median_client_hours_per_ap: med_hours,
        median_availability: med_avail,
    }
}

/// The rules, in their order, with the sentence that explains the outcome.
fn decide(
    days_with_data: u32,
    p90: Option<f64>,
    med_hours: Option<f64>,
    med_avail: Option<f64>,
    c: &Criteria,
) -> (Verdict, String) {
    let coverage = f64::from(days_with_data) / f64::from(c.window_days.max(1));
    let (Some(p90), Some(hours)) = (p90, med_hours) else {
        return (
            Verdict::InsufficientData,
            format!("no day with data in the {} days", c.window_days),
        );
    };
    if coverage < c.min_coverage {
        return (
            Verdict::InsufficientData,
            format!(
                "data on {days_with_data} of {} days ({:.0}% < {:.0}%)",
                c.window_days,
                coverage * 100.0,
                c.min_coverage * 100.0
            ),
        );
    }
    let availability = match med_avail {
        Some(a) if a < c.min_availability => {
            return (
                Verdict::Faulty,
                format!(
                    "median availability {:.2} < {}: repair before judging its use",
                    a, c.min_availability
                ),
            )
        }
        Some(a) => format!("median availability {a:.2} >= {}", c.min_availability),
        None => "availability unknown".to_string(),
    };
    let low_peak = p90 < c.peak_per_ap_min;
    let low_hours = hours < c.client_hours_per_ap_min;
    let peak = format!(
        "p90 daily peak {p90:.1} per AP {} {}",
        if low_peak { "<" } else { ">=" },
        c.peak_per_ap_min
    );
    let hours_text = format!(
        "median client-hours {hours:.1} per AP {} {}",
        if low_hours { "<" } else { ">=" },
        c.client_hours_per_ap_min
    );
    let verdict = if low_peak && low_hours {
        Verdict::Underused
    } else {
        Verdict::Ok
    };
    (verdict, format!("{peak}; {hours_text}; {availability}"))
}

/// The nearest-rank percentile `p` (0-1] of `values` (sorted here); `None` when empty.
fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

/// The median of `values` (sorted here): the mean of the two middle values of an even count.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests;
