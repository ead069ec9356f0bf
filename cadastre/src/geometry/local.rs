//! Local metric frames for city-scale distances on the WGS84 ellipsoid, and the fast distances
//! the spatial index ranks with.
//!
//! A frame maps lon/lat to metres east/north of an origin with the ellipsoid's radii of
//! curvature at one latitude (an equirectangular projection: longitude scaled by
//! N·cos φ, latitude by M). It is affine in lon/lat, so a straight GeoJSON segment stays a
//! straight segment. Its scale is exact on the origin's parallel and off by tan φ·Δφ elsewhere
//! (0.17% 9 km north or south of it at 50.8°N): good for ranking, not for answers. Answers use
//! [`distance_m`], the same formula at the two points' mean latitude, and
//! [`segment_distance_m`] for a point and a segment. Against the geodesic (geographiclib,
//! `geo::Geodesic`) over the Brussels region, measured on a grid of pairs: < 0.1 mm up to 2 km,
//! 0.25 mm up to 5 km, 2 mm up to 10 km, 2.5 cm at the region's full 20 km (the error grows as
//! the cube of the distance; tested).

use geo::Coord;

/// WGS84 semi-major axis (m) and first eccentricity squared.
const A: f64 = 6_378_137.0;
const E2: f64 = 0.006_694_379_990_141_317;

/// Metres per degree of longitude and of latitude at latitude `lat` (degrees).
pub(crate) fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let w2 = 1.0 - E2 * phi.sin().powi(2);
    let n = A / w2.sqrt();
    let m = A * (1.0 - E2) / (w2 * w2.sqrt());
    let rad = std::f64::consts::PI / 180.0;
    (n * phi.cos() * rad, m * rad)
}

/// The distance in metres between two lon/lat points a few kilometres apart (mean-latitude
/// flat-earth on the ellipsoid; within 0.25 mm of the geodesic up to 5 km, 2.5 cm at 20 km).
pub fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (kx, ky) = metres_per_degree((a.y + b.y) / 2.0);
    ((b.x - a.x) * kx).hypot((b.y - a.y) * ky)
}

/// The distance in metres from `p` to the segment `a`-`b` (straight in lon/lat, as GeoJSON
/// draws it). The closest point is found in a frame centred on `p`; the distance to it is then
/// [`distance_m`] (an error in where the closest point lies only changes the distance to
/// second order).
pub fn segment_distance_m(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (kx, ky) = metres_per_degree(p.y);
    let (ax, ay) = ((a.x - p.x) * kx, (a.y - p.y) * ky);
    let (dx, dy) = ((b.x - a.x) * kx, (b.y - a.y) * ky);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    distance_m(p, a + (b - a) * t)
}

/// A local metric frame: metres east and north of `origin`, scaled at the origin's latitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frame {
    origin: Coord<f64>,
    kx: f64,
    ky: f64,
}

impl Frame {
    pub(crate) fn new(origin: Coord<f64>) -> Frame {
        let (kx, ky) = metres_per_degree(origin.y);
        Frame { origin, kx, ky }
    }

    /// lon/lat → frame metres.
    pub(crate) fn to_local(self, c: Coord<f64>) -> [f64; 2] {
        [
            (c.x - self.origin.x) * self.kx,
            (c.y - self.origin.y) * self.ky,
        ]
    }

    /// Frame metres → lon/lat (exact inverse of [`Frame::to_local`]).
    pub(crate) fn to_lonlat(self, p: [f64; 2]) -> Coord<f64> {
        Coord {
            x: self.origin.x + p[0] / self.kx,
            y: self.origin.y + p[1] / self.ky,
        }
    }

    /// How far the frame's scale can be from the true one between latitudes `lat_a` and
    /// `lat_b` (a relative error, with a margin): true distances lie within
    /// `frame distance × (1 ± distortion)` for paths in that band.
    pub(crate) fn distortion(self, lat_a: f64, lat_b: f64) -> f64 {
        let worst = [lat_a, lat_b]
            .into_iter()
            .map(|lat| {
                let (kx, ky) = metres_per_degree(lat);
                (kx / self.kx - 1.0).abs().max((ky / self.ky - 1.0).abs())
            })
            .fold(0.0, f64::max);
        // The scales are monotonic in latitude, so the band's ends bound it; the margin
        // covers the small bulge of a geodesic off its band and rounding.
        worst * 1.01 + 1e-6
    }
}

#[cfg(test)]
mod tests {
    use geo::{Distance, Geodesic, Point};
    use proptest::prelude::*;

    use super::*;

    fn brussels() -> impl Strategy<Value = Coord<f64>> {
        (4.24f64..4.48, 50.76f64..50.92).prop_map(|(x, y)| Coord { x, y })
    }

    proptest! {
        #[test]
        fn distance_matches_the_geodesic(a in brussels(), b in brussels()) {
            let geodesic = Geodesic.distance(Point::from(a), Point::from(b));
            let err = (distance_m(a, b) - geodesic).abs();
            prop_assert!(err < 0.03, "{err} m at {geodesic} m");
            prop_assert!(geodesic > 5000.0 || err < 0.0003, "{err} m at {geodesic} m");
        }

        #[test]
        fn frame_round_trips(c in brussels()) {
            let f = Frame::new(Coord { x: 4.36, y: 50.84 });
            let back = f.to_lonlat(f.to_local(c));
            prop_assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
        }

        #[test]
        fn frame_distances_stay_within_the_distortion(a in brussels(), b in brussels()) {
            let f = Frame::new(Coord { x: 4.36, y: 50.84 });
            let (la, lb) = (f.to_local(a), f.to_local(b));
            let framed = (la[0] - lb[0]).hypot(la[1] - lb[1]);
            let eps = f.distortion(50.76, 50.92);
            let d = distance_m(a, b);
            prop_assert!(d <= framed * (1.0 + eps) + 1e-9 && d >= framed / (1.0 + eps) - 1e-9);
        }
    }

    #[test]
    fn segment_distance_is_perpendicular_or_to_an_end() {
        let a = Coord { x: 4.35, y: 50.85 };
        let b = Coord { x: 4.37, y: 50.85 };
        let p = Coord { x: 4.36, y: 50.851 };
        let geodesic = Geodesic.distance(Point::from(p), Point::new(4.36, 50.85));
        assert!((segment_distance_m(p, a, b) - geodesic).abs() < 0.01);
        let beyond = Coord { x: 4.38, y: 50.85 };
        let to_end = Geodesic.distance(Point::from(beyond), Point::from(b));
        assert!((segment_distance_m(beyond, a, b) - to_end).abs() < 0.01);
        assert!((segment_distance_m(p, a, a) - distance_m(p, a)).abs() < 1e-9);
    }
}
