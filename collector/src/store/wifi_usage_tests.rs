//! Tests of the wifi hotspots' daily usage rollup: hand-computed figures, the DST days of
//! Europe/Brussels, gaps, down APs, MAC spellings, progress, prune and the schema-4 migration.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Brussels;
use chrono_tz::Tz;

use super::tests::{open, poll};
use super::*;
use crate::sample::{ApStatus, Wifi};

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const EVERY_MINUTE: Duration = Duration::from_secs(60);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Local midnight of `d` in Brussels, computed independently of the module.
fn midnight(d: NaiveDate) -> i64 {
    Brussels
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
        .single()
        .unwrap()
        .timestamp_millis()
}

fn ap(name: &str, mac: &str, up: bool, clients: Option<u64>) -> ApStatus {
    ApStatus {
        name: name.into(),
        mac: (!mac.is_empty()).then(|| mac.into()),
        status: if up { "up" } else { "down" }.into(),
        clients,
    }
}

/// Writes one poll of `device` per time in `times`, its APs from `aps(time)`, in one batch.
fn write(store: &mut Store, device: &str, times: &[i64], aps: impl Fn(i64) -> Vec<ApStatus>) {
    let polls: Vec<_> = times
        .iter()
        .map(|&t| {
            let (mut p, r) = poll(device, t, &[]);
            p.wifi = Some(Wifi {
                aps: aps(t),
                ..Wifi::default()
            });
            (p, r)
        })
        .collect();
    store.write(&polls).unwrap();
}

/// Every minute of the local day `d`.
fn minutes_of(d: NaiveDate) -> Vec<i64> {
    (midnight(d)..midnight(d.succ_opt().unwrap()))
        .step_by(MIN as usize)
        .collect()
}

fn hotspot(id: &str, aps: &[&str]) -> HotspotAps {
    HotspotAps {
        id: id.into(),
        access_points: aps.iter().map(|s| s.to_string()).collect(),
    }
}

fn roll(store: &mut Store, d: NaiveDate, hotspots: &[HotspotAps]) -> Vec<HotspotDay> {
    let n = store
        .rollup_wifi_day(d, Brussels, EVERY_MINUTE, hotspots)
        .unwrap();
    assert_eq!(n, hotspots.len());
    store.wifi_usage(None, d, d).unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Two APs, one matched by name and one by MAC, on a summer day (24 h), every minute:
/// lobby has 2 clients 08-12 h, hall 3 clients 10-14 h and is down 20-21 h; "other" is not
/// the hotspot's and must not count.
#[test]
fn a_normal_day_has_the_hand_computed_figures() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    let start = midnight(d);
    let hour = |t: i64| (t - start) / HOUR;
    write(&mut store, "wlc", &minutes_of(d), |t| {
        let h = hour(t);
        vec![
            ap(
                "lobby",
                "02:00:00:00:00:01",
                true,
                Some(if (8..12).contains(&h) { 2 } else { 0 }),
            ),
            if h == 20 {
                ap("hall", "aa:bb:cc:00:11:22", false, None)
            } else {
                ap(
                    "hall",
                    "aa:bb:cc:00:11:22",
                    true,
                    Some(if (10..14).contains(&h) { 3 } else { 0 }),
                )
            },
            ap("other", "02:00:00:00:00:09", true, Some(50)),
        ]
    });
    let rows = roll(
        &mut store,
        d,
        &[hotspot("h1", &["Lobby", "AA:BB:CC:00:11:22"])],
    );
    let [r] = &rows[..] else { panic!("{rows:?}") };
    assert_eq!((r.hotspot.as_str(), r.date, r.n_aps), ("h1", d, 2));
    assert!(close(r.peak_clients, 5.0), "{r:?}");
    // lobby 2 × 4 h + hall 3 × 4 h.
    assert!(close(r.client_hours, 20.0), "{r:?}");
    assert!(close(r.active_hours, 6.0), "{r:?}");
    assert!(close(r.availability, (2880.0 - 60.0) / 2880.0), "{r:?}");
    assert_eq!(r.coverage, 1.0);
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["date"], "2026-06-10");
}

/// The days clocks change in Brussels last 23 and 25 hours: full polls cover them, and the
/// client-hours and active hours follow the day's length.
#[test]
fn the_dst_days_last_23_and_25_hours() {
    for (d, hours) in [(date(2026, 3, 29), 23.0), (date(2026, 10, 25), 25.0)] {
        let (_dir, mut store) = open();
        let minutes = minutes_of(d);
        assert_eq!(minutes.len() as f64, hours * 60.0);
        write(&mut store, "wlc", &minutes, |_| {
            vec![ap("a1", "", true, Some(4))]
        });
        let rows = roll(&mut store, d, &[hotspot("h", &["a1"])]);
        let r = &rows[0];
        assert_eq!(r.coverage, 1.0, "{d}: {r:?}");
        assert!(close(r.client_hours, 4.0 * hours), "{d}: {r:?}");
        assert!(close(r.active_hours, hours), "{d}: {r:?}");
        // The neighbouring days are untouched by this day's samples.
        let next = store
            .rollup_wifi_day(
                d.succ_opt().unwrap(),
                Brussels,
                EVERY_MINUTE,
                &[hotspot("h", &["a1"])],
            )
            .unwrap();
        assert_eq!(next, 1);
        let after = store
            .wifi_usage(Some("h"), d.succ_opt().unwrap(), d.succ_opt().unwrap())
            .unwrap();
        assert_eq!(after[0].coverage, 0.0);
    }
}

