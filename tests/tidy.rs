//! Tidy checks: every Rust file opens with a `//!` overview, every dashboards JSON parses, the
//! example configuration validates through the binary; the dependency rules of the workspace
//! (`deps`) and the api's size and `anyhow` rules (`source`). Each check names what fails and
//! which rule it breaks; each rule has a test that it catches a made-up offender.

mod deps;
mod source;

use std::path::Path;
use std::process::Command;

use crate::util::*;

fn walk(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            if !["target", "fuzz", "node_modules"].contains(&name.as_str())
                && !name.starts_with('.')
            {
                walk(&p, ext, out);
            }
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    for d in ["api", "collector", "topology", "cadastre", "tests"] {
        walk(&root().join(d), "rs", &mut files);
    }
    assert!(files.len() > 20);
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! overview: {missing:?}"
    );
}

#[test]
fn dashboards_json_parses() {
    let mut files = Vec::new();
    walk(&root().join("dashboards"), "json", &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn check_config_accepts_the_example_and_names_every_bad_key() {
    let ok = Command::new(irisops())
        .arg("check-config")
        .arg(root().join("irisops.example.toml"))
        .env("IRISOPS_V3_AUTH", "example-auth-secret")
        .env("IRISOPS_V3_PRIV", "example-priv-secret")
        .env("IRISOPS_WEBHOOK_SECRET", "example-webhook-signing-secret")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[auth.a]\nversion = \"3\"\nuser = \"u\"\nauth_password = \"short\"\npriv_password = \"alsoshort\"\n\
         [[device]]\nname = \"d\"\naddress = \"127.0.0.1:161\"\nauth = \"a\"\nschedule = \"every minute\"\n\
         [[device]]\nname = \"e\"\naddress = \"nowhere\"\nauth = \"missing\"\n",
    )
    .unwrap();
    let out = Command::new(irisops())
        .arg("check-config")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    for key in [
        "auth.a.auth_password:",
        "device[0].schedule:",
        "device[1].address:",
        "device[1].auth:",
    ] {
        assert!(text.contains(key), "{key} not named in:\n{text}");
    }
    assert!(!text.contains("short"), "a password leaked:\n{text}");
}
