//! CRS tests: PROJ reference points (both systems, both directions), parsing, round trips.

use geo::{Distance, Geodesic, Length, LineString, MultiLineString, Point};
use proptest::prelude::*;

use super::*;

/// `(name, x, y, lon, lat)`: Lambert 72 → WGS84, made by PROJ 9.5.1 (pyproj 3.7.2) with
/// `Transformer.from_crs('EPSG:31370', 'EPSG:4326', always_xy=True).transform(x, y)`
/// ("BD72 to WGS 84 (3)"), points chosen over Brussels and the rest of Belgium. The Lambert
/// 2008 inputs below are the same places (PROJ's 31370 → 3812, rounded to the millimetre).
const L72_TO_WGS84: [(&str, f64, f64, f64, f64); 11] = [
    (
        "grand_place",
        148855.000,
        170700.000,
        4.352493994,
        50.846702916,
    ),
    (
        "brussels_sw",
        140000.000,
        162000.000,
        4.226993742,
        50.768409387,
    ),
    (
        "brussels_ne",
        160000.000,
        180000.000,
        4.510999625,
        50.930218467,
    ),
    (
        "brussels_nw",
        141000.000,
        178000.000,
        4.240780646,
        50.912257807,
    ),
    (
        "brussels_se",
        157000.000,
        163000.000,
        4.468000369,
        50.777441418,
    ),
    ("antwerp", 152000.000, 212000.000, 4.397382484, 51.217945429),
    ("ghent", 105000.000, 194000.000, 3.726941294, 51.054408585),
    ("liege", 235000.000, 148000.000, 5.570370987, 50.636446366),
    ("arlon", 255000.000, 40000.000, 5.823123699, 49.662411126),
    ("ostend", 50000.000, 215000.000, 2.936869789, 51.236255654),
    ("namur", 185000.000, 128000.000, 4.861690885, 50.461786840),
];

/// `(name, lon, lat, x, y)`: WGS84 → Lambert 72, PROJ 9.5.1,
/// `Transformer.from_crs('EPSG:4326', 'EPSG:31370', always_xy=True).transform(lon, lat)`.
const WGS84_TO_L72: [(&str, f64, f64, f64, f64); 11] = [
    ("grand_place", 4.3525, 50.8467, 148855.4227, 170699.6759),
    ("atomium", 4.3416, 50.8949, 148089.6920, 176061.7331),
    ("cinquantenaire", 4.3931, 50.8404, 151714.9478, 169999.0422),
    ("uccle", 4.3377, 50.799, 147810.9506, 165393.8497),
    ("evere", 4.402, 50.871, 152340.2658, 173403.2662),
    ("anderlecht", 4.29, 50.837, 144452.6746, 169623.4178),
    ("woluwe", 4.46, 50.83, 156428.4983, 168845.8547),
    ("antwerp", 4.4025, 51.2194, 152357.4835, 212161.9814),
    ("liege", 5.5797, 50.6326, 235666.8360, 147582.9338),
    ("arlon", 5.8167, 49.6833, 254490.9714, 42313.9117),
    ("ostend", 2.9186, 51.23, 48710.6529, 214328.9090),
];

/// Lambert 2008 → WGS84, PROJ 9.5.1,
/// `Transformer.from_crs('EPSG:3812', 'EPSG:4326', always_xy=True).transform(x, y)`.
const L2008_TO_WGS84: [(&str, f64, f64, f64, f64); 11] = [
    (
        "grand_place",
        648854.613,
        670700.269,
        4.352493998,
        50.846702911,
    ),
    (
        "brussels_sw",
        640000.721,
        661999.284,
        4.226993749,
        50.768409383,
    ),
    (
        "brussels_ne",
        659998.415,
        680001.522,
        4.510999627,
        50.930218464,
    ),
    (
        "brussels_nw",
        640998.806,
        677999.275,
        4.240780646,
        50.912257809,
    ),
    (
        "brussels_se",
        657000.465,
        663001.302,
        4.468000375,
        50.777441416,
    ),
    ("antwerp", 651994.668, 712000.311, 4.397382488, 51.217945426),
    ("ghent", 604997.188, 693994.857, 3.726941296, 51.054408581),
    ("liege", 735001.618, 648010.718, 5.570370981, 50.636446363),
    ("arlon", 755014.331, 540013.993, 5.823123698, 49.662411129),
    ("ostend", 549995.122, 714988.138, 2.936869789, 51.236255650),
    ("namur", 685004.409, 628004.923, 4.861690880, 50.461786841),
];

