//! Draws the demo network as SVG for a person to look at: routes coloured by owner (thick
//! where three ducts or more), sites by kind, target places as squares.
//!
//! `cargo run -p cadastre --example demo_svg -- out.svg [SEED]` (seed 1 by default).

use cadastre::demo::{generate, EXTENT};
use geo::Coord;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: demo_svg OUT.svg [SEED]");
        std::process::exit(2);
    };
    let seed = args
        .next()
        .map_or(1, |s| s.parse().expect("SEED is a number"));
    let cad = generate(seed);
    let (w, h) = (1600.0, 1600.0 * 0.16 / 0.24 / 0.63);
    let xy = |c: Coord| ((c.x - EXTENT[0]) / 0.24 * w, (EXTENT[3] - c.y) / 0.16 * h);
    let colour = |o: &str| match o {
        "cirb" => "#1f77b4",
        "sibelga" => "#ff7f0e",
        "bruxelles-mobilite" => "#2ca02c",
        "vivaqua" => "#17becf",
        "stib" => "#d62728",
        _ => "#9467bd",
    };
    let mut s = format!("<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h:.0}'><rect width='100%' height='100%' fill='white'/>");
    for r in &cad.routes {
        let pts: Vec<String> = r.geometry.0[0]
            .0
            .iter()
            .map(|&c| {
                let (x, y) = xy(c);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let width = if r.ducts_total >= 3 { 2.5 } else { 1.0 };
        s += &format!(
            "<polyline fill='none' stroke='{}' stroke-width='{width}' points='{}'/>",
            colour(&r.owner),
            pts.join(" ")
        );
    }
    for site in &cad.sites {
        let (x, y) = xy(site.location.0);
        let (r, fill) = match site.kind.as_str() {
            "pop" => (7.0, "black"),
            "cabinet" => (3.5, "#555"),
            "hotspot" => (1.5, "#e377c2"),
            "manhole" => (1.2, "#999"),
            _ => (2.5, "#333"),
        };
        s += &format!("<circle cx='{x:.1}' cy='{y:.1}' r='{r}' fill='{fill}'/>");
    }
    for t in &cad.targets {
        let (x, y) = xy(t.location.0);
        s += &format!(
            "<rect x='{:.1}' y='{:.1}' width='6' height='6' fill='#bcbd22'/>",
            x - 3.0,
            y - 3.0
        );
    }
    s += "</svg>";
    std::fs::write(&path, s).unwrap_or_else(|e| panic!("write {path}: {e}"));
}
