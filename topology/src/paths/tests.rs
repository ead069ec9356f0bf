//! Unit tests of shortest and diverse paths, written in the text form and compared as text.

use std::collections::BTreeSet;

use crate::text::parse;
use crate::{Constraints, Diverse, Network, TopologyError, TransceiverBudget, Verdict, Wavelength};

fn net(text: &str) -> Network {
    let (sites, links) = parse(text).unwrap();
    Network::build(&sites, &links).0
}

/// `"A-B,B-Z 2000m | A-C,C-Z 2000m | partial srlg:t1[0,1]"`.
fn render(d: &Diverse) -> String {
    let mut parts: Vec<String> = d
        .paths
        .iter()
        .map(|p| format!("{} {}m", p.routes.join(","), p.length_m))
        .collect();
    let mut tail = if d.fully_diverse { "fully" } else { "partial" }.to_string();
    for r in &d.shared_risks {
        let kind = serde_json::to_value(r.kind).unwrap();
        tail += &format!(" {}:{}{:?}", kind.as_str().unwrap(), r.id, r.paths);
    }
    parts.push(tail);
    parts.join(" | ")
}

fn check_diverse(text: &str, k: usize, c: &Constraints, expect: &str) {
    let d = net(text).diverse_paths("A", "Z", k, c).unwrap();
    assert_eq!(render(&d), expect, "network: {text}");
}

fn routes(text: &str, c: &Constraints) -> Option<Vec<String>> {
    let p = net(text).shortest_path("A", "Z", c).unwrap();
    p.map(|p| p.routes)
}

#[test]
fn shortest_path_by_length_with_its_sites_owners_and_loss() {
    let n = net("A-B 10km; B-Z 5km owner=ores spare=4; A-Z 20km; A-D 1km; D-Z 30km");
    let p = n
        .shortest_path("A", "Z", &Constraints::default())
        .unwrap()
        .unwrap();
    assert_eq!(p.routes, ["A-B", "B-Z"]);
    assert_eq!(p.sites, ["A", "B", "Z"]);
    assert_eq!(
        (p.length_m, p.length_km(), p.spare_strands),
        (15_000.0, 15.0, 4)
    );
    assert_eq!(p.owners.get("own"), Some(&10.0));
    assert_eq!(p.owners.get("ores"), Some(&5.0));
    // 15 km; splices 5 + 3 in the links, 1 at B; 2 connectors
    assert!((p.loss_db_1310 - (15.0 * 0.35 + 0.9 + 1.0)).abs() < 1e-9);
    assert!((p.loss_db_1550 - (15.0 * 0.25 + 0.9 + 1.0)).abs() < 1e-9);
    assert_eq!(
        p.verdict(&TransceiverBudget::new(10.0), Wavelength::Nm1310),
        Verdict::Warn
    );
    assert_eq!(
        p.verdict(&TransceiverBudget::new(10.0), Wavelength::Nm1550),
        Verdict::Pass
    );
    let back = n
        .shortest_path("Z", "A", &Constraints::default())
        .unwrap()
        .unwrap();
    assert_eq!(back.routes, ["B-Z", "A-B"]);
    assert_eq!(back.sites, ["Z", "B", "A"]);
}

#[test]
fn shortest_path_obeys_constraints() {
    let text = "A-B 1km owner=x spare=1; B-Z 1km owner=x; A-Z 5km owner=y";
    assert_eq!(
        routes(text, &Constraints::default()).unwrap(),
        ["A-B", "B-Z"]
    );
    let spare = Constraints {
        min_spare_strands: 2,
        ..Constraints::default()
    };
    assert_eq!(routes(text, &spare).unwrap(), ["A-Z"]);
    let owner = Constraints {
        allowed_owners: Some(BTreeSet::from(["y".to_string()])),
        ..Constraints::default()
    };
    assert_eq!(routes(text, &owner).unwrap(), ["A-Z"]);
    let short = Constraints {
        max_length_m: Some(1_999.0),
        ..Constraints::default()
    };
    assert_eq!(routes(text, &short), None);
    assert_eq!(routes("A-B 1km; Z", &Constraints::default()), None);
}

#[test]
fn unknown_sites_and_bad_requests_are_errors() {
    let n = net("A-Z 1km");
    let c = Constraints::default();
    let unknown = TopologyError::UnknownSite {
        site_id: "Q".into(),
    };
    assert_eq!(n.shortest_path("A", "Q", &c), Err(unknown.clone()));
    assert_eq!(n.diverse_paths("Q", "Z", 2, &c), Err(unknown));
    assert_eq!(
        n.diverse_paths("A", "Z", 0, &c),
        Err(TopologyError::ZeroPaths)
    );
    assert!(matches!(
        n.diverse_paths("A", "A", 2, &c),
        Err(TopologyError::SameSite { .. })
    ));
    let p = n.shortest_path("A", "A", &c).unwrap().unwrap();
    assert_eq!((p.routes.len(), p.sites.len(), p.length_m), (0, 1, 0.0));
}

#[test]
fn one_path_is_the_shortest() {
    let c = Constraints::default();
    check_diverse("A-B 1km; B-Z 1km; A-Z 3km", 1, &c, "A-B,B-Z 2000m | fully");
    check_diverse("A-B 1km; Z", 1, &c, "partial");
}

