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

/// Street-like routes: 1-6 segments of up to ~50 m (manhole to manhole) from a random start:
/// ~7,000 km in all, a dense city (the demo network has ~400 km).
fn route(rng: &mut StdRng, i: usize) -> Route {
    let mut pts = vec![lonlat(rng)];
    for _ in 0..rng.gen_range(1..=6) {
        let (x, y) = pts[pts.len() - 1];
        let (dx, dy) = (
            rng.gen_range(-0.0006..0.0006),
            rng.gen_range(-0.0004..0.0004),
        );
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

fn synthetic() -> Cadastre {
    let mut rng = StdRng::seed_from_u64(72);
    Cadastre {
        routes: (0..N_ROUTES).map(|i| route(&mut rng, i)).collect(),
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

fn bench(c: &mut Criterion) {
    let cad = synthetic();
    let before = rss_kb();
    let idx = SpatialIndex::build(&cad);
    let after = rss_kb();
    let (n_sites, n_segments) = idx.size();
    // rstar leaves hold the elements (site 24 B, segment 40 B); nodes add ~10%.
    let estimate = (n_sites * 24 + n_segments * 40) * 11 / 10 / 1024;
    eprintln!(
        "index: {} routes, {n_segments} segments, {n_sites} sites; RSS +{} kB (estimate \
         {estimate} kB for the trees, plus the id strings)",
        cad.routes.len(),
        after.saturating_sub(before)
    );

    let mut group = c.benchmark_group("spatial_index");
    group.sample_size(10);
    group.bench_function("build_100k_routes", |b| {
        b.iter(|| SpatialIndex::build(black_box(&cad)))
    });
    group.finish();

    let mut rng = StdRng::seed_from_u64(3812);
    let queries: Vec<Point<f64>> = (0..1024).map(|_| lonlat(&mut rng).into()).collect();
    let mut q = queries.iter().cycle();
    c.bench_function("nearest_route_100k", |b| {
        b.iter(|| idx.nearest_route(black_box(*q.next().unwrap_or(&queries[0]))))
    });
    c.bench_function("nearest_site_10k", |b| {
        b.iter(|| idx.nearest_site(black_box(*q.next().unwrap_or(&queries[0]))))
    });
    c.bench_function("within_200m_100k", |b| {
        b.iter(|| idx.within(black_box(*q.next().unwrap_or(&queries[0])), 200.0))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
