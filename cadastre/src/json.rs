//! The one rule every JSON reader of the cadastre shares: a struct is read from a JSON object
//! only. serde's derived structs also take an array of their fields in order (`["Feature",
//! "s1", null, {...}]` would be a feature), which neither GeoJSON nor a change set is (found
//! by the `change_set` fuzz target: `["r", "", []]` was a change request).

use serde::Deserialize;

/// `text` (one JSON value) as `T`, when it is an object. Text that is not JSON keeps serde's
/// syntax error; any other value is a data error ("expected a JSON object, found an array").
pub(crate) fn object<'a, T: Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text);
    }
    let found = match serde_json::from_str::<serde_json::Value>(text)? {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    };
    Err(serde::de::Error::custom(format!(
        "expected a JSON object, found {found}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Two {
        a: u32,
        b: Option<String>,
    }

    #[test]
    fn only_an_object_is_a_struct() {
        assert_eq!(object::<Two>(r#" {"a":1}"#).unwrap(), Two { a: 1, b: None });
        assert!(
            serde_json::from_str::<Two>(r#"[1,"x"]"#).is_ok(),
            "serde alone takes it"
        );
        let e = object::<Two>(r#"[1,"x"]"#).unwrap_err();
        assert_eq!(e.classify(), serde_json::error::Category::Data);
        assert_eq!(e.to_string(), "expected a JSON object, found an array");
        let e = object::<Two>("[1,").unwrap_err();
        assert_eq!(e.classify(), serde_json::error::Category::Eof);
    }
}
