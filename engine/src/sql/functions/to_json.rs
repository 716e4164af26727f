//! Spark's `to_json(expr[, options])`: a STRUCT, ARRAY or MAP as JSON text, written like Spark's
//! Jackson generator (`JacksonGenerator`).
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `to_json_*`):
//! - NULL struct fields are left out (`ignoreNullFields`, default true), also inside arrays
//!   (`[{}]`); NULL array elements and map values are written as `null`; a NULL input is NULL;
//! - FLOAT/DOUBLE use Java's `toString` (`1.0E-5`, `1.23456789E8`), NaN and infinities are the
//!   strings `"NaN"`, `"Infinity"`, `"-Infinity"`; DECIMAL keeps its scale (`1.500`); BINARY is
//!   base64; map keys are their string form;
//! - TIMESTAMP is `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` in the `timeZone` option or the session zone,
//!   TIMESTAMP_NTZ `yyyy-MM-dd'T'HH:mm:ss.SSS`, DATE `yyyy-MM-dd`; `timestampFormat`,
//!   `timestampNTZFormat` and `dateFormat` take Spark patterns;
//! - a VARIANT is its JSON text (keys sorted, Spark's number text; see `crate::variant`);
//! - ANSI intervals are strings in Spark's ANSI style (`"INTERVAL '1 02:03:04' DAY TO SECOND"`);
//! - strings escape `"`, `\` and control characters (`\t`, `\u0001`); `/` and non-ASCII stay.
//! - any other top-level type is DATATYPE_MISMATCH.INVALID_JSON_SCHEMA; `pretty` is refused.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, DurationMicrosecondType, Float32Type, Float64Type,
    Int16Type, Int32Type, Int64Type, Int8Type, IntervalUnit, IntervalYearMonthType, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, to_output};
use super::json_fn_options::{check_options_type, options_map};
use super::spark_cast::{java_double, java_float};
use super::SparkConf;
use crate::datetime::interval;
use crate::datetime::pattern::{zone_by_name, SparkPattern};

/// Spark's default `timestampFormat` for writing JSON.
const DEFAULT_TIMESTAMP_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
/// Spark's default `timestampNTZFormat` for writing JSON.
const DEFAULT_TIMESTAMP_NTZ_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSS";
/// Spark's default `dateFormat`.
const DEFAULT_DATE_FORMAT: &str = "yyyy-MM-dd";

/// Spark's `to_json`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToJson {
    signature: Signature,
    /// `spark.sql.session.timeZone`, the default of the `timeZone` option.
    session_time_zone: Tz,
}

impl ToJson {
    /// `to_json` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        ToJson {
            signature: Signature::user_defined(Volatility::Immutable),
            session_time_zone: conf.session_time_zone,
        }
    }
}

/// What the writer needs besides the value.
struct Writer {
    ignore_null_fields: bool,
    time_zone: Tz,
    timestamp: SparkPattern,
    timestamp_ntz: SparkPattern,
    date: SparkPattern,
}

impl Writer {
    /// The writer for the call's options (keys case-insensitive; others ignored, as Spark does).
    fn new(options: &HashMap<String, String>, session_time_zone: Tz) -> Result<Self> {
        let get = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        if get("pretty").is_some_and(|v| !v.eq_ignore_ascii_case("false")) {
            return exec_err!("to_json: the 'pretty' option is not implemented");
        }
        let ignore_null_fields = match get("ignoreNullFields").map(str::to_ascii_lowercase) {
            None => true,
            Some(v) if v == "true" => true,
            Some(v) if v == "false" => false,
            Some(v) => {
                return exec_err!("to_json: ignoreNullFields must be true or false, got '{v}'")
            }
        };
        let time_zone = match get("timeZone") {
            None => session_time_zone,
            Some(name) => match zone_by_name(name) {
                Some(tz) => tz,
                None => return exec_err!("to_json: invalid timeZone '{name}'"),
            },
        };
        let pattern = |key: &str, default: &str| {
            let text = get(key).unwrap_or(default);
            SparkPattern::compile(text).map_err(|e| {
                DataFusionError::Execution(format!("to_json: invalid {key} '{text}': {e}"))
            })
        };
        Ok(Writer {
            ignore_null_fields,
            time_zone,
            timestamp: pattern("timestampFormat", DEFAULT_TIMESTAMP_FORMAT)?,
            timestamp_ntz: pattern("timestampNTZFormat", DEFAULT_TIMESTAMP_NTZ_FORMAT)?,
            date: pattern("dateFormat", DEFAULT_DATE_FORMAT)?,
        })
    }

