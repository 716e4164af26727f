//! `STREAM read_kinesis(...)`: the Kinesis source behind the engine's `Source` contract.
//!
//! ```text
//!  restore(committed) ─► ListShards ─► a fetch loop per shard in the offset (fetcher.rs)
//!  latest_offset(start): lineage says which shards to start (shards.rs) ─► end = per shard, the
//!                        newest record fetched, or SHARD_END ─► offsets/N (written by the query)
//!  read(start, end]:     per shard, take the buffered records through end's sequence number;
//!                        a re-run after a restart waits until its loop has fetched them again
//! ```
//! A trigger takes what the loops have fetched; it never calls Kinesis itself, so the batch cadence
//! and Kinesis' per-shard read limits stay independent.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use spate_engine::source::{Offset, ReadLimit, Source, SourceData};
use spate_engine::Result;
use tokio::sync::watch;

use super::client::{backoff, CallError, KinesisClient, KinesisRecord};
use super::fetcher::{Feed, FetchConfig};
use super::offsets::{KinesisOffset, SequenceNumber, ShardKey, ShardOffset, ShardPosition};
use super::options::KinesisOptions;
use super::records::{record_schema, to_batch};
use super::shards::{Lineage, Tracked};
use super::KinesisError;

/// Tries of the first ListShards (no earlier listing to fall back on) before the query fails.
const MAX_FIRST_LISTING_ATTEMPTS: u32 = 6;
/// How long a waiting batch sleeps between looks at a shard's buffer (a missed wake-up costs no more).
const ARRIVAL_POLL: Duration = Duration::from_millis(100);

/// A streaming Kinesis source over one or more streams.
pub struct KinesisSource {
    opts: KinesisOptions,
    fetch: FetchConfig,
    schema: SchemaRef,
    client: Option<KinesisClient>,
    /// Per stream: every shard seen, with parents.
    lineage: BTreeMap<String, Lineage>,
    /// The running fetch loops.
    feeds: BTreeMap<ShardKey, Feed>,
    /// Bumped whenever a loop delivers records or reaches a shard's end.
    wake: watch::Sender<u64>,
    last_listing: Option<Instant>,
    /// `Trigger.AvailableNow`/`Once`: read what was in the streams at this instant, then stop.
    catch_up: Option<Instant>,
    /// The catch-up batch has been planned; nothing more this run.
    caught_up: bool,
}

impl KinesisSource {
    /// A source for `opts`; it connects to Kinesis in `restore`, when the query starts.
    pub fn new(opts: KinesisOptions) -> Self {
        KinesisSource {
            fetch: FetchConfig::from_options(&opts),
            opts,
            schema: record_schema(),
            client: None,
            lineage: BTreeMap::new(),
            feeds: BTreeMap::new(),
            wake: watch::channel(0).0,
            last_listing: None,
            catch_up: None,
            caught_up: false,
        }
    }

    fn client(&self) -> std::result::Result<&KinesisClient, KinesisError> {
        self.client.as_ref().ok_or_else(|| KinesisError::Api {
            operation: "connect",
            stream: self.opts.stream_names.join(","),
            message: "the source was used before restore connected it".into(),
        })
    }

    /// An offset from the checkpoint, without the streams no longer read.
    fn parse(&self, o: Option<&Offset>) -> std::result::Result<KinesisOffset, KinesisError> {
        let mut parsed = match o {
            Some(o) => KinesisOffset::from_json(o)?,
            None => KinesisOffset::default(),
        };
        parsed.shards.retain(|k, _| {
            let keep = self.opts.stream_names.contains(&k.stream);
            if !keep {
                tracing::warn!(stream = %k.stream, "the checkpoint reads a stream streamName no longer names; forgetting it");
            }
            keep
        });
        Ok(parsed)
    }

    fn spawn(
        &mut self,
        key: ShardKey,
        from: ShardPosition,
    ) -> std::result::Result<(), KinesisError> {
        tracing::info!(shard = %key, from = ?from, "reading shard");
        let feed = Feed::spawn(
            self.client()?.clone(),
            key.clone(),
            from,
            self.fetch.clone(),
            self.wake.clone(),
        );
        self.feeds.insert(key, feed);
        Ok(())
    }

