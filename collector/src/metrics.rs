//! Process counters of the collector, rendered by the api as Prometheus text at `/metrics`.
//! Plain atomics: pollers and sinks bump them without locks; per-device state sits behind a
//! std mutex that is never held across an `.await`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::rates::{reason_index, GAP_REASONS};
use crate::sample::{GapReason, PollStatus};

/// Upper bounds (seconds) of the poll duration histogram.
const BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The collector's counters.
#[derive(Default)]
pub struct Metrics {
    pub polls: AtomicU64,
    pub poll_timeouts: AtomicU64,
    pub poll_auth_errors: AtomicU64,
    pub poll_errors: AtomicU64,
    pub poll_panics: AtomicU64,
    pub skipped_ticks: AtomicU64,
    pub rates: AtomicU64,
    pub gaps: [AtomicU64; 7],
    pub store_writes: AtomicU64,
    pub store_points: AtomicU64,
    pub store_write_errors: AtomicU64,
    pub store_renumbered: AtomicU64,
    pub varbinds: AtomicU64,
    /// Events a remote sink's full queue could not take (the store has them).
    pub tap_dropped: AtomicU64,
    /// InfluxDB writes that failed (and will be retried, or were refused for good).
    pub influx_write_errors: AtomicU64,
    /// The InfluxDB outbox as last read by its sender; `None` without an `[influx]` sink.
    pub outbox: std::sync::Mutex<Option<crate::sinks::outbox::OutboxStats>>,
    duration_buckets: [AtomicU64; 10],
    duration_count: AtomicU64,
    duration_sum_us: AtomicU64,
    devices: Mutex<BTreeMap<String, DeviceGauge>>,
}

#[derive(Clone, Copy, Default)]
struct DeviceGauge {
    up: bool,
    last_poll_ms: u64,
    n_ports: u64,
}

impl Metrics {
    /// Records one finished poll of `device`.
    pub fn poll_done(&self, device: &str, status: PollStatus, duration_ms: u64, n_ports: usize) {
        self.polls.fetch_add(1, Ordering::Relaxed);
        match status {
            PollStatus::Ok => {}
            PollStatus::Timeout => _ = self.poll_timeouts.fetch_add(1, Ordering::Relaxed),
            PollStatus::AuthError => _ = self.poll_auth_errors.fetch_add(1, Ordering::Relaxed),
            PollStatus::Error => _ = self.poll_errors.fetch_add(1, Ordering::Relaxed),
        }
        let secs = duration_ms as f64 / 1000.0;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.duration_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.duration_count.fetch_add(1, Ordering::Relaxed);
        self.duration_sum_us
            .fetch_add(duration_ms * 1000, Ordering::Relaxed);
        if let Ok(mut d) = self.devices.lock() {
            let g = d.entry(device.to_string()).or_default();
            g.up = status == PollStatus::Ok;
            g.last_poll_ms = duration_ms;
            if status == PollStatus::Ok {
                g.n_ports = n_ports as u64;
            }
        }
    }

    /// Records a gap of one port's rates.
    pub fn gap(&self, reason: GapReason) {
        self.gaps[reason_index(reason)].fetch_add(1, Ordering::Relaxed);
    }

