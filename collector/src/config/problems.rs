//! A configuration's problems, each naming its key, and the small readers every section's
//! validation shares. Every section module (`validate`, `api`, `report`) imports this one and
//! nothing imports them back, so the sections stay one-way.

use std::fmt;
use std::time::Duration;

/// One problem in a configuration, naming its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key, e.g. `device[3].schedule` or `auth.backbone.priv_password`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// The problems found so far.
pub(super) struct Problems(pub(super) Vec<Problem>);

impl Problems {
    pub(super) fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }
}

/// A duration key (`"5s"`, `"14d"`), or `default` when absent; a bad or zero one is a problem.
pub(super) fn duration_or(
    text: Option<&str>,
    key: &str,
    default: Duration,
    p: &mut Problems,
) -> Duration {
    match text {
        None => default,
        Some(t) => match humantime::parse_duration(t) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => {
                p.push(key, "must be greater than zero");
                default
            }
            Err(e) => {
                p.push(
                    key,
                    format!("invalid duration {t:?} ({e}); write e.g. \"5s\", \"14d\""),
                );
                default
            }
        },
    }
}

/// Resolves `${NAME}` references. Errors never contain the resolved value.
pub(super) fn expand(
    text: &str,
    key: &str,
    env: &dyn Fn(&str) -> Option<String>,
    p: &mut Problems,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match env(name) {
                    Some(v) => out.push_str(&v),
                    None => p.push(key, format!("environment variable {name} is not set")),
                }
                rest = &after[end + 1..];
            }
            None => {
                p.push(key, "unterminated ${ reference");
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}
