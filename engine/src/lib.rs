//! spate-engine: everything that is not a specific source or sink.
//!
//! Schemas (Spark DDL -> Arrow), Spark-compatible JSON decoding, the SQL layer,
//! the Spark-format checkpoint logs and the micro-batch loop.

pub mod checkpoint;
pub mod datetime;
pub mod error;
pub mod failpoint;
pub mod json;
pub mod progress;
pub mod query;
pub mod schema;
pub mod sink;
pub mod source;
pub mod sql;
pub mod state;
pub mod storage;
pub mod trigger;
pub mod variant;

pub use error::{Error, Result};
