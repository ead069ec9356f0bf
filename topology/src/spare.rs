//! Spare capacity: dark strands, free ducts and lit headroom per link, summed per owner.
//!
//! Dark strands are the links' [`Link::spare_strands`](crate::Link::spare_strands) (fibre count
//! minus the cadastre's allocated strands); allocations set with
//! [`Network::set_allocations`](crate::Network::set_allocations) do not change them, the
//! cadastre's count is expected to include them already. Lit headroom comes from ports the
//! caller maps onto links (the collector's p95 utilisation); this crate never measures anything.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::network::{Link, Network};

/// One lit port mapped onto a link: its line rate and its 95th-percentile traffic.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LitPort {
    /// Line rate, bits per second.
    pub speed_bps: f64,
    /// 95th-percentile traffic, bits per second.
    pub p95_bps: f64,
}

impl LitPort {
    /// `speed − p95`, clamped at 0; a non-finite difference counts as 0.
    pub fn headroom_bps(&self) -> f64 {
        let h = self.speed_bps - self.p95_bps;
        if h.is_finite() {
            h.max(0.0)
        } else {
            0.0
        }
    }
}

/// The spare of one link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkSpare {
    /// The link (route) id.
    pub id: String,
    /// One end's site id.
    pub from_site: String,
    /// The other end's site id.
    pub to_site: String,
    /// Who owns the route.
    pub owner: String,
    /// Length in metres.
    pub length_m: f64,
    /// Strands in the cable(s).
    pub fibre_count: u32,
    /// Strands already in use.
    pub allocated_strands: u32,
    /// Unused strands (the link's `spare_strands`).
    pub dark_strands: u32,
    /// Empty ducts along the route.
    pub free_ducts: u32,
    /// Σ headroom of the lit ports mapped onto the link (each clamped at 0); `None` when no port
    /// is mapped.
    pub lit_headroom_bps: Option<f64>,
}

/// Spare summed over several links (one owner's, or the whole network's).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OwnerSpare {
    /// Number of links (routes).
    pub routes: usize,
    /// Route km.
    pub km: f64,
    /// Strands in all the cables.
    pub fibre_count: u64,
    /// Strands in use.
    pub allocated_strands: u64,
    /// Unused strands.
    pub dark_strands: u64,
    /// Σ dark strands × km.
    pub dark_strand_km: f64,
    /// Empty ducts.
    pub free_ducts: u64,
    /// Σ free ducts × km.
    pub free_duct_km: f64,
    /// Links with at least one lit port mapped onto them.
    pub lit_routes: usize,
    /// Σ lit headroom of those links, bit/s (per link, like strands: a circuit over three
    /// routes counts on each of them).
    pub lit_headroom_bps: f64,
}

impl OwnerSpare {
    fn add(&mut self, l: &Link) {
        let km = l.length_m / 1000.0;
        self.routes += 1;
        self.km += km;
        self.fibre_count += u64::from(l.fibre_count);
        self.allocated_strands += u64::from(l.allocated_strands);
        self.dark_strands += u64::from(l.spare_strands);
        self.dark_strand_km += f64::from(l.spare_strands) * km;
        self.free_ducts += u64::from(l.free_ducts);
        self.free_duct_km += f64::from(l.free_ducts) * km;
    }
}

/// The network's spare: per link (sorted by id), per owner, and in total.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpareReport {
    /// Every link, sorted by id.
    pub links: Vec<LinkSpare>,
    /// Sums per owner.
    pub by_owner: BTreeMap<String, OwnerSpare>,
    /// Sums over the whole network.
    pub total: OwnerSpare,
}

impl Network {
    /// The spare of every link, without lit headroom (`spare_with` an empty map).
    pub fn spare(&self) -> SpareReport {
        self.spare_with(&BTreeMap::new())
    }

