//! The worksites as dig-once and cuts see them: a worksite's footprint from any of its
//! geometries ([`footprint`]), which works open the street ([`STREET_NATURES`]) and how long
//! the street stays open from a day ([`WorksFilter::open`]).
//!
//! The region's worksite feed mixes works with events held in the street (markets, parades,
//! filming): only works that dig can take a duct. Its open-ended works end in the year 3000
//! (other systems write 9999-12-31): any end in [`OPEN_ENDED_YEAR`] or later is open-ended.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use geo::{BooleanOps, Buffer, Geometry, MapCoords, MultiPolygon, Polygon};
use serde::Serialize;

use crate::model::Worksite;

/// The natures of works that open the street (trench, excavation, a road rebuilt): the default
/// of dig-once's `nature` filter. Natures are compared normalised ([`normalise_nature`]).
/// Everything else is left out by default, notably the feed's events: `market`, `parade`,
/// `event`, `festival`, `filming`, `demonstration`, `sport`, `fair`, `concert`, `terrace`,
/// `scaffolding`, `skip`, `crane`, `removal`, `building_site` (a building's works behind a
/// fence: the street stays shut).
pub const STREET_NATURES: [&str; 26] = [
    "resurfacing",
    "road_works",
    "roadworks",
    "paving",
    "pavement",
    "sidewalk",
    "water_main",
    "water",
    "gas",
    "gas_main",
    "sewer",
    "sewerage",
    "drainage",
    "electricity",
    "district_heating",
    "telecom",
    "fibre",
    "cable",
    "tramway",
    "metro",
    "rail",
    "bridge",
    "street_lighting",
    "traffic_lights",
    "utilities",
    "excavation",
];

/// An end in this year or later is open-ended (the feed writes 3000-01-01, others 9999-12-31).
pub const OPEN_ENDED_YEAR: i32 = 2999;

/// `Water main`, `water-main` → `water_main`.
pub fn normalise_nature(nature: &str) -> String {
    nature.trim().to_lowercase().replace([' ', '-'], "_")
}

/// The works dig-once considers: of these natures, still open on `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorksFilter {
    /// Normalised natures; `None`: every nature (`all`).
    pub natures: Option<BTreeSet<String>>,
    /// Works that ended before this day are left out.
    pub from: NaiveDate,
}

/// How long the street stays open for a work the filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Open {
    /// Days from the later of its start and `from` to its end, both counted; `None` when
    /// open-ended.
    pub open_days: Option<i64>,
    pub open_ended: bool,
}

/// Why the filter leaves a work out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Its nature does not open the street (or is not asked for).
    Nature,
    /// It ended before `from`.
    Ended,
    /// Its dates are not ISO 8601 (validation refuses them; a stored one is left out).
    Dates,
}

impl WorksFilter {
    /// The default natures ([`STREET_NATURES`]), from `from`.
    pub fn street_works(from: NaiveDate) -> WorksFilter {
        let natures = STREET_NATURES.iter().map(|n| n.to_string()).collect();
        WorksFilter {
            natures: Some(natures),
            from,
        }
    }

    /// The natures asked for (`all`: every one; none: [`STREET_NATURES`]), from `from`.
    pub fn new(natures: &[String], from: NaiveDate) -> WorksFilter {
        if natures.is_empty() {
            return WorksFilter::street_works(from);
        }
        let set: BTreeSet<String> = natures.iter().map(|n| normalise_nature(n)).collect();
        WorksFilter {
            natures: (!set.contains("all")).then_some(set),
            from,
        }
    }

    /// The natures, as the answer lists them (`["all"]` for every one).
    pub fn nature_list(&self) -> Vec<String> {
        match &self.natures {
            None => vec!["all".to_string()],
            Some(set) => set.iter().cloned().collect(),
        }
    }

    /// How long `w` keeps the street open from `from`, or why it is left out.
    pub fn open(&self, w: &Worksite) -> Result<Open, Left> {
        if let Some(set) = &self.natures {
            if !set.contains(&normalise_nature(&w.nature)) {
                return Err(Left::Nature);
            }
        }
        let (Some(start), Some(end)) = (day(&w.start), day(&w.end)) else {
            return Err(Left::Dates);
        };
        if end.year() >= OPEN_ENDED_YEAR {
            return Ok(Open {
                open_days: None,
                open_ended: true,
            });
        }
        if end < self.from {
            return Err(Left::Ended);
        }
        let days = (end - start.max(self.from)).num_days() + 1;
        Ok(Open {
            open_days: Some(days),
            open_ended: false,
        })
    }
}

/// The day of an ISO 8601 date (`YYYY-MM-DD`, a time after it ignored).
fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A worksite's footprint: its polygons as drawn, and its points and lines widened by
/// `buffer_m` metres (a round end, a band along a line), in one MultiPolygon; any geometry,
/// collections included.
pub fn footprint(geometry: &Geometry<f64>, buffer_m: f64) -> MultiPolygon<f64> {
    let mut areas: Vec<Polygon<f64>> = Vec::new();
    let mut thin: Vec<Geometry<f64>> = Vec::new();
    split(geometry, &mut areas, &mut thin);
    let mut out = MultiPolygon(areas);
    if out.0.len() > 1 {
        out = geo::unary_union(out.0.iter());
    }
    if thin.is_empty() || buffer_m <= 0.0 {
        return out;
    }
    let widened = widen(&geo::GeometryCollection(thin), buffer_m);
    if out.0.is_empty() {
        widened
    } else {
        out.union(&widened)
    }
}

