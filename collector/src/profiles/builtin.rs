//! The profile files built into the binary (`collector/profiles/*.toml`). A new file must be
//! listed here; `profiles::tests` checks that every file in the directory is.

pub(super) const FILES: &[(&str, &str)] = &[
    (
        "lldp-timetra.toml",
        include_str!("../../profiles/lldp-timetra.toml"),
    ),
    ("lldp.toml", include_str!("../../profiles/lldp.toml")),
    (
        "optics-cisco-entity-sensor.toml",
        include_str!("../../profiles/optics-cisco-entity-sensor.toml"),
    ),
    (
        "optics-entity-sensor.toml",
        include_str!("../../profiles/optics-entity-sensor.toml"),
    ),
    (
        "optics-huawei.toml",
        include_str!("../../profiles/optics-huawei.toml"),
    ),
    (
        "optics-juniper-dom.toml",
        include_str!("../../profiles/optics-juniper-dom.toml"),
    ),
    (
        "optics-mikrotik.toml",
        include_str!("../../profiles/optics-mikrotik.toml"),
    ),
    (
        "optics-timetra.toml",
        include_str!("../../profiles/optics-timetra.toml"),
    ),
    (
        "wifi-airespace.toml",
        include_str!("../../profiles/wifi-airespace.toml"),
    ),
    (
        "wifi-aruba-instant.toml",
        include_str!("../../profiles/wifi-aruba-instant.toml"),
    ),
    (
        "wifi-mikrotik.toml",
        include_str!("../../profiles/wifi-mikrotik.toml"),
    ),
    (
        "wifi-unifi.toml",
        include_str!("../../profiles/wifi-unifi.toml"),
    ),
];
