//! Allocations (circuits along links) and what a cut does to them: which sites lose the core,
//! which allocations break, and which of those can be rerouted over spare strands.
//!
//! The caller resolves a polygon (a digger, a flood) to link ids and names SRLGs; this crate
//! never sees geometry.
//!
//! The core is every site with [`SiteSpec::is_core`](crate::SiteSpec::is_core). A network
//! without any core site takes the site with the most links as its core (ties: the smallest id),
//! so a cut still reports what it separates from the "middle" of the network.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::TopologyError;
use crate::network::{AllocationSpec, Network};
use crate::paths::{dijkstra, Path};

/// Something wrong in the allocations given to [`Network::set_allocations`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AllocationWarning {
    /// A link id the network does not know; dropped, the allocation kept with the known links.
    UnknownLink {
        /// The allocation.
        allocation_id: String,
        /// The missing link.
        link_id: String,
    },
    /// An end site the network does not know; the allocation is kept but cannot be rerouted.
    UnknownSite {
        /// The allocation.
        allocation_id: String,
        /// The missing site.
        site_id: String,
    },
    /// A second allocation with an id already seen; skipped.
    DuplicateAllocation {
        /// The repeated id.
        allocation_id: String,
    },
}

impl fmt::Display for AllocationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownLink {
                allocation_id,
                link_id,
            } => write!(
                f,
                "allocation {allocation_id:?} names unknown link {link_id:?}, dropped"
            ),
            Self::UnknownSite {
                allocation_id,
                site_id,
            } => write!(
                f,
                "allocation {allocation_id:?} names unknown site {site_id:?}"
            ),
            Self::DuplicateAllocation { allocation_id } => {
                write!(f, "duplicate allocation {allocation_id:?} skipped")
            }
        }
    }
}

/// What to cut: links by id and every link of some SRLGs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CutSpec {
    /// Link (route) ids.
    pub links: Vec<String>,
    /// SRLG names; every link in them is cut.
    pub srlgs: Vec<String>,
}

/// An allocation broken by a cut and the path it can move to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reroute {
    /// The allocation id.
    pub allocation: String,
    /// The new path; its `spare_strands` is the tightest spare left to it by the reroutes before.
    pub path: Path,
}

/// What a cut does. Every list is sorted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CutReport {
    /// The cut links: the listed ones and those of the listed SRLGs.
    pub removed_links: Vec<String>,
    /// Sites connected to a core site before the cut and to none after.
    pub isolated_sites: Vec<String>,
    /// Allocations with a cut link.
    pub broken_allocations: Vec<String>,
    /// Broken allocations with a path around the cut, by allocation id.
    pub reroutable: Vec<Reroute>,
    /// Broken allocations without one.
    pub not_reroutable: Vec<String>,
}

impl Network {
    /// Replaces the network's allocations. Unknown link ids are dropped (the allocation is kept
    /// with its known links), unknown end sites kept (it then cannot be rerouted), a repeated id
    /// skipped; each is returned as a warning.
    pub fn set_allocations(&mut self, allocations: Vec<AllocationSpec>) -> Vec<AllocationWarning> {
        let mut warnings = Vec::new();
        let mut seen = BTreeSet::new();
        let mut kept = Vec::with_capacity(allocations.len());
        for mut a in allocations {
            if !seen.insert(a.id.clone()) {
                warnings.push(AllocationWarning::DuplicateAllocation {
                    allocation_id: a.id,
                });
                continue;
            }
            let (known, unknown): (Vec<String>, Vec<String>) =
                a.links.into_iter().partition(|l| self.link(l).is_some());
            for link_id in unknown {
                warnings.push(AllocationWarning::UnknownLink {
                    allocation_id: a.id.clone(),
                    link_id,
                });
            }
            a.links = known;
            for site_id in [&a.from_site, &a.to_site] {
                if self.site(site_id).is_none() {
                    warnings.push(AllocationWarning::UnknownSite {
                        allocation_id: a.id.clone(),
                        site_id: site_id.clone(),
                    });
                }
            }
            kept.push(a);
        }
        kept.sort_by(|x, y| x.id.cmp(&y.id));
        self.allocations = kept;
        warnings
    }

    /// The allocations, sorted by id, with only their known links.
    pub fn allocations(&self) -> &[AllocationSpec] {
        &self.allocations
    }

