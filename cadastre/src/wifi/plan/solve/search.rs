//! The search over one component: every subset (small components), or branch and bound
//! (large ones). A node is the set chosen so far and a pool of candidates still allowed; its
//! bound is the cheaper of the marginal one (the best remaining marginal gains, an upper bound
//! by submodularity, capped by the weight still reachable) and the Lagrangian one
//! ([`super::bound`]), which also drops candidates from the pool (or forces one in). The node
//! branches on the candidate of best marginal gain: with it (depth first), then without it.

use std::time::Instant;

use super::bound::{Relax, Steps};
use super::{better, tol, Mclp, Value};

/// The relaxation's steps at a node below the root (warm-started from its parent's λ).
const NODE_STEPS: Steps = Steps {
    iterations: 12,
    mu: 0.5,
    patience: 3,
};

/// The state of a search over one component: how often each target is covered, the value so
/// far, the set so far, the best plan found.
pub(crate) struct Search<'a> {
    m: &'a Mclp,
    count: Vec<u32>,
    now: Value,
    set: Vec<usize>,
    pub best: (Value, Vec<usize>),
    deadline: Instant,
    nodes: u64,
    pub aborted: bool,
    /// The largest bound of the nodes left open by the deadline.
    pub open: f64,
    /// Plans below this weight do not matter (the other components cannot make them the
    /// best plan).
    pub floor_w: f64,
    relax: Relax,
}

impl<'a> Search<'a> {
    pub fn new(m: &'a Mclp, deadline: Instant) -> Search<'a> {
        Search {
            m,
            count: vec![0; m.weight.len()],
            now: Value::ZERO,
            set: Vec::new(),
            best: (Value::ZERO, Vec::new()),
            deadline,
            nodes: 0,
            aborted: false,
            open: 0.0,
            floor_w: f64::NEG_INFINITY,
            relax: Relax::new(m.weight.len()),
        }
    }

    fn gain(&self, c: usize) -> f64 {
        self.m.covers[c]
            .iter()
            .filter(|&&t| self.count[t] == 0)
            .map(|&t| self.m.weight[t].max(0.0))
            .sum()
    }

    fn push(&mut self, c: usize) {
        let mut w = 0.0;
        for &t in &self.m.covers[c] {
            if self.count[t] == 0 {
                w += self.m.weight[t].max(0.0);
            }
            self.count[t] += 1;
        }
        self.now = self.now.add(Value {
            w,
            f: self.m.fibre[c],
        });
        self.set.push(c);
    }

    fn pop(&mut self, c: usize, before: Value) {
        for &t in &self.m.covers[c] {
            self.count[t] -= 1;
        }
        self.now = before;
        self.set.pop();
    }

    /// Every subset of candidates `from..` added to the current set, within `best.len() - 1`
    /// candidates; the best of each size lands in `best`.
    pub fn enumerate(&mut self, from: usize, best: &mut [(Value, Vec<usize>)]) {
        let size = self.set.len();
        if better(self.now, best[size].0) {
            let mut set = self.set.clone();
            set.sort_unstable();
            best[size] = (self.now, set);
        }
        if size + 1 >= best.len() {
            return;
        }
        for c in from..self.m.fibre.len() {
            let before = self.now;
            self.push(c);
            self.enumerate(c + 1, best);
            self.pop(c, before);
        }
    }

    /// Branch and bound for the best plan of at most `k` candidates; `ub` bounds its weight,
    /// `lambda` holds the root's multipliers.
    pub fn run(&mut self, k: usize, ub: f64, lambda: &[f64]) {
        let pool: Vec<usize> = (0..self.m.fibre.len()).collect();
        let mut lambda = lambda.to_vec();
        self.dive(pool, k, ub, &mut lambda);
    }

    /// The node of the current set: at most `left` more candidates of `pool`; `inherited` is
    /// its parent's bound. The loop is the "without" branch: each turn drops the candidate the
    /// last turn took.
    fn dive(&mut self, mut pool: Vec<usize>, left: usize, mut inherited: f64, lambda: &mut [f64]) {
        loop {
            self.nodes += 1;
            if self.aborted || (self.nodes.is_multiple_of(16) && Instant::now() >= self.deadline) {
                self.aborted = true;
                self.open = self.open.max(inherited);
                return;
            }
            let mut gains: Vec<(f64, usize)> = pool
                .iter()
                .map(|&c| (self.gain(c), c))
                .filter(|g| g.0 > 0.0)
                .collect();
            if left == 0 || gains.is_empty() {
                return;
            }
            gains.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(self.m.fibre[a.1].total_cmp(&self.m.fibre[b.1]))
                    .then(a.1.cmp(&b.1))
            });
            let top: f64 = gains.iter().take(left).map(|g| g.0).sum();
            let cheapest = gains
                .iter()
                .map(|g| self.m.fibre[g.1])
                .fold(f64::INFINITY, f64::min);
            let mut ub = (self.now.w + top.min(self.reachable(&gains))).min(inherited);
            if !self.may_improve(ub, cheapest) {
                return;
            }
            pool = gains.iter().map(|g| g.1).collect();
            let floor = self.best.0.w.max(self.floor_w);
            let need = (floor - self.now.w, tol(floor, floor));
            let r = self.relax.run(
                self.m,
                &self.count,
                &pool,
                left,
                lambda,
                need,
                NODE_STEPS,
                None,
            );
            ub = ub.min(self.now.w + r.bound);
            if !self.may_improve(ub, cheapest) {
                return;
            }
            let forced = r.forced.iter().position(|&f| f).map(|p| pool[p]);
            let kept: Vec<usize> = pool
                .iter()
                .zip(&r.out)
                .filter(|(_, &out)| !out)
                .map(|(&c, _)| c)
                .collect();
            let Some(c) = forced.or(kept.first().copied()) else {
                return;
            };
            let rest: Vec<usize> = kept.into_iter().filter(|&x| x != c).collect();
            let before = self.now;
            self.push(c);
            if better(self.now, self.best.0) {
                let mut set = self.set.clone();
                set.sort_unstable();
                self.best = (self.now, set);
            }
            let mut child = lambda.to_vec();
            self.dive(rest.clone(), left - 1, ub, &mut child);
            self.pop(c, before);
            if forced.is_some() {
                return;
            }
            pool = rest;
            inherited = ub;
        }
    }

    /// The uncovered weight the candidates of `gains` reach (each target once).
    fn reachable(&mut self, gains: &[(f64, usize)]) -> f64 {
        let mut seen = vec![false; self.m.weight.len()];
        let mut w = 0.0;
        for &(_, c) in gains {
            for &t in &self.m.covers[c] {
                if self.count[t] == 0 && !seen[t] {
                    seen[t] = true;
                    w += self.m.weight[t].max(0.0);
                }
            }
        }
        w
    }

    /// Whether a plan below this node may beat the best: more weight than it, or as much with
    /// less fibre (a plan that must still add a candidate adds at least the cheapest one), and
    /// at least `floor_w`.
    fn may_improve(&self, ub: f64, cheapest: f64) -> bool {
        if ub < self.floor_w - tol(ub, self.floor_w) {
            return false;
        }
        let best = self.best.0;
        let t = tol(ub, best.w);
        if ub > best.w + t {
            return true;
        }
        if ub < best.w - t {
            return false;
        }
        let must_add = self.now.w < best.w - tol(self.now.w, best.w);
        let floor = self.now.f + if must_add { cheapest } else { 0.0 };
        floor < best.f - tol(floor, best.f)
    }
}
