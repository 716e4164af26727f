//! The cleaning plan of one streaming table: its SELECT run over exactly one batch's rows,
//! then its expectations (keep and count, drop, or fail).

use std::sync::Arc;

use arrow::array::{Array, BooleanArray};
use arrow::compute::{and_not, filter_record_batch, or};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use super::pipeline::{Expectation, OnViolation};
use super::session::{new_context, plan_sql, plan_sql_at, Settings};
use super::stream_aggregate;
use crate::error::{Error, Result};
use crate::state::{AggregateShape, DedupMetrics, Deduplicate, StreamingAggregate};

/// A stateful operator run inside [`CleaningPlan::run_stateful`].
pub enum StatefulOperator<'a> {
    /// A de-duplication of the SELECT's rows.
    Dedup(&'a mut Deduplicate),
    /// The query's aggregation, between its input and its SELECT list.
    Aggregate(&'a mut StreamingAggregate),
}

/// A stateful operator to run inside [`CleaningPlan::run_stateful`], with the batch's watermarks.
pub struct DedupStep<'a> {
    /// The operator (and its state).
    pub operator: StatefulOperator<'a>,
    /// Rows with event time at or before this (ms) are late.
    pub late_ms: i64,
    /// Keys the watermark passed (ms) are evicted after the batch.
    pub evict_ms: i64,
}

/// What one run of the plan produced.
#[derive(Debug)]
pub struct PlanOutput {
    /// Output schema (before sink-specific conversions).
    pub schema: SchemaRef,
    /// Output rows.
    pub batches: Vec<RecordBatch>,
    /// Rows written out.
    pub rows_out: u64,
    /// Rows dropped by `ON VIOLATION DROP ROW` expectations.
    pub dropped: u64,
    /// Violations per expectation, in declaration order.
    pub violations: Vec<(String, u64)>,
}

/// A streaming table's SELECT plus expectations, planned against a placeholder input table.
pub struct CleaningPlan {
    table: String,
    query: String,
    input_table: String,
    expectations: Vec<Expectation>,
    ansi: bool,
    time_zone: chrono_tz::Tz,
    ctx: SessionContext,
}

const VIOLATION_PREFIX: &str = "__spate_violation_";

impl CleaningPlan {
    /// A plan for `table` whose `query` reads the input under the name `input_table`.
    pub fn new(
        table: &str,
        query: &str,
        input_table: &str,
        expectations: Vec<Expectation>,
        settings: &Settings,
    ) -> Result<Self> {
        Ok(CleaningPlan {
            table: table.to_string(),
            query: query.to_string(),
            input_table: input_table.to_string(),
            expectations,
            ansi: settings.ansi()?,
            time_zone: settings.time_zone()?,
            ctx: new_context(settings)?,
        })
    }

    /// The SQL actually run: the query, plus one violation flag per expectation.
    fn sql(&self) -> String {
        if self.expectations.is_empty() {
            return self.query.clone();
        }
        // A NULL expectation result counts as a violation, as a DLT expectation filter drops it.
        let flags: Vec<String> = self
            .expectations
            .iter()
            .enumerate()
            .map(|(i, e)| format!("NOT COALESCE(({}), false) AS {VIOLATION_PREFIX}{i}", e.expr))
            .collect();
        format!(
            "SELECT *, {} FROM ({}) AS __spate_q",
            flags.join(", "),
            self.query
        )
    }

    /// Checks the plan against the input schema without data (catches SQL errors at start).
    pub async fn validate(&self, input: SchemaRef) -> Result<SchemaRef> {
        self.register_input(input, vec![])?;
        let df = plan_sql(&self.ctx, &self.sql(), self.ansi).await?;
        let schema: Schema = df.schema().as_arrow().clone();
        Ok(Arc::new(strip_flags(&schema)))
    }

    /// The input columns the plan reads (indices into `input`), after DataFusion's projection
    /// pushdown, expectations included: what Spark's file source parses.
    pub async fn read_columns(&self, input: SchemaRef) -> Result<Vec<usize>> {
        self.register_input(input, vec![])?;
        super::session::read_columns(&self.ctx, &self.sql(), self.ansi, &self.input_table).await
    }

    fn register_input(&self, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        let _ = self.ctx.deregister_table(self.input_table.as_str())?;
        let table = MemTable::try_new(schema, vec![batches])?;
        self.ctx
            .register_table(self.input_table.as_str(), Arc::new(table))?;
        Ok(())
    }

    /// The query's aggregation (spec §9.5), planned for the stateful operator; `watermark` is the
    /// declared event-time column. None for a query without one.
    pub async fn aggregate_shape(
        &self,
        input: SchemaRef,
        watermark: Option<&str>,
    ) -> Result<Option<AggregateShape>> {
        self.register_input(input, vec![])?;
        let df = plan_sql(&self.ctx, &self.sql(), self.ansi).await?;
        let plan = stream_aggregate::analyze(&self.ctx, df.logical_plan())?;
        match stream_aggregate::find_aggregate(&plan)? {
            Some(agg) => {
                let mut shape = stream_aggregate::shape(&self.ctx, &agg, watermark)?;
                shape.output_keys = stream_aggregate::output_keys(&plan, &agg);
                Ok(Some(shape))
            }
            None => Ok(None),
        }
    }

