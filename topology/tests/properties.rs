//! Property tests on random small multigraphs (<= 8 sites, <= 14 links, SRLGs from a pool of
//! three): diverse paths are real chains and as diverse as a brute force says is possible,
//! shortest paths match a reference Dijkstra, bridges and SRLG bridges really cut.

use std::collections::{BTreeSet, HashSet};

use proptest::prelude::*;
use topology::{Constraints, LinkSpec, Network, SiteSpec};

const POOL: [&str; 3] = ["t1", "t2", "t3"];

/// A random network as specs plus the links the builder keeps (no self-loops).
#[derive(Debug, Clone)]
struct Case {
    sites: Vec<SiteSpec>,
    links: Vec<LinkSpec>,
}

impl Case {
    fn net(&self) -> Network {
        Network::build(&self.sites, &self.links).0
    }

    fn kept(&self) -> Vec<&LinkSpec> {
        self.links.iter().filter(|l| l.a != l.b).collect()
    }

    fn site(&self, i: usize) -> &str {
        &self.sites[i].id
    }
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=8).prop_flat_map(|n| {
        let link = (0..n, 0..n, 1u32..=20, 0u8..8, 0u32..4);
        prop::collection::vec(link, 0..=14).prop_map(move |ls| Case {
            sites: (0..n)
                .map(|i| SiteSpec {
                    id: format!("s{i}"),
                    name: format!("site {i}"),
                    is_core: false,
                })
                .collect(),
            links: ls
                .into_iter()
                .enumerate()
                .map(|(i, (a, b, km, mask, spare))| LinkSpec {
                    id: format!("l{i}"),
                    a: format!("s{a}"),
                    b: format!("s{b}"),
                    length_m: f64::from(km) * 100.0,
                    owner: "own".into(),
                    fibre_count: spare,
                    srlgs: (0..3)
                        .filter(|g| mask & (1 << g) != 0)
                        .map(|g| POOL[g].to_string())
                        .collect(),
                    ..LinkSpec::default()
                })
                .collect(),
        })
    })
}

/// A simple path as the indices (into `Case::kept`) of its links, and its inner sites.
#[derive(Debug, Clone)]
struct Simple {
    links: Vec<usize>,
    inner: Vec<String>,
    length: f64,
}

fn simple_paths(links: &[&LinkSpec], from: &str, to: &str) -> Vec<Simple> {
    fn go(
        links: &[&LinkSpec],
        at: &str,
        to: &str,
        visited: &mut Vec<String>,
        used: &mut Vec<usize>,
        out: &mut Vec<Simple>,
    ) {
        if at == to {
            let length = used.iter().map(|&i| links[i].length_m).sum();
            let inner = visited[1..visited.len() - 1].to_vec();
            out.push(Simple {
                links: used.clone(),
                inner,
                length,
            });
            return;
        }
        for (i, l) in links.iter().enumerate() {
            let next = if l.a == at {
                &l.b
            } else if l.b == at {
                &l.a
            } else {
                continue;
            };
            if visited.contains(next) {
                continue;
            }
            visited.push(next.clone());
            used.push(i);
            go(links, next, to, visited, used, out);
            used.pop();
            visited.pop();
        }
    }
    let mut out = Vec::new();
    go(
        links,
        from,
        to,
        &mut vec![from.to_string()],
        &mut Vec::new(),
        &mut out,
    );
    out
}

fn srlgs_of<'a>(links: &[&'a LinkSpec], p: &Simple) -> HashSet<&'a str> {
    p.links
        .iter()
        .flat_map(|&i| links[i].srlgs.iter().map(String::as_str))
        .collect()
}

/// The shortest total length of a fully diverse pair, by brute force.
fn best_diverse_pair(links: &[&LinkSpec], from: &str, to: &str, nd: bool) -> Option<f64> {
    let paths = simple_paths(links, from, to);
    let mut best: Option<f64> = None;
    for (i, p) in paths.iter().enumerate() {
        let gp = srlgs_of(links, p);
        for q in &paths[i + 1..] {
            let shares_link = p.links.iter().any(|l| q.links.contains(l));
            let shares_srlg = srlgs_of(links, q).iter().any(|g| gp.contains(g));
            let shares_site = nd && p.inner.iter().any(|s| q.inner.contains(s));
            if !shares_link && !shares_srlg && !shares_site {
                let total = p.length + q.length;
                best = Some(best.map_or(total, |b| b.min(total)));
            }
        }
    }
    best
}

