//! The schemas of the wifi answers, whose Rust types live in `cadastre::wifi` (verdicts, the
//! relocation plan) and `questions::wifi` (the answers around them). Like every mirror of
//! [`super`], each follows the serde form of the type it names and is never built.

use utoipa::ToSchema;

/// The answer of `GET /api/v1/wifi/verdicts` (`questions::wifi::VerdictsAnswer`, what
/// `irisops wifi verdicts --format json` prints).
#[derive(ToSchema)]
pub struct VerdictsAnswer {
    hotspots: Vec<HotspotVerdict>,
    window_days: u32,
    /// The window's first day, YYYY-MM-DD (local).
    from: String,
    /// The window's last day, YYYY-MM-DD (local).
    until: String,
    criteria: Criteria,
}

/// What the wifi rules decided (`cadastre::wifi::Verdict`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum WifiVerdict {
    InsufficientData,
    Faulty,
    Underused,
    Ok,
}

/// One hotspot's verdict (`cadastre::wifi::HotspotVerdict`): the figures it was computed from
/// and the rule that decided it.
#[derive(ToSchema)]
pub struct HotspotVerdict {
    id: String,
    verdict: WifiVerdict,
    /// The rule that decided, in words (`p90 daily peak 1.7 per AP < 3; ...`).
    reason: String,
    n_aps: usize,
    days_with_data: u32,
    /// `days_with_data` / the window's days.
    data_coverage: f64,
    p90_peak_per_ap: Option<f64>,
    median_client_hours_per_ap: Option<f64>,
    median_availability: Option<f64>,
}

/// The verdicts' thresholds (`cadastre::wifi::Criteria`; the `[wifi]` keys).
#[derive(ToSchema)]
pub struct Criteria {
    window_days: u32,
    min_coverage: f64,
    min_availability: f64,
    peak_per_ap_min: f64,
    client_hours_per_ap_min: f64,
}

/// The answer of `GET /api/v1/wifi/usage` (`questions::wifi::UsageAnswer`).
#[derive(ToSchema)]
pub struct UsageAnswer {
    days: Vec<UsageDay>,
    from: String,
    to: String,
}

/// One hotspot's figures for one local day (`questions::wifi::UsageDay`); null is unknown.
#[derive(ToSchema)]
pub struct UsageDay {
    hotspot: String,
    /// YYYY-MM-DD (local).
    date: String,
    peak_clients: Option<f64>,
    client_hours: Option<f64>,
    active_hours: Option<f64>,
    availability: Option<f64>,
    coverage: Option<f64>,
    sessions: Option<f64>,
    unique_users: Option<f64>,
}

/// The relocation plan (`cadastre::wifi::Plan`, what `irisops wifi plan --format json`
/// prints).
#[derive(ToSchema)]
pub struct Plan {
    moves: Vec<Move>,
    /// The weight of the targets newly covered (Σ of the moves' weights).
    covered_weight: f64,
    fibre_m_total: f64,
    /// True when no plan covers more weight, or as much with fewer fibre metres.
    optimal: bool,
    /// An upper bound on the weight any plan covers (`covered_weight` when optimal).
    bound: f64,
    solve_ms: f64,
    candidates: usize,
    movable: usize,
    /// The weight the greedy plan covers.
    greedy_weight: f64,
    criteria: PlanCriteria,
}

/// One hotspot's move (`cadastre::wifi::Move`).
#[derive(ToSchema)]
pub struct Move {
    hotspot: String,
    from_site: String,
    to_target: String,
    to_kind: String,
    distance_m: f64,
    fibre_m: f64,
    fibre_via: FibreVia,
    /// The targets this place newly covers.
    covers: Vec<String>,
    weight: f64,
}

/// What the place is nearest to on the fibre: `{"site": id}` or `{"route": id}`
/// (`cadastre::wifi::FibreVia`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum FibreVia {
    Site(String),
    Route(String),
}

/// The plan's criteria (`cadastre::wifi::PlanCriteria`): the verdicts' and the plan's.
#[derive(ToSchema)]
pub struct PlanCriteria {
    window_days: u32,
    min_coverage: f64,
    min_availability: f64,
    peak_per_ap_min: f64,
    client_hours_per_ap_min: f64,
    radius_m: f64,
    max_fibre_m: f64,
    max_moves: usize,
}
