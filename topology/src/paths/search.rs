//! Exact search for k fully diverse paths (no shared link, no shared SRLG, and no shared
//! intermediate site when asked) of minimum total length, within a work budget.
//!
//! SRLG-diverse paths are NP-hard in general, so this is branch and bound: the first path runs
//! over every simple path (iterative DFS, neighbours ordered by an A* estimate), each candidate
//! blocks its links, every link of its SRLGs (and its intermediate sites), and the remaining
//! k-1 paths are searched the same way in what is left; the last one is a plain Dijkstra. Since
//! the shortest member of the optimal set is enumerated first, a branch is cut as soon as
//! `chosen + remaining × lower bound` reaches the best total found. For k = 2 this is exact
//! whenever the budget is not exhausted.

use super::{dijkstra, distances, EdgePath};
use crate::network::Network;

/// Work units (DFS steps plus Dijkstra heap pops) one search may spend.
pub(crate) const SEARCH_BUDGET: u64 = 3_000_000;

/// The search state. Blocks are counters so nested levels can undo theirs.
pub(crate) struct Search<'a> {
    net: &'a Network,
    s: usize,
    t: usize,
    allowed: &'a [bool],
    node_disjoint: bool,
    max_cost: Option<i128>,
    /// Admissible estimate: distance to `t` over the allowed links.
    h: Vec<i128>,
    edge_block: Vec<u32>,
    node_block: Vec<u32>,
    chosen: Vec<EdgePath>,
    best: Option<(i128, Vec<EdgePath>)>,
    work: u64,
}

/// One DFS frame: a node and its remaining candidate steps.
struct Frame {
    cands: Vec<(usize, usize)>,
    next: usize,
}

impl<'a> Search<'a> {
    pub(crate) fn new(
        net: &'a Network,
        s: usize,
        t: usize,
        allowed: &'a [bool],
        node_disjoint: bool,
        max_cost: Option<i128>,
    ) -> Self {
        let h = distances(net, t, |e| allowed[e].then(|| net.cost(e)));
        Self {
            net,
            s,
            t,
            allowed,
            node_disjoint,
            max_cost,
            h,
            edge_block: vec![0; net.n_links()],
            node_block: vec![0; net.n_sites()],
            chosen: Vec::new(),
            best: None,
            work: 0,
        }
    }

    /// The best fully diverse set of `k >= 2` paths found, and whether the search was complete.
    pub(crate) fn run(mut self, k: usize) -> (Option<Vec<EdgePath>>, bool) {
        self.level(k);
        let complete = !self.exhausted();
        (self.best.map(|(_, p)| p), complete)
    }

    fn exhausted(&self) -> bool {
        self.work > SEARCH_BUDGET
    }

    fn chosen_cost(&self) -> i128 {
        self.chosen.iter().map(|p| p.cost).sum()
    }

    /// Whether a path of at least `lb` at a level with `r` paths to go cannot help.
    fn cut(&self, lb: i128, r: usize) -> bool {
        self.max_cost.is_some_and(|m| lb > m)
            || self
                .best
                .as_ref()
                .is_some_and(|(b, _)| self.chosen_cost() + r as i128 * lb >= *b)
    }

    fn usable(&self, e: usize, w: usize) -> bool {
        self.allowed[e]
            && self.edge_block[e] == 0
            && (w == self.t || self.node_block[w] == 0)
            && self.h[w] != i128::MAX
    }

    /// Candidate steps from `u`, most promising first.
    fn steps(&self, u: usize, on_path: &[bool]) -> Vec<(usize, usize)> {
        let mut c: Vec<(usize, usize)> = self
            .net
            .adj(u)
            .iter()
            .copied()
            .filter(|&(e, w)| !on_path[w] && self.usable(e, w))
            .collect();
        c.sort_by_key(|&(e, w)| (self.net.cost(e) + self.h[w], e));
        c
    }

    /// Chooses one path of the `r >= 2` still to find, then recurses.
    fn level(&mut self, r: usize) {
        let n = self.net.n_sites();
        let mut on_path = vec![false; n];
        on_path[self.s] = true;
        let (mut edges, mut nodes, mut costs) = (Vec::new(), vec![self.s], vec![0i128]);
        let mut stack = vec![Frame {
            cands: self.steps(self.s, &on_path),
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            if self.exhausted() {
                return;
            }
            let Some(&(e, w)) = top.cands.get(top.next) else {
                stack.pop();
                if let Some(v) = nodes.pop() {
                    on_path[v] = false;
                }
                edges.pop();
                costs.pop();
                continue;
            };
            top.next += 1;
            self.work += 1;
            // Defensive: deeper frames are popped before this one resumes, so only the
            // current path is on `on_path`, as when the candidates were listed.
            if on_path[w] {
                continue;
            }
            let g = costs.last().copied().unwrap_or(0) + self.net.cost(e);
            if self.cut(g + self.h[w], r) {
                continue;
            }
            if w == self.t {
                let mut p_nodes = nodes.clone();
                p_nodes.push(w);
                let mut p_edges = edges.clone();
                p_edges.push(e);
                self.leaf(
                    EdgePath {
                        edges: p_edges,
                        nodes: p_nodes,
                        cost: g,
                    },
                    r,
                );
                continue;
            }
            on_path[w] = true;
            edges.push(e);
            nodes.push(w);
            costs.push(g);
            let cands = self.steps(w, &on_path);
            stack.push(Frame { cands, next: 0 });
        }
    }

    /// A candidate for one of the `r` remaining paths: block it and find the rest.
    fn leaf(&mut self, p: EdgePath, r: usize) {
        self.block(&p, 1);
        self.chosen.push(p);
        if r > 2 {
            self.level(r - 1);
        } else {
            self.last_path();
        }
        if let Some(p) = self.chosen.pop() {
            self.block(&p, -1);
        }
    }

    /// The last path is simply the shortest in what the others left.
    fn last_path(&mut self) {
        let mut work = 0;
        let (eb, nb, allowed, t) = (&self.edge_block, &self.node_block, self.allowed, self.t);
        let net = self.net;
        let p = dijkstra(
            net,
            self.s,
            t,
            |e, w| (allowed[e] && eb[e] == 0 && (w == t || nb[w] == 0)).then(|| net.cost(e)),
            &mut work,
        );
        self.work += work;
        let Some(p) = p else { return };
        if self.max_cost.is_some_and(|m| p.cost > m) {
            return;
        }
        let total = self.chosen_cost() + p.cost;
        if self.best.as_ref().is_none_or(|(b, _)| total < *b) {
            let mut set = self.chosen.clone();
            set.push(p);
            self.best = Some((total, set));
        }
    }

    /// Adds (`delta = 1`) or removes (`-1`) the blocks a chosen path puts on the others.
    fn block(&mut self, p: &EdgePath, delta: i32) {
        let bump = |c: &mut u32| *c = c.saturating_add_signed(delta);
        for &e in &p.edges {
            bump(&mut self.edge_block[e]);
            for &g in self.net.edge_srlgs(e) {
                for &e2 in self.net.srlg_edges(g) {
                    bump(&mut self.edge_block[e2]);
                }
            }
        }
        if self.node_disjoint {
            let inner = p.nodes.len().saturating_sub(1);
            for &v in p.nodes.get(1..inner).unwrap_or(&[]) {
                bump(&mut self.node_block[v]);
            }
        }
    }
}
