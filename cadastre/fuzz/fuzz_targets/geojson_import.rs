//! Fuzzes the native import, as `irisops cadastre validate` and `import` and the API's import
//! run it: GeoJSON layer files (one input holds several, NUL-separated, the k-th named after
//! the k-th layer) read with `geojson_io::read_str_within` into one cadastre within small
//! limits, then `validate::validate_read`.
//!
//! Checks, per file read: only its layer grew, and every problem is of that layer; over the
//! feature limit nothing is kept and one problem names an index in the file; otherwise each
//! feature of the file is either kept (in order, recorded in the positions) or named by an
//! error, never both ("reading loses nothing"). Then every problem of the validator names a
//! kept feature's index in its file. Last, export → import is the identity and re-export is
//! byte-identical (`geojson_io::to_text` of every layer read back within the same limits).

#![no_main]

#[path = "../shared.rs"]
mod shared;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cadastre::geojson_io::{read_str_within, to_text};
use cadastre::validate::{validate_read, ValidateOptions};
use cadastre::{Cadastre, Layer, Report, Severity, LAYERS};
use libfuzzer_sys::fuzz_target;
use shared::LIMITS;

/// Per layer, the file indexes of the features kept.
type Kept = BTreeMap<Layer, BTreeSet<usize>>;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let mut cad = Cadastre::default();
    let mut report = Report::default();
    let mut kept = Kept::new();
    for (k, text) in input.split(shared::SEPARATOR).enumerate() {
        let name = format!("{}.geojson", LAYERS[k % LAYERS.len()].as_str());
        read_one(text, &name, &mut cad, &mut report, &mut kept);
    }
    let checked = validate_read(&cad, &report.positions, &ValidateOptions::default());
    for p in &checked.problems {
        if let Some(i) = p.index {
            let known = kept.get(&p.layer).is_some_and(|k| k.contains(&i));
            assert!(known, "the validator names no kept feature: {p}");
        }
    }
    round_trip(&cad);
});

/// Reads one file and checks what it added.
fn read_one(text: &str, name: &str, cad: &mut Cadastre, report: &mut Report, kept: &mut Kept) {
    let before: Vec<usize> = LAYERS.iter().map(|&l| cad.len(l)).collect();
    let n_problems = report.problems.len();
    let Ok(layer) = read_str_within(text, Path::new(name), None, &LIMITS, cad, report) else {
        let after: Vec<usize> = LAYERS.iter().map(|&l| cad.len(l)).collect();
        assert_eq!(before, after, "a refused file added features");
        assert_eq!(
            report.problems.len(),
            n_problems,
            "a refused file added problems"
        );
        return;
    };
    let n = shared::n_features(text).expect("a file read has a features array");
    let new = &report.problems[n_problems..];
    for (i, &l) in LAYERS.iter().enumerate() {
        if l != layer {
            assert_eq!(cad.len(l), before[i], "reading {layer:?} grew {l:?}");
        }
    }
    for p in new {
        assert_eq!(p.layer, layer, "a problem of another layer: {p}");
        let i = p.index.expect("a reader's problem names its feature");
        assert!(i < n, "index {i} of {n} features: {p}");
    }
    let from = before[LAYERS.iter().position(|&l| l == layer).unwrap_or(0)];
    if from + n > LIMITS.max_features {
        assert_eq!(cad.len(layer), from, "a file over the limit was read");
        assert_eq!(new.len(), 1, "one problem for a file over the limit");
        assert_eq!(new[0].field, "features");
        return;
    }
    let indexes: Vec<usize> = (from..cad.len(layer))
        .map(|position| report.positions.index(layer, position))
        .collect();
    assert!(indexes.windows(2).all(|w| w[0] < w[1]), "{indexes:?}");
    let errors: BTreeSet<usize> = new
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .filter_map(|p| p.index)
        .collect();
    for i in 0..n {
        let is_kept = indexes.binary_search(&i).is_ok();
        assert!(
            is_kept != errors.contains(&i),
            "feature {i} of {n}: kept {is_kept}, named by an error {}",
            errors.contains(&i)
        );
    }
    kept.entry(layer).or_default().extend(indexes);
}

/// Every layer written and read back within the same limits: the same cadastre, no problem,
/// the same text.
fn round_trip(cad: &Cadastre) {
    let texts: Vec<Vec<u8>> = LAYERS
        .iter()
        .map(|&l| to_text(cad, l).expect("a layer writes"))
        .collect();
    let mut back = Cadastre::default();
    let mut report = Report::default();
    for (&layer, text) in LAYERS.iter().zip(&texts) {
        let text = std::str::from_utf8(text).expect("written as UTF-8");
        let name = format!("{}.geojson", layer.as_str());
        let read = read_str_within(
            text,
            Path::new(&name),
            None,
            &LIMITS,
            &mut back,
            &mut report,
        );
        assert_eq!(read.ok(), Some(layer), "the written {layer:?} reads");
    }
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "the export reads with problems: {problems:#?}"
    );
    assert_eq!(back, *cad, "export → import is not the identity");
    for (&layer, text) in LAYERS.iter().zip(&texts) {
        let again = to_text(&back, layer).expect("a layer writes");
        assert!(again == *text, "re-export of {layer:?} differs");
    }
}
