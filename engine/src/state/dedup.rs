//! Streaming de-duplication (spec §9.2, §9.3): Spark's `dropDuplicates` and
//! `dropDuplicatesWithinWatermark`, with the seen keys in a [`StateStore`].
//!
//! - Without a watermark: the first row of each key is kept and the key is remembered forever
//!   (`SELECT DISTINCT`, `dropDuplicates()` on a stream without a watermark).
//! - With a watermark and the event-time column in the key (`dropDuplicates`): rows with event
//!   time <= the watermark for late rows are dropped first; a key leaves the state once its event
//!   time is <= the watermark for eviction.
//! - With a watermark and the event-time column not in the key (`dropDuplicatesWithinWatermark`):
//!   late rows are dropped; a key remembers `first event time + delay` and leaves the state once
//!   the watermark reaches it.
//!
//! Within a batch the first row in input order wins (Spark leaves it undefined).

use arrow::array::{Array, BooleanArray, TimestampMicrosecondArray};
use arrow::compute::filter_record_batch;
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use arrow::row::{RowConverter, SortField};

use super::store::StateStore;
use crate::error::{Error, Result};
use crate::schema::collation::has_collation;
use crate::schema::spark_field_type_name;

/// The event-time column and delay of a `WATERMARK col DELAY OF INTERVAL ...` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    /// The event-time column (TIMESTAMP).
    pub column: String,
    /// The delay, in milliseconds.
    pub delay_ms: i64,
}

/// What a de-duplication keys on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupSpec {
    /// Key columns; None means every column (`SELECT DISTINCT`).
    pub columns: Option<Vec<String>>,
}

/// Counts of one batch, for the progress report's `stateOperators`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DedupMetrics {
    /// Keys added to the state.
    pub updated: u64,
    /// Keys evicted by the watermark.
    pub removed: u64,
    /// Rows dropped as duplicates.
    pub dropped_duplicates: u64,
    /// Rows dropped as later than the watermark.
    pub dropped_late: u64,
}

/// The de-duplication operator over one table's output rows.
pub struct Deduplicate {
    key_indices: Vec<usize>,
    /// The key columns' types the encoding uses (a batch may carry a wider type than the plan).
    key_types: Vec<DataType>,
    converter: RowConverter,
    /// Index of the event-time column in the rows, when a watermark applies to them.
    event_time: Option<usize>,
    /// `dropDuplicatesWithinWatermark`: the key holds `event time + delay`.
    within_watermark: Option<i64>,
    /// The keys seen.
    pub store: StateStore,
}

impl Deduplicate {
    /// The operator for rows of `schema`, with `watermark` declared on the source (if any).
    ///
    /// A watermark whose column the rows do not carry does not bound the state (Spark tracks the
    /// event time only through the columns it keeps); `DISTINCT` then keeps keys forever.
    pub fn new(
        spec: &DedupSpec,
        watermark: Option<&Watermark>,
        schema: &SchemaRef,
        store: StateStore,
    ) -> Result<Self> {
        let key_indices: Vec<usize> = match &spec.columns {
            None => (0..schema.fields().len()).collect(),
            Some(cols) => cols
                .iter()
                .map(|c| {
                    schema
                        .fields()
                        .iter()
                        .position(|f| f.name().eq_ignore_ascii_case(c))
                        .ok_or_else(|| {
                            Error::config(format!(
                                "[UNRESOLVED_COLUMN] de-duplication key `{c}` is not a column of the result ({})",
                                column_list(schema)
                            ))
                        })
                })
                .collect::<Result<_>>()?,
        };
        if let Some(i) = key_indices
            .iter()
            .find(|i| has_collation(schema.field(**i)))
        {
            let field = schema.field(*i);
            return Err(super::collated_state_key(
                field.name(),
                &spark_field_type_name(field),
            ));
        }
        let key_types: Vec<DataType> = key_indices
            .iter()
            .map(|i| schema.field(*i).data_type().clone())
            .collect();
        let fields: Vec<SortField> = key_types.iter().cloned().map(SortField::new).collect();
        let converter = RowConverter::new(fields)?;
        let event_time = match watermark {
            Some(w) => schema
                .fields()
                .iter()
                .position(|f| f.name().eq_ignore_ascii_case(&w.column)),
            None => None,
        };
        if let Some(i) = event_time {
            if !matches!(
                schema.field(i).data_type(),
                DataType::Timestamp(TimeUnit::Microsecond, _)
            ) {
                return Err(Error::config(format!(
                    "[EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE] The event time `{}` has the invalid type \"{}\", but expected \"TIMESTAMP\".",
                    schema.field(i).name(),
                    crate::schema::types::spark_type_name(schema.field(i).data_type()).to_uppercase()
                )));
            }
        }
        let within_watermark = match (watermark, event_time) {
            (Some(w), Some(i)) if !key_indices.contains(&i) => Some(w.delay_ms * 1000),
            (Some(w), None) if spec.columns.is_some() => {
                return Err(Error::config(format!(
                    "de-duplication within the watermark needs the event-time column `{}` in the SELECT",
                    w.column
                )))
            }
            _ => None,
        };
        Ok(Deduplicate {
            key_indices,
            key_types,
            converter,
            event_time,
            within_watermark,
            store,
        })
    }

