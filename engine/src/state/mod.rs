//! Stateful streaming (spec §9): the checkpointed state store and the operators that use it.

pub mod aggregate;
pub mod dedup;
pub mod runtime;
pub mod session;
pub mod store;
pub mod window;

pub use aggregate::{AggregateShape, GroupKey, OutputMode, SessionGap, StreamingAggregate};
pub use dedup::{DedupMetrics, DedupSpec, Deduplicate, Watermark};
pub use runtime::{Stateful, StatefulRuntime};
pub use store::StateStore;

/// Spark 4.0.1's refusal of streaming state keyed on a collated string (`column` of Spark type
/// `type_name`): its state store compares keys byte by byte, and so does spate's.
pub fn collated_state_key(column: &str, type_name: &str) -> crate::error::Error {
    crate::error::Error::config(format!(
        "[STATE_STORE_UNSUPPORTED_OPERATION_BINARY_INEQUALITY] Binary inequality column is not \
         supported with state store. Provided schema: `{column}` {type_name}. As in Spark 4.0.1, \
         streaming de-duplication and aggregation keep state only on keys that compare byte by \
         byte: use CAST({column} AS STRING) as the key instead (lower(CAST({column} AS STRING)) \
         to ignore case)"
    ))
}
