//! The engine's error type: says whose fault it is (input, storage, another writer) in its text.

use std::error::Error as StdError;

/// A boxed error from a source or sink implementation.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// Everything that can stop a streaming query or a batch query.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing the checkpoint, a table or an input file failed.
    #[error("storage: {0}")]
    Storage(#[from] object_store::Error),
    /// A location could not be turned into a storage URL.
    #[error("invalid location '{location}': {reason}")]
    Location { location: String, reason: String },
    /// The checkpoint holds something spate cannot read or that contradicts the query.
    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: String, message: String },
    /// Another live query owns this checkpoint.
    #[error("checkpoint {path} is in use by another running query ({holder}); stop it first, or wait until its lease expires at {expires}")]
    CheckpointInUse {
        path: String,
        holder: String,
        expires: String,
    },
    /// Two writers raced for the same log entry.
    #[error("Concurrent update to the log {path}. Multiple streaming jobs detected for batch {batch_id}")]
    ConcurrentUpdate { path: String, batch_id: u64 },
    /// The declared schema is invalid.
    #[error(transparent)]
    Schema(#[from] crate::schema::SchemaError),
    /// A record could not be parsed (FAILFAST) or JSON options are invalid.
    #[error(transparent)]
    Json(#[from] crate::json::JsonError),
    /// The pipeline file is invalid.
    #[error(transparent)]
    Pipeline(#[from] crate::sql::pipeline::PipelineError),
    /// Planning or running SQL failed.
    #[error("SQL: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// Arrow rejected data (casts, batch assembly).
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// An option or setting has an invalid value.
    #[error("{0}")]
    Config(String),
    /// An expectation with ON VIOLATION FAIL UPDATE saw a violating row.
    #[error("expectation '{name}' failed on table {table}: {count} row(s) violate ({expr}); ON VIOLATION FAIL UPDATE stops the update")]
    ExpectationFailed {
        table: String,
        name: String,
        expr: String,
        count: u64,
    },
    /// A source failed (its description says which).
    #[error("source {description}: {source}")]
    Source {
        description: String,
        source: BoxError,
    },
    /// A sink failed (its description says which).
    #[error("sink {description}: {source}")]
    Sink {
        description: String,
        source: BoxError,
    },
}

/// Result with the engine's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for a configuration error.
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
}
