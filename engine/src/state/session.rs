//! Session windows (`GROUP BY key, session_window(ts, gap)`), after Spark's
//! `SessionWindowStateStoreRestoreExec` + `MergingSessionsExec` + `SessionWindowStateStoreSaveExec`.
//!
//! Each row opens the session `[ts, ts + gap)`. Per grouping key, the batch's rows and the key's
//! stored sessions are sorted by start and swept once: an item starting at or before the current
//! session's end joins it (and may extend it), so one row can bridge two stored sessions. The key's
//! sessions are then replaced by the merged list: each kept session is written (Spark's
//! `numRowsUpdated` counts them all, changed or not) and stored sessions whose start is gone are
//! deleted (counted in `numRowsRemoved`).
//!
//! ```text
//!   stored:   [10 ---- 25)          [40 ---- 50)
//!   batch:              18 -> [18 - 28)    35 -> [35 - 45)
//!   merged:   [10 ------- 28)     [35 ------- 50)      (start 40 deleted, 10 and 35 written)
//! ```
//!
//! Late rows are filtered before merging, row by row, on the row's own session end
//! (`ts + gap <= watermark`, spec §9.1), in every output mode. Append emits and evicts the sessions
//! whose end the eviction watermark reached; complete emits every session and evicts none; update
//! is refused at planning, as Spark does.
//!
//! The store key is the encoded grouping key followed by the session start (8 bytes, big-endian);
//! the value is the session end and the buffers, as for any aggregation group.

use std::collections::{BTreeSet, HashMap};

use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::compute::{cast, take};
use arrow::datatypes::DataType;

use super::aggregate::{bound_of, GroupKey, OutputMode, SessionGap, StreamingAggregate};
use super::dedup::DedupMetrics;
use super::store::StateStore;
use super::window::{interval_us, window_array};
use crate::error::{Error, Result};

/// The session starts held per grouping key.
#[derive(Debug, Default)]
pub struct SessionIndex {
    starts: HashMap<Box<[u8]>, BTreeSet<i64>>,
}

impl SessionIndex {
    /// The index of a loaded store.
    pub fn of(store: &StateStore<Vec<u8>>) -> Self {
        let mut index = SessionIndex::default();
        for (k, _) in store.iter() {
            if let Some((key, start)) = split_key(k) {
                index.starts.entry(key.into()).or_default().insert(start);
            }
        }
        index
    }
}

/// A store key: the grouping key, then the session start.
fn store_key(key: &[u8], start: i64) -> Box<[u8]> {
    let mut k = Vec::with_capacity(key.len() + 8);
    k.extend_from_slice(key);
    // Big-endian with the sign flipped, so keys of one group sort by start.
    k.extend_from_slice(&((start as u64) ^ (1 << 63)).to_be_bytes());
    k.into()
}

fn split_key(k: &[u8]) -> Option<(&[u8], i64)> {
    let at = k.len().checked_sub(8)?;
    let bytes: [u8; 8] = k[at..].try_into().ok()?;
    Some((&k[..at], (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64))
}

/// A row of the batch in a session: its own start and end, its batch and its index there.
type SessionRow = (i64, i64, usize, u32);

/// One thing a session is made of: a stored session (its value) or a row of the batch.
enum Part<'a> {
    Stored(&'a [u8]),
    Row { batch: usize, row: u32 },
}

/// The session key of a shape: its position, time column, gap and time type.
fn session_key(
    a: &StreamingAggregate,
) -> Result<(
    usize,
    &std::sync::Arc<dyn datafusion::physical_expr::PhysicalExpr>,
    &SessionGap,
    &DataType,
)> {
    a.shape
        .keys
        .iter()
        .enumerate()
        .find_map(|(i, k)| match k {
            GroupKey::Session { ts, gap, ts_type } => Some((i, ts, gap, ts_type)),
            _ => None,
        })
        .ok_or_else(|| Error::config("internal: no session window key"))
}

/// Each row's gap (µs); None where the row opens no session.
fn gaps(gap: &SessionGap, batch: &RecordBatch) -> Result<Vec<Option<i64>>> {
    let n = batch.num_rows();
    match gap {
        SessionGap::Fixed(us) => Ok(vec![Some(*us); n]),
        SessionGap::PerRow(e) => {
            let v = e.evaluate(batch)?.into_array(n)?;
            let v = cast(&v, &DataType::Utf8)?;
            let v = v
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| Error::config("session_window() gap must be an interval string"))?;
            v.iter()
                .map(|g| match g {
                    None => Ok(None),
                    Some(text) => gap_us(text),
                })
                .collect()
        }
    }
}

