//! The Grafana dashboards for InfluxDB 2 users (`dashboards/grafana/`): every panel and
//! variable queries the `${datasource}` variable in Flux, reads the `${bucket}` bucket, and
//! names only the measurements, fields and tags the InfluxDB sink writes (`SCHEMA`, the
//! contract). Flux is scanned by a small tokenizer, not parsed: enough to find
//! `r._measurement == "X"`, `r["tag"]`, `group(columns: [...])`, `tag: "X"` and `bucket: ...`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::root;

/// One measurement the InfluxDB sink writes.
struct Measurement {
    name: &'static str,
    tags: &'static [&'static str],
    fields: &'static [&'static str],
}

/// The contract with the InfluxDB sink (the table in `dashboards/grafana/README.md`).
const SCHEMA: &[Measurement] = &[
    Measurement {
        name: "interface",
        tags: &["device", "port"],
        fields: &[
            "in_bps",
            "out_bps",
            "in_octets",
            "out_octets",
            "utilisation_in",
            "utilisation_out",
            "in_errors_ps",
            "out_errors_ps",
            "in_discards_ps",
            "out_discards_ps",
            "in_pps",
            "out_pps",
            "speed_bps",
        ],
    },
    Measurement {
        name: "optics",
        tags: &["device", "port", "direction", "lane"],
        fields: &["dbm", "dbm_min", "dbm_max", "dbm_avg", "no_light"],
    },
    Measurement {
        name: "wifi_ap",
        tags: &["device", "ap"],
        fields: &["clients", "up"],
    },
    Measurement {
        name: "wifi",
        tags: &["device"],
        fields: &["aps_total", "aps_up", "clients_total"],
    },
    Measurement {
        name: "device",
        tags: &["device"],
        fields: &["up", "poll_ms"],
    },
];

/// Flux's own columns, usable with any measurement.
const FLUX_COLUMNS: &[&str] = &[
    "_measurement",
    "_field",
    "_value",
    "_time",
    "_start",
    "_stop",
];

/// Tags whose values are a closed set.
const TAG_VALUES: &[(&str, &[&str])] = &[("direction", &["rx", "tx"])];

/// The dashboards the README promises.
const DASHBOARDS: &[&str] = &[
    "backbone-utilisation.json",
    "errors-discards.json",
    "optics.json",
    "port-detail.json",
    "wifi.json",
];

fn grafana_dir() -> PathBuf {
    root().join("dashboards/grafana")
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num,
    Punct(&'static str),
}

const PUNCT2: &[&str] = &["|>", "==", "!=", "=~", "!~", "<=", ">=", "=>"];
const PUNCT1: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ".", ",", ":", "=", "<", ">", "+", "-", "*", "/", "%", "^", "$",
    "!", "?", "|", "&", "@", "#", "~", "\\", "'", ";",
];

