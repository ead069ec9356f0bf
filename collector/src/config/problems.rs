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
