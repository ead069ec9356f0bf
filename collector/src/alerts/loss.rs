//! `optic_loss_excess_db`: a circuit's measured loss (the transmitting end's level − the
//! receiving end's) minus the loss its documented route explains — the drift's figure, on
//! every poll of the receiving end.
//!
//! The collector knows no cadastre: the caller gives the circuits' directions and expected
//! losses ([`LossPaths`]). The transmitting end is another device, polled at its own pace, so
//! the engine keeps each such device's last transmit levels ([`TxLevels`]), replaced by its
//! every poll and dropped when a poll fails; a level older than [`TX_FRESH_MS`] is not used.
//! With no level for the transmitting end (not read, dark, stale, its device down) the value
//! is a gap: it neither fires nor resolves.

use std::collections::{HashMap, HashSet};

use crate::sample::{DevicePoll, OpticDirection};

/// How old a transmitting end's level may be when the receiving end is read: 15 minutes.
pub const TX_FRESH_MS: i64 = 15 * 60 * 1000;

/// One direction of a circuit: light leaves `tx_device`/`tx_port`, arrives at
/// `rx_device`/`rx_port`, and the documented route explains `expected_db` of loss.
#[derive(Debug, Clone, PartialEq)]
pub struct LossPath {
    pub circuit: String,
    pub tx_device: String,
    pub tx_port: String,
    pub rx_device: String,
    pub rx_port: String,
    pub expected_db: f64,
}

/// The served cadastre's circuits' directions, by their receiving end.
#[derive(Debug, Clone, Default)]
pub struct LossPaths {
    /// rx device → rx port → the direction arriving there (the first given, if several).
    by_rx: HashMap<String, HashMap<String, LossPath>>,
    /// tx device → its ports that transmit on some direction: only their levels are kept.
    tx_ends: HashMap<String, HashSet<String>>,
}

impl LossPaths {
    pub fn new(paths: Vec<LossPath>) -> LossPaths {
        let mut out = LossPaths::default();
        for p in paths {
            if !p.expected_db.is_finite() {
                continue;
            }
            out.tx_ends
                .entry(p.tx_device.clone())
                .or_default()
                .insert(p.tx_port.clone());
            out.by_rx
                .entry(p.rx_device.clone())
                .or_default()
                .entry(p.rx_port.clone())
                .or_insert(p);
        }
        out
    }

    /// Whether `device` receives on some direction.
    pub fn receives(&self, device: &str) -> bool {
        self.by_rx.contains_key(device)
    }

    /// The direction arriving at `device`'s `port`.
    pub fn arriving(&self, device: &str, port: &str) -> Option<&LossPath> {
        self.by_rx.get(device)?.get(port)
    }
}

/// A device's (port, lane, dBm) transmitting light.
type Levels = Vec<(String, u32, f64)>;

/// The last transmit levels of the devices that transmit on some direction.
#[derive(Debug, Default)]
pub struct TxLevels {
    /// device → the poll's time and its levels.
    by_device: HashMap<String, (i64, Levels)>,
}

impl TxLevels {
    /// A successful poll of `poll.device`: its levels on the ports that transmit on a
    /// direction replace the last ones (a transmitter that is dark, or a period's statistics,
    /// is no level now).
    pub fn update(&mut self, paths: &LossPaths, poll: &DevicePoll) {
        let Some(ends) = paths.tx_ends.get(&poll.device) else {
            return;
        };
        let levels = poll
            .optics
            .iter()
            .filter(|o| {
                o.direction == OpticDirection::Tx
                    && o.stat.is_current()
                    && !o.no_light
                    && o.dbm.is_finite()
                    && ends.contains(&o.port)
            })
            .map(|o| (o.port.clone(), o.lane.unwrap_or(0), o.dbm))
            .collect();
        self.by_device
            .insert(poll.device.clone(), (poll.time_ms, levels));
    }

    /// A failed poll of `device`: its levels are no longer known.
    pub fn forget(&mut self, device: &str) {
        self.by_device.remove(device);
    }

    /// The level leaving `device`'s `port` on `lane`, when read within [`TX_FRESH_MS`] of
    /// `at_ms`.
    pub fn level(&self, device: &str, port: &str, lane: u32, at_ms: i64) -> Option<f64> {
        let (time_ms, levels) = self.by_device.get(device)?;
        if (at_ms - time_ms).abs() > TX_FRESH_MS {
            return None;
        }
        levels
            .iter()
            .find(|(p, l, _)| p == port && *l == lane)
            .map(|(_, _, dbm)| *dbm)
    }
}

/// The excess over the expected loss arriving at `rx_dbm` on `lane` of `path`: `None` (a gap)
/// when the transmitting end's level is not known.
pub fn excess(path: &LossPath, tx: &TxLevels, lane: u32, rx_dbm: f64, at_ms: i64) -> Option<f64> {
    let tx_dbm = tx.level(&path.tx_device, &path.tx_port, lane, at_ms)?;
    Some(tx_dbm - rx_dbm - path.expected_db)
}
