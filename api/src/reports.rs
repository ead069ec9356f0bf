//! `[[report]]`: the report files `irisops serve` writes on a schedule — the spare answer
//! (`GET /api/v1/spare`, e.g. the monthly workbook the commercial team sends) or the busiest
//! links (`GET /api/v1/links`), built by the same functions (`crate::questions`) from the
//! served cadastre's snapshot and the server's store. One task per report; a file is written
//! atomically (a hidden temporary file in the same directory, synced, then renamed), named
//! after its kind and the time it was due: `spare-by-owner-2026-01-01T060000Z.xlsx`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use collector::config::{ReportConfig, ReportKind};
use collector::store::Store;

use crate::http::snapshot::Cadastres;
use crate::questions::spare::{self, Form, SpareBy, SpareFormat};
use crate::questions::{links, live, sorted_json, QuestionError};

/// Why a report was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Question(#[from] QuestionError),
    #[error("cannot read the cadastre: {0}")]
    Cadastre(String),
    #[error("the store's lock is poisoned")]
    Poisoned,
}

/// Starts one task per report; each ends when `shutdown` changes.
pub fn start(
    reports: &[ReportConfig],
    cadastre: Option<Arc<Cadastres>>,
    store: Arc<Mutex<Store>>,
    shutdown: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let Some(cad) = cadastre else {
        return Vec::new();
    };
    reports
        .iter()
        .map(|r| tokio::spawn(run(r.clone(), cad.clone(), store.clone(), shutdown.clone())))
        .collect()
}

/// Writes `r` at each of its schedule's times until shutdown.
async fn run(
    r: ReportConfig,
    cad: Arc<Cadastres>,
    store: Arc<Mutex<Store>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let now = Utc::now();
        let Some(due) = r.schedule.next_after(now) else {
            return;
        };
        let wait = (due - now).to_std().unwrap_or(Duration::ZERO);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let (r2, cad, store) = (r.clone(), cad.clone(), store.clone());
        let done = tokio::task::spawn_blocking(move || write(&r2, &cad, &store, due)).await;
        match done {
            Ok(Ok(path)) => {
                tracing::info!(report = r.kind.as_str(), path = %path.display(), "report written");
            }
            Ok(Err(e)) => {
                tracing::warn!(report = r.kind.as_str(), error = %e, "report not written");
            }
            Err(e) => tracing::warn!(report = r.kind.as_str(), error = %e, "report task failed"),
        }
    }
}

/// Computes `r` now and writes it into its directory as due at `due`; the file's path.
pub fn write(
    r: &ReportConfig,
    cad: &Cadastres,
    store: &Mutex<Store>,
    due: DateTime<Utc>,
) -> Result<PathBuf, ReportError> {
    let snap = cad
        .current()
        .map_err(|e| ReportError::Cadastre(format!("{e:?}")))?;
    let store = store.lock().map_err(|_| ReportError::Poisoned)?;
    let now = collector::poll::now_ms();
    let window = Duration::from_secs(u64::from(r.window_days) * 86_400);
    let stamp = due.format("%Y-%m-%dT%H%M%SZ");
    let (name, bytes) = match r.kind {
        ReportKind::Spare => {
            let by = SpareBy::parse(&r.by).unwrap_or(SpareBy::Owner);
            let format = SpareFormat::parse(&r.format).unwrap_or(SpareFormat::Xlsx);
            let (lit, _) = live::lit_ports(&store, &snap.cad, window, now)?;
            let report = snap.network.spare_with(&lit);
            let bytes = spare::render(&report, by, Form::Full, format, &snap.cad)?;
            let name = format!("spare-by-{}-{stamp}.{}", by.as_str(), format.extension());
            (name, bytes)
        }
        ReportKind::Links => {
            let a = links::links(
                &store,
                &snap.cad,
                r.window_days,
                now,
                links::LinkSort::P95,
                r.top,
            )?;
            let bytes = match r.format.as_str() {
                "csv" => links::table(&a).to_csv().into_bytes(),
                "xlsx" => links::table(&a).to_xlsx("links")?,
                _ => sorted_json(&a)?,
            };
            (format!("links-{stamp}.{}", r.format), bytes)
        }
    };
    write_atomically(&r.dir, &name, &bytes)
}

/// Writes `bytes` to `dir/name` through a hidden temporary file renamed over it: a reader
/// sees the whole file or none. The directory is created when missing.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    use std::io::Write;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_whole_and_no_temporary_stays() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("reports/monthly");
        let p = write_atomically(&out, "spare.csv", b"a,b\n1,2\n").unwrap();
        assert_eq!(p, out.join("spare.csv"));
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n1,2\n");
        // Written again: replaced, and the directory holds that file only.
        write_atomically(&out, "spare.csv", b"x\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"x\n");
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["spare.csv"]);
    }
}
