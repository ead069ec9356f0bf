//! A worksite polygon cut end to end, as `irisops topology cut --area` does it once the
//! cadastre is loaded: the routes the polygon touches (the spatial index), then the cut on the
//! graph (isolated sites, broken circuits, re-routes over spare strands). Grids of 1k, 10k and
//! 100k sites, 100 m apart, with every horizontal route and every other vertical one (≈ 1.5
//! routes per site: 10k sites, 15k routes), a 12-strand cable on each, 200 two-strand circuits
//! around the middle; the worksite is a north-south trench 40 m wide and 1 km long between two
//! columns of sites in the middle (it crosses 10 east-west routes).
//!
//! Run: `cargo bench -p cadastre --bench polygon_cut`.

use std::hint::black_box;

use cadastre::geometry::SpatialIndex;
use cadastre::model::{Allocation, Cable, Use};
use cadastre::{Cadastre, Route, Site};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use geo::{coord, LineString, MultiLineString, MultiPolygon, Point, Polygon, Rect};
use topology::CutSpec;

const LON0: f64 = 4.30;
const LAT0: f64 = 50.80;
/// Degrees per 100 m at Brussels' latitude.
const DLON: f64 = 100.0 / 70_400.0;
const DLAT: f64 = 100.0 / 111_200.0;

fn at(x: usize, y: usize) -> (f64, f64) {
    (LON0 + x as f64 * DLON, LAT0 + y as f64 * DLAT)
}

fn grid(w: usize, h: usize) -> Cadastre {
    let id = |x: usize, y: usize| format!("s{x}_{y}");
    let mut cad = Cadastre::default();
    for y in 0..h {
        for x in 0..w {
            let (lon, lat) = at(x, y);
            cad.sites.push(Site {
                id: id(x, y),
                name: id(x, y),
                kind: if x == 0 && y == 0 {
                    "pop"
                } else {
                    "administration"
                }
                .to_string(),
                owner: None,
                address: None,
                commune: None,
                status: "in_service".to_string(),
                location: Point::new(lon, lat),
            });
        }
    }
    let add = |a: (usize, usize), b: (usize, usize), cad: &mut Cadastre| {
        let rid = format!("r{}", cad.routes.len());
        cad.routes.push(Route {
            id: rid.clone(),
            name: None,
            from_site: id(a.0, a.1),
            to_site: id(b.0, b.1),
            owner: "irisnet".to_string(),
            deployment: "underground".to_string(),
            ducts_total: 2,
            ducts_free: 1,
            status: "in_service".to_string(),
            declared_length_m: None,
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![LineString::from(vec![
                at(a.0, a.1),
                at(b.0, b.1),
            ])]),
        });
        cad.cables.push(Cable {
            id: format!("c{}", cad.cables.len()),
            name: None,
            routes: vec![rid],
            fibre_count: 12,
            fibre_type: None,
            owner: "irisnet".to_string(),
            status: "in_service".to_string(),
        });
    };
    for y in 0..h {
        for x in 0..w {
            if x + 1 < w {
                add((x, y), (x + 1, y), &mut cad);
            }
            if y + 1 < h && (x + y) % 2 == 0 {
                add((x, y), (x, y + 1), &mut cad);
            }
        }
    }
    // 200 circuits on the cables nearest the middle.
    let (mx, my) = at(w / 2, h / 2);
    let mut near: Vec<(f64, usize)> = cad
        .routes
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = r.geometry.0[0].0[0];
            (((p.x - mx) / DLON).powi(2) + ((p.y - my) / DLAT).powi(2), i)
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (n, &(_, i)) in near.iter().take(200).enumerate() {
        let r = &cad.routes[i];
        cad.allocations.push(Allocation {
            id: format!("a{n}"),
            cable: format!("c{i}"),
            strands: vec![1, 2],
            use_: if n % 2 == 0 {
                Use::Internal
            } else {
                Use::Lease
            },
            party: "noc".to_string(),
            owner: "irisnet".to_string(),
            from_site: r.from_site.clone(),
            to_site: r.to_site.clone(),
            a_end: None,
            b_end: None,
        });
    }
    cad
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("polygon_cut");
    g.sample_size(10);
    for (w, h) in [(40, 25), (125, 80), (400, 250)] {
        let cad = grid(w, h);
        let index = SpatialIndex::build(&cad);
        let (net, _) = cadastre::network::build_with(&cad, &index);
        let (mx, my) = at(w / 2, h / 2);
        // A trench dug north-south between two columns of sites: 40 m wide, 1 km long.
        let area = MultiPolygon(vec![Polygon::from(Rect::new(
            coord! { x: mx + 0.3 * DLON, y: my - 5.0 * DLAT },
            coord! { x: mx + 0.7 * DLON, y: my + 5.0 * DLAT },
        ))]);
        let routes = cadastre::network::routes_in(&index, &area);
        let report = net
            .cut(&CutSpec {
                links: routes.clone(),
                srlgs: Vec::new(),
            })
            .expect("cut");
        eprintln!(
            "{} sites, {} routes: the worksite cuts {} routes, breaks {} circuits, {} re-routable",
            cad.sites.len(),
            cad.routes.len(),
            routes.len(),
            report.broken_allocations.len(),
            report.reroutable.len()
        );
        g.bench_with_input(BenchmarkId::new("lookup", w * h), &area, |b, area| {
            b.iter(|| cadastre::network::routes_in(&index, black_box(area)).len())
        });
        g.bench_with_input(
            BenchmarkId::new("lookup_and_cut", w * h),
            &area,
            |b, area| {
                b.iter(|| {
                    let links = cadastre::network::routes_in(&index, black_box(area));
                    net.cut(&CutSpec {
                        links,
                        srlgs: Vec::new(),
                    })
                    .map(|r| r.broken_allocations.len())
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
