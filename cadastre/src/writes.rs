//! The cadastre's writes as the CLI and the HTTP API both run them — a change set, an undo,
//! an import — each checked by the same validator, so the command and the route accept and
//! refuse the same things; and the problems of a refused change set in the one shape the API
//! answers ([`ChangeProblem`]).

use std::cell::RefCell;

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer};
use crate::problem::{Report, Severity};
use crate::store::{ChangeProblem, ChangeSet, Edit, Store};
use crate::validate::{validate, validate_read, ValidateOptions};

/// Who writes a change, and why.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub author: &'a str,
    pub reason: &'a str,
}

/// Applies a change set as one change based on `base`: the features that could not be read
/// refuse it with the validator's problems of the rest, so one answer lists every problem.
pub fn apply(
    store: &mut Store,
    base: u64,
    set: &ChangeSet,
    who: Author<'_>,
) -> Result<u64, CadastreError> {
    let check = |c: &Cadastre| {
        let mut r = set.report.clone();
        r.extend(validate(c, &ValidateOptions::default()));
        r
    };
    store.apply(base, &set.edits, who.author, who.reason, &check)
}

/// Undoes change `version` as a new change based on `base`.
pub fn undo(
    store: &mut Store,
    version: u64,
    base: u64,
    who: Author<'_>,
) -> Result<u64, CadastreError> {
    let check = |c: &Cadastre| validate(c, &ValidateOptions::default());
    store.undo(version, base, who.author, who.reason, &check)
}

/// Imports `cad` (read with the problems `read`) as one change replacing everything, based on
/// `base`: the new version and every problem (warnings only), or [`CadastreError::Invalid`]
/// with every problem, the reader's first, and nothing written.
pub fn import(
    store: &mut Store,
    base: u64,
    cad: &Cadastre,
    mut read: Report,
    who: Author<'_>,
    opts: &ValidateOptions,
) -> Result<(u64, Report), CadastreError> {
    if read.has_errors() {
        return Err(CadastreError::Invalid { report: read });
    }
    // The store validates the imported cadastre; keep its report for the warnings.
    let checked = RefCell::new(Report::default());
    let positions = std::mem::take(&mut read.positions);
    let check = |c: &Cadastre| {
        let r = validate_read(c, &positions, opts);
        checked.replace(r.clone());
        r
    };
    match store.replace_all(base, cad, who.author, who.reason, &check) {
        Ok(v) => {
            read.extend(checked.take());
            Ok((v, read))
        }
        Err(CadastreError::Invalid { report }) => {
            read.extend(report);
            Err(CadastreError::Invalid { report: read })
        }
        Err(e) => Err(e),
    }
}

/// The problems of a refused change set, each naming its change: the features that could not
/// be read (their report's index is the change's position), then the problems of the edited
/// cadastre (`report`, the store's refusal), each tied to the last change of its feature.
pub fn problems(set: &ChangeSet, report: &Report) -> Vec<ChangeProblem> {
    let read = set.report.problems.iter().map(|p| ChangeProblem {
        severity: p.severity,
        change: p.index,
        layer: Some(p.layer),
        index: None,
        id: p.id.clone(),
        field: p.field.clone(),
        message: p.message.clone(),
    });
    let edited = report
        .problems
        .iter()
        .filter(|p| !set.report.problems.contains(p))
        .map(|p| ChangeProblem {
            severity: p.severity,
            change: change_of(set, p.layer, p.id.as_deref()),
            layer: Some(p.layer),
            index: p.index,
            id: p.id.clone(),
            field: p.field.clone(),
            message: p.message.clone(),
        });
    read.chain(edited).collect()
}

/// The problem of an edit that changes or deletes a missing feature.
pub fn no_such_feature(set: &ChangeSet, layer: Layer, id: &str) -> ChangeProblem {
    ChangeProblem {
        severity: Severity::Error,
        change: change_of(set, layer, Some(id)),
        layer: Some(layer),
        index: None,
        id: Some(id.to_string()),
        field: "id".into(),
        message: "no such feature".into(),
    }
}

/// The position in `changes` of the last change of feature `layer`/`id`.
fn change_of(set: &ChangeSet, layer: Layer, id: Option<&str>) -> Option<usize> {
    let id = id?;
    let names = |e: &Edit| match e {
        Edit::Add(f) | Edit::Change(f) => f.layer() == layer && f.id() == id,
        Edit::Delete { layer: l, id: i } => *l == layer && i == id,
    };
    let last = set.edits.iter().rposition(names)?;
    set.positions.get(last).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::read_change_request;

    #[test]
    fn problems_name_their_change_reader_first_then_the_edited_cadastre() {
        let site = |id: &str, name: &str| {
            format!(
                r#"{{"op":"add","layer":"sites","feature":{{"type":"Feature","id":"{id}",
                "geometry":{{"type":"Point","coordinates":[4.36,50.85]}},
                "properties":{{"id":"{id}",{name}"kind":"pop","owner":"nobody","status":"in_service"}}}}}}"#
            )
        };
        let text = format!(
            r#"{{"reason":"r","changes":[{},{}]}}"#,
            site("a", r#""name":"A","#),
            site("b", "")
        );
        let req = read_change_request(&text).unwrap();
        assert_eq!(req.reason.as_deref(), Some("r"));
        assert!(!req.has_author);
        let mut store = Store::open(tempfile::tempdir().unwrap().path()).unwrap();
        let who = Author {
            author: "t",
            reason: "r",
        };
        let Err(CadastreError::Invalid { report }) = apply(&mut store, 0, &req.set, who) else {
            panic!("an unknown owner is refused")
        };
        let got: Vec<_> = problems(&req.set, &report)
            .into_iter()
            .map(|p| (p.change, p.id, p.field))
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                (Some(1), s("b"), "name".to_string()),
                (Some(0), s("a"), "owner".to_string())
            ]
        );
        assert_eq!(store.version().unwrap(), 0, "nothing written");
    }

    #[test]
    fn a_request_with_an_author_or_a_bad_change_is_told_apart() {
        let req = read_change_request(
            r#"{"reason":"r","author":"eve","changes":[{"op":"delete","layer":"sites","id":"s1"}]}"#,
        )
        .unwrap();
        assert!(req.has_author);
        let empty = read_change_request(r#"{"reason":"r","changes":[]}"#);
        let Err(crate::store::RequestError::Faults(f)) = empty else {
            panic!("an empty change set is refused: {empty:?}")
        };
        assert_eq!((f[0].change, f[0].field.as_str()), (None, "changes"));
        let bad =
            read_change_request(r#"{"reason":"r","changes":[{"op":"move","layer":"sites"}]}"#);
        let Err(crate::store::RequestError::Faults(f)) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!((f[0].change, f[0].field.as_str()), (Some(0), "op"));
        assert_eq!(f[0].layer, Some(Layer::Sites));
        assert!(matches!(
            read_change_request("[]"),
            Err(crate::store::RequestError::Malformed(_))
        ));
    }
}
