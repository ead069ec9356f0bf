//! The questions whose answers need the collector's store as well as the cadastre and its
//! graph: one function per question, inputs → a typed answer, called by both the CLI command
//! (`cli/topology/`) and the HTTP handler (`http/`), so the CLI's `--json` and the API's JSON
//! are one code path. Neither `cli/` nor `http/` is imported here. (The questions that need
//! only the cadastre and its graph answer in the libraries: `topology::answer` and
//! `cadastre::answer`.)
//!
//! Layout:
//! - [`live`]: the measured end ports of the cadastre's circuits (speed, utilisation now, p95
//!   of the busier direction), the lit headroom per route, and the LLDP tables and optical
//!   levels of the store.
//! - [`spare`]: spare capacity by owner or route, with lit headroom: JSON, the offer's form
//!   (an outside operator's view), CSV/table, GeoJSON.
//! - [`table`]: a typed table (text, CSV and an xlsx workbook with numbers as numbers).
//! - [`links`]: the engineer's busiest circuits (utilisation now and p95).
//! - [`drift`]: documented circuits against LLDP and optical levels.
//! - [`wifi`]: the hotspots' daily usage, verdicts and relocation plan.

pub mod drift;
pub mod links;
pub mod live;
pub mod spare;
pub mod table;
pub mod wifi;

use collector::store::StoreError;

/// Why a question could not be answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuestionError {
    /// A read of the collector's store failed.
    #[error("cannot {op}: {source}")]
    Store {
        op: &'static str,
        #[source]
        source: StoreError,
    },
    /// The workbook could not be written.
    #[error("cannot write the workbook: {0}")]
    Workbook(String),
    /// An answer could not be serialised.
    #[error("cannot serialise the answer: {0}")]
    Json(#[from] serde_json::Error),
}

/// `value` as JSON bytes with the keys of every object sorted (through `serde_json::Value`,
/// like the API's `SortedJson` and the CLI's `--json`).
pub fn sorted_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, QuestionError> {
    Ok(serde_json::to_vec(&serde_json::to_value(value)?)?)
}

impl QuestionError {
    fn store(op: &'static str) -> impl FnOnce(StoreError) -> QuestionError {
        move |source| QuestionError::Store { op, source }
    }
}
