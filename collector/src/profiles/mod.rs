//! Profiles: what to walk beyond IF-MIB, as versioned data (`collector/profiles/*.toml`, built
//! into the binary and validated at start; no MIB is parsed at run time).
//!
//! A profile has a `kind` (`lldp`, `optics` or `wifi`), the `sys_object_id` prefixes it is
//! matched to (none: probed on every device, kept where it finds rows) and tables. A table
//! names its conceptual row OID (`entry`), how its rows are keyed (`index`: components such as
//! `if_index`, `lldp_port`, `entity`, `ap:6` for a MAC in six sub-ids, `lane`, `name:text` for a length-prefixed string), its `role`
//! in the kind, and its columns: sub-id, role `name`, `type` (`counter`, `gauge`, `integer`,
//! `string`, `enum`, `mac`, `oid`, `decimal`), `scale` and, for power, `unit` (`dBm`, `W`,
//! `mW`, `uW`, `0.1uW`) and the layout options `index_is` (a column read only on rows whose
//! index component has a value), `lane`, `absent` (raw values meaning no reading: no optic,
//! not measurable), `no_light` (raw values the device writes for no light on an optic that is
//! there: reported as the level, flagged), `split` (one number per lane in a text),
//! `negative` (another unit below zero) and `stat` (the column holds the minimum, maximum or
//! average of the device's period, not the level now). Optics tables may also name their
//! rows' port with a template (`port`), skip rows reading 0 everywhere (`empty_when_zero`),
//! give each row its direction (`dbm` with a `direction` column: `rx`/`tx` codes) and its
//! statistic (a `stat` column: `min`/`max`/`avg` codes, any other code is the level now; it
//! may share its sub-id with the `direction` column). An `entry` may be given relative to the
//! device's sysObjectID (`sys_object_id.1.4.1.1`: per-model MIBs), and `select` keeps the rows
//! whose text index components equal the given texts. How each kind reads its roles is in
//! [`interpret`].

mod builtin;
pub mod engine;
pub mod interpret;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::sample::OpticStat;
use crate::snmp::oid::Oid;

/// What a profile collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Lldp,
    Optics,
    Wifi,
}

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Counter,
    Gauge,
    Integer,
    String,
    Enum,
    Mac,
    Oid,
    /// A number written as text (`"-2.70"`), decimals kept.
    Decimal,
}

/// The unit a power column is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PowerUnit {
    #[serde(rename = "dBm")]
    Dbm,
    #[serde(rename = "W")]
    Watt,
    #[serde(rename = "mW")]
    MilliWatt,
    #[serde(rename = "uW")]
    MicroWatt,
    #[serde(rename = "0.1uW")]
    TenthMicroWatt,
}

impl PowerUnit {
    /// `value` (already scaled) in dBm; `None` for no light (a power ≤ 0 W has no dBm).
    pub fn to_dbm(self, value: f64) -> Option<f64> {
        let mw = match self {
            PowerUnit::Dbm => return value.is_finite().then_some(value),
            PowerUnit::Watt => value * 1e3,
            PowerUnit::MilliWatt => value,
            PowerUnit::MicroWatt => value * 1e-3,
            PowerUnit::TenthMicroWatt => value * 1e-4,
        };
        (mw > 0.0 && mw.is_finite()).then(|| 10.0 * mw.log10())
    }
}

