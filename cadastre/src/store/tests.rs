//! The store's contract: optimistic versions, validated atomic changes, append-only history,
//! earlier versions, byte-for-byte undo, persistence.

use std::path::Path;
use std::time::Instant;

use geo::{LineString, MultiLineString, Point};

use super::{features, Edit, Feature, Store, StoreError};
use crate::error::CadastreError;
use crate::model::{Cadastre, Layer, Owner, Route, Site};
use crate::problem::{Problem, Report};

fn ok(_: &Cadastre) -> Report {
    Report::default()
}

/// Refuses any cadastre with a site named "bad".
fn no_bad_sites(cad: &Cadastre) -> Report {
    let mut r = Report::default();
    for (i, s) in cad.sites.iter().enumerate() {
        if s.name == "bad" {
            r.push(Problem::error(
                Layer::Sites,
                Some(i),
                Some(&s.id),
                "name",
                "bad name",
            ));
        }
    }
    r
}

fn site(id: &str, x: f64) -> Site {
    Site {
        id: id.into(),
        name: format!("Site {id}"),
        kind: "pop".into(),
        owner: Some("cirb".into()),
        address: None,
        commune: Some("Ixelles".into()),
        status: "in_service".into(),
        location: Point::new(4.35 + x, 50.84 + x / 3.0),
    }
}

/// A site whose latitude serde_json parses 1 ULP off without its `float_roundtrip` feature.
fn awkward_floats() -> Site {
    Site {
        location: Point::new(4.363591029088499, 50.86575466946616),
        ..site("c", 0.02)
    }
}

fn small() -> Cadastre {
    let line = LineString::from(vec![
        (4.35, 50.84),
        (4.3512345678901, 50.841),
        (4.36, 50.8433333),
    ]);
    Cadastre {
        owners: vec![Owner {
            id: "cirb".into(),
            name: "CIRB-CIBG".into(),
            notes: None,
        }],
        sites: vec![site("a", 0.0), site("b", 0.01), awkward_floats()],
        routes: vec![Route {
            id: "r-1".into(),
            name: None,
            from_site: "a".into(),
            to_site: "c".into(),
            owner: "cirb".into(),
            deployment: "underground".into(),
            ducts_total: 4,
            ducts_free: 1,
            status: "in_service".into(),
            declared_length_m: Some(812.3),
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![line]),
        }],
        ..Cadastre::default()
    }
}

/// The store's own serialisation of every feature, in order.
fn bytes(cad: &Cadastre) -> String {
    features(cad)
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.record(i as i64)
                .map(|r| r.to_value().to_string())
                .unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn imported(dir: &Path) -> Store {
    let mut store = Store::open(dir).unwrap();
    assert_eq!(store.version().unwrap(), 0);
    assert_eq!(
        store
            .replace_all(0, &small(), "alice", "import", &ok)
            .unwrap(),
        1
    );
    store
}

#[test]
fn import_then_load_and_reopen_after_drop() {
    let dir = tempfile::tempdir().unwrap();
    drop(imported(dir.path()));
    assert!(dir.path().join("cadastre.db").exists());
    let store = Store::open(dir.path()).unwrap();
    let (cad, version) = store.load().unwrap();
    assert_eq!((cad, version), (small(), 1));
    assert_eq!(store.history().unwrap().len(), 1);
}

#[test]
fn stale_edit_from_the_same_base_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = imported(dir.path());
    let mut second = Store::open(dir.path()).unwrap();
    let (_, base) = second.load().unwrap();
    let add = |id: &str| vec![Edit::Add(Feature::Site(site(id, 0.03)))];
    assert_eq!(
        first
            .apply(base, &add("d"), "alice", "new pop", &ok)
            .unwrap(),
        2
    );
    let err = second
        .apply(base, &add("e"), "bob", "other pop", &ok)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CadastreError::Stale {
                base: 1,
                current: 2
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "stale edit: based on version 1, the cadastre is at version 2"
    );
    let (cad, _) = second.load().unwrap();
    assert!(cad.sites.iter().all(|s| s.id != "e"));
}

