//! The fibre network as a graph: the shared vocabulary of irisops. Pure: no IO, no clock, no
//! async. It will own sites, links (edges for routes carrying cables), shared-risk groups, spare
//! capacity, diverse paths, single points of failure and what-if cuts (the topology issue);
//! `cadastre` builds a [`Network`] through its constructors and the api feeds it measurements.
//!
//! Layout (grows with the topology issue):
//! - [`Network`], [`SiteId`]: the graph and its node identity.

use petgraph::graph::{NodeIndex, UnGraph};
use serde::{Deserialize, Serialize};

/// A site's identifier as the cadastre names it (a PoP, a building, a hotspot location).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SiteId(pub String);

/// The fibre network: sites as nodes, links as edges. Indices stay private.
#[derive(Debug, Default)]
pub struct Network {
    graph: UnGraph<SiteId, f64>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a site and returns how many sites the network now has.
    pub fn add_site(&mut self, id: SiteId) -> usize {
        self.graph.add_node(id);
        self.graph.node_count()
    }

    /// Adds a link of `length_m` metres between two sites, by position of insertion.
    /// Returns false when either site does not exist.
    pub fn add_link(&mut self, a: usize, b: usize, length_m: f64) -> bool {
        let n = self.graph.node_count();
        if a >= n || b >= n {
            return false;
        }
        self.graph
            .add_edge(NodeIndex::new(a), NodeIndex::new(b), length_m);
        true
    }

    /// Number of sites.
    pub fn n_sites(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of links.
    pub fn n_links(&self) -> usize {
        self.graph.edge_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_need_existing_sites() {
        let mut net = Network::new();
        net.add_site(SiteId("a".into()));
        net.add_site(SiteId("b".into()));
        assert!(net.add_link(0, 1, 120.0));
        assert!(!net.add_link(0, 2, 1.0));
        assert_eq!((net.n_sites(), net.n_links()), (2, 1));
    }
}
