//! Spark's time windows (spec §9.4): `window(ts, '10 minutes'[, '5 minutes'[, startTime]])`.
//!
//! Windows are `[start, end)`, aligned to the epoch plus `startTime`; with a slide shorter than
//! the duration a row belongs to every window covering it. The SQL function returns the window
//! `STRUCT<start, end>` of a row; a streaming `GROUP BY window(...)` is expanded by the
//! aggregation operator itself ([`WindowSpec::windows_of`]), since one row may fall in several
//! windows.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StructArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Fields, TimeUnit};
use datafusion::common::{plan_err, DataFusionError, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// A window definition, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpec {
    /// Window length.
    pub duration_us: i64,
    /// Distance between window starts (= duration for tumbling windows).
    pub slide_us: i64,
    /// Offset of the alignment from the epoch.
    pub start_us: i64,
}

impl WindowSpec {
    /// Parses the function's literal arguments (interval strings).
    pub fn parse(duration: &str, slide: Option<&str>, start: Option<&str>) -> Result<Self, String> {
        let duration_us = interval_us(duration)?;
        let slide_us = slide.map(interval_us).transpose()?.unwrap_or(duration_us);
        let start_us = start.map(interval_us).transpose()?.unwrap_or(0);
        // Spark's TimeWindow checks (error class names from `TimeWindow.checkInputDataTypes`).
        if duration_us <= 0 {
            return Err(format!(
                "The window duration ({duration}) must be greater than 0."
            ));
        }
        if slide_us <= 0 {
            return Err("The slide duration must be greater than 0.".into());
        }
        if slide_us > duration_us {
            return Err(format!(
                "The slide duration ({slide_us} us) must be less than or equal to the windowDuration ({duration_us} us)."
            ));
        }
        if start_us.abs() >= slide_us {
            return Err(format!(
                "The absolute value of start time ({start_us} us) must be less than the slideDuration ({slide_us} us)."
            ));
        }
        Ok(WindowSpec {
            duration_us,
            slide_us,
            start_us,
        })
    }

    /// The windows `[start, end)` holding event time `t` (µs), latest first; Spark's
    /// `TimeWindowing` rule: the last start at or before `t`, then one slide back per overlap.
    pub fn windows_of(&self, t: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        let last_start = t - (t - self.start_us).rem_euclid(self.slide_us);
        let overlapping = (self.duration_us + self.slide_us - 1) / self.slide_us;
        (0..overlapping)
            .map(move |i| last_start - i * self.slide_us)
            .map(move |s| (s, s + self.duration_us))
            .filter(move |(s, e)| *s <= t && t < *e)
    }
}

/// Microseconds of a Spark interval string: `'10 minutes'`, `'1 hour 30 minutes'`, `'5 seconds'`.
/// Months and years have no fixed length and are refused, as Spark's window does.
pub fn interval_us(text: &str) -> Result<i64, String> {
    let bad = || format!("'{text}' is not a valid interval (write e.g. '10 minutes')");
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("interval").unwrap_or(&lower);
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(bad());
    }
    let mut total: i64 = 0;
    for pair in words.chunks(2) {
        let n: i64 = pair[0].parse().map_err(|_| bad())?;
        let unit: i64 = match pair[1].trim_end_matches('s') {
            "microsecond" => 1,
            "millisecond" => 1_000,
            "second" => 1_000_000,
            "minute" => 60_000_000,
            "hour" => 3_600_000_000,
            "day" => 86_400_000_000,
            "week" => 7 * 86_400_000_000,
            "month" | "year" => {
                return Err(format!(
                    "Intervals greater than a month is not supported ({text})."
                ))
            }
            _ => return Err(bad()),
        };
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// The `window` column's type for event times of type `ts`.
pub fn window_type(ts: &DataType) -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("start", ts.clone(), true),
        Field::new("end", ts.clone(), true),
    ]))
}

/// Builds the `window` column from starts and ends (µs), typed like the event time `ts`.
pub fn window_array(ts: &DataType, bounds: &[Option<(i64, i64)>]) -> ArrayRef {
    let tz = match ts {
        DataType::Timestamp(_, tz) => tz.clone(),
        _ => None,
    };
    let starts = TimestampMicrosecondArray::from_iter(bounds.iter().map(|b| b.map(|b| b.0)))
        .with_timezone_opt(tz.clone());
    let ends = TimestampMicrosecondArray::from_iter(bounds.iter().map(|b| b.map(|b| b.1)))
        .with_timezone_opt(tz);
    let DataType::Struct(fields) = window_type(ts) else {
        unreachable!("window_type is a struct")
    };
    let nulls = arrow::buffer::NullBuffer::from_iter(bounds.iter().map(Option::is_some));
    Arc::new(StructArray::new(
        fields,
        vec![Arc::new(starts), Arc::new(ends)],
        Some(nulls),
    ))
}

/// The SQL function `window(ts, duration[, slide[, startTime]])`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct WindowFunction {
    signature: Signature,
}

