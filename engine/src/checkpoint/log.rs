//! A folder of write-once files named by number (`offsets/`, `commits/`, `sources/0/`).
//!
//! Every file is written with a create-only put, so a local folder and S3 behave the same
//! and two writers can never both win the same entry (spec §3.7).

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::{path::Path, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};
use crate::storage::Location;

/// What a create-only write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The file did not exist and now holds our bytes.
    New,
    /// The file existed with exactly our bytes: our own earlier attempt (a retried PUT or a re-run).
    Identical,
}

/// A folder of numbered, write-once log files.
#[derive(Clone, Debug)]
pub struct NumberedLog {
    loc: Location,
}

impl NumberedLog {
    /// The log stored in `loc`.
    pub fn new(loc: Location) -> Self {
        NumberedLog { loc }
    }

    /// The location of this log's folder.
    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// File names directly in the folder (any name; callers parse what they understand).
    pub async fn names(&self) -> Result<Vec<String>> {
        Ok(self
            .names_with_mtime()
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    /// File names directly in the folder with their last-modified time (epoch ms).
    pub async fn names_with_mtime(&self) -> Result<Vec<(String, i64)>> {
        let prefix = self.loc.prefix.clone();
        let metas: Vec<_> = self.loc.store.list(Some(&prefix)).try_collect().await?;
        let depth = prefix.parts().count();
        Ok(metas
            .into_iter()
            .filter(|m| m.location.parts().count() == depth + 1)
            .filter_map(|m| {
                m.location
                    .filename()
                    .map(|n| (n.to_string(), m.last_modified.timestamp_millis()))
            })
            .collect())
    }

    /// Deletes entry `name` (missing is fine).
    pub async fn delete(&self, name: &str) -> Result<()> {
        match self.loc.store.delete(&self.path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Batch ids present, ascending (names that are not plain numbers, like Hadoop's `.crc` files, are ignored).
    pub async fn ids(&self) -> Result<Vec<u64>> {
        let mut ids: Vec<u64> = self
            .names()
            .await?
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// The highest id present.
    pub async fn latest(&self) -> Result<Option<u64>> {
        Ok(self.ids().await?.last().copied())
    }

    /// The path of entry `name`.
    pub fn path(&self, name: &str) -> Path {
        self.loc.path(name)
    }

    /// Reads entry `name`, or None if it does not exist.
    pub async fn get(&self, name: &str) -> Result<Option<String>> {
        read_string(self.loc.store.as_ref(), &self.path(name)).await
    }

    /// Writes entry `name` only if it does not exist yet.
    ///
    /// If it exists with the same bytes, that was us (object_store retries a PUT after a timeout, and
    /// a re-run batch writes the same thing), so it counts as success. Different bytes mean another
    /// writer: `ConcurrentUpdate`.
    pub async fn create(&self, name: &str, batch_id: u64, content: &str) -> Result<Created> {
        let path = self.path(name);
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        let payload = PutPayload::from(Bytes::from(content.to_string()));
        match self.loc.store.put_opts(&path, payload, opts).await {
            Ok(_) => Ok(Created::New),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let existing = read_string(self.loc.store.as_ref(), &path).await?;
                if existing.as_deref() == Some(content) {
                    Ok(Created::Identical)
                } else {
                    Err(Error::ConcurrentUpdate {
                        path: path.to_string(),
                        batch_id,
                    })
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes numbered entries with id below `below`.
    pub async fn delete_below(&self, below: u64) -> Result<()> {
        for id in self.ids().await?.into_iter().filter(|id| *id < below) {
            match self.loc.store.delete(&self.path(&id.to_string())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Reads a whole object as UTF-8, or None if it does not exist.
pub async fn read_string(store: &dyn ObjectStore, path: &Path) -> Result<Option<String>> {
    match store.get(path).await {
        Ok(r) => {
            let bytes = r.bytes().await?;
            String::from_utf8(bytes.to_vec())
                .map(Some)
                .map_err(|e| Error::Checkpoint {
                    path: path.to_string(),
                    message: format!("not UTF-8: {e}"),
                })
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(name: &str) -> NumberedLog {
        let loc = Location::parse(&format!(
            "memory:///logtest/{name}/{}",
            uuid::Uuid::new_v4()
        ))
        .unwrap();
        NumberedLog::new(loc.child("offsets"))
    }

    #[tokio::test]
    async fn ids_sort_numerically_and_skip_other_names() {
        let l = log("ids");
        for id in [10u64, 2, 1] {
            l.create(&id.to_string(), id, "x").await.unwrap();
        }
        l.create(".1.crc", 0, "crc").await.unwrap();
        assert_eq!(l.ids().await.unwrap(), vec![1, 2, 10]);
        assert_eq!(l.latest().await.unwrap(), Some(10));
    }

    #[tokio::test]
    async fn create_is_write_once() {
        let l = log("once");
        assert_eq!(l.create("0", 0, "a").await.unwrap(), Created::New);
        assert_eq!(l.create("0", 0, "a").await.unwrap(), Created::Identical);
        assert!(matches!(
            l.create("0", 0, "b").await,
            Err(Error::ConcurrentUpdate { .. })
        ));
        assert_eq!(l.get("0").await.unwrap().as_deref(), Some("a"));
        assert_eq!(l.get("1").await.unwrap(), None);
    }

    #[tokio::test]
    async fn delete_below_keeps_recent() {
        let l = log("purge");
        for id in 0u64..5 {
            l.create(&id.to_string(), id, "x").await.unwrap();
        }
        l.delete_below(3).await.unwrap();
        assert_eq!(l.ids().await.unwrap(), vec![3, 4]);
    }
}
