//! The durable outbox of a remote sink (InfluxDB; each alerts webhook receiver has its own):
//! batches of encoded points or notifications, appended before they count as handed over,
//! removed when the remote acknowledged them.
//!
//! One SQLite file (`outbox.db` beside the store, its own connection: a stuck store never
//! blocks it, nor it the store), WAL with `synchronous = FULL`: an appended batch survives a
//! power cut, not only a crash of the process (a batch is a few thousand points, so one fsync
//! per batch is cheap). SQLite's WAL frames carry checksums, so a torn write at the tail is
//! discarded by SQLite itself on open; each batch also carries a CRC-32 of its body, checked
//! when it is read: a body that does not match is reported, counted and removed, never sent
//! and never a panic. After a restart only the batches still here are sent. The outbox is
//! bounded: when an append would exceed `max_bytes`, the oldest batches are dropped and
//! counted (the embedded store still has their data).

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

/// File name of the outbox inside its directory.
pub const OUTBOX_FILE: &str = "outbox.db";

/// Errors of the outbox (SQLite, with the file and the operation).
#[derive(Debug, thiserror::Error)]
#[error("outbox {path}: cannot {op}: {source}")]
pub struct OutboxError {
    path: PathBuf,
    op: &'static str,
    #[source]
    source: rusqlite::Error,
}

impl OutboxError {
    /// The thread that runs the outboxes' work could not start.
    pub fn thread(dir: &Path, e: std::io::Error) -> OutboxError {
        OutboxError {
            path: dir.to_path_buf(),
            op: "start its thread",
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        }
    }
}

/// One queued batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: i64,
    pub created_ms: i64,
    pub n_points: u64,
    pub body: Vec<u8>,
}

/// Counts for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Batches waiting.
    pub depth: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Creation time of the oldest, ms since the epoch.
    pub oldest_ms: Option<i64>,
    /// Batches acknowledged by the remote, ever.
    pub sent: u64,
    /// Points in them.
    pub sent_points: u64,
    /// Batches dropped: the outbox full, or refused for good by the remote.
    pub dropped: u64,
    pub dropped_points: u64,
    /// Batches whose body failed its CRC (skipped).
    pub corrupt: u64,
}

/// The outbox.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
    /// The sink it queues for, in its log lines (`influx`, `webhook:NAME`).
    sink: String,
    /// Acknowledgements and rejections commit without an fsync (see [`Outbox::lazy_acks`]).
    lazy_acks: bool,
    max_bytes: u64,
    /// Batches and body bytes queued: measured once at open, then kept up to date by every
    /// committed change (so an append during a long outage does not sum the whole queue).
    depth: u64,
    bytes: u64,
}

