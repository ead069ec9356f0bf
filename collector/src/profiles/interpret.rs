//! What each kind makes of its walked rows.
//!
//! - `lldp`: `remote` rows (index `lldp_port` or `if_index`) become [`LldpNeighbour`]s; the
//!   local port is resolved to our port key through `local_ports` (its port id or description
//!   naming one of our ports), else the LLDP port number as an ifIndex, else the LLDP port id
//!   as reported. Chassis and port ids of subtype macAddress are written `aa:bb:cc:dd:ee:ff`.
//!   A neighbour that sends no system name is named by its system description
//!   (`remote_system_descr`), as LibreNMS names it (servers' NICs, some APs send only that).
//! - `optics`: `sensors` rows with `rx_dbm`/`tx_dbm` columns (in their `unit`), or with
//!   ENTITY-SENSOR style `sensor_type`/`sensor_scale`/`sensor_precision`/`sensor_value`
//!   columns: type 14 (dBm) as is, type 6 (watts) converted when the entity is named as an
//!   optical power (`Rx`/`Receive`/`Tx`/`Transmit` ... `Power`); direction and lane from the
//!   entity's name. Ports by `if_index`, by a `port_name` column, or by `entity` through
//!   ENTITY-MIB ([`EntityMap`]), or by a `port` index component (the device's numbering,
//!   [`Ports::numbered`]), or named by the table's `port` template; a row whose `present`
//!   column reads 0 (an empty cage whose every column is 0), or, in an `empty_when_zero`
//!   table, whose every power reads 0, is skipped. A power value is an integer or text
//!   starting with a (decimal) number; a column's `index_is`, `lane`, `absent`, `no_light`,
//!   `split` and `negative` say which rows, which lane, which values are none, which are the
//!   no-light floor of a present optic (kept, flagged), how a text holds lanes and the unit
//!   below zero ([`power_levels`]). A `dbm` column takes the row's direction from its
//!   `direction` column. A column's `stat`, else the row's `stat` column (its `min`/`max`/`avg`
//!   codes), says whether a level is a statistic of the device's period; otherwise it is the
//!   level now. A port, direction and statistic with one reading on lane 1 is a single-lane
//!   optic (lane `None`). Converted levels are rounded to 0.001 dB; dBm values keep the
//!   device's precision.
//! - `wifi`: tables of one role are joined on their index (names and counts in two tables);
//!   `aps` rows (index `ap`), their clients from `ap_clients` or the sum of the `radios` rows
//!   of the same `ap`; `ssids` rows (named by `ssid_name`, else by a text `ssid` index);
//!   `stations` rows, one per associated client, each counted once on its `ssid_name`;
//!   `totals` scalars. `aps_total`, `aps_up` and `clients_total` are the device's own totals
//!   where it offers them, else counts and sums (clients: over SSIDs when there are SSID or
//!   station rows, else over APs). A `standalone` profile's device is its one AP, up, with the
//!   device's clients (its `vaps` rows summed, else its total, else its SSIDs').

use std::collections::{BTreeMap, HashMap};

use crate::sample::{
    ApStatus, LldpNeighbour, OpticDirection, OpticReading, OpticStat, PortCounters, Wifi,
};
use crate::snmp::Value;

use super::{ColumnDef, IndexWidth, PowerUnit, Profile, TableDef};

/// Longest text kept from a profile column (hostile agents send 12 KB strings).
const MAX_TEXT: usize = 255;

/// One walked row: its index components and its values by column role.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub index: Vec<(String, Vec<u32>)>,
    pub values: HashMap<String, Value>,
    /// The same values by column sub-id (several power columns share a role: one per lane).
    pub by_column: HashMap<u32, Value>,
}

