//! The schemas of answer parts whose Rust types live in other crates (`collector`, `cadastre`,
//! `topology`, `geojson`), which know nothing of OpenAPI. Each mirrors the serde form of the
//! type it names; a field's `#[schema(value_type = foreign::X)]` points at it. They are never
//! built: they only describe. The role × route matrix (`tests_matrix.rs`) checks every answer
//! of the test store and cadastre against the document, so a mirror that drifts from its type
//! fails there.

// Schema-only types: never constructed, their fields never read.
#![allow(dead_code)]

use std::collections::BTreeMap;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

mod graph;
mod wifi;

pub use graph::*;
pub use wifi::*;

/// One LLDP neighbour (`collector::sample::LldpNeighbour`): the `lldp[]` item of
/// `irisops poll --format json`.
#[derive(ToSchema)]
pub struct LldpNeighbour {
    /// The local port, as our port key (ifName, ...), or the LLDP port id when it maps to none.
    local_port: String,
    remote_chassis_id: Option<String>,
    remote_system_name: Option<String>,
    remote_port_id: Option<String>,
    remote_port_descr: Option<String>,
}

/// Which way the light goes through a transceiver (`collector::sample::OpticDirection`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum OpticDirection {
    Rx,
    Tx,
}

/// One alert (`collector::store::AlertRow`): from the moment its series turned pending,
/// through firing, to resolved, with who acknowledged it.
#[derive(ToSchema)]
pub struct Alert {
    id: i64,
    /// The rule's name (the notifications' `alertname`).
    rule: String,
    /// Of the rule and the series, stable across restarts (the notifications' `fingerprint`).
    fingerprint: String,
    /// `pending`, `firing` or `resolved`.
    state: String,
    /// `critical`, `warning` or `info`.
    severity: String,
    metric: String,
    /// `alertname`, `severity`, `metric`, `device`, and by series `port`, `lane`, `ap`,
    /// `hotspot`: the notifications' labels.
    labels: BTreeMap<String, String>,
    /// `summary`, `value`, `threshold`, `alias`: the notifications' annotations.
    annotations: BTreeMap<String, String>,
    /// The value at the last change.
    value: Option<f64>,
    /// When the condition started to hold, ms since the epoch.
    pending_ms: i64,
    fired_ms: Option<i64>,
    resolved_ms: Option<i64>,
    /// The name of the API token that acknowledged it.
    acked_by: Option<String>,
    ack_comment: Option<String>,
    acked_ms: Option<i64>,
}

/// One access point (`collector::sample::ApStatus`).
#[derive(ToSchema)]
pub struct ApStatus {
    name: String,
    /// `aa:bb:cc:dd:ee:ff`, when known.
    mac: Option<String>,
    /// `up`, `down` or `unknown`.
    status: String,
    /// Associated clients; null when the device does not say.
    clients: Option<u64>,
}

/// The cadastre in figures and the version they describe (`cadastre::stats::VersionedStats`,
/// what `irisops cadastre stats --json` prints).
#[derive(ToSchema)]
pub struct CadastreStats {
    /// Geodesic length of every route, km.
    routes_km: f64,
    n_sites: u64,
    n_routes: u64,
    n_cables: u64,
    n_allocations: u64,
    n_hotspots: u64,
    /// Every registered owner, and any owner a route or cable names, by owner id.
    by_owner: BTreeMap<String, OwnerStats>,
    /// Spare capacity per route owner and in total.
    spare: Spare,
    /// The cadastre version these figures describe.
    version: u64,
}

/// One owner's share (`cadastre::stats::OwnerStats`).
#[derive(ToSchema)]
pub struct OwnerStats {
    /// Route (trench/duct) km it owns.
    km: f64,
    /// Km of fibre cable it owns.
    cables_km: f64,
    /// Strands in its cables.
    strands_total: u64,
    /// Distinct strands allocated on its cables.
    strands_used: u64,
    /// Σ strands × cable km.
    strand_km_total: f64,
    /// Σ used strands × cable km.
    strand_km_used: f64,
}

