//! The MIB a simulated device serves: a sorted list of tables, each a set of columns over rows,
//! with values generated on demand from the device and the time of the request.
//!
//! A scalar group is a table with one row whose index is `.0`, so the system group, IF-MIB
//! tables and later LLDP, optical and wifi tables all share one walk. GETNEXT seeks with binary
//! searches; GETBULK then steps a [`Pos`] cursor forward without searching again.
//!
//! To add a table (LLDP, optical sensors, wifi controllers): implement [`Table`] (indexes may
//! have several arcs; rows must be sorted by index; a device without the table has no rows) and
//! list it in `tables::standard` (every generated device), `router::tables` or `wifi::tables`
//! (described devices, each with its own MIB). Tables must not interleave in OID order.

use super::ber::{self, Value};
use super::faults::DeviceFaults;

/// One device at the instant of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeviceNow<'a> {
    /// 1-based device number.
    pub device: u32,
    pub n_ports: u32,
    pub seed: u64,
    pub faults: &'a DeviceFaults,
    pub now_ms: u64,
    pub boot_ms: u64,
    /// Reboots since the simulator started.
    pub boot_count: u64,
}

/// A table of the MIB. Rows are sorted by index; columns ascending.
pub(crate) trait Table: Send + Sync {
    /// OID of the table entry (or the scalar group); columns are the arcs right below it.
    fn entry(&self) -> &'static [u32];
    /// Every column the table may have, ascending.
    fn all_columns(&self) -> &'static [u32];
    /// The columns `dev` serves, ascending; a subset of [`Table::all_columns`].
    fn columns(&self, _dev: &DeviceNow<'_>) -> &'static [u32] {
        self.all_columns()
    }
    fn n_rows(&self, dev: &DeviceNow<'_>) -> usize;
    /// Writes the index arcs of `row` into `out` (cleared first).
    fn index(&self, dev: &DeviceNow<'_>, row: usize, out: &mut Vec<u32>);
    /// The value of `column` in `row`; text may be written into `scratch`.
    fn value<'s>(
        &'s self,
        dev: &DeviceNow<'_>,
        column: u32,
        row: usize,
        scratch: &'s mut Vec<u8>,
    ) -> Value<'s>;
}

/// A position in a device's MIB: table, column position, row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    table: usize,
    column: usize,
    row: usize,
}

/// Why a GET found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    NoSuchObject,
    NoSuchInstance,
}

struct Slot {
    table: Box<dyn Table>,
    /// Encoded OID content of entry.column, for every column in `all_columns`.
    prefixes: Vec<Box<[u8]>>,
}

/// The MIB shared by all devices; per-device differences come from [`DeviceNow`].
pub(crate) struct Mib {
    slots: Vec<Slot>,
}

impl Mib {
    /// Builds a MIB from tables whose OID ranges do not interleave.
    pub(crate) fn new(mut tables: Vec<Box<dyn Table>>) -> Self {
        tables.sort_by(|a, b| a.entry().cmp(b.entry()));
        let slots = tables
            .into_iter()
            .map(|table| {
                let prefixes = table
                    .all_columns()
                    .iter()
                    .map(|&c| {
                        let mut arcs = table.entry().to_vec();
                        arcs.push(c);
                        let mut bytes = Vec::new();
                        ber::put_oid_content(&mut bytes, &arcs);
                        bytes.into_boxed_slice()
                    })
                    .collect();
                Slot { table, prefixes }
            })
            .collect();
        Mib { slots }
    }

    /// The exact object `oid`, for a GET.
    pub(crate) fn get(
        &self,
        dev: &DeviceNow<'_>,
        oid: &[u32],
        idx: &mut Vec<u32>,
    ) -> Result<Pos, Missing> {
        for (t, slot) in self.slots.iter().enumerate() {
            let Some(rest) = oid.strip_prefix(slot.table.entry()) else {
                continue;
            };
            let Some((&col, want)) = rest.split_first() else {
                continue;
            };
            let Ok(column) = slot.table.columns(dev).binary_search(&col) else {
                continue;
            };
            let row = self.first_row_at_or_after(t, dev, want, idx, false);
            if row < slot.table.n_rows(dev) {
                slot.table.index(dev, row, idx);
                if idx.as_slice() == want {
                    return Ok(Pos {
                        table: t,
                        column,
                        row,
                    });
                }
            }
            return Err(Missing::NoSuchInstance);
        }
        Err(Missing::NoSuchObject)
    }

    /// The first object strictly after `oid`, for a GETNEXT.
    pub(crate) fn next_after(
        &self,
        dev: &DeviceNow<'_>,
        oid: &[u32],
        idx: &mut Vec<u32>,
    ) -> Option<Pos> {
        (0..self.slots.len()).find_map(|t| self.next_in_table(t, dev, oid, idx))
    }

