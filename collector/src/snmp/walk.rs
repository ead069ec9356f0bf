//! Table walks: several columns per GETBULK PDU, as one rectangular table.
//!
//! The walker keeps one cursor per column and asks for every unfinished column in each PDU;
//! a GETBULK reply is read row by row (varbind i belongs to column i mod n). It stops a column
//! at the first OID outside it or at endOfMibView, refuses an OID that does not increase (an
//! agent loop), halves max-repetitions when a GETBULK is tooBig or goes unanswered after all
//! its tries (oversized rows exist in the wild) and remembers the size that worked. Lost and
//! late replies are the session's business: it resends, matches late replies to their
//! request and sizes the window of requests in flight ([`super::window`]). A short reply is never read as
//! the end of a table: the walk goes on from the last OID received, so a reply cut short by a
//! size limit (or by a codec that stops at a bad varbind) loses nothing.

use tokio::time::Instant;

use std::cmp::Ordering;
use std::collections::HashMap;

use smallvec::SmallVec;

use super::ber::Reply;
use super::oid::{check_ber, cmp_subids, single_subid, Oid};
use super::session::{Session, SnmpError};
use super::value::Value;

/// The most varbinds we ask for in one GETBULK (rows × columns).
const MAX_VARBINDS_PER_PDU: u32 = 256;
/// v1 and v2c error-status tooBig / noSuchName.
const TOO_BIG: u32 = 1;
const NO_SUCH_NAME: u32 = 2;

/// A row's index suffix (the encoded sub-ids after its column), inline up to 8 bytes: an
/// ifIndex takes at most 5.
pub type Suffix = SmallVec<[u8; 8]>;

/// One column's rows, in OID order, as the chunks the walk's segments read (joined without
/// copying: a segment's rows stay where its replies put them).
type Column = Vec<Vec<(Suffix, Value)>>;

/// What was walked: per column, the (index suffix, value) rows in OID order.
#[derive(Debug, Default)]
pub struct Table {
    columns: Vec<Column>,
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
                .map(|_| vec![Vec::with_capacity(rows)])
                .collect(),
            ..Table::default()
        }
    }

    /// Appends the columns of another walk after these (walks of one column each, joined).
    pub fn append(&mut self, other: Table) {
        self.columns.extend(other.columns);
        self.n_requests += other.n_requests;
        self.n_varbinds += other.n_varbinds;
    }

    /// Appends another walk's rows of the same columns after these (the next segment).
    fn extend(&mut self, other: Table) {
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.extend(theirs.into_iter().filter(|chunk| !chunk.is_empty()));
        }
        self.n_requests += other.n_requests;
        self.n_varbinds += other.n_varbinds;
    }

    /// Where a walk that gets `per` rows a reply starts its requests after the first: the
    /// index suffix of every `per`-th row of the longest column. None when the table fits
    /// in one or two replies (nothing to gain).
    fn bounds(&self, per: usize) -> Option<Vec<Suffix>> {
        let longest = (0..self.columns.len()).max_by_key(|&c| self.n_rows(c))?;
        if per == 0 || self.n_rows(longest) < 2 * per {
            return None;
        }
        Some(
            self.columns[longest]
                .iter()
                .flatten()
                .skip(per - 1)
                .step_by(per)
                .map(|(s, _)| s.clone())
                .collect(),
        )
    }

    /// The number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// The number of rows of column `c`.
    pub fn n_rows(&self, c: usize) -> usize {
        self.columns
            .get(c)
            .map_or(0, |chunks| chunks.iter().map(Vec::len).sum())
    }

    /// The most rows any column has.
    pub fn max_rows(&self) -> usize {
        (0..self.columns.len())
            .map(|c| self.n_rows(c))
            .max()
            .unwrap_or(0)
    }

    /// Adds a row to column `c` (its index suffix and value), for tests and fake walks.
    pub fn push(&mut self, c: usize, suffix: &[u8], value: Value) {
        if let Some(col) = self.columns.get_mut(c) {
            col.push_row(Suffix::from_slice(suffix), value);
        }
    }

    /// Column `c`'s rows as (encoded index suffix, value).
    pub fn rows(&self, c: usize) -> impl Iterator<Item = (&[u8], &Value)> + '_ {
        self.columns
            .get(c)
            .into_iter()
            .flatten()
            .flatten()
            .map(|(s, v)| (s.as_slice(), v))
    }
}

/// Appending to a column's last chunk.
trait PushRow {
    fn push_row(&mut self, suffix: Suffix, value: Value);
}

