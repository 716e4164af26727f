//! Arrow types Delta can hold: what DataFusion produces is converted before writing.
//!
//! Delta `timestamp` is microseconds UTC; DataFusion computes in nanoseconds and uses view types
//! for strings, which Delta's schema mapping and older readers do not take.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit};

use spate_engine::Result;

/// The Delta-writable equivalent of `dt`.
pub fn delta_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary | DataType::FixedSizeBinary(_) => {
            DataType::Binary
        }
        // Spark TIMESTAMP: microseconds, UTC. Zone-less DataFusion timestamps come from a UTC session.
        DataType::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Date64 => DataType::Date32,
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        DataType::Float16 => DataType::Float32,
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _) => DataType::List(Arc::new(Field::new(
            "element",
            delta_type(f.data_type()),
            true,
        ))),
        DataType::Struct(fields) => DataType::Struct(delta_fields(fields)),
        DataType::Map(entries, sorted) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                let key = Field::new("key", delta_type(kv[0].data_type()), false);
                let value = Field::new("value", delta_type(kv[1].data_type()), true);
                DataType::Map(
                    Arc::new(Field::new(
                        "key_value",
                        DataType::Struct(vec![key, value].into()),
                        false,
                    )),
                    *sorted,
                )
            }
            other => other.clone(),
        },
        DataType::Dictionary(_, v) => delta_type(v),
        other => other.clone(),
    }
}

fn delta_fields(fields: &Fields) -> Fields {
    fields
        .iter()
        .map(|f| Arc::new(Field::new(f.name(), delta_type(f.data_type()), true)) as FieldRef)
        .collect()
}

/// The table schema for a plan's output: Delta types, every column nullable (a later batch may hold nulls).
pub fn delta_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(delta_fields(schema.fields())))
}

/// Casts a batch to `target`, matching columns by name (the table's column order wins).
pub fn to_schema(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(target.fields().len());
    for f in target.fields() {
        let c = batch.column_by_name(f.name()).ok_or_else(|| {
            spate_engine::Error::config(format!(
                "the query's output has no column '{}' but the Delta table has; changing a streaming table's columns needs a new table",
                f.name()
            ))
        })?;
        cols.push(if c.data_type() == f.data_type() {
            c.clone()
        } else {
            cast(c, f.data_type())?
        });
    }
    if batch.num_columns() != target.fields().len() {
        return Err(spate_engine::Error::config(format!(
            "the query's output has {} columns but the Delta table has {}; changing a streaming table's columns needs a new table",
            batch.num_columns(),
            target.fields().len()
        )));
    }
    Ok(RecordBatch::try_new(target.clone(), cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{StringViewArray, TimestampNanosecondArray};

    #[test]
    fn nanos_and_views_become_delta_types() {
        let s = Schema::new(vec![
            Field::new("t", DataType::Timestamp(TimeUnit::Nanosecond, None), false),
            Field::new("s", DataType::Utf8View, false),
        ]);
        let target = delta_schema(&s);
        assert_eq!(
            target.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(target.field(1).data_type(), &DataType::Utf8);
        assert!(target.field(0).is_nullable());
        let b = RecordBatch::try_new(
            Arc::new(s),
            vec![
                Arc::new(TimestampNanosecondArray::from(vec![1_500_000_000i64])),
                Arc::new(StringViewArray::from(vec!["x"])),
            ],
        )
        .unwrap();
        let out = to_schema(&b, &target).unwrap();
        assert_eq!(out.schema(), target);
    }
}