/// An error of `op` on the outbox at `path`.
fn failed<'a>(
    path: &'a Path,
    op: &'static str,
) -> impl FnOnce(rusqlite::Error) -> OutboxError + 'a {
    move |source| OutboxError {
        path: path.to_path_buf(),
        op,
        source,
    }
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib).
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    !data.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8)
    })
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batch (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    n_points   INTEGER NOT NULL,
    crc        INTEGER NOT NULL,
    body       BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS counter (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mark (
    device  TEXT PRIMARY KEY,
    time_ms INTEGER NOT NULL
) WITHOUT ROWID;";

impl Outbox {
    /// Opens (creating) `dir/outbox.db`, the InfluxDB sink's.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Outbox, OutboxError> {
        Outbox::open_for(dir, max_bytes, "influx")
    }

    /// Opens (creating) `dir/outbox.db` for the sink named `sink` (in log lines).
    pub fn open_for(dir: &Path, max_bytes: u64, sink: &str) -> Result<Outbox, OutboxError> {
        let path = dir.join(OUTBOX_FILE);
        let err = |op| failed(&path, op);
        std::fs::create_dir_all(dir).map_err(|e| OutboxError {
            path: path.clone(),
            op: "create its directory",
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        let conn = Connection::open(&path).map_err(err("open"))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err("switch to WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(OutboxError {
                path,
                op: "switch to WAL",
                source: rusqlite::Error::InvalidQuery,
            });
        }
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .map_err(err("configure"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err("configure"))?;
        conn.execute_batch(SCHEMA)
            .map_err(err("create the schema"))?;
        // When this outbox began: devices with no mark replay from here.
        conn.execute(
            "INSERT OR IGNORE INTO counter (name, value) VALUES ('created_ms', ?1)",
            [crate::poll::now_ms()],
        )
        .map_err(err("stamp its creation"))?;
        let (depth, bytes): (i64, i64) = conn
            .query_row(
                "SELECT count(*), coalesce(sum(length(body)), 0) FROM batch",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err("measure the queue"))?;
        Ok(Outbox {
            conn,
            path,
            sink: sink.to_string(),
            lazy_acks: false,
            max_bytes,
            depth: depth.max(0) as u64,
            bytes: bytes.max(0) as u64,
        })
    }

    /// Acknowledgements and rejections commit with `synchronous = NORMAL` (appends keep
    /// FULL): a power cut may undo the last ones, so those batches are sent again — for a
    /// remote that de-duplicates (the webhooks' stable ids), one fsync fewer per batch.
    pub fn lazy_acks(mut self) -> Outbox {
        self.lazy_acks = true;
        self
    }

    fn err(&self, op: &'static str) -> impl FnOnce(rusqlite::Error) -> OutboxError + '_ {
        failed(&self.path, op)
    }

    /// Appends a batch; when it returns, the batch is on disk. Drops the oldest batches first
    /// if the outbox would exceed its bound (a batch larger than the bound is kept alone).
    pub fn append(
        &mut self,
        body: &[u8],
        n_points: u64,
        created_ms: i64,
    ) -> Result<i64, OutboxError> {
        self.append_marked(body, n_points, created_ms, &[])
    }

    /// Drops the oldest batches (counted, and logged) in `tx` until `need` more bytes fit
    /// under the bound, or nothing is left; the queue's depth and bytes after.
    /// (An associated function: the caller's transaction borrows the connection.)
    fn make_room(
        tx: &rusqlite::Transaction<'_>,
        (path, sink, max_bytes): (&Path, &str, u64),
        (mut depth, mut bytes): (u64, u64),
        need: u64,
    ) -> Result<(u64, u64), OutboxError> {
        let err = |op| failed(path, op);
        while bytes + need > max_bytes && depth > 0 {
            let oldest: Option<(i64, i64, i64)> = tx
                .query_row(
                    "SELECT id, length(body), n_points FROM batch ORDER BY id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(err("find the oldest batch"))?;
            let Some((id, len, n)) = oldest else { break };
            tx.execute("DELETE FROM batch WHERE id = ?1", [id])
                .map_err(err("drop the oldest batch"))?;
            bump(tx, "dropped", 1).map_err(err("count"))?;
            bump(tx, "dropped_points", n).map_err(err("count"))?;
            bytes = bytes.saturating_sub(len.max(0) as u64);
            depth = depth.saturating_sub(1);
            tracing::warn!(
                sink,
                batch = id,
                points = n,
                "outbox full: oldest batch dropped"
            );
        }
        Ok((depth, bytes))
    }

    /// [`Outbox::append`], raising in the same transaction each device's high-water mark (the
    /// newest poll time of it the outbox has ever taken): after a crash, what the store holds
    /// beyond a device's mark never reached the outbox and is replayed.
    pub fn append_marked(
        &mut self,
        body: &[u8],
        n_points: u64,
        created_ms: i64,
        marks: &[(String, i64)],
    ) -> Result<i64, OutboxError> {
        let err = |op| failed(&self.path, op);
        let tx = self.conn.transaction().map_err(err("begin append"))?;
        let bound = (self.path.as_path(), self.sink.as_str(), self.max_bytes);
        let (depth, bytes) =
            Self::make_room(&tx, bound, (self.depth, self.bytes), body.len() as u64)?;
        tx.execute(
            "INSERT INTO batch (created_ms, n_points, crc, body) VALUES (?1, ?2, ?3, ?4)",
            params![created_ms, n_points as i64, i64::from(crc32(body)), body],
        )
        .map_err(err("append"))?;
        let id = tx.last_insert_rowid();
        for (device, t) in marks {
            tx.execute(
                "INSERT INTO mark (device, time_ms) VALUES (?1, ?2)
                 ON CONFLICT (device) DO UPDATE SET time_ms = max(time_ms, excluded.time_ms)",
                params![device, t],
            )
            .map_err(err("raise a mark"))?;
        }
        tx.commit().map_err(err("commit the append"))?;
        self.depth = depth + 1;
        self.bytes = bytes + body.len() as u64;
        Ok(id)
    }

    /// Appends several batches in one transaction (one fsync); when it returns, they are on
    /// disk, in order. Each counts `n_points` as given beside it.
    pub fn append_many(
        &mut self,
        batches: &[(&[u8], u64)],
        created_ms: i64,
    ) -> Result<(), OutboxError> {
        let err = |op| failed(&self.path, op);
        let tx = self.conn.transaction().map_err(err("begin append"))?;
        let total: u64 = batches.iter().map(|(b, _)| b.len() as u64).sum();
        let bound = (self.path.as_path(), self.sink.as_str(), self.max_bytes);
        let (depth, bytes) = Self::make_room(&tx, bound, (self.depth, self.bytes), total)?;
        for (body, n) in batches {
            tx.execute(
                "INSERT INTO batch (created_ms, n_points, crc, body) VALUES (?1, ?2, ?3, ?4)",
                params![created_ms, *n as i64, i64::from(crc32(body)), body],
            )
            .map_err(err("append"))?;
        }
        tx.commit().map_err(err("commit the append"))?;
        self.depth = depth + batches.len() as u64;
        self.bytes = bytes + total;
        Ok(())
    }

    /// The oldest batch whose body is intact; corrupt ones met on the way are reported,
    /// counted and removed.
    pub fn oldest(&mut self) -> Result<Option<Batch>, OutboxError> {
        loop {
            let row: Option<(i64, i64, i64, i64, Vec<u8>)> = self
                .conn
                .query_row(
                    "SELECT id, created_ms, n_points, crc, body FROM batch ORDER BY id LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()
                .map_err(self.err("read the oldest batch"))?;
            let Some((id, created_ms, n, crc, body)) = row else {
                return Ok(None);
            };
            if i64::from(crc32(&body)) == crc {
                return Ok(Some(Batch {
                    id,
                    created_ms,
                    n_points: n.max(0) as u64,
                    body,
                }));
            }
            tracing::error!(
                sink = self.sink.as_str(),
                batch = id,
                bytes = body.len(),
                "outbox batch fails its CRC (corrupt on disk): skipped"
            );
            let skipped = self.conn.transaction().and_then(|tx| {
                tx.execute("DELETE FROM batch WHERE id = ?1", [id])?;
                bump(&tx, "corrupt", 1)?;
                tx.commit()
            });
            skipped.map_err(failed(&self.path, "skip a corrupt batch"))?;
            self.depth = self.depth.saturating_sub(1);
            self.bytes = self.bytes.saturating_sub(body.len() as u64);
        }
    }

    /// The remote acknowledged batch `id`: removed, counted as sent.
    pub fn ack(&mut self, id: i64) -> Result<(), OutboxError> {
        self.remove(id, "sent", "sent_points")
    }

    /// Batch `id` can never succeed (the remote refused it for good): removed, counted.
    pub fn reject(&mut self, id: i64) -> Result<(), OutboxError> {
        self.remove(id, "dropped", "dropped_points")
    }

    fn remove(&mut self, id: i64, batches: &str, points: &str) -> Result<(), OutboxError> {
        if self.lazy_acks {
            self.synchronous("NORMAL")?;
        }
        let r = self.remove_in(id, batches, points);
        if self.lazy_acks {
            self.synchronous("FULL")?;
        }
        r
    }

    fn synchronous(&self, level: &str) -> Result<(), OutboxError> {
        self.conn
            .execute_batch(&format!("PRAGMA synchronous = {level};"))
            .map_err(failed(&self.path, "set synchronous"))
    }

    fn remove_in(&mut self, id: i64, batches: &str, points: &str) -> Result<(), OutboxError> {
        let err = || failed(&self.path, "remove a batch");
        let tx = self.conn.transaction().map_err(err())?;
        let removed: Option<(i64, i64)> = tx
            .query_row(
                "DELETE FROM batch WHERE id = ?1 RETURNING n_points, length(body)",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err())?;
        if let Some((n, _)) = removed {
            bump(&tx, batches, 1).map_err(err())?;
            bump(&tx, points, n).map_err(err())?;
        }
        tx.commit().map_err(err())?;
        if let Some((_, len)) = removed {
            self.depth = self.depth.saturating_sub(1);
            self.bytes = self.bytes.saturating_sub(len.max(0) as u64);
        }
        Ok(())
    }

    /// Depth, bytes, oldest, and the counters.
    pub fn stats(&self) -> Result<OutboxStats, OutboxError> {
        // The oldest batch is the first by id: one seek, not a scan.
        let oldest: Option<i64> = self
            .conn
            .query_row(
                "SELECT created_ms FROM batch ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err("read stats"))?;
        let mut counters = std::collections::HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, value FROM counter")
            .map_err(self.err("read counters"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(self.err("read counters"))?;
        for row in rows {
            let (name, v) = row.map_err(self.err("read counters"))?;
            counters.insert(name, v.max(0) as u64);
        }
        let counter = |name: &str| counters.get(name).copied().unwrap_or(0);
        Ok(OutboxStats {
            depth: self.depth,
            bytes: self.bytes,
            oldest_ms: oldest,
            sent: counter("sent"),
            sent_points: counter("sent_points"),
            dropped: counter("dropped"),
            dropped_points: counter("dropped_points"),
            corrupt: counter("corrupt"),
        })
    }

    /// Every device's high-water mark, and when the outbox was created.
    pub fn marks(&self) -> Result<(std::collections::BTreeMap<String, i64>, i64), OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT device, time_ms FROM mark")
            .map_err(self.err("read marks"))?;
        let marks = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
            .map_err(self.err("read marks"))?;
        let created: i64 = self
            .conn
            .query_row(
                "SELECT value FROM counter WHERE name = 'created_ms'",
                [],
                |r| r.get(0),
            )
            .map_err(self.err("read marks"))?;
        Ok((marks, created))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn bump(tx: &rusqlite::Transaction<'_>, name: &str, by: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO counter (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        params![name, by],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn batches_come_back_in_order_until_acknowledged_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        let a = o.append(b"m f=1 1\n", 1, 10).unwrap();
        let b = o.append(b"m f=2 2\nm f=3 3\n", 2, 20).unwrap();
        assert_eq!(o.oldest().unwrap().unwrap().id, a);
        o.ack(a).unwrap();
        drop(o);
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        let next = o.oldest().unwrap().unwrap();
        assert_eq!((next.id, next.n_points), (b, 2));
        assert_eq!(next.body, b"m f=2 2\nm f=3 3\n");
        let s = o.stats().unwrap();
        assert_eq!(
            (s.depth, s.sent, s.sent_points, s.oldest_ms),
            (1, 1, 1, Some(20))
        );
        o.reject(b).unwrap();
        assert_eq!(o.oldest().unwrap(), None);
        let s = o.stats().unwrap();
        assert_eq!(
            (s.depth, s.dropped, s.dropped_points, s.bytes),
            (0, 1, 2, 0)
        );
    }

    #[test]
    fn several_batches_append_at_once_in_order_and_lazy_acks_still_remove() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open_for(dir.path(), 1 << 20, "webhook:t")
            .unwrap()
            .lazy_acks();
        o.append_many(&[(b"a", 1), (b"bb", 2)], 5).unwrap();
        let first = o.oldest().unwrap().unwrap();
        assert_eq!((first.body.as_slice(), first.n_points), (&b"a"[..], 1));
        o.ack(first.id).unwrap();
        drop(o);
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(o.oldest().unwrap().unwrap().body, b"bb");
        let s = o.stats().unwrap();
        assert_eq!((s.depth, s.bytes, s.sent, s.sent_points), (1, 2, 1, 1));
    }

    #[test]
    fn marks_only_rise_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        let (m, created) = o.marks().unwrap();
        assert!(m.is_empty() && created > 0);
        let mark = |d: &str, t: i64| (d.to_string(), t);
        o.append_marked(b"a", 1, 1, &[mark("r1", 50), mark("r2", 70)])
            .unwrap();
        o.append_marked(b"b", 1, 2, &[mark("r1", 40)]).unwrap();
        drop(o);
        let o = Outbox::open(dir.path(), 1 << 20).unwrap();
        let (m, again) = o.marks().unwrap();
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            [mark("r1", 50), mark("r2", 70)]
        );
        assert_eq!(again, created, "the creation stamp is kept");
    }

    #[test]
    fn a_full_outbox_drops_its_oldest_batches_and_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path(), 100).unwrap();
        for i in 0..5 {
            o.append(&[b'x'; 40], 4, i).unwrap();
        }
        let s = o.stats().unwrap();
        // 100 bytes hold two 40-byte batches.
        assert_eq!(
            (s.depth, s.bytes, s.dropped, s.dropped_points),
            (2, 80, 3, 12)
        );
        assert_eq!(s.oldest_ms, Some(3));
    }

    #[test]
    fn a_corrupt_body_is_reported_and_skipped_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        let a = o.append(b"m f=1 1\n", 1, 1).unwrap();
        let b = o.append(b"m f=2 2\n", 1, 2).unwrap();
        // Bit rot in the first body, behind SQLite's back.
        o.conn
            .execute(
                "UPDATE batch SET body = ?1 WHERE id = ?2",
                params![&b"m f=9 1\n"[..], a],
            )
            .unwrap();
        assert_eq!(o.oldest().unwrap().unwrap().id, b);
        assert_eq!(o.stats().unwrap().corrupt, 1);
    }

    #[test]
    fn a_torn_tail_of_the_write_ahead_log_loses_only_the_torn_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outbox::open(dir.path(), 1 << 20).unwrap();
        // Checkpoint what is there, so the WAL holds only what follows.
        o.append(b"m f=1 1\n", 1, 1).unwrap();
        o.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        o.append(&vec![b'y'; 20_000], 1, 2).unwrap();
        let wal = dir.path().join(format!("{OUTBOX_FILE}-wal"));
        // A copy of the files as a crash mid-write would leave them: the WAL cut in the
        // middle of the last batch's frames, and garbage after the cut.
        let crashed = tempfile::tempdir().unwrap();
        std::fs::copy(o.path(), crashed.path().join(OUTBOX_FILE)).unwrap();
        let mut bytes = std::fs::read(&wal).unwrap();
        assert!(bytes.len() > 12_000, "{}", bytes.len());
        bytes.truncate(bytes.len() / 2);
        bytes.extend_from_slice(&[0xA5; 777]);
        std::fs::write(crashed.path().join(format!("{OUTBOX_FILE}-wal")), &bytes).unwrap();
        let mut again = Outbox::open(crashed.path(), 1 << 20).unwrap();
        let first = again.oldest().unwrap().unwrap();
        assert_eq!(first.body, b"m f=1 1\n");
        again.ack(first.id).unwrap();
        // The torn batch never committed as far as SQLite can tell: it is gone, not garbage.
        assert_eq!(again.oldest().unwrap(), None);
    }
}