#[test]
fn rejected_change_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    let before = store.load().unwrap();
    let mut bad = site("d", 0.03);
    bad.name = "bad".into();
    let edits = [
        Edit::Delete {
            layer: Layer::Sites,
            id: "b".into(),
        },
        Edit::Add(Feature::Site(bad)),
    ];
    let err = store
        .apply(1, &edits, "alice", "x", &no_bad_sites)
        .unwrap_err();
    let CadastreError::Invalid { report } = err else {
        panic!("{err}")
    };
    assert_eq!(
        report.problems[0].to_string(),
        "error: sites[2] (id \"d\") name: bad name"
    );
    assert_eq!(store.load().unwrap(), before);
    assert_eq!(store.history().unwrap().len(), 1);
}

#[test]
fn duplicate_add_and_missing_change_name_layer_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    let dup = [Edit::Add(Feature::Site(site("a", 0.5)))];
    let err = store.apply(1, &dup, "alice", "x", &ok).unwrap_err();
    let CadastreError::Invalid { report } = err else {
        panic!("{err}")
    };
    assert_eq!(
        report.problems[0].to_string(),
        "error: sites (id \"a\") id: duplicate id \"a\": the feature already exists"
    );
    let missing = [Edit::Delete {
        layer: Layer::Routes,
        id: "r-9".into(),
    }];
    let err = store.apply(1, &missing, "alice", "x", &ok).unwrap_err();
    assert_eq!(err.to_string(), "routes \"r-9\": no such feature");
    let missing = [Edit::Change(Feature::Site(site("zz", 0.1)))];
    let err = store.apply(1, &missing, "alice", "x", &ok).unwrap_err();
    assert_eq!(err.to_string(), "sites \"zz\": no such feature");
    assert_eq!(store.version().unwrap(), 1);
    assert_eq!(store.load().unwrap().0, small());
}

/// Version 2 deletes site b, version 3 moves site a and adds d.
fn three_versions(store: &mut Store) {
    let del = [Edit::Delete {
        layer: Layer::Sites,
        id: "b".into(),
    }];
    assert_eq!(store.apply(1, &del, "bob", "b closed", &ok).unwrap(), 2);
    let edits = [
        Edit::Change(Feature::Site(site("a", 0.001))),
        Edit::Add(Feature::Site(site("d", 0.03))),
    ];
    assert_eq!(store.apply(2, &edits, "carol", "survey", &ok).unwrap(), 3);
}

#[test]
fn history_records_author_reason_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    three_versions(&mut store);
    let history = store.history().unwrap();
    assert_eq!(
        history.iter().map(|c| c.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(history[0].features.len(), 5);
    let c = &history[2];
    assert_eq!((c.author.as_str(), c.reason.as_str()), ("carol", "survey"));
    assert!(c.time_ms > 1_700_000_000_000);
    let ids: Vec<_> = c.features.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["a", "d"]);
    assert!(c.features[0].before.is_some() && c.features[0].after.is_some());
    assert!(c.features[1].before.is_none());
    assert!(history[1].features[0].after.is_none());
    // The history table refuses rewriting.
    let conn = rusqlite::Connection::open(dir.path().join("cadastre.db")).unwrap();
    assert!(conn.execute("DELETE FROM history", []).is_err());
    assert!(conn.execute("UPDATE history SET author = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM history_features", []).is_err());
    assert!(conn
        .execute("UPDATE history_features SET id = 'x'", [])
        .is_err());
}

#[test]
fn earlier_versions_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    three_versions(&mut store);
    assert_eq!(store.at_version(0).unwrap(), Cadastre::default());
    assert_eq!(store.at_version(1).unwrap(), small());
    let v2 = store.at_version(2).unwrap();
    assert_eq!(
        v2.sites.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["a", "c"]
    );
    assert_eq!(store.at_version(3).unwrap(), store.load().unwrap().0);
    assert!(matches!(
        store.at_version(4),
        Err(CadastreError::NotFound(_))
    ));
}