    /// Spark's operator name for the progress report.
    pub fn operator_name(&self) -> &'static str {
        if self.within_watermark.is_some() {
            "dedupeWithinWatermark"
        } else {
            "dedupe"
        }
    }

    /// Whether the state is bounded by the watermark (keys can be evicted).
    pub fn evicts(&self) -> bool {
        self.event_time.is_some()
    }

    /// De-duplicates one batch's rows: drops late rows (event time <= `late_ms`) and rows whose key
    /// was seen, then evicts keys the watermark `evict_ms` has passed.
    pub fn process(
        &mut self,
        batches: Vec<RecordBatch>,
        late_ms: i64,
        evict_ms: i64,
    ) -> Result<(Vec<RecordBatch>, DedupMetrics)> {
        let mut m = DedupMetrics::default();
        let mut out = Vec::with_capacity(batches.len());
        let late_us = late_ms.saturating_mul(1000);
        for batch in batches {
            let times = match self.event_time {
                Some(i) => Some(
                    batch
                        .column(i)
                        .as_any()
                        .downcast_ref::<TimestampMicrosecondArray>()
                        .ok_or_else(|| Error::config("internal: event time is not a TIMESTAMP"))?
                        .clone(),
                ),
                None => None,
            };
            let keys = self
                .key_indices
                .iter()
                .zip(&self.key_types)
                .map(|(i, t)| {
                    let c = batch.column(*i);
                    if c.data_type() == t {
                        Ok(c.clone())
                    } else {
                        Ok(arrow::compute::cast(c, t)?)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            let rows = self.converter.convert_columns(&keys)?;
            let mut keep = Vec::with_capacity(batch.num_rows());
            for r in 0..batch.num_rows() {
                let t = times
                    .as_ref()
                    .and_then(|a| a.is_valid(r).then(|| a.value(r)));
                // Spark drops rows whose event time is at or before the watermark (a NULL event time
                // is never late).
                if times.is_some() && t.is_some_and(|t| t <= late_us) {
                    m.dropped_late += 1;
                    keep.push(false);
                    continue;
                }
                let key = rows.row(r);
                if self.store.get(key.as_ref()).is_some() {
                    m.dropped_duplicates += 1;
                    keep.push(false);
                    continue;
                }
                let value = match (self.within_watermark, t) {
                    (Some(delay), Some(t)) => t.saturating_add(delay),
                    (None, Some(t)) => t,
                    // No event time: never evicted.
                    _ => i64::MAX,
                };
                self.store.put(key.as_ref(), value);
                m.updated += 1;
                keep.push(true);
            }
            let mask = BooleanArray::from(keep);
            let kept = filter_record_batch(&batch, &mask)?;
            if kept.num_rows() > 0 {
                out.push(kept);
            }
        }
        m.removed = self.evict(evict_ms);
        Ok((out, m))
    }

    /// Evicts the keys the watermark has passed (also used by batches without data).
    pub fn evict(&mut self, evict_ms: i64) -> u64 {
        if self.event_time.is_none() || evict_ms <= 0 {
            return 0;
        }
        let wm = evict_ms.saturating_mul(1000);
        if self.within_watermark.is_some() {
            // Spark: expired once the watermark reaches `expiresAt`.
            self.store
                .remove_where(|expires| *expires != i64::MAX && *expires <= wm)
        } else {
            self.store.remove_where(|t| *t != i64::MAX && *t <= wm)
        }
    }
}

fn column_list(schema: &SchemaRef) -> String {
    schema
        .fields()
        .iter()
        .map(|f| format!("`{}`", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Location;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("name", DataType::Utf8, true),
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]))
    }

    fn batch(rows: &[(i64, &str, i64)]) -> RecordBatch {
        RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
                Arc::new(
                    TimestampMicrosecondArray::from_iter_values(
                        rows.iter().map(|r| r.2 * 1_000_000),
                    )
                    .with_timezone("UTC"),
                ),
            ],
        )
        .unwrap()
    }

    fn ids(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .values()
                    .to_vec()
            })
            .collect()
    }

    async fn store() -> StateStore {
        let loc = Location::parse(&format!("memory://dedup/{}", uuid::Uuid::new_v4())).unwrap();
        StateStore::load(loc, 0).await.unwrap()
    }

    #[tokio::test]
    async fn distinct_keeps_the_first_row_of_each_key_forever() {
        let spec = DedupSpec { columns: None };
        let mut d = Deduplicate::new(&spec, None, &schema(), store().await).unwrap();
        let (out, m) = d
            .process(
                vec![batch(&[(1, "a", 10), (1, "a", 10), (2, "b", 10)])],
                0,
                0,
            )
            .unwrap();
        assert_eq!(ids(&out), vec![1, 2]);
        assert_eq!((m.updated, m.dropped_duplicates), (2, 1));
        let (out, _) = d
            .process(vec![batch(&[(1, "a", 10), (1, "a", 11)])], 0, 0)
            .unwrap();
        assert_eq!(ids(&out), vec![1]);
        assert_eq!(d.operator_name(), "dedupe");
    }

    #[tokio::test]
    async fn key_columns_with_the_event_time_evict_by_it() {
        let spec = DedupSpec {
            columns: Some(vec!["id".into(), "ts".into()]),
        };
        let w = Watermark {
            column: "ts".into(),
            delay_ms: 5_000,
        };
        let mut d = Deduplicate::new(&spec, Some(&w), &schema(), store().await).unwrap();
        let (out, m) = d
            .process(
                vec![batch(&[(1, "a", 10), (2, "b", 20), (1, "z", 10)])],
                0,
                0,
            )
            .unwrap();
        assert_eq!(ids(&out), vec![1, 2]);
        assert_eq!(m.dropped_duplicates, 1);
        // Watermark 15 s: the row at 10 s is late; the key at 10 s is evicted.
        let (out, m) = d
            .process(vec![batch(&[(1, "a", 10), (3, "c", 16)])], 15_000, 15_000)
            .unwrap();
        assert_eq!(ids(&out), vec![3]);
        assert_eq!((m.dropped_late, m.removed), (1, 1));
        assert_eq!(d.store.len(), 2);
    }

    #[tokio::test]
    async fn within_watermark_expires_keys_at_event_time_plus_delay() {
        let spec = DedupSpec {
            columns: Some(vec!["name".into()]),
        };
        let w = Watermark {
            column: "ts".into(),
            delay_ms: 10_000,
        };
        let mut d = Deduplicate::new(&spec, Some(&w), &schema(), store().await).unwrap();
        assert_eq!(d.operator_name(), "dedupeWithinWatermark");
        let (out, _) = d.process(vec![batch(&[(1, "a", 100)])], 0, 0).unwrap();
        assert_eq!(ids(&out), vec![1]);
        // Same name 5 s later: still a duplicate (expires at 110 s).
        let (out, m) = d
            .process(vec![batch(&[(2, "a", 105)])], 95_000, 109_000)
            .unwrap();
        assert_eq!((ids(&out), m.removed), (vec![], 0));
        // Watermark at 110 s: the key expired, so the name is new again.
        let (_, m) = d.process(vec![], 109_000, 110_000).unwrap();
        assert_eq!(m.removed, 1);
        let (out, _) = d
            .process(vec![batch(&[(3, "a", 121)])], 110_000, 111_000)
            .unwrap();
        assert_eq!(ids(&out), vec![3]);
    }

    #[tokio::test]
    async fn errors_name_the_column() {
        let spec = DedupSpec {
            columns: Some(vec!["nope".into()]),
        };
        let e = Deduplicate::new(&spec, None, &schema(), store().await)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("`nope`") && e.contains("`id`"), "{e}");
        let w = Watermark {
            column: "name".into(),
            delay_ms: 1,
        };
        let e = Deduplicate::new(
            &DedupSpec { columns: None },
            Some(&w),
            &schema(),
            store().await,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("EVENT_TIME_IS_NOT_ON_TIMESTAMP_TYPE"), "{e}");
    }
}