    /// The spare of every link, with the lit headroom of the ports mapped onto each link id.
    /// Ports mapped onto a link id the network does not know are ignored.
    pub fn spare_with(&self, lit: &BTreeMap<String, Vec<LitPort>>) -> SpareReport {
        let mut report = SpareReport::default();
        for l in self.links() {
            report.total.add(l);
            report.by_owner.entry(l.owner.clone()).or_default().add(l);
            let ports = lit.get(&l.id).filter(|p| !p.is_empty());
            let headroom: Option<f64> = ports.map(|p| p.iter().map(LitPort::headroom_bps).sum());
            if let Some(h) = headroom {
                for sum in [
                    &mut report.total,
                    report.by_owner.entry(l.owner.clone()).or_default(),
                ] {
                    sum.lit_routes += 1;
                    sum.lit_headroom_bps += h;
                }
            }
            report.links.push(LinkSpare {
                id: l.id.clone(),
                from_site: l.a.clone(),
                to_site: l.b.clone(),
                owner: l.owner.clone(),
                length_m: l.length_m,
                fibre_count: l.fibre_count,
                allocated_strands: l.allocated_strands,
                dark_strands: l.spare_strands,
                free_ducts: l.free_ducts,
                lit_headroom_bps: headroom,
            });
        }
        report.links.sort_by(|x, y| x.id.cmp(&y.id));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::parse;

    fn net(text: &str) -> Network {
        let (sites, mut links) = parse(text).unwrap();
        for l in &mut links {
            l.allocated_strands = 2;
            l.free_ducts = 1;
        }
        Network::build(&sites, &links).0
    }

    #[test]
    fn spare_per_owner_and_total() {
        let n = net("A-B 10km; B-C 5km owner=ores spare=4; C-A 2km owner=ores spare=1");
        let r = n.spare();
        let own = &r.by_owner["own"];
        assert_eq!(
            own,
            &OwnerSpare {
                routes: 1,
                km: 10.0,
                fibre_count: 12,
                allocated_strands: 2,
                dark_strands: 10,
                dark_strand_km: 100.0,
                free_ducts: 1,
                free_duct_km: 10.0,
                lit_routes: 0,
                lit_headroom_bps: 0.0,
            }
        );
        // C-A: 1 strand, 2 allocated → 0 dark (never below zero).
        assert_eq!(
            r.by_owner["ores"],
            OwnerSpare {
                routes: 2,
                km: 7.0,
                fibre_count: 5,
                allocated_strands: 4,
                dark_strands: 2,
                dark_strand_km: 10.0,
                free_ducts: 2,
                free_duct_km: 7.0,
                lit_routes: 0,
                lit_headroom_bps: 0.0,
            }
        );
        assert_eq!(
            (r.total.routes, r.total.km, r.total.dark_strands),
            (3, 17.0, 12)
        );
        assert_eq!(
            (r.total.dark_strand_km, r.total.free_duct_km),
            (110.0, 17.0)
        );
        let ids: Vec<&str> = r.links.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["A-B", "B-C", "C-A"]);
        assert!(r.links.iter().all(|l| l.lit_headroom_bps.is_none()));
    }

    #[test]
    fn lit_headroom_sums_ports_clamped_at_zero() {
        let n = net("A-B 10km; B-C 5km");
        let port = |speed_bps, p95_bps| LitPort { speed_bps, p95_bps };
        let lit = BTreeMap::from([
            (
                "A-B".to_string(),
                vec![port(10e9, 3e9), port(1e9, 2e9), port(1e9, 0.5e9)],
            ),
            ("B-C".to_string(), vec![]),
            ("X-Y".to_string(), vec![port(1e9, 0.0)]),
        ]);
        let r = n.spare_with(&lit);
        assert_eq!(r.links[0].lit_headroom_bps, Some(7.5e9));
        assert_eq!(r.links[1].lit_headroom_bps, None);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["links"][0]["lit_headroom_bps"], 7.5e9);
        assert_eq!(json["by_owner"]["own"]["routes"], 2);
        assert_eq!((r.total.lit_routes, r.total.lit_headroom_bps), (1, 7.5e9));
        assert_eq!(r.by_owner["own"].lit_headroom_bps, 7.5e9);
    }
}
