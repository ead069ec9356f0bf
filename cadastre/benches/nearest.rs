//! Spatial index benchmark: `nearest_route` over a synthetic 100k-route Brussels network
//! (target < 10 µs a query), plus the index's build time and memory (RSS growth, printed).
//!
//! Run: `cargo bench -p cadastre --bench nearest`.

use std::hint::black_box;

use cadastre::geometry::SpatialIndex;
use cadastre::{Cadastre, Route, Site};
use criterion::{criterion_group, criterion_main, Criterion};
use geo::{LineString, MultiLineString, Point};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const N_ROUTES: usize = 100_000;

/// A point in the demo's extent (lon 4.24-4.48, lat 50.76-50.92).
fn lonlat(rng: &mut StdRng) -> (f64, f64) {
    (rng.gen_range(4.24..4.48), rng.gen_range(50.76..50.92))
}

/// Routes of 1-6 segments from a random start, each step up to `step` m east and north.
fn route(rng: &mut StdRng, i: usize, step: f64) -> Route {
    let (sx, sy) = (step / 70_400.0, step / 111_200.0);
    let mut pts = vec![lonlat(rng)];
    for _ in 0..rng.gen_range(1..=6) {
        let (x, y) = pts[pts.len() - 1];
        let (dx, dy) = (rng.gen_range(-sx..sx), rng.gen_range(-sy..sy));
        pts.push((x + dx, y + dy));
    }
    Route {
        id: format!("r-{i}"),
        name: None,
        from_site: String::new(),
        to_site: String::new(),
        owner: "irisnet".to_string(),
        deployment: "underground".to_string(),
        ducts_total: 0,
        ducts_free: 0,
        status: "in_service".to_string(),
        declared_length_m: None,
        srlgs: Vec::new(),
        geometry: MultiLineString::new(vec![LineString::from(pts)]),
    }
}

fn site(rng: &mut StdRng, i: usize) -> Site {
    let (x, y) = lonlat(rng);
    Site {
        id: format!("s-{i}"),
        name: format!("site {i}"),
        kind: "administration".to_string(),
        owner: None,
        address: None,
        commune: None,
        status: "in_service".to_string(),
        location: Point::new(x, y),
    }
}

/// 100k routes and 10k sites over the demo's extent. Steps of 45 m (manhole to manhole) make
/// ~7,000 km of route, a dense city (the demo network has ~400 km); steps of 300 m make
/// ~45,000 km of long diagonal segments whose boxes overlap: a stress case.
fn synthetic(step: f64) -> Cadastre {
    let mut rng = StdRng::seed_from_u64(72);
    Cadastre {
        routes: (0..N_ROUTES).map(|i| route(&mut rng, i, step)).collect(),
        sites: (0..N_ROUTES / 10).map(|i| site(&mut rng, i)).collect(),
        ..Cadastre::default()
    }
}

/// Resident set size in kB (Linux), 0 elsewhere.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:"));
    let kb = line.and_then(|l| l.split_whitespace().nth(1)?.parse().ok());
    kb.unwrap_or(0)
}

/// Builds the index over `cad`, printing its size and the RSS it added.
fn build_reporting(name: &str, cad: &Cadastre) -> SpatialIndex {
    let before = rss_kb();
    let idx = SpatialIndex::build(cad);
    let after = rss_kb();
    let (n_sites, n_segments) = idx.size();
    // Every rstar child is an `RTreeNode` enum as large as a parent node (a Vec and an AABB:
    // 64 B with the tag), leaves included; bulk loading fills ~6 of each node's 7 slots.
    let estimate = (n_sites + n_segments) * 64 * 7 / 6 / 1024;
    eprintln!(
        "{name}: {} routes, {n_segments} indexed segments, {n_sites} sites; RSS +{} kB \
         (estimate {estimate} kB for the trees, plus the id strings)",
        cad.routes.len(),
        after.saturating_sub(before)
    );
    idx
}

fn bench(c: &mut Criterion) {
    let cad = synthetic(45.0);
    let idx = build_reporting("street", &cad);
    let long = build_reporting("long", &synthetic(300.0));

    let mut group = c.benchmark_group("spatial_index");
    group.sample_size(10);
    group.bench_function("build_100k_routes", |b| {
        b.iter(|| SpatialIndex::build(black_box(&cad)))
    });
    group.finish();

    let mut rng = StdRng::seed_from_u64(3812);
    let queries: Vec<Point<f64>> = (0..1024).map(|_| lonlat(&mut rng).into()).collect();
    let mut q = queries.iter().cycle();
    let mut next = move || *q.next().unwrap_or(&Point::new(4.35, 50.85));
    c.bench_function("nearest_route_100k", |b| {
        b.iter(|| idx.nearest_route(black_box(next())))
    });
    c.bench_function("nearest_route_100k_long", |b| {
        b.iter(|| long.nearest_route(black_box(next())))
    });
    c.bench_function("nearest_site_10k", |b| {
        b.iter(|| idx.nearest_site(black_box(next())))
    });
    c.bench_function("within_200m_100k", |b| {
        b.iter(|| idx.within(black_box(next()), 200.0))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
