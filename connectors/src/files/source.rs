//! The JSON folder source: Spark's `FileStreamSource` (spec §1.2-1.7).
//!
//! ```text
//!  latest_offset: unread cache ──(empty)──► list (glob, hidden names, pathGlobFilter)
//!                 ─► sort (mtime; latestFirst) ─► drop seen / aged-out ─► read limit ─► sources/0/K
//!  read(start, end]: sources/0 entries ─► fetch ─► decompress ─► JSON ─► partitions + _metadata
//!  commit(end of N-1): cleanSource archives/deletes the files of source batch end (one batch late)
//! ```
//!
//! The batch's files are recorded in `sources/0/K` *before* the query writes `offsets/N`, so a
//! re-run reads exactly the same files.

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use spate_engine::source::{Offset, ReadLimit, Source, SourceData};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::clean_source::SourceCleaner;
use super::existing_files;
use super::glob::SourcePath;
use super::incremental_listing::{ListingCursor, ListingPlan};
use super::listing::{list_source, path_of_uri, InputFile};
use super::options::FileSourceOptions;
use super::read_limit::{select, sort_files, CachePolicy, Limit};
use super::reader::{fetch, FileDecoder, FileRef};
use super::seen_files::SeenFiles;
use super::source_log::{FileEntry, FileSourceLog};

/// How many input files are fetched at once.
const FETCH_CONCURRENCY: usize = 8;

/// A streaming JSON folder source.
pub struct FileSource {
    opts: FileSourceOptions,
    /// The path, split at its glob.
    path: SourcePath,
    /// The folder listed (the path up to its first glob component).
    input: Location,
    log: FileSourceLog,
    log_loc: Location,
    /// Spark's `seenFiles` (spec §1.4).
    seen: SeenFiles,
    /// Id of the latest source-log entry (-1: none yet).
    log_current: i64,
    /// The listing taken at start under `Trigger.AvailableNow`.
    snapshot: Option<Vec<InputFile>>,
    /// Spark's `unreadFiles`: listed but not yet taken; while non-empty, no listing (spec §1.3).
    unread: Option<Vec<InputFile>>,
    decoder: FileDecoder,
    cleaner: Option<SourceCleaner>,
    /// The inotify watch on a local input folder, started when the query first goes idle.
    watch: Option<super::watch::FolderWatch>,
    /// Where the next listing starts (`useIncrementalListing`).
    cursor: ListingCursor,
}

impl FileSource {
    /// A source reading `opts.path`, keeping its log in `log_loc` (`<checkpoint>/sources/0`).
    /// Invalid paths, globs and `cleanSource` settings are refused here, before any batch.
    pub fn new(opts: FileSourceOptions, log_loc: Location) -> Result<Self> {
        let path = SourcePath::parse(&opts.path)?;
        let decoder = FileDecoder::new(&opts, &path)?;
        let cleaner = SourceCleaner::new(&opts.clean_source, &path)?;
        let seen = SeenFiles::new(opts.effective_max_file_age_ms(), opts.file_name_only);
        if opts.effective_max_file_age_ms().is_none() && opts.latest_first {
            tracing::warn!("latestFirst with a read limit: maxFileAge is ignored, and event-time watermarks may drop the older files read later");
        }
        let remote = path.base.url.scheme() != "file";
        Ok(FileSource {
            cursor: ListingCursor::new(opts.incremental_listing, remote),
            input: path.base.clone(),
            path,
            log: FileSourceLog::new(log_loc.clone()),
            log_loc,
            seen,
            log_current: -1,
            snapshot: None,
            unread: None,
            decoder,
            cleaner,
            watch: None,
            opts,
        })
    }

    fn current_offset(&self) -> Option<Offset> {
        (self.log_current >= 0).then(|| json!({ "logOffset": self.log_current }))
    }

    async fn list(&self) -> Result<Vec<InputFile>> {
        self.list_planned(&ListingPlan::Full).await
    }