/// A per-row gap: Spark's NULL for text that is not an interval; months are refused, since a
/// calendar gap is not a fixed length here.
fn gap_us(text: &str) -> Result<Option<i64>> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("month") || lower.contains("year") {
        return Err(Error::config(format!(
            "session_window() gap '{text}': month and year gaps are not supported; use days"
        )));
    }
    Ok(interval_us(text).ok())
}

impl StreamingAggregate {
    /// [`StreamingAggregate::process`] for a query grouped by a session window.
    pub(super) fn process_sessions(
        &mut self,
        batches: Vec<RecordBatch>,
        late_ms: i64,
        evict_ms: i64,
    ) -> Result<(Vec<RecordBatch>, DedupMetrics)> {
        let mut m = DedupMetrics::default();
        let late_us = late_ms.saturating_mul(1000);
        let filters_late = self.shape.event_time_key.is_some();
        // Each batch's aggregate arguments, and the rows of each grouping key in first-seen order.
        let mut args: Vec<Vec<Vec<ArrayRef>>> = Vec::with_capacity(batches.len());
        let mut touched: Vec<Box<[u8]>> = vec![];
        let mut rows_of: HashMap<Box<[u8]>, Vec<SessionRow>> = HashMap::new();
        {
            let (_, ts_expr, gap, _) = session_key(self)?;
            for (bi, batch) in batches.iter().enumerate() {
                let n = batch.num_rows();
                let ts = ts_expr.evaluate(batch)?.into_array(n)?;
                let ts = ts
                    .as_any()
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .ok_or_else(|| {
                        Error::config("session_window() needs a TIMESTAMP time column")
                    })?;
                let gaps = gaps(gap, batch)?;
                let keys = self.key_columns(batch)?;
                let key_rows = self.key_converter.convert_columns(&keys)?;
                for (r, gap) in gaps.iter().enumerate() {
                    // Spark keeps only rows with a time and a positive gap.
                    let (Some(t), Some(g)) = (ts.is_valid(r).then(|| ts.value(r)), *gap) else {
                        continue;
                    };
                    let Some(end) = t.checked_add(g).filter(|_| g > 0) else {
                        continue;
                    };
                    if filters_late && end <= late_us {
                        m.dropped_late += 1;
                        continue;
                    }
                    let key: Box<[u8]> = key_rows.row(r).as_ref().into();
                    let rows = rows_of.entry(key.clone()).or_insert_with(|| {
                        touched.push(key);
                        vec![]
                    });
                    rows.push((t, end, bi, r as u32));
                }
                args.push(
                    self.shape
                        .aggs
                        .iter()
                        .map(|a| {
                            a.expressions()
                                .iter()
                                .map(|e| Ok(e.evaluate(batch)?.into_array(n)?))
                                .collect::<Result<Vec<_>>>()
                        })
                        .collect::<Result<_>>()?,
                );
            }
        }
        for key in touched {
            let rows = rows_of.remove(&key).unwrap_or_default();
            let (updated, removed) = self.merge_key(&key, rows, &args)?;
            m.updated += updated;
            m.removed += removed;
        }
        let mut out = vec![];
        match self.mode {
            OutputMode::Complete => {
                let mut all: Vec<Box<[u8]>> = self.store.iter().map(|(k, _)| k.into()).collect();
                all.sort();
                out.extend(self.session_rows(&all)?);
            }
            _ if self.evicts() && evict_ms > 0 => {
                // Sessions the watermark closed: emitted once, then removed.
                let evict_us = evict_ms.saturating_mul(1000);
                let mut gone: Vec<Box<[u8]>> = self
                    .store
                    .iter()
                    .filter(|(_, v)| bound_of(v).is_some_and(|end| end <= evict_us))
                    .map(|(k, _)| k.into())
                    .collect();
                gone.sort();
                out.extend(self.session_rows(&gone)?);
                for k in &gone {
                    self.store.remove(k);
                    let (Some((key, start)), Some(index)) = (split_key(k), self.sessions.as_mut())
                    else {
                        continue;
                    };
                    if let Some(starts) = index.starts.get_mut(key) {
                        starts.remove(&start);
                        if starts.is_empty() {
                            index.starts.remove(key);
                        }
                    }
                }
                m.removed += gone.len() as u64;
            }
            _ => {}
        }
        Ok((out, m))
    }

