//! `from_unixtime(secs[, fmt])`: formats epoch seconds with a Spark pattern in the session zone.
//!
//! DataFusion's `from_unixtime` returns a TIMESTAMP; Spark's returns a STRING formatted with
//! `yyyy-MM-dd HH:mm:ss` unless another pattern is given.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, coerce_int64, coerce_string, int64, to_arrays, to_output, utf8, PatternCache,
};
use super::unix_timestamp::DEFAULT_PATTERN;
use super::SparkConf;

/// Spark's `from_unixtime`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromUnixtime {
    signature: Signature,
    time_zone: Tz,
}

impl FromUnixtime {
    /// `from_unixtime` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        FromUnixtime {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
        }
    }
}

impl ScalarUDFImpl for FromUnixtime {
    fn name(&self) -> &str {
        "from_unixtime"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 1, 2)?;
        let mut types = vec![coerce_int64(self.name(), &arg_types[0])?];
        if let Some(fmt) = arg_types.get(1) {
            types.push(coerce_string(self.name(), fmt)?);
        }
        Ok(types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let seconds = int64(&arrays[0])?;
        let seconds = seconds.as_primitive::<Int64Type>();
        let formats = arrays.get(1).map(utf8).transpose()?;
        let formats = formats.as_ref().map(|f| f.as_string::<i32>());
        let mut patterns = PatternCache::new(false);
        let mut out = StringBuilder::with_capacity(seconds.len(), seconds.len() * 19);
        for i in 0..seconds.len() {
            let pattern = match formats {
                Some(f) if f.is_null(i) => None,
                Some(f) => Some(f.value(i)),
                None => Some(DEFAULT_PATTERN),
            };
            let micros = if seconds.is_null(i) {
                None
            } else {
                seconds.value(i).checked_mul(1_000_000)
            };
            match (micros, pattern) {
                (Some(m), Some(p)) => {
                    out.append_option(patterns.get(p)?.try_format_micros(m, &self.time_zone))
                }
                _ => out.append_null(),
            }
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context_in, eval, value};

    #[tokio::test]
    async fn formats_seconds() {
        assert_eq!(eval("SELECT from_unixtime(0)").await, "1970-01-01 00:00:00");
        assert_eq!(
            eval("SELECT from_unixtime(1460117400, 'yyyy/MM/dd HH')").await,
            "2016/04/08 12"
        );
        assert_eq!(eval("SELECT from_unixtime(NULL)").await, "NULL");
        assert_eq!(eval("SELECT from_unixtime(0, NULL)").await, "NULL");
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().expect("zone");
        assert_eq!(
            value(&context_in(false, la), "SELECT from_unixtime(0)")
                .await
                .expect("runs"),
            "1969-12-31 16:00:00"
        );
    }
}
