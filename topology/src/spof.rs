//! Single points of failure: links (bridges) and sites (articulation points) whose loss splits
//! the network, and SRLGs whose loss does.
//!
//! Tarjan's lowpoint algorithm, iterative (an explicit stack: a 100k-site chain must not blow
//! the call stack) and multigraph-aware: a DFS step skips only the tree edge it arrived by, by
//! edge id, so a link doubled by a parallel one is never a bridge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::network::{count_distinct, Network};

/// The network's single points of failure, each list sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Spof {
    /// Link ids whose removal increases the number of connected components.
    pub bridges: Vec<String>,
    /// Site ids whose removal (with their links) increases the number of components.
    pub articulation_points: Vec<String>,
}

/// One DFS frame: node, the edge it was reached by, next adjacency position.
struct Frame {
    node: usize,
    via: Option<usize>,
    next: usize,
}

/// Tarjan's state over the whole network.
struct Tarjan {
    disc: Vec<usize>,
    low: Vec<usize>,
    is_cut: Vec<bool>,
    bridges: Vec<usize>,
    timer: usize,
}

impl Tarjan {
    fn discover(&mut self, v: usize) {
        self.disc[v] = self.timer;
        self.low[v] = self.timer;
        self.timer += 1;
    }

    /// One DFS tree from `root`, with an explicit stack.
    fn visit(&mut self, net: &Network, root: usize) {
        self.discover(root);
        let mut root_children = 0;
        let mut stack = vec![Frame {
            node: root,
            via: None,
            next: 0,
        }];
        while let Some(top) = stack.last_mut() {
            let u = top.node;
            if let Some(&(e, v)) = net.adj(u).get(top.next) {
                top.next += 1;
                // Only the edge we came by is the parent edge: a parallel link back is a cycle.
                if Some(e) == top.via {
                    continue;
                }
                if self.disc[v] == usize::MAX {
                    self.discover(v);
                    root_children += usize::from(u == root);
                    stack.push(Frame {
                        node: v,
                        via: Some(e),
                        next: 0,
                    });
                } else {
                    self.low[u] = self.low[u].min(self.disc[v]);
                }
                continue;
            }
            let via = top.via;
            stack.pop();
            if let (Some(parent), Some(e)) = (stack.last(), via) {
                let p = parent.node;
                self.low[p] = self.low[p].min(self.low[u]);
                if self.low[u] > self.disc[p] {
                    self.bridges.push(e);
                }
                if p != root && self.low[u] >= self.disc[p] {
                    self.is_cut[p] = true;
                }
            }
        }
        if root_children > 1 {
            self.is_cut[root] = true;
        }
    }
}

impl Network {
    /// Bridges and articulation points, in O(sites + links).
    pub fn spof(&self) -> Spof {
        let n = self.n_sites();
        let mut tarjan = Tarjan {
            disc: vec![usize::MAX; n],
            low: vec![usize::MAX; n],
            is_cut: vec![false; n],
            bridges: Vec::new(),
            timer: 0,
        };
        for root in 0..n {
            if tarjan.disc[root] == usize::MAX {
                tarjan.visit(self, root);
            }
        }
        let mut bridges: Vec<String> = tarjan
            .bridges
            .iter()
            .map(|&e| self.edge(e).id.clone())
            .collect();
        bridges.sort();
        let mut articulation_points: Vec<String> = (0..n)
            .filter(|&v| tarjan.is_cut[v])
            .map(|v| self.site_id(v).to_string())
            .collect();
        articulation_points.sort();
        Spof {
            bridges,
            articulation_points,
        }
    }

    /// SRLGs whose removal (all their links at once) increases the number of components, sorted.
    /// Costs O(SRLGs × (sites + links)) in the worst case; an SRLG holding a bridge is decided
    /// without a search.
    pub fn srlg_bridges(&self) -> Vec<String> {
        let bridge_ids = self.spof().bridges;
        let base = self.n_components();
        let mut removed = vec![false; self.n_links()];
        let mut out = Vec::new();
        for g in 0..self.n_srlgs() {
            let edges = self.srlg_edges(g);
            let holds_bridge = edges
                .iter()
                .any(|&e| bridge_ids.binary_search(&self.edge(e).id).is_ok());
            let splits = holds_bridge || {
                for &e in edges {
                    removed[e] = true;
                }
                let n = count_distinct(&self.components(|e| !removed[e]));
                for &e in edges {
                    removed[e] = false;
                }
                n > base
            };
            if splits {
                out.push(self.srlg_name(g).to_string());
            }
        }
        out.sort();
        out
    }

