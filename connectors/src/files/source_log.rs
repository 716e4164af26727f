//! The file source's own log, `sources/0/` (Spark's FileStreamSourceLog, spec §3.5).
//!
//! Entry K lists the files of source batch K: `v1` then one `{"path","timestamp","batchId"}` per line.
//! Every 10th entry (`(K+1) % 10 == 0`) is written as `K.compact` holding all entries so far, so a
//! restart reads one compact file plus at most nine plain ones. A log started by Spark keeps the
//! interval Spark would derive from its `.compact` files, so both engines agree on which ids compact.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use spate_engine::checkpoint::NumberedLog;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::listing::canonical_uri;

/// Spark's default `spark.sql.streaming.fileSource.log.compactInterval`.
pub const COMPACT_INTERVAL: u64 = 10;
/// Spark's `spark.sql.streaming.fileSource.log.cleanupDelay`: entries younger than this are kept.
pub const CLEANUP_DELAY_MS: i64 = 10 * 60 * 1000;
/// Spark's `spark.sql.streaming.minBatchesToRetain`.
pub const MIN_BATCHES_TO_RETAIN: u64 = 100;

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
    /// Fixed on first use, like Spark's `lazy val compactInterval`.
    interval: Arc<OnceLock<u64>>,
    /// Old entries are deleted only when older than this (ms).
    cleanup_delay_ms: i64,
}

fn compact_name(id: u64) -> String {
    format!("{id}.compact")
}

/// Spark's `CompactibleFileStreamLog.deriveCompactInterval` for a log whose only `.compact` file is `latest`.
pub fn derive_compact_interval(default: u64, latest: u64) -> u64 {
    let n = latest + 1;
    if n <= default {
        n
    } else if default < n / 2 {
        // The first divisor of n at least as large as the default.
        (default..=n / 2)
            .find(|i| n.is_multiple_of(*i))
            .unwrap_or(n)
    } else {
        n
    }
}

/// The interval Spark uses for a log holding these `.compact` ids (ascending): the distance between
/// the last two, or one derived from a single one, or the default.
pub fn compact_interval_for(compact_ids: &[u64], default: u64) -> u64 {
    match compact_ids {
        [.., prev, last] => (last - prev).max(1),
        [only] => derive_compact_interval(default, *only),
        [] => default,
    }
}

impl FileSourceLog {
    /// The log in `loc` (`<checkpoint>/sources/0`).
    pub fn new(loc: Location) -> Self {
        FileSourceLog {
            log: NumberedLog::new(loc),
            interval: Arc::new(OnceLock::new()),
            cleanup_delay_ms: CLEANUP_DELAY_MS,
        }
    }

    /// The same log with another cleanup delay (tests use 0).
    pub fn with_cleanup_delay_ms(mut self, ms: i64) -> Self {
        self.cleanup_delay_ms = ms;
        self
    }

    /// After compaction at `current`, deletes the entries a restart no longer needs (spec §3.5):
    /// when `interval <= current + 1 - minBatchesToRetain`, every entry below the compaction that
    /// precedes `current + 1 - minBatchesToRetain`, if older than the cleanup delay. The compact
    /// file holds all their entries, so nothing is lost; a failure only leaves files behind.
    async fn delete_expired(&self, current: u64, interval: u64) -> Result<()> {
        let Some(min_retained) = (current + 1).checked_sub(MIN_BATCHES_TO_RETAIN) else {
            return Ok(());
        };
        if interval > min_retained {
            return Ok(());
        }
        // The latest compaction id strictly below min_retained.
        let threshold = (0..min_retained)
            .rev()
            .find(|k| (k + 1).is_multiple_of(interval));
        let Some(threshold) = threshold else {
            return Ok(());
        };
        let cutoff = chrono::Utc::now().timestamp_millis() - self.cleanup_delay_ms;
        for (name, mtime) in self.log.names_with_mtime().await? {
            let id = name
                .parse::<u64>()
                .ok()
                .or_else(|| name.strip_suffix(".compact").and_then(|s| s.parse().ok()));
            if id.is_some_and(|id| id < threshold) && mtime <= cutoff {
                if let Err(e) = self.log.delete(&name).await {
                    tracing::warn!(file = %name, error = %e, "could not delete an expired source log entry");
                }
            }
        }
        Ok(())
    }

    /// The compaction interval of this log (spec §3.5), decided from the files present on first use.
    pub async fn compact_interval(&self) -> Result<u64> {
        if let Some(i) = self.interval.get() {
            return Ok(*i);
        }
        let (_, compact) = self.ids().await?;
        Ok(*self
            .interval
            .get_or_init(|| compact_interval_for(&compact, COMPACT_INTERVAL)))
    }