#[test]
fn half_the_polls_missing_halves_coverage_without_inflating_client_hours() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    let every_other: Vec<i64> = minutes_of(d).into_iter().step_by(2).collect();
    write(&mut store, "wlc", &every_other, |_| {
        vec![ap("a1", "", true, Some(2))]
    });
    let r = &roll(&mut store, d, &[hotspot("h", &["a1"])])[0];
    assert_eq!(r.coverage, 0.5);
    // Each poll counts one interval, not the two minutes to the next one: 2 clients × 12 h.
    assert!(close(r.client_hours, 24.0), "{r:?}");
    assert!(close(r.peak_clients, 2.0), "{r:?}");
    assert!(close(r.availability, 1.0), "{r:?}");
}

#[test]
fn an_ap_down_all_day_has_no_availability_and_its_clients_do_not_count() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    write(&mut store, "wlc", &minutes_of(d), |_| {
        vec![ap("a1", "", false, Some(7))]
    });
    let r = &roll(&mut store, d, &[hotspot("h", &["a1"])])[0];
    assert!(close(r.availability, 0.0), "{r:?}");
    assert!(
        close(r.peak_clients, 0.0) && close(r.client_hours, 0.0),
        "{r:?}"
    );
    assert!(close(r.active_hours, 0.0), "{r:?}");
    assert_eq!(r.coverage, 1.0);
}

#[test]
fn a_hotspot_without_samples_gets_an_explicit_no_data_row() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    write(&mut store, "wlc", &minutes_of(d)[..10], |_| {
        vec![ap("a1", "", true, Some(1))]
    });
    let rows = roll(
        &mut store,
        d,
        &[hotspot("quiet", &["nowhere", "a2"]), hotspot("empty", &[])],
    );
    let want = |id: &str, n_aps| HotspotDay {
        hotspot: id.into(),
        date: d,
        n_aps,
        peak_clients: None,
        client_hours: None,
        active_hours: None,
        availability: None,
        coverage: 0.0,
    };
    assert_eq!(rows, [want("empty", 0), want("quiet", 2)]);
}

#[test]
fn macs_match_in_every_spelling_and_names_ignore_case() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    write(&mut store, "wlc", &minutes_of(d), |_| {
        vec![ap("AP-Lobby", "AA:BB:CC:00:11:22", true, Some(3))]
    });
    let hotspots = [
        hotspot("colons", &["AA:BB:CC:00:11:22"]),
        hotspot("dots", &["aabb.cc00.1122"]),
        hotspot("dashes", &["aa-bb-cc-00-11-22"]),
        hotspot("name", &["ap-lobby"]),
        hotspot("not", &["aa:bb:cc:00:11:23", "lobby"]),
    ];
    let rows = roll(&mut store, d, &hotspots);
    for r in &rows {
        if r.hotspot == "not" {
            assert_eq!((r.coverage, r.client_hours), (0.0, None), "{r:?}");
        } else {
            assert_eq!(r.coverage, 1.0, "{r:?}");
            assert!(close(r.client_hours, 72.0), "{r:?}");
        }
    }
    assert_eq!(normalise_mac("AAbb.CC00.1122"), "aabbcc001122");
}

/// APs of one hotspot on two controllers that poll 30 s apart: their polls of one minute are
/// one poll (summed), not two polls of half the clients each.
#[test]
fn aps_on_two_controllers_are_put_on_the_interval_grid() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    let minutes = minutes_of(d);
    write(&mut store, "wlc-a", &minutes, |_| {
        vec![ap("a1", "", true, Some(2))]
    });
    let shifted: Vec<i64> = minutes.iter().map(|t| t + 30_000).collect();
    write(&mut store, "wlc-b", &shifted, |_| {
        vec![ap("b1", "", true, Some(3))]
    });
    let r = &roll(&mut store, d, &[hotspot("h", &["a1", "b1"])])[0];
    assert!(close(r.peak_clients, 5.0), "{r:?}");
    assert!(close(r.client_hours, 5.0 * 24.0), "{r:?}");
    assert_eq!(r.coverage, 1.0);
}

fn rolled_through(store: &Store) -> Option<i64> {
    store
        .conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'wifi_rolled_through'",
            [],
            |r| r.get(0),
        )
        .ok()
}

