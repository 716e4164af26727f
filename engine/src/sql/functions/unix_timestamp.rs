//! `unix_timestamp(s[, fmt])` (alias `to_unix_timestamp`): seconds since the epoch as BIGINT.
//!
//! Strings are always parsed with a java.time pattern, `yyyy-MM-dd HH:mm:ss` by default, in the
//! session zone; a non-matching string is NULL (CORRECTED parser policy). Dates and timestamps
//! are converted directly. The zero-argument form (current time) is not provided: in a streaming
//! query it would have to be the batch timestamp, which this layer does not know.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, coerce_datetime_input, coerce_string, to_arrays, to_output};
use super::to_timestamp::input_to_micros;
use super::SparkConf;

/// Spark's default pattern for `unix_timestamp` and `from_unixtime`.
pub const DEFAULT_PATTERN: &str = "yyyy-MM-dd HH:mm:ss";

/// Spark's `unix_timestamp` / `to_unix_timestamp`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UnixTimestamp {
    signature: Signature,
    aliases: Vec<String>,
    time_zone: Tz,
    /// ANSI mode: a string the pattern cannot parse raises CANNOT_PARSE_TIMESTAMP.
    ansi: bool,
}

impl UnixTimestamp {
    /// `unix_timestamp` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        UnixTimestamp {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: vec!["to_unix_timestamp".to_string()],
            time_zone: conf.session_time_zone,
            ansi: conf.ansi,
        }
    }
}

impl ScalarUDFImpl for UnixTimestamp {
    fn name(&self) -> &str {
        "unix_timestamp"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 1, 2)?;
        let mut types = vec![coerce_datetime_input(self.name(), &arg_types[0], false)?];
        if let Some(fmt) = arg_types.get(1) {
            types.push(coerce_string(self.name(), fmt)?);
        }
        Ok(types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mut arrays = to_arrays(&args.args)?;
        if arrays.len() == 1 {
            let default: ArrayRef =
                Arc::new(StringArray::from(vec![DEFAULT_PATTERN; arrays[0].len()]));
            arrays.push(default);
        }
        // Spark divides the microseconds of a TIMESTAMP input (truncating toward zero); parsed
        // strings are whole seconds anyway.
        let seconds: Int64Array =
            input_to_micros(&arrays, &self.time_zone, self.ansi.then_some("TIMESTAMP"))?
                .into_iter()
                .map(|m| m.map(|m| m / 1_000_000))
                .collect();
        let result: ArrayRef = Arc::new(seconds);
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, context_in, eval, value};

    #[tokio::test]
    async fn parses_with_default_and_explicit_patterns() {
        assert_eq!(
            eval("SELECT unix_timestamp('2016-04-08 12:10:00')").await,
            "1460117400"
        );
        assert_eq!(
            eval("SELECT unix_timestamp('2016-04-08', 'yyyy-MM-dd')").await,
            "1460073600"
        );
        assert_eq!(
            eval("SELECT to_unix_timestamp('2016-04-08', 'yyyy-MM-dd')").await,
            "1460073600"
        );
        assert_eq!(
            eval("SELECT unix_timestamp('2016-04-08')").await,
            "NULL",
            "default pattern needs the time"
        );
        assert_eq!(eval("SELECT unix_timestamp(NULL)").await, "NULL");
        assert_eq!(
            value(&context(false), "SELECT unix_timestamp('garbage')")
                .await
                .expect("NULL"),
            "NULL"
        );
        let err = value(&context(true), "SELECT unix_timestamp('garbage')")
            .await
            .expect_err("ANSI raises");
        assert!(err.to_string().contains("CANNOT_PARSE_TIMESTAMP"), "{err}");
    }

    #[tokio::test]
    async fn timestamps_and_zones() {
        assert_eq!(
            eval("SELECT unix_timestamp(TIMESTAMP '1969-12-31 23:59:59.5')").await,
            "0",
            "Spark truncates toward zero (golden sql_functions/unix_timestamp_of_timestamp)"
        );
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().expect("zone");
        let ctx = context_in(false, la);
        assert_eq!(
            value(&ctx, "SELECT unix_timestamp('1970-01-01 00:00:00')")
                .await
                .expect("runs"),
            "28800"
        );
    }
}
