//! Sites, links and building a [`Network`] from plain specs, with the warnings the data deserves.
//!
//! The network is an undirected multigraph: parallel links between two sites are normal (two
//! cables in two trenches), self-loops are not. Bad links are skipped and reported, never fatal
//! (partial failure is a value).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use serde::{Deserialize, Serialize};

use crate::error::TopologyError;
use crate::loss::LossModel;

/// A site as the caller describes it (a PoP, a building, a hotspot location).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SiteSpec {
    /// Stable id (the cadastre's).
    pub id: String,
    /// Human name.
    pub name: String,
    /// A core site (PoP): [`Network::cut`] reports sites cut off from every core site.
    pub is_core: bool,
}

/// A link as the caller describes it: one cadastre route between two sites.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LinkSpec {
    /// The cadastre route id; unique in a network.
    pub id: String,
    /// One end's site id.
    pub a: String,
    /// The other end's site id.
    pub b: String,
    /// Length in metres (finite, not negative).
    pub length_m: f64,
    /// Who owns the route.
    pub owner: String,
    /// Strands in the cable(s).
    pub fibre_count: u32,
    /// Strands already in use.
    pub allocated_strands: u32,
    /// Empty ducts along the route.
    pub free_ducts: u32,
    /// Shared-risk groups (trenches, bridges, ...) the route belongs to.
    pub srlgs: Vec<String>,
}

/// One allocation: a circuit whose cable runs along some links between two sites.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AllocationSpec {
    /// Stable id; unique among a network's allocations.
    pub id: String,
    /// The link (route) ids its cable runs along.
    pub links: Vec<String>,
    /// One end's site id.
    pub from_site: String,
    /// The other end's site id.
    pub to_site: String,
    /// Strands it uses on every link.
    pub strands: u32,
    /// `"internal"`, `"lease"` or `"reserved"` (carried, not interpreted).
    pub kind: String,
    /// Who it is for.
    pub party: String,
}

/// A link as the network holds it: the spec, checked, with its spare strands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The cadastre route id.
    pub id: String,
    /// One end's site id.
    pub a: String,
    /// The other end's site id.
    pub b: String,
    /// Length in metres.
    pub length_m: f64,
    /// Who owns the route.
    pub owner: String,
    /// Strands in the cable(s).
    pub fibre_count: u32,
    /// Strands already in use.
    pub allocated_strands: u32,
    /// `fibre_count - allocated_strands`, never below zero.
    pub spare_strands: u32,
    /// Empty ducts along the route.
    pub free_ducts: u32,
    /// Shared-risk groups, sorted, without duplicates or empty names.
    pub srlgs: Vec<String>,
}

/// A connected part of the network, as reported in [`BuildWarning::Islands`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Island {
    /// How many sites it has.
    pub n_sites: usize,
    /// Its smallest site id, to find it.
    pub sample_site_id: String,
}

/// Something wrong in the input that [`Network::build`] skipped or wants a human to look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BuildWarning {
    /// A second site with an id already seen; skipped.
    DuplicateSite {
        /// The repeated id.
        site_id: String,
    },
    /// A link naming a site that does not exist; skipped.
    UnknownSite {
        /// The link.
        link_id: String,
        /// The missing site.
        site_id: String,
    },
    /// A link from a site to itself; skipped.
    SelfLoop {
        /// The link.
        link_id: String,
        /// Its only site.
        site_id: String,
    },
    /// A second link with an id already in the network; skipped.
    DuplicateLink {
        /// The repeated id.
        link_id: String,
    },
    /// A link whose length is negative, infinite or NaN; skipped.
    BadLength {
        /// The link.
        link_id: String,
        /// The length given.
        length_m: f64,
    },
    /// A site without any link.
    DanglingSite {
        /// The site.
        site_id: String,
    },
    /// The network falls apart in more than one connected component.
    Islands {
        /// Every component, largest first.
        islands: Vec<Island>,
    },
}

impl fmt::Display for BuildWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateSite { site_id } => write!(f, "duplicate site {site_id:?} skipped"),
            Self::UnknownSite { link_id, site_id } => {
                write!(
                    f,
                    "link {link_id:?} names unknown site {site_id:?}, skipped"
                )
            }
            Self::SelfLoop { link_id, site_id } => {
                write!(f, "link {link_id:?} loops on site {site_id:?}, skipped")
            }
            Self::DuplicateLink { link_id } => write!(f, "duplicate link {link_id:?} skipped"),
            Self::BadLength { link_id, length_m } => {
                write!(
                    f,
                    "link {link_id:?} has unusable length {length_m}, skipped"
                )
            }
            Self::DanglingSite { site_id } => write!(f, "site {site_id:?} has no link"),
            Self::Islands { islands } => {
                write!(f, "network has {} islands:", islands.len())?;
                for i in islands {
                    write!(f, " {} sites (e.g. {:?});", i.n_sites, i.sample_site_id)?;
                }
                Ok(())
            }
        }
    }
}

