//! Arrow types Delta can hold: what DataFusion produces is converted before writing.
//!
//! Delta `timestamp` is microseconds UTC; DataFusion computes in nanoseconds and uses view types
//! for strings, which Delta's schema mapping and older readers do not take.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit};

use spate_engine::schema::spark_type_name;
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

/// Refuses columns a Delta table cannot hold, naming the (nested) column and what to do.
///
/// Delta has no interval types, so Spark's ANSI intervals (Arrow Duration / Interval) are
/// refused rather than written as something a reader would take for another type.
pub fn check_writable(schema: &Schema) -> Result<()> {
    for f in schema.fields() {
        check_field(f.name(), f)?;
    }
    Ok(())
}

fn check_field(path: &str, f: &Field) -> Result<()> {
    let refuse = |why: &str| {
        Err(spate_engine::Error::config(format!(
            "column '{path}' has type {}, which a Delta table cannot store ({why}); cast it in \
             the query (for example to STRING)",
            spark_type_name(f.data_type())
        )))
    };
    match f.data_type() {
        DataType::Duration(_) | DataType::Interval(_) => refuse("Delta has no interval types"),
        DataType::Decimal128(0, _) => refuse("Parquet decimals need a precision of at least 1"),
        dt if spate_engine::variant::is_variant(dt) => refuse(
            "delta-rs does not write Delta's variantType table feature; to_json(v) keeps its text",
        ),
        DataType::List(e)
        | DataType::LargeList(e)
        | DataType::ListView(e)
        | DataType::LargeListView(e)
        | DataType::FixedSizeList(e, _) => check_field(&format!("{path}.element"), e),
        DataType::Struct(fields) => {
            for c in fields {
                check_field(&format!("{path}.{}", c.name()), c)?;
            }
            Ok(())
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) => {
                for c in kv {
                    check_field(&format!("{path}.{}", c.name()), c)?;
                }
                Ok(())
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
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
    fn intervals_zero_precision_decimals_and_variants_are_refused_by_column() {
        let s = Schema::new(vec![
            Field::new("a", DataType::Int32, true),
            Field::new(
                "s",
                DataType::Struct(
                    vec![Field::new(
                        "d",
                        DataType::Duration(TimeUnit::Microsecond),
                        true,
                    )]
                    .into(),
                ),
                true,
            ),
        ]);
        let e = check_writable(&s).unwrap_err().to_string();
        assert!(
            e.contains("column 's.d' has type interval day to second"),
            "{e}"
        );
        assert!(check_writable(&Schema::new(vec![Field::new("a", DataType::Int32, true)])).is_ok());
        let zero = Schema::new(vec![Field::new("z", DataType::Decimal128(0, 0), true)]);
        let e = check_writable(&zero).unwrap_err().to_string();
        assert!(e.contains("column 'z' has type decimal(0,0)"), "{e}");
        let v = Schema::new(vec![Field::new(
            "l",
            DataType::List(Arc::new(Field::new(
                "element",
                spate_engine::variant::variant_type(),
                true,
            ))),
            true,
        )]);
        let e = check_writable(&v).unwrap_err().to_string();
        assert!(e.contains("column 'l.element' has type variant"), "{e}");
    }

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
