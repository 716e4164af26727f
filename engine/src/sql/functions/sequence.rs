//! Spark's `sequence(start, stop[, step])`: the values from `start` to `stop` inclusive.
//!
//! Integers step by 1 (or -1 when `start > stop`), dates by a day, timestamps by a day, unless
//! a step is given: an integer, or an interval (`INTERVAL 1 MONTH` moves a date to the same day
//! of the next month, clamped: Jan 31, Feb 29, Mar 31). A step that leads away from `stop`, or a
//! zero step between two different bounds, is Spark's "Illegal sequence boundaries" error; a
//! date sequence refuses a step finer than a day. Timestamps step in the session time zone.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, Int64Builder, ListBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Field, Int64Type, IntervalMonthDayNano, IntervalMonthDayNanoType,
    TimestampMicrosecondType,
};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, plus_months, timestamp_type, to_arrays, to_output,
    utc_micros_to_local as local,
};
use super::SparkConf;
use crate::datetime::pattern::local_to_utc_micros;

/// Spark's limit on an array's length (`ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH`).
const MAX_LENGTH: usize = 2_147_483_632;

/// `sequence` in a session time zone.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Sequence {
    signature: Signature,
    time_zone: Tz,
}

impl Sequence {
    /// The function for a session.
    pub fn new(conf: &SparkConf) -> Self {
        Sequence {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
        }
    }
}

fn illegal<T>(
    start: impl std::fmt::Display,
    stop: impl std::fmt::Display,
    step: &str,
) -> Result<T> {
    exec_err!("requirement failed: Illegal sequence boundaries: {start} to {stop} by {step}")
}

/// The integers from `start` to `stop` by `step`.
fn integers(start: i64, stop: i64, step: Option<i64>) -> Result<Vec<i64>> {
    let step = step.unwrap_or(if start <= stop { 1 } else { -1 });
    if (step == 0 && start != stop) || (step > 0 && start > stop) || (step < 0 && start < stop) {
        return illegal(start, stop, &step.to_string());
    }
    let mut out = vec![start];
    let mut at = start;
    if step == 0 {
        return Ok(out);
    }
    loop {
        match at.checked_add(step) {
            Some(next) if (step > 0 && next <= stop) || (step < 0 && next >= stop) => {
                out.push(next);
                at = next;
            }
            _ => break,
        }
        if out.len() > MAX_LENGTH {
            return exec_err!("sequence: more than {MAX_LENGTH} elements");
        }
    }
    Ok(out)
}

/// `base` moved by `i` steps of (months, days, micros), in local date-time.
fn step_local(base: NaiveDateTime, i: i64, step: IntervalMonthDayNano) -> Option<NaiveDateTime> {
    let moved = plus_months(base, i.checked_mul(i64::from(step.months))?)?;
    let days = i.checked_mul(i64::from(step.days))?;
    let micros = i.checked_mul(step.nanoseconds / 1_000)?;
    moved
        .checked_add_signed(TimeDelta::try_days(days)?)?
        .checked_add_signed(TimeDelta::microseconds(micros))
}

/// The local date-times from `start` to `stop` by `step` (never empty: `start` is first).
fn stepped(
    start: NaiveDateTime,
    stop: NaiveDateTime,
    step: IntervalMonthDayNano,
    shown: impl Fn(&NaiveDateTime) -> String,
) -> Result<Vec<NaiveDateTime>> {
    let forward = step.months > 0
        || (step.months == 0 && (step.days > 0 || (step.days == 0 && step.nanoseconds > 0)));
    let zero = step.months == 0 && step.days == 0 && step.nanoseconds == 0;
    if (zero && start != stop) || (forward && start > stop) || (!forward && !zero && start < stop) {
        let step = format!(
            "{} months {} days {} us",
            step.months,
            step.days,
            step.nanoseconds / 1000
        );
        return illegal(shown(&start), shown(&stop), &step);
    }
    let mut out = vec![start];
    if zero {
        return Ok(out);
    }
    for i in 1.. {
        let Some(next) = step_local(start, i, step) else {
            break;
        };
        if (forward && next > stop) || (!forward && next < stop) {
            break;
        }
        out.push(next);
        if out.len() > MAX_LENGTH {
            return exec_err!("sequence: more than {MAX_LENGTH} elements");
        }
    }
    Ok(out)
}

fn date(days: i32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(TimeDelta::try_days(i64::from(days))?)?
        .and_hms_opt(0, 0, 0)
}

fn day_step(sign: i32) -> IntervalMonthDayNano {
    IntervalMonthDayNano::new(0, sign, 0)
}

