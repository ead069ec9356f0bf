//! Tests of configuration loading and validation.

use super::*;
use std::time::Duration;

fn env(name: &str) -> Option<String> {
    match name {
        "IRISOPS_V3_AUTH" => Some("authsecret1".into()),
        "IRISOPS_V3_PRIV" => Some("privsecret1".into()),
        "IRISOPS_WEBHOOK_SECRET" => Some("whsec_MDEyMzQ1Njc4OWFiY2RlZg==".into()),
        _ => None,
    }
}

fn problems(text: &str) -> Vec<String> {
    match Config::parse(text, &env) {
        Ok(_) => vec![],
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn example_config_validates() {
    let text = include_str!("../../../irisops.example.toml");
    let cfg = Config::parse(text, &env).unwrap_or_else(|e| panic!("{:?}", e.problems()));
    assert_eq!(cfg.devices.len(), 2);
    assert_eq!(cfg.devices[0].timeout, Duration::from_secs(5));
    let Auth::V3(v3) = &*cfg.devices[0].auth else {
        panic!("backbone is v3")
    };
    assert_eq!(v3.auth.as_ref().unwrap().0, AuthProtocol::Sha256);
    assert_eq!(v3.privacy.as_ref().unwrap().1.expose(), "privsecret1");
    assert_eq!(cfg.store.retention, Duration::from_secs(14 * 86_400));
    // The example's [wifi] section spells out the defaults.
    assert_eq!(cfg.wifi, WifiConfig::default());
    assert_eq!((cfg.alerts.len(), cfg.receivers.len()), (2, 1));
}

#[test]
fn every_problem_is_reported_with_its_key() {
    let p = problems(
        r#"
[auth.a]
version = "3"
user = "u"
auth_protocol = "SHA-999"
auth_password = "short"
priv_password = "${NOPE}"
[auth.b]
version = "2c"
[[device]]
name = "x"
address = "127.0.0.1:161"
auth = "a"
[[device]]
name = "y"
address = "127.0.0.1"
auth = "zzz"
schedule = "* *"
timeout = "fast"
retries = 99
"#,
    );
    let want = [
        "auth.a.auth_protocol: must be MD5",
        "auth.a.auth_password: must be at least 8 characters",
        "auth.a.priv_password: environment variable NOPE is not set",
        "auth.b.community: missing",
        "device[1].address: \"127.0.0.1\" has no port",
        "device[1].auth: no [auth.zzz] table",
        "device[1].schedule: expected a cron expression",
        "device[1].timeout: invalid duration",
        "device[1].retries: must be 0..=10, got 99",
    ];
    for w in want {
        assert!(
            p.iter().any(|l| l.starts_with(w)),
            "missing {w:?} in {p:#?}"
        );
    }
}

#[test]
fn secrets_never_appear_in_problems_or_debug() {
    let text = r#"
[auth.a]
version = "3"
user = "u"
auth_password = "topsecretauth"
priv_protocol = "AES-512"
priv_password = "topsecretpriv"
[auth.c]
version = "2c"
community = "topsecretcommunity"
[[device]]
name = "x"
address = "127.0.0.1:161"
auth = "c"
"#;
    let all = problems(text).join("\n");
    assert!(all.contains("auth.a.priv_protocol"), "{all}");
    assert!(!all.contains("topsecret"), "{all}");
    let ok = text.replace("AES-512", "AES-256");
    let cfg = Config::parse(&ok, &env).unwrap();
    let dbg = format!("{cfg:?}");
    assert!(!dbg.contains("topsecret"), "{dbg}");
}

#[test]
fn unknown_keys_are_refused_all_at_once_beside_the_other_problems() {
    let p = problems("[store]\npaht = \"/x\"\nretention = \"soon\"\n[collector]\nconcurency = 4\n");
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(p[0], "store.paht: unknown key (did you mean path?)");
    assert_eq!(
        p[1],
        "collector.concurency: unknown key (did you mean concurrency?)"
    );
    assert!(
        p[2].starts_with("store.retention: invalid duration"),
        "{p:?}"
    );
}

#[test]
fn a_syntax_error_names_its_line_and_column() {
    let p = problems("[store]\npath = \"/x\"\nretention = \n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("toml line 3, column"), "{p:?}");
}

#[test]
fn a_duplicate_device_name_is_refused_even_when_the_device_has_other_problems() {
    let p = problems(
        r#"
[auth.c]
version = "1"
community = "public"
[[device]]
name = "x"
address = "127.0.0.1:161"
auth = "c"
[[device]]
name = "x"
address = "nowhere"
auth = "c"
"#,
    );
    assert!(
        p.contains(&"device[1].name: duplicate device name \"x\"".to_string()),
        "{p:?}"
    );
    assert!(
        p.iter().any(|l| l.starts_with("device[1].address")),
        "{p:?}"
    );
}

#[test]
fn duplicate_device_names_are_refused() {
    let p = problems(
        r#"
[auth.c]
version = "1"
community = "public"
[[device]]
name = "x"
address = "127.0.0.1:161"
auth = "c"
[[device]]
name = "x"
address = "127.0.0.1:162"
auth = "c"
"#,
    );
    assert_eq!(
        p,
        vec!["device[1].name: duplicate device name \"x\"".to_string()]
    );
}

#[test]
fn profiles_named_in_the_config_must_exist() {
    let text = r#"
[auth.c]
version = "2c"
community = "public"
[[device]]
name = "wlc"
address = "127.0.0.1:161"
auth = "c"
profile = "wifi-airespace"
profiles = ["lldp", "wifi-aruba-instnat"]
"#;
    let all = problems(text);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(
        all[0]
            .starts_with(r#"device[0].profiles[1]: unknown profile "wifi-aruba-instnat" (known: "#),
        "{all:?}"
    );
    let ok = text.replace("instnat", "instant");
    let cfg = Config::parse(&ok, &env).unwrap();
    assert_eq!(
        cfg.devices[0].profiles,
        ["wifi-airespace", "lldp", "wifi-aruba-instant"]
    );
}

#[test]
fn the_influx_section_names_every_problem_and_hides_its_token() {
    let base = "[auth.c]\nversion = \"2c\"\ncommunity = \"public\"\n[[device]]\nname = \"r\"\naddress = \"127.0.0.1:161\"\nauth = \"c\"\n";
    let all = problems(&format!(
        "{base}[influx]\nurl = \"http://127.0.0.1:8086/api/v2\"\nbatch_points = 0\ntoken = \"${{NOPE}}\"\n"
    ));
    assert_eq!(
        all,
        [
            "influx.org: missing (the organisation name)",
            "influx.bucket: missing (the bucket name)",
            "influx.token: environment variable NOPE is not set",
            r#"influx.url: "http://127.0.0.1:8086/api/v2": give scheme, host and port only (the sink adds /api/v2/write)"#,
            "influx.batch_points: must be 1..=1000000, got 0",
        ]
    );
    let ok = format!(
        "{base}[influx]\nurl = \"http://127.0.0.1:8086/\"\norg = \"noc\"\nbucket = \"irisops\"\ntoken = \"${{IRISOPS_V3_AUTH}}\"\n"
    );
    let cfg = Config::parse(&ok, &env).unwrap();
    let i = cfg.influx.as_ref().unwrap();
    assert_eq!(i.url, "http://127.0.0.1:8086");
    assert_eq!(i.token.expose(), "authsecret1");
    assert_eq!((i.batch_points, i.outbox_max_bytes), (5_000, 1 << 30));
    assert!(!format!("{cfg:?}").contains("authsecret1"));
}

#[test]
fn max_in_flight_defaults_to_32_and_is_bounded() {
    let base = r#"
[auth.c]
version = "2c"
community = "public"
[[device]]
name = "a"
address = "127.0.0.1:161"
auth = "c"
"#;
    let cfg = Config::parse(base, &env).unwrap_or_else(|e| panic!("{:?}", e.problems()));
    assert_eq!(cfg.devices[0].max_in_flight, 32);
    let one = Config::parse(&format!("{base}max_in_flight = 1\n"), &env)
        .unwrap_or_else(|e| panic!("{:?}", e.problems()));
    assert_eq!(one.devices[0].max_in_flight, 1);
    for bad in ["0", "257"] {
        let p = problems(&format!("{base}max_in_flight = {bad}\n"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("device[0].max_in_flight: "), "{p:?}");
    }
}

#[test]
fn an_influx_url_with_a_password_is_refused_without_echoing_it() {
    let p = problems(
        "[influx]\nurl = \"http://admin:hunter2secret@127.0.0.1:8086\"\norg = \"o\"\nbucket = \"b\"\ntoken = \"t\"\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("influx.url: has credentials"), "{p:?}");
    assert!(
        !p[0].contains("hunter2secret") && !p[0].contains("admin"),
        "{p:?}"
    );
}

#[test]
fn cadastre_limits_are_whole_numbers_named_by_key() {
    let base = "[store]\npath = \"/tmp/s\"\n[cadastre]\ndata = \"/tmp/c\"\n";
    let text = format!("{base}max_file_mb = 64\nmax_vertices = 5000\n");
    let cfg = Config::parse(&text, &env).unwrap_or_else(|e| panic!("{:?}", e.problems()));
    let expect = CadastreLimits {
        max_file_mb: Some(64),
        max_features: None,
        max_vertices: Some(5000),
    };
    assert_eq!(cfg.cadastre_limits, expect);
    let p = problems(&format!("{base}max_features = 0\nmax_file_mb = -1\n"));
    assert!(
        p.iter().any(|m| m.contains("cadastre.max_features")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|m| m.contains("cadastre.max_file_mb")),
        "{p:?}"
    );
}

#[test]
fn a_host_name_goes_through_the_given_lookup() {
    let text = "[auth.a]\nversion = \"2c\"\ncommunity = \"public\"\n\
                [[device]]\nname = \"x\"\naddress = \"core-01.noc:161\"\nauth = \"a\"\n\
                [[device]]\nname = \"y\"\naddress = \"192.0.2.7:161\"\nauth = \"a\"\n";
    let asked = std::cell::RefCell::new(Vec::new());
    let lookup = |address: &str| {
        asked.borrow_mut().push(address.to_string());
        Ok(vec![std::net::SocketAddr::from(([192, 0, 2, 1], 161))])
    };
    let cfg = Config::parse_with(text, &env, &lookup).unwrap();
    assert_eq!(cfg.devices[0].addr.to_string(), "192.0.2.1:161");
    assert_eq!(cfg.devices[1].addr.to_string(), "192.0.2.7:161");
    assert_eq!(
        *asked.borrow(),
        ["core-01.noc:161"],
        "a literal is not looked up"
    );
    let failing = |_: &str| Err(std::io::Error::other("no such host"));
    let e = Config::parse_with(text, &env, &failing).unwrap_err();
    let p: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        p,
        ["device[0].address: cannot resolve \"core-01.noc:161\": no such host"]
    );
}