#[test]
fn rollup_through_is_idempotent_and_resumes_after_the_last_rolled_day() {
    let (_dir, mut store) = open();
    let hs = [hotspot("h", &["a1"]), hotspot("g", &["a2"])];
    let tz: Tz = Brussels;
    // Nothing stored: nothing to do, no progress recorded.
    assert_eq!(
        store
            .rollup_wifi_through(date(2026, 6, 12), tz, EVERY_MINUTE, &hs)
            .unwrap(),
        0
    );
    assert_eq!(rolled_through(&store), None);
    let (d1, d2, d3) = (date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12));
    for d in [d1, d2, d3] {
        write(&mut store, "wlc", &minutes_of(d), |_| {
            vec![ap("a1", "", true, Some(1))]
        });
    }
    assert_eq!(
        store
            .rollup_wifi_through(d2, tz, EVERY_MINUTE, &hs)
            .unwrap(),
        4
    );
    let first = store.wifi_usage(None, d1, d3).unwrap();
    assert_eq!(first.len(), 4);
    assert_eq!(
        first
            .iter()
            .map(|r| (r.hotspot.as_str(), r.date))
            .collect::<Vec<_>>(),
        [("g", d1), ("g", d2), ("h", d1), ("h", d2)]
    );
    assert_eq!(
        rolled_through(&store),
        Some((d2 - date(1970, 1, 1)).num_days())
    );
    // Again: nothing new.
    assert_eq!(
        store
            .rollup_wifi_through(d2, tz, EVERY_MINUTE, &hs)
            .unwrap(),
        0
    );
    // Interrupted after d1: the next run rolls d2 only.
    store
        .conn
        .execute_batch(&format!(
            "DELETE FROM wifi_hotspot_day WHERE date = '2026-06-11';
             UPDATE meta SET value = {} WHERE key = 'wifi_rolled_through';",
            (d1 - date(1970, 1, 1)).num_days()
        ))
        .unwrap();
    assert_eq!(
        store
            .rollup_wifi_through(d2, tz, EVERY_MINUTE, &hs)
            .unwrap(),
        2
    );
    assert_eq!(store.wifi_usage(None, d1, d3).unwrap(), first);
    // The day after: one more day.
    assert_eq!(
        store
            .rollup_wifi_through(d3, tz, EVERY_MINUTE, &hs)
            .unwrap(),
        2
    );
    let h = store.wifi_usage(Some("h"), d1, d3).unwrap();
    assert_eq!(h.iter().map(|r| r.date).collect::<Vec<_>>(), [d1, d2, d3]);
    assert!(h.iter().all(|r| r.coverage == 1.0));
    // A day rolled twice is the same day.
    store.rollup_wifi_day(d1, tz, EVERY_MINUTE, &hs).unwrap();
    assert_eq!(store.wifi_usage(None, d1, d2).unwrap(), first);
}

#[test]
fn bad_arguments_are_refused() {
    let (_dir, mut store) = open();
    let d = date(2026, 6, 10);
    assert!(matches!(
        store.rollup_wifi_day(d, Brussels, Duration::ZERO, &[]),
        Err(StoreError::InvalidArgument { .. })
    ));
    assert!(matches!(
        store.wifi_usage(None, d, date(2026, 6, 9)),
        Err(StoreError::InvalidArgument { .. })
    ));
}

#[test]
fn prune_removes_daily_rows_older_than_the_rollup_retention() {
    let (_dir, mut store) = open();
    let (old, recent) = (date(2025, 1, 10), date(2026, 1, 10));
    for d in [old, recent] {
        store
            .rollup_wifi_day(d, Brussels, EVERY_MINUTE, &[hotspot("h", &["a1"])])
            .unwrap();
    }
    // 400 days after 2025-01-10 is 2026-02-14: the old day goes, the recent one stays.
    let now = midnight(date(2026, 2, 20));
    let stats = store.prune(now).unwrap();
    assert_eq!(stats.n_wifi_days, 1);
    let left = store.wifi_usage(None, old, recent).unwrap();
    assert_eq!(left.iter().map(|r| r.date).collect::<Vec<_>>(), [recent]);
}

/// A schema-4 store (no daily table) opens at the current schema, keeps its wifi samples, and
/// rolls up.
#[test]
fn a_schema_4_store_is_migrated_and_rolls_up_its_samples() {
    let dir = tempfile::tempdir().unwrap();
    let d = date(2026, 6, 10);
    {
        let mut store = Store::open(dir.path(), Retention::default()).unwrap();
        write(&mut store, "wlc", &minutes_of(d), |_| {
            vec![ap("a1", "", true, Some(1))]
        });
        store
            .conn
            .execute_batch("DROP TABLE wifi_hotspot_day; PRAGMA user_version = 4;")
            .unwrap();
    }
    let mut store = Store::open(dir.path(), Retention::default()).unwrap();
    assert_eq!(
        schema::version(&store.conn).unwrap(),
        schema::SCHEMA_VERSION
    );
    let r = &roll(&mut store, d, &[hotspot("h", &["a1"])])[0];
    assert_eq!(r.coverage, 1.0);
    assert!(close(r.client_hours, 24.0), "{r:?}");
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}
