//! The sink contract: append a batch once per batch id, whatever happens around it.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;

use crate::error::Result;

/// What a sink did with a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkOutcome {
    /// The batch is now in the table (new table version, if the sink has versions).
    Committed { version: Option<i64>, rows: u64 },
    /// The batch was already committed by an earlier run: nothing was written.
    AlreadyCommitted { version: i64 },
}

/// How a batch's rows reach the table, after the query's output mode (spec §9.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteMode {
    /// Add the rows.
    Append,
    /// Replace the table's rows with these (complete mode).
    Complete,
    /// Upsert the rows on these columns (update mode).
    Update {
        /// The columns that identify a row (the aggregation's grouping columns).
        keys: Vec<String>,
    },
}

/// A streaming sink: `add_batch` must be idempotent per batch id (spec §5.2).
#[async_trait]
pub trait Sink: Send {
    /// Spark-style description, e.g. `DeltaSink[file:/warehouse/pins]`.
    fn description(&self) -> String;

    /// Tells the sink the query id it writes for (the Delta `txn.appId`).
    fn set_query_id(&mut self, query_id: &str);

    /// Refuses, when the query starts, an output schema the sink cannot store (naming the
    /// column), so the user learns before the first batch is read; by default every schema goes.
    fn check_schema(&self, _schema: &arrow::datatypes::Schema) -> Result<()> {
        Ok(())
    }

    /// Appends `batches` as batch `batch_id`, or skips them if that batch is already in.
    async fn add_batch(
        &mut self,
        batch_id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<SinkOutcome>;

    /// Writes `batches` as batch `batch_id` in `mode`, once per batch id; a sink that only appends
    /// refuses the other modes.
    async fn write_batch(
        &mut self,
        batch_id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        mode: &WriteMode,
    ) -> Result<SinkOutcome> {
        match mode {
            WriteMode::Append => self.add_batch(batch_id, schema, batches).await,
            other => Err(crate::error::Error::config(format!(
                "{} does not support the {other:?} output mode",
                self.description()
            ))),
        }
    }
}
