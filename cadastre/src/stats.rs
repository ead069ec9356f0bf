//! Km and strands per owner: what `irisops cadastre stats` prints (its `--json` form is this
//! module's serde form: `routes_km`, `by_owner` keyed by owner id with `km`, `strands_total`,
//! `strands_used`, ...), and `spare`: the spare capacity as `topology` computes it (dark strands,
//! dark strand-km, free ducts and duct-km per owner and in total), not re-derived here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::geometry::route_length_m;
use crate::model::Cadastre;

/// The cadastre in figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Geodesic length of every route, km.
    pub routes_km: f64,
    pub n_sites: usize,
    pub n_routes: usize,
    pub n_cables: usize,
    pub n_allocations: usize,
    pub n_hotspots: usize,
    /// Every registered owner, and any owner a route or cable names.
    pub by_owner: BTreeMap<String, OwnerStats>,
    /// Spare capacity per route owner and in total, from `topology::Network::spare`.
    pub spare: Spare,
}

/// The spare-capacity part of [`Stats`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Spare {
    pub by_owner: BTreeMap<String, topology::OwnerSpare>,
    pub total: topology::OwnerSpare,
}

/// One owner's share.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OwnerStats {
    /// Route (trench/duct) km it owns.
    pub km: f64,
    /// Km of fibre cable it owns (a cable's length is the sum of its routes').
    pub cables_km: f64,
    /// Strands in its cables (Σ `fibre_count`).
    pub strands_total: u64,
    /// Distinct strands allocated on its cables (whoever allocated them; strand numbers outside
    /// `1..=fibre_count` are not counted: validation reports them).
    pub strands_used: u64,
    /// Σ strands × cable km.
    pub strand_km_total: f64,
    /// Σ used strands × cable km.
    pub strand_km_used: f64,
}

/// The statistics of a cadastre and the version they describe: what `GET
/// /api/v1/cadastre/stats` answers and `irisops cadastre stats --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionedStats {
    #[serde(flatten)]
    pub stats: Stats,
    pub version: u64,
}

impl VersionedStats {
    /// The statistics of `cad`, at `version`.
    pub fn of(cad: &Cadastre, version: u64) -> Self {
        VersionedStats {
            stats: stats(cad),
            version,
        }
    }
}

/// The figures of `cad`. Dangling references (a cable's unknown route, an allocation's unknown
/// cable) count as nothing; validation reports them.
pub fn stats(cad: &Cadastre) -> Stats {
    let mut by_owner: BTreeMap<String, OwnerStats> = cad
        .owners
        .iter()
        .map(|o| (o.id.clone(), OwnerStats::default()))
        .collect();
    let mut route_km: HashMap<&str, f64> = HashMap::with_capacity(cad.routes.len());
    let mut routes_km = 0.0;
    for r in &cad.routes {
        let km = route_length_m(r) / 1000.0;
        route_km.entry(&r.id).or_insert(km);
        routes_km += km;
        by_owner.entry(r.owner.clone()).or_default().km += km;
    }
    let used = used_strands(cad);
    for c in &cad.cables {
        let km: f64 = c
            .routes
            .iter()
            .filter_map(|id| route_km.get(id.as_str()))
            .sum();
        let n_used = used
            .get(c.id.as_str())
            .map_or(0, |strands| strands.range(1..=c.fibre_count).count() as u64);
        let owner = by_owner.entry(c.owner.clone()).or_default();
        owner.cables_km += km;
        owner.strands_total += u64::from(c.fibre_count);
        owner.strands_used += n_used;
        owner.strand_km_total += f64::from(c.fibre_count) * km;
        owner.strand_km_used += n_used as f64 * km;
    }
    Stats {
        routes_km,
        n_sites: cad.sites.len(),
        n_routes: cad.routes.len(),
        n_cables: cad.cables.len(),
        n_allocations: cad.allocations.len(),
        n_hotspots: cad.hotspots.len(),
        by_owner,
        spare: spare(cad),
    }
}

/// The topology crate's spare report (shared trenches do not change spare, so none are
/// computed).
fn spare(cad: &Cadastre) -> Spare {
    let report = crate::network::build_without_trenches(cad).spare();
    Spare {
        by_owner: report.by_owner,
        total: report.total,
    }
}

/// The distinct strands allocated on each cable id.
fn used_strands(cad: &Cadastre) -> HashMap<&str, BTreeSet<u32>> {
    let mut used: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    for a in &cad.allocations {
        used.entry(&a.cable)
            .or_default()
            .extend(a.strands.iter().copied());
    }
    used
}

#[cfg(test)]
mod tests {
    use geo::{LineString, MultiLineString, Point};

    use super::*;
    use crate::model::{Allocation, Cable, Hotspot, Owner, Route, Site, Use};

