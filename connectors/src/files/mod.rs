//! The JSON file source: Spark's `FileStreamSource` over object_store.

pub mod batch;
pub mod clean_source;
pub mod compression;
pub mod existing_files;
pub mod glob;
pub mod incremental_listing;
pub mod inferred_schema;
pub mod listing;
pub mod metadata_column;
pub mod options;
pub mod partitions;
pub mod read_limit;
pub mod reader;
pub mod schema_inference;
pub mod schema_location;
pub mod seen_files;
pub mod source;
pub mod source_log;
#[cfg(test)]
mod source_tests;
pub mod watch;

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
