//! The cadastre as a `topology` graph: sites become nodes, routes (trenches, ducts) become
//! links. A route's strands are those of the cables laid along it: fibre count summed over its
//! cables, allocated strands counted once per (cable, strand) and never above a cable's fibre
//! count (validation reports over-allocation; the graph must still build). Sites of kind
//! `pop` are the core.
//!
//! Shared-risk groups: each route is its own trench here; two routes in one trench would share
//! a group, which the model does not record yet (the links carry no SRLG).

use std::collections::{BTreeMap, BTreeSet};

use geo::{MultiPolygon, Polygon};
use topology::{AllocationSpec, BuildWarning, LinkSpec, Network, SiteSpec};

use crate::geometry::{route_length_m, SpatialIndex};
use crate::model::{Cadastre, Layer, Use};

/// Sites and links for [`Network::build`], in the cadastre's order.
pub fn specs(cad: &Cadastre) -> (Vec<SiteSpec>, Vec<LinkSpec>) {
    let sites = cad
        .sites
        .iter()
        .map(|s| SiteSpec {
            id: s.id.clone(),
            name: s.name.clone(),
            is_core: s.kind == "pop",
        })
        .collect();
    // Distinct allocated strands per cable, capped at its fibre count.
    let mut used: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    for a in &cad.allocations {
        used.entry(a.cable.as_str())
            .or_default()
            .extend(a.strands.iter().copied());
    }
    let mut on_route: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for c in &cad.cables {
        let allocated = used.get(c.id.as_str()).map_or(0, |s| {
            s.iter().filter(|&&k| k >= 1 && k <= c.fibre_count).count()
        }) as u32;
        for r in &c.routes {
            let e = on_route.entry(r.as_str()).or_default();
            e.0 = e.0.saturating_add(c.fibre_count);
            e.1 = e.1.saturating_add(allocated);
        }
    }
    let links = cad
        .routes
        .iter()
        .map(|r| {
            let (fibre_count, allocated_strands) =
                on_route.get(r.id.as_str()).copied().unwrap_or((0, 0));
            LinkSpec {
                id: r.id.clone(),
                a: r.from_site.clone(),
                b: r.to_site.clone(),
                length_m: route_length_m(r),
                owner: r.owner.clone(),
                fibre_count,
                allocated_strands,
                free_ducts: r.ducts_free,
                srlgs: Vec::new(),
            }
        })
        .collect();
    (sites, links)
}

/// The cadastre's graph and what building it found (islands, dangling sites, allocations on
/// unknown routes, ...), with its strand allocations attached (each runs along its cable's
/// routes).
pub fn build(cad: &Cadastre) -> (Network, Vec<String>) {
    let (sites, links) = specs(cad);
    let (mut net, built) = Network::build(&sites, &links);
    let mut warnings: Vec<String> = built.iter().map(BuildWarning::to_string).collect();
    warnings.extend(
        net.set_allocations(allocations(cad))
            .iter()
            .map(ToString::to_string),
    );
    (net, warnings)
}

/// Every strand allocation as the graph sees it: the routes of its cable, its ends, how many
/// strands. An allocation naming an unknown cable runs along no route (validation reports it).
pub fn allocations(cad: &Cadastre) -> Vec<AllocationSpec> {
    let cables: BTreeMap<&str, &Vec<String>> = cad
        .cables
        .iter()
        .map(|c| (c.id.as_str(), &c.routes))
        .collect();
    cad.allocations
        .iter()
        .map(|a| AllocationSpec {
            id: a.id.clone(),
            links: cables
                .get(a.cable.as_str())
                .map(|r| (*r).clone())
                .unwrap_or_default(),
            from_site: a.from_site.clone(),
            to_site: a.to_site.clone(),
            strands: a.strands.len() as u32,
            kind: match a.use_ {
                Use::Internal => "internal",
                Use::Lease => "lease",
                Use::Reserved => "reserved",
            }
            .to_string(),
            party: a.party.clone(),
        })
        .collect()
}

/// Ids of the routes that cross or touch any of `areas` (a worksite, a digger's zone), in
/// route order.
pub fn routes_in(cad: &Cadastre, areas: &MultiPolygon<f64>) -> Vec<String> {
    let index = SpatialIndex::build(cad);
    let mut ids: BTreeSet<(usize, String)> = BTreeSet::new();
    for poly in &areas.0 {
        for hit in index.inside(poly) {
            if hit.layer == Layer::Routes {
                ids.insert((hit.index, hit.id));
            }
        }
    }
    ids.into_iter().map(|(_, id)| id).collect()
}

/// A worksite's footprint as polygons: its polygon(s), or for a point or a line a square of
/// `buffer_m` metres around each of its coordinates (planned roadworks are often a point).
pub fn worksite_area(geometry: &geo::Geometry<f64>, buffer_m: f64) -> MultiPolygon<f64> {
    use geo::CoordsIter;
    match geometry {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        geo::Geometry::MultiPolygon(m) => m.clone(),
        other => {
            let polys = other
                .coords_iter()
                .map(|c| {
                    // Degrees per metre at this latitude (a small square: no need for geodesy).
                    let dlat = buffer_m / 111_320.0;
                    let dlon = buffer_m / (111_320.0 * c.y.to_radians().cos().max(1e-6));
                    Polygon::new(
                        geo::LineString::from(vec![
                            (c.x - dlon, c.y - dlat),
                            (c.x + dlon, c.y - dlat),
                            (c.x + dlon, c.y + dlat),
                            (c.x - dlon, c.y + dlat),
                            (c.x - dlon, c.y - dlat),
                        ]),
                        vec![],
                    )
                })
                .collect();
            MultiPolygon(polys)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_network_builds_with_strands_per_route() {
        let cad = crate::demo::generate(1);
        let (sites, links) = specs(&cad);
        assert_eq!(sites.len(), cad.sites.len());
        assert_eq!(links.len(), cad.routes.len());
        // Every cable's fibres are counted on each route it runs along.
        let fibres: u64 = cad
            .cables
            .iter()
            .map(|c| u64::from(c.fibre_count) * c.routes.len() as u64)
            .sum();
        assert_eq!(
            links.iter().map(|l| u64::from(l.fibre_count)).sum::<u64>(),
            fibres
        );
        assert!(links.iter().all(|l| l.allocated_strands <= l.fibre_count));
        assert!(links.iter().any(|l| l.allocated_strands > 0));
        let (net, _warnings) = build(&cad);
        assert_eq!(net.n_links(), cad.routes.len());
        assert_eq!(net.n_components(), 1, "the demo backbone is one network");
    }
}
