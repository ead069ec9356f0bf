//! The schemas of the graph questions' answers, whose Rust types live in the `topology` crate
//! (`topology::answer`, `topology::SpareReport`'s parts, `topology::DriftReport`): paths,
//! quotes, single points of failure, cuts, spare figures and drift. Like every mirror of
//! [`super`], each follows the serde form of the type it names and is never built.

use std::collections::BTreeMap;

use utoipa::ToSchema;

/// The answer of `GET /api/v1/topology/paths` (`topology::answer::PathsAnswer`, what
/// `irisops topology paths --json` prints): no path is `paths: []`, `fully_diverse: false`.
#[derive(ToSchema)]
pub struct PathsAnswer {
    from: String,
    to: String,
    k: usize,
    paths: Vec<PathAnswer>,
    /// `k` paths sharing no route, SRLG (and, with `node_disjoint`, no site).
    fully_diverse: bool,
    /// What the paths share.
    shared_risks: Vec<SharedRisk>,
}

/// One path (`topology::answer::PathAnswer`): figures rounded to 3 decimals, `loss_db` at
/// 1310 nm.
#[derive(ToSchema)]
pub struct PathAnswer {
    /// Route (link) ids, in order.
    routes: Vec<String>,
    /// Site ids, `from` first.
    sites: Vec<String>,
    length_km: f64,
    /// Km of the path per route owner.
    owners: BTreeMap<String, f64>,
    /// The fewest spare strands of its routes.
    spare_strands: u32,
    loss_db: f64,
    loss_db_by_wavelength: LossByWavelength,
    loss_budget_db: f64,
    loss_verdict: Verdict,
}

/// A path's loss at each wavelength, dB (`topology::answer::LossByWavelength`).
#[derive(ToSchema)]
pub struct LossByWavelength {
    #[schema(rename = "1310")]
    nm1310: f64,
    #[schema(rename = "1550")]
    nm1550: f64,
}

/// Whether a path's loss fits the budget (`topology::Verdict`): `warn` is within the margin.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

/// One thing used by more than one path (`topology::SharedRisk`).
#[derive(ToSchema)]
pub struct SharedRisk {
    kind: RiskKind,
    /// The route id, SRLG name or site id.
    id: String,
    /// Indices into `paths` of the paths using it, ascending.
    paths: Vec<usize>,
}

/// What two paths share (`topology::RiskKind`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum RiskKind {
    Route,
    Srlg,
    Site,
}

/// The answer of `GET /api/v1/quote` (`topology::answer::QuoteAnswer`, what `irisops
/// topology quote --json` prints): the paths, their prices and the revenue split.
#[derive(ToSchema)]
pub struct QuoteAnswer {
    from: String,
    to: String,
    pairs: u32,
    paths: Vec<PathAnswer>,
    fully_diverse: bool,
    /// One per path.
    quotes: Vec<Quote>,
    monthly: f64,
    annual: f64,
    /// The currency of every price, ISO 4217 (the tariff's; default EUR).
    currency: String,
}

/// The price of one path (`topology::Quote`).
#[derive(ToSchema)]
pub struct Quote {
    pairs: u32,
    length_km: f64,
    monthly: f64,
    /// What the operator keeps of `monthly`.
    operator_kept: f64,
    /// Each route owner's share of `monthly`.
    owners: BTreeMap<String, f64>,
    annual: f64,
}

/// The published offer's form of a quote (`topology::answer::QuoteOffer`, an outside
/// operator's answer): no revenue split.
#[derive(ToSchema)]
pub struct QuoteOffer {
    from: String,
    to: String,
    pairs: u32,
    paths: Vec<PathAnswer>,
    fully_diverse: bool,
    quotes: Vec<QuoteOfferLine>,
    monthly: f64,
    annual: f64,
    /// The currency of every price, ISO 4217.
    currency: String,
}

/// One path's price in the offer (`topology::answer::QuoteOfferLine`): nothing more.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteOfferLine {
    pairs: u32,
    length_km: f64,
    monthly: f64,
    annual: f64,
}

