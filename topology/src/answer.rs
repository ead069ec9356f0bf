//! The graph questions' answers as the CLI's `--json` and the HTTP API both serialise them
//! (one code path, the contract): paths, quotes, single points of failure and cuts. Figures
//! are rounded to 3 decimals here, once, so both print the same numbers.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::{
    Constraints, CutReport, CutSpec, Diverse, Network, Path, Quote, SharedRisk, Tariff,
    TopologyError, TransceiverBudget, Verdict,
};

/// `x` rounded to 3 decimals.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The budget re-routes are judged against (the `paths` default: 11 dB, 3 dB margin).
pub fn default_budget() -> TransceiverBudget {
    TransceiverBudget::new(11.0)
}

/// The shortest path (`k` = 1) or `k` diverse ones, as one answer: for `k` = 1, fully diverse
/// means found, and nothing is shared.
pub fn find_paths(
    net: &Network,
    from: &str,
    to: &str,
    k: usize,
    constraints: &Constraints,
) -> Result<Diverse, TopologyError> {
    if k == 1 {
        let path = net.shortest_path(from, to, constraints)?;
        return Ok(Diverse {
            fully_diverse: path.is_some(),
            paths: path.into_iter().collect(),
            shared_risks: Vec::new(),
        });
    }
    // `fully_diverse` already requires k paths.
    net.diverse_paths(from, to, k, constraints)
}

/// A path as the contract's JSON: `loss_db` at 1310 nm (the larger of the two with the default
/// model), both wavelengths under `loss_db_by_wavelength`, figures rounded to 3 decimals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathAnswer {
    pub routes: Vec<String>,
    pub sites: Vec<String>,
    pub length_km: f64,
    pub owners: BTreeMap<String, f64>,
    pub spare_strands: u32,
    pub loss_db: f64,
    pub loss_db_by_wavelength: LossByWavelength,
    pub loss_budget_db: f64,
    pub loss_verdict: Verdict,
}

/// A path's loss at each wavelength, dB.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossByWavelength {
    #[serde(rename = "1310")]
    pub nm1310: f64,
    #[serde(rename = "1550")]
    pub nm1550: f64,
}

impl PathAnswer {
    /// `p` judged against `budget`.
    pub fn new(p: &Path, budget: &TransceiverBudget) -> Self {
        PathAnswer {
            routes: p.routes.clone(),
            sites: p.sites.clone(),
            length_km: round3(p.length_km()),
            owners: p
                .owners
                .iter()
                .map(|(o, km)| (o.clone(), round3(*km)))
                .collect(),
            spare_strands: p.spare_strands,
            loss_db: round3(p.loss_db_1310),
            loss_db_by_wavelength: LossByWavelength {
                nm1310: round3(p.loss_db_1310),
                nm1550: round3(p.loss_db_1550),
            },
            loss_budget_db: budget.budget_db,
            loss_verdict: budget.verdict(p.loss_db_1310),
        }
    }

    /// Every path of `paths`.
    pub fn all(paths: &[Path], budget: &TransceiverBudget) -> Vec<Self> {
        paths.iter().map(|p| PathAnswer::new(p, budget)).collect()
    }
}

/// The answer of `paths`: no path is `paths: []` with `fully_diverse: false`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsAnswer {
    pub from: String,
    pub to: String,
    pub k: usize,
    pub paths: Vec<PathAnswer>,
    pub fully_diverse: bool,
    pub shared_risks: Vec<SharedRisk>,
}

impl PathsAnswer {
    /// The answer for the paths `found` from `from` to `to`.
    pub fn new(
        from: &str,
        to: &str,
        k: usize,
        found: &Diverse,
        budget: &TransceiverBudget,
    ) -> Self {
        PathsAnswer {
            from: from.to_string(),
            to: to.to_string(),
            k,
            paths: PathAnswer::all(&found.paths, budget),
            fully_diverse: found.fully_diverse,
            shared_risks: found.shared_risks.clone(),
        }
    }
}

/// Shortest or `k` diverse paths from `from` to `to`, judged against `budget`.
pub fn paths(
    net: &Network,
    from: &str,
    to: &str,
    k: usize,
    constraints: &Constraints,
    budget: &TransceiverBudget,
) -> Result<PathsAnswer, TopologyError> {
    let found = find_paths(net, from, to, k, constraints)?;
    Ok(PathsAnswer::new(from, to, k, &found, budget))
}

/// The answer of `quote`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteAnswer {
    pub from: String,
    pub to: String,
    pub pairs: u32,
    pub paths: Vec<PathAnswer>,
    pub fully_diverse: bool,
    pub quotes: Vec<Quote>,
    pub monthly: f64,
    pub annual: f64,
    /// The currency of every price (the tariff's, ISO 4217).
    pub currency: String,
}

