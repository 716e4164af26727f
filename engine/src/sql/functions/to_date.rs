//! `to_date(s[, fmt])` with Spark's semantics, returning Date32.
//!
//! Without a pattern Spark evaluates `CAST(s AS DATE)` (which accepts `2020-01-02 anything` and
//! raises CAST_INVALID_INPUT under ANSI); with a pattern it parses a timestamp in the session zone
//! and takes its date there, NULL when the string does not match (CORRECTED parser policy).

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Date32Array};
use datafusion::arrow::datatypes::{DataType, Date32Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    cast_invalid_input, check_arg_count, coerce_datetime_input, coerce_string, to_arrays,
    to_output, utc_micros_to_days,
};
use super::to_timestamp::input_to_micros;
use super::SparkConf;
use crate::datetime::cast;

/// Spark's `to_date`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToDate {
    signature: Signature,
    time_zone: Tz,
    ansi: bool,
}

impl ToDate {
    /// `to_date` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        ToDate {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
            ansi: conf.ansi,
        }
    }
}

impl ScalarUDFImpl for ToDate {
    fn name(&self) -> &str {
        "to_date"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
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
        let arrays = to_arrays(&args.args)?;
        let days: Vec<Option<i32>> = match arrays[0].data_type() {
            DataType::Date32 => arrays[0].as_primitive::<Date32Type>().iter().collect(),
            DataType::Utf8 if arrays.len() == 1 => {
                let strs = arrays[0].as_string::<i32>();
                let mut days = Vec::with_capacity(strs.len());
                for s in strs.iter() {
                    let parsed = s.and_then(cast::parse_date_days);
                    if let (Some(s), None, true) = (s, parsed, self.ansi) {
                        return Err(cast_invalid_input(s, "DATE"));
                    }
                    days.push(parsed);
                }
                days
            }
            // Pattern parsing and timestamp inputs: the instant's calendar day in the session zone.
            _ => input_to_micros(&arrays, &self.time_zone, self.ansi.then_some("DATE"))?
                .into_iter()
                .map(|m| m.and_then(|m| utc_micros_to_days(m, &self.time_zone)))
                .collect(),
        };
        let result: ArrayRef = Arc::new(Date32Array::from(days));
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, context_in, eval, value};

    #[tokio::test]
    async fn cast_style_and_patterns() {
        assert_eq!(eval("SELECT to_date('2016-12-31')").await, "2016-12-31");
        assert_eq!(
            eval("SELECT to_date('2016-12-31 23:59:59')").await,
            "2016-12-31"
        );
        assert_eq!(
            eval("SELECT to_date('31/12/2016', 'dd/MM/yyyy')").await,
            "2016-12-31"
        );
        assert_eq!(
            eval("SELECT to_date('2016-12-31', 'dd/MM/yyyy')").await,
            "NULL"
        );
        assert_eq!(eval("SELECT to_date('garbage')").await, "NULL");
        assert_eq!(eval("SELECT to_date(NULL)").await, "NULL");
    }

    #[tokio::test]
    async fn ansi() {
        let ctx = context(true);
        let err = value(&ctx, "SELECT to_date('garbage')")
            .await
            .expect_err("ANSI raises");
        assert!(
            err.to_string().contains("cannot be cast to \"DATE\""),
            "{err}"
        );
        let err = value(&ctx, "SELECT to_date('garbage', 'yyyy-MM-dd')")
            .await
            .expect_err("ANSI raises");
        assert!(err.to_string().contains("CANNOT_PARSE_TIMESTAMP"), "{err}");
    }

    #[tokio::test]
    async fn timestamps_take_the_session_day() {
        assert_eq!(
            eval("SELECT to_date(TIMESTAMP '2016-04-08 23:00:00')").await,
            "2016-04-08"
        );
        assert_eq!(
            eval("SELECT to_date(DATE '2016-04-08')").await,
            "2016-04-08"
        );
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().expect("zone");
        let ctx = context_in(false, la);
        // 03:00 UTC is the previous evening in Los Angeles.
        assert_eq!(
            value(
                &ctx,
                "SELECT to_date('2016-04-08 03:00:00 +00:00', 'yyyy-MM-dd HH:mm:ss XXX')"
            )
            .await
            .expect("runs"),
            "2016-04-07"
        );
    }
}
