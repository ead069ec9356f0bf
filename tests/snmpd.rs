//! Against net-snmp's `snmpd`: v2c and v3 authPriv (SHA+AES, SHA-512+AES-256) give the same
//! ports as `snmpbulkwalk`; a wrong community is a timeout, a wrong v3 password an auth_error.

use crate::util::*;

#[test]
fn v2c_and_v3_polls_match_snmpbulkwalk_and_failures_are_distinct() {
    let dir = tempfile::tempdir().unwrap();
    let (_agent, port) = start_snmpd(dir.path());
    let cfg = config(
        &dir.path().join("store"),
        &[
            ("v2c", port, "version = \"2c\"\ncommunity = \"public\""),
            (
                "v3-sha-aes",
                port,
                "version = \"3\"\nuser = \"itsha\"\nlevel = \"authPriv\"\nauth_protocol = \"SHA\"\nauth_password = \"itauthpass\"\npriv_protocol = \"AES\"\npriv_password = \"itprivpass\"",
            ),
            (
                "v3-sha512-aes256",
                port,
                "version = \"3\"\nuser = \"it512\"\nlevel = \"authPriv\"\nauth_protocol = \"SHA-512\"\nauth_password = \"itauthpass512\"\npriv_protocol = \"AES-256\"\npriv_password = \"itprivpass256\"",
            ),
            ("wrong-community", port, "version = \"2c\"\ncommunity = \"nottheone\""),
            (
                "wrong-v3-password",
                port,
                "version = \"3\"\nuser = \"it512\"\nlevel = \"authPriv\"\nauth_protocol = \"SHA-512\"\nauth_password = \"notthepassword\"\npriv_protocol = \"AES-256\"\npriv_password = \"itprivpass256\"",
            ),
        ],
    );
    let path = dir.path().join("irisops.toml");
    std::fs::write(&path, cfg).unwrap();
    let v = poll_json(&path, "1");
    let devs = devices(&v);
    let want = walk_if_names(port);
    assert!(!want.is_empty(), "snmpd has interfaces");
    for name in ["v2c", "v3-sha-aes", "v3-sha512-aes256"] {
        let d = &devs[name];
        assert_eq!(d["status"], "ok", "{name}: {d}");
        let mut got: Vec<String> = d["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, want, "{name}");
        assert!(d["sys_uptime"].as_u64().unwrap() > 0);
        for p in d["ports"].as_array().unwrap() {
            assert_eq!(p["counter_bits"], 64, "{name}: {p}");
            assert!(p["in_bps"].is_number(), "{name}: a rate for {p}");
        }
    }
    assert_eq!(devs["wrong-community"]["status"], "timeout");
    assert_eq!(devs["wrong-v3-password"]["status"], "auth_error");
    let text = v.to_string();
    for secret in ["itauthpass", "itprivpass", "nottheone", "notthepassword"] {
        assert!(!text.contains(secret), "a secret leaked into the output");
    }
}
