//! TEMP stub of the CRS API (replaced at merge by the real Lambert 72/2008 conversion): WGS84
//! is the identity, every other CRS is refused.

use crate::error::CadastreError;

/// A coordinate reference system the cadastre reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    Wgs84,
    Lambert72,
    Lambert2008,
}

impl Crs {
    /// `EPSG:4326`, `EPSG:31370`, `EPSG:3812`.
    pub fn parse(s: &str) -> Result<Crs, CadastreError> {
        match s {
            "EPSG:4326" | "CRS84" | "OGC:CRS84" => Ok(Crs::Wgs84),
            "EPSG:31370" => Ok(Crs::Lambert72),
            "EPSG:3812" => Ok(Crs::Lambert2008),
            _ => Err(CadastreError::Crs(format!("unknown crs {s:?}"))),
        }
    }

    /// (x, y) in this CRS → (lon, lat).
    pub fn to_wgs84(self, x: f64, y: f64) -> Result<(f64, f64), CadastreError> {
        match self {
            Crs::Wgs84 => Ok((x, y)),
            _ => Err(CadastreError::Crs("stub: only WGS84".to_string())),
        }
    }

    /// (lon, lat) → (x, y) in this CRS.
    pub fn from_wgs84(self, lon: f64, lat: f64) -> Result<(f64, f64), CadastreError> {
        self.to_wgs84(lon, lat)
    }
}