/// Spare capacity per route owner and in total (`cadastre::stats::Spare`).
#[derive(ToSchema)]
pub struct Spare {
    by_owner: BTreeMap<String, OwnerSpare>,
    total: OwnerSpare,
}

/// Spare summed over several links: one owner's, or the whole network's
/// (`topology::OwnerSpare`).
#[derive(ToSchema)]
pub struct OwnerSpare {
    /// Number of links (routes).
    routes: u64,
    /// Route km.
    km: f64,
    /// Strands in all the cables.
    fibre_count: u64,
    /// Strands in use.
    allocated_strands: u64,
    /// Unused strands.
    dark_strands: u64,
    /// Σ dark strands × km.
    dark_strand_km: f64,
    /// Empty ducts.
    free_ducts: u64,
    /// Σ free ducts × km.
    free_duct_km: f64,
    /// Links with at least one lit port mapped onto them.
    lit_routes: u64,
    /// Σ lit headroom of those links, bit/s.
    lit_headroom_bps: f64,
}

/// An RFC 7946 FeatureCollection (`geojson::FeatureCollection`).
#[derive(ToSchema)]
pub struct FeatureCollection {
    #[schema(rename = "type")]
    kind: FeatureCollectionKind,
    features: Vec<Feature>,
    bbox: Option<Vec<f64>>,
}

#[derive(ToSchema)]
enum FeatureCollectionKind {
    FeatureCollection,
}

/// An RFC 7946 Feature; a cadastre feature's fields are its `properties`.
#[derive(ToSchema)]
pub struct Feature {
    #[schema(rename = "type")]
    kind: FeatureKind,
    /// A GeoJSON geometry (`type`, `coordinates`), or null.
    #[schema(value_type = Option<Object>)]
    geometry: (),
    #[schema(value_type = Option<Object>)]
    properties: (),
    /// A string or a number.
    #[schema(value_type = Option<Value>)]
    id: (),
    bbox: Option<Vec<f64>>,
}

#[derive(ToSchema)]
enum FeatureKind {
    Feature,
}

/// A cadastre layer's name: one of `cadastre::model::LAYERS`.
pub struct LayerName;

impl utoipa::PartialSchema for LayerName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(cadastre::model::LAYERS.iter().map(|l| l.as_str())))
            .description(Some("a cadastre layer"))
            .into()
    }
}

impl ToSchema for LayerName {}

/// A zip file: the export's answer, an import's body.
pub struct Zip;

impl utoipa::PartialSchema for Zip {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/zip")
            .description(Some("a zip file"))
            .into()
    }
}

impl ToSchema for Zip {}

/// An Excel workbook (`.xlsx`): the spare report's `format=xlsx`.
pub struct Xlsx;

impl utoipa::PartialSchema for Xlsx {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type(crate::questions::table::XLSX)
            .description(Some("an xlsx workbook"))
            .into()
    }
}

impl ToSchema for Xlsx {}

/// A wavelength, nm (`topology::Wavelength`): 1310 (O band) or 1550 (C band).
pub struct Wavelength;

impl utoipa::PartialSchema for Wavelength {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .enum_values(Some([1310, 1550]))
            .default(Some(1310.into()))
            .description(Some("a wavelength, nm"))
            .into()
    }
}

impl ToSchema for Wavelength {}

/// The answer of `GET /api/v1/topology/dig-once` (`cadastre::answer::DigOnceAnswer`).
#[derive(ToSchema)]
pub struct DigOnceAnswer {
    candidates: Vec<DigOnce>,
    /// The wishes looked at (the single-homed sites' and the asked ones).
    n_wishes: usize,
    /// Every worksite of the cadastre.
    n_worksites: usize,
    /// The worksites considered: of the natures asked for, still open on `from`.
    n_considered: usize,
    /// Left out: ended before `from`.
    n_ended: usize,
    /// Left out: a nature that does not open the street (or was not asked for).
    n_other_nature: usize,
    /// The day asked about.
    #[schema(format = Date)]
    from: String,
    /// The natures considered, normalised (`["all"]`: every one).
    natures: Vec<String>,
    /// Σ `saved_m` of the candidates.
    saved_m_total: f64,
}

