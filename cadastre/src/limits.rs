//! The limits on what a read takes in, so one bad file cannot fill the memory or the store
//! (a 70 MB single LineString of 2.6 M points took 831 MB to import, and every later read of
//! the cadastre paid for it). Each default is far above any real cadastre of the region (its
//! 100k features make ~50 MB of GeoJSON; a route has hundreds of vertices, a worksite tens):
//!
//! | limit | default | key (`[cadastre]`) and flag |
//! |---|---|---|
//! | size of one input file | 512 MB | `max_file_mb`, `--max-file-mb` |
//! | features of one layer (per file and over the files) | 1,000,000 | `max_features`, `--max-features` |
//! | vertices (positions) of one feature's geometry | 100,000 | `max_vertices`, `--max-vertices` |
//!
//! GeoJSON is checked before anything is built: a file's size before it is read, a layer's
//! count before its features are parsed, a geometry's positions counted in its text before it
//! is parsed; so memory stays proportional to the input. A cable's geometry (the union of its
//! routes, written on export) is not read, so it is not counted. An OFDS package is one JSON tree:
//! its size is checked first, its counts and vertices once it is read. A feature over a limit
//! is an error naming it (layer, index, id) and the limit: an import then writes nothing.

use std::path::Path;

use geo::CoordsIter;

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer, LAYERS};
use crate::problem::{Problem, Report};

/// Default of `max_file_mb`.
pub const DEFAULT_MAX_FILE_MB: u64 = 512;
/// Default of `max_features`.
pub const DEFAULT_MAX_FEATURES: usize = 1_000_000;
/// Default of `max_vertices`.
pub const DEFAULT_MAX_VERTICES: usize = 100_000;

/// The limits of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file, MB (10^6 bytes).
    pub max_file_mb: u64,
    /// The most features of one layer.
    pub max_features: usize,
    /// The most positions in one feature's geometry.
    pub max_vertices: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_mb: DEFAULT_MAX_FILE_MB,
            max_features: DEFAULT_MAX_FEATURES,
            max_vertices: DEFAULT_MAX_VERTICES,
        }
    }
}

impl Limits {
    /// A file of `bytes` (named `path`) must be within `max_file_mb`.
    pub fn check_size(&self, path: &Path, bytes: u64) -> Result<(), CadastreError> {
        if bytes > self.max_file_mb.saturating_mul(1_000_000) {
            return Err(CadastreError::TooLarge {
                path: path.to_path_buf(),
                bytes,
                max_file_mb: self.max_file_mb,
            });
        }
        Ok(())
    }

    /// The error of a geometry of `n` positions over `max_vertices`, if it is.
    pub(crate) fn vertices(&self, n: usize) -> Option<String> {
        (n > self.max_vertices).then(|| {
            format!(
                "{n} positions, over the limit of {} per geometry (max_vertices): not read",
                self.max_vertices
            )
        })
    }

    /// The error of a layer of `n` features over `max_features`, if it is.
    pub(crate) fn features(&self, layer: Layer, n: usize) -> Option<String> {
        (n > self.max_features).then(|| {
            format!(
                "{n} features in {}, over the limit of {} per layer (max_features): none of \
                 this file read",
                layer.as_str(),
                self.max_features
            )
        })
    }

    /// After a reader that builds everything first (OFDS): every layer over `max_features`
    /// and every geometry over `max_vertices`, named.
    pub fn check_read(&self, cad: &Cadastre, report: &mut Report) {
        for layer in LAYERS {
            if let Some(m) = self.features(layer, cad.len(layer)) {
                let index = report.positions.index(layer, self.max_features);
                report.push(Problem::error(layer, Some(index), None, "features", m));
            }
        }
        let over = |n: usize| self.vertices(n);
        let mut name = |layer: Layer, position: usize, id: &str, n: usize| {
            if let Some(m) = over(n) {
                let index = report.positions.index(layer, position);
                report.push(Problem::error(layer, Some(index), Some(id), "geometry", m));
            }
        };
        for (i, r) in cad.routes.iter().enumerate() {
            name(Layer::Routes, i, &r.id, r.geometry.coords_count());
        }
        for (i, w) in cad.worksites.iter().enumerate() {
            name(Layer::Worksites, i, &w.id, w.geometry.coords_count());
        }
    }
}

/// The positions in a GeoJSON geometry's text, counted without parsing it: each `[` whose next
/// non-blank character starts a number opens a position. (A `bbox` counts as one more.)
pub(crate) fn positions_in(geometry: &str) -> usize {
    let bytes = geometry.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'[' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < bytes.len() && matches!(bytes[j], b'0'..=b'9' | b'-' | b'+' | b'.') {
                n += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_counted_in_the_text() {
        assert_eq!(
            positions_in(r#"{"type":"Point","coordinates":[4.3,50.8]}"#),
            1
        );
        let line = r#"{"type":"LineString","coordinates":[ [ -4.3, 50.8 ], [4.4,50.9],[4.5,51]]}"#;
        assert_eq!(positions_in(line), 3);
        let poly = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}"#;
        assert_eq!(positions_in(poly), 4);
        assert_eq!(positions_in(r#"{"type":"MultiPoint","coordinates":[]}"#), 0);
    }

    #[test]
    fn a_file_over_the_size_limit_is_named() {
        let limits = Limits {
            max_file_mb: 1,
            ..Limits::default()
        };
        assert!(limits.check_size(Path::new("a"), 1_000_000).is_ok());
        let e = limits.check_size(Path::new("routes.geojson"), 1_000_001);
        assert_eq!(
            e.unwrap_err().to_string(),
            "routes.geojson: 1000001 bytes, over the limit of 1 MB per file (max_file_mb)"
        );
    }
}