    async fn list_planned(&self, plan: &ListingPlan) -> Result<Vec<InputFile>> {
        let started = std::time::Instant::now();
        let after = match plan {
            ListingPlan::Full => None,
            ListingPlan::After(key) => Some(key),
        };
        let files = list_source(&self.path, self.opts.path_glob_filter.as_ref(), after).await?;
        tracing::debug!(
            files = files.len(),
            us = started.elapsed().as_micros() as u64,
            after = after.map(|k| k.as_ref()),
            "listed {}",
            self.path.display()
        );
        if started.elapsed() > std::time::Duration::from_secs(2) {
            tracing::warn!(
                files = files.len(),
                ms = started.elapsed().as_millis() as u64,
                "listing {} took longer than 2 s",
                self.path.display()
            );
        }
        Ok(files)
    }

    /// Spark's candidate list: the unread cache if it holds files, else a fresh listing (or the
    /// AvailableNow snapshot) sorted and stripped of seen and aged-out files. The flag says
    /// whether the folder was listed.
    async fn new_files(&mut self) -> Result<(Vec<InputFile>, bool)> {
        if let Some(unread) = self.unread.take().filter(|u| !u.is_empty()) {
            return Ok((unread, false));
        }
        let (mut all, plan) = match &self.snapshot {
            Some(s) => (s.clone(), None),
            None => {
                let plan = self.cursor.plan();
                (self.list_planned(&plan).await?, Some(plan))
            }
        };
        sort_files(&mut all, self.opts.latest_first);
        // Two files with the same key in one listing (fileNameOnly): the first in order wins.
        let mut keys = std::collections::HashSet::new();
        let new: Vec<InputFile> = all
            .into_iter()
            .filter(|f| {
                self.seen.is_new(&f.uri, f.mtime_ms)
                    && keys.insert(self.seen.key(&f.uri).to_string())
            })
            .collect();
        if let Some(plan) = &plan {
            self.cursor.listed(plan, &new);
        }
        Ok((new, plan.is_some()))
    }

    fn limit(&self, limit: ReadLimit) -> Limit {
        match (
            limit,
            self.opts.max_files_per_trigger,
            self.opts.max_bytes_per_trigger,
        ) {
            (ReadLimit::All, _, _) => Limit::All,
            (_, Some(n), _) => Limit::Files(n),
            (_, None, Some(b)) => Limit::Bytes(b),
            (_, None, None) => Limit::All,
        }
    }

    /// The remainder cache is used only without `latestFirst` and outside AvailableNow (spec §1.3).
    fn cache_policy(&self) -> Option<CachePolicy> {
        (!self.opts.latest_first && self.snapshot.is_none()).then_some(CachePolicy {
            max_cached_files: self.opts.max_cached_files,
            discard_ratio: self.opts.discard_cached_input_ratio,
        })
    }

    /// `includeExistingFiles => false`: the files present at the first start count as seen.
    async fn skip_existing_files(&mut self) -> Result<()> {
        let existing = match existing_files::load(&self.log_loc).await? {
            Some(e) => e,
            // Recorded only at the very first start; a query that already ran keeps reading.
            None if self.log_current < 0 && !self.opts.include_existing_files => {
                existing_files::record(&self.log_loc, &self.list().await?).await?
            }
            None => return Ok(()),
        };
        tracing::info!(
            files = existing.len(),
            "includeExistingFiles is false: skipping the files present at the first start"
        );
        for e in existing {
            self.seen.add(&e.path, e.timestamp);
            if let Some(p) = path_of_uri(&e.path) {
                self.cursor.taken(&p);
            }
        }
        Ok(())
    }
}

fn log_offset(o: &Offset) -> Result<i64> {
    o.get("logOffset")
        .unwrap_or(o)
        .as_i64()
        .ok_or_else(|| Error::Checkpoint {
            path: String::new(),
            message: format!("not a file source offset: {o}"),
        })
}

#[async_trait]
impl Source for FileSource {
    fn description(&self) -> String {
        format!("FileStreamSource[{}]", self.path.display())
    }

    fn schema(&self) -> SchemaRef {
        self.decoder.output_schema()
    }

    fn prune_columns(&mut self, columns: &[usize]) -> Result<()> {
        self.decoder.prune(columns)
    }

    async fn restore(&mut self, _committed: Option<&Offset>) -> Result<()> {
        for e in self.log.all().await? {
            self.seen.add(&e.path, e.timestamp);
            if let Some(p) = path_of_uri(&e.path) {
                self.cursor.taken(&p);
            }
        }
        self.log_current = self.log.latest_id().await?.map_or(-1, |id| id as i64);
        self.skip_existing_files().await?;
        self.seen.purge();
        Ok(())
    }

