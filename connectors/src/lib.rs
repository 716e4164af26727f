//! spate-connectors: one folder per external system.
//!
//! `files`: the JSON file source (a watched folder, local or object store).
//! `delta`: the Delta sink (txn-keyed, exactly-once appends).
//! `kinesis`: the Kinesis source (per-shard fetch loops, offsets per shard, resharding).

pub mod delta;
pub mod files;
pub mod kinesis;
