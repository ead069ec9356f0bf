//! The access part: ~300 public buildings placed around the commune centres, grouped around
//! street cabinets (k-means), each cabinet fed from its nearest PoP, and the buildings of a
//! cabinet connected as a tree (Prim: each joins the nearest node already connected), with a
//! manhole halfway along the longer branches. Cables taper from the cabinet outwards.

use geo::Coord;
use rand::Rng;

use super::network::{Pop, COMMUNES};
use super::streets::from_lonlat;
use super::{dist, Builder, Path, Tier};

/// A building (or cabinet): site id and local position.
pub(super) type Node = (String, Coord);

const N_BUILDINGS: usize = 300;
const N_CABINETS: usize = 34;
/// Branches longer than this get a manhole halfway (metres).
const MANHOLE_OVER_M: f64 = 550.0;

const KINDS: [(&str, &str, u32); 3] = [
    ("administration", "Administration", 50),
    ("school", "École", 40),
    ("hospital", "Hôpital", 10),
];

/// Builds the access part; returns the buildings.
pub(super) fn build(b: &mut Builder, pops: &[Pop]) -> Vec<Node> {
    let buildings = place_buildings(b);
    let cabinets = place_cabinets(b, &buildings, pops);
    let mut members: Vec<Vec<Node>> = vec![Vec::new(); cabinets.len()];
    for building in &buildings {
        if let Some(k) = nearest(&cabinets, building.1) {
            members[k].push(building.clone());
        }
    }
    for (cabinet, group) in cabinets.iter().zip(members) {
        tree(b, cabinet, group);
    }
    buildings
}

/// The owner whose ducts serve local point `p`: the regional body in the centre, the energy
/// distributor in the north and east, the water company in the south and west.
pub(super) fn district_owner(p: Coord) -> &'static str {
    if p.x.hypot(p.y) < 2000.0 {
        return "cirb";
    }
    let angle = p.y.atan2(p.x).to_degrees();
    if (-45.0..135.0).contains(&angle) {
        "sibelga"
    } else {
        "vivaqua"
    }
}

fn place_buildings(b: &mut Builder) -> Vec<Node> {
    let total_weight: u32 = COMMUNES.iter().map(|c| c.3).sum();
    let mut counts = [0usize; KINDS.len()];
    let mut out = Vec::with_capacity(N_BUILDINGS);
    while out.len() < N_BUILDINGS {
        let mut pick = b.rng.gen_range(0..total_weight);
        let commune = COMMUNES
            .iter()
            .find(|c| {
                let hit = pick < c.3;
                pick = pick.saturating_sub(c.3);
                hit
            })
            .unwrap_or(&COMMUNES[0]);
        let centre = from_lonlat(commune.1, commune.2);
        let Some(at) = b.free_point(centre, 1150.0, 120.0) else {
            continue;
        };
        let mut roll = b.rng.gen_range(0..100);
        let k = KINDS
            .iter()
            .position(|kind| {
                let hit = roll < kind.2;
                roll = roll.saturating_sub(kind.2);
                hit
            })
            .unwrap_or(0);
        counts[k] += 1;
        let id = format!("adm-{:03}", out.len() + 1);
        let name = format!("{} {} {}", KINDS[k].1, commune.0, counts[k]);
        let id = b.site(id, name, KINDS[k].0, "cirb", at);
        out.push((id, at));
    }
    out
}

