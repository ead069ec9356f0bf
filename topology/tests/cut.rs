//! Property tests of `Network::cut` on random small multigraphs (<= 8 sites, <= 14 links, SRLGs
//! from a pool of three, random core sites, possibly none): isolated sites really lost every
//! core site, the others kept theirs, and reroutes avoid the cut without overbooking strands.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use topology::{AllocationSpec, Constraints, CutSpec, LinkSpec, Network, SiteSpec};

const POOL: [&str; 3] = ["t1", "t2", "t3"];

#[derive(Debug, Clone)]
struct Case {
    sites: Vec<SiteSpec>,
    links: Vec<LinkSpec>,
    allocations: Vec<AllocationSpec>,
    spec: CutSpec,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=8).prop_flat_map(|n| {
        let link = (0..n, 0..n, 1u32..=20, 0u8..8, 0u32..5, any::<bool>());
        let alloc = (0..n, 0..n, 0u32..3, any::<u16>());
        (
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(link, 0..=14),
            prop::collection::vec(alloc, 0..=4),
            0u8..8,
        )
            .prop_map(move |(core, ls, als, srlg_mask)| {
                let links: Vec<LinkSpec> = ls
                    .iter()
                    .enumerate()
                    .map(|(i, &(a, b, km, mask, strands, _))| LinkSpec {
                        id: format!("l{i}"),
                        a: format!("s{a}"),
                        b: format!("s{b}"),
                        length_m: f64::from(km) * 100.0,
                        owner: "own".into(),
                        fibre_count: strands,
                        srlgs: (0..3)
                            .filter(|g| mask & (1 << g) != 0)
                            .map(|g| POOL[g].to_string())
                            .collect(),
                        ..LinkSpec::default()
                    })
                    .collect();
                let allocations = als
                    .iter()
                    .enumerate()
                    .map(|(i, &(a, b, strands, pick))| AllocationSpec {
                        id: format!("x{i}"),
                        links: (0..links.len())
                            .filter(|l| pick & (1 << (l % 16)) != 0)
                            .map(|l| format!("l{l}"))
                            .collect(),
                        from_site: format!("s{a}"),
                        to_site: format!("s{b}"),
                        strands,
                        ..AllocationSpec::default()
                    })
                    .collect();
                // Only srlgs some kept link (not a self-loop) carries: an unknown one is an error.
                let used: BTreeSet<&String> = links
                    .iter()
                    .filter(|l| l.a != l.b)
                    .flat_map(|l| &l.srlgs)
                    .collect();
                let srlgs = (0..3)
                    .filter(|g| srlg_mask & (1 << g) != 0 && used.contains(&POOL[*g].to_string()))
                    .map(|g| POOL[g].to_string())
                    .collect();
                Case {
                    sites: (0..n)
                        .map(|i| SiteSpec {
                            id: format!("s{i}"),
                            name: format!("site {i}"),
                            is_core: core[i],
                        })
                        .collect(),
                    spec: CutSpec {
                        links: ls
                            .iter()
                            .enumerate()
                            .filter(|(_, l)| l.5 && l.0 != l.1)
                            .map(|(i, _)| format!("l{i}"))
                            .collect(),
                        srlgs,
                    },
                    links,
                    allocations,
                }
            })
    })
}

/// The core as the crate documents it: the `is_core` sites, else the site with the most links
/// (ties: the smallest id).
fn core(net: &Network) -> Vec<String> {
    let core: Vec<String> = net
        .sites()
        .filter(|s| s.is_core)
        .map(|s| s.id.clone())
        .collect();
    if !core.is_empty() {
        return core;
    }
    let mut degree: BTreeMap<&str, usize> = net.sites().map(|s| (s.id.as_str(), 0)).collect();
    for l in net.links() {
        *degree.entry(&l.a).or_default() += 1;
        *degree.entry(&l.b).or_default() += 1;
    }
    let best = degree.values().copied().max().unwrap_or(0);
    degree
        .into_iter()
        .find(|(_, d)| *d == best)
        .map(|(s, _)| s.to_string())
        .into_iter()
        .collect()
}

fn reaches_core(net: &Network, site: &str, core: &[String]) -> bool {
    core.iter().any(|c| {
        net.shortest_path(site, c, &Constraints::default())
            .unwrap()
            .is_some()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cut_reports_what_really_lost_the_core(case in case()) {
        let (mut net, _) = Network::build(&case.sites, &case.links);
        net.set_allocations(case.allocations.clone());
        let r = net.cut(&case.spec).unwrap();

        // Removed = the listed links ∪ the links of the listed SRLGs.
        let mut expect: Vec<String> = net
            .links()
            .filter(|l| {
                case.spec.links.contains(&l.id)
                    || l.srlgs.iter().any(|g| case.spec.srlgs.contains(g))
            })
            .map(|l| l.id.clone())
            .collect();
        expect.sort();
        prop_assert_eq!(&r.removed_links, &expect);

        let removed: BTreeSet<&String> = r.removed_links.iter().collect();
        let kept: Vec<LinkSpec> = case
            .links
            .iter()
            .filter(|l| !removed.contains(&l.id))
            .cloned()
            .collect();
        let (after, _) = Network::build(&case.sites, &kept);
        let core = core(&net);
        let isolated: BTreeSet<&String> = r.isolated_sites.iter().collect();
        for s in net.sites() {
            let before = reaches_core(&net, &s.id, &core);
            let now = reaches_core(&after, &s.id, &core);
            if isolated.contains(&s.id) {
                prop_assert!(before && !now, "{} reported isolated", s.id);
            } else if before {
                prop_assert!(now, "{} lost the core but is not reported", s.id);
            }
        }

        // Reroutes avoid the cut and never book more strands than a link has spare.
        let mut booked: BTreeMap<&str, u32> = BTreeMap::new();
        for x in &r.reroutable {
            let a = net.allocations().iter().find(|a| a.id == x.allocation).unwrap();
            prop_assert_eq!(x.path.sites.first(), Some(&a.from_site));
            prop_assert_eq!(x.path.sites.last(), Some(&a.to_site));
            for l in &x.path.routes {
                prop_assert!(!removed.contains(l));
                *booked.entry(l).or_default() += a.strands;
            }
        }
        for (l, n) in booked {
            prop_assert!(n <= net.link(l).unwrap().spare_strands, "{} overbooked", l);
        }
        let mut handled: Vec<&String> =
            r.reroutable.iter().map(|x| &x.allocation).chain(&r.not_reroutable).collect();
        handled.sort();
        prop_assert_eq!(handled, r.broken_allocations.iter().collect::<Vec<_>>());
    }

    /// Every site `srlg_dependent_sites` names for a trench is one that cutting that trench
    /// isolates, and the other way round.
    #[test]
    fn srlg_dependent_sites_are_what_cutting_each_srlg_isolates(case in case()) {
        let (net, _) = Network::build(&case.sites, &case.links);
        let got = net.srlg_dependent_sites();
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let groups: BTreeSet<&String> = net.links().flat_map(|l| l.srlgs.iter()).collect();
        for g in groups {
            let r = net
                .cut(&CutSpec { links: Vec::new(), srlgs: vec![g.clone()] })
                .unwrap();
            for s in r.isolated_sites {
                want.entry(s).or_default().push(g.clone());
            }
        }
        prop_assert_eq!(got, want);
    }
}