    /// Runs the plan over one batch's rows; `current_timestamp()` is the batch timestamp.
    pub async fn run(
        &self,
        input: SchemaRef,
        batches: Vec<RecordBatch>,
        batch_timestamp_ms: i64,
    ) -> Result<PlanOutput> {
        Ok(self
            .run_stateful(input, batches, batch_timestamp_ms, None)
            .await?
            .0)
    }

    /// Runs the plan with a de-duplication between the SELECT and the expectations (DLT checks a
    /// table's expectations on its query's result, de-duplicated). The operator keys on the data
    /// columns; the expectation flags ride along after them.
    pub async fn run_stateful(
        &self,
        input: SchemaRef,
        batches: Vec<RecordBatch>,
        batch_timestamp_ms: i64,
        dedup: Option<DedupStep<'_>>,
    ) -> Result<(PlanOutput, Option<DedupMetrics>)> {
        self.register_input(input, batches)?;
        let df = plan_sql_at(
            &self.ctx,
            &self.sql(),
            self.ansi,
            Some((batch_timestamp_ms, self.time_zone)),
        )
        .await?;
        let full_schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
        let (out, metrics) = match dedup {
            Some(DedupStep {
                operator: StatefulOperator::Aggregate(op),
                late_ms,
                evict_ms,
            }) => {
                // Input rows -> the operator -> the emitted groups through the SELECT list.
                let plan = stream_aggregate::analyze(&self.ctx, df.logical_plan())?;
                let agg = stream_aggregate::find_aggregate(&plan)?
                    .ok_or_else(|| Error::config("internal: the aggregation left the query"))?;
                let input = datafusion::dataframe::DataFrame::new(
                    self.ctx.state(),
                    agg.input.as_ref().clone(),
                )
                .collect()
                .await?;
                let (groups, m) = op.process(input, late_ms, evict_ms)?;
                let upper = stream_aggregate::replace_aggregate(plan, groups)?;
                let out = datafusion::dataframe::DataFrame::new(self.ctx.state(), upper)
                    .collect()
                    .await?;
                (out, Some(m))
            }
            Some(DedupStep {
                operator: StatefulOperator::Dedup(op),
                late_ms,
                evict_ms,
            }) => {
                let out = df.collect().await?;
                let (kept, m) = op.process(out, late_ms, evict_ms)?;
                (kept, Some(m))
            }
            None => (df.collect().await?, None),
        };
        let _ = self.ctx.deregister_table(self.input_table.as_str())?;
        Ok((self.apply_expectations(full_schema, out)?, metrics))
    }

    fn apply_expectations(
        &self,
        full_schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<PlanOutput> {
        let n_data = full_schema.fields().len() - self.expectations.len();
        let schema = Arc::new(strip_flags(&full_schema));
        let mut violations = vec![0u64; self.expectations.len()];
        let mut dropped = 0u64;
        let mut kept = Vec::with_capacity(batches.len());
        for b in batches {
            let mut drop_mask: Option<BooleanArray> = None;
            for (i, e) in self.expectations.iter().enumerate() {
                let flag = b
                    .column(n_data + i)
                    .as_any()
                    .downcast_ref::<BooleanArray>()
                    .ok_or_else(|| {
                        Error::config(format!(
                            "expectation '{}' is not a boolean expression",
                            e.name
                        ))
                    })?;
                let count = flag.true_count() as u64;
                violations[i] += count;
                match e.on_violation {
                    OnViolation::FailUpdate if count > 0 => {
                        return Err(Error::ExpectationFailed {
                            table: self.table.clone(),
                            name: e.name.clone(),
                            expr: e.expr.clone(),
                            count,
                        })
                    }
                    OnViolation::DropRow => {
                        drop_mask = Some(match drop_mask {
                            Some(m) => or(&m, flag)?,
                            None => flag.clone(),
                        });
                    }
                    _ => {}
                }
            }
            // The batch's own schema, not the logical plan's: DataFusion may widen a CASE's
            // branches at execution (Int32 in the plan, Int64 in the data).
            let data = b.project(&(0..n_data).collect::<Vec<_>>())?;
            let data = match drop_mask {
                Some(m) => {
                    let keep = and_not(&BooleanArray::from(vec![true; m.len()]), &m)?;
                    dropped += m.true_count() as u64;
                    filter_record_batch(&data, &keep)?
                }
                None => data,
            };
            if data.num_rows() > 0 {
                kept.push(data);
            }
        }
        let rows_out = kept.iter().map(|b| b.num_rows() as u64).sum();
        let schema = kept.first().map(|b| b.schema()).unwrap_or(schema);
        let violations = self
            .expectations
            .iter()
            .map(|e| e.name.clone())
            .zip(violations)
            .collect();
        Ok(PlanOutput {
            schema,
            batches: kept,
            rows_out,
            dropped,
            violations,
        })
    }
}

fn strip_flags(schema: &Schema) -> Schema {
    Schema::new(
        schema
            .fields()
            .iter()
            .filter(|f| !f.name().starts_with(VIOLATION_PREFIX))
            .cloned()
            .collect::<Vec<_>>(),
    )
}
