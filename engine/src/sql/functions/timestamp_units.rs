//! Spark's `timestampadd(unit, n, ts)` and `timestampdiff(unit, start, end)` (also spelled
//! `dateadd`/`date_add` and `datediff`/`date_diff` with a unit), as `DateTimeUtils.timestampAdd`
//! and `timestampDiff` compute them in the session time zone:
//!
//! - adding MICROSECOND to HOUR moves the instant; DAY, WEEK, MONTH, QUARTER and YEAR move the
//!   local date-time (a month past Jan 31 is Feb 29);
//! - a difference counts whole units between the two local date-times (`ChronoUnit.between`):
//!   truncated toward zero, a month only once the day and time of day are reached.
//!
//! The SQL rewrite passes the unit as a string and casts the others (INT, TIMESTAMP) first.

use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray, Int64Builder, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, Int32Type, TimestampMicrosecondType};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, plus_months, timestamp_type, to_arrays, to_output,
    utc_micros_to_local as local,
};
use super::SparkConf;
use crate::datetime::pattern::local_to_utc_micros;

/// A datetime unit of `timestampadd`/`timestampdiff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Micros(i64),
    Days(i64),
    Months(i64),
}

/// The unit Spark calls `name` (`DAYOFYEAR` only for adding), or Spark's error.
fn unit(name: &str, function: &str) -> Result<Unit> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "MICROSECOND" => Unit::Micros(1),
        "MILLISECOND" => Unit::Micros(1_000),
        "SECOND" => Unit::Micros(1_000_000),
        "MINUTE" => Unit::Micros(60_000_000),
        "HOUR" => Unit::Micros(3_600_000_000),
        "DAY" => Unit::Days(1),
        "DAYOFYEAR" if function == ADD => Unit::Days(1),
        "WEEK" => Unit::Days(7),
        "MONTH" => Unit::Months(1),
        "QUARTER" => Unit::Months(3),
        "YEAR" => Unit::Months(12),
        _ => {
            return plan_err!(
                "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in \
                 `{function}` is invalid: expects one of the units without quotes YEAR, QUARTER, \
                 MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, but \
                 got the string literal '{name}'."
            )
        }
    })
}

/// The name of the adding function, in plans and errors.
pub const ADD: &str = "timestampadd";
/// The name of the difference function, in plans and errors.
pub const DIFF: &str = "timestampdiff";

/// `timestampadd` or `timestampdiff` in a session time zone.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TimestampUnits {
    signature: Signature,
    time_zone: Tz,
    diff: bool,
}

impl TimestampUnits {
    /// `timestampadd` (`diff` false) or `timestampdiff` for a session.
    pub fn new(conf: &SparkConf, diff: bool) -> Self {
        TimestampUnits {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
            diff,
        }
    }
}

/// Spark's `timestampAdd`.
fn add(u: Unit, n: i32, micros: i64, tz: &Tz) -> Option<i64> {
    let n = i64::from(n);
    match u {
        Unit::Micros(m) => micros.checked_add(n.checked_mul(m)?),
        Unit::Days(d) => {
            let moved = local(micros, tz)?.checked_add_signed(TimeDelta::try_days(n * d)?)?;
            local_to_utc_micros(&moved, tz)
        }
        Unit::Months(m) => {
            let moved = plus_months(local(micros, tz)?, n.checked_mul(m)?)?;
            local_to_utc_micros(&moved, tz)
        }
    }
}

/// Whole months from `a` to `b` as `LocalDate.until(..., MONTHS)` counts them.
fn months_until(a: &NaiveDateTime, b: &NaiveDateTime) -> i64 {
    let packed = |d: &NaiveDateTime| {
        (i64::from(d.year()) * 12 + i64::from(d.month0())) * 32 + i64::from(d.day())
    };
    (packed(b) - packed(a)) / 32
}

