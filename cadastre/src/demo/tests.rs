//! The demo's contract: deterministic, Brussels-sized, and clean for the validator (ends at
//! sites, simple geometry inside the extent, known owners and routes, strands in range and
//! allocated once, 15-30 % utilisation).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use geo::{Coord, Distance, Geodesic, Length, Line};

use super::{generate, EXTENT};
use crate::model::Cadastre;

fn km(cad: &Cadastre) -> f64 {
    let m: f64 = cad
        .routes
        .iter()
        .map(|r| Geodesic.length(&r.geometry))
        .sum();
    m / 1000.0
}

#[test]
fn same_seed_same_network_other_seed_other_network() {
    assert_eq!(generate(7), generate(7));
    assert_ne!(generate(7), generate(8));
}

#[test]
fn brussels_sized() {
    for seed in [0, 1, 2, 3, 42, 1000, u64::MAX] {
        let cad = generate(seed);
        let km = km(&cad);
        assert!((350.0..=450.0).contains(&km), "seed {seed}: {km:.1} km");
        let kinds = |k: &[&str]| {
            cad.sites
                .iter()
                .filter(|s| k.contains(&s.kind.as_str()))
                .count()
        };
        assert_eq!(cad.owners.len(), 6);
        assert!((12..=16).contains(&kinds(&["pop"])));
        assert!((280..=320).contains(&kinds(&["administration", "school", "hospital"])));
        assert!(
            (180..=220).contains(&cad.hotspots.len()),
            "{}",
            cad.hotspots.len()
        );
        assert!((50..=70).contains(&cad.targets.len()));
        assert!((3..=7).contains(&cad.worksites.len()));
        assert!(cad.cables.iter().any(|c| c.routes.len() > 2));
        for owner in [
            "cirb",
            "sibelga",
            "bruxelles-mobilite",
            "vivaqua",
            "stib",
            "port",
        ] {
            assert!(
                cad.routes.iter().any(|r| r.owner == owner),
                "no route of {owner}"
            );
        }
    }
}

#[test]
fn ids_unique_and_references_known() {
    let cad = generate(3);
    let unique = |ids: Vec<&str>| ids.len() == ids.iter().collect::<HashSet<_>>().len();
    assert!(unique(cad.sites.iter().map(|s| s.id.as_str()).collect()));
    assert!(unique(cad.routes.iter().map(|s| s.id.as_str()).collect()));
    assert!(unique(cad.cables.iter().map(|s| s.id.as_str()).collect()));
    assert!(unique(
        cad.allocations.iter().map(|s| s.id.as_str()).collect()
    ));
    assert!(unique(cad.hotspots.iter().map(|s| s.id.as_str()).collect()));
    let owners: HashSet<&str> = cad.owners.iter().map(|o| o.id.as_str()).collect();
    let sites: HashSet<&str> = cad.sites.iter().map(|s| s.id.as_str()).collect();
    let routes: BTreeMap<&str, _> = cad.routes.iter().map(|r| (r.id.as_str(), r)).collect();
    for r in &cad.routes {
        assert!(owners.contains(r.owner.as_str()));
        assert!(sites.contains(r.from_site.as_str()) && sites.contains(r.to_site.as_str()));
        assert!((1..=6).contains(&r.ducts_total) && r.ducts_free < r.ducts_total);
    }
    for c in &cad.cables {
        assert!(owners.contains(c.owner.as_str()));
        assert!([12, 24, 48, 96, 144, 288].contains(&c.fibre_count));
        let chain: Vec<_> = c.routes.iter().map(|id| routes[id.as_str()]).collect();
        for w in chain.windows(2) {
            assert_eq!(
                w[0].to_site, w[1].from_site,
                "cable {} not contiguous",
                c.id
            );
        }
    }
    for h in &cad.hotspots {
        assert!(sites.contains(h.site.as_str()));
        assert!((1..=4).contains(&h.access_points.len()));
        assert!(h.access_points.iter().all(|ap| ap.starts_with("ap-")));
    }
    for a in &cad.allocations {
        assert!(owners.contains(a.owner.as_str()));
        assert!(sites.contains(a.from_site.as_str()) && sites.contains(a.to_site.as_str()));
    }
}

#[test]
fn routes_end_at_their_sites_and_stay_simple_inside_the_extent() {
    let cad = generate(5);
    let at: BTreeMap<&str, _> = cad
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.location))
        .collect();
    for r in &cad.routes {
        let line = &r.geometry.0[0];
        let (first, last) = (line.0[0], line.0[line.0.len() - 1]);
        assert!(
            Geodesic.distance(first.into(), at[r.from_site.as_str()]) <= 1.0,
            "{}",
            r.id
        );
        assert!(
            Geodesic.distance(last.into(), at[r.to_site.as_str()]) <= 1.0,
            "{}",
            r.id
        );
        assert!(line.0.iter().all(|&c| in_extent(c)), "{} outside", r.id);
        assert!(!self_intersects(&line.0), "{} crosses itself", r.id);
        let length = Geodesic.length(line);
        assert!(length > 10.0, "{} degenerate", r.id);
        assert!((r.declared_length_m.unwrap_or(0.0) - length).abs() < 0.1);
        if length > 300.0 {
            assert!(line.0.len() >= 3, "{} too straight", r.id);
        }
        if length > 1500.0 {
            assert!(line.0.len() >= 5, "{} too straight", r.id);
        }
    }
    assert!(cad.sites.iter().all(|s| in_extent(s.location.0)));
    assert!(cad.targets.iter().all(|t| in_extent(t.location.0)));
}

#[test]
fn strands_in_range_allocated_once_15_to_30_percent() {
    let cad = generate(11);
    let fibres: BTreeMap<&str, u32> = cad
        .cables
        .iter()
        .map(|c| (c.id.as_str(), c.fibre_count))
        .collect();
    let mut taken: BTreeSet<(&str, u32)> = BTreeSet::new();
    for a in &cad.allocations {
        let n = fibres[a.cable.as_str()];
        for &s in &a.strands {
            assert!((1..=n).contains(&s), "{} strand {s} of {n}", a.id);
            assert!(
                taken.insert((a.cable.as_str(), s)),
                "{} strand {s} twice",
                a.id
            );
        }
    }
    let total: u32 = fibres.values().sum();
    let used = taken.len() as f64 / f64::from(total);
    assert!((0.15..=0.30).contains(&used), "utilisation {used:.3}");
    let ended = cad.allocations.iter().filter(|a| a.a_end.is_some()).count();
    assert!(ended > 10);
}

fn in_extent(c: Coord) -> bool {
    c.x > EXTENT[0] && c.x < EXTENT[2] && c.y > EXTENT[1] && c.y < EXTENT[3]
}

/// True when two non-adjacent segments of `pts` meet (or adjacent ones fold back).
fn self_intersects(pts: &[Coord]) -> bool {
    let segs: Vec<Line> = pts.windows(2).map(|w| Line::new(w[0], w[1])).collect();
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            if j == i + 1 {
                let (a, b) = (segs[i].delta(), segs[j].delta());
                let cross = a.x * b.y - a.y * b.x;
                let dot = a.x * b.x + a.y * b.y;
                if cross.abs() < 1e-18 && dot < 0.0 {
                    return true;
                }
            } else if geo::Intersects::intersects(&segs[i], &segs[j]) {
                return true;
            }
        }
    }
    false
}
