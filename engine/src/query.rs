//! One streaming query: the micro-batch loop, in exactly Spark's order (spec §0).
//!
//! ```text
//!  trigger ─► source.latest_offset ──(nothing new)──► wait for next trigger
//!                   │ (file source writes sources/0/K here)
//!                   ▼
//!             offsets/N  (create-only: write-ahead)
//!                   ▼
//!             source.commit(end of N-1)   (cleanSource acts one batch late)
//!                   ▼
//!             read (start,end] ─► cleaning plan ─► sink.add_batch(N)  (skips if already in)
//!                   ▼
//!             commits/N ─► progress ─► N+1
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::checkpoint::{
    format::spark_pinned_conf, Checkpoint, CommitMetadata, OffsetSeq, OffsetSeqMetadata,
};
use crate::error::{Error, Result};
use crate::progress::{format_timestamp, per_second, QueryProgress, SinkProgress, SourceProgress};
use crate::sink::{Sink, SinkOutcome, WriteMode};
use crate::source::{Offset, ReadLimit, Source};
use crate::sql::batch_plan::{CleaningPlan, DedupStep};
use crate::state::{Stateful, StatefulRuntime};
use crate::trigger::Trigger;

/// Spark's `spark.sql.streaming.pollingDelay`: idle wait between polls with the default trigger.
const POLLING_DELAY: Duration = Duration::from_millis(10);
/// With a wake signal from the source, how long an idle default-trigger query waits before listing
/// anyway: signals are hints that can be missed (a full inotify queue, a folder replaced).
const WAKE_RESCAN_INTERVAL: Duration = Duration::from_secs(1);
/// Spark's `spark.sql.streaming.minBatchesToRetain`.
const MIN_BATCHES_TO_RETAIN: u64 = 100;

/// A summary of one batch for humans.
#[derive(Debug, Clone)]
pub struct BatchSummary {
    /// The streaming table.
    pub table: String,
    /// Batch id.
    pub batch_id: u64,
    /// Rows read.
    pub rows_in: u64,
    /// Rows written (0 when skipped as already committed).
    pub rows_out: u64,
    /// Rows dropped by expectations.
    pub dropped: u64,
    /// Violations per expectation.
    pub violations: Vec<(String, u64)>,
    /// Whole trigger duration.
    pub duration_ms: u64,
    /// What the sink did.
    pub outcome: SinkOutcome,
}

/// Receives each batch's progress (the CLI prints it and appends the JSON to a file).
pub trait ProgressListener: Send + Sync {
    /// Called after `commits/N` is written.
    fn on_batch(&self, progress: &QueryProgress, summary: &BatchSummary);
}

/// One streaming table's query.
pub struct StreamingQuery {
    name: String,
    checkpoint: Checkpoint,
    source: Box<dyn Source>,
    plan: CleaningPlan,
    sink: Box<dyn Sink>,
    trigger: Trigger,
    shuffle_partitions: usize,
    listener: Arc<dyn ProgressListener>,
    stop: watch::Receiver<bool>,
    wake: Wake,
    /// The watermark and the de-duplication with its state.
    stateful: StatefulRuntime,
}

/// Whether the idle loop polls or waits on the source's wake signal.
enum Wake {
    /// The source was not asked yet (it is asked when the query first goes idle).
    Unasked,
    /// Wait on this signal, listing again when it changes or after a rescan interval.
    Signal(watch::Receiver<u64>),
    /// Poll every `POLLING_DELAY` or trigger interval, as Spark does.
    Poll,
}

/// How a query run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Batches executed in this run (including a re-run one).
    pub batches: u64,
    /// The next batch id.
    pub next_batch_id: u64,
}

