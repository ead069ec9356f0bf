//! The rules over the pipeline's events: each event (one device's poll, or its failure) is
//! read once per rule, each selected series stepped through its state machine
//! ([`super::state`]), and what changed is returned as [`Change`]s for the store and the
//! webhooks. Pure apart from its state: no IO, no clock (times are the polls').
//!
//! Only series that are pending or firing are kept, per device (`super::tracked`), so a quiet
//! series costs a comparison and no allocation, a tracked one a lookup by its name.

use std::collections::{BTreeMap, HashMap};

use super::loss::{self, LossPaths, TxLevels};
use super::series::{self, Extra, Hotspots, Sub};
use super::state::{step, Phase, Timing, Track, Transition};
use super::tracked::{self, DeviceTracked, Entry, Tracked};
use crate::config::{AlertMetric, AlertRule};
use crate::pipeline::Event;
use crate::sample::DevicePoll;

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
    /// The circuits' directions (`optic_loss_excess_db`), and the last levels of their
    /// transmitting ends.
    losses: LossPaths,
    tx: TxLevels,
    /// Whether a rule reads `optic_loss_excess_db` (else no transmit level is kept).
    loss_rules: bool,
    /// Per device, its tracked series.
    tracked: HashMap<String, DeviceTracked, foldhash::fast::RandomState>,
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
            loss_rules: rules
                .iter()
                .any(|r| r.metric == AlertMetric::OpticLossExcessDb),
            losses: LossPaths::default(),
            tx: TxLevels::default(),
            rules,
            timing,
            hotspots: Hotspots::default(),
            tracked: HashMap::default(),
        }
    }

    pub fn rules(&self) -> &[AlertRule] {
        &self.rules
    }

    /// The hotspots the wifi metrics know access points by.
    pub fn set_hotspots(&mut self, hotspots: Hotspots) {
        self.hotspots = hotspots;
    }

    /// The circuits' directions `optic_loss_excess_db` reads.
    pub fn set_losses(&mut self, losses: LossPaths) {
        self.losses = losses;
    }

    /// Puts back a series that was pending or firing before a restart.
    pub fn restore(&mut self, rule: usize, device: &str, sub: Sub, tracked: Tracked) {
        let n_rules = self.rules.len();
        let dev = self
            .tracked
            .entry(device.to_string())
            .or_insert_with(|| DeviceTracked::new(n_rules));
        let name = tracked::name_of(&sub).into_owned();
        let phase = tracked.track.phase;
        let old = dev.remove(&name, rule).map(|e| e.tracked.track.phase);
        dev.insert(&name, Entry { rule, sub, tracked });
        self.count(rule, old, Some(phase));
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
        self.tracked.iter().flat_map(|(d, dev)| {
            dev.entries()
                .map(move |e| (e.rule, d.as_str(), &e.sub, &e.tracked))
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
        let device = match event {
            Event::Poll(p) => p.0.device.as_str(),
            Event::Status { device, .. } => device.as_str(),
        };
        if self.loss_rules {
            match event {
                Event::Poll(p) => self.tx.update(&self.losses, &p.0),
                Event::Status { device, .. } => self.tx.forget(device),
            }
        }
        // The device's series, taken out while its event is read: one lookup per event.
        let mut dev = self
            .tracked
            .remove(device)
            .unwrap_or_else(|| DeviceTracked::new(self.rules.len()));
        let mut out = Vec::new();
        for rule in 0..self.rules.len() {
            if !self.device_selected(rule, device) {
                continue;
            }
            match event {
                Event::Poll(p) => self.poll_rule(&mut dev, rule, &p.0, &p.1, &mut out),
                Event::Status { time_ms, .. } => {
                    if self.rules[rule].metric == AlertMetric::DeviceUp {
                        let ob = Ob::new(rule, device, *time_ms);
                        let make = || (Sub::Device, Extra::default());
                        self.observe_one(&mut dev, ob, "", Some(0.0), make, &mut out);
                    }
                }
            }
        }
        if !dev.is_empty() {
            self.tracked.insert(device.to_string(), dev);
        }
        out
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
        dev: &mut DeviceTracked,
        rule: usize,
        poll: &DevicePoll,
        rates: &[crate::sample::PortRates],
        out: &mut Vec<Change>,
    ) {
        let metric = self.rules[rule].metric;
        let ob = Ob::new(rule, &poll.device, poll.time_ms);
        match metric {
            AlertMetric::DeviceUp => {
                let make = || (Sub::Device, Extra::default());
                self.observe_one(dev, ob, "", Some(1.0), make, out)
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
                            ..Extra::default()
                        };
                        (Sub::Port(port.key.clone()), extra)
                    };
                    self.observe_one(dev, ob, &port.key, v, make, out);
                }
            }
            AlertMetric::OpticRxDbm | AlertMetric::OpticLossExcessDb => {
                self.lane_rule(dev, rule, poll, out)
            }
            AlertMetric::WifiApUp => {
                let hotspots = std::mem::take(&mut self.hotspots);
                for (ap, hotspot, up) in series::aps(poll, &hotspots) {
                    if self.hotspot_selected(rule, hotspot) {
                        let make = || {
                            let extra = Extra {
                                hotspot: hotspot.map(str::to_string),
                                ..Extra::default()
                            };
                            (Sub::Ap(ap.to_string()), extra)
                        };
                        self.observe_one(dev, ob, ap, up, make, out);
                    }
                }
                self.hotspots = hotspots;
            }
            AlertMetric::HotspotClients => {
                for (h, clients) in series::hotspot_clients(poll, &self.hotspots) {
                    if self.hotspot_selected(rule, Some(&h)) {
                        let make = || (Sub::Hotspot(h.clone()), Extra::default());
                        self.observe_one(dev, ob, &h, clients, make, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// A lane metric over one poll's receive levels of the selected ports: `optic_rx_dbm` the
    /// level; `optic_loss_excess_db`, on the ends of a circuit's direction only, the level
    /// against the transmitting end's last one (see [`super::loss`]).
    fn lane_rule(
        &mut self,
        dev: &mut DeviceTracked,
        rule: usize,
        poll: &DevicePoll,
        out: &mut Vec<Change>,
    ) {
        let loss = self.rules[rule].metric == AlertMetric::OpticLossExcessDb;
        if loss && !self.losses.receives(&poll.device) {
            return;
        }
        let ob = Ob::new(rule, &poll.device, poll.time_ms);
        let losses = std::mem::take(&mut self.losses);
        for (port, lane, dbm) in series::rx_levels(poll) {
            let sel = &self.rules[rule].select;
            if !sel.port.as_ref().is_none_or(|p| p.matches(port)) {
                continue;
            }
            let (value, circuit) = if loss {
                let Some(path) = losses.arriving(&poll.device, port) else {
                    continue;
                };
                let v = loss::excess(path, &self.tx, lane, dbm, poll.time_ms);
                (v, Some(path.circuit.as_str()))
            } else {
                (Some(dbm), None)
            };
            let make = || {
                let extra = Extra {
                    circuit: circuit.map(str::to_string),
                    ..Extra::default()
                };
                (Sub::Lane(port.to_string(), lane), extra)
            };
            let name = tracked::lane_name(port, lane);
            self.observe_one(dev, ob, &name, value, make, out);
        }
        self.losses = losses;
    }

    fn hotspot_selected(&self, rule: usize, hotspot: Option<&str>) -> bool {
        match &self.rules[rule].select.hotspot {
            None => true,
            Some(p) => hotspot.is_some_and(|h| p.matches(h)),
        }
    }

    /// One observation of the series `name` of the device: `value` `None` is a gap. `make`
    /// builds the series' identity, called only when the series starts being tracked.
    fn observe_one(
        &mut self,
        dev: &mut DeviceTracked,
        ob: Ob<'_>,
        name: &str,
        value: Option<f64>,
        make: impl FnOnce() -> (Sub, Extra),
        out: &mut Vec<Change>,
    ) {
        let Some(v) = value else { return };
        let r = &self.rules[ob.rule];
        let holds = r.op.holds(v, r.value);
        if !holds && !dev.has_rule(ob.rule) {
            return;
        }
        let before = dev.get_mut(name, ob.rule).map(|e| e.tracked.track);
        if before.is_none() && !holds {
            return;
        }
        let (after, transition) = step(before, holds, ob.at_ms, self.timing[ob.rule]);
        // The entry as it is after the observation (`None`: inactive again).
        let (sub, extra) = match (before.is_some(), after) {
            (true, Some(track)) => {
                let Some(e) = dev.get_mut(name, ob.rule) else {
                    return;
                };
                e.tracked.track = track;
                e.tracked.value = v;
                if transition == Transition::None {
                    return;
                }
                (e.sub.clone(), e.tracked.extra.clone())
            }
            (true, None) => match dev.remove(name, ob.rule) {
                Some(e) => (e.sub, e.tracked.extra),
                None => return,
            },
            (false, Some(track)) => {
                let (sub, extra) = make();
                let entry = Entry {
                    rule: ob.rule,
                    sub: sub.clone(),
                    tracked: Tracked {
                        track,
                        value: v,
                        extra: extra.clone(),
                    },
                };
                dev.insert(name, entry);
                (sub, extra)
            }
            (false, None) => return,
        };
        let phases = (before.map(|t| t.phase), after.map(|t| t.phase));
        if phases.0 != phases.1 {
            self.count(ob.rule, phases.0, phases.1);
        }
        if transition != Transition::None {
            out.push(Change {
                rule: ob.rule,
                device: ob.device.to_string(),
                sub,
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
