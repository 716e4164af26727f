//! Spark data types as Arrow types, and Spark's names for Arrow types.
//!
//! Both schema parsers (DDL and StructType JSON) build their Arrow types through the helpers
//! here, so the two agree on field names, nullability and time zones.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, IntervalUnit, TimeUnit};

use super::collation::spark_field_type_name;

/// Largest precision of a Spark `DECIMAL` (and of Arrow's `Decimal128`).
pub const MAX_DECIMAL_PRECISION: u8 = 38;

/// Precision of a bare `DECIMAL` / `"decimal"` (Spark's `DecimalType.USER_DEFAULT`).
pub const DEFAULT_DECIMAL_PRECISION: u8 = 10;

/// Name of an Arrow list's element field (the Parquet/Delta convention, not arrow-rs' `item`).
pub const LIST_ELEMENT_NAME: &str = "element";

/// Name of an Arrow map's entries field (the Parquet/Delta convention, not arrow-rs' `entries`).
pub const MAP_ENTRIES_NAME: &str = "key_value";

/// Field-metadata key that holds a column's `COMMENT` (same key as Spark's StructField metadata).
pub const COMMENT_KEY: &str = "comment";

/// Spark `TIMESTAMP` / `TIMESTAMP_LTZ`: an instant, stored as UTC microseconds.
pub fn timestamp_ltz() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Spark `TIMESTAMP_NTZ`: a wall-clock time with no zone, in microseconds.
pub fn timestamp_ntz() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

/// Spark `INTERVAL DAY TO SECOND`: a count of microseconds, as Spark stores it.
pub fn day_time_interval() -> DataType {
    DataType::Duration(TimeUnit::Microsecond)
}

/// Spark `INTERVAL YEAR TO MONTH`: a count of months, as Spark stores it.
pub fn year_month_interval() -> DataType {
    DataType::Interval(IntervalUnit::YearMonth)
}

/// Fields of Spark's ANSI intervals, coarsest first; YEAR/MONTH are year-month, the rest day-time.
const INTERVAL_FIELDS: [&str; 6] = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];

/// Why an interval qualifier could not be mapped: not Spark's grammar, or not representable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntervalError {
    /// Spark itself refuses it (`MONTH TO YEAR`, `DAY TO MONTH`, an unknown field).
    Invalid(String),
    /// Spark accepts it but spate cannot keep its meaning in an Arrow type.
    Unsupported(String),
}

/// The Arrow type of Spark's ANSI interval `INTERVAL start [TO end]` (field names upper case).
///
/// Arrow's Duration and Interval(YearMonth) hold the same values as Spark's day-time and
/// year-month intervals but no field range, so only the full ranges map faithfully: a narrower
/// one (`INTERVAL HOUR`) would print, cast and name differently, and is refused.
pub fn ansi_interval(start: &str, end: Option<&str>) -> Result<DataType, IntervalError> {
    let index = |f: &str| INTERVAL_FIELDS.iter().position(|x| *x == f);
    let written = match end {
        Some(e) => format!("INTERVAL {start} TO {e}"),
        None => format!("INTERVAL {start}"),
    };
    let (Some(from), Some(to)) = (index(start), index(end.unwrap_or(start))) else {
        return Err(IntervalError::Invalid(format!(
            "{written} is not an interval type (fields are YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)"
        )));
    };
    let year_month = |i: usize| i < 2;
    if year_month(from) != year_month(to) || (end.is_some() && to <= from) {
        return Err(IntervalError::Invalid(format!(
            "{written} is not an interval type (the end field must be finer than the start, \
             within YEAR TO MONTH or DAY TO SECOND)"
        )));
    }
    match (from, to) {
        (0, 1) => Ok(year_month_interval()),
        (2, 5) => Ok(day_time_interval()),
        _ => {
            let full = if year_month(from) {
                "INTERVAL YEAR TO MONTH"
            } else {
                "INTERVAL DAY TO SECOND"
            };
            Err(IntervalError::Unsupported(format!(
                "{written} is not supported: spate stores intervals as Arrow types that keep no \
                 field range; use {full}"
            )))
        }
    }
}

/// Spark `DECIMAL(p,s)`; the error text says which bound was broken.
///
/// `DECIMAL(0,0)` is Spark's too and stays `Decimal128(0, 0)`: Spark's decimals check the
/// value's `BigDecimal.precision` (at least 1, even for 0) against the declared one, so such a
/// column never holds a value (every non-null JSON value is a bad one, checked on 4.0.1) and
/// its arrays are all null, which Arrow builds without validating the precision. Parquet, and so
/// the Delta sink, cannot store precision 0 and refuse the column by name.
pub fn decimal(precision: u64, scale: u64) -> Result<DataType, String> {
    if precision > u64::from(MAX_DECIMAL_PRECISION) {
        return Err(format!(
            "decimal precision {precision} is out of range (0 to {MAX_DECIMAL_PRECISION})"
        ));
    }
    if scale > precision {
        return Err(format!(
            "decimal scale {scale} cannot be greater than precision {precision}"
        ));
    }
    // Both fit in u8/i8 after the checks above (scale <= precision <= 38).
    let (p, s) = (precision as u8, scale as i8);
    Ok(DataType::Decimal128(p, s))
}

