//! `irisops bench wifi-plan`: the wifi relocation plan's exact solve on synthetic Brussels
//! instances (seeded): 220 hotspots of which 60 underused, 5,000 candidate places over
//! 15 km × 12 km, once spread evenly and once clustered (70% of the places in five dense
//! districts); the exact plan against the greedy one (weight, time), and on a small instance
//! (25 candidates, K 5) against the brute force.
//!
//! The fibre is a jittered 700 m grid of sites with a route to each east and north
//! neighbour, one cable of 0-24 strands each (so some routes have no dark pair); places are
//! drawn outside every staying hotspot's radius, so each is a candidate.

use std::process::ExitCode;
use std::time::Duration;

use geo::{LineString, MultiLineString, Point};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use cadastre::model::{Cable, Cadastre, Hotspot, Route, Site, TargetPlace};
use cadastre::wifi::plan::{brute_force, greedy, plan, PlanParams};
use cadastre::wifi::{Criteria, HotspotVerdict, Verdict};

use super::{json_line, round, thread_cpu_ns};

/// Arguments of `irisops bench wifi-plan`.
#[derive(clap::Args)]
pub struct WifiPlanArgs {
    /// Candidate places of the large instances.
    #[arg(long, default_value_t = 5000)]
    candidates: usize,
    /// Hotspots, and how many of them are underused.
    #[arg(long, default_value_t = 220)]
    hotspots: usize,
    #[arg(long, default_value_t = 60)]
    underused: usize,
    /// A hotspot's radius, metres.
    #[arg(long, default_value_t = 150.0)]
    radius_m: f64,
    /// The exact solve's time limit, seconds.
    #[arg(long, default_value_t = 10.0)]
    time_limit_s: f64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// One large instance's figures.
#[derive(Serialize)]
struct Figures {
    candidates: usize,
    movable: usize,
    k: usize,
    optimal: bool,
    covered_weight: f64,
    bound: f64,
    /// (bound − covered) / bound, percent.
    gap_pct: f64,
    fibre_m_total: f64,
    solve_ms: f64,
    solve_cpu_ms: f64,
    greedy_weight: f64,
    greedy_cpu_ms: f64,
}

/// The small instance against the brute force.
#[derive(Serialize)]
struct Small {
    candidates: usize,
    k: usize,
    plan_weight: f64,
    plan_fibre_m: f64,
    plan_cpu_ms: f64,
    brute_weight: f64,
    brute_fibre_m: f64,
    brute_cpu_ms: f64,
    /// The greedy plan's weight: what the exact plan gains over it.
    greedy_weight: f64,
    same: bool,
}

#[derive(Serialize)]
struct Report {
    spread: Figures,
    clustered: Figures,
    small: Small,
}

/// Runs the benchmark and prints one JSON line; exit code 1 when the plan differs from the
/// brute force on the small instance or a bound is below its plan.
pub fn run(args: WifiPlanArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.underused <= args.hotspots && args.radius_m > 0.0,
        "--underused must not exceed --hotspots, and --radius-m must be positive"
    );
    let p = PlanParams {
        time_limit: Duration::from_secs_f64(args.time_limit_s),
        ..PlanParams::new(args.radius_m, 1000.0)
    };
    let shape = |clustered, seed| Shape {
        width_m: 15_000.0,
        height_m: 12_000.0,
        hotspots: args.hotspots,
        underused: args.underused,
        places: args.candidates,
        clustered,
        radius_m: args.radius_m,
        seed,
    };
    let spread = figures(&shape(false, args.seed), &p)?;
    let clustered = figures(&shape(true, args.seed), &p)?;
    let small_shape = Shape {
        width_m: 2_500.0,
        height_m: 2_000.0,
        hotspots: 12,
        underused: 5,
        places: 25,
        clustered: false,
        radius_m: args.radius_m,
        seed: args.seed,
    };
    let small = small(&small_shape, &p)?;
    let ok = small.same
        && spread.bound >= spread.covered_weight
        && clustered.bound >= clustered.covered_weight;
    println!(
        "{}",
        json_line(&Report {
            spread,
            clustered,
            small
        })?
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The exact and the greedy plan of one instance.
fn figures(shape: &Shape, p: &PlanParams) -> anyhow::Result<Figures> {
    let (cad, verdicts) = instance(shape);
    let t0 = thread_cpu_ns()?;
    let g = greedy(&cad, &verdicts, p);
    let t1 = thread_cpu_ns()?;
    let plan = plan(&cad, &verdicts, &Criteria::default(), p);
    let t2 = thread_cpu_ns()?;
    let gap = if plan.bound > 0.0 {
        (plan.bound - plan.covered_weight) / plan.bound * 100.0
    } else {
        0.0
    };
    Ok(Figures {
        candidates: plan.candidates,
        movable: plan.movable,
        k: plan.criteria.max_moves,
        optimal: plan.optimal,
        covered_weight: plan.covered_weight,
        bound: plan.bound,
        gap_pct: round(gap, 3),
        fibre_m_total: plan.fibre_m_total,
        solve_ms: plan.solve_ms,
        solve_cpu_ms: round((t2 - t1) as f64 / 1e6, 1),
        greedy_weight: round(g.covered_weight, 6),
        greedy_cpu_ms: round((t1 - t0) as f64 / 1e6, 1),
    })
}

/// The plan against the brute force on a small instance, K 5.
fn small(shape: &Shape, p: &PlanParams) -> anyhow::Result<Small> {
    let (cad, verdicts) = instance(shape);
    let p = PlanParams {
        max_moves: Some(5),
        ..p.clone()
    };
    let t0 = thread_cpu_ns()?;
    let plan = plan(&cad, &verdicts, &Criteria::default(), &p);
    let t1 = thread_cpu_ns()?;
    let brute = brute_force(&cad, &verdicts, &p);
    let t2 = thread_cpu_ns()?;
    let g = greedy(&cad, &verdicts, &p);
    Ok(Small {
        candidates: plan.candidates,
        k: plan.criteria.max_moves,
        plan_weight: plan.covered_weight,
        plan_fibre_m: plan.fibre_m_total,
        plan_cpu_ms: round((t1 - t0) as f64 / 1e6, 2),
        brute_weight: round(brute.covered_weight, 6),
        brute_fibre_m: round(brute.fibre_m_total, 1),
        brute_cpu_ms: round((t2 - t1) as f64 / 1e6, 1),
        greedy_weight: round(g.covered_weight, 6),
        same: (plan.covered_weight - brute.covered_weight).abs() < 1e-5
            && (plan.fibre_m_total - brute.fibre_m_total).abs()
                < 0.1 * p.max_moves.unwrap_or(5) as f64,
    })
}

/// What to generate.
struct Shape {
    width_m: f64,
    height_m: f64,
    hotspots: usize,
    underused: usize,
    places: usize,
    clustered: bool,
    radius_m: f64,
    seed: u64,
}

/// lon/lat of a point `x` m east and `y` m north of the region's south-west corner.
fn lonlat(x: f64, y: f64) -> Point<f64> {
    let (lon0, lat0) = (4.25f64, 50.79f64);
    let ky = 111_200.0;
    let kx = ky * lat0.to_radians().cos();
    Point::new(lon0 + x / kx, lat0 + y / ky)
}

/// A synthetic cadastre and the hotspots' verdicts (see the module doc).
fn instance(s: &Shape) -> (Cadastre, Vec<HotspotVerdict>) {
    let mut rng = StdRng::seed_from_u64(s.seed);
    let mut cad = Cadastre::default();
    grid(s, &mut rng, &mut cad);
    let (verdicts, staying) = hotspots(s, &mut rng, &mut cad);
    places(s, &mut rng, &mut cad, &staying);
    (cad, verdicts)
}

/// Sites on a 700 m grid (jittered), linked to their east and north neighbours by routes with
/// 0-24 spare strands.
fn grid(s: &Shape, rng: &mut StdRng, cad: &mut Cadastre) {
    let step = 700.0;
    let (nx, ny) = (
        (s.width_m / step) as usize + 1,
        (s.height_m / step) as usize + 1,
    );
    for j in 0..ny {
        for i in 0..nx {
            let x = i as f64 * step + rng.gen_range(-150.0..150.0);
            let y = j as f64 * step + rng.gen_range(-150.0..150.0);
            cad.sites
                .push(site(&format!("s-{i:02}-{j:02}"), lonlat(x, y)));
        }
    }
    for j in 0..ny {
        for i in 0..nx {
            let here = j * nx + i;
            if i + 1 < nx {
                link(cad, here, here + 1, rng.gen_range(0..=24));
            }
            if j + 1 < ny {
                link(cad, here, here + nx, rng.gen_range(0..=24));
            }
        }
    }
}

/// The hotspots at random (the first `underused` of them underused), each at its own site: their
/// verdicts, and where the staying ones are (metres).
fn hotspots(
    s: &Shape,
    rng: &mut StdRng,
    cad: &mut Cadastre,
) -> (Vec<HotspotVerdict>, Vec<(f64, f64)>) {
    let mut verdicts = Vec::new();
    let mut staying = Vec::new();
    for h in 0..s.hotspots {
        let (x, y) = (
            rng.gen_range(0.0..s.width_m),
            rng.gen_range(0.0..s.height_m),
        );
        let underused = h < s.underused;
        if !underused {
            staying.push((x, y));
        }
        let id = format!("h-{h:03}");
        cad.sites.push(site(&format!("s-{id}"), lonlat(x, y)));
        cad.hotspots.push(Hotspot {
            id: id.clone(),
            name: id.clone(),
            site: format!("s-{id}"),
            access_points: vec![format!("ap-{h:03}")],
            owner: None,
        });
        verdicts.push(verdict(&id, underused));
    }
    (verdicts, staying)
}

/// The target places, none near a staying hotspot: spread, or 70% in five districts of 600 m.
fn places(s: &Shape, rng: &mut StdRng, cad: &mut Cadastre, staying: &[(f64, f64)]) {
    let districts: Vec<(f64, f64)> = (0..5)
        .map(|_| {
            (
                rng.gen_range(0.2 * s.width_m..0.8 * s.width_m),
                rng.gen_range(0.2 * s.height_m..0.8 * s.height_m),
            )
        })
        .collect();
    let free = |x: f64, y: f64| {
        staying
            .iter()
            .all(|&(a, b)| (x - a).hypot(y - b) > s.radius_m * 1.05)
    };
    while cad.targets.len() < s.places {
        let (x, y) = if s.clustered && rng.gen_bool(0.7) {
            let (cx, cy) = districts[rng.gen_range(0..districts.len())];
            let (r, a) = (
                600.0 * rng.gen::<f64>().sqrt(),
                rng.gen_range(0.0..std::f64::consts::TAU),
            );
            (cx + r * a.cos(), cy + r * a.sin())
        } else {
            (
                rng.gen_range(0.0..s.width_m),
                rng.gen_range(0.0..s.height_m),
            )
        };
        if !free(x, y) {
            continue;
        }
        let n = cad.targets.len();
        cad.targets.push(TargetPlace {
            id: format!("t-{n:05}"),
            name: format!("place {n}"),
            kind: "community_centre".to_string(),
            weight: f64::from(rng.gen_range(1u8..=5)),
            location: lonlat(x, y),
        });
    }
}

fn site(id: &str, at: Point<f64>) -> Site {
    Site {
        id: id.to_string(),
        name: id.to_string(),
        kind: "pop".to_string(),
        owner: None,
        address: None,
        commune: None,
        status: "in_service".to_string(),
        location: at,
    }
}

/// A straight route between sites `a` and `b` with one cable of `strands` strands.
fn link(cad: &mut Cadastre, a: usize, b: usize, strands: u32) {
    let (sa, sb) = (&cad.sites[a], &cad.sites[b]);
    let id = format!("r-{}-{}", sa.id, sb.id);
    let route = Route {
        id: id.clone(),
        name: None,
        from_site: sa.id.clone(),
        to_site: sb.id.clone(),
        owner: "o".to_string(),
        deployment: "underground".to_string(),
        ducts_total: 0,
        ducts_free: 0,
        status: "in_service".to_string(),
        declared_length_m: None,
        srlgs: Vec::new(),
        geometry: MultiLineString::new(vec![LineString::new(vec![sa.location.0, sb.location.0])]),
    };
    cad.cables.push(Cable {
        id: format!("c-{id}"),
        name: None,
        routes: vec![id],
        fibre_count: strands,
        fibre_type: None,
        owner: "o".to_string(),
        status: "in_service".to_string(),
    });
    cad.routes.push(route);
}

fn verdict(id: &str, underused: bool) -> HotspotVerdict {
    HotspotVerdict {
        id: id.to_string(),
        verdict: if underused {
            Verdict::Underused
        } else {
            Verdict::Ok
        },
        reason: String::new(),
        n_aps: 1,
        days_with_data: 28,
        data_coverage: 1.0,
        p90_peak_per_ap: None,
        median_client_hours_per_ap: None,
        median_availability: None,
    }
}
