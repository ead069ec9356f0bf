//! `irisops cadastre ...`: validate, import, export, stats and the demo network. The contract's
//! names: `validate FILE...`, `import --data DIR --from ofds|geojson [--crs] FILE...`,
//! `export --data DIR --to ofds|geojson|csv --out DIR2`, `stats --data DIR [--json]`,
//! `generate-demo --out DIR [--seed S]`; the versions: `history`, `show`, `undo`, `edit`
//! (in `history.rs`).

mod history;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};

use cadastre::crs::Crs;
use cadastre::store::Store;
use cadastre::validate::{validate, ValidateOptions};
use cadastre::{geojson_io, ofds, Cadastre, CadastreError, Report};

/// The `cadastre` subcommands.
#[derive(Subcommand)]
pub enum CadastreCommand {
    /// Validate GeoJSON layer files or an OFDS package; print every problem (exit 1 on errors).
    Validate {
        /// GeoJSON FeatureCollections (one layer each) or one OFDS package (.json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// CRS of the input when the files do not say (EPSG:31370, EPSG:3812).
        #[arg(long)]
        crs: Option<String>,
        /// The area every coordinate must lie in: `brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`
        /// (default: anywhere, as WGS84).
        #[arg(long)]
        area: Option<String>,
    },
    /// Import files into a data directory (validated first; nothing is written on errors).
    Import {
        /// The cadastre's data directory.
        #[arg(long)]
        data: PathBuf,
        /// Input format: `ofds` (a package .json, or its nodes + spans GeoJSON) or `geojson`.
        #[arg(long, value_enum)]
        from: Format,
        /// CRS of the input when the files do not say (EPSG:31370, EPSG:3812).
        #[arg(long)]
        crs: Option<String>,
        /// Who imports (recorded in the history).
        #[arg(long, default_value = "irisops")]
        author: String,
        /// Why (recorded in the history).
        #[arg(long, default_value = "import")]
        reason: String,
        /// The area every coordinate must lie in: `brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`.
        #[arg(long)]
        area: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Export a data directory: OFDS package, GeoJSON (one file per layer) or CSV.
    Export {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_enum)]
        to: ExportFormat,
        #[arg(long)]
        out: PathBuf,
    },
    /// Route km, strands and per-owner figures of a data directory.
    Stats {
        #[arg(long)]
        data: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The changes of a data directory, newest first: version, time, author, reason, and the
    /// numbers of features added, changed and deleted.
    History {
        #[arg(long)]
        data: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only the N latest changes.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Export the cadastre as it was at a version, as GeoJSON (one file per layer).
    Show {
        #[arg(long)]
        data: PathBuf,
        /// The version (0: empty).
        #[arg(long)]
        version: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Undo a change, as a new change (refused when a later change touched one of its
    /// features: undo that one first).
    Undo {
        #[arg(long)]
        data: PathBuf,
        /// The version whose change to undo.
        #[arg(long)]
        version: u64,
        /// Who undoes (recorded in the history).
        #[arg(long)]
        author: String,
        /// Why (recorded in the history).
        #[arg(long)]
        reason: String,
        /// The version the undo is based on (default: the current one); refused when stale.
        #[arg(long)]
        base_version: Option<u64>,
    },
    /// Apply a change-set file (add, change, delete features of any layer) as one change:
    /// `{"changes": [{"op": "add"|"change", "layer": L, "feature": FEATURE} |
    /// {"op": "delete", "layer": L, "id": ID}]}`.
    Edit {
        #[arg(long)]
        data: PathBuf,
        /// The change-set JSON file.
        #[arg(long)]
        file: PathBuf,
        /// Who edits (recorded in the history).
        #[arg(long)]
        author: String,
        /// Why (recorded in the history).
        #[arg(long)]
        reason: String,
        /// The version the edit is based on; refused when the data has moved on since.
        #[arg(long)]
        base_version: u64,
    },
    /// Write the generated Brussels-scale demo network into a data directory (and its GeoJSON
    /// layers into DIR/geojson).
    GenerateDemo {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Ofds,
    Geojson,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Ofds,
    Geojson,
    Csv,
}

/// Runs a cadastre subcommand.
pub fn run(cmd: CadastreCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CadastreCommand::Validate { files, crs, area } => {
            let crs = parse_crs(crs.as_deref())?;
            let opts = options(area.as_deref())?;
            let (cad, mut report) = read_any(&files, crs)?;
            report.extend(validate(&cad, &opts));
            print_report(&report);
            println!(
                "{} features: {} error(s), {} warning(s)",
                cad.n_features(),
                report.n_errors(),
                report.n_warnings()
            );
            Ok(if report.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        CadastreCommand::Import {
            data,
            from,
            crs,
            author,
            reason,
            area,
            files,
        } => {
            let crs = parse_crs(crs.as_deref())?;
            let opts = options(area.as_deref())?;
            let (cad, report) = match from {
                Format::Geojson => geojson_io::read_files(&files, crs)?,
                Format::Ofds => read_ofds(&files, crs)?,
            };
            import(&data, cad, report, &author, &reason, &opts)
        }
        CadastreCommand::Export { data, to, out } => {
            let (cad, version) = open_store(&data)?.load()?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            match to {
                ExportFormat::Geojson => geojson_io::write_dir(&cad, &out)?,
                ExportFormat::Csv => {
                    cadastre::csv::write_csv(&cad, &out)?;
                }
                ExportFormat::Ofds => {
                    let pkg = ofds::write_package(&cad);
                    let path = out.join("network-package.json");
                    std::fs::write(&path, serde_json::to_string_pretty(&pkg)?)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    let (nodes, spans) = ofds::write_geojson(&cad);
                    std::fs::write(out.join("nodes.geojson"), nodes.to_string())?;
                    std::fs::write(out.join("spans.geojson"), spans.to_string())?;
                }
            }
            eprintln!(
                "exported version {version} ({} features) to {}",
                cad.n_features(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        CadastreCommand::Stats { data, json } => {
            let (cad, version) = open_store(&data)?.load()?;
            let stats = cadastre::stats::stats(&cad);
            if json {
                let mut v = serde_json::to_value(&stats)?;
                v["version"] = version.into();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print_stats(&stats, version);
            }
            Ok(ExitCode::SUCCESS)
        }
        CadastreCommand::History { data, json, limit } => history::history(&data, json, limit),
        CadastreCommand::Show { data, version, out } => history::show(&data, version, &out),
        CadastreCommand::Undo {
            data,
            version,
            author,
            reason,
            base_version,
        } => {
            let who = history::Author {
                author: &author,
                reason: &reason,
                base_version,
            };
            history::undo(&data, version, &who)
        }
        CadastreCommand::Edit {
            data,
            file,
            author,
            reason,
            base_version,
        } => {
            let who = history::Author {
                author: &author,
                reason: &reason,
                base_version: Some(base_version),
            };
            history::edit(&data, &file, &who)
        }
        CadastreCommand::GenerateDemo { out, seed } => {
            let cad = cadastre::demo::generate(seed);
            let report = validate(&cad, &ValidateOptions::brussels());
            if report.has_errors() {
                print_report(&report);
                bail!("the generated demo network does not validate (a bug): nothing written");
            }
            let mut store = open_store(&out)?;
            let base = store.version()?;
            let check = |c: &Cadastre| validate(c, &ValidateOptions::brussels());
            let version = store.replace_all(
                base,
                &cad,
                "irisops",
                &format!("generated demo network (seed {seed})"),
                &check,
            )?;
            let geo_dir = out.join("geojson");
            std::fs::create_dir_all(&geo_dir)
                .with_context(|| format!("cannot create {}", geo_dir.display()))?;
            geojson_io::write_dir(&cad, &geo_dir)?;
            eprintln!(
                "cadastre version {version} in {}; GeoJSON layers in {}",
                out.display(),
                geo_dir.display()
            );
            let s = cadastre::stats::stats(&cad);
            eprintln!(
                "demo network (seed {seed}): {:.1} km of routes, {} sites, {} cables, {} hotspots → {}",
                s.routes_km,
                s.n_sites,
                s.n_cables,
                s.n_hotspots,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Validation options with `--area` (`brussels` or `MINLON,MINLAT,MAXLON,MAXLAT`).
fn options(area: Option<&str>) -> anyhow::Result<ValidateOptions> {
    let area = match area {
        None => None,
        Some("brussels") => Some(cadastre::validate::brussels_area()),
        Some(text) => {
            let v: Vec<f64> = text
                .split(',')
                .map(|x| x.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    anyhow::anyhow!(
                        "--area: expected brussels or MINLON,MINLAT,MAXLON,MAXLAT, got {text:?}"
                    )
                })?;
            let [a, b, c, d] = v.as_slice() else {
                bail!("--area: expected 4 numbers MINLON,MINLAT,MAXLON,MAXLAT, got {text:?}");
            };
            if a >= c || b >= d {
                bail!("--area: the minimum must be below the maximum, got {text:?}");
            }
            Some(geo::Rect::new(
                geo::coord! { x: *a, y: *b },
                geo::coord! { x: *c, y: *d },
            ))
        }
    };
    Ok(ValidateOptions {
        area,
        ..ValidateOptions::default()
    })
}

fn parse_crs(s: Option<&str>) -> anyhow::Result<Option<Crs>> {
    s.map(Crs::parse).transpose().map_err(anyhow::Error::from)
}

fn open_store(data: &Path) -> anyhow::Result<Store> {
    Store::open(data).with_context(|| format!("cannot open the cadastre in {}", data.display()))
}

/// GeoJSON layer files, one OFDS package (`.json` with `networks`), or OFDS GeoJSON (a nodes
/// and a spans file).
fn read_any(files: &[PathBuf], crs: Option<Crs>) -> anyhow::Result<(Cadastre, Report)> {
    if files.len() == 1 && is_ofds_package(&files[0]) {
        return read_ofds(files, crs);
    }
    if files.len() == 2 && files.iter().all(|f| ofds_geojson_role(f).is_some()) {
        return read_ofds(files, crs);
    }
    Ok(geojson_io::read_files(files, crs)?)
}

/// `Some("nodes")`/`Some("spans")` for an OFDS GeoJSON file: by name, else by content (spans
/// carry `start` and `end`, nodes are Points without a `layer` member).
fn ofds_geojson_role(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if name.contains("node") {
        return Some("nodes");
    }
    if name.contains("span") {
        return Some("spans");
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    if v.get("layer").is_some() {
        return None;
    }
    let props = v.get("features")?.get(0)?.get("properties")?;
    if props.get("start").is_some() && props.get("end").is_some() {
        Some("spans")
    } else if v["features"][0]["geometry"]["type"] == "Point" && props.get("kind").is_none() {
        Some("nodes")
    } else {
        None
    }
}

fn is_ofds_package(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("networks").is_some())
}

/// An OFDS package (one file) or OFDS GeoJSON (nodes + spans files); coordinates converted
/// from `crs` (or the files' legacy `crs` member) to WGS84.
fn read_ofds(files: &[PathBuf], crs: Option<Crs>) -> anyhow::Result<(Cadastre, Report)> {
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (mut cad, report, file_crs) = match files {
        [one] => {
            let text = read(one)?;
            let (c, r) = ofds::read_package(&text)?;
            (c, r, legacy_crs(&text))
        }
        [a, b] => {
            let (nodes, spans) = match (ofds_geojson_role(a), ofds_geojson_role(b)) {
                (Some("nodes"), _) | (_, Some("spans")) => (a, b),
                (_, Some("nodes")) | (Some("spans"), _) => (b, a),
                _ => bail!("OFDS GeoJSON needs a nodes file and a spans file (named *nodes*.geojson and *spans*.geojson)"),
            };
            let (n, s) = (read(nodes)?, read(spans)?);
            let (c, r) = ofds::read_geojson(&n, &s)?;
            (c, r, legacy_crs(&n).or(legacy_crs(&s)))
        }
        _ => bail!("--from ofds takes one package (.json) or the nodes and spans GeoJSON files"),
    };
    if let Some(crs) = crs.or(file_crs).filter(|c| *c != Crs::Wgs84) {
        cadastre::crs::convert_cadastre(crs, &mut cad)?;
    }
    Ok((cad, report))
}

/// The CRS a legacy GeoJSON `crs` member names, if any.
fn legacy_crs(text: &str) -> Option<Crs> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = v.get("crs")?.get("properties")?.get("name")?.as_str()?;
    Crs::parse(name).ok()
}

fn import(
    data: &Path,
    cad: Cadastre,
    mut report: Report,
    author: &str,
    reason: &str,
    opts: &ValidateOptions,
) -> anyhow::Result<ExitCode> {
    let mut store = open_store(data)?;
    let version = store.version()?;
    if report.has_errors() {
        print_report(&report);
        println!("nothing imported: {} error(s)", report.n_errors());
        return Ok(ExitCode::from(1));
    }
    // The store validates the imported cadastre; keep its report for the warnings.
    let checked = std::cell::RefCell::new(Report::default());
    let check = |c: &Cadastre| {
        let r = validate(c, opts);
        checked.replace(r.clone());
        r
    };
    match store.replace_all(version, &cad, author, reason, &check) {
        Ok(v) => {
            report.extend(checked.take());
            print_report(&report);
            println!("imported {} features as version {v}", cad.n_features());
            Ok(ExitCode::SUCCESS)
        }
        Err(CadastreError::Invalid { report: r }) => {
            report.extend(r);
            print_report(&report);
            println!("nothing imported: {} error(s)", report.n_errors());
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

fn print_report(report: &Report) {
    for p in &report.problems {
        println!("{p}");
    }
}

fn print_stats(s: &cadastre::stats::Stats, version: u64) {
    println!("cadastre version {version}: {:.1} km of routes, {} sites, {} routes, {} cables, {} allocations, {} hotspots",
        s.routes_km, s.n_sites, s.n_routes, s.n_cables, s.n_allocations, s.n_hotspots);
    println!(
        "{:<22} {:>9} {:>9} {:>14} {:>13} {:>6}",
        "owner", "route km", "cable km", "strands total", "strands used", "used%"
    );
    for (owner, o) in &s.by_owner {
        let pct = if o.strands_total > 0 {
            o.strands_used as f64 * 100.0 / o.strands_total as f64
        } else {
            0.0
        };
        println!(
            "{owner:<22} {:>9.1} {:>9.1} {:>14} {:>13} {:>5.1}%",
            o.km, o.cables_km, o.strands_total, o.strands_used, pct
        );
    }
    let t = &s.spare.total;
    println!(
        "spare (topology): {} dark strands, {:.1} dark strand-km, {} free ducts, {:.1} free duct-km (per owner: irisops topology spare)",
        t.dark_strands, t.dark_strand_km, t.free_ducts, t.free_duct_km
    );
}
