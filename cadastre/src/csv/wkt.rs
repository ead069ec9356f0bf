//! Well-known text for the CSV export's `geometry_wkt` column (OGC Simple Features: `POINT (x y)`,
//! `LINESTRING (x y, x y)`, ...). Coordinates are WGS84 lon/lat, written with Rust's shortest
//! round-trip form of an `f64` (never an exponent), so the text reads back to the same numbers.

use geo::{Coord, Geometry, LineString, MultiLineString, Polygon};

fn coords(line: &LineString<f64>) -> String {
    let pairs: Vec<String> = line.0.iter().map(pair).collect();
    format!("({})", pairs.join(", "))
}

fn pair(c: &Coord<f64>) -> String {
    format!("{} {}", c.x, c.y)
}

fn rings(p: &Polygon<f64>) -> String {
    let all: Vec<String> = std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(coords)
        .collect();
    format!("({})", all.join(", "))
}

fn list<T>(items: &[T], each: impl Fn(&T) -> String) -> String {
    let all: Vec<String> = items.iter().map(each).collect();
    format!("({})", all.join(", "))
}

/// A route: `LINESTRING` when it has one part, `MULTILINESTRING` otherwise.
pub(super) fn lines(m: &MultiLineString<f64>) -> String {
    match m.0.as_slice() {
        [one] => format!("LINESTRING {}", coords(one)),
        [] => "MULTILINESTRING EMPTY".to_string(),
        parts => format!("MULTILINESTRING {}", list(parts, coords)),
    }
}

/// Any geometry (a worksite's footprint or point).
pub(super) fn geometry(g: &Geometry<f64>) -> String {
    match g {
        Geometry::Point(p) => format!("POINT ({})", pair(&p.0)),
        Geometry::Line(l) => format!("LINESTRING ({}, {})", pair(&l.start), pair(&l.end)),
        Geometry::LineString(l) => format!("LINESTRING {}", coords(l)),
        Geometry::Polygon(p) => format!("POLYGON {}", rings(p)),
        Geometry::MultiPoint(m) => {
            format!("MULTIPOINT {}", list(&m.0, |p| format!("({})", pair(&p.0))))
        }
        Geometry::MultiLineString(m) => format!("MULTILINESTRING {}", list(&m.0, coords)),
        Geometry::MultiPolygon(m) => format!("MULTIPOLYGON {}", list(&m.0, rings)),
        Geometry::GeometryCollection(c) => {
            format!("GEOMETRYCOLLECTION {}", list(&c.0, geometry))
        }
        Geometry::Rect(r) => format!("POLYGON {}", rings(&r.to_polygon())),
        Geometry::Triangle(t) => format!("POLYGON {}", rings(&t.to_polygon())),
    }
}

#[cfg(test)]
mod tests {
    use geo::{line_string, point, polygon, Point, Rect};

    use super::*;

    #[test]
    fn routes_are_linestrings_or_multilinestrings() {
        let a = line_string![(x: 4.35, y: 50.85), (x: 4.36, y: 50.86)];
        let b = line_string![(x: 4.36, y: 50.86), (x: 4.5, y: 51.0)];
        assert_eq!(
            lines(&MultiLineString::new(vec![a.clone()])),
            "LINESTRING (4.35 50.85, 4.36 50.86)"
        );
        assert_eq!(
            lines(&MultiLineString::new(vec![a, b])),
            "MULTILINESTRING ((4.35 50.85, 4.36 50.86), (4.36 50.86, 4.5 51))"
        );
        assert_eq!(
            lines(&MultiLineString::new(vec![])),
            "MULTILINESTRING EMPTY"
        );
    }

    #[test]
    fn worksite_geometries() {
        let p = point!(x: 4.3517, y: 50.8466);
        assert_eq!(geometry(&p.into()), "POINT (4.3517 50.8466)");
        let poly = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)];
        assert_eq!(geometry(&poly.into()), "POLYGON ((0 0, 1 0, 1 1, 0 0))");
        let rect = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 2.0 });
        assert!(geometry(&rect.into()).starts_with("POLYGON (("));
        assert_eq!(
            geometry(&Point::new(1e-7, 0.0).into()),
            "POINT (0.0000001 0)"
        );
    }
}
