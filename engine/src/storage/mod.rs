//! Locations as URLs: a bare path is a local folder, anything else goes through object_store.
//!
//! Every store handed out is wrapped the same way, so the checkpoint, the sources and the Delta
//! tables (deltalake gets this store too) share one retry policy and, in test builds, one fault
//! injector:
//!
//! ```text
//!  Location::parse("s3://b/wh") ─► RetryStore ─► [FaultStore if SPATE_STORE_FAULTS, feature fault-injection]
//!                                                  ─► AmazonS3 (bucket b) | LocalFileSystem | InMemory
//! ```
//! One wrapped store per scheme and bucket per process: S3 clients keep their connection pools,
//! and fault decisions count calls across every location of the run.

#[cfg(any(test, feature = "fault-injection"))]
pub mod faults;
pub mod retry;
pub mod s3;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use object_store::{local::LocalFileSystem, memory::InMemory, path::Path, ObjectStore};
use url::Url;

use crate::error::{Error, Result};
use retry::{RetryPolicy, RetryStore};

/// One place in storage: the store, the path prefix inside it, and the URL naming it.
#[derive(Clone, Debug)]
pub struct Location {
    /// The object store that holds this location.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix inside `store` (no leading slash).
    pub prefix: Path,
    /// The URL of the location, always ending in `/` (`file:///abs/dir/`, `s3://bucket/key/`).
    pub url: Url,
}

impl Location {
    /// Resolves a path or URL. Relative paths are made absolute against the working directory.
    pub fn parse(location: &str) -> Result<Self> {
        let url = to_url(location)?;
        let store = store_for(&url).map_err(|reason| Error::Location {
            location: location.to_string(),
            reason,
        })?;
        let prefix = url_prefix(&url).map_err(|reason| Error::Location {
            location: location.to_string(),
            reason,
        })?;
        Ok(Location { store, prefix, url })
    }

    /// A location below this one (`name` may hold several `/`-separated parts).
    pub fn child(&self, name: &str) -> Location {
        let mut prefix = self.prefix.clone();
        for part in name.split('/').filter(|p| !p.is_empty()) {
            prefix = prefix.clone().join(part);
        }
        let mut url = self.url.clone();
        let joined = format!("{}{}/", url.path(), name.trim_matches('/'));
        url.set_path(&joined);
        Location {
            store: self.store.clone(),
            prefix,
            url,
        }
    }

    /// The object path of `name` directly inside this location.
    pub fn path(&self, name: &str) -> Path {
        let mut p = self.prefix.clone();
        for part in name.split('/').filter(|p| !p.is_empty()) {
            p = p.clone().join(part);
        }
        p
    }

    /// The URL with a trailing slash removed, as shown to humans (`file:///data/in`).
    pub fn display(&self) -> String {
        self.url.as_str().trim_end_matches('/').to_string()
    }

    /// Whether this location is on the local filesystem.
    pub fn is_local(&self) -> bool {
        self.url.scheme() == "file"
    }
}

/// Turns a path or URL into a URL ending in `/`.
pub fn to_url(location: &str) -> Result<Url> {
    let trimmed = location.trim();
    if trimmed.is_empty() {
        return Err(Error::Location {
            location: location.to_string(),
            reason: "empty location".into(),
        });
    }
    let has_scheme = trimmed
        .split_once("://")
        .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()));
    let mut url = if has_scheme {
        Url::parse(trimmed).map_err(|e| Error::Location {
            location: location.to_string(),
            reason: e.to_string(),
        })?
    } else {
        let path = std::path::Path::new(trimmed);
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::Location {
                    location: location.to_string(),
                    reason: e.to_string(),
                })?
                .join(path)
        };
        let abs = normalize(&abs);
        Url::from_directory_path(&abs).map_err(|_| Error::Location {
            location: location.to_string(),
            reason: "not an absolute path".into(),
        })?
    };
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// Removes `.` and `..` components without touching the filesystem (the folder may not exist yet).
fn normalize(p: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn url_prefix(url: &Url) -> std::result::Result<Path, String> {
    match url.scheme() {
        "file" => {
            let fs_path = url
                .to_file_path()
                .map_err(|_| "not a local file URL".to_string())?;
            Path::from_absolute_path(&fs_path).map_err(|e| e.to_string())
        }
        _ => Path::from_url_path(url.path()).map_err(|e| e.to_string()),
    }
}

/// The shared, wrapped store for a URL's scheme and bucket (see the module docs).
fn store_for(url: &Url) -> std::result::Result<Arc<dyn ObjectStore>, String> {
    static STORES: OnceLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> = OnceLock::new();
    let key = match url.scheme() {
        "s3" | "s3a" => format!("s3://{}", url.host_str().unwrap_or_default()),
        // One in-memory store per process, whatever the "bucket", so `memory://` locations in one run see each other.
        other => format!("{other}://"),
    };
    let mut stores = STORES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(store) = stores.get(&key) {
        return Ok(store.clone());
    }
    let base: Arc<dyn ObjectStore> = match url.scheme() {
        "file" => Arc::new(LocalFileSystem::new()),
        "memory" => Arc::new(InMemory::new()),
        "s3" | "s3a" => s3::s3_store(url.host_str().unwrap_or_default())?,
        other => {
            return Err(format!(
                "unsupported scheme '{other}' (use a path, file://, s3:// or memory://)"
            ))
        }
    };
    let store: Arc<dyn ObjectStore> =
        Arc::new(RetryStore::new(with_faults(base)?, RetryPolicy::default()));
    stores.insert(key, store.clone());
    Ok(store)
}

/// Test builds: the fault injector `SPATE_STORE_FAULTS` asks for, between the retries and the store.
#[cfg(feature = "fault-injection")]
fn with_faults(base: Arc<dyn ObjectStore>) -> std::result::Result<Arc<dyn ObjectStore>, String> {
    Ok(match faults::FaultConfig::from_env()? {
        Some(cfg) => {
            tracing::warn!(
                ?cfg,
                "storage fault injection is on ({})",
                faults::FAULTS_ENV
            );
            Arc::new(faults::FaultStore::new(base, cfg))
        }
        None => base,
    })
}

/// Release builds never inject faults, whatever the environment says.
#[cfg(not(feature = "fault-injection"))]
fn with_faults(base: Arc<dyn ObjectStore>) -> std::result::Result<Arc<dyn ObjectStore>, String> {
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_relative_path_becomes_absolute_file_url() {
        let loc = Location::parse("some/dir").unwrap();
        assert_eq!(loc.url.scheme(), "file");
        assert!(loc.url.path().ends_with("/some/dir/"));
        assert!(loc.prefix.as_ref().ends_with("some/dir"));
    }

    #[test]
    fn child_extends_url_and_prefix() {
        let loc = Location::parse("memory://bucket/wh").unwrap();
        let c = loc.child("_checkpoints/pins");
        assert_eq!(c.url.as_str(), "memory://bucket/wh/_checkpoints/pins/");
        assert_eq!(c.prefix.as_ref(), "wh/_checkpoints/pins");
        assert_eq!(c.display(), "memory://bucket/wh/_checkpoints/pins");
    }

    #[test]
    fn unknown_scheme_is_refused() {
        assert!(Location::parse("ftp://x/y").is_err());
    }
}
