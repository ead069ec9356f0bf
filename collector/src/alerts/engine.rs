//! The rules over the pipeline's events: each event (one device's poll, or its failure) is
//! read once per rule, each selected series stepped through its state machine
//! ([`super::state`]), and what changed is returned as [`Change`]s for the store and the
//! webhooks. Pure apart from its state: no IO, no clock (times are the polls').
//!
//! Only series that are pending or firing are kept, per device, so a quiet fleet costs one
//! comparison per rule and series and no allocation.

use std::collections::{BTreeMap, HashMap};

use super::series::{self, Extra, Hotspots, Sub};
use super::state::{step, Phase, Timing, Track, Transition};
use crate::config::{AlertMetric, AlertRule};
use crate::pipeline::Event;
use crate::sample::DevicePoll;

/// A series that is pending or firing.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub track: Track,
    /// The value at the last observation.
    pub value: f64,
    pub extra: Extra,
}

/// What one observation changed for one series of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Index into the engine's rules.
    pub rule: usize,
    pub device: String,
    pub sub: Sub,
    pub transition: Transition,
    /// The series' state before the observation (inactive: `None`) and after.
    pub before: Option<Track>,
    pub after: Option<Track>,
    /// The observed value and when.
    pub value: f64,
    pub at_ms: i64,
    pub extra: Extra,
}

