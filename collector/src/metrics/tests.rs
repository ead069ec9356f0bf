//! The Prometheus text of `/metrics`: pinned byte for byte (family names, HELP and TYPE lines,
//! label escaping, order), so a refactor of `render` provably changes nothing.

use super::*;

#[test]
fn renders_counters_labels_and_histogram() {
    let m = Metrics::default();
    m.poll_done("core-\"1\"", PollStatus::Ok, 30, 48);
    m.poll_done("edge", PollStatus::Timeout, 5000, 0);
    m.gap(GapReason::Reboot);
    let t = m.render();
    assert!(t.contains("irisops_polls_total 2"), "{t}");
    assert!(t.contains("irisops_poll_failures_total{status=\"timeout\"} 1"));
    assert!(t.contains("irisops_gaps_total{reason=\"reboot\"} 1"));
    assert!(t.contains("irisops_device_up{device=\"core-\\\"1\\\"\"} 1"));
    assert!(t.contains("irisops_device_ports{device=\"core-\\\"1\\\"\"} 48"));
    assert!(t.contains("irisops_poll_duration_seconds_bucket{le=\"0.05\"} 1"));
    assert!(t.contains("irisops_poll_duration_seconds_bucket{le=\"+Inf\"} 2"));
}

/// Every counter set to a value of its own, so a family that reads the wrong field shows.
fn busy() -> Metrics {
    let m = Metrics::default();
    m.poll_done("core-\"1\"\\a\nb", PollStatus::Ok, 30, 48);
    m.poll_done("edge", PollStatus::Timeout, 5000, 0);
    m.poll_done("edge", PollStatus::AuthError, 200, 0);
    m.poll_done("dist", PollStatus::Error, 12_000, 0);
    let set = |a: &AtomicU64, v: u64| a.store(v, Ordering::Relaxed);
    set(&m.poll_panics, 3);
    set(&m.skipped_ticks, 5);
    set(&m.rates, 7);
    m.gap(GapReason::Reboot);
    m.gap(GapReason::Reboot);
    for r in GAP_REASONS {
        m.gap(r);
    }
    set(&m.store_writes, 11);
    set(&m.store_points, 13);
    set(&m.store_write_errors, 17);
    set(&m.store_renumbered, 19);
    set(&m.varbinds, 23);
    set(&m.tap_dropped, 29);
    set(&m.influx_write_errors, 31);
    m
}

#[test]
fn renders_without_an_outbox_byte_for_byte() {
    assert_eq!(busy().render(), WITHOUT_OUTBOX);
}

#[test]
fn renders_the_outbox_byte_for_byte() {
    let m = busy();
    *m.outbox.lock().unwrap() = Some(OutboxStats {
        depth: 37,
        bytes: 41_000,
        oldest_ms: None,
        sent: 43,
        sent_points: 47,
        dropped: 53,
        dropped_points: 59,
        corrupt: 61,
    });
    assert_eq!(m.render(), format!("{WITHOUT_OUTBOX}{OUTBOX}"));
}

#[test]
fn the_outbox_age_is_that_of_its_oldest_batch() {
    let m = Metrics::default();
    let oldest_ms = Some(crate::poll::now_ms() - 90_000);
    *m.outbox.lock().unwrap() = Some(OutboxStats {
        oldest_ms,
        ..OutboxStats::default()
    });
    let t = m.render();
    let line = t
        .lines()
        .find(|l| l.starts_with("irisops_outbox_oldest_age_seconds "))
        .unwrap();
    let age: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((90.0..100.0).contains(&age), "{line}");
}