impl Row {
    fn component(&self, name: &str) -> Option<&[u32]> {
        self.index
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn single(&self, name: &str) -> Option<u32> {
        match self.component(name) {
            Some([v]) => Some(*v),
            _ => None,
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        text(self.values.get(name)?)
    }

    fn int(&self, name: &str) -> Option<i64> {
        int(self.values.get(name)?)
    }
}

/// Splits an index suffix (sub-ids) into the table's components; `None` when it does not fit.
pub fn split_index(def: &TableDef, ids: &[u32]) -> Option<Vec<(String, Vec<u32>)>> {
    let mut out = Vec::with_capacity(def.components.len());
    let mut at = 0;
    for (name, width) in &def.components {
        let n = match width {
            IndexWidth::Fixed(n) => *n,
            IndexWidth::Rest => ids.len().saturating_sub(at),
            IndexWidth::Text => {
                // The length sub-id, then the bytes; the component keeps the bytes.
                let len = usize::try_from(*ids.get(at)?).ok()?;
                at += 1;
                len
            }
        };
        let part = ids.get(at..at.checked_add(n)?)?;
        out.push((name.clone(), part.to_vec()));
        at += n;
    }
    // A scalar group's instance is `.0`.
    let rest = &ids[at..];
    (rest.is_empty() || (def.components.is_empty() && rest == [0])).then_some(out)
}

/// Whether a row's index components have the values a column's `index_is` asks for.
pub fn index_fits(col: &ColumnDef, index: &[(String, Vec<u32>)]) -> bool {
    col.index_is.iter().all(|(name, want)| {
        index
            .iter()
            .any(|(n, v)| n == name && v.as_slice() == [*want])
    })
}

/// Whether a row's index passes its table's `select` (each named component reads as the text).
pub fn selected(def: &TableDef, index: &[(String, Vec<u32>)]) -> bool {
    def.select.iter().all(|(key, want)| {
        index
            .iter()
            .find(|(n, _)| n == key)
            .and_then(|(_, ids)| index_text(ids))
            .is_some_and(|t| t == *want)
    })
}

/// An index component as text (each sub-id a byte); `None` when it is not printable.
fn index_text(ids: &[u32]) -> Option<String> {
    let bytes = ids
        .iter()
        .map(|&b| u8::try_from(b).ok())
        .collect::<Option<Vec<u8>>>()?;
    (printable(&bytes) && !bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Printable text of a value; `None` for empty strings and placeholders of hidden values.
fn text(v: &Value) -> Option<String> {
    let t = match v {
        Value::OctetString(b) if !b.is_empty() && !printable(b) => hex(b),
        _ => v.as_text(MAX_TEXT)?,
    };
    let t = t.trim().to_string();
    (!t.is_empty() && !t.eq_ignore_ascii_case("<private>")).then_some(t)
}

fn printable(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(|s| !s.chars().any(|c| c.is_control() && c != '\t'))
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .take(MAX_TEXT / 3)
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn mac(b: &[u8]) -> Option<String> {
    (b.len() == 6).then(|| hex(b))
}

fn int(v: &Value) -> Option<i64> {
    match *v {
        Value::Integer(i) => Some(i),
        Value::Counter32(x) | Value::Gauge32(x) | Value::TimeTicks(x) => Some(i64::from(x)),
        Value::Counter64(x) => i64::try_from(x).ok(),
        // Some agents send numbers as strings.
        Value::OctetString(ref b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// `v × scale`, dividing by 1/scale when that is a whole number (−230 × 0.01 is −2.3, not
/// −2.3000000000000003).
fn scaled(v: i64, scale: f64) -> f64 {
    let inv = 1.0 / scale;
    if inv >= 1.0 && (inv - inv.round()).abs() < 1e-9 {
        v as f64 / inv.round()
    } else {
        v as f64 * scale
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A chassis or port id by its LLDP subtype: macAddress (chassis 4, port 3) as a MAC, else
/// text.
fn lldp_id(row: &Row, value: &str, subtype: &str, mac_subtype: i64) -> Option<String> {
    let v = row.values.get(value)?;
    if row.int(subtype) == Some(mac_subtype) {
        if let Value::OctetString(b) = v {
            if let Some(m) = mac(b) {
                return Some(m);
            }
        }
    }
    text(v)
}

/// Our ports, for resolving names and ifIndexes to port keys.
pub struct Ports<'a> {
    by_if_index: HashMap<u32, &'a str>,
    by_name: HashMap<String, &'a str>,
}

impl<'a> Ports<'a> {
    pub fn new(ports: &'a [PortCounters]) -> Self {
        let mut by_name = HashMap::new();
        for p in ports {
            for n in [Some(&p.key), p.if_name.as_ref(), p.if_descr.as_ref()]
                .into_iter()
                .flatten()
            {
                by_name.entry(n.to_lowercase()).or_insert(p.key.as_str());
            }
        }
        Ports {
            by_if_index: ports.iter().map(|p| (p.if_index, p.key.as_str())).collect(),
            by_name,
        }
    }

    fn by_index(&self, i: u32) -> Option<&'a str> {
        self.by_if_index.get(&i).copied()
    }

    fn by_name(&self, name: &str) -> Option<&'a str> {
        self.by_name.get(&name.trim().to_lowercase()).copied()
    }

    /// A port the device numbers by sub-ids (`1.3` → "1/3"): ours by that name, else our one
    /// port whose name ends in "/1/3" (a unit or slot in front), else the name as reported.
    fn numbered(&self, ids: &[u32]) -> String {
        let name = ids.iter().map(u32::to_string).collect::<Vec<_>>().join("/");
        if let Some(k) = self.by_name(&name) {
            return k.to_string();
        }
        let tail = format!("/{name}");
        let mut keys: Vec<&str> = self
            .by_name
            .iter()
            .filter(|(n, _)| n.ends_with(&tail))
            .map(|(_, k)| *k)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        match keys.as_slice() {
            [k] => k.to_string(),
            _ => name,
        }
    }

    /// Our one port whose name holds `name` as a whole word (`ETH10G-1-4-2` in `Ciena, 6500,
    /// ethernetCsmacd, ETH10G-1-4-2`); `None` when none or several do.
    fn naming(&self, name: &str) -> Option<&'a str> {
        let n = name.trim().to_lowercase();
        if n.len() < 2 {
            return None;
        }
        let mut found = self
            .by_name
            .iter()
            .filter(|(ours, _)| contains_word(ours, &n))
            .map(|(_, k)| *k);
        let first = found.next()?;
        found.all(|k| k == first).then_some(first)
    }

    /// The longest of our port names that appears in `text` as a whole word.
    fn named_in(&self, text: &str) -> Option<&'a str> {
        let lower = text.to_lowercase();
        let is_word = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '/');
        self.by_name
            .iter()
            .filter(|(n, _)| n.len() >= 2)
            .filter(|(n, _)| {
                lower.match_indices(n.as_str()).any(|(at, m)| {
                    is_word(lower[..at].chars().next_back())
                        && is_word(lower[at + m.len()..].chars().next())
                })
            })
            .max_by_key(|(n, _)| n.len())
            .map(|(_, k)| *k)
    }
}

/// Whether `word` appears in `text` with no letter, digit or `/` either side.
fn contains_word(text: &str, word: &str) -> bool {
    let is_edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '/');
    text.match_indices(word).any(|(at, m)| {
        is_edge(text[..at].chars().next_back()) && is_edge(text[at + m.len()..].chars().next())
    })
}

/// ENTITY-MIB, as needed to put a sensor on a port.
#[derive(Debug, Clone, Default)]
pub struct EntityMap {
    pub entities: HashMap<u32, Entity>,
    /// entAliasMappingIdentifier: entity → ifIndex.
    pub aliases: HashMap<u32, u32>,
}

/// One entPhysicalEntry.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    pub name: Option<String>,
    pub descr: Option<String>,
    pub contained_in: u32,
}

impl EntityMap {
    /// The entity's name and description, for direction and lane.
    fn label(&self, e: u32) -> String {
        let Some(x) = self.entities.get(&e) else {
            return String::new();
        };
        [x.name.as_deref(), x.descr.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Our port for entity `e`: an alias of it or of an ancestor, else a name of it or an
    /// ancestor that is one of our ports, else a port named in its label; else the nearest
    /// ancestor's (or its own) name as reported.
    fn port(&self, e: u32, ports: &Ports<'_>) -> Option<String> {
        let chain = self.ancestors(e);
        for a in &chain {
            if let Some(k) = self.aliases.get(a).and_then(|&i| ports.by_index(i)) {
                return Some(k.to_string());
            }
        }
        for a in &chain {
            let Some(x) = self.entities.get(a) else {
                continue;
            };
            for n in [&x.name, &x.descr].into_iter().flatten() {
                if let Some(k) = ports.by_name(n) {
                    return Some(k.to_string());
                }
            }
        }
        if let Some(k) = ports.named_in(&self.label(e)) {
            return Some(k.to_string());
        }
        chain
            .iter()
            .skip(1)
            .chain(std::iter::once(&e))
            .find_map(|a| self.entities.get(a)?.name.clone())
    }

    /// `e` and its containers, nearest first (at most 8: loops in the wild).
    fn ancestors(&self, e: u32) -> Vec<u32> {
        let mut out = vec![e];
        let mut at = e;
        while let Some(x) = self.entities.get(&at) {
            if x.contained_in == 0 || out.len() >= 8 || out.contains(&x.contained_in) {
                break;
            }
            at = x.contained_in;
            out.push(at);
        }
        out
    }
}

/// Rx or Tx from a sensor's name or description.
fn direction_of(label: &str) -> Option<OpticDirection> {
    let l = label.to_lowercase();
    let word = |w: &str| l.split(|c: char| !c.is_alphanumeric()).any(|t| t == w);
    // Not "input/output power": power supplies say that too.
    if word("rx") || l.contains("receive") {
        Some(OpticDirection::Rx)
    } else if word("tx") || l.contains("transmit") {
        Some(OpticDirection::Tx)
    } else {
        None
    }
}

/// "Lane 3" in a sensor's name.
fn lane_of(label: &str) -> Option<u32> {
    let l = label.to_lowercase();
    let at = l.find("lane")?;
    l[at + 4..]
        .trim_start_matches([' ', ':', '#'])
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The rows of a profile's tables, by table role.
pub type Walked<'p> = Vec<(&'p TableDef, Vec<Row>)>;

fn rows_of<'a>(walked: &'a Walked<'_>, role: &str) -> impl Iterator<Item = &'a Row> + 'a {
    let role = role.to_string();
    walked
        .iter()
        .filter(move |(t, _)| t.role == role)
        .flat_map(|(_, r)| r.iter())
}

/// LLDP neighbours of one profile's walk.
pub fn lldp(walked: &Walked<'_>, ports: &Ports<'_>) -> Vec<LldpNeighbour> {
    let local: HashMap<u32, &Row> = rows_of(walked, "local_ports")
        .filter_map(|r| Some((r.single("lldp_port")?, r)))
        .collect();
    let mut out = Vec::new();
    for r in rows_of(walked, "remote") {
        let local_port = if let Some(i) = r.single("if_index") {
            ports
                .by_index(i)
                .map_or_else(|| i.to_string(), str::to_string)
        } else if let Some(n) = r.single("lldp_port") {
            let named = local.get(&n).and_then(|l| {
                [l.text("port_id"), l.text("port_descr")]
                    .into_iter()
                    .flatten()
                    .find_map(|t| ports.by_name(&t))
            });
            named
                .or_else(|| ports.by_index(n))
                .map(str::to_string)
                .or_else(|| local.get(&n).and_then(|l| l.text("port_id")))
                .unwrap_or_else(|| n.to_string())
        } else {
            continue;
        };
        out.push(LldpNeighbour {
            local_port,
            remote_chassis_id: lldp_id(r, "remote_chassis_id", "remote_chassis_id_subtype", 4),
            remote_system_name: r
                .text("remote_system_name")
                .or_else(|| r.text("remote_system_descr")),
            remote_port_id: lldp_id(r, "remote_port_id", "remote_port_id_subtype", 3),
            remote_port_descr: r.text("remote_port_descr"),
        });
    }
    out
}

/// Optical levels of one profile's walk.
pub fn optics(
    profile: &Profile,
    walked: &Walked<'_>,
    ports: &Ports<'_>,
    entities: &EntityMap,
) -> Vec<OpticReading> {
    let mut out = Vec::new();
    for (def, rows) in walked.iter().filter(|(t, _)| t.role == "sensors") {
        for r in rows {
            // An empty cage reads 0 in every column: a `present` column of 0 skips the row.
            if r.int("present") == Some(0) {
                continue;
            }
            if def.empty_when_zero && all_powers_zero(def, r) {
                continue;
            }
            let entity = r.single("entity");
            let Some(port) = row_port(def, r, ports, entities) else {
                continue;
            };
            let label = entity.map(|e| entities.label(e)).unwrap_or_default();
            let lane = r.single("lane").or_else(|| lane_of(&label));
            out.extend(column_levels(def, r, &port, lane));
            if let Some((direction, dbm)) = entity_sensor(r, &label) {
                out.push(OpticReading::current(port.clone(), lane, direction, dbm));
            }
        }
    }
    let _ = profile;
    single_lanes_unnamed(&mut out);
    out
}

/// The levels of a row's power columns, each with its direction (the column's, or the row's
/// for `dbm`) and statistic (the column's `stat`, else the row's).
fn column_levels(def: &TableDef, r: &Row, port: &str, lane: Option<u32>) -> Vec<OpticReading> {
    let row_direction = row_direction(def, r);
    let row_stat = row_stat(def, r);
    let mut out = Vec::new();
    for c in &def.columns {
        let direction = match c.name.as_str() {
            "rx_dbm" => OpticDirection::Rx,
            "tx_dbm" => OpticDirection::Tx,
            "dbm" => match row_direction {
                Some(d) => d,
                None => continue,
            },
            _ => continue,
        };
        if !index_fits(c, &r.index) {
            continue;
        }
        let Some(v) = r.by_column.get(&c.column) else {
            continue;
        };
        for level in power_levels(c, v) {
            out.push(OpticReading {
                port: port.to_string(),
                lane: level.lane.or(lane),
                direction,
                dbm: level.dbm,
                stat: c.stat.unwrap_or(row_stat),
                no_light: level.no_light,
            });
        }
    }
    out
}

/// A number as the agent gives it: an integer, or text starting with a decimal number.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(v: &Value) -> Option<Num> {
        match v {
            Value::OctetString(b) => Num::parse(std::str::from_utf8(b).ok()?),
            v => int(v).map(Num::Int),
        }
    }

    /// The number at the start of `text` ("-4.80 dBm normal" → −4.8).
    fn parse(text: &str) -> Option<Num> {
        let t = text.trim();
        let end = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && matches!(c, '-' | '+'))))
            .map_or(t.len(), |(i, _)| i);
        let n = &t[..end];
        n.parse::<i64>().map(Num::Int).ok().or_else(|| {
            n.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Num::Float)
        })
    }

    fn raw(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }

    fn scaled(self, scale: f64) -> f64 {
        match self {
            Num::Int(i) => scaled(i, scale),
            Num::Float(x) => x * scale,
        }
    }
}