/// Street cabinets at the centres of the building clusters (a few rounds of k-means), each
/// fed from its nearest PoP.
fn place_cabinets(b: &mut Builder, buildings: &[Node], pops: &[Pop]) -> Vec<Node> {
    let stride = (buildings.len() / N_CABINETS).max(1);
    let mut centres: Vec<Coord> = buildings.iter().step_by(stride).map(|n| n.1).collect();
    centres.truncate(N_CABINETS);
    for _ in 0..8 {
        let mut sums = vec![(Coord::zero(), 0.0); centres.len()];
        for n in buildings {
            if let Some(k) = nearest_coord(&centres, n.1) {
                sums[k].0 = sums[k].0 + n.1;
                sums[k].1 += 1.0;
            }
        }
        for (c, (sum, count)) in centres.iter_mut().zip(sums) {
            if count > 0.0 {
                *c = sum / count;
            }
        }
    }
    let mut cabinets = Vec::with_capacity(centres.len());
    for centre in centres {
        let Some(at) = b.free_point(centre, 80.0, 60.0) else {
            continue;
        };
        let id = format!("cab-{:02}", cabinets.len() + 1);
        let owner = district_owner(at);
        let id = b.site(
            id,
            format!("Cabinet {}", cabinets.len() + 1),
            "cabinet",
            owner,
            at,
        );
        // Every other cabinet is dual-homed: a second feeder to the next nearest PoP.
        let homes = if cabinets.len() % 2 == 0 { 2 } else { 1 };
        for (pop, pop_at) in nearest_pops(pops, at, homes) {
            let owner = if dist(pop_at, at) > 2500.0 {
                "bruxelles-mobilite"
            } else {
                owner
            };
            let route = b.route(&pop, &id, owner, Path::Street(150.0, 450.0), (2, 4));
            let fibres = [96, 144][b.rng.gen_range(0..2)];
            b.cable(vec![route], fibres, owner, Tier::Feeder);
        }
        cabinets.push((id, at));
    }
    cabinets
}

/// Connects `group` to `cabinet` as a tree: each building joins the nearest connected node.
fn tree(b: &mut Builder, cabinet: &Node, mut group: Vec<Node>) {
    let mut connected: Vec<Node> = vec![cabinet.clone()];
    let mut edges: Vec<(usize, usize)> = Vec::new(); // (parent, child) in `connected`
    while !group.is_empty() {
        let mut best = (0, 0, f64::INFINITY);
        for (gi, g) in group.iter().enumerate() {
            for (ci, c) in connected.iter().enumerate() {
                let d = dist(g.1, c.1);
                if d < best.2 {
                    best = (gi, ci, d);
                }
            }
        }
        let node = group.swap_remove(best.0);
        edges.push((best.1, connected.len()));
        connected.push(node);
    }
    let downstream = subtree_sizes(connected.len(), &edges);
    for (parent, child) in edges {
        let (p, c) = (&connected[parent], &connected[child]);
        let owner = district_owner(c.1);
        let fibres = match downstream[child] {
            1 => 12,
            2..=3 => 24,
            4..=8 => 48,
            _ => 96,
        };
        let routes = branch(b, p, c, owner);
        b.cable(routes, fibres, owner, Tier::Access);
    }
}

/// The route(s) from `parent` to `child`: through a manhole halfway when long.
fn branch(b: &mut Builder, parent: &Node, child: &Node, owner: &str) -> Vec<String> {
    let path = Path::Street(60.0, 220.0);
    if dist(parent.1, child.1) > MANHOLE_OVER_M {
        if let Some(at) = b.free_point((parent.1 + child.1) / 2.0, 40.0, 30.0) {
            let id = format!(
                "mh-{:03}",
                b.cad.sites.iter().filter(|s| s.kind == "manhole").count() + 1
            );
            let mh = b.site(id, "Manhole".to_string(), "manhole", owner, at);
            let first = b.route(&parent.0, &mh, owner, path, (1, 3));
            let second = b.route(&mh, &child.0, owner, path, (1, 3));
            return vec![first, second];
        }
    }
    vec![b.route(&parent.0, &child.0, owner, path, (1, 3))]
}

/// How many nodes each node's subtree holds (itself included); parents precede children.
fn subtree_sizes(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut size = vec![1; n];
    for &(parent, child) in edges.iter().rev() {
        size[parent] += size[child];
    }
    size
}

/// The `n` PoPs nearest to `p`, nearest first.
fn nearest_pops(pops: &[Pop], p: Coord, n: usize) -> Vec<Pop> {
    let mut sorted = pops.to_vec();
    sorted.sort_by(|x, y| dist(x.1, p).total_cmp(&dist(y.1, p)));
    sorted.truncate(n);
    sorted
}

fn nearest(nodes: &[Node], p: Coord) -> Option<usize> {
    (0..nodes.len()).min_by(|&x, &y| dist(nodes[x].1, p).total_cmp(&dist(nodes[y].1, p)))
}

fn nearest_coord(points: &[Coord], p: Coord) -> Option<usize> {
    (0..points.len()).min_by(|&x, &y| dist(points[x], p).total_cmp(&dist(points[y], p)))
}
