//! The SQLite schema and the connection settings.
//!
//! Layout, chosen for ingest speed and for range reads of one port:
//! - `device`: one row per device name, with its system group and last poll/status.
//! - `port`: one row per (device, key); `port_id` is the integer every sample refers to. An
//!   ifIndex renumbering updates `if_index` in place, so history stays on the same `port_id`.
//! - `poll_recent` and `sample`: the samples. Raw counters and sysUpTime are kept so rates can
//!   be recomputed, packed in a `raw` BLOB (see [`super::raw`]; schema version 1 had them as
//!   eleven INTEGER columns, [`migrate_v1`] converts). Two tables because ingest and reads want
//!   opposite orders:
//!   - `poll_recent` holds one row per device poll, its ports' samples packed in one BLOB
//!     (see [`super::recent`]): a write of a 2,001-port poll is one row of a few pages, where
//!     2,001 SQLite rows cost half the poller's CPU (schema version 2 had `sample_recent`, one
//!     row per port clustered on `(time_ms, port_id)`; [`migrate_v2`] moves its rows into
//!     `sample`). Keyed `(device_id, time_ms)`, so a device's recent polls are one range, with
//!     an index on `time_ms` for the rollup's time ranges.
//!   - `sample` is clustered on `(port_id, time_ms)`: a port's history is contiguous, a range
//!     read is one seek and a scan. [`super::Store::rollup`] moves complete 15-minute spans from
//!     `poll_recent` into it, several samples per port page at once (one row per port per
//!     poll).
//! - `rollup`: 5-minute buckets (avg and max per rate), also clustered on `(port_id, bucket_ms)`.
//! - `meta`: `rollup_from_ms`, the start of the oldest bucket that may need (re)computing.
//! - `lldp_neighbour` and `lldp_read` (schema 4): each device's latest LLDP neighbour table,
//!   replaced as a whole by every poll that walked it, and when it was read (a device with a
//!   `lldp_read` row and no neighbours has an empty table, one without was never read).
//! - `optic_sample` (schema 4): current optical levels per (device, port, lane, direction,
//!   time), lane 0 for a single-lane transceiver; pruned with the samples. `no_light` (schema
//!   6) marks a present optic's no-light floor. A device's period statistics (min/max/avg of
//!   its PM bin) are not stored: they are in the poll's JSON and the InfluxDB lines.
//! - `wifi_sample` and `wifi_ap_sample` (schema 4): a controller's totals per poll, and each
//!   AP's status and clients (an AP is keyed by its name, its MAC kept beside); pruned with the
//!   samples.
//! - `wifi_hotspot_day` (schema 5): each wifi hotspot's figures per local day (see
//!   [`super::wifi_usage`]), kept with the rollups; `meta.wifi_rolled_through` is the last day
//!   rolled up (days since 1970-01-01).
//!
//! - `alert` (schema 7): the alerts and their history, added by its own step
//!   (`super::alerts::migrate_to`).
//!
//! Schema 3 → 4 and 4 → 5 only added tables, 5 → 6 a column with a default: [`create`] adds
//! the missing ones (`IF NOT EXISTS`, [`add_missing_columns`]) and stamps the version, in one
//! transaction. Later steps (6 → 7, the alerts) are self-contained functions the open runs
//! after it.

use rusqlite::Connection;

/// Schema version stored in `PRAGMA user_version`.
pub(crate) const SCHEMA_VERSION: i64 = 7;

/// Length of a rollup bucket: 5 minutes.
pub const BUCKET_MS: i64 = 300_000;

/// The meta key of the rollup watermark.
pub(crate) const ROLLUP_FROM: &str = "rollup_from_ms";

/// The meta key of the wifi usage rollup's progress: the last local day rolled up, in days
/// since 1970-01-01.
pub(crate) const WIFI_ROLLED_THROUGH: &str = "wifi_rolled_through";