/// One column of a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// Its role in the profile's kind (`rx_dbm`, `ap_name`, `remote_system_name`, ...).
    pub name: String,
    /// The column's sub-id under the table's entry.
    pub column: u32,
    #[serde(rename = "type")]
    pub type_: ColumnType,
    /// Multiplier applied to numeric values (0.01 for hundredths).
    #[serde(default = "one")]
    pub scale: f64,
    /// For power columns: the unit after scaling.
    #[serde(default)]
    pub unit: Option<PowerUnit>,
    /// For `enum` status columns: the values that mean "up".
    #[serde(default)]
    pub up: Vec<i64>,
    /// For `string` status columns: the texts that mean "up" (any case).
    #[serde(default)]
    pub up_text: Vec<String>,
    /// Read only on rows whose named index components have these values (a table with one
    /// row per port and measurement: `index_is = { kind = 9 }`); several columns may then
    /// share a sub-id.
    #[serde(default)]
    pub index_is: BTreeMap<String, u32>,
    /// For power columns: the lane (1-based) the column reports (a column per lane).
    #[serde(default)]
    pub lane: Option<u32>,
    /// For power columns: values as the device sends them (before `scale`, for text the
    /// number read) that mean "no reading" rather than a level: an empty cage's, a missing
    /// DDM's or a dark laser's sentinel (`-99`, `-400`, `0`, `-99999999`).
    #[serde(default)]
    pub absent: Vec<f64>,
    /// For power columns: values as the device sends them that mean no light on an optic
    /// that is there (the bottom of its scale, a laser that is off): reported as the level,
    /// flagged `no_light`. Where the same value also stands for an empty cage, it is `absent`.
    #[serde(default)]
    pub no_light: Vec<f64>,
    /// For power columns: the column holds a statistic of the device's period (`min`, `max`,
    /// `avg`), not the level now.
    #[serde(default)]
    pub stat: Option<OpticStat>,
    /// For an optics `stat` column: the codes of a period's minimum ...
    #[serde(default)]
    pub min: Vec<i64>,
    /// ... maximum ...
    #[serde(default)]
    pub max: Vec<i64>,
    /// ... and average; a row whose code is in none of them holds the level now.
    #[serde(default)]
    pub avg: Vec<i64>,
    /// For an optics `direction` column: the values that mean receive ...
    #[serde(default)]
    pub rx: Vec<i64>,
    /// ... and transmit; a row whose direction is neither is not a level.
    #[serde(default)]
    pub tx: Vec<i64>,
    /// For power columns: the text holds one number per lane, separated by this (lanes
    /// 1, 2, ...; a single number is a single-lane reading).
    #[serde(default)]
    pub split: Option<String>,
    /// For power columns: the unit and scale of negative values where they differ (agents
    /// that give µW above zero and 0.01 dBm below).
    #[serde(default)]
    pub negative: Option<UnitScale>,
}

/// A unit with its scale, for [`ColumnDef::negative`].
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitScale {
    pub unit: PowerUnit,
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

/// One table of a profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// The rows' role in the kind (`remote`, `local_ports`, `sensors`, `aps`, `radios`,
    /// `ssids`, `totals`, `vaps`).
    pub role: String,
    /// The conceptual row (`...Entry`) OID, dotted; `sys_object_id.SUFFIX` is relative to the
    /// device's sysObjectID (per-model MIBs that repeat one table under each product OID).
    pub entry: String,
    /// Index components in order: `name` (one sub-id), `name:N` (N sub-ids), `name:*` (the
    /// rest); an empty list is a scalar group (`.0`).
    #[serde(default)]
    pub index: Vec<String>,
    pub columns: Vec<ColumnDef>,
    /// The port of a row named from its index components (`"port-{shelf}/{slot}/{port}"`), for
    /// tables keyed by something other than an ifIndex; `{port}` is the port the row resolves to
    /// otherwise (`"{port} OSC"`).
    #[serde(default)]
    pub port: Option<String>,
    /// Optics: a row whose every power column reads 0 is an empty cage or an unused facility,
    /// not 0 dBm in each direction.
    #[serde(default)]
    pub empty_when_zero: bool,
    /// Only the rows whose index component (key) reads as this text (value), e.g.
    /// `select = { extend = "clients-wlan" }` with `index = ["extend:text"]`.
    #[serde(default)]
    pub select: BTreeMap<String, String>,
    /// Parsed `entry` (for a relative entry, the suffix after the sysObjectID).
    #[serde(skip)]
    pub entry_oid: Option<Oid>,
    /// `entry` is relative to the device's sysObjectID.
    #[serde(skip)]
    pub entry_relative: bool,
    /// Parsed `index`.
    #[serde(skip)]
    pub components: Vec<(String, IndexWidth)>,
}

/// How many sub-ids an index component takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexWidth {
    Fixed(usize),
    Rest,
    /// A length-prefixed string (a sub-id N, then N sub-ids: an OCTET STRING index that is not
    /// IMPLIED); the component holds the N sub-ids.
    Text,
}

/// The relative form of a table's `entry`.
const RELATIVE_ENTRY: &str = "sys_object_id.";

