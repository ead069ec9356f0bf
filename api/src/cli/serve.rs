//! `irisops serve`: the collector on its schedules, the store, the sinks and the HTTP server,
//! stopped together by Ctrl-C. [`serve`] is also what `irisops demo` runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use anyhow::Context;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use collector::config::{ApiConfig, Config};
use collector::metrics::Metrics;
use collector::pipeline::Event;
use collector::store::{Retention, Store};

use crate::http::auth::Auth;
use crate::http::snapshot::Cadastres;
use crate::http::web::WebState;
use crate::http::{router_with_limits, AppState};

/// Arguments of `irisops serve`.
#[derive(clap::Args)]
pub struct Args {
    /// The TOML configuration file.
    #[arg(long)]
    config: PathBuf,
    /// HTTP address to listen on (default: `[api] listen`, else 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Poll only the devices rendezvous hashing assigns to shard K of N (1-based): N
    /// collectors with the same config share the fleet with no coordinator.
    #[arg(long, value_name = "K/N")]
    shard: Option<collector::shard::Shard>,
}

/// Runs the command: exit 2 on an invalid config.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(mut cfg) = super::load_config(&args.config) else {
        return Ok(ExitCode::from(2));
    };
    if let Some(shard) = args.shard {
        let before = cfg.devices.len();
        cfg.devices.retain(|d| shard.owns(&d.name));
        eprintln!(
            "irisops: shard {shard}: polling {} of the {before} devices of {}",
            cfg.devices.len(),
            args.config.display()
        );
    }
    let listen = args.listen.unwrap_or(cfg.api.listen);
    super::runtime()?.block_on(serve(cfg, listen, None))?;
    Ok(ExitCode::SUCCESS)
}

/// `[web]` as served: the background read and checked now, so a bad file stops the start
/// with its key named rather than failing in a browser later.
fn web_state(cfg: &collector::config::WebConfig) -> anyhow::Result<WebState> {
    let background = match &cfg.background {
        None => None,
        Some(path) => {
            let text = std::fs::read(path)
                .with_context(|| format!("web.background: cannot read {}", path.display()))?;
            let v: serde_json::Value = serde_json::from_slice(&text)
                .with_context(|| format!("web.background: {} is not JSON", path.display()))?;
            let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or("");
            if !matches!(kind, "FeatureCollection" | "Feature") {
                anyhow::bail!(
                    "web.background: {} is not a GeoJSON FeatureCollection or Feature (type {kind:?})",
                    path.display()
                );
            }
            Some(axum::body::Bytes::from(text))
        }
    };
    Ok(WebState {
        tiles: cfg.tiles.clone(),
        tiles_attribution: cfg.tiles_attribution.clone(),
        background,
    })
}

/// Runs the collector and the server until Ctrl-C (or `stop` turns true).
pub async fn serve(
    cfg: Config,
    listen: SocketAddr,
    stop: Option<watch::Receiver<bool>>,
) -> anyhow::Result<()> {
    refuse_open_network(&cfg, listen)?;
    let web = Arc::new(web_state(&cfg.web)?);
    let cadastre = match &cfg.cadastre_data {
        Some(dir) => Some(Arc::new(
            Cadastres::open(dir)?.with_limits(import_limits(&cfg.cadastre_limits)),
        )),
        None => None,
    };
    if let Some(c) = cadastre.clone() {
        // Built before anyone asks: the first request would otherwise wait for the snapshot
        // (1.6 s on a 10,000-route cadastre) and each layer's text.
        tokio::task::spawn_blocking(move || warm_up(&c));
    }
    let retention = Retention {
        samples: cfg.store.retention,
        rollups: cfg.store.rollup_retention,
    };
    let path = cfg.store.path.clone();
    let open = || {
        Store::open(&path, retention)
            .with_context(|| format!("cannot open the store at {}", path.display()))
    };
    let (writer, reader) = (open()?, open()?);
    let metrics = Arc::new(Metrics::default());
    let (tx, rx) = watch::channel(false);
    let mut sinks = start_sinks(&cfg, &metrics, &rx)?;
    if let Some(a) = start_alerts(&cfg, listen, &metrics, &rx, cadastre.clone())? {
        sinks.taps.extend(a.taps);
        sinks.tasks.extend(a.tasks);
    }
    let reader = Arc::new(Mutex::new(reader));
    let reports = crate::reports::start(&cfg.reports, cadastre.clone(), reader.clone(), rx.clone());
    let wifi_rollup = crate::wifi_rollup::start(
        cadastre.clone(),
        path.clone(),
        retention,
        cfg.wifi.clone(),
        rx.clone(),
    );
    let running =
        collector::pipeline::start_with_taps(&cfg, writer, metrics.clone(), rx, sinks.taps);
    let app = router_with_limits(
        AppState {
            store: reader,
            metrics,
            cadastre,
            auth: Arc::new(Auth::new(&cfg.api)),
            answers: Arc::default(),
            wifi: Arc::new(cfg.wifi.clone()),
            web,
        },
        &cfg.api,
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "irisops: polling {} devices; serving http://{addr}/ (store {})",
        cfg.devices.len(),
        path.display()
    );
    serve_http(listener, app, &cfg.api, shutdown(stop)).await;
    let _ = tx.send(true);
    running.join().await;
    // The pollers are gone, so the encoder's queue closes: it flushes its last batch to the
    // outbox and ends; the sender ends on the shutdown signal (unsent batches stay queued).
    for t in sinks.tasks.into_iter().chain(reports).chain(wifi_rollup) {
        let _ = t.await;
    }
    Ok(())
}

