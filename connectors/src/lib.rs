//! spate-connectors: one folder per external system.
//!
//! `files`: the JSON file source (a watched folder, local or object store).
//! `delta`: the Delta sink (txn-keyed, exactly-once appends).

pub mod delta;
pub mod files;
