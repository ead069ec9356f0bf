//! k link-disjoint (or site-disjoint) paths of minimum total length: Suurballe/Bhandari as a
//! min-cost flow of k units, by successive shortest paths with Dijkstra on reduced costs.
//!
//! Each undirected link becomes two arcs (one per direction) of capacity 1. So that the user
//! still gets k paths when fewer than k disjoint ones exist (and sees the shared bridge), every
//! arc also has a parallel "sharing" arc of capacity k-1 whose cost carries a penalty larger
//! than any sum of lengths: the optimum first minimises the number of shared uses, then length.
//! For site-disjointness each intermediate site is split into an in and an out node joined by
//! the same pair (capacity 1 free, capacity k-1 penalised). Opposite flows on a link cancel
//! before the flow is decomposed into paths.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::EdgePath;
use crate::network::Network;

/// One residual arc; arcs `i` and `i ^ 1` are each other's reverse.
struct Arc {
    to: usize,
    cap: usize,
    cost: i128,
}

/// The flow's outcome: paths (shortest first) and whether any unit had to share.
pub(crate) struct FlowPaths {
    pub(crate) paths: Vec<EdgePath>,
    pub(crate) shared: bool,
}

struct Residual {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Residual {
    fn add(&mut self, u: usize, v: usize, cap: usize, cost: i128) -> usize {
        let i = self.arcs.len();
        self.arcs.push(Arc { to: v, cap, cost });
        self.arcs.push(Arc {
            to: u,
            cap: 0,
            cost: -cost,
        });
        self.out[u].push(i);
        self.out[v].push(i + 1);
        i
    }

    /// Flow on a forward arc: the capacity its reverse has gained.
    fn flow(&self, i: usize) -> usize {
        self.arcs[i ^ 1].cap
    }
}

/// k paths from `s` to `t` (`s != t`, `k >= 1`) over the `allowed` edges.
pub(crate) fn k_paths(
    net: &Network,
    s: usize,
    t: usize,
    k: usize,
    allowed: &[bool],
    node_disjoint: bool,
) -> FlowPaths {
    let n = net.n_sites();
    let total: i128 = (0..net.n_links())
        .filter(|&e| allowed[e])
        .map(|e| net.cost(e))
        .sum();
    // Larger than the length of any k units of flow, so one shared use outweighs all length.
    let penalty = (total + 1) * 2 * k as i128 + 1;
    let out_node = |v: usize| {
        if node_disjoint && v != s && v != t {
            n + v
        } else {
            v
        }
    };
    let mut r = Residual {
        arcs: Vec::new(),
        out: vec![Vec::new(); if node_disjoint { 2 * n } else { n }],
    };
    if node_disjoint {
        for v in (0..n).filter(|&v| v != s && v != t) {
            r.add(v, n + v, 1, 0);
            if k > 1 {
                r.add(v, n + v, k - 1, penalty);
            }
        }
    }
    // (forward arc, link, direction a->b?) for every link arc, to read the flow back.
    let mut link_arcs: Vec<(usize, usize, bool)> = Vec::new();
    for e in (0..net.n_links()).filter(|&e| allowed[e]) {
        let (a, b) = net.ends(e);
        let c = net.cost(e);
        for (u, v, forward) in [(a, b, true), (b, a, false)] {
            link_arcs.push((r.add(out_node(u), v, 1, c), e, forward));
            if k > 1 {
                link_arcs.push((r.add(out_node(u), v, k - 1, c + penalty), e, forward));
            }
        }
    }
    let cost = augment(&mut r, s, t, k);
    let mut net_flow: HashMap<usize, i64> = HashMap::new();
    for &(i, e, forward) in &link_arcs {
        let f = r.flow(i) as i64;
        *net_flow.entry(e).or_default() += if forward { f } else { -f };
    }
    FlowPaths {
        paths: decompose(net, s, t, &net_flow),
        shared: cost >= penalty,
    }
}

/// Pushes up to k units from s to t along successive shortest paths; returns the total cost.
fn augment(r: &mut Residual, s: usize, t: usize, k: usize) -> i128 {
    let n = r.out.len();
    let mut potential = vec![0i128; n];
    let mut total = 0;
    for _ in 0..k {
        let mut dist = vec![i128::MAX; n];
        let mut via: Vec<Option<usize>> = vec![None; n];
        let mut heap = BinaryHeap::new();
        dist[s] = 0;
        heap.push(Reverse((0i128, s)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            for &i in &r.out[u] {
                let a = &r.arcs[i];
                if a.cap == 0 {
                    continue;
                }
                // Reduced costs are >= 0 by the potentials' invariant; max(0) guards nothing
                // but keeps Dijkstra's precondition visible.
                let rc = (a.cost + potential[u] - potential[a.to]).max(0);
                if d + rc < dist[a.to] {
                    dist[a.to] = d + rc;
                    via[a.to] = Some(i);
                    heap.push(Reverse((d + rc, a.to)));
                }
            }
        }
        if dist[t] == i128::MAX {
            break;
        }
        for v in 0..n {
            if dist[v] != i128::MAX {
                potential[v] += dist[v];
            }
        }
        let mut v = t;
        while let Some(i) = via[v] {
            r.arcs[i].cap -= 1;
            r.arcs[i ^ 1].cap += 1;
            total += r.arcs[i].cost;
            v = r.arcs[i ^ 1].to;
        }
    }
    total
}

/// Splits the net link flow into paths from s to t, dropping any cycle a walk closes.
fn decompose(net: &Network, s: usize, t: usize, net_flow: &HashMap<usize, i64>) -> Vec<EdgePath> {
    let mut units: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    let mut links: Vec<(&usize, &i64)> = net_flow.iter().filter(|(_, f)| **f != 0).collect();
    links.sort();
    for (&e, &f) in links.into_iter().rev() {
        let (a, b) = net.ends(e);
        let (u, v) = if f > 0 { (a, b) } else { (b, a) };
        for _ in 0..f.unsigned_abs() {
            units.entry(u).or_default().push((e, v));
        }
    }
    let n_from_s = units.get(&s).map_or(0, Vec::len);
    let mut paths = Vec::new();
    for _ in 0..n_from_s {
        let (mut edges, mut nodes) = (Vec::new(), vec![s]);
        let mut pos: HashMap<usize, usize> = HashMap::from([(s, 0)]);
        let mut cur = s;
        while cur != t {
            let Some((e, w)) = units.get_mut(&cur).and_then(Vec::pop) else {
                break;
            };
            cur = w;
            if let Some(&i) = pos.get(&w) {
                for x in nodes.drain(i + 1..) {
                    pos.remove(&x);
                }
                edges.truncate(i);
                continue;
            }
            edges.push(e);
            nodes.push(w);
            pos.insert(w, nodes.len() - 1);
        }
        if cur == t {
            let cost = edges.iter().map(|&e| net.cost(e)).sum();
            paths.push(EdgePath { edges, nodes, cost });
        }
    }
    paths.sort_by(|x, y| (x.cost, &x.edges).cmp(&(y.cost, &y.edges)));
    paths
}
