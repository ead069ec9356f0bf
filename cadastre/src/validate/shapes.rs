//! Geometry rules: degenerate or self-crossing routes, coordinates outside the area, route ends
//! away from their sites, declared lengths far from the geodesic length. Distances and lengths
//! are geodesic (`geo::Geodesic`, metres).

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{
    coord, Coord, CoordsIter, Distance, Geodesic, Geometry, Length, Line, LineString, Point, Rect,
};

use super::{At, Index, ValidateOptions};
use crate::model::Route;
use crate::problem::Report;

/// Every rule on a route's geometry; a degenerate route is reported once and not measured.
pub(super) fn route(
    at: &At<'_>,
    r: &Route,
    ix: &Index<'_>,
    opts: &ValidateOptions,
    report: &mut Report,
) {
    if let Some(message) = degenerate(r) {
        return report.push(at.error("geometry", message));
    }
    for part in &r.geometry.0 {
        if let Some(c) = crossing(part) {
            let message = format!("route crosses itself at {}", show(c));
            report.push(at.error("geometry", message));
            break;
        }
    }
    inside(
        at,
        r.geometry.0.iter().flat_map(|l| l.0.iter().copied()),
        opts,
        report,
    );
    ends(at, r, ix, opts, report);
    declared_length(at, r, opts, report);
}

/// No part, or a part with fewer than 2 distinct points (hence zero length).
fn degenerate(r: &Route) -> Option<String> {
    if r.geometry.0.is_empty() {
        return Some("degenerate route: no line".to_string());
    }
    let short = |l: &LineString<f64>| l.0.iter().all(|c| l.0.first() == Some(c));
    r.geometry
        .0
        .iter()
        .any(short)
        .then(|| "degenerate route: fewer than 2 distinct points (zero length)".to_string())
}

/// Where the line first crosses or doubles back on itself, if it does. Consecutive repeated
/// points are dropped first; a closed line may meet itself at its closing point. Each segment
/// is compared with the later ones whose boxes meet its own (an R-tree: a route of 100,000
/// vertices is checked in a fraction of a second; every pair would take minutes).
fn crossing(line: &LineString<f64>) -> Option<Coord<f64>> {
    use rstar::primitives::{GeomWithData, Rectangle};
    use rstar::{RTree, AABB};
    let mut pts = line.0.clone();
    pts.dedup();
    let segs: Vec<Line<f64>> = pts.windows(2).map(|w| Line::new(w[0], w[1])).collect();
    let closed = pts.len() > 3 && pts.first() == pts.last();
    let boxes: Vec<AABB<[f64; 2]>> = segs
        .iter()
        .map(|s| AABB::from_corners([s.start.x, s.start.y], [s.end.x, s.end.y]))
        .collect();
    let tree = RTree::bulk_load(
        boxes
            .iter()
            .enumerate()
            .map(|(i, b)| GeomWithData::new(Rectangle::from_aabb(*b), i))
            .collect(),
    );
    let mut first: Option<(usize, usize, Coord<f64>)> = None;
    for (i, a) in segs.iter().enumerate() {
        for hit in tree.locate_in_envelope_intersecting(&boxes[i]) {
            let j = hit.data;
            if j <= i || first.is_some_and(|(fi, fj, _)| (i, j) >= (fi, fj)) {
                continue;
            }
            let Some(meet) = line_intersection(*a, segs[j]) else {
                continue;
            };
            let at = match meet {
                LineIntersection::SinglePoint { intersection, .. } => intersection,
                LineIntersection::Collinear { intersection } => {
                    if intersection.start == intersection.end {
                        intersection.start
                    } else {
                        first = Some((i, j, intersection.start));
                        continue;
                    }
                }
            };
            let shared = (j == i + 1 && at == a.end)
                || (closed && i == 0 && j == segs.len() - 1 && at == a.start);
            if !shared {
                first = Some((i, j, at));
            }
        }
        if first.is_some_and(|(fi, _, _)| fi == i) {
            break;
        }
    }
    first.map(|(_, _, at)| at)
}

