//! The Delta sink: exactly-once appends keyed by the Delta `txn` action (spec §5).

pub mod arrow_types;
pub mod catalog;
pub mod sink;

pub use catalog::register_warehouse_tables;
pub use sink::{DeltaSink, DeltaSinkOptions};
