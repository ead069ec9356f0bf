//! The wifi questions, one code path behind `irisops wifi usage|verdicts|plan` and
//! `GET /api/v1/wifi/usage|verdicts|plan`: daily usage per hotspot (from the store's daily
//! rollup or from a captive portal's CSV), the verdict on each of the cadastre's hotspots over a
//! window of whole local days, and the relocation plan of the underused ones
//! (`cadastre::wifi`, pure, does the deciding; here the inputs are gathered and the answers
//! shaped).
//!
//! The contract's JSON: `verdicts` → `{"hotspots": [{"id", "verdict", "reason", "n_aps",
//! "days_with_data", "data_coverage", "p90_peak_per_ap", "median_client_hours_per_ap",
//! "median_availability"}], "window_days", "from", "until", "criteria"}`; `usage` →
//! `{"days": [{"hotspot", "date", "peak_clients", "client_hours", "active_hours",
//! "availability", "coverage", "sessions", "unique_users"}], "from", "to"}`.

use chrono::NaiveDate;
use serde::Serialize;

use cadastre::wifi::{Criteria, DailyUsage, HotspotVerdict, Plan, PlanParams};
use cadastre::Cadastre;
use collector::config::WifiConfig;
use collector::store::{HotspotAps, HotspotDay, Store};

use super::table::{Cell, Table};
use super::QuestionError;

/// The window of whole local days a verdict looks at: `window_days` days ending with `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub until: NaiveDate,
    pub days: u32,
}

impl Window {
    /// The window's first day.
    pub fn from(self) -> NaiveDate {
        self.until - chrono::Days::new(u64::from(self.days.max(1)) - 1)
    }
}

/// Each hotspot of the cadastre and its number of access points (at least 1: a hotspot
/// documented without its access points is judged as one access point).
pub fn hotspots_of(cad: &Cadastre) -> Vec<(String, usize)> {
    cad.hotspots
        .iter()
        .map(|h| (h.id.clone(), h.access_points.len().max(1)))
        .collect()
}

/// The answer of `wifi verdicts`.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictsAnswer {
    pub hotspots: Vec<HotspotVerdict>,
    pub window_days: u32,
    /// The window's first and last days (local dates, YYYY-MM-DD).
    pub from: String,
    pub until: String,
    pub criteria: Criteria,
}

/// The verdict on every hotspot of `cad` over `window` from `usage`.
pub fn verdicts(
    cad: &Cadastre,
    usage: &[DailyUsage],
    window: Window,
    criteria: &Criteria,
) -> VerdictsAnswer {
    let criteria = Criteria {
        window_days: window.days,
        ..*criteria
    };
    VerdictsAnswer {
        hotspots: cadastre::wifi::verdicts(&hotspots_of(cad), usage, window.until, &criteria),
        window_days: window.days,
        from: window.from().to_string(),
        until: window.until.to_string(),
        criteria,
    }
}

/// The verdicts as a table (one line per hotspot, the reason last).
pub fn verdicts_table(a: &VerdictsAnswer) -> Table {
    let num = |v: Option<f64>, d: usize| v.map_or(Cell::Empty, |v| Cell::Num(v, d));
    Table {
        header: vec![
            "hotspot",
            "verdict",
            "n_aps",
            "days_with_data",
            "p90_peak_per_ap",
            "median_client_hours_per_ap",
            "median_availability",
            "reason",
        ],
        rows: a
            .hotspots
            .iter()
            .map(|v| {
                vec![
                    Cell::Text(v.id.clone()),
                    Cell::Text(v.verdict.as_str().to_string()),
                    Cell::Int(v.n_aps as u64),
                    Cell::Int(u64::from(v.days_with_data)),
                    num(v.p90_peak_per_ap, 2),
                    num(v.median_client_hours_per_ap, 2),
                    num(v.median_availability, 3),
                    Cell::Text(v.reason.clone()),
                ]
            })
            .collect(),
    }
}

/// One hotspot's figures for one local day (`cadastre::wifi::DailyUsage` with its date as
/// text); null is unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageDay {
    pub hotspot: String,
    pub date: String,
    pub peak_clients: Option<f64>,
    pub client_hours: Option<f64>,
    pub active_hours: Option<f64>,
    pub availability: Option<f64>,
    pub coverage: Option<f64>,
    pub sessions: Option<f64>,
    pub unique_users: Option<f64>,
}

