//! Streaming aggregation (spec §9.4, §9.5): Spark's `StateStoreSaveExec` over a `GROUP BY`
//! (optionally on `window(ts, ...)`), with each group's aggregation buffers in a [`StateStore`].
//!
//! Per batch: the group keys and aggregate arguments are evaluated over the pre-aggregation rows
//! (a sliding window repeats a row once per window covering it); late rows are dropped; each
//! group's accumulators are rebuilt from the stored buffers (`merge_batch`), fed the new rows
//! (`update_batch`) and stored again (`state()`). What leaves depends on the output mode:
//!
//! - append: groups whose event-time bound (`window.end`, or the event-time key itself) is at or
//!   before the eviction watermark, once, as they are evicted;
//! - update: the groups this batch changed; groups the watermark passed are then evicted;
//! - complete: every group, every batch; nothing is evicted or dropped as late.
//!
//! The stored value is the group's event-time bound (8 bytes, little-endian µs; `i64::MAX` when
//! none) followed by the buffers encoded as one Arrow row.
//!
//! A `session_window(ts, gap)` key makes the groups sessions instead (Spark's
//! `SessionWindowStateStoreSaveExec`, in [`super::session`]): one state entry per session, keyed
//! by the other grouping keys and the session's start.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, TimestampMicrosecondArray, UInt32Array};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::{RowConverter, SortField};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::Accumulator;
use datafusion::physical_expr::aggregate::AggregateFunctionExpr;
use datafusion::physical_expr::PhysicalExpr;

use super::dedup::DedupMetrics;
use super::store::StateStore;
use super::window::{window_array, WindowSpec};
use crate::error::{Error, Result};

/// Spark's output modes (spec §9.5), chosen per table with `spate.outputMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputMode {
    /// Rows are final once emitted (default).
    #[default]
    Append,
    /// Changed groups are emitted each batch.
    Update,
    /// The whole result is emitted each batch.
    Complete,
}

impl OutputMode {
    /// Parses a `spate.outputMode` value (case-insensitive).
    pub fn parse(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "append" => Ok(OutputMode::Append),
            "update" => Ok(OutputMode::Update),
            "complete" => Ok(OutputMode::Complete),
            other => Err(Error::config(format!(
                "spate.outputMode '{other}' is not an output mode: write 'append', 'update' or 'complete'"
            ))),
        }
    }

    /// The name Spark and Delta's commitInfo use (`Append`, `Update`, `Complete`).
    pub fn spark_name(self) -> &'static str {
        match self {
            OutputMode::Append => "Append",
            OutputMode::Update => "Update",
            OutputMode::Complete => "Complete",
        }
    }
}

/// One grouping key of the aggregation.
#[derive(Debug, Clone)]
pub enum GroupKey {
    /// A plain expression over the pre-aggregation rows.
    Expr(Arc<dyn PhysicalExpr>),
    /// `window(ts, ...)`: the event time and the windows it falls in.
    Window {
        /// The time column.
        ts: Arc<dyn PhysicalExpr>,
        /// Duration, slide and start.
        spec: WindowSpec,
        /// The time column's type (the window's bounds have it).
        ts_type: DataType,
    },
    /// `session_window(ts, gap)`: a row opens `[ts, ts + gap)` and sessions closer than that merge.
    Session {
        /// The time column.
        ts: Arc<dyn PhysicalExpr>,
        /// The gap, fixed or per row.
        gap: SessionGap,
        /// The time column's type (the session's bounds have it).
        ts_type: DataType,
    },
}

/// The gap of a session window.
#[derive(Debug, Clone)]
pub enum SessionGap {
    /// A literal interval, in microseconds.
    Fixed(i64),
    /// An expression giving each row's gap as an interval string (Spark's dynamic gap); rows whose
    /// gap is NULL, not an interval or not positive open no session, as in Spark.
    PerRow(Arc<dyn PhysicalExpr>),
}

