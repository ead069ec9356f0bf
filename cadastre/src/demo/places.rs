//! What sits around the fibre: wifi spots beside public buildings and on squares (each fed
//! by a short drop from its anchor), places frequented by target publics, and the 2027
//! worksites (a footprint along a route's corridor).

use geo::{Coord, Geometry, LineString, Point, Polygon};
use rand::Rng;

use super::access::Node;
use super::network::{commune_of, COMMUNES};
use super::streets::{from_lonlat, to_lonlat};
use super::{dist, Builder, Path, Tier};
use crate::model::{Hotspot, TargetPlace, Worksite};

const N_SPOTS: usize = 200;
const N_TARGETS: usize = 60;

const TARGET_KINDS: [(&str, &str); 4] = [
    ("social_housing", "Logements sociaux"),
    ("community_centre", "Maison de quartier"),
    ("library", "Bibliothèque"),
    ("youth_centre", "Maison de jeunes"),
];

/// Worksites: the owner whose routes they follow, nature, organisation.
const WORKS: [(&str, &str, &str); 5] = [
    ("bruxelles-mobilite", "resurfacing", "Bruxelles Mobilité"),
    ("vivaqua", "water_main", "Vivaqua"),
    ("stib", "tramway", "STIB-MIVB"),
    ("sibelga", "gas_main", "Sibelga"),
    ("cirb", "resurfacing", "Commune"),
];

/// Wifi spots: a hotspot site near a public building (or a square by a PoP or tram stop),
/// a drop route and a 12-strand cable from the anchor, 1-4 access points.
pub(super) fn spots(b: &mut Builder, buildings: &[Node]) {
    let squares: Vec<Node> = b
        .cad
        .sites
        .iter()
        .filter(|s| s.kind == "pop" || s.id.starts_with("tram-"))
        .map(|s| (s.id.clone(), b.pos(&s.id)))
        .collect();
    let mut n_aps = 0;
    let mut tries = 0;
    while b.cad.hotspots.len() < N_SPOTS && tries < 4 * N_SPOTS {
        tries += 1;
        let pool = if b.rng.gen_bool(0.8) {
            buildings
        } else {
            &squares
        };
        if pool.is_empty() {
            continue;
        }
        let anchor = pool[b.rng.gen_range(0..pool.len())].clone();
        let Some(at) = b.free_point(anchor.1, 70.0, 35.0) else {
            continue;
        };
        let n = b.cad.hotspots.len() + 1;
        let name = format!("Wi-Fi {} {n}", commune_of(at));
        let site = b.site(format!("hs-{n:03}"), name.clone(), "hotspot", "cirb", at);
        let route = b.route(&anchor.0, &site, "cirb", Path::Street(40.0, 120.0), (1, 2));
        b.cable(vec![route], 12, "cirb", Tier::Access);
        let access_points = (0..b.rng.gen_range(1..=4))
            .map(|_| {
                n_aps += 1;
                format!("ap-{n_aps:03}")
            })
            .collect();
        b.cad.hotspots.push(Hotspot {
            id: format!("spot-{n:03}"),
            name,
            site,
            access_points,
            owner: Some("cirb".to_string()),
        });
    }
}

/// Places frequented by target publics, denser in the central and western communes.
pub(super) fn targets(b: &mut Builder) {
    let mut tries = 0;
    while b.cad.targets.len() < N_TARGETS && tries < 4 * N_TARGETS {
        tries += 1;
        let commune = COMMUNES[b.rng.gen_range(0..COMMUNES.len())];
        let Some(at) = b.free_point(from_lonlat(commune.1, commune.2), 800.0, 0.0) else {
            continue;
        };
        let (kind, label) = TARGET_KINDS[b.rng.gen_range(0..TARGET_KINDS.len())];
        let n = b.cad.targets.len() + 1;
        b.cad.targets.push(TargetPlace {
            id: format!("t-{n:03}"),
            name: format!("{label} {} {n}", commune_of(at)),
            kind: kind.to_string(),
            weight: f64::from(b.rng.gen_range(1u8..=5)),
            location: Point(to_lonlat(at)),
        });
    }
}

/// Worksites in 2027: a 16 m wide footprint along the longest straight stretch of a route of
/// the organisation's network.
pub(super) fn worksites(b: &mut Builder) {
    for (i, (owner, nature, organisation)) in WORKS.into_iter().enumerate() {
        let candidates: Vec<usize> = (0..b.cad.routes.len())
            .filter(|&r| b.cad.routes[r].owner == owner)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let r = candidates[b.rng.gen_range(0..candidates.len())];
        let Some((p, q)) = longest_segment(&b.cad.routes[r].geometry.0) else {
            continue;
        };
        let month = b.rng.gen_range(1..=9);
        let day = b.rng.gen_range(1..=28);
        let end_month = month + b.rng.gen_range(1..=3);
        b.cad.worksites.push(Worksite {
            id: format!("w-{}", i + 1),
            name: format!("Chantier {} {}", commune_of(p), i + 1),
            nature: nature.to_string(),
            organisation: organisation.to_string(),
            start: format!("2027-{month:02}-{day:02}"),
            end: format!("2027-{end_month:02}-{day:02}"),
            geometry: Geometry::Polygon(footprint(p, q)),
        });
    }
}

/// The longest segment of `lines`, in local coordinates.
fn longest_segment(lines: &[LineString<f64>]) -> Option<(Coord, Coord)> {
    lines
        .iter()
        .flat_map(|l| l.lines())
        .map(|s| {
            (
                from_lonlat(s.start.x, s.start.y),
                from_lonlat(s.end.x, s.end.y),
            )
        })
        .max_by(|x, y| dist(x.0, x.1).total_cmp(&dist(y.0, y.1)))
}

/// A rectangle 16 m wide around segment `p`-`q`, 10 m beyond its ends, in WGS84.
fn footprint(p: Coord, q: Coord) -> Polygon<f64> {
    let len = dist(p, q).max(1.0);
    let along = (q - p) / len;
    let across = Coord {
        x: -along.y,
        y: along.x,
    };
    let corners = [
        p - along * 10.0 + across * 8.0,
        q + along * 10.0 + across * 8.0,
        q + along * 10.0 - across * 8.0,
        p - along * 10.0 - across * 8.0,
    ];
    let ring: LineString<f64> = corners.into_iter().map(to_lonlat).collect();
    Polygon::new(ring, vec![])
}
