//! Spark's `make_timestamp(year, month, day, hour, min, sec[, timezone])`: a TIMESTAMP from its
//! fields, read in `timezone` or the session time zone. `sec` has microseconds; `60` (with no
//! fraction) is the next minute. An invalid field is Spark's DATETIME_FIELD_OUT_OF_BOUNDS (or
//! INVALID_FRACTION_OF_SECOND) under ANSI, and NULL without it.

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Int32Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, timestamp_type, to_arrays, to_output, utf8};
use super::SparkConf;
use crate::datetime::cast::{parse_zone_id, SparkZone};

/// `make_timestamp` for a session.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MakeTimestamp {
    signature: Signature,
    time_zone: Tz,
    ansi: bool,
}

impl MakeTimestamp {
    /// The function for a session's time zone and ANSI setting.
    pub fn new(conf: &SparkConf) -> Self {
        MakeTimestamp {
            signature: Signature::user_defined(Volatility::Immutable),
            time_zone: conf.session_time_zone,
            ansi: conf.ansi,
        }
    }
}

const ANSI_HINT: &str =
    "If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error.";

/// Checks one field against its range, as java.time names it.
fn field(name: &str, value: i32, low: i32, high: i32) -> std::result::Result<u32, String> {
    if (low..=high).contains(&value) {
        Ok(value.unsigned_abs())
    } else {
        Err(format!(
            "[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid value for {name} (valid values {low} - \
             {high}): {value}. {ANSI_HINT}"
        ))
    }
}

/// The local date-time of the fields (`sec_micros`: seconds in microseconds), or Spark's error.
fn local(fields: [i32; 5], sec_micros: i128) -> std::result::Result<chrono::NaiveDateTime, String> {
    let [year, month, day, hour, minute] = fields;
    if !(0..=60_000_000).contains(&sec_micros)
        || (sec_micros > 59_999_999 && sec_micros != 60_000_000)
    {
        let shown = sec_micros as f64 / 1e6;
        return Err(format!(
            "[INVALID_FRACTION_OF_SECOND] Valid range for seconds is [0, 60] (inclusive), but \
             the provided value is {shown}. To avoid this error, use `try_make_timestamp`, \
             which returns NULL on error."
        ));
    }
    field("Year", year, -999_999_999, 999_999_999)?;
    let month = field("MonthOfYear", month, 1, 12)?;
    let day_of_month = field("DayOfMonth", day, 1, 31)?;
    let hour = field("HourOfDay", hour, 0, 23)?;
    let minute = field("MinuteOfHour", minute, 0, 59)?;
    let date = NaiveDate::from_ymd_opt(year, month, day_of_month).ok_or_else(|| {
        let name = chrono::Month::try_from(u8::try_from(month).unwrap_or(1))
            .map(|m| m.name().to_uppercase())
            .unwrap_or_default();
        format!("[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid date '{name} {day_of_month}'. {ANSI_HINT}")
    })?;
    let start = date
        .and_hms_opt(hour, minute, 0)
        .ok_or_else(|| "invalid time".to_string())?;
    let micros = i64::try_from(sec_micros).map_err(|e| e.to_string())?;
    Ok(start + TimeDelta::microseconds(micros))
}

impl ScalarUDFImpl for MakeTimestamp {
    fn name(&self) -> &str {
        "make_timestamp"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(timestamp_type())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("make_timestamp", arg_types.len(), 6, 7)?;
        let mut out = vec![DataType::Int32; 5];
        out.push(DataType::Decimal128(16, 6));
        if arg_types.len() == 7 {
            out.push(DataType::Utf8);
        }
        Ok(out)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let ints: Vec<_> = arrays[..5]
            .iter()
            .map(|a| a.as_primitive::<Int32Type>())
            .collect();
        let secs = arrays[5].as_primitive::<Decimal128Type>();
        let zones = arrays.get(6).map(utf8).transpose()?;
        let zones = zones.as_ref().map(|z| z.as_string::<i32>());
        let mut out = TimestampMicrosecondBuilder::with_capacity(secs.len());
        for i in 0..secs.len() {
            if arrays.iter().any(|a| a.is_null(i)) {
                out.append_null();
                continue;
            }
            let fields = [0, 1, 2, 3, 4].map(|k| ints[k].value(i));
            let at = match local(fields, secs.value(i)) {
                Ok(at) => at,
                Err(e) if self.ansi => return exec_err!("{e}"),
                Err(_) => {
                    out.append_null();
                    continue;
                }
            };
            let zone = match zones {
                Some(z) => match parse_zone_id(z.value(i)) {
                    Some(zone) => zone,
                    None => {
                        return exec_err!("{}", super::tz_convert::invalid_timezone(z.value(i)))
                    }
                },
                None => SparkZone::Region(self.time_zone),
            };
            let epoch = at.and_utc().timestamp_micros();
            out.append_option(zone.local_to_utc(epoch));
        }
        to_output(&args.args, Arc::new(out.finish().with_timezone("UTC")))
    }
}
