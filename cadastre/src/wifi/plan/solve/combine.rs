//! The components together: a dynamic programme over `k` picks the best split of the counts
//! (weight first, then fibre), another over the bounds bounds the whole plan's weight, and
//! [`settle`] decides which component's count still needs a search: only those whose bound,
//! with the best the other components could add, reaches the best plan found.

use std::time::Instant;

use super::table::{Table, NEXT_STEPS, ROOT_STEPS};
use super::{better, tol, Value};

/// The best split of `k` picks over the components (at most `k` in all), by `value(table,
/// count)`; returns the total value and each component's count.
pub(crate) fn combine(
    tables: &[Table],
    k: usize,
    value: impl Fn(&Table, usize) -> Value,
) -> (Value, Vec<usize>) {
    // dp[j]: the best value with at most j picks over the tables so far.
    let mut dp = vec![Value::ZERO; k + 1];
    let mut pick: Vec<Vec<usize>> = Vec::with_capacity(tables.len());
    for t in tables {
        let kt = t.kmax();
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

/// A table's bounds as a function of at most `j` picks, `j` in `0..=k`.
fn bounds(t: &Table, k: usize) -> Vec<f64> {
    (0..=k).map(|j| t.ub[j.min(t.kmax())]).collect()
}

/// The max-plus convolution of two "at most j picks" functions.
fn conv(a: &[f64], b: &[f64]) -> Vec<f64> {
    (0..a.len())
        .map(|j| (0..=j).map(|i| a[i] + b[j - i]).fold(0.0, f64::max))
        .collect()
}

/// An upper bound on the total weight: the best split of the components' bounds.
pub(crate) fn combine_bounds(tables: &[Table], k: usize) -> f64 {
    let all = tables
        .iter()
        .fold(vec![0.0; k + 1], |acc, t| conv(&acc, &bounds(t, k)));
    all[k]
}

/// A search still worth running: a table, a count, the weight below which its plans do not
/// matter, and how far its bound reaches above the best plan.
struct Job {
    table: usize,
    count: usize,
    floor_w: f64,
    reach: f64,
}

/// Runs the searches that may still improve the plan, most promising first, each with a share
/// of the time left in proportion to its component's size. `open` are the tables not yet
/// settled. Returns true when no count of any component can still improve the plan.
pub(crate) fn settle(tables: &mut [Table], open: &[usize], k: usize, deadline: Instant) -> bool {
    let closed = (0..tables.len())
        .filter(|i| !open.contains(i))
        .fold(vec![0.0; k + 1], |acc, i| {
            conv(&acc, &bounds(&tables[i], k))
        });
    let (_, split) = combine(tables, k, |t, j| t.best[j].0);
    for &i in open {
        let j = split[i].max(1).min(tables[i].kmax());
        tables[i].improve(j);
        tables[i].relax(j, ROOT_STEPS);
    }
    loop {
        let jobs = jobs(tables, open, &closed, k);
        let todo: Vec<&Job> = jobs
            .iter()
            .filter(|j| !tables[j.table].settled[j.count])
            .collect();
        let now = Instant::now();
        if now >= deadline {
            return jobs.is_empty();
        }
        if todo.is_empty() {
            if jobs.is_empty() {
                return true;
            }
            // Searches given up before the others settled: once more, with the time left.
            for j in &jobs {
                tables[j.table].settled[j.count] = false;
                tables[j.table].given_up[j.count] = false;
            }
            continue;
        }
        // The relaxations first: cheap, they often settle other counts too.
        let job = todo
            .iter()
            .find(|j| !tables[j.table].relaxed[j.count])
            .unwrap_or(&todo[0]);
        let t = &mut tables[job.table];
        if !t.relaxed[job.count] {
            t.improve(job.count);
            t.relax(job.count, NEXT_STEPS);
            continue;
        }
        let size = |j: &&Job| tables[j.table].sub.fibre.len() as f64;
        let share = size(job) / todo.iter().map(size).sum::<f64>();
        let slice = deadline.saturating_duration_since(now).mul_f64(share);
        tables[job.table].search(job.count, job.floor_w, now + slice);
    }
}

/// The counts of the open tables whose bound, with the other tables' best bounds, reaches the
/// best plan found (unsettled or given up), most promising first.
fn jobs(tables: &[Table], open: &[usize], closed: &[f64], k: usize) -> Vec<Job> {
    let (inc, _) = combine(tables, k, |t, j| t.best[j].0);
    let margin = tol(inc.w, inc.w);
    let b: Vec<Vec<f64>> = open.iter().map(|&i| bounds(&tables[i], k)).collect();
    let mut prefix = vec![closed.to_vec()];
    for x in &b {
        let last = prefix
            .last()
            .map_or_else(|| closed.to_vec(), |p| conv(p, x));
        prefix.push(last);
    }
    let mut suffix = vec![vec![0.0; k + 1]; b.len() + 1];
    for i in (0..b.len()).rev() {
        suffix[i] = conv(&suffix[i + 1], &b[i]);
    }
    let mut jobs = Vec::new();
    for (n, &i) in open.iter().enumerate() {
        let other = conv(&prefix[n], &suffix[n + 1]);
        let t = &tables[i];
        for count in 1..=t.kmax() {
            if t.settled[count] && !t.given_up[count] {
                continue;
            }
            let reach = t.ub[count] + other[k - count] - inc.w;
            if reach >= -margin {
                jobs.push(Job {
                    table: i,
                    count,
                    floor_w: inc.w - other[k - count] - 2.0 * margin,
                    reach,
                });
            }
        }
    }
    jobs.sort_by(|a, b| {
        b.reach
            .total_cmp(&a.reach)
            .then(a.table.cmp(&b.table))
            .then(a.count.cmp(&b.count))
    });
    jobs
}
