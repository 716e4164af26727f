//! The SQL layer: DataFusion session with Spark functions, and the pipeline-file parser.

pub mod batch_plan;
pub mod dialect;
pub mod functions;
mod generators;
pub mod pipeline;
pub mod rewrite;
pub mod session;
pub mod stream_aggregate;
mod struct_star;
mod variant_check;
