//! Walking a device's profiles after its interfaces.
//!
//! Which profiles: those the config names for the device (always walked), else the profiles
//! whose `sys_object_id` prefix matches the device's plus the probe profiles (no prefix),
//! walked once and kept where they found rows; the choice is made again every
//! [`REPROBE`] or when the sysObjectID changes. Every table of every profile kept (and
//! ENTITY-MIB when a profile keys sensors by entity, cached for [`REPROBE`]) is walked in one
//! [`walk_many`], so a device costs one round of replies per table length, not per table.
//! A failed profile walk (timeout, garbage) is logged and leaves the poll's interface data as
//! it is: profiles never fail a poll.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::sample::DevicePoll;
use crate::snmp::oid::{decode_subids, oid, single_subid};
use crate::snmp::walk::{walk_many, Repetitions, Table};
use crate::snmp::{Oid, Session, Value};

use super::interpret::{self, Entity, EntityMap, Ports, Row, Walked};
use super::{registry, Kind, Profile, TableDef};

/// How long a profile choice (and the ENTITY-MIB map) is kept.
pub const REPROBE: Duration = Duration::from_secs(3600);

/// Longest entity name kept.
const MAX_TEXT: usize = 255;

/// What a device task keeps between polls about its profiles.
#[derive(Debug, Default)]
pub struct ProfileState {
    /// Indexes into [`registry`] of the profiles kept, with when and for which sysObjectID.
    active: Option<(Vec<usize>, Instant, Option<String>)>,
    entities: Option<(EntityMap, Instant)>,
}

impl ProfileState {
    /// Names of the profiles currently kept (empty before the first probe).
    pub fn active_names(&self) -> Vec<&'static str> {
        let reg = registry();
        self.active
            .as_ref()
            .map(|(ix, _, _)| ix.iter().map(|&i| reg[i].name.as_str()).collect())
            .unwrap_or_default()
    }
}

/// The profiles to walk now, and whether this walk decides which to keep.
fn candidates(
    explicit: &[String],
    st: &ProfileState,
    sys_object_id: Option<&str>,
) -> (Vec<usize>, bool) {
    let reg = registry();
    if !explicit.is_empty() {
        let ix = explicit
            .iter()
            .filter_map(|n| reg.iter().position(|p| &p.name == n))
            .collect();
        return (ix, false);
    }
    if let Some((ix, at, for_id)) = &st.active {
        if at.elapsed() < REPROBE && for_id.as_deref() == sys_object_id {
            return (ix.clone(), false);
        }
    }
    let ix = reg
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_probe() || p.matches(sys_object_id))
        .map(|(i, _)| i)
        .collect();
    (ix, true)
}

/// The column OIDs of a table on this device (none for a relative entry without a
/// sysObjectID: nothing to walk).
fn columns(t: &TableDef, sys_object_id: Option<&str>) -> Vec<Oid> {
    let Some(entry) = t.entry_for(sys_object_id) else {
        return Vec::new();
    };
    let mut subids: Vec<u32> = Vec::new();
    for c in &t.columns {
        if !subids.contains(&c.column) {
            subids.push(c.column);
        }
    }
    subids.into_iter().map(|s| entry.child(s)).collect()
}

fn needs_entities(p: &Profile) -> bool {
    p.tables
        .iter()
        .any(|t| t.components.iter().any(|(n, _)| n == "entity"))
}

/// entPhysicalDescr, entPhysicalContainedIn, entPhysicalName; entAliasMappingIdentifier.
fn entity_groups() -> [Vec<Oid>; 2] {
    let phys = oid("1.3.6.1.2.1.47.1.1.1.1");
    [
        vec![phys.child(2), phys.child(4), phys.child(7)],
        vec![oid("1.3.6.1.2.1.47.1.3.2.1.2")],
    ]
}

/// Rows of a walked table, keyed and split by its index (rows whose index does not fit, or
/// that its `select` leaves out, are dropped; exceptions are not values).
fn rows(def: &TableDef, t: &Table) -> Vec<Row> {
    let mut by_suffix: BTreeMap<Vec<u32>, Row> = BTreeMap::new();
    let mut walked: Vec<u32> = Vec::new();
    for col in &def.columns {
        if !walked.contains(&col.column) {
            walked.push(col.column);
        }
        let Some(c) = walked.iter().position(|&s| s == col.column) else {
            continue;
        };
        for (suffix, v) in t.rows(c) {
            if v.is_exception() {
                continue;
            }
            let ids = decode_subids(suffix);
            let Some(index) = interpret::split_index(def, &ids) else {
                continue;
            };
            if !interpret::index_fits(col, &index) || !interpret::selected(def, &index) {
                continue;
            }
            let row = by_suffix.entry(ids).or_insert_with(|| Row {
                index,
                ..Row::default()
            });
            row.values.insert(col.name.clone(), v.clone());
            row.by_column.insert(col.column, v.clone());
        }
    }
    by_suffix.into_values().collect()
}

