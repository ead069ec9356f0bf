//! `[[report]]`: report files the server writes on a schedule — e.g. the monthly spare
//! workbook the commercial team sends, or the engineers' busiest links. Raw, validated and
//! checked in one file; the api computes and writes them (atomically: a temporary file
//! renamed).

use std::path::PathBuf;

use serde::Deserialize;

use super::problems::Problems;
use super::schedule::Schedule;

/// One `[[report]]` as written.
#[derive(Debug, Deserialize)]
pub(super) struct RawReport {
    pub kind: Option<String>,
    pub schedule: Option<String>,
    pub format: Option<String>,
    pub dir: Option<String>,
    pub by: Option<String>,
    pub window_days: Option<i64>,
    pub top: Option<i64>,
}

/// What a report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Spare capacity with lit headroom (`GET /api/v1/spare`).
    Spare,
    /// The busiest circuits (`GET /api/v1/links`).
    Links,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Spare => "spare",
            ReportKind::Links => "links",
        }
    }
}

/// One `[[report]]`, validated.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    pub kind: ReportKind,
    pub schedule: Schedule,
    /// `spare`: `xlsx` (default), `csv`, `json` or `geojson`; `links`: `json` (default),
    /// `csv` or `xlsx`.
    pub format: String,
    /// Where the files go (created when missing).
    pub dir: PathBuf,
    /// `spare`: `owner` (default) or `route`.
    pub by: String,
    /// The p95 window, days (default 30).
    pub window_days: u32,
    /// `links`: how many circuits (default 50).
    pub top: usize,
}

/// Validates every `[[report]]`; `has_cadastre`: whether `[cadastre] data` is set (both
/// kinds need it).
pub(super) fn reports(
    raw: &[RawReport],
    has_cadastre: bool,
    p: &mut Problems,
) -> Vec<ReportConfig> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, r)| report(i, r, has_cadastre, p))
        .collect()
}

fn report(i: usize, r: &RawReport, has_cadastre: bool, p: &mut Problems) -> Option<ReportConfig> {
    let key = |k: &str| format!("report[{i}].{k}");
    let kind = match r.kind.as_deref() {
        Some("spare") => ReportKind::Spare,
        Some("links") => ReportKind::Links,
        other => {
            p.push(
                key("kind"),
                format!("expected \"spare\" or \"links\", got {other:?}"),
            );
            return None;
        }
    };
    if !has_cadastre {
        p.push(key("kind"), "a report needs [cadastre] data");
    }
    let schedule = match r.schedule.as_deref().map(Schedule::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            p.push(key("schedule"), e);
            None
        }
        None => {
            p.push(
                key("schedule"),
                "missing (a cron expression, e.g. \"0 6 1 * *\")",
            );
            None
        }
    };
    let (formats, default): (&[&str], &str) = match kind {
        ReportKind::Spare => (&["xlsx", "csv", "json", "geojson"], "xlsx"),
        ReportKind::Links => (&["json", "csv", "xlsx"], "json"),
    };
    let format = one_of(r.format.as_deref(), formats, default, &key("format"), p);
    let by = one_of(r.by.as_deref(), &["owner", "route"], "owner", &key("by"), p);
    if kind == ReportKind::Links && r.by.is_some() {
        p.push(
            key("by"),
            "only a spare report is grouped by owner or route",
        );
    }
    let dir = match r.dir.as_deref() {
        Some(d) if !d.trim().is_empty() => Some(PathBuf::from(d)),
        _ => {
            p.push(
                key("dir"),
                "missing (the directory the files are written to)",
            );
            None
        }
    };
    let window_days = number(r.window_days, 1..=3660, 30, &key("window_days"), p);
    let top = number(r.top, 1..=100_000, 50, &key("top"), p);
    Some(ReportConfig {
        kind,
        schedule: schedule?,
        format,
        dir: dir?,
        by,
        window_days: window_days as u32,
        top: top as usize,
    })
}

fn one_of(v: Option<&str>, choices: &[&str], default: &str, key: &str, p: &mut Problems) -> String {
    match v {
        None => default.to_string(),
        Some(v) if choices.contains(&v) => v.to_string(),
        Some(v) => {
            p.push(
                key,
                format!("expected one of {}, got {v:?}", choices.join(", ")),
            );
            default.to_string()
        }
    }
}

fn number(
    v: Option<i64>,
    ok: std::ops::RangeInclusive<i64>,
    default: i64,
    key: &str,
    p: &mut Problems,
) -> i64 {
    match v {
        None => default,
        Some(n) if ok.contains(&n) => n,
        Some(n) => {
            p.push(
                key,
                format!("must be {}..={}, got {n}", ok.start(), ok.end()),
            );
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ReportKind};

    fn parse(text: &str) -> Result<Config, Vec<String>> {
        Config::parse(text, &|_| None)
            .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
    }

    const BASE: &str = "[store]\npath = \"/tmp/s\"\n[cadastre]\ndata = \"/tmp/c\"\n";

    #[test]
    fn a_monthly_spare_workbook_and_links_with_defaults() {
        let cfg = parse(&format!(
            "{BASE}[[report]]\nkind = \"spare\"\nschedule = \"0 6 1 * *\"\ndir = \"/srv/reports\"\n\
             [[report]]\nkind = \"links\"\nschedule = \"0 7 * * 1\"\nformat = \"csv\"\ndir = \"/srv/l\"\ntop = 10\n"
        ))
        .unwrap();
        let [spare, links] = &cfg.reports[..] else {
            panic!("{:?}", cfg.reports)
        };
        assert_eq!(spare.kind, ReportKind::Spare);
        assert_eq!(
            (spare.format.as_str(), spare.by.as_str()),
            ("xlsx", "owner")
        );
        assert_eq!(
            (spare.window_days, spare.schedule.as_str()),
            (30, "0 6 1 * *")
        );
        assert_eq!(
            (links.kind, links.format.as_str(), links.top),
            (ReportKind::Links, "csv", 10)
        );
    }

    #[test]
    fn every_bad_key_is_named() {
        let p = parse(&format!(
            "{BASE}[[report]]\nkind = \"spare\"\nschedule = \"every monday\"\nformat = \"pdf\"\nby = \"site\"\nwindow_days = 0\n\
             [[report]]\nkind = \"weather\"\n"
        ))
        .unwrap_err();
        for key in [
            "report[0].schedule",
            "report[0].format",
            "report[0].by",
            "report[0].dir",
            "report[0].window_days",
            "report[1].kind",
        ] {
            assert!(p.iter().any(|m| m.starts_with(key)), "{key} not in {p:?}");
        }
        let p = parse("[store]\npath = \"/tmp/s\"\n[[report]]\nkind = \"links\"\nschedule = \"0 7 * * 1\"\ndir = \"/x\"\nby = \"owner\"\n").unwrap_err();
        assert!(
            p.iter()
                .any(|m| m.contains("report[0].kind") && m.contains("[cadastre] data")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.starts_with("report[0].by")), "{p:?}");
    }
}
