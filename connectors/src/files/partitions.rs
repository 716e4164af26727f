//! Partition discovery (spec §1.8): `key=value` folders above a file fill the schema's columns of
//! the same name (case-insensitive, as with `spark.sql.caseSensitive=false`).
//!
//! Which folders count follows Spark's `PartitioningUtils.parsePartition`: walking up from the
//! file's folder, plain folders are skipped until the first `key=value` one, then `key=value`
//! folders are collected until the next plain one. Names and values are unescaped (`%3D` -> `=`);
//! `__HIVE_DEFAULT_PARTITION__` is null. A value that does not cast to the column's type fails the
//! batch with Spark 4's `INVALID_PARTITION_VALUE` (checked against PySpark 4.0.1).

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, StringArray};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{Field, Schema};
use spate_engine::schema::spark_type_name;
use spate_engine::{Error, Result};

/// Hive's marker for a null partition value.
const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The `(column, value)` pairs the folders `dirs` (outermost first) define, outermost first.
pub fn parse_partition_dirs(dirs: &[String]) -> Vec<(String, Option<String>)> {
    let mut found = vec![];
    for dir in dirs.iter().rev() {
        match parse_dir(dir) {
            Some(kv) => found.push(kv),
            // A plain folder below the partition folders (Spark: `a=1/_temporary/x`) is skipped;
            // one above them ends the partition path.
            None if found.is_empty() => continue,
            None => break,
        }
    }
    found.reverse();
    found
}

fn parse_dir(name: &str) -> Option<(String, Option<String>)> {
    let (k, v) = name.split_once('=')?;
    if k.is_empty() || v.is_empty() {
        return None;
    }
    let value = unescape(v);
    Some((unescape(k), (value != NULL_PARTITION).then_some(value)))
}

/// Hive's `unescapePathName`: `%XX` escapes back to their characters.
fn unescape(s: &str) -> String {
    super::listing::percent_decode(s)
}

/// Which schema columns a file's partition values fill: `(index in schema, value)`.
///
/// `allowed` restricts the columns (Auto Loader's `partitionColumns`); a partition key the schema
/// does not name is ignored.
pub fn columns_to_fill(
    schema: &Schema,
    values: &[(String, Option<String>)],
    allowed: Option<&[String]>,
) -> Vec<(usize, Option<String>)> {
    let mut out: Vec<(usize, Option<String>)> = vec![];
    for (key, value) in values {
        if allowed.is_some_and(|a| !a.iter().any(|c| c.eq_ignore_ascii_case(key))) {
            continue;
        }
        if let Some(i) = schema
            .fields()
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(key))
        {
            // The deepest folder wins if a key repeats.
            out.retain(|(j, _)| *j != i);
            out.push((i, value.clone()));
        }
    }
    out
}

/// `rows` copies of a partition value cast to `field`'s type.
pub fn partition_array(field: &Field, value: Option<&str>, rows: usize) -> Result<ArrayRef> {
    let Some(value) = value else {
        return Ok(new_null_array(field.data_type(), rows));
    };
    let text: ArrayRef = Arc::new(StringArray::from(vec![value]));
    let one = cast_with_options(&text, field.data_type(), &CastOptions { safe: true, ..Default::default() })
        .ok()
        .filter(|a| a.is_valid(0))
        .ok_or_else(|| {
            Error::config(format!(
                "[INVALID_PARTITION_VALUE] Failed to cast value '{value}' to data type \"{}\" for partition column `{}`. \
                 Ensure the value matches the expected data type for this partition column. SQLSTATE: 42846",
                spark_type_name(field.data_type()).to_ascii_uppercase(),
                field.name()
            ))
        })?;
    let indices = arrow::array::UInt32Array::from(vec![0u32; rows]);
    Ok(arrow::compute::take(&one, &indices, None)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;
    use arrow::datatypes::{DataType, Int32Type};

    fn dirs(d: &[&str]) -> Vec<String> {
        d.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn folders_are_parsed_like_spark() {
        let kv = |k: &str, v: Option<&str>| (k.to_string(), v.map(str::to_string));
        assert_eq!(
            parse_partition_dirs(&dirs(&["dt=2024-01-01", "h=1"])),
            vec![kv("dt", Some("2024-01-01")), kv("h", Some("1"))]
        );
        assert_eq!(
            parse_partition_dirs(&dirs(&["x", "dt=1", "tmp"])),
            vec![kv("dt", Some("1"))]
        );
        assert_eq!(
            parse_partition_dirs(&dirs(&["a=1", "x", "b=2"])),
            vec![kv("b", Some("2"))]
        );
        assert_eq!(parse_partition_dirs(&dirs(&["plain"])), vec![]);
        assert_eq!(
            parse_partition_dirs(&dirs(&["h=%33", "k=__HIVE_DEFAULT_PARTITION__"])),
            vec![kv("h", Some("3")), kv("k", None)]
        );
        assert_eq!(parse_partition_dirs(&dirs(&["=1", "a="])), vec![]);
    }

    #[test]
    fn only_declared_columns_are_filled() {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("DT", DataType::Date32, true),
        ]);
        let values = vec![
            ("dt".to_string(), Some("2024-01-01".to_string())),
            ("h".to_string(), Some("1".to_string())),
        ];
        assert_eq!(
            columns_to_fill(&schema, &values, None),
            vec![(1, Some("2024-01-01".to_string()))]
        );
        assert_eq!(
            columns_to_fill(&schema, &values, Some(&["h".to_string()])),
            vec![]
        );
    }

    #[test]
    fn values_cast_to_the_declared_type() {
        let a = partition_array(&Field::new("h", DataType::Int32, true), Some("7"), 3).unwrap();
        assert_eq!(
            a.as_primitive::<Int32Type>().values().to_vec(),
            vec![7, 7, 7]
        );
        let a = partition_array(&Field::new("h", DataType::Int32, true), None, 2).unwrap();
        assert_eq!(a.null_count(), 2);
        let e = partition_array(&Field::new("h", DataType::Int32, true), Some("x"), 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("[INVALID_PARTITION_VALUE] Failed to cast value 'x' to data type \"INT\" for partition column `h`"), "{e}");
    }
}
