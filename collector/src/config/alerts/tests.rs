//! `[[alert]]` and `[[receiver]]`: every key read, every problem named.

use std::time::Duration;

use super::*;
use crate::config::Config;

fn parse(text: &str) -> Result<Config, Vec<String>> {
    let env = |name: &str| (name == "HOOK_SECRET").then(|| "0123456789abcdef-env".to_string());
    Config::parse(text, &env).map_err(|e| e.problems().iter().map(ToString::to_string).collect())
}

const RECEIVER: &str = "[[receiver]]\nname = \"noc\"\nurl = \"http://127.0.0.1:9/hook\"\n\
                        secret = \"whsec_MDEyMzQ1Njc4OWFiY2RlZg==\"\n";

#[test]
fn a_rule_and_its_receiver_with_every_key() {
    let cfg = parse(&format!(
        "{RECEIVER}[[receiver]]\nname = \"pager\"\nurl = \"https://pager.example/x\"\n\
         secret = \"${{HOOK_SECRET}}\"\ntimeout = \"3s\"\n\
         [[alert]]\nname = \"uplink-busy\"\nmetric = \"utilisation\"\nop = \">=\"\nvalue = 80\n\
         for = \"5m\"\nkeep_firing_for = \"10m\"\nseverity = \"critical\"\nreceivers = [\"pager\", \"noc\"]\n\
         [alert.select]\ndevice = \"core-*\"\nport = \"xe-0/0/[0-3]\"\nalias = \"(?i)uplink\"\n\
         [[alert]]\nname = \"down\"\nmetric = \"device_up\"\nop = \"==\"\nvalue = 0\n"
    ))
    .unwrap();
    let [noc, pager] = &cfg.receivers[..] else {
        panic!("{:?}", cfg.receivers)
    };
    assert_eq!(
        (noc.name.as_str(), noc.timeout),
        ("noc", Duration::from_secs(10))
    );
    assert_eq!(pager.secret.expose(), "0123456789abcdef-env");
    assert_eq!(pager.timeout, Duration::from_secs(3));
    let [busy, down] = &cfg.alerts[..] else {
        panic!("{:?}", cfg.alerts)
    };
    assert_eq!(busy.metric, AlertMetric::Utilisation);
    assert_eq!((busy.op, busy.value), (AlertOp::Ge, 80.0));
    assert_eq!(busy.for_, Duration::from_secs(300));
    assert_eq!(busy.keep_firing_for, Duration::from_secs(600));
    assert_eq!(busy.receivers, [1, 0]);
    assert_eq!(busy.severity, "critical");
    let sel = &busy.select;
    assert!(sel.device.as_ref().unwrap().matches("core-7"));
    assert!(!sel.device.as_ref().unwrap().matches("edge-core-7"));
    let port = sel.port.as_ref().unwrap();
    assert!(port.matches("xe-0/0/3") && !port.matches("xe-0/0/4") && !port.matches("xe-0/0/30"));
    assert!(sel.alias.as_ref().unwrap().matches("to PoP-2 UPLINK 100G"));
    assert_eq!(
        (down.for_, down.keep_firing_for),
        (Duration::ZERO, Duration::ZERO)
    );
    assert_eq!(down.severity, "warning");
    assert!(down.receivers.is_empty());
}

