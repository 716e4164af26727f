//! The hidden `_metadata` column of file sources (spec §1.10): which file each row came from.
//!
//! Field names, order and values are what PySpark 4.0.1 printed for a streaming JSON source:
//! `struct<file_path:string,file_name:string,file_size:bigint,file_block_start:bigint,
//! file_block_length:bigint,file_modification_time:timestamp>`, with `file_path` in Hadoop's
//! `file:/x/a%20b.json` form and `file_name` the last, still-encoded component (`a%20b.json`).
//! spate reads each file whole, so a file is one block.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray, StructArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Fields, TimeUnit};

/// The column's name.
pub const METADATA_COLUMN: &str = "_metadata";

fn fields() -> Fields {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Fields::from(vec![
        Field::new("file_path", DataType::Utf8, true),
        Field::new("file_name", DataType::Utf8, true),
        Field::new("file_size", DataType::Int64, true),
        Field::new("file_block_start", DataType::Int64, true),
        Field::new("file_block_length", DataType::Int64, true),
        Field::new("file_modification_time", ts, true),
    ])
}

/// The `_metadata` struct field added to the source schema.
pub fn metadata_field() -> Field {
    Field::new(METADATA_COLUMN, DataType::Struct(fields()), true)
}

/// Spark's `_metadata.file_path` for a file key: Hadoop's single-slash `file:/` form for local files.
pub fn spark_file_path(uri: &str) -> String {
    match uri.strip_prefix("file:///") {
        Some(rest) => format!("file:/{rest}"),
        None => uri.to_string(),
    }
}

/// `rows` copies of one file's metadata.
pub fn metadata_array(uri: &str, size: u64, mtime_ms: i64, rows: usize) -> ArrayRef {
    let path = spark_file_path(uri);
    let name = uri.rsplit('/').next().unwrap_or(uri);
    let size = size as i64;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![path.as_str(); rows])),
        Arc::new(StringArray::from(vec![name; rows])),
        Arc::new(Int64Array::from(vec![size; rows])),
        Arc::new(Int64Array::from(vec![0i64; rows])),
        Arc::new(Int64Array::from(vec![size; rows])),
        Arc::new(
            TimestampMicrosecondArray::from(vec![mtime_ms.saturating_mul(1000); rows])
                .with_timezone("UTC"),
        ),
    ];
    Arc::new(StructArray::new(fields(), columns, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};

    #[test]
    fn values_are_sparks() {
        let a = metadata_array("file:///tmp/in/a%20b.json", 9, 1_735_689_600_000, 2);
        let s = a.as_struct();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.column(0).as_string::<i32>().value(0),
            "file:/tmp/in/a%20b.json"
        );
        assert_eq!(s.column(1).as_string::<i32>().value(1), "a%20b.json");
        assert_eq!(
            s.column(2)
                .as_primitive::<arrow::datatypes::Int64Type>()
                .value(0),
            9
        );
        assert_eq!(
            s.column(5)
                .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                .value(0),
            1_735_689_600_000_000
        );
        assert_eq!(spark_file_path("s3://b/in/x.json"), "s3://b/in/x.json");
        assert_eq!(a.data_type(), metadata_field().data_type());
    }
}
