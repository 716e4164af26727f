//! Spark's `months_between(end, start[, roundOff])` (`DateTimeUtils.monthsBetween`).
//!
//! Whole months when both days of month are equal or both are month ends; otherwise the month
//! difference plus the day-and-time difference over 31-day months, rounded to 8 digits unless
//! `roundOff` is false. Both instants are read in the session time zone. The SQL rewrite casts
//! both arguments to TIMESTAMP first, as Spark does.

use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray, Float64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, datetime_to_utc_micros, to_arrays, to_output, utc_micros_to_local as local,
};
use super::SparkConf;

/// `months_between` in a session time zone.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MonthsBetween {
    signature: Signature,
    time_zone: Tz,
}

impl MonthsBetween {
    /// The function for a session's time zone.
    pub fn new(conf: &SparkConf) -> Self {
        MonthsBetween {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
        }
    }
}

/// Days from `d` to the last day of its month.
fn days_to_month_end(d: &NaiveDateTime) -> Option<u32> {
    let (y, m) = (d.year(), d.month());
    let first_of_next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    Some(last.day() - d.day())
}

/// Spark's months between two local date-times.
pub fn months_between(end: NaiveDateTime, start: NaiveDateTime, round_off: bool) -> Option<f64> {
    let months = |d: &NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month());
    let month_diff = (months(&end) - months(&start)) as f64;
    if end.day() == start.day()
        || (days_to_month_end(&end)? == 0 && days_to_month_end(&start)? == 0)
    {
        return Some(month_diff);
    }
    let seconds = |d: &NaiveDateTime| i64::from(d.num_seconds_from_midnight());
    let seconds_diff =
        (i64::from(end.day()) - i64::from(start.day())) * 86_400 + seconds(&end) - seconds(&start);
    let diff = month_diff + seconds_diff as f64 / (31.0 * 86_400.0);
    Some(if round_off {
        (diff * 1e8).round() / 1e8
    } else {
        diff
    })
}

impl ScalarUDFImpl for MonthsBetween {
    fn name(&self) -> &str {
        "months_between"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("months_between", arg_types.len(), 2, 3)?;
        let mut out = vec![super::common::timestamp_type(); 2];
        if let Some(t) = arg_types.get(2) {
            if !matches!(t, DataType::Boolean | DataType::Null) {
                return plan_err!("months_between: roundOff must be a BOOLEAN, got {t}");
            }
            out.push(DataType::Boolean);
        }
        Ok(out)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let tz = &self.time_zone;
        let end = datetime_to_utc_micros(&arrays[0], tz)?;
        let start = datetime_to_utc_micros(&arrays[1], tz)?;
        let round_off = arrays.get(2).map(|a| a.as_boolean().clone());
        let mut out = Float64Builder::with_capacity(end.len());
        for i in 0..end.len() {
            let round = match &round_off {
                Some(r) if r.is_null(i) => None,
                Some(r) => Some(r.value(i)),
                None => Some(true),
            };
            let value = match (end[i], start[i], round) {
                (Some(e), Some(s), Some(round)) => local(e, tz)
                    .zip(local(s, tz))
                    .and_then(|(e, s)| months_between(e, s, round)),
                _ => None,
            };
            out.append_option(value);
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn follows_spark() {
        let m = |a, b| months_between(at(a), at(b), true).unwrap();
        assert_eq!(m("1997-02-28 10:30:00", "1996-10-30 00:00:00"), 3.94959677);
        assert_eq!(m("2024-03-31 00:00:00", "2024-02-29 00:00:00"), 1.0);
        assert_eq!(m("2024-03-01 00:00:00", "2024-02-01 12:00:00"), 1.0);
    }
}
