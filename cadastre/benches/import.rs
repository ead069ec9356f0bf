//! Import + validate at the scale: 100k features (30k sites, 30k routes, 20k cables,
//! 20k allocations), written with `write_dir`, then `read_files` + `validate` timed (budget:
//! < 2 s). Run: `cargo bench -p cadastre --bench import`.

use std::path::PathBuf;

use cadastre::geojson_io::{read_files, write_dir};
use cadastre::validate::{validate, ValidateOptions};
use cadastre::*;
use criterion::{criterion_group, criterion_main, Criterion};
use geo::{LineString, MultiLineString, Point};

const N_SITES: usize = 30_000;
const N_ROUTES: usize = 30_000;
const N_CABLES: usize = 20_000;
const N_ALLOCATIONS: usize = 20_000;
const COLUMNS: usize = 200;

/// Sites on a grid over the city; route i joins site i to site i+1 (wrapping), drawn with a
/// bend; cable i follows routes i and i+1; allocation i takes two strands of cable i.
fn synthetic() -> Cadastre {
    let s = |i: usize| format!("s{}", i % N_SITES);
    let at = |i: usize| {
        let (col, row) = ((i % N_SITES) % COLUMNS, (i % N_SITES) / COLUMNS);
        Point::new(4.25 + col as f64 * 0.001, 50.77 + row as f64 * 0.0009)
    };
    let owners = (0..6)
        .map(|i| Owner {
            id: format!("o{i}"),
            name: format!("Owner {i}"),
            notes: None,
        })
        .collect();
    let sites = (0..N_SITES)
        .map(|i| Site {
            id: s(i),
            name: format!("Site {i}"),
            kind: "cabinet".to_string(),
            owner: Some(format!("o{}", i % 6)),
            address: None,
            commune: None,
            status: "in_service".to_string(),
            location: at(i),
        })
        .collect();
    let routes = (0..N_ROUTES)
        .map(|i| {
            let (a, b) = (at(i), at(i + 1));
            let bend = Point::new((a.x() + b.x()) / 2.0, (a.y() + b.y()) / 2.0 + 0.0001);
            Route {
                id: format!("r{i}"),
                name: None,
                from_site: s(i),
                to_site: s(i + 1),
                owner: format!("o{}", i % 6),
                deployment: "underground".to_string(),
                ducts_total: 4,
                ducts_free: 2,
                status: "in_service".to_string(),
                declared_length_m: None,
                srlgs: Vec::new(),
                geometry: MultiLineString::new(vec![LineString::from(vec![a, bend, b])]),
            }
        })
        .collect();
    let cables = (0..N_CABLES)
        .map(|i| Cable {
            id: format!("c{i}"),
            name: None,
            routes: vec![format!("r{i}"), format!("r{}", i + 1)],
            fibre_count: 48,
            fibre_type: Some("G.652.D".to_string()),
            owner: format!("o{}", i % 6),
            status: "in_service".to_string(),
        })
        .collect();
    let allocations = (0..N_ALLOCATIONS)
        .map(|i| Allocation {
            id: format!("a{i}"),
            cable: format!("c{i}"),
            strands: vec![1, 2],
            use_: Use::Lease,
            party: "operator".to_string(),
            owner: format!("o{}", i % 6),
            from_site: s(i),
            to_site: s(i + 2),
            a_end: None,
            b_end: None,
        })
        .collect();
    Cadastre {
        owners,
        sites,
        routes,
        cables,
        allocations,
        ..Cadastre::default()
    }
}

fn import(c: &mut Criterion) {
    // `IRISOPS_WRITE_SYNTHETIC=DIR`: only write the 100k-feature network there (to measure the
    // CLI's peak memory: `/usr/bin/time -v irisops cadastre validate DIR/*.geojson`).
    if let Some(out) = std::env::var_os("IRISOPS_WRITE_SYNTHETIC") {
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).expect("create the output directory");
        write_dir(&synthetic(), &out).expect("write");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cad = synthetic();
    write_dir(&cad, dir.path()).expect("write");
    let paths: Vec<PathBuf> = LAYERS
        .iter()
        .map(|l| dir.path().join(format!("{}.geojson", l.as_str())))
        .collect();
    let (read, report) = read_files(&paths, None).expect("read");
    assert!(read == cad && report.problems.is_empty());
    let problems = validate(&read, &ValidateOptions::default()).problems;
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(5)]
    );
    let opts = ValidateOptions::default();

    let mut group = c.benchmark_group("import_100k");
    group.sample_size(10);
    group.bench_function("read_files+validate", |b| {
        b.iter(|| {
            let (cad, _) = read_files(&paths, None).expect("read");
            validate(&cad, &opts)
        })
    });
    group.bench_function("read_files", |b| {
        b.iter(|| read_files(&paths, None).expect("read"))
    });
    group.bench_function("validate", |b| b.iter(|| validate(&cad, &opts)));
    group.bench_function("write_dir", |b| {
        b.iter(|| write_dir(&cad, dir.path()).expect("write"))
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
