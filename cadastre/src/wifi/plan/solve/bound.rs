//! The Lagrangian bound of a search node (Galvão and ReVelle's relaxation of the maximal
//! covering problem): relax "a target counts only if a chosen candidate covers it" with a
//! multiplier λ_t ∈ [0, w_t] per target. For any λ,
//!
//! L(λ) = Σ_t (w_t − λ_t) + the sum of the `left` largest v_c = Σ_{t ∈ cov(c)} λ_t
//!
//! (over the targets not yet covered that the pool still reaches) bounds the weight the pool
//! adds; subgradient steps (Polyak's, towards the weight that matters) lower it towards the
//! linear relaxation's value. Every λ also fixes candidates: forcing `c` in gives
//! L − v_(left) + v_c, forcing a top one out L − v_c + v_(left+1); below the weight that
//! matters, `c` is out of (or in) every plan worth finding.

use super::Mclp;

/// How a run of the relaxation steps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Steps {
    pub iterations: usize,
    /// The first step's fraction of Polyak's step; it halves after `patience` steps without a
    /// better bound.
    pub mu: f64,
    pub patience: usize,
}

/// Scratch space for the bound over one instance's targets.
pub(crate) struct Relax {
    /// `mark[t] == stamp`: t is active (not covered, reached by the pool).
    mark: Vec<u32>,
    stamp: u32,
    active: Vec<usize>,
    /// How many of the relaxation's chosen candidates cover each target.
    hits: Vec<u32>,
    /// (v_c, position in the pool).
    vals: Vec<(f64, usize)>,
}

/// What one run found.
pub(crate) struct Relaxed {
    /// The least L(λ) seen: the pool adds at most this weight.
    pub bound: f64,
    /// Pool positions in no plan that adds `need`.
    pub out: Vec<bool>,
    /// Pool positions in every plan that adds `need`.
    pub forced: Vec<bool>,
}

impl Relax {
    pub fn new(n_targets: usize) -> Relax {
        Relax {
            mark: vec![0; n_targets],
            stamp: 0,
            active: Vec::new(),
            hits: vec![0; n_targets],
            vals: Vec::new(),
        }
    }

