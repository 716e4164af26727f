//! The streaming source contract: offsets in, exactly the rows between two offsets out.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;

use crate::error::Result;

/// A source offset, written into `offsets/N` as JSON exactly as Spark does
/// (file source: `{"logOffset":N}`; Kinesis: per-shard sequence numbers).
pub type Offset = serde_json::Value;

/// How much one batch may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadLimit {
    /// Honour the source's own limits (`maxFilesPerTrigger`, ...).
    Configured,
    /// Everything available (`Trigger.Once`).
    All,
}

/// The rows of one batch and what they cost to read.
#[derive(Debug, Default)]
pub struct SourceData {
    /// Rows, all with the source's schema.
    pub batches: Vec<RecordBatch>,
    /// Rows read.
    pub num_input_rows: u64,
    /// Source-specific metrics for progress (`numFiles`, `numBadRecords`, ...).
    pub metrics: Vec<(String, String)>,
}

/// A streaming source (spec §0 steps 1, 4 and 6).
#[async_trait]
pub trait Source: Send {
    /// Spark-style description, e.g. `FileStreamSource[file:/data/in]`.
    fn description(&self) -> String;

    /// Schema of the rows `read` returns.
    fn schema(&self) -> SchemaRef;

    /// Decodes only these columns (indices into `schema`); the others may come back NULL. Spark
    /// prunes a file source's read schema this way. The default reads everything.
    fn prune_columns(&mut self, _columns: &[usize]) -> Result<()> {
        Ok(())
    }

    /// Loads the source's own state after a restart; `committed` is the end of the last finished batch.
    async fn restore(&mut self, committed: Option<&Offset>) -> Result<()>;

    /// Snapshots what is available now, for `Trigger.AvailableNow` (later data waits for the next run).
    async fn prepare_available_now(&mut self) -> Result<()>;

    /// The end offset of the next batch, or the same as `start` (or None) when nothing is new.
    /// May persist the batch's plan in the source's own log before the offsets are written.
    async fn latest_offset(
        &mut self,
        start: Option<&Offset>,
        limit: ReadLimit,
    ) -> Result<Option<Offset>>;

    /// The rows in `(start, end]`.
    async fn read(&mut self, start: Option<&Offset>, end: &Offset) -> Result<SourceData>;

    /// Everything up to `end` is processed and committed; the source may clean up.
    async fn commit(&mut self, end: &Offset) -> Result<()>;

    /// A signal that new data may be available, for sources that can be told (a watched local folder).
    ///
    /// The query asks once, the first time it goes idle under a processing-time trigger, and then
    /// waits on the receiver instead of polling, listing again whenever its value changes (and on a
    /// timer, since a signal is only a hint: `latest_offset` stays the truth). A closed channel means
    /// the source stopped signalling and the query polls again. `None` (the default): always poll.
    fn wake_signal(&mut self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}
