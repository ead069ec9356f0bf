//! The task `irisops serve` runs to keep the store's daily wifi usage current: at start and
//! every 10 minutes, each whole local day (`[wifi] timezone`) up to yesterday that is not rolled
//! up yet is rolled up from the access points' samples, with the served cadastre's hotspots
//! (`questions::wifi::roll_up`, what `irisops wifi ... --config` runs first too). It has its own
//! store connection, so a day's rollup (0.3 s for 900 APs polled every minute) never holds the
//! API's reader.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use collector::config::WifiConfig;
use collector::store::{Retention, Store};

use crate::http::snapshot::Cadastres;
use crate::questions::wifi;

/// How often the task looks for a new whole day.
const EVERY: Duration = Duration::from_secs(600);

/// Starts the task (none without a served cadastre: no hotspots to roll up).
pub fn start(
    cadastre: Option<Arc<Cadastres>>,
    store_path: std::path::PathBuf,
    retention: Retention,
    cfg: WifiConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    let cad = cadastre?;
    Some(tokio::spawn(async move {
        loop {
            let (cad, path, cfg2) = (cad.clone(), store_path.clone(), cfg.clone());
            let done =
                tokio::task::spawn_blocking(move || once(&cad, &path, retention, &cfg2)).await;
            match done {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(rows = n, "wifi usage rolled up"),
                Ok(Err(e)) => tracing::warn!(error = %e, "wifi usage not rolled up"),
                Err(e) => tracing::warn!(error = %e, "wifi rollup task failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = shutdown.changed() => return,
            }
        }
    }))
}

/// One pass: the days up to yesterday not rolled up yet; the rows written.
fn once(
    cad: &Cadastres,
    path: &std::path::Path,
    retention: Retention,
    cfg: &WifiConfig,
) -> Result<usize, String> {
    let snap = cad.current().map_err(|e| e.to_string())?;
    let mut store = Store::open(path, retention).map_err(|e| e.to_string())?;
    wifi::roll_up(&mut store, &snap.cad, cfg, wifi::yesterday(cfg)).map_err(|e| e.to_string())
}
