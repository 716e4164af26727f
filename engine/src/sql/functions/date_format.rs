//! `date_format(ts, fmt)`: formats a timestamp with a Spark pattern in the session time zone.
//!
//! DataFusion registers `date_format` as an alias of `to_char`, which takes chrono `%Y` formats
//! and echoes Spark patterns such as `yyyy` back unchanged; registering this function under the
//! same name replaces that alias.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, coerce_datetime_input, coerce_string, to_arrays, to_output, utf8, PatternCache,
};
use super::to_timestamp::input_to_micros;
use super::SparkConf;

/// Spark's `date_format`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateFormat {
    signature: Signature,
    time_zone: Tz,
    ansi: bool,
}

impl DateFormat {
    /// `date_format` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        DateFormat {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
            ansi: conf.ansi,
        }
    }
}

impl ScalarUDFImpl for DateFormat {
    fn name(&self) -> &str {
        "date_format"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 2)?;
        Ok(vec![
            coerce_datetime_input(self.name(), &arg_types[0], true)?,
            coerce_string(self.name(), &arg_types[1])?,
        ])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        // A string is first cast to TIMESTAMP (implicitly, as Spark does), never parsed with `fmt`.
        let micros = input_to_micros(
            &arrays[..1],
            &self.time_zone,
            self.ansi.then_some("TIMESTAMP"),
        )?;
        let formats = utf8(&arrays[1])?;
        let formats = formats.as_string::<i32>();
        let mut patterns = PatternCache::new(false);
        let mut out = StringBuilder::with_capacity(micros.len(), micros.len() * 20);
        for (i, m) in micros.into_iter().enumerate() {
            match (m, formats.is_null(i)) {
                (Some(m), false) => out.append_option(
                    patterns
                        .get(formats.value(i))?
                        .try_format_micros(m, &self.time_zone),
                ),
                _ => out.append_null(),
            }
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, context_in, eval, value};

    #[tokio::test]
    async fn spark_patterns() {
        assert_eq!(
            eval("SELECT date_format(TIMESTAMP '2016-04-08 10:00:00', 'yyyy')").await,
            "2016"
        );
        assert_eq!(
            eval("SELECT date_format(TIMESTAMP '2016-04-08 10:00:00', 'yyyy-MM-dd''T''HH:mm:ss.SSS')").await,
            "2016-04-08T10:00:00.000"
        );
        assert_eq!(
            eval("SELECT date_format(TIMESTAMP '2016-04-08 13:00:00', 'EEE, d MMM h a')").await,
            "Fri, 8 Apr 1 PM"
        );
        assert_eq!(
            eval("SELECT date_format(DATE '2016-04-08', 'dd.MM.yy')").await,
            "08.04.16"
        );
        assert_eq!(
            eval("SELECT date_format('2016-04-08 10:00:00', 'HH')").await,
            "10"
        );
        assert_eq!(eval("SELECT date_format(NULL, 'yyyy')").await, "NULL");
        // A number is implicitly cast to TIMESTAMP: epoch seconds.
        assert_eq!(
            eval("SELECT date_format(86400, 'yyyy-MM-dd')").await,
            "1970-01-02"
        );
        assert_eq!(
            eval("SELECT date_format(TIMESTAMP '2016-04-08 10:00:00', NULL)").await,
            "NULL"
        );
    }

    #[tokio::test]
    async fn formats_in_session_zone() {
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().expect("zone");
        let ctx = context_in(false, la);
        assert_eq!(
            value(
                &ctx,
                "SELECT date_format(to_timestamp('2016-04-08T10:00:00Z'), 'yyyy-MM-dd HH:mm XXX')"
            )
            .await
            .expect("runs"),
            "2016-04-08 03:00 -07:00"
        );
        // A zone-less literal is a wall-clock time in the session zone and prints back unchanged.
        assert_eq!(
            value(
                &ctx,
                "SELECT date_format(TIMESTAMP '2016-04-08 10:00:00', 'HH:mm z')"
            )
            .await
            .expect("runs"),
            "10:00 PDT"
        );
    }

    #[tokio::test]
    async fn invalid_pattern_is_an_error() {
        assert!(value(
            &context(false),
            "SELECT date_format(TIMESTAMP '2016-04-08 10:00:00', 'YYYY')"
        )
        .await
        .is_err());
    }
}
