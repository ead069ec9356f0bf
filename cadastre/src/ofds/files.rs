//! OFDS input as named texts, the command's files or a zip's entries alike: one package, or
//! the nodes and spans GeoJSON (told apart by name, else by content); a set holding a package
//! beside other files (what `cadastre export --to ofds` writes) is read from its package.
//! Coordinates are converted from the given CRS, else the files' legacy `crs` member, to WGS84.

use serde_json::Value;

use crate::crs::Crs;
use crate::error::CadastreError;
use crate::limits::Limits;
use crate::model::Cadastre;
use crate::problem::Report;

/// A named input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub name: String,
    pub text: String,
}

/// [`read_texts`] within `limits`: each text's size first, then (the package being one JSON
/// tree, read whole) the features per layer and the vertices per geometry as problems.
pub fn read_texts_within(
    files: &[Text],
    crs: Option<Crs>,
    limits: &Limits,
) -> Result<(Cadastre, Report), CadastreError> {
    for t in files {
        limits.check_size(std::path::Path::new(&t.name), t.text.len() as u64)?;
    }
    let (cad, mut report) = read_texts(files, crs)?;
    limits.check_read(&cad, &mut report);
    Ok((cad, report))
}

/// Reads OFDS from `files` (see the module documentation).
pub fn read_texts(files: &[Text], crs: Option<Crs>) -> Result<(Cadastre, Report), CadastreError> {
    let format = |message: &str| CadastreError::Format {
        path: "OFDS input".into(),
        message: message.to_string(),
    };
    let package = |t: &Text| -> Result<_, CadastreError> {
        let (c, r) = super::read_package(&t.text)?;
        Ok((c, r, legacy_crs(&t.text)))
    };
    let (mut cad, report, file_crs) = match files {
        [one] => package(one)?,
        [a, b] if !is_package(&a.text) && !is_package(&b.text) => {
            let (nodes, spans) = match (geojson_role(a), geojson_role(b)) {
                (Some("nodes"), _) | (_, Some("spans")) => (a, b),
                (_, Some("nodes")) | (Some("spans"), _) => (b, a),
                _ => return Err(format("OFDS GeoJSON needs a nodes file and a spans file (named *nodes*.geojson and *spans*.geojson)")),
            };
            let (c, r) = super::read_geojson(&nodes.text, &spans.text)?;
            (c, r, legacy_crs(&nodes.text).or(legacy_crs(&spans.text)))
        }
        _ => match files.iter().find(|t| is_package(&t.text)) {
            Some(p) => package(p)?,
            None => {
                return Err(format(
                    "OFDS takes one package (.json) or the nodes and spans GeoJSON files",
                ))
            }
        },
    };
    if let Some(crs) = crs.or(file_crs).filter(|c| *c != Crs::Wgs84) {
        crate::crs::convert_cadastre(crs, &mut cad)?;
    }
    Ok((cad, report))
}

/// `Some("nodes")`/`Some("spans")` for an OFDS GeoJSON file: by name, else by content (spans
/// carry `start` and `end`, nodes are Points without a `layer` member).
pub fn geojson_role(t: &Text) -> Option<&'static str> {
    let name = t.name.rsplit('/').next().unwrap_or_default().to_lowercase();
    if name.contains("node") {
        return Some("nodes");
    }
    if name.contains("span") {
        return Some("spans");
    }
    let v: Value = serde_json::from_str(&t.text).ok()?;
    if v.get("layer").is_some() {
        return None;
    }
    let props = v.get("features")?.get(0)?.get("properties")?;
    if props.get("start").is_some() && props.get("end").is_some() {
        Some("spans")
    } else if v["features"][0]["geometry"]["type"] == "Point" && props.get("kind").is_none() {
        Some("nodes")
    } else {
        None
    }
}

/// True for an OFDS package (a JSON object with `networks`).
pub fn is_package(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("networks").is_some())
}

/// The CRS a legacy GeoJSON `crs` member names, if any.
fn legacy_crs(text: &str) -> Option<Crs> {
    let v: Value = serde_json::from_str(text).ok()?;
    let name = v.get("crs")?.get("properties")?.get("name")?.as_str()?;
    Crs::parse(name).ok()
}
