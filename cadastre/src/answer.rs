//! The answers of the graph questions that need the cadastre as well as its graph, as the
//! CLI's `--json` and the HTTP API both build them (one code path): what a cut's areas and
//! worksite take ([`cut_spec`], [`areas_of`]) and the dig-once candidates ([`dig_once`]).

use geo::MultiPolygon;
use serde::Serialize;

use topology::{CutSpec, Network};

use crate::geometry::SpatialIndex;
use crate::network::{self, DigOnce};
use crate::works::{self, Left, WorksFilter};
use crate::Cadastre;

/// What a what-if cut names: routes, shared-risk groups, areas, a worksite.
#[derive(Debug, Clone, Default)]
pub struct CutTargets {
    pub routes: Vec<String>,
    pub srlgs: Vec<String>,
    /// Every route crossing or touching them is cut.
    pub areas: Option<MultiPolygon<f64>>,
    /// A worksite of the cadastre: the routes its footprint touches are cut.
    pub worksite: Option<String>,
    /// Metres around a point or line worksite.
    pub buffer_m: f64,
}

/// Why a cut cannot be asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CutTargetError {
    #[error("no worksite {0:?} in the cadastre")]
    UnknownWorksite(String),
    #[error("say what is cut: routes, srlgs, an area or a worksite")]
    Nothing,
}

/// The routes and SRLGs `targets` cut, routes sorted and without duplicates.
pub fn cut_spec(
    cad: &Cadastre,
    index: &SpatialIndex,
    targets: CutTargets,
) -> Result<CutSpec, CutTargetError> {
    let mut links = targets.routes;
    if let Some(areas) = &targets.areas {
        links.extend(network::routes_in(index, areas));
    }
    if let Some(id) = &targets.worksite {
        let w = cad
            .worksites
            .iter()
            .find(|w| &w.id == id)
            .ok_or_else(|| CutTargetError::UnknownWorksite(id.clone()))?;
        let areas = works::footprint(&w.geometry, targets.buffer_m);
        links.extend(network::routes_in(index, &areas));
    }
    if links.is_empty()
        && targets.srlgs.is_empty()
        && targets.areas.is_none()
        && targets.worksite.is_none()
    {
        return Err(CutTargetError::Nothing);
    }
    links.sort();
    links.dedup();
    Ok(CutSpec {
        links,
        srlgs: targets.srlgs,
    })
}

/// The (Multi)Polygons of GeoJSON geometries as one MultiPolygon; the message names the
/// geometry at fault by its position.
pub fn areas_of(geometries: Vec<geojson::Geometry>) -> Result<MultiPolygon<f64>, String> {
    let mut polys = Vec::new();
    for (i, g) in geometries.into_iter().enumerate() {
        let g = crate::geometry::from_geojson(&g.value)
            .map_err(|e| format!("geometry {i} is not valid: {e}"))?;
        match g {
            geo::Geometry::Polygon(p) => polys.push(p),
            geo::Geometry::MultiPolygon(m) => polys.extend(m.0),
            _ => return Err(format!("geometry {i} is not a Polygon or MultiPolygon")),
        }
    }
    if polys.is_empty() {
        return Err("no polygon".into());
    }
    Ok(MultiPolygon(polys))
}

/// The answer of `dig-once`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigOnceAnswer {
    pub candidates: Vec<DigOnce>,
    pub n_wishes: usize,
    /// Every worksite of the cadastre.
    pub n_worksites: usize,
    /// The worksites considered: of the natures asked for, still open on `from`.
    pub n_considered: usize,
    /// Left out: ended before `from`.
    pub n_ended: usize,
    /// Left out: a nature that does not open the street (or was not asked for).
    pub n_other_nature: usize,
    /// The day asked about (`YYYY-MM-DD`).
    pub from: String,
    /// The natures considered, normalised (`["all"]`: every one).
    pub natures: Vec<String>,
    pub saved_m_total: f64,
}

/// Dig-once candidates for the wished `pairs` of site ids (and the single-homed sites'
/// protection routes when there is no pair or `single_homed`); every unknown site is named in
/// the error (`wish[i].to: unknown site "x"`).
pub fn dig_once(
    cad: &Cadastre,
    net: &Network,
    pairs: &[(String, String)],
    single_homed: bool,
    buffer_m: f64,
    works: &WorksFilter,
) -> Result<DigOnceAnswer, Vec<String>> {
    let mut list = if pairs.is_empty() || single_homed {
        network::single_homed_wishes(cad, net)
    } else {
        Vec::new()
    };
    list.extend(network::wish_list(cad, pairs)?);
    let candidates = network::dig_once_for(cad, &list, buffer_m, works);
    let left: Vec<Result<_, Left>> = cad.worksites.iter().map(|w| works.open(w)).collect();
    let count = |why: Left| left.iter().filter(|r| **r == Err(why)).count();
    Ok(DigOnceAnswer {
        saved_m_total: candidates.iter().map(|d| d.saved_m).sum(),
        candidates,
        n_wishes: list.len(),
        n_worksites: cad.worksites.len(),
        n_considered: left.iter().filter(|r| r.is_ok()).count(),
        n_ended: count(Left::Ended),
        n_other_nature: count(Left::Nature),
        from: works.from.format("%Y-%m-%d").to_string(),
        natures: works.nature_list(),
    })
}
