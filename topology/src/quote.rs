//! Pricing a dark-fibre lease along a [`Path`]: a [`Tariff`] and the [`Quote`] it gives, with
//! the owners' shares of the revenue.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::TopologyError;
use crate::paths::Path;

/// Prices of a dark-fibre lease; the config section deserialises into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tariff {
    /// Per fibre pair per km per month.
    pub per_pair_km_month: f64,
    /// The lowest monthly price of any lease.
    pub minimum_month: f64,
    /// Per site of the path (both ends and every intermediate site) per month.
    pub per_site_fee_month: f64,
    /// Share of the price the operator keeps, 0..=1; the rest goes to the route owners.
    pub operator_share: f64,
    /// The prices' currency, an ISO 4217 code (default `EUR`).
    pub currency: String,
}

impl Default for Tariff {
    fn default() -> Self {
        Self {
            per_pair_km_month: 25.0,
            minimum_month: 150.0,
            per_site_fee_month: 50.0,
            operator_share: 0.30,
            currency: "EUR".to_string(),
        }
    }
}

impl Tariff {
    /// Checks every value, naming each bad key: prices finite and not negative, the operator
    /// share within 0..=1.
    pub fn validate(&self) -> Result<(), TopologyError> {
        let mut problems = Vec::new();
        for (key, v) in [
            ("per_pair_km_month", self.per_pair_km_month),
            ("minimum_month", self.minimum_month),
            ("per_site_fee_month", self.per_site_fee_month),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                problems.push(format!("{key}: {v} is not a finite price >= 0"));
            }
        }
        if !(0.0..=1.0).contains(&self.operator_share) {
            problems.push(format!(
                "operator_share: {} is not within 0..=1",
                self.operator_share
            ));
        }
        if !(self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase())) {
            problems.push(format!(
                "currency: {:?} is not an ISO 4217 code (three capital letters, e.g. EUR)",
                self.currency
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(TopologyError::InvalidTariff { problems })
        }
    }
}

/// The price of leasing some fibre pairs along a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Fibre pairs leased.
    pub pairs: u32,
    /// The path's length, km.
    pub length_km: f64,
    /// `max(minimum, pairs × km × per_pair_km + sites × per_site_fee)`.
    pub monthly: f64,
    /// What the operator keeps of `monthly`.
    pub operator_kept: f64,
    /// Per route owner: `(1 − operator_share) × monthly` split by the owner's km of the path.
    pub owners: BTreeMap<String, f64>,
    /// `12 × monthly`.
    pub annual: f64,
}