/// Spark `ARRAY<element>`; `contains_null` is Spark's `containsNull`.
pub fn list_of(element: DataType, contains_null: bool) -> DataType {
    DataType::List(Arc::new(Field::new(
        LIST_ELEMENT_NAME,
        element,
        contains_null,
    )))
}

/// Spark `MAP<key, value>`; keys are never null, `value_contains_null` is `valueContainsNull`.
pub fn map_of(key: DataType, value: DataType, value_contains_null: bool) -> DataType {
    let entries = Fields::from(vec![
        Field::new("key", key, false),
        Field::new("value", value, value_contains_null),
    ]);
    let entries = Field::new(MAP_ENTRIES_NAME, DataType::Struct(entries), false);
    // Spark maps carry no key order, so `keys_sorted` is false.
    DataType::Map(Arc::new(entries), false)
}

/// A field with Spark's `comment` metadata set when `comment` is given.
pub fn field_with_comment(
    name: impl Into<String>,
    data_type: DataType,
    nullable: bool,
    comment: Option<String>,
) -> Field {
    let field = Field::new(name, data_type, nullable);
    match comment {
        Some(text) => field.with_metadata(HashMap::from([(COMMENT_KEY.to_string(), text)])),
        None => field,
    }
}

/// Index of the first field whose name repeats an earlier one, ignoring case unless
/// `case_sensitive`.
///
/// Spark resolves columns case-insensitively by default (`spark.sql.caseSensitive=false`), so
/// `a` and `A` collide when a source resolves its schema
/// (`SchemaUtils.checkSchemaColumnNameDuplication`); with the conf true they are two columns.
pub fn duplicate_name_index(fields: &[Field], case_sensitive: bool) -> Option<usize> {
    let mut seen = HashSet::with_capacity(fields.len());
    fields.iter().position(|f| {
        let name = if case_sensitive {
            f.name().clone()
        } else {
            f.name().to_lowercase()
        };
        !seen.insert(name)
    })
}

/// Spark conf that makes CHAR(n)/VARCHAR(n) plain STRING in schemas.
pub const CHAR_VARCHAR_AS_STRING: &str = "spark.sql.legacy.charVarcharAsString";

/// The message both parsers give for `CHAR(n)`/`VARCHAR(n)` (refused by Spark 4 read schemas).
pub fn char_varchar_message(written: &str) -> String {
    format!(
        "{written} is not supported in a read schema (Spark 4 refuses CHAR/VARCHAR unless \
         spark.sql.legacy.charVarcharAsString is true); use STRING"
    )
}

/// Spark's short, lower-case name for an Arrow type (`bigint`, `decimal(10,2)`, `array<string>`).
///
/// This follows Spark's `simpleString`; struct field names are back-quoted only when they are
/// not plain identifiers, so the result parses back as a DDL type. Arrow types Spark has no
/// name for fall back to Arrow's own name in lower case.
pub fn spark_type_name(dt: &DataType) -> String {
    match dt {
        DataType::Null => "void".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "binary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        DataType::Interval(IntervalUnit::YearMonth) => "interval year to month".into(),
        DataType::Interval(IntervalUnit::DayTime) | DataType::Duration(_) => {
            "interval day to second".into()
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => "interval".into(),
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _) => format!("array<{}>", spark_field_type_name(f)),
        dt if crate::variant::is_variant(dt) => "variant".into(),
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", quote_if_needed(f.name()), spark_field_type_name(f)))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                spark_field_type_name(&kv[0]),
                spark_field_type_name(&kv[1])
            ),
            // A malformed map (Arrow allows building one): show what Arrow calls it.
            other => format!("map<{}>", spark_type_name(other)),
        },
        // Encodings do not change the logical type Spark would see.
        DataType::Dictionary(_, value) => spark_type_name(value),
        DataType::RunEndEncoded(_, values) => spark_type_name(values.data_type()),
        other => other.to_string().to_lowercase(),
    }
}

