//! Query parameters read one by one, so that a bad value is a 400 naming its parameter
//! (`{"error": "k: ...", "field": "k"}`), a repeated one can be a list (`owner=a&owner=b`),
//! and an unknown one is refused rather than silently ignored.

use std::str::FromStr;

use axum::extract::Query;

use super::ApiError;

/// The query's `(key, value)` pairs, checked against the keys a route knows.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The pairs of `query`; a key not in `known` is a 400 naming it.
    pub fn new(
        Query(pairs): Query<Vec<(String, String)>>,
        known: &[&str],
    ) -> Result<Self, ApiError> {
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return Err(ApiError::bad_field(
                k,
                format!("{k}: unknown parameter; known: {}", known.join(", ")),
            ));
        }
        Ok(Params(pairs))
    }

    /// Every value of a repeatable `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `key`, when given (once: a repeated key is a 400).
    pub fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::bad_field(
                key,
                format!("{key}: given more than once"),
            ));
        }
        Ok(first.map(String::as_str))
    }

    /// The value of a required `key`.
    pub fn required(&self, key: &str) -> Result<String, ApiError> {
        match self.one(key)? {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(ApiError::bad_field(key, format!("{key}: required"))),
        }
    }

    /// `key` parsed, or `None` when absent.
    pub fn parse_opt<T: FromStr>(&self, key: &str, what: &str) -> Result<Option<T>, ApiError> {
        self.one(key)?
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::bad_field(key, format!("{key}: expected {what}, got {v:?}"))
                })
            })
            .transpose()
    }

    /// `key` parsed, or `default` when absent.
    pub fn parse<T: FromStr>(&self, key: &str, default: T, what: &str) -> Result<T, ApiError> {
        Ok(self.parse_opt(key, what)?.unwrap_or(default))
    }

    /// A finite number within `ok`, or `default` when absent.
    pub fn number(
        &self,
        key: &str,
        default: Option<f64>,
        ok: impl Fn(f64) -> bool,
        what: &str,
    ) -> Result<Option<f64>, ApiError> {
        match self.parse_opt::<f64>(key, what)? {
            Some(x) if x.is_finite() && ok(x) => Ok(Some(x)),
            Some(x) => Err(ApiError::bad_field(
                key,
                format!("{key}: expected {what}, got {x}"),
            )),
            None => Ok(default),
        }
    }

    /// A boolean flag: `true`/`false` (`1`/`0`; a bare `key` is true), false when absent.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.one(key)? {
            None => Ok(false),
            Some("" | "true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(v) => Err(ApiError::bad_field(
                key,
                format!("{key}: expected true or false, got {v:?}"),
            )),
        }
    }

    /// One of `choices`, or `default` when absent.
    pub fn choice<'a>(
        &self,
        key: &str,
        choices: &[&'a str],
        default: &'a str,
    ) -> Result<&'a str, ApiError> {
        match self.one(key)? {
            None => Ok(default),
            Some(v) => choices.iter().find(|c| **c == v).copied().ok_or_else(|| {
                ApiError::bad_field(
                    key,
                    format!("{key}: expected one of {}, got {v:?}", choices.join(", ")),
                )
            }),
        }
    }

    /// `window_days`: the p95 window of the measured routes, whole days, 30 when absent.
    pub fn window_days(&self) -> Result<u32, ApiError> {
        let window_days = self.parse("window_days", 30u32, "a whole number of days >= 1")?;
        if window_days == 0 {
            return Err(ApiError::bad_field(
                "window_days",
                "window_days: must be at least 1",
            ));
        }
        Ok(window_days)
    }
}
