//! Spark-compatible JSON Lines -> Arrow decoding (spark-semantics.md section 6).
//!
//! [`decode_json_lines`] (one batch) and [`decode_json_batches`] (batches of about a
//! [`BatchSize`], handed over as they are built) read records with a declared schema the way
//! Spark's JSON file source does: lines split on `\n`, `\r\n` or `\r`; blank lines skipped; a
//! top-level array of objects gives one row per element; only the first JSON value of a line is
//! read; keys match exactly; tokens convert per Spark's table (6.4: exact text for STRING,
//! integer tokens only for integral types, epoch seconds for TIMESTAMP, ...); and bad records
//! follow the parse mode (PERMISSIVE with partial results and the corrupt-record column,
//! DROPMALFORMED, FAILFAST).
//!
//! With Databricks' `rescuedDataColumn` option, what does not fit the schema is kept as JSON text
//! in that column and is no longer a bad record (rules in `rescue.rs`).
//!
//! Pipeline per record: `scan` finds the line, `tape` tokenizes and validates the first value
//! (Jackson's grammar with Spark's default leniencies), `convert` appends typed values into
//! rollback-able `columns`, and `decoder` applies the parse mode.
//!
//! Caller notes:
//! - Pass the schema of the columns the query actually reads: Spark parses only the selected
//!   columns, so a bad value in an unselected column does not make the record bad (errata).
//!   `sql::session::read_columns` finds them and [`pruned_schema`] builds the read schema
//!   (refusing, like Spark, a query that reads only the corrupt-record column).
//! - Build the options with [`JsonOptions::from_options_and_conf`] so the session's confs apply
//!   like in Spark (`spark.sql.session.timeZone` for zone-less TIMESTAMP strings,
//!   `spark.sql.json.enablePartialResults`, `spark.sql.legacy.json.allowEmptyString.enabled`,
//!   `spark.sql.columnNameOfCorruptRecord`); the zone in the Arrow type is only carried through.
//! - Checked against PySpark 4.0.1 by tests/golden (engine/tests/spark_golden.rs).
//! - Not implemented (refused by `JsonOptions::from_options`, never silently ignored):
//!   `timestampNTZFormat` patterns, non-en-US `locale` and `enableDateTimeParsingFallback=false`.
//!
//! There is no arrow-json fast path: arrow-json 59 accepts inputs Spark rejects whatever the
//! schema (`01`, `1.`, `1-2` are numbers to it even in ignored fields, raw tabs are allowed in
//! strings), and it reads strings into integer/float columns, so no type set makes its output a
//! safe subset of Spark's. `benches/json_decode.rs` compares the two on the same bytes, both in
//! 8192-row batches.

mod base64;
mod columns;
mod convert;
mod decoder;
mod error;
mod lookup;
mod numbers;
mod options;
mod path;
mod plan;
mod rescue;
mod scan;
mod tape;
mod temporal;
mod unescape;
mod variant;

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod rescue_tests;
#[cfg(test)]
mod tests;

pub use decoder::{decode_json_batches, decode_json_lines, BatchSize, DecodeStats};
pub use error::JsonError;
pub use options::{Charset, JsonOptions, ParseMode};
pub use path::{get_json_object, json_array_length, json_object_keys};
pub use rescue::write_json_string;
pub use variant::{parse_json, ParseJsonError};

/// The read schema for the columns a query uses (`columns`: indices into `schema`), as Spark's
/// JSON source prunes it. A query that uses only the corrupt-record column is refused, like
/// Spark (UNSUPPORTED_FEATURE.QUERY_ONLY_CORRUPT_RECORD_COLUMN): without the data columns no
/// record could be found bad.
pub fn pruned_schema(
    schema: &arrow::datatypes::SchemaRef,
    opts: &JsonOptions,
    columns: &[usize],
) -> Result<arrow::datatypes::SchemaRef, JsonError> {
    let corrupt = schema.index_of(&opts.column_name_of_corrupt_record).ok();
    if !columns.is_empty() && columns.iter().all(|c| Some(*c) == corrupt) {
        return Err(JsonError::InvalidSchema(format!(
            "[UNSUPPORTED_FEATURE.QUERY_ONLY_CORRUPT_RECORD_COLUMN] Queries from raw JSON files are disallowed when \
             the referenced columns only include the internal corrupt record column (named `{}`)",
            opts.column_name_of_corrupt_record
        )));
    }
    Ok(std::sync::Arc::new(schema.project(columns)?))
}

/// The schema [`decode_json_lines`] produces for `schema`: same fields, all nullable.
pub fn output_schema(
    schema: &arrow::datatypes::SchemaRef,
    opts: &JsonOptions,
) -> Result<arrow::datatypes::SchemaRef, JsonError> {
    Ok(plan::plan(schema, opts)?.out_schema)
}
