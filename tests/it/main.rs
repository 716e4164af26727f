//! End-to-end tests: the `spate` binary against real folders, read back with DuckDB and deltalake.

mod checkpoint_files;
mod concurrent;
mod demo;
mod harness;
mod pinterest;
mod pipeline;
mod restart;
mod sql_cmd;
mod triggers;
