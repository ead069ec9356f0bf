//! Spare capacity by owner or by route, with the lit headroom the store measures: the answer
//! of `topology spare` and `GET /api/v1/spare`, as JSON, a table (text, CSV, xlsx) or GeoJSON
//! routes. The offer's form ([`Form::Offer`], an outside operator's view) keeps routes,
//! owners, km, dark strands and free ducts, and drops fibre and allocated counts and lit
//! headroom (nothing of allocations, parties or devices is in any form).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use topology::{LinkSpare, OwnerSpare, SpareReport};

use super::table::{Cell, Table};
use super::QuestionError;
use cadastre::stats::VersionedStats;
use collector::store::Store;

/// How the answer groups its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpareBy {
    Owner,
    Route,
}

impl SpareBy {
    /// `owner` or `route`.
    pub fn parse(s: &str) -> Option<SpareBy> {
        match s {
            "owner" => Some(SpareBy::Owner),
            "route" => Some(SpareBy::Route),
            _ => None,
        }
    }

    /// The name (the workbook's sheet).
    pub fn as_str(self) -> &'static str {
        match self {
            SpareBy::Owner => "owner",
            SpareBy::Route => "route",
        }
    }
}

/// The formats of a spare answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpareFormat {
    Json,
    Csv,
    Xlsx,
    Geojson,
}

impl SpareFormat {
    /// `json`, `csv`, `xlsx` or `geojson`.
    pub fn parse(s: &str) -> Option<SpareFormat> {
        match s {
            "json" => Some(SpareFormat::Json),
            "csv" => Some(SpareFormat::Csv),
            "xlsx" => Some(SpareFormat::Xlsx),
            "geojson" => Some(SpareFormat::Geojson),
            _ => None,
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            SpareFormat::Json => "application/json",
            SpareFormat::Csv => "text/csv; charset=utf-8",
            SpareFormat::Xlsx => super::table::XLSX,
            SpareFormat::Geojson => "application/geo+json",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            SpareFormat::Json => "json",
            SpareFormat::Csv => "csv",
            SpareFormat::Xlsx => "xlsx",
            SpareFormat::Geojson => "geojson",
        }
    }
}

/// `report` grouped `by` in `form` as the bytes of `format` (JSON with sorted keys; the
/// workbook's one sheet named after `by`).
pub fn render(
    report: &SpareReport,
    by: SpareBy,
    form: Form,
    format: SpareFormat,
    cad: &cadastre::Cadastre,
) -> Result<Vec<u8>, QuestionError> {
    match format {
        SpareFormat::Csv => Ok(table(report, by, form).to_csv().into_bytes()),
        SpareFormat::Xlsx => table(report, by, form).to_xlsx(by.as_str()),
        SpareFormat::Geojson => super::sorted_json(&geojson(report, cad, form)),
        SpareFormat::Json => match form {
            Form::Full => super::sorted_json(&answer(report, by)),
            Form::Offer => super::sorted_json(&offer(report, by)),
        },
    }
}

/// The full answer, or the published offer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Full,
    Offer,
}

/// The JSON: `{"by_owner": {owner: {...}}, "total": {...}}` or `{"routes": [...], "total"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SpareAnswer {
    ByOwner {
        by_owner: BTreeMap<String, OwnerSpare>,
        total: OwnerSpare,
    },
    ByRoute {
        routes: Vec<LinkSpare>,
        total: OwnerSpare,
    },
}

/// The offer's JSON: the same shape, fewer keys (its schema admits no other key, so an
/// answer is of one form or the other).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SpareOffer {
    ByOwner {
        by_owner: BTreeMap<String, OwnerOffer>,
        total: OwnerOffer,
    },
    ByRoute {
        routes: Vec<RouteOffer>,
        total: OwnerOffer,
    },
}

/// One route of the offer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteOffer {
    pub id: String,
    /// The route's ends: the sites an operator can quote between.
    pub from_site: String,
    pub to_site: String,
    pub owner: String,
    pub length_m: f64,
    pub dark_strands: u32,
    pub free_ducts: u32,
}

