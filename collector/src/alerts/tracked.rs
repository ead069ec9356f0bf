//! The series of one device that are pending or firing, found by their name (a port's key,
//! an access point's or a hotspot's name) without building a key: most observations are of
//! series that are not tracked, and must cost a comparison, not an allocation.

use std::collections::HashMap;

use super::series::{Extra, Sub};
use super::state::Track;

type Fast = foldhash::fast::RandomState;

/// A series that is pending or firing.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub track: Track,
    /// The value at the last observation.
    pub value: f64,
    pub extra: Extra,
}

/// One tracked series of one rule.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub rule: usize,
    pub sub: Sub,
    pub tracked: Tracked,
}

/// A device's tracked series.
#[derive(Debug)]
pub(super) struct DeviceTracked {
    /// By the series' name, each rule's entry (a rule has one metric, so one kind of series:
    /// a port and an access point of the same name never meet under one rule).
    series: HashMap<String, Vec<Entry>, Fast>,
    /// Per rule, how many of its series are tracked here.
    per_rule: Vec<u32>,
}

/// The name a series is found by.
pub(super) fn name_of(sub: &Sub) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    match sub {
        Sub::Device => Cow::Borrowed(""),
        Sub::Port(p) | Sub::Ap(p) | Sub::Hotspot(p) => Cow::Borrowed(p.as_str()),
        Sub::Lane(p, l) => Cow::Owned(lane_name(p, *l)),
    }
}

/// The name of a transceiver's lane.
pub(super) fn lane_name(port: &str, lane: u32) -> String {
    format!("{port}\u{1f}{lane}")
}

impl DeviceTracked {
    pub fn new(n_rules: usize) -> DeviceTracked {
        DeviceTracked {
            series: HashMap::default(),
            per_rule: vec![0; n_rules],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Whether any series of `rule` is tracked on this device.
    pub fn has_rule(&self, rule: usize) -> bool {
        self.per_rule.get(rule).is_some_and(|n| *n > 0)
    }

    pub fn get_mut(&mut self, name: &str, rule: usize) -> Option<&mut Entry> {
        self.series
            .get_mut(name)?
            .iter_mut()
            .find(|e| e.rule == rule)
    }

    /// Tracks `entry` under `name` (replacing the rule's entry there, if any).
    pub fn insert(&mut self, name: &str, entry: Entry) {
        let rule = entry.rule;
        let entries = self.series.entry(name.to_string()).or_default();
        match entries.iter_mut().find(|e| e.rule == rule) {
            Some(e) => *e = entry,
            None => {
                entries.push(entry);
                if let Some(n) = self.per_rule.get_mut(rule) {
                    *n += 1;
                }
            }
        }
    }

    /// Stops tracking `rule`'s series `name`; its entry.
    pub fn remove(&mut self, name: &str, rule: usize) -> Option<Entry> {
        let entries = self.series.get_mut(name)?;
        let i = entries.iter().position(|e| e.rule == rule)?;
        let e = entries.swap_remove(i);
        if entries.is_empty() {
            self.series.remove(name);
        }
        if let Some(n) = self.per_rule.get_mut(rule) {
            *n = n.saturating_sub(1);
        }
        Some(e)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.series.values().flatten()
    }
}
