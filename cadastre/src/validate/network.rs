//! The rules of each layer: references between layers (owners, sites, routes, cables) and
//! strands; geometry rules are delegated to [`super::shapes`].

use std::collections::{BTreeMap, HashMap};

use super::{known_owner, known_site, owner, shapes, At, Index, ValidateOptions};
use crate::model::{Allocation, Cadastre, Layer};
use crate::problem::Report;

/// The site kinds the cadastre knows; another kind is kept, with a warning.
const SITE_KINDS: [&str; 9] = [
    "pop",
    "administration",
    "school",
    "hospital",
    "hotspot",
    "cabinet",
    "manhole",
    "datacentre",
    "other",
];

pub(super) fn sites(cad: &Cadastre, ix: &Index<'_>, opts: &ValidateOptions, report: &mut Report) {
    for (index, s) in cad.sites.iter().enumerate() {
        let at = At {
            layer: Layer::Sites,
            index: ix.index(Layer::Sites, index),
            id: &s.id,
        };
        if let Some(o) = &s.owner {
            known_owner(&at, o, ix, report);
        }
        if !SITE_KINDS.contains(&s.kind.as_str()) {
            report.push(at.warning("kind", format!("unknown kind {:?}", s.kind)));
        }
        shapes::inside(&at, std::iter::once(s.location.0), opts, report);
    }
}

pub(super) fn routes(cad: &Cadastre, ix: &Index<'_>, opts: &ValidateOptions, report: &mut Report) {
    for (index, r) in cad.routes.iter().enumerate() {
        let at = At {
            layer: Layer::Routes,
            index: ix.index(Layer::Routes, index),
            id: &r.id,
        };
        owner(&at, &r.owner, ix, report);
        known_site(&at, "from_site", &r.from_site, ix, report);
        known_site(&at, "to_site", &r.to_site, ix, report);
        if r.ducts_free > r.ducts_total {
            let message = format!(
                "{} free ducts of {} in the trench: more free than there are",
                r.ducts_free, r.ducts_total
            );
            report.push(at.error("ducts_free", message));
        }
        for (i, g) in r.srlgs.iter().enumerate() {
            if g.trim().is_empty() {
                report.push(at.error(&format!("srlgs[{i}]"), "a shared-risk group has a name"));
            } else if g.starts_with("trench:") {
                let message = format!(
                    "{g:?}: the `trench:` prefix is for the shared trenches found in the geometry"
                );
                report.push(at.error(&format!("srlgs[{i}]"), message));
            }
        }
        shapes::route(&at, r, ix, opts, report);
    }
}

pub(super) fn cables(cad: &Cadastre, ix: &Index<'_>, report: &mut Report) {
    for (index, c) in cad.cables.iter().enumerate() {
        let at = At {
            layer: Layer::Cables,
            index: ix.index(Layer::Cables, index),
            id: &c.id,
        };
        owner(&at, &c.owner, ix, report);
        if c.fibre_count == 0 {
            report.push(at.error("fibre_count", "a cable has at least one strand, found 0"));
        }
        if c.routes.is_empty() {
            report.push(at.error("routes", "a cable follows at least one route"));
        }
        for id in c
            .routes
            .iter()
            .filter(|id| !ix.routes.contains_key(id.as_str()))
        {
            report.push(at.error("routes", format!("unknown route {id:?}")));
        }
        for pair in c.routes.windows(2) {
            let (Some(a), Some(b)) = (
                ix.routes.get(pair[0].as_str()),
                ix.routes.get(pair[1].as_str()),
            ) else {
                continue;
            };
            let ends = [&a.from_site, &a.to_site];
            if !ends.contains(&&b.from_site) && !ends.contains(&&b.to_site) {
                let message = format!("routes {:?} and {:?} share no site", a.id, b.id);
                report.push(at.warning("routes", message));
            }
        }
    }
}

pub(super) fn allocations(cad: &Cadastre, ix: &Index<'_>, report: &mut Report) {
    // (cable, strand) → the allocation that took it first.
    let mut taken: HashMap<(&str, u32), &str> = HashMap::new();
    for (index, a) in cad.allocations.iter().enumerate() {
        let at = At {
            layer: Layer::Allocations,
            index: ix.index(Layer::Allocations, index),
            id: &a.id,
        };
        owner(&at, &a.owner, ix, report);
        match ix.cables.get(a.cable.as_str()) {
            None => report.push(at.error("cable", format!("unknown cable {:?}", a.cable))),
            Some(c) => strands_within(&at, a, c.fibre_count, report),
        }
        known_site(&at, "from_site", &a.from_site, ix, report);
        known_site(&at, "to_site", &a.to_site, ix, report);
        strands_once(&at, a, &mut taken, report);
    }
}