/// Spark's `timestampDiff`: `ChronoUnit.between` of the two local date-times.
fn diff(u: Unit, start: i64, end: i64, tz: &Tz) -> Option<i64> {
    let (a, b) = (local(start, tz)?, local(end, tz)?);
    match u {
        Unit::Micros(m) => Some((b - a).num_microseconds()? / m),
        Unit::Days(_) | Unit::Months(_) => {
            // A date-based unit only counts a day once its time of day is reached.
            let mut end_date = b.date();
            if end_date > a.date() && b.time() < a.time() {
                end_date = end_date.pred_opt()?;
            } else if end_date < a.date() && b.time() > a.time() {
                end_date = end_date.succ_opt()?;
            }
            let start_day = a.date().and_hms_opt(0, 0, 0)?;
            let end_day = end_date.and_hms_opt(0, 0, 0)?;
            match u {
                Unit::Days(d) => Some((end_day - start_day).num_days() / d),
                Unit::Months(m) => Some(months_until(&start_day, &end_day) / m),
                Unit::Micros(_) => None,
            }
        }
    }
}

impl ScalarUDFImpl for TimestampUnits {
    fn name(&self) -> &str {
        if self.diff {
            DIFF
        } else {
            ADD
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.diff {
            DataType::Int64
        } else {
            timestamp_type()
        })
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 3, 3)?;
        let middle = if self.diff {
            timestamp_type()
        } else {
            DataType::Int32
        };
        Ok(vec![DataType::Utf8, middle, timestamp_type()])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(u))) => u.clone(),
            _ => return plan_err!("{}: the unit must be a name such as DAY", self.name()),
        };
        let u = unit(&name, self.name())?;
        let values = &args.args[1..];
        let arrays = to_arrays(values)?;
        let tz = &self.time_zone;
        let last = arrays[1].as_primitive::<TimestampMicrosecondType>();
        let rows = 0..last.len();
        if self.diff {
            let first = arrays[0].as_primitive::<TimestampMicrosecondType>();
            let mut out = Int64Builder::with_capacity(last.len());
            for i in rows {
                let v = (first.is_valid(i) && last.is_valid(i))
                    .then(|| diff(u, first.value(i), last.value(i), tz))
                    .flatten();
                out.append_option(v);
            }
            to_output(values, Arc::new(out.finish()))
        } else {
            let n = arrays[0].as_primitive::<Int32Type>();
            let mut out = TimestampMicrosecondBuilder::with_capacity(last.len());
            for i in rows {
                let v = (n.is_valid(i) && last.is_valid(i))
                    .then(|| add(u, n.value(i), last.value(i), tz))
                    .flatten();
                out.append_option(v);
            }
            to_output(values, Arc::new(out.finish().with_timezone("UTC")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp_micros()
    }

    #[test]
    fn differences_count_whole_units() {
        let d = |u: &str, a: &str, b: &str| {
            diff(unit(u, DIFF).unwrap(), micros(a), micros(b), &Tz::UTC).unwrap()
        };
        assert_eq!(d("HOUR", "2024-02-10 00:00:00", "2024-02-11 00:30:00"), 24);
        assert_eq!(d("MONTH", "2024-01-31 00:00:00", "2024-02-29 00:00:00"), 0);
        assert_eq!(d("YEAR", "2020-02-29 00:00:00", "2021-02-28 00:00:00"), 0);
        assert_eq!(d("DAY", "2024-01-02 00:00:00", "2024-01-01 00:00:01"), 0);
        assert_eq!(
            d("QUARTER", "2024-01-15 00:00:00", "2024-07-14 00:00:00"),
            1
        );
        assert_eq!(d("MONTH", "2024-01-31 10:00:00", "2024-02-29 09:00:00"), 0);
    }

    #[test]
    fn adding_moves_local_dates_by_calendar_units() {
        let a = |u: &str, n: i32, t: &str| add(unit(u, ADD).unwrap(), n, micros(t), &Tz::UTC);
        assert_eq!(
            a("MONTH", 1, "2024-01-31 00:00:00"),
            Some(micros("2024-02-29 00:00:00"))
        );
        assert_eq!(
            a("YEAR", 1, "2024-02-29 00:00:00"),
            Some(micros("2025-02-28 00:00:00"))
        );
        assert_eq!(
            a("HOUR", -1, "2024-03-10 00:00:00"),
            Some(micros("2024-03-09 23:00:00"))
        );
        assert!(unit("DAYOFYEAR", DIFF).is_err());
    }
}
