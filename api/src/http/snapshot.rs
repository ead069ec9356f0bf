//! The served cadastre, built once per version and shared by every request: the features, the
//! spatial index and the topology graph, behind an `Arc`. A request asks the store for its
//! version (one indexed read); only when it moved is the cadastre read again and the graph
//! rebuilt, by one request while the others wait for it — never one copy per request.
//!
//! A read never writes: the data directory must exist when the server starts (a missing one
//! is a start-up error naming `[cadastre] data`), and it is opened, never created, here.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cadastre::geometry::SpatialIndex;
use cadastre::store::Store;
use cadastre::Cadastre;
use topology::Network;

use super::ApiError;

/// One version of the cadastre with what is derived from it.
#[derive(Debug)]
pub struct Snapshot {
    pub version: u64,
    pub cad: Cadastre,
    pub index: SpatialIndex,
    pub network: Network,
}

/// The served cadastre's data directory and its latest snapshot.
#[derive(Debug)]
pub struct Cadastres {
    dir: PathBuf,
    /// The store connection (reads only) and the snapshot of its last version. One lock: the
    /// first request to see a new version builds it, the others wait and share it.
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    current: Option<Arc<Snapshot>>,
}

/// Why the cadastre cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    #[error("cadastre.data: {dir} does not exist or holds no cadastre (irisops cadastre import or generate-demo writes one)")]
    Missing { dir: PathBuf },
    #[error("cadastre.data: {0}")]
    Store(#[from] cadastre::CadastreError),
}

impl Cadastres {
    /// Opens the cadastre in `dir`, which must already hold one.
    pub fn open(dir: &Path) -> Result<Cadastres, SnapshotError> {
        if !dir.join(cadastre::store::DB_FILE).is_file() {
            return Err(SnapshotError::Missing {
                dir: dir.to_path_buf(),
            });
        }
        Ok(Cadastres {
            dir: dir.to_path_buf(),
            inner: Mutex::new(Inner {
                store: Store::open(dir)?,
                current: None,
            }),
        })
    }

    /// The data directory (for the writers, which open their own connection).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot of the current version (blocking: call it off the async threads).
    pub fn current(&self) -> Result<Arc<Snapshot>, ApiError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let version = inner.store.version().map_err(internal)?;
        if let Some(s) = inner.current.as_ref().filter(|s| s.version == version) {
            return Ok(s.clone());
        }
        let (cad, version) = inner.store.load().map_err(internal)?;
        let index = SpatialIndex::build(&cad);
        let (network, warnings) = cadastre::network::build_with(&cad, &index);
        tracing::debug!(
            version,
            warnings = warnings.len(),
            "cadastre snapshot built"
        );
        let snap = Arc::new(Snapshot {
            version,
            cad,
            index,
            network,
        });
        inner.current = Some(snap.clone());
        Ok(snap)
    }
}

fn internal(e: cadastre::CadastreError) -> ApiError {
    ApiError::Internal(e.to_string())
}
