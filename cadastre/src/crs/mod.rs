//! Coordinate reference systems: Belgian Lambert 72 (EPSG:31370) and Lambert 2008 (EPSG:3812)
//! to and from WGS84 longitude/latitude (EPSG:4326, RFC 7946 axis order), with the pure-Rust
//! `proj4rs`.
//!
//! Lambert 72 sits on the BD72 datum (International 1924 ellipsoid). PROJ's default
//! transformation to WGS84 is "BD72 to WGS 84 (3)" (EPSG:15929, stated accuracy 1 m), a
//! 7-parameter Helmert shift that PROJ writes in the *coordinate frame* convention
//! (`rx=-0.3366 ry=0.457 rz=-1.8422`). `+towgs84` (in PROJ and proj4rs alike) takes the
//! *position vector* convention, so the rotations change sign here; keeping PROJ's signs moves
//! Grand-Place by 65 m (tested). Lambert 2008 sits on ETRS89 (GRS80), taken as WGS84 as PROJ
//! does ("ETRS89 to WGS 84 (1)", a null shift). The tests compare both systems, both
//! directions, against PROJ 9.5 reference points: the difference is 0.1 mm.
//!
//! EPSG:4326 is read in GeoJSON's lon/lat order (as legacy `crs` members meant it).

use std::sync::OnceLock;

use geo::{Coord, Geometry, MapCoordsInPlace, MultiLineString, Point};
use proj4rs::transform::{transform, Transform, TransformClosure};
use proj4rs::Proj;

use crate::error::CadastreError;

#[cfg(test)]
mod tests;

/// WGS84 geographic coordinates; the explicit null `towgs84` gives proj4rs a datum to shift
/// to (without one it silently skips the datum shift).
const WGS84: &str = "+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +no_defs";

/// EPSG:31370 with "BD72 to WGS 84 (3)" in the position vector convention.
const LAMBERT72: &str = "+proj=lcc +lat_0=90 +lon_0=4.36748666666667 +lat_1=51.1666672333333 \
    +lat_2=49.8333339 +x_0=150000.013 +y_0=5400088.438 +ellps=intl \
    +towgs84=-106.8686,52.2978,-103.7239,0.3366,-0.457,1.8422,-1.2747 +units=m +no_defs";

/// EPSG:3812; the 3-parameter null shift makes proj4rs treat ETRS89 as WGS84 (no geocentric
/// round trip), which is what PROJ does.
const LAMBERT2008: &str = "+proj=lcc +lat_0=50.797815 +lon_0=4.35921583333333 \
    +lat_1=49.8333333333333 +lat_2=51.1666666666667 +x_0=649328 +y_0=665262 +ellps=GRS80 \
    +towgs84=0,0,0 +units=m +no_defs";

/// A coordinate reference system the cadastre reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326 read in GeoJSON's lon/lat order, CRS84).
    Wgs84,
    /// Belgian Lambert 72, EPSG:31370, metres.
    Lambert72,
    /// Belgian Lambert 2008, EPSG:3812, metres.
    Lambert2008,
}

impl Crs {
    /// The CRS named `s`: `EPSG:31370`, `urn:ogc:def:crs:EPSG::31370`, `31370`,
    /// `http://www.opengis.net/def/crs/EPSG/0/31370`, the same forms of 3812 and 4326, and
    /// `urn:ogc:def:crs:OGC:1.3:CRS84` / `CRS84` (case-insensitive).
    pub fn parse(s: &str) -> Result<Crs, CadastreError> {
        let name = s.trim().to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "urn:ogc:def:crs:ogc:1.3:crs84"
                | "urn:ogc:def:crs:ogc::crs84"
                | "ogc:crs84"
                | "crs84"
                | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
                | "wgs84"
        ) {
            return Ok(Crs::Wgs84);
        }
        match epsg_code(&name) {
            Some("4326") => Ok(Crs::Wgs84),
            Some("31370") => Ok(Crs::Lambert72),
            Some("3812") => Ok(Crs::Lambert2008),
            _ => Err(CadastreError::Crs(format!(
                "unsupported coordinate reference system {:?} (supported: EPSG:4326, \
                 EPSG:31370, EPSG:3812, CRS84)",
                s.trim()
            ))),
        }
    }

    /// The EPSG code: 4326, 31370 or 3812.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::Lambert72 => 31370,
            Crs::Lambert2008 => 3812,
        }
    }

    /// `(x, y)` in this CRS to WGS84 `(lon, lat)` in degrees.
    pub fn to_wgs84(self, x: f64, y: f64) -> Result<(f64, f64), CadastreError> {
        if self == Crs::Wgs84 {
            return checked(self, (x, y), (x, y));
        }
        let (lon, lat) = run(self.proj()?, wgs84()?, (x, y))?;
        checked(self, (x, y), (lon.to_degrees(), lat.to_degrees()))
    }

    /// WGS84 `(lon, lat)` in degrees to `(x, y)` in this CRS.
    pub fn from_wgs84(self, lon: f64, lat: f64) -> Result<(f64, f64), CadastreError> {
        if self == Crs::Wgs84 {
            return checked(self, (lon, lat), (lon, lat));
        }
        let xy = run(wgs84()?, self.proj()?, (lon.to_radians(), lat.to_radians()))?;
        checked(Crs::Wgs84, (lon, lat), xy)
    }

    /// The proj4rs definition, parsed once.
    fn proj(self) -> Result<&'static Proj, CadastreError> {
        static L72: OnceLock<Result<Proj, String>> = OnceLock::new();
        static L2008: OnceLock<Result<Proj, String>> = OnceLock::new();
        match self {
            Crs::Wgs84 => wgs84(),
            Crs::Lambert72 => cached(&L72, LAMBERT72),
            Crs::Lambert2008 => cached(&L2008, LAMBERT2008),
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EPSG:{}", self.epsg())
    }
}

