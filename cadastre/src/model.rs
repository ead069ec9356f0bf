//! The cadastre's data model, aligned with the Open Fibre Data Standard (OFDS: nodes and spans)
//! and extended where operations need it. Coordinates are WGS84 longitude/latitude (RFC 7946);
//! other CRSs are converted on import (`crs`).
//!
//! Layers and their GeoJSON geometry:
//! - `owners` (none), `sites` (Point), `routes` (LineString/MultiLineString), `cables` (none on
//!   import; the union of their routes on export), `allocations` (none), `hotspots` (Point, the
//!   site's), `targets` (Point), `worksites` (any geometry: Point, MultiPoint, LineString,
//!   MultiLineString, Polygon, MultiPolygon, GeometryCollection; no empty part).
//!
//! Every route, cable and allocation names an owner from the `owners` registry.
//!
//! The structs' serde form is a feature's GeoJSON `properties` (geometry is skipped there and
//! carried by the feature's `geometry`); `id` is both a property and the feature id.

use geo::{Geometry, MultiLineString, Point};
use serde::{Deserialize, Serialize};

/// The layers, in dependency order (an owner before what it owns, a route before its cables).
pub const LAYERS: [Layer; 8] = [
    Layer::Owners,
    Layer::Sites,
    Layer::Routes,
    Layer::Cables,
    Layer::Allocations,
    Layer::Hotspots,
    Layer::Targets,
    Layer::Worksites,
];

/// A layer of the cadastre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Owners,
    Sites,
    Routes,
    Cables,
    Allocations,
    Hotspots,
    Targets,
    Worksites,
}

impl Layer {
    /// The layer's name in files, messages and the CLI (`sites`, `routes`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Owners => "owners",
            Layer::Sites => "sites",
            Layer::Routes => "routes",
            Layer::Cables => "cables",
            Layer::Allocations => "allocations",
            Layer::Hotspots => "hotspots",
            Layer::Targets => "targets",
            Layer::Worksites => "worksites",
        }
    }

    /// The layer named `name`.
    pub fn parse(name: &str) -> Option<Layer> {
        LAYERS.into_iter().find(|l| l.as_str() == name)
    }
}

/// An owner in the pooled network (the regional IT body, the energy distributor, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub name: String,
    /// Share of lease revenue paid back to the owners, when this owner operates the pooled
    /// network (topology's revenue split); free-form notes otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A place: PoP, administration, school, hospital, hotspot location, cabinet, manhole, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// `pop`, `administration`, `school`, `hospital`, `hotspot`, `cabinet`, `manhole`,
    /// `datacentre`, `other` (free text is kept; validation warns on unknown kinds).
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    /// `planned`, `in_service`, `decommissioned` (OFDS phase/status).
    #[serde(default = "in_service")]
    pub status: String,
    /// WGS84 lon/lat.
    #[serde(skip)]
    pub location: Point<f64>,
}

/// A trench or duct path between two sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub from_site: String,
    pub to_site: String,
    pub owner: String,
    /// `underground`, `aerial`, `in_building`.
    pub deployment: String,
    /// Ducts in the trench, and how many are free.
    #[serde(default)]
    pub ducts_total: u32,
    #[serde(default)]
    pub ducts_free: u32,
    #[serde(default = "in_service")]
    pub status: String,
    /// The length the owner declares, metres (checked against the geodesic length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_length_m: Option<f64>,
    /// Shared-risk groups the owner declares (a bridge crossing, a tunnel, a duct bank shared
    /// with another route): merged with the shared trenches found in the geometry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub srlgs: Vec<String>,
    /// WGS84; a LineString is a one-part MultiLineString.
    #[serde(skip, default = "empty_lines")]
    pub geometry: MultiLineString<f64>,
}

/// A cable laid along one or more routes, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cable {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Route ids, from the cable's first end to its last.
    pub routes: Vec<String>,
    pub fibre_count: u32,
    /// e.g. `G.652.D`, `G.657.A1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fibre_type: Option<String>,
    pub owner: String,
    #[serde(default = "in_service")]
    pub status: String,
}

/// What an allocation of strands is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// A circuit of the region's own network (lit by its devices).
    Internal,
    /// Leased to an operator (dark fibre).
    Lease,
    /// Held back for a future use.
    Reserved,
}

/// A device port at one end of a lit internal circuit: how measured traffic and optical levels
/// attach to the fibre they run on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortRef {
    pub device: String,
    pub port: String,
}

/// Which strands of a cable are used, by whom, from which site to which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub id: String,
    pub cable: String,
    /// Strand numbers, 1-based (a pair is two strands).
    pub strands: Vec<u32>,
    #[serde(rename = "use")]
    pub use_: Use,
    /// Who uses it: the circuit's name, or the operator leasing it.
    pub party: String,
    pub owner: String,
    pub from_site: String,
    pub to_site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_end: Option<PortRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_end: Option<PortRef>,
}

/// A wifi hotspot: a site and the access points (device names) that serve it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    pub id: String,
    pub name: String,
    pub site: String,
    pub access_points: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A place frequented by a target public (social housing, community centre, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetPlace {
    pub id: String,
    pub name: String,
    /// `social_housing`, `community_centre`, `library`, `youth_centre`, ...
    pub kind: String,
    /// Relative importance (> 0).
    pub weight: f64,
    #[serde(skip)]
    pub location: Point<f64>,
}

/// Planned roadworks: where ducts could be laid opportunistically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worksite {
    pub id: String,
    pub name: String,
    /// e.g. `resurfacing`, `water_main`, `tramway`; the region's feed also lists events held
    /// in the street (`market`, `parade`): dig-once considers only works that open it
    /// ([`crate::works::STREET_NATURES`]).
    pub nature: String,
    pub organisation: String,
    /// ISO 8601 dates; an open-ended work ends in the year 3000 (any end in 2999 or later).
    pub start: String,
    pub end: String,
    /// The footprint: any geometry (points and lines are widened by a buffer where a footprint
    /// is needed, [`crate::works::footprint`]).
    #[serde(skip, default = "empty_geometry")]
    pub geometry: Geometry<f64>,
}

fn in_service() -> String {
    "in_service".to_string()
}

fn empty_lines() -> MultiLineString<f64> {
    MultiLineString::new(vec![])
}

fn empty_geometry() -> Geometry<f64> {
    Geometry::Point(Point::new(0.0, 0.0))
}

/// The whole cadastre: one vector per layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cadastre {
    pub owners: Vec<Owner>,
    pub sites: Vec<Site>,
    pub routes: Vec<Route>,
    pub cables: Vec<Cable>,
    pub allocations: Vec<Allocation>,
    pub hotspots: Vec<Hotspot>,
    pub targets: Vec<TargetPlace>,
    pub worksites: Vec<Worksite>,
}

impl Cadastre {
    /// Number of features in `layer`.
    pub fn len(&self, layer: Layer) -> usize {
        match layer {
            Layer::Owners => self.owners.len(),
            Layer::Sites => self.sites.len(),
            Layer::Routes => self.routes.len(),
            Layer::Cables => self.cables.len(),
            Layer::Allocations => self.allocations.len(),
            Layer::Hotspots => self.hotspots.len(),
            Layer::Targets => self.targets.len(),
            Layer::Worksites => self.worksites.len(),
        }
    }

    /// Total number of features.
    pub fn n_features(&self) -> usize {
        LAYERS.iter().map(|&l| self.len(l)).sum()
    }

    /// True when every layer is empty.
    pub fn is_empty(&self) -> bool {
        self.n_features() == 0
    }
}