/// Strand numbers within 1..=fibre_count.
fn strands_within(at: &At<'_>, a: &Allocation, fibre_count: u32, report: &mut Report) {
    if a.strands.is_empty() {
        report.push(at.error("strands", "no strands allocated"));
    }
    let outside: Vec<u32> = a
        .strands
        .iter()
        .copied()
        .filter(|s| !(1..=fibre_count).contains(s))
        .collect();
    if !outside.is_empty() {
        let message = format!(
            "more strands allocated than the cable has: {} outside 1..={fibre_count}",
            strand_list(&outside)
        );
        report.push(at.error("strands", message));
    }
}

/// No strand of a cable in two allocations (or twice in one).
fn strands_once<'a>(
    at: &At<'_>,
    a: &'a Allocation,
    taken: &mut HashMap<(&'a str, u32), &'a str>,
    report: &mut Report,
) {
    let mut clashes: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for &strand in &a.strands {
        if let Some(&other) = taken.get(&(a.cable.as_str(), strand)) {
            clashes.entry(other).or_default().push(strand);
        } else {
            taken.insert((a.cable.as_str(), strand), a.id.as_str());
        }
    }
    for (other, strands) in clashes {
        let list = strand_list(&strands);
        let message = if other == a.id {
            format!("{list} listed twice")
        } else {
            format!("{list} of cable {:?} also allocated by {other:?}", a.cable)
        };
        report.push(at.error("strands", message));
    }
}

/// `strand 3` or `strands 3, 4`.
fn strand_list(strands: &[u32]) -> String {
    let numbers: Vec<String> = strands.iter().map(u32::to_string).collect();
    let noun = if strands.len() == 1 {
        "strand"
    } else {
        "strands"
    };
    format!("{noun} {}", numbers.join(", "))
}

pub(super) fn hotspots(cad: &Cadastre, ix: &Index<'_>, report: &mut Report) {
    for (index, h) in cad.hotspots.iter().enumerate() {
        let at = At {
            layer: Layer::Hotspots,
            index: ix.index(Layer::Hotspots, index),
            id: &h.id,
        };
        known_site(&at, "site", &h.site, ix, report);
        if let Some(o) = &h.owner {
            known_owner(&at, o, ix, report);
        }
    }
}

pub(super) fn targets(cad: &Cadastre, ix: &Index<'_>, opts: &ValidateOptions, report: &mut Report) {
    for (index, t) in cad.targets.iter().enumerate() {
        let at = At {
            layer: Layer::Targets,
            index: ix.index(Layer::Targets, index),
            id: &t.id,
        };
        if t.weight <= 0.0 || t.weight.is_nan() {
            report.push(at.error("weight", format!("must be > 0, found {}", t.weight)));
        }
        shapes::inside(&at, std::iter::once(t.location.0), opts, report);
    }
}

pub(super) fn worksites(
    cad: &Cadastre,
    ix: &Index<'_>,
    opts: &ValidateOptions,
    report: &mut Report,
) {
    for (index, w) in cad.worksites.iter().enumerate() {
        let at = At {
            layer: Layer::Worksites,
            index: ix.index(Layer::Worksites, index),
            id: &w.id,
        };
        let start_ok = iso_date(&at, "start", &w.start, report);
        let end_ok = iso_date(&at, "end", &w.end, report);
        // Same-shaped ISO 8601 dates order as strings.
        if start_ok && end_ok && w.end[..10] < w.start[..10] {
            let message = format!("ends {} before it starts {}", w.end, w.start);
            report.push(at.error("end", message));
        }
        shapes::inside(&at, shapes::coords(&w.geometry), opts, report);
    }
}

/// `YYYY-MM-DD`, optionally followed by a time.
fn iso_date(at: &At<'_>, field: &str, date: &str, report: &mut Report) -> bool {
    let b = date.as_bytes();
    let ok = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    if !ok {
        report.push(at.error(
            field,
            format!("not an ISO 8601 date (YYYY-MM-DD): {date:?}"),
        ));
    }
    ok
}