    /// A fetch loop for every shard of `base` still being read.
    fn ensure_feeds(&mut self, base: &KinesisOffset) -> std::result::Result<(), KinesisError> {
        for (k, o) in &base.shards {
            if o.position != ShardPosition::Ended && !self.feeds.contains_key(k) {
                self.spawn(k.clone(), o.position.clone())?;
            }
        }
        Ok(())
    }

    fn check_feeds(&self) -> std::result::Result<(), KinesisError> {
        for f in self.feeds.values() {
            if let Some(message) = f.with_state(|s| s.error.clone()) {
                return Err(KinesisError::Api {
                    operation: "GetRecords",
                    stream: f.key.stream.clone(),
                    message: format!("shard {}: {message}", f.key.shard),
                });
            }
        }
        Ok(())
    }

    /// Lists every stream's shards (each `shardFetchInterval`, or now when `force`).
    async fn list_if_due(&mut self, force: bool) -> std::result::Result<(), KinesisError> {
        let due = self
            .last_listing
            .is_none_or(|t| t.elapsed() >= self.opts.shard_fetch_interval);
        if !(due || force) {
            return Ok(());
        }
        let client = self.client()?.clone();
        for stream in &self.opts.stream_names {
            let mut listed = client
                .list_shards(stream, self.opts.max_shards_per_describe)
                .await;
            // The first listing has no earlier one to fall back on: ride out a slow start or a
            // throttled burst before giving up.
            let mut attempt = 0;
            while self.last_listing.is_none() && attempt < MAX_FIRST_LISTING_ATTEMPTS {
                let (Err(CallError::Throttled(m)) | Err(CallError::Transient(m))) = &listed else {
                    break;
                };
                let wait = backoff(Duration::from_millis(250), attempt);
                tracing::warn!(%stream, "ListShards failed, retrying in {} ms: {m}", wait.as_millis());
                tokio::time::sleep(wait).await;
                attempt += 1;
                listed = client
                    .list_shards(stream, self.opts.max_shards_per_describe)
                    .await;
            }
            match listed {
                Ok(shards) => self
                    .lineage
                    .entry(stream.clone())
                    .or_default()
                    .merge_listing(shards),
                // A listing is only discovery: try again next interval (unless none ever worked).
                Err(CallError::Throttled(m) | CallError::Transient(m))
                    if self.last_listing.is_some() =>
                {
                    tracing::warn!(%stream, "ListShards failed, trying again later: {m}");
                }
                Err(e) => {
                    return Err(KinesisError::Api {
                        operation: "ListShards",
                        stream: stream.clone(),
                        message: e.message().to_string(),
                    })
                }
            }
        }
        self.last_listing = Some(Instant::now());
        Ok(())
    }

    /// Starts the shards whose turn has come: new roots, and children whose parents all ended.
    fn start_new_shards(&mut self, base: &KinesisOffset) -> std::result::Result<(), KinesisError> {
        // What the loops learnt at SHARD_END (GetRecords' ChildShards) goes into the lineage first,
        // so children start without waiting for the next listing.
        for f in self.feeds.values() {
            let (ended, children) = f.with_state(|s| (s.ended, s.children.clone()));
            if ended {
                let l = self.lineage.entry(f.key.stream.clone()).or_default();
                l.mark_closed(&f.key.shard);
                for (child, parents) in children {
                    l.add_child(&child, &parents);
                }
            }
        }
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut to_start = vec![];
        for (stream, lineage) in &self.lineage {
            let mut tracked: HashMap<String, Tracked> = base
                .shards
                .iter()
                .filter(|(k, _)| &k.stream == stream)
                .map(|(k, o)| {
                    let t = if o.position == ShardPosition::Ended {
                        Tracked::Ended
                    } else {
                        Tracked::Reading
                    };
                    (k.shard.clone(), t)
                })
                .collect();
            for f in self.feeds.values().filter(|f| &f.key.stream == stream) {
                let t = if f.with_state(|s| s.ended) {
                    Tracked::Ended
                } else {
                    Tracked::Reading
                };
                tracked.insert(f.key.shard.clone(), t);
            }
            for (shard, from) in
                lineage.shards_to_start(&tracked, &self.opts.initial_position, now_ms)
            {
                to_start.push((
                    ShardKey {
                        stream: stream.clone(),
                        shard,
                    },
                    from,
                ));
            }
        }
        for (key, from) in to_start {
            self.spawn(key, from)?;
        }
        Ok(())
    }

