//! The wifi hotspots' fate: which are used, which are broken, which are underused and may move
//! to the places the region wants to reach. Pure functions over daily usage figures (from the
//! store's daily rollup or from a captive-portal CSV) and the cadastre's `hotspots` and
//! `targets` layers; the store and the surfaces (CLI, API) live elsewhere.
//!
//! Layout:
//! - [`verdict`]: per hotspot over a window of whole days: `insufficient_data`, `faulty`,
//!   `underused` or `ok`, with the figures and the rule that decided it.
//! - [`usage_csv`]: daily usage from a captive portal's CSV (the contract's columns).
//! - [`plan`]: the relocation plan: the underused hotspots moved to the uncovered target places
//!   near the fibre that cover the most weight (an exact maximal covering solve), each
//!   hotspot to its place by least total distance; target places from points or districts.

pub mod plan;
pub mod usage_csv;
pub mod verdict;

pub use plan::{
    plan, targets_from_geojson, to_csv, to_geojson, FibreVia, Move, Plan, PlanCriteria, PlanParams,
};

pub use verdict::{verdicts, Criteria, DailyUsage, HotspotVerdict, Verdict, MIN_DAY_COVERAGE};
