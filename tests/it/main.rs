//! End-to-end tests: the `spate` binary against real folders, read back with DuckDB and deltalake.

mod aggregate;
mod checkpoint_files;
mod collation;
mod concurrent;
mod crash;
mod demo;
mod faults;
mod file_source;
mod harness;
mod kinesis;
mod kinesis_local;
mod pinterest;
mod pipeline;
mod restart;
mod s3;
mod services;
mod spark_interop;
mod sql_cmd;
mod stateful;
mod stateful_golden;
mod triggers;
mod watch;