/// The EPSG code in `name` (already lowercase), if it names one.
fn epsg_code(name: &str) -> Option<&str> {
    let code = if let Some(rest) = name.strip_prefix("urn:ogc:def:crs:epsg:") {
        // `urn:ogc:def:crs:EPSG::31370` or with a version: `urn:ogc:def:crs:EPSG:6.6:31370`.
        rest.rsplit(':').next()?
    } else if let Some(rest) = name.strip_prefix("http://www.opengis.net/def/crs/epsg/") {
        rest.rsplit('/').next()?
    } else {
        name.strip_prefix("epsg:").unwrap_or(name)
    };
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

fn wgs84() -> Result<&'static Proj, CadastreError> {
    static WGS: OnceLock<Result<Proj, String>> = OnceLock::new();
    cached(&WGS, WGS84)
}

fn cached(
    cell: &'static OnceLock<Result<Proj, String>>,
    def: &str,
) -> Result<&'static Proj, CadastreError> {
    cell.get_or_init(|| Proj::from_proj_string(def).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CadastreError::Crs(format!("bad projection {def:?}: {e}")))
}

/// One point for proj4rs (which wants a height too; it stays 0 on the ellipsoid).
struct Xyz(f64, f64, f64);

impl Transform for Xyz {
    fn transform_coordinates<F: TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        let (x, y, z) = f(self.0, self.1, self.2)?;
        *self = Xyz(x, y, z);
        Ok(())
    }
}

fn run(src: &Proj, dst: &Proj, (x, y): (f64, f64)) -> Result<(f64, f64), CadastreError> {
    let mut p = Xyz(x, y, 0.0);
    transform(src, dst, &mut p)
        .map_err(|e| CadastreError::Crs(format!("cannot transform ({x}, {y}): {e}")))?;
    Ok((p.0, p.1))
}

/// `out` if finite (and, for WGS84, a real longitude/latitude); an error naming `input`.
fn checked(from: Crs, input: (f64, f64), out: (f64, f64)) -> Result<(f64, f64), CadastreError> {
    let finite =
        input.0.is_finite() && input.1.is_finite() && out.0.is_finite() && out.1.is_finite();
    let lonlat = if from == Crs::Wgs84 { input } else { out };
    if finite && lonlat.0.abs() <= 180.0 && lonlat.1.abs() <= 90.0 {
        Ok(out)
    } else {
        Err(CadastreError::Crs(format!(
            "cannot convert ({}, {}) from {from}: not a valid coordinate",
            input.0, input.1
        )))
    }
}

fn convert_coord(crs: Crs, c: Coord<f64>) -> Result<Coord<f64>, CadastreError> {
    crs.to_wgs84(c.x, c.y).map(|(x, y)| Coord { x, y })
}

/// Converts every coordinate of `g` from `crs` to WGS84 in place (the importer's path).
pub fn convert_geometry(crs: Crs, g: &mut Geometry<f64>) -> Result<(), CadastreError> {
    if crs == Crs::Wgs84 {
        return Ok(());
    }
    let f = |c| convert_coord(crs, c);
    // geo 0.33's `Geometry::try_map_coords_in_place` recurses into collections with `&func`,
    // which never stops instantiating; recurse here instead.
    match g {
        Geometry::GeometryCollection(gc) => {
            gc.iter_mut().try_for_each(|g| convert_geometry(crs, g))
        }
        Geometry::Point(x) => x.try_map_coords_in_place(f),
        Geometry::Line(x) => x.try_map_coords_in_place(f),
        Geometry::LineString(x) => x.try_map_coords_in_place(f),
        Geometry::Polygon(x) => x.try_map_coords_in_place(f),
        Geometry::MultiPoint(x) => x.try_map_coords_in_place(f),
        Geometry::MultiLineString(x) => x.try_map_coords_in_place(f),
        Geometry::MultiPolygon(x) => x.try_map_coords_in_place(f),
        Geometry::Rect(x) => x.try_map_coords_in_place(f),
        Geometry::Triangle(x) => x.try_map_coords_in_place(f),
    }
}

/// Converts a point from `crs` to WGS84 in place.
pub fn convert_point(crs: Crs, p: &mut Point<f64>) -> Result<(), CadastreError> {
    if crs == Crs::Wgs84 {
        return Ok(());
    }
    p.try_map_coords_in_place(|c| convert_coord(crs, c))
}

/// Converts every line of `m` from `crs` to WGS84 in place.
pub fn convert_lines(crs: Crs, m: &mut MultiLineString<f64>) -> Result<(), CadastreError> {
    if crs == Crs::Wgs84 {
        return Ok(());
    }
    m.try_map_coords_in_place(|c| convert_coord(crs, c))
}

/// Converts every geometry of a cadastre read in `crs` to WGS84 in place (formats such as OFDS
/// whose readers keep the input coordinates).
pub fn convert_cadastre(crs: Crs, cad: &mut crate::Cadastre) -> Result<(), CadastreError> {
    for s in &mut cad.sites {
        convert_point(crs, &mut s.location)?;
    }
    for r in &mut cad.routes {
        convert_lines(crs, &mut r.geometry)?;
    }
    for t in &mut cad.targets {
        convert_point(crs, &mut t.location)?;
    }
    for w in &mut cad.worksites {
        convert_geometry(crs, &mut w.geometry)?;
    }
    Ok(())
}