impl ScalarUDFImpl for Sequence {
    fn name(&self) -> &str {
        "sequence"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let element = arg_types.first().cloned().unwrap_or(DataType::Int32);
        Ok(DataType::List(Arc::new(Field::new_list_field(
            element, true,
        ))))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("sequence", arg_types.len(), 2, 3)?;
        let (a, b) = (&arg_types[0], &arg_types[1]);
        let bound = if a.is_integer() && b.is_integer() {
            // The wider of the two, as Spark's type coercion picks.
            let width = |t: &DataType| t.primitive_width().unwrap_or(8);
            if width(a) >= width(b) {
                a.clone()
            } else {
                b.clone()
            }
        } else if matches!((a, b), (DataType::Date32, DataType::Date32)) {
            DataType::Date32
        } else if matches!(a, DataType::Timestamp(..) | DataType::Date32)
            && matches!(b, DataType::Timestamp(..) | DataType::Date32)
        {
            timestamp_type()
        } else {
            return plan_err!("sequence: start and stop must both be integers, dates or timestamps, got {a} and {b}");
        };
        let mut out = vec![bound.clone(), bound.clone()];
        if let Some(step) = arg_types.get(2) {
            out.push(if bound.is_integer() {
                bound
            } else if matches!(step, DataType::Interval(_) | DataType::Duration(_) | DataType::Null) {
                DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::MonthDayNano)
            } else {
                return plan_err!("sequence: the step of a date or timestamp sequence must be an INTERVAL, got {step}");
            });
        }
        Ok(out)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let rows = arrays[0].len();
        let valid = |i: usize| arrays.iter().all(|a| a.is_valid(i));
        let tz = &self.time_zone;
        let result: ArrayRef = match arrays[0].data_type() {
            t if t.is_integer() => {
                let ints: Vec<ArrayRef> = arrays
                    .iter()
                    .map(|a| cast(a, &DataType::Int64))
                    .collect::<std::result::Result<_, _>>()?;
                let get = |k: usize, i: usize| ints[k].as_primitive::<Int64Type>().value(i);
                let mut out = ListBuilder::new(Int64Builder::new());
                for i in 0..rows {
                    if !valid(i) {
                        out.append(false);
                        continue;
                    }
                    let step = (ints.len() > 2).then(|| get(2, i));
                    for v in integers(get(0, i), get(1, i), step)? {
                        out.values().append_value(v);
                    }
                    out.append(true);
                }
                cast(
                    &(Arc::new(out.finish()) as ArrayRef),
                    &self.return_type(std::slice::from_ref(t))?,
                )?
            }
            DataType::Date32 => {
                let (a, b) = (
                    arrays[0].as_primitive::<Date32Type>(),
                    arrays[1].as_primitive::<Date32Type>(),
                );
                let mut out = ListBuilder::new(Date32Builder::new());
                for i in 0..rows {
                    if !valid(i) {
                        out.append(false);
                        continue;
                    }
                    let (Some(s), Some(e)) = (date(a.value(i)), date(b.value(i))) else {
                        out.append(false);
                        continue;
                    };
                    let step = match arrays.get(2) {
                        Some(st) => st.as_primitive::<IntervalMonthDayNanoType>().value(i),
                        None => day_step(if s <= e { 1 } else { -1 }),
                    };
                    if step.nanoseconds % 86_400_000_000_000 != 0 {
                        return exec_err!("sequence step must be an interval day to second of day granularity if start and end values are dates");
                    }
                    let step = IntervalMonthDayNano::new(
                        step.months,
                        step.days
                            + i32::try_from(step.nanoseconds / 86_400_000_000_000).unwrap_or(0),
                        0,
                    );
                    for d in stepped(s, e, step, |d| d.date().to_string())? {
                        let days = (d.date()
                            - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default())
                        .num_days();
                        out.values()
                            .append_value(i32::try_from(days).unwrap_or(i32::MAX));
                    }
                    out.append(true);
                }
                Arc::new(out.finish())
            }
            _ => {
                let (a, b) = (
                    arrays[0].as_primitive::<TimestampMicrosecondType>(),
                    arrays[1].as_primitive::<TimestampMicrosecondType>(),
                );
                let mut out =
                    ListBuilder::new(TimestampMicrosecondBuilder::new().with_timezone("UTC"))
                        .with_field(Arc::new(Field::new_list_field(timestamp_type(), true)));
                for i in 0..rows {
                    let bounds = valid(i)
                        .then(|| local(a.value(i), tz).zip(local(b.value(i), tz)))
                        .flatten();
                    let Some((s, e)) = bounds else {
                        out.append(false);
                        continue;
                    };
                    let step = match arrays.get(2) {
                        Some(st) => st.as_primitive::<IntervalMonthDayNanoType>().value(i),
                        None => day_step(if s <= e { 1 } else { -1 }),
                    };
                    for t in stepped(s, e, step, |t| t.to_string())? {
                        out.values().append_option(local_to_utc_micros(&t, tz));
                    }
                    out.append(true);
                }
                Arc::new(out.finish())
            }
        };
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_sequences_follow_spark() {
        assert_eq!(integers(1, 3, None).unwrap(), [1, 2, 3]);
        assert_eq!(integers(3, 1, None).unwrap(), [3, 2, 1]);
        assert_eq!(integers(1, 10, Some(4)).unwrap(), [1, 5, 9]);
        assert_eq!(integers(1, 1, Some(0)).unwrap(), [1]);
        assert!(integers(1, 3, Some(-1)).is_err());
        assert!(integers(1, 5, Some(0)).is_err());
    }

    #[test]
    fn month_steps_clamp_to_the_month_end() {
        let d = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        let got = stepped(
            d("2024-01-31"),
            d("2024-05-01"),
            IntervalMonthDayNano::new(1, 0, 0),
            |d| d.to_string(),
        )
        .unwrap();
        let got: Vec<String> = got.iter().map(|d| d.date().to_string()).collect();
        assert_eq!(
            got,
            ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
        );
    }
}
