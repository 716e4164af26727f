//! End-to-end tests: the `spate` binary against real folders, read back with DuckDB and deltalake.

mod checkpoint_files;
mod concurrent;
mod harness;
mod pipeline;
mod restart;
mod sql_cmd;
mod triggers;
