//! The backbone of the demo: the six owners, the PoPs (a ring around the pentagon, a ring
//! through the outer communes, spokes along the main axes, two chords), the canal corridor
//! (the port, SW-NE) and four tram lines (STIB).

use geo::Coord;
use rand::Rng;

use super::streets::from_lonlat;
use super::{dist, Builder, Path, Tier};
use crate::model::Owner;

/// A PoP: its site id and local position.
pub(super) type Pop = (String, Coord);

const OWNERS: [(&str, &str, &str); 6] = [
    (
        "cirb",
        "CIRB-CIBG",
        "regional IT body; operates the pooled network",
    ),
    ("sibelga", "Sibelga", "energy distributor"),
    (
        "bruxelles-mobilite",
        "Bruxelles Mobilité",
        "roads administration",
    ),
    ("vivaqua", "Vivaqua", "water company"),
    ("stib", "STIB-MIVB", "public transport company"),
    ("port", "Port de Bruxelles", "the port of Brussels"),
];

/// Commune centres (name, lon, lat) and how many public buildings they weigh.
pub(super) const COMMUNES: [(&str, f64, f64, u32); 24] = [
    ("Bruxelles", 4.3520, 50.8460, 7),
    ("Bruxelles", 4.3500, 50.8850, 2),
    ("Bruxelles", 4.3900, 50.8950, 1),
    ("Anderlecht", 4.3080, 50.8360, 4),
    ("Auderghem", 4.4260, 50.8150, 2),
    ("Berchem-Sainte-Agathe", 4.2920, 50.8640, 1),
    ("Etterbeek", 4.3890, 50.8360, 2),
    ("Evere", 4.4030, 50.8700, 2),
    ("Forest", 4.3180, 50.8110, 2),
    ("Ganshoren", 4.3090, 50.8710, 1),
    ("Ixelles", 4.3720, 50.8270, 3),
    ("Jette", 4.3280, 50.8770, 2),
    ("Koekelberg", 4.3290, 50.8620, 1),
    ("Molenbeek-Saint-Jean", 4.3220, 50.8550, 3),
    ("Saint-Gilles", 4.3450, 50.8270, 2),
    ("Saint-Josse-ten-Noode", 4.3730, 50.8530, 1),
    ("Schaerbeek", 4.3780, 50.8670, 4),
    ("Uccle", 4.3370, 50.8020, 3),
    ("Watermael-Boitsfort", 4.4160, 50.7990, 1),
    ("Woluwe-Saint-Lambert", 4.4280, 50.8430, 2),
    ("Woluwe-Saint-Pierre", 4.4430, 50.8300, 2),
    ("Uccle", 4.3580, 50.7880, 1),
    ("Anderlecht", 4.2780, 50.8300, 1),
    ("Bruxelles", 4.4200, 50.8880, 1),
];

const STREETS: [&str; 12] = [
    "Rue de la Loi",
    "Boulevard Anspach",
    "Chaussée de Wavre",
    "Avenue Louise",
    "Rue Haute",
    "Chaussée de Gand",
    "Avenue de Tervueren",
    "Rue Royale",
    "Chaussée d'Alsemberg",
    "Boulevard Léopold II",
    "Avenue Brugmann",
    "Rue du Progrès",
];

/// Inner ring (around the pentagon) then outer ring (clockwise from the north).
const POPS: [(&str, f64, f64); 15] = [
    ("Rogier", 4.3580, 50.8555),
    ("Madou", 4.3690, 50.8505),
    ("Trône", 4.3660, 50.8405),
    ("Louise", 4.3570, 50.8335),
    ("Midi", 4.3370, 50.8360),
    ("Yser", 4.3470, 50.8560),
    ("Laeken", 4.3560, 50.8850),
    ("Haren", 4.4150, 50.8900),
    ("Evere", 4.4010, 50.8700),
    ("Woluwe", 4.4300, 50.8440),
    ("Auderghem", 4.4250, 50.8150),
    ("Uccle", 4.3380, 50.8020),
    ("Forest", 4.3170, 50.8130),
    ("Anderlecht", 4.3000, 50.8370),
    ("Jette", 4.3250, 50.8790),
];
const N_INNER: usize = 6;

/// The canal from Anderlecht (SW) to the outer port (NE).
const CANAL: [(&str, f64, f64); 9] = [
    ("Biestebroeck", 4.2890, 50.8105),
    ("Cureghem", 4.3045, 50.8255),
    ("Abattoirs", 4.3170, 50.8370),
    ("Porte de Ninove", 4.3275, 50.8475),
    ("Sainctelette", 4.3440, 50.8585),
    ("Tour et Taxis", 4.3520, 50.8700),
    ("Béco", 4.3590, 50.8830),
    ("Vergote", 4.3700, 50.8950),
    ("Avant-port", 4.3850, 50.9060),
];

/// Tram lines: name and stops (lon, lat), from the centre outwards.
const TRAMS: [(&str, [(f64, f64); 5]); 4] = [
    (
        "A",
        [
            (4.3575, 50.8320),
            (4.3520, 50.8230),
            (4.3470, 50.8140),
            (4.3420, 50.8050),
            (4.3400, 50.7950),
        ],
    ),
    (
        "B",
        [
            (4.3740, 50.8390),
            (4.3900, 50.8380),
            (4.4070, 50.8370),
            (4.4240, 50.8350),
            (4.4420, 50.8320),
        ],
    ),
    (
        "C",
        [
            (4.3620, 50.8580),
            (4.3740, 50.8660),
            (4.3860, 50.8740),
            (4.3980, 50.8800),
            (4.4080, 50.8840),
        ],
    ),
    (
        "D",
        [
            (4.3420, 50.8540),
            (4.3300, 50.8580),
            (4.3170, 50.8620),
            (4.3020, 50.8650),
            (4.2880, 50.8680),
        ],
    ),
];