    /// Gaps counted for `reason`.
    pub fn gaps_of(&self, reason: GapReason) -> u64 {
        self.gaps[reason_index(reason)].load(Ordering::Relaxed)
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let c = |s: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        c(
            &mut s,
            "irisops_polls_total",
            "Device polls finished.",
            l(&self.polls),
        );
        let _ = writeln!(
            s,
            "# HELP irisops_poll_failures_total Device polls that failed, by status.\n# TYPE irisops_poll_failures_total counter"
        );
        for (st, v) in [
            ("timeout", &self.poll_timeouts),
            ("auth_error", &self.poll_auth_errors),
            ("error", &self.poll_errors),
            ("panic", &self.poll_panics),
        ] {
            let _ = writeln!(s, "irisops_poll_failures_total{{status=\"{st}\"}} {}", l(v));
        }
        c(
            &mut s,
            "irisops_skipped_ticks_total",
            "Schedule ticks skipped because the device's previous poll was still running.",
            l(&self.skipped_ticks),
        );
        c(
            &mut s,
            "irisops_rates_total",
            "Port intervals that gave a rate.",
            l(&self.rates),
        );
        let _ = writeln!(s, "# HELP irisops_gaps_total Port intervals that are gaps, by reason.\n# TYPE irisops_gaps_total counter");
        for r in GAP_REASONS {
            let _ = writeln!(
                s,
                "irisops_gaps_total{{reason=\"{}\"}} {}",
                r.as_str(),
                self.gaps_of(r)
            );
        }
        c(
            &mut s,
            "irisops_store_writes_total",
            "Batches committed to the embedded store.",
            l(&self.store_writes),
        );
        c(
            &mut s,
            "irisops_store_points_total",
            "Port samples committed to the embedded store.",
            l(&self.store_points),
        );
        c(
            &mut s,
            "irisops_store_write_errors_total",
            "Failed store writes (the batch is retried).",
            l(&self.store_write_errors),
        );
        c(
            &mut s,
            "irisops_store_renumbered_total",
            "Ports whose ifIndex changed (history kept).",
            l(&self.store_renumbered),
        );
        c(
            &mut s,
            "irisops_varbinds_total",
            "Varbinds received.",
            l(&self.varbinds),
        );
        let _ = writeln!(s, "# HELP irisops_poll_duration_seconds Duration of device polls.\n# TYPE irisops_poll_duration_seconds histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "irisops_poll_duration_seconds_bucket{{le=\"{b}\"}} {}",
                l(&self.duration_buckets[i])
            );
        }
        let n = l(&self.duration_count);
        let _ = writeln!(s, "irisops_poll_duration_seconds_bucket{{le=\"+Inf\"}} {n}");
        let _ = writeln!(
            s,
            "irisops_poll_duration_seconds_sum {}",
            l(&self.duration_sum_us) as f64 / 1e6
        );
        let _ = writeln!(s, "irisops_poll_duration_seconds_count {n}");
        if let Ok(d) = self.devices.lock() {
            let _ = writeln!(s, "# HELP irisops_device_up 1 when the device's last poll succeeded.\n# TYPE irisops_device_up gauge");
            for (name, g) in d.iter() {
                let _ = writeln!(
                    s,
                    "irisops_device_up{{device=\"{}\"}} {}",
                    escape(name),
                    u8::from(g.up)
                );
            }
            let _ = writeln!(s, "# HELP irisops_device_ports Ports seen at the device's last good poll.\n# TYPE irisops_device_ports gauge");
            for (name, g) in d.iter() {
                let _ = writeln!(
                    s,
                    "irisops_device_ports{{device=\"{}\"}} {}",
                    escape(name),
                    g.n_ports
                );
            }
            let _ = writeln!(s, "# HELP irisops_device_last_poll_milliseconds Duration of the device's last poll.\n# TYPE irisops_device_last_poll_milliseconds gauge");
            for (name, g) in d.iter() {
                let _ = writeln!(
                    s,
                    "irisops_device_last_poll_milliseconds{{device=\"{}\"}} {}",
                    escape(name),
                    g.last_poll_ms
                );
            }
        }
        c(
            &mut s,
            "irisops_tap_dropped_total",
            "Poll events a remote sink's full queue could not take (the embedded store has them).",
            l(&self.tap_dropped),
        );
        let outbox = self.outbox.lock().map(|o| *o).unwrap_or(None);
        if let Some(o) = outbox {
            let g = |s: &mut String, name: &str, help: &str, v: f64| {
                let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            };
            g(
                &mut s,
                "irisops_outbox_depth",
                "Batches waiting in the InfluxDB outbox.",
                o.depth as f64,
            );
            g(
                &mut s,
                "irisops_outbox_bytes",
                "Bytes waiting in the InfluxDB outbox.",
                o.bytes as f64,
            );
            let age = o
                .oldest_ms
                .map_or(0.0, |t| ((crate::poll::now_ms() - t).max(0) as f64) / 1e3);
            g(
                &mut s,
                "irisops_outbox_oldest_age_seconds",
                "Age of the oldest batch waiting (0 when empty).",
                age,
            );
            c(
                &mut s,
                "irisops_outbox_sent_total",
                "Batches InfluxDB acknowledged.",
                o.sent,
            );
            c(
                &mut s,
                "irisops_outbox_sent_points_total",
                "Points in them.",
                o.sent_points,
            );
            c(
                &mut s,
                "irisops_outbox_dropped_total",
                "Batches dropped: the outbox full (oldest first), or refused for good (4xx).",
                o.dropped,
            );
            c(
                &mut s,
                "irisops_outbox_dropped_points_total",
                "Points in them.",
                o.dropped_points,
            );
            c(
                &mut s,
                "irisops_outbox_corrupt_total",
                "Batches whose body failed its CRC on disk (skipped).",
                o.corrupt,
            );
            c(
                &mut s,
                "irisops_influx_write_errors_total",
                "InfluxDB writes that failed (retried with back-off, or refused for good).",
                l(&self.influx_write_errors),
            );
        }
        s
    }
}

/// Escapes a Prometheus label value.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
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
}
