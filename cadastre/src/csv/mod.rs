//! CSV export of every layer: one file per layer (`owners.csv`, `sites.csv`, ...), a header row,
//! RFC 4180 quoting (a field holding a comma, a quote, CR or LF is quoted, quotes doubled; lines
//! end with CRLF), UTF-8. Points are `lon`/`lat` columns; other geometry is WKT in
//! `geometry_wkt`. Lists (a cable's routes, strands, access points) are joined with `;`. Absent
//! optional values are empty fields. Rows follow the layer's order, so output is deterministic.

mod wkt;

use std::path::{Path, PathBuf};

use crate::error::CadastreError;
use crate::model::{Cadastre, Layer, PortRef, Use, LAYERS};

/// A layer as a table: its header and one row per feature.
struct Table {
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

/// Writes `<layer>.csv` for every layer (empty layers too: the header alone) into `dir`,
/// creating it when needed; returns the files written, in layer order.
pub fn write_csv(cad: &Cadastre, dir: &Path) -> Result<Vec<PathBuf>, CadastreError> {
    let write_error = |path: &Path, source| CadastreError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut written = Vec::with_capacity(LAYERS.len());
    for layer in LAYERS {
        let path = dir.join(format!("{}.csv", layer.as_str()));
        std::fs::write(&path, layer_csv(cad, layer)).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// One layer as CSV text.
pub fn layer_csv(cad: &Cadastre, layer: Layer) -> String {
    let table = table(cad, layer);
    let mut out = String::new();
    push_record(&mut out, table.header.iter().copied());
    for row in &table.rows {
        push_record(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// One CSV record (RFC 4180), CRLF-terminated.
pub(crate) fn push_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
}

/// RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn joined<T: ToString>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(";")
}

fn table(cad: &Cadastre, layer: Layer) -> Table {
    match layer {
        Layer::Owners => owners(cad),
        Layer::Sites => sites(cad),
        Layer::Routes => routes(cad),
        Layer::Cables => cables(cad),
        Layer::Allocations => allocations(cad),
        Layer::Hotspots => hotspots(cad),
        Layer::Targets => targets(cad),
        Layer::Worksites => worksites(cad),
    }
}

fn owners(cad: &Cadastre) -> Table {
    let rows = cad
        .owners
        .iter()
        .map(|o| vec![o.id.clone(), o.name.clone(), opt(&o.notes)]);
    Table {
        header: &["id", "name", "notes"],
        rows: rows.collect(),
    }
}

fn sites(cad: &Cadastre) -> Table {
    let rows = cad.sites.iter().map(|s| {
        vec![
            s.id.clone(),
            s.name.clone(),
            s.kind.clone(),
            opt(&s.owner),
            opt(&s.address),
            opt(&s.commune),
            s.status.clone(),
            s.location.x().to_string(),
            s.location.y().to_string(),
        ]
    });
    Table {
        header: &[
            "id", "name", "kind", "owner", "address", "commune", "status", "lon", "lat",
        ],
        rows: rows.collect(),
    }
}

fn routes(cad: &Cadastre) -> Table {
    let rows = cad.routes.iter().map(|r| {
        vec![
            r.id.clone(),
            opt(&r.name),
            r.from_site.clone(),
            r.to_site.clone(),
            r.owner.clone(),
            r.deployment.clone(),
            r.ducts_total.to_string(),
            r.ducts_free.to_string(),
            r.status.clone(),
            r.declared_length_m
                .map(|m| m.to_string())
                .unwrap_or_default(),
            wkt::lines(&r.geometry),
            joined(&r.srlgs),
        ]
    });
    Table {
        header: &[
            "id",
            "name",
            "from_site",
            "to_site",
            "owner",
            "deployment",
            "ducts_total",
            "ducts_free",
            "status",
            "declared_length_m",
            "geometry_wkt",
            "srlgs",
        ],
        rows: rows.collect(),
    }
}

fn cables(cad: &Cadastre) -> Table {
    let rows = cad.cables.iter().map(|c| {
        vec![
            c.id.clone(),
            opt(&c.name),
            joined(&c.routes),
            c.fibre_count.to_string(),
            opt(&c.fibre_type),
            c.owner.clone(),
            c.status.clone(),
        ]
    });
    Table {
        header: &[
            "id",
            "name",
            "routes",
            "fibre_count",
            "fibre_type",
            "owner",
            "status",
        ],
        rows: rows.collect(),
    }
}

fn use_name(u: Use) -> &'static str {
    match u {
        Use::Internal => "internal",
        Use::Lease => "lease",
        Use::Reserved => "reserved",
    }
}

fn port(p: &Option<PortRef>) -> [String; 2] {
    match p {
        Some(p) => [p.device.clone(), p.port.clone()],
        None => [String::new(), String::new()],
    }
}

fn allocations(cad: &Cadastre) -> Table {
    let rows = cad.allocations.iter().map(|a| {
        let mut row = vec![
            a.id.clone(),
            a.cable.clone(),
            joined(&a.strands),
            use_name(a.use_).to_string(),
            a.party.clone(),
            a.owner.clone(),
            a.from_site.clone(),
            a.to_site.clone(),
        ];
        row.extend(port(&a.a_end));
        row.extend(port(&a.b_end));
        row
    });
    Table {
        header: &[
            "id",
            "cable",
            "strands",
            "use",
            "party",
            "owner",
            "from_site",
            "to_site",
            "a_device",
            "a_port",
            "b_device",
            "b_port",
        ],
        rows: rows.collect(),
    }
}

fn hotspots(cad: &Cadastre) -> Table {
    let rows = cad.hotspots.iter().map(|h| {
        vec![
            h.id.clone(),
            h.name.clone(),
            h.site.clone(),
            joined(&h.access_points),
            opt(&h.owner),
        ]
    });
    Table {
        header: &["id", "name", "site", "access_points", "owner"],
        rows: rows.collect(),
    }
}

fn targets(cad: &Cadastre) -> Table {
    let rows = cad.targets.iter().map(|t| {
        vec![
            t.id.clone(),
            t.name.clone(),
            t.kind.clone(),
            t.weight.to_string(),
            t.location.x().to_string(),
            t.location.y().to_string(),
        ]
    });
    Table {
        header: &["id", "name", "kind", "weight", "lon", "lat"],
        rows: rows.collect(),
    }
}

fn worksites(cad: &Cadastre) -> Table {
    let rows = cad.worksites.iter().map(|w| {
        vec![
            w.id.clone(),
            w.name.clone(),
            w.nature.clone(),
            w.organisation.clone(),
            w.start.clone(),
            w.end.clone(),
            wkt::geometry(&w.geometry),
        ]
    });
    Table {
        header: &[
            "id",
            "name",
            "nature",
            "organisation",
            "start",
            "end",
            "geometry_wkt",
        ],
        rows: rows.collect(),
    }
}

#[cfg(test)]
mod tests;
