//! A query's stateful parts at run time: the event-time watermark (spec §9.1) and the
//! de-duplication operator with its state store, plus their progress report entries.
//!
//! Timing follows Spark: batch N runs with `offsets/N.batchWatermarkMs`; rows are late against the
//! previous batch's watermark and state is evicted with the current one
//! (`statefulOperator.allowMultiple`, default true); after the batch, `max(event time) - delay`
//! (never lower than before) becomes `commits/N.nextBatchWatermarkMs`, the watermark of batch N+1.

use std::collections::BTreeMap;
use std::time::Instant;

use arrow::array::{Array, RecordBatch, TimestampMicrosecondArray};
use arrow::datatypes::SchemaRef;
use serde_json::{json, Value};

use super::aggregate::{AggregateShape, OutputMode, StreamingAggregate};
use super::dedup::{DedupMetrics, DedupSpec, Deduplicate, Watermark};
use super::store::StateStore;
use crate::error::{Error, Result};
use crate::progress::format_timestamp;
use crate::sql::batch_plan::StatefulOperator;
use crate::storage::Location;

/// Spark's `spark.sql.streaming.minBatchesToRetain`: state versions kept loadable.
const VERSIONS_TO_RETAIN: u64 = 100;
/// Old state files are purged every this many batches (a purge lists the folder).
const PURGE_EVERY: u64 = 10;

/// What a streaming table declares beyond its stateless SELECT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stateful {
    /// The source's `WATERMARK col DELAY OF INTERVAL ...`.
    pub watermark: Option<Watermark>,
    /// The query's de-duplication.
    pub dedup: Option<DedupSpec>,
    /// The table's `spate.outputMode` (spec §9.5).
    pub output_mode: OutputMode,
}

/// Event times of one batch's source rows, for the watermark and the progress report.
#[derive(Debug, Clone, Default)]
pub struct EventTimeStats {
    /// Earliest, latest and mean event time (ms), when any row had one.
    pub min_max_avg: Option<(i64, i64, i64)>,
}

/// The stateful parts of one running query.
pub struct StatefulRuntime {
    spec: Stateful,
    /// `<checkpoint>/state/0/0`: the de-duplication's store.
    state_loc: Location,
    /// The operator, loaded at the version the next batch starts from.
    dedup: Option<Deduplicate>,
    /// The query's aggregation, planned at start.
    shape: Option<AggregateShape>,
    /// The aggregation operator, loaded like `dedup`.
    aggregate: Option<StreamingAggregate>,
    /// The rows' schema the operator keys on (the SELECT's output).
    schema: Option<SchemaRef>,
    last: Option<(DedupMetrics, u64)>,
}

impl StatefulRuntime {
    /// The runtime for `spec`, keeping state under `checkpoint/state`.
    pub fn new(spec: Stateful, checkpoint: &Location) -> Self {
        StatefulRuntime {
            spec,
            state_loc: checkpoint.child("state/0/0"),
            dedup: None,
            shape: None,
            aggregate: None,
            schema: None,
            last: None,
        }
    }

    /// True when the query has a de-duplication (so state is kept).
    pub fn has_state(&self) -> bool {
        self.spec.dedup.is_some() || self.shape.is_some()
    }

    /// The output mode.
    pub fn output_mode(&self) -> OutputMode {
        self.spec.output_mode
    }

    /// The result columns an update sink merges on (the SELECT items made of grouping keys).
    pub fn group_columns(&self) -> Vec<String> {
        self.shape
            .as_ref()
            .map(|s| s.output_keys.clone())
            .unwrap_or_default()
    }

    /// How the sink writes each batch's rows: complete rewrites the table, update merges on the
    /// grouping columns, anything else appends.
    pub fn write_mode(&self) -> crate::sink::WriteMode {
        use crate::sink::WriteMode;
        match (self.spec.output_mode, &self.shape) {
            (OutputMode::Complete, Some(_)) => WriteMode::Complete,
            (OutputMode::Update, Some(_)) => WriteMode::Update {
                keys: self.group_columns(),
            },
            _ => WriteMode::Append,
        }
    }

    /// Spark's `shouldRunAnotherBatch` for a stateful operator: the next batch's watermark is past
    /// the one the last batch evicted with, and the state is bounded by it.
    pub fn wants_no_data_batch(&self, next_watermark_ms: i64, last_watermark_ms: i64) -> bool {
        let evicts = self.dedup.as_ref().is_some_and(Deduplicate::evicts)
            || self
                .aggregate
                .as_ref()
                .is_some_and(StreamingAggregate::evicts);
        evicts && next_watermark_ms > last_watermark_ms
    }

