//! The fibre cadastre: every site, route, cable and strand, with its owner, as GeoJSON. Sync,
//! no tokio, no HTTP, no SNMP. Import/export (GeoJSON, OFDS, CSV), CRS conversion (Lambert
//! 72/2008 → WGS84), validation that reports every problem with the layer, feature index, id
//! and field, geodesic lengths, a spatial index, and edits with history.
//!
//! Layout:
//! - [`model`]: the layers and their features.
//! - [`problem`]: problems naming layer, index, id and field; the [`Report`].
//! - [`error`]: the error types, [`CadastreError`]; a store failure carries a [`StoreError`]
//!   (the SQLite step, version, layer and id, with its source).
//! - [`crs`]: Lambert 72 (EPSG:31370) and Lambert 2008 (EPSG:3812) ↔ WGS84.
//! - [`geojson_io`]: the native format, one RFC 7946 FeatureCollection per layer.
//! - `json`: the JSON readers' shared rule (a struct is read from an object only).
//! - [`limits`]: the limits of a read (file size, features per layer, vertices per geometry).
//! - [`validate`]: every rule, every problem at once.
//! - [`geometry`]: geodesic lengths, length per owner, the spatial index, nearest queries.
//! - [`network`]: the cadastre as a `topology` graph (sites, routes with their strands).
//! - [`works`]: the worksites as dig-once and cuts see them: footprints of any geometry, the
//!   natures that open the street, how long it stays open.
//! - [`answer`]: the answers of `cut` (areas, worksites → routes) and `dig-once` as the CLI
//!   and the HTTP API both build them.
//! - [`stats`]: km and strands per owner.
//! - [`ofds`]: Open Fibre Data Standard packages and GeoJSON, both ways.
//! - [`csv`]: CSV export of every layer.
//! - [`export`]: the files of an export (GeoJSON, OFDS, CSV), in memory.
//! - [`demo`]: the generated Brussels-scale demo network.
//! - [`wifi`]: the hotspots' verdicts (underused, faulty, ...) from their daily usage, and the
//!   relocation plan of the underused ones.
//! - [`versions`]: the history and one change's diff, as the CLI and the API answer them.
//! - [`writes`]: a change set, an undo, an import, validated as the CLI and the API both run
//!   them; a refused change set's problems in the API's shape.
//! - [`store`]: the data directory: edits with history, versions, undo. Inside, `db` (the
//!   features table) knows nothing of `history` (the history tables, their types and the
//!   schema migration); `history` imports `db`.

pub mod answer;
pub mod crs;
pub mod csv;
pub mod demo;
pub mod error;
pub mod export;
pub mod geojson_io;
pub mod geometry;
mod json;
pub mod limits;
pub mod model;
pub mod network;
pub mod ofds;
pub mod problem;
pub mod stats;
pub mod store;
pub mod validate;
pub mod versions;
pub mod wifi;
pub mod works;
pub mod writes;

pub use error::{CadastreError, StoreError};
pub use model::*;
pub use problem::{Positions, Problem, Report, Severity};