/// The engine: the rules and the series that are pending or firing.
#[derive(Debug)]
pub struct Engine {
    rules: Vec<AlertRule>,
    timing: Vec<Timing>,
    hotspots: Hotspots,
    /// Per device, its tracked series by (rule, series).
    tracked: HashMap<String, HashMap<(usize, Sub), Tracked>>,
    /// Per rule, its series pending and firing (kept with `tracked`).
    n_tracked: Vec<[u64; 2]>,
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Engine {
    pub fn new(rules: Vec<AlertRule>) -> Engine {
        let timing = rules
            .iter()
            .map(|r| Timing {
                for_ms: ms(r.for_),
                keep_firing_for_ms: ms(r.keep_firing_for),
            })
            .collect();
        Engine {
            n_tracked: vec![[0; 2]; rules.len()],
            rules,
            timing,
            hotspots: Hotspots::default(),
            tracked: HashMap::new(),
        }
    }

    pub fn rules(&self) -> &[AlertRule] {
        &self.rules
    }

    /// The hotspots the wifi metrics know access points by.
    pub fn set_hotspots(&mut self, hotspots: Hotspots) {
        self.hotspots = hotspots;
    }

    /// Puts back a series that was pending or firing before a restart.
    pub fn restore(&mut self, rule: usize, device: &str, sub: Sub, tracked: Tracked) {
        let phase = tracked.track.phase;
        let old = self
            .tracked
            .entry(device.to_string())
            .or_default()
            .insert((rule, sub), tracked);
        self.count(rule, old.map(|t| t.track.phase), Some(phase));
    }

    /// Moves one series of `rule` from `before` to `after` in the counts.
    fn count(&mut self, rule: usize, before: Option<Phase>, after: Option<Phase>) {
        let slot = |p: Phase| usize::from(p == Phase::Firing);
        let n = &mut self.n_tracked[rule];
        if let Some(p) = before {
            n[slot(p)] = n[slot(p)].saturating_sub(1);
        }
        if let Some(p) = after {
            n[slot(p)] += 1;
        }
    }

    /// Every tracked series: (rule, device, series, its state).
    pub fn tracked(&self) -> impl Iterator<Item = (usize, &str, &Sub, &Tracked)> {
        self.tracked.iter().flat_map(|(d, m)| {
            m.iter()
                .map(move |((rule, sub), t)| (*rule, d.as_str(), sub, t))
        })
    }

    /// Pending and firing series per (phase, severity).
    pub fn counts(&self) -> BTreeMap<(Phase, String), u64> {
        let mut out = BTreeMap::new();
        for (rule, n) in self.rules.iter().zip(&self.n_tracked) {
            for (phase, k) in [(Phase::Pending, n[0]), (Phase::Firing, n[1])] {
                *out.entry((phase, rule.severity.clone())).or_insert(0) += k;
            }
        }
        out
    }

    /// Reads one event with every rule; what changed.
    pub fn observe(&mut self, event: &Event) -> Vec<Change> {
        let mut changes = Vec::new();
        match event {
            Event::Poll(p) => {
                let (poll, rates) = (&p.0, &p.1);
                for rule in 0..self.rules.len() {
                    if self.device_selected(rule, &poll.device) {
                        self.poll_rule(rule, poll, rates, &mut changes);
                    }
                }
            }
            Event::Status {
                device, time_ms, ..
            } => {
                for rule in 0..self.rules.len() {
                    if self.rules[rule].metric == AlertMetric::DeviceUp
                        && self.device_selected(rule, device)
                    {
                        let ob = Ob::new(rule, device, *time_ms);
                        self.observe_one(
                            ob,
                            Some(0.0),
                            || (Sub::Device, Extra::default()),
                            &mut changes,
                        );
                    }
                }
            }
        }
        changes
    }

    fn device_selected(&self, rule: usize, device: &str) -> bool {
        self.rules[rule]
            .select
            .device
            .as_ref()
            .is_none_or(|p| p.matches(device))
    }

    /// One rule over one successful poll.
    fn poll_rule(
        &mut self,
        rule: usize,
        poll: &DevicePoll,
        rates: &[crate::sample::PortRates],
        out: &mut Vec<Change>,
    ) {
        let metric = self.rules[rule].metric;
        let ob = Ob::new(rule, &poll.device, poll.time_ms);
        match metric {
            AlertMetric::DeviceUp => {
                self.observe_one(ob, Some(1.0), || (Sub::Device, Extra::default()), out)
            }
            m if series::is_port_metric(m) => {
                for (i, port) in poll.ports.iter().enumerate() {
                    if !series::port_selected(&self.rules[rule].select, port) {
                        continue;
                    }
                    let v = series::port_value(m, port, series::rates_of(rates, i, port));
                    let make = || {
                        let extra = Extra {
                            alias: port.if_alias.clone().filter(|a| !a.is_empty()),
                            hotspot: None,
                        };
                        (Sub::Port(port.key.clone()), extra)
                    };
                    self.observe_one(ob, v, make, out);
                }
            }
            AlertMetric::OpticRxDbm => {
                for (port, lane, dbm) in series::rx_levels(poll) {
                    let sel = &self.rules[rule].select;
                    if sel.port.as_ref().is_none_or(|p| p.matches(port)) {
                        let make = || (Sub::Lane(port.to_string(), lane), Extra::default());
                        self.observe_one(ob, Some(dbm), make, out);
                    }
                }
            }
            AlertMetric::WifiApUp => {
                let hotspots = std::mem::take(&mut self.hotspots);
                for (ap, hotspot, up) in series::aps(poll, &hotspots) {
                    if self.hotspot_selected(rule, hotspot) {
                        let make = || {
                            let extra = Extra {
                                alias: None,
                                hotspot: hotspot.map(str::to_string),
                            };
                            (Sub::Ap(ap.to_string()), extra)
                        };
                        self.observe_one(ob, up, make, out);
                    }
                }
                self.hotspots = hotspots;
            }
            AlertMetric::HotspotClients => {
                for (h, clients) in series::hotspot_clients(poll, &self.hotspots) {
                    if self.hotspot_selected(rule, Some(&h)) {
                        let make = || (Sub::Hotspot(h.clone()), Extra::default());
                        self.observe_one(ob, clients, make, out);
                    }
                }
            }
            // The drift's loss is not in a poll: it needs the cadastre and both ends.
            _ => {}
        }
    }

    fn hotspot_selected(&self, rule: usize, hotspot: Option<&str>) -> bool {
        match &self.rules[rule].select.hotspot {
            None => true,
            Some(p) => hotspot.is_some_and(|h| p.matches(h)),
        }
    }

    /// One observation of one series: `value` `None` is a gap. `make` builds the series'
    /// identity, called only when the series is or becomes tracked.
    fn observe_one(
        &mut self,
        ob: Ob<'_>,
        value: Option<f64>,
        make: impl FnOnce() -> (Sub, Extra),
        out: &mut Vec<Change>,
    ) {
        let Some(v) = value else { return };
        let r = &self.rules[ob.rule];
        let holds = r.op.holds(v, r.value);
        let device_tracked = self.tracked.get(ob.device).is_some_and(|m| !m.is_empty());
        if !holds && !device_tracked {
            return;
        }
        let (sub, extra) = make();
        let key = (ob.rule, sub);
        let map = self.tracked.entry(ob.device.to_string()).or_default();
        let before = map.get(&key).map(|t| t.track);
        if before.is_none() && !holds {
            return;
        }
        let (after, transition) = step(before, holds, ob.at_ms, self.timing[ob.rule]);
        let phases = (before.map(|t| t.phase), after.map(|t| t.phase));
        match after {
            Some(track) => {
                map.insert(
                    key.clone(),
                    Tracked {
                        track,
                        value: v,
                        extra: extra.clone(),
                    },
                );
            }
            None => {
                map.remove(&key);
            }
        }
        if map.is_empty() {
            self.tracked.remove(ob.device);
        }
        if phases.0 != phases.1 {
            self.count(ob.rule, phases.0, phases.1);
        }
        if transition != Transition::None {
            out.push(Change {
                rule: ob.rule,
                device: ob.device.to_string(),
                sub: key.1,
                transition,
                before,
                after,
                value: v,
                at_ms: ob.at_ms,
                extra,
            });
        }
    }
}

/// Which rule, device and time an observation is of.
#[derive(Clone, Copy)]
struct Ob<'a> {
    rule: usize,
    device: &'a str,
    at_ms: i64,
}

impl<'a> Ob<'a> {
    fn new(rule: usize, device: &'a str, at_ms: i64) -> Ob<'a> {
        Ob {
            rule,
            device,
            at_ms,
        }
    }
}

#[cfg(test)]
mod tests;
