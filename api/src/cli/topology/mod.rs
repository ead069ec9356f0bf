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

mod live;

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
        #[command(flatten)]
        budget: BudgetArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Spare capacity: dark strands, free ducts, per owner or per route.
    Spare {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Totals per owner, or one line per route.
        #[arg(long, value_enum, default_value_t = SpareBy::Owner)]
        by: SpareBy,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
        /// A collector config: adds the lit headroom of each route (port speed − 95th
        /// percentile of the circuits' end ports) from the store it names.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The p95 window, days.
        #[arg(long, default_value_t = 30)]
        window_days: u32,
    },
    /// Documented vs live: circuits with no LLDP neighbour, undocumented neighbours, ends on
    /// the wrong port, and optical loss above what the route explains.
    Drift {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// A collector config: LLDP tables and optical levels from the store it names.
        #[arg(long, required_unless_present = "observed")]
        config: Option<PathBuf>,
        /// Instead of the store: a JSON file shaped like `irisops poll --format json`
        /// (`{"devices": [{"name", "lldp": [...], "optics": [...]}]}`).
        #[arg(long, conflicts_with = "config")]
        observed: Option<PathBuf>,
        /// Excess loss tolerated over the route's expected loss, dB.
        #[arg(long, default_value_t = 3.0)]
        margin_db: f64,
        /// Wavelength of the expected loss: 1310 or 1550 nm.
        #[arg(long, default_value_t = 1310)]
        wavelength: u32,
        /// Optical levels older than this many hours are ignored.
        #[arg(long, default_value_t = 24)]
        fresh_hours: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What a cut takes down: isolated sites, broken allocations, which can be re-routed.
    Cut {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Routes cut (repeatable).
        #[arg(long = "route")]
        routes: Vec<String>,
        /// Shared-risk groups cut (repeatable).
        #[arg(long = "srlg")]
        srlgs: Vec<String>,
        /// A GeoJSON file of (Multi)Polygons: every route crossing or touching them is cut.
        #[arg(long)]
        area: Option<PathBuf>,
        /// A worksite of the cadastre: the routes its footprint touches are cut (a point or
        /// line worksite counts `--buffer-m` around it).
        #[arg(long)]
        worksite: Option<String>,
        /// Metres around a point or line worksite.
        #[arg(long, default_value_t = 25.0)]
        buffer_m: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A lease quote: the shortest path with the spare strands for N pairs, its monthly price
    /// and the revenue split between the owners it crosses.
    Quote {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Site id at one end.
        #[arg(long)]
        from: String,
        /// Site id at the other end.
        #[arg(long)]
        to: String,
        /// Strand pairs leased.
        #[arg(long)]
        pairs: u32,
        /// Quote k diverse paths (2: a protected lease).
        #[arg(long, default_value_t = 1)]
        k: usize,
        /// A TOML tariff (`per_pair_km_month`, `minimum_month`, `per_site_fee_month`,
        /// `operator_share`); defaults otherwise.
        #[arg(long)]
        tariff: Option<PathBuf>,
        #[command(flatten)]
        budget: BudgetArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dig-once: planned worksites along which a wanted new route (one protecting each
    /// single-homed site, or the wish list given) could be laid, with the metres of trench saved.
    DigOnce {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// A wanted new route `FROM:TO` (site ids; repeatable). With `--wish` or `--wish-file`
        /// only these are considered, without them the single-homed sites' protection routes.
        #[arg(long = "wish", value_name = "FROM:TO")]
        wishes: Vec<String>,
        /// A CSV file of wanted routes: one `from,to` pair of site ids per line (a header line
        /// `from,to` and `#` comments are skipped).
        #[arg(long)]
        wish_file: Option<PathBuf>,
        /// Also consider the single-homed sites' protection routes with a wish list.
        #[arg(long)]
        single_homed: bool,
        /// Metres around a point or line worksite.
        #[arg(long, default_value_t = 25.0)]
        buffer_m: f64,
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

/// The transceiver budget paths are judged against (`loss_verdict`).
#[derive(clap::Args, Clone, Copy)]
pub struct BudgetArgs {
    /// Optical budget of the transceivers, dB (launch power − receiver sensitivity; 11 dB is a
    /// 1000BASE-LX / 10 km-class optic).
    #[arg(long, default_value_t = 11.0)]
    budget_db: f64,
    /// Safety margin below the budget, dB: a loss within it is `warn`.
    #[arg(long = "budget-margin-db", default_value_t = 3.0)]
    budget_margin_db: f64,
}

impl BudgetArgs {
    fn budget(self) -> anyhow::Result<topology::TransceiverBudget> {
        anyhow::ensure!(
            self.budget_db.is_finite() && self.budget_db > 0.0,
            "--budget-db must be a number > 0, got {}",
            self.budget_db
        );
        anyhow::ensure!(
            self.budget_margin_db.is_finite() && self.budget_margin_db >= 0.0,
            "--budget-margin-db must be a number >= 0, got {}",
            self.budget_margin_db
        );
        Ok(topology::TransceiverBudget {
            budget_db: self.budget_db,
            margin_db: self.budget_margin_db,
        })
    }
}

/// How `spare` groups its lines.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SpareBy {
    Owner,
    Route,
}

/// Output formats of `spare`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Table,
    Json,
    Csv,
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
            budget,
            json,
        } => {
            anyhow::ensure!(k >= 1, "--k must be at least 1");
            let budget = budget.budget()?;
            let net = load(&data)?;
            let constraints = Constraints {
                min_spare_strands: pairs.saturating_mul(2),
                allowed_owners: (!owners.is_empty()).then(|| owners.into_iter().collect()),
                max_length_m: max_km.map(|km| km * 1000.0),
                node_disjoint,
            };
            let found = find_paths(&net, &from, &to, k, &constraints)?;
            let out = json!({
                "from": from,
                "to": to,
                "k": k,
                "paths": found.paths.iter().map(|p| path_json(p, &budget)).collect::<Vec<_>>(),
                "fully_diverse": found.fully_diverse,
                "shared_risks": found.shared_risks,
            });
            if json {
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                emit(&paths_text(&from, &to, &found, &budget))?;
            }
            Ok(if found.paths.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        TopologyCommand::Spare {
            data,
            by,
            format,
            config,
            window_days,
        } => {
            let (cad, net) = load_with_cadastre(&data)?;
            let report = match config {
                None => net.spare(),
                Some(config) => {
                    let mut store = live::open_store(&config)?;
                    let window = std::time::Duration::from_secs(u64::from(window_days) * 86_400);
                    let (lit, stats) = live::lit_ports(&mut store, &cad, window)?;
                    tracing::info!(
                        ends = stats.ends,
                        measured = stats.measured,
                        "lit headroom from the store"
                    );
                    if stats.measured == 0 {
                        eprintln!(
                            "irisops: none of the {} circuit ends of the cadastre has p95 samples in the store",
                            stats.ends
                        );
                    }
                    net.spare_with(&lit)
                }
            };
            emit(&spare_text(&report, by, format)?)?;
            Ok(ExitCode::SUCCESS)
        }
        TopologyCommand::Drift {
            data,
            config,
            observed,
            margin_db,
            wavelength,
            fresh_hours,
            json,
        } => {
            let wavelength = match wavelength {
                1310 => topology::Wavelength::Nm1310,
                1550 => topology::Wavelength::Nm1550,
                w => anyhow::bail!("--wavelength must be 1310 or 1550, got {w}"),
            };
            anyhow::ensure!(
                margin_db.is_finite() && margin_db >= 0.0,
                "--margin-db must be a number >= 0, got {margin_db}"
            );
            let (cad, net) = load_with_cadastre(&data)?;
            let obs = match (observed, config) {
                (Some(file), _) => live::observed_from_file(&file)?,
                (None, Some(config)) => {
                    let store = live::open_store(&config)?;
                    live::observed_from_store(
                        &store,
                        std::time::Duration::from_secs(u64::from(fresh_hours) * 3600),
                    )?
                }
                (None, None) => anyhow::bail!("give --config FILE or --observed FILE"),
            };
            let circuits = cadastre::network::circuits(&cad);
            let options = topology::DriftOptions {
                margin_db,
                wavelength,
            };
            let report = net.drift(&circuits, &obs, &options);
            if json {
                let mut v = serde_json::to_value(&report)?;
                v["n_circuits"] = json!(circuits.len());
                v["n_lldp_devices"] = json!(obs.lldp_devices.len());
                emit(&serde_json::to_string_pretty(&v)?)?;
            } else {
                emit(&drift_text(&report, circuits.len()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TopologyCommand::Cut {
            data,
            routes,
            srlgs,
            area,
            worksite,
            buffer_m,
            json,
        } => {
            let cad = load_cadastre(&data)?;
            let index = cadastre::geometry::SpatialIndex::build(&cad);
            let mut links = routes;
            if let Some(file) = &area {
                let areas = read_areas(file)?;
                links.extend(cadastre::network::routes_in(&index, &areas));
            }
            if let Some(id) = &worksite {
                let w = cad
                    .worksites
                    .iter()
                    .find(|w| &w.id == id)
                    .with_context(|| format!("no worksite {id:?} in the cadastre"))?;
                let areas = cadastre::network::worksite_area(&w.geometry, buffer_m);
                links.extend(cadastre::network::routes_in(&index, &areas));
            }
            anyhow::ensure!(
                !links.is_empty() || !srlgs.is_empty() || area.is_some() || worksite.is_some(),
                "say what is cut: --route, --srlg, --area or --worksite"
            );
            links.sort();
            links.dedup();
            let net = network_of(&cad, &index);
            let report = net.cut(&topology::CutSpec { links, srlgs })?;
            let reroutable: Vec<Value> = report
                .reroutable
                .iter()
                .map(|r| {
                    json!({"allocation": r.allocation, "path": path_json(&r.path, &default_budget())})
                })
                .collect();
            let out = json!({
                "removed_routes": report.removed_links,
                "isolated_sites": report.isolated_sites,
                "broken_allocations": report.broken_allocations,
                "reroutable": reroutable,
                "not_reroutable": report.not_reroutable,
            });
            if json {
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                let mut t = format!(
                    "{} routes cut: {} sites isolated from the core, {} allocations broken, {} re-routable, {} not\n",
                    report.removed_links.len(),
                    report.isolated_sites.len(),
                    report.broken_allocations.len(),
                    report.reroutable.len(),
                    report.not_reroutable.len()
                );
                for s in &report.isolated_sites {
                    t.push_str(&format!("isolated site {s}\n"));
                }
                for r in &report.reroutable {
                    t.push_str(&format!(
                        "re-route {} over {:.3} km: {}\n",
                        r.allocation,
                        r.path.length_km(),
                        r.path.routes.join(" ")
                    ));
                }
                for a in &report.not_reroutable {
                    t.push_str(&format!("cannot re-route {a}\n"));
                }
                emit(&t)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TopologyCommand::Quote {
            data,
            from,
            to,
            pairs,
            k,
            tariff,
            budget,
            json,
        } => {
            anyhow::ensure!(pairs >= 1, "--pairs must be at least 1");
            let budget = budget.budget()?;
            anyhow::ensure!(k >= 1, "--k must be at least 1");
            let tariff = match &tariff {
                Some(f) => {
                    let text = std::fs::read_to_string(f)
                        .with_context(|| format!("cannot read {}", f.display()))?;
                    let t: topology::Tariff = toml::from_str(&text)
                        .with_context(|| format!("{}: invalid tariff", f.display()))?;
                    t.validate()
                        .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
                    t
                }
                None => topology::Tariff::default(),
            };
            let net = load(&data)?;
            let constraints = Constraints {
                min_spare_strands: pairs.saturating_mul(2),
                ..Constraints::default()
            };
            let topology::Diverse {
                paths,
                fully_diverse,
                ..
            } = find_paths(&net, &from, &to, k, &constraints)?;
            if paths.is_empty() {
                emit(&format!(
                    "no path from {from} to {to} with {} spare strands on every route",
                    2 * pairs
                ))?;
                return Ok(ExitCode::from(1));
            }
            let quotes: Vec<topology::Quote> = paths
                .iter()
                .map(|p| topology::quote(p, pairs, &tariff))
                .collect();
            let monthly: f64 = quotes.iter().map(|q| q.monthly).sum();
            let out = json!({
                "from": from,
                "to": to,
                "pairs": pairs,
                "paths": paths.iter().map(|p| path_json(p, &budget)).collect::<Vec<_>>(),
                "fully_diverse": fully_diverse,
                "quotes": quotes,
                "monthly": round3(monthly),
                "annual": round3(monthly * 12.0),
            });
            if json {
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                let mut t = String::new();
                for (p, q) in paths.iter().zip(&quotes) {
                    t.push_str(&format!(
                        "{} pair(s) over {:.3} km ({} routes): {:.2}/month; operator keeps {:.2}; owners: {}\n",
                        pairs,
                        p.length_km(),
                        p.routes.len(),
                        q.monthly,
                        q.operator_kept,
                        q.owners
                            .iter()
                            .map(|(o, v)| format!("{o} {v:.2}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                t.push_str(&format!(
                    "total {monthly:.2}/month, {:.2}/year\n",
                    monthly * 12.0
                ));
                emit(&t)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TopologyCommand::DigOnce {
            data,
            wishes,
            wish_file,
            single_homed,
            buffer_m,
            json,
        } => {
            let (cad, net) = load_with_cadastre(&data)?;
            let mut pairs = Vec::new();
            for w in &wishes {
                let (a, b) = w
                    .split_once(':')
                    .with_context(|| format!("--wish {w:?}: expected FROM:TO"))?;
                pairs.push((a.trim().to_string(), b.trim().to_string()));
            }
            if let Some(file) = &wish_file {
                pairs.extend(read_wish_file(file)?);
            }
            let mut list = if pairs.is_empty() || single_homed {
                cadastre::network::single_homed_wishes(&cad, &net)
            } else {
                Vec::new()
            };
            list.extend(
                cadastre::network::wish_list(&cad, &pairs)
                    .map_err(|p| anyhow::anyhow!("invalid wish list:\n{}", p.join("\n")))?,
            );
            let found = cadastre::network::dig_once_for(&cad, &list, buffer_m);
            if json {
                let saved: f64 = found.iter().map(|d| d.saved_m).sum();
                let out = json!({
                    "candidates": found,
                    "n_wishes": list.len(),
                    "n_worksites": cad.worksites.len(),
                    "saved_m_total": saved,
                });
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                let mut t = format!(
                    "{} dig-once candidates among {} worksites\n",
                    found.len(),
                    cad.worksites.len()
                );
                for d in &found {
                    t.push_str(&format!(
                        "{} ({}, {} to {}): new route {} → {} ({:.3} km), {:.0} m in the worksite\n",
                        d.worksite, d.organisation, d.start, d.end, d.site, d.to_site,
                        d.new_route_km, d.saved_m
                    ));
                }
                emit(&t)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TopologyCommand::Spof { data, json } => {
            let net = load(&data)?;
            let spof = net.spof();
            let srlgs: std::collections::BTreeSet<&str> = net
                .links()
                .flat_map(|l| l.srlgs.iter().map(String::as_str))
                .collect();
            let srlg_bridges = net.srlg_bridges();
            let dependent = net.srlg_dependent_sites();
            if json {
                let out = json!({
                    "bridges": spof.bridges,
                    "articulation_points": spof.articulation_points,
                    "srlg_bridges": srlg_bridges,
                    "srlg_dependent_sites": dependent,
                    "n_srlgs": srlgs.len(),
                    "n_sites": net.n_sites(),
                    "n_routes": net.n_links(),
                });
                emit(&serde_json::to_string_pretty(&out)?)?;
            } else {
                let mut text = format!(
                    "{} sites, {} routes, {} shared trenches: {} bridges, {} articulation points, {} shared trenches whose loss disconnects, {} sites whose every path to the core runs through one shared trench\n",
                    net.n_sites(),
                    net.n_links(),
                    srlgs.len(),
                    spof.bridges.len(),
                    spof.articulation_points.len(),
                    srlg_bridges.len(),
                    dependent.len()
                );
                for b in &spof.bridges {
                    text.push_str(&format!("bridge route {b}\n"));
                }
                for a in &spof.articulation_points {
                    text.push_str(&format!("articulation site {a}\n"));
                }
                for (site, groups) in &dependent {
                    text.push_str(&format!("site {site} depends on {}\n", groups.join(", ")));
                }
                emit(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_cadastre(data: &FsPath) -> anyhow::Result<cadastre::Cadastre> {
    let store = Store::open(data)
        .with_context(|| format!("cannot open the cadastre in {}", data.display()))?;
    let (cad, _version) = store
        .load()
        .with_context(|| format!("cannot read the cadastre in {}", data.display()))?;
    Ok(cad)
}

/// The shortest path (`k` = 1) or `k` diverse ones, as one answer: for `k` = 1, fully diverse
/// means found, and nothing is shared.
fn find_paths(
    net: &Network,
    from: &str,
    to: &str,
    k: usize,
    constraints: &Constraints,
) -> anyhow::Result<topology::Diverse> {
    if k == 1 {
        let path = net.shortest_path(from, to, constraints)?;
        return Ok(topology::Diverse {
            fully_diverse: path.is_some(),
            paths: path.into_iter().collect(),
            shared_risks: Vec::new(),
        });
    }
    // `fully_diverse` already requires k paths.
    Ok(net.diverse_paths(from, to, k, constraints)?)
}

fn network_of(cad: &cadastre::Cadastre, index: &cadastre::geometry::SpatialIndex) -> Network {
    let (net, warnings) = cadastre::network::build_with(cad, index);
    for w in &warnings {
        tracing::info!(warning = %w, "topology");
    }
    net
}

fn load(data: &FsPath) -> anyhow::Result<Network> {
    Ok(load_with_cadastre(data)?.1)
}

/// The cadastre and its graph (for questions that need both).
fn load_with_cadastre(data: &FsPath) -> anyhow::Result<(cadastre::Cadastre, Network)> {
    let cad = load_cadastre(data)?;
    let net = network_of(&cad, &cadastre::geometry::SpatialIndex::build(&cad));
    Ok((cad, net))
}

/// The (Multi)Polygons of a GeoJSON file (a FeatureCollection, a Feature or a bare geometry).
fn read_areas(file: &FsPath) -> anyhow::Result<geo::MultiPolygon<f64>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{}: not GeoJSON", file.display()))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::Geometry(g) => vec![g],
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
    };
    let mut polys = Vec::new();
    for (i, g) in geometries.into_iter().enumerate() {
        let g: geo::Geometry<f64> = g
            .try_into()
            .with_context(|| format!("{}: geometry {i} is not valid", file.display()))?;
        match g {
            geo::Geometry::Polygon(p) => polys.push(p),
            geo::Geometry::MultiPolygon(m) => polys.extend(m.0),
            _ => anyhow::bail!(
                "{}: geometry {i} is not a Polygon or MultiPolygon",
                file.display()
            ),
        }
    }
    anyhow::ensure!(!polys.is_empty(), "{}: no polygon", file.display());
    Ok(geo::MultiPolygon(polys))
}

/// `spare` as a table (tab-separated), JSON or CSV.
fn spare_text(r: &topology::SpareReport, by: SpareBy, format: OutFormat) -> anyhow::Result<String> {
    if format == OutFormat::Json {
        let v = match by {
            SpareBy::Owner => json!({"by_owner": r.by_owner, "total": r.total}),
            SpareBy::Route => json!({"routes": r.links, "total": r.total}),
        };
        return Ok(serde_json::to_string_pretty(&v)?);
    }
    let (header, rows): (&[&str], Vec<Vec<String>>) = match by {
        SpareBy::Owner => (
            &[
                "owner",
                "routes",
                "km",
                "fibres",
                "allocated",
                "dark",
                "dark_strand_km",
                "free_ducts",
                "free_duct_km",
                "lit_routes",
                "lit_headroom_gbps",
            ],
            r.by_owner
                .iter()
                .map(|(o, v)| (o.as_str(), v))
                .chain([("TOTAL", &r.total)])
                .map(|(o, v)| {
                    vec![
                        o.to_string(),
                        v.routes.to_string(),
                        format!("{:.3}", v.km),
                        v.fibre_count.to_string(),
                        v.allocated_strands.to_string(),
                        v.dark_strands.to_string(),
                        format!("{:.1}", v.dark_strand_km),
                        v.free_ducts.to_string(),
                        format!("{:.3}", v.free_duct_km),
                        v.lit_routes.to_string(),
                        format!("{:.3}", v.lit_headroom_bps / 1e9),
                    ]
                })
                .collect(),
        ),
        SpareBy::Route => (
            &[
                "route",
                "owner",
                "km",
                "fibres",
                "allocated",
                "dark",
                "free_ducts",
                "lit_headroom_gbps",
            ],
            r.links
                .iter()
                .map(|l| {
                    vec![
                        l.id.clone(),
                        l.owner.clone(),
                        format!("{:.3}", l.length_m / 1000.0),
                        l.fibre_count.to_string(),
                        l.allocated_strands.to_string(),
                        l.dark_strands.to_string(),
                        l.free_ducts.to_string(),
                        l.lit_headroom_bps
                            .map(|h| format!("{:.3}", h / 1e9))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    };
    let sep = if format == OutFormat::Csv { "," } else { "\t" };
    let mut s = header.join(sep);
    s.push('\n');
    for row in rows {
        // CSV: a field with the separator or a quote is quoted (RFC 4180).
        let fields: Vec<String> = row
            .into_iter()
            .map(|f| {
                if format == OutFormat::Csv && (f.contains(',') || f.contains('"')) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f
                }
            })
            .collect();
        s.push_str(&fields.join(sep));
        s.push('\n');
    }
    Ok(s)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A path as the contract's JSON: `loss_db` at 1310 nm (the larger of the two with the default
/// model), both wavelengths under `loss_db_by_wavelength`.
/// The budget re-routes are judged against (the `paths` default).
fn default_budget() -> topology::TransceiverBudget {
    topology::TransceiverBudget::new(11.0)
}

fn path_json(p: &Path, budget: &topology::TransceiverBudget) -> Value {
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
        "loss_budget_db": budget.budget_db,
        "loss_verdict": budget.verdict(p.loss_db_1310),
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
    found: &topology::Diverse,
    budget: &topology::TransceiverBudget,
) -> String {
    let paths = &found.paths;
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
            "path {}: {:.3} km, {} routes, spare strands {}, loss {:.2} dB @1310 / {:.2} dB @1550 ({} against a {} dB budget); {}",
            i + 1,
            p.length_km(),
            p.routes.len(),
            p.spare_strands,
            p.loss_db_1310,
            p.loss_db_1550,
            json!(budget.verdict(p.loss_db_1310)).as_str().unwrap_or("?"),
            budget.budget_db,
            owners.join(", ")
        );
        let _ = writeln!(s, "  sites: {}", p.sites.join(" → "));
    }
    if paths.len() > 1 {
        let full = if found.fully_diverse { "yes" } else { "no" };
        let _ = writeln!(s, "fully diverse: {full}");
        for r in &found.shared_risks {
            let _ = writeln!(s, "  shared: {}", json!(r));
        }
    }
    s
}

/// The drift report as text: one summary line, then one line per finding.
fn drift_text(r: &topology::DriftReport, n_circuits: usize) -> String {
    let end = |e: &topology::PortEnd| format!("{}:{}", e.device, e.port);
    let mut s = format!(
        "{n_circuits} circuits: {} confirmed by LLDP, {} on a wrong port, {} with no live neighbour, {} not observed; {} undocumented neighbours; {} of {} directions lose more light than their route explains\n",
        r.confirmed.len(),
        r.wrong_port.iter().map(|w| &w.circuit).collect::<std::collections::BTreeSet<_>>().len(),
        r.no_live_neighbour.len(),
        r.not_observed.len(),
        r.unknown_neighbours.len(),
        r.loss_excess.len(),
        r.loss_checked,
    );
    for w in &r.wrong_port {
        s.push_str(&format!(
            "wrong port: circuit {}: documented {}, live {} (seen from {})\n",
            w.circuit,
            end(&w.documented),
            end(&w.live),
            end(&w.seen_from)
        ));
    }
    for u in &r.no_live_neighbour {
        s.push_str(&format!(
            "no live neighbour: circuit {} {} - {}\n",
            u.circuit,
            end(&u.a_end),
            end(&u.b_end)
        ));
    }
    for l in &r.unknown_neighbours {
        s.push_str(&format!(
            "undocumented neighbour: {} - {}{}\n",
            end(&l.local),
            end(&l.remote),
            if l.remote_known {
                ""
            } else {
                " (not one of our devices)"
            }
        ));
    }
    for e in &r.loss_excess {
        s.push_str(&format!(
            "excess loss: circuit {} {} -> {}: {:.2} dB measured ({:.2} tx, {:.2} rx), {:.2} dB expected, {:+.2} dB\n",
            e.circuit,
            end(&e.from),
            end(&e.to),
            e.measured_db,
            e.tx_dbm,
            e.rx_dbm,
            e.expected_db,
            e.excess_db
        ));
    }
    s
}

/// `from,to` pairs of a wish-list CSV; a `from,to` header and `#` comments are skipped, and
/// a bad line is named by its number.
fn read_wish_file(file: &FsPath) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.eq_ignore_ascii_case("from,to") {
            continue;
        }
        let (a, b) = line.split_once(',').with_context(|| {
            format!(
                "{}:{}: expected `from,to`, got {line:?}",
                file.display(),
                i + 1
            )
        })?;
        anyhow::ensure!(
            !b.contains(','),
            "{}:{}: expected two fields, got {line:?}",
            file.display(),
            i + 1
        );
        out.push((a.trim().to_string(), b.trim().to_string()));
    }
    Ok(out)
}