/// What the aggregation computes, planned from the query's `Aggregate` node.
#[derive(Debug, Clone)]
pub struct AggregateShape {
    /// Grouping keys, in output order.
    pub keys: Vec<GroupKey>,
    /// Aggregate functions, in output order (after the keys).
    pub aggs: Vec<Arc<AggregateFunctionExpr>>,
    /// The aggregated rows' schema: keys then aggregates.
    pub output: SchemaRef,
    /// The result columns computed from the keys alone (what an update sink merges on).
    pub output_keys: Vec<String>,
    /// The key that bounds a group in event time (a window on, or the column of, the watermark).
    pub event_time_key: Option<usize>,
}

/// The aggregation operator, with its groups' buffers.
pub struct StreamingAggregate {
    pub(super) shape: AggregateShape,
    pub(super) mode: OutputMode,
    /// Encodes the grouping keys other than a session window.
    pub(super) key_converter: RowConverter,
    state_converter: RowConverter,
    /// Number of state fields of each aggregate, in order.
    state_widths: Vec<usize>,
    state_types: Vec<DataType>,
    /// The session starts held per grouping key, when the query has a session window (the store's
    /// keys are the grouping key followed by the start; this finds a key's sessions without a scan).
    pub(super) sessions: Option<super::session::SessionIndex>,
    /// The groups' buffers.
    pub store: StateStore<Vec<u8>>,
}

impl StreamingAggregate {
    /// The operator for `shape` in `mode`, over `store`.
    pub fn new(
        shape: AggregateShape,
        mode: OutputMode,
        store: StateStore<Vec<u8>>,
    ) -> Result<Self> {
        let key_types: Vec<DataType> = shape
            .output
            .fields()
            .iter()
            .zip(&shape.keys)
            .filter(|(_, k)| !matches!(k, GroupKey::Session { .. }))
            .map(|(f, _)| f.data_type().clone())
            .collect();
        let key_converter = RowConverter::new(key_types.into_iter().map(SortField::new).collect())?;
        let mut state_types = vec![];
        let mut state_widths = vec![];
        for a in &shape.aggs {
            let fields = a.state_fields()?;
            state_widths.push(fields.len());
            state_types.extend(fields.iter().map(|f| f.data_type().clone()));
        }
        let state_converter =
            RowConverter::new(state_types.iter().cloned().map(SortField::new).collect())?;
        let sessions = shape
            .keys
            .iter()
            .any(|k| matches!(k, GroupKey::Session { .. }))
            .then(|| super::session::SessionIndex::of(&store));
        Ok(StreamingAggregate {
            shape,
            mode,
            key_converter,
            state_converter,
            state_widths,
            state_types,
            sessions,
            store,
        })
    }