    /// Appends the JSON of `a[i]` (not null) to `out`.
    fn value(&self, out: &mut String, a: &dyn Array, i: usize) -> Result<()> {
        macro_rules! number {
            ($t:ty) => {{
                let _ = write!(out, "{}", a.as_primitive::<$t>().value(i));
            }};
        }
        match a.data_type() {
            DataType::Null => out.push_str("null"),
            DataType::Boolean => out.push_str(if a.as_boolean().value(i) {
                "true"
            } else {
                "false"
            }),
            DataType::Int8 => number!(Int8Type),
            DataType::Int16 => number!(Int16Type),
            DataType::Int32 => number!(Int32Type),
            DataType::Int64 => number!(Int64Type),
            DataType::UInt8 => number!(UInt8Type),
            DataType::UInt16 => number!(UInt16Type),
            DataType::UInt32 => number!(UInt32Type),
            DataType::UInt64 => number!(UInt64Type),
            DataType::Float32 => {
                float(out, a.as_primitive::<Float32Type>().value(i).into(), || {
                    java_float(a.as_primitive::<Float32Type>().value(i))
                })
            }
            DataType::Float64 => {
                let v = a.as_primitive::<Float64Type>().value(i);
                float(out, v, || java_double(v))
            }
            DataType::Decimal128(_, scale) => {
                out.push_str(&decimal_text(
                    a.as_primitive::<Decimal128Type>().value(i),
                    *scale,
                ));
            }
            DataType::Utf8 => string(out, a.as_string::<i32>().value(i)),
            DataType::LargeUtf8 => string(out, a.as_string::<i64>().value(i)),
            DataType::Utf8View => string(out, a.as_string_view().value(i)),
            DataType::Binary => base64_string(out, a.as_binary::<i32>().value(i)),
            DataType::LargeBinary => base64_string(out, a.as_binary::<i64>().value(i)),
            DataType::BinaryView => base64_string(out, a.as_binary_view().value(i)),
            DataType::Date32 => {
                let days = i64::from(a.as_primitive::<Date32Type>().value(i));
                let text = self.date.format_micros(days * 86_400_000_000, &Tz::UTC);
                string(out, &text);
            }
            DataType::Timestamp(unit, tz) => {
                let micros = timestamp_micros(a, i, unit);
                let text = match tz {
                    Some(_) => self.timestamp.format_micros(micros, &self.time_zone),
                    None => self.timestamp_ntz.format_micros(micros, &Tz::UTC),
                };
                string(out, &text);
            }
            DataType::Duration(TimeUnit::Microsecond) => {
                let micros = a.as_primitive::<DurationMicrosecondType>().value(i);
                string(out, &interval::day_time_text(micros));
            }
            DataType::Interval(IntervalUnit::YearMonth) => {
                let months = a.as_primitive::<IntervalYearMonthType>().value(i);
                string(out, &interval::year_month_text(months));
            }
            DataType::List(_) => self.list(out, a.as_list::<i32>().value(i).as_ref())?,
            DataType::LargeList(_) => self.list(out, a.as_list::<i64>().value(i).as_ref())?,
            DataType::FixedSizeList(_, _) => {
                self.list(out, a.as_fixed_size_list().value(i).as_ref())?
            }
            dt if crate::variant::is_variant(dt) => {
                out.push_str(&crate::variant::variant_json(a, i)?)
            }
            DataType::Struct(fields) => {
                let s = a.as_struct();
                out.push('{');
                let mut first = true;
                for (f, c) in fields.iter().zip(s.columns()) {
                    if c.is_null(i) && self.ignore_null_fields {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    string(out, f.name());
                    out.push(':');
                    self.nullable(out, c.as_ref(), i)?;
                }
                out.push('}');
            }
            DataType::Map(_, _) => {
                let entries = a.as_map().value(i);
                out.push('{');
                for r in 0..entries.len() {
                    if r > 0 {
                        out.push(',');
                    }
                    string(out, &self.key_text(entries.column(0).as_ref(), r)?);
                    out.push(':');
                    self.nullable(out, entries.column(1).as_ref(), r)?;
                }
                out.push('}');
            }
            DataType::Dictionary(_, value) => {
                let plain: ArrayRef = cast(&a.slice(i, 1), value)?;
                self.nullable(out, plain.as_ref(), 0)?;
            }
            other => return exec_err!("to_json: cannot write a value of type {other} as JSON"),
        }
        Ok(())
    }

    /// `null` or the value.
    fn nullable(&self, out: &mut String, a: &dyn Array, i: usize) -> Result<()> {
        if a.is_null(i) {
            out.push_str("null");
            Ok(())
        } else {
            self.value(out, a, i)
        }
    }

    /// `[e, ...]`: NULL elements are `null`.
    fn list(&self, out: &mut String, elements: &dyn Array) -> Result<()> {
        out.push('[');
        for r in 0..elements.len() {
            if r > 0 {
                out.push(',');
            }
            self.nullable(out, elements, r)?;
        }
        out.push(']');
        Ok(())
    }

    /// A map key as Spark writes it: its string form (strings as they are, numbers as text).
    fn key_text(&self, keys: &dyn Array, r: usize) -> Result<String> {
        let mut json = String::new();
        self.nullable(&mut json, keys, r)?;
        // A JSON string value: take its text back (keys are plain strings in Spark's output).
        if keys.data_type().is_numeric() || matches!(keys.data_type(), DataType::Boolean) {
            return Ok(json);
        }
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(serde_json::Value::String(s)) => Ok(s),
            _ => Ok(json),
        }
    }
}