/// Prices `pairs` fibre pairs along `path` with a tariff that passed [`Tariff::validate`].
///
/// `operator_kept` is `monthly` minus the owners' shares, so the parts always add up to
/// `monthly`; a path without km (a site to itself) leaves everything to the operator.
pub fn quote(path: &Path, pairs: u32, tariff: &Tariff) -> Quote {
    let length_km = path.length_km();
    let n_sites = path.sites.len() as f64;
    let monthly = (f64::from(pairs) * length_km * tariff.per_pair_km_month
        + n_sites * tariff.per_site_fee_month)
        .max(tariff.minimum_month);
    let owner_km: f64 = path.owners.values().sum();
    let pot = (1.0 - tariff.operator_share) * monthly;
    let owners: BTreeMap<String, f64> = if owner_km > 0.0 {
        path.owners
            .iter()
            .map(|(o, km)| (o.clone(), pot * km / owner_km))
            .collect()
    } else {
        BTreeMap::new()
    };
    Quote {
        pairs,
        length_km,
        monthly,
        operator_kept: monthly - owners.values().sum::<f64>(),
        owners,
        annual: 12.0 * monthly,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::parse;
    use crate::{Constraints, Network};

    fn path(text: &str) -> Path {
        let (sites, links) = parse(text).unwrap();
        let net = Network::build(&sites, &links).0;
        net.shortest_path("A", "Z", &Constraints::default())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn quote_arithmetic() {
        // 2 pairs × 10 km × 25 + 3 sites × 50 = 650; owners share 70 % by km (6 : 4).
        let p = path("A-B 6km; B-Z 4km owner=ores");
        let q = quote(&p, 2, &Tariff::default());
        assert_eq!(
            (q.pairs, q.length_km, q.monthly, q.annual),
            (2, 10.0, 650.0, 7800.0)
        );
        assert!((q.operator_kept - 195.0).abs() < 1e-9);
        assert!((q.owners["own"] - 273.0).abs() < 1e-9);
        assert!((q.owners["ores"] - 182.0).abs() < 1e-9);
        // 1 pair × 0.5 km × 25 + 2 × 50 = 112.5, below the minimum.
        let q = quote(&path("A-Z 500m"), 1, &Tariff::default());
        assert_eq!(q.monthly, 150.0);
        assert!((q.owners["own"] - 105.0).abs() < 1e-9);
    }

    #[test]
    fn tariff_defaults_deny_unknown_and_validate() {
        let t: Tariff = serde_json::from_str(r#"{"minimum_month": 99.0}"#).unwrap();
        assert_eq!(
            (t.minimum_month, t.per_pair_km_month, t.operator_share),
            (99.0, 25.0, 0.30)
        );
        assert!(t.validate().is_ok());
        assert!(serde_json::from_str::<Tariff>(r#"{"per_km": 1.0}"#).is_err());
        let bad = Tariff {
            per_pair_km_month: -1.0,
            minimum_month: f64::NAN,
            operator_share: 1.5,
            ..Tariff::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "invalid tariff: per_pair_km_month: -1 is not a finite price >= 0; \
             minimum_month: NaN is not a finite price >= 0; \
             operator_share: 1.5 is not within 0..=1"
        );
    }

    proptest! {
        #[test]
        fn shares_add_up_to_monthly(
            kms in prop::collection::vec((0u32..3, 0u32..100_000), 1..6),
            pairs in 0u32..100,
            per_km in 0.0f64..1000.0,
            minimum in 0.0f64..10_000.0,
            fee in 0.0f64..500.0,
            share in 0.0f64..=1.0,
        ) {
            let text: Vec<String> = kms
                .iter()
                .enumerate()
                .map(|(i, (o, m))| format!("S{i}-S{} {m}m owner=o{o}", i + 1))
                .collect();
            let text = text.join(";").replacen("S0-", "A-", 1);
            let last = format!("S{}", kms.len());
            let (sites, links) = parse(&text).unwrap();
            let net = Network::build(&sites, &links).0;
            let p = net.shortest_path("A", &last, &Constraints::default()).unwrap().unwrap();
            let t = Tariff {
                per_pair_km_month: per_km,
                minimum_month: minimum,
                per_site_fee_month: fee,
                operator_share: share,
                ..Tariff::default()
            };
            prop_assert!(t.validate().is_ok());
            let q = quote(&p, pairs, &t);
            let sum = q.operator_kept + q.owners.values().sum::<f64>();
            // 1e-9 absolute below 1 per month, relative above: f64 has no 1e-9 resolution at
            // millions per month (one ulp of 1.4e7 is 1.9e-9).
            let tolerance = 1e-9 * q.monthly.max(1.0);
            prop_assert!((sum - q.monthly).abs() <= tolerance, "{} vs {}", sum, q.monthly);
            prop_assert!(q.monthly >= minimum);
            prop_assert!(q.operator_kept >= share * q.monthly - tolerance);
            prop_assert!(q.owners.values().all(|v| *v >= 0.0));
        }
    }
}

#[cfg(test)]
mod currency_tests {
    use super::Tariff;

    #[test]
    fn a_tariff_s_currency_is_an_iso_code_eur_by_default() {
        assert_eq!(Tariff::default().currency, "EUR");
        let chf = Tariff {
            currency: "CHF".into(),
            ..Tariff::default()
        };
        assert!(chf.validate().is_ok());
        let bad = Tariff {
            currency: "euro".into(),
            ..Tariff::default()
        };
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.contains("currency: \"euro\""), "{e}");
    }
}
