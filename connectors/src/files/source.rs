//! The JSON folder source: Spark's `FileStreamSource` (spec §1.2-1.6).
//!
//! Each trigger lists the folder, picks unseen files oldest first under the read limit, and records
//! them in `sources/0/K` *before* the query writes `offsets/N`, so a re-run reads exactly the same files.

use std::collections::HashMap;

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use object_store::ObjectStoreExt;
use serde_json::json;
use spate_engine::json::decode_json_lines;
use spate_engine::source::{Offset, ReadLimit, Source, SourceData};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::listing::{list_files, path_of_uri, InputFile};
use super::options::FileSourceOptions;
use super::source_log::{FileEntry, FileSourceLog};

/// How many input files are fetched at once.
const FETCH_CONCURRENCY: usize = 8;

/// A streaming JSON folder source.
pub struct FileSource {
    opts: FileSourceOptions,
    input: Location,
    log: FileSourceLog,
    /// Spark's `seenFiles`: dedup key -> mtime.
    seen: HashMap<String, i64>,
    latest_ts: i64,
    last_purge_ts: i64,
    /// Id of the latest source-log entry (-1: none yet).
    log_current: i64,
    /// The listing taken at start under `Trigger.AvailableNow`.
    snapshot: Option<Vec<InputFile>>,
}

impl FileSource {
    /// A source reading `opts.path`, keeping its log in `log_loc` (`<checkpoint>/sources/0`).
    pub fn new(opts: FileSourceOptions, log_loc: Location) -> Result<Self> {
        let input = Location::parse(&opts.path)?;
        Ok(FileSource {
            opts,
            input,
            log: FileSourceLog::new(log_loc),
            seen: HashMap::new(),
            latest_ts: 0,
            last_purge_ts: 0,
            log_current: -1,
            snapshot: None,
        })
    }

    fn key(&self, uri: &str) -> String {
        if self.opts.file_name_only {
            uri.rsplit('/').next().unwrap_or(uri).to_string()
        } else {
            uri.to_string()
        }
    }

    fn max_age_ms(&self) -> Option<i64> {
        // With latestFirst and a limit, old files would never be reached otherwise (spec §1.1).
        let limited = self.opts.max_files_per_trigger.is_some() || self.opts.max_bytes_per_trigger.is_some();
        if self.opts.latest_first && limited {
            None
        } else {
            Some(self.opts.max_file_age_ms)
        }
    }

    fn remember(&mut self, key: String, mtime: i64) {
        self.latest_ts = self.latest_ts.max(mtime);
        self.seen.insert(key, mtime);
    }

    fn purge(&mut self) {
        if let Some(age) = self.max_age_ms() {
            self.last_purge_ts = self.latest_ts - age;
            let threshold = self.last_purge_ts;
            self.seen.retain(|_, mtime| *mtime >= threshold);
        }
    }

    fn current_offset(&self) -> Option<Offset> {
        (self.log_current >= 0).then(|| json!({ "logOffset": self.log_current }))
    }

    /// Picks this trigger's files from the candidates, in Spark's order and under the read limit.
    fn select(&self, mut candidates: Vec<InputFile>, limit: ReadLimit) -> Vec<InputFile> {
        if self.opts.latest_first {
            candidates.sort_by(|a, b| b.mtime_ms.cmp(&a.mtime_ms).then_with(|| a.uri.cmp(&b.uri)));
        } else {
            candidates.sort_by(|a, b| a.mtime_ms.cmp(&b.mtime_ms).then_with(|| a.uri.cmp(&b.uri)));
        }
        // Two files with the same key in one listing (fileNameOnly): the first in order wins.
        let mut keys = std::collections::HashSet::new();
        let fresh = candidates
            .into_iter()
            .filter(|f| f.mtime_ms >= self.last_purge_ts && !self.seen.contains_key(&self.key(&f.uri)))
            .filter(|f| keys.insert(self.key(&f.uri)));
        match (limit, self.opts.max_files_per_trigger, self.opts.max_bytes_per_trigger) {
            (ReadLimit::All, _, _) | (_, None, None) => fresh.collect(),
            (_, Some(n), _) => fresh.take(n).collect(),
            (_, None, Some(max_bytes)) => {
                let mut total = 0u64;
                let mut out = vec![];
                for f in fresh {
                    // The first file is always taken; the first that does not fit ends the batch.
                    if !out.is_empty() && total + f.size > max_bytes {
                        break;
                    }
                    total += f.size;
                    out.push(f);
                }
                out
            }
        }
    }
}

