//! Fuzzes the target places of the wifi plan (`irisops wifi plan --targets FILE`):
//! `wifi::targets_from_geojson` on a GeoJSON FeatureCollection of Points, Polygons and
//! MultiPolygons (centroids by geo), with the weight in `pop`, as a district file has it.
//!
//! Checks: each feature is a target or exactly one problem naming its index (in order), never
//! both; target ids are unique; weights are finite and not negative, locations finite.

#![no_main]

#[path = "../shared.rs"]
mod shared;

use std::collections::BTreeSet;

use cadastre::wifi::targets_from_geojson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((targets, problems)) = targets_from_geojson(text, Some("pop"), None) else {
        return;
    };
    let n = shared::n_features(text).expect("a FeatureCollection read has features");
    assert_eq!(targets.len() + problems.len(), n, "{problems:?}");
    let named: Vec<usize> = problems
        .iter()
        .map(|p| p.index.expect("a problem names its feature"))
        .collect();
    assert!(named.windows(2).all(|w| w[0] < w[1]), "{named:?}");
    assert!(named.iter().all(|&i| i < n), "{named:?} of {n}");
    let mut ids = BTreeSet::new();
    for t in &targets {
        assert!(ids.insert(t.id.as_str()), "id {:?} twice", t.id);
        assert!(t.weight.is_finite() && t.weight >= 0.0, "{t:?}");
        assert!(
            t.location.x().is_finite() && t.location.y().is_finite(),
            "{t:?}"
        );
    }
});
