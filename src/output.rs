//! Printing query results: aligned table, CSV, or JSON lines.

use std::io::Write;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use crate::Format;

/// Prints `batches` to stdout in `format`.
pub fn print_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: Format,
) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Table => {
            // Spark's show(): NULL for nulls, timestamps as `yyyy-MM-dd HH:mm:ss[.fraction]`.
            let opts = arrow::util::display::FormatOptions::default()
                .with_null("NULL")
                .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"))
                .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.f"));
            let empty = [RecordBatch::new_empty(schema.clone())];
            // Show the header even for an empty result.
            let shown = if batches.is_empty() {
                &empty[..]
            } else {
                batches
            };
            let table = arrow::util::pretty::pretty_format_batches_with_options(shown, &opts)
                .map_err(|e| e.to_string())?;
            writeln!(out, "{table}").map_err(|e| e.to_string())?;
        }
        Format::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut out);
            if batches.is_empty() {
                w.write(&RecordBatch::new_empty(schema.clone()))
                    .map_err(|e| e.to_string())?;
            }
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
        }
        Format::Json => {
            let mut w = arrow::json::LineDelimitedWriter::new(&mut out);
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
            w.finish().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
