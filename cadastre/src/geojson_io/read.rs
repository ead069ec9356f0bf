//! One GeoJSON feature → one model struct: the id reconciled between the feature and its
//! properties, the properties deserialized (a bad one named by [`super::fields`]), the geometry
//! checked against the layer's kind and converted to WGS84.

use geo::{Coord, Geometry, LineString, MultiLineString, Point, Polygon};
use geojson::{GeometryValue, Position};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::fields::{self, Template};
use crate::crs::Crs;
use crate::limits::{positions_in, Limits};
use crate::model::{Cable, Cadastre, Hotspot, Layer, Route, Site, TargetPlace, Worksite};
use crate::problem::{Problem, Report};

/// Where a problem is: the feature's layer, index in its file and id (when known).
struct At<'a> {
    layer: Layer,
    index: usize,
    id: Option<String>,
    report: &'a mut Report,
}

impl At<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        let p = Problem::error(
            self.layer,
            Some(self.index),
            self.id.as_deref(),
            field,
            message,
        );
        self.report.push(p);
    }

    fn warning(&mut self, field: &str, message: impl Into<String>) {
        let p = Problem::warning(
            self.layer,
            Some(self.index),
            self.id.as_deref(),
            field,
            message,
        );
        self.report.push(p);
    }
}

/// A feature as it stands in the file: its parts borrowed from the text, parsed one by one so
/// a bad part is named and nothing is built twice (a `serde_json::Value` tree of 100k features
/// costs more in malloc than the whole rest of the import).
#[derive(Deserialize)]
struct RawFeature<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<Value>,
    #[serde(borrow)]
    geometry: Option<&'a RawValue>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
}

/// The properties still as text, and the feature's top-level id.
struct Props<'a> {
    raw: Option<&'a RawValue>,
    top: Option<String>,
}

/// Reads feature `index` of a `layer` file into `out` (true), or reports why it cannot.
pub(super) fn feature(
    layer: Layer,
    index: usize,
    raw: &RawValue,
    crs: Crs,
    limits: &Limits,
    out: &mut Cadastre,
    report: &mut Report,
) -> bool {
    let mut at = At {
        layer,
        index,
        id: None,
        report,
    };
    let Ok(f) = crate::json::object::<RawFeature<'_>>(raw.get()) else {
        at.error("feature", "expected a GeoJSON Feature object");
        return false;
    };
    if f.kind.as_deref() != Some("Feature") {
        at.error("type", "expected \"Feature\"");
        return false;
    }
    let top = match f.id {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(v) => {
            let message = format!("feature id must be a string or number, found {v}");
            at.error("id", message);
            return false;
        }
    };
    at.id.clone_from(&top);
    // A cable's geometry is the union of its routes, written on export and never read: neither
    // counted against max_vertices nor parsed, or an export whose cable runs over more
    // positions than the limit (a cable along many routes) would not read back (found by the
    // `geojson_import` fuzz target).
    let geometry_text = f.geometry.filter(|_| layer != Layer::Cables);
    let n = geometry_text.map_or(0, |g| positions_in(g.get()));
    if let Some(message) = limits.vertices(n) {
        if at.id.is_none() {
            at.id = properties_id(f.properties);
        }
        at.error("geometry", message);
        return false;
    }
    let geometry = match geometry_text {
        None => None,
        Some(g) => match serde_json::from_str::<geojson::Geometry>(g.get()) {
            Ok(g) => Some(g.value),
            Err(e) => {
                at.error("geometry", format!("invalid GeoJSON geometry: {e}"));
                return false;
            }
        },
    };
    let props = Props {
        raw: f.properties,
        top,
    };
    dispatch(&mut at, props, geometry.as_ref(), crs, out).is_some()
}

/// The id of a feature, from the feature or its properties, parsing nothing else (for a
/// feature over a limit, which is not read).
pub(super) fn id_of(raw: &RawValue) -> Option<String> {
    let f = crate::json::object::<RawFeature<'_>>(raw.get()).ok()?;
    match f.id {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => properties_id(f.properties),
    }
}

/// `properties.id`, parsing no other property.
fn properties_id(props: Option<&RawValue>) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        id: Option<String>,
    }
    crate::json::object::<Id>(props?.get()).ok()?.id
}

