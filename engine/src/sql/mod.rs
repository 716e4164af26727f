//! The SQL layer: DataFusion session with Spark functions, and the pipeline-file parser.

pub mod batch_plan;
pub mod coercion;
pub mod collation;
pub mod dialect;
mod function_forms;
pub mod functions;
mod generators;
mod json_tuple;
pub mod literal_types;
pub mod literals;
pub mod pipeline;
pub mod rewrite;
pub mod session;
mod spark_names;
pub mod stream_aggregate;
mod struct_star;
mod variant_check;
mod window_column;
