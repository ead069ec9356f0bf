//! Benchmarks of two diverse paths between far-apart sites and of spof, on generated grid-like
//! networks of 1k, 10k and 100k sites with about 1.5 links per site.
//!
//! The grid has every horizontal link and the vertical links of every other column, so each
//! site has 1 + 0.5 links on average; every 7th link shares a trench SRLG with its neighbour,
//! which makes the flow's first answer conflict now and then.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use topology::{AllocationSpec, Constraints, CutSpec, LinkSpec, Network, SiteSpec};

/// A `w × h` grid-like network and its two far corners.
fn grid(w: usize, h: usize, srlgs: bool) -> (Network, String, String) {
    let id = |x: usize, y: usize| format!("s{x}_{y}");
    let sites: Vec<SiteSpec> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| SiteSpec {
            id: id(x, y),
            name: id(x, y),
            is_core: false,
        })
        .collect();
    let mut links = Vec::new();
    let mut add = |a: String, b: String, n: usize| {
        links.push(LinkSpec {
            id: format!("l{n}"),
            length_m: 500.0 + (n * 7919 % 1000) as f64,
            owner: "own".into(),
            fibre_count: 12,
            srlgs: if srlgs && n.is_multiple_of(7) {
                vec![format!("trench{}", n / 14)]
            } else {
                Vec::new()
            },
            a,
            b,
            ..LinkSpec::default()
        });
    };
    let mut n = 0;
    for y in 0..h {
        for x in 0..w {
            if x + 1 < w {
                add(id(x, y), id(x + 1, y), n);
                n += 1;
            }
            if y + 1 < h && x % 2 == 0 {
                add(id(x, y), id(x, y + 1), n);
                n += 1;
            }
        }
    }
    let (net, _) = Network::build(&sites, &links);
    // the last column is odd for even w, so end on the last even column
    let far_x = if (w - 1).is_multiple_of(2) {
        w - 1
    } else {
        w - 2
    };
    (net, id(0, 0), id(far_x, h - 1))
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("topology");
    g.sample_size(10);
    for (w, h) in [(40, 25), (125, 80), (400, 250)] {
        let n = w * h;
        for srlgs in [false, true] {
            let (net, from, to) = grid(w, h, srlgs);
            let name = if srlgs { "diverse2_srlg" } else { "diverse2" };
            g.bench_with_input(BenchmarkId::new(name, n), &net, |b, net| {
                b.iter(|| {
                    net.diverse_paths(&from, &to, 2, &Constraints::default())
                        .map(|d| d.paths.len())
                })
            });
        }
        let (mut net, _, _) = grid(w, h, false);
        g.bench_with_input(BenchmarkId::new("spof", n), &net, |b, net| {
            b.iter(|| net.spof().bridges.len())
        });
        // A worksite-sized cut: the 8 horizontal links around the middle of the grid, with 100
        // one-link circuits on them and beside them (what a polygon resolves to; the polygon
        // lookup itself is the cadastre's spatial index, benchmarked there).
        let mid = (w / 2, h / 2);
        let near: Vec<String> = net
            .links()
            .filter(|l| {
                let xy = |s: &str| -> (usize, usize) {
                    let (x, y) = s[1..].split_once('_').unwrap_or(("0", "0"));
                    (x.parse().unwrap_or(0), y.parse().unwrap_or(0))
                };
                let ((ax, ay), (bx, by)) = (xy(&l.a), xy(&l.b));
                ay == by
                    && ay.abs_diff(mid.1) <= 1
                    && ax.abs_diff(mid.0) <= 1
                    && bx.abs_diff(mid.0) <= 2
            })
            .map(|l| l.id.clone())
            .collect();
        let allocations: Vec<AllocationSpec> = net
            .links()
            .filter(|l| {
                let y: usize =
                    l.a.split_once('_')
                        .and_then(|(_, y)| y.parse().ok())
                        .unwrap_or(0);
                y.abs_diff(mid.1) <= 2
            })
            .take(100)
            .chain(net.links().filter(|l| near.contains(&l.id)))
            .enumerate()
            .map(|(i, l)| AllocationSpec {
                id: format!("a{i:04}"),
                links: vec![l.id.clone()],
                from_site: l.a.clone(),
                to_site: l.b.clone(),
                strands: 2,
                kind: "internal".into(),
                party: "noc".into(),
            })
            .collect();
        net.set_allocations(allocations);
        let spec = CutSpec {
            links: near,
            srlgs: Vec::new(),
        };
        g.bench_with_input(BenchmarkId::new("cut", n), &net, |b, net| {
            b.iter(|| net.cut(&spec).map(|r| r.broken_allocations.len()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
