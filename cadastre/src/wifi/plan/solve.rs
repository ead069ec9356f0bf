//! The exact maximal covering solver: choose at most `k` candidate places to maximise the
//! weight of the targets they cover, then, among plans of that weight (within 1e-9 relative),
//! the fewest fibre metres. Pure Rust, deterministic (candidates are numbered in id order and
//! every tie falls to the search order), with a deadline.
//!
//! 1. Reduce ([`reduce`]): merge targets with the same candidates, drop the candidates that
//!    cover nothing or that another dominates; split into connected components, whose
//!    choices do not interact, only their counts do.
//! 2. Each component is a [`table`] of its best plan and an upper bound for every count: small
//!    ones enumerate every subset; the others start from the greedy's plans and the sums of
//!    the best single candidates, then the root's Lagrangian relaxation ([`bound`]) tightens
//!    the bounds of every count at once.
//! 3. [`combine`]: a dynamic programme over `k` splits the picks among the components (weight
//!    first, then fibre), another bounds the whole plan; a component's count is searched
//!    (local search, then branch and bound with the Lagrangian bound and its variable fixing,
//!    [`search`]) only while its bound, with the best the others could add, still reaches the
//!    best plan found; the search prunes what cannot make the whole plan better.
//!
//! When the deadline passes (each search gets a share of the time left in proportion to its
//! component's size), the plan is the best found and the programme over the bounds (the
//! largest bound of the nodes a search left open, else the root's) is an upper bound on the
//! best weight.

mod bound;
mod combine;
mod reduce;
mod search;
mod table;

use std::time::Instant;

#[cfg(test)]
pub(crate) use bound::{lagrangian_bound, Relax, Steps};
pub(crate) use reduce::{components, reduce};
#[cfg(any(test, feature = "brute-force"))]
use search::Search;
use table::Table;

/// Below this many subsets (of at most `k` candidates) a component is enumerated.
const ENUMERATE_UP_TO: f64 = 40_000.0;

/// A maximal covering instance: candidates `0..n` (in id order) and the targets they cover.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mclp {
    /// Fibre metres of each candidate.
    pub fibre: Vec<f64>,
    /// The targets each candidate covers (indices into `weight`, sorted, no repeats).
    pub covers: Vec<Vec<usize>>,
    /// Each target's weight (only positive weights count).
    pub weight: Vec<f64>,
    /// At most this many candidates.
    pub k: usize,
}

/// The solver's answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Solved {
    /// The chosen candidates, sorted.
    pub chosen: Vec<usize>,
    pub weight: f64,
    pub fibre: f64,
    /// True when the plan is proven best.
    pub optimal: bool,
    /// An upper bound on the best weight (the weight itself when optimal).
    pub bound: f64,
}

/// A plan's value: covered weight, then fibre metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Value {
    pub w: f64,
    pub f: f64,
}

impl Value {
    const ZERO: Value = Value { w: 0.0, f: 0.0 };

    fn add(self, o: Value) -> Value {
        Value {
            w: self.w + o.w,
            f: self.f + o.f,
        }
    }
}

