//! The file source's own log, `sources/0/` (Spark's FileStreamSourceLog, spec §3.5).
//!
//! Entry K lists the files of source batch K: `v1` then one `{"path","timestamp","batchId"}` per line.
//! Every 10th entry (`(K+1) % 10 == 0`) is written as `K.compact` holding all entries so far, so a
//! restart reads one compact file plus at most nine plain ones.

use serde::{Deserialize, Serialize};
use spate_engine::checkpoint::NumberedLog;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

/// Spark's default `spark.sql.streaming.fileSource.log.compactInterval`.
pub const COMPACT_INTERVAL: u64 = 10;

/// One file in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEntry {
    /// URL-encoded URI of the file.
    pub path: String,
    /// Modification time, epoch ms.
    pub timestamp: i64,
    /// Source-log id that took the file.
    pub batch_id: u64,
}

/// The `sources/<i>/` log of one file source.
#[derive(Debug, Clone)]
pub struct FileSourceLog {
    log: NumberedLog,
}

fn compact_name(id: u64) -> String {
    format!("{id}.compact")
}

fn is_compact_id(id: u64) -> bool {
    (id + 1) % COMPACT_INTERVAL == 0
}

impl FileSourceLog {
    /// The log in `loc` (`<checkpoint>/sources/0`).
    pub fn new(loc: Location) -> Self {
        FileSourceLog { log: NumberedLog::new(loc) }
    }

    /// (plain ids, compact ids), ascending. Names that are neither (e.g. `.crc`) are ignored.
    async fn ids(&self) -> Result<(Vec<u64>, Vec<u64>)> {
        let mut plain = vec![];
        let mut compact = vec![];
        for n in self.log.names().await? {
            if let Ok(id) = n.parse::<u64>() {
                plain.push(id);
            } else if let Some(id) = n.strip_suffix(".compact").and_then(|s| s.parse::<u64>().ok()) {
                compact.push(id);
            }
        }
        plain.sort_unstable();
        compact.sort_unstable();
        Ok((plain, compact))
    }

    /// The latest entry id, if any.
    pub async fn latest_id(&self) -> Result<Option<u64>> {
        let (plain, compact) = self.ids().await?;
        Ok(plain.last().copied().max(compact.last().copied()))
    }

    /// Writes entry `id` (create-only; a different existing entry means another live query).
    pub async fn add(&self, id: u64, files: &[FileEntry]) -> Result<()> {
        let (name, entries) = if is_compact_id(id) {
            let mut all = self.all().await?;
            all.retain(|e| e.batch_id < id);
            all.extend_from_slice(files);
            (compact_name(id), all)
        } else {
            (id.to_string(), files.to_vec())
        };
        let mut text = String::from("v1");
        for e in &entries {
            text.push('\n');
            text.push_str(&serde_json::to_string(e).unwrap_or_default());
        }
        match self.log.create(&name, id, &text).await {
            Ok(_) => Ok(()),
            Err(Error::ConcurrentUpdate { .. }) => Err(Error::Checkpoint {
                path: self.log.location().display(),
                message: format!("Concurrent update to the log. Multiple streaming jobs detected for {id}"),
            }),
            Err(e) => Err(e),
        }
    }

    /// Every entry ever written: the latest compact file plus the plain entries after it.
    pub async fn all(&self) -> Result<Vec<FileEntry>> {
        let (plain, compact) = self.ids().await?;
        let mut out = vec![];
        let after = match compact.last() {
            Some(c) => {
                out.extend(self.read(&compact_name(*c)).await?);
                Some(*c)
            }
            None => None,
        };
        for id in plain.into_iter().filter(|id| after.is_none_or(|c| *id > c)) {
            out.extend(self.read(&id.to_string()).await?);
        }
        Ok(out)
    }

    /// The entries with `start < batchId <= end`.
    pub async fn range(&self, start: Option<u64>, end: u64) -> Result<Vec<FileEntry>> {
        let (plain, _) = self.ids().await?;
        let wanted = |id: u64| start.is_none_or(|s| id > s) && id <= end;
        // Fast path: every wanted id has its own plain file.
        let lo = start.map_or(0, |s| s + 1);
        if (lo..=end).all(|id| plain.binary_search(&id).is_ok()) {
            let mut out = vec![];
            for id in lo..=end {
                out.extend(self.read(&id.to_string()).await?);
            }
            return Ok(out);
        }
        Ok(self.all().await?.into_iter().filter(|e| wanted(e.batch_id)).collect())
    }

    async fn read(&self, name: &str) -> Result<Vec<FileEntry>> {
        let text = self.log.get(name).await?.ok_or_else(|| Error::Checkpoint {
            path: format!("{}/{name}", self.log.location().display()),
            message: "source log entry is missing".into(),
        })?;
        let mut lines = text.lines();
        match lines.next() {
            Some("v1") => {}
            other => {
                return Err(Error::Checkpoint {
                    path: format!("{}/{name}", self.log.location().display()),
                    message: format!("unsupported source log version line {other:?}"),
                })
            }
        }
        lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).map_err(|e| Error::Checkpoint {
                    path: format!("{}/{name}", self.log.location().display()),
                    message: format!("bad entry: {e}"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64) -> FileEntry {
        FileEntry { path: format!("file:/in/{id}.json"), timestamp: id as i64, batch_id: id }
    }

    #[tokio::test]
    async fn compacts_every_tenth_entry() {
        let loc = Location::parse(&format!("memory:///srclog/{}", uuid::Uuid::new_v4())).unwrap();
        let log = FileSourceLog::new(loc.clone());
        for id in 0..12 {
            log.add(id, &[entry(id)]).await.unwrap();
        }
        let names = NumberedLog::new(loc).names().await.unwrap();
        assert!(names.contains(&"9.compact".to_string()));
        assert!(!names.contains(&"9".to_string()));
        assert_eq!(log.all().await.unwrap(), (0..12).map(entry).collect::<Vec<_>>());
        assert_eq!(log.range(Some(7), 10).await.unwrap(), (8..=10).map(entry).collect::<Vec<_>>());
        assert_eq!(log.latest_id().await.unwrap(), Some(11));
    }

    #[tokio::test]
    async fn format_is_sparks() {
        let loc = Location::parse(&format!("memory:///srclog/{}", uuid::Uuid::new_v4())).unwrap();
        let log = FileSourceLog::new(loc.clone());
        log.add(0, &[entry(0)]).await.unwrap();
        let text = NumberedLog::new(loc).get("0").await.unwrap().unwrap();
        assert_eq!(text, "v1\n{\"path\":\"file:/in/0.json\",\"timestamp\":0,\"batchId\":0}");
    }
}
