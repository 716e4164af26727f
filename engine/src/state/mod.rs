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
