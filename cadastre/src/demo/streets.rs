//! Street-like polylines in a local metric frame (metres east/north of the Grand-Place):
//! Manhattan staircases along a district's street-grid orientation, and gently wobbling
//! corridors (canal banks, tram avenues). Every polyline is strictly monotone along one axis
//! of its frame, so it never crosses itself, and it starts and ends exactly at its two sites.

use geo::Coord;
use rand::rngs::StdRng;
use rand::Rng;

/// The local frame's origin (Grand-Place) and metres per degree there.
const LON0: f64 = 4.3525;
const LAT0: f64 = 50.8467;
const M_PER_DEG_LON: f64 = 70_300.0;
const M_PER_DEG_LAT: f64 = 111_230.0;

/// The region's extent (WGS84): min lon, min lat, max lon, max lat.
pub const EXTENT: [f64; 4] = [4.24, 50.76, 4.48, 50.92];

/// Metres kept clear of the extent's edges.
const MARGIN_M: f64 = 150.0;

/// WGS84 lon/lat of a local point.
pub(super) fn to_lonlat(p: Coord) -> Coord {
    Coord {
        x: LON0 + p.x / M_PER_DEG_LON,
        y: LAT0 + p.y / M_PER_DEG_LAT,
    }
}

/// The local point of WGS84 `lon`, `lat`.
pub(super) fn from_lonlat(lon: f64, lat: f64) -> Coord {
    Coord {
        x: (lon - LON0) * M_PER_DEG_LON,
        y: (lat - LAT0) * M_PER_DEG_LAT,
    }
}

/// True when the local point `p` is inside the extent, `margin` metres from its edges.
pub(super) fn inside(p: Coord, margin: f64) -> bool {
    let lo = from_lonlat(EXTENT[0], EXTENT[1]);
    let hi = from_lonlat(EXTENT[2], EXTENT[3]);
    p.x > lo.x + margin && p.x < hi.x - margin && p.y > lo.y + margin && p.y < hi.y - margin
}

/// The street grid's orientation around `p` (radians): a smooth field, so neighbouring
/// routes share their district's grid.
fn grid_angle(p: Coord) -> f64 {
    0.45 * (p.x / 2300.0 + 0.7).sin() * (p.y / 3100.0).cos() + 0.25 * ((p.x + p.y) / 5200.0).sin()
}

/// A Manhattan-like path from `a` to `b` with blocks of `block.0..block.1` metres.
pub(super) fn street(rng: &mut StdRng, a: Coord, b: Coord, block: (f64, f64)) -> Vec<Coord> {
    let mid = (a + b) / 2.0;
    let path = staircase(rng, a, b, grid_angle(mid), block);
    if path.iter().all(|&p| inside(p, MARGIN_M / 2.0)) {
        return path;
    }
    // An axis-aligned staircase stays within the bounding box of its two (inside) ends.
    staircase(rng, a, b, 0.0, block)
}

/// A staircase in the frame rotated by `theta`: every segment advances along the main axis
/// (the one with the larger displacement), so the path is monotone and simple.
fn staircase(rng: &mut StdRng, a: Coord, b: Coord, theta: f64, block: (f64, f64)) -> Vec<Coord> {
    let d = rotate(b - a, -theta);
    let swap = d.y.abs() > d.x.abs();
    let (main, minor) = if swap { (d.y, d.x) } else { (d.x, d.y) };
    let mean_block = (block.0 + block.1) / 2.0;
    let n = (main.abs() / mean_block)
        .round()
        .max((main.abs() / block.1).ceil());
    let n = (n as usize).clamp(1, 80);
    let main_parts = split(rng, main, n, 0.6);
    let minor_parts = split(rng, minor, n, 0.0);
    let mut cur = Coord { x: 0.0, y: 0.0 };
    let mut frame = Vec::with_capacity(2 * n + 1);
    frame.push(cur);
    for (i, (m, k)) in main_parts.into_iter().zip(minor_parts).enumerate() {
        // A diagonal avenue now and then, never first: every path turns at least once.
        if i > 0 && rng.gen_bool(0.2) {
            cur = cur + Coord { x: m, y: k };
            frame.push(cur);
            continue;
        }
        let f = rng.gen_range(0.90..0.97);
        let g = rng.gen_range(0.0..0.08);
        cur = cur + Coord { x: m * f, y: k * g };
        frame.push(cur);
        cur = cur
            + Coord {
                x: m * (1.0 - f),
                y: k * (1.0 - g),
            };
        frame.push(cur);
    }
    let mut path: Vec<Coord> = frame
        .into_iter()
        .map(|c| if swap { Coord { x: c.y, y: c.x } } else { c })
        .map(|c| a + rotate(c, theta))
        .collect();
    finish(&mut path, a, b);
    path
}

/// A corridor from `a` to `b`: vertices every ~`step` metres, wobbling up to `wobble` metres
/// across the axis.
pub(super) fn corridor(rng: &mut StdRng, a: Coord, b: Coord, step: f64, wobble: f64) -> Vec<Coord> {
    let d = b - a;
    let len = d.x.hypot(d.y).max(1.0);
    let across = Coord {
        x: -d.y / len,
        y: d.x / len,
    };
    let n = ((len / step).round() as usize).clamp(1, 200);
    // A gentle bow (an avenue's or a quay's curve) plus a small wobble.
    let bow = len * rng.gen_range(-0.08..0.08);
    let mut path = vec![a];
    let mut offset: f64 = 0.0;
    for i in 1..n {
        let t = (i as f64 + rng.gen_range(-0.3..0.3)) / n as f64;
        offset = (offset + rng.gen_range(-wobble..wobble) / 2.0).clamp(-wobble, wobble);
        let curve = bow * (std::f64::consts::PI * t).sin();
        path.push(a + d * t + across * (offset + curve));
    }
    path.push(b);
    finish(&mut path, a, b);
    path
}

/// Sets the ends exactly to `a` and `b` (rotation round-off) and drops sub-metre segments.
fn finish(path: &mut Vec<Coord>, a: Coord, b: Coord) {
    if let Some(first) = path.first_mut() {
        *first = a;
    }
    if let Some(last) = path.last_mut() {
        *last = b;
    }
    let mut out: Vec<Coord> = Vec::with_capacity(path.len());
    for &p in path.iter() {
        match out.last() {
            Some(&q) if (p - q).x.hypot((p - q).y) < 1.0 => {}
            _ => out.push(p),
        }
    }
    if out.len() > 1 && out.last() != Some(&b) {
        out.pop();
        out.push(b);
    }
    if out.len() < 2 {
        out = vec![a, b];
    }
    *path = out;
}

/// `total` split into `n` parts of the same sign, each at least `floor` of the mean weight.
fn split(rng: &mut StdRng, total: f64, n: usize, floor: f64) -> Vec<f64> {
    let weights: Vec<f64> = (0..n).map(|_| rng.gen_range(floor..1.4)).collect();
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![total / n as f64; n];
    }
    weights.into_iter().map(|w| total * w / sum).collect()
}

fn rotate(c: Coord, theta: f64) -> Coord {
    let (s, k) = theta.sin_cos();
    Coord {
        x: c.x * k - c.y * s,
        y: c.x * s + c.y * k,
    }
}