/// The numbers of one power column's value: its `split` lanes, or one number.
fn raw_numbers(c: &ColumnDef, v: &Value) -> Vec<Option<Num>> {
    match (&c.split, v) {
        (Some(sep), Value::OctetString(b)) => {
            let text = String::from_utf8_lossy(b);
            text.split(sep.as_str()).map(Num::parse).collect()
        }
        _ => vec![Num::of(v)],
    }
}

/// One level of a power column's value.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Level {
    lane: Option<u32>,
    dbm: f64,
    /// One of the column's `no_light` values.
    no_light: bool,
}

/// The levels of one power column's value: its `split` lanes or one number, less its `absent`
/// values, in its unit (or its `negative` unit below zero); its `no_light` values flagged.
fn power_levels(c: &ColumnDef, v: &Value) -> Vec<Level> {
    let nums = raw_numbers(c, v);
    let many = nums.len() > 1;
    let mut out = Vec::new();
    for (i, n) in nums.into_iter().enumerate() {
        let Some(n) = n else { continue };
        let is = |list: &[f64]| list.iter().any(|a| (a - n.raw()).abs() < 1e-9);
        if is(&c.absent) {
            continue;
        }
        let no_light = is(&c.no_light);
        let (unit, scale) = match (c.negative, c.unit) {
            (Some(neg), _) if n.raw() < 0.0 => (neg.unit, neg.scale),
            (_, Some(unit)) => (unit, c.scale),
            _ => continue,
        };
        let value = n.scaled(scale);
        let dbm = match unit {
            PowerUnit::Dbm => Some(value),
            u => u.to_dbm(value).map(round3),
        };
        let lane = if many {
            u32::try_from(i + 1).ok()
        } else {
            c.lane
        };
        if let Some(dbm) = dbm {
            out.push(Level {
                lane,
                dbm,
                no_light,
            });
        }
    }
    out
}

