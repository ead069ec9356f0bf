//! Reading one OFDS object (a node, a span, an organisation) field by field: a field of the wrong
//! type is a problem naming the layer, the index in the input array, the id and the OFDS field,
//! and reading goes on with the next field.

use geo::{Coord, LineString, MultiLineString, Point};
use serde_json::{Map, Value};

use crate::model::Layer;
use crate::problem::{Problem, Report};

/// One input object and where it came from.
pub(super) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub layer: Layer,
    pub index: usize,
    pub id: Option<String>,
}

impl<'a> Obj<'a> {
    pub fn new(map: &'a Map<String, Value>, layer: Layer, index: usize) -> Obj<'a> {
        Obj {
            map,
            layer,
            index,
            id: None,
        }
    }

    pub fn error(&self, report: &mut Report, field: &str, message: impl Into<String>) {
        let id = self.id.as_deref();
        report.push(Problem::error(
            self.layer,
            Some(self.index),
            id,
            field,
            message,
        ));
    }

    pub fn warning(&self, report: &mut Report, field: &str, message: impl Into<String>) {
        let id = self.id.as_deref();
        report.push(Problem::warning(
            self.layer,
            Some(self.index),
            id,
            field,
            message,
        ));
    }

    /// A string field; `None` when absent (or null). Another type, or an empty string (OFDS
    /// strings have `minLength: 1`), is an error.
    pub fn str(&self, report: &mut Report, field: &str) -> Option<&'a str> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            Some(Value::String(_)) => {
                self.error(report, field, "empty string");
                None
            }
            Some(other) => {
                self.error(
                    report,
                    field,
                    format!("expected a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// An object field; `None` when absent; another type is an error.
    pub fn object(&self, report: &mut Report, field: &str) -> Option<&'a Map<String, Value>> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.error(
                    report,
                    field,
                    format!("expected an object, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// An array field; empty when absent; another type is an error.
    pub fn array(&self, report: &mut Report, field: &str) -> &'a [Value] {
        match self.map.get(field) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.error(
                    report,
                    field,
                    format!("expected an array, found {}", kind(other)),
                );
                &[]
            }
        }
    }

    /// An array of strings; a non-string item is an error and skipped.
    pub fn strings(&self, report: &mut Report, field: &str) -> Vec<&'a str> {
        let mut out = Vec::new();
        for (i, v) in self.array(report, field).iter().enumerate() {
            match v.as_str() {
                Some(s) => out.push(s),
                None => self.error(report, &format!("{field}[{i}]"), "expected a string"),
            }
        }
        out
    }

    /// A number field; `None` when absent; another type, or a negative number, is an error.
    pub fn non_negative(&self, report: &mut Report, field: &str) -> Option<f64> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x >= 0.0 => Some(x),
                _ => {
                    self.error(
                        report,
                        field,
                        format!("expected a non-negative number, found {n}"),
                    );
                    None
                }
            },
            Some(other) => {
                self.error(
                    report,
                    field,
                    format!("expected a number, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// A non-negative integer that fits a `u32`; `None` when absent; anything else is an error.
    pub fn count(&self, report: &mut Report, field: &str) -> Option<u32> {
        let value = self.map.get(field)?;
        match value.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None if value.is_null() => None,
            None => {
                self.error(
                    report,
                    field,
                    format!("expected a fibre count, found {value}"),
                );
                None
            }
        }
    }
}

/// The JSON type of `v`, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A GeoJSON position: at least two finite numbers (an altitude is dropped).
fn position(v: &Value) -> Result<Coord<f64>, String> {
    let items = v.as_array().ok_or("a position must be an array")?;
    let num = |i: usize| {
        items
            .get(i)
            .and_then(Value::as_f64)
            .filter(|x| x.is_finite())
    };
    match (num(0), num(1)) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(format!("{v} is not a [lon, lat] position")),
    }
}

fn line(v: &Value) -> Result<LineString<f64>, String> {
    let items = v
        .as_array()
        .ok_or("a LineString's coordinates must be an array")?;
    let coords = items.iter().map(position).collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 2 {
        return Err(format!(
            "a LineString needs 2 positions, found {}",
            coords.len()
        ));
    }
    Ok(LineString::new(coords))
}

fn typed<'v>(v: &'v Value, want: &[&str]) -> Result<(&'v str, &'v Value), String> {
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    if !want.contains(&ty) {
        let found = if ty.is_empty() { kind(v) } else { ty };
        return Err(format!(
            "expected a GeoJSON {}, found {found}",
            want.join(" or ")
        ));
    }
    let coords = v.get("coordinates").ok_or("no coordinates")?;
    Ok((ty, coords))
}

/// A GeoJSON Point geometry.
pub(super) fn point(v: &Value) -> Result<Point<f64>, String> {
    let (_, coords) = typed(v, &["Point"])?;
    position(coords).map(Point::from)
}

/// A GeoJSON LineString (OFDS) or MultiLineString (accepted; `true` says it was one).
pub(super) fn lines(v: &Value) -> Result<(MultiLineString<f64>, bool), String> {
    match typed(v, &["LineString", "MultiLineString"])? {
        ("LineString", coords) => Ok((MultiLineString::new(vec![line(coords)?]), false)),
        (_, coords) => {
            let parts = coords.as_array().ok_or("coordinates must be an array")?;
            let parts = parts.iter().map(line).collect::<Result<Vec<_>, _>>()?;
            if parts.is_empty() {
                return Err("an empty MultiLineString".to_string());
            }
            Ok((MultiLineString::new(parts), true))
        }
    }
}