#[test]
fn undo_restores_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    let before = bytes(&store.load().unwrap().0);
    three_versions(&mut store);
    assert_eq!(
        store.undo(3, 3, "dave", "survey was wrong", &ok).unwrap(),
        4
    );
    assert_eq!(store.undo(2, 4, "dave", "b reopened", &ok).unwrap(), 5);
    let (after, _) = store.load().unwrap();
    assert_eq!(bytes(&after), before);
    assert_eq!(after, small());
    assert_eq!(store.history().unwrap()[4].reason, "b reopened");
}

#[test]
fn undo_refused_when_a_later_change_touched_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    three_versions(&mut store);
    let err = store.undo(1, 3, "dave", "x", &ok).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot undo version 1: sites \"a\" was changed since by version 3"),
        "{err}"
    );
    assert!(matches!(
        store.undo(1, 2, "dave", "x", &ok),
        Err(CadastreError::Stale { .. })
    ));
    assert!(matches!(
        store.undo(9, 3, "dave", "x", &ok),
        Err(CadastreError::NotFound(_))
    ));
    assert_eq!(store.version().unwrap(), 3);
}

#[test]
fn ten_thousand_features_replace_all_quickly() {
    let mut cad = crate::demo::generate(1);
    let n = cad.n_features();
    cad.sites
        .extend((n..10_000).map(|i| site(&format!("x-{i}"), (i % 97) as f64 * 1e-4)));
    assert!(cad.n_features() >= 10_000);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let t = Instant::now();
    store.replace_all(0, &cad, "import", "demo", &ok).unwrap();
    let write = t.elapsed();
    let t = Instant::now();
    let (back, _) = store.load().unwrap();
    let load = t.elapsed();
    eprintln!(
        "replace_all {} features: {write:?}, load {load:?}",
        cad.n_features()
    );
    for layer in crate::model::LAYERS {
        let (x, y) = (features(&back), features(&cad));
        let diff = x.iter().zip(&y).find(|(a, b)| a.layer() == layer && a != b);
        assert!(diff.is_none(), "{diff:?}");
    }
    assert!(back == cad);
    assert!(write.as_secs_f64() < 10.0, "{write:?}");
    // A second import of the same cadastre changes nothing but still records a version.
    assert_eq!(
        store.replace_all(1, &cad, "import", "again", &ok).unwrap(),
        2
    );
    assert!(store.history().unwrap()[1].features.is_empty());
}

/// `small()` with site b moved, site c deleted and site e added.
fn small_resurveyed() -> Cadastre {
    let mut cad = small();
    cad.sites[1] = site("b", 0.011);
    cad.sites.remove(2);
    cad.sites.push(site("e", 0.04));
    cad.routes[0].to_site = "b".into();
    cad
}

#[test]
fn a_reimport_is_summarised_rebuilt_and_undone_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path());
    let first = bytes(&store.load().unwrap().0);
    let second = small_resurveyed();
    assert_eq!(
        store
            .replace_all(1, &second, "bob", "resurvey", &ok)
            .unwrap(),
        2
    );
    assert_eq!(store.load().unwrap().0, second);
    let s = store.summaries().unwrap();
    let counts: Vec<_> = s
        .iter()
        .map(|c| (c.version, c.n_added, c.n_changed, c.n_deleted))
        .collect();
    assert_eq!(counts, [(1, 5, 0, 0), (2, 1, 2, 1)]);
    assert_eq!(
        (s[1].author.as_str(), s[1].reason.as_str()),
        ("bob", "resurvey")
    );
    assert_eq!(bytes(&store.at_version(1).unwrap()), first);
    assert_eq!(store.undo(2, 2, "carol", "wrong survey", &ok).unwrap(), 3);
    assert_eq!(bytes(&store.load().unwrap().0), first);
    // An undo is a change like any other: undoing it restores the re-import.
    assert_eq!(store.undo(3, 3, "carol", "redo", &ok).unwrap(), 4);
    assert_eq!(store.load().unwrap().0, second);
}