    async fn prepare_available_now(&mut self) -> Result<()> {
        self.snapshot = Some(self.list().await?);
        Ok(())
    }

    async fn latest_offset(
        &mut self,
        _start: Option<&Offset>,
        limit: ReadLimit,
    ) -> Result<Option<Offset>> {
        let (new_files, listed) = self.new_files().await?;
        // The batch is a prefix of the candidates; the rest is left for later triggers.
        let keys: Vec<object_store::path::Path> =
            new_files.iter().map(|f| f.path.clone()).collect();
        let selection = select(new_files, self.limit(limit), self.cache_policy());
        self.unread = selection.unread;
        let batch = selection.batch;
        for f in &batch {
            self.cursor.taken(&f.path);
        }
        self.cursor.left_over(&keys[batch.len()..], listed);
        if batch.is_empty() {
            return Ok(self.current_offset());
        }
        let id = (self.log_current + 1) as u64;
        let entries: Vec<FileEntry> = batch
            .iter()
            .map(|f| FileEntry {
                path: f.uri.clone(),
                timestamp: f.mtime_ms,
                batch_id: id,
            })
            .collect();
        self.log.add(id, &entries).await?;
        spate_engine::failpoint::hit("after-source-log", id);
        for f in &batch {
            self.seen.add(&f.uri, f.mtime_ms);
        }
        self.seen.purge();
        self.log_current = id as i64;
        Ok(self.current_offset())
    }

    async fn read(&mut self, start: Option<&Offset>, end: &Offset) -> Result<SourceData> {
        let start = start.map(log_offset).transpose()?;
        let end = log_offset(end)?;
        let entries = self
            .log
            .range(start.filter(|s| *s >= 0).map(|s| s as u64), end as u64)
            .await?;
        let store = self.input.store.clone();
        let ignore_missing = self.decoder.ignore_missing();
        let fetches = entries.into_iter().map(|e| {
            let store = store.clone();
            async move {
                let path = path_of_uri(&e.path).ok_or_else(|| {
                    Error::config(format!("source log holds an unreadable path: {}", e.path))
                })?;
                let bytes = fetch(store, path.clone(), e.path.clone(), ignore_missing).await?;
                Ok::<_, Error>((e, path, bytes))
            }
        });
        let files: Vec<(FileEntry, object_store::path::Path, Option<bytes::Bytes>)> =
            futures::stream::iter(fetches)
                .buffered(FETCH_CONCURRENCY)
                .try_collect()
                .await?;
        let mut data = SourceData::default();
        let (mut corrupt, mut dropped) = (0usize, 0usize);
        for (e, path, bytes) in files.iter() {
            let Some(bytes) = bytes else { continue };
            let file = FileRef {
                uri: &e.path,
                path,
                mtime_ms: e.timestamp,
            };
            let Some((batches, stats)) = self.decoder.decode(file, bytes.clone())? else {
                continue;
            };
            corrupt += stats.corrupt;
            dropped += stats.dropped;
            data.num_input_rows += stats.rows as u64;
            data.batches.extend(batches);
        }
        data.metrics = vec![
            ("numFiles".into(), files.len().to_string()),
            ("numCorruptRecords".into(), corrupt.to_string()),
            ("numDroppedMalformedRecords".into(), dropped.to_string()),
        ];
        Ok(data)
    }

    async fn commit(&mut self, end: &Offset) -> Result<()> {
        // cleanSource, one batch late (spec §1.7): `end` is the previous batch's offset; only the
        // entries that source batch took are cleaned.
        let Some(cleaner) = &self.cleaner else {
            return Ok(());
        };
        let id = log_offset(end)?;
        if id < 0 {
            return Ok(());
        }
        let id = id as u64;
        let entries = self.log.range(id.checked_sub(1), id).await?;
        let uris: Vec<String> = entries
            .into_iter()
            .filter(|e| e.batch_id == id)
            .map(|e| e.path)
            .collect();
        cleaner.clean(uris).await;
        Ok(())
    }

    fn wake_signal(&mut self) -> Option<tokio::sync::watch::Receiver<u64>> {
        if self.watch.is_none() {
            self.watch = super::watch::FolderWatch::start(&self.input);
        }
        self.watch
            .as_ref()
            .map(super::watch::FolderWatch::subscribe)
    }
}