impl StreamingQuery {
    /// Assembles a query; nothing runs until `run`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        checkpoint: Checkpoint,
        source: Box<dyn Source>,
        plan: CleaningPlan,
        sink: Box<dyn Sink>,
        trigger: Trigger,
        shuffle_partitions: usize,
        listener: Arc<dyn ProgressListener>,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let stateful = StatefulRuntime::new(Stateful::default(), checkpoint.location());
        StreamingQuery {
            name: name.to_string(),
            stateful,
            checkpoint,
            source,
            plan,
            sink,
            trigger,
            shuffle_partitions,
            listener,
            stop,
            wake: Wake::Unasked,
        }
    }

    /// Adds the query's watermark and de-duplication (spec §9).
    pub fn with_stateful(mut self, spec: Stateful) -> Self {
        self.stateful = StatefulRuntime::new(spec, self.checkpoint.location());
        self
    }

    /// Runs until the trigger says stop, a stop is requested (the running batch finishes first), or an error.
    pub async fn run(mut self) -> Result<RunSummary> {
        let run_id = uuid::Uuid::new_v4().to_string();
        let lease = self.checkpoint.lease(&run_id).await?;
        let result = self.run_leased(&run_id, &lease).await;
        let released = lease.release().await;
        let summary = result?;
        released?;
        Ok(summary)
    }

    async fn run_leased(
        &mut self,
        run_id: &str,
        lease: &crate::checkpoint::Lease,
    ) -> Result<RunSummary> {
        let meta = self.checkpoint.load_or_create_metadata().await?;
        self.sink.set_query_id(&meta.id);
        let recovered = self.checkpoint.recover().await?;
        let mut committed: Option<Offset> = recovered
            .committed
            .as_ref()
            .map(|s| self.single_offset(s))
            .transpose()?
            .flatten();
        // Confs pinned by the checkpoint's first batch win over today's settings, as in Spark (spec §3.3):
        // a checkpoint started by Spark with 8 shuffle partitions keeps 8.
        let mut pinned = spark_pinned_conf(self.shuffle_partitions);
        if let Some(seq) = recovered.rerun.as_ref().or(recovered.committed.as_ref()) {
            pinned.extend(
                seq.metadata
                    .conf
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        self.source.restore(committed.as_ref()).await?;
        let output = self.plan.validate(self.source.schema()).await?;
        self.sink.check_schema(&output)?;
        self.stateful.validate(&self.source.schema(), &output)?;
        let watermark_column = self.stateful.watermark().map(|w| w.column.clone());
        let shape = self
            .plan
            .aggregate_shape(self.source.schema(), watermark_column.as_deref())
            .await?;
        self.stateful.set_aggregate(shape)?;
        let write_mode = self.stateful.write_mode();
        // Batch N filters late rows with batch N-1's watermark and evicts with its own (spec §9.1).
        let mut watermark = recovered.watermark_ms;
        let mut prev_watermark = recovered
            .committed
            .as_ref()
            .map_or(0, |s| s.metadata.batch_watermark_ms);
        if self.trigger == Trigger::AvailableNow {
            self.source.prepare_available_now().await?;
        }
        let mut ctx = RunContext {
            query_id: meta.id.clone(),
            run_id: run_id.to_string(),
            last_trigger_ms: None,
        };
        let mut batch_id = recovered.next_batch_id;
        let mut batches = 0;

        if let Some(rerun) = recovered.rerun {
            let end = self
                .single_offset(&rerun)?
                .ok_or_else(|| Error::Checkpoint {
                    path: self.checkpoint.location().display(),
                    message: format!("offsets/{batch_id} has no offset for the source"),
                })?;
            tracing::info!(table = %self.name, batch_id, "re-running batch planned before the last stop");
            let started = Instant::now();
            let started_ms = chrono::Utc::now().timestamp_millis();
            let next = self
                .execute(
                    &mut ctx,
                    batch_id,
                    committed.clone(),
                    end.clone(),
                    &rerun.metadata,
                    prev_watermark,
                    started,
                    started_ms,
                    BTreeMap::new(),
                    &write_mode,
                )
                .await?;
            prev_watermark = rerun.metadata.batch_watermark_ms;
            watermark = next;
            committed = Some(end);
            batch_id += 1;
            batches += 1;
            if self.trigger == Trigger::Once {
                return Ok(RunSummary {
                    batches,
                    next_batch_id: batch_id,
                });
            }
        }

        loop {
            if *self.stop.borrow() {
                break;
            }
            if lease.is_lost() {
                return Err(Error::Checkpoint {
                    path: self.checkpoint.location().display(),
                    message:
                        "another run took over this checkpoint's lease; stopping without writing"
                            .into(),
                });
            }
            let started = Instant::now();
            let started_ms = chrono::Utc::now().timestamp_millis();
            let limit = if self.trigger == Trigger::Once {
                ReadLimit::All
            } else {
                ReadLimit::Configured
            };
            let t0 = Instant::now();
            let end = self.source.latest_offset(committed.as_ref(), limit).await?;
            let mut durations = BTreeMap::new();
            durations.insert("latestOffset".to_string(), t0.elapsed().as_millis() as u64);
            let new_end = match end {
                Some(e) if Some(&e) != committed.as_ref() => e,
                // A batch without new data when the watermark moved and state can be evicted
                // (Spark's `noDataMicroBatches.enabled`, default true).
                _ if committed.is_some()
                    && self.stateful.wants_no_data_batch(watermark, prev_watermark) =>
                {
                    committed
                        .clone()
                        .ok_or_else(|| Error::config("internal: no committed offset"))?
                }
                _ => {
                    if self.trigger.is_terminating() {
                        break;
                    }
                    self.wait_for_next_trigger(started_ms, true).await;
                    continue;
                }
            };
            let metadata = OffsetSeqMetadata {
                batch_watermark_ms: watermark,
                batch_timestamp_ms: started_ms,
                conf: pinned.clone(),
            };
            let t0 = Instant::now();
            self.checkpoint
                .write_offsets(
                    batch_id,
                    &OffsetSeq {
                        metadata: metadata.clone(),
                        offsets: vec![Some(new_end.clone())],
                    },
                )
                .await?;
            durations.insert("walCommit".to_string(), t0.elapsed().as_millis() as u64);
            crate::failpoint::hit("after-offsets", batch_id);
            if let Some(prev) = &committed {
                self.source.commit(prev).await?;
            }
            self.checkpoint
                .purge(batch_id, MIN_BATCHES_TO_RETAIN)
                .await?;
            let next = self
                .execute(
                    &mut ctx,
                    batch_id,
                    committed.clone(),
                    new_end.clone(),
                    &metadata,
                    prev_watermark,
                    started,
                    started_ms,
                    durations,
                    &write_mode,
                )
                .await?;
            prev_watermark = watermark;
            watermark = next;
            committed = Some(new_end);
            batch_id += 1;
            batches += 1;
            if self.trigger == Trigger::Once {
                break;
            }
            if let Trigger::ProcessingTime(d) = self.trigger {
                if !d.is_zero() {
                    self.wait_for_next_trigger(started_ms, false).await;
                }
            }
        }
        Ok(RunSummary {
            batches,
            next_batch_id: batch_id,
        })
    }

    /// Runs one planned batch: read, clean (and de-duplicate), state, sink, `commits/N`, progress.
    /// Returns the watermark for the next batch.
    #[allow(clippy::too_many_arguments)]
    async fn execute(
        &mut self,
        ctx: &mut RunContext,
        batch_id: u64,
        start: Option<Offset>,
        end: Offset,
        metadata: &OffsetSeqMetadata,
        late_watermark_ms: i64,
        started: Instant,
        started_ms: i64,
        mut durations: BTreeMap<String, u64>,
        write_mode: &WriteMode,
    ) -> Result<i64> {
        let t0 = Instant::now();
        let data = self.source.read(start.as_ref(), &end).await?;
        durations.insert("getBatch".to_string(), t0.elapsed().as_millis() as u64);
        let rows_in = data.num_input_rows;
        let source_metrics: BTreeMap<String, String> = data.metrics.iter().cloned().collect();
        let t0 = Instant::now();
        let event_times = self.stateful.observe(&data.batches)?;
        self.stateful.prepare(batch_id).await?;
        let step = self.stateful.operator().map(|operator| DedupStep {
            operator,
            late_ms: late_watermark_ms,
            evict_ms: metadata.batch_watermark_ms,
        });
        let (out, dedup_metrics) = self
            .plan
            .run_stateful(
                self.source.schema(),
                data.batches,
                metadata.batch_timestamp_ms,
                step,
            )
            .await?;
        if let Some(m) = dedup_metrics {
            // State version N+1 is written before the sink, as Spark's tasks commit it.
            self.stateful.commit(batch_id, m).await?;
            crate::failpoint::hit("after-state", batch_id);
        }
        let next_watermark = self
            .stateful
            .next_watermark(metadata.batch_watermark_ms, &event_times);
        let outcome = self
            .sink
            .write_batch(batch_id, out.schema.clone(), out.batches, write_mode)
            .await?;
        durations.insert("addBatch".to_string(), t0.elapsed().as_millis() as u64);
        crate::failpoint::hit("after-sink", batch_id);
        let t0 = Instant::now();
        self.checkpoint
            .write_commit(
                batch_id,
                &CommitMetadata {
                    next_batch_watermark_ms: next_watermark,
                },
            )
            .await?;
        crate::failpoint::hit("after-commit", batch_id);
        durations.insert("commitOffsets".to_string(), t0.elapsed().as_millis() as u64);
        let duration_ms = started.elapsed().as_millis() as u64;
        durations.insert("triggerExecution".to_string(), duration_ms);

        let since_last = ctx.last_trigger_ms.map(|t| started_ms - t);
        ctx.last_trigger_ms = Some(started_ms);
        let input_rate = per_second(rows_in, since_last);
        let processed_rate = per_second(rows_in, Some(duration_ms as i64));
        let rows_out = match outcome {
            SinkOutcome::Committed { rows, .. } => rows,
            SinkOutcome::AlreadyCommitted { .. } => 0,
        };
        let mut sink_metrics = BTreeMap::new();
        sink_metrics.insert("numRowsWritten".to_string(), rows_out.to_string());
        match &outcome {
            SinkOutcome::Committed {
                version: Some(v), ..
            } => {
                sink_metrics.insert("tableVersion".to_string(), v.to_string());
            }
            SinkOutcome::AlreadyCommitted { version } => {
                sink_metrics.insert(
                    "skippedAlreadyCommittedBatch".to_string(),
                    version.to_string(),
                );
            }
            _ => {}
        }
        let mut observed = BTreeMap::new();
        if !out.violations.is_empty() {
            let exp: serde_json::Map<String, serde_json::Value> = out
                .violations
                .iter()
                .map(|(n, c)| (n.clone(), serde_json::json!(c)))
                .collect();
            observed.insert(
                "expectations".to_string(),
                serde_json::json!({ "violations": exp, "droppedRows": out.dropped }),
            );
        }
        let progress = QueryProgress {
            id: ctx.query_id.clone(),
            run_id: ctx.run_id.clone(),
            name: Some(self.name.clone()),
            timestamp: format_timestamp(started_ms),
            batch_id,
            batch_duration: duration_ms,
            num_input_rows: rows_in,
            input_rows_per_second: input_rate,
            processed_rows_per_second: processed_rate,
            duration_ms: durations,
            event_time: self
                .stateful
                .event_time(&event_times, metadata.batch_watermark_ms),
            state_operators: self.stateful.state_operators(),
            sources: vec![SourceProgress {
                description: self.source.description(),
                start_offset: start,
                end_offset: Some(end),
                latest_offset: None,
                num_input_rows: rows_in,
                input_rows_per_second: input_rate,
                processed_rows_per_second: processed_rate,
                metrics: source_metrics,
            }],
            sink: SinkProgress {
                description: self.sink.description(),
                num_output_rows: -1,
                metrics: sink_metrics,
            },
            observed_metrics: observed,
        };
        let summary = BatchSummary {
            table: self.name.clone(),
            batch_id,
            rows_in,
            rows_out,
            dropped: out.dropped,
            violations: out.violations,
            duration_ms,
            outcome,
        };
        self.listener.on_batch(&progress, &summary);
        Ok(next_watermark)
    }

    /// The one source's offset in an `offsets/N` entry (spate queries have one source).
    fn single_offset(&self, seq: &OffsetSeq) -> Result<Option<Offset>> {
        match seq.offsets.len() {
            1 => Ok(seq.offsets[0].clone()),
            n => Err(Error::Checkpoint {
                path: self.checkpoint.location().display(),
                message: format!("There are [{n}] sources in the checkpoint offsets and now there are [1] sources"),
            }),
        }
    }

    /// Sleeps until the next trigger boundary (or the polling delay), waking early on stop.
    ///
    /// When `idle` (the trigger found nothing new) and the source gives a wake signal, the wait also
    /// ends when the signal changes, and with the default trigger it lasts up to
    /// `WAKE_RESCAN_INTERVAL` instead of the polling delay: a watched folder is listed when a file
    /// lands rather than every 10 ms. After a batch with data the interval is waited out as in Spark,
    /// so a busy stream keeps the batch cadence its trigger asks for.
    async fn wait_for_next_trigger(&mut self, started_ms: i64, idle: bool) {
        let now = chrono::Utc::now().timestamp_millis();
        let next = self.trigger.next_start_ms(started_ms);
        let until_next = (next > now).then(|| Duration::from_millis((next - now) as u64));
        if idle && matches!(self.wake, Wake::Unasked) {
            self.wake = match self.source.wake_signal() {
                Some(rx) => Wake::Signal(rx),
                None => Wake::Poll,
            };
        }
        if let (true, Wake::Signal(rx)) = (idle, &mut self.wake) {
            let wait = match self.trigger {
                Trigger::ProcessingTime(d) if !d.is_zero() => until_next.unwrap_or(POLLING_DELAY),
                _ => WAKE_RESCAN_INTERVAL,
            };
            let signalled = tokio::select! {
                _ = tokio::time::sleep(wait.max(POLLING_DELAY)) => Ok(false),
                changed = rx.changed() => changed.map(|_| true),
                _ = self.stop.changed() => Ok(false),
            };
            match signalled {
                Ok(true) => {
                    // Never list more often than Spark's polling delay, however many signals arrive.
                    let since = chrono::Utc::now().timestamp_millis() - started_ms;
                    let rest =
                        POLLING_DELAY.saturating_sub(Duration::from_millis(since.max(0) as u64));
                    if !rest.is_zero() {
                        tokio::select! {
                            _ = tokio::time::sleep(rest) => {}
                            _ = self.stop.changed() => {}
                        }
                    }
                }
                Ok(false) => {}
                Err(_) => {
                    tracing::info!(table = %self.name, "the source stopped signalling new data; polling instead");
                    self.wake = Wake::Poll;
                }
            }
            return;
        }
        let wait = until_next.unwrap_or(POLLING_DELAY).max(POLLING_DELAY);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.stop.changed() => {}
        }
    }
}

struct RunContext {
    query_id: String,
    run_id: String,
    last_trigger_ms: Option<i64>,
}