/// Number of connected components over `n` sites using the given links.
fn components(n: usize, links: &[&LinkSpec]) -> usize {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        p[x] = r;
        r
    }
    let idx = |s: &str| s[1..].parse::<usize>().unwrap();
    for l in links {
        let (a, b) = (find(&mut parent, idx(&l.a)), find(&mut parent, idx(&l.b)));
        parent[a] = b;
    }
    (0..n).filter(|&x| find(&mut parent, x) == x).count()
}

/// Plain reference Dijkstra over the links with enough spare strands.
fn reference_shortest(case: &Case, from: &str, to: &str, min_spare: u32) -> Option<f64> {
    let n = case.sites.len();
    let idx = |s: &str| s[1..].parse::<usize>().unwrap();
    let mut dist = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    dist[idx(from)] = 0.0;
    for _ in 0..n {
        let u = (0..n)
            .filter(|&v| !done[v])
            .min_by(|&x, &y| dist[x].total_cmp(&dist[y]))?;
        if dist[u].is_infinite() {
            break;
        }
        done[u] = true;
        for l in case.kept() {
            if l.fibre_count < min_spare {
                continue;
            }
            let (a, b) = (idx(&l.a), idx(&l.b));
            for (x, y) in [(a, b), (b, a)] {
                if x == u && dist[u] + l.length_m < dist[y] {
                    dist[y] = dist[u] + l.length_m;
                }
            }
        }
    }
    let d = dist[idx(to)];
    d.is_finite().then_some(d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn diverse_paths_are_chains_and_report_what_they_share(
        case in case(), k in 1usize..=3, nd in any::<bool>()
    ) {
        let net = case.net();
        let (from, to) = (case.site(0), case.site(case.sites.len() - 1));
        let c = Constraints { node_disjoint: nd, ..Constraints::default() };
        let d = net.diverse_paths(from, to, k, &c).unwrap();
        prop_assert!(d.paths.len() <= k);
        let mut seen_routes = Vec::new();
        let mut seen_srlgs = Vec::new();
        let mut seen_sites = Vec::new();
        for p in &d.paths {
            prop_assert_eq!(p.sites.first().map(String::as_str), Some(from));
            prop_assert_eq!(p.sites.last().map(String::as_str), Some(to));
            prop_assert_eq!(p.routes.len() + 1, p.sites.len());
            let mut length = 0.0;
            for (i, r) in p.routes.iter().enumerate() {
                let l = net.link(r).unwrap();
                let (x, y) = (&p.sites[i], &p.sites[i + 1]);
                prop_assert!((&l.a == x && &l.b == y) || (&l.a == y && &l.b == x));
                length += l.length_m;
            }
            prop_assert!((length - p.length_m).abs() < 1e-6);
            let unique: BTreeSet<&String> = p.sites.iter().collect();
            prop_assert_eq!(unique.len(), p.sites.len(), "path revisits a site");
            seen_routes.push(p.routes.iter().cloned().collect::<BTreeSet<_>>());
            seen_srlgs.push(p.routes.iter().flat_map(|r| net.link(r).unwrap().srlgs.clone())
                .collect::<BTreeSet<_>>());
            seen_sites.push(p.sites[1..p.sites.len() - 1].iter().cloned().collect::<BTreeSet<_>>());
        }
        let mut shares = false;
        for i in 0..d.paths.len() {
            for j in i + 1..d.paths.len() {
                shares |= !seen_routes[i].is_disjoint(&seen_routes[j])
                    || !seen_srlgs[i].is_disjoint(&seen_srlgs[j])
                    || (nd && !seen_sites[i].is_disjoint(&seen_sites[j]));
            }
        }
        prop_assert_eq!(d.fully_diverse, d.paths.len() == k && !shares);
        prop_assert_eq!(d.shared_risks.is_empty(), !shares);
        if d.paths.is_empty() {
            prop_assert!(reference_shortest(&case, from, to, 0).is_none());
        }
    }

    #[test]
    fn not_fully_diverse_only_when_brute_force_agrees(case in case(), nd in any::<bool>()) {
        let net = case.net();
        let (from, to) = (case.site(0), case.site(case.sites.len() - 1));
        let c = Constraints { node_disjoint: nd, ..Constraints::default() };
        let d = net.diverse_paths(from, to, 2, &c).unwrap();
        let best = best_diverse_pair(&case.kept(), from, to, nd);
        prop_assert_eq!(d.fully_diverse, best.is_some(), "solver {:?}", d);
        if let Some(best) = best {
            let total: f64 = d.paths.iter().map(|p| p.length_m).sum();
            prop_assert!((total - best).abs() < 1e-6, "total {} best {}", total, best);
        }
    }

    #[test]
    fn disjoint_paths_are_found_without_srlgs(case in case(), k in 2usize..=3) {
        let mut case = case;
        for l in &mut case.links {
            l.srlgs.clear();
        }
        let net = case.net();
        let (from, to) = (case.site(0), case.site(case.sites.len() - 1));
        let d = net.diverse_paths(from, to, k, &Constraints::default()).unwrap();
        // Menger: k link-disjoint paths exist iff no k-1 links cut from from to;
        // check by brute force over subsets of at most k-1 kept links.
        let kept = case.kept();
        let idx = |s: &str| s[1..].parse::<usize>().unwrap();
        let connected = |links: &[&LinkSpec]| {
            let mut reach = vec![idx(from)];
            let mut i = 0;
            while i < reach.len() {
                let u = reach[i];
                for l in links {
                    for (x, y) in [(idx(&l.a), idx(&l.b)), (idx(&l.b), idx(&l.a))] {
                        if x == u && !reach.contains(&y) {
                            reach.push(y);
                        }
                    }
                }
                i += 1;
            }
            reach.contains(&idx(to))
        };
        let mut cut_exists = !connected(&kept);
        for a in 0..kept.len() {
            let without: Vec<_> = kept.iter().enumerate().filter(|(i, _)| *i != a)
                .map(|(_, l)| *l).collect();
            cut_exists |= k >= 2 && !connected(&without);
            if k == 3 {
                for b in a + 1..kept.len() {
                    let without: Vec<_> = kept.iter().enumerate()
                        .filter(|(i, _)| *i != a && *i != b).map(|(_, l)| *l).collect();
                    cut_exists |= !connected(&without);
                }
            }
        }
        prop_assert_eq!(d.fully_diverse, !cut_exists);
    }

    #[test]
    fn shortest_path_matches_reference_dijkstra(case in case(), min_spare in 0u32..3) {
        let net = case.net();
        let c = Constraints { min_spare_strands: min_spare, ..Constraints::default() };
        for t in 1..case.sites.len() {
            let (from, to) = (case.site(0), case.site(t));
            let got = net.shortest_path(from, to, &c).unwrap().map(|p| p.length_m);
            let want = reference_shortest(&case, from, to, min_spare);
            prop_assert_eq!(got.is_some(), want.is_some());
            if let (Some(g), Some(w)) = (got, want) {
                prop_assert!((g - w).abs() < 1e-6, "got {} want {}", g, w);
            }
        }
    }

    #[test]
    fn bridges_and_srlg_bridges_really_cut(case in case()) {
        let net = case.net();
        let spof = net.spof();
        let kept = case.kept();
        let n = case.sites.len();
        let base = components(n, &kept);
        for l in &kept {
            let without: Vec<_> = kept.iter().filter(|m| m.id != l.id).copied().collect();
            let cuts = components(n, &without) > base;
            prop_assert_eq!(cuts, spof.bridges.contains(&l.id), "link {}", l.id);
        }
        for s in &case.sites {
            let without: Vec<_> = kept.iter().filter(|l| l.a != s.id && l.b != s.id)
                .copied().collect();
            // the removed site no longer counts as a component of its own
            let cuts = components(n, &without) - 1 > base;
            prop_assert_eq!(cuts, spof.articulation_points.contains(&s.id), "site {}", s.id);
        }
        let srlg_bridges = net.srlg_bridges();
        for g in POOL {
            let without: Vec<_> = kept.iter().filter(|l| !l.srlgs.iter().any(|x| x == g))
                .copied().collect();
            let cuts = components(n, &without) > base;
            prop_assert_eq!(cuts, srlg_bridges.iter().any(|x| x == g), "srlg {}", g);
        }
        let mut sorted = spof.bridges.clone();
        sorted.sort();
        prop_assert_eq!(sorted, spof.bridges);
    }
}
