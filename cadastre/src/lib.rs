//! The fibre cadastre: every site, route, cable and strand, with its owner, as GeoJSON. Sync,
//! no tokio, no HTTP, no SNMP. Import/export (GeoJSON, OFDS, CSV), CRS conversion (Lambert
//! 72/2008 → WGS84), validation that reports every problem with the layer, feature index, id
//! and field, geodesic lengths, a spatial index, and edits with history.
//!
//! Layout:
//! - [`model`]: the layers and their features.
pub mod model;

pub use model::*;