/// `name` as written in DDL: bare when it is a plain identifier, else back-quoted.
///
/// Mirrors Spark's `QuotingUtils.quoteIfNeeded`.
pub fn quote_if_needed(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_names() {
        let cases = [
            (DataType::Null, "void"),
            (DataType::Boolean, "boolean"),
            (DataType::Int8, "tinyint"),
            (DataType::Int16, "smallint"),
            (DataType::Int32, "int"),
            (DataType::Int64, "bigint"),
            (DataType::Float32, "float"),
            (DataType::Float64, "double"),
            (DataType::Decimal128(10, 2), "decimal(10,2)"),
            (DataType::Decimal256(40, 0), "decimal(40,0)"),
            (DataType::Utf8, "string"),
            (DataType::LargeUtf8, "string"),
            (DataType::Utf8View, "string"),
            (DataType::Binary, "binary"),
            (DataType::LargeBinary, "binary"),
            (DataType::Date32, "date"),
            (timestamp_ltz(), "timestamp"),
            (
                DataType::Timestamp(TimeUnit::Millisecond, Some("+02:00".into())),
                "timestamp",
            ),
            (timestamp_ntz(), "timestamp_ntz"),
            (
                DataType::Interval(IntervalUnit::YearMonth),
                "interval year to month",
            ),
            (DataType::UInt8, "uint8"),
        ];
        for (dt, name) in cases {
            assert_eq!(spark_type_name(&dt), name, "{dt:?}");
        }
    }

    #[test]
    fn nested_names() {
        let st = DataType::Struct(Fields::from(vec![
            Field::new("a", DataType::Int32, true),
            Field::new("my col", list_of(DataType::Utf8, true), true),
            Field::new("b`c", DataType::Int64, true),
            Field::new("1", DataType::Int64, true),
        ]));
        assert_eq!(
            spark_type_name(&st),
            "struct<a:int,`my col`:array<string>,`b``c`:bigint,`1`:bigint>"
        );
        assert_eq!(
            spark_type_name(&map_of(DataType::Utf8, DataType::Int64, true)),
            "map<string,bigint>"
        );
        assert_eq!(
            spark_type_name(&list_of(list_of(DataType::Int32, true), false)),
            "array<array<int>>"
        );
        assert_eq!(
            spark_type_name(&DataType::Struct(Fields::empty())),
            "struct<>"
        );
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert_eq!(spark_type_name(&dict), "string");
    }

    #[test]
    fn map_and_list_shapes() {
        let DataType::Map(entries, sorted) = map_of(DataType::Utf8, DataType::Int64, true) else {
            panic!("not a map")
        };
        assert!(!sorted);
        assert_eq!(entries.name(), "key_value");
        assert!(!entries.is_nullable());
        let DataType::Struct(kv) = entries.data_type() else {
            panic!("entries not a struct")
        };
        assert_eq!(kv[0].name(), "key");
        assert!(!kv[0].is_nullable());
        assert_eq!(kv[1].name(), "value");
        assert!(kv[1].is_nullable());

        let DataType::List(element) = list_of(DataType::Utf8, false) else {
            panic!("not a list")
        };
        assert_eq!(element.name(), "element");
        assert!(!element.is_nullable());
    }

    #[test]
    fn decimal_bounds() {
        assert_eq!(decimal(38, 38), Ok(DataType::Decimal128(38, 38)));
        assert_eq!(decimal(1, 0), Ok(DataType::Decimal128(1, 0)));
        assert!(decimal(39, 0).unwrap_err().contains("out of range"));
        assert_eq!(decimal(0, 0), Ok(DataType::Decimal128(0, 0)));
        assert!(decimal(5, 6)
            .unwrap_err()
            .contains("greater than precision"));
        assert!(decimal(u64::MAX, 0).is_err());
    }

    #[test]
    fn duplicates_ignore_case() {
        let fields = [
            Field::new("a", DataType::Int32, true),
            Field::new("B", DataType::Int32, true),
            Field::new("b", DataType::Int32, true),
        ];
        assert_eq!(duplicate_name_index(&fields, false), Some(2));
        assert_eq!(duplicate_name_index(&fields[..2], false), None);
        assert_eq!(duplicate_name_index(&fields, true), None);
        let same = [fields[0].clone(), fields[0].clone()];
        assert_eq!(duplicate_name_index(&same, true), Some(1));
    }

    #[test]
    fn comment_metadata() {
        let f = field_with_comment("x", DataType::Int32, true, Some("EUR".into()));
        assert_eq!(f.metadata().get("comment").map(String::as_str), Some("EUR"));
        let f = field_with_comment("x", DataType::Int32, true, None);
        assert!(f.metadata().is_empty());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_if_needed("a_1"), "a_1");
        assert_eq!(quote_if_needed("my col"), "`my col`");
        assert_eq!(quote_if_needed(""), "``");
        assert_eq!(quote_if_needed("42"), "`42`");
    }
}
