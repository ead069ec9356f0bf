//! Export → import is the identity, and re-export is byte-identical (proptest over small
//! generated cadastres, names with any printable text, coordinates at full precision).

use geo::{Geometry, LineString, MultiLineString, Point, Polygon};
use proptest::prelude::*;

use super::{read_files, write_dir};
use crate::model::*;

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,8}"
}

fn lon_lat() -> impl Strategy<Value = (f64, f64)> {
    (4.2f64..4.52, 50.74f64..50.94)
}

fn line() -> impl Strategy<Value = LineString<f64>> {
    prop::collection::vec(lon_lat(), 2..5).prop_map(LineString::from)
}

fn site(i: usize) -> impl Strategy<Value = Site> {
    let opt = || prop::option::of(text());
    (text(), opt(), opt(), lon_lat()).prop_map(move |(name, owner, address, (x, y))| Site {
        id: format!("s{i}"),
        name,
        kind: "pop".to_string(),
        owner,
        address,
        commune: None,
        status: "in_service".to_string(),
        location: Point::new(x, y),
    })
}

fn route(i: usize) -> impl Strategy<Value = Route> {
    let parts = prop::collection::vec(line(), 0..3);
    let declared = prop::option::of(prop::num::f64::NORMAL | prop::num::f64::ZERO);
    (parts, declared, any::<u32>()).prop_map(move |(parts, declared_length_m, ducts)| Route {
        id: format!("r{i}"),
        name: None,
        from_site: "s0".to_string(),
        to_site: "s1".to_string(),
        owner: "o0".to_string(),
        deployment: "underground".to_string(),
        ducts_total: ducts,
        ducts_free: ducts / 2,
        status: "planned".to_string(),
        declared_length_m,
        srlgs: Vec::new(),
        geometry: MultiLineString::new(parts),
    })
}

fn allocation(i: usize) -> impl Strategy<Value = Allocation> {
    let strands = prop::collection::vec(1u32..300, 0..4);
    let port =
        prop::option::of((text(), text()).prop_map(|(device, port)| PortRef { device, port }));
    (strands, text(), port).prop_map(move |(strands, party, a_end)| Allocation {
        id: format!("a{i}"),
        cable: "c0".to_string(),
        strands,
        use_: Use::Lease,
        party,
        owner: "o0".to_string(),
        from_site: "s0".to_string(),
        to_site: "s1".to_string(),
        a_end,
        b_end: None,
    })
}

fn worksite(i: usize) -> impl Strategy<Value = Worksite> {
    let shape = prop_oneof![
        lon_lat().prop_map(|(x, y)| Geometry::Point(Point::new(x, y))),
        prop::collection::vec(lon_lat(), 3..6)
            .prop_map(|ring| Geometry::Polygon(Polygon::new(LineString::from(ring), vec![]))),
    ];
    (text(), shape).prop_map(move |(name, geometry)| Worksite {
        id: format!("w{i}"),
        name,
        nature: "tramway".to_string(),
        organisation: "roads".to_string(),
        start: "2026-01-01".to_string(),
        end: "2026-12-31".to_string(),
        geometry,
    })
}

fn each<T: std::fmt::Debug>(
    n: usize,
    f: impl Fn(usize) -> BoxedStrategy<T>,
) -> impl Strategy<Value = Vec<T>> {
    (0..n).map(f).collect::<Vec<_>>()
}

fn cadastre() -> impl Strategy<Value = Cadastre> {
    (0usize..4, 0usize..4, 0usize..3, 0usize..3)
        .prop_flat_map(|(n_sites, n_routes, n_allocations, n_worksites)| {
            (
                each(n_sites, |i| site(i).boxed()),
                each(n_routes, |i| route(i).boxed()),
                each(n_allocations, |i| allocation(i).boxed()),
                each(n_worksites, |i| worksite(i).boxed()),
                prop::num::f64::NORMAL,
            )
        })
        .prop_map(|(sites, routes, allocations, worksites, weight)| {
            fixed(sites, routes, allocations, worksites, weight)
        })
}

/// The generated layers plus one feature of each other layer.
fn fixed(
    sites: Vec<Site>,
    routes: Vec<Route>,
    allocations: Vec<Allocation>,
    worksites: Vec<Worksite>,
    weight: f64,
) -> Cadastre {
    let owner = Owner {
        id: "o0".to_string(),
        name: "Port \"de\" Bruxelles".to_string(),
        notes: None,
    };
    let cable = Cable {
        id: "c0".to_string(),
        name: Some("ring".to_string()),
        routes: routes
            .iter()
            .map(|r| r.id.clone())
            .chain(["r-absent".to_string()])
            .collect(),
        fibre_count: 144,
        fibre_type: None,
        owner: "o0".to_string(),
        status: "in_service".to_string(),
    };
    let hotspot = Hotspot {
        id: "h0".to_string(),
        name: "Square".to_string(),
        site: "s0".to_string(),
        access_points: vec!["ap-1".to_string()],
        owner: None,
    };
    let target = TargetPlace {
        id: "t0".to_string(),
        name: "Library".to_string(),
        kind: "library".to_string(),
        weight,
        location: Point::new(4.35, 50.85),
    };
    Cadastre {
        owners: vec![owner],
        sites,
        routes,
        cables: vec![cable],
        allocations,
        hotspots: vec![hotspot],
        targets: vec![target],
        worksites,
    }
}

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    LAYERS
        .iter()
        .map(|l| dir.join(format!("{}.geojson", l.as_str())))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn export_then_import_is_the_identity(cad in cadastre()) {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_dir(&cad, a.path()).unwrap();
        let (back, report) = read_files(&files(a.path()), None).unwrap();
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        prop_assert_eq!(&back, &cad);
        write_dir(&back, b.path()).unwrap();
        for (x, y) in files(a.path()).iter().zip(files(b.path())) {
            prop_assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
    }
}
