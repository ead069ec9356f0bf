//! k diverse paths between two sites, and exactly what they still share when they cannot be
//! fully diverse.
//!
//! 1. Min-cost flow (Suurballe/Bhandari, see `flow`): k link-disjoint (site-disjoint on request)
//!    paths of minimum total length, or k paths sharing as few links as possible.
//! 2. If those share an SRLG (or break `max_length_m`) and k disjoint paths exist at all, the
//!    exact branch-and-bound `search` looks for a fully diverse set.
//! 3. Failing that, the "maximally diverse" answer: of the flow's paths and a few greedy
//!    penalised sets, the one with the fewest shared links, then SRLGs, then sites, then length.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::flow::k_paths;
use super::search::Search;
use super::{dijkstra, Constraints, EdgePath, Path};
use crate::error::TopologyError;
use crate::network::Network;

/// What a set of diverse paths turned out to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diverse {
    /// The paths, shortest first; empty when `to` cannot be reached.
    pub paths: Vec<Path>,
    /// True iff there are k paths and they share no link, no SRLG and (when site-disjointness
    /// was asked for) no intermediate site.
    pub fully_diverse: bool,
    /// Every link, SRLG (and site, when asked) used by more than one path.
    pub shared_risks: Vec<SharedRisk>,
}

/// What kind of thing two paths share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskKind {
    /// A link (its route id).
    Route,
    /// A shared-risk group.
    Srlg,
    /// An intermediate site (only reported for site-disjoint requests).
    Site,
}

/// One thing used by more than one path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SharedRisk {
    /// What it is.
    pub kind: RiskKind,
    /// Its id (route id, SRLG name or site id).
    pub id: String,
    /// Indices into [`Diverse::paths`] of the paths using it, ascending.
    pub paths: Vec<usize>,
}

impl Network {
    /// Up to `k` diverse paths from `from` to `to` under `constraints`; see the module doc.
    /// `k = 1` is the shortest path.
    pub fn diverse_paths(
        &self,
        from: &str,
        to: &str,
        k: usize,
        constraints: &Constraints,
    ) -> Result<Diverse, TopologyError> {
        let s = self.node_of(from)?;
        let t = self.node_of(to)?;
        if k == 0 {
            return Err(TopologyError::ZeroPaths);
        }
        if s == t {
            return Err(TopologyError::SameSite {
                site_id: from.to_string(),
            });
        }
        let allowed = constraints.allowed(self);
        let (nd, max) = (constraints.node_disjoint, constraints.max_cost());
        let set = if k == 1 {
            shortest(self, s, t, &allowed).into_iter().collect()
        } else {
            self.diverse_set(s, t, k, &allowed, nd, max)
        };
        Ok(self.finish(set, k, nd, max))
    }

    /// Flow, then exact search, then the maximally diverse candidate (`k >= 2`).
    fn diverse_set(
        &self,
        s: usize,
        t: usize,
        k: usize,
        allowed: &[bool],
        nd: bool,
        max: Option<i128>,
    ) -> Vec<EdgePath> {
        let flow = k_paths(self, s, t, k, allowed, nd);
        if flow.paths.is_empty() {
            return Vec::new();
        }
        let within = max.is_none_or(|m| flow.paths.iter().all(|p| p.cost <= m));
        if !flow.shared && within && shared_risks(self, &flow.paths, nd).is_empty() {
            return flow.paths;
        }
        // With sharing in the flow, not even k link- (site-) disjoint paths exist: no search.
        if !flow.shared {
            // An exhausted budget simply falls through to the best candidate below.
            let (found, _complete) = Search::new(self, s, t, allowed, nd, max).run(k);
            if let Some(set) = found {
                return set;
            }
        }
        let mut candidates = vec![flow.paths.clone()];
        for first in shortest(self, s, t, allowed).into_iter().chain(flow.paths) {
            candidates.push(greedy(self, (s, t), first, k, allowed, nd));
        }
        candidates
            .into_iter()
            .min_by_key(|c| score(self, c, nd, max))
            .unwrap_or_default()
    }

    /// Drops paths over the length limit, orders the rest, names what they share.
    fn finish(&self, mut set: Vec<EdgePath>, k: usize, nd: bool, max: Option<i128>) -> Diverse {
        set.retain(|p| max.is_none_or(|m| p.cost <= m));
        set.sort_by(|x, y| (x.cost, &x.edges).cmp(&(y.cost, &y.edges)));
        let shared_risks = shared_risks(self, &set, nd);
        Diverse {
            fully_diverse: set.len() == k && shared_risks.is_empty(),
            paths: set.iter().map(|p| self.make_path(p)).collect(),
            shared_risks,
        }
    }
}