/// The properties as `T`; every bad property reported. The struct is read straight from the
/// text when it can be; otherwise through a JSON map, to reconcile the ids and name each bad
/// field.
fn properties<T: DeserializeOwned + Template>(at: &mut At<'_>, props: Props<'_>) -> Option<T> {
    if let Some(t) = props
        .raw
        .and_then(|raw| crate::json::object::<T>(raw.get()).ok())
    {
        at.id = Some(t.id().to_string());
        return match props.top {
            Some(top) if top != t.id() => {
                let message = format!("feature id {top:?} differs from properties.id {:?}", t.id());
                at.error("id", message);
                None
            }
            _ => Some(t),
        };
    }
    let mut map = match props
        .raw
        .map(|raw| serde_json::from_str::<Value>(raw.get()))
    {
        None => Map::new(),
        Some(Ok(Value::Object(m))) => m,
        Some(_) => {
            at.id = props.top;
            at.error("properties", "expected an object");
            return None;
        }
    };
    if !reconcile_id(props.top, &mut map, at) {
        return None;
    }
    match fields::deserialize::<T>(map) {
        Ok(t) => Some(t),
        Err(bad) => {
            for (field, message) in bad {
                at.error(&field, message);
            }
            None
        }
    }
}

/// The feature id and `properties.id`: either alone is the id; both must agree.
fn reconcile_id(top: Option<String>, props: &mut Map<String, Value>, at: &mut At<'_>) -> bool {
    let inner = props.get("id").and_then(Value::as_str).map(str::to_string);
    at.id = inner.clone().or_else(|| top.clone());
    match (top, inner) {
        (Some(t), Some(i)) if t != i => {
            let message = format!("feature id {t:?} differs from properties.id {i:?}");
            at.error("id", message);
            false
        }
        (Some(t), None) if !props.contains_key("id") => {
            props.insert("id".to_string(), Value::String(t));
            true
        }
        _ => true,
    }
}

fn dispatch(
    at: &mut At<'_>,
    props: Props<'_>,
    g: Option<&GeometryValue>,
    crs: Crs,
    out: &mut Cadastre,
) -> Option<()> {
    match at.layer {
        Layer::Owners => no_geometry(at, props, g).map(|o| out.owners.push(o)),
        Layer::Cables => properties(at, props).map(|c: Cable| out.cables.push(c)),
        Layer::Allocations => no_geometry(at, props, g).map(|a| out.allocations.push(a)),
        Layer::Hotspots => hotspot(at, props, g).map(|h| out.hotspots.push(h)),
        Layer::Sites => with_geometry(at, props, point(g, crs), |mut s: Site, p| {
            s.location = p;
            out.sites.push(s)
        }),
        Layer::Targets => with_geometry(at, props, point(g, crs), |mut t: TargetPlace, p| {
            t.location = p;
            out.targets.push(t)
        }),
        Layer::Routes => with_geometry(at, props, lines(g, crs), |mut r: Route, l| {
            r.geometry = l;
            out.routes.push(r)
        }),
        Layer::Worksites => with_geometry(at, props, area(g, crs), |mut w: Worksite, a| {
            w.geometry = a;
            out.worksites.push(w)
        }),
    }
}

/// Properties and geometry both checked (both reported) before the feature is kept.
fn with_geometry<T: DeserializeOwned + Template, G>(
    at: &mut At<'_>,
    props: Props<'_>,
    geometry: Result<G, String>,
    keep: impl FnOnce(T, G),
) -> Option<()> {
    let item = properties::<T>(at, props);
    match geometry {
        Ok(g) => item.map(|t| keep(t, g)),
        Err(message) => {
            at.error("geometry", message);
            None
        }
    }
}

/// Owners and allocations have no geometry: one given is ignored, with a warning.
fn no_geometry<T: DeserializeOwned + Template>(
    at: &mut At<'_>,
    props: Props<'_>,
    g: Option<&GeometryValue>,
) -> Option<T> {
    let item = properties(at, props);
    if let Some(g) = g {
        let layer = at.layer.as_str();
        at.warning(
            "geometry",
            format!("ignored: {layer} have no geometry, found {}", g.type_name()),
        );
    }
    item
}

/// A hotspot's Point is its site's: accepted, not kept.
fn hotspot(at: &mut At<'_>, props: Props<'_>, g: Option<&GeometryValue>) -> Option<Hotspot> {
    if let Some(g) = g.filter(|g| !matches!(g, GeometryValue::Point { .. })) {
        at.error(
            "geometry",
            format!("expected a Point or null, found {}", g.type_name()),
        );
        return None;
    }
    properties(at, props)
}

fn coord(p: &Position, crs: Crs) -> Result<Coord<f64>, String> {
    let [x, y, ..] = p.as_slice() else {
        return Err("a position needs two numbers".to_string());
    };
    let (x, y) = crs.to_wgs84(*x, *y).map_err(|e| e.to_string())?;
    Ok(Coord { x, y })
}

fn line(ps: &[Position], crs: Crs) -> Result<LineString<f64>, String> {
    ps.iter()
        .map(|p| coord(p, crs))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn found(g: Option<&GeometryValue>) -> &'static str {
    g.map_or("null", GeometryValue::type_name)
}

