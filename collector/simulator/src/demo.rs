//! The demo's simulated backbone, built from the demo cadastre so the graph questions can be
//! reconciled with what the devices report: one router per device named at a circuit end,
//! LLDP neighbours along the documented circuits, optical levels from each circuit's route
//! (transmit power minus the loss model's estimate), and one wifi controller serving the
//! hotspots' access points with a daily client pattern.
//!
//! A few departures from the cadastre are built in, so `topology drift` has something to
//! find on the demo: one circuit in 40 loses 4-6 dB more than its route explains (a dirty
//! connector), one in 60 lands on another port of the far router than documented, one in 80 shows no neighbour.

use std::collections::BTreeMap;

use crate::{AccessPoint, Backbone, ClientPattern, Controller, Neighbour, Router, RouterPort};

/// The controller's name (and community).
pub const CONTROLLER: &str = "wlc-01";

/// Transmit power of every simulated optic, dBm.
const TX_DBM: f64 = -1.5;

/// FNV-1a of a name: stable across runs and platforms, so the demo is the same everywhere.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn mac_of(name: &str) -> [u8; 6] {
    let h = hash(name).to_be_bytes();
    // Locally administered, unicast.
    [0x02, h[1], h[2], h[3], h[4], h[5]]
}

/// The backbone of `cad`'s lit circuits and hotspots.
pub fn backbone(cad: &cadastre::Cadastre) -> Backbone {
    // Lengths and the loss model only: shared trenches do not change them.
    let net = cadastre::network::build_without_trenches(cad);
    let mut ports: BTreeMap<String, Vec<RouterPort>> = BTreeMap::new();
    for (i, c) in cadastre::network::circuits(cad).iter().enumerate() {
        let lengths: Vec<f64> = c
            .links
            .iter()
            .filter_map(|l| net.link(l).map(|l| l.length_m))
            .collect();
        let loss = net.loss_model().loss(&lengths).db_1310;
        // A little spread per direction, and the built-in departures.
        let spread = |tag: &str| (hash(&format!("{}{tag}", c.id)) % 100) as f64 / 100.0 * 0.6;
        let dirty = if i % 40 == 7 {
            4.0 + (hash(&c.id) % 3) as f64
        } else {
            0.0
        };
        let miscabled = i % 60 == 11;
        let silent = i % 80 == 23;
        let (a, b) = (&c.a_end, &c.b_end);
        // Miscabled: the fibre from a lands on another port of b than the cadastre says.
        let b_live = if miscabled {
            bump(&b.port)
        } else {
            b.port.clone()
        };
        let seen = |device: &str, port: &str| {
            (!silent).then(|| Neighbour {
                system_name: device.to_string(),
                chassis_mac: mac_of(device),
                port: port.to_string(),
            })
        };
        ports.entry(a.device.clone()).or_default().push(RouterPort {
            name: a.port.clone(),
            speed_bps: 10_000_000_000,
            neighbour: seen(&b.device, &b_live),
            tx_dbm: Some(TX_DBM),
            rx_dbm: Some(round2(TX_DBM - loss - spread("a"))),
        });
        ports.entry(b.device.clone()).or_default().push(RouterPort {
            name: b_live,
            speed_bps: 10_000_000_000,
            neighbour: seen(&a.device, &a.port),
            tx_dbm: Some(TX_DBM),
            // The dirty connector is on the a → b direction.
            rx_dbm: Some(round2(TX_DBM - loss - spread("b") - dirty)),
        });
    }
    let routers = ports
        .into_iter()
        .map(|(name, mut list)| {
            list.sort_by_key(|x| natural(&x.name));
            list.dedup_by(|x, y| x.name == y.name);
            Router {
                chassis_mac: mac_of(&name),
                name,
                ports: list,
            }
        })
        .collect();
    let mut aps = Vec::new();
    for h in &cad.hotspots {
        // A quarter of the hotspots busy, a quarter quiet (the underused ones a relocation
        // plan moves), the rest moderately used; one access point in 20 dead (its hotspot is
        // faulty: a repair, not a move).
        let kind = hash(&h.id) % 4;
        for ap in &h.access_points {
            let r = hash(ap);
            let pattern = if r % 20 == 3 {
                ClientPattern::Dead
            } else if kind == 0 {
                ClientPattern::Busy {
                    peak: 20 + (r % 40) as u32,
                }
            } else if kind == 1 {
                ClientPattern::Quiet { peak: 1 }
            } else {
                ClientPattern::Quiet {
                    peak: 3 + (r % 4) as u32,
                }
            };
            aps.push(AccessPoint {
                name: ap.clone(),
                mac: mac_of(ap),
                pattern,
            });
        }
    }
    let controllers = if aps.is_empty() {
        Vec::new()
    } else {
        vec![Controller {
            name: CONTROLLER.to_string(),
            aps,
            ssids: vec!["wifi.brussels".to_string(), "eduroam".to_string()],
        }]
    };
    Backbone {
        routers,
        controllers,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `xe-0/0/7` → `xe-0/0/107`: a port of the same card that no circuit uses.
fn bump(port: &str) -> String {
    match port.rsplit_once('/') {
        Some((head, n)) => match n.parse::<u32>() {
            Ok(n) => format!("{head}/{}", n + 100),
            Err(_) => format!("{port}-1"),
        },
        None => format!("{port}-1"),
    }
}

/// Sort key: `xe-0/0/10` after `xe-0/0/9`.
fn natural(name: &str) -> (String, u64) {
    let digits: String = name
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let head = name[..name.len() - digits.len()].to_string();
    (head, digits.parse().unwrap_or(0))
}