/// The polygons of `g` (kept as drawn) and its points and lines (to be widened).
fn split(g: &Geometry<f64>, areas: &mut Vec<Polygon<f64>>, thin: &mut Vec<Geometry<f64>>) {
    match g {
        Geometry::Polygon(p) => areas.push(p.clone()),
        Geometry::MultiPolygon(m) => areas.extend(m.0.iter().cloned()),
        Geometry::Rect(r) => areas.push(r.to_polygon()),
        Geometry::Triangle(t) => areas.push(t.to_polygon()),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| split(g, areas, thin)),
        other => thin.push(other.clone()),
    }
}

/// Points and lines buffered by `metres`, in a local plane (metres east and north of the
/// equator and meridian, scaled at the geometry's latitude: a street's width needs no geodesy).
fn widen(g: &geo::GeometryCollection<f64>, metres: f64) -> MultiPolygon<f64> {
    use geo::CoordsIter;
    let lat = g.coords_iter().next().map_or(0.0, |c| c.y);
    let per_lat = 111_320.0;
    let per_lon = per_lat * lat.to_radians().cos().max(1e-6);
    let local = g.map_coords(|c| geo::coord! { x: c.x * per_lon, y: c.y * per_lat });
    local
        .buffer(metres)
        .map_coords(|c| geo::coord! { x: c.x / per_lon, y: c.y / per_lat })
}

#[cfg(test)]
mod tests {
    use geo::{Area, LineString, MultiPoint, Point};

    use super::*;

    fn work(nature: &str, start: &str, end: &str) -> Worksite {
        Worksite {
            id: "w".into(),
            name: "w".into(),
            nature: nature.into(),
            organisation: "o".into(),
            start: start.into(),
            end: end.into(),
            geometry: Geometry::Point(Point::new(4.35, 50.85)),
        }
    }

    #[test]
    fn street_works_open_the_street_until_their_end() {
        let from = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let f = WorksFilter::street_works(from);
        let open = |days| {
            Ok(Open {
                open_days: Some(days),
                open_ended: false,
            })
        };
        // Started before `from`: counted from `from`, both ends included.
        assert_eq!(
            f.open(&work("Water main", "2026-01-01", "2026-03-19")),
            open(10)
        );
        assert_eq!(
            f.open(&work("gas-main", "2026-04-01", "2026-04-01")),
            open(1)
        );
        assert_eq!(f.open(&work("sewer", "2026-01-01", "2026-03-10")), open(1));
        assert_eq!(
            f.open(&work("sewer", "2026-01-01", "2026-03-09")),
            Err(Left::Ended)
        );
        assert_eq!(
            f.open(&work("tramway", "2020-01-01", "3000-01-01")),
            Ok(Open {
                open_days: None,
                open_ended: true
            })
        );
        assert_eq!(
            f.open(&work("market", "2026-03-01", "2026-12-31")),
            Err(Left::Nature)
        );
        assert_eq!(
            f.open(&work("sewer", "soon", "2026-12-31")),
            Err(Left::Dates)
        );
        let markets = WorksFilter::new(&["Market".into()], from);
        assert!(markets
            .open(&work("market", "2026-03-01", "2026-12-31"))
            .is_ok());
        assert_eq!(markets.nature_list(), ["market"]);
        let all = WorksFilter::new(&["all".into()], from);
        assert!(all
            .open(&work("parade", "2026-03-01", "2026-12-31"))
            .is_ok());
        assert_eq!(all.nature_list(), ["all"]);
    }

    #[test]
    fn footprints_of_every_geometry() {
        let m = 1.0 / 111_320.0;
        let (x, y): (f64, f64) = (4.35, 50.85);
        let k = 1.0 / y.to_radians().cos();
        let (dx, dy) = (100.0 * m * k, 100.0 * m);
        let ring = vec![(x, y), (x + dx, y), (x + dx, y + dy), (x, y + dy), (x, y)];
        let square = Polygon::new(LineString::from(ring), vec![]);
        let area_m2 = |g: &Geometry<f64>| {
            let f = footprint(g, 10.0);
            f.unsigned_area() / (m * m * k)
        };
        // A polygon as drawn; two overlapping copies count once.
        let one = area_m2(&Geometry::Polygon(square.clone()));
        assert!((one - 10_000.0).abs() < 1.0, "{one}");
        let twice = Geometry::MultiPolygon(MultiPolygon(vec![square.clone(), square.clone()]));
        assert!((area_m2(&twice) - one).abs() < 1.0);
        // A point: a disc of 10 m; a 100 m line: a band 20 m wide with round ends.
        let disc = area_m2(&Geometry::Point(Point::new(x, y)));
        assert!((disc - 314.0).abs() < 10.0, "{disc}");
        let line = LineString::from(vec![(x, y), (x + 100.0 * m * k, y)]);
        let band = area_m2(&Geometry::LineString(line.clone()));
        assert!((band - 2_314.0).abs() < 20.0, "{band}");
        let points = MultiPoint::from(vec![Point::new(x, y), Point::new(x, y + 100.0 * m)]);
        assert!((area_m2(&Geometry::MultiPoint(points)) - 2.0 * disc).abs() < 1.0);
        // A collection: the square and a line leaving it.
        let away = LineString::from(vec![(x, y + 50.0 * m), (x - 100.0 * m * k, y + 50.0 * m)]);
        let both = Geometry::GeometryCollection(geo::GeometryCollection(vec![
            Geometry::Polygon(square),
            Geometry::LineString(away),
        ]));
        let got = area_m2(&both);
        assert!((got - (one + 2_000.0 + 157.0)).abs() < 40.0, "{got}");
    }
}