impl PushRow for Column {
    fn push_row(&mut self, suffix: Suffix, value: Value) {
        match self.last_mut() {
            Some(chunk) => chunk.push((suffix, value)),
            None => self.push(vec![(suffix, value)]),
        }
    }
}

/// The GETBULK size that last worked, carried across polls of a device, with the size of
/// the last walk's longest column (so the next one allocates its rows once) and where each
/// table's requests started (so the next walk sends them together, see [`walk_many`]).
#[derive(Debug, Clone)]
pub struct Repetitions {
    pub configured: u32,
    pub current: u32,
    pub rows_hint: usize,
    /// Per table (keyed by its first column), the index suffixes after which the last walk's
    /// requests started, in order, for the repetitions it used.
    segments: HashMap<Oid, (u32, Vec<Suffix>)>,
}

impl Repetitions {
    pub fn new(configured: u32) -> Self {
        Repetitions {
            configured: configured.max(1),
            current: configured.max(1),
            rows_hint: 0,
            segments: HashMap::new(),
        }
    }

    /// Forgets where the tables' requests started (the next walk goes one request at a time).
    pub fn forget_segments(&mut self) {
        self.segments.clear();
    }

    /// How many requests the next walk of the table whose first column is `first` can send
    /// at once (1 when nothing is known).
    pub fn segments_of(&self, first: &Oid) -> usize {
        self.segments.get(first).map_or(1, |(_, b)| b.len() + 1)
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
///
/// A table walked before is split where that walk's requests started (kept in `reps`): each
/// segment is walked on its own, from its start to the next segment's, and up to
/// [`Session::max_in_flight`] requests are in flight together. When the table has not
/// changed, these are the very requests a walk one reply after the other sends (same OIDs,
/// same repetitions, as many), without waiting for each reply before the next request. A
/// table that changed is still walked whole: segments partition the index space, a segment
/// that grew is walked on until it reaches the next one's start, rows beyond it are left to
/// the next segment. SNMPv1 (GETNEXT) and SNMPv3 (one request at a time) walks are not split.
pub async fn walk_many(
    session: &mut Session,
    groups: &[&[Oid]],
    reps: &mut Repetitions,
    deadline: Instant,
) -> Result<Vec<Table>, SnmpError> {
    // Bounded: a hint from a huge table must not reserve memory for every column of another.
    let hint = reps.rows_hint.min(65_536);
    let v1 = session.is_v1();
    let split = !v1 && session.is_community() && session.max_in_flight() > 1;
    // Every walk of every group: (group, segment walk).
    let mut walks: Vec<(usize, GroupWalk<'_>)> = Vec::new();
    for (g, columns) in groups.iter().enumerate() {
        let known = match (split, columns.first()) {
            (true, Some(first)) => reps
                .segments
                .get(first)
                .filter(|(r, _)| *r == reps.current)
                .map(|(_, b)| b.as_slice()),
            _ => None,
        };
        match known {
            Some(bounds) if !bounds.is_empty() => {
                // Bounds are every so many rows, the last one at most that far from the
                // end: room for a segment's rows, with one to spare.
                let per = hint.div_ceil(bounds.len()) + 1;
                for k in 0..=bounds.len() {
                    let from = k.checked_sub(1).map(|i| bounds[i].as_slice());
                    let to = bounds.get(k).map(|b| b.as_slice());
                    walks.push((g, GroupWalk::segment(columns, per, from, to)));
                }
            }
            _ => walks.push((g, GroupWalk::new(columns, hint))),
        }
    }
    let reps_at_start = reps.current;
    loop {
        // Read every round: the session lowers it while requests sent together are lost.
        let window = session.window();
        let live: Vec<usize> = (0..walks.len())
            .filter(|&w| !walks[w].1.active.is_empty())
            .take(window)
            .collect();
        if live.is_empty() {
            break;
        }
        for &w in &live {
            walks[w].1.table.n_requests += 1;
        }
        let reqs: Vec<(Vec<&Oid>, u32)> = live.iter().map(|&w| walks[w].1.request(reps)).collect();
        let sizes: Vec<u32> = reqs.iter().map(|r| r.1).collect();
        let replies = session.bulk_many(&reqs, deadline, session.retries()).await;
        drop(reqs);
        for ((&w, reply), r) in live.iter().zip(replies).zip(sizes) {
            walks[w].1.on_reply(reply, r, v1, reps, deadline)?;
        }
    }
    // The segments of each group, in order, joined into its table (their rows not copied).
    let mut tables: Vec<Option<Table>> = (0..groups.len()).map(|_| None).collect();
    let mut rows_per_reply = vec![0usize; groups.len()];
    for (g, w) in walks {
        rows_per_reply[g] = rows_per_reply[g].max(w.most_rows_per_reply);
        match &mut tables[g] {
            Some(t) => t.extend(w.table),
            slot @ None => *slot = Some(w.table),
        }
    }
    let tables: Vec<Table> = tables.into_iter().map(Option::unwrap_or_default).collect();
    reps.rows_hint = tables.iter().map(Table::max_rows).max().unwrap_or(0);
    // Cut for the repetitions this walk used throughout (a walk that backed off cuts none).
    if split && reps.current == reps_at_start {
        for ((columns, table), per) in groups.iter().zip(&tables).zip(rows_per_reply) {
            if let Some(first) = columns.first() {
                match table.bounds(per) {
                    Some(b) => reps.segments.insert(first.clone(), (reps.current, b)),
                    None => reps.segments.remove(first),
                };
            }
        }
    }
    Ok(tables)
}

/// The state of one table's walk, or of one segment of it.
struct GroupWalk<'c> {
    columns: &'c [Oid],
    cursors: Vec<Oid>,
    active: Vec<usize>,
    table: Table,
    /// The segment's end (an index suffix, included), None for the table's end.
    upper: Option<Suffix>,
    /// The most rows one reply gave a column.
    most_rows_per_reply: usize,
}

impl<'c> GroupWalk<'c> {
    fn new(columns: &'c [Oid], rows_hint: usize) -> Self {
        GroupWalk::segment(columns, rows_hint, None, None)
    }

    /// The walk of the rows after index suffix `from` (the columns' start when None) up to
    /// `to` included (the columns' end when None).
    fn segment(
        columns: &'c [Oid],
        rows_hint: usize,
        from: Option<&[u8]>,
        to: Option<&[u8]>,
    ) -> Self {
        let cursors = columns
            .iter()
            .map(|c| {
                let mut o = c.clone();
                if let Some(f) = from {
                    o.extend_ber(f);
                }
                o
            })
            .collect();
        GroupWalk {
            columns,
            cursors,
            active: (0..columns.len()).collect(),
            table: Table::with_rows(columns, rows_hint),
            upper: to.map(Suffix::from_slice),
            most_rows_per_reply: 0,
        }
    }

    /// The next request: every unfinished column, and the repetitions to ask.
    fn request(&self, reps: &Repetitions) -> (Vec<&Oid>, u32) {
        let n = self.active.len() as u32;
        let per_pdu = (MAX_VARBINDS_PER_PDU / n.max(1)).max(1);
        let oids = self.active.iter().map(|&c| &self.cursors[c]).collect();
        (oids, reps.current.min(per_pdu))
    }

    /// Takes the reply to the request of size `r`. A timeout comes after all the request's
    /// tries (the session resent it): the agent does not answer a GETBULK that large, or is
    /// gone; a smaller one tells which (the poll's budget bounds the back-off).
    fn on_reply(
        &mut self,
        reply: Result<Reply, SnmpError>,
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
            Err(SnmpError::Timeout) if r > 1 && !v1 && Instant::now() < deadline => {
                reps.current = reps.current.min((r / 2).max(1));
                tracing::debug!(
                    max_repetitions = reps.current,
                    "GETBULK unanswered after its tries: backing off"
                );
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
        let (still, most) = consume(
            resp,
            self.columns,
            &mut self.cursors,
            active,
            &mut self.table,
            self.upper.as_deref(),
        )?;
        self.most_rows_per_reply = self.most_rows_per_reply.max(most);
        self.active = still;
        Ok(())
    }
}

/// Reads one reply row by row; returns the columns still to walk and the rows the reply gave
/// each column that goes on (the fewest of them; 0 when every column ended). Only the rows kept are copied out of the reply (their index suffix and
/// value); each column's cursor is updated once per reply. A column is done at its end, or
/// past `upper` (a segment's end, included) when given.
fn consume(
    resp: Reply,
    columns: &[Oid],
    cursors: &mut [Oid],
    active: Vec<usize>,
    table: &mut Table,
    upper: Option<&[u8]>,
) -> Result<(Vec<usize>, usize), SnmpError> {
    if resp.varbinds.is_empty() {
        return Err(SnmpError::Protocol("empty reply to a table walk".into()));
    }
    let n = active.len();
    // Per slot: the column ended (left its subtree, endOfMibView); the segment's end was
    // reached (later rows belong to the next segment); rows in the column this reply gave.
    let mut out: SmallVec<[bool; 16]> = SmallVec::from_elem(false, n);
    let mut past: SmallVec<[bool; 16]> = SmallVec::from_elem(false, n);
    let mut got: SmallVec<[usize; 16]> = SmallVec::from_elem(0, n);
    // Per slot, the index of the latest row this reply gave (None: the cursor's).
    let mut last: SmallVec<[Option<Index<'_>>; 16]> = SmallVec::from_elem(None, n);
    let upper = upper.map(Index::new);
    let mut slot = 0;
    let mut count = 0u32;
    for vb in resp.varbinds.iter() {
        // Every varbind is read and checked, also those after a column's end.
        let vb = vb.map_err(|e| SnmpError::Garbled(e.to_string()))?;
        let index = count as usize;
        count += 1;
        let bad = |reason: &str| {
            SnmpError::Garbled(
                super::ber::DecodeError::Varbind {
                    index,
                    reason: reason.to_string(),
                }
                .to_string(),
            )
        };
        let s = slot;
        slot = if slot + 1 == n { 0 } else { slot + 1 };
        let c = active[s];
        let prefix = columns[c].as_ber();
        let in_column = !out[s] && vb.name.len() > prefix.len() && vb.name.starts_with(prefix);
        if !in_column {
            vb.check().map_err(bad)?;
            out[s] = true;
            continue;
        }
        // The prefix is a valid OID ending on a sub-id: only the index needs checking (a
        // minimal single sub-id, the usual index, is valid as decoded).
        let suffix = Index::new(&vb.name[prefix.len()..]);
        if suffix.id.is_none() {
            check_ber(suffix.bytes).map_err(bad)?;
        }
        if vb.tag == super::ber::TAG_END_OF_MIB_VIEW {
            super::ber::check_value(vb.tag, vb.content).map_err(bad)?;
            out[s] = true;
            continue;
        }
        let prev = match last[s] {
            Some(p) => p,
            None => Index::new(cursors[c].suffix_after(&columns[c]).unwrap_or(&[])),
        };
        if suffix.cmp(&prev) != Ordering::Greater {
            return Err(SnmpError::Protocol(format!(
                "agent returned a non-increasing OID in column {}",
                columns[c]
            )));
        }
        last[s] = Some(suffix);
        got[s] += 1;
        if past[s] {
            super::ber::check_value(vb.tag, vb.content).map_err(bad)?;
            continue;
        }
        if let Some(u) = &upper {
            match suffix.cmp(u) {
                // The next segment's row: it reads it itself.
                Ordering::Greater => {
                    past[s] = true;
                    super::ber::check_value(vb.tag, vb.content).map_err(bad)?;
                    continue;
                }
                // The segment's last row.
                Ordering::Equal => past[s] = true,
                Ordering::Less => {}
            }
        }
        let value = vb.value().map_err(bad)?;
        if matches!(value, Value::NoSuchObject | Value::NoSuchInstance) {
            continue;
        }
        table.columns[c].push_row(Suffix::from_slice(suffix.bytes), value);
    }
    table.n_varbinds += count;
    for (slot, s) in last.into_iter().enumerate() {
        if let Some(s) = s {
            let c = active[slot];
            let mut cursor = columns[c].clone();
            cursor.extend_ber(s.bytes);
            cursors[c] = cursor;
        }
    }
    // The rows a reply gives a column that goes on: what the next walk's segments are cut to.
    let full = (0..n)
        .filter(|&s| !out[s])
        .map(|s| got[s])
        .min()
        .unwrap_or(0);
    let still = (0..n)
        .filter(|&s| !out[s] && !past[s])
        .map(|s| active[s])
        .collect();
    Ok((still, full))
}

/// A row's index suffix, with its value when it is one minimal sub-id (an ifIndex): compared
/// as a number then, by [`cmp_subids`] otherwise.
#[derive(Clone, Copy)]
struct Index<'a> {
    bytes: &'a [u8],
    id: Option<u32>,
}

impl<'a> Index<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let id = match bytes.first() {
            Some(&b) if b != 0x80 => single_subid(bytes),
            _ => None,
        };
        Index { bytes, id }
    }

    fn cmp(&self, other: &Index<'_>) -> Ordering {
        match (self.id, other.id) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => cmp_subids(self.bytes, other.bytes),
        }
    }
}

#[cfg(test)]
mod tests;
