//! Table walks: several columns per GETBULK PDU, as one rectangular table.
//!
//! The walker keeps one cursor per column and asks for every unfinished column in each PDU;
//! a GETBULK reply is read row by row (varbind i belongs to column i mod n). It stops a column
//! at the first OID outside it or at endOfMibView, refuses an OID that does not increase (an
//! agent loop), halves max-repetitions when a GETBULK goes unanswered or is tooBig (oversized
//! rows exist in the wild) and remembers the size that worked. A short reply is never read as
//! the end of a table: the walk goes on from the last OID received, so a reply cut short by a
//! size limit (or by a codec that stops at a bad varbind) loses nothing.

use tokio::time::Instant;

use std::cmp::Ordering;

use super::ber::Response;
use super::oid::{cmp_subids, Oid};
use super::session::{Session, SnmpError};
use super::value::Value;

/// The most varbinds we ask for in one GETBULK (rows × columns).
const MAX_VARBINDS_PER_PDU: u32 = 256;
/// v1 and v2c error-status tooBig / noSuchName.
const TOO_BIG: u32 = 1;
const NO_SUCH_NAME: u32 = 2;

/// What was walked: per column, the (OID, value) rows in OID order.
#[derive(Debug, Default)]
pub struct Table {
    pub columns: Vec<Vec<(Oid, Value)>>,
    /// Length of each column's OID encoding: a row's index suffix starts there.
    prefix_len: Vec<usize>,
    pub n_requests: u32,
    pub n_varbinds: u32,
}

impl Table {
    /// An empty table of these columns.
    pub fn new(columns: &[Oid]) -> Table {
        Table::with_rows(columns, 0)
    }

    /// An empty table of these columns, with room for `rows` rows in each.
    pub fn with_rows(columns: &[Oid], rows: usize) -> Table {
        Table {
            columns: (0..columns.len())
                .map(|_| Vec::with_capacity(rows))
                .collect(),
            prefix_len: columns.iter().map(|c| c.as_ber().len()).collect(),
            ..Table::default()
        }
    }

    /// Appends the columns of another walk after these (walks of one column each, joined).
    pub fn append(&mut self, other: Table) {
        self.columns.extend(other.columns);
        self.prefix_len.extend(other.prefix_len);
        self.n_requests += other.n_requests;
        self.n_varbinds += other.n_varbinds;
    }

    /// The most rows any column has.
    pub fn max_rows(&self) -> usize {
        self.columns.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Column `c`'s rows as (encoded index suffix, value).
    pub fn rows(&self, c: usize) -> impl Iterator<Item = (&[u8], &Value)> + '_ {
        let skip = self.prefix_len.get(c).copied().unwrap_or(0);
        self.columns
            .get(c)
            .into_iter()
            .flatten()
            .map(move |(o, v)| (&o.as_ber()[skip..], v))
    }
}

/// The GETBULK size that last worked, carried across polls of a device, with the size of
/// the last walk's longest column (so the next one allocates its rows once).
#[derive(Debug, Clone, Copy)]
pub struct Repetitions {
    pub configured: u32,
    pub current: u32,
    pub rows_hint: usize,
}

impl Repetitions {
    pub fn new(configured: u32) -> Self {
        Repetitions {
            configured: configured.max(1),
            current: configured.max(1),
            rows_hint: 0,
        }
    }
}

/// Walks `columns` (each a column OID such as ifHCInOctets) until each leaves its subtree.
pub async fn walk(
    session: &mut Session,
    columns: &[Oid],
    reps: &mut Repetitions,
    deadline: Instant,
) -> Result<Table, SnmpError> {
    let mut tables = walk_many(session, &[columns], reps, deadline).await?;
    Ok(tables.pop().unwrap_or_default())
}

/// Walks several tables at once: each group of columns is walked as by [`walk`] (its columns
/// together in each PDU), and the groups' next requests are in flight together, so one
/// wake-up of the poller reads up to one reply per group ([`Session::bulk_many`]). The walk
/// fails as a whole on the first group's error. `reps` is shared: a group that times out
/// halves it for all.
pub async fn walk_many(
    session: &mut Session,
    groups: &[&[Oid]],
    reps: &mut Repetitions,
    deadline: Instant,
) -> Result<Vec<Table>, SnmpError> {
    // Bounded: a hint from a huge table must not reserve memory for every column of another.
    let hint = reps.rows_hint.min(65_536);
    let mut walks: Vec<GroupWalk<'_>> = groups.iter().map(|c| GroupWalk::new(c, hint)).collect();
    let v1 = session.is_v1();
    loop {
        let live: Vec<usize> = (0..walks.len())
            .filter(|&g| !walks[g].active.is_empty())
            .collect();
        if live.is_empty() {
            break;
        }
        for &g in &live {
            walks[g].table.n_requests += 1;
        }
        let reqs: Vec<(Vec<&Oid>, u32)> = live.iter().map(|&g| walks[g].request(reps)).collect();
        let sizes: Vec<u32> = reqs.iter().map(|r| r.1).collect();
        // v2c/v3 back off instead of resending; v1's GETNEXT keeps the session's retries.
        let retries = if v1 { session.retries() } else { 0 };
        let replies = session.bulk_many(&reqs, deadline, retries).await;
        drop(reqs);
        for ((&g, reply), r) in live.iter().zip(replies).zip(sizes) {
            walks[g].on_reply(reply, r, v1, reps, deadline)?;
        }
    }
    let tables: Vec<Table> = walks.into_iter().map(|w| w.table).collect();
    reps.rows_hint = tables.iter().map(Table::max_rows).max().unwrap_or(0);
    Ok(tables)
}

