//! The engineer's busiest circuits: every documented circuit (an allocation with a device port
//! at an end) whose end port the store measures (`a_end`, else `b_end`), with its speed, its
//! utilisation now and the 95th percentile over the window, both of the busier direction —
//! the answer of `GET /api/v1/links`.

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use collector::store::Store;
use topology::answer::round3;

use super::live::Meter;
use super::QuestionError;

/// What the circuits are sorted by, busiest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkSort {
    Now,
    P95,
}

impl LinkSort {
    /// `now` or `p95`.
    pub fn parse(s: &str) -> Option<LinkSort> {
        match s {
            "now" => Some(LinkSort::Now),
            "p95" => Some(LinkSort::P95),
            _ => None,
        }
    }
}

/// One measured circuit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LinkLoad {
    /// The allocation's id.
    pub allocation: String,
    pub cable: String,
    /// Who uses it (the circuit's name or the lessee).
    pub party: String,
    pub from_site: String,
    pub to_site: String,
    /// The measured end.
    pub device: String,
    pub port: String,
    pub speed_bps: f64,
    /// The latest rate of the busier direction, bit/s, and its time (null: no recent rate).
    pub now_bps: Option<f64>,
    pub now_time_ms: Option<i64>,
    /// `now_bps` / `speed_bps`, percent.
    pub utilisation_now: Option<f64>,
    /// 95th percentile of the busier direction's 5-minute averages over the window, bit/s.
    pub p95_bps: f64,
    /// `p95_bps` / `speed_bps`, percent.
    pub utilisation_p95: f64,
    /// 5-minute samples behind the p95.
    pub n_samples: usize,
}

/// The answer: the first `top` measured circuits, busiest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LinksAnswer {
    pub links: Vec<LinkLoad>,
    /// Circuits documented (allocations with a device port at an end).
    pub n_circuits: usize,
    /// Of them, measured.
    pub n_measured: usize,
    pub sort: LinkSort,
    pub window_days: u32,
}

/// The measured circuits of `cad` over `window_days` before `now_ms`, sorted by `sort`
/// (descending; unknown values last, then by allocation id), the first `top`.
pub fn links(
    store: &Store,
    cad: &cadastre::Cadastre,
    window_days: u32,
    now_ms: i64,
    sort: LinkSort,
    top: usize,
) -> Result<LinksAnswer, QuestionError> {
    let window = Duration::from_secs(u64::from(window_days) * 86_400);
    let mut meter = Meter::new(store, window, now_ms);
    let mut n_circuits = 0;
    let mut out = Vec::new();
    for a in &cad.allocations {
        if a.a_end.is_none() && a.b_end.is_none() {
            continue;
        }
        n_circuits += 1;
        let Some(m) = meter.measure_first([a.a_end.as_ref(), a.b_end.as_ref()])? else {
            continue;
        };
        out.push(LinkLoad {
            allocation: a.id.clone(),
            cable: a.cable.clone(),
            party: a.party.clone(),
            from_site: a.from_site.clone(),
            to_site: a.to_site.clone(),
            utilisation_now: m.now_bps.map(|b| round3(100.0 * b / m.speed_bps)),
            utilisation_p95: round3(100.0 * m.p95_bps / m.speed_bps),
            device: m.device,
            port: m.port,
            speed_bps: m.speed_bps,
            now_bps: m.now_bps,
            now_time_ms: m.now_ms,
            p95_bps: m.p95_bps,
            n_samples: m.n_samples,
        });
    }
    let n_measured = out.len();
    let key = |l: &LinkLoad| match sort {
        LinkSort::Now => l.utilisation_now.unwrap_or(f64::NEG_INFINITY),
        LinkSort::P95 => l.utilisation_p95,
    };
    out.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.allocation.cmp(&b.allocation))
    });
    out.truncate(top);
    Ok(LinksAnswer {
        links: out,
        n_circuits,
        n_measured,
        sort,
        window_days,
    })
}

/// The answer as a table (the links report's CSV and workbook): utilisation in percent, speed
/// in Gbit/s.
pub fn table(a: &LinksAnswer) -> super::table::Table {
    use super::table::{Cell, Table};
    Table {
        header: vec![
            "allocation",
            "party",
            "from_site",
            "to_site",
            "device",
            "port",
            "speed_gbps",
            "utilisation_now",
            "utilisation_p95",
            "n_samples",
        ],
        rows: a
            .links
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.allocation.clone()),
                    Cell::Text(l.party.clone()),
                    Cell::Text(l.from_site.clone()),
                    Cell::Text(l.to_site.clone()),
                    Cell::Text(l.device.clone()),
                    Cell::Text(l.port.clone()),
                    Cell::Num(l.speed_bps / 1e9, 3),
                    l.utilisation_now.map_or(Cell::Empty, |u| Cell::Num(u, 3)),
                    Cell::Num(l.utilisation_p95, 3),
                    Cell::Int(l.n_samples as u64),
                ]
            })
            .collect(),
    }
}