pub(super) fn owners(b: &mut Builder) {
    for (id, name, notes) in OWNERS {
        b.cad.owners.push(Owner {
            id: id.to_string(),
            name: name.to_string(),
            notes: Some(notes.to_string()),
        });
    }
}

/// The name of the commune nearest to local point `p`.
pub(super) fn commune_of(p: Coord) -> &'static str {
    let mut best = ("Bruxelles", f64::INFINITY);
    for (name, lon, lat, _) in COMMUNES {
        let d = dist(p, from_lonlat(lon, lat));
        if d < best.1 {
            best = (name, d);
        }
    }
    best.0
}

/// A street address.
pub(super) fn address(rng: &mut rand::rngs::StdRng) -> String {
    let street = STREETS[rng.gen_range(0..STREETS.len())];
    format!("{street} {}", rng.gen_range(1..240))
}

/// The PoPs and the core mesh: inner ring, outer ring, spokes to the nearest inner PoP, chords.
pub(super) fn core(b: &mut Builder) -> Vec<Pop> {
    let pops: Vec<Pop> = POPS
        .iter()
        .enumerate()
        .map(|(i, &(name, lon, lat))| {
            let at = from_lonlat(lon, lat);
            let id = b.site(
                format!("pop-{:02}", i + 1),
                format!("PoP {name}"),
                "pop",
                "cirb",
                at,
            );
            (id, at)
        })
        .collect();
    let (inner, outer) = pops.split_at(N_INNER);
    let mut links: Vec<(usize, usize, &str)> = Vec::new();
    for i in 0..N_INNER {
        links.push((i, (i + 1) % N_INNER, "cirb"));
    }
    for j in 0..outer.len() {
        let owner = if j % 2 == 0 { "sibelga" } else { "cirb" };
        links.push((N_INNER + j, N_INNER + (j + 1) % outer.len(), owner));
        let near = (0..inner.len())
            .min_by(|&x, &y| dist(inner[x].1, outer[j].1).total_cmp(&dist(inner[y].1, outer[j].1)))
            .unwrap_or(0);
        links.push((near, N_INNER + j, "bruxelles-mobilite"));
    }
    links.push((0, 3, "cirb"));
    links.push((5, 2, "cirb"));
    for (x, y, owner) in links {
        let (a, z) = (pops[x].0.clone(), pops[y].0.clone());
        let route = b.route(&a, &z, owner, Path::Street(200.0, 550.0), (3, 6));
        let fibres = if x < N_INNER && y < N_INNER {
            288
        } else {
            [144, 288][b.rng.gen_range(0..2)]
        };
        b.cable(vec![route], fibres, owner, Tier::Core);
    }
    pops
}

/// The PoP nearest to local point `p`.
pub(super) fn nearest_pop(pops: &[Pop], p: Coord) -> Option<&Pop> {
    pops.iter()
        .min_by(|x, y| dist(x.1, p).total_cmp(&dist(y.1, p)))
}

/// The canal corridor: the port's technical rooms along the quays, one trunk cable, and two
/// links into the core.
pub(super) fn canal(b: &mut Builder, pops: &[Pop]) {
    let sites: Vec<String> = CANAL
        .iter()
        .enumerate()
        .map(|(i, &(name, lon, lat))| {
            let id = format!("port-{:02}", i + 1);
            b.site(
                id,
                format!("Port — {name}"),
                "cabinet",
                "port",
                from_lonlat(lon, lat),
            )
        })
        .collect();
    let routes = chain(b, &sites, "port", Path::Corridor(110.0, 12.0), (4, 6));
    b.cable(routes, 96, "port", Tier::Feeder);
    for end in [3, sites.len() - 1] {
        let site = sites[end].clone();
        if let Some((pop, _)) = nearest_pop(pops, b.pos(&site)).cloned() {
            let route = b.route(&pop, &site, "port", Path::Street(150.0, 400.0), (2, 4));
            b.cable(vec![route], 48, "port", Tier::Feeder);
        }
    }
}

/// The tram lines: substations at the stops, one cable per line, the first stop to its PoP.
pub(super) fn trams(b: &mut Builder, pops: &[Pop]) {
    for (line, stops) in TRAMS {
        let sites: Vec<String> = stops
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat))| {
                let id = format!("tram-{line}{}", i + 1);
                let name = format!("STIB substation {line}{}", i + 1);
                b.site(id, name, "cabinet", "stib", from_lonlat(lon, lat))
            })
            .collect();
        let routes = chain(b, &sites, "stib", Path::Corridor(90.0, 15.0), (2, 4));
        let fibres = [48, 96][b.rng.gen_range(0..2)];
        b.cable(routes, fibres, "stib", Tier::Feeder);
        if let Some((pop, _)) = nearest_pop(pops, b.pos(&sites[0])).cloned() {
            let route = b.route(&pop, &sites[0], "stib", Path::Street(120.0, 300.0), (2, 3));
            b.cable(vec![route], 48, "stib", Tier::Feeder);
        }
    }
}

/// Routes between consecutive `sites`; their ids in order.
fn chain(
    b: &mut Builder,
    sites: &[String],
    owner: &str,
    path: Path,
    ducts: (u32, u32),
) -> Vec<String> {
    sites
        .windows(2)
        .map(|w| b.route(&w[0], &w[1], owner, path, ducts))
        .collect()
}