/// The state of one table's walk.
struct GroupWalk<'c> {
    columns: &'c [Oid],
    cursors: Vec<Oid>,
    active: Vec<usize>,
    table: Table,
    timeouts_at_one: u32,
}

impl<'c> GroupWalk<'c> {
    fn new(columns: &'c [Oid], rows_hint: usize) -> Self {
        GroupWalk {
            columns,
            cursors: columns.to_vec(),
            active: (0..columns.len()).collect(),
            table: Table::with_rows(columns, rows_hint),
            timeouts_at_one: 0,
        }
    }

    /// The next request: every unfinished column, and the repetitions to ask.
    fn request(&self, reps: &Repetitions) -> (Vec<&Oid>, u32) {
        let n = self.active.len() as u32;
        let per_pdu = (MAX_VARBINDS_PER_PDU / n.max(1)).max(1);
        let oids = self.active.iter().map(|&c| &self.cursors[c]).collect();
        (oids, reps.current.min(per_pdu))
    }

    /// Takes the reply to the request of size `r`.
    fn on_reply(
        &mut self,
        reply: Result<Response, SnmpError>,
        r: u32,
        v1: bool,
        reps: &mut Repetitions,
        deadline: Instant,
    ) -> Result<(), SnmpError> {
        let resp = match reply {
            Ok(resp) if resp.error_status == TOO_BIG && r > 1 => {
                reps.current = reps.current.min((r / 2).max(1));
                return Ok(());
            }
            Err(SnmpError::Timeout) if r > 1 && Instant::now() < deadline => {
                reps.current = reps.current.min((r / 2).max(1));
                tracing::debug!(
                    max_repetitions = reps.current,
                    "GETBULK unanswered: backing off"
                );
                return Ok(());
            }
            Err(SnmpError::Timeout)
                if self.timeouts_at_one < 1 && Instant::now() < deadline && !v1 =>
            {
                self.timeouts_at_one += 1;
                return Ok(());
            }
            Ok(resp) => resp,
            Err(e) => return Err(e),
        };
        if v1 && resp.error_status == NO_SUCH_NAME {
            // v1 end of MIB: the column at error-index (1-based) is finished.
            let i = resp.error_index as usize;
            if i == 0 || i > self.active.len() {
                return Err(SnmpError::Protocol(
                    "noSuchName without a valid index".into(),
                ));
            }
            self.active.remove(i - 1);
            return Ok(());
        }
        if resp.error_status != 0 {
            return Err(SnmpError::ErrorStatus {
                status: resp.error_status,
                index: resp.error_index,
            });
        }
        let active = std::mem::take(&mut self.active);
        self.active = consume(
            resp,
            self.columns,
            &mut self.cursors,
            active,
            &mut self.table,
        )?;
        Ok(())
    }
}

/// Reads one reply row by row; returns the columns still to walk. Rows keep their decoded
/// OID (moved, not copied); each column's cursor is updated once per reply.
fn consume(
    resp: Response,
    columns: &[Oid],
    cursors: &mut [Oid],
    active: Vec<usize>,
    table: &mut Table,
) -> Result<Vec<usize>, SnmpError> {
    if resp.varbinds.is_empty() {
        return Err(SnmpError::Protocol("empty reply to a table walk".into()));
    }
    table.n_varbinds += resp.varbinds.len() as u32;
    let n = active.len();
    let mut done = vec![false; n];
    // The row this reply last added per slot (None: the cursor is the latest).
    let mut last_row: Vec<Option<usize>> = vec![None; n];
    for (i, (oid, value)) in resp.varbinds.into_iter().enumerate() {
        let slot = i % n;
        if done[slot] {
            continue;
        }
        let c = active[slot];
        if matches!(value, Value::EndOfMibView) {
            done[slot] = true;
            continue;
        }
        let Some(suffix) = oid.suffix_after(&columns[c]) else {
            done[slot] = true;
            continue;
        };
        let prev = match last_row[slot] {
            Some(r) => &table.columns[c][r].0,
            None => &cursors[c],
        };
        let prev_suffix = prev.suffix_after(&columns[c]).unwrap_or(&[]);
        if cmp_subids(suffix, prev_suffix) != Ordering::Greater {
            return Err(SnmpError::Protocol(format!(
                "agent returned a non-increasing OID in column {}",
                columns[c]
            )));
        }
        if matches!(value, Value::NoSuchObject | Value::NoSuchInstance) {
            cursors[c] = oid;
            last_row[slot] = None;
        } else {
            table.columns[c].push((oid, value));
            last_row[slot] = Some(table.columns[c].len() - 1);
        }
    }
    for (slot, row) in last_row.into_iter().enumerate() {
        if let Some(r) = row {
            let c = active[slot];
            cursors[c] = table.columns[c][r].0.clone();
        }
    }
    Ok(active
        .into_iter()
        .zip(done)
        .filter(|(_, d)| !d)
        .map(|(c, _)| c)
        .collect())
}

#[cfg(test)]
mod tests;