    /// The operator's name in progress reports (Spark's physical operator).
    pub fn operator_name(&self) -> &'static str {
        if self.sessions.is_some() {
            "sessionWindowStateStoreSaveExec"
        } else {
            "stateStoreSave"
        }
    }

    /// Whether groups leave the state by the watermark (append and update with an event-time key).
    pub fn evicts(&self) -> bool {
        self.mode != OutputMode::Complete && self.shape.event_time_key.is_some()
    }

    /// The aggregated rows' schema.
    pub fn output_schema(&self) -> SchemaRef {
        self.shape.output.clone()
    }

    /// Aggregates one batch's pre-aggregation rows and returns the rows the output mode emits.
    /// Rows whose event-time bound is at or before `late_ms` are dropped; groups at or before
    /// `evict_ms` are evicted.
    pub fn process(
        &mut self,
        batches: Vec<RecordBatch>,
        late_ms: i64,
        evict_ms: i64,
    ) -> Result<(Vec<RecordBatch>, DedupMetrics)> {
        if self.sessions.is_some() {
            return self.process_sessions(batches, late_ms, evict_ms);
        }
        let mut m = DedupMetrics::default();
        let late_us = late_ms.saturating_mul(1000);
        // Spark filters late rows after the batch's own aggregation, so it counts late groups
        // (a window and its keys), not input rows: two late rows in one window count once.
        let mut late_groups: std::collections::HashSet<Box<[u8]>> = Default::default();
        // Groups changed this batch, in first-seen order (update mode emits them).
        let mut changed: Vec<Box<[u8]>> = vec![];
        let mut changed_at: HashMap<Box<[u8]>, usize> = HashMap::new();
        for batch in &batches {
            let (keys, index, bounds) = self.expand(batch)?;
            let mut keep: Vec<u32> = Vec::with_capacity(index.len());
            let mut kept_bounds = Vec::with_capacity(index.len());
            let mut all_keys = None;
            for (j, b) in bounds.iter().enumerate() {
                // Spark drops rows at or before the watermark (spec §9.1), except in complete
                // mode where the state is never bounded.
                if self.mode != OutputMode::Complete
                    && b.is_some_and(|b| b != i64::MAX && b <= late_us)
                {
                    if all_keys.is_none() {
                        all_keys = Some(self.key_converter.convert_columns(&keys)?);
                    }
                    if let Some(rows) = &all_keys {
                        late_groups.insert(rows.row(j).as_ref().into());
                    }
                    continue;
                }
                keep.push(j as u32);
                kept_bounds.push(b.unwrap_or(i64::MAX));
            }
            let keep = UInt32Array::from(keep);
            let keys: Vec<ArrayRef> = keys
                .iter()
                .map(|k| take(k.as_ref(), &keep, None))
                .collect::<std::result::Result<_, _>>()?;
            let rows_index = take(&index, &keep, None)?;
            let args: Vec<Vec<ArrayRef>> = self
                .shape
                .aggs
                .iter()
                .map(|a| {
                    a.expressions()
                        .iter()
                        .map(|e| {
                            let v = e.evaluate(batch)?.into_array(batch.num_rows())?;
                            Ok(take(v.as_ref(), rows_index.as_ref(), None)?)
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .collect::<Result<_>>()?;
            let key_rows = if keys.is_empty() {
                None
            } else {
                Some(self.key_converter.convert_columns(&keys)?)
            };
            // Row indices per group, in first-seen order.
            let mut groups: Vec<(Box<[u8]>, i64, Vec<u32>)> = vec![];
            let mut at: HashMap<Box<[u8]>, usize> = HashMap::new();
            for (r, bound) in kept_bounds.iter().enumerate() {
                let key: Box<[u8]> = match &key_rows {
                    Some(rows) => rows.row(r).as_ref().into(),
                    None => Box::new([]),
                };
                let g = *at.entry(key.clone()).or_insert_with(|| {
                    groups.push((key, *bound, vec![]));
                    groups.len() - 1
                });
                groups[g].2.push(r as u32);
            }
            for (key, bound, rows) in groups {
                let rows = UInt32Array::from(rows);
                let mut accs = self.accumulators(self.store.get_ref(&key).map(|v| &v[8..]))?;
                for (acc, cols) in accs.iter_mut().zip(&args) {
                    let taken: Vec<ArrayRef> = cols
                        .iter()
                        .map(|c| take(c.as_ref(), &rows, None))
                        .collect::<std::result::Result<_, _>>()?;
                    acc.update_batch(&taken)?;
                }
                let value = self.encode(bound, &mut accs)?;
                self.store.put(&key, value);
                if !changed_at.contains_key(&key) {
                    changed_at.insert(key.clone(), changed.len());
                    changed.push(key);
                }
            }
        }
        m.updated = changed.len() as u64;
        m.dropped_late = late_groups.len() as u64;
        let evict_us = evict_ms.saturating_mul(1000);
        let emitted: Vec<Box<[u8]>> = match self.mode {
            OutputMode::Complete => self.store.iter().map(|(k, _)| k.into()).collect(),
            OutputMode::Update => changed,
            OutputMode::Append => vec![],
        };
        let mut out = self.rows(&emitted)?;
        if self.evicts() && evict_ms > 0 {
            let gone = self.store_snapshot_of_passed(evict_us);
            if self.mode == OutputMode::Append {
                out.extend(self.rows(&gone)?);
            }
            for k in &gone {
                self.store.remove(k);
            }
            m.removed = gone.len() as u64;
        }
        Ok((out, m))
    }

    /// Groups whose event-time bound the watermark passed, sorted for a stable output.
    fn store_snapshot_of_passed(&self, evict_us: i64) -> Vec<Box<[u8]>> {
        let mut gone: Vec<Box<[u8]>> = self
            .store
            .iter()
            .filter(|(_, v)| bound_of(v).is_some_and(|b| b != i64::MAX && b <= evict_us))
            .map(|(k, _)| k.into())
            .collect();
        gone.sort();
        gone
    }

    /// The key columns of a batch (windows expanded), the input row of each output row, and each
    /// output row's event-time bound (None when the query has no event-time key).
    fn expand(
        &self,
        batch: &RecordBatch,
    ) -> Result<(Vec<ArrayRef>, UInt32Array, Vec<Option<i64>>)> {
        let n = batch.num_rows();
        let mut index: Vec<u32> = (0..n as u32).collect();
        let mut windows: Option<Expanded> = None;
        // At most one window key (Spark: "Multiple time/session window expressions would result
        // in a cartesian product"), checked when the shape is planned.
        for (i, k) in self.shape.keys.iter().enumerate() {
            if let GroupKey::Window { ts, spec, ts_type } = k {
                let t = ts.evaluate(batch)?.into_array(n)?;
                let t = t
                    .as_any()
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .ok_or_else(|| Error::config("window() needs a TIMESTAMP time column"))?;
                let mut idx = vec![];
                let mut bounds = vec![];
                // Rows without an event time fall in no window (Spark filters them out).
                for (r, t) in t.iter().enumerate() {
                    if let Some(t) = t {
                        for w in spec.windows_of(t) {
                            idx.push(r as u32);
                            bounds.push(Some(w));
                        }
                    }
                }
                index = idx;
                windows = Some((i, bounds, ts_type.clone()));
            }
        }
        let index = UInt32Array::from(index);
        let mut keys = Vec::with_capacity(self.shape.keys.len());
        for (i, k) in self.shape.keys.iter().enumerate() {
            let col = match (k, &windows) {
                (GroupKey::Window { .. }, Some((_, bounds, ts_type))) => {
                    window_array(ts_type, bounds)
                }
                (GroupKey::Expr(e), _) => {
                    let v = e.evaluate(batch)?.into_array(n)?;
                    take(v.as_ref(), &index, None)?
                }
                (GroupKey::Window { .. }, None) => {
                    return Err(Error::config("internal: window key without windows"))
                }
                (GroupKey::Session { .. }, _) => {
                    return Err(Error::config(
                        "internal: session key in a window aggregation",
                    ))
                }
            };
            let want = self.shape.output.field(i).data_type();
            keys.push(if col.data_type() == want {
                col
            } else {
                cast(&col, want)?
            });
        }
        let bounds: Vec<Option<i64>> = match (self.shape.event_time_key, &windows) {
            (Some(i), Some((w, b, _))) if i == *w => b.iter().map(|b| b.map(|b| b.1)).collect(),
            (Some(i), _) => {
                let t = cast(
                    &keys[i],
                    &DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
                )?;
                let t = t
                    .as_any()
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .ok_or_else(|| Error::config("internal: event-time key is not a TIMESTAMP"))?
                    .clone();
                t.iter().map(|v| Some(v.unwrap_or(i64::MAX))).collect()
            }
            (None, _) => vec![None; index.len()],
        };
        Ok((keys, index, bounds))
    }

    /// Fresh accumulators, merged with stored buffers when the group exists.
    pub(super) fn accumulators(&self, stored: Option<&[u8]>) -> Result<Vec<Box<dyn Accumulator>>> {
        let mut accs = self
            .shape
            .aggs
            .iter()
            .map(|a| a.create_accumulator())
            .collect::<datafusion::common::Result<Vec<_>>>()?;
        if let Some(bytes) = stored {
            self.merge_stored(&mut accs, bytes)?;
        }
        Ok(accs)
    }

    /// Merges stored buffers (a value without its 8-byte bound) into `accs`.
    pub(super) fn merge_stored(
        &self,
        accs: &mut [Box<dyn Accumulator>],
        bytes: &[u8],
    ) -> Result<()> {
        let parser = self.state_converter.parser();
        let row = parser.parse(bytes);
        let cols = self.state_converter.convert_rows([row])?;
        let mut at = 0;
        for (acc, w) in accs.iter_mut().zip(&self.state_widths) {
            acc.merge_batch(&cols[at..at + w])?;
            at += w;
        }
        Ok(())
    }

    /// The stored value of a group: its bound and its accumulators' buffers.
    pub(super) fn encode(&self, bound: i64, accs: &mut [Box<dyn Accumulator>]) -> Result<Vec<u8>> {
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(self.state_types.len());
        for acc in accs.iter_mut() {
            for v in acc.state()? {
                cols.push(v.to_array()?);
            }
        }
        let cols = cols
            .into_iter()
            .zip(&self.state_types)
            .map(|(c, t)| {
                if c.data_type() == t {
                    Ok(c)
                } else {
                    cast(&c, t)
                }
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let rows = self.state_converter.convert_columns(&cols)?;
        let mut out = bound.to_le_bytes().to_vec();
        out.extend_from_slice(rows.row(0).as_ref());
        Ok(out)
    }

    /// The aggregated rows (keys, then each aggregate's final value) of `groups`.
    fn rows(&self, groups: &[Box<[u8]>]) -> Result<Vec<RecordBatch>> {
        if groups.is_empty() {
            return Ok(vec![]);
        }
        let schema = self.shape.output.clone();
        let mut columns: Vec<ArrayRef> = if self.shape.keys.is_empty() {
            vec![]
        } else {
            let parser = self.key_converter.parser();
            self.key_converter
                .convert_rows(groups.iter().map(|k| parser.parse(k)))?
        };
        columns.extend(self.aggregate_columns(groups)?);
        Ok(vec![RecordBatch::try_new(schema, columns)?])
    }

    /// Each aggregate's final value over the stored groups `keys`, as output columns.
    pub(super) fn aggregate_columns(&self, keys: &[Box<[u8]>]) -> Result<Vec<ArrayRef>> {
        let mut results: Vec<Vec<ScalarValue>> = vec![vec![]; self.shape.aggs.len()];
        for k in keys {
            let value = self
                .store
                .get_ref(k)
                .ok_or_else(|| Error::config("internal: emitted group has no state"))?;
            let mut accs = self.accumulators(Some(&value[8..]))?;
            for (i, acc) in accs.iter_mut().enumerate() {
                results[i].push(acc.evaluate()?);
            }
        }
        let mut columns = Vec::with_capacity(results.len());
        for (i, vals) in results.into_iter().enumerate() {
            let field = self.shape.output.field(self.shape.keys.len() + i);
            let a = ScalarValue::iter_to_array(vals)?;
            columns.push(if a.data_type() == field.data_type() {
                a
            } else {
                cast(&a, field.data_type())?
            });
        }
        Ok(columns)
    }
}

/// A batch's window key expanded: the key's index, each output row's window, the time type.
type Expanded = (usize, Vec<Option<(i64, i64)>>, DataType);

/// The event-time bound a stored value starts with.
pub(super) fn bound_of(value: &[u8]) -> Option<i64> {
    Some(i64::from_le_bytes(value.get(..8)?.try_into().ok()?))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::storage::Location;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema, TimeUnit};
    use datafusion::functions_aggregate::sum::sum_udaf;
    use datafusion::physical_expr::aggregate::AggregateExprBuilder;
    use datafusion::physical_expr::expressions::Column;

    pub(crate) const SEC: i64 = 1_000_000;

    /// Rows of (id, v, ts): the input of the aggregation tests here and in `session.rs`.
    pub(crate) fn input() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("v", DataType::Int64, true),
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]))
    }

    /// A batch of `input()` rows; `ts` in seconds.
    pub(crate) fn batch(rows: &[(&str, i64, i64)]) -> RecordBatch {
        RecordBatch::try_new(
            input(),
            vec![
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
                Arc::new(
                    TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| r.2 * SEC))
                        .with_timezone("UTC"),
                ),
            ],
        )
        .unwrap()
    }

    /// `sum(v) AS total` over `input()` rows, the aggregate of the operator tests here and in
    /// `session.rs`.
    pub(crate) fn sum_of_v() -> Arc<AggregateFunctionExpr> {
        let sum = AggregateExprBuilder::new(sum_udaf(), vec![Arc::new(Column::new("v", 1))])
            .schema(input())
            .alias("total")
            .build()
            .unwrap();
        Arc::new(sum)
    }

    /// `SELECT window(ts, '10 seconds'), sum(v) ... GROUP BY window(ts, '10 seconds')`.
    async fn operator(mode: OutputMode) -> StreamingAggregate {
        let ts_type = input().field(2).data_type().clone();
        let shape = AggregateShape {
            keys: vec![GroupKey::Window {
                ts: Arc::new(Column::new("ts", 2)),
                spec: WindowSpec::parse("10 seconds", None, None).unwrap(),
                ts_type: ts_type.clone(),
            }],
            aggs: vec![sum_of_v()],
            output: Arc::new(Schema::new(vec![
                Field::new("window", super::super::window::window_type(&ts_type), true),
                Field::new("total", DataType::Int64, true),
            ])),
            output_keys: vec![],
            event_time_key: Some(0),
        };
        let loc = Location::parse(&format!("memory://agg/{}", uuid::Uuid::new_v4())).unwrap();
        StreamingAggregate::new(shape, mode, StateStore::load(loc, 0).await.unwrap()).unwrap()
    }

    fn totals(out: &[RecordBatch]) -> Vec<i64> {
        let mut v: Vec<i64> = out
            .iter()
            .flat_map(|b| {
                b.column(1)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .values()
                    .to_vec()
            })
            .collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn append_emits_a_window_once_the_watermark_passes_its_end() {
        let mut a = operator(OutputMode::Append).await;
        let (out, m) = a
            .process(
                vec![batch(&[("a", 1, 10), ("b", 2, 12), ("c", 4, 25)])],
                0,
                0,
            )
            .unwrap();
        assert_eq!((totals(&out), m.updated), (vec![], 2));
        // Watermark 20 s: [10, 20) is final, emitted and evicted; a row at 15 s is late.
        let (out, m) = a
            .process(vec![batch(&[("a", 5, 15), ("d", 1, 26)])], 20_000, 20_000)
            .unwrap();
        assert_eq!(totals(&out), vec![3]);
        assert_eq!((m.dropped_late, m.removed, a.store.len()), (1, 1, 1));
    }

    #[tokio::test]
    async fn update_emits_changed_groups_and_complete_emits_all() {
        let mut u = operator(OutputMode::Update).await;
        u.process(vec![batch(&[("a", 1, 10), ("c", 4, 25)])], 0, 0)
            .unwrap();
        let (out, _) = u.process(vec![batch(&[("b", 2, 12)])], 0, 0).unwrap();
        assert_eq!(totals(&out), vec![3]);
        let mut c = operator(OutputMode::Complete).await;
        c.process(vec![batch(&[("a", 1, 10), ("c", 4, 25)])], 0, 0)
            .unwrap();
        // Complete mode neither drops late rows nor evicts.
        let (out, m) = c
            .process(vec![batch(&[("b", 2, 12)])], 30_000, 30_000)
            .unwrap();
        assert_eq!((totals(&out), m.removed), (vec![3, 4], 0));
    }
}
