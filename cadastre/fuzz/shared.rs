//! What the fuzz targets and the seed generator agree on: the limits of a read (small, so that
//! inputs of a few KB cross them), how one input holds several files, and the count of the
//! features a text holds, read apart from the code under test.

#![allow(dead_code)] // each binary uses a different part

use cadastre::limits::Limits;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The limits of every read: a seed stays within them, a mutation can cross each.
pub const LIMITS: Limits = Limits {
    max_file_mb: 1,
    max_features: 16,
    max_vertices: 64,
};

/// One input holds several files, separated by a NUL byte (which no JSON text holds).
pub const SEPARATOR: char = '\0';

/// The features of a FeatureCollection text: `None` when it has no `features` array. Only
/// that member is read; the others are skipped whatever they hold.
pub fn n_features(text: &str) -> Option<usize> {
    #[derive(Deserialize)]
    struct Collection<'a> {
        #[serde(borrow)]
        features: Option<Vec<&'a RawValue>>,
    }
    serde_json::from_str::<Collection<'_>>(text)
        .ok()?
        .features
        .map(|f| f.len())
}
