//! The embedded store: the zero-set-up default sink. One SQLite file (`irisops.db`, bundled
//! SQLite, WAL) holds devices, ports, raw samples with their rates, 5-minute rollups, and answers
//! the reads the api needs (device and port lists, series, p95).
//!
//! It is a sync library: the pipeline's store sink calls it from `spawn_blocking` or its own
//! thread. [`Store`] is `Send` but not `Sync`; readers that run beside the writer open their own
//! [`Store`] on the same directory (WAL lets readers and one writer proceed together). One
//! writer per directory: the writer caches port rows and assumes no other writer changes them.
//!
//! Layout:
//! - [`schema`](self::schema): tables, connection settings, schema version.
//! - `write`: batched ingest, port identity and ifIndex renumbering.
//! - `rollup`: 5-minute rollups and retention pruning.
//! - `read`: devices, ports, series.
//! - `p95`: the billing 95th percentile.
//! - `wifi_usage`: the wifi hotspots' daily usage, rolled up from the per-AP samples.
//! - `alerts`: the alerts and their history (schema 7, its own migration step).

mod alerts;
mod observed;
mod p95;
pub mod raw;
pub(crate) mod read;
pub(crate) mod recent;
mod rollup;
pub mod schema;
mod wifi_import;
mod wifi_usage;
mod write;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod observed_tests;
#[cfg(test)]
mod rollup_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wifi_usage_tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use alerts::{AlertFilter, AlertRow, AlertWrite};
pub use observed::{LatestOptic, LatestWifi, LldpTables};
pub use p95::{p95_rank, P95};
pub use raw::RawCounters;
pub use read::{DeviceInfo, LatestRates, PortInfo, SeriesPoint};
pub use rollup::PruneStats;
pub use wifi_usage::{normalise_mac, HotspotAps, HotspotDay};
pub use write::WriteStats;

/// The file name of the database inside the store directory.
pub const DB_FILE: &str = "irisops.db";

/// How long data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw samples (counters and rates per poll). Default 14 days.
    pub samples: Duration,
    /// 5-minute rollups. Default 400 days (a year of billing plus a month).
    pub rollups: Duration,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            samples: Duration::from_secs(14 * 86_400),
            rollups: Duration::from_secs(400 * 86_400),
        }
    }
}

/// The embedded store. Owns one SQLite connection.
///
/// # Durability
/// The file is in WAL mode with `synchronous = NORMAL`. A [`Store::write`] that returned `Ok`
/// has its transaction appended to the WAL file through `write(2)` before the commit returns,
/// so it is in the operating system's page cache and survives `kill -9` of the process (the
/// requirement; `crash_tests` checks it). What NORMAL gives up against FULL is the `fsync` per
/// commit: a power loss or kernel crash may roll back the last commits since the last
/// checkpoint, never corrupt the file. FULL would cost one fsync per batch; the collector's
/// data is a measurement stream where losing the last seconds on power loss is acceptable, and
/// NORMAL keeps ingest independent of the disk's flush latency.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    retention: Retention,
    /// Per device name: its id and the ports as last written, so a write only touches `port`
    /// rows that changed. Cleared when a write fails (the transaction rolled back).
    cache: HashMap<String, write::DeviceCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in directory `path`: creates the directory and
    /// `irisops.db` inside it, switches to WAL and creates the schema.
    pub fn open(path: &Path, retention: Retention) -> Result<Store, StoreError> {
        std::fs::create_dir_all(path).map_err(|source| StoreError::CreateDir {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.join(DB_FILE);
        let mut conn = Connection::open(&file).map_err(sql(&file, "open"))?;
        schema::configure(&conn).map_err(sql(&file, "configure"))?;
        let found = schema::version(&conn).map_err(sql(&file, "read schema version"))?;
        if found > schema::SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path: file,
                found,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if found == 1 {
            let moved = schema::migrate_v1(&mut conn).map_err(sql(&file, "migrate schema 1"))?;
            tracing::info!(path = %file.display(), samples = moved, "store migrated from schema 1");
        }
        if found == 1 || found == 2 {
            let moved = schema::migrate_v2(&mut conn).map_err(sql(&file, "migrate schema 2"))?;
            tracing::info!(path = %file.display(), samples = moved, "store migrated from schema 2");
        } else if found < schema::SCHEMA_VERSION {
            schema::create(&mut conn).map_err(sql(&file, "create schema"))?;
        }
        // Each later step is self-contained and idempotent: it runs on every open.
        alerts::migrate_to(&mut conn, alerts::ALERTS_SCHEMA)
            .map_err(sql(&file, "migrate to the alerts' schema"))?;
        Ok(Store {
            conn,
            path: file,
            retention,
            cache: HashMap::new(),
        })
    }

    /// Opens the store in `path` only if one is there: for readers (a CLI report, a replay),
    /// where a mistyped path must not read as "nothing measured".
    pub fn open_existing(path: &Path, retention: Retention) -> Result<Store, StoreError> {
        if !path.join(DB_FILE).is_file() {
            return Err(StoreError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Store::open(path, retention)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The retention this store prunes to.
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when SQLite answers `ok`, else its report.
    pub fn integrity_check(&self) -> Result<Result<(), String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(sql(&self.path, "integrity check"))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sql(&self.path, "integrity check"))?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(Ok(()))
        } else {
            Ok(Err(lines.join("\n")))
        }
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store directory could not be created.
    #[error("cannot create store directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite failed; `op` names the store operation (`open`, `write`, `rollup`, ...).
    #[error("store {path}: {op}: {source}")]
    Sqlite {
        path: PathBuf,
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer irisops (unknown schema version).
    #[error("store {path}: schema version {found} is newer than this build's {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// [`Store::open_existing`] found no store there.
    #[error("no store at {path}")]
    NotFound { path: PathBuf },
    /// No device by that name has been stored.
    #[error("unknown device {device}")]
    UnknownDevice { device: String },
    /// No port by that key has been stored for the device.
    #[error("unknown port {port} on device {device}")]
    UnknownPort { device: String, port: String },
    /// A read was asked with an unusable argument (an empty range, a step of zero).
    #[error("invalid argument to {op}: {reason}")]
    InvalidArgument {
        op: &'static str,
        reason: &'static str,
    },
}

/// Maps a rusqlite error to [`StoreError::Sqlite`] with its context.
pub(crate) fn sql<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        op,
        source,
    }
}

/// A retention as milliseconds, saturating (a retention of centuries is "forever").
pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The start of the 5-minute bucket holding `time_ms` (floor, also for negative times).
pub(crate) fn bucket_of(time_ms: i64) -> i64 {
    time_ms.div_euclid(schema::BUCKET_MS) * schema::BUCKET_MS
}
