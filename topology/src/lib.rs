//! The fibre network as a graph: the shared vocabulary of irisops. Pure: no IO, no clock, no
//! async, no other workspace crate. `cadastre` data reaches it as plain [`SiteSpec`] and
//! [`LinkSpec`] values (the api converts them); everything public speaks site ids and link
//! (route) ids, petgraph indices never leave the crate.
//!
//! Layout:
//! - [`network`]: the input specs [`SiteSpec`], [`LinkSpec`] and [`AllocationSpec`];
//!   [`Network::build`] with its [`BuildWarning`]s (skipped links, dangling sites, islands),
//!   [`Link`] with its spare strands, link diversity. It imports no analysis module.
//! - [`paths`]: [`Constraints`], [`Path`], [`Network::shortest_path`] (Dijkstra by length);
//!   [`paths::diverse`]: [`Network::diverse_paths`] (Suurballe/Bhandari min-cost flow, then an
//!   exact SRLG-diverse search, then the maximally diverse answer with its [`SharedRisk`]s).
//! - [`loss`]: [`LossModel`] (dB per km at 1310/1550 nm, splices, connectors) and
//!   [`TransceiverBudget`] verdicts.
//! - [`spof`]: [`Network::spof`] (bridges and articulation points, iterative Tarjan on the
//!   multigraph) and [`Network::srlg_bridges`].
//! - [`spare`]: [`Network::spare`] and [`Network::spare_with`] (dark strands, free ducts and
//!   lit headroom per link, per owner and in total).
//! - [`cut`]: allocations set with [`Network::set_allocations`], and [`Network::cut`]:
//!   the sites a cut isolates from the core, the allocations it breaks and their reroutes.
//! - [`mod@quote`]: a [`Tariff`] and [`quote()`], the monthly price of fibre pairs along a
//!   [`Path`] and each route owner's share of it.
//! - [`answer`]: the answers of paths, quote, spof and cut as the CLI's `--json` and the HTTP
//!   API both serialise them ([`answer::PathsAnswer`], ...), figures rounded once.
//! - [`text`]: a tiny text form (`"A-B 10km srlg=t1; B-C 5km"`) for tests and examples.
//! - [`error`]: the crate's one error type, [`TopologyError`].
//!
//! ```
//! use topology::{text, Constraints, Network};
//!
//! let (sites, links) = text::parse("A-B 1km srlg=t1; B-Z 1km; A-C 1km srlg=t1; C-Z 1km; A-Z 9km")?;
//! let (net, warnings) = Network::build(&sites, &links);
//! assert!(warnings.is_empty());
//! let d = net.diverse_paths("A", "Z", 2, &Constraints::default())?;
//! assert!(d.fully_diverse);
//! assert_eq!(d.paths[0].routes, ["A-B", "B-Z"]);
//! assert_eq!(d.paths[1].routes, ["A-Z"]);
//! assert!(net.spof().bridges.is_empty());
//! # Ok::<(), topology::TopologyError>(())
//! ```

pub mod answer;
pub mod cut;
pub mod drift;
pub mod error;
pub mod loss;
pub mod network;
pub mod paths;
pub mod quote;
pub mod spare;
pub mod spof;
pub mod text;

pub use cut::{AllocationWarning, CutReport, CutSpec, Reroute};
pub use drift::{
    Circuit, Direction, DriftOptions, DriftReport, ExpectedLoss, LiveLink, LossExcess, Neighbour,
    Observed, OpticLevel, PortEnd, Unconfirmed, WrongPort, WrongPortKind,
};
pub use error::TopologyError;
pub use loss::{Loss, LossModel, TransceiverBudget, Verdict, Wavelength};
pub use network::{AllocationSpec, BuildWarning, Island, Link, LinkSpec, Network, SiteSpec};
pub use paths::diverse::{Diverse, RiskKind, SharedRisk};
pub use paths::{Constraints, Path};
pub use quote::{quote, Quote, Tariff};
pub use spare::{LinkSpare, LitPort, OwnerSpare, SpareReport};
pub use spof::Spof;