pub(crate) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS device (
    device_id     INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    sys_name      TEXT,
    sys_descr     TEXT,
    sys_object_id TEXT,
    sys_uptime    INTEGER,
    last_poll_ms  INTEGER,
    last_status   TEXT,
    last_error    TEXT,
    last_status_ms INTEGER
);
CREATE TABLE IF NOT EXISTS port (
    port_id      INTEGER PRIMARY KEY,
    device_id    INTEGER NOT NULL REFERENCES device(device_id),
    key          TEXT NOT NULL,
    if_index     INTEGER NOT NULL,
    if_name      TEXT,
    if_descr     TEXT,
    if_alias     TEXT,
    speed_bps    INTEGER,
    oper_status  INTEGER,
    admin_status INTEGER,
    UNIQUE (device_id, key)
);
CREATE TABLE IF NOT EXISTS rollup (
    port_id        INTEGER NOT NULL,
    bucket_ms      INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    in_bps_avg     REAL, in_bps_max REAL,
    out_bps_avg    REAL, out_bps_max REAL,
    utilisation_in_avg  REAL, utilisation_in_max  REAL,
    utilisation_out_avg REAL, utilisation_out_max REAL,
    in_errors_ps_avg    REAL, in_errors_ps_max    REAL,
    out_errors_ps_avg   REAL, out_errors_ps_max   REAL,
    in_discards_ps_avg  REAL, in_discards_ps_max  REAL,
    out_discards_ps_avg REAL, out_discards_ps_max REAL,
    PRIMARY KEY (port_id, bucket_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lldp_neighbour (
    device_id          INTEGER NOT NULL,
    seq                INTEGER NOT NULL,
    local_port         TEXT NOT NULL,
    remote_chassis_id  TEXT,
    remote_system_name TEXT,
    remote_port_id     TEXT,
    remote_port_descr  TEXT,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lldp_read (
    device_id INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS optic_sample (
    device_id INTEGER NOT NULL,
    port      TEXT NOT NULL,
    lane      INTEGER NOT NULL,
    direction INTEGER NOT NULL,
    time_ms   INTEGER NOT NULL,
    dbm       REAL NOT NULL,
    no_light  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, port, lane, direction, time_ms)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS optic_sample_time ON optic_sample (time_ms);
CREATE TABLE IF NOT EXISTS wifi_sample (
    device_id     INTEGER NOT NULL,
    time_ms       INTEGER NOT NULL,
    aps_total     INTEGER NOT NULL,
    aps_up        INTEGER NOT NULL,
    clients_total INTEGER NOT NULL,
    PRIMARY KEY (device_id, time_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wifi_ap_sample (
    device_id INTEGER NOT NULL,
    ap        TEXT NOT NULL,
    time_ms   INTEGER NOT NULL,
    mac       TEXT,
    status    TEXT NOT NULL,
    clients   INTEGER,
    PRIMARY KEY (device_id, ap, time_ms)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS wifi_ap_sample_time ON wifi_ap_sample (time_ms);
CREATE TABLE IF NOT EXISTS wifi_hotspot_day (
    hotspot      TEXT NOT NULL,
    date         TEXT NOT NULL, -- YYYY-MM-DD, local
    n_aps        INTEGER NOT NULL,
    peak_clients REAL,
    client_hours REAL,
    active_hours REAL,
    availability REAL,
    coverage     REAL NOT NULL,
    PRIMARY KEY (hotspot, date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
";

/// The columns of a `sample` row (schema version 2's `sample_recent` had the same).
const SAMPLE_COLUMNS: &str = "
    port_id        INTEGER NOT NULL,
    time_ms        INTEGER NOT NULL,
    interval_ms    INTEGER,
    raw            BLOB,
    in_bps         REAL,
    out_bps        REAL,
    in_pps         REAL,
    out_pps        REAL,
    in_errors_ps   REAL,
    out_errors_ps  REAL,
    in_discards_ps REAL,
    out_discards_ps REAL,
    utilisation_in  REAL,
    utilisation_out REAL,
    gap            INTEGER";

/// Applies the connection settings (see [`super::Store`] for the durability choice).
///
/// `wal_autocheckpoint = 16384` (a WAL of up to 64 MiB with 4 KiB pages): rollups and moves
/// rewrite the same last page of each port again and again, and a checkpoint copies a page
/// once however many times the WAL holds it; ingest measured 457k points/s with the default
/// 1,000 pages and 528k with this. `temp_store = FILE`: the rollup's sort of a 15-minute span
/// (1.5 M rows for 2,000 devices x 50 ports) spills to a temporary file instead of growing the
/// process by hundreds of MB (measured: 305-379 MB peaks with MEMORY). `cache_size` 16 MiB:
/// writes append at the right edge of the tables.
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // journal_mode returns a row, so it is queried rather than executed.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidQuery);
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = OFF;
         PRAGMA temp_store = FILE;
         PRAGMA cache_size = -16384;
         PRAGMA wal_autocheckpoint = 16384;",
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// The schema version found in the file (0 for a new file).
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Creates the tables of an empty database and stamps the version.
pub(crate) fn create(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(TABLES)?;
    add_missing_columns(&tx)?;
    tx.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS sample ({SAMPLE_COLUMNS},
           PRIMARY KEY (port_id, time_ms)) WITHOUT ROWID;"
    ))?;
    tx.execute_batch(POLL_RECENT)?;
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
    tx.commit()
}

/// Columns added to existing tables since they were created: `optic_sample.no_light`
/// (schema 6).
fn add_missing_columns(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let has: i64 = tx.query_row(
        "SELECT count(*) FROM pragma_table_info('optic_sample') WHERE name = 'no_light'",
        [],
        |r| r.get(0),
    )?;
    if has == 0 {
        tx.execute_batch(
            "ALTER TABLE optic_sample ADD COLUMN no_light INTEGER NOT NULL DEFAULT 0",
        )?;
    }
    Ok(())
}

/// The recent polls (see [`super::recent`]).
const POLL_RECENT: &str = "
CREATE TABLE IF NOT EXISTS poll_recent (
    device_id INTEGER NOT NULL,
    time_ms   INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (device_id, time_ms)
);
CREATE INDEX IF NOT EXISTS poll_recent_time ON poll_recent (time_ms);";

/// Converts a schema-2 store (recent samples one row per port in `sample_recent`) to the
/// current layout in one transaction: its rows move into `sample`, where they read the same.
/// Returns the rows moved.
pub(crate) fn migrate_v2(conn: &mut Connection) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let moved = tx.execute(
        "INSERT OR REPLACE INTO sample SELECT * FROM sample_recent ORDER BY port_id, time_ms",
        [],
    )?;
    tx.execute_batch(
        "DROP VIEW IF EXISTS sample_all;
         DROP TABLE sample_recent;",
    )?;
    tx.execute_batch(TABLES)?;
    tx.execute_batch(POLL_RECENT)?;
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
    tx.commit()?;
    Ok(moved as u64)
}

/// Converts a schema-1 store (raw counters as eleven INTEGER columns) to schema 2 in one
/// transaction: a crash half-way leaves the version-1 file as it was. [`migrate_v2`] follows.
pub(crate) fn migrate_v1(conn: &mut Connection) -> rusqlite::Result<u64> {
    use super::raw::RawCounters;
    let tx = conn.transaction()?;
    tx.execute_batch(
        "DROP VIEW IF EXISTS sample_all;
         ALTER TABLE sample RENAME TO sample_v1;
         ALTER TABLE sample_recent RENAME TO sample_recent_v1;",
    )?;
    tx.execute_batch(TABLES)?;
    tx.execute_batch(&format!(
        "CREATE TABLE sample ({SAMPLE_COLUMNS},
           PRIMARY KEY (port_id, time_ms)) WITHOUT ROWID;
         CREATE TABLE sample_recent ({SAMPLE_COLUMNS},
           PRIMARY KEY (time_ms, port_id)) WITHOUT ROWID;
         CREATE VIEW sample_all AS
           SELECT * FROM sample UNION ALL SELECT * FROM sample_recent;"
    ))?;
    let mut moved = 0u64;
    for table in ["sample", "sample_recent"] {
        let mut read = tx.prepare(&format!(
            "SELECT port_id, time_ms, interval_ms, sys_uptime, counter_bits, pkts_64,
               in_octets, out_octets, in_ucast_pkts, out_ucast_pkts, in_errors, out_errors,
               in_discards, out_discards, in_bps, out_bps, in_pps, out_pps, in_errors_ps,
               out_errors_ps, in_discards_ps, out_discards_ps, utilisation_in, utilisation_out,
               gap
             FROM {table}_v1"
        ))?;
        let params = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15";
        let mut write = tx.prepare(&format!("INSERT INTO {table} VALUES ({params})"))?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let c = |i: usize| -> rusqlite::Result<Option<u64>> {
                Ok(r.get::<_, Option<i64>>(i)?.map(|v| v as u64))
            };
            let raw = RawCounters {
                sys_uptime: r
                    .get::<_, Option<i64>>(3)?
                    .and_then(|v| u32::try_from(v).ok()),
                counter_bits: r
                    .get::<_, Option<i64>>(4)?
                    .and_then(|v| u8::try_from(v).ok())
                    .unwrap_or(0),
                pkts_bits_64: r.get::<_, Option<i64>>(5)?.unwrap_or(0) != 0,
                in_octets: c(6)?,
                out_octets: c(7)?,
                in_ucast_pkts: c(8)?,
                out_ucast_pkts: c(9)?,
                in_errors: c(10)?,
                out_errors: c(11)?,
                in_discards: c(12)?,
                out_discards: c(13)?,
            };
            let f = |i: usize| r.get::<_, Option<f64>>(i);
            write.execute(rusqlite::params![
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                &raw.encode()[..],
                f(14)?,
                f(15)?,
                f(16)?,
                f(17)?,
                f(18)?,
                f(19)?,
                f(20)?,
                f(21)?,
                f(22)?,
                f(23)?,
                r.get::<_, Option<i64>>(24)?,
            ])?;
            moved += 1;
        }
        drop(rows);
        drop(read);
        drop(write);
        tx.execute_batch(&format!("DROP TABLE {table}_v1"))?;
    }
    tx.execute_batch("PRAGMA user_version = 2")?;
    tx.commit()?;
    Ok(moved)
}