/// `busy()` rendered before `render` was split into one function per family.
const WITHOUT_OUTBOX: &str = r##"# HELP irisops_polls_total Device polls finished.
# TYPE irisops_polls_total counter
irisops_polls_total 4
# HELP irisops_poll_failures_total Device polls that failed, by status.
# TYPE irisops_poll_failures_total counter
irisops_poll_failures_total{status="timeout"} 1
irisops_poll_failures_total{status="auth_error"} 1
irisops_poll_failures_total{status="error"} 1
irisops_poll_failures_total{status="panic"} 3
# HELP irisops_skipped_ticks_total Schedule ticks skipped because the device's previous poll was still running.
# TYPE irisops_skipped_ticks_total counter
irisops_skipped_ticks_total 5
# HELP irisops_rates_total Port intervals that gave a rate.
# TYPE irisops_rates_total counter
irisops_rates_total 7
# HELP irisops_gaps_total Port intervals that are gaps, by reason.
# TYPE irisops_gaps_total counter
irisops_gaps_total{reason="no_previous"} 1
irisops_gaps_total{reason="reboot"} 3
irisops_gaps_total{reason="discontinuity"} 1
irisops_gaps_total{reason="implausible_wrap"} 1
irisops_gaps_total{reason="over_speed"} 1
irisops_gaps_total{reason="bad_interval"} 1
irisops_gaps_total{reason="ambiguous_wrap"} 1
# HELP irisops_store_writes_total Batches committed to the embedded store.
# TYPE irisops_store_writes_total counter
irisops_store_writes_total 11
# HELP irisops_store_points_total Port samples committed to the embedded store.
# TYPE irisops_store_points_total counter
irisops_store_points_total 13
# HELP irisops_store_write_errors_total Failed store writes (the batch is retried).
# TYPE irisops_store_write_errors_total counter
irisops_store_write_errors_total 17
# HELP irisops_store_renumbered_total Ports whose ifIndex changed (history kept).
# TYPE irisops_store_renumbered_total counter
irisops_store_renumbered_total 19
# HELP irisops_varbinds_total Varbinds received.
# TYPE irisops_varbinds_total counter
irisops_varbinds_total 23
# HELP irisops_poll_duration_seconds Duration of device polls.
# TYPE irisops_poll_duration_seconds histogram
irisops_poll_duration_seconds_bucket{le="0.01"} 0
irisops_poll_duration_seconds_bucket{le="0.025"} 0
irisops_poll_duration_seconds_bucket{le="0.05"} 1
irisops_poll_duration_seconds_bucket{le="0.1"} 1
irisops_poll_duration_seconds_bucket{le="0.25"} 2
irisops_poll_duration_seconds_bucket{le="0.5"} 2
irisops_poll_duration_seconds_bucket{le="1"} 2
irisops_poll_duration_seconds_bucket{le="2.5"} 2
irisops_poll_duration_seconds_bucket{le="5"} 3
irisops_poll_duration_seconds_bucket{le="10"} 3
irisops_poll_duration_seconds_bucket{le="+Inf"} 4
irisops_poll_duration_seconds_sum 17.23
irisops_poll_duration_seconds_count 4
# HELP irisops_device_up 1 when the device's last poll succeeded.
# TYPE irisops_device_up gauge
irisops_device_up{device="core-\"1\"\\a\nb"} 1
irisops_device_up{device="dist"} 0
irisops_device_up{device="edge"} 0
# HELP irisops_device_ports Ports seen at the device's last good poll.
# TYPE irisops_device_ports gauge
irisops_device_ports{device="core-\"1\"\\a\nb"} 48
irisops_device_ports{device="dist"} 0
irisops_device_ports{device="edge"} 0
# HELP irisops_device_last_poll_milliseconds Duration of the device's last poll.
# TYPE irisops_device_last_poll_milliseconds gauge
irisops_device_last_poll_milliseconds{device="core-\"1\"\\a\nb"} 30
irisops_device_last_poll_milliseconds{device="dist"} 12000
irisops_device_last_poll_milliseconds{device="edge"} 200
# HELP irisops_tap_dropped_total Poll events a remote sink's full queue could not take (the embedded store has them).
# TYPE irisops_tap_dropped_total counter
irisops_tap_dropped_total 29
"##;