    /// The grouping key columns other than the session, for a batch's rows.
    fn key_columns(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        let n = batch.num_rows();
        let mut cols = vec![];
        for (i, k) in self.shape.keys.iter().enumerate() {
            if let GroupKey::Expr(e) = k {
                let v = e.evaluate(batch)?.into_array(n)?;
                let want = self.shape.output.field(i).data_type();
                cols.push(if v.data_type() == want {
                    v
                } else {
                    cast(&v, want)?
                });
            }
        }
        Ok(cols)
    }

    /// Merges `rows` (start, end, batch, row) into the stored sessions of `key`; returns the
    /// sessions written and the stored sessions deleted.
    fn merge_key(
        &mut self,
        key: &[u8],
        rows: Vec<SessionRow>,
        args: &[Vec<Vec<ArrayRef>>],
    ) -> Result<(u64, u64)> {
        let old: Vec<i64> = self
            .sessions
            .as_ref()
            .and_then(|s| s.starts.get(key))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let stored: Vec<(i64, Vec<u8>)> = old
            .iter()
            .filter_map(|s| Some((*s, self.store.get(&store_key(key, *s))?)))
            .collect();
        let mut items: Vec<(i64, i64, Part<'_>)> = stored
            .iter()
            .map(|(s, v)| (*s, bound_of(v).unwrap_or(*s), Part::Stored(&v[8..])))
            .collect();
        items.extend(
            rows.into_iter()
                .map(|(s, e, batch, row)| (s, e, Part::Row { batch, row })),
        );
        // Spark's MergingSessionsIterator: sorted by start, an item starting at or before the
        // current session's end belongs to it.
        items.sort_by_key(|(s, _, _)| *s);
        let mut merged: Vec<(i64, i64, Vec<&Part<'_>>)> = vec![];
        for (s, e, part) in &items {
            match merged.last_mut() {
                Some((_, end, parts)) if *s <= *end => {
                    *end = (*end).max(*e);
                    parts.push(part);
                }
                _ => merged.push((*s, *e, vec![part])),
            }
        }
        let mut values = Vec::with_capacity(merged.len());
        for (start, end, parts) in &merged {
            values.push((*start, self.session_value(*end, parts, args)?));
        }
        let new: BTreeSet<i64> = values.iter().map(|(s, _)| *s).collect();
        let mut removed = 0;
        for s in old.iter().filter(|s| !new.contains(s)) {
            self.store.remove(&store_key(key, *s));
            removed += 1;
        }
        let written = values.len() as u64;
        for (start, value) in values {
            self.store.put(&store_key(key, start), value);
        }
        if let Some(index) = self.sessions.as_mut() {
            index.starts.insert(key.into(), new);
        }
        Ok((written, removed))
    }

    /// The stored value of a session made of `parts`.
    fn session_value(
        &self,
        end: i64,
        parts: &[&Part<'_>],
        args: &[Vec<Vec<ArrayRef>>],
    ) -> Result<Vec<u8>> {
        let mut accs = self.accumulators(None)?;
        let mut rows_per_batch: HashMap<usize, Vec<u32>> = HashMap::new();
        for p in parts {
            match p {
                Part::Stored(bytes) => self.merge_stored(&mut accs, bytes)?,
                Part::Row { batch, row } => rows_per_batch.entry(*batch).or_default().push(*row),
            }
        }
        let mut batches: Vec<_> = rows_per_batch.into_iter().collect();
        batches.sort_by_key(|(b, _)| *b);
        for (b, rows) in batches {
            let rows = arrow::array::UInt32Array::from(rows);
            for (acc, cols) in accs.iter_mut().zip(&args[b]) {
                let taken: Vec<ArrayRef> = cols
                    .iter()
                    .map(|c| take(c.as_ref(), &rows, None))
                    .collect::<std::result::Result<_, _>>()?;
                acc.update_batch(&taken)?;
            }
        }
        self.encode(end, &mut accs)
    }

    /// The aggregated rows of the stored sessions `keys`.
    fn session_rows(&self, keys: &[Box<[u8]>]) -> Result<Vec<RecordBatch>> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let bounds: Vec<(i64, i64)> = keys
            .iter()
            .map(|k| {
                let start = split_key(k).map(|(_, s)| s);
                let end = self.store.get_ref(k).and_then(|v| bound_of(v));
                start.zip(end)
            })
            .collect::<Option<_>>()
            .ok_or_else(|| Error::config("internal: a session without state"))?;
        let aggs = self.aggregate_columns(keys)?;
        self.build_rows(keys, &bounds, aggs)
    }

    /// Output rows from store keys, session bounds and aggregate columns.
    fn build_rows(
        &self,
        keys: &[Box<[u8]>],
        bounds: &[(i64, i64)],
        aggs: Vec<ArrayRef>,
    ) -> Result<Vec<RecordBatch>> {
        let parser = self.key_converter.parser();
        let group_rows = keys
            .iter()
            .map(|k| split_key(k).map(|(g, _)| parser.parse(g)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::config("internal: a short session key"))?;
        let mut group_cols = self.key_converter.convert_rows(group_rows)?.into_iter();
        let (pos, _, _, ts_type) = session_key(self)?;
        let mut columns: Vec<ArrayRef> = vec![];
        for i in 0..self.shape.keys.len() {
            if i == pos {
                let b: Vec<Option<(i64, i64)>> = bounds.iter().copied().map(Some).collect();
                let col = window_array(ts_type, &b);
                let want = self.shape.output.field(i).data_type();
                columns.push(if col.data_type() == want {
                    col
                } else {
                    cast(&col, want)?
                });
            } else {
                columns.push(
                    group_cols
                        .next()
                        .ok_or_else(|| Error::config("internal: missing key column"))?,
                );
            }
        }
        columns.extend(aggs);
        Ok(vec![RecordBatch::try_new(
            self.shape.output.clone(),
            columns,
        )?])
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::Location;
    use arrow::array::{Int64Array, StructArray};
    use arrow::datatypes::{Field, Schema, TimeUnit};
    use datafusion::physical_expr::expressions::Column;

    use crate::state::aggregate::tests::{batch, sum_of_v, SEC};
    use crate::state::aggregate::AggregateShape;
    use crate::state::window::window_type;

    fn ts_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    }

    /// `SELECT id, session_window, sum(v) ... GROUP BY id, session_window(ts, '10 seconds')`.
    async fn operator(mode: OutputMode, loc: &Location, version: u64) -> StreamingAggregate {
        let shape = AggregateShape {
            keys: vec![
                GroupKey::Expr(Arc::new(Column::new("id", 0))),
                GroupKey::Session {
                    ts: Arc::new(Column::new("ts", 2)),
                    gap: SessionGap::Fixed(10 * SEC),
                    ts_type: ts_type(),
                },
            ],
            aggs: vec![sum_of_v()],
            output: Arc::new(Schema::new(vec![
                Field::new("id", DataType::Utf8, true),
                Field::new("session_window", window_type(&ts_type()), true),
                Field::new("total", DataType::Int64, true),
            ])),
            output_keys: vec![],
            event_time_key: Some(1),
        };
        let store = StateStore::load(loc.clone(), version).await.unwrap();
        StreamingAggregate::new(shape, mode, store).unwrap()
    }

    /// (id, start s, end s, total) of emitted rows.
    fn sessions(out: &[RecordBatch]) -> Vec<(String, i64, i64, i64)> {
        let mut v = vec![];
        for b in out {
            let ids = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
            let w = b.column(1).as_any().downcast_ref::<StructArray>().unwrap();
            let bound = |i: usize| {
                w.column(i)
                    .as_any()
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .unwrap()
                    .clone()
            };
            let (s, e) = (bound(0), bound(1));
            let t = b.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
            for r in 0..b.num_rows() {
                v.push((
                    ids.value(r).to_string(),
                    s.value(r) / SEC,
                    e.value(r) / SEC,
                    t.value(r),
                ));
            }
        }
        v.sort();
        v
    }

    fn loc() -> Location {
        Location::parse(&format!("memory://session/{}", uuid::Uuid::new_v4())).unwrap()
    }

    #[tokio::test]
    async fn a_row_bridging_two_sessions_merges_them_and_deletes_the_later_start() {
        let mut a = operator(OutputMode::Complete, &loc(), 0).await;
        let (_, m) = a
            .process(
                vec![batch(&[("a", 1, 10), ("a", 2, 30), ("b", 4, 12)])],
                0,
                0,
            )
            .unwrap();
        assert_eq!((m.updated, m.removed, a.store.len()), (3, 0, 3));
        let (out, m) = a.process(vec![batch(&[("a", 8, 25)])], 0, 0).unwrap();
        // [25, 35) overlaps [30, 40): one session [25, 40); [10, 20) stays apart (20 < 25).
        assert_eq!((m.updated, m.removed), (2, 1));
        assert_eq!(
            sessions(&out),
            vec![
                ("a".into(), 10, 20, 1),
                ("a".into(), 25, 40, 10),
                ("b".into(), 12, 22, 4)
            ]
        );
        // A row at exactly a session's end joins it (Spark compares start <= end).
        let (out, m) = a.process(vec![batch(&[("a", 16, 20)])], 0, 0).unwrap();
        assert_eq!((m.updated, m.removed, a.store.len()), (1, 1, 2));
        assert_eq!(sessions(&out)[0], ("a".into(), 10, 40, 27));
    }

    #[tokio::test]
    async fn append_emits_closed_sessions_once_and_state_reloads_from_the_store() {
        let loc = loc();
        let mut a = operator(OutputMode::Append, &loc, 0).await;
        let (out, _) = a
            .process(
                vec![batch(&[("a", 1, 10), ("a", 2, 15), ("b", 3, 40)])],
                0,
                0,
            )
            .unwrap();
        assert!(out.is_empty());
        a.store.commit().await.unwrap();
        // Reloaded (a restart): late rows count one by one; the watermark closes [10, 25).
        let mut a = operator(OutputMode::Append, &loc, 1).await;
        let (out, m) = a
            .process(
                vec![batch(&[("a", 5, 1), ("c", 5, 2), ("b", 4, 45)])],
                15_000,
                30_000,
            )
            .unwrap();
        assert_eq!(sessions(&out), vec![("a".into(), 10, 25, 3)]);
        assert_eq!((m.dropped_late, m.removed, a.store.len()), (2, 1, 1));
        assert_eq!(a.operator_name(), "sessionWindowStateStoreSaveExec");
    }
}
