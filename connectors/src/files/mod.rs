//! The JSON file source: Spark's `FileStreamSource` over object_store.

pub mod batch;
pub mod listing;
pub mod options;
pub mod source;
pub mod source_log;

pub use options::FileSourceOptions;
pub use source::FileSource;

/// Errors of the file source.
#[derive(Debug, thiserror::Error)]
pub enum FileSourceError {
    /// An option has an invalid value (Spark's wording where it has one).
    #[error("{0}")]
    InvalidOption(String),
    /// The source log holds something unexpected.
    #[error("source log {path}: {message}")]
    Log { path: String, message: String },
}