/// WGS84 → Lambert 2008, PROJ 9.5.1,
/// `Transformer.from_crs('EPSG:4326', 'EPSG:3812', always_xy=True).transform(lon, lat)`.
const WGS84_TO_L2008: [(&str, f64, f64, f64, f64); 11] = [
    ("grand_place", 4.3525, 50.8467, 648855.0356, 670699.9451),
    ("atomium", 4.3416, 50.8949, 648088.6723, 676061.8678),
    ("cinquantenaire", 4.3931, 50.8404, 651714.6212, 669999.6578),
    ("uccle", 4.3377, 50.799, 647811.2042, 665394.0373),
    ("evere", 4.402, 50.871, 652339.5287, 673403.9288),
    ("anderlecht", 4.29, 50.837, 644452.4513, 669623.1711),
    ("woluwe", 4.46, 50.83, 656428.2712, 668847.0412),
    ("antwerp", 4.4025, 51.2194, 652352.1293, 712162.3338),
    ("liege", 5.5797, 50.6326, 735668.4989, 647593.7348),
    ("arlon", 5.8167, 49.6833, 754505.0310, 542327.8241),
    ("ostend", 2.9186, 51.23, 548705.8653, 714316.8989),
];

/// The largest error, in metres on the ground, of `crs.to_wgs84` over `table`.
fn worst_inverse(crs: Crs, table: &[(&str, f64, f64, f64, f64)]) -> f64 {
    let mut worst: f64 = 0.0;
    for &(name, x, y, lon, lat) in table {
        let (got_lon, got_lat) = crs.to_wgs84(x, y).unwrap();
        let err = Geodesic.distance(Point::new(got_lon, got_lat), Point::new(lon, lat));
        assert!(err < 1.0, "{crs} {name}: {err} m from PROJ");
        worst = worst.max(err);
    }
    worst
}

/// The largest error, in projected metres, of `crs.from_wgs84` over `table`.
fn worst_forward(crs: Crs, table: &[(&str, f64, f64, f64, f64)]) -> f64 {
    let mut worst: f64 = 0.0;
    for &(name, lon, lat, x, y) in table {
        let (got_x, got_y) = crs.from_wgs84(lon, lat).unwrap();
        let err = (got_x - x).hypot(got_y - y);
        assert!(err < 1.0, "{crs} {name}: {err} m from PROJ");
        worst = worst.max(err);
    }
    worst
}

#[test]
fn lambert72_matches_proj_both_ways() {
    // Measured: 0.1 mm; the issue asks for 1 m, held here to 1 cm.
    assert!(worst_inverse(Crs::Lambert72, &L72_TO_WGS84) < 0.01);
    assert!(worst_forward(Crs::Lambert72, &WGS84_TO_L72) < 0.01);
}

#[test]
fn lambert2008_matches_proj_both_ways() {
    assert!(worst_inverse(Crs::Lambert2008, &L2008_TO_WGS84) < 0.01);
    assert!(worst_forward(Crs::Lambert2008, &WGS84_TO_L2008) < 0.01);
}

#[test]
fn coordinate_frame_signs_would_be_65_m_off() {
    // The trap: PROJ prints this shift in the coordinate frame convention; pasted into
    // `+towgs84` (position vector) unchanged, Grand-Place lands 65 m away.
    let wrong = LAMBERT72.replace("0.3366,-0.457,1.8422", "-0.3366,0.457,-1.8422");
    let wrong = Proj::from_proj_string(&wrong).unwrap();
    let (lon, lat) = run(&wrong, wgs84().unwrap(), (148855.0, 170700.0)).unwrap();
    let (_, _, _, ref_lon, ref_lat) = L72_TO_WGS84[0];
    let p = Point::new(lon.to_degrees(), lat.to_degrees());
    let err = Geodesic.distance(p, Point::new(ref_lon, ref_lat));
    assert!(err > 50.0, "wrong signs only {err} m off");
}