impl Default for WindowFunction {
    fn default() -> Self {
        WindowFunction {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

/// The literal string arguments of a `window(...)` call (after the event time).
pub fn literal_spec(args: &[ScalarValue]) -> Result<WindowSpec, String> {
    let text = |v: &ScalarValue| match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Ok(s.clone()),
        other => Err(format!(
            "window() takes interval strings such as '10 minutes', not {other}"
        )),
    };
    let parts: Vec<String> = args.iter().map(text).collect::<Result<_, _>>()?;
    match parts.as_slice() {
        [d] => WindowSpec::parse(d, None, None),
        [d, s] => WindowSpec::parse(d, Some(s), None),
        [d, s, st] => WindowSpec::parse(d, Some(s), Some(st)),
        _ => {
            Err("window() takes (timeColumn, windowDuration[, slideDuration[, startTime]])".into())
        }
    }
}

impl ScalarUDFImpl for WindowFunction {
    fn name(&self) -> &str {
        "window"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, args: &[DataType]) -> datafusion::common::Result<DataType> {
        match args.first() {
            Some(t @ DataType::Timestamp(TimeUnit::Microsecond, _))
                if (2..=4).contains(&args.len()) =>
            {
                Ok(window_type(t))
            }
            Some(t) if (2..=4).contains(&args.len()) => {
                plan_err!("window() needs a TIMESTAMP time column, not {t}")
            }
            _ => plan_err!(
                "window() takes (timeColumn, windowDuration[, slideDuration[, startTime]])"
            ),
        }
    }
    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::common::Result<ColumnarValue> {
        let literals: Vec<ScalarValue> = args.args[1..]
            .iter()
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Ok(s.clone()),
                ColumnarValue::Array(_) => plan_err!("window() durations must be literals"),
            })
            .collect::<datafusion::common::Result<_>>()?;
        let spec = literal_spec(&literals).map_err(DataFusionError::Plan)?;
        if spec.slide_us != spec.duration_us {
            // A row of a sliding window is in several windows: only a GROUP BY can expand it.
            return plan_err!(
                "window() with a slide duration is only supported in the GROUP BY of a streaming table"
            );
        }
        let ts_type = args.args[0].data_type();
        let ts = args.args[0].to_array(args.number_rows)?;
        let ts = ts
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .ok_or_else(|| DataFusionError::Plan("window() needs a TIMESTAMP column".into()))?;
        let bounds: Vec<Option<(i64, i64)>> = ts
            .iter()
            .map(|t| t.and_then(|t| spec.windows_of(t).next()))
            .collect();
        Ok(ColumnarValue::Array(window_array(&ts_type, &bounds)))
    }
}

/// The SQL function `session_window(ts, gap)`. Sessions exist only across rows, so it is computed
/// by the streaming aggregation of a `GROUP BY` ([`super::session`]); anywhere else it is refused.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SessionWindowFunction {
    signature: Signature,
}

impl Default for SessionWindowFunction {
    fn default() -> Self {
        SessionWindowFunction {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for SessionWindowFunction {
    fn name(&self) -> &str {
        "session_window"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, args: &[DataType]) -> datafusion::common::Result<DataType> {
        match args.first() {
            Some(t @ DataType::Timestamp(TimeUnit::Microsecond, _)) => Ok(window_type(t)),
            Some(t) => plan_err!("session_window() needs a TIMESTAMP time column, not {t}"),
            None => plan_err!("session_window() takes (timeColumn, gapDuration)"),
        }
    }
    fn invoke_with_args(
        &self,
        _args: ScalarFunctionArgs,
    ) -> datafusion::common::Result<ColumnarValue> {
        plan_err!(
            "session_window() is only supported in the GROUP BY of a streaming table (sessions merge across rows and batches)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn tumbling_windows_are_half_open_and_epoch_aligned() {
        let w = WindowSpec::parse("10 minutes", None, None).unwrap();
        assert_eq!(
            w.windows_of(5 * MIN).collect::<Vec<_>>(),
            vec![(0, 10 * MIN)]
        );
        assert_eq!(
            w.windows_of(10 * MIN).collect::<Vec<_>>(),
            vec![(10 * MIN, 20 * MIN)]
        );
        assert_eq!(w.windows_of(-1).collect::<Vec<_>>(), vec![(-10 * MIN, 0)]);
    }

    #[test]
    fn sliding_windows_cover_a_row_several_times() {
        let w = WindowSpec::parse("10 minutes", Some("5 minutes"), None).unwrap();
        assert_eq!(
            w.windows_of(12 * MIN).collect::<Vec<_>>(),
            vec![(10 * MIN, 20 * MIN), (5 * MIN, 15 * MIN)]
        );
        let w = WindowSpec::parse("10 minutes", Some("3 minutes"), Some("1 minute")).unwrap();
        let got: Vec<_> = w.windows_of(12 * MIN).collect();
        assert_eq!(
            got,
            vec![
                (10 * MIN, 20 * MIN),
                (7 * MIN, 17 * MIN),
                (4 * MIN, 14 * MIN)
            ]
        );
    }

    #[test]
    fn intervals_parse_like_spark() {
        assert_eq!(interval_us("1 hour 30 minutes").unwrap(), 90 * MIN);
        assert_eq!(interval_us("interval 5 seconds").unwrap(), 5_000_000);
        assert!(interval_us("1 month").unwrap_err().contains("month"));
        assert!(WindowSpec::parse("5 minutes", Some("10 minutes"), None).is_err());
    }
}