    /// What cutting some links and SRLGs does to the core's reach and to the allocations.
    ///
    /// Broken allocations are rerouted one by one in allocation id order, each over the
    /// shortest path from `from_site` to `to_site` that avoids the cut links and has at least
    /// `strands` spare strands on every link; each reroute then takes its strands from the
    /// spare of the links it uses, so two broken circuits never both claim the last free
    /// strands of a link (the earlier id wins). A broken allocation's strands on its surviving
    /// links are not freed for its own reroute (conservative).
    pub fn cut(&self, spec: &CutSpec) -> Result<CutReport, TopologyError> {
        let removed = self.removed_edges(spec)?;
        let cut = |e: usize| removed[e];
        let mut report = CutReport {
            removed_links: sorted(
                (0..self.n_links())
                    .filter(|&e| cut(e))
                    .map(|e| self.edge(e).id.clone()),
            ),
            isolated_sites: self.isolated_sites(&self.reaches_core(|_| true), &removed),
            ..CutReport::default()
        };
        let mut spare: Vec<u32> = (0..self.n_links())
            .map(|e| self.edge(e).spare_strands)
            .collect();
        for a in &self.allocations {
            if !a.links.iter().any(|l| self.edge_of(l).is_ok_and(cut)) {
                continue;
            }
            report.broken_allocations.push(a.id.clone());
            match self.reroute(a, &removed, &mut spare) {
                Some(path) => report.reroutable.push(Reroute {
                    allocation: a.id.clone(),
                    path,
                }),
                None => report.not_reroutable.push(a.id.clone()),
            }
        }
        Ok(report)
    }

    /// Per edge: whether the cut removes it.
    fn removed_edges(&self, spec: &CutSpec) -> Result<Vec<bool>, TopologyError> {
        let mut removed = vec![false; self.n_links()];
        for l in &spec.links {
            removed[self.edge_of(l)?] = true;
        }
        for name in &spec.srlgs {
            let g = (0..self.n_srlgs())
                .find(|&g| self.srlg_name(g) == name)
                .ok_or_else(|| TopologyError::UnknownSrlg { srlg: name.clone() })?;
            for &e in self.srlg_edges(g) {
                removed[e] = true;
            }
        }
        Ok(removed)
    }

    /// The core nodes: the `is_core` sites, else the site with the most links.
    pub(crate) fn core_nodes(&self) -> Vec<usize> {
        let core: Vec<usize> = (0..self.n_sites())
            .filter(|&v| self.site_at(v).is_core)
            .collect();
        if !core.is_empty() {
            return core;
        }
        // Most links first, then the smallest id.
        (0..self.n_sites())
            .min_by(|&x, &y| {
                (self.adj(y).len(), self.site_id(x)).cmp(&(self.adj(x).len(), self.site_id(y)))
            })
            .into_iter()
            .collect()
    }

    /// Per site: whether it is in a component with a core site, using the links `keep` accepts.
    pub(crate) fn reaches_core(&self, keep: impl Fn(usize) -> bool) -> Vec<bool> {
        let comp = self.components(keep);
        let core: BTreeSet<usize> = self.core_nodes().iter().map(|&v| comp[v]).collect();
        comp.iter().map(|c| core.contains(c)).collect()
    }

    /// Sites reaching the core with every link (`before`) and not without the removed ones.
    pub(crate) fn isolated_sites(&self, before: &[bool], removed: &[bool]) -> Vec<String> {
        let after = self.reaches_core(|e| !removed[e]);
        sorted(
            (0..self.n_sites())
                .filter(|&v| before[v] && !after[v])
                .map(|v| self.site_id(v).to_string()),
        )
    }

    /// The sites a cut isolates from the core, as [`Network::cut`] reports them, without
    /// rerouting anything.
    pub fn isolated_by(&self, spec: &CutSpec) -> Result<Vec<String>, TopologyError> {
        let removed = self.removed_edges(spec)?;
        Ok(self.isolated_sites(&self.reaches_core(|_| true), &removed))
    }

    /// The allocation's reroute over what the cut and the earlier reroutes left; takes its
    /// strands from `spare`.
    fn reroute(&self, a: &AllocationSpec, removed: &[bool], spare: &mut [u32]) -> Option<Path> {
        let s = self.node_of(&a.from_site).ok()?;
        let t = self.node_of(&a.to_site).ok()?;
        let mut work = 0;
        let p = dijkstra(
            self,
            s,
            t,
            |e, _| (!removed[e] && spare[e] >= a.strands).then(|| self.cost(e)),
            &mut work,
        )?;
        let mut path = self.make_path(&p);
        path.spare_strands = p.edges.iter().map(|&e| spare[e]).min().unwrap_or(u32::MAX);
        for &e in &p.edges {
            spare[e] -= a.strands;
        }
        Some(path)
    }
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests;
