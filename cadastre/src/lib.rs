//! The fibre cadastre: every site, route, cable and strand, with its owner, as GeoJSON (the
//! cadastre issue). Sync, no tokio, no HTTP, no SNMP. It will own import/export (GeoJSON, OFDS,
//! CSV), CRS conversion (Lambert 72/2008 → WGS84), validation that reports every problem with
//! the layer, feature index and field, geodesic lengths, a spatial index and edits with history.
//!
//! Layout (grows with the cadastre issue):
//! - [`Owner`]: an owner of routes, cables and allocations in the pooled network.

use serde::{Deserialize, Serialize};

/// An owner in the pooled network (the regional IT body, the energy distributor, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub name: String,
}