    /// Sites whose every path to the core runs through one SRLG (a shared trench): site id →
    /// those SRLGs, sorted. A site counts when it reaches a core site with all links and none
    /// once the SRLG's links are gone; a core site itself never counts. The core is as for
    /// [`Network::cut`]. Costs one search per SRLG, O(SRLGs × (sites + links)).
    pub fn srlg_dependent_sites(&self) -> BTreeMap<String, Vec<String>> {
        let before = self.reaches_core(|_| true);
        let mut removed = vec![false; self.n_links()];
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // SRLGs by name, so each site's list comes out sorted.
        let mut groups: Vec<usize> = (0..self.n_srlgs()).collect();
        groups.sort_by(|&x, &y| self.srlg_name(x).cmp(self.srlg_name(y)));
        for g in groups {
            let edges = self.srlg_edges(g);
            for &e in edges {
                removed[e] = true;
            }
            for site in self.isolated_sites(&before, &removed) {
                out.entry(site)
                    .or_default()
                    .push(self.srlg_name(g).to_string());
            }
            for &e in edges {
                removed[e] = false;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::text::parse;
    use crate::Network;

    fn net(text: &str) -> Network {
        let (sites, links) = parse(text).unwrap();
        Network::build(&sites, &links).0
    }

    #[test]
    fn sites_behind_one_shared_trench_depend_on_it() {
        // B hangs on the core A by two routes in one trench t: no bridge, but one digger in t
        // isolates B and what hangs behind it (C, D). E sits on the ring A-E-F-A: losing its
        // trench u leaves the way round by F, so nothing depends on u.
        let n = net("*A; A-B 1km srlg=t; A-B#2 1km srlg=t; B-C 1km; C-D 1km; A-E 1km srlg=u; E-F 1km; F-A 1km");
        assert!(n.spof().bridges.iter().all(|b| b != "A-B" && b != "A-B#2"));
        let d = n.srlg_dependent_sites();
        let want: std::collections::BTreeMap<String, Vec<String>> = [
            ("B".to_string(), vec!["t".to_string()]),
            ("C".to_string(), vec!["t".to_string()]),
            ("D".to_string(), vec!["t".to_string()]),
        ]
        .into();
        assert_eq!(d, want);
    }

    #[test]
    fn parallel_links_are_not_bridges() {
        let n = net("A-B 1km; A-B#2 1km; B-C 1km; C-D 1km; D-B 1km; D-E 1km");
        let s = n.spof();
        assert_eq!(s.bridges, ["D-E"]);
        assert_eq!(s.articulation_points, ["B", "D"]);
    }

    #[test]
    fn chain_and_star() {
        let s = net("A-B 1km; B-C 1km; C-D 1km").spof();
        assert_eq!(s.bridges, ["A-B", "B-C", "C-D"]);
        assert_eq!(s.articulation_points, ["B", "C"]);
        let s = net("H-A 1km; H-B 1km; H-C 1km; A-B 1km").spof();
        assert_eq!(s.bridges, ["H-C"]);
        assert_eq!(s.articulation_points, ["H"]);
        let s = net("A-B 1km; B-C 1km; C-A 1km").spof();
        assert_eq!(s, super::Spof::default());
    }

    #[test]
    fn long_chain_does_not_overflow_the_stack() {
        let text: Vec<String> = (0..100_000)
            .map(|i| format!("s{i}-s{} 1m", i + 1))
            .collect();
        let s = net(&text.join(";")).spof();
        assert_eq!(s.bridges.len(), 100_000);
        assert_eq!(s.articulation_points.len(), 99_999);
    }

    #[test]
    fn srlg_bridges_cut_the_network_together() {
        // the ring survives any one link, not the trench holding two of them
        let n = net("A-B 1km srlg=t1; B-C 1km; C-D 1km srlg=t1; D-A 1km srlg=t2; C-E 1km srlg=t3");
        assert_eq!(n.srlg_bridges(), ["t1", "t3"]);
    }
}