/// A planned worksite along which a wished route could be laid while the street is open
/// (`cadastre::network::DigOnce`).
#[derive(ToSchema)]
pub struct DigOnce {
    worksite: String,
    worksite_name: String,
    /// The work's nature.
    nature: String,
    organisation: String,
    start: String,
    /// The last day the street is open (an open-ended work's placeholder, e.g. 3000-01-01).
    end: String,
    /// Days the street stays open from the later of its start and `from`, both counted;
    /// null when open-ended.
    open_days: Option<i64>,
    /// The work has no real end (an end in the year 2999 or later).
    open_ended: bool,
    /// The wish's sites.
    site: String,
    to_site: String,
    reason: DigOnceReason,
    /// Straight-line length of the new route, km.
    new_route_km: f64,
    /// Metres of it inside the worksite's footprint: trench not dug separately.
    saved_m: f64,
}

/// Why a route is wished (`cadastre::network::Wish::reason`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DigOnceReason {
    SingleHomed,
    WishList,
}

/// One problem of a refused change set or import (`cadastre::store::ChangeProblem`): the
/// `problems[]` item of a 422.
#[derive(ToSchema)]
pub struct ChangeProblem {
    /// `error` or `warning`.
    severity: String,
    /// The position in `changes` of the change the problem is about.
    change: Option<usize>,
    /// The layer's name (`sites`, `routes`, ...).
    layer: Option<String>,
    /// The feature's position in its layer once edited.
    index: Option<usize>,
    id: Option<String>,
    /// The field at fault (never empty).
    field: String,
    message: String,
}

/// The changes, newest first (`cadastre::versions::History`, what `irisops cadastre history
/// --json` prints).
#[derive(ToSchema)]
pub struct History {
    changes: Vec<HistoryEntry>,
}

/// One change of the history (`cadastre::versions::HistoryEntry`): who, when, why, and how
/// many features it added, changed and deleted.
#[derive(ToSchema)]
pub struct HistoryEntry {
    /// The version the change made.
    version: u64,
    time_ms: i64,
    /// `time_ms` as RFC 3339, UTC, to the second.
    time: String,
    /// The token's name (an API write) or the CLI's `--author`.
    author: String,
    reason: String,
    n_added: u64,
    n_changed: u64,
    n_deleted: u64,
}

/// One change: its history entry and each feature it touched, before and after
/// (`cadastre::versions::ChangeDiff`).
#[derive(ToSchema)]
pub struct ChangeDiff {
    #[serde(flatten)]
    change: HistoryEntry,
    /// In the order the change wrote them.
    features: Vec<FeatureDiff>,
}

/// What a change did to one feature (`cadastre::versions::DiffOp`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DiffOp {
    Added,
    Changed,
    Deleted,
}

/// One feature a change touched (`cadastre::versions::FeatureDiff`): GeoJSON Features as
/// stored (a cable's geometry is null here) before (null: added) and after (null: deleted).
#[derive(ToSchema)]
pub struct FeatureDiff {
    #[schema(inline)]
    layer: LayerName,
    id: String,
    op: DiffOp,
    before: Option<Feature>,
    after: Option<Feature>,
}

/// The body of `POST /api/v1/cadastre/changes`: the change set of `irisops cadastre edit`
/// with its reason (`cadastre::store::read_change_request`). No `author`: the author recorded
/// is the token's name.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// Why (recorded in the history; required, not blank).
    reason: String,
    /// Applied in order, as one change.
    changes: Vec<Change>,
}

/// One edit of a change set.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    op: ChangeOp,
    #[schema(inline)]
    layer: LayerName,
    /// The feature as in the layer's file (WGS84): `add` and `change` need one.
    feature: Option<Feature>,
    /// The feature's id: `delete` needs one.
    id: Option<String>,
}

/// What an edit does.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ChangeOp {
    Add,
    Change,
    Delete,
}

/// The formats of the export (`cadastre::export::Format`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ExportFormat {
    Geojson,
    Ofds,
    Csv,
}

/// The formats an import reads: the layer files `cadastre export --to geojson` writes, or an
/// OFDS package (or its nodes and spans).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ImportFormat {
    Geojson,
    Ofds,
}