fn point(g: Option<&GeometryValue>, crs: Crs) -> Result<Point<f64>, String> {
    match g {
        Some(GeometryValue::Point { coordinates }) => coord(coordinates, crs).map(Point::from),
        other => Err(format!("expected a Point, found {}", found(other))),
    }
}

fn lines(g: Option<&GeometryValue>, crs: Crs) -> Result<MultiLineString<f64>, String> {
    let parts = match g {
        Some(GeometryValue::LineString { coordinates }) => vec![line(coordinates, crs)?],
        Some(GeometryValue::MultiLineString { coordinates }) => coordinates
            .iter()
            .map(|l| line(l, crs))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "expected a LineString or MultiLineString, found {}",
                found(other)
            ))
        }
    };
    Ok(MultiLineString::new(parts))
}

/// A worksite: any GeoJSON geometry (the region's feed has every kind); an empty part is
/// named by its place (`geometries[2]: an empty Polygon`).
fn area(g: Option<&GeometryValue>, crs: Crs) -> Result<Geometry<f64>, String> {
    match g {
        Some(g) => any(g, crs).map_err(|(at, m)| {
            if at.is_empty() {
                m
            } else {
                format!("{at}: {m}")
            }
        }),
        None => Err("expected a geometry, found null".to_string()),
    }
}

/// One geometry of any type; the error's place (`geometries[1].coordinates[0]`) and message.
fn any(g: &GeometryValue, crs: Crs) -> Result<Geometry<f64>, (String, String)> {
    let here = |m: String| (String::new(), m);
    let empty = || here(format!("an empty {}", g.type_name()));
    let within = |i: usize, (at, m): (String, String)| {
        let sep = if at.is_empty() { "" } else { "." };
        (format!("coordinates[{i}]{sep}{at}"), m)
    };
    Ok(match g {
        GeometryValue::Point { coordinates } => {
            Geometry::Point(coord(coordinates, crs).map_err(here)?.into())
        }
        GeometryValue::MultiPoint { coordinates } => {
            if coordinates.is_empty() {
                return Err(empty());
            }
            let points = coordinates
                .iter()
                .map(|p| coord(p, crs).map(Point::from))
                .collect::<Result<Vec<_>, _>>()
                .map_err(here)?;
            Geometry::MultiPoint(points.into())
        }
        GeometryValue::LineString { coordinates } => {
            Geometry::LineString(path(coordinates, crs).map_err(here)?)
        }
        GeometryValue::MultiLineString { coordinates } => {
            if coordinates.is_empty() {
                return Err(empty());
            }
            let parts = coordinates
                .iter()
                .enumerate()
                .map(|(i, l)| path(l, crs).map_err(|m| within(i, here(m))))
                .collect::<Result<_, _>>()?;
            Geometry::MultiLineString(MultiLineString::new(parts))
        }
        GeometryValue::Polygon { coordinates } => {
            Geometry::Polygon(polygon(coordinates, crs).map_err(here)?)
        }
        GeometryValue::MultiPolygon { coordinates } => {
            if coordinates.is_empty() {
                return Err(empty());
            }
            let parts = coordinates
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, crs).map_err(|m| within(i, here(m))))
                .collect::<Result<Vec<_>, _>>()?;
            Geometry::MultiPolygon(parts.into())
        }
        GeometryValue::GeometryCollection { geometries } => {
            if geometries.is_empty() {
                return Err(empty());
            }
            let members = geometries
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    any(&g.value, crs).map_err(|(at, m)| {
                        let sep = if at.is_empty() { "" } else { "." };
                        (format!("geometries[{i}]{sep}{at}"), m)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Geometry::GeometryCollection(geo::GeometryCollection(members))
        }
    })
}

/// A line of a worksite: at least two positions.
fn path(ps: &[Position], crs: Crs) -> Result<LineString<f64>, String> {
    match ps.len() {
        0 => Err("an empty LineString".to_string()),
        1 => Err("a LineString needs two positions, found 1".to_string()),
        _ => line(ps, crs),
    }
}

/// A polygon: an exterior ring of at least four positions, then its holes.
fn polygon(rings: &[Vec<Position>], crs: Crs) -> Result<Polygon<f64>, String> {
    let mut lines = rings.iter().map(|r| {
        if r.len() < 4 {
            let n = r.len();
            return Err(if n == 0 {
                "an empty Polygon ring".to_string()
            } else {
                format!("a Polygon ring needs four positions, found {n}")
            });
        }
        line(r, crs)
    });
    let exterior = lines.next().ok_or("an empty Polygon")??;
    let interiors = lines.collect::<Result<_, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}
