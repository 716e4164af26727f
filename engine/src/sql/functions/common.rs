//! Plumbing shared by the Spark-compatible functions: argument checks and coercion, turning
//! scalar/array arguments into arrays and back, pattern caching, and timestamp conversions.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs};

use crate::datetime::pattern::{days_since_epoch, local_to_utc_micros, SparkPattern};

/// Spark's TIMESTAMP (LTZ) as Arrow: microseconds, an instant labelled UTC.
pub(crate) fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The argument types a `return_field_from_args` call sees.
pub(crate) fn arg_types(args: &ReturnFieldArgs) -> Vec<DataType> {
    args.arg_fields
        .iter()
        .map(|f| f.data_type().clone())
        .collect()
}

/// Fails planning unless `n` is within `min..=max` arguments.
pub(crate) fn check_arg_count(function: &str, n: usize, min: usize, max: usize) -> Result<()> {
    if n < min || n > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("{min} to {max}")
        };
        return plan_err!("{function} expects {expected} arguments, got {n}");
    }
    Ok(())
}

/// True for Arrow string types and the untyped NULL literal.
pub(crate) fn is_string_like(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
}

/// True for types a timestamp argument may have besides strings.
pub(crate) fn is_datetime(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64
    )
}

/// Coercion for a STRING parameter: Spark implicitly casts atomic values to STRING.
pub(crate) fn coerce_string(function: &str, t: &DataType) -> Result<DataType> {
    if is_string_like(t) || t.is_numeric() || is_datetime(t) || *t == DataType::Boolean {
        Ok(DataType::Utf8)
    } else {
        plan_err!("{function}: expected a STRING argument, got {t}")
    }
}

/// Coercion for an integral parameter (Spark INT/BIGINT): numbers and NULL become Int64.
pub(crate) fn coerce_int64(function: &str, t: &DataType) -> Result<DataType> {
    if t.is_numeric() || *t == DataType::Null {
        Ok(DataType::Int64)
    } else {
        plan_err!("{function}: expected an integer argument, got {t}")
    }
}

/// Coercion for a timestamp-like first argument: strings to Utf8, dates/timestamps kept.
/// Numbers follow Spark's implicit casts: where the parameter is a TIMESTAMP (`date_format`)
/// they are epoch seconds (Int64/Float64); where it is a string/date/timestamp collection
/// (`to_timestamp`, `to_date`, `unix_timestamp`) Spark picks STRING, so `to_timestamp(2020)` is
/// `CAST('2020' AS TIMESTAMP)`.
pub(crate) fn coerce_datetime_input(
    function: &str,
    t: &DataType,
    numbers_as_seconds: bool,
) -> Result<DataType> {
    match t {
        t if is_string_like(t) => Ok(DataType::Utf8),
        t if is_datetime(t) => Ok(t.clone()),
        t if t.is_numeric() && !numbers_as_seconds => Ok(DataType::Utf8),
        t if t.is_integer() => Ok(DataType::Int64),
        t if t.is_numeric() => Ok(DataType::Float64),
        other => {
            plan_err!("{function}: expected a STRING, DATE or TIMESTAMP argument, got {other}")
        }
    }
}

/// All arguments as arrays of one length (length 1 when every argument is a scalar).
pub(crate) fn to_arrays(args: &[ColumnarValue]) -> Result<Vec<ArrayRef>> {
    ColumnarValue::values_to_arrays(args)
}

/// Returns a scalar when every input was a scalar, so constant folding keeps working.
pub(crate) fn to_output(args: &[ColumnarValue], result: ArrayRef) -> Result<ColumnarValue> {
    if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &result, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(result))
    }
}

/// The array as Utf8 (a no-op after coercion; direct callers may pass other string types).
pub(crate) fn utf8(arr: &ArrayRef) -> Result<ArrayRef> {
    if *arr.data_type() == DataType::Utf8 {
        Ok(Arc::clone(arr))
    } else {
        Ok(cast(arr, &DataType::Utf8)?)
    }
}

/// The array as Int64 (a no-op after coercion).
pub(crate) fn int64(arr: &ArrayRef) -> Result<ArrayRef> {
    if *arr.data_type() == DataType::Int64 {
        Ok(Arc::clone(arr))
    } else {
        Ok(cast(arr, &DataType::Int64)?)
    }
}

/// Spark's error for a string that cannot be cast under ANSI mode.
pub(crate) fn cast_invalid_input(value: &str, target: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[CAST_INVALID_INPUT] The value '{value}' of the type \"STRING\" cannot be cast to \"{target}\" \
         because it is malformed. Correct the value as per the syntax, or change its target type. \
         Use `try_cast` to tolerate malformed input and return NULL instead. SQLSTATE: 22018"
    ))
}

/// Compiles each distinct datetime pattern once per batch.
pub(crate) struct PatternCache<'a> {
    patterns: HashMap<&'a str, SparkPattern>,
    for_parsing: bool,
}

impl<'a> PatternCache<'a> {
    /// A cache for patterns used to parse (`true`) or to format (`false`).
    pub(crate) fn new(for_parsing: bool) -> Self {
        PatternCache {
            patterns: HashMap::new(),
            for_parsing,
        }
    }

    /// The compiled pattern; an invalid pattern is an error, as in Spark.
    pub(crate) fn get(&mut self, pattern: &'a str) -> Result<&SparkPattern> {
        if !self.patterns.contains_key(pattern) {
            let compiled = if self.for_parsing {
                SparkPattern::compile_for_parsing(pattern)
            } else {
                SparkPattern::compile(pattern)
            };
            let compiled = compiled.map_err(|e| {
                DataFusionError::Execution(format!(
                    "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION] Fail to recognize \
                     '{pattern}' pattern in the DateTimeFormatter: {}",
                    e.reason
                ))
            })?;
            self.patterns.insert(pattern, compiled);
        }
        match self.patterns.get(pattern) {
            Some(p) => Ok(p),
            None => exec_err!("pattern cache lost '{pattern}'"),
        }
    }
}