/// The answer of `GET /api/v1/topology/spof` (`topology::answer::SpofAnswer`).
#[derive(ToSchema)]
pub struct SpofAnswer {
    /// Routes whose loss disconnects the network.
    bridges: Vec<String>,
    /// Sites whose loss disconnects the network.
    articulation_points: Vec<String>,
    /// Shared-risk groups whose loss disconnects the network.
    srlg_bridges: Vec<String>,
    /// Per SRLG, the sites its loss cuts off.
    srlg_dependent_sites: BTreeMap<String, Vec<String>>,
    n_srlgs: usize,
    n_sites: usize,
    n_routes: usize,
}

/// The answer of `POST /api/v1/topology/cut` (`topology::answer::CutAnswer`).
#[derive(ToSchema)]
pub struct CutAnswer {
    removed_routes: Vec<String>,
    isolated_sites: Vec<String>,
    broken_allocations: Vec<String>,
    reroutable: Vec<RerouteAnswer>,
    not_reroutable: Vec<String>,
}

/// A broken allocation and its new path (`topology::answer::RerouteAnswer`).
#[derive(ToSchema)]
pub struct RerouteAnswer {
    allocation: String,
    path: PathAnswer,
}

/// The spare of one route (`topology::LinkSpare`); an owner's sum is [`super::OwnerSpare`].
#[derive(ToSchema)]
pub struct LinkSpare {
    /// The route id.
    id: String,
    /// One end's site id.
    from_site: String,
    /// The other end's site id.
    to_site: String,
    owner: String,
    length_m: f64,
    /// Strands in the cables.
    fibre_count: u32,
    allocated_strands: u32,
    dark_strands: u32,
    free_ducts: u32,
    /// Σ headroom of the lit ports mapped onto the route, bit/s; null when none is.
    lit_headroom_bps: Option<f64>,
}

/// The answer of `GET /api/v1/topology/drift` (`api::questions::drift::DriftAnswer`: the
/// fields of `topology::DriftReport` and two counts).
#[derive(ToSchema)]
pub struct DriftAnswer {
    /// Circuits an LLDP entry confirms end to end.
    confirmed: Vec<String>,
    /// Circuit ends cabled elsewhere.
    wrong_port: Vec<WrongPort>,
    /// Circuits with no live neighbour on either end.
    no_live_neighbour: Vec<Unconfirmed>,
    /// Circuits whose end devices reported no LLDP table.
    not_observed: Vec<String>,
    /// Live adjacencies the cadastre does not know.
    unknown_neighbours: Vec<LiveLink>,
    /// Directions losing more light than their route explains, beyond the margin.
    loss_excess: Vec<LossExcess>,
    /// Directions whose loss could be checked.
    loss_checked: usize,
    /// Circuits naming a route the network does not know.
    unknown_links: Vec<String>,
    /// Documented circuits (allocations with a device port at both ends).
    n_circuits: usize,
    /// Devices whose LLDP table was read.
    n_lldp_devices: usize,
}

/// A device port (`topology::PortEnd`).
#[derive(ToSchema)]
pub struct PortEnd {
    device: String,
    port: String,
}

/// A circuit end cabled elsewhere than the cadastre says (`topology::WrongPort`).
#[derive(ToSchema)]
pub struct WrongPort {
    circuit: String,
    kind: WrongPortKind,
    documented: PortEnd,
    live: PortEnd,
    seen_from: PortEnd,
}

/// What kind of wrong port (`topology::WrongPortKind`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum WrongPortKind {
    FarPort,
    LocalPort,
    OtherDevice,
}

/// A circuit nothing live confirms (`topology::Unconfirmed`).
#[derive(ToSchema)]
pub struct Unconfirmed {
    circuit: String,
    a_end: PortEnd,
    b_end: PortEnd,
}

/// A live LLDP adjacency no circuit documents (`topology::LiveLink`).
#[derive(ToSchema)]
pub struct LiveLink {
    local: PortEnd,
    remote: PortEnd,
    remote_known: bool,
    seen_both_ways: bool,
}

/// A direction of a circuit that loses more light than its route explains
/// (`topology::LossExcess`).
#[derive(ToSchema)]
pub struct LossExcess {
    circuit: String,
    from: PortEnd,
    to: PortEnd,
    lane: Option<u32>,
    tx_dbm: f64,
    rx_dbm: f64,
    measured_db: f64,
    expected_db: f64,
    excess_db: f64,
    /// Present (true) when the rx end reads its no-light floor: the loss is at least
    /// `measured_db`.
    rx_no_light: Option<bool>,
}
