//! `irisops topology ...` over a cadastre data directory. The contract's names:
//! `paths --data DIR --from SITE --to SITE [--k 2] [--pairs N] [--json]` →
//! `{"paths": [{"routes", "sites", "length_km", "owners", "spare_strands", "loss_db"}],
//! "fully_diverse", "shared_risks"}`; `spof --data DIR [--json]` → `{"bridges",
//! "articulation_points"}`.

use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use serde_json::{json, Value};

use cadastre::store::Store;
use topology::{Constraints, Network, Path};

/// The `topology` subcommands.
#[derive(Subcommand)]
pub enum TopologyCommand {
    /// Shortest (`--k 1`) or k diverse fibre paths between two sites: routes, km per owner,
    /// spare strands and optical loss.
    Paths {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Site id where the paths start.
        #[arg(long)]
        from: String,
        /// Site id where the paths end.
        #[arg(long)]
        to: String,
        /// How many diverse paths (1: the shortest path).
        #[arg(long, default_value_t = 2)]
        k: usize,
        /// Strand pairs wanted: every route used must have at least 2 × N spare strands.
        #[arg(long, default_value_t = 0)]
        pairs: u32,
        /// Only routes of these owners (repeatable; default: any owner).
        #[arg(long = "owner")]
        owners: Vec<String>,
        /// Longest acceptable path, km.
        #[arg(long)]
        max_km: Option<f64>,
        /// Paths that share no intermediate site either.
        #[arg(long)]
        node_disjoint: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Single points of failure: bridges (routes) and articulation points (sites).
    Spof {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one `topology` subcommand.
pub fn run(cmd: TopologyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TopologyCommand::Paths {
            data,
            from,
            to,
            k,
            pairs,
            owners,
            max_km,
            node_disjoint,
            json,
        } => {
            anyhow::ensure!(k >= 1, "--k must be at least 1");
            let net = load(&data)?;
            let constraints = Constraints {
                min_spare_strands: pairs.saturating_mul(2),
                allowed_owners: (!owners.is_empty()).then(|| owners.into_iter().collect()),
                max_length_m: max_km.map(|km| km * 1000.0),
                node_disjoint,
            };
            let (paths, fully_diverse, shared) = if k == 1 {
                let p = net.shortest_path(&from, &to, &constraints)?;
                let found = p.is_some();
                (p.into_iter().collect::<Vec<_>>(), found, Vec::new())
            } else {
                let d = net.diverse_paths(&from, &to, k, &constraints)?;
                let shared: Vec<Value> = d
                    .shared_risks
                    .iter()
                    .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
                    .collect();
                let full = d.fully_diverse && d.paths.len() >= k;
                (d.paths, full, shared)
            };
            let out = json!({
                "from": from,
                "to": to,
                "k": k,
                "paths": paths.iter().map(path_json).collect::<Vec<_>>(),
                "fully_diverse": fully_diverse,
                "shared_risks": shared,
            });
            if json {
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                emit(&paths_text(&from, &to, &paths, fully_diverse, &shared))?;
            }
            Ok(if paths.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        TopologyCommand::Spof { data, json } => {
            let net = load(&data)?;
            let spof = net.spof();
            if json {
                let out = json!({
                    "bridges": spof.bridges,
                    "articulation_points": spof.articulation_points,
                    "n_sites": net.n_sites(),
                    "n_routes": net.n_links(),
                });
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                let mut text = format!(
                    "{} sites, {} routes: {} bridges, {} articulation points\n",
                    net.n_sites(),
                    net.n_links(),
                    spof.bridges.len(),
                    spof.articulation_points.len()
                );
                for b in &spof.bridges {
                    text.push_str(&format!("bridge route {b}\n"));
                }
                for a in &spof.articulation_points {
                    text.push_str(&format!("articulation site {a}\n"));
                }
                emit(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load(data: &FsPath) -> anyhow::Result<Network> {
    let store = Store::open(data)
        .with_context(|| format!("cannot open the cadastre in {}", data.display()))?;
    let (cad, _version) = store
        .load()
        .with_context(|| format!("cannot read the cadastre in {}", data.display()))?;
    let (net, warnings) = cadastre::network::build(&cad);
    for w in &warnings {
        tracing::info!(warning = %w, "topology");
    }
    Ok(net)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A path as the contract's JSON: `loss_db` at 1310 nm (the larger of the two with the default
/// model), both wavelengths under `loss_db_by_wavelength`.
fn path_json(p: &Path) -> Value {
    let owners: BTreeMap<&str, f64> = p
        .owners
        .iter()
        .map(|(o, km)| (o.as_str(), round3(*km)))
        .collect();
    json!({
        "routes": p.routes,
        "sites": p.sites,
        "length_km": round3(p.length_km()),
        "owners": owners,
        "spare_strands": p.spare_strands,
        "loss_db": round3(p.loss_db_1310),
        "loss_db_by_wavelength": {"1310": round3(p.loss_db_1310), "1550": round3(p.loss_db_1550)},
    })
}

/// Writes `text` (and a final newline) to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let r = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn paths_text(
    from: &str,
    to: &str,
    paths: &[Path],
    fully_diverse: bool,
    shared: &[Value],
) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if paths.is_empty() {
        let _ = writeln!(s, "no path from {from} to {to} within the constraints");
        return s;
    }
    for (i, p) in paths.iter().enumerate() {
        let owners: Vec<String> = p
            .owners
            .iter()
            .map(|(o, km)| format!("{o} {km:.2} km"))
            .collect();
        let _ = writeln!(
            s,
            "path {}: {:.3} km, {} routes, spare strands {}, loss {:.2} dB @1310 / {:.2} dB @1550; {}",
            i + 1,
            p.length_km(),
            p.routes.len(),
            p.spare_strands,
            p.loss_db_1310,
            p.loss_db_1550,
            owners.join(", ")
        );
        let _ = writeln!(s, "  sites: {}", p.sites.join(" → "));
    }
    if paths.len() > 1 {
        let _ = writeln!(
            s,
            "fully diverse: {}",
            if fully_diverse { "yes" } else { "no" }
        );
        for r in shared {
            let _ = writeln!(s, "  shared: {r}");
        }
    }
    s
}