#[test]
fn suurballe_escapes_the_trap_that_greedy_falls_in() {
    // The shortest path A-B-C-Z uses the middle link B-C; removing it leaves no second path,
    // yet A-B-Z and A-C-Z are disjoint.
    let text = "A-B 1km; B-C 1km; C-Z 1km; A-C 3km; B-Z 3km";
    assert_eq!(
        routes(text, &Constraints::default()).unwrap(),
        ["A-B", "B-C", "C-Z"]
    );
    check_diverse(
        text,
        2,
        &Constraints::default(),
        "A-B,B-Z 4000m | A-C,C-Z 4000m | fully",
    );
}

#[test]
fn three_disjoint_paths_through_a_grid() {
    let text = "A-B 1km; B-Z 1km; A-C 1km; C-Z 1km; A-D 1km; D-Z 1km; B-C 1m; C-D 1m";
    check_diverse(
        text,
        3,
        &Constraints::default(),
        "A-B,B-Z 2000m | A-C,C-Z 2000m | A-D,D-Z 2000m | fully",
    );
}

#[test]
fn shared_srlg_is_named_when_no_diverse_pair_exists() {
    check_diverse(
        "A-B 1km srlg=t1; B-Z 1km; A-C 1km srlg=t1; C-Z 1km",
        2,
        &Constraints::default(),
        "A-B,B-Z 2000m | A-C,C-Z 2000m | partial srlg:t1[0, 1]",
    );
}

#[test]
fn srlg_diverse_pair_found_through_a_longer_detour() {
    let text = "A-B 1km srlg=t1; B-Z 1km; A-C 1km srlg=t1; C-Z 1km; A-D 5km; D-Z 5km";
    check_diverse(
        text,
        2,
        &Constraints::default(),
        "A-B,B-Z 2000m | A-D,D-Z 10000m | fully",
    );
    // the detour is too long: back to the shortest pair, with its shared trench named
    let short = Constraints {
        max_length_m: Some(9_000.0),
        ..Constraints::default()
    };
    check_diverse(
        text,
        2,
        &short,
        "A-B,B-Z 2000m | A-C,C-Z 2000m | partial srlg:t1[0, 1]",
    );
}

#[test]
fn srlg_diversity_needs_the_search_not_the_flow() {
    // The min-cost disjoint pair shares trench t1 (A-B with C-Z); only pairing the two
    // long links differently avoids it.
    let text = "A-B 1km srlg=t1; B-Z 1km; A-C 2km; C-Z 1km srlg=t1; B-C 1km; A-Z 9km";
    check_diverse(
        text,
        2,
        &Constraints::default(),
        "A-B,B-Z 2000m | A-Z 9000m | fully",
    );
}

#[test]
fn a_bridge_is_shared_and_named() {
    check_diverse(
        "A-X 1km; X-B 1km; X-C 2km; B-Z 1km; C-Z 1km",
        2,
        &Constraints::default(),
        "A-X,X-B,B-Z 3000m | A-X,X-C,C-Z 4000m | partial route:A-X[0, 1]",
    );
    check_diverse(
        "A-X 1km srlg=s; X-Z 1km",
        2,
        &Constraints::default(),
        "A-X,X-Z 2000m | A-X,X-Z 2000m | partial route:A-X[0, 1] route:X-Z[0, 1] srlg:s[0, 1]",
    );
}

#[test]
fn no_path_at_all_gives_no_paths() {
    check_diverse("A-B 1km; Z-C 1km", 2, &Constraints::default(), "partial");
}

#[test]
fn site_disjoint_on_request() {
    let text = "A-M 1km; M-Z 1km; A-M#2 1km; M-Z#2 1km; A-Y 10km; Y-Z 10km";
    check_diverse(
        text,
        2,
        &Constraints::default(),
        "A-M,M-Z 2000m | A-M#2,M-Z#2 2000m | fully",
    );
    let nd = Constraints {
        node_disjoint: true,
        ..Constraints::default()
    };
    check_diverse(text, 2, &nd, "A-M,M-Z 2000m | A-Y,Y-Z 20000m | fully");
    check_diverse(
        "A-M 1km; M-Z 1km; A-M#2 1km; M-Z#2 1km",
        2,
        &nd,
        "A-M,M-Z 2000m | A-M#2,M-Z#2 2000m | partial site:M[0, 1]",
    );
}

#[test]
fn constraints_exclude_links_from_diverse_paths() {
    let text = "A-B 1km; B-Z 1km; A-C 1km spare=0; C-Z 1km; A-D 3km; D-Z 3km";
    let c = Constraints {
        min_spare_strands: 1,
        ..Constraints::default()
    };
    check_diverse(text, 2, &c, "A-B,B-Z 2000m | A-D,D-Z 6000m | fully");
}

#[test]
fn diverse_serialises_with_lowercase_kinds() {
    let d = net("A-B 1km srlg=t1; B-Z 1km; A-C 1km srlg=t1; C-Z 1km")
        .diverse_paths("A", "Z", 2, &Constraints::default())
        .unwrap();
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["shared_risks"][0]["kind"], "srlg");
    assert_eq!(json["paths"][0]["routes"][0], "A-B");
}
