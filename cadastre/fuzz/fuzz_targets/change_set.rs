//! Fuzzes the change sets: `store::read_change_request` (the body of
//! `POST /api/v1/cadastre/changes`) and `store::read_change_set` (`irisops cadastre edit`'s
//! file) on the same text, then the stored form of every feature an edit carries
//! (`Feature::record`, `Feature::from_record`: what history and undo keep).
//!
//! Checks: a text the CLI reads is a request the API reads, with the same edits, no reason and
//! no author (the request takes a superset of the file's members); a change set read has one
//! position per edit, increasing, each a change whose op and layer the edit has, and every
//! change is either an edit or named by an error of its feature (never both); a refused
//! request names each faulty change by a position in `changes`; every edited feature's record
//! reads back as the same feature and writes the same JSON again (undo restores byte for byte).

#![no_main]

use std::collections::BTreeSet;
use std::path::Path;

use cadastre::store::{read_change_request, read_change_set, ChangeSet, Edit, Feature};
use cadastre::store::{Record, RequestError};
use cadastre::{Layer, Severity};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

/// A change as written, read apart from the code under test.
#[derive(Deserialize)]
struct Change {
    op: Option<String>,
    layer: Option<String>,
}

#[derive(Deserialize)]
struct Changes {
    changes: Vec<Change>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let request = read_change_request(text);
    let file = read_change_set(text, Path::new("changes.json"));
    if let Ok(set) = &file {
        let Ok(req) = &request else {
            panic!("the CLI reads a change set the API refuses: {request:?}");
        };
        assert_eq!(&req.set, set, "the CLI and the API read different edits");
        assert!(req.reason.is_none() && !req.has_author);
    }
    let changes = serde_json::from_str::<Changes>(text).map(|c| c.changes);
    match &request {
        Ok(req) => {
            let changes = changes.expect("a request read has changes");
            check_set(&req.set, &changes);
        }
        Err(RequestError::Faults(faults)) => {
            assert!(!faults.is_empty(), "refused without a fault");
            let n = changes.map_or(usize::MAX, |c| c.len());
            for f in faults {
                match f.change {
                    Some(i) => assert!(i < n, "change {i} of {n}: {f:?}"),
                    None => assert_eq!((f.field.as_str(), n), ("changes", 0), "{f:?}"),
                }
            }
        }
        Err(RequestError::Malformed(m)) => assert!(!m.is_empty()),
    }
});

fn check_set(set: &ChangeSet, changes: &[Change]) {
    let n = changes.len();
    assert_eq!(set.edits.len(), set.positions.len());
    assert!(set.positions.windows(2).all(|w| w[0] < w[1]));
    let errors: BTreeSet<usize> = set
        .report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.index.expect("a feature's problem names its change"))
        .collect();
    for p in &set.report.problems {
        let i = p.index.unwrap_or(usize::MAX);
        assert!(i < n, "change {i} of {n}: {p}");
    }
    for (edit, &i) in set.edits.iter().zip(&set.positions) {
        assert!(!errors.contains(&i), "change {i} is an edit and an error");
        let written = &changes[i];
        let layer = written.layer.as_deref().and_then(Layer::parse);
        let (op, edited) = match edit {
            Edit::Add(f) => ("add", f.layer()),
            Edit::Change(f) => ("change", f.layer()),
            Edit::Delete { layer, .. } => ("delete", *layer),
        };
        assert_eq!(written.op.as_deref(), Some(op), "change {i}");
        assert_eq!(layer, Some(edited), "change {i}");
        if let Edit::Add(f) | Edit::Change(f) = edit {
            stored(f);
        }
    }
    let edits: BTreeSet<usize> = set.positions.iter().copied().collect();
    for i in 0..n {
        assert!(
            edits.contains(&i) || errors.contains(&i),
            "change {i} is neither an edit nor an error"
        );
    }
}

/// The record history keeps reads back as the feature and writes the same JSON.
fn stored(f: &Feature) {
    let record = f.record(7).expect("a feature read has a record");
    let json = record.to_value();
    let again = Record::from_value(&json).expect("a record reads back");
    let back = Feature::from_record(f.layer(), &again).expect("a record is a feature");
    assert_eq!(&back, f, "the stored feature differs");
    let rewritten = back
        .record(7)
        .expect("a feature read has a record")
        .to_value();
    assert_eq!(
        rewritten.to_string(),
        json.to_string(),
        "undo would not restore these bytes"
    );
}
