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

/// A streaming sink: `add_batch` must be idempotent per batch id (spec §5.2).
#[async_trait]
pub trait Sink: Send {
    /// Spark-style description, e.g. `DeltaSink[file:/warehouse/pins]`.
    fn description(&self) -> String;

    /// Tells the sink the query id it writes for (the Delta `txn.appId`).
    fn set_query_id(&mut self, query_id: &str);

    /// Appends `batches` as batch `batch_id`, or skips them if that batch is already in.
    async fn add_batch(
        &mut self,
        batch_id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<SinkOutcome>;
}
