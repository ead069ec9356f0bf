//! Fuzzes the wifi usage CSV (`irisops wifi import-usage`, `POST /api/v1/wifi/usage`):
//! `wifi::usage_csv::read`.
//!
//! Checks: a bad header is one problem and no row; otherwise each non-blank line after the
//! header is a row or a problem, problems in line order, each naming a line of the text; a
//! row has a hotspot, and its numbers are finite, non-negative, the availability at most 1.
//! And the rows written back as a CSV of the contract (RFC 4180 quoting, every column) read
//! as the same rows with no problem.

#![no_main]

use cadastre::wifi::usage_csv;
use cadastre::wifi::verdict::DailyUsage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rows, problems) = usage_csv::read(text);
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_end_matches('\r').trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    let header_refused = problems.first().is_some_and(|p| p.field == "header");
    if header_refused {
        assert!(rows.is_empty() && problems.len() == 1, "{problems:?}");
        assert_eq!(problems[0].line, lines.first().copied().unwrap_or(1));
    } else {
        assert_eq!(rows.len() + problems.len(), lines.len() - 1, "{problems:?}");
        assert!(problems.windows(2).all(|w| w[0].line < w[1].line));
        for p in &problems {
            assert!(lines[1..].contains(&p.line), "{p}");
            assert_ne!(p.field, "header");
        }
    }
    for r in &rows {
        check_row(r);
    }
    if !rows.is_empty() {
        let (back, problems) = usage_csv::read(&write(&rows));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, rows, "written and read back, the rows differ");
    }
});

fn check_row(r: &DailyUsage) {
    assert!(!r.hotspot.is_empty() && r.hotspot.trim() == r.hotspot);
    let numbers = [r.peak_clients, r.client_hours, r.sessions, r.unique_users];
    for v in numbers.into_iter().chain([r.availability]).flatten() {
        assert!(v.is_finite() && v >= 0.0, "{r:?}");
    }
    assert!(r.availability.is_none_or(|a| a <= 1.0), "{r:?}");
}

/// The rows as the contract's CSV: every column, absent values empty, every hotspot quoted.
fn write(rows: &[DailyUsage]) -> String {
    let mut out = String::from(
        "hotspot,date,peak_clients,client_hours,availability,sessions,unique_users\r\n",
    );
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let values = [
            r.peak_clients,
            r.client_hours,
            r.availability,
            r.sessions,
            r.unique_users,
        ];
        let hotspot = r.hotspot.replace('"', "\"\"");
        out.push_str(&format!("\"{hotspot}\",{}", r.date.format("%Y-%m-%d")));
        for v in values {
            out.push(',');
            out.push_str(&number(v));
        }
        out.push_str("\r\n");
    }
    out
}
