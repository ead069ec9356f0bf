//! Unit tests of allocations and cuts, written in the text form and compared as text.

use crate::text::parse;
use crate::{AllocationSpec, AllocationWarning, CutReport, CutSpec, Network, TopologyError};

fn net(text: &str) -> Network {
    let (sites, links) = parse(text).unwrap();
    Network::build(&sites, &links).0
}

/// An allocation `id` of `strands` strands from `from` to `to` along `links` (`,`-separated).
fn alloc(id: &str, links: &str, from: &str, to: &str, strands: u32) -> AllocationSpec {
    AllocationSpec {
        id: id.into(),
        links: links.split(',').map(str::to_string).collect(),
        from_site: from.into(),
        to_site: to.into(),
        strands,
        kind: "lease".into(),
        party: "acme".into(),
    }
}

fn cut_links(links: &[&str]) -> CutSpec {
    CutSpec {
        links: links.iter().map(|l| l.to_string()).collect(),
        srlgs: vec![],
    }
}

/// `"removed=A-B isolated=D broken=x1,x2 reroute=x1:A-C,C-B(4000m,2) no=x2"`.
fn render(r: &CutReport) -> String {
    let reroutes: Vec<String> = r
        .reroutable
        .iter()
        .map(|x| {
            format!(
                "{}:{}({}m,{})",
                x.allocation,
                x.path.routes.join(","),
                x.path.length_m,
                x.path.spare_strands
            )
        })
        .collect();
    format!(
        "removed={} isolated={} broken={} reroute={} no={}",
        r.removed_links.join(","),
        r.isolated_sites.join(","),
        r.broken_allocations.join(","),
        reroutes.join(" "),
        r.not_reroutable.join(",")
    )
}

fn check(text: &str, allocations: Vec<AllocationSpec>, spec: &CutSpec, expect: &str) {
    let mut n = net(text);
    assert!(n.set_allocations(allocations).is_empty());
    let r = n.cut(spec).unwrap();
    assert_eq!(render(&r), expect, "network: {text}");
}

#[test]
fn cutting_a_bridge_isolates_the_leaf_and_breaks_its_allocation() {
    check(
        "*A; A-B 1km; B-C 1km; A-C 1km; C-D 1km",
        vec![
            alloc("x1", "A-C,C-D", "A", "D", 2),
            alloc("x0", "A-B", "A", "B", 2),
        ],
        &cut_links(&["C-D"]),
        "removed=C-D isolated=D broken=x1 reroute= no=x1",
    );
}

#[test]
fn a_broken_allocation_reroutes_over_a_parallel_link() {
    check(
        "*A; A-B 1km; A-B#2 3km spare=4; B-C 1km",
        vec![alloc("x1", "A-B,B-C", "A", "C", 2)],
        &cut_links(&["A-B"]),
        "removed=A-B isolated= broken=x1 reroute=x1:A-B#2,B-C(4000m,4) no=",
    );
}

#[test]
fn reroutes_consume_spare_strands_in_id_order() {
    // Only C-B's 3 spare strands get around the cut: x1 takes 2, x2 cannot have 2 more.
    let text = "*A; A-B 1km; A-C 2km; C-B 2km spare=3";
    check(
        text,
        vec![
            alloc("x2", "A-B", "A", "B", 2),
            alloc("x1", "A-B", "A", "B", 2),
        ],
        &cut_links(&["A-B"]),
        "removed=A-B isolated= broken=x1,x2 reroute=x1:A-C,C-B(4000m,3) no=x2",
    );
    // A one-strand x2 fits in what x1 left.
    check(
        text,
        vec![
            alloc("x2", "A-B", "A", "B", 1),
            alloc("x1", "A-B", "A", "B", 2),
        ],
        &cut_links(&["A-B"]),
        "removed=A-B isolated= broken=x1,x2 \
         reroute=x1:A-C,C-B(4000m,3) x2:A-C,C-B(4000m,1) no=",
    );
}

#[test]
fn an_srlg_cut_removes_every_link_in_it() {
    check(
        "*A; A-B 1km srlg=t1; A-C 1km srlg=t1,t2; B-C 1km; C-D 1km; A-D 9km srlg=t3",
        vec![alloc("x1", "A-B", "A", "B", 1)],
        &CutSpec {
            links: vec![],
            srlgs: vec!["t1".into()],
        },
        "removed=A-B,A-C isolated= broken=x1 reroute=x1:A-D,C-D,B-C(11000m,12) no=",
    );
    check(
        "*A; A-B 1km srlg=t1; A-C 1km srlg=t1; B-C 1km",
        vec![],
        &CutSpec {
            links: vec!["B-C".into()],
            srlgs: vec!["t1".into()],
        },
        "removed=A-B,A-C,B-C isolated=B,C broken= reroute= no=",
    );
}

#[test]
fn without_core_sites_the_busiest_site_is_the_core() {
    // B has three links; E was never connected to it, so it is not reported.
    check(
        "A-B 1km; B-C 1km; B-D 1km; C-D 1km; D-F 1km; E",
        vec![],
        &cut_links(&["D-F", "B-C"]),
        "removed=B-C,D-F isolated=F broken= reroute= no=",
    );
}

#[test]
fn unknown_links_and_srlgs_are_errors() {
    let n = net("A-B 1km srlg=t1");
    assert_eq!(
        n.cut(&cut_links(&["A-B", "zz"])),
        Err(TopologyError::UnknownLink {
            link_id: "zz".into()
        })
    );
    let e = n
        .cut(&CutSpec {
            links: vec![],
            srlgs: vec!["t9".into()],
        })
        .unwrap_err();
    assert_eq!(e.to_string(), "unknown srlg \"t9\"");
}

#[test]
fn set_allocations_warns_and_keeps_the_known_links() {
    let mut n = net("*A; A-B 1km; B-C 1km");
    let w = n.set_allocations(vec![
        alloc("x2", "A-B,Q-R,B-C", "A", "C", 1),
        alloc("x1", "A-B", "A", "Q", 1),
        alloc("x2", "A-B", "A", "B", 1),
    ]);
    let text: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "allocation \"x2\" names unknown link \"Q-R\", dropped",
            "allocation \"x1\" names unknown site \"Q\"",
            "duplicate allocation \"x2\" skipped",
        ]
    );
    assert!(matches!(w[0], AllocationWarning::UnknownLink { .. }));
    let ids: Vec<(&str, usize)> = n
        .allocations()
        .iter()
        .map(|a| (a.id.as_str(), a.links.len()))
        .collect();
    assert_eq!(ids, [("x1", 1), ("x2", 2)]);
    // x1's end Q is unknown: broken, never reroutable.
    let r = n.cut(&cut_links(&["A-B"])).unwrap();
    assert_eq!(
        render(&r),
        "removed=A-B isolated=B,C broken=x1,x2 reroute= no=x1,x2"
    );
}