    /// Bounds the weight that at most `left` candidates of `pool` add to the targets with
    /// `count[t] == 0`, from the multipliers `lambda` (updated: the next run starts there).
    /// Stops once the bound is below `need − slack` (nothing worth finding). With `all_k`, also
    /// lowers `all_k[j]` to the bound of at most `j` candidates at every λ tried.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &mut self,
        m: &Mclp,
        count: &[u32],
        pool: &[usize],
        left: usize,
        lambda: &mut [f64],
        (need, slack): (f64, f64),
        steps: Steps,
        mut all_k: Option<&mut [f64]>,
    ) -> Relaxed {
        self.activate(m, count, pool);
        let mut out = vec![false; pool.len()];
        let mut forced = vec![false; pool.len()];
        let (mut best, mut mu, mut stale) = (f64::INFINITY, steps.mu, 0);
        let w = |t: usize| m.weight[t].max(0.0);
        for _ in 0..steps.iterations.max(1) {
            let rest: f64 = self
                .active
                .iter()
                .map(|&t| (w(t) - lambda[t]).max(0.0))
                .sum();
            self.vals.clear();
            for (pos, &c) in pool.iter().enumerate() {
                let v: f64 = m.covers[c]
                    .iter()
                    .filter(|&&t| self.mark[t] == self.stamp)
                    .map(|&t| lambda[t])
                    .sum();
                self.vals.push((v, pos));
            }
            let kk = left.min(self.vals.len());
            if let Some(all) = all_k.as_deref_mut() {
                self.vals
                    .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let mut sum = rest;
                for (j, slot) in all.iter_mut().enumerate().skip(1) {
                    sum += self.vals.get(j - 1).map_or(0.0, |v| v.0);
                    *slot = slot.min(sum);
                }
            } else if kk > 0 && kk < self.vals.len() {
                self.vals
                    .select_nth_unstable_by(kk - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            }
            let top: f64 = self.vals[..kk].iter().map(|v| v.0).sum();
            let l = rest + top;
            self.fix(l, kk, need - slack, &mut out, &mut forced);
            if l < best - 1e-12 * l.abs().max(1.0) {
                (best, stale) = (l, 0);
            } else {
                stale += 1;
                if stale >= steps.patience {
                    (mu, stale) = (mu / 2.0, 0);
                }
            }
            if best < need - slack || !self.step(m, pool, kk, lambda, mu * (l - need).max(0.0)) {
                break;
            }
        }
        Relaxed {
            bound: best,
            out,
            forced,
        }
    }

    /// Marks the targets not yet covered that the pool reaches.
    fn activate(&mut self, m: &Mclp, count: &[u32], pool: &[usize]) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|x| *x = 0);
            self.stamp = 1;
        }
        self.active.clear();
        for &c in pool {
            for &t in &m.covers[c] {
                if count[t] == 0 && self.mark[t] != self.stamp {
                    self.mark[t] = self.stamp;
                    self.active.push(t);
                }
            }
        }
    }

    /// Fixes candidates out (or in) at this λ: `vals[..kk]` are the relaxation's choice.
    fn fix(&self, l: f64, kk: usize, floor: f64, out: &mut [bool], forced: &mut [bool]) {
        let kth = if kk > 0 { self.vals[kk - 1].0 } else { 0.0 };
        let next = self.vals[kk..].iter().map(|v| v.0).fold(0.0, f64::max);
        for (i, &(v, pos)) in self.vals.iter().enumerate() {
            if i < kk {
                forced[pos] |= l - v + next < floor;
            } else {
                out[pos] |= l - kth + v < floor;
            }
        }
    }

    /// One subgradient step of length `scale / ‖g‖²`; false when the gradient is zero.
    fn step(
        &mut self,
        m: &Mclp,
        pool: &[usize],
        kk: usize,
        lambda: &mut [f64],
        scale: f64,
    ) -> bool {
        for &(_, pos) in &self.vals[..kk] {
            for &t in &m.covers[pool[pos]] {
                self.hits[t] += 1;
            }
        }
        let grad = |t: usize, hits: &[u32], lambda: &[f64]| {
            f64::from(hits[t]) - if lambda[t] < m.weight[t] { 1.0 } else { 0.0 }
        };
        let norm2: f64 = self
            .active
            .iter()
            .map(|&t| grad(t, &self.hits, lambda).powi(2))
            .sum();
        if norm2 > 0.0 {
            let s = scale / norm2;
            for &t in &self.active {
                let g = grad(t, &self.hits, lambda);
                lambda[t] = (lambda[t] - s * g).clamp(0.0, m.weight[t].max(0.0));
            }
        }
        for &(_, pos) in &self.vals[..kk] {
            for &t in &m.covers[pool[pos]] {
                self.hits[t] = 0;
            }
        }
        norm2 > 0.0 && scale > 0.0
    }
}

/// An upper bound on the weight at most `k` candidates of `m` cover (the root's relaxation,
/// from λ = w: the sum of the `k` best single candidates).
#[cfg(test)]
pub(crate) fn lagrangian_bound(m: &Mclp, k: usize, lower: f64, iterations: usize) -> f64 {
    let mut lambda: Vec<f64> = m.weight.iter().map(|w| w.max(0.0)).collect();
    let pool: Vec<usize> = (0..m.covers.len()).collect();
    let count = vec![0; m.weight.len()];
    let steps = Steps {
        iterations,
        mu: 1.0,
        patience: 5,
    };
    let mut relax = Relax::new(m.weight.len());
    relax
        .run(m, &count, &pool, k, &mut lambda, (lower, 0.0), steps, None)
        .bound
}