fn log_offset(o: &Offset) -> Result<i64> {
    o.get("logOffset").unwrap_or(o).as_i64().ok_or_else(|| Error::Checkpoint {
        path: String::new(),
        message: format!("not a file source offset: {o}"),
    })
}

#[async_trait]
impl Source for FileSource {
    fn description(&self) -> String {
        format!("FileStreamSource[{}]", super::listing::hadoop_style(self.input.display().as_str()))
    }

    fn schema(&self) -> SchemaRef {
        self.opts.schema.clone()
    }

    async fn restore(&mut self, _committed: Option<&Offset>) -> Result<()> {
        for e in self.log.all().await? {
            let key = self.key(&e.path);
            self.remember(key, e.timestamp);
        }
        self.purge();
        self.log_current = self.log.latest_id().await?.map_or(-1, |id| id as i64);
        Ok(())
    }

    async fn prepare_available_now(&mut self) -> Result<()> {
        self.snapshot = Some(list_files(&self.input).await?);
        Ok(())
    }

    async fn latest_offset(&mut self, _start: Option<&Offset>, limit: ReadLimit) -> Result<Option<Offset>> {
        let candidates = match &self.snapshot {
            Some(s) => s.clone(),
            None => list_files(&self.input).await?,
        };
        let batch = self.select(candidates, limit);
        if batch.is_empty() {
            return Ok(self.current_offset());
        }
        let id = (self.log_current + 1) as u64;
        let entries: Vec<FileEntry> = batch.iter().map(|f| FileEntry { path: f.uri.clone(), timestamp: f.mtime_ms, batch_id: id }).collect();
        self.log.add(id, &entries).await?;
        spate_engine::failpoint::hit("after-source-log", id);
        for f in &batch {
            let key = self.key(&f.uri);
            self.remember(key, f.mtime_ms);
        }
        self.purge();
        self.log_current = id as i64;
        Ok(self.current_offset())
    }

    async fn read(&mut self, start: Option<&Offset>, end: &Offset) -> Result<SourceData> {
        let start = start.map(log_offset).transpose()?;
        let end = log_offset(end)?;
        let entries = self.log.range(start.filter(|s| *s >= 0).map(|s| s as u64), end as u64).await?;
        let store = self.input.store.clone();
        let files: Vec<(String, bytes::Bytes)> = futures::stream::iter(entries.into_iter().map(|e| {
            let store = store.clone();
            async move {
                let path = path_of_uri(&e.path).ok_or_else(|| Error::config(format!("source log holds an unreadable path: {}", e.path)))?;
                let bytes = store.get(&path).await?.bytes().await?;
                Ok::<_, Error>((e.path, bytes))
            }
        }))
        .buffered(FETCH_CONCURRENCY)
        .try_collect()
        .await?;
        let mut data = SourceData::default();
        let (mut corrupt, mut dropped) = (0usize, 0usize);
        for (uri, bytes) in &files {
            let (batch, stats) = decode_json_lines(bytes, uri, &self.opts.schema, &self.opts.json)?;
            corrupt += stats.corrupt;
            dropped += stats.dropped;
            data.num_input_rows += batch.num_rows() as u64;
            if batch.num_rows() > 0 {
                data.batches.push(batch);
            }
        }
        data.metrics = vec![
            ("numFiles".into(), files.len().to_string()),
            ("numCorruptRecords".into(), corrupt.to_string()),
            ("numDroppedMalformedRecords".into(), dropped.to_string()),
        ];
        Ok(data)
    }

    async fn commit(&mut self, _end: &Offset) -> Result<()> {
        // cleanSource (archive/delete) is not implemented yet; nothing to clean.
        Ok(())
    }
}