impl TableDef {
    /// The entry OID on a device with this sysObjectID (`None` for a relative entry on a device
    /// without one).
    pub fn entry_for(&self, sys_object_id: Option<&str>) -> Option<Oid> {
        let entry = self.entry_oid.as_ref()?;
        if !self.entry_relative {
            return Some(entry.clone());
        }
        let mut ids = parse_dotted(sys_object_id?)?.subids();
        ids.extend(entry.subids());
        Oid::from_subids(&ids).ok()
    }
}

/// One profile file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// Bumped when a profile changes what it reports.
    pub version: u32,
    pub kind: Kind,
    pub description: String,
    /// sysObjectID prefixes (dotted) this profile is matched to; empty: probed on every device.
    #[serde(default)]
    pub sys_object_id: Vec<String>,
    /// A standalone AP (not a controller): the device itself is the one AP.
    #[serde(default)]
    pub standalone: bool,
    /// Where several wifi profiles find rows on one device, the highest priority reports.
    #[serde(default)]
    pub priority: i32,
    /// Ports are named by a column (`port_name`) rather than resolved from the index.
    #[serde(rename = "table")]
    pub tables: Vec<TableDef>,
}

/// Problems of a profile set, each naming the file and key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid profiles:\n{}", problems.join("\n"))]
pub struct ProfileError {
    pub problems: Vec<String>,
}

/// Roles each kind reads; a column named otherwise is a typo.
fn known_roles(kind: Kind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        Kind::Lldp => (
            &["remote", "local_ports", "local"],
            &[
                "remote_chassis_id_subtype",
                "remote_chassis_id",
                "remote_port_id_subtype",
                "remote_port_id",
                "remote_port_descr",
                "remote_system_name",
                "remote_system_descr",
                "port_id_subtype",
                "port_id",
                "port_descr",
                "chassis_id_subtype",
                "chassis_id",
            ],
        ),
        Kind::Optics => (
            &["sensors"],
            &[
                "rx_dbm",
                "tx_dbm",
                "sensor_type",
                "sensor_scale",
                "sensor_precision",
                "sensor_value",
                "sensor_status",
                "port_name",
                "present",
                "dbm",
                "direction",
                "stat",
            ],
        ),
        Kind::Wifi => (
            &["aps", "radios", "ssids", "totals", "vaps", "stations"],
            &[
                "ap_name",
                "ap_mac",
                "ap_status",
                "ap_clients",
                "clients",
                "ssid_name",
                "ssid_clients",
                "aps_total",
                "aps_up",
                "clients_total",
            ],
        ),
    }
}

fn parse_dotted(text: &str) -> Option<Oid> {
    let ids: Option<Vec<u32>> = text
        .trim_start_matches('.')
        .split('.')
        .map(|p| p.parse().ok())
        .collect();
    Oid::from_subids(&ids?)
        .ok()
        .filter(|o| o.subids().len() >= 2)
}

