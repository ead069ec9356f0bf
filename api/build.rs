//! Embeds the web app: every file under `dashboards/web/` (the page, its modules and the
//! vendored libraries) becomes an entry of `WEB_ASSETS` in `$OUT_DIR/web_assets.rs`, served by
//! `http::web` at `/web/<path>` (`index.html` also at `/`). Nothing is fetched at build time:
//! the vendored files are checked in (`dashboards/web/vendor/VERSIONS.md`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dashboards/web");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut out = String::from("/// `(path under dashboards/web, bytes)`, sorted by path.\n");
    out.push_str("pub static WEB_ASSETS: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().expect("a file that exists");
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("web_assets.rs");
    std::fs::write(dest, out).expect("cannot write web_assets.rs");
}

/// Every file under `dir`, its directories walked too (a directory's mtime changes when a file
/// is added, which `rerun-if-changed` sees).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