#[test]
fn every_bad_key_is_named() {
    let p = parse(&format!(
        "{RECEIVER}[[alert]]\nname = \"a\"\nmetric = \"utilisation\"\nop = \">\"\nvalue = 1\n\
         [[alert]]\nname = \"a\"\nmetric = \"temperature\"\nop = \"=>\"\nfor = \"5 parsecs\"\n\
         keep_firing_for = \"soon\"\nseverity = \"page\"\nreceivers = [\"x\", \"noc\", \"noc\"]\n\
         [alert.select]\nalias = \"(unclosed\"\n\
         [[alert]]\nname = \"b\"\nmetric = \"device_up\"\nop = \"==\"\nvalue = 0\n\
         [alert.select]\nport = \"xe-*\"\ndevice = \"[core\"\nspeed = 1\n"
    ))
    .unwrap_err();
    let want = [
        "alert[2].select.speed: unknown key",
        "alert[1].name: duplicate alert name \"a\"",
        "alert[1].metric: unknown metric \"temperature\" (one of utilisation, in_bps,",
        "alert[1].op: must be >, >=, <, <= or ==, got \"=>\"",
        "alert[1].value: missing",
        "alert[1].for: invalid duration \"5 parsecs\"",
        "alert[1].keep_firing_for: invalid duration \"soon\"",
        "alert[1].select.alias: invalid regex \"(unclosed\"",
        "alert[1].severity: must be critical, warning or info, got \"page\"",
        "alert[1].receivers[0]: unknown receiver \"x\"",
        "alert[1].receivers[2]: receiver \"noc\" is listed twice",
        "alert[2].select.device: invalid glob \"[core\": unclosed [",
        "alert[2].select.port: does not apply to metric device_up (it selects by device)",
    ];
    for w in want {
        assert!(p.iter().any(|m| m.starts_with(w)), "{w:?} not in {p:#?}");
    }
    assert_eq!(p.len(), want.len(), "{p:#?}");
}

#[test]
fn receivers_are_checked_without_echoing_their_url_or_secret() {
    let p = parse(
        "[[receiver]]\nname = \"a b\"\nurl = \"ftp://user:hunter2@x\"\nsecret = \"whsec_!!hunter2!!\"\n\
         [[receiver]]\nname = \"ok\"\nurl = \"https://x.example/h\"\nsecret = \"hunter2\"\ntimeout = \"0s\"\n\
         [[receiver]]\nname = \"ok\"\nsecret = \"${MISSING}\"\nzzz = 1\n\
         [[alert]]\nname = \"r\"\nmetric = \"in_bps\"\nop = \">\"\nvalue = 1\nreceivers = [\"a b\"]\n",
    )
    .unwrap_err();
    let want = [
        "receiver[2].zzz: unknown key",
        "receiver[0].name: \"a b\": use letters, digits",
        "receiver[0].url: must start with http:// or https://",
        "receiver[0].secret: whsec_ is followed by text that is not base64",
        "receiver[1].secret: a signing key needs at least 16 bytes, got 7",
        "receiver[1].timeout: must be greater than zero",
        "receiver[2].name: duplicate receiver name \"ok\"",
        "receiver[2].url: missing",
        "receiver[2].secret: environment variable MISSING is not set",
    ];
    for w in want {
        assert!(p.iter().any(|m| m.starts_with(w)), "{w:?} not in {p:#?}");
    }
    // The rule's receiver has problems of its own: not reported again as unknown.
    assert_eq!(p.len(), want.len(), "{p:#?}");
    assert!(!p.iter().any(|m| m.contains("hunter2")), "{p:#?}");
}

#[test]
fn a_receiver_s_debug_text_shows_neither_url_nor_secret() {
    let cfg = parse(RECEIVER).unwrap();
    let text = format!("{:?}", cfg.receivers);
    assert!(
        !text.contains("127.0.0.1") && !text.contains("whsec"),
        "{text}"
    );
}

#[test]
fn the_signing_key_of_whsec_is_its_base64_decoded() {
    assert_eq!(
        signing_key("whsec_MDEyMzQ1Njc4OWFiY2RlZg==").unwrap(),
        b"0123456789abcdef"
    );
    assert_eq!(
        signing_key("a-plain-secret-text").unwrap(),
        b"a-plain-secret-text"
    );
}

#[test]
fn globs_are_whole_name_matches_with_classes() {
    let g = |t: &str| Pattern::glob(t).unwrap();
    assert!(g("dev*").matches("dev0001") && !g("dev*").matches("xdev"));
    assert!(g("a?c").matches("abc") && !g("a?c").matches("abbc"));
    assert!(g("[!x]e-*").matches("ge-0/0/0") && !g("[!x]e-*").matches("xe-0/0/0"));
    assert!(
        g("e.1").matches("e.1") && !g("e.1").matches("ex1"),
        "dots are literal"
    );
    assert!(g("[]]x").matches("]x"));
    assert!(g("port(1)+").matches("port(1)+"));
}
