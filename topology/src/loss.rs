//! Optical loss of a path and the verdict of a transceiver's budget on it.
//!
//! Loss at a wavelength = attenuation per km × km + splices × loss per splice + connectors × loss
//! per connector. Splices: one per started `splice_every_km` of each link, plus one at each
//! intermediate site (where two links are spliced together).

use serde::{Deserialize, Serialize};

use crate::error::TopologyError;

/// How loss is estimated; deserialised from the config's `[topology.loss]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossModel {
    /// Attenuation at 1310 nm, dB per km.
    pub db_per_km_1310: f64,
    /// Attenuation at 1550 nm, dB per km.
    pub db_per_km_1550: f64,
    /// Loss of one fusion splice, dB.
    pub db_per_splice: f64,
    /// Loss of one connector, dB.
    pub db_per_connector: f64,
    /// One splice per started this many km of each link.
    pub splice_every_km: f64,
    /// Connectors on a path (one at each end by default).
    pub connectors: u32,
}

impl Default for LossModel {
    fn default() -> Self {
        Self {
            db_per_km_1310: 0.35,
            db_per_km_1550: 0.25,
            db_per_splice: 0.1,
            db_per_connector: 0.5,
            splice_every_km: 2.0,
            connectors: 2,
        }
    }
}

/// Loss of one path at the two usual wavelengths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loss {
    /// At 1310 nm, dB.
    pub db_1310: f64,
    /// At 1550 nm, dB.
    pub db_1550: f64,
}

impl LossModel {
    /// Checks every value, naming all bad keys at once.
    pub fn validate(&self) -> Result<(), TopologyError> {
        let mut problems = Vec::new();
        for (key, v) in [
            ("db_per_km_1310", self.db_per_km_1310),
            ("db_per_km_1550", self.db_per_km_1550),
            ("db_per_splice", self.db_per_splice),
            ("db_per_connector", self.db_per_connector),
        ] {
            if !v.is_finite() || v < 0.0 {
                problems.push(format!("{key}: must be a finite number >= 0, got {v}"));
            }
        }
        if !self.splice_every_km.is_finite() || self.splice_every_km <= 0.0 {
            problems.push(format!(
                "splice_every_km: must be a finite number > 0, got {}",
                self.splice_every_km
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(TopologyError::InvalidLossModel { problems })
        }
    }

    /// Number of splices on a path made of links of these lengths (metres).
    pub fn splices(&self, link_lengths_m: &[f64]) -> u32 {
        let in_links: f64 = if self.splice_every_km > 0.0 {
            link_lengths_m
                .iter()
                // "per started span": 0 km has none, exactly 2 km has one, 2.001 km has two;
                // the epsilon keeps 0.6 / 0.2 from counting as 3.0000000000000004 spans.
                .map(|m| (m / 1000.0 / self.splice_every_km - 1e-9).ceil().max(0.0))
                .sum()
        } else {
            0.0
        };
        let at_sites = link_lengths_m.len().saturating_sub(1) as f64;
        (in_links + at_sites).min(u32::MAX as f64) as u32
    }

    /// Loss of a path made of links of these lengths (metres), in order.
    pub fn loss(&self, link_lengths_m: &[f64]) -> Loss {
        let km: f64 = link_lengths_m.iter().sum::<f64>() / 1000.0;
        let fixed = f64::from(self.splices(link_lengths_m)) * self.db_per_splice
            + f64::from(self.connectors) * self.db_per_connector;
        Loss {
            db_1310: km * self.db_per_km_1310 + fixed,
            db_1550: km * self.db_per_km_1550 + fixed,
        }
    }
}

/// The two wavelengths the loss model prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wavelength {
    /// 1310 nm (O band).
    #[serde(rename = "1310")]
    Nm1310,
    /// 1550 nm (C band).
    #[serde(rename = "1550")]
    Nm1550,
}

/// A transceiver's optical budget (launch power minus receiver sensitivity).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransceiverBudget {
    /// Loss the link may have, dB.
    pub budget_db: f64,
    /// Safety margin below the budget, dB (ageing, repairs).
    #[serde(default = "default_margin_db")]
    pub margin_db: f64,
}

fn default_margin_db() -> f64 {
    3.0
}

/// Whether a path's loss fits a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Loss at most `budget - margin`.
    Pass,
    /// Within the margin: works today, no room for repairs.
    Warn,
    /// Loss above the budget.
    Fail,
}

impl TransceiverBudget {
    /// A budget with the default 3 dB margin.
    pub fn new(budget_db: f64) -> Self {
        Self {
            budget_db,
            margin_db: default_margin_db(),
        }
    }

    /// The verdict on a loss in dB (NaN fails).
    pub fn verdict(&self, loss_db: f64) -> Verdict {
        if loss_db.is_nan() || loss_db > self.budget_db {
            Verdict::Fail
        } else if loss_db > self.budget_db - self.margin_db {
            Verdict::Warn
        } else {
            Verdict::Pass
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn splices_per_started_span_plus_intermediate_sites() {
        let m = LossModel::default();
        assert_eq!(m.splices(&[]), 0);
        assert_eq!(m.splices(&[0.0]), 0);
        assert_eq!(m.splices(&[2000.0]), 1);
        assert_eq!(m.splices(&[2001.0]), 2);
        // 5 + 1 spans, plus one splice at the site between
        assert_eq!(m.splices(&[10_000.0, 500.0]), 7);
        let m = LossModel {
            splice_every_km: 0.2,
            ..m
        };
        assert_eq!(m.splices(&[600.0]), 3);
    }

    #[test]
    fn loss_at_both_wavelengths() {
        let l = LossModel::default().loss(&[10_000.0, 2_000.0]);
        // 12 km; splices 5 + 1 + 1 = 7; 2 connectors
        assert!(close(l.db_1310, 12.0 * 0.35 + 0.7 + 1.0), "{l:?}");
        assert!(close(l.db_1550, 12.0 * 0.25 + 0.7 + 1.0), "{l:?}");
    }

    #[test]
    fn verdicts() {
        let b = TransceiverBudget::new(10.0);
        assert_eq!(b.verdict(6.9), Verdict::Pass);
        assert_eq!(b.verdict(7.0), Verdict::Pass);
        assert_eq!(b.verdict(7.1), Verdict::Warn);
        assert_eq!(b.verdict(10.0), Verdict::Warn);
        assert_eq!(b.verdict(10.1), Verdict::Fail);
        assert_eq!(b.verdict(f64::NAN), Verdict::Fail);
    }

    #[test]
    fn model_validation_names_every_bad_key() {
        let m = LossModel {
            db_per_splice: -1.0,
            splice_every_km: 0.0,
            ..LossModel::default()
        };
        let Err(TopologyError::InvalidLossModel { problems }) = m.validate() else {
            panic!("expected an invalid model");
        };
        assert_eq!(problems.len(), 2);
        assert!(problems[0].starts_with("db_per_splice"));
        assert!(problems[1].starts_with("splice_every_km"));
        assert!(LossModel::default().validate().is_ok());
    }
}