/// The fibre network: sites as nodes, links as edges of an undirected multigraph.
///
/// Built once by [`Network::build`], then only queried. Indices stay private: everything public
/// speaks site ids and link (route) ids.
#[derive(Debug, Clone, Default)]
pub struct Network {
    graph: UnGraph<SiteSpec, Link>,
    site_index: HashMap<String, NodeIndex>,
    link_index: HashMap<String, EdgeIndex>,
    /// Per node: `(edge, other node)` in link insertion order.
    adj: Vec<Vec<(usize, usize)>>,
    /// Per edge: its two end nodes (`a`, `b`).
    ends: Vec<(usize, usize)>,
    /// Per edge: its interned SRLGs.
    edge_srlgs: Vec<Vec<usize>>,
    /// Per SRLG: its name and its edges.
    srlgs: Vec<(String, Vec<usize>)>,
    loss_model: LossModel,
    /// Allocations (circuits) along the links, sorted by id; see [`crate::cut`].
    pub(crate) allocations: Vec<AllocationSpec>,
}

/// Costs are integer millimetres so the path algorithms compare exactly; a link longer than
/// this (a million km) is clamped, which keeps every sum far from overflow.
const MAX_COST_MM: i128 = 1_000_000_000_000_000;

impl Network {
    /// Builds the network from specs, skipping and reporting what is unusable.
    pub fn build(sites: &[SiteSpec], links: &[LinkSpec]) -> (Network, Vec<BuildWarning>) {
        let mut net = Network::default();
        let mut warnings = Vec::new();
        for s in sites {
            if net.site_index.contains_key(&s.id) {
                warnings.push(BuildWarning::DuplicateSite {
                    site_id: s.id.clone(),
                });
                continue;
            }
            let n = net.graph.add_node(s.clone());
            net.site_index.insert(s.id.clone(), n);
            net.adj.push(Vec::new());
        }
        let mut srlg_ids: HashMap<String, usize> = HashMap::new();
        for l in links {
            match net.check_link(l) {
                Err(w) => warnings.push(w),
                Ok((a, b)) => net.add_link(l, a, b, &mut srlg_ids),
            }
        }
        warnings.extend(net.connectivity_warnings());
        (net, warnings)
    }

    fn check_link(&self, l: &LinkSpec) -> Result<(NodeIndex, NodeIndex), BuildWarning> {
        let site = |id: &String| {
            self.site_index
                .get(id)
                .copied()
                .ok_or_else(|| BuildWarning::UnknownSite {
                    link_id: l.id.clone(),
                    site_id: id.clone(),
                })
        };
        let (a, b) = (site(&l.a)?, site(&l.b)?);
        if a == b {
            return Err(BuildWarning::SelfLoop {
                link_id: l.id.clone(),
                site_id: l.a.clone(),
            });
        }
        if !l.length_m.is_finite() || l.length_m < 0.0 {
            return Err(BuildWarning::BadLength {
                link_id: l.id.clone(),
                length_m: l.length_m,
            });
        }
        if self.link_index.contains_key(&l.id) {
            return Err(BuildWarning::DuplicateLink {
                link_id: l.id.clone(),
            });
        }
        Ok((a, b))
    }

    fn add_link(
        &mut self,
        l: &LinkSpec,
        a: NodeIndex,
        b: NodeIndex,
        srlg_ids: &mut HashMap<String, usize>,
    ) {
        let mut srlgs: Vec<String> = l.srlgs.iter().filter(|s| !s.is_empty()).cloned().collect();
        srlgs.sort();
        srlgs.dedup();
        let link = Link {
            id: l.id.clone(),
            a: l.a.clone(),
            b: l.b.clone(),
            length_m: l.length_m,
            owner: l.owner.clone(),
            fibre_count: l.fibre_count,
            allocated_strands: l.allocated_strands,
            spare_strands: l.fibre_count.saturating_sub(l.allocated_strands),
            free_ducts: l.free_ducts,
            srlgs: srlgs.clone(),
        };
        let e = self.graph.add_edge(a, b, link);
        let ei = e.index();
        self.link_index.insert(l.id.clone(), e);
        self.adj[a.index()].push((ei, b.index()));
        self.adj[b.index()].push((ei, a.index()));
        self.ends.push((a.index(), b.index()));
        let mut ids = Vec::with_capacity(srlgs.len());
        for name in srlgs {
            let next = self.srlgs.len();
            let g = *srlg_ids.entry(name.clone()).or_insert(next);
            if g == next {
                self.srlgs.push((name, Vec::new()));
            }
            self.srlgs[g].1.push(ei);
            ids.push(g);
        }
        self.edge_srlgs.push(ids);
    }