impl Profile {
    /// Parses and validates one profile; `file` names it in problems.
    pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let mut p: Profile = toml::from_str(text).map_err(|e| ProfileError {
            problems: vec![format!("{file}: {}", e.message())],
        })?;
        let mut problems = Vec::new();
        let (tables, columns) = known_roles(p.kind);
        for (i, prefix) in p.sys_object_id.iter().enumerate() {
            if parse_dotted(prefix).is_none() {
                problems.push(format!(
                    "{file}: sys_object_id[{i}]: {prefix:?} is not a dotted OID"
                ));
            }
        }
        for (t, table) in p.tables.iter_mut().enumerate() {
            let at = format!("{file}: table[{t}]");
            if !tables.contains(&table.role.as_str()) {
                problems.push(format!(
                    "{at}.role: {:?} is not one of {tables:?}",
                    table.role
                ));
            }
            let (relative, dotted) = match table.entry.strip_prefix(RELATIVE_ENTRY) {
                Some(rest) => (true, rest),
                None => (false, table.entry.as_str()),
            };
            table.entry_relative = relative;
            match parse_dotted(dotted) {
                Some(o) => table.entry_oid = Some(o),
                None => problems.push(format!("{at}.entry: {:?} is not a dotted OID", table.entry)),
            }
            table.components.clear();
            for (k, c) in table.index.iter().enumerate() {
                let (name, width) = match c.split_once(':') {
                    None => (c.as_str(), Some(IndexWidth::Fixed(1))),
                    Some((n, "*")) => (n, Some(IndexWidth::Rest)),
                    Some((n, "text")) => (n, Some(IndexWidth::Text)),
                    Some((n, w)) => (n, w.parse().ok().filter(|&w| w > 0).map(IndexWidth::Fixed)),
                };
                let Some(width) = width else {
                    problems.push(format!(
                        "{at}.index[{k}]: {c:?}: expected name, name:N, name:text or name:*"
                    ));
                    continue;
                };
                if width == IndexWidth::Rest && k + 1 != table.index.len() {
                    problems.push(format!(
                        "{at}.index[{k}]: only the last component may be name:*"
                    ));
                }
                table.components.push((name.to_string(), width));
            }
            for key in table.select.keys() {
                if !table.components.iter().any(|(n, _)| n == key) {
                    problems.push(format!(
                        "{at}.select: {key:?} is not a component of the index"
                    ));
                }
            }
            if table.columns.is_empty() {
                problems.push(format!("{at}.columns: a table has at least one column"));
            }
            let mut seen: BTreeMap<(u32, &BTreeMap<String, u32>), &str> = BTreeMap::new();
            for (c, col) in table.columns.iter().enumerate() {
                let at = format!("{at}.columns[{c}]");
                if !columns.contains(&col.name.as_str()) {
                    problems.push(format!(
                        "{at}.name: {:?} is not a role of a {:?} profile ({columns:?})",
                        col.name, p.kind
                    ));
                }
                // The row classifiers (direction, stat) may read one code column.
                if let Some(other) = seen.insert((col.column, &col.index_is), &col.name) {
                    let classifiers = [other, col.name.as_str()];
                    let shared =
                        other != col.name && classifiers.iter().all(|n| CLASSIFIERS.contains(n));
                    if !shared {
                        problems.push(format!("{at}.column: sub-id {} twice", col.column));
                    }
                }
                if !col.scale.is_finite() || col.scale == 0.0 {
                    problems.push(format!("{at}.scale: must be a finite, non-zero number"));
                }
                let power = matches!(col.name.as_str(), "rx_dbm" | "tx_dbm" | "dbm");
                if power && col.unit.is_none() {
                    problems.push(format!("{at}.unit: a power column names its unit"));
                }
                problems.extend(power_options(&at, col, power, &table.components));
                if col.name == "direction" && col.rx.is_empty() && col.tx.is_empty() {
                    problems.push(format!(
                        "{at}: a direction column lists its rx or tx values"
                    ));
                }
            }
            problems.extend(direction_problems(&at, table));
            problems.extend(stat_problems(&at, table));
            if let Some(t) = &table.port {
                problems.extend(template_problems(&at, t, &table.components));
            }
        }
        if p.tables.is_empty() {
            problems.push(format!("{file}: a profile has at least one [[table]]"));
        }
        if problems.is_empty() {
            Ok(p)
        } else {
            Err(ProfileError { problems })
        }
    }

    /// Whether this profile is matched to a device with this sysObjectID.
    pub fn matches(&self, sys_object_id: Option<&str>) -> bool {
        let Some(id) = sys_object_id.map(|s| s.trim_start_matches('.')) else {
            return false;
        };
        self.sys_object_id.iter().any(|p| {
            let p = p.trim_start_matches('.');
            id == p || id.strip_prefix(p).is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// Probed on every device (no sysObjectID prefix).
    pub fn is_probe(&self) -> bool {
        self.sys_object_id.is_empty()
    }
}

/// Problems of a column's optics options (`index_is`, `lane`, `absent`, `split`, `negative`).
fn power_options(
    at: &str,
    col: &ColumnDef,
    power: bool,
    components: &[(String, IndexWidth)],
) -> Vec<String> {
    let mut problems = Vec::new();
    for name in col.index_is.keys() {
        if !components
            .iter()
            .any(|(n, w)| n == name && *w == IndexWidth::Fixed(1))
        {
            problems.push(format!(
                "{at}.index_is: {name:?} is not a one-sub-id component of the index"
            ));
        }
    }
    let only_power = [
        ("lane", col.lane.is_some()),
        ("absent", !col.absent.is_empty()),
        ("no_light", !col.no_light.is_empty()),
        ("stat", col.stat.is_some()),
        ("split", col.split.is_some()),
        ("negative", col.negative.is_some()),
    ];
    for (key, set) in only_power {
        if set && !power {
            problems.push(format!(
                "{at}.{key}: only for power columns (rx_dbm, tx_dbm, dbm)"
            ));
        }
    }
    if let Some(v) = col.no_light.iter().find(|v| col.absent.contains(v)) {
        problems.push(format!(
            "{at}.no_light: {v} is also absent (no light on a present optic, or no reading: one)"
        ));
    }
    if col.lane == Some(0) {
        problems.push(format!("{at}.lane: lanes count from 1"));
    }
    if col.split.as_deref() == Some("") {
        problems.push(format!("{at}.split: an empty separator"));
    }
    if let Some(n) = col.negative {
        if !n.scale.is_finite() || n.scale == 0.0 {
            problems.push(format!(
                "{at}.negative.scale: must be a finite, non-zero number"
            ));
        }
    }
    problems
}

/// A `dbm` column (its direction given by the row) needs a `direction` column, and only it.
fn direction_problems(at: &str, table: &TableDef) -> Vec<String> {
    let has = |n: &str| table.columns.iter().any(|c| c.name == n);
    match (has("dbm"), has("direction")) {
        (true, false) => vec![format!(
            "{at}.columns: a dbm column needs a direction column"
        )],
        (false, true) => vec![format!(
            "{at}.columns: a direction column serves a dbm column"
        )],
        _ => Vec::new(),
    }
}

/// Columns that classify a row rather than hold a level; they may share a sub-id.
const CLASSIFIERS: [&str; 2] = ["direction", "stat"];

/// A `stat` column lists its codes, each once, and serves power columns that name no `stat` of
/// their own; its codes are only on it.
fn stat_problems(at: &str, table: &TableDef) -> Vec<String> {
    let mut problems = Vec::new();
    let has_stat_column = table.columns.iter().any(|c| c.name == "stat");
    for (c, col) in table.columns.iter().enumerate() {
        let at = format!("{at}.columns[{c}]");
        let lists = [("min", &col.min), ("max", &col.max), ("avg", &col.avg)];
        if col.name != "stat" {
            for (key, list) in lists {
                if !list.is_empty() {
                    problems.push(format!("{at}.{key}: only for a stat column"));
                }
            }
            if col.stat.is_some() && has_stat_column {
                problems.push(format!(
                    "{at}.stat: the table's stat column gives each row its statistic"
                ));
            }
            continue;
        }
        if lists.iter().all(|(_, l)| l.is_empty()) {
            problems.push(format!(
                "{at}: a stat column lists its min, max or avg codes"
            ));
        }
        let mut codes = BTreeSet::new();
        for code in lists.iter().flat_map(|(_, l)| l.iter()) {
            if !codes.insert(code) {
                problems.push(format!("{at}: code {code} in two statistics"));
            }
        }
    }
    let power = |n: &str| matches!(n, "rx_dbm" | "tx_dbm" | "dbm");
    if has_stat_column && !table.columns.iter().any(|c| power(&c.name)) {
        problems.push(format!("{at}.columns: a stat column serves power columns"));
    }
    problems
}

/// Every `{name}` of a port template is an index component (or `port`), braces balanced.
fn template_problems(at: &str, text: &str, components: &[(String, IndexWidth)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            problems.push(format!("{at}.port: {text:?}: a {{ without its }}"));
            break;
        };
        let name = &rest[open + 1..open + close];
        if name != "port" && !components.iter().any(|(n, _)| n == name) {
            problems.push(format!(
                "{at}.port: {{{name}}} is not an index component (nor {{port}})"
            ));
        }
        rest = &rest[open + close + 1..];
    }
    problems
}

/// Every profile the binary ships, validated; names unique.
pub fn builtin() -> Result<Vec<Profile>, ProfileError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    for (file, text) in builtin::FILES {
        match Profile::parse(file, text) {
            Ok(p) => {
                if !names.insert(p.name.clone()) {
                    problems.push(format!("{file}: name {:?} used twice", p.name));
                }
                out.push(p);
            }
            Err(e) => problems.extend(e.problems),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ProfileError { problems })
    }
}

/// The built-in profiles, parsed once. A broken built-in profile is a build defect caught by
/// the tests; at run time it leaves the set empty and is logged.
pub fn registry() -> &'static [Profile] {
    static REGISTRY: std::sync::OnceLock<Vec<Profile>> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        builtin().unwrap_or_else(|e| {
            tracing::error!(error = %e, "built-in profiles");
            Vec::new()
        })
    })
}
