//! The demo's wifi history: weeks of daily usage for the demo's hotspots, read from the
//! simulator's client model (`simulator::ClientModel`, the numbers its controller serves), so
//! `irisops demo` shows verdicts and a relocation plan from its first minute. Each day is
//! sampled every 5 minutes over its local length (23, 24 or 25 hours) and reduced with the
//! rollup's definitions (peak of the sum over the hotspot's access points, client-hours of that
//! sum, clock hours with a client, share of samples up); the days are imported into the
//! store's daily rollup, never over a day the store already holds. From the demo's first whole
//! day on, the days are the rollup's own, from the polls.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;

use cadastre::Cadastre;
use collector::store::HotspotDay;
use simulator::{Backbone, ClientModel};

/// Sampling step of the history.
const STEP_MS: i64 = 5 * 60_000;
const HOUR_MS: i64 = 3_600_000;

/// The daily usage of every hotspot of `cad` for the `days` local days before `today`, from
/// the client model of `backbone`'s controllers (served with `seed`).
pub fn history(
    cad: &Cadastre,
    backbone: &Backbone,
    seed: u64,
    tz: Tz,
    today: NaiveDate,
    days: u32,
) -> Vec<HotspotDay> {
    let models: Vec<ClientModel> = backbone
        .controllers
        .iter()
        .map(|c| ClientModel::new(c, seed))
        .collect();
    // AP name → (controller, index in it).
    let index: HashMap<&str, (usize, usize)> = backbone
        .controllers
        .iter()
        .enumerate()
        .flat_map(|(c, ctl)| {
            ctl.aps
                .iter()
                .enumerate()
                .map(move |(i, ap)| (ap.name.as_str(), (c, i)))
        })
        .collect();
    let mut out = Vec::new();
    for back in (1..=days).rev() {
        let date = today - chrono::Days::new(u64::from(back));
        let Some((start, end)) = bounds(tz, date) else {
            continue;
        };
        for h in &cad.hotspots {
            let aps: Vec<(usize, usize)> = h
                .access_points
                .iter()
                .filter_map(|a| index.get(a.as_str()).copied())
                .collect();
            let models = &models;
            let clients = |t: i64| {
                aps.iter()
                    .map(move |&(c, i)| models[c].clients(i, u64::try_from(t).unwrap_or(0)))
            };
            out.push(day(
                &h.id,
                h.access_points.len(),
                date,
                (start, end),
                &clients,
            ));
        }
    }
    out
}

/// One hotspot's day from its access points' clients at each step (`None`: down).
fn day<I: Iterator<Item = Option<u32>>>(
    hotspot: &str,
    n_aps: usize,
    date: NaiveDate,
    (start, end): (i64, i64),
    clients: &dyn Fn(i64) -> I,
) -> HotspotDay {
    let (mut peak, mut sum_steps, mut up, mut samples) = (0u32, 0u64, 0u64, 0u64);
    let mut active = vec![false; usize::try_from((end - start) / HOUR_MS).unwrap_or(24) + 1];
    let mut t = start;
    while t < end {
        let mut total = 0u32;
        for c in clients(t) {
            samples += 1;
            if let Some(n) = c {
                up += 1;
                total += n;
            }
        }
        peak = peak.max(total);
        sum_steps += u64::from(total);
        if total > 0 {
            if let Some(a) = active.get_mut(usize::try_from((t - start) / HOUR_MS).unwrap_or(0)) {
                *a = true;
            }
        }
        t += STEP_MS;
    }
    let has = samples > 0;
    HotspotDay {
        hotspot: hotspot.to_string(),
        date,
        n_aps: u32::try_from(n_aps).unwrap_or(u32::MAX),
        peak_clients: has.then_some(f64::from(peak)),
        client_hours: has.then_some(sum_steps as f64 * STEP_MS as f64 / HOUR_MS as f64),
        active_hours: has.then_some(active.iter().filter(|a| **a).count() as f64),
        availability: has.then_some(up as f64 / samples as f64),
        coverage: if has { 1.0 } else { 0.0 },
    }
}

/// The local day's first and last instants (ms), midnight to midnight in `tz`.
fn bounds(tz: Tz, date: NaiveDate) -> Option<(i64, i64)> {
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.timestamp_millis())
    };
    Some((midnight(date)?, midnight(date.succ_opt()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_history_has_busy_quiet_and_faulty_hotspots_and_dst_days() {
        let cad = cadastre::demo::generate(1);
        let backbone = simulator::demo::backbone(&cad);
        let tz = chrono_tz::Europe::Brussels;
        // The 28 days before 2026-11-01 include 2026-10-25, a 25-hour day.
        let today: NaiveDate = "2026-11-01".parse().unwrap();
        let days = history(&cad, &backbone, 42, tz, today, 28);
        assert_eq!(days.len(), cad.hotspots.len() * 28);
        let dst = days
            .iter()
            .find(|d| d.date.to_string() == "2026-10-25" && d.peak_clients > Some(0.0))
            .unwrap();
        assert!(dst.active_hours.unwrap() <= 25.0 && dst.coverage == 1.0);
        // The verdicts on it: a sensible mix for the demo's plan.
        let usage: Vec<cadastre::wifi::DailyUsage> = days
            .iter()
            .map(|d| cadastre::wifi::DailyUsage {
                hotspot: d.hotspot.clone(),
                date: d.date,
                peak_clients: d.peak_clients,
                client_hours: d.client_hours,
                availability: d.availability,
                coverage: Some(d.coverage),
                ..Default::default()
            })
            .collect();
        let window = crate::questions::wifi::Window {
            until: today - chrono::Days::new(1),
            days: 28,
        };
        let v = crate::questions::wifi::verdicts(
            &cad,
            &usage,
            window,
            &cadastre::wifi::Criteria::default(),
        );
        let count =
            |k: cadastre::wifi::Verdict| v.hotspots.iter().filter(|h| h.verdict == k).count();
        let n = v.hotspots.len();
        let (ok, under, faulty) = (
            count(cadastre::wifi::Verdict::Ok),
            count(cadastre::wifi::Verdict::Underused),
            count(cadastre::wifi::Verdict::Faulty),
        );
        eprintln!("demo verdicts: {ok} ok, {under} underused, {faulty} faulty of {n}");
        assert!(ok >= n / 5, "{ok} ok of {n}");
        assert!(under >= n / 10, "{under} underused of {n}");
        assert!(faulty >= 1, "no faulty hotspot");
        assert_eq!(count(cadastre::wifi::Verdict::InsufficientData), 0);
    }
}