    fn connectivity_warnings(&self) -> Vec<BuildWarning> {
        let mut out = Vec::new();
        for (v, adj) in self.adj.iter().enumerate() {
            if adj.is_empty() {
                out.push(BuildWarning::DanglingSite {
                    site_id: self.site_id(v).to_string(),
                });
            }
        }
        let comp = self.components(|_| true);
        let mut islands: BTreeMap<usize, Island> = BTreeMap::new();
        for (v, c) in comp.iter().enumerate() {
            let id = self.site_id(v);
            let island = islands.entry(*c).or_insert_with(|| Island {
                n_sites: 0,
                sample_site_id: id.to_string(),
            });
            island.n_sites += 1;
            if id < island.sample_site_id.as_str() {
                island.sample_site_id = id.to_string();
            }
        }
        if islands.len() > 1 {
            let mut islands: Vec<Island> = islands.into_values().collect();
            islands.sort_by(|x, y| {
                (y.n_sites, &x.sample_site_id).cmp(&(x.n_sites, &y.sample_site_id))
            });
            out.push(BuildWarning::Islands { islands });
        }
        out
    }

    /// Number of sites.
    pub fn n_sites(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of links.
    pub fn n_links(&self) -> usize {
        self.graph.edge_count()
    }

    /// The site with this id.
    pub fn site(&self, site_id: &str) -> Option<&SiteSpec> {
        self.site_index.get(site_id).map(|n| &self.graph[*n])
    }

    /// The link with this (route) id.
    pub fn link(&self, link_id: &str) -> Option<&Link> {
        self.link_index.get(link_id).map(|e| &self.graph[*e])
    }

    /// All sites, in build order.
    pub fn sites(&self) -> impl Iterator<Item = &SiteSpec> + '_ {
        self.graph.node_weights()
    }

    /// All links, in build order.
    pub fn links(&self) -> impl Iterator<Item = &Link> + '_ {
        self.graph.edge_weights()
    }

    /// Number of connected components (a dangling site counts as one).
    pub fn n_components(&self) -> usize {
        count_distinct(&self.components(|_| true))
    }

    /// The loss model paths are priced with ([`LossModel::default`] unless set).
    pub fn loss_model(&self) -> &LossModel {
        &self.loss_model
    }

    /// Replaces the loss model after checking it.
    pub fn set_loss_model(&mut self, model: LossModel) -> Result<(), TopologyError> {
        model.validate()?;
        self.loss_model = model;
        Ok(())
    }

    /// Whether two links are diverse: different edges that share no SRLG.
    pub fn links_are_diverse(&self, link_a: &str, link_b: &str) -> Result<bool, TopologyError> {
        let a = self.edge_of(link_a)?;
        let b = self.edge_of(link_b)?;
        if a == b {
            return Ok(false);
        }
        let ga: HashSet<usize> = self.edge_srlgs[a].iter().copied().collect();
        Ok(!self.edge_srlgs[b].iter().any(|g| ga.contains(g)))
    }

    // ---- crate-internal views for the algorithms (indices never leave the crate) ----

    pub(crate) fn node_of(&self, site_id: &str) -> Result<usize, TopologyError> {
        self.site_index
            .get(site_id)
            .map(|n| n.index())
            .ok_or_else(|| TopologyError::UnknownSite {
                site_id: site_id.to_string(),
            })
    }

    pub(crate) fn edge_of(&self, link_id: &str) -> Result<usize, TopologyError> {
        self.link_index
            .get(link_id)
            .map(|e| e.index())
            .ok_or_else(|| TopologyError::UnknownLink {
                link_id: link_id.to_string(),
            })
    }

    pub(crate) fn site_id(&self, v: usize) -> &str {
        &self.graph[NodeIndex::new(v)].id
    }

    pub(crate) fn site_at(&self, v: usize) -> &SiteSpec {
        &self.graph[NodeIndex::new(v)]
    }

    pub(crate) fn edge(&self, e: usize) -> &Link {
        &self.graph[EdgeIndex::new(e)]
    }

    /// The edge's end nodes, `a` then `b`.
    pub(crate) fn ends(&self, e: usize) -> (usize, usize) {
        self.ends[e]
    }

    /// `(edge, other node)` pairs at node `v`.
    pub(crate) fn adj(&self, v: usize) -> &[(usize, usize)] {
        &self.adj[v]
    }

    /// The edge's length as an integer cost in millimetres.
    pub(crate) fn cost(&self, e: usize) -> i128 {
        let mm = (self.edge(e).length_m * 1000.0).round();
        if mm >= MAX_COST_MM as f64 {
            MAX_COST_MM
        } else {
            mm as i128
        }
    }

    pub(crate) fn edge_srlgs(&self, e: usize) -> &[usize] {
        &self.edge_srlgs[e]
    }

    pub(crate) fn srlg_name(&self, g: usize) -> &str {
        &self.srlgs[g].0
    }

    pub(crate) fn srlg_edges(&self, g: usize) -> &[usize] {
        &self.srlgs[g].1
    }

    pub(crate) fn n_srlgs(&self) -> usize {
        self.srlgs.len()
    }

    /// Component number of every node using only the edges `keep` accepts (iterative BFS).
    pub(crate) fn components(&self, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        let n = self.n_sites();
        let mut comp = vec![usize::MAX; n];
        let mut queue = Vec::new();
        let mut next = 0;
        for root in 0..n {
            if comp[root] != usize::MAX {
                continue;
            }
            comp[root] = next;
            queue.push(root);
            while let Some(u) = queue.pop() {
                for &(e, v) in &self.adj[u] {
                    if comp[v] == usize::MAX && keep(e) {
                        comp[v] = next;
                        queue.push(v);
                    }
                }
            }
            next += 1;
        }
        comp
    }
}

