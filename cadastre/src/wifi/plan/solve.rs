//! The exact maximal covering solver: choose at most `k` candidate places to maximise the
//! weight of the targets they cover, then, among plans of that weight (within 1e-9 relative),
//! the fewest fibre metres. Pure Rust, deterministic (candidates are numbered in id order and
//! every tie falls to the search order), with a deadline.
//!
//! 1. Reduce: targets covered by the same candidates merge (their weights add up); a candidate
//!    that covers no positive weight goes; a candidate whose targets another covers too, at no
//!    more fibre, goes (swapping it for the other never loses weight nor adds fibre).
//! 2. Split into connected components (candidates linked by a shared target): their choices
//!    do not interact, only their counts do.
//! 3. Solve each component for every count `k`: small ones by enumerating every subset, larger
//!    ones by branch and bound (include/exclude the candidate of best marginal weight; bound:
//!    the weight so far plus the sum of the best remaining marginal gains, which submodularity
//!    makes an upper bound, capped by the weight still reachable), starting from the greedy.
//! 4. Combine the components with a dynamic programme over `k` (weight first, then fibre).
//!
//! When the deadline passes, each unfinished component keeps its best plan and an upper bound
//! (the largest bound of the nodes left open, else the root's), and the same programme over
//! the bounds gives a valid upper bound on the whole plan's weight.

use std::collections::BTreeMap;
use std::time::Instant;

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
    let mut tables: Vec<Table> = comps.iter().map(|c| component(&reduced, c, m.k)).collect();
    // Small components first: a deadline then leaves the big ones to their greedy plans.
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| (tables[i].sub.fibre.len(), i));
    for i in order {
        solve_table(&mut tables[i], deadline, enumerate_up_to);
    }
    let (value, split) = combine(&tables, m.k, |t, k| t.best[k].0);
    let bound_ub = combine_bounds(&tables, m.k);
    let mut chosen: Vec<usize> = Vec::new();
    for (t, &k) in tables.iter().zip(&split) {
        chosen.extend(t.best[k].1.iter().map(|&c| t.cands[c]));
    }
    chosen.sort_unstable();
    let optimal = tables.iter().all(|t| t.exact);
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