/// A lease quote of `pairs` strand pairs on the shortest (or `k` diverse) paths with 2 × pairs
/// spare strands on every route; `None` when no such path exists. The paths found come with
/// the answer (for the text form).
pub fn quote(
    net: &Network,
    from: &str,
    to: &str,
    pairs: u32,
    k: usize,
    tariff: &Tariff,
    budget: &TransceiverBudget,
) -> Result<Option<(Diverse, QuoteAnswer)>, TopologyError> {
    let constraints = Constraints {
        min_spare_strands: pairs.saturating_mul(2),
        ..Constraints::default()
    };
    let found = find_paths(net, from, to, k, &constraints)?;
    if found.paths.is_empty() {
        return Ok(None);
    }
    let quotes: Vec<Quote> = found
        .paths
        .iter()
        .map(|p| crate::quote(p, pairs, tariff))
        .collect();
    let monthly: f64 = quotes.iter().map(|q| q.monthly).sum();
    let answer = QuoteAnswer {
        from: from.to_string(),
        to: to.to_string(),
        pairs,
        paths: PathAnswer::all(&found.paths, budget),
        fully_diverse: found.fully_diverse,
        quotes,
        monthly: round3(monthly),
        annual: round3(monthly * 12.0),
        currency: tariff.currency.clone(),
    };
    Ok(Some((found, answer)))
}

/// The published offer's form of a quote (an outside operator's view): the paths and the
/// prices, without the revenue split (`operator_kept`, the owners' shares).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteOffer {
    pub from: String,
    pub to: String,
    pub pairs: u32,
    pub paths: Vec<PathAnswer>,
    pub fully_diverse: bool,
    pub quotes: Vec<QuoteOfferLine>,
    pub monthly: f64,
    pub annual: f64,
    pub currency: String,
}

/// One path's price in the offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteOfferLine {
    pub pairs: u32,
    pub length_km: f64,
    pub monthly: f64,
    pub annual: f64,
}

impl QuoteAnswer {
    /// The offer's form of this quote.
    pub fn offer(self) -> QuoteOffer {
        QuoteOffer {
            from: self.from,
            to: self.to,
            pairs: self.pairs,
            paths: self.paths,
            fully_diverse: self.fully_diverse,
            quotes: self
                .quotes
                .iter()
                .map(|q| QuoteOfferLine {
                    pairs: q.pairs,
                    length_km: q.length_km,
                    monthly: q.monthly,
                    annual: q.annual,
                })
                .collect(),
            monthly: self.monthly,
            annual: self.annual,
            currency: self.currency,
        }
    }
}

/// The answer of `spof`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpofAnswer {
    pub bridges: Vec<String>,
    pub articulation_points: Vec<String>,
    pub srlg_bridges: Vec<String>,
    pub srlg_dependent_sites: BTreeMap<String, Vec<String>>,
    pub n_srlgs: usize,
    pub n_sites: usize,
    pub n_routes: usize,
}

/// Single points of failure: bridges, articulation points, and the shared trenches whose loss
/// disconnects.
pub fn spof(net: &Network) -> SpofAnswer {
    let spof = net.spof();
    let srlgs: BTreeSet<&str> = net
        .links()
        .flat_map(|l| l.srlgs.iter().map(String::as_str))
        .collect();
    SpofAnswer {
        bridges: spof.bridges,
        articulation_points: spof.articulation_points,
        srlg_bridges: net.srlg_bridges(),
        srlg_dependent_sites: net.srlg_dependent_sites(),
        n_srlgs: srlgs.len(),
        n_sites: net.n_sites(),
        n_routes: net.n_links(),
    }
}

/// The answer of `cut`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutAnswer {
    pub removed_routes: Vec<String>,
    pub isolated_sites: Vec<String>,
    pub broken_allocations: Vec<String>,
    pub reroutable: Vec<RerouteAnswer>,
    pub not_reroutable: Vec<String>,
}

/// A broken allocation and its new path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RerouteAnswer {
    pub allocation: String,
    pub path: PathAnswer,
}

impl CutAnswer {
    /// The answer of `report`, re-routes judged against the default budget.
    pub fn new(report: &CutReport) -> Self {
        let budget = default_budget();
        CutAnswer {
            removed_routes: report.removed_links.clone(),
            isolated_sites: report.isolated_sites.clone(),
            broken_allocations: report.broken_allocations.clone(),
            reroutable: report
                .reroutable
                .iter()
                .map(|r| RerouteAnswer {
                    allocation: r.allocation.clone(),
                    path: PathAnswer::new(&r.path, &budget),
                })
                .collect(),
            not_reroutable: report.not_reroutable.clone(),
        }
    }
}

/// What cutting `spec` takes down; the report comes with the answer (for the text form).
pub fn cut(net: &Network, spec: &CutSpec) -> Result<(CutReport, CutAnswer), TopologyError> {
    let report = net.cut(spec)?;
    let answer = CutAnswer::new(&report);
    Ok((report, answer))
}
