//! Daily usage from a CSV the operator exports from the captive portal or the controller,
//! which counts what SNMP cannot (sessions, unique users). The contract:
//! `hotspot,date,peak_clients,client_hours[,availability][,sessions][,unique_users]` — a header
//! line naming the columns (any order; the first four required), `date` as YYYY-MM-DD, an
//! empty cell is unknown. Fields may be quoted as RFC 4180 says (`"Place, Flagey"`).
//!
//! Partial failure is a value: every bad line is a [`UsageProblem`] naming its line and column,
//! the good lines are kept.

use chrono::NaiveDate;

use super::verdict::DailyUsage;

/// The columns the contract knows; the first four are required.
const COLUMNS: [&str; 7] = [
    "hotspot",
    "date",
    "peak_clients",
    "client_hours",
    "availability",
    "sessions",
    "unique_users",
];

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageProblem {
    /// 1-based line of the file.
    pub line: usize,
    /// The column at fault (or `header`).
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for UsageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.field, self.message)
    }
}

/// The rows of `text` and the problems of the lines that could not be read. A bad header is
/// one problem and no row.
pub fn read(text: &str) -> (Vec<DailyUsage>, Vec<UsageProblem>) {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((n, header)) = lines.next() else {
        return (Vec::new(), vec![problem(1, "header", "the file is empty")]);
    };
    let index = match header_index(&split(header), n) {
        Ok(i) => i,
        Err(p) => return (Vec::new(), vec![p]),
    };
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (n, line) in lines {
        match row(&split(line), &index, n) {
            Ok(r) => rows.push(r),
            Err(p) => problems.push(p),
        }
    }
    (rows, problems)
}

fn problem(line: usize, field: &str, message: impl Into<String>) -> UsageProblem {
    UsageProblem {
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

/// The position of each known column in the header (`None`: absent).
fn header_index(cells: &[String], line: usize) -> Result<[Option<usize>; 7], UsageProblem> {
    let mut index = [None; 7];
    for (pos, cell) in cells.iter().enumerate() {
        let name = cell.trim().to_ascii_lowercase();
        let Some(k) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(problem(
                line,
                "header",
                format!(
                    "unknown column {name:?}: the columns are {}",
                    COLUMNS.join(", ")
                ),
            ));
        };
        if index[k].replace(pos).is_some() {
            return Err(problem(line, "header", format!("column {name:?} twice")));
        }
    }
    if let Some(k) = (0..4).find(|&k| index[k].is_none()) {
        return Err(problem(
            line,
            "header",
            format!("missing column {:?}", COLUMNS[k]),
        ));
    }
    Ok(index)
}

/// One data line as a row.
fn row(
    cells: &[String],
    index: &[Option<usize>; 7],
    line: usize,
) -> Result<DailyUsage, UsageProblem> {
    let cell = |k: usize| {
        index[k]
            .and_then(|p| cells.get(p))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
    };
    let hotspot = cell(0).ok_or_else(|| problem(line, "hotspot", "empty"))?;
    let date = cell(1).ok_or_else(|| problem(line, "date", "empty"))?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| problem(line, "date", format!("expected YYYY-MM-DD, got {date:?}")))?;
    let number = |k: usize, max: f64| -> Result<Option<f64>, UsageProblem> {
        let Some(text) = cell(k) else { return Ok(None) };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=max).contains(&v) => Ok(Some(v)),
            _ => Err(problem(
                line,
                COLUMNS[k],
                format!("expected a number from 0 to {max}, got {text:?}"),
            )),
        }
    };
    Ok(DailyUsage {
        hotspot: hotspot.to_string(),
        date,
        peak_clients: number(2, f64::MAX)?,
        client_hours: number(3, f64::MAX)?,
        availability: number(4, 1.0)?,
        sessions: number(5, f64::MAX)?,
        unique_users: number(6, f64::MAX)?,
        ..DailyUsage::default()
    })
}

/// The cells of one line: commas separate, double quotes quote (`""` is a quote inside).
fn split(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_columns_in_any_order_with_unknown_cells() {
        let text = "date,hotspot,peak_clients,client_hours,availability,unique_users\r\n\
                    2026-11-02,hs-001,12,30.5,0.98,41\n\
                    \n\
                    2026-11-03,\"Place, Flagey \"\"1\"\"\",3,,,\n";
        let (rows, problems) = read(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].hotspot, "hs-001");
        assert_eq!(rows[0].peak_clients, Some(12.0));
        assert_eq!(rows[0].availability, Some(0.98));
        assert_eq!(rows[0].unique_users, Some(41.0));
        assert_eq!(rows[0].sessions, None);
        assert_eq!(rows[1].hotspot, "Place, Flagey \"1\"");
        assert_eq!(rows[1].client_hours, None);
        assert_eq!(rows[1].date, NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
    }

    #[test]
    fn a_bad_line_names_its_line_and_column_and_the_others_are_kept() {
        let text = "hotspot,date,peak_clients,client_hours,availability\n\
                    hs-1,2026-11-02,3,4,1\n\
                    hs-1,02/11/2026,3,4,1\n\
                    hs-1,2026-11-04,-3,4,1\n\
                    hs-1,2026-11-05,3,4,1.5\n\
                    ,2026-11-06,3,4,1\n\
                    hs-1,2026-11-07,3,NaN,1\n";
        let (rows, problems) = read(text);
        assert_eq!(rows.len(), 1);
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (3, "date"),
                (4, "peak_clients"),
                (5, "availability"),
                (6, "hotspot"),
                (7, "client_hours")
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "line 3, date: expected YYYY-MM-DD, got \"02/11/2026\""
        );
    }

    #[test]
    fn a_bad_header_is_one_problem_and_no_row() {
        for (text, msg) in [
            ("", "empty"),
            (
                "hotspot,date,peak_clients\nhs,2026-11-01,1\n",
                "missing column \"client_hours\"",
            ),
            (
                "hotspot,date,peak_clients,client_hours,avialability\n",
                "unknown column \"avialability\"",
            ),
            (
                "hotspot,date,date,peak_clients,client_hours\n",
                "column \"date\" twice",
            ),
        ] {
            let (rows, problems) = read(text);
            assert!(rows.is_empty());
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].field, "header");
            assert!(problems[0].message.contains(msg), "{problems:?}");
        }
    }
}
