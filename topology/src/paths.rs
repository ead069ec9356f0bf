//! Paths through the network: constraints, the [`Path`] a caller sees, and the shortest path.
//!
//! Lengths are compared as integer millimetres (exact, no float ties); reported lengths are the
//! float sums of the links' metres. Diverse paths live in [`diverse`]; the min-cost flow behind
//! them in `flow`, the exact SRLG-diverse search in `search`.

pub mod diverse;
mod flow;
mod search;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use serde::{Deserialize, Serialize};

use crate::error::TopologyError;
use crate::loss::{TransceiverBudget, Verdict, Wavelength};
use crate::network::Network;

/// What a path may use. The default constrains nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Constraints {
    /// Links with fewer spare strands are not used.
    pub min_spare_strands: u32,
    /// When set, only links of these owners are used.
    pub allowed_owners: Option<BTreeSet<String>>,
    /// No returned path is longer than this (metres).
    pub max_length_m: Option<f64>,
    /// Diverse paths must also share no intermediate site.
    pub node_disjoint: bool,
}

impl Constraints {
    /// Per edge: whether the constraints let a path use it.
    pub(crate) fn allowed(&self, net: &Network) -> Vec<bool> {
        (0..net.n_links())
            .map(|e| {
                let l = net.edge(e);
                l.spare_strands >= self.min_spare_strands
                    && self
                        .allowed_owners
                        .as_ref()
                        .is_none_or(|o| o.contains(&l.owner))
            })
            .collect()
    }

    /// The length limit as an integer cost (mm); `None` when unlimited.
    pub(crate) fn max_cost(&self) -> Option<i128> {
        self.max_length_m.map(|m| {
            if m.is_nan() {
                -1
            } else {
                (m * 1000.0).round().clamp(-1.0, 1e30) as i128
            }
        })
    }
}

/// A path from one site to another, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    /// Link (route) ids in order from `from` to `to`.
    pub routes: Vec<String>,
    /// Site ids in order, `from` first and `to` last.
    pub sites: Vec<String>,
    /// Total length, metres.
    pub length_m: f64,
    /// Km of the path per owner.
    pub owners: BTreeMap<String, f64>,
    /// Spare strands of the tightest link (`u32::MAX` for the empty path of a site to itself).
    pub spare_strands: u32,
    /// Estimated loss at 1310 nm, dB, with the network's loss model.
    pub loss_db_1310: f64,
    /// Estimated loss at 1550 nm, dB, with the network's loss model.
    pub loss_db_1550: f64,
}

impl Path {
    /// Total length, km.
    pub fn length_km(&self) -> f64 {
        self.length_m / 1000.0
    }

    /// Whether a transceiver's budget covers this path at a wavelength.
    pub fn verdict(&self, budget: &TransceiverBudget, wavelength: Wavelength) -> Verdict {
        budget.verdict(match wavelength {
            Wavelength::Nm1310 => self.loss_db_1310,
            Wavelength::Nm1550 => self.loss_db_1550,
        })
    }
}

/// A path in indices: `nodes.len() == edges.len() + 1`, `cost` in millimetres.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EdgePath {
    pub(crate) edges: Vec<usize>,
    pub(crate) nodes: Vec<usize>,
    pub(crate) cost: i128,
}

impl Network {
    /// The shortest path (by length) using only links the constraints allow; `None` when there
    /// is none or it is longer than `max_length_m`.
    pub fn shortest_path(
        &self,
        from: &str,
        to: &str,
        constraints: &Constraints,
    ) -> Result<Option<Path>, TopologyError> {
        let s = self.node_of(from)?;
        let t = self.node_of(to)?;
        let allowed = constraints.allowed(self);
        let max = constraints.max_cost();
        let mut work = 0;
        let p = dijkstra(
            self,
            s,
            t,
            |e, _| allowed[e].then(|| self.cost(e)),
            &mut work,
        );
        Ok(p.filter(|p| max.is_none_or(|m| p.cost <= m))
            .map(|p| self.make_path(&p)))
    }

    /// Turns an index path into the caller's [`Path`].
    pub(crate) fn make_path(&self, p: &EdgePath) -> Path {
        let mut owners: BTreeMap<String, f64> = BTreeMap::new();
        let mut lengths = Vec::with_capacity(p.edges.len());
        let mut spare = u32::MAX;
        for &e in &p.edges {
            let l = self.edge(e);
            *owners.entry(l.owner.clone()).or_default() += l.length_m / 1000.0;
            lengths.push(l.length_m);
            spare = spare.min(l.spare_strands);
        }
        let loss = self.loss_model().loss(&lengths);
        Path {
            routes: p.edges.iter().map(|&e| self.edge(e).id.clone()).collect(),
            sites: p
                .nodes
                .iter()
                .map(|&v| self.site_id(v).to_string())
                .collect(),
            length_m: lengths.iter().sum(),
            owners,
            spare_strands: spare,
            loss_db_1310: loss.db_1310,
            loss_db_1550: loss.db_1550,
        }
    }
}

/// Dijkstra from `s` to `t`. `cost(edge, entered node)` is `None` for an unusable step; `work`
/// counts heap pops so callers can bound their total effort.
pub(crate) fn dijkstra(
    net: &Network,
    s: usize,
    t: usize,
    cost: impl Fn(usize, usize) -> Option<i128>,
    work: &mut u64,
) -> Option<EdgePath> {
    let n = net.n_sites();
    let mut dist = vec![i128::MAX; n];
    let mut prev: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    dist[s] = 0;
    heap.push(Reverse((0i128, s)));
    while let Some(Reverse((d, u))) = heap.pop() {
        *work += 1;
        if d > dist[u] {
            continue;
        }
        if u == t {
            break;
        }
        for &(e, v) in net.adj(u) {
            let Some(c) = cost(e, v) else { continue };
            let nd = d.saturating_add(c);
            if nd < dist[v] {
                dist[v] = nd;
                prev[v] = Some((e, u));
                heap.push(Reverse((nd, v)));
            }
        }
    }
    if dist[t] == i128::MAX {
        return None;
    }
    let (mut edges, mut nodes) = (Vec::new(), vec![t]);
    let mut v = t;
    while let Some((e, u)) = prev[v] {
        edges.push(e);
        nodes.push(u);
        v = u;
    }
    edges.reverse();
    nodes.reverse();
    Some(EdgePath {
        edges,
        nodes,
        cost: dist[t],
    })
}

/// Distance (mm) from `t` to every node over the edges `cost` accepts; `i128::MAX` if none.
pub(crate) fn distances(
    net: &Network,
    t: usize,
    cost: impl Fn(usize) -> Option<i128>,
) -> Vec<i128> {
    let mut dist = vec![i128::MAX; net.n_sites()];
    let mut heap = BinaryHeap::new();
    dist[t] = 0;
    heap.push(Reverse((0i128, t)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u] {
            continue;
        }
        for &(e, v) in net.adj(u) {
            let Some(c) = cost(e) else { continue };
            if d + c < dist[v] {
                dist[v] = d + c;
                heap.push(Reverse((d + c, v)));
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests;
