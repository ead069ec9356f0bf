//! The native format: one RFC 7946 FeatureCollection per layer (`sites.geojson`,
//! `routes.geojson`, ...). A feature's `properties` are the model struct's serde form; its
//! geometry is the struct's location or line (see [`crate::model`]); its `id` is the struct's id.
//!
//! Reading loses nothing: a malformed feature becomes a problem naming its index and field and
//! every other feature is still read. Whole-file faults (not JSON, not a FeatureCollection, no
//! layer) are a [`CadastreError`]. Writing is deterministic (input order, shortest round-trip
//! floats, one feature per line), so export → import → export is byte-identical.
//!
//! Layout: `read` (features → model), `fields` (which property is wrong), `write`
//! (model → features, the file format).

mod fields;
mod read;
mod write;

#[cfg(test)]
mod roundtrip;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::crs::Crs;
use crate::error::CadastreError;
use crate::limits::Limits;
use crate::model::{Cadastre, Layer};
use crate::problem::{Problem, Report};

pub use write::{to_feature_collection, to_text, to_text_filtered, write_dir, Filter};

/// Reads the files, each one FeatureCollection of one layer, into one cadastre. `crs`, when
/// given, overrides every file's `crs` member. The report holds the features that could not be
/// read; run [`crate::validate::validate`] on the cadastre for the rest.
pub fn read_files(
    paths: &[PathBuf],
    crs: Option<Crs>,
) -> Result<(Cadastre, Report), CadastreError> {
    read_files_within(paths, crs, &Limits::default())
}

/// [`read_files`] within `limits`: a file over the size limit is an error before it is read;
/// a layer over the feature limit and a geometry over the vertex limit are problems.
pub fn read_files_within(
    paths: &[PathBuf],
    crs: Option<Crs>,
    limits: &Limits,
) -> Result<(Cadastre, Report), CadastreError> {
    let mut cad = Cadastre::default();
    let mut report = Report::default();
    for path in paths {
        let read = |source| CadastreError::Read {
            path: path.clone(),
            source,
        };
        limits.check_size(path, std::fs::metadata(path).map_err(read)?.len())?;
        let text = std::fs::read_to_string(path).map_err(read)?;
        read_str_within(&text, path, crs, limits, &mut cad, &mut report)?;
    }
    Ok((cad, report))
}

/// Reads one FeatureCollection (`text`, from `path`) and appends its features to `out`; returns
/// its layer: the `"layer"` member, else the file name (`routes.geojson` → routes). Problems
/// name the feature's index in this file.
pub fn read_str(
    text: &str,
    path: &Path,
    crs: Option<Crs>,
    out: &mut Cadastre,
    report: &mut Report,
) -> Result<Layer, CadastreError> {
    read_str_within(text, path, crs, &Limits::default(), out, report)
}

/// [`read_str`] within `limits` (see [`read_files_within`]; the text's size is the caller's to
/// check, before it holds the text).
pub fn read_str_within(
    text: &str,
    path: &Path,
    crs: Option<Crs>,
    limits: &Limits,
    out: &mut Cadastre,
    report: &mut Report,
) -> Result<Layer, CadastreError> {
    let format = |message: String| CadastreError::Format {
        path: path.to_path_buf(),
        message,
    };
    let root: RawCollection<'_> = crate::json::object(text).map_err(|e| match e.classify() {
        Category::Data => format(format!("not a GeoJSON FeatureCollection: {e}")),
        _ => format(format!("not JSON: {e}")),
    })?;
    if root.kind.as_deref() != Some("FeatureCollection") {
        return Err(format("not a GeoJSON FeatureCollection".to_string()));
    }
    let layer = layer_of(root.layer.as_ref(), path).map_err(format)?;
    let crs = match crs {
        Some(crs) => crs,
        None => crs_member(root.crs.as_ref()).map_err(format)?,
    };
    let features = root
        .features
        .ok_or_else(|| format("features: expected an array".to_string()))?;
    if let Some(message) = limits.features(layer, out.len(layer) + features.len()) {
        let index = limits.max_features.saturating_sub(out.len(layer));
        let id = features.get(index).and_then(|f| read::id_of(f));
        let p = Problem::error(layer, Some(index), id.as_deref(), "features", message);
        report.push(p);
        return Ok(layer);
    }
    for (index, feature) in features.into_iter().enumerate() {
        if read::feature(layer, index, feature, crs, limits, out, report) {
            report.positions.push(layer, index);
        }
    }
    Ok(layer)
}

/// A FeatureCollection with its features still as text (see `read`).
#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    layer: Option<Value>,
    crs: Option<Value>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

/// The layer from the `"layer"` member, else from the file name.
fn layer_of(member: Option<&Value>, path: &Path) -> Result<Layer, String> {
    if let Some(member) = member {
        let name = member.as_str().unwrap_or_default();
        return Layer::parse(name).ok_or_else(|| format!("unknown layer {member}"));
    }
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".geojson").trim_end_matches(".json"));
    stem.and_then(Layer::parse).ok_or_else(|| {
        "cannot tell the layer: no \"layer\" member and the file is not named after a layer \
         (sites.geojson, routes.geojson, ...)"
            .to_string()
    })
}

/// The legacy `crs` member: `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::31370"}}`
/// or `"EPSG:31370"`; WGS84 when absent.
fn crs_member(member: Option<&Value>) -> Result<Crs, String> {
    let name = match member {
        None | Some(Value::Null) => return Ok(Crs::Wgs84),
        Some(Value::String(s)) => s.as_str(),
        Some(v) => v
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("crs: expected a named crs, found {v}"))?,
    };
    Crs::parse(&normalise_crs_name(name)).map_err(|e| format!("crs: {e}"))
}

/// `urn:ogc:def:crs:EPSG::31370` → `EPSG:31370`; `urn:ogc:def:crs:OGC:1.3:CRS84` → `EPSG:4326`.
fn normalise_crs_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("crs84") {
        return "EPSG:4326".to_string();
    }
    match (
        lower.starts_with("urn:ogc:def:crs:epsg:"),
        name.rsplit(':').next(),
    ) {
        (true, Some(code)) => format!("EPSG:{code}"),
        _ => name.to_string(),
    }
}