/// Flux as tokens: identifiers, string literals (contents, escapes kept as written), numbers
/// and durations, punctuation; `//` comments dropped.
fn tokens(flux: &str) -> Vec<Tok> {
    let b = flux.as_bytes();
    let (mut i, mut out) = (0, Vec::new());
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if flux[i..].starts_with("//") {
            i = flux[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if c == b'"' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            out.push(Tok::Str(flux[start..i.min(b.len())].to_string()));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(flux[start..i].to_string()));
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num);
        } else if let Some(p) = PUNCT2.iter().find(|p| flux[i..].starts_with(**p)) {
            out.push(Tok::Punct(p));
            i += 2;
        } else {
            let p = PUNCT1.iter().find(|p| flux[i..].starts_with(**p));
            out.push(Tok::Punct(p.copied().unwrap_or("?")));
            i += flux[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// What one Flux query refers to.
#[derive(Debug, Default)]
struct Uses {
    /// Columns read: `r.X`, `r["X"]`, `columns: [..]`, `tag: "X"`, `column: "X"`, ...
    columns: Vec<String>,
    /// `r.X == "value"` comparisons (`_measurement`, `_field` and tags).
    equals: Vec<(String, String)>,
    /// Every `bucket:` argument, as written (`v.bucket`, `${bucket}`, `"literal"` as `literal`).
    buckets: Vec<String>,
    /// A `pivot(.. columnKey: ["_field"] ..)`: field names become columns.
    pivots_fields: bool,
}

impl Uses {
    fn equal(&self, column: &str) -> impl Iterator<Item = &str> {
        let column = column.to_string();
        self.equals
            .iter()
            .filter(move |(c, _)| *c == column)
            .map(|(_, v)| v.as_str())
    }
}

fn ident(t: Option<&Tok>) -> Option<&str> {
    match t {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn string(t: Option<&Tok>) -> Option<&str> {
    match t {
        Some(Tok::Str(s)) => Some(s),
        _ => None,
    }
}

/// The string literals of a `[ "a", "b" ]` list starting at `t[i]`.
fn string_list(t: &[Tok], i: usize) -> Vec<String> {
    if t.get(i) != Some(&Tok::Punct("[")) {
        return Vec::new();
    }
    t[i + 1..]
        .iter()
        .take_while(|x| **x != Tok::Punct("]"))
        .filter_map(|x| string(Some(x)).map(str::to_string))
        .collect()
}

fn uses(flux: &str) -> Uses {
    let t = tokens(flux);
    let mut u = Uses::default();
    for i in 0..t.len() {
        let after_dot = i > 0 && t[i - 1] == Tok::Punct(".");
        if ident(t.get(i)) == Some("r") && !after_dot {
            let (column, next) = match (t.get(i + 1), t.get(i + 2)) {
                (Some(Tok::Punct(".")), Some(Tok::Ident(c))) => (c.clone(), i + 3),
                (Some(Tok::Punct("[")), Some(Tok::Str(c))) => (c.clone(), i + 4),
                _ => continue,
            };
            if t.get(next) == Some(&Tok::Punct("==")) {
                if let Some(v) = string(t.get(next + 1)) {
                    u.equals.push((column.clone(), v.to_string()));
                }
            }
            u.columns.push(column);
            continue;
        }
        let Some(arg) = ident(t.get(i)) else { continue };
        if t.get(i + 1) != Some(&Tok::Punct(":")) || after_dot {
            continue;
        }
        match arg {
            "columns" | "rowKey" | "columnKey" | "groupColumns" => {
                let list = string_list(&t, i + 2);
                u.pivots_fields |= arg == "columnKey" && list.iter().any(|c| c == "_field");
                u.columns.extend(list);
            }
            "tag" | "column" | "valueColumn" | "timeColumn" => {
                u.columns.extend(string(t.get(i + 2)).map(str::to_string));
            }
            "bucket" => u
                .buckets
                .push(match (t.get(i + 2), t.get(i + 3), t.get(i + 4)) {
                    (Some(Tok::Ident(v)), Some(Tok::Punct(".")), Some(Tok::Ident(x))) => {
                        format!("{v}.{x}")
                    }
                    (Some(Tok::Str(s)), _, _) => s.clone(),
                    _ => "?".to_string(),
                }),
            _ => {}
        }
    }
    u
}

/// What kind of query: a panel's target must name a measurement and read a time range; a
/// time series must also aggregate per `v.windowPeriod`.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Variable,
    Panel,
    TimeSeries,
}

/// Every problem of one Flux query against `SCHEMA`.
fn check_flux(flux: &str, kind: Kind) -> Vec<String> {
    let u = uses(flux);
    let mut problems = Vec::new();
    if u.buckets.is_empty() {
        problems.push("reads no bucket: use from(bucket: \"${bucket}\")".to_string());
    }
    for b in &u.buckets {
        if b != "v.bucket" && b != "${bucket}" {
            problems.push(format!(
                "bucket `{b}`: use the bucket variable, \"${{bucket}}\""
            ));
        }
    }
    let mut named: Vec<&Measurement> = Vec::new();
    for m in u.equal("_measurement") {
        match SCHEMA.iter().find(|s| s.name == m) {
            Some(s) => named.push(s),
            None => problems.push(format!("unknown measurement `{m}`")),
        }
    }
    if named.is_empty() && kind != Kind::Variable {
        problems.push("names no measurement (r._measurement == \"...\")".to_string());
    }
    let names: Vec<_> = named.iter().map(|m| m.name).collect();
    for f in u.equal("_field") {
        if !named.iter().any(|m| m.fields.contains(&f)) {
            problems.push(format!("field `{f}` is not a field of {names:?}"));
        }
    }
    // Without a measurement (a variable listing every device), any measurement's tags.
    let scope: Vec<&Measurement> = if named.is_empty() {
        SCHEMA.iter().collect()
    } else {
        named.clone()
    };
    for c in &u.columns {
        let known = FLUX_COLUMNS.contains(&c.as_str())
            || scope.iter().any(|m| m.tags.contains(&c.as_str()))
            || (u.pivots_fields && scope.iter().any(|m| m.fields.contains(&c.as_str())));
        if !known {
            problems.push(format!("column `{c}` is not a tag of {names:?}"));
        }
    }
    for (tag, allowed) in TAG_VALUES {
        for v in u.equal(tag).filter(|v| !v.contains("${")) {
            if !allowed.contains(&v) {
                problems.push(format!("{tag} == `{v}`: the sink writes only {allowed:?}"));
            }
        }
    }
    let flat: String = flux.split_whitespace().collect();
    if kind != Kind::Variable
        && !flat.contains("range(start:v.timeRangeStart,stop:v.timeRangeStop)")
    {
        problems.push("no range(start: v.timeRangeStart, stop: v.timeRangeStop)".to_string());
    }
    if kind == Kind::TimeSeries && !flat.contains("aggregateWindow(every:v.windowPeriod") {
        problems
            .push("a time series without aggregateWindow(every: v.windowPeriod, ...)".to_string());
    }
    problems
}

/// The names in `${name}` and `${name:format}` references.
fn variable_refs(text: &str) -> Vec<&str> {
    text.match_indices("${")
        .filter_map(|(i, _)| {
            let rest = &text[i + 2..];
            let end = rest.find(['}', ':'])?;
            Some(&rest[..end])
        })
        .collect()
}

fn refers_to_datasource_variable(ds: Option<&Value>) -> bool {
    match ds {
        Some(Value::String(s)) => s == "${datasource}",
        Some(d) => d["type"] == "influxdb" && d["uid"] == "${datasource}",
        None => false,
    }
}

/// Every panel, including those nested in (collapsed) rows.
fn panels(list: &Value, out: &mut Vec<Value>) {
    for p in list.as_array().into_iter().flatten() {
        out.push(p.clone());
        panels(&p["panels"], out);
    }
}

/// Every problem of one dashboard, each naming the panel or variable.
fn check_dashboard(d: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if d["schemaVersion"].as_u64().unwrap_or(0) < 36 {
        problems.push(format!("schemaVersion {} < 36", d["schemaVersion"]));
    }
    for key in ["uid", "title"] {
        if d[key].as_str().unwrap_or("").is_empty() {
            problems.push(format!("no {key}"));
        }
    }
    let vars = d["templating"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let var = |name: &str| vars.iter().find(|v| v["name"] == name);
    match var("datasource") {
        Some(v) if v["type"] == "datasource" && v["query"] == "influxdb" => {}
        _ => problems.push("no variable `datasource` (type datasource, query influxdb)".into()),
    }
    match var("bucket") {
        Some(v)
            if (v["type"] == "textbox" || v["type"] == "constant")
                && v["query"] == "irisops"
                && (v["current"]["value"].is_null() || v["current"]["value"] == "irisops") => {}
        _ => problems.push("no variable `bucket` (textbox or constant, default irisops)".into()),
    }
    let defined: BTreeSet<&str> = vars.iter().filter_map(|v| v["name"].as_str()).collect();
    let check_refs = |place: &str, text: &str, problems: &mut Vec<String>| {
        for r in variable_refs(text) {
            if !defined.contains(r) && !r.starts_with("__") {
                problems.push(format!("{place}: unknown variable `${{{r}}}`"));
            }
        }
    };
    for v in vars.iter().filter(|v| v["type"] == "query") {
        let place = format!("variable {}", v["name"]);
        if !refers_to_datasource_variable(v.get("datasource")) {
            problems.push(format!("{place}: datasource is not ${{datasource}}"));
        }
        let q = v["query"]
            .as_str()
            .or(v["query"]["query"].as_str())
            .unwrap_or("");
        problems.extend(
            check_flux(q, Kind::Variable)
                .into_iter()
                .map(|p| format!("{place}: {p}")),
        );
        check_refs(&place, q, &mut problems);
    }
    let mut all = Vec::new();
    panels(&d["panels"], &mut all);
    let mut ids = BTreeSet::new();
    for p in &all {
        let place = format!("panel {}", p["title"]);
        if !ids.insert(p["id"].as_u64()) {
            problems.push(format!("{place}: duplicate id {}", p["id"]));
        }
        if p["type"] == "row" || p["type"] == "text" {
            continue;
        }
        if !refers_to_datasource_variable(p.get("datasource")) {
            problems.push(format!("{place}: datasource is not ${{datasource}}"));
        }
        let targets = p["targets"].as_array().cloned().unwrap_or_default();
        if targets.is_empty() {
            problems.push(format!("{place}: no targets"));
        }
        let kind = if p["type"] == "timeseries" {
            Kind::TimeSeries
        } else {
            Kind::Panel
        };
        for t in &targets {
            let place = format!("{place} target {}", t["refId"]);
            if t.get("datasource").is_some() && !refers_to_datasource_variable(t.get("datasource"))
            {
                problems.push(format!("{place}: datasource is not ${{datasource}}"));
            }
            let Some(q) = t["query"].as_str() else {
                problems.push(format!("{place}: no Flux query"));
                continue;
            };
            problems.extend(
                check_flux(q, kind)
                    .into_iter()
                    .map(|p| format!("{place}: {p}")),
            );
            check_refs(&place, q, &mut problems);
        }
    }
    if ids.len() < 2 {
        problems.push("no panels".into());
    }
    problems
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
        let p = e.path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn dashboards_query_the_datasource_variable_in_flux_and_only_the_sink_schema() {
    let mut files = Vec::new();
    json_files(&grafana_dir(), &mut files);
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    for want in DASHBOARDS {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    let (mut problems, mut uids, mut n_queries) = (Vec::new(), BTreeSet::new(), 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let d: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.strip_prefix(grafana_dir()).unwrap().display().to_string();
        if !uids.insert(d["uid"].to_string()) {
            problems.push(format!("{name}: duplicate uid {}", d["uid"]));
        }
        problems.extend(
            check_dashboard(&d)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        let mut all = Vec::new();
        panels(&d["panels"], &mut all);
        n_queries += all
            .iter()
            .filter_map(|p| p["targets"].as_array())
            .flatten()
            .count();
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Guards the walk itself: a checker that found no query would pass anything.
    assert!(n_queries >= 30, "only {n_queries} panel queries found");
}

/// `check(flux, expect)`: the problems of a panel query contain `expect` (empty: none).
fn check(flux: &str, expect: &str) {
    let problems = check_flux(flux, Kind::TimeSeries).join("\n");
    if expect.is_empty() {
        assert!(problems.is_empty(), "{flux}\n-> {problems}");
    } else {
        assert!(
            problems.contains(expect),
            "{flux}\n-> {problems:?}, wanted {expect:?}"
        );
    }
}

#[test]
fn the_checker_rejects_what_the_sink_does_not_write() {
    let q = |filter: &str, tail: &str| {
        format!(
            "from(bucket: \"${{bucket}}\")\n  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)\n  \
             |> filter(fn: (r) => {filter})\n  {tail}\n  \
             |> aggregateWindow(every: v.windowPeriod, fn: mean)"
        )
    };
    let ok = r#"r._measurement == "optics" and r._field == "dbm" and r["direction"] == "rx""#;
    check(
        &q(ok, r#"|> group(columns: ["device", "port", "lane"])"#),
        "",
    );
    check(
        &q(
            r#"r._measurement == "interface" and r._field == "in_bsp""#,
            "",
        ),
        "field `in_bsp`",
    );
    check(
        &q(r#"r._measurement == "wifi" and r._field == "clients""#, ""),
        "field `clients` is not a field of [\"wifi\"]",
    );
    check(
        &q(r#"r._measurement == "interfaces""#, ""),
        "unknown measurement `interfaces`",
    );
    check(&q(r#"r._field == "dbm""#, ""), "names no measurement");
    check(
        &q(r#"r._measurement == "wifi" and r.port == "x""#, ""),
        "column `port` is not a tag",
    );
    check(
        &q(
            r#"r._measurement == "interface""#,
            r#"|> group(columns: ["host"])"#,
        ),
        "column `host`",
    );
    check(
        &q(r#"r._measurement == "optics" and r.direction == "in""#, ""),
        "direction == `in`",
    );
    check(
        &q(r#"r._measurement == "interface""#, "").replace("\"${bucket}\"", "\"telegraf\""),
        "bucket `telegraf`",
    );
    check(
        &q(r#"r._measurement == "device""#, "").replace("every: v.windowPeriod", "every: 1m"),
        "without aggregateWindow",
    );
    let pivoted = r#"|> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value") |> keep(columns: ["in_bps"])"#;
    check(&q(r#"r._measurement == "interface""#, pivoted), "");
    let tag = "import \"influxdata/influxdb/schema\"\nschema.tagValues(bucket: \"${bucket}\", tag: \"site\")";
    assert!(check_flux(tag, Kind::Variable)
        .join("\n")
        .contains("column `site`"));
}

/// The lines of a YAML file without comments, trimmed.
fn yaml_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn assert_lines(path: &Path, want: &[&str]) {
    let lines = yaml_lines(path);
    for w in want {
        assert!(
            lines.iter().any(|l| l == w),
            "{}: no line `{w}` in {lines:#?}",
            path.display()
        );
    }
}

#[test]
fn provisioning_loads_the_dashboards_and_an_influxdb_flux_datasource() {
    let dir = grafana_dir().join("provisioning");
    assert_lines(
        &dir.join("dashboards.yaml"),
        &[
            "apiVersion: 1",
            "providers:",
            "type: file",
            "path: /var/lib/grafana/dashboards/irisops",
        ],
    );
    assert_lines(
        &dir.join("datasources.yaml"),
        &[
            "apiVersion: 1",
            "datasources:",
            "type: influxdb",
            "jsonData:",
            "version: Flux",
            "defaultBucket: irisops",
            "secureJsonData:",
            "token: $INFLUX_TOKEN",
        ],
    );
    let ds = yaml_lines(&dir.join("datasources.yaml"));
    assert!(
        ds.iter().any(|l| l.starts_with("organization: ")),
        "{ds:#?}"
    );
    assert!(ds.iter().any(|l| l.starts_with("url: ")), "{ds:#?}");
}

#[test]
fn readme_documents_the_schema_and_every_dashboard() {
    let readme = std::fs::read_to_string(grafana_dir().join("README.md")).unwrap();
    for m in SCHEMA {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", m.name)))
            .unwrap_or_else(|| panic!("README: no schema row for `{}`", m.name));
        for name in m.tags.iter().chain(m.fields) {
            assert!(
                row.contains(&format!("`{name}`")),
                "README row `{}` lacks `{name}`",
                m.name
            );
        }
    }
    for d in DASHBOARDS {
        assert!(
            readme.contains(&format!("`{d}`")),
            "README does not describe {d}"
        );
    }
}