#[test]
fn parse_accepts_the_usual_names() {
    for (s, crs) in [
        ("EPSG:31370", Crs::Lambert72),
        ("urn:ogc:def:crs:EPSG::31370", Crs::Lambert72),
        ("urn:ogc:def:crs:EPSG:6.6:31370", Crs::Lambert72),
        ("31370", Crs::Lambert72),
        ("epsg:31370", Crs::Lambert72),
        (
            "http://www.opengis.net/def/crs/EPSG/0/31370",
            Crs::Lambert72,
        ),
        ("EPSG:3812", Crs::Lambert2008),
        ("urn:ogc:def:crs:EPSG::3812", Crs::Lambert2008),
        ("EPSG:4326", Crs::Wgs84),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", Crs::Wgs84),
        (" urn:ogc:def:crs:ogc:1.3:crs84 ", Crs::Wgs84),
    ] {
        assert_eq!(Crs::parse(s).unwrap(), crs, "{s}");
    }
    assert_eq!(Crs::Lambert72.epsg(), 31370);
    assert_eq!(Crs::Lambert2008.to_string(), "EPSG:3812");
}

#[test]
fn parse_names_the_unsupported_value() {
    for s in ["EPSG:2154", "urn:ogc:def:crs:EPSG::", "lambert", ""] {
        let err = Crs::parse(s).unwrap_err().to_string();
        assert!(err.contains(&format!("{:?}", s.trim())), "{err}");
        assert!(
            err.starts_with("coordinate reference system: unsupported"),
            "{err}"
        );
    }
}

#[test]
fn bad_coordinates_are_errors_not_panics() {
    assert!(Crs::Lambert72.to_wgs84(f64::NAN, 0.0).is_err());
    assert!(Crs::Lambert72.from_wgs84(f64::INFINITY, 50.0).is_err());
    assert!(Crs::Wgs84.to_wgs84(200.0, 50.0).is_err());
    assert!(Crs::Lambert2008.from_wgs84(4.35, 95.0).is_err());
}

#[test]
fn convert_geometry_converts_every_coordinate() {
    let (_, x, y, lon, lat) = L72_TO_WGS84[0];
    let mut g = Geometry::LineString(LineString::from(vec![(x, y), (x, y)]));
    convert_geometry(Crs::Lambert72, &mut g).unwrap();
    let Geometry::LineString(line) = g else {
        panic!("not a line")
    };
    for c in line.coords() {
        assert!(Geodesic.distance(Point::from(*c), Point::new(lon, lat)) < 0.01);
    }
    let mut p = Point::new(x, y);
    convert_point(Crs::Lambert72, &mut p).unwrap();
    assert!(Geodesic.distance(p, Point::new(lon, lat)) < 0.01);
    let mut bad = Geometry::Point(Point::new(f64::NAN, 1.0));
    assert!(convert_geometry(Crs::Lambert2008, &mut bad).is_err());
}

/// The Brussels region's extent, lon/lat.
fn brussels() -> impl Strategy<Value = (f64, f64)> {
    (4.24f64..4.48, 50.76f64..50.92)
}

fn lambert() -> impl Strategy<Value = Crs> {
    prop_oneof![Just(Crs::Lambert72), Just(Crs::Lambert2008)]
}

proptest! {
    #[test]
    fn round_trip_within_1_cm((lon, lat) in brussels(), crs in lambert()) {
        let (x, y) = crs.from_wgs84(lon, lat).unwrap();
        let (lon2, lat2) = crs.to_wgs84(x, y).unwrap();
        let err = Geodesic.distance(Point::new(lon, lat), Point::new(lon2, lat2));
        prop_assert!(err < 0.01, "{crs}: {err} m");
    }

    #[test]
    fn route_length_survives_the_round_trip(
        pts in prop::collection::vec(brussels(), 2..12),
        crs in lambert(),
    ) {
        let line = LineString::from(pts);
        let mut projected = line.clone();
        projected.try_map_coords_in_place(|c| {
            crs.from_wgs84(c.x, c.y).map(|(x, y)| Coord { x, y })
        }).unwrap();
        let mut back = MultiLineString::new(vec![projected]);
        convert_lines(crs, &mut back).unwrap();
        let before = Geodesic.length(&line);
        let after = Geodesic.length(&back.0[0]);
        prop_assert!((before - after).abs() < 0.01, "{crs}: {before} m vs {after} m");
    }
}