    /// (plain ids, compact ids), ascending. Names that are neither (e.g. `.crc`) are ignored.
    async fn ids(&self) -> Result<(Vec<u64>, Vec<u64>)> {
        let mut plain = vec![];
        let mut compact = vec![];
        for n in self.log.names().await? {
            if let Ok(id) = n.parse::<u64>() {
                plain.push(id);
            } else if let Some(id) = n
                .strip_suffix(".compact")
                .and_then(|s| s.parse::<u64>().ok())
            {
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
        let interval = self.compact_interval().await?;
        let (name, entries) = if (id + 1).is_multiple_of(interval) {
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
            Ok(_) => {
                if (id + 1).is_multiple_of(interval) {
                    self.delete_expired(id, interval).await?;
                }
                Ok(())
            }
            Err(Error::ConcurrentUpdate { .. }) => Err(Error::Checkpoint {
                path: self.log.location().display(),
                message: format!(
                    "Concurrent update to the log. Multiple streaming jobs detected for {id}"
                ),
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
        Ok(self
            .all()
            .await?
            .into_iter()
            .filter(|e| wanted(e.batch_id))
            .collect())
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
                let mut e: FileEntry = serde_json::from_str(l).map_err(|e| Error::Checkpoint {
                    path: format!("{}/{name}", self.log.location().display()),
                    message: format!("bad entry: {e}"),
                })?;
                // Spark 3.x wrote `file:/x`, Spark 4 `file:///x`: compare them as the listing keys them.
                e.path = canonical_uri(&e.path);
                Ok(e)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_beyond_the_retained_window_are_deleted_after_compaction() {
        let loc =
            Location::parse(&format!("memory:///srclog-purge/{}", uuid::Uuid::new_v4())).unwrap();
        let log = FileSourceLog::new(loc.clone()).with_cleanup_delay_ms(0);
        let entry = |id: u64| FileEntry {
            path: format!("file:///in/{id}.json"),
            timestamp: id as i64,
            batch_id: id,
        };
        for id in 0..130 {
            log.add(id, &[entry(id)]).await.unwrap();
        }
        // Current 129 compacts; min retained = 30; the compaction before it is 29: ids < 29 go.
        let names = NumberedLog::new(loc).names().await.unwrap();
        assert!(
            !names.contains(&"19.compact".to_string()) && !names.contains(&"28".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"29.compact".to_string()) && names.contains(&"30".to_string()));
        // Every entry is still readable through the latest compact file.
        assert_eq!(log.all().await.unwrap().len(), 130);
        // With Spark's 10-minute delay, fresh entries stay.
        let loc2 =
            Location::parse(&format!("memory:///srclog-keep/{}", uuid::Uuid::new_v4())).unwrap();
        let keep = FileSourceLog::new(loc2.clone());
        for id in 0..130 {
            keep.add(id, &[entry(id)]).await.unwrap();
        }
        assert!(NumberedLog::new(loc2)
            .names()
            .await
            .unwrap()
            .contains(&"0".to_string()));
    }

    fn entry(id: u64) -> FileEntry {
        FileEntry {
            path: format!("file:///in/{id}.json"),
            timestamp: id as i64,
            batch_id: id,
        }
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
        assert_eq!(
            log.all().await.unwrap(),
            (0..12).map(entry).collect::<Vec<_>>()
        );
        assert_eq!(
            log.range(Some(7), 10).await.unwrap(),
            (8..=10).map(entry).collect::<Vec<_>>()
        );
        assert_eq!(log.latest_id().await.unwrap(), Some(11));
    }

    #[tokio::test]
    async fn format_is_sparks() {
        let loc = Location::parse(&format!("memory:///srclog/{}", uuid::Uuid::new_v4())).unwrap();
        let log = FileSourceLog::new(loc.clone());
        log.add(0, &[entry(0)]).await.unwrap();
        let text = NumberedLog::new(loc).get("0").await.unwrap().unwrap();
        assert_eq!(
            text,
            "v1\n{\"path\":\"file:///in/0.json\",\"timestamp\":0,\"batchId\":0}"
        );
    }

    #[test]
    fn compact_interval_is_derived_like_spark() {
        assert_eq!(compact_interval_for(&[], 10), 10);
        assert_eq!(compact_interval_for(&[9, 19], 10), 10);
        assert_eq!(compact_interval_for(&[4, 9, 14], 10), 5);
        // One compact file left (the older ones were cleaned up): Spark's deriveCompactInterval.
        assert_eq!(derive_compact_interval(10, 9), 10);
        assert_eq!(derive_compact_interval(10, 4), 5);
        assert_eq!(derive_compact_interval(10, 19), 20);
        assert_eq!(derive_compact_interval(10, 29), 10);
        assert_eq!(derive_compact_interval(5, 11), 6);
    }

    #[tokio::test]
    async fn a_spark_log_keeps_its_interval() {
        let loc = Location::parse(&format!("memory:///srclog/{}", uuid::Uuid::new_v4())).unwrap();
        let raw = NumberedLog::new(loc.clone());
        // A log compacted every 5 by Spark: 4.compact, 9.compact, then 10..13.
        for (name, id) in [
            ("4.compact", 4u64),
            ("9.compact", 9),
            ("10", 10),
            ("11", 11),
            ("12", 12),
            ("13", 13),
        ] {
            raw.create(
                name,
                id,
                &format!(
                    "v1\n{{\"path\":\"file:/in/{id}.json\",\"timestamp\":{id},\"batchId\":{id}}}"
                ),
            )
            .await
            .unwrap();
        }
        let log = FileSourceLog::new(loc);
        assert_eq!(log.compact_interval().await.unwrap(), 5);
        log.add(14, &[entry(14)]).await.unwrap();
        assert!(raw
            .names()
            .await
            .unwrap()
            .contains(&"14.compact".to_string()));
    }

    #[tokio::test]
    async fn spark3_paths_read_as_listing_keys() {
        let loc = Location::parse(&format!("memory:///srclog/{}", uuid::Uuid::new_v4())).unwrap();
        let raw = NumberedLog::new(loc.clone());
        raw.create(
            "0",
            0,
            "v1\n{\"path\":\"file:/in/a%20b.json\",\"timestamp\":1,\"batchId\":0}",
        )
        .await
        .unwrap();
        raw.create(".0.crc", 0, "crc").await.unwrap();
        let log = FileSourceLog::new(loc);
        let all = log.all().await.unwrap();
        assert_eq!(
            all,
            vec![FileEntry {
                path: "file:///in/a%20b.json".into(),
                timestamp: 1,
                batch_id: 0
            }]
        );
        assert_eq!(log.latest_id().await.unwrap(), Some(0));
    }
}