    /// `Trigger.AvailableNow`/`Once`: waits until every shard's loop has fetched what the stream held
    /// at `cutoff` (or reached its end), starting children on the way.
    async fn wait_caught_up(
        &mut self,
        cutoff: Instant,
        base: &KinesisOffset,
    ) -> std::result::Result<(), KinesisError> {
        loop {
            self.check_feeds()?;
            self.start_new_shards(base)?;
            let pending = self.feeds.values().find(|f| {
                !f.with_state(|s| s.ended || s.caught_up_at.is_some_and(|t| t >= cutoff))
            });
            match pending {
                Some(f) => f.wait_for_arrival(ARRIVAL_POLL).await,
                None => return Ok(()),
            }
        }
    }

    /// The next batch's end: per shard, the newest record fetched, SHARD_END, or where it starts.
    fn plan_end(&mut self, base: &KinesisOffset) -> KinesisOffset {
        let mut end = KinesisOffset::default();
        for (k, o) in &base.shards {
            end.shards.insert(
                k.clone(),
                ShardOffset {
                    position: o.position.clone(),
                    started_from: None,
                },
            );
        }
        for (k, f) in &self.feeds {
            let prior = base.shards.get(k);
            if prior.is_some_and(|p| p.position == ShardPosition::Ended) {
                continue;
            }
            // A child's loop is started only after its parents' loops ended, and an ended loop is
            // read as SHARD_END here: a child never enters an offset before its parents are done.
            let (last, ended) = f.with_state(|s| (s.last_sequence().cloned(), s.ended));
            let position = match (ended, last) {
                (true, _) => ShardPosition::Ended,
                (false, Some(seq)) => ShardPosition::After(seq),
                (false, None) => prior
                    .map(|p| p.position.clone())
                    .unwrap_or_else(|| f.started_from.clone()),
            };
            let started_from =
                (prior.is_none() && !position.is_start()).then(|| f.started_from.clone());
            end.shards.insert(
                k.clone(),
                ShardOffset {
                    position,
                    started_from,
                },
            );
        }
        // A shard read to its end in an earlier batch leaves once all its children are in.
        for (stream, lineage) in &self.lineage {
            let ended: Vec<&str> = base
                .shards
                .iter()
                .filter(|(k, o)| &k.stream == stream && o.position == ShardPosition::Ended)
                .map(|(k, _)| k.shard.as_str())
                .collect();
            let in_end = |id: &str| {
                end.shards.contains_key(&ShardKey {
                    stream: stream.clone(),
                    shard: id.to_string(),
                })
            };
            for shard in lineage.finished(&ended, in_end) {
                let key = ShardKey {
                    stream: stream.clone(),
                    shard,
                };
                end.shards.remove(&key);
                self.feeds.remove(&key);
            }
        }
        end
    }

    /// The records of `key` after `from` through `through` (to SHARD_END for None), waiting for
    /// its loop to fetch them if needed (a batch re-run after a restart).
    ///
    /// `new_in_batch`: the shard is not in the batch's start offset, so its loop must have started
    /// exactly where the batch says (`startedFrom`). After a restart, discovery may already have
    /// started it elsewhere (`latest` is a new instant now); that loop is replaced.
    async fn collect(
        &mut self,
        key: &ShardKey,
        from: &ShardPosition,
        through: Option<&SequenceNumber>,
        new_in_batch: bool,
    ) -> std::result::Result<Vec<KinesisRecord>, KinesisError> {
        let misplaced =
            new_in_batch && self.feeds.get(key).is_some_and(|f| f.started_from != *from);
        if misplaced || !self.feeds.contains_key(key) {
            self.spawn(key.clone(), from.clone())?;
        }
        let feed = &self.feeds[key];
        let waiting_since = Instant::now();
        let mut out: Vec<KinesisRecord> = vec![];
        loop {
            let mut got = feed.take_through(through);
            if let ShardPosition::After(f) = from {
                got.retain(|r| r.sequence > *f);
            }
            out.extend(got);
            let (ended, error, caught_up, beyond) = feed.with_state(|s| {
                (
                    s.ended,
                    s.error.clone(),
                    s.caught_up_at.is_some_and(|t| t > waiting_since),
                    s.last_sequence().is_some(),
                )
            });
            if let Some(message) = error {
                return Err(KinesisError::Api {
                    operation: "GetRecords",
                    stream: key.stream.clone(),
                    message: format!("shard {}: {message}", key.shard),
                });
            }
            match through {
                // Done once the buffer holds anything newer, or the last record taken is `end` itself.
                Some(end) => {
                    if beyond || out.last().is_some_and(|r| r.sequence >= *end) {
                        return Ok(out);
                    }
                    if ended || caught_up {
                        return Err(KinesisError::DataLoss {
                            stream: key.stream.clone(),
                            shard: key.shard.clone(),
                            sequence: end.0.clone(),
                        });
                    }
                }
                None if ended && !beyond => return Ok(out),
                None => {}
            }
            feed.wait_for_arrival(ARRIVAL_POLL).await;
        }
    }
}