    fn next_in_table(
        &self,
        t: usize,
        dev: &DeviceNow<'_>,
        oid: &[u32],
        idx: &mut Vec<u32>,
    ) -> Option<Pos> {
        let table = &*self.slots[t].table;
        let entry = table.entry();
        let columns = table.columns(dev);
        let n_rows = table.n_rows(dev);
        if n_rows == 0 || columns.is_empty() {
            return None;
        }
        let Some(rest) = oid.strip_prefix(entry) else {
            // Before the whole table, or past it.
            return (oid < entry).then_some(Pos {
                table: t,
                column: 0,
                row: 0,
            });
        };
        let Some((&col, after)) = rest.split_first() else {
            return Some(Pos {
                table: t,
                column: 0,
                row: 0,
            });
        };
        let column = columns.partition_point(|&c| c < col);
        if columns.get(column) == Some(&col) {
            let row = self.first_row_at_or_after(t, dev, after, idx, true);
            if row < n_rows {
                return Some(Pos {
                    table: t,
                    column,
                    row,
                });
            }
            return (column + 1 < columns.len()).then_some(Pos {
                table: t,
                column: column + 1,
                row: 0,
            });
        }
        (column < columns.len()).then_some(Pos {
            table: t,
            column,
            row: 0,
        })
    }

    /// First row whose index is ≥ `want` (or > `want` when `strict`), by binary search.
    fn first_row_at_or_after(
        &self,
        t: usize,
        dev: &DeviceNow<'_>,
        want: &[u32],
        idx: &mut Vec<u32>,
        strict: bool,
    ) -> usize {
        let table = &*self.slots[t].table;
        let (mut lo, mut hi) = (0, table.n_rows(dev));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            table.index(dev, mid, idx);
            let before = if strict {
                idx.as_slice() <= want
            } else {
                idx.as_slice() < want
            };
            if before {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The object after `pos` in walk order.
    pub(crate) fn advance(&self, dev: &DeviceNow<'_>, pos: Pos) -> Option<Pos> {
        let table = &*self.slots[pos.table].table;
        if pos.row + 1 < table.n_rows(dev) {
            return Some(Pos {
                row: pos.row + 1,
                ..pos
            });
        }
        if pos.column + 1 < table.columns(dev).len() {
            return Some(Pos {
                column: pos.column + 1,
                row: 0,
                ..pos
            });
        }
        (pos.table + 1..self.slots.len()).find_map(|t| {
            let table = &*self.slots[t].table;
            (table.n_rows(dev) > 0 && !table.columns(dev).is_empty()).then_some(Pos {
                table: t,
                column: 0,
                row: 0,
            })
        })
    }

    /// Appends the varbind at `pos` to `out`, unless `v1` and the value is a Counter64 (which
    /// SNMPv1 cannot carry, so v1 managers never see it, as with real agents). True if written.
    pub(crate) fn put(
        &self,
        dev: &DeviceNow<'_>,
        pos: Pos,
        v1: bool,
        out: &mut Vec<u8>,
        idx: &mut Vec<u32>,
        scratch: &mut Vec<u8>,
    ) -> bool {
        let slot = &self.slots[pos.table];
        let Some(&col) = slot.table.columns(dev).get(pos.column) else {
            return false;
        };
        let prefix = slot.table.all_columns().binary_search(&col).ok();
        let Some(prefix) = prefix.and_then(|i| slot.prefixes.get(i)) else {
            return false;
        };
        let value = slot.table.value(dev, col, pos.row, scratch);
        if v1 && matches!(value, Value::Counter64(_)) {
            return false;
        }
        slot.table.index(dev, pos.row, idx);
        ber::put_varbind(out, prefix, idx, &value);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables;

    /// Guards new tables: a walk is only ordered if tables do not interleave.
    #[test]
    fn tables_do_not_interleave() {
        let router = super::super::backbone::Router {
            name: "r".into(),
            chassis_mac: [0; 6],
            ports: vec![],
        };
        let controller = super::super::backbone::Controller {
            name: "c".into(),
            aps: vec![],
            ssids: vec![],
        };
        check_no_interleaving(tables::standard());
        check_no_interleaving(super::super::router::tables(&router));
        check_no_interleaving(super::super::wifi::tables(&controller, 1, 1));
    }

    fn check_no_interleaving(mut tables: Vec<Box<dyn super::Table>>) {
        tables.sort_by(|a, b| a.entry().cmp(b.entry()));
        for pair in tables.windows(2) {
            let column = |t: &dyn super::Table, c: u32| [t.entry(), &[c]].concat();
            let last = column(&*pair[0], *pair[0].all_columns().last().unwrap());
            let first = column(&*pair[1], pair[1].all_columns()[0]);
            assert!(
                last < first && !first.starts_with(&last),
                "{last:?} vs {first:?}"
            );
        }
    }
}
