//! `irisops demo`: the demo cadastre, its simulated backbone on a free UDP port, and `serve`
//! on a built-in configuration written to `DATA/irisops-demo.toml`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use tokio::sync::watch;

use collector::config::{ApiRole, Config, API_ROLES};

mod wifi_history;

/// Days of wifi history the demo writes before its first poll.
const WIFI_HISTORY_DAYS: u32 = 35;

/// Arguments of `irisops demo`.
#[derive(clap::Args)]
pub struct Args {
    /// HTTP address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory of the demo's store.
    #[arg(long, default_value = "irisops-demo-data")]
    data: PathBuf,
    /// Simulated devices.
    #[arg(long, default_value_t = 20)]
    devices: u32,
    /// Ports per simulated device.
    #[arg(long, default_value_t = 24)]
    ports: u32,
}

/// Runs the command until Ctrl-C.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(demo(args))?;
    Ok(ExitCode::SUCCESS)
}

/// From this many generated devices on, the last one is dead (`dev0020` of the default 20).
const DEAD_FROM: u32 = 10;

/// One generated device of a fleet of 10 or more never answers: the engineer's view and the
/// alerts show a failure from the demo's first minute. The faults, and their words for the
/// demo's first lines.
fn demo_faults(devices: u32) -> (simulator::Faults, String) {
    let mut faults = simulator::Faults::default();
    if devices < DEAD_FROM {
        return (faults, String::new());
    }
    let mut dead = simulator::DeviceFaults::default();
    dead.dead = true;
    faults.set(devices, dead);
    (faults, format!(" (dev{devices:04} dead: it never answers)"))
}

