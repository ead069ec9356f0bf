//! One component as an instance of its own, with its best plan and an upper bound on the
//! weight for every count: the greedy's plans and the marginal bounds to start with, the
//! Lagrangian bounds of the root, a local search (1-swaps) to improve a plan, and the branch
//! and bound that settles one count.

use std::collections::BTreeMap;
use std::time::Instant;

use super::bound::{Relax, Steps};

use super::search::Search;
use super::{better, covered_weight, greedy, tol, Mclp, Value};

/// The relaxation's steps at a component's root.
pub(crate) const ROOT_STEPS: Steps = Steps {
    iterations: 400,
    mu: 2.0,
    patience: 20,
};

/// The relaxation's steps at the root for another count (warm-started from the last one).
pub(crate) const NEXT_STEPS: Steps = Steps {
    iterations: 120,
    mu: 0.5,
    patience: 10,
};

/// One component's plans for every count `0..=kmax`.
pub(crate) struct Table {
    /// Global candidate index of each local candidate.
    pub cands: Vec<usize>,
    /// The component as an instance of its own (local indices).
    pub sub: Mclp,
    /// The best plan found of at most each count (local candidates).
    pub best: Vec<(Value, Vec<usize>)>,
    /// An upper bound on the weight of at most each count.
    pub ub: Vec<f64>,
    /// Counts whose best plan is settled: the best, or no plan of that count matters.
    pub settled: Vec<bool>,
    /// Counts the search gave up on (deadline).
    pub given_up: Vec<bool>,
    /// Counts the root relaxation ran for.
    pub relaxed: Vec<bool>,
    /// The root's multipliers (warm start from one count to the next).
    pub lambda: Vec<f64>,
}

impl Table {
    /// A component as its own instance, with the greedy plans and the marginal bounds.
    pub fn new(m: &Mclp, cands: &[usize], k: usize) -> Table {
        let mut local = BTreeMap::new();
        let mut weight = Vec::new();
        let covers: Vec<Vec<usize>> = cands
            .iter()
            .map(|&c| {
                m.covers[c]
                    .iter()
                    .map(|&t| {
                        *local.entry(t).or_insert_with(|| {
                            weight.push(m.weight[t]);
                            weight.len() - 1
                        })
                    })
                    .collect()
            })
            .collect();
        let kmax = k.min(cands.len());
        let sub = Mclp {
            fibre: cands.iter().map(|&c| m.fibre[c]).collect(),
            covers,
            weight,
            k: kmax,
        };
        let all: Vec<usize> = (0..cands.len()).collect();
        let picks = greedy(&sub, &all, kmax);
        let mut best = vec![(Value::ZERO, Vec::new())];
        for j in 1..=kmax {
            let mut set: Vec<usize> = picks[..j.min(picks.len())].to_vec();
            set.sort_unstable();
            best.push((value_of(&sub, &set), set));
        }
        let total: f64 = sub.weight.iter().sum();
        let mut singles: Vec<f64> = (0..cands.len()).map(|c| value_of(&sub, &[c]).w).collect();
        singles.sort_by(|a, b| b.total_cmp(a));
        let mut ub = vec![0.0];
        let mut sum = 0.0;
        for s in singles.iter().take(kmax) {
            sum += s;
            ub.push(sum.min(total));
        }
        let mut settled = vec![false; kmax + 1];
        settled[0] = true;
        Table {
            cands: cands.to_vec(),
            lambda: sub.weight.clone(),
            sub,
            best,
            ub,
            settled,
            given_up: vec![false; kmax + 1],
            relaxed: vec![false; kmax + 1],
        }
    }

    pub fn kmax(&self) -> usize {
        self.sub.k
    }

    /// Every subset of at most `kmax` candidates: every count settled.
    pub fn enumerate(&mut self) {
        let mut e = Search::new(&self.sub, Instant::now());
        e.enumerate(0, &mut self.best);
        self.tidy();
        for k in 0..=self.kmax() {
            self.ub[k] = self.best[k].0.w;
            self.settled[k] = true;
        }
    }

    /// The root relaxation for `k` candidates; lowers the bounds of every count.
    pub fn relax(&mut self, k: usize, steps: Steps) {
        let pool: Vec<usize> = (0..self.sub.fibre.len()).collect();
        let count = vec![0; self.sub.weight.len()];
        let lower = self.best[k].0.w;
        let mut relax = Relax::new(self.sub.weight.len());
        let mut all = self.ub.clone();
        let r = relax.run(
            &self.sub,
            &count,
            &pool,
            k,
            &mut self.lambda,
            (lower, 0.0),
            steps,
            Some(&mut all),
        );
        all[k] = all[k].min(r.bound);
        for (u, a) in self.ub.iter_mut().zip(all) {
            *u = u.min(a);
        }
        self.relaxed[k] = true;
        self.tidy();
    }

