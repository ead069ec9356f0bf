//! The reduction before the search: targets covered by the same candidates merge (their
//! weights add up); a candidate that covers no positive weight goes; a candidate whose targets
//! another covers too, at no more fibre, goes (swapping it for the other never loses weight
//! nor adds fibre). Then the connected components (candidates linked by a shared target):
//! their choices do not interact, only their counts do.

use std::collections::BTreeMap;

use super::Mclp;

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
