//! Allocating strands on every cable: 16-28 % of each cable (pairs, a few gaps), as internal
//! circuits (on core cables, with router ports at both PoPs), leases to operators, and
//! reserves. Each strand is allocated at most once and lies within 1..=fibre_count.

use std::collections::BTreeMap;

use rand::Rng;

use super::{Builder, Tier};
use crate::model::{Allocation, Cable, PortRef, Use};

const OPERATORS: [&str; 3] = ["proximus", "orange", "telenet"];

/// Allocates strands on every cable of `b`.
pub(super) fn allocate(b: &mut Builder) {
    let mut ports: BTreeMap<String, u32> = BTreeMap::new();
    let mut allocations = Vec::new();
    for (i, &tier) in b.cable_tiers.clone().iter().enumerate() {
        let Some(cable) = b.cad.cables.get(i).cloned() else {
            continue;
        };
        let Some(ends) = cable_ends(b, &cable.routes) else {
            continue;
        };
        allocations.extend(on_cable(b, &mut ports, &cable, tier, &ends));
    }
    for (i, a) in allocations.iter_mut().enumerate() {
        a.id = format!("a-{:04}", i + 1);
    }
    b.cad.allocations = allocations;
}

/// 16-28 % of `cable`'s strands, in pairs from strand 1 with a few gaps (ids set later).
fn on_cable(
    b: &mut Builder,
    ports: &mut BTreeMap<String, u32>,
    cable: &Cable,
    tier: Tier,
    (from, to): &(String, String),
) -> Vec<Allocation> {
    let fibres = cable.fibre_count;
    let share = b.rng.gen_range(0.16..0.28);
    let target = ((f64::from(fibres) * share / 2.0).round() as u32 * 2).clamp(2, fibres);
    let (mut used, mut next, mut out) = (0u32, 1u32, Vec::new());
    while used < target {
        let use_ = pick_use(&mut b.rng, tier);
        let size = match (tier, use_) {
            (Tier::Access, _) => 2,
            (_, Use::Reserved) => 2 * b.rng.gen_range(1..=4),
            _ => 2 * b.rng.gen_range(1..=2),
        }
        .min(target - used);
        if next + size - 1 > fibres {
            break;
        }
        let (a_end, b_end) = match (tier, use_) {
            (Tier::Core, Use::Internal) => (Some(port(ports, from)), Some(port(ports, to))),
            _ => (None, None),
        };
        let party = match use_ {
            Use::Internal => format!("{from}/{to} #{}", out.len() + 1),
            Use::Lease => OPERATORS[b.rng.gen_range(0..OPERATORS.len())].to_string(),
            Use::Reserved => "reserve".to_string(),
        };
        out.push(Allocation {
            id: String::new(),
            cable: cable.id.clone(),
            strands: (next..next + size).collect(),
            use_,
            party,
            owner: cable.owner.clone(),
            from_site: from.clone(),
            to_site: to.clone(),
            a_end,
            b_end,
        });
        used += size;
        next += size + if b.rng.gen_bool(0.3) { 2 } else { 0 };
    }
    out
}

/// The cable's two end sites: the first route's `from_site` and the last route's `to_site`.
fn cable_ends(b: &Builder, routes: &[String]) -> Option<(String, String)> {
    let find = |id: &String| b.cad.routes.iter().find(|r| &r.id == id);
    let first = find(routes.first()?)?;
    let last = find(routes.last()?)?;
    Some((first.from_site.clone(), last.to_site.clone()))
}

fn pick_use(rng: &mut rand::rngs::StdRng, tier: Tier) -> Use {
    let (internal, lease) = match tier {
        Tier::Core => (50, 30),
        Tier::Feeder => (40, 35),
        Tier::Access => (70, 15),
    };
    let roll = rng.gen_range(0..100);
    if roll < internal {
        Use::Internal
    } else if roll < internal + lease {
        Use::Lease
    } else {
        Use::Reserved
    }
}

/// The next free 10G port of device `device` (named after its PoP).
fn port(ports: &mut BTreeMap<String, u32>, device: &str) -> PortRef {
    let n = ports.entry(device.to_string()).or_insert(0);
    *n += 1;
    PortRef {
        device: device.to_string(),
        port: format!("xe-0/0/{n}"),
    }
}
