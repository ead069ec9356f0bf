//! `irisops serve` and `irisops demo`: the collector on its schedules, the store, and the HTTP
//! server, stopped together by Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::sync::watch;

use collector::config::Config;
use collector::metrics::Metrics;
use collector::store::{Retention, Store};

use crate::server::{router, AppState};

/// Runs the collector and the server until Ctrl-C (or `stop` turns true).
pub async fn run(
    cfg: Config,
    listen: SocketAddr,
    stop: Option<watch::Receiver<bool>>,
) -> anyhow::Result<()> {
    let retention = Retention {
        samples: cfg.store.retention,
        rollups: cfg.store.rollup_retention,
    };
    let path = cfg.store.path.clone();
    let writer = Store::open(&path, retention)
        .with_context(|| format!("cannot open the store at {}", path.display()))?;
    let reader = Store::open(&path, retention)
        .with_context(|| format!("cannot open the store at {}", path.display()))?;
    let metrics = Arc::new(Metrics::default());
    let (tx, rx) = watch::channel(false);
    let mut taps = Vec::new();
    let mut sink_tasks = Vec::new();
    if let Some(influx) = &cfg.influx {
        let sink = collector::sinks::influx::start(influx, &path, metrics.clone(), rx.clone())?;
        tracing::info!(
            sink = "influx",
            url = influx.url.as_str(),
            bucket = influx.bucket.as_str(),
            "InfluxDB sink started"
        );
        taps.push(sink.tap);
        sink_tasks = sink.tasks;
    }
    let running = collector::pipeline::start_with_taps(&cfg, writer, metrics.clone(), rx, taps);
    let app = router(AppState {
        store: Arc::new(Mutex::new(reader)),
        metrics,
        cadastre: cfg.cadastre_data.clone(),
    });
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "irisops: polling {} devices; serving http://{addr}/ (store {})",
        cfg.devices.len(),
        path.display()
    );
    let shutdown = async move {
        match stop {
            Some(mut s) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = s.changed() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("http server failed")?;
    let _ = tx.send(true);
    running.join().await;
    // The pollers are gone, so the encoder's queue closes: it flushes its last batch to the
    // outbox and ends; the sender ends on the shutdown signal (unsent batches stay queued).
    for t in sink_tasks {
        let _ = t.await;
    }
    Ok(())
}

/// The demo: a simulated backbone on a free UDP port and `serve` on a built-in config.
pub async fn demo(
    listen: SocketAddr,
    data: PathBuf,
    devices: u32,
    ports: u32,
) -> anyhow::Result<()> {
    let sim_addr = free_udp().context("no free UDP port for the simulator")?;
    let cadastre_dir = data.join("cadastre");
    let cad = demo_cadastre(&cadastre_dir)?;
    let backbone = simulator::demo::backbone(&cad);
    let names: Vec<String> = backbone
        .routers
        .iter()
        .map(|r| r.name.clone())
        .chain(backbone.controllers.iter().map(|c| c.name.clone()))
        .collect();
    let n_aps: usize = backbone.controllers.iter().map(|c| c.aps.len()).sum();
    let sim = simulator::SimConfig {
        listen: sim_addr,
        devices,
        ports,
        seed: 42,
        faults: Default::default(),
        backbone: Some(backbone),
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut sim_stop = stop_rx.clone();
    let sim_task = tokio::spawn(simulator::run(sim, async move {
        let _ = sim_stop.changed().await;
    }));
    let mut text = format!(
        "[store]\npath = {:?}\n[collector]\nconcurrency = 64\n[cadastre]\ndata = {:?}\n",
        data.display().to_string(),
        cadastre_dir.display().to_string()
    );
    for i in 1..=devices {
        text.push_str(&format!(
            "[auth.d{i}]\nversion = \"2c\"\ncommunity = \"dev{i:04}\"\n[[device]]\nname = \"dev{i:04}\"\naddress = \"{sim_addr}\"\nauth = \"d{i}\"\nschedule = \"*/10 * * * * *\"\ntimeout = \"2s\"\nbudget = \"8s\"\n"
        ));
    }
    // The backbone's routers and controller: community = name, polled every 30 s.
    for (i, name) in names.iter().enumerate() {
        text.push_str(&format!(
            "[auth.b{i}]\nversion = \"2c\"\ncommunity = {name:?}\n[[device]]\nname = {name:?}\naddress = \"{sim_addr}\"\nauth = \"b{i}\"\nschedule = \"*/30 * * * * *\"\ntimeout = \"2s\"\nbudget = \"20s\"\n"
        ));
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
    eprintln!("irisops demo: simulator with {devices} devices x {ports} ports on udp://{sim_addr}, polled every 10 s; {} backbone routers (LLDP, optics) and a wifi controller with {n_aps} access points, polled every 30 s", names.len().saturating_sub(usize::from(n_aps > 0)));
    eprintln!(
        "irisops demo: config in {} (try: irisops topology drift --data {} --config {})",
        cfg_file.display(),
        cadastre_dir.display(),
        cfg_file.display()
    );
    let r = run(cfg, listen, Some(stop_rx)).await;
    let _ = stop_tx.send(true);
    let _ = sim_task.await;
    r
}

/// Generates the demo cadastre into `dir` unless it already holds one; prints its statistics.
fn demo_cadastre(dir: &std::path::Path) -> anyhow::Result<cadastre::Cadastre> {
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

fn free_udp() -> std::io::Result<SocketAddr> {
    let s = std::net::UdpSocket::bind("127.0.0.1:0")?;
    s.local_addr()
}
