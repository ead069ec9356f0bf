//! Geometry on the cadastre: geodesic route lengths, length per owner, and a spatial index for
//! "what lies within X m of this point", "what lies inside this polygon" and "the nearest site
//! or route" (coordinates are WGS84 lon/lat; lengths and distances are metres).
//!
//! Lengths are geodesic on the WGS84 ellipsoid (geographiclib through `geo::Geodesic`). The
//! index works in a local metric frame and answers with distances within 0.25 mm of the
//! geodesic up to 5 km, 2.5 cm across the whole region ([`local`] says how).

use std::collections::BTreeMap;

use geo::{Geodesic, Length};
use geojson::{GeometryValue, Position};

use crate::model::{Cadastre, Route};

mod index;
pub mod local;

pub use index::{Hit, SpatialIndex};

#[cfg(test)]
pub(crate) mod tests;

/// A GeoJSON geometry as geo's, every position checked first: the geojson crate reads a
/// position of fewer than two numbers (`[]`, `[4.3]`) anywhere but as a Point's coordinates,
/// and its conversion to geo then panics on it (index out of bounds; georust/geojson#224). Found by the
/// `wifi_targets` fuzz target; the areas of `cut` took the same path.
pub fn from_geojson(g: &GeometryValue) -> Result<geo::Geometry<f64>, String> {
    if let Some(n) = short_position(g) {
        return Err(format!("a position needs two numbers, found {n}"));
    }
    geo::Geometry::try_from(g).map_err(|e| e.to_string())
}

/// The length of the first position with fewer than two numbers, if any.
fn short_position(g: &GeometryValue) -> Option<usize> {
    let short = |p: &Position| (p.as_slice().len() < 2).then_some(p.as_slice().len());
    let in_line = |line: &[Position]| line.iter().find_map(short);
    match g {
        GeometryValue::Point { coordinates } => short(coordinates),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            in_line(coordinates)
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().find_map(|l| in_line(l))
        }
        GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().flatten().find_map(|l| in_line(l))
        }
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().find_map(|g| short_position(&g.value))
        }
    }
}

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