    /// Spark's output-mode checks (`UnsupportedOperationChecker`) once the aggregation is known.
    pub fn set_aggregate(&mut self, shape: Option<AggregateShape>) -> Result<()> {
        let mode = self.spec.output_mode;
        let session = shape.as_ref().is_some_and(|s| {
            s.keys
                .iter()
                .any(|k| matches!(k, super::GroupKey::Session { .. }))
        });
        match &shape {
            // Spark 4.0.1's message (UnsupportedOperationChecker): a session's rows change shape
            // as sessions merge, which an update cannot express.
            Some(_) if session && mode == OutputMode::Update => {
                return Err(Error::config(
                    "[STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION] Invalid streaming output mode: update. This output mode is not supported for session window streaming aggregations on streaming DataFrames/DataSets. Use 'append' (with a WATERMARK) or 'complete'.",
                ))
            }
            None if mode == OutputMode::Complete => {
                return Err(Error::config(
                    "Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets",
                ))
            }
            Some(_) if self.spec.dedup.is_some() => {
                return Err(Error::config(
                    "a de-duplication of an aggregation's result is not supported; de-duplicate before aggregating in another table",
                ))
            }
            Some(s) if mode == OutputMode::Append && s.event_time_key.is_none() => {
                return Err(Error::config(
                    "Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark",
                ))
            }
            Some(s)
                if mode == OutputMode::Update && !s.keys.is_empty() && s.output_keys.is_empty() =>
            {
                return Err(Error::config(
                    "update output mode merges rows on the grouping keys: select them (e.g. SELECT key, count(*) ... GROUP BY key)",
                ))
            }
            _ => {}
        }
        self.shape = shape;
        Ok(())
    }

    /// The declared watermark.
    pub fn watermark(&self) -> Option<&Watermark> {
        self.spec.watermark.as_ref()
    }