/// Serves `app` on `listener` until `stop` resolves, then lets the requests in flight finish
/// (at most `request_timeout`). Each connection is hyper's HTTP/1.1 with a header-read
/// timeout (`header_timeout`): a client that connects and sends no complete request head in
/// that time is disconnected, and since hyper starts the same timer again when a keep-alive
/// connection falls idle after an answer, an idle connection is closed after it too.
async fn serve_http(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    api: &ApiConfig,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(api.header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors, mostly: the connections close in their time.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let conn =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(api.request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after api.request_timeout: stopped");
    }
}

/// Serving beyond this machine with no token would serve nobody (every data route answers
/// 401) or, worse, tempt someone to open it up: refused, with the way out.
fn refuse_open_network(cfg: &Config, listen: SocketAddr) -> anyhow::Result<()> {
    if cfg.api.tokens.is_empty() {
        if !listen.ip().is_loopback() {
            anyhow::bail!(
                "refusing to serve on {listen} with no API token configured: add [[api.token]] entries (irisops token new --name NAME --role ROLE prints one) or listen on 127.0.0.1"
            );
        }
        eprintln!(
            "irisops: no [[api.token]] configured: every data route answers 401 (irisops token new --name NAME --role ROLE makes one)"
        );
    }
    Ok(())
}

/// `[cadastre] max_file_mb`, `max_features`, `max_vertices`, else the cadastre's defaults.
fn import_limits(c: &collector::config::CadastreLimits) -> cadastre::limits::Limits {
    let d = cadastre::limits::Limits::default();
    let size = |n: Option<u64>, default: usize| n.map_or(default, |n| n as usize);
    cadastre::limits::Limits {
        max_file_mb: c.max_file_mb.unwrap_or(d.max_file_mb),
        max_features: size(c.max_features, d.max_features),
        max_vertices: size(c.max_vertices, d.max_vertices),
    }
}

/// Builds the current snapshot of the served cadastre and every layer's text.
fn warm_up(c: &Cadastres) {
    match c.current() {
        Ok(snap) => {
            for layer in cadastre::model::LAYERS {
                let _ = snap.layer_text(layer);
            }
        }
        Err(e) => tracing::warn!("cannot build the cadastre snapshot: {e}"),
    }
}

/// The remote sinks' taps on the pipeline and their tasks.
struct Sinks {
    taps: Vec<mpsc::Sender<Event>>,
    tasks: Vec<JoinHandle<()>>,
}

/// The remote sinks the config names (InfluxDB).
fn start_sinks(
    cfg: &Config,
    metrics: &Arc<Metrics>,
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<Sinks> {
    let Some(influx) = &cfg.influx else {
        return Ok(Sinks {
            taps: Vec::new(),
            tasks: Vec::new(),
        });
    };
    let sink = collector::sinks::influx::start(
        influx,
        &cfg.store.path,
        metrics.clone(),
        shutdown.clone(),
    )?;
    tracing::info!(
        sink = "influx",
        url = influx.url.as_str(),
        bucket = influx.bucket.as_str(),
        "InfluxDB sink started"
    );
    Ok(Sinks {
        taps: vec![sink.tap],
        tasks: sink.tasks,
    })
}

/// The alerts (with `[[alert]]` rules): their tap on the pipeline and their tasks, the one
/// that keeps what they read from the served cadastre among them. The notifications link back
/// to `http://LISTEN`.
fn start_alerts(
    cfg: &Config,
    listen: SocketAddr,
    metrics: &Arc<Metrics>,
    shutdown: &watch::Receiver<bool>,
    cadastre: Option<Arc<Cadastres>>,
) -> anyhow::Result<Option<Sinks>> {
    if cfg.alerts.is_empty() {
        return Ok(None);
    }
    let setup = collector::alerts::run::Setup {
        rules: cfg.alerts.clone(),
        receivers: cfg.receivers.clone(),
        store_dir: cfg.store.path.clone(),
        retention: Retention {
            samples: cfg.store.retention,
            rollups: cfg.store.rollup_retention,
        },
        external_url: format!("http://{listen}"),
    };
    let a = collector::alerts::run::start(setup, metrics.clone(), shutdown.clone())?;
    tracing::info!(
        rules = cfg.alerts.len(),
        receivers = cfg.receivers.len(),
        "alerts started"
    );
    let mut tasks = a.tasks;
    tasks.extend(cadastre_task(
        cadastre,
        a.hotspots,
        a.losses,
        shutdown.clone(),
    ));
    Ok(Some(Sinks {
        taps: vec![a.tap],
        tasks,
    }))
}

/// Keeps what the alerts take from the served cadastre up to date, at start and every 10
/// minutes: the hotspots (access points → hotspot, for `wifi_ap_up` and `hotspot_clients`) and
/// the circuits' directions with their expected loss (`optic_loss_excess_db`).
fn cadastre_task(
    cadastre: Option<Arc<Cadastres>>,
    hotspots: watch::Sender<collector::alerts::Hotspots>,
    losses: watch::Sender<collector::alerts::LossPaths>,
    mut shutdown: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    let cad = cadastre?;
    Some(tokio::spawn(async move {
        loop {
            let c = cad.clone();
            let built = tokio::task::spawn_blocking(move || {
                c.current().map(|snap| {
                    let aps = crate::questions::wifi::hotspot_aps(&snap.cad);
                    let paths = crate::questions::drift::loss_paths(&snap.cad, &snap.network);
                    (
                        collector::alerts::Hotspots::new(&aps),
                        collector::alerts::LossPaths::new(paths),
                    )
                })
            })
            .await;
            match built {
                Ok(Ok((h, l))) => {
                    let _ = hotspots.send(h);
                    let _ = losses.send(l);
                }
                Ok(Err(e)) => tracing::warn!("alerts: cannot read the cadastre: {e}"),
                Err(e) => tracing::warn!("alerts: the cadastre's task failed: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(600)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }))
}

/// Resolves on Ctrl-C, or when `stop` changes.
async fn shutdown(stop: Option<watch::Receiver<bool>>) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(background: Option<&std::path::Path>) -> anyhow::Result<WebState> {
        web_state(&collector::config::WebConfig {
            background: background.map(Into::into),
            tiles: Some("https://t.example/{z}/{x}/{y}.png".into()),
            tiles_attribution: None,
        })
    }

    #[test]
    fn the_background_is_read_at_start_and_a_bad_one_names_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("communes.geojson");
        std::fs::write(&good, r#"{"type": "FeatureCollection", "features": []}"#).unwrap();
        let w = web(Some(&good)).unwrap();
        assert_eq!(
            w.background.as_deref(),
            Some(&br#"{"type": "FeatureCollection", "features": []}"#[..])
        );
        assert_eq!(
            w.tiles.as_deref(),
            Some("https://t.example/{z}/{x}/{y}.png")
        );
        assert!(web(None).unwrap().background.is_none());
        let not_geojson = dir.path().join("list.json");
        std::fs::write(&not_geojson, "[1, 2]").unwrap();
        let not_json = dir.path().join("x.geojson");
        std::fs::write(&not_json, "{").unwrap();
        for bad in [not_geojson, not_json, dir.path().join("missing.geojson")] {
            let e = format!("{:#}", web(Some(&bad)).err().unwrap());
            assert!(e.starts_with("web.background: "), "{e}");
        }
    }
}