/// The answer of `wifi usage`.
#[derive(Debug, Clone, Serialize)]
pub struct UsageAnswer {
    pub days: Vec<UsageDay>,
    pub from: String,
    pub to: String,
}

/// The rows of `usage` from `from` to `to` (included), of one hotspot when given, ordered by
/// hotspot then date.
pub fn usage(
    usage: &[DailyUsage],
    hotspot: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> UsageAnswer {
    let mut days: Vec<UsageDay> = usage
        .iter()
        .filter(|u| (from..=to).contains(&u.date))
        .filter(|u| hotspot.is_none_or(|h| h == u.hotspot))
        .map(|u| UsageDay {
            hotspot: u.hotspot.clone(),
            date: u.date.to_string(),
            peak_clients: u.peak_clients,
            client_hours: u.client_hours,
            active_hours: u.active_hours,
            availability: u.availability,
            coverage: u.coverage,
            sessions: u.sessions,
            unique_users: u.unique_users,
        })
        .collect();
    days.sort_by(|a, b| (&a.hotspot, &a.date).cmp(&(&b.hotspot, &b.date)));
    UsageAnswer {
        days,
        from: from.to_string(),
        to: to.to_string(),
    }
}

/// The usage as a table (one line per hotspot and day).
pub fn usage_table(a: &UsageAnswer) -> Table {
    let num = |v: Option<f64>, d: usize| v.map_or(Cell::Empty, |v| Cell::Num(v, d));
    Table {
        header: vec![
            "hotspot",
            "date",
            "peak_clients",
            "client_hours",
            "active_hours",
            "availability",
            "coverage",
            "sessions",
            "unique_users",
        ],
        rows: a
            .days
            .iter()
            .map(|d| {
                vec![
                    Cell::Text(d.hotspot.clone()),
                    Cell::Text(d.date.clone()),
                    num(d.peak_clients, 0),
                    num(d.client_hours, 2),
                    num(d.active_hours, 0),
                    num(d.availability, 3),
                    num(d.coverage, 3),
                    num(d.sessions, 0),
                    num(d.unique_users, 0),
                ]
            })
            .collect(),
    }
}

/// The verdicts' thresholds of a config's `[wifi]` keys.
pub fn criteria_of(w: &WifiConfig) -> Criteria {
    Criteria {
        window_days: w.window_days,
        min_coverage: w.min_coverage,
        min_availability: w.min_availability,
        peak_per_ap_min: w.peak_per_ap_min,
        client_hours_per_ap_min: w.client_hours_per_ap_min,
    }
}

/// The plan's parameters of a config's `[wifi]` keys (10 s of solving at most).
pub fn plan_params_of(w: &WifiConfig) -> PlanParams {
    PlanParams {
        max_moves: w.max_moves.map(|k| k as usize),
        ..PlanParams::new(w.radius_m, w.max_fibre_m)
    }
}

/// The hotspots of `cad` and their access points, as the store's rollup matches them.
pub fn hotspot_aps(cad: &Cadastre) -> Vec<HotspotAps> {
    cad.hotspots
        .iter()
        .map(|h| HotspotAps {
            id: h.id.clone(),
            access_points: h.access_points.clone(),
        })
        .collect()
}

/// Rolls the store's wifi usage up through `through` (a whole local day), for the hotspots of
/// `cad`: each day not yet rolled up, from the first with samples (cheap when none is new).
pub fn roll_up(
    store: &mut Store,
    cad: &Cadastre,
    w: &WifiConfig,
    through: NaiveDate,
) -> Result<usize, QuestionError> {
    store
        .rollup_wifi_through(through, w.timezone, w.poll_interval, &hotspot_aps(cad))
        .map_err(QuestionError::store("roll the wifi usage up"))
}

/// The store's daily usage from `from` to `to` (one hotspot when given).
pub fn usage_of_store(
    store: &Store,
    hotspot: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DailyUsage>, QuestionError> {
    let days = store
        .wifi_usage(hotspot, from, to)
        .map_err(QuestionError::store("read the wifi usage"))?;
    Ok(days.into_iter().map(daily).collect())
}

/// A day of the store's rollup as the verdicts read it.
fn daily(d: HotspotDay) -> DailyUsage {
    DailyUsage {
        hotspot: d.hotspot,
        date: d.date,
        peak_clients: d.peak_clients,
        client_hours: d.client_hours,
        availability: d.availability,
        active_hours: d.active_hours,
        coverage: Some(d.coverage),
        ..DailyUsage::default()
    }
}

/// Yesterday in `w`'s time zone: the last whole local day, the default end of a window.
pub fn yesterday(w: &WifiConfig) -> NaiveDate {
    chrono::Utc::now().with_timezone(&w.timezone).date_naive() - chrono::Days::new(1)
}

/// The relocation plan: the verdicts over `window`, then the plan of the underused hotspots.
pub fn plan(
    cad: &Cadastre,
    usage: &[DailyUsage],
    window: Window,
    criteria: &Criteria,
    params: &PlanParams,
) -> Plan {
    let v = verdicts(cad, usage, window, criteria);
    cadastre::wifi::plan(cad, &v.hotspots, &v.criteria, params)
}

/// The plan's moves as a table (one line per move; the targets a place covers joined by `;`).
pub fn plan_table(p: &Plan) -> Table {
    Table {
        header: vec![
            "hotspot",
            "from_site",
            "to_target",
            "to_kind",
            "distance_m",
            "fibre_m",
            "fibre_via",
            "weight",
            "covers",
        ],
        rows: p
            .moves
            .iter()
            .map(|m| {
                let (kind, id) = m.fibre_via.parts();
                vec![
                    Cell::Text(m.hotspot.clone()),
                    Cell::Text(m.from_site.clone()),
                    Cell::Text(m.to_target.clone()),
                    Cell::Text(m.to_kind.clone()),
                    Cell::Num(m.distance_m, 1),
                    Cell::Num(m.fibre_m, 1),
                    Cell::Text(format!("{kind} {id}")),
                    Cell::Num(m.weight, 3),
                    Cell::Text(m.covers.join(";")),
                ]
            })
            .collect(),
    }
}

/// The plan's summary line: weight, fibre, optimality and its bound, solve time.
pub fn plan_summary(p: &Plan) -> String {
    format!(
        "{} moves of {} movable hotspots to {} candidate places: covered weight {:.3} ({}; bound {:.3}, greedy {:.3}), fibre {:.1} m, solved in {:.0} ms",
        p.moves.len(),
        p.movable,
        p.candidates,
        p.covered_weight,
        if p.optimal { "optimal" } else { "not proven optimal" },
        p.bound,
        p.greedy_weight,
        p.fibre_m_total,
        p.solve_ms
    )
}

/// The last date of `usage` (the default `until` of a CSV's verdicts).
pub fn last_date(usage: &[DailyUsage]) -> Option<NaiveDate> {
    usage.iter().map(|u| u.date).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn usage_filters_by_window_and_hotspot_and_sorts() {
        let row = |h: &str, date: &str| DailyUsage {
            hotspot: h.into(),
            date: d(date),
            peak_clients: Some(3.0),
            ..DailyUsage::default()
        };
        let rows = [
            row("b", "2026-11-02"),
            row("a", "2026-11-03"),
            row("a", "2026-11-01"),
            row("a", "2026-10-31"),
        ];
        let a = usage(&rows, None, d("2026-11-01"), d("2026-11-03"));
        let keys: Vec<(&str, &str)> = a
            .days
            .iter()
            .map(|u| (u.hotspot.as_str(), u.date.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("a", "2026-11-01"),
                ("a", "2026-11-03"),
                ("b", "2026-11-02")
            ]
        );
        assert_eq!(
            usage(&rows, Some("b"), d("2026-11-01"), d("2026-11-03"))
                .days
                .len(),
            1
        );
        assert_eq!(last_date(&rows), Some(d("2026-11-03")));
        assert_eq!(usage_table(&a).rows[0][2], Cell::Num(3.0, 0));
    }

    #[test]
    fn the_window_ends_on_until_and_counts_its_days() {
        let w = Window {
            until: d("2026-11-29"),
            days: 28,
        };
        assert_eq!(w.from(), d("2026-11-02"));
    }
}
