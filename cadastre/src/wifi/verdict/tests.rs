//! Each rule at its boundary, missing data, a dead hotspot, the window's edges.

use super::*;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + chrono::Days::new(u64::from(n))
}

/// `days` rows for hotspot `id`, ending on day 27, each with these figures.
fn rows(id: &str, days: u32, peak: f64, hours: f64, avail: Option<f64>) -> Vec<DailyUsage> {
    (0..days)
        .map(|i| DailyUsage {
            hotspot: id.into(),
            date: day(27 - i),
            peak_clients: Some(peak),
            client_hours: Some(hours),
            availability: avail,
            ..DailyUsage::default()
        })
        .collect()
}

fn one(n_aps: usize, usage: &[DailyUsage]) -> HotspotVerdict {
    verdicts(&[("h".into(), n_aps)], usage, day(27), &Criteria::default())
        .pop()
        .unwrap()
}

#[test]
fn coverage_decides_first_at_eighty_percent() {
    // 28-day window: 23 days = 82% are enough, 22 days = 78.6% are not.
    let v = one(1, &rows("h", 23, 0.0, 0.0, Some(1.0)));
    assert_eq!(v.verdict, Verdict::Underused, "{v:?}");
    assert_eq!(v.days_with_data, 23);
    let v = one(1, &rows("h", 22, 0.0, 0.0, Some(1.0)));
    assert_eq!(v.verdict, Verdict::InsufficientData, "{v:?}");
    assert!(v.reason.contains("22 of 28"), "{}", v.reason);
    // Exactly 80%: 8 of 10 days.
    let c = Criteria {
        window_days: 10,
        ..Criteria::default()
    };
    let v = verdicts(
        &[("h".into(), 1)],
        &rows("h", 8, 0.0, 0.0, None),
        day(27),
        &c,
    );
    assert_eq!(v[0].verdict, Verdict::Underused, "{v:?}");
    // A day with an unknown figure is a day without data; no row at all is never underused.
    let mut r = rows("h", 28, 0.0, 0.0, Some(1.0));
    for u in r.iter_mut().take(6) {
        u.client_hours = None;
    }
    assert_eq!(one(1, &r).verdict, Verdict::InsufficientData);
    assert_eq!(one(4, &[]).verdict, Verdict::InsufficientData);
}

#[test]
fn availability_below_the_threshold_is_faulty_not_underused() {
    assert_eq!(
        one(2, &rows("h", 28, 0.0, 0.0, Some(0.9))).verdict,
        Verdict::Underused
    );
    let v = one(2, &rows("h", 28, 0.0, 0.0, Some(0.89)));
    assert_eq!(v.verdict, Verdict::Faulty, "{v:?}");
    assert!(v.reason.contains("repair"), "{}", v.reason);
    // An access point down all window: no clients, but faulty, never underused.
    let v = one(1, &rows("h", 28, 0.0, 0.0, Some(0.0)));
    assert_eq!(v.verdict, Verdict::Faulty);
    // Unknown availability cannot make it faulty, and the reason says so.
    let v = one(1, &rows("h", 28, 1.0, 1.0, None));
    assert_eq!(v.verdict, Verdict::Underused);
    assert!(v.reason.contains("availability unknown"), "{}", v.reason);
}

#[test]
fn underused_needs_both_figures_below_per_access_point() {
    // 3 APs: a peak of 9 clients is 3 per AP (not below), 8.97 is 2.99.
    assert_eq!(
        one(3, &rows("h", 28, 9.0, 0.0, Some(1.0))).verdict,
        Verdict::Ok
    );
    assert_eq!(
        one(3, &rows("h", 28, 8.97, 0.0, Some(1.0))).verdict,
        Verdict::Underused
    );
    // Client-hours: 24 for 3 APs is 8 per AP (not below), 23.97 is 7.99.
    assert_eq!(
        one(3, &rows("h", 28, 0.0, 24.0, Some(1.0))).verdict,
        Verdict::Ok
    );
    let v = one(3, &rows("h", 28, 5.1, 7.2, Some(1.0)));
    assert_eq!(v.verdict, Verdict::Underused);
    assert_eq!(
        v.reason,
        "p90 daily peak 1.7 per AP < 3; median client-hours 2.4 per AP < 8; median availability 1.00 >= 0.9"
    );
    assert_eq!(v.p90_peak_per_ap, Some(1.7));
}

