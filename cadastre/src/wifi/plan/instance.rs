//! From the cadastre to the covering instance: which hotspots may move, which targets are
//! already covered, which targets are candidate places (uncovered and near the fibre), their
//! distance to the fibre and what each would cover.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Coord, Point};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::solve::Mclp;
use super::FibreVia;
use crate::geometry::local::{distance_m, Frame};
use crate::geometry::SpatialIndex;
use crate::model::Cadastre;
use crate::wifi::verdict::{HotspotVerdict, Verdict};

/// A hotspot that may move: an underused one whose site is in the cadastre.
#[derive(Debug, Clone)]
pub(crate) struct Mover {
    pub hotspot: String,
    pub site: String,
    pub at: Coord<f64>,
}

/// A candidate place: a target not yet covered, near enough to the fibre.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// Index in `cad.targets`.
    pub target: usize,
    pub fibre_m: f64,
    pub via: FibreVia,
}

/// The instance: movers, candidate places (in id order), the targets not yet covered, and the
/// covering problem over them (candidate `i` of `mclp` is `places[i]`, target `j` is
/// `open[j]`).
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub movers: Vec<Mover>,
    pub places: Vec<Place>,
    /// Indices in `cad.targets` of the targets no staying hotspot covers.
    pub open: Vec<usize>,
    pub mclp: Mclp,
}

/// Routes with at least this many spare strands (one dark pair) count as fibre.
const DARK_PAIR: u32 = 2;

/// Builds the instance for `radius_m`, `max_fibre_m` and at most `k` moves.
pub(crate) fn build(
    cad: &Cadastre,
    verdicts: &[HotspotVerdict],
    radius_m: f64,
    max_fibre_m: f64,
    max_moves: Option<usize>,
) -> Instance {
    let underused: BTreeSet<&str> = verdicts
        .iter()
        .filter(|v| v.verdict == Verdict::Underused)
        .map(|v| v.id.as_str())
        .collect();
    let site_at: BTreeMap<&str, Coord<f64>> = cad
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.location.0))
        .collect();
    let mut movers = Vec::new();
    let mut staying = Vec::new();
    for h in &cad.hotspots {
        let Some(&at) = site_at.get(h.site.as_str()) else {
            continue; // not located: it neither covers nor moves
        };
        if underused.contains(h.id.as_str()) {
            movers.push(Mover {
                hotspot: h.id.clone(),
                site: h.site.clone(),
                at,
            });
        } else {
            staying.push(at);
        }
    }
    movers.sort_by(|a, b| a.hotspot.cmp(&b.hotspot));
    let targets: Vec<Coord<f64>> = cad.targets.iter().map(|t| t.location.0).collect();
    let near = Near::new(&staying, &targets);
    let open: Vec<usize> = (0..targets.len())
        .filter(|&t| near.within(targets[t], radius_m).next().is_none())
        .collect();
    let fibre = Fibre::new(cad);
    let mut places: Vec<Place> = open
        .iter()
        .filter_map(|&t| {
            let (fibre_m, via) = fibre.distance(targets[t])?;
            (fibre_m <= max_fibre_m).then_some(Place {
                target: t,
                fibre_m,
                via,
            })
        })
        .collect();
    places.sort_by(|a, b| {
        cad.targets[a.target]
            .id
            .cmp(&cad.targets[b.target].id)
            .then(a.target.cmp(&b.target))
    });
    let open_at: Vec<Coord<f64>> = open.iter().map(|&t| targets[t]).collect();
    let near_open = Near::new(&open_at, &targets);
    let covers = places
        .iter()
        .map(|p| {
            let mut v: Vec<usize> = near_open.within(targets[p.target], radius_m).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let k = max_moves.unwrap_or(movers.len()).min(movers.len());
    let mclp = Mclp {
        fibre: places.iter().map(|p| p.fibre_m).collect(),
        covers,
        weight: open.iter().map(|&t| cad.targets[t].weight).collect(),
        k,
    };
    Instance {
        movers,
        places,
        open,
        mclp,
    }
}

/// Points in an R*-tree in a local metric frame; answers are measured with [`distance_m`].
pub(crate) struct Near {
    frame: Frame,
    /// How much farther than a true distance a frame distance can be (relative).
    stretch: f64,
    tree: RTree<GeomWithData<[f64; 2], usize>>,
    at: Vec<Coord<f64>>,
}

impl Near {
    /// Indexes `points`; `also` are the points it will be queried from (for the frame).
    pub(crate) fn new(points: &[Coord<f64>], also: &[Coord<f64>]) -> Near {
        let all = points
            .iter()
            .chain(also)
            .filter(|c| c.x.is_finite() && c.y.is_finite());
        let (mut lo, mut hi) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for c in all {
            lo = Coord {
                x: lo.x.min(c.x),
                y: lo.y.min(c.y),
            };
            hi = Coord {
                x: hi.x.max(c.x),
                y: hi.y.max(c.y),
            };
        }
        if lo.x > hi.x {
            (lo, hi) = (Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 });
        }
        let frame = Frame::new(Coord {
            x: (lo.x + hi.x) / 2.0,
            y: (lo.y + hi.y) / 2.0,
        });
        let stretch = 1.0 / (1.0 - frame.distortion(lo.y, hi.y)).max(0.5);
        let tree = RTree::bulk_load(
            points
                .iter()
                .enumerate()
                .filter(|(_, c)| c.x.is_finite() && c.y.is_finite())
                .map(|(i, c)| GeomWithData::new(frame.to_local(*c), i))
                .collect(),
        );
        Near {
            frame,
            stretch,
            tree,
            at: points.to_vec(),
        }
    }

    /// The indexed points within `radius_m` of `p` (measured with [`distance_m`]).
    pub(crate) fn within(&self, p: Coord<f64>, radius_m: f64) -> impl Iterator<Item = usize> + '_ {
        let reach = radius_m * self.stretch + 1.0;
        self.tree
            .locate_within_distance(self.frame.to_local(p), reach * reach)
            .map(|g| g.data)
            .filter(move |&i| distance_m(p, self.at[i]) <= radius_m)
    }
}

/// The fibre: every site, and the routes with a dark pair.
struct Fibre {
    index: SpatialIndex,
}

impl Fibre {
    fn new(cad: &Cadastre) -> Fibre {
        let net = crate::network::build_without_trenches(cad);
        let dark = Cadastre {
            sites: cad.sites.clone(),
            routes: cad
                .routes
                .iter()
                .filter(|r| {
                    net.link(&r.id)
                        .is_some_and(|l| l.spare_strands >= DARK_PAIR)
                })
                .cloned()
                .collect(),
            ..Cadastre::default()
        };
        Fibre {
            index: SpatialIndex::build(&dark),
        }
    }

    /// The distance to the fibre and what is nearest (a site wins a tie).
    fn distance(&self, p: Coord<f64>) -> Option<(f64, FibreVia)> {
        let site = self.index.nearest_site(Point(p));
        let route = self.index.nearest_route(Point(p));
        match (site, route) {
            (Some((s, ds)), Some((_, dr))) if ds <= dr => Some((ds, FibreVia::Site(s))),
            (_, Some((r, dr))) => Some((dr, FibreVia::Route(r))),
            (Some((s, ds)), None) => Some((ds, FibreVia::Site(s))),
            (None, None) => None,
        }
    }
}