    /// Improves the plan of `k` by 1-swaps (and additions while below `k`).
    pub fn improve(&mut self, k: usize) {
        let set = local_search(&self.sub, &self.best[k].1, k);
        let v = value_of(&self.sub, &set);
        if better(v, self.best[k].0) {
            self.best[k] = (v, set);
        }
        self.tidy();
    }

    /// Branch and bound for `k` until `deadline`; plans below `floor_w` do not matter.
    pub fn search(&mut self, k: usize, floor_w: f64, deadline: Instant) {
        let mut s = Search::new(&self.sub, deadline);
        s.best = self.best[k].clone();
        s.floor_w = floor_w;
        s.run(k, self.ub[k], &self.lambda);
        self.best[k] = s.best;
        let found = self.best[k].0.w;
        if s.aborted {
            self.ub[k] = self.ub[k].min(s.open.max(found));
            self.given_up[k] = true;
        } else {
            self.ub[k] = self.ub[k].min(found.max(floor_w + tol(floor_w, floor_w)));
        }
        self.settled[k] = true;
        self.tidy();
    }

    /// Keeps the tables consistent: the best of at most `k` is at least that of `k − 1`, and
    /// a bound for `k` holds for every smaller count.
    fn tidy(&mut self) {
        for k in 1..self.best.len() {
            if better(self.best[k - 1].0, self.best[k].0) {
                self.best[k] = self.best[k - 1].clone();
            }
        }
        for k in (0..self.kmax()).rev() {
            self.ub[k] = self.ub[k].min(self.ub[k + 1]);
        }
        for k in 0..=self.kmax() {
            self.ub[k] = self.ub[k].max(self.best[k].0.w);
        }
    }
}

/// The value of a set of candidates.
pub(crate) fn value_of(m: &Mclp, set: &[usize]) -> Value {
    Value {
        w: covered_weight(m, set),
        f: set.iter().map(|&c| m.fibre[c]).sum(),
    }
}

/// From `start`, the best 1-swap (or addition, while below `k`) until none improves; sorted.
pub(crate) fn local_search(m: &Mclp, start: &[usize], k: usize) -> Vec<usize> {
    let mut set = start.to_vec();
    let mut count = vec![0u32; m.weight.len()];
    for &c in &set {
        for &t in &m.covers[c] {
            count[t] += 1;
        }
    }
    let w = |t: usize| m.weight[t].max(0.0);
    let mut mine = vec![false; m.weight.len()];
    for _ in 0..200 {
        let now = value_of(m, &set);
        let mut best: Option<(Value, Option<usize>, usize)> = None; // value, out, in
        let outs: Vec<Option<usize>> = if set.len() < k {
            vec![None]
        } else {
            set.iter().map(|&s| Some(s)).collect()
        };
        for out in outs {
            let (loss, f_out) = out.map_or((0.0, 0.0), |s| {
                let loss: f64 = m.covers[s]
                    .iter()
                    .filter(|&&t| count[t] == 1)
                    .map(|&t| w(t))
                    .sum();
                (loss, m.fibre[s])
            });
            if let Some(s) = out {
                m.covers[s].iter().for_each(|&t| mine[t] = true);
            }
            for c in (0..m.fibre.len()).filter(|c| !set.contains(c)) {
                let gain: f64 = m.covers[c]
                    .iter()
                    .filter(|&&t| count[t] == 0 || (count[t] == 1 && mine[t]))
                    .map(|&t| w(t))
                    .sum();
                let v = Value {
                    w: now.w - loss + gain,
                    f: now.f - f_out + m.fibre[c],
                };
                if better(v, best.map_or(now, |b| b.0)) {
                    best = Some((v, out, c));
                }
            }
            if let Some(s) = out {
                m.covers[s].iter().for_each(|&t| mine[t] = false);
            }
        }
        let Some((_, out, c)) = best else { break };
        if let Some(s) = out {
            set.retain(|&x| x != s);
            m.covers[s].iter().for_each(|&t| count[t] -= 1);
        }
        set.push(c);
        m.covers[c].iter().for_each(|&t| count[t] += 1);
    }
    set.sort_unstable();
    set
}