/// The first coordinate outside the area, if any.
pub(super) fn inside(
    at: &At<'_>,
    mut coords: impl Iterator<Item = Coord<f64>>,
    opts: &ValidateOptions,
    report: &mut Report,
) {
    let world = Rect::new(coord! { x: -180.0, y: -90.0 }, coord! { x: 180.0, y: 90.0 });
    let area = opts.area.unwrap_or(world);
    let (min, max) = (area.min(), area.max());
    let out = |c: &Coord<f64>| !(c.x >= min.x && c.x <= max.x && c.y >= min.y && c.y <= max.y);
    if let Some(c) = coords.find(out) {
        let hint = if opts.area.is_none() {
            " (not WGS84 lon/lat: give the input's CRS, e.g. --crs EPSG:31370)"
        } else {
            ""
        };
        let message = format!(
            "coordinate {} outside the area (lon {}..{}, lat {}..{}){hint}",
            show(c),
            min.x,
            max.x,
            min.y,
            max.y
        );
        report.push(at.error("geometry", message));
    }
}

/// A worksite's coordinates.
pub(super) fn coords(g: &Geometry<f64>) -> impl Iterator<Item = Coord<f64>> + '_ {
    g.coords_iter()
}

/// The route's first point at its from_site, its last at its to_site (unknown sites are
/// reported elsewhere).
fn ends(at: &At<'_>, r: &Route, ix: &Index<'_>, opts: &ValidateOptions, report: &mut Report) {
    let first = r.geometry.0.first().and_then(|l| l.0.first());
    let last = r.geometry.0.last().and_then(|l| l.0.last());
    let checks = [
        ("start", "from_site", &r.from_site, first),
        ("end", "to_site", &r.to_site, last),
    ];
    for (end, field, site, point) in checks {
        let (Some(site_at), Some(&p)) = (ix.sites.get(site.as_str()), point) else {
            continue;
        };
        let d = Geodesic.distance(site_at.location, Point(p));
        if d > opts.end_error_m {
            let message = format!(
                "route {end} is {d:.0} m from its {field} {site:?} (more than {} m: the wrong site?)",
                opts.end_error_m
            );
            report.push(at.error("geometry", message));
        } else if d > opts.end_tolerance_m {
            let message = format!(
                "route {end} is {d:.0} m from its {field} {site:?} (tolerance {} m)",
                opts.end_tolerance_m
            );
            report.push(at.warning("geometry", message));
        }
    }
}

/// The declared length positive (an error), within the tolerance of the geodesic length (a
/// warning).
fn declared_length(at: &At<'_>, r: &Route, opts: &ValidateOptions, report: &mut Report) {
    let Some(declared) = r.declared_length_m else {
        return;
    };
    if !(declared.is_finite() && declared > 0.0) {
        let message =
            format!("a route's declared length is a positive number of metres, found {declared}");
        report.push(at.error("declared_length_m", message));
        return;
    }
    let measured = Geodesic.length(&r.geometry);
    let off = (declared - measured).abs() / measured;
    if measured > 0.0 && (off > opts.length_tolerance || off.is_nan()) {
        let message = format!(
            "declared {declared:.0} m, geodesic length {measured:.0} m (differs by {:.0}%, tolerance {:.0}%)",
            off * 100.0,
            opts.length_tolerance * 100.0
        );
        report.push(at.warning("declared_length_m", message));
    }
}

/// `(4.352400, 50.846700)`: lon, lat to about 10 cm.
fn show(c: Coord<f64>) -> String {
    format!("({:.6}, {:.6})", c.x, c.y)
}

#[cfg(test)]
mod tests {
    use geo::{coord, LineString};

    use super::crossing;

    fn line(pts: &[(f64, f64)]) -> LineString<f64> {
        LineString::new(pts.iter().map(|&(x, y)| coord! { x: x, y: y }).collect())
    }

    #[test]
    fn a_simple_line_does_not_cross_itself() {
        assert_eq!(
            crossing(&line(&[(0., 0.), (1., 0.), (1., 1.), (2., 1.)])),
            None
        );
        // Repeated points are not crossings.
        assert_eq!(
            crossing(&line(&[(0., 0.), (1., 0.), (1., 0.), (2., 1.)])),
            None
        );
    }

    #[test]
    fn a_closed_loop_meets_itself_only_at_its_closing_point() {
        let ring = line(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]);
        assert_eq!(crossing(&ring), None);
    }

    #[test]
    fn crossing_touching_and_doubling_back_are_found() {
        let cross = line(&[(0., 0.), (2., 2.), (2., 0.), (0., 2.)]);
        assert_eq!(crossing(&cross), Some(coord! { x: 1., y: 1. }));
        let touch = line(&[(0., 0.), (2., 0.), (2., 1.), (1., 0.)]);
        assert_eq!(crossing(&touch), Some(coord! { x: 1., y: 0. }));
        let back = line(&[(0., 0.), (2., 0.), (1., 0.)]);
        assert!(crossing(&back).is_some());
    }
}