    /// Checks the declarations against the source's and the SELECT's schemas, before any batch.
    pub fn validate(&mut self, source: &SchemaRef, output: &SchemaRef) -> Result<()> {
        if let Some(w) = &self.spec.watermark {
            let field = source
                .fields()
                .iter()
                .find(|f| f.name() == &w.column)
                .ok_or_else(|| {
                    Error::config(format!(
                        "[UNRESOLVED_COLUMN] the WATERMARK column `{}` is not a column of the source",
                        w.column
                    ))
                })?;
            if !matches!(
                field.data_type(),
                arrow::datatypes::DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, _)
            ) {
                return Err(Error::config(format!(
                    "[EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE] The event time `{}` has the invalid type \"{}\", but expected \"TIMESTAMP\". Declare it TIMESTAMP in the source schema.",
                    w.column,
                    crate::schema::types::spark_type_name(field.data_type()).to_uppercase()
                )));
            }
        }
        if let Some(spec) = &self.spec.dedup {
            // Builds the operator once on an empty store to surface key and type errors now.
            let probe = Location::parse("memory://spate-validate/dedup")?;
            Deduplicate::new(
                spec,
                self.spec.watermark.as_ref(),
                output,
                StateStore::empty(probe),
            )?;
        }
        self.schema = Some(output.clone());
        Ok(())
    }

    /// Loads the state batch `batch_id` starts from (the version written by batch `batch_id - 1`).
    pub async fn prepare(&mut self, batch_id: u64) -> Result<()> {
        if let Some(shape) = &self.shape {
            if self
                .aggregate
                .as_ref()
                .is_some_and(|a| a.store.version() == batch_id)
            {
                return Ok(());
            }
            let store = StateStore::load(self.state_loc.clone(), batch_id).await?;
            self.aggregate = Some(StreamingAggregate::new(
                shape.clone(),
                self.spec.output_mode,
                store,
            )?);
            return Ok(());
        }
        let (Some(spec), Some(schema)) = (&self.spec.dedup, &self.schema) else {
            return Ok(());
        };
        if self
            .dedup
            .as_ref()
            .is_some_and(|d| d.store.version() == batch_id)
        {
            return Ok(());
        }
        let store = StateStore::load(self.state_loc.clone(), batch_id).await?;
        self.dedup = Some(Deduplicate::new(
            spec,
            self.spec.watermark.as_ref(),
            schema,
            store,
        )?);
        Ok(())
    }

    /// The event times of a batch's source rows.
    pub fn observe(&self, batches: &[RecordBatch]) -> Result<EventTimeStats> {
        let Some(w) = &self.spec.watermark else {
            return Ok(EventTimeStats::default());
        };
        let (mut min, mut max, mut sum, mut n) = (i64::MAX, i64::MIN, 0i128, 0i128);
        for b in batches {
            let a = b
                .column_by_name(&w.column)
                .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
                .ok_or_else(|| {
                    Error::config(format!(
                        "the WATERMARK column `{}` is missing from a batch",
                        w.column
                    ))
                })?;
            for v in a.iter().flatten() {
                let ms = v.div_euclid(1000);
                min = min.min(ms);
                max = max.max(ms);
                sum += ms as i128;
                n += 1;
            }
        }
        Ok(EventTimeStats {
            min_max_avg: (n > 0).then(|| (min, max, (sum / n) as i64)),
        })
    }

    /// The operator to run over this batch's rows, if any.
    pub fn operator(&mut self) -> Option<StatefulOperator<'_>> {
        if let Some(a) = self.aggregate.as_mut() {
            return Some(StatefulOperator::Aggregate(a));
        }
        self.dedup.as_mut().map(StatefulOperator::Dedup)
    }

    /// Writes the state batch `batch_id` produced (version `batch_id + 1`), before the sink.
    pub async fn commit(&mut self, batch_id: u64, metrics: DedupMetrics) -> Result<()> {
        let started = Instant::now();
        let keep_from = (batch_id + 1).saturating_sub(VERSIONS_TO_RETAIN);
        let purge = (batch_id + 1).is_multiple_of(PURGE_EVERY);
        if let Some(a) = self.aggregate.as_mut() {
            a.store.commit().await?;
            if purge {
                a.store.purge(keep_from).await?;
            }
        } else if let Some(d) = self.dedup.as_mut() {
            d.store.commit().await?;
            if purge {
                d.store.purge(keep_from).await?;
            }
        } else {
            return Ok(());
        }
        self.last = Some((metrics, started.elapsed().as_millis() as u64));
        Ok(())
    }

    /// The watermark after a batch: `max(event time) - delay`, never moving back.
    pub fn next_watermark(&self, current_ms: i64, stats: &EventTimeStats) -> i64 {
        match (&self.spec.watermark, stats.min_max_avg) {
            (Some(w), Some((_, max, _))) => current_ms.max(max - w.delay_ms),
            _ => current_ms,
        }
    }

    /// The progress report's `stateOperators` entries (Spark's shape).
    pub fn state_operators(&self) -> Vec<Value> {
        let Some((m, commit_ms)) = &self.last else {
            return vec![];
        };
        let (name, total, memory) = match (&self.aggregate, &self.dedup) {
            // Spark's StateStoreSaveExec (or its session window variant).
            (Some(a), _) => (a.operator_name(), a.store.len(), a.store.memory_bytes()),
            (None, Some(d)) => (d.operator_name(), d.store.len(), d.store.memory_bytes()),
            (None, None) => return vec![],
        };
        let custom = if self.aggregate.is_some() {
            json!({})
        } else {
            json!({ "numDroppedDuplicateRows": m.dropped_duplicates })
        };
        vec![json!({
            "operatorName": name,
            "numRowsTotal": total,
            "numRowsUpdated": m.updated,
            "allUpdatesTimeMs": 0,
            "numRowsRemoved": m.removed,
            "allRemovalsTimeMs": 0,
            "commitTimeMs": commit_ms,
            "memoryUsedBytes": memory,
            "numRowsDroppedByWatermark": m.dropped_late,
            "numShufflePartitions": 1,
            "numStateStoreInstances": 1,
            "customMetrics": custom,
        })]
    }

    /// The progress report's `eventTime` (Spark's shape: avg, max, min, watermark).
    pub fn event_time(
        &self,
        stats: &EventTimeStats,
        watermark_ms: i64,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if self.spec.watermark.is_none() {
            return out;
        }
        if let Some((min, max, avg)) = stats.min_max_avg {
            out.insert("avg".into(), format_timestamp(avg));
            out.insert("max".into(), format_timestamp(max));
            out.insert("min".into(), format_timestamp(min));
        }
        out.insert("watermark".into(), format_timestamp(watermark_ms));
        out
    }
}