/// A zone-less wall-clock value (microseconds) read in `tz`, as UTC microseconds.
pub(crate) fn wall_clock_to_utc(micros: i64, tz: &Tz) -> Option<i64> {
    if *tz == Tz::UTC {
        return Some(micros);
    }
    let local = DateTime::from_timestamp_micros(micros)?.naive_utc();
    local_to_utc_micros(&local, tz)
}

/// Midnight of a day number (days since 1970-01-01) in `tz`, as UTC microseconds.
pub(crate) fn date_to_utc_micros(days: i32, tz: &Tz) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::Duration::days(days as i64))?;
    local_to_utc_micros(&date.and_hms_opt(0, 0, 0)?, tz)
}

/// The wall-clock date-time in `tz` of an instant (UTC microseconds).
pub(crate) fn utc_micros_to_local(micros: i64, tz: &Tz) -> Option<chrono::NaiveDateTime> {
    Some(
        DateTime::from_timestamp_micros(micros)?
            .with_timezone(tz)
            .naive_local(),
    )
}

/// `at` moved by `months` calendar months (either sign), the day clamped to the month's end
/// (Jan 31 + 1 month is Feb 29), as java.time's `plusMonths`.
pub(crate) fn plus_months(at: chrono::NaiveDateTime, months: i64) -> Option<chrono::NaiveDateTime> {
    let count = chrono::Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        at.checked_add_months(count)
    } else {
        at.checked_sub_months(count)
    }
}

/// The calendar day in `tz` of an instant, as days since 1970-01-01.
pub(crate) fn utc_micros_to_days(micros: i64, tz: &Tz) -> Option<i32> {
    days_since_epoch(
        DateTime::from_timestamp_micros(micros)?
            .with_timezone(tz)
            .date_naive(),
    )
}

/// UTC microseconds for a non-string datetime array: timestamps with a zone are instants,
/// zone-less timestamps and dates are wall-clock values in `tz`, numbers are epoch seconds.
pub(crate) fn datetime_to_utc_micros(arr: &ArrayRef, tz: &Tz) -> Result<Vec<Option<i64>>> {
    Ok(match arr.data_type() {
        DataType::Timestamp(_, zone) => {
            let micros = cast(
                arr,
                &DataType::Timestamp(TimeUnit::Microsecond, zone.clone()),
            )?;
            let values = micros.as_primitive::<TimestampMicrosecondType>();
            if zone.is_some() {
                values.iter().collect()
            } else {
                values
                    .iter()
                    .map(|v| v.and_then(|v| wall_clock_to_utc(v, tz)))
                    .collect()
            }
        }
        DataType::Date32 | DataType::Date64 => {
            let days = cast(arr, &DataType::Date32)?;
            days.as_primitive::<Date32Type>()
                .iter()
                .map(|d| d.and_then(|d| date_to_utc_micros(d, tz)))
                .collect()
        }
        t if t.is_integer() => {
            let secs = int64(arr)?;
            secs.as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                .iter()
                .map(|s| s.and_then(|s| s.checked_mul(1_000_000)))
                .collect()
        }
        t if t.is_numeric() => {
            let secs = cast(arr, &DataType::Float64)?;
            secs.as_primitive::<datafusion::arrow::datatypes::Float64Type>()
                .iter()
                .map(|s| {
                    // Spark: seconds as a double, truncated to microseconds; NaN/inf give NULL.
                    s.filter(|s| s.is_finite())
                        .map(|s| s * 1_000_000.0)
                        .filter(|m| m.abs() < i64::MAX as f64)
                        .map(|m| m as i64)
                })
                .collect()
        }
        other => return exec_err!("expected a DATE or TIMESTAMP, got {other}"),
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A session like spate's: datafusion-spark first, then the Spark-compatible overrides.

    use chrono_tz::Tz;
    use datafusion::arrow::array::{Array, ArrayRef};
    use datafusion::arrow::util::display::array_value_to_string;
    use datafusion::common::Result;
    use datafusion::prelude::SessionContext;

    use super::super::{register_spark_compat, SparkConf};

    /// A context in UTC with ANSI mode `ansi`.
    pub fn context(ansi: bool) -> SessionContext {
        context_in(ansi, Tz::UTC)
    }

    /// A context with ANSI mode `ansi` and session time zone `tz`.
    pub fn context_in(ansi: bool, tz: Tz) -> SessionContext {
        let mut ctx = SessionContext::new();
        datafusion_spark::register_all(&mut ctx).expect("datafusion-spark registers");
        register_spark_compat(
            &ctx,
            &SparkConf {
                ansi,
                session_time_zone: tz,
            },
        );
        ctx
    }

    /// The first column of the first row of a query.
    pub async fn first(ctx: &SessionContext, sql: &str) -> Result<ArrayRef> {
        let batches = ctx.sql(sql).await?.collect().await?;
        let batch = batches
            .into_iter()
            .find(|b| b.num_rows() > 0)
            .expect("query returns a row");
        Ok(batch.column(0).slice(0, 1))
    }

    /// The first value of a query, displayed ("NULL" for null).
    pub async fn value(ctx: &SessionContext, sql: &str) -> Result<String> {
        let col = first(ctx, sql).await?;
        if col.is_null(0) {
            return Ok("NULL".into());
        }
        Ok(array_value_to_string(&col, 0)?)
    }

    /// The first value of a query in a fresh UTC, non-ANSI session; panics on errors.
    pub async fn eval(sql: &str) -> String {
        value(&context(false), sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}