fn entity_map(phys: &Table, alias: &Table) -> EntityMap {
    let mut m = EntityMap::default();
    for c in 0..3 {
        for (suffix, v) in phys.rows(c) {
            let Some(e) = single_subid(suffix) else {
                continue;
            };
            let x = m.entities.entry(e).or_insert_with(Entity::default);
            match c {
                0 => x.descr = v.as_text(MAX_TEXT).filter(|s| !s.is_empty()),
                1 => x.contained_in = v.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                _ => x.name = v.as_text(MAX_TEXT).filter(|s| !s.is_empty()),
            }
        }
    }
    let if_index = oid("1.3.6.1.2.1.2.2.1.1");
    for (suffix, v) in alias.rows(0) {
        let ids = decode_subids(suffix);
        let (Some(&e), Value::Oid(target)) = (ids.first(), v) else {
            continue;
        };
        if let Some(i) = target.suffix_after(&if_index).and_then(single_subid) {
            m.aliases.entry(e).or_insert(i);
        }
    }
    m
}

/// Walks the device's profiles and fills `out.lldp`, `out.optics` and `out.wifi`.
pub async fn collect(
    session: &mut Session,
    reps: &mut Repetitions,
    deadline: Instant,
    explicit: &[String],
    st: &mut ProfileState,
    out: &mut DevicePoll,
) {
    let reg = registry();
    let (chosen, probing) = candidates(explicit, st, out.sys_object_id.as_deref());
    if chosen.is_empty() {
        if probing {
            st.active = Some((Vec::new(), Instant::now(), out.sys_object_id.clone()));
        }
        return;
    }
    let mut groups: Vec<Vec<Oid>> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &i in &chosen {
        let start = groups.len();
        let id = out.sys_object_id.as_deref();
        groups.extend(reg[i].tables.iter().map(|t| columns(t, id)));
        spans.push((start, groups.len()));
    }
    let fresh_entities = st
        .entities
        .as_ref()
        .is_some_and(|(_, at)| at.elapsed() < REPROBE);
    let want_entities = !fresh_entities && chosen.iter().any(|&i| needs_entities(&reg[i]));
    let entity_at = groups.len();
    if want_entities {
        groups.extend(entity_groups());
    }
    let refs: Vec<&[Oid]> = groups.iter().map(Vec::as_slice).collect();
    let tables = match walk_many(session, &refs, reps, deadline).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(device = out.device.as_str(), error = %e, "profile walk failed; interfaces kept");
            return;
        }
    };
    for t in &tables {
        out.n_requests += t.n_requests;
        out.n_varbinds += t.n_varbinds;
    }
    if want_entities {
        if let (Some(p), Some(a)) = (tables.get(entity_at), tables.get(entity_at + 1)) {
            st.entities = Some((entity_map(p, a), Instant::now()));
        }
    }
    let empty = EntityMap::default();
    let entities = st.entities.as_ref().map_or(&empty, |(m, _)| m);
    let ports = Ports::new(&out.ports);
    let mut kept = Vec::new();
    let mut wifi: Option<(i32, crate::sample::Wifi)> = None;
    for (&i, &(a, b)) in chosen.iter().zip(&spans) {
        let p = &reg[i];
        let walked: Walked<'_> = p
            .tables
            .iter()
            .zip(&tables[a..b])
            .map(|(def, t)| (def, rows(def, t)))
            .collect();
        let any_rows = walked.iter().any(|(_, r)| !r.is_empty());
        if any_rows || !probing {
            kept.push(i);
        }
        if !any_rows {
            continue;
        }
        match p.kind {
            Kind::Lldp => out
                .lldp
                .get_or_insert_with(Vec::new)
                .extend(interpret::lldp(&walked, &ports)),
            Kind::Optics => out
                .optics
                .extend(interpret::optics(p, &walked, &ports, entities)),
            Kind::Wifi => {
                if wifi.as_ref().is_none_or(|(prio, _)| p.priority > *prio) {
                    let w = interpret::wifi(p, &walked, out.sys_name.as_deref());
                    wifi = Some((p.priority, w));
                }
            }
        }
    }
    // An LLDP profile kept but empty now: the table was read and is empty.
    if kept.iter().any(|&i| reg[i].kind == Kind::Lldp) && out.lldp.is_none() {
        out.lldp = Some(Vec::new());
    }
    out.wifi = wifi.map(|(_, w)| w);
    if probing {
        tracing::debug!(
            device = out.device.as_str(),
            profiles = ?kept.iter().map(|&i| reg[i].name.as_str()).collect::<Vec<_>>(),
            "profiles chosen"
        );
        st.active = Some((kept, Instant::now(), out.sys_object_id.clone()));
    }
}