/// Number of distinct component numbers (they are dense from 0).
pub(crate) fn count_distinct(comp: &[usize]) -> usize {
    comp.iter().max().map_or(0, |m| m + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str) -> SiteSpec {
        SiteSpec {
            id: id.into(),
            name: id.into(),
            is_core: false,
        }
    }

    fn link(id: &str, a: &str, b: &str, length_m: f64) -> LinkSpec {
        LinkSpec {
            id: id.into(),
            a: a.into(),
            b: b.into(),
            length_m,
            owner: "own".into(),
            fibre_count: 4,
            allocated_strands: 6,
            ..LinkSpec::default()
        }
    }

    #[test]
    fn build_skips_bad_links_and_reports_islands() {
        let sites: Vec<_> = ["A", "B", "C", "D", "E", "A"].map(site).into();
        let links = [
            link("l1", "A", "B", 10.0),
            link("l2", "A", "X", 1.0),
            link("l3", "C", "C", 1.0),
            link("l1", "B", "C", 1.0),
            link("l4", "B", "C", f64::NAN),
            link("l5", "B", "C", -1.0),
            link("l6", "D", "C", 0.0),
        ];
        let (net, w) = Network::build(&sites, &links);
        assert_eq!((net.n_sites(), net.n_links()), (5, 2));
        assert_eq!(net.link("l1").unwrap().spare_strands, 0);
        let text: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            text,
            [
                "duplicate site \"A\" skipped",
                "link \"l2\" names unknown site \"X\", skipped",
                "link \"l3\" loops on site \"C\", skipped",
                "duplicate link \"l1\" skipped",
                "link \"l4\" has unusable length NaN, skipped",
                "link \"l5\" has unusable length -1, skipped",
                "site \"E\" has no link",
                "network has 3 islands: 2 sites (e.g. \"A\"); 2 sites (e.g. \"C\"); \
                 1 sites (e.g. \"E\");",
            ]
        );
        assert_eq!(net.n_components(), 3);
    }

    #[test]
    fn diverse_links_share_no_srlg() {
        let sites: Vec<_> = ["A", "B"].map(site).into();
        let mut l1 = link("l1", "A", "B", 1.0);
        l1.srlgs = vec!["t1".into(), "".into(), "t1".into()];
        let mut l2 = link("l2", "A", "B", 1.0);
        l2.srlgs = vec!["t2".into()];
        let mut l3 = link("l3", "B", "A", 1.0);
        l3.srlgs = vec!["t1".into()];
        let (net, w) = Network::build(&sites, &[l1, l2, l3]);
        assert!(w.is_empty());
        assert_eq!(net.link("l1").unwrap().srlgs, ["t1"]);
        assert!(net.links_are_diverse("l1", "l2").unwrap());
        assert!(!net.links_are_diverse("l1", "l3").unwrap());
        assert!(!net.links_are_diverse("l2", "l2").unwrap());
        assert_eq!(
            net.links_are_diverse("l1", "zz"),
            Err(TopologyError::UnknownLink {
                link_id: "zz".into()
            })
        );
    }
}
