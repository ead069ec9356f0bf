//! Poll schedules: cron expressions. The `cron` crate wants 6 or 7 fields (seconds first); the
//! classic 5-field form (`*/5 * * * *`) is accepted too and runs at second 0.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

/// A validated cron schedule, keeping the text as written.
#[derive(Clone)]
pub struct Schedule {
    text: String,
    inner: cron::Schedule,
}

impl Schedule {
    /// Parses a 5-, 6- or 7-field cron expression.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let n = text.split_whitespace().count();
        let full = match n {
            5 => format!("0 {text}"),
            6 | 7 => text.to_string(),
            _ => {
                return Err(format!(
                    "expected a cron expression of 5 fields (min hour day month weekday) or 6-7 \
                     fields (seconds first), found {n} field(s) in {text:?}"
                ))
            }
        };
        let inner = cron::Schedule::from_str(&full)
            .map_err(|e| format!("invalid cron expression {text:?}: {e}"))?;
        if inner.upcoming(Utc).next().is_none() {
            return Err(format!("cron expression {text:?} never fires"));
        }
        Ok(Schedule {
            text: text.to_string(),
            inner,
        })
    }

    /// The next firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.inner.after(&after).next()
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_fields_fire_at_second_zero() {
        let s = Schedule::parse("*/5 * * * *").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 10, 1, 30).unwrap();
        let next = s.next_after(t).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 1, 1, 10, 5, 0).unwrap());
    }

    #[test]
    fn six_fields_keep_seconds() {
        let s = Schedule::parse("*/10 * * * * *").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 10, 1, 31).unwrap();
        assert_eq!(
            s.next_after(t).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 10, 1, 40).unwrap()
        );
    }

    #[test]
    fn wrong_field_counts_are_named() {
        let e = Schedule::parse("* * *").unwrap_err();
        assert!(e.contains("found 3 field(s)"), "{e}");
        assert!(Schedule::parse("61 * * * *").is_err());
    }
}