/// The shortest path over the allowed links.
fn shortest(net: &Network, s: usize, t: usize, allowed: &[bool]) -> Option<EdgePath> {
    let mut work = 0;
    dijkstra(net, s, t, |e, _| allowed[e].then(|| net.cost(e)), &mut work)
}

/// Everything used by more than one of the paths, sorted by kind then id.
fn shared_risks(net: &Network, paths: &[EdgePath], nd: bool) -> Vec<SharedRisk> {
    let mut users: BTreeMap<(RiskKind, String), BTreeSet<usize>> = BTreeMap::new();
    for (i, p) in paths.iter().enumerate() {
        for &e in &p.edges {
            let l = net.edge(e);
            users
                .entry((RiskKind::Route, l.id.clone()))
                .or_default()
                .insert(i);
            for g in &l.srlgs {
                users
                    .entry((RiskKind::Srlg, g.clone()))
                    .or_default()
                    .insert(i);
            }
        }
        if nd {
            let inner = p.nodes.len().saturating_sub(1);
            for &v in p.nodes.get(1..inner).unwrap_or(&[]) {
                users
                    .entry((RiskKind::Site, net.site_id(v).to_string()))
                    .or_default()
                    .insert(i);
            }
        }
    }
    users
        .into_iter()
        .filter(|(_, u)| u.len() > 1)
        .map(|((kind, id), u)| SharedRisk {
            kind,
            id,
            paths: u.into_iter().collect(),
        })
        .collect()
}

/// Ranking of a candidate set: paths over the limit, shared links, SRLGs, sites, total length.
fn score(
    net: &Network,
    set: &[EdgePath],
    nd: bool,
    max: Option<i128>,
) -> (usize, usize, usize, usize, i128) {
    let over = set
        .iter()
        .filter(|p| max.is_some_and(|m| p.cost > m))
        .count();
    let risks = shared_risks(net, set, nd);
    let n = |k: RiskKind| risks.iter().filter(|r| r.kind == k).count();
    let total = set.iter().map(|p| p.cost).sum();
    (
        over,
        n(RiskKind::Route),
        n(RiskKind::Srlg),
        n(RiskKind::Site),
        total,
    )
}

/// Greedy set: after `first`, each next path is the cheapest under penalties for reusing a
/// link (heaviest), then an SRLG, then a site, each penalty outweighing all lighter terms.
fn greedy(
    net: &Network,
    (s, t): (usize, usize),
    first: EdgePath,
    k: usize,
    allowed: &[bool],
    nd: bool,
) -> Vec<EdgePath> {
    let total: i128 = (0..net.n_links()).map(|e| net.cost(e)).sum();
    let kk = k as i128;
    let site_pen = (total + 1) * 2 * kk + 1;
    let srlg_pen = site_pen.saturating_mul((net.n_sites() as i128 + 1) * kk);
    let incidences: usize = (0..net.n_links()).map(|e| net.edge_srlgs(e).len()).sum();
    let link_pen = srlg_pen.saturating_mul((incidences as i128 + 1) * kk);
    let mut edge_uses = vec![0i128; net.n_links()];
    let mut srlg_uses = vec![0i128; net.n_srlgs()];
    let mut site_uses = vec![0i128; net.n_sites()];
    let mut set = Vec::new();
    let mut next = Some(first);
    while let Some(p) = next.take() {
        for &e in &p.edges {
            edge_uses[e] += 1;
        }
        let groups: BTreeSet<usize> = p
            .edges
            .iter()
            .flat_map(|&e| net.edge_srlgs(e))
            .copied()
            .collect();
        for g in groups {
            srlg_uses[g] += 1;
        }
        let inner = p.nodes.len().saturating_sub(1);
        for &v in p.nodes.get(1..inner).unwrap_or(&[]) {
            site_uses[v] += 1;
        }
        set.push(p);
        if set.len() == k {
            break;
        }
        let cost = |e: usize, w: usize| {
            if !allowed[e] {
                return None;
            }
            let srlg: i128 = net.edge_srlgs(e).iter().map(|&g| srlg_uses[g]).sum();
            let site = if nd && w != t { site_uses[w] } else { 0 };
            Some(
                net.cost(e)
                    .saturating_add(link_pen.saturating_mul(edge_uses[e]))
                    .saturating_add(srlg_pen.saturating_mul(srlg))
                    .saturating_add(site_pen.saturating_mul(site)),
            )
        };
        let mut work = 0;
        next = dijkstra(net, s, t, cost, &mut work).map(|mut p| {
            p.cost = p.edges.iter().map(|&e| net.cost(e)).sum();
            p
        });
    }
    set
}
