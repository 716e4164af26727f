//! `to_timestamp(s[, fmt])` with Spark's semantics, returning microseconds labelled UTC.
//!
//! DataFusion's `to_timestamp` returns nanoseconds without a zone and takes chrono `%Y` formats.
//! Spark's TIMESTAMP is a microsecond instant; without a pattern it is `CAST(s AS TIMESTAMP)`
//! (lenient ISO forms, zone-less strings in the session zone, and under ANSI a malformed string
//! raises CAST_INVALID_INPUT), with a pattern it uses java.time rules: a non-matching string is
//! NULL with ANSI off and raises CANNOT_PARSE_TIMESTAMP with ANSI on (checked against PySpark
//! 4.0.1; the CORRECTED parser policy does not make it NULL under ANSI).
//! `try_to_timestamp` shares this code and never raises for bad input.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    cast_invalid_input, check_arg_count, coerce_datetime_input, coerce_string,
    datetime_to_utc_micros, timestamp_type, to_arrays, to_output, utf8, PatternCache,
};
use super::SparkConf;
use crate::datetime::cast;

/// Spark's `to_timestamp` (or `try_to_timestamp` when built with [`ToTimestamp::new_try`]).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToTimestamp {
    signature: Signature,
    name: &'static str,
    time_zone: Tz,
    /// Raise CAST_INVALID_INPUT for a malformed string without a pattern (ANSI, not `try_`).
    fail_on_error: bool,
}

impl ToTimestamp {
    /// `to_timestamp` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        Self::build("to_timestamp", conf, conf.ansi)
    }

    /// `try_to_timestamp`: NULL instead of an error for malformed input.
    pub fn new_try(conf: &SparkConf) -> Self {
        Self::build("try_to_timestamp", conf, false)
    }

    fn build(name: &'static str, conf: &SparkConf, fail_on_error: bool) -> Self {
        ToTimestamp {
            signature: Signature::user_defined(Volatility::Immutable),
            name,
            time_zone: conf.session_time_zone,
            fail_on_error,
        }
    }
}

impl ScalarUDFImpl for ToTimestamp {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(timestamp_type())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name, arg_types.len(), 1, 2)?;
        let mut types = vec![coerce_datetime_input(self.name, &arg_types[0], false)?];
        if let Some(fmt) = arg_types.get(1) {
            types.push(coerce_string(self.name, fmt)?);
        }
        Ok(types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let micros = input_to_micros(
            &arrays,
            &self.time_zone,
            self.fail_on_error.then_some("TIMESTAMP"),
        )?;
        let result: ArrayRef =
            Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC"));
        to_output(&args.args, result)
    }
}

/// UTC microseconds for the first argument: strings are parsed (with the pattern in the second
/// argument if there is one), dates/timestamps/numbers are converted and the pattern ignored.
pub(super) fn input_to_micros(
    arrays: &[ArrayRef],
    tz: &Tz,
    ansi_target: Option<&str>,
) -> Result<Vec<Option<i64>>> {
    if *arrays[0].data_type() != DataType::Utf8 {
        return datetime_to_utc_micros(&arrays[0], tz);
    }
    let formats = arrays.get(1).map(utf8).transpose()?;
    parse_strings(
        arrays[0].as_string::<i32>(),
        formats.as_ref().map(|f| f.as_string::<i32>()),
        tz,
        ansi_target,
    )
}

/// Spark's error for a string a pattern cannot parse under ANSI mode (golden
/// sql_functions/to_timestamp_pattern_mismatch_ansi_on).
pub(super) fn cannot_parse_timestamp(
    s: &str,
    pattern: &str,
) -> datafusion::common::DataFusionError {
    datafusion::common::DataFusionError::Execution(format!(
        "[CANNOT_PARSE_TIMESTAMP] Text '{s}' could not be parsed with the pattern '{pattern}'. \
         Use `try_to_timestamp` to tolerate invalid input string and return NULL instead. SQLSTATE: 22007"
    ))
}