/// Merges targets with the same covering candidates, drops candidates that cover no positive
/// weight and those dominated by another (a superset of targets at no more fibre; of equals,
/// the lower index stays). Candidate indices are kept; dropped ones cover nothing.
pub(crate) fn reduce(m: &Mclp) -> Mclp {
    let mut coverers: Vec<Vec<usize>> = vec![Vec::new(); m.weight.len()];
    for (c, cov) in m.covers.iter().enumerate() {
        for &t in cov {
            coverers[t].push(c);
        }
    }
    let mut groups: BTreeMap<&[usize], usize> = BTreeMap::new();
    let mut weight: Vec<f64> = Vec::new();
    let mut new_of = vec![usize::MAX; m.weight.len()];
    for (t, cs) in coverers.iter().enumerate() {
        let w = m.weight[t];
        if cs.is_empty() || !(w > 0.0 && w.is_finite()) {
            continue;
        }
        let g = *groups.entry(cs.as_slice()).or_insert_with(|| {
            weight.push(0.0);
            weight.len() - 1
        });
        weight[g] += w;
        new_of[t] = g;
    }
    let mut covers: Vec<Vec<usize>> = m
        .covers
        .iter()
        .map(|cov| {
            let mut v: Vec<usize> = cov
                .iter()
                .map(|&t| new_of[t])
                .filter(|&g| g != usize::MAX)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let dominated = dominated(&covers, &m.fibre, weight.len());
    for (c, d) in dominated.into_iter().enumerate() {
        if d {
            covers[c].clear();
        }
    }
    Mclp {
        fibre: m.fibre.clone(),
        covers,
        weight,
        k: m.k,
    }
}

/// Which candidates another dominates: `d` dominates `c` when it covers every target of `c`
/// at no more fibre, strictly better in targets, fibre or index (a strict order, so the
/// undominated ones dominate all the others).
fn dominated(covers: &[Vec<usize>], fibre: &[f64], n_targets: usize) -> Vec<bool> {
    let mut coverers: Vec<Vec<usize>> = vec![Vec::new(); n_targets];
    for (c, cov) in covers.iter().enumerate() {
        for &t in cov {
            coverers[t].push(c);
        }
    }
    let beats = |d: usize, c: usize| {
        let (cd, cc) = (&covers[d], &covers[c]);
        if cd.len() < cc.len() || fibre[d] > fibre[c] || !is_subset(cc, cd) {
            return false;
        }
        cd.len() > cc.len() || fibre[d] < fibre[c] || d < c
    };
    (0..covers.len())
        .map(|c| {
            let Some(&rarest) = covers[c].iter().min_by_key(|&&t| coverers[t].len()) else {
                return false;
            };
            coverers[rarest].iter().any(|&d| d != c && beats(d, c))
        })
        .collect()
}

/// `a ⊆ b`, both sorted.
fn is_subset(a: &[usize], b: &[usize]) -> bool {
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j == b.len() || b[j] != x {
            return false;
        }
        j += 1;
    }
    true
}

/// The candidates of each connected component (candidates sharing a target), each sorted;
/// candidates that cover nothing are in none.
pub(crate) fn components(m: &Mclp) -> Vec<Vec<usize>> {
    let n = m.covers.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut first: Vec<Option<usize>> = vec![None; m.weight.len()];
    for (c, cov) in m.covers.iter().enumerate() {
        for &t in cov {
            match first[t] {
                None => first[t] = Some(c),
                Some(o) => {
                    let (a, b) = (find(&mut parent, o), find(&mut parent, c));
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for c in (0..n).filter(|&c| !m.covers[c].is_empty()) {
        let r = find(&mut parent, c);
        by_root.entry(r).or_default().push(c);
    }
    by_root.into_values().collect()
}

/// One component's plans for every count `0..=kmax`.
struct Table {
    /// Global candidate index of each local candidate.
    cands: Vec<usize>,
    /// The component as an instance of its own (local indices).
    sub: Mclp,
    /// The best plan found for each count (local candidates).
    best: Vec<(Value, Vec<usize>)>,
    /// An upper bound on the weight for each count.
    ub: Vec<f64>,
    exact: bool,
}

/// A component as its own instance, with the greedy plans and the root bounds.
fn component(m: &Mclp, cands: &[usize], k: usize) -> Table {
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
        let set: Vec<usize> = picks[..j.min(picks.len())].to_vec();
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
    Table {
        cands: cands.to_vec(),
        sub,
        best,
        ub,
        exact: false,
    }
}

/// The value of a set of candidates.
fn value_of(m: &Mclp, set: &[usize]) -> Value {
    Value {
        w: covered_weight(m, set),
        f: set.iter().map(|&c| m.fibre[c]).sum(),
    }
}

/// Solves one component for every count: enumeration when small, else branch and bound.
fn solve_table(t: &mut Table, deadline: Instant, enumerate_up_to: f64) {
    let n = t.sub.fibre.len();
    let kmax = t.sub.k;
    if subsets(n, kmax) <= enumerate_up_to {
        let mut e = Search::new(&t.sub, deadline);
        e.enumerate(0, &mut t.best);
        at_most(&mut t.best);
        for k in 0..=kmax {
            t.ub[k] = t.best[k].0.w;
        }
        t.exact = true;
        return;
    }
    let mut exact = true;
    for k in 1..=kmax {
        if Instant::now() >= deadline {
            exact = false;
            break;
        }
        // The best plan of one fewer, plus its best addition, may beat the greedy's.
        let mut start = t.best[k - 1].1.clone();
        if let Some(&c) = greedy_from(&t.sub, &start).first() {
            start.push(c);
            start.sort_unstable();
            let v = value_of(&t.sub, &start);
            if better(v, t.best[k].0) {
                t.best[k] = (v, start);
            }
        }
        let mut s = Search::new(&t.sub, deadline);
        s.best = t.best[k].clone();
        let pool: Vec<usize> = (0..n).collect();
        s.branch(&pool, k, t.ub[k]);
        t.best[k] = s.best;
        if s.aborted {
            exact = false;
            t.ub[k] = s.open.max(t.best[k].0.w);
            break;
        }
        t.ub[k] = t.best[k].0.w;
    }
    at_most(&mut t.best);
    if !exact {
        // Unfinished: the Lagrangian bound (the linear relaxation's) is tighter than the
        // greedy marginals' for the counts the search did not close.
        for k in 1..=kmax {
            if t.ub[k] > t.best[k].0.w + tol(t.ub[k], t.best[k].0.w) {
                t.ub[k] = t.ub[k].min(lagrangian_bound(&t.sub, k, t.best[k].0.w, 60));
            }
        }
    }
    // The best weight never falls as k grows: a bound for k holds for every smaller k.
    for k in (0..kmax).rev() {
        t.ub[k] = t.ub[k].min(t.ub[k + 1]).max(t.best[k].0.w);
    }
    t.exact = exact;
}

/// An upper bound on the weight `k` candidates of `m` cover, by Lagrangian relaxation of
/// "a target counts only if a chosen candidate covers it" (multiplier λ_t ∈ [0, w_t] per
/// target): for any λ, Σ_t (w_t − λ_t) + the sum of the `k` largest Σ_{t ∈ cov(c)} λ_t is a
/// bound; `iterations` subgradient steps (Polyak's step towards `lower`, a known plan's
/// weight) lower it towards the linear relaxation's value. λ = w gives the sum of the `k`
/// best single candidates.
pub(crate) fn lagrangian_bound(m: &Mclp, k: usize, lower: f64, iterations: usize) -> f64 {
    let mut lambda: Vec<f64> = m.weight.clone();
    let mut best = f64::INFINITY;
    let (mut mu, mut stale) = (1.0, 0);
    let mut count = vec![0u32; m.weight.len()];
    for _ in 0..iterations {
        let mut vals: Vec<(f64, usize)> = m
            .covers
            .iter()
            .enumerate()
            .map(|(c, cov)| (cov.iter().map(|&t| lambda[t]).sum(), c))
            .collect();
        let kk = k.min(vals.len());
        if kk > 0 && kk < vals.len() {
            vals.select_nth_unstable_by(kk - 1, |a, b| b.0.total_cmp(&a.0));
        }
        let top = &vals[..kk];
        let rest: f64 = m
            .weight
            .iter()
            .zip(&lambda)
            .map(|(w, l)| (w - l).max(0.0))
            .sum();
        let l = rest + top.iter().map(|v| v.0).sum::<f64>();
        if l < best - tol(l, l) {
            (best, stale) = (l, 0);
        } else {
            stale += 1;
            if stale >= 5 {
                (mu, stale) = (mu / 2.0, 0);
            }
        }
        if best <= lower + tol(lower, lower) {
            break;
        }
        count.iter_mut().for_each(|x| *x = 0);
        for &(_, c) in top {
            for &t in &m.covers[c] {
                count[t] += 1;
            }
        }
        let grad = |t: usize| f64::from(count[t]) - if lambda[t] < m.weight[t] { 1.0 } else { 0.0 };
        let norm2: f64 = (0..lambda.len()).map(|t| grad(t).powi(2)).sum();
        if norm2 == 0.0 {
            break;
        }
        let step = mu * (l - lower).max(0.0) / norm2;
        let g: Vec<f64> = (0..lambda.len()).map(grad).collect();
        for (t, gt) in g.into_iter().enumerate() {
            lambda[t] = (lambda[t] - step * gt).clamp(0.0, m.weight[t]);
        }
    }
    best
}

/// Makes `best[k]` the best plan of at most `k` candidates.
fn at_most(best: &mut [(Value, Vec<usize>)]) {
    for k in 1..best.len() {
        if better(best[k - 1].0, best[k].0) {
            best[k] = best[k - 1].clone();
        }
    }
}

/// The greedy's next pick after `set`, if any adds weight.
fn greedy_from(m: &Mclp, set: &[usize]) -> Vec<usize> {
    let mut covered = vec![false; m.weight.len()];
    for &c in set {
        for &t in &m.covers[c] {
            covered[t] = true;
        }
    }
    let mut best: Option<(Value, usize)> = None;
    for c in (0..m.fibre.len()).filter(|c| !set.contains(c)) {
        let w: f64 = m.covers[c]
            .iter()
            .filter(|&&t| !covered[t])
            .map(|&t| m.weight[t])
            .sum();
        let v = Value { w, f: m.fibre[c] };
        if w > 0.0 && best.is_none_or(|(b, _)| better(v, b)) {
            best = Some((v, c));
        }
    }
    best.map(|(_, c)| c).into_iter().collect()
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

/// The state of a search over one component: how often each target is covered, the value so
/// far, the set so far, the best plan found.
struct Search<'a> {
    m: &'a Mclp,
    count: Vec<u32>,
    now: Value,
    set: Vec<usize>,
    best: (Value, Vec<usize>),
    deadline: Instant,
    nodes: u64,
    aborted: bool,
    /// The largest bound of the nodes left open by the deadline.
    open: f64,
}

impl<'a> Search<'a> {
    fn new(m: &'a Mclp, deadline: Instant) -> Search<'a> {
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
        }
    }

    fn gain(&self, c: usize) -> f64 {
        self.m.covers[c]
            .iter()
            .filter(|&&t| self.count[t] == 0)
            .map(|&t| self.m.weight[t])
            .sum()
    }

    fn push(&mut self, c: usize) {
        let mut w = 0.0;
        for &t in &self.m.covers[c] {
            if self.count[t] == 0 {
                w += self.m.weight[t];
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
    fn enumerate(&mut self, from: usize, best: &mut [(Value, Vec<usize>)]) {
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

    /// Branch and bound below the current set: at most `left` more candidates of `pool`;
    /// `inherited` is the parent's bound.
    fn branch(&mut self, pool: &[usize], left: usize, inherited: f64) {
        self.nodes += 1;
        if self.aborted || (self.nodes.is_multiple_of(64) && Instant::now() >= self.deadline) {
            self.aborted = true;
            self.open = self.open.max(inherited);
            return;
        }
        let mut gains: Vec<(f64, usize)> = pool
            .iter()
            .map(|&c| (self.gain(c), c))
            .filter(|g| g.0 > 0.0)
            .collect();
        gains.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(self.m.fibre[a.1].total_cmp(&self.m.fibre[b.1]))
                .then(a.1.cmp(&b.1))
        });
        let top: f64 = gains.iter().take(left).map(|g| g.0).sum();
        let ub = (self.now.w + top.min(self.reachable(&gains))).min(inherited);
        if left == 0 || gains.is_empty() || !self.may_improve(ub, &gains) {
            return;
        }
        let (g, c) = gains[0];
        let rest: Vec<usize> = gains[1..].iter().map(|g| g.1).collect();
        let before = self.now;
        self.push(c);
        debug_assert!((self.now.w - before.w - g).abs() <= tol(g, g) * 1e3);
        if better(self.now, self.best.0) {
            let mut set = self.set.clone();
            set.sort_unstable();
            self.best = (self.now, set);
        }
        self.branch(&rest, left - 1, ub);
        self.pop(c, before);
        self.branch(&rest, left, ub);
    }

    /// The uncovered weight the candidates of `gains` reach (each target once).
    fn reachable(&self, gains: &[(f64, usize)]) -> f64 {
        let mut seen = vec![false; self.m.weight.len()];
        let mut w = 0.0;
        for &(_, c) in gains {
            for &t in &self.m.covers[c] {
                if self.count[t] == 0 && !seen[t] {
                    seen[t] = true;
                    w += self.m.weight[t];
                }
            }
        }
        w
    }

    /// Whether a plan below this node may beat the best: more weight than it, or as much with
    /// less fibre (a plan that must still add a candidate adds at least the cheapest one).
    fn may_improve(&self, ub: f64, gains: &[(f64, usize)]) -> bool {
        let best = self.best.0;
        let t = tol(ub, best.w);
        if ub > best.w + t {
            return true;
        }
        if ub < best.w - t {
            return false;
        }
        let cheapest = gains
            .iter()
            .map(|g| self.m.fibre[g.1])
            .fold(f64::INFINITY, f64::min);
        let must_add = self.now.w < best.w - tol(self.now.w, best.w);
        let floor = self.now.f + if must_add { cheapest } else { 0.0 };
        floor < best.f - tol(floor, best.f)
    }
}

/// The best split of `k` picks over the components (at most `k` in all), by `value(table,
/// count)`; returns the total value and each component's count.
fn combine(
    tables: &[Table],
    k: usize,
    value: impl Fn(&Table, usize) -> Value,
) -> (Value, Vec<usize>) {
    // dp[j]: the best value with at most j picks over the tables so far.
    let mut dp = vec![Value::ZERO; k + 1];
    let mut pick: Vec<Vec<usize>> = Vec::with_capacity(tables.len());
    for t in tables {
        let kt = t.best.len() - 1;
        let mut next = dp.clone();
        let mut choice = vec![0usize; k + 1];
        for j in 0..=k {
            for kk in 1..=kt.min(j) {
                let v = dp[j - kk].add(value(t, kk));
                if better(v, next[j]) {
                    next[j] = v;
                    choice[j] = kk;
                }
            }
        }
        dp = next;
        pick.push(choice);
    }
    let mut split = vec![0; tables.len()];
    let mut j = k;
    for i in (0..tables.len()).rev() {
        split[i] = pick[i][j];
        j -= split[i];
    }
    (dp[k], split)
}

/// An upper bound on the total weight: the best split of the components' bounds.
fn combine_bounds(tables: &[Table], k: usize) -> f64 {
    let mut dp = vec![0.0f64; k + 1];
    for t in tables {
        let kt = t.ub.len() - 1;
        let mut next = dp.clone();
        for j in 0..=k {
            for kk in 1..=kt.min(j) {
                next[j] = next[j].max(dp[j - kk] + t.ub[kk]);
            }
        }
        dp = next;
    }
    dp[k]
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