    fn route(id: &str, owner: &str, line: Vec<(f64, f64)>) -> Route {
        Route {
            id: id.to_string(),
            name: None,
            from_site: "a".to_string(),
            to_site: "b".to_string(),
            owner: owner.to_string(),
            deployment: "underground".to_string(),
            ducts_total: 2,
            ducts_free: 1,
            status: "in_service".to_string(),
            declared_length_m: None,
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![LineString::from(line)]),
        }
    }

    fn cable(id: &str, owner: &str, routes: &[&str], fibre_count: u32) -> Cable {
        Cable {
            id: id.to_string(),
            name: None,
            routes: routes.iter().map(|r| r.to_string()).collect(),
            fibre_count,
            fibre_type: None,
            owner: owner.to_string(),
            status: "in_service".to_string(),
        }
    }

    fn allocation(id: &str, cable: &str, owner: &str, strands: &[u32]) -> Allocation {
        Allocation {
            id: id.to_string(),
            cable: cable.to_string(),
            strands: strands.to_vec(),
            use_: Use::Lease,
            party: "operator".to_string(),
            owner: owner.to_string(),
            from_site: "a".to_string(),
            to_site: "b".to_string(),
            a_end: None,
            b_end: None,
        }
    }

    fn owner(id: &str) -> Owner {
        Owner {
            id: id.to_string(),
            name: id.to_string(),
            notes: None,
        }
    }

    /// Two owners: "cirb" owns r1 (0.01° east-west, ~704 m) and a 12-strand cable over r1 and
    /// r2; "sibelga" owns r2 (0.01° north-south, ~1113 m) and a 24-strand cable over r2;
    /// "port" owns nothing.
    fn cadastre() -> Cadastre {
        Cadastre {
            owners: vec![owner("cirb"), owner("sibelga"), owner("port")],
            sites: vec![Site {
                id: "a".to_string(),
                name: "a".to_string(),
                kind: "pop".to_string(),
                owner: None,
                address: None,
                commune: None,
                status: "in_service".to_string(),
                location: Point::new(4.35, 50.85),
            }],
            routes: vec![
                route("r1", "cirb", vec![(4.35, 50.85), (4.36, 50.85)]),
                route("r2", "sibelga", vec![(4.36, 50.85), (4.36, 50.86)]),
            ],
            cables: vec![
                cable("c1", "cirb", &["r1", "r2", "nowhere"], 12),
                cable("c2", "sibelga", &["r2"], 24),
            ],
            allocations: vec![
                allocation("a1", "c1", "cirb", &[1, 2]),
                allocation("a2", "c1", "sibelga", &[2, 3]),
                allocation("a3", "c1", "cirb", &[13, 0]),
                allocation("a4", "c2", "sibelga", &[5, 6]),
                allocation("a5", "ghost", "cirb", &[1]),
            ],
            hotspots: vec![Hotspot {
                id: "h".to_string(),
                name: "h".to_string(),
                site: "a".to_string(),
                access_points: vec![],
                owner: None,
            }],
            ..Cadastre::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn counts_km_and_strands_per_owner() {
        let cad = cadastre();
        let s = stats(&cad);
        let (r1, r2) = (
            route_length_m(&cad.routes[0]) / 1e3,
            route_length_m(&cad.routes[1]) / 1e3,
        );
        assert!(
            (r1 - 0.704).abs() < 0.002 && (r2 - 1.113).abs() < 0.002,
            "{r1} {r2}"
        );
        assert!(close(s.routes_km, r1 + r2));
        assert_eq!(
            (
                s.n_sites,
                s.n_routes,
                s.n_cables,
                s.n_allocations,
                s.n_hotspots
            ),
            (1, 2, 2, 5, 1)
        );
        let cirb = &s.by_owner["cirb"];
        assert!(close(cirb.km, r1) && close(cirb.cables_km, r1 + r2));
        // Strands 1, 2, 3 on c1 (2 twice; 0 and 13 are not strands of a 12-strand cable).
        assert_eq!((cirb.strands_total, cirb.strands_used), (12, 3));
        assert!(close(cirb.strand_km_total, 12.0 * (r1 + r2)));
        assert!(close(cirb.strand_km_used, 3.0 * (r1 + r2)));
        let sibelga = &s.by_owner["sibelga"];
        assert!(close(sibelga.km, r2) && close(sibelga.cables_km, r2));
        assert_eq!((sibelga.strands_total, sibelga.strands_used), (24, 2));
        // Spare per route owner, from topology: r1 carries c1 (12 strands, 3 used), r2 carries
        // c1 and c2 (36 strands, 5 used). Routes to an unknown site are not in the graph, so
        // site "b" is added first.
        assert_eq!(s.spare.total.routes, 0);
        let mut with_b = cad.clone();
        let mut b = with_b.sites[0].clone();
        b.id = "b".to_string();
        with_b.sites.push(b);
        let s = stats(&with_b);
        assert_eq!(s.spare.by_owner["cirb"].dark_strands, 9);
        assert_eq!(s.spare.by_owner["sibelga"].dark_strands, 31);
        assert_eq!(s.spare.total.dark_strands, 40);
        assert!(close(s.spare.total.dark_strand_km, 9.0 * r1 + 31.0 * r2));
        assert!(close(sibelga.strand_km_used, 2.0 * r2));
        assert_eq!(s.by_owner["port"], OwnerStats::default());
        assert_eq!(s.by_owner.len(), 3);
    }

    #[test]
    fn json_has_the_cli_contract_keys() {
        let json = serde_json::to_value(stats(&cadastre())).unwrap();
        assert!(json["routes_km"].is_f64());
        let cirb = &json["by_owner"]["cirb"];
        assert!(cirb["km"].is_f64());
        assert_eq!(cirb["strands_total"], 12);
        assert_eq!(cirb["strands_used"], 3);
    }

    #[test]
    fn an_empty_cadastre_is_all_zeros() {
        let s = stats(&Cadastre::default());
        assert_eq!(s.routes_km, 0.0);
        assert!(s.by_owner.is_empty());
    }
}
