//! Geometry on the cadastre: geodesic route lengths, length per owner, and a spatial index for
//! "what lies within X m of this point", "what lies inside this polygon" and "the nearest site
//! or route" (coordinates are WGS84 lon/lat; lengths and distances are metres).
//!
//! Lengths are geodesic on the WGS84 ellipsoid (geographiclib through `geo::Geodesic`). The
//! index works in a local metric frame and answers with distances within 0.25 mm of the
//! geodesic up to 5 km, 2.5 cm across the whole region ([`local`] says how).

use std::collections::BTreeMap;

use geo::{Geodesic, Length};

use crate::model::{Cadastre, Route};

mod index;
pub mod local;

pub use index::{Hit, SpatialIndex};

#[cfg(test)]
pub(crate) mod tests;

/// The route's geodesic length in metres (the sum of its parts).
pub fn route_length_m(r: &Route) -> f64 {
    r.geometry.0.iter().map(|line| Geodesic.length(line)).sum()
}

/// Metres of route per owner id: every registered owner (0 when it owns none), and any owner a
/// route names even if unregistered (validation reports those).
pub fn length_by_owner(cad: &Cadastre) -> BTreeMap<String, f64> {
    let mut by_owner: BTreeMap<String, f64> =
        cad.owners.iter().map(|o| (o.id.clone(), 0.0)).collect();
    for r in &cad.routes {
        *by_owner.entry(r.owner.clone()).or_insert(0.0) += route_length_m(r);
    }
    by_owner
}