/// The demo: a simulated backbone on a free UDP port and `serve` on a built-in config.
async fn demo(args: Args) -> anyhow::Result<()> {
    let Args {
        listen,
        data,
        devices,
        ports,
    } = args;
    let sim_addr = free_udp().context("no free UDP port for the simulator")?;
    let cadastre_dir = data.join("cadastre");
    let cad = demo_cadastre(&cadastre_dir)?;
    let backbone = simulator::demo::backbone(&cad);
    const SEED: u64 = 42;
    let names: Vec<String> = backbone
        .routers
        .iter()
        .map(|r| r.name.clone())
        .chain(backbone.controllers.iter().map(|c| c.name.clone()))
        .collect();
    let n_aps: usize = backbone.controllers.iter().map(|c| c.aps.len()).sum();
    let (faults, dead) = demo_faults(devices);
    let sim = simulator::SimConfig {
        listen: sim_addr,
        devices,
        ports,
        seed: SEED,
        faults,
        backbone: Some(backbone.clone()),
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut sim_stop = stop_rx.clone();
    let sim_task = tokio::spawn(simulator::run(sim, async move {
        let _ = sim_stop.changed().await;
    }));
    let mut text = config_text(&data, &cadastre_dir, sim_addr, devices, &names);
    let tokens = demo_tokens(&data)?;
    for (role, token) in &tokens {
        let _ = writeln!(
            text,
            "{}",
            super::token::config_block(&format!("demo-{}", role.as_str()), *role, token)
        );
    }
    // Written out so the CLI can read the demo's store: `irisops topology drift --data
    // DATA/cadastre --config DATA/irisops-demo.toml`.
    let cfg_file = data.join("irisops-demo.toml");
    std::fs::create_dir_all(&data)
        .and_then(|()| std::fs::write(&cfg_file, &text))
        .with_context(|| format!("cannot write {}", cfg_file.display()))?;
    let cfg = Config::parse(&text, &|_| None).map_err(|e| {
        anyhow::anyhow!(
            "built-in demo config: {}",
            e.problems()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    backfill_wifi(&cfg, &cad, &backbone, SEED)?;
    eprintln!("irisops demo: simulator with {devices} devices x {ports} ports{dead} on udp://{sim_addr}, polled every 10 s; {} backbone routers (LLDP, optics) and a wifi controller with {n_aps} access points, polled every 30 s", names.len().saturating_sub(usize::from(n_aps > 0)));
    eprintln!(
        "irisops demo: config in {} (try: irisops topology drift --data {} --config {})",
        cfg_file.display(),
        cadastre_dir.display(),
        cfg_file.display()
    );
    if let Some((_, admin)) = tokens.iter().find(|(r, _)| *r == ApiRole::Admin) {
        eprintln!(
            "irisops demo: one token per role in {} (mode 600); open as admin: http://{listen}/#token={admin}",
            data.join(TOKENS_FILE).display()
        );
    }
    let r = super::serve::serve(cfg, listen, Some(stop_rx)).await;
    let _ = stop_tx.send(true);
    let _ = sim_task.await;
    r
}

/// Writes the demo's wifi history into its store (the days it does not hold yet).
fn backfill_wifi(
    cfg: &Config,
    cad: &cadastre::Cadastre,
    backbone: &simulator::Backbone,
    seed: u64,
) -> anyhow::Result<()> {
    let tz = cfg.wifi.timezone;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let days = wifi_history::history(cad, backbone, seed, tz, today, WIFI_HISTORY_DAYS);
    let retention = collector::store::Retention {
        samples: cfg.store.retention,
        rollups: cfg.store.rollup_retention,
    };
    let mut store = collector::store::Store::open(&cfg.store.path, retention)
        .with_context(|| format!("cannot open the store at {}", cfg.store.path.display()))?;
    let written = store.import_wifi_days(&days)?;
    eprintln!(
        "irisops demo: {WIFI_HISTORY_DAYS} days of simulated wifi history for {} hotspots ({written} new days in the store)",
        cad.hotspots.len()
    );
    Ok(())
}

/// The demo's configuration: `devices` simulated devices polled every 10 s, and the
/// backbone's routers and controller (`names`; community = name) every 30 s.
fn config_text(
    data: &Path,
    cadastre_dir: &Path,
    sim_addr: SocketAddr,
    devices: u32,
    names: &[String],
) -> String {
    let mut text = format!(
        "[store]\npath = {:?}\n[collector]\nconcurrency = 64\n[cadastre]\ndata = {:?}\n[wifi]\npoll_interval = \"30s\"\n",
        data.display().to_string(),
        cadastre_dir.display().to_string()
    );
    for i in 1..=devices {
        let _ = write!(
            text,
            "[auth.d{i}]\nversion = \"2c\"\ncommunity = \"dev{i:04}\"\n[[device]]\nname = \"dev{i:04}\"\naddress = \"{sim_addr}\"\nauth = \"d{i}\"\nschedule = \"*/10 * * * * *\"\ntimeout = \"2s\"\nbudget = \"8s\"\n"
        );
    }
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            text,
            "[auth.b{i}]\nversion = \"2c\"\ncommunity = {name:?}\n[[device]]\nname = {name:?}\naddress = \"{sim_addr}\"\nauth = \"b{i}\"\nschedule = \"*/30 * * * * *\"\ntimeout = \"2s\"\nbudget = \"20s\"\n"
        );
    }
    text.push_str(DEMO_ALERTS);
    text
}

/// The demo's alert rules (no receiver: they show in the web app and the API): the
/// simulator's hot ports run above 80% in the afternoon, its dead device never answers, and
/// one backbone circuit in 40 loses 4-6 dB more than its route explains (a dirty connector).
const DEMO_ALERTS: &str = r#"
[[alert]]
name = "link-busy"
metric = "utilisation"
op = ">"
value = 80
for = "1m"
keep_firing_for = "2m"
severity = "warning"

[[alert]]
name = "device-down"
metric = "device_up"
op = "=="
value = 0
for = "30s"
severity = "critical"

[[alert]]
name = "optic-loss"
metric = "optic_loss_excess_db"
op = ">"
value = 3
for = "30s"
keep_firing_for = "2m"
severity = "warning"
"#;

/// Generates the demo cadastre into `dir` unless it already holds one; prints its statistics.
fn demo_cadastre(dir: &Path) -> anyhow::Result<cadastre::Cadastre> {
    use cadastre::validate::{validate, ValidateOptions};
    let mut store = cadastre::store::Store::open(dir)
        .with_context(|| format!("cannot open the demo cadastre in {}", dir.display()))?;
    let (mut cad, mut version) = store.load()?;
    if cad.is_empty() {
        cad = cadastre::demo::generate(1);
        let check = |c: &cadastre::Cadastre| validate(c, &ValidateOptions::brussels());
        version = store.replace_all(
            version,
            &cad,
            "irisops demo",
            "generated demo network (seed 1)",
            &check,
        )?;
    }
    let s = cadastre::stats::stats(&cad);
    eprintln!(
        "irisops demo: cadastre version {version}: {:.1} km of routes, {} sites, {} cables, {} allocations, {} hotspots, {} owners",
        s.routes_km, s.n_sites, s.n_cables, s.n_allocations, s.n_hotspots, s.by_owner.len()
    );
    for (owner, o) in &s.by_owner {
        eprintln!(
            "  {owner:<20} {:>6.1} km of routes, {:>6} strands, {:>5.1}% used",
            o.km,
            o.strands_total,
            if o.strands_total > 0 {
                o.strands_used as f64 * 100.0 / o.strands_total as f64
            } else {
                0.0
            }
        );
    }
    Ok(cad)
}

/// The demo's tokens, one per role, in `DATA/tokens` (lines `role token`).
const TOKENS_FILE: &str = "tokens";

/// The demo's token of every role: read from `DATA/tokens`, or made and written there (mode
/// 600) on the first run, so a bookmarked URL keeps working.
fn demo_tokens(data: &Path) -> anyhow::Result<Vec<(ApiRole, String)>> {
    let file = data.join(TOKENS_FILE);
    if let Ok(text) = std::fs::read_to_string(&file) {
        let tokens: Vec<(ApiRole, String)> = text
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter_map(|(r, t)| Some((ApiRole::parse(r)?, t.trim().to_string())))
            .collect();
        if tokens.len() == API_ROLES.len() {
            return Ok(tokens);
        }
    }
    let tokens: Vec<(ApiRole, String)> = API_ROLES
        .iter()
        .map(|&r| (r, super::token::new_token()))
        .collect();
    let text: String = tokens
        .iter()
        .map(|(r, t)| format!("{} {t}\n", r.as_str()))
        .collect();
    write_private(&file, &text).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(tokens)
}

/// Writes `text` to a new file only its owner can read.
fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(file);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(text.as_bytes())
}

fn free_udp() -> std::io::Result<SocketAddr> {
    let s = std::net::UdpSocket::bind("127.0.0.1:0")?;
    s.local_addr()
}