#[test]
fn the_p90_is_nearest_rank_and_the_median_of_an_even_count_is_the_middle_mean() {
    // 28 days: 25 quiet days and 3 busy ones. Rank ⌈0.9 × 28⌉ = 26 is the first busy day.
    let mut r = rows("h", 25, 1.0, 1.0, Some(1.0));
    r.extend((25..28).map(|i| DailyUsage {
        hotspot: "h".into(),
        date: day(27 - i),
        peak_clients: Some(10.0),
        client_hours: Some(1.0),
        availability: Some(0.5),
        ..DailyUsage::default()
    }));
    let v = one(1, &r);
    assert_eq!(v.p90_peak_per_ap, Some(10.0));
    assert_eq!(v.verdict, Verdict::Ok);
    let mut even = vec![4.0, 1.0, 3.0, 2.0];
    assert_eq!(median(&mut even), Some(2.5));
    assert_eq!(percentile(&mut [5.0], 0.9), Some(5.0));
    assert_eq!(percentile(&mut [], 0.9), None);
}

#[test]
fn rows_outside_the_window_or_of_other_hotspots_do_not_count() {
    let mut r = rows("h", 28, 0.0, 0.0, Some(1.0));
    // Busy days just before the window and on the day after it, and another hotspot's.
    for (d, id) in [
        (day(0) - chrono::Days::new(1), "h"),
        (day(28), "h"),
        (day(5), "other"),
    ] {
        r.push(DailyUsage {
            hotspot: id.into(),
            date: d,
            peak_clients: Some(100.0),
            client_hours: Some(100.0),
            availability: Some(1.0),
            ..DailyUsage::default()
        });
    }
    // Day 5 of "h" repeated: the last row counts (still quiet).
    r.push(DailyUsage {
        hotspot: "h".into(),
        date: day(5),
        peak_clients: Some(0.5),
        client_hours: Some(0.5),
        availability: Some(1.0),
        ..DailyUsage::default()
    });
    let v = one(1, &r);
    assert_eq!(v.verdict, Verdict::Underused, "{v:?}");
    assert_eq!(v.days_with_data, 28);
}

#[test]
fn a_day_of_the_store_under_half_covered_is_a_day_without_data() {
    // 28 quiet days, 6 of them polled for less than half the day (a controller down since
    // morning): 22 days with data, so insufficient, never underused on a partial day's figures.
    let mut r = rows("h", 28, 0.0, 0.0, Some(1.0));
    for (i, u) in r.iter_mut().enumerate() {
        u.coverage = Some(if i < 6 { MIN_DAY_COVERAGE - 0.01 } else { 1.0 });
    }
    let v = one(1, &r);
    assert_eq!(v.verdict, Verdict::InsufficientData, "{v:?}");
    assert_eq!(v.days_with_data, 22);
    assert!((v.data_coverage - 22.0 / 28.0).abs() < 1e-12);
    // At exactly half a day, the day counts.
    for u in r.iter_mut().take(6) {
        u.coverage = Some(MIN_DAY_COVERAGE);
    }
    let v = one(1, &r);
    assert_eq!((v.verdict, v.days_with_data), (Verdict::Underused, 28));
}

#[test]
fn a_verdict_s_name_is_its_json_form() {
    for v in [
        Verdict::InsufficientData,
        Verdict::Faulty,
        Verdict::Underused,
        Verdict::Ok,
    ] {
        assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
    }
}