/// A FLOAT/DOUBLE: Java's text, or Jackson's quoted NaN/Infinity.
fn float(out: &mut String, v: f64, java: impl FnOnce() -> String) {
    if v.is_nan() {
        out.push_str("\"NaN\"");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        out.push_str(&java());
    }
}

/// An Arrow timestamp value in microseconds (floored, as Spark's microsecond precision).
fn timestamp_micros(a: &dyn Array, i: usize, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => a
            .as_primitive::<TimestampSecondType>()
            .value(i)
            .saturating_mul(1_000_000),
        TimeUnit::Millisecond => a
            .as_primitive::<TimestampMillisecondType>()
            .value(i)
            .saturating_mul(1_000),
        TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(i),
        TimeUnit::Nanosecond => a
            .as_primitive::<TimestampNanosecondType>()
            .value(i)
            .div_euclid(1_000),
    }
}

/// A decimal's plain text with exactly `scale` fraction digits (Java's `BigDecimal.toPlainString`).
fn decimal_text(v: i128, scale: i8) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    if scale <= 0 {
        let zeros = "0".repeat(usize::from(scale.unsigned_abs()));
        return if v == 0 {
            "0".into()
        } else {
            format!("{sign}{digits}{zeros}")
        };
    }
    let scale = usize::from(scale.unsigned_abs());
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// A JSON string literal with Jackson's escapes.
fn string(out: &mut String, s: &str) {
    crate::json::write_json_string(s, out);
}

/// BINARY as a base64 JSON string (Jackson's `writeBinary`).
fn base64_string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
    out.push('"');
}

/// Whether `to_json` accepts a value of type `t` at the top level.
fn is_json_container(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Struct(_)
            | DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Map(_, _)
    )
}

impl ScalarUDFImpl for ToJson {
    fn name(&self) -> &str {
        "to_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("to_json", arg_types.len(), 1, 2)?;
        if !is_json_container(&arg_types[0]) && arg_types[0] != DataType::Null {
            return plan_err!(
                "[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] Cannot resolve \"to_json\" due to data \
                 type mismatch: Input schema \"{}\" must be a struct, an array, a map or a variant.",
                crate::schema::spark_type_name(&arg_types[0]).to_uppercase()
            );
        }
        if let Some(t) = arg_types.get(1) {
            check_options_type("to_json", t)?;
        }
        Ok(arg_types.to_vec())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let writer = Writer::new(
            &options_map("to_json", args.args.get(1))?,
            self.session_time_zone,
        )?;
        let input = args.args[0].to_array(args.number_rows)?;
        let mut out = StringBuilder::with_capacity(input.len(), input.len() * 32);
        let mut text = String::new();
        for i in 0..input.len() {
            if input.is_null(i) {
                out.append_null();
                continue;
            }
            text.clear();
            writer.value(&mut text, input.as_ref(), i)?;
            out.append_value(&text);
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args[..1], result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_like_jackson() {
        let mut out = String::new();
        string(&mut out, "q\"\\é\t\u{1}/<\n");
        assert_eq!(out, r#""q\"\\é\t\u0001/<\n""#);
    }

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text(1500, 3), "1.500");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(7, 0), "7");
    }
}