/// Parses strings with CAST rules (no pattern) or a Spark pattern. `ansi_target` (ANSI mode)
/// names the type in the CAST_INVALID_INPUT error raised for a malformed string when there is no
/// pattern; with a pattern a non-matching string raises CANNOT_PARSE_TIMESTAMP.
pub(super) fn parse_strings(
    strs: &StringArray,
    formats: Option<&StringArray>,
    tz: &Tz,
    ansi_target: Option<&str>,
) -> Result<Vec<Option<i64>>> {
    let mut patterns = PatternCache::new(true);
    let mut out = Vec::with_capacity(strs.len());
    for i in 0..strs.len() {
        if strs.is_null(i) {
            out.push(None);
            continue;
        }
        let s = strs.value(i);
        let parsed = match formats {
            None => {
                let parsed = cast::parse_timestamp_micros(s, tz);
                if let (None, Some(target)) = (parsed, ansi_target) {
                    return Err(cast_invalid_input(s, target));
                }
                parsed
            }
            Some(f) if f.is_null(i) => None,
            Some(f) => {
                let parsed = patterns.get(f.value(i))?.parse_timestamp_micros(s, tz);
                if let (None, Some(_)) = (parsed, ansi_target) {
                    return Err(cannot_parse_timestamp(s, f.value(i)));
                }
                parsed
            }
        };
        out.push(parsed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{DataType, TimeUnit};

    use super::super::common::test_support::{context, context_in, eval, first, value};

    #[tokio::test]
    async fn with_pattern() {
        assert_eq!(
            eval("SELECT to_timestamp('2016-12-31', 'yyyy-MM-dd')").await,
            "2016-12-31T00:00:00Z"
        );
        assert_eq!(
            eval("SELECT to_timestamp('2020:08:28 03:52:47', 'yyyy:MM:dd HH:mm:ss')").await,
            "2020-08-28T03:52:47Z"
        );
        assert_eq!(
            eval("SELECT to_timestamp('2016-12-31', 'dd/MM/yyyy')").await,
            "NULL"
        );
        assert_eq!(
            eval("SELECT to_timestamp('2016-12-31', NULL)").await,
            "NULL"
        );
    }

    #[tokio::test]
    async fn without_pattern_is_a_cast() {
        assert_eq!(
            eval("SELECT to_timestamp('2020-01-01 10:11:12')").await,
            "2020-01-01T10:11:12Z"
        );
        assert_eq!(
            eval("SELECT to_timestamp('2020-08-28T03:52:47')").await,
            "2020-08-28T03:52:47Z"
        );
        assert_eq!(eval("SELECT to_timestamp('garbage')").await, "NULL");
        assert_eq!(eval("SELECT to_timestamp(NULL)").await, "NULL");
    }

    #[tokio::test]
    async fn returns_spark_timestamp_type() {
        let col = first(
            &context(false),
            "SELECT to_timestamp('2020-01-01 10:11:12.123456')",
        )
        .await
        .expect("runs");
        assert_eq!(
            col.data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(
            value(
                &context(false),
                "SELECT to_timestamp('2020-01-01 10:11:12.123456')"
            )
            .await
            .expect("runs"),
            "2020-01-01T10:11:12.123456Z"
        );
    }

    #[tokio::test]
    async fn ansi_raises() {
        let ctx = context(true);
        let err = value(&ctx, "SELECT to_timestamp('garbage')")
            .await
            .expect_err("ANSI raises");
        assert!(
            err.to_string().contains(
                "[CAST_INVALID_INPUT] The value 'garbage' of the type \"STRING\" cannot be cast to \"TIMESTAMP\""
            ),
            "{err}"
        );
        let err = value(&ctx, "SELECT to_timestamp('garbage', 'yyyy-MM-dd')")
            .await
            .expect_err("ANSI raises with a pattern too");
        assert!(
            err.to_string()
                .contains("[CANNOT_PARSE_TIMESTAMP] Text 'garbage'"),
            "{err}"
        );
        assert_eq!(
            value(&ctx, "SELECT try_to_timestamp('garbage', 'yyyy-MM-dd')")
                .await
                .expect("NULL"),
            "NULL"
        );
        assert_eq!(
            value(&ctx, "SELECT try_to_timestamp('garbage')")
                .await
                .expect("NULL"),
            "NULL"
        );
    }

    #[tokio::test]
    async fn session_time_zone_applies_to_zone_less_strings() {
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().expect("zone");
        let ctx = context_in(false, la);
        assert_eq!(
            value(&ctx, "SELECT to_timestamp('2020-01-01 10:00:00')")
                .await
                .expect("runs"),
            "2020-01-01T18:00:00Z"
        );
        assert_eq!(
            value(
                &ctx,
                "SELECT to_timestamp('2020-01-01 10:00', 'yyyy-MM-dd HH:mm')"
            )
            .await
            .expect("runs"),
            "2020-01-01T18:00:00Z"
        );
        assert_eq!(
            value(&ctx, "SELECT to_timestamp('2020-01-01T10:00:00Z')")
                .await
                .expect("runs"),
            "2020-01-01T10:00:00Z"
        );
    }

    #[tokio::test]
    async fn timestamp_and_date_inputs() {
        assert_eq!(
            eval("SELECT to_timestamp(TIMESTAMP '2016-04-08 10:00:00')").await,
            "2016-04-08T10:00:00Z"
        );
        assert_eq!(
            eval("SELECT to_timestamp(DATE '2016-04-08')").await,
            "2016-04-08T00:00:00Z"
        );
        // Spark casts a number to STRING here, then parses it like CAST('2020' AS TIMESTAMP).
        assert_eq!(
            eval("SELECT to_timestamp(2020)").await,
            "2020-01-01T00:00:00Z"
        );
    }

    #[tokio::test]
    async fn invalid_pattern_is_an_error() {
        let err = value(
            &context(false),
            "SELECT to_timestamp('Mon 2020', 'EEE yyyy')",
        )
        .await
        .expect_err("E cannot parse");
        assert!(err.to_string().contains("EEE yyyy"), "{err}");
    }

    #[tokio::test]
    async fn columns() {
        let ctx = context(false);
        let sql = "SELECT to_timestamp(s, 'yyyy-MM-dd') FROM (VALUES ('2020-01-02'), ('bad'), (NULL)) AS t(s)";
        let batches = ctx
            .sql(sql)
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
            .expect("formats")
            .to_string();
        assert!(text.contains("2020-01-02T00:00:00Z"), "{text}");
    }
}