/// One owner's (or the total) offer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerOffer {
    pub routes: usize,
    pub km: f64,
    pub dark_strands: u64,
    pub dark_strand_km: f64,
    pub free_ducts: u64,
    pub free_duct_km: f64,
}

impl From<&LinkSpare> for RouteOffer {
    fn from(l: &LinkSpare) -> Self {
        RouteOffer {
            id: l.id.clone(),
            from_site: l.from_site.clone(),
            to_site: l.to_site.clone(),
            owner: l.owner.clone(),
            length_m: l.length_m,
            dark_strands: l.dark_strands,
            free_ducts: l.free_ducts,
        }
    }
}

impl From<&OwnerSpare> for OwnerOffer {
    fn from(o: &OwnerSpare) -> Self {
        OwnerOffer {
            routes: o.routes,
            km: o.km,
            dark_strands: o.dark_strands,
            dark_strand_km: o.dark_strand_km,
            free_ducts: o.free_ducts,
            free_duct_km: o.free_duct_km,
        }
    }
}

/// The JSON answer of `report` grouped `by`.
pub fn answer(report: &SpareReport, by: SpareBy) -> SpareAnswer {
    match by {
        SpareBy::Owner => SpareAnswer::ByOwner {
            by_owner: report.by_owner.clone(),
            total: report.total.clone(),
        },
        SpareBy::Route => SpareAnswer::ByRoute {
            routes: report.links.clone(),
            total: report.total.clone(),
        },
    }
}

/// The offer's JSON answer of `report` grouped `by`.
pub fn offer(report: &SpareReport, by: SpareBy) -> SpareOffer {
    match by {
        SpareBy::Owner => SpareOffer::ByOwner {
            by_owner: report
                .by_owner
                .iter()
                .map(|(o, s)| (o.clone(), s.into()))
                .collect(),
            total: (&report.total).into(),
        },
        SpareBy::Route => SpareOffer::ByRoute {
            routes: report.links.iter().map(RouteOffer::from).collect(),
            total: (&report.total).into(),
        },
    }
}

/// The table of `report` (the CLI's table and CSV, the workbook): per owner then `TOTAL`, or
/// per route.
pub fn table(report: &SpareReport, by: SpareBy, form: Form) -> Table {
    match (by, form) {
        (SpareBy::Owner, Form::Full) => Table {
            header: OWNER_HEADER.to_vec(),
            rows: owners(report).map(|(o, v)| owner_row(o, v)).collect(),
        },
        (SpareBy::Owner, Form::Offer) => Table {
            header: OWNER_OFFER_HEADER.to_vec(),
            rows: owners(report).map(|(o, v)| owner_offer_row(o, v)).collect(),
        },
        (SpareBy::Route, Form::Full) => Table {
            header: ROUTE_HEADER.to_vec(),
            rows: report.links.iter().map(route_row).collect(),
        },
        (SpareBy::Route, Form::Offer) => Table {
            header: ROUTE_OFFER_HEADER.to_vec(),
            rows: report.links.iter().map(route_offer_row).collect(),
        },
    }
}

fn owners(r: &SpareReport) -> impl Iterator<Item = (&str, &OwnerSpare)> {
    r.by_owner
        .iter()
        .map(|(o, v)| (o.as_str(), v))
        .chain([("TOTAL", &r.total)])
}

const OWNER_HEADER: &[&str] = &[
    "owner",
    "routes",
    "km",
    "fibres",
    "allocated",
    "dark",
    "dark_strand_km",
    "free_ducts",
    "free_duct_km",
    "lit_routes",
    "lit_headroom_gbps",
];

const OWNER_OFFER_HEADER: &[&str] = &[
    "owner",
    "routes",
    "km",
    "dark",
    "dark_strand_km",
    "free_ducts",
    "free_duct_km",
];

fn owner_row(o: &str, v: &OwnerSpare) -> Vec<Cell> {
    vec![
        Cell::Text(o.to_string()),
        Cell::Int(v.routes as u64),
        Cell::Num(v.km, 3),
        Cell::Int(v.fibre_count),
        Cell::Int(v.allocated_strands),
        Cell::Int(v.dark_strands),
        Cell::Num(v.dark_strand_km, 1),
        Cell::Int(v.free_ducts),
        Cell::Num(v.free_duct_km, 3),
        Cell::Int(v.lit_routes as u64),
        Cell::Num(v.lit_headroom_bps / 1e9, 3),
    ]
}