/// What an `[influx]` sink adds after it.
const OUTBOX: &str = r##"# HELP irisops_outbox_depth Batches waiting in the InfluxDB outbox.
# TYPE irisops_outbox_depth gauge
irisops_outbox_depth 37
# HELP irisops_outbox_bytes Bytes waiting in the InfluxDB outbox.
# TYPE irisops_outbox_bytes gauge
irisops_outbox_bytes 41000
# HELP irisops_outbox_oldest_age_seconds Age of the oldest batch waiting (0 when empty).
# TYPE irisops_outbox_oldest_age_seconds gauge
irisops_outbox_oldest_age_seconds 0
# HELP irisops_outbox_sent_total Batches InfluxDB acknowledged.
# TYPE irisops_outbox_sent_total counter
irisops_outbox_sent_total 43
# HELP irisops_outbox_sent_points_total Points in them.
# TYPE irisops_outbox_sent_points_total counter
irisops_outbox_sent_points_total 47
# HELP irisops_outbox_dropped_total Batches dropped: the outbox full (oldest first), or refused for good (4xx).
# TYPE irisops_outbox_dropped_total counter
irisops_outbox_dropped_total 53
# HELP irisops_outbox_dropped_points_total Points in them.
# TYPE irisops_outbox_dropped_points_total counter
irisops_outbox_dropped_points_total 59
# HELP irisops_outbox_corrupt_total Batches whose body failed its CRC on disk (skipped).
# TYPE irisops_outbox_corrupt_total counter
irisops_outbox_corrupt_total 61
# HELP irisops_influx_write_errors_total InfluxDB writes that failed (retried with back-off, or refused for good).
# TYPE irisops_influx_write_errors_total counter
irisops_influx_write_errors_total 31
"##;

#[test]
fn renders_the_alerts_and_webhooks_byte_for_byte() {
    let m = Metrics::default();
    let before = m.render();
    m.alert_counts([(("firing".to_string(), "critical".to_string()), 2)].into());
    m.alert_eval_ns.store(250_000_000, Ordering::Relaxed);
    m.webhook_stats(
        "noc\"1",
        OutboxStats {
            depth: 3,
            oldest_ms: None,
            sent: 5,
            dropped: 7,
            corrupt: 1,
            ..OutboxStats::default()
        },
        11,
    );
    let text = m.render();
    let added = text.strip_prefix(&before).expect("added at the end");
    assert_eq!(added, ALERTS);
}

const ALERTS: &str = r#"# HELP irisops_alerts Alerts pending or firing, by severity.
# TYPE irisops_alerts gauge
irisops_alerts{state="pending",severity="critical"} 0
irisops_alerts{state="pending",severity="warning"} 0
irisops_alerts{state="pending",severity="info"} 0
irisops_alerts{state="firing",severity="critical"} 2
irisops_alerts{state="firing",severity="warning"} 0
irisops_alerts{state="firing",severity="info"} 0
# HELP irisops_alert_evaluation_seconds_total Time the rules took to read the polls.
# TYPE irisops_alert_evaluation_seconds_total counter
irisops_alert_evaluation_seconds_total 0.25
# HELP irisops_webhook_sent_total Notifications the receiver acknowledged (2xx).
# TYPE irisops_webhook_sent_total counter
irisops_webhook_sent_total{receiver="noc\"1"} 5
# HELP irisops_webhook_dropped_total Notifications dropped: refused for good (a status other than 429 or 5xx), not taken in 24 h, or the outbox full.
# TYPE irisops_webhook_dropped_total counter
irisops_webhook_dropped_total{receiver="noc\"1"} 8
# HELP irisops_webhook_retries_total Attempts that failed with 429, 5xx, a timeout or a connection error (retried with back-off).
# TYPE irisops_webhook_retries_total counter
irisops_webhook_retries_total{receiver="noc\"1"} 11
# HELP irisops_webhook_queue Notifications waiting in the receiver's outbox.
# TYPE irisops_webhook_queue gauge
irisops_webhook_queue{receiver="noc\"1"} 3
# HELP irisops_webhook_oldest_age_seconds Age of the oldest notification waiting (0 when none).
# TYPE irisops_webhook_oldest_age_seconds gauge
irisops_webhook_oldest_age_seconds{receiver="noc\"1"} 0
"#;
