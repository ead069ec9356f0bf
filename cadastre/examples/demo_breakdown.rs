//! Prints the demo network's kilometres by kind of route (site kind → site kind) and by owner,
//! its feature counts and its strand utilisation: a look at the numbers the demo's tests bound.
//!
//! `cargo run -p cadastre --example demo_breakdown -- [SEED]` (seed 1 by default).

use std::collections::BTreeMap;

use cadastre::demo::generate;
use geo::{Geodesic, Length};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .map_or(1, |s| s.parse().expect("SEED is a number"));
    let cad = generate(seed);
    let km = |r: &cadastre::Route| Geodesic.length(&r.geometry) / 1000.0;
    let kind = |id: &str| {
        cad.sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.kind.clone())
            .unwrap_or_default()
    };
    let mut by: BTreeMap<String, f64> = BTreeMap::new();
    for r in &cad.routes {
        let key = format!("{}->{}", kind(&r.from_site), kind(&r.to_site));
        *by.entry(key).or_default() += km(r);
    }
    let total: f64 = cad.routes.iter().map(km).sum();
    println!("{by:#?} total {total:.1}");
    let mut owners: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &cad.routes {
        *owners.entry(r.owner.as_str()).or_default() += km(r);
    }
    let strands: usize = cad.allocations.iter().map(|a| a.strands.len()).sum();
    let fibres: u32 = cad.cables.iter().map(|c| c.fibre_count).sum();
    println!(
        "km by owner {owners:.1?}; sites {} routes {} cables {} allocations {} spots {} targets {} worksites {}; utilisation {:.3}",
        cad.sites.len(), cad.routes.len(), cad.cables.len(), cad.allocations.len(),
        cad.hotspots.len(), cad.targets.len(), cad.worksites.len(), strands as f64 / f64::from(fibres)
    );
}