fn owner_offer_row(o: &str, v: &OwnerSpare) -> Vec<Cell> {
    vec![
        Cell::Text(o.to_string()),
        Cell::Int(v.routes as u64),
        Cell::Num(v.km, 3),
        Cell::Int(v.dark_strands),
        Cell::Num(v.dark_strand_km, 1),
        Cell::Int(v.free_ducts),
        Cell::Num(v.free_duct_km, 3),
    ]
}

const ROUTE_HEADER: &[&str] = &[
    "route",
    "owner",
    "km",
    "fibres",
    "allocated",
    "dark",
    "free_ducts",
    "lit_headroom_gbps",
];

const ROUTE_OFFER_HEADER: &[&str] = &["route", "owner", "km", "dark", "free_ducts"];

fn route_row(l: &LinkSpare) -> Vec<Cell> {
    vec![
        Cell::Text(l.id.clone()),
        Cell::Text(l.owner.clone()),
        Cell::Num(l.length_m / 1000.0, 3),
        Cell::Int(l.fibre_count.into()),
        Cell::Int(l.allocated_strands.into()),
        Cell::Int(l.dark_strands.into()),
        Cell::Int(l.free_ducts.into()),
        l.lit_headroom_bps
            .map_or(Cell::Empty, |h| Cell::Num(h / 1e9, 3)),
    ]
}

fn route_offer_row(l: &LinkSpare) -> Vec<Cell> {
    vec![
        Cell::Text(l.id.clone()),
        Cell::Text(l.owner.clone()),
        Cell::Num(l.length_m / 1000.0, 3),
        Cell::Int(l.dark_strands.into()),
        Cell::Int(l.free_ducts.into()),
    ]
}

/// The routes of `report` as a GeoJSON FeatureCollection (geometry from the cadastre), each
/// with its spare figures as properties (the offer's keys in the offer's form).
pub fn geojson(
    report: &SpareReport,
    cad: &cadastre::Cadastre,
    form: Form,
) -> geojson::FeatureCollection {
    let geometry: BTreeMap<&str, &geo::MultiLineString<f64>> = cad
        .routes
        .iter()
        .map(|r| (r.id.as_str(), &r.geometry))
        .collect();
    let features = report
        .links
        .iter()
        .map(|l| {
            let props = match form {
                Form::Full => serde_json::to_value(l),
                Form::Offer => serde_json::to_value(RouteOffer::from(l)),
            };
            let properties = match props {
                Ok(serde_json::Value::Object(m)) => Some(m),
                _ => None,
            };
            geojson::Feature {
                bbox: None,
                geometry: geometry
                    .get(l.id.as_str())
                    .map(|g| geojson::Geometry::new(geojson::GeometryValue::from(*g))),
                id: Some(geojson::feature::Id::String(l.id.clone())),
                properties,
                foreign_members: None,
            }
        })
        .collect();
    geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

/// The statistics of `cad` at `version` with the spare part's lit headroom measured from
/// `store` over `window` before `now_ms` (the figures of `topology spare --config`), as
/// `GET /api/v1/cadastre/stats` answers and `cadastre stats --config` prints. Without a store
/// the lit figures are the unmeasured zeros of `cadastre::stats`.
pub fn measured_stats(
    store: &Store,
    cad: &cadastre::Cadastre,
    net: &topology::Network,
    version: u64,
    window: std::time::Duration,
    now_ms: i64,
) -> Result<VersionedStats, QuestionError> {
    let (lit, _) = super::live::lit_ports(store, cad, window, now_ms)?;
    let report = net.spare_with(&lit);
    let mut stats = VersionedStats::of(cad, version);
    stats.stats.spare = cadastre::stats::Spare {
        by_owner: report.by_owner,
        total: report.total,
    };
    Ok(stats)
}