/// The row's port: by `if_index`, a `port_name` column, `entity` or a `port` index component
/// (the device's numbering), else the raw ifIndex; a
/// table's `port` template names it instead (`{port}` standing for the port found so).
fn row_port(def: &TableDef, r: &Row, ports: &Ports<'_>, entities: &EntityMap) -> Option<String> {
    let found = r
        .single("if_index")
        .and_then(|i| ports.by_index(i).map(str::to_string))
        .or_else(|| {
            let name = r.text("port_name")?;
            let ours = ports.by_name(&name).or_else(|| ports.naming(&name));
            Some(ours.map_or(name, str::to_string))
        })
        .or_else(|| entities.port(r.single("entity")?, ports))
        .or_else(|| r.component("port").map(|p| ports.numbered(p)))
        .or_else(|| r.single("if_index").map(|i| i.to_string()));
    let Some(template) = &def.port else {
        return found;
    };
    let name = render_port(template, def, r, found.as_deref())?;
    Some(ports.by_name(&name).map_or(name, str::to_string))
}

/// A port template with each `{component}` replaced: text components as text, others as
/// their sub-ids joined by dots; `None` when `{port}` is wanted and none was found.
fn render_port(template: &str, def: &TableDef, r: &Row, found: Option<&str>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        if name == "port" {
            out.push_str(found?);
        } else {
            let ids = r.component(name)?;
            let text = def
                .components
                .iter()
                .any(|(n, w)| n == name && *w == IndexWidth::Text);
            if text {
                out.extend(ids.iter().map(|&b| char::from_u32(b).unwrap_or('?')));
            } else {
                let parts: Vec<String> = ids.iter().map(u32::to_string).collect();
                out.push_str(&parts.join("."));
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Whether every power column the row has reads 0 (and it has one), before `absent`.
fn all_powers_zero(def: &TableDef, r: &Row) -> bool {
    let mut powers = def
        .columns
        .iter()
        .filter(|c| matches!(c.name.as_str(), "rx_dbm" | "tx_dbm" | "dbm"))
        .filter(|c| index_fits(c, &r.index))
        .filter_map(|c| r.by_column.get(&c.column).map(|v| (c, v)))
        .flat_map(|(c, v)| raw_numbers(c, v))
        .flatten()
        .peekable();
    powers.peek().is_some() && powers.all(|n| n.raw() == 0.0)
}

/// The row's direction from its `direction` column (`rx`/`tx` values), for `dbm` columns.
fn row_direction(def: &TableDef, r: &Row) -> Option<OpticDirection> {
    let c = def.columns.iter().find(|c| c.name == "direction")?;
    let v = r.int("direction")?;
    if c.rx.contains(&v) {
        Some(OpticDirection::Rx)
    } else if c.tx.contains(&v) {
        Some(OpticDirection::Tx)
    } else {
        None
    }
}

/// The row's statistic from its `stat` column (`min`/`max`/`avg` codes); the level now
/// otherwise (no such column, or a code in none of them).
fn row_stat(def: &TableDef, r: &Row) -> OpticStat {
    let (Some(c), Some(v)) = (def.columns.iter().find(|c| c.name == "stat"), r.int("stat")) else {
        return OpticStat::Current;
    };
    [
        (&c.min, OpticStat::Min),
        (&c.max, OpticStat::Max),
        (&c.avg, OpticStat::Avg),
    ]
    .into_iter()
    .find(|(codes, _)| codes.contains(&v))
    .map_or(OpticStat::Current, |(_, s)| s)
}

/// A port, direction and statistic with one reading, on lane 1, is a single-lane optic: lane
/// `None`.
fn single_lanes_unnamed(out: &mut [OpticReading]) {
    let key = |o: &OpticReading| (o.port.clone(), o.direction, o.stat);
    let mut n: HashMap<(String, OpticDirection, OpticStat), usize> = HashMap::new();
    for o in out.iter() {
        *n.entry(key(o)).or_default() += 1;
    }
    for o in out.iter_mut() {
        if o.lane == Some(1) && n.get(&key(o)) == Some(&1) {
            o.lane = None;
        }
    }
}

/// An ENTITY-SENSOR style row as (direction, dBm), when it is an optical power.
fn entity_sensor(r: &Row, label: &str) -> Option<(OpticDirection, f64)> {
    let kind = r.int("sensor_type")?;
    let value = r.int("sensor_value")?;
    // unavailable(2), nonoperational(3): no reading.
    if matches!(r.int("sensor_status"), Some(2 | 3)) {
        return None;
    }
    let precision = r.int("sensor_precision").unwrap_or(0).clamp(-8, 9);
    // ENTITY-SENSOR scale: yocto(1) ... units(9) ... yotta(17), steps of 10^3.
    let exp3 = r.int("sensor_scale").unwrap_or(9).clamp(1, 17) - 9;
    let direction = direction_of(label)?;
    let units = value as f64 / 10f64.powi(precision as i32) * 10f64.powi(3 * exp3 as i32);
    match kind {
        14 => Some((direction, if exp3 == 0 { units } else { round3(units) })),
        6 => {
            let l = label.to_lowercase();
            if !(l.contains("power") || l.contains("optical")) {
                return None;
            }
            PowerUnit::Watt
                .to_dbm(units)
                .map(|d| (direction, round3(d)))
        }
        _ => None,
    }
}

/// The rows of every table of one role, joined on their index: a row's values are the union
/// of the values of the rows with that index, in the order first seen.
fn joined(walked: &Walked<'_>, role: &str) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    let mut at: HashMap<Vec<(String, Vec<u32>)>, usize> = HashMap::new();
    for r in rows_of(walked, role) {
        match at.get(&r.index) {
            Some(&i) => out[i].values.extend(r.values.clone()),
            None => {
                at.insert(r.index.clone(), out.len());
                out.push(r.clone());
            }
        }
    }
    out
}

/// An AP row's status: up or down by the profile's `up` values, else unknown.
fn ap_status(r: &Row, walked: &Walked<'_>) -> String {
    let (Some(v), Some((up, up_text))) = (r.values.get("ap_status"), profile_up(walked)) else {
        return "unknown".to_string();
    };
    let is_up = match (int(v), text(v)) {
        (Some(s), _) if !up.is_empty() => up.contains(&s),
        (_, Some(t)) if !up_text.is_empty() => up_text.iter().any(|u| u.eq_ignore_ascii_case(&t)),
        _ => false,
    };
    if is_up { "up" } else { "down" }.to_string()
}

fn aps(walked: &Walked<'_>) -> Vec<ApStatus> {
    let mut radios: BTreeMap<Vec<u32>, i64> = BTreeMap::new();
    for r in joined(walked, "radios") {
        if let (Some(ap), Some(c)) = (r.component("ap"), r.int("clients")) {
            *radios.entry(ap.to_vec()).or_default() += c.max(0);
        }
    }
    let mut aps = Vec::new();
    for r in joined(walked, "aps") {
        let key = r.component("ap").unwrap_or_default().to_vec();
        // A MAC index (six sub-ids, each a byte), written like a MAC value.
        let index_mac = key
            .iter()
            .map(|&b| u8::try_from(b).ok())
            .collect::<Option<Vec<u8>>>()
            .and_then(|b| mac(&b));
        let mac = match r.values.get("ap_mac") {
            Some(Value::OctetString(b)) => mac(b),
            _ => None,
        }
        .or(index_mac);
        let clients = r
            .int("ap_clients")
            .or_else(|| radios.get(&key).copied())
            .map(|c| c.max(0) as u64);
        aps.push(ApStatus {
            name: r
                .text("ap_name")
                .or_else(|| mac.clone())
                .unwrap_or_default(),
            mac,
            status: ap_status(&r, walked),
            clients,
        });
    }
    aps
}

/// Clients per SSID from `ssids` and `stations` rows; `None` when there are neither.
fn ssid_clients(walked: &Walked<'_>) -> Option<BTreeMap<String, u64>> {
    let ssid_rows = joined(walked, "ssids");
    let station_rows = joined(walked, "stations");
    if ssid_rows.is_empty() && station_rows.is_empty() {
        return None;
    }
    let mut ssids: BTreeMap<String, u64> = BTreeMap::new();
    for r in &ssid_rows {
        let name = r
            .text("ssid_name")
            .or_else(|| r.component("ssid").and_then(index_text))
            .unwrap_or_default();
        *ssids.entry(name).or_default() += r.int("ssid_clients").unwrap_or(0).max(0) as u64;
    }
    for r in &station_rows {
        *ssids
            .entry(r.text("ssid_name").unwrap_or_default())
            .or_default() += 1;
    }
    Some(ssids)
}

/// The wifi summary of one profile's walk; `sys_name` names a standalone AP.
pub fn wifi(profile: &Profile, walked: &Walked<'_>, sys_name: Option<&str>) -> Wifi {
    let totals: HashMap<&str, i64> = rows_of(walked, "totals")
        .flat_map(|r| {
            ["aps_total", "aps_up", "clients_total"]
                .into_iter()
                .filter_map(move |k| Some((k, r.int(k)?)))
        })
        .collect();
    let total = |k: &str| totals.get(k).map(|&v| v.max(0) as u64);
    let mut aps = aps(walked);
    let counted = ssid_clients(walked);
    let mut ssids = counted.clone().unwrap_or_default();
    let mut vap_clients: Option<u64> = None;
    for r in joined(walked, "vaps") {
        let c = r.int("clients").unwrap_or(0).max(0) as u64;
        *vap_clients.get_or_insert(0) += c;
        if let Some(name) = r.text("ssid_name") {
            *ssids.entry(name).or_default() += c;
        }
    }
    let ssid_sum = counted.map(|m| m.values().sum::<u64>());
    if profile.standalone {
        aps.push(ApStatus {
            name: sys_name.unwrap_or_default().to_string(),
            mac: None,
            status: "up".to_string(),
            clients: vap_clients.or(total("clients_total")).or(ssid_sum),
        });
    }
    let n_up = aps.iter().filter(|a| a.status == "up").count() as u64;
    let ap_sum: u64 = aps.iter().filter_map(|a| a.clients).sum();
    Wifi {
        aps_total: total("aps_total").unwrap_or(aps.len() as u64),
        aps_up: total("aps_up").unwrap_or(n_up),
        clients_total: total("clients_total").or(ssid_sum).unwrap_or(ap_sum),
        aps,
        ssids: ssids
            .into_iter()
            .map(|(name, clients)| crate::sample::SsidClients { name, clients })
            .collect(),
    }
}

/// The `up` values (numbers, texts) of the profile's `ap_status` column.
fn profile_up<'a>(walked: &'a Walked<'_>) -> Option<(&'a [i64], &'a [String])> {
    walked
        .iter()
        .flat_map(|(t, _)| t.columns.iter())
        .find(|c| c.name == "ap_status")
        .map(|c| (c.up.as_slice(), c.up_text.as_slice()))
}
