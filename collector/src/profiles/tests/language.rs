//! Tests of the profile language's generic parts: text indexes, `select`, entries relative to
//! the sysObjectID, tables of one role joined on their index, station tables, the LLDP system
//! description as a fallback name; checked through the shipped profiles that use them.

use super::*;

/// A length-prefixed text index: its length, then its bytes.
fn text_index(t: &str) -> Vec<u32> {
    std::iter::once(t.len() as u32)
        .chain(t.bytes().map(u32::from))
        .collect()
}

#[test]
fn text_indexes_split_and_select_their_rows() {
    let p = profile("wifi-openwrt");
    let t = table(p, "totals");
    let total = interpret::split_index(t, &text_index("clients-wlan")).unwrap();
    assert_eq!(total[0].0, "extend");
    assert_eq!(
        total[0].1.len(),
        12,
        "the length prefix is not part of the text"
    );
    assert!(interpret::selected(t, &total));
    let wlan0 = interpret::split_index(t, &text_index("clients-wlan0")).unwrap();
    assert!(!interpret::selected(t, &wlan0));
    // A length that runs past the index, or leaves sub-ids over, does not fit.
    assert!(interpret::split_index(t, &[5, 99, 108]).is_none());
    assert!(interpret::split_index(t, &[1, 99, 108]).is_none());
    let walked = vec![(
        t,
        vec![row(
            t,
            &text_index("clients-wlan"),
            &[("clients_total", s("3"))],
        )],
    )];
    let w = interpret::wifi(p, &walked, Some("owrt"));
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (1, 1, 3));
    assert_eq!(
        w.aps[0].clients,
        Some(3),
        "a standalone AP has the device's clients"
    );
}

#[test]
fn select_names_an_index_component_and_text_is_a_width() {
    let text = r#"
name = "x"
version = 1
kind = "wifi"
description = "select on a missing component"
[[table]]
role = "totals"
entry = "1.3.6.1.4.1.8072.1.3.2.3.1"
index = ["extend:text", "b:txt"]
select = { token = "clients-wlan" }
columns = [{ name = "clients_total", column = 1, type = "string" }]
"#;
    let e = Profile::parse("sel.toml", text).unwrap_err();
    assert_eq!(
        e.problems,
        [
            r#"sel.toml: table[0].index[1]: "b:txt": expected name, name:N, name:text or name:*"#,
            r#"sel.toml: table[0].select: "token" is not a component of the index"#,
        ]
    );
}

#[test]
fn relative_entries_follow_the_devices_sys_object_id() {
    let p = profile("wifi-stellar");
    let t = table(p, "stations");
    assert!(t.entry_relative);
    let id = "1.3.6.1.4.1.6486.802.1.1.2.1.2.12";
    assert_eq!(
        t.entry_for(Some(id)).map(|o| o.subids()),
        Some(vec![
            1, 3, 6, 1, 4, 1, 6486, 802, 1, 1, 2, 1, 2, 12, 1, 4, 1, 1
        ])
    );
    assert_eq!(
        t.entry_for(None),
        None,
        "nothing to walk without a sysObjectID"
    );
    assert_eq!(t.entry_for(Some("not an oid")), None);
    let absolute = table(profile("wifi-unifi"), "vaps");
    assert!(!absolute.entry_relative);
    assert_eq!(absolute.entry_for(None), absolute.entry_oid);
}

