//! The served cadastre, built once per version and shared by every request: the features, the
//! spatial index and the topology graph, behind an `Arc`. A request asks the store for its
//! version (one indexed read); only when it moved is the cadastre read again and the graph
//! rebuilt, by one request while the others wait for it — never one copy per request.
//!
//! Each layer's GeoJSON text is serialised once per version, on its first request, and shared
//! by every answer as one reference-counted buffer ([`Snapshot::layer_text`]): 200 concurrent
//! requests for the routes send the same bytes, they never hold 200 copies. One earlier
//! version is kept the same way ([`Cadastres::past`]) for `versions/{v}/layers/{layer}`.
//! Writes go through one connection, one at a time ([`Cadastres::write`]); the store's own
//! transaction still refuses a stale base version, whoever else writes the directory.
//!
//! A read never writes: the data directory must exist when the server starts (a missing one
//! is a start-up error naming `[cadastre] data`), and it is opened, never created, here.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;

use cadastre::geometry::SpatialIndex;
use cadastre::store::Store;
use cadastre::{Cadastre, Layer, LAYERS};
use topology::Network;

use super::ApiError;

/// One version of the cadastre with what is derived from it.
#[derive(Debug)]
pub struct Snapshot {
    pub version: u64,
    pub cad: Cadastre,
    pub index: SpatialIndex,
    pub network: Network,
    pub layers: LayerTexts,
}

impl Snapshot {
    /// The layer's GeoJSON text (the file `cadastre export --to geojson` writes), serialised
    /// on the first request of this version and shared after.
    pub fn layer_text(&self, layer: Layer) -> Result<Bytes, ApiError> {
        self.layers.get(&self.cad, layer)
    }
}

/// Each layer's text, made once (the first request makes it, concurrent ones wait for it).
#[derive(Debug, Default)]
pub struct LayerTexts([OnceLock<Result<Bytes, String>>; LAYERS.len()]);

impl LayerTexts {
    /// The text of `layer` of `cad` (the cadastre these texts belong to).
    pub fn get(&self, cad: &Cadastre, layer: Layer) -> Result<Bytes, ApiError> {
        let i = LAYERS.iter().position(|l| *l == layer).unwrap_or_default();
        self.0[i]
            .get_or_init(|| {
                cadastre::geojson_io::to_text(cad, layer)
                    .map(Bytes::from)
                    .map_err(|e| format!("cannot serialise layer {}: {e}", layer.as_str()))
            })
            .clone()
            .map_err(ApiError::Internal)
    }
}

/// An earlier version of the cadastre, as `versions/{v}/layers/{layer}` serves it.
#[derive(Debug)]
pub struct Past {
    pub version: u64,
    pub cad: Cadastre,
    pub layers: LayerTexts,
}

/// The served cadastre's data directory and its latest snapshot.
#[derive(Debug)]
pub struct Cadastres {
    dir: PathBuf,
    /// The store connection (reads only) and the snapshot of its last version. One lock: the
    /// first request to see a new version builds it, the others wait and share it.
    inner: Mutex<Inner>,
    /// The last earlier version asked for (rebuilt from the history: kept for the next ask).
    past: Mutex<Option<Arc<Past>>>,
    /// The writers' connection, opened on the first write; one write at a time.
    writer: Mutex<Option<Store>>,
    /// The limits of an import (`[cadastre] max_file_mb`, `max_features`, `max_vertices`).
    limits: cadastre::limits::Limits,
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
            past: Mutex::new(None),
            writer: Mutex::new(None),
            limits: cadastre::limits::Limits::default(),
        })
    }

    /// The same, importing within `limits`.
    pub fn with_limits(self, limits: cadastre::limits::Limits) -> Cadastres {
        Cadastres { limits, ..self }
    }

    /// The limits of an import.
    pub fn limits(&self) -> cadastre::limits::Limits {
        self.limits
    }

    /// The data directory (for the writers, which open their own connection).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot of the current version when that is quick enough for an async thread:
    /// the store connection is free and still at the snapshot's version (one indexed read, no
    /// build, no thread hop). `None`: ask [`Cadastres::current`] off the async threads, which
    /// also reports the errors this one leaves to it.
    pub fn current_if_quick(&self) -> Option<Arc<Snapshot>> {
        let inner = self.inner.try_lock().ok()?;
        let snap = inner.current.as_ref()?;
        let version = inner.store.version().ok()?;
        (snap.version == version).then(|| snap.clone())
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
            layers: LayerTexts::default(),
        });
        inner.current = Some(snap.clone());
        Ok(snap)
    }
}

impl Cadastres {
    /// The cadastre as it was at `version` (blocking): the current snapshot's when it is the
    /// current one, else rebuilt from the history once and kept until another is asked for.
    /// `Ok(None)`: no such version.
    pub fn past(&self, version: u64) -> Result<Option<Arc<Past>>, ApiError> {
        let mut past = self.past.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = past.as_ref().filter(|p| p.version == version) {
            return Ok(Some(p.clone()));
        }
        let cad = {
            let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if version > inner.store.version().map_err(internal)? {
                return Ok(None);
            }
            inner.store.at_version(version).map_err(internal)?
        };
        let p = Arc::new(Past {
            version,
            cad,
            layers: LayerTexts::default(),
        });
        *past = Some(p.clone());
        Ok(Some(p))
    }

    /// Runs `f` on the writers' connection (blocking: call it off the async threads), one
    /// write at a time.
    pub fn write<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Result<T, ApiError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if writer.is_none() {
            *writer = Some(Store::open(&self.dir).map_err(internal)?);
        }
        match writer.as_mut() {
            Some(store) => Ok(f(store)),
            None => Err(ApiError::Internal("no writer connection".into())),
        }
    }

    /// Runs `f` on the readers' connection (blocking), e.g. to read the history.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&inner.store)
    }
}

fn internal(e: cadastre::CadastreError) -> ApiError {
    ApiError::Internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_snapshot_is_the_current_one_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let ok = |_: &Cadastre| cadastre::Report::default();
        let demo = cadastre::demo::generate(3);
        store.replace_all(0, &demo, "test", "demo", &ok).unwrap();
        let c = Cadastres::open(dir.path()).unwrap();
        assert!(c.current_if_quick().is_none(), "nothing built yet");
        let built = c.current().unwrap();
        let quick = c.current_if_quick().expect("the same version");
        assert!(Arc::ptr_eq(&built, &quick));
        // Another connection writes a new version: the quick path leaves it to `current`.
        store.replace_all(1, &demo, "test", "again", &ok).unwrap();
        assert!(c.current_if_quick().is_none(), "the version moved");
        assert_eq!(c.current().unwrap().version, 2);
        let _held = c.inner.lock().unwrap();
        assert!(c.current_if_quick().is_none(), "the connection is busy");
    }
}
