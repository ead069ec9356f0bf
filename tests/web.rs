//! The web app in a real headless Chromium (Debian's `chromium`), driven by playwright-core
//! (`tests/web/`, pinned by its `package-lock.json`; `tests/run` runs `npm ci` there): one
//! `irisops demo` for every scenario of `tests/web/*.test.mjs` (node's test runner, one browser
//! per file), each asserting on figures it reads from the API itself. Screenshots of each view go
//! to `target/web-screenshots/` (and, with `IRISOPS_WEB_SCREENSHOTS=dashboards/screenshots`,
//! into the repository for the README). Also: the lint and format check of the app's JS.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::*;

/// The DOM of `url` after its scripts ran (5 s of virtual time) in headless Chromium.
pub(crate) fn dump_dom(dir: &Path, url: &str) -> String {
    let chromium = require(
        "chromium",
        "the Debian package chromium (tests/run installs it)",
    );
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("chromium").display()
        ))
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The directory of the browser tests and their pinned npm packages.
fn web_tests_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// `node` and the installed packages of `tests/web` (`npm ci`, which `tests/run` does); a
/// missing one fails with what to run.
fn node_ready() -> std::path::PathBuf {
    let node = require("node", "Node.js (the Debian package nodejs)");
    let modules = web_tests_dir().join("node_modules/playwright-core");
    assert!(
        modules.exists(),
        "tests/web/node_modules is missing: run `npm ci` in tests/web (tests/run does)"
    );
    node
}

#[test]
fn the_web_app_in_chromium() {
    let node = node_ready();
    require(
        "chromium",
        "the Debian package chromium (tests/run installs it)",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_demo, http, _tokens) = start_demo(dir.path(), 20, 24);
    let shots = std::env::var("IRISOPS_WEB_SCREENSHOTS").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/web-screenshots")
            .display()
            .to_string()
    });
    std::fs::create_dir_all(&shots).unwrap();
    let files: Vec<String> = std::fs::read_dir(web_tests_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".test.mjs"))
        .collect();
    assert!(!files.is_empty(), "no tests/web/*.test.mjs");
    let out = Command::new(node)
        .current_dir(web_tests_dir())
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .env("IRISOPS_WEB_URL", format!("http://127.0.0.1:{http}"))
        .env("IRISOPS_WEB_TOKENS", dir.path().join("demo/tokens"))
        .env("IRISOPS_WEB_SHOTS", &shots)
        .output()
        .expect("run node --test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "browser tests failed:\n{text}");
    // The runner's own count: every file ran at least one test, none was skipped.
    let count = |what: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("ℹ {what} ")))
            .and_then(|n| n.trim().parse::<u32>().ok())
            .unwrap_or(0)
    };
    assert!(count("pass") >= files.len() as u32, "{text}");
    assert_eq!(count("skipped"), 0, "{text}");
}

#[test]
fn the_web_app_passes_its_lint_and_format_check() {
    let _ = node_ready();
    let npm = require("npm", "npm (the Debian package npm)");
    let out = Command::new(npm)
        .current_dir(web_tests_dir())
        .args(["run", "--silent", "lint"])
        .output()
        .expect("npm run lint");
    assert!(
        out.status.success(),
        "eslint/prettier:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
