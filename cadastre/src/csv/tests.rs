//! Tests of the CSV export: headers, one row per feature, RFC 4180 quoting, determinism.

use geo::{line_string, point, polygon, Geometry, MultiLineString, Point};

use super::*;
use crate::model::{Allocation, Cable, Hotspot, Owner, Route, Site, TargetPlace, Worksite};

/// A minimal RFC 4180 reader, to check that what we write parses back field for field.
fn parse(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR without LF"),
            (false, '\n') => panic!("bare LF ends a record"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(
        record.is_empty() && field.is_empty(),
        "text must end with CRLF"
    );
    records
}

fn sample() -> Cadastre {
    let site = |id: &str, name: &str| Site {
        id: id.into(),
        name: name.into(),
        kind: "pop".into(),
        owner: Some("it".into()),
        address: Some("Rue de la Loi 16, 1000 Bruxelles".into()),
        commune: None,
        status: "in_service".into(),
        location: point!(x: 4.3685, y: 50.8512),
    };
    Cadastre {
        owners: vec![Owner {
            id: "it".into(),
            name: "Regional \"IT\" body".into(),
            notes: Some("line one\nline two".into()),
        }],
        sites: vec![site("a", "PoP Madou"), site("b", "Cabinet, rue Royale")],
        routes: vec![Route {
            id: "r1".into(),
            name: None,
            from_site: "a".into(),
            to_site: "b".into(),
            owner: "it".into(),
            deployment: "underground".into(),
            ducts_total: 4,
            ducts_free: 1,
            status: "in_service".into(),
            declared_length_m: Some(1234.5),
            srlgs: vec!["bridge:canal".into(), "tunnel:leopold".into()],
            geometry: MultiLineString::new(vec![
                line_string![(x: 4.3685, y: 50.8512), (x: 4.379, y: 50.867)],
            ]),
        }],
        cables: vec![Cable {
            id: "k1".into(),
            name: Some("core".into()),
            routes: vec!["r1".into(), "r2".into()],
            fibre_count: 144,
            fibre_type: None,
            owner: "it".into(),
            status: "in_service".into(),
        }],
        allocations: vec![Allocation {
            id: "al1".into(),
            cable: "k1".into(),
            strands: vec![1, 2],
            use_: Use::Lease,
            party: "Carrier".into(),
            owner: "it".into(),
            from_site: "a".into(),
            to_site: "b".into(),
            a_end: Some(PortRef {
                device: "sw1".into(),
                port: "xe-0/0/1".into(),
            }),
            b_end: None,
        }],
        hotspots: vec![Hotspot {
            id: "h1".into(),
            name: "Place Flagey".into(),
            site: "a".into(),
            access_points: vec!["ap-1".into(), "ap-2".into()],
            owner: None,
        }],
        targets: vec![TargetPlace {
            id: "t1".into(),
            name: "Maison de quartier".into(),
            kind: "community_centre".into(),
            weight: 2.5,
            location: Point::new(4.35, 50.84),
        }],
        worksites: vec![Worksite {
            id: "w1".into(),
            name: "Tram 7".into(),
            nature: "tramway".into(),
            organisation: "Transport".into(),
            start: "2025-03-01".into(),
            end: "2025-09-30".into(),
            geometry: Geometry::Polygon(
                polygon![(x: 4.0, y: 50.0), (x: 4.1, y: 50.0), (x: 4.1, y: 50.1)],
            ),
        }],
    }
}

#[test]
fn headers_name_every_column() {
    let cad = Cadastre::default();
    let header = |layer| parse(&layer_csv(&cad, layer)).remove(0).join(",");
    assert_eq!(header(Layer::Owners), "id,name,notes");
    assert_eq!(
        header(Layer::Sites),
        "id,name,kind,owner,address,commune,status,lon,lat"
    );
    assert_eq!(
        header(Layer::Routes),
        "id,name,from_site,to_site,owner,deployment,ducts_total,ducts_free,status,declared_length_m,geometry_wkt,srlgs"
    );
    assert_eq!(
        header(Layer::Cables),
        "id,name,routes,fibre_count,fibre_type,owner,status"
    );
    assert_eq!(
        header(Layer::Allocations),
        "id,cable,strands,use,party,owner,from_site,to_site,a_device,a_port,b_device,b_port"
    );
    assert_eq!(header(Layer::Hotspots), "id,name,site,access_points,owner");
    assert_eq!(header(Layer::Targets), "id,name,kind,weight,lon,lat");
    assert_eq!(
        header(Layer::Worksites),
        "id,name,nature,organisation,start,end,geometry_wkt"
    );
}

#[test]
fn one_row_per_feature_with_as_many_fields_as_the_header() {
    let cad = sample();
    for layer in LAYERS {
        let records = parse(&layer_csv(&cad, layer));
        assert_eq!(records.len(), 1 + cad.len(layer), "{layer:?}");
        assert!(
            records.iter().all(|r| r.len() == records[0].len()),
            "{layer:?}"
        );
    }
}

#[test]
fn commas_quotes_and_newlines_are_quoted() {
    let cad = sample();
    let owners = layer_csv(&cad, Layer::Owners);
    assert_eq!(
        owners,
        "id,name,notes\r\nit,\"Regional \"\"IT\"\" body\",\"line one\nline two\"\r\n"
    );
    let sites = parse(&layer_csv(&cad, Layer::Sites));
    assert_eq!(sites[2][1], "Cabinet, rue Royale");
    assert_eq!(sites[2][4], "Rue de la Loi 16, 1000 Bruxelles");
    assert_eq!(parse(&owners)[1][2], "line one\nline two");
}

#[test]
fn values_lists_and_geometry() {
    let cad = sample();
    let row = |layer| parse(&layer_csv(&cad, layer)).remove(1);
    assert_eq!(
        row(Layer::Routes),
        [
            "r1",
            "",
            "a",
            "b",
            "it",
            "underground",
            "4",
            "1",
            "in_service",
            "1234.5",
            "LINESTRING (4.3685 50.8512, 4.379 50.867)",
            "bridge:canal;tunnel:leopold"
        ]
    );
    assert_eq!(
        row(Layer::Cables),
        ["k1", "core", "r1;r2", "144", "", "it", "in_service"]
    );
    assert_eq!(
        row(Layer::Allocations),
        ["al1", "k1", "1;2", "lease", "Carrier", "it", "a", "b", "sw1", "xe-0/0/1", "", ""]
    );
    assert_eq!(
        row(Layer::Hotspots),
        ["h1", "Place Flagey", "a", "ap-1;ap-2", ""]
    );
    assert_eq!(
        row(Layer::Targets),
        [
            "t1",
            "Maison de quartier",
            "community_centre",
            "2.5",
            "4.35",
            "50.84"
        ]
    );
    assert_eq!(
        row(Layer::Worksites)[6],
        "POLYGON ((4 50, 4.1 50, 4.1 50.1, 4 50))"
    );
    assert_eq!(&row(Layer::Sites)[7..], ["4.3685", "50.8512"]);
}

#[test]
fn write_csv_writes_one_file_per_layer_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let cad = sample();
    let paths = write_csv(&cad, &out).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "owners.csv",
            "sites.csv",
            "routes.csv",
            "cables.csv",
            "allocations.csv",
            "hotspots.csv",
            "targets.csv",
            "worksites.csv"
        ]
    );
    let first: Vec<_> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    write_csv(&cad, &out).unwrap();
    let second: Vec<_> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert_eq!(first, second);
    assert_eq!(first[1], layer_csv(&cad, Layer::Sites).into_bytes());
}

#[test]
fn an_unwritable_directory_is_a_write_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = write_csv(&Cadastre::default(), &file.join("sub")).unwrap_err();
    assert!(matches!(err, CadastreError::Write { .. }), "{err}");
}
