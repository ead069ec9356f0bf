//! Problems found in a cadastre: each names the layer, the feature index and id, and the field,
//! so a planner can find it in the file. Errors stop an import; warnings do not.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::Layer;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with one feature (or a whole layer when `index` is `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub layer: Layer,
    /// The feature's position in its layer (0-based, as in the input file).
    pub index: Option<usize>,
    pub id: Option<String>,
    /// The property (`owner`, `strands`, `geometry`, ...).
    pub field: String,
    pub message: String,
}

impl Problem {
    /// An error at `layer[index]` (id `id`), field `field`.
    pub fn error(
        layer: Layer,
        index: Option<usize>,
        id: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Error,
            layer,
            index,
            id: id.map(str::to_string),
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A warning at `layer[index]` (id `id`), field `field`.
    pub fn warning(
        layer: Layer,
        index: Option<usize>,
        id: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(layer, index, id, field, message)
        }
    }
}

/// `error: routes[12] (id "r-12") owner: unknown owner "acme"`
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.layer.as_str())?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        write!(f, " {}: {}", self.field, self.message)
    }
}

/// Every problem found, in the order found; from a reader, where the features it kept stood
/// in their files ([`Positions`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub problems: Vec<Problem>,
    /// Set by the readers; the validator's problems name the file's index through it.
    #[serde(skip)]
    pub positions: Positions,
}

/// Where the features a reader kept stood in their input: per layer, the index in its file of
/// the feature at each position of the cadastre's vector. A feature that cannot be read is not
/// kept, so after one the vector's position and the file's index part: the validator counts
/// positions, a planner reads the file ([`crate::validate::validate_read`] names the file's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Positions(BTreeMap<Layer, Vec<usize>>);

impl Positions {
    /// The next feature kept of `layer` stood at `index` in its file.
    pub fn push(&mut self, layer: Layer, index: usize) {
        self.0.entry(layer).or_default().push(index);
    }

    /// The index in its file of the feature at `position` of `layer`'s vector (the position
    /// itself when the reader recorded none).
    pub fn index(&self, layer: Layer, position: usize) -> usize {
        self.0
            .get(&layer)
            .and_then(|v| v.get(position))
            .copied()
            .unwrap_or(position)
    }
}

impl Report {
    pub fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    pub fn extend(&mut self, other: Report) {
        self.problems.extend(other.problems);
    }

    /// True when any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    pub fn n_errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    pub fn n_warnings(&self) -> usize {
        self.problems.len() - self.n_errors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_layer_index_id_and_field() {
        let p = Problem::error(
            Layer::Routes,
            Some(12),
            Some("r-12"),
            "owner",
            "unknown owner \"acme\"",
        );
        assert_eq!(
            p.to_string(),
            "error: routes[12] (id \"r-12\") owner: unknown owner \"acme\""
        );
        let w = Problem::warning(Layer::Cables, None, None, "fibre_count", "x");
        assert_eq!(w.to_string(), "warning: cables fibre_count: x");
    }
}
