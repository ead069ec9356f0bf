//! Which property of a feature is wrong. serde stops at the first bad field and a type error
//! does not name it, so on failure each property is tried alone against a valid template of
//! the struct: every missing or bad property is named (the happy path costs nothing extra).

use geo::{Geometry, MultiLineString, Point};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{
    Allocation, Cable, Hotspot, Owner, PortRef, Route, Site, TargetPlace, Use, Worksite,
};

/// A valid instance with every optional property present.
pub(super) trait Template: Serialize {
    fn template() -> Self;
    /// The feature's id.
    fn id(&self) -> &str;
}

/// The properties as `T`, or every `(field, message)` wrong with them.
pub(super) fn deserialize<T: DeserializeOwned + Template>(
    props: Map<String, Value>,
) -> Result<T, Vec<(String, String)>> {
    let value = Value::Object(props);
    match T::deserialize(&value) {
        Ok(t) => Ok(t),
        Err(e) => {
            let Value::Object(props) = value else {
                return Err(vec![("properties".to_string(), e.to_string())]);
            };
            let bad = diagnose::<T>(&props);
            if bad.is_empty() {
                return Err(vec![("properties".to_string(), e.to_string())]);
            }
            Err(bad)
        }
    }
}

/// Each template property replaced by the feature's (or removed when the feature lacks it).
fn diagnose<T: DeserializeOwned + Template>(props: &Map<String, Value>) -> Vec<(String, String)> {
    let Ok(Value::Object(template)) = serde_json::to_value(T::template()) else {
        return vec![];
    };
    let mut bad = vec![];
    for key in template.keys() {
        let mut probe = template.clone();
        match props.get(key) {
            Some(v) => probe.insert(key.clone(), v.clone()),
            None => probe.remove(key),
        };
        if let Err(e) = T::deserialize(&Value::Object(probe)) {
            let message = e.to_string();
            let message = if message.starts_with("missing field") {
                "missing field".to_string()
            } else {
                message
            };
            bad.push((key.clone(), message));
        }
    }
    // Sorted by field name whatever the map's order (serde_json's `preserve_order`).
    bad.sort();
    bad
}

fn s(text: &str) -> String {
    text.to_string()
}

impl Template for Owner {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Owner {
            id: s("o"),
            name: s("n"),
            notes: Some(s("x")),
        }
    }
}

impl Template for Site {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Site {
            id: s("s"),
            name: s("n"),
            kind: s("pop"),
            owner: Some(s("o")),
            address: Some(s("a")),
            commune: Some(s("c")),
            status: s("in_service"),
            location: Point::new(0.0, 0.0),
        }
    }
}

impl Template for Route {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Route {
            id: s("r"),
            name: Some(s("n")),
            from_site: s("a"),
            to_site: s("b"),
            owner: s("o"),
            deployment: s("underground"),
            ducts_total: 1,
            ducts_free: 0,
            status: s("in_service"),
            declared_length_m: Some(1.0),
            srlgs: Vec::new(),
            geometry: MultiLineString::new(vec![]),
        }
    }
}

impl Template for Cable {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Cable {
            id: s("c"),
            name: Some(s("n")),
            routes: vec![s("r")],
            fibre_count: 12,
            fibre_type: Some(s("G.652.D")),
            owner: s("o"),
            status: s("in_service"),
        }
    }
}

impl Template for Allocation {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        let port = PortRef {
            device: s("d"),
            port: s("p"),
        };
        Allocation {
            id: s("a"),
            cable: s("c"),
            strands: vec![1],
            use_: Use::Internal,
            party: s("p"),
            owner: s("o"),
            from_site: s("a"),
            to_site: s("b"),
            a_end: Some(port.clone()),
            b_end: Some(port),
        }
    }
}

impl Template for Hotspot {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Hotspot {
            id: s("h"),
            name: s("n"),
            site: s("s"),
            access_points: vec![],
            owner: Some(s("o")),
        }
    }
}

impl Template for TargetPlace {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        TargetPlace {
            id: s("t"),
            name: s("n"),
            kind: s("library"),
            weight: 1.0,
            location: Point::new(0.0, 0.0),
        }
    }
}

impl Template for Worksite {
    fn id(&self) -> &str {
        &self.id
    }

    fn template() -> Self {
        Worksite {
            id: s("w"),
            name: s("n"),
            nature: s("resurfacing"),
            organisation: s("o"),
            start: s("2026-01-01"),
            end: s("2026-02-01"),
            geometry: Geometry::Point(Point::new(0.0, 0.0)),
        }
    }
}