#[async_trait]
impl Source for KinesisSource {
    fn description(&self) -> String {
        format!("KinesisSource[{}]", self.opts.stream_names.join(","))
    }

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    async fn restore(&mut self, committed: Option<&Offset>) -> Result<()> {
        self.client = Some(KinesisClient::connect(&self.opts).await?);
        let base = self.parse(committed)?;
        self.list_if_due(true).await?;
        self.ensure_feeds(&base)?;
        self.start_new_shards(&base)?;
        Ok(())
    }

    async fn prepare_available_now(&mut self) -> Result<()> {
        self.catch_up = Some(Instant::now());
        Ok(())
    }

    async fn latest_offset(
        &mut self,
        start: Option<&Offset>,
        limit: ReadLimit,
    ) -> Result<Option<Offset>> {
        if limit == ReadLimit::All && self.catch_up.is_none() {
            self.catch_up = Some(Instant::now());
        }
        if self.caught_up {
            return Ok(start.cloned());
        }
        let base = self.parse(start)?;
        self.check_feeds()?;
        self.ensure_feeds(&base)?;
        self.list_if_due(self.catch_up.is_some()).await?;
        self.start_new_shards(&base)?;
        if let Some(cutoff) = self.catch_up {
            self.wait_caught_up(cutoff, &base).await?;
            self.caught_up = true;
        }
        let end = self.plan_end(&base);
        if end.same_positions(&base) {
            return Ok(start.cloned());
        }
        Ok(Some(end.to_json()))
    }

    async fn read(&mut self, start: Option<&Offset>, end: &Offset) -> Result<SourceData> {
        let start = self.parse(start)?;
        let end = self.parse(Some(end))?;
        let mut data = SourceData::default();
        // Key order is stream, then shard id; Kinesis numbers children above their parents, so
        // a parent's records come before its children's within a batch too.
        for (key, e) in &end.shards {
            let from = start.read_from(key, e);
            let through = match &e.position {
                ShardPosition::After(s) => Some(s),
                ShardPosition::Ended => None,
                ShardPosition::TrimHorizon | ShardPosition::AtTimestamp(_) => continue,
            };
            // Already read to its end, or not advanced in this batch (other shards were).
            if from == ShardPosition::Ended || from == e.position {
                continue;
            }
            let new_in_batch = !start.shards.contains_key(key);
            let records = self.collect(key, &from, through, new_in_batch).await?;
            if records.is_empty() {
                continue;
            }
            data.num_input_rows += records.len() as u64;
            data.batches.push(to_batch(&self.schema, key, &records)?);
        }
        data.metrics = vec![
            ("numShards".into(), end.shards.len().to_string()),
            (
                "numClosedShards".into(),
                end.shards
                    .values()
                    .filter(|o| o.position == ShardPosition::Ended)
                    .count()
                    .to_string(),
            ),
        ];
        Ok(data)
    }

    async fn commit(&mut self, _end: &Offset) -> Result<()> {
        // Kinesis keeps records until retention; nothing to clean up.
        Ok(())
    }

    fn wake_signal(&mut self) -> Option<watch::Receiver<u64>> {
        Some(self.wake.subscribe())
    }
}