#[test]
fn an_import_with_a_repeated_id_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut cad = small();
    cad.sites.push(site("a", 0.2));
    let err = store.replace_all(0, &cad, "alice", "x", &ok).unwrap_err();
    let CadastreError::Invalid { report } = err else {
        panic!("{err}")
    };
    assert_eq!(
        report.problems[0].to_string(),
        "error: sites[3] (id \"a\") id: duplicate id \"a\""
    );
    assert_eq!(store.version().unwrap(), 0);
}

#[test]
fn history_rows_have_the_records_json() {
    for (i, f) in features(&small()).iter().enumerate() {
        let record = f.record(i as i64).unwrap();
        let row = super::db::Row::of_record(&record);
        assert_eq!(row.record_json(), record.to_value().to_string());
    }
}

/// A data directory of schema 0 kept each change's features inline in `history.features`.
#[test]
fn an_old_data_directory_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let old = tempfile::tempdir().unwrap();
    drop(imported(old.path()));
    let history = Store::open(old.path()).unwrap().history().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("cadastre.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE features (layer TEXT NOT NULL, id TEXT NOT NULL,
             position INTEGER NOT NULL, properties TEXT NOT NULL, geometry TEXT,
             PRIMARY KEY (layer, id)) WITHOUT ROWID;
         CREATE TABLE history (version INTEGER PRIMARY KEY, author TEXT NOT NULL,
             time_ms INTEGER NOT NULL, reason TEXT NOT NULL, features TEXT NOT NULL);",
    )
    .unwrap();
    let c = &history[0];
    conn.execute(
        "INSERT INTO history VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            1,
            c.author,
            c.time_ms,
            c.reason,
            serde_json::to_string(&c.features).unwrap()
        ],
    )
    .unwrap();
    conn.execute_batch(&format!(
        "ATTACH '{}' AS old; INSERT INTO features SELECT * FROM old.features;",
        old.path().join("cadastre.db").display()
    ))
    .unwrap();
    drop(conn);
    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(store.history().unwrap(), history);
    assert_eq!(store.at_version(0).unwrap(), Cadastre::default());
    assert_eq!(store.undo(1, 1, "dave", "x", &ok).unwrap(), 2);
    assert_eq!(store.load().unwrap().0, Cadastre::default());
}

/// A failing SQLite call reaches the caller with the database's path, what the store was
/// doing, and the rusqlite error itself as the source (not only its text).
#[test]
fn a_store_error_keeps_its_sqlite_source_and_names_its_step() {
    fn error_type<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let dir = tempfile::tempdir().unwrap();
    let store = imported(dir.path());
    let db = dir.path().join(super::DB_FILE);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP TABLE features").unwrap();
    let err = store.load().unwrap_err();
    error_type(&err);
    let CadastreError::Store { path, source } = &err else {
        panic!("not a store error: {err:?}")
    };
    assert_eq!(path, &db);
    assert!(
        matches!(
            source,
            StoreError::Sqlite {
                op: "read the features",
                ..
            }
        ),
        "{source:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "cadastre store {}: cannot read the features: no such table: features",
            db.display()
        )
    );
    let store_error = std::error::Error::source(&err).expect("the store's error");
    let sqlite = store_error.source().expect("the rusqlite error");
    assert!(
        sqlite.downcast_ref::<rusqlite::Error>().is_some(),
        "{sqlite:?}"
    );
}

/// A record that is not JSON names the change, layer and feature, and keeps the JSON error.
#[test]
fn a_corrupt_history_record_names_its_change_and_feature() {
    let dir = tempfile::tempdir().unwrap();
    let store = imported(dir.path());
    let conn = rusqlite::Connection::open(dir.path().join(super::DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER history_features_no_update;
         UPDATE history_features SET after = '{' WHERE version = 1 AND layer = 'sites' AND id = 'a'",
    )
    .unwrap();
    let err = store.history().unwrap_err();
    let message = err.to_string();
    assert!(
        message.ends_with("history version 1 sites \"a\": bad record: EOF while parsing an object at line 1 column 1"),
        "{message}"
    );
    let source = std::error::Error::source(&err).and_then(|e| e.source());
    assert!(source.is_some_and(|e| e.downcast_ref::<serde_json::Error>().is_some()));
}
