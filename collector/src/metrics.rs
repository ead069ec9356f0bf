//! Process counters of the collector, rendered by the api as Prometheus text at `/metrics`.
//! Plain atomics: pollers and sinks bump them without locks; per-device state sits behind a
//! std mutex that is never held across an `.await`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::rates::{reason_index, GAP_REASONS};
use crate::sample::{GapReason, PollStatus};
use crate::sinks::outbox::OutboxStats;

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
    /// Writes of the store sink so far (see [`Metrics::store_written`]); not rendered.
    store_generation: AtomicU64,
    /// Events a remote sink's full queue could not take (the store has them).
    pub tap_dropped: AtomicU64,
    /// InfluxDB writes that failed (and will be retried, or were refused for good).
    pub influx_write_errors: AtomicU64,
    /// The InfluxDB outbox as last read by its sender; `None` without an `[influx]` sink.
    pub outbox: std::sync::Mutex<Option<OutboxStats>>,
    /// Alerts pending and firing per (state, severity), as the alerts task last counted them;
    /// `None` without `[[alert]]` rules.
    pub alerts: Mutex<Option<BTreeMap<(String, String), u64>>>,
    /// Time the alerts' engine spent reading events, nanoseconds.
    pub alert_eval_ns: AtomicU64,
    /// Each webhook receiver's outbox and its failed attempts (to be retried).
    webhooks: Mutex<BTreeMap<String, (OutboxStats, u64)>>,
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
    /// Marks the end of one write of the store sink (polls, statuses, rollups, pruning),
    /// once it is committed or has failed: an answer read from the store at an earlier
    /// [`Metrics::store_generation`] may be stale now.
    pub fn store_written(&self) {
        self.store_generation.fetch_add(1, Ordering::Release);
    }

    /// How many writes of the store sink have ended: read it before reading the store, and
    /// the read sees at least every write counted.
    pub fn store_generation(&self) -> u64 {
        self.store_generation.load(Ordering::Acquire)
    }

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

    /// Records a webhook receiver's queue and counters.
    pub fn webhook_stats(&self, receiver: &str, outbox: OutboxStats, retries: u64) {
        if let Ok(mut w) = self.webhooks.lock() {
            w.insert(receiver.to_string(), (outbox, retries));
        }
    }

    /// Records the alerts pending and firing: (state, severity) → how many.
    pub fn alert_counts(&self, counts: BTreeMap<(String, String), u64>) {
        if let Ok(mut a) = self.alerts.lock() {
            *a = Some(counts);
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

    /// Prometheus text exposition: the families in a fixed order, the outbox's only with an
    /// `[influx]` sink.
    pub fn render(&self) -> String {
        let mut s = String::new();
        self.render_polls(&mut s);
        self.render_store(&mut s);
        self.render_duration(&mut s);
        self.render_devices(&mut s);
        counter(
            &mut s,
            "irisops_tap_dropped_total",
            "Poll events a remote sink's full queue could not take (the embedded store has them).",
            load(&self.tap_dropped),
        );
        let outbox = self.outbox.lock().map(|o| *o).unwrap_or(None);
        if let Some(o) = outbox {
            self.render_outbox(&mut s, &o);
        }
        self.render_alerts(&mut s);
        s
    }

    /// `irisops_alerts{state,severity}` (every state and severity, zeros included) with
    /// `[[alert]]` rules; each receiver's webhook counters with `[[receiver]]`s.
    fn render_alerts(&self, s: &mut String) {
        let counts = self.alerts.lock().map(|a| a.clone()).unwrap_or(None);
        if let Some(counts) = counts {
            let name = "irisops_alerts";
            header(s, name, "Alerts pending or firing, by severity.", "gauge");
            for state in ["pending", "firing"] {
                for sev in ["critical", "warning", "info"] {
                    let n = counts
                        .get(&(state.to_string(), sev.to_string()))
                        .copied()
                        .unwrap_or(0);
                    let _ = writeln!(s, "{name}{{state=\"{state}\",severity=\"{sev}\"}} {n}");
                }
            }
            let secs = load(&self.alert_eval_ns) as f64 / 1e9;
            let name = "irisops_alert_evaluation_seconds_total";
            header(s, name, "Time the rules took to read the polls.", "counter");
            let _ = writeln!(s, "{name} {secs}");
        }
        let Ok(hooks) = self.webhooks.lock() else {
            return;
        };
        if hooks.is_empty() {
            return;
        }
        let now = crate::poll::now_ms();
        for (name, help, kind, value) in WEBHOOK_FAMILIES {
            header(s, name, help, kind);
            for (receiver, (o, retries)) in hooks.iter() {
                let v = value(o, *retries, now);
                let _ = writeln!(s, "{name}{{receiver=\"{}\"}} {v}", escape(receiver));
            }
        }
    }

    /// Polls, their failures by status, skipped ticks, rates and gaps by reason.
    fn render_polls(&self, s: &mut String) {
        let polls = load(&self.polls);
        counter(s, "irisops_polls_total", "Device polls finished.", polls);
        let name = "irisops_poll_failures_total";
        header(s, name, "Device polls that failed, by status.", "counter");
        for (status, v) in [
            ("timeout", &self.poll_timeouts),
            ("auth_error", &self.poll_auth_errors),
            ("error", &self.poll_errors),
            ("panic", &self.poll_panics),
        ] {
            let _ = writeln!(s, "{name}{{status=\"{status}\"}} {}", load(v));
        }
        counter(
            s,
            "irisops_skipped_ticks_total",
            "Schedule ticks skipped because the device's previous poll was still running.",
            load(&self.skipped_ticks),
        );
        let rates = load(&self.rates);
        counter(
            s,
            "irisops_rates_total",
            "Port intervals that gave a rate.",
            rates,
        );
        let name = "irisops_gaps_total";
        header(
            s,
            name,
            "Port intervals that are gaps, by reason.",
            "counter",
        );
        for r in GAP_REASONS {
            let _ = writeln!(s, "{name}{{reason=\"{}\"}} {}", r.as_str(), self.gaps_of(r));
        }
    }

    /// The embedded store's writes, and the varbinds received.
    fn render_store(&self, s: &mut String) {
        for (name, help, v) in [
            (
                "irisops_store_writes_total",
                "Batches committed to the embedded store.",
                &self.store_writes,
            ),
            (
                "irisops_store_points_total",
                "Port samples committed to the embedded store.",
                &self.store_points,
            ),
            (
                "irisops_store_write_errors_total",
                "Failed store writes (the batch is retried).",
                &self.store_write_errors,
            ),
            (
                "irisops_store_renumbered_total",
                "Ports whose ifIndex changed (history kept).",
                &self.store_renumbered,
            ),
            (
                "irisops_varbinds_total",
                "Varbinds received.",
                &self.varbinds,
            ),
        ] {
            counter(s, name, help, load(v));
        }
    }

    /// The poll duration histogram (cumulative buckets, `+Inf`, sum in seconds, count).
    fn render_duration(&self, s: &mut String) {
        let name = "irisops_poll_duration_seconds";
        header(s, name, "Duration of device polls.", "histogram");
        for (b, n) in BUCKETS.iter().zip(&self.duration_buckets) {
            let _ = writeln!(s, "{name}_bucket{{le=\"{b}\"}} {}", load(n));
        }
        let n = load(&self.duration_count);
        let _ = writeln!(s, "{name}_bucket{{le=\"+Inf\"}} {n}");
        let sum = load(&self.duration_sum_us) as f64 / 1e6;
        let _ = writeln!(s, "{name}_sum {sum}");
        let _ = writeln!(s, "{name}_count {n}");
    }

    /// One gauge family per device field, each device a line.
    fn render_devices(&self, s: &mut String) {
        let Ok(d) = self.devices.lock() else {
            return;
        };
        for (name, help, value) in DEVICE_FAMILIES {
            header(s, name, help, "gauge");
            for (device, g) in d.iter() {
                let _ = writeln!(s, "{name}{{device=\"{}\"}} {}", escape(device), value(g));
            }
        }
    }

    /// The InfluxDB outbox as its sender last read it, and the sink's failed writes.
    fn render_outbox(&self, s: &mut String, o: &OutboxStats) {
        let age = o
            .oldest_ms
            .map_or(0.0, |t| ((crate::poll::now_ms() - t).max(0) as f64) / 1e3);
        for (name, help, v) in [
            (
                "irisops_outbox_depth",
                "Batches waiting in the InfluxDB outbox.",
                o.depth as f64,
            ),
            (
                "irisops_outbox_bytes",
                "Bytes waiting in the InfluxDB outbox.",
                o.bytes as f64,
            ),
            (
                "irisops_outbox_oldest_age_seconds",
                "Age of the oldest batch waiting (0 when empty).",
                age,
            ),
        ] {
            gauge(s, name, help, v);
        }
        for (name, help, v) in outbox_counters(o) {
            counter(s, name, help, v);
        }
        counter(
            s,
            "irisops_influx_write_errors_total",
            "InfluxDB writes that failed (retried with back-off, or refused for good).",
            load(&self.influx_write_errors),
        );
    }
}

/// A gauge family with a line per device: name, help, and the value of a device.
type DeviceFamily = (&'static str, &'static str, fn(&DeviceGauge) -> u64);

const DEVICE_FAMILIES: [DeviceFamily; 3] = [
    (
        "irisops_device_up",
        "1 when the device's last poll succeeded.",
        |g| u64::from(g.up),
    ),
    (
        "irisops_device_ports",
        "Ports seen at the device's last good poll.",
        |g| g.n_ports,
    ),
    (
        "irisops_device_last_poll_milliseconds",
        "Duration of the device's last poll.",
        |g| g.last_poll_ms,
    ),
];

/// A family with a line per webhook receiver: name, help, type, and its value from the
/// receiver's outbox, failed attempts and the time now (ms).
type WebhookFamily = (
    &'static str,
    &'static str,
    &'static str,
    fn(&OutboxStats, u64, i64) -> f64,
);

const WEBHOOK_FAMILIES: [WebhookFamily; 5] = [
    (
        "irisops_webhook_sent_total",
        "Notifications the receiver acknowledged (2xx).",
        "counter",
        |o, _, _| o.sent as f64,
    ),
    (
        "irisops_webhook_dropped_total",
        "Notifications dropped: refused for good (a status other than 429 or 5xx), not taken in 24 h, or the outbox full.",
        "counter",
        |o, _, _| (o.dropped + o.corrupt) as f64,
    ),
    (
        "irisops_webhook_retries_total",
        "Attempts that failed with 429, 5xx, a timeout or a connection error (retried with back-off).",
        "counter",
        |_, r, _| r as f64,
    ),
    (
        "irisops_webhook_queue",
        "Notifications waiting in the receiver's outbox.",
        "gauge",
        |o, _, _| o.depth as f64,
    ),
    (
        "irisops_webhook_oldest_age_seconds",
        "Age of the oldest notification waiting (0 when none).",
        "gauge",
        |o, _, now| o.oldest_ms.map_or(0.0, |t| (now - t).max(0) as f64 / 1e3),
    ),
];

/// The outbox's counters: name, help, value.
fn outbox_counters(o: &OutboxStats) -> [(&'static str, &'static str, u64); 5] {
    [
        (
            "irisops_outbox_sent_total",
            "Batches InfluxDB acknowledged.",
            o.sent,
        ),
        (
            "irisops_outbox_sent_points_total",
            "Points in them.",
            o.sent_points,
        ),
        (
            "irisops_outbox_dropped_total",
            "Batches dropped: the outbox full (oldest first), or refused for good (4xx).",
            o.dropped,
        ),
        (
            "irisops_outbox_dropped_points_total",
            "Points in them.",
            o.dropped_points,
        ),
        (
            "irisops_outbox_corrupt_total",
            "Batches whose body failed its CRC on disk (skipped).",
            o.corrupt,
        ),
    ]
}

fn load(a: &AtomicU64) -> u64 {
    a.load(Ordering::Relaxed)
}

/// A family's `# HELP` and `# TYPE` lines.
fn header(s: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A counter family of one unlabelled value.
fn counter(s: &mut String, name: &str, help: &str, v: u64) {
    header(s, name, help, "counter");
    let _ = writeln!(s, "{name} {v}");
}

/// A gauge family of one unlabelled value.
fn gauge(s: &mut String, name: &str, help: &str, v: f64) {
    header(s, name, help, "gauge");
    let _ = writeln!(s, "{name} {v}");
}

/// Escapes a Prometheus label value.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests;
