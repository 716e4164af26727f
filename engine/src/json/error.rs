//! Errors of the JSON reader.

/// Why JSON decoding (or its configuration) failed.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// FAILFAST met a bad record (spark-semantics.md 6.3, MALFORMED_RECORD_IN_PARSING).
    #[error("Malformed records are detected in record parsing: file {file}, line {line}: {reason}. Parse Mode: FAILFAST.")]
    MalformedRecord {
        /// The file the record came from, as given to the decoder.
        file: String,
        /// 1-based line number of the record (1 in multiLine mode).
        line: usize,
        /// What was wrong with it.
        reason: String,
    },
    /// An option has a value Spark would reject.
    #[error("invalid value '{value}' for JSON option '{key}': {reason}")]
    InvalidOption {
        /// The option name as given.
        key: String,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// An option value Spark accepts but spate does not implement yet (refused rather than ignored).
    #[error("JSON option '{key}' = '{value}' is not supported yet: {reason}")]
    UnsupportedOption {
        /// The option name as given.
        key: String,
        /// The value that is not supported.
        value: String,
        /// What is missing.
        reason: String,
    },
    /// The read schema cannot be used by the JSON reader.
    #[error("invalid JSON read schema: {0}")]
    InvalidSchema(String),
    /// Arrow refused to assemble the output.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}