#[test]
fn stations_are_counted_on_their_ssid_and_ssids_without_clients_kept() {
    let p = profile("wifi-stellar");
    let (ssids, stations) = (table(p, "ssids"), table(p, "stations"));
    let wlan = |i: u32, n: &str| row(ssids, &[i], &[("ssid_name", s(n))]);
    let sta = |i: u32, n: &str| row(stations, &[i], &[("ssid_name", s(n))]);
    let walked = vec![
        (
            ssids,
            vec![wlan(36, "corp"), wlan(41, "corp"), wlan(46, "guest")],
        ),
        (
            stations,
            vec![sta(1, "corp"), sta(2, "corp"), sta(3, "iot")],
        ),
    ];
    let w = interpret::wifi(p, &walked, Some("ap-7"));
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (1, 1, 3));
    assert_eq!(
        (w.aps[0].name.as_str(), w.aps[0].clients),
        ("ap-7", Some(3))
    );
    let by: Vec<(&str, u64)> = w
        .ssids
        .iter()
        .map(|x| (x.name.as_str(), x.clients))
        .collect();
    assert_eq!(by, [("corp", 2), ("guest", 0), ("iot", 1)]);
    // SSIDs but no station rows: none associated, not unknown.
    let walked = vec![(ssids, vec![wlan(36, "corp")]), (stations, Vec::new())];
    let w = interpret::wifi(p, &walked, None);
    assert_eq!((w.clients_total, w.aps[0].clients), (0, Some(0)));
}

#[test]
fn tables_of_one_role_are_joined_on_their_index() {
    let p = profile("wifi-extreme-ewc");
    let roles: Vec<&TableDef> = p.tables.iter().collect();
    let by = |role: &str, col: &str| {
        *roles
            .iter()
            .find(|t| t.role == role && t.columns.iter().any(|c| c.name == col))
            .unwrap()
    };
    let (names, counts) = (by("ssids", "ssid_name"), by("ssids", "ssid_clients"));
    let (aps, stats) = (by("aps", "ap_name"), by("radios", "clients"));
    let (configured, connected) = (by("totals", "aps_total"), by("totals", "aps_up"));
    let walked = vec![
        (aps, vec![row(aps, &[1], &[("ap_name", s("TestAP"))])]),
        (
            stats,
            vec![row(stats, &[1], &[("clients", Value::Gauge32(10))])],
        ),
        (
            names,
            vec![row(names, &[101], &[("ssid_name", s("Test VNS"))])],
        ),
        (
            counts,
            vec![row(
                counts,
                &[101],
                &[("ssid_clients", Value::Counter32(10))],
            )],
        ),
        (
            configured,
            vec![row(configured, &[0], &[("aps_total", Value::Integer(2))])],
        ),
        (
            connected,
            vec![row(connected, &[0], &[("aps_up", Value::Integer(1))])],
        ),
    ];
    let w = interpret::wifi(p, &walked, None);
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (2, 1, 10));
    assert_eq!(
        (w.aps[0].name.as_str(), w.aps[0].clients),
        ("TestAP", Some(10))
    );
    assert_eq!(
        w.ssids.len(),
        1,
        "one SSID, named and counted: {:?}",
        w.ssids
    );
    assert_eq!(
        (w.ssids[0].name.as_str(), w.ssids[0].clients),
        ("Test VNS", 10)
    );
}

#[test]
fn a_standalone_ap_with_only_a_client_scalar() {
    let p = profile("wifi-hiveos");
    let t = table(p, "totals");
    let walked = vec![(
        t,
        vec![row(t, &[0], &[("clients_total", Value::Integer(4))])],
    )];
    let w = interpret::wifi(p, &walked, Some("hive-1"));
    assert_eq!((w.aps_total, w.aps_up, w.clients_total), (1, 1, 4));
    assert_eq!(w.aps[0].clients, Some(4));
}

#[test]
fn a_neighbour_without_a_system_name_is_named_by_its_description() {
    let p = profile("lldp");
    let rem = table(p, "remote");
    let walked = vec![(
        rem,
        vec![
            row(
                rem,
                &[0, 1, 148],
                &[
                    ("remote_system_name", s("")),
                    ("remote_system_descr", s("HPE ProLiant DL360 Gen10")),
                ],
            ),
            row(
                rem,
                &[0, 2, 7],
                &[
                    ("remote_system_name", s("core-01")),
                    ("remote_system_descr", s("Cisco IOS Software")),
                ],
            ),
        ],
    )];
    let n = interpret::lldp(&walked, &Ports::new(&[]));
    let names: Vec<Option<&str>> = n.iter().map(|x| x.remote_system_name.as_deref()).collect();
    assert_eq!(names, [Some("HPE ProLiant DL360 Gen10"), Some("core-01")]);
}
