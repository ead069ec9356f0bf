//! Where the graph questions' measurements come from on the command line: the store a config
//! names (read by `crate::questions::live`), or a fixture file shaped like
//! `irisops poll --format json`.

use std::path::Path as FsPath;

use anyhow::Context;
use serde::Deserialize;

use collector::config::Config;
use collector::sample::{LldpNeighbour, OpticReading};
use collector::store::{Retention, Store, StoreError};
use topology::Observed;

use crate::questions::live::{level, neighbour};

/// Opens the store a config names, refusing to create one (a typo must not read as "nothing
/// measured").
pub fn open_store(config: &FsPath) -> anyhow::Result<Store> {
    open_store_of(&load_config(config)?, config)
}

/// Loads a config, every problem in the error.
pub fn load_config(config: &FsPath) -> anyhow::Result<Config> {
    Config::load(config).map_err(|e| {
        anyhow::anyhow!(
            "{}: invalid configuration:\n{}",
            config.display(),
            e.problems()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Opens the store `cfg` (read from the file `config`) names, refusing to create one.
pub fn open_store_of(cfg: &Config, config: &FsPath) -> anyhow::Result<Store> {
    let path = &cfg.store.path;
    let retention = Retention {
        samples: cfg.store.retention,
        rollups: cfg.store.rollup_retention,
    };
    match Store::open_existing(path, retention) {
        Err(StoreError::NotFound { .. }) => anyhow::bail!(
            "no store at {} (store.path of {}): run `irisops serve` first",
            path.display(),
            config.display()
        ),
        r => r.with_context(|| format!("cannot open the store at {}", path.display())),
    }
}

/// A device of a fixture (`{"devices": [{"name", "lldp", "optics", "lldp_chassis_id"}]}`).
#[derive(Deserialize)]
struct FixtureDevice {
    name: String,
    /// Absent or null: the LLDP table was not read.
    #[serde(default)]
    lldp: Option<Vec<LldpNeighbour>>,
    #[serde(default)]
    optics: Vec<OpticReading>,
    /// The device's own chassis id, to resolve remotes that give no system name.
    #[serde(default)]
    lldp_chassis_id: Option<String>,
}

#[derive(Deserialize)]
struct Fixture {
    devices: Vec<FixtureDevice>,
}

/// Observations from a file shaped like `irisops poll --format json` (extra keys ignored).
pub fn observed_from_file(file: &FsPath) -> anyhow::Result<Observed> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let fixture: Fixture = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a poll report ({{\"devices\": [{{\"name\", \"lldp\", \"optics\"}}]}})",
            file.display()
        )
    })?;
    let mut out = Observed::default();
    for d in fixture.devices {
        if let Some(c) = d.lldp_chassis_id {
            out.chassis_ids.insert(d.name.clone(), c);
        }
        if let Some(table) = d.lldp {
            out.lldp_devices.insert(d.name.clone());
            out.neighbours
                .extend(table.into_iter().map(|n| neighbour(&d.name, n)));
        }
        out.optics
            .extend(d.optics.into_iter().filter_map(|o| level(&d.name, o)));
    }
    Ok(out)
}