/// The weight tolerance between `a` and `b`: 1e-9 relative.
pub(crate) fn tol(a: f64, b: f64) -> f64 {
    1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// True when `a` is strictly better than `b`: more weight, or as much with less fibre.
pub(crate) fn better(a: Value, b: Value) -> bool {
    let t = tol(a.w, b.w);
    if (a.w - b.w).abs() > t {
        a.w > b.w
    } else {
        a.f < b.f - tol(a.f, b.f)
    }
}

/// The weight `chosen` covers in `m`.
pub(crate) fn covered_weight(m: &Mclp, chosen: &[usize]) -> f64 {
    let mut seen = vec![false; m.weight.len()];
    let mut w = 0.0;
    for &c in chosen {
        for &t in &m.covers[c] {
            if !seen[t] {
                seen[t] = true;
                w += m.weight[t].max(0.0);
            }
        }
    }
    w
}

/// Greedy: `k` times the candidate of best marginal weight (ties: less fibre, then the lower
/// index), stopping when none adds weight. Returns the picks in order.
pub(crate) fn greedy(m: &Mclp, pool: &[usize], k: usize) -> Vec<usize> {
    let mut covered = vec![false; m.weight.len()];
    let mut picks = Vec::new();
    let mut left: Vec<usize> = pool.to_vec();
    while picks.len() < k {
        let mut best: Option<(f64, usize, usize)> = None; // gain, candidate, position
        for (pos, &c) in left.iter().enumerate() {
            let gain: f64 = m.covers[c]
                .iter()
                .filter(|&&t| !covered[t])
                .map(|&t| m.weight[t].max(0.0))
                .sum();
            let wins = match best {
                None => gain > 0.0,
                Some((g, b, _)) => better(
                    Value {
                        w: gain,
                        f: m.fibre[c],
                    },
                    Value {
                        w: g,
                        f: m.fibre[b],
                    },
                ),
            };
            if wins {
                best = Some((gain, c, pos));
            }
        }
        let Some((_, c, pos)) = best else { break };
        left.remove(pos);
        for &t in &m.covers[c] {
            covered[t] = true;
        }
        picks.push(c);
    }
    picks
}

/// Solves `m` exactly unless `deadline` passes first.
pub(crate) fn solve(m: &Mclp, deadline: Instant) -> Solved {
    solve_with(m, deadline, ENUMERATE_UP_TO)
}

/// [`solve`], enumerating the components of at most `enumerate_up_to` subsets (the tests
/// force branch and bound with 0).
pub(crate) fn solve_with(m: &Mclp, deadline: Instant, enumerate_up_to: f64) -> Solved {
    let reduced = reduce(m);
    let comps = components(&reduced);
    let mut tables: Vec<Table> = comps.iter().map(|c| Table::new(&reduced, c, m.k)).collect();
    let mut open = Vec::new();
    for (i, t) in tables.iter_mut().enumerate() {
        if subsets(t.sub.fibre.len(), t.kmax()) <= enumerate_up_to {
            t.enumerate();
        } else {
            open.push(i);
        }
    }
    let optimal = combine::settle(&mut tables, &open, m.k, deadline);
    let (value, split) = combine::combine(&tables, m.k, |t, k| t.best[k].0);
    let bound_ub = combine::combine_bounds(&tables, m.k);
    let mut chosen: Vec<usize> = Vec::new();
    for (t, &k) in tables.iter().zip(&split) {
        chosen.extend(t.best[k].1.iter().map(|&c| t.cands[c]));
    }
    chosen.sort_unstable();
    Solved {
        chosen,
        weight: value.w,
        fibre: value.f,
        optimal,
        bound: if optimal {
            value.w
        } else {
            bound_ub.max(value.w)
        },
    }
}

/// Σ_{j ≤ k} C(n, j), as a float (it only has to be compared with a limit).
fn subsets(n: usize, k: usize) -> f64 {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for j in 1..=k.min(n) {
        term = term * (n + 1 - j) as f64 / j as f64;
        sum += term;
    }
    sum
}

/// Every subset of at most `m.k` candidates, the best by weight then fibre (the reference the
/// tests check the solver against).
#[cfg(any(test, feature = "brute-force"))]
pub(crate) fn brute_force(m: &Mclp) -> (Value, Vec<usize>) {
    let n = m.fibre.len();
    let kmax = m.k.min(n);
    let mut best = vec![(Value::ZERO, Vec::new()); kmax + 1];
    let mut s = Search::new(m, Instant::now());
    s.enumerate(0, &mut best);
    let mut top = (Value::ZERO, Vec::new());
    for b in best {
        if better(b.0, top.0) {
            top = b;
        }
    }
    top
}
