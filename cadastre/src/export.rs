//! What `irisops cadastre export` writes, as named files in memory, so the command (a
//! directory) and `GET /api/v1/cadastre/export` (a zip) give the same bytes: GeoJSON (one
//! `LAYER.geojson` per layer), an OFDS package (`network-package.json`, with its
//! `nodes.geojson` and `spans.geojson`) or CSV (one `LAYER.csv` per layer).

use crate::error::CadastreError;
use crate::model::{Cadastre, LAYERS};
use crate::{csv, geojson_io, ofds};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Geojson,
    Ofds,
    Csv,
}

impl Format {
    /// `geojson`, `ofds` or `csv`.
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "geojson" => Some(Format::Geojson),
            "ofds" => Some(Format::Ofds),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One exported file: its name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files of `cad` in `format`, in a fixed order.
pub fn files(cad: &Cadastre, format: Format) -> Result<Vec<File>, CadastreError> {
    let json_err = |name: &str, e: serde_json::Error| CadastreError::Format {
        path: name.into(),
        message: e.to_string(),
    };
    Ok(match format {
        Format::Geojson => {
            let mut out = Vec::with_capacity(LAYERS.len());
            for layer in LAYERS {
                let name = format!("{}.geojson", layer.as_str());
                let bytes = geojson_io::to_text(cad, layer).map_err(|e| json_err(&name, e))?;
                out.push(File { name, bytes });
            }
            out
        }
        Format::Csv => LAYERS
            .into_iter()
            .map(|layer| File {
                name: format!("{}.csv", layer.as_str()),
                bytes: csv::layer_csv(cad, layer).into_bytes(),
            })
            .collect(),
        Format::Ofds => {
            let pkg = ofds::write_package(cad);
            let name = "network-package.json";
            let pkg = serde_json::to_string_pretty(&pkg).map_err(|e| json_err(name, e))?;
            let (nodes, spans) = ofds::write_geojson(cad);
            let file = |name: &str, text: String| File {
                name: name.into(),
                bytes: text.into_bytes(),
            };
            vec![
                file(name, pkg),
                file("nodes.geojson", nodes.to_string()),
                file("spans.geojson", spans.to_string()),
            ]
        }
    })
}
