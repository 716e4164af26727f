//! Auto Loader's `includeExistingFiles => false` (spec §8.2): the files already in the folder when
//! the stream first starts are never read.
//!
//! The list is taken once, at the first start (an empty source log), and kept next to the source
//! log in `sources/0/existing-files` so every restart skips the same files: re-listing at each
//! start would also skip files that landed while the query was down. Spark ignores the file (its
//! log only reads numbered entries), so the checkpoint stays readable by Spark.

use object_store::{ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::listing::InputFile;

/// The file's name inside the source log folder.
pub const EXISTING_FILES: &str = "existing-files";

/// One skipped file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingFile {
    /// Spark's key for the file.
    pub path: String,
    /// Modification time, epoch ms.
    pub timestamp: i64,
}

/// The recorded existing files of the source whose log is `log_loc`, if any were recorded.
pub async fn load(log_loc: &Location) -> Result<Option<Vec<ExistingFile>>> {
    let path = log_loc.path(EXISTING_FILES);
    let text = match log_loc.store.get(&path).await {
        Ok(r) => r.bytes().await?,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let bad = |message: String| Error::Checkpoint {
        path: format!("{}/{EXISTING_FILES}", log_loc.display()),
        message,
    };
    let text = std::str::from_utf8(&text).map_err(|e| bad(e.to_string()))?;
    let mut lines = text.lines();
    if lines.next() != Some("v1") {
        return Err(bad("unsupported version line".into()));
    }
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| bad(format!("bad entry: {e}"))))
        .collect::<Result<_>>()
        .map(Some)
}

/// Records `files` as the existing files (create-only: if another start recorded them first,
/// its list wins and is returned).
pub async fn record(log_loc: &Location, files: &[InputFile]) -> Result<Vec<ExistingFile>> {
    let entries: Vec<ExistingFile> = files
        .iter()
        .map(|f| ExistingFile {
            path: f.uri.clone(),
            timestamp: f.mtime_ms,
        })
        .collect();
    let mut text = String::from("v1");
    for e in &entries {
        text.push('\n');
        text.push_str(&serde_json::to_string(e).map_err(|e| Error::config(e.to_string()))?);
    }
    let opts = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    match log_loc
        .store
        .put_opts(&log_loc.path(EXISTING_FILES), PutPayload::from(text), opts)
        .await
    {
        Ok(_) => Ok(entries),
        Err(object_store::Error::AlreadyExists { .. }) => {
            Ok(load(log_loc).await?.unwrap_or_default())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::path::Path;

    #[tokio::test]
    async fn recorded_once_then_loaded() {
        let loc = Location::parse(&format!("memory:///existing/{}", uuid::Uuid::new_v4())).unwrap();
        assert_eq!(load(&loc).await.unwrap(), None);
        let f = |name: &str, t: i64| InputFile {
            path: Path::from(name),
            uri: format!("file:///in/{name}"),
            mtime_ms: t,
            size: 1,
        };
        let first = record(&loc, &[f("a.json", 1), f("b.json", 2)])
            .await
            .unwrap();
        assert_eq!(first.len(), 2);
        // A second start keeps the first list.
        assert_eq!(record(&loc, &[f("c.json", 3)]).await.unwrap(), first);
        assert_eq!(load(&loc).await.unwrap(), Some(first));
    }
}
