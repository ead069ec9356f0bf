//! A typed table: the one form behind the CLI's table and CSV and the API's CSV and xlsx
//! workbook. Numbers stay numbers (written as numbers in the workbook, with their decimals
//! as the number format; printed with those decimals in text).

use rust_xlsxwriter::{Format, Workbook};

use super::QuestionError;

/// The xlsx media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A number and the decimals it is shown with.
    Num(f64, usize),
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x, d) => format!("{x:.d$}"),
            Cell::Empty => String::new(),
        }
    }
}

/// A header and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Tab-separated lines, header first.
    pub fn to_tsv(&self) -> String {
        self.lines("\t", |s| s)
    }

    /// RFC 4180 CSV: a field with a comma or a quote is quoted.
    pub fn to_csv(&self) -> String {
        self.lines(",", |f| {
            if f.contains(',') || f.contains('"') {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
    }

    fn lines(&self, sep: &str, field: impl Fn(String) -> String) -> String {
        let mut s = self.header.join(sep);
        s.push('\n');
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(|c| field(c.text())).collect();
            s.push_str(&fields.join(sep));
            s.push('\n');
        }
        s
    }

    /// An xlsx workbook of one sheet named `sheet`: a bold header row, numbers as numbers.
    pub fn to_xlsx(&self, sheet: &str) -> Result<Vec<u8>, QuestionError> {
        let err = |e: rust_xlsxwriter::XlsxError| QuestionError::Workbook(e.to_string());
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(sheet).map_err(err)?;
        let bold = Format::new().set_bold();
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c), *h, &bold)
                .map_err(err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)
                .map_err(|_| QuestionError::Workbook("too many rows".into()))?;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => ws.write_string(r, col(c), s).map(|_| ()),
                    Cell::Int(n) => ws.write_number(r, col(c), *n as f64).map(|_| ()),
                    Cell::Num(x, d) => {
                        let f = Format::new().set_num_format(number_format(*d));
                        ws.write_number_with_format(r, col(c), *x, &f).map(|_| ())
                    }
                    Cell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        book.save_to_buffer().map_err(err)
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// `0`, `0.0`, `0.000`, ...
fn number_format(decimals: usize) -> String {
    if decimals == 0 {
        "0".into()
    } else {
        format!("0.{}", "0".repeat(decimals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            header: vec!["name", "n", "km"],
            rows: vec![
                vec![
                    Cell::Text("a, \"b\"".into()),
                    Cell::Int(3),
                    Cell::Num(1.23456, 3),
                ],
                vec![Cell::Text("c".into()), Cell::Empty, Cell::Num(2.0, 1)],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_decimals() {
        assert_eq!(
            table().to_csv(),
            "name,n,km\n\"a, \"\"b\"\"\",3,1.235\nc,,2.0\n"
        );
        assert_eq!(
            table().to_tsv(),
            "name\tn\tkm\na, \"b\"\t3\t1.235\nc\t\t2.0\n"
        );
    }

    /// A part of a zip, as text.
    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn xlsx_has_the_named_sheet_and_numbers_as_numbers() {
        let bytes = table().to_xlsx("owner").unwrap();
        assert!(part(&bytes, "xl/workbook.xml").contains(r#"<sheet name="owner""#));
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // Numbers are `<v>` values without a string type; text goes to the shared strings.
        assert!(
            sheet.contains(r#"<c r="B2" s="0"><v>3</v></c>"#)
                || sheet.contains(r#"<c r="B2"><v>3</v></c>"#),
            "{sheet}"
        );
        assert!(sheet.contains("<v>1.23456</v>"), "{sheet}");
        assert!(sheet.contains(r#"<c r="A2" t="s">"#), "{sheet}");
        assert!(part(&bytes, "xl/sharedStrings.xml").contains("a, "));
    }
}
