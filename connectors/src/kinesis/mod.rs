//! The Kinesis source: `STREAM read_kinesis(...)`, exactly once across restarts and resharding.
//!
//! ```text
//!  options.rs   read_kinesis(...) options (Databricks' names, spec §8.3-8.4)
//!  client.rs    the AWS SDK client: ListShards / GetShardIterator / GetRecords, errors classified
//!  offsets.rs   offsets/N JSON: per stream and shard, the last sequence number read (or SHARD_END)
//!  shards.rs    lineage and the pure decisions: which shard to start, when, from where (spec §8.6)
//!  fetcher.rs   one background loop per shard: GetRecords into a bounded buffer
//!  records.rs   the record schema of spec §8.5 and its Arrow batches
//!  source.rs    spate_engine::source::Source over all of the above
//! ```

pub mod client;
pub mod fetcher;
pub mod offsets;
pub mod options;
pub mod records;
pub mod shards;
pub mod source;

pub use options::KinesisOptions;
pub use source::KinesisSource;

/// Errors of the Kinesis source; each says whose fault it is and what to do.
#[derive(Debug, thiserror::Error)]
pub enum KinesisError {
    /// A `read_kinesis` option is missing or invalid.
    #[error("{0}")]
    InvalidOption(String),
    /// A Kinesis API call failed in a way retrying will not fix (or retries ran out).
    #[error("Kinesis {operation} on stream {stream}: {message}")]
    Api {
        operation: &'static str,
        stream: String,
        message: String,
    },
    /// An offset in the checkpoint is not a Kinesis offset spate wrote.
    #[error("not a Kinesis source offset ({reason}): {offset}")]
    BadOffset { offset: String, reason: String },
    /// Records a batch was planned with are no longer in the stream (past retention).
    #[error("stream {stream}, shard {shard}: the records up to sequence number {sequence} that batch planned are no longer in the stream (past the retention period?); they cannot be re-read")]
    DataLoss {
        stream: String,
        shard: String,
        sequence: String,
    },
}

impl From<KinesisError> for spate_engine::Error {
    fn from(e: KinesisError) -> Self {
        match e {
            KinesisError::InvalidOption(m) => spate_engine::Error::Config(m),
            other => spate_engine::Error::Source {
                description: "Kinesis".into(),
                source: Box::new(other),
            },
        }
    }
}
