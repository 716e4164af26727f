//! `spark_cast(value, 'TYPE', 'ansi' | 'legacy' | 'try')`: Spark's CAST, which the SQL rewrite
//! puts in place of `CAST`, `TRY_CAST`, `x::T` and the function forms `int(x)`, `string(x)`, ...
//!
//! Arrow's cast (DataFusion's CAST) differs from Spark's in the cases cleaning code meets most, so
//! these are done here (checked against PySpark 4.0.1, tests/golden/cases_casts.py):
//!
//! - STRING to numbers: whitespace and control characters trimmed; integral types accept a
//!   fractional part outside ANSI (`'1.5'` is 1); doubles follow Java's `parseDouble` (`'1.5d'`,
//!   `'0x1p3'`) plus `inf`/`nan` words; decimals accept exponents and round HALF_UP.
//! - STRING to BOOLEAN (`t`, `yes`, `1`, ...), DATE and TIMESTAMP (Spark's lenient forms, zone-less
//!   strings in the session zone), TIMESTAMP_NTZ (a zone is accepted and ignored), BINARY.
//! - Narrowing numbers outside ANSI: Java's conversions (DOUBLE to INT saturates, NaN is 0,
//!   DOUBLE to SMALLINT goes through INT, BIGINT to INT wraps); under ANSI an overflow raises
//!   CAST_OVERFLOW.
//! - To STRING: DOUBLE/FLOAT as Java's `Double.toString` (`1.0E7`), TIMESTAMP as
//!   `yyyy-MM-dd HH:mm:ss[.ffffff]` in the session zone, arrays/structs/maps as `[1, null]`,
//!   `{1, a}`, `{a -> 1}`.
//! - TIMESTAMP to/from numbers are epoch seconds; TIMESTAMP to DATE and back use the session zone.
//!
//! Other pairs use Arrow's cast (safe outside ANSI). Modes: `ansi` raises Spark's errors,
//! `legacy` (ANSI off) gives NULL for malformed input, `try` never raises.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, Date32Array,
    Decimal128Array, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array, Int8Array,
    StringBuilder, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, DurationMicrosecondType, Field, FieldRef, Float32Type,
    Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, IntervalUnit, IntervalYearMonthType,
    TimeUnit, TimestampMicrosecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use datafusion::arrow::util::display::FormatOptions;
use datafusion::common::{exec_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    cast_invalid_input, date_to_utc_micros, to_output, utc_micros_to_days, wall_clock_to_utc,
};
use super::SparkConf;
use crate::datetime::cast as dt;
use crate::schema::{parse_ddl, spark_type_name};

/// The function name the rewrite calls.
pub const NAME: &str = "spark_cast";

/// How failures are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastMode {
    /// `spark.sql.ansi.enabled=true`: malformed input and overflow raise Spark's errors.
    Ansi,
    /// ANSI off: malformed input gives NULL, narrowing wraps or saturates like Java.
    Legacy,
    /// `try_cast`: NULL for anything that does not fit.
    Try,
}

impl CastMode {
    /// The literal the rewrite passes as the third argument.
    pub fn as_str(self) -> &'static str {
        match self {
            CastMode::Ansi => "ansi",
            CastMode::Legacy => "legacy",
            CastMode::Try => "try",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "ansi" => Ok(CastMode::Ansi),
            "legacy" => Ok(CastMode::Legacy),
            "try" => Ok(CastMode::Try),
            other => plan_err!("{NAME}: unknown mode '{other}'"),
        }
    }
}

/// The Arrow type for a Spark type name as written in `CAST(x AS <type>)`, if spate's schema
/// parser knows it (`INT`, `DECIMAL(10,2)`, `TIMESTAMP`, `ARRAY<STRING>`, ...).
pub fn target_type(spark_type: &str) -> Option<DataType> {
    let schema = parse_ddl(&format!("x {spark_type}")).ok()?;
    let field = schema.fields().first()?;
    Some(field.data_type().clone())
}

/// Spark's `CAST`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SparkCast {
    signature: Signature,
    time_zone: Tz,
}

impl SparkCast {
    /// `spark_cast` for a session's settings (the session zone matters for TIMESTAMP casts).
    pub fn new(conf: &SparkConf) -> Self {
        SparkCast {
            signature: Signature::any(3, Volatility::Immutable),
            time_zone: conf.session_time_zone,
        }
    }
}

fn literal_str<'a>(arg: Option<&'a ScalarValue>, what: &str) -> Result<&'a str> {
    match arg.and_then(|v| v.try_as_str().flatten()) {
        Some(s) => Ok(s),
        None => plan_err!("{NAME}: the {what} must be a constant string"),
    }
}

impl ScalarUDFImpl for SparkCast {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("{NAME}: the return type comes from the type argument")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let text = literal_str(args.scalar_arguments.get(1).copied().flatten(), "type")?;
        let Some(data_type) = target_type(text) else {
            return plan_err!("{NAME}: unsupported target type {text}");
        };
        Ok(Arc::new(Field::new(NAME, data_type, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mode = match args.args.get(2) {
            Some(ColumnarValue::Scalar(v)) => CastMode::parse(literal_str(Some(v), "mode")?)?,
            _ => return plan_err!("{NAME}: the mode must be a constant string"),
        };
        let target = args.return_field.data_type().clone();
        let input = match &args.args[0] {
            ColumnarValue::Array(a) => Arc::clone(a),
            ColumnarValue::Scalar(s) => s.to_array_of_size(1)?,
        };
        let out = cast_array(&input, &target, mode, &self.time_zone)?;
        to_output(&args.args[..1], out)
    }
}

// ------------------------------------------------------------------------------------------------
// Dispatch
// ------------------------------------------------------------------------------------------------

/// Casts `arr` to `target` with Spark's rules.
pub fn cast_array(arr: &ArrayRef, target: &DataType, mode: CastMode, tz: &Tz) -> Result<ArrayRef> {
    let source = arr.data_type();
    if source == target {
        return Ok(Arc::clone(arr));
    }
    if *source == DataType::Null {
        return Ok(new_null_array(target, arr.len()));
    }
    if crate::variant::is_variant(source) {
        return crate::variant::cast_variant(arr, target, mode, tz);
    }
    if let DataType::Dictionary(_, value) = source {
        let plain = cast_with_options(arr, value, &CastOptions::default())?;
        return cast_array(&plain, target, mode, tz);
    }
    match (source, target) {
        (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, _) => {
            let strings = cast_with_options(arr, &DataType::Utf8, &CastOptions::default())?;
            from_string(strings.as_string::<i32>(), target, mode, tz)
        }
        (_, DataType::Utf8) => to_string(arr, tz),
        (_, DataType::Utf8View | DataType::LargeUtf8) => {
            let s = to_string(arr, tz)?;
            Ok(cast_with_options(&s, target, &CastOptions::default())?)
        }
        (DataType::Float32 | DataType::Float64, t) if is_integral(t) => {
            float_to_integral(arr, t, mode)
        }
        (s, t) if is_integral(s) && is_integral(t) => integral_to_integral(arr, t, mode),
        (DataType::Boolean, t) if is_integral(t) => arrow_cast(arr, t, mode),
        (DataType::Decimal128(_, scale), t) if is_integral(t) => {
            decimal_to_integral(arr, *scale, t, mode)
        }
        (DataType::Timestamp(_, _), t) if is_integral(t) => {
            let secs: Int64Array = micros_of(arr)?
                .iter()
                .map(|m| m.map(|m| m.div_euclid(1_000_000)))
                .collect();
            integral_to_integral(&(Arc::new(secs) as ArrayRef), t, mode)
        }
        (DataType::Timestamp(_, _), DataType::Float64 | DataType::Float32) => {
            let secs: Float64Array = micros_of(arr)?
                .iter()
                .map(|m| m.map(|m| m as f64 / 1e6))
                .collect();
            arrow_cast(&(Arc::new(secs) as ArrayRef), target, mode)
        }
        (s, DataType::Timestamp(_, tz_label)) if is_integral(s) => {
            let secs = arrow_cast(arr, &DataType::Int64, mode)?;
            let micros: Vec<Option<i64>> = secs
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(|s| s.saturating_mul(1_000_000)))
                .collect();
            Ok(timestamp_array(micros, tz_label.clone()))
        }
        (DataType::Float32 | DataType::Float64, DataType::Timestamp(_, tz_label)) => {
            let secs = arrow_cast(arr, &DataType::Float64, mode)?;
            let micros: Vec<Option<i64>> = secs
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.filter(|s| s.is_finite()).map(|s| (s * 1e6) as i64))
                .collect();
            Ok(timestamp_array(micros, tz_label.clone()))
        }
        (DataType::Timestamp(_, Some(_)), DataType::Date32) => {
            let days: Date32Array = micros_of(arr)?
                .iter()
                .map(|m| m.and_then(|m| utc_micros_to_days(m, tz)))
                .collect();
            Ok(Arc::new(days))
        }
        (DataType::Timestamp(_, None), DataType::Date32) => {
            let days: Date32Array = micros_of(arr)?
                .iter()
                .map(|m| m.map(|m| m.div_euclid(86_400_000_000) as i32))
                .collect();
            Ok(Arc::new(days))
        }
        (DataType::Date32, DataType::Timestamp(_, Some(label))) => {
            let days = arr.as_primitive::<Date32Type>();
            let micros = days
                .iter()
                .map(|d| d.and_then(|d| date_to_utc_micros(d, tz)))
                .collect();
            Ok(timestamp_array(micros, Some(Arc::clone(label))))
        }
        (DataType::Date32, DataType::Timestamp(_, None)) => {
            let days = arr.as_primitive::<Date32Type>();
            let micros = days
                .iter()
                .map(|d| d.map(|d| i64::from(d) * 86_400_000_000))
                .collect();
            Ok(timestamp_array(micros, None))
        }
        // TIMESTAMP (an instant) to TIMESTAMP_NTZ: the wall clock in the session zone, and back.
        (DataType::Timestamp(_, Some(_)), DataType::Timestamp(_, None)) => {
            let micros = micros_of(arr)?
                .iter()
                .map(|m| {
                    m.and_then(|m| {
                        let local = DateTime::from_timestamp_micros(m)?
                            .with_timezone(tz)
                            .naive_local();
                        Some(local.and_utc().timestamp_micros())
                    })
                })
                .collect();
            Ok(timestamp_array(micros, None))
        }
        (DataType::Timestamp(_, None), DataType::Timestamp(_, Some(label))) => {
            let micros = micros_of(arr)?
                .iter()
                .map(|m| m.and_then(|m| wall_clock_to_utc(m, tz)))
                .collect();
            Ok(timestamp_array(micros, Some(Arc::clone(label))))
        }
        (DataType::Float32 | DataType::Float64, DataType::Decimal128(p, s)) => {
            float_to_decimal(arr, *p, *s, mode)
        }
        _ => arrow_cast(arr, target, mode),
    }
}

fn is_integral(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// Arrow's cast: raising under ANSI, NULL otherwise.
fn arrow_cast(arr: &ArrayRef, target: &DataType, mode: CastMode) -> Result<ArrayRef> {
    let options = CastOptions {
        safe: mode != CastMode::Ansi,
        format_options: FormatOptions::default(),
    };
    Ok(cast_with_options(arr, target, &options)?)
}

fn timestamp_array(micros: Vec<Option<i64>>, tz: Option<Arc<str>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from(micros).with_timezone_opt(tz))
}

/// Epoch microseconds of a timestamp array (any unit).
fn micros_of(arr: &ArrayRef) -> Result<TimestampMicrosecondArray> {
    let DataType::Timestamp(_, tz) = arr.data_type() else {
        return exec_err!("{NAME}: expected a timestamp, got {}", arr.data_type());
    };
    let c = cast_with_options(
        arr,
        &DataType::Timestamp(TimeUnit::Microsecond, tz.clone()),
        &CastOptions::default(),
    )?;
    Ok(c.as_primitive::<TimestampMicrosecondType>().clone())
}

/// Spark's upper-case name of a type, for error messages.
fn type_label(t: &DataType) -> String {
    spark_type_name(t).to_uppercase()
}

fn cast_overflow(value: &str, source: &DataType, target: &DataType) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[CAST_OVERFLOW] The value {value} of the type \"{}\" cannot be cast to \"{}\" due to an overflow. \
         Use `try_cast` to tolerate overflow and return NULL instead. If necessary set \
         \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003",
        type_label(source),
        type_label(target)
    ))
}

fn decimal_out_of_range(value: &str, p: u8, s: i8) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION] {value} cannot be represented as Decimal({p}, {s}). \
         If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, and return NULL instead. \
         SQLSTATE: 22003"
    ))
}

// ------------------------------------------------------------------------------------------------
// Integral targets
// ------------------------------------------------------------------------------------------------

/// The range of an integral type.
fn int_range(t: &DataType) -> (i128, i128) {
    match t {
        DataType::Int8 => (i8::MIN as i128, i8::MAX as i128),
        DataType::Int16 => (i16::MIN as i128, i16::MAX as i128),
        DataType::Int32 => (i32::MIN as i128, i32::MAX as i128),
        DataType::UInt8 => (0, u8::MAX as i128),
        DataType::UInt16 => (0, u16::MAX as i128),
        DataType::UInt32 => (0, u32::MAX as i128),
        DataType::UInt64 => (0, u64::MAX as i128),
        _ => (i64::MIN as i128, i64::MAX as i128),
    }
}

/// Java's narrowing of a long to the target width (two's complement wrap).
fn wrap(v: i64, t: &DataType) -> i64 {
    match t {
        DataType::Int8 => v as i8 as i64,
        DataType::Int16 => v as i16 as i64,
        DataType::Int32 => v as i32 as i64,
        _ => v,
    }
}

/// Builds an integral array of type `t` from i64 values (already in range).
fn integral_array(values: Vec<Option<i64>>, t: &DataType) -> Result<ArrayRef> {
    Ok(match t {
        DataType::Int8 => Arc::new(
            values
                .into_iter()
                .map(|v| v.map(|v| v as i8))
                .collect::<Int8Array>(),
        ),
        DataType::Int16 => Arc::new(
            values
                .into_iter()
                .map(|v| v.map(|v| v as i16))
                .collect::<Int16Array>(),
        ),
        DataType::Int32 => Arc::new(
            values
                .into_iter()
                .map(|v| v.map(|v| v as i32))
                .collect::<Int32Array>(),
        ),
        DataType::Int64 => Arc::new(values.into_iter().collect::<Int64Array>()),
        other => {
            let wide: ArrayRef = Arc::new(values.into_iter().collect::<Int64Array>());
            cast_with_options(&wide, other, &CastOptions::default())?
        }
    })
}

/// An i128 view of any integral array.
fn integral_values(arr: &ArrayRef) -> Result<Vec<Option<i128>>> {
    Ok(match arr.data_type() {
        DataType::Int8 => arr
            .as_primitive::<Int8Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::Int16 => arr
            .as_primitive::<Int16Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::Int32 => arr
            .as_primitive::<Int32Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::Int64 => arr
            .as_primitive::<Int64Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::UInt8 => arr
            .as_primitive::<UInt8Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::UInt16 => arr
            .as_primitive::<UInt16Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::UInt32 => arr
            .as_primitive::<UInt32Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        DataType::UInt64 => arr
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| v.map(i128::from))
            .collect(),
        other => return exec_err!("{NAME}: expected an integral type, got {other}"),
    })
}

fn integral_to_integral(arr: &ArrayRef, t: &DataType, mode: CastMode) -> Result<ArrayRef> {
    let (lo, hi) = int_range(t);
    let mut out = Vec::with_capacity(arr.len());
    for v in integral_values(arr)? {
        out.push(match v {
            None => None,
            Some(v) if (lo..=hi).contains(&v) => Some(v as i64),
            Some(v) => match mode {
                CastMode::Ansi => return Err(cast_overflow(&v.to_string(), arr.data_type(), t)),
                CastMode::Try => None,
                CastMode::Legacy => Some(wrap(v as i64, t)),
            },
        });
    }
    integral_array(out, t)
}

fn float_to_integral(arr: &ArrayRef, t: &DataType, mode: CastMode) -> Result<ArrayRef> {
    let doubles = cast_with_options(arr, &DataType::Float64, &CastOptions::default())?;
    let (lo, hi) = int_range(t);
    let mut out = Vec::with_capacity(arr.len());
    for v in doubles.as_primitive::<Float64Type>().iter() {
        out.push(match v {
            None => None,
            Some(d) if d.is_finite() && (lo as f64..hi as f64 + 1.0).contains(&d.trunc()) => {
                Some(d.trunc() as i64)
            }
            Some(d) => match mode {
                CastMode::Ansi => return Err(cast_overflow(&java_double(d), arr.data_type(), t)),
                CastMode::Try => None,
                // Java: (long) d and (int) d saturate, NaN is 0; SMALLINT/TINYINT narrow the int.
                CastMode::Legacy => Some(match t {
                    DataType::Int64 => d as i64,
                    _ => wrap(i64::from(d as i32), t),
                }),
            },
        });
    }
    // Values in range never exceed the target (`trunc` of d < hi + 1 is at most hi).
    integral_array(out, t)
}

fn decimal_to_integral(
    arr: &ArrayRef,
    scale: i8,
    t: &DataType,
    mode: CastMode,
) -> Result<ArrayRef> {
    let decimals = arr.as_primitive::<Decimal128Type>();
    let divisor = 10i128.pow(scale.max(0) as u32);
    let (lo, hi) = int_range(t);
    let mut out = Vec::with_capacity(arr.len());
    for v in decimals.iter() {
        out.push(match v.map(|v| v / divisor) {
            None => None,
            Some(v) if (lo..=hi).contains(&v) => Some(v as i64),
            Some(v) => match mode {
                CastMode::Ansi => return Err(cast_overflow(&v.to_string(), arr.data_type(), t)),
                CastMode::Try => None,
                CastMode::Legacy => Some(wrap(v as i64, t)),
            },
        });
    }
    integral_array(out, t)
}

// ------------------------------------------------------------------------------------------------
// From STRING
// ------------------------------------------------------------------------------------------------

/// Spark's `UTF8String.trimAll`: whitespace and ISO control characters at both ends.
fn trim_all(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c <= ' ' || ('\u{7f}'..='\u{9f}').contains(&c) || (c.is_whitespace() && c != '\u{a0}')
    })
}

/// A string Spark reads as an integer: `[+-]digits[.digits]` (the fraction only outside ANSI,
/// and then truncated). None when malformed or out of the i64 range.
fn parse_integral(s: &str, allow_fraction: bool) -> Option<i64> {
    let t = trim_all(s);
    let (neg, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (int_part, frac) = match body.split_once('.') {
        Some((i, f)) if allow_fraction => (i, Some(f)),
        Some(_) => return None,
        None => (body, None),
    };
    if int_part.is_empty() && frac.is_none_or(str::is_empty) {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac.unwrap_or("").bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut v: i64 = 0;
    for b in int_part.bytes() {
        let d = i64::from(b - b'0');
        v = if neg {
            v.checked_mul(10)?.checked_sub(d)?
        } else {
            v.checked_mul(10)?.checked_add(d)?
        };
    }
    Some(v)
}

/// Java's `Double.parseDouble` plus Spark's `inf`/`nan` words; None when malformed.
fn parse_double(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c <= ' ');
    if let Some(v) = java_decimal_float(t).and_then(|x| x.parse::<f64>().ok()) {
        return Some(v);
    }
    if let Some(v) = hex_float(t) {
        return Some(v);
    }
    special_float(t)
}

fn parse_float(s: &str) -> Option<f32> {
    let t = s.trim_matches(|c: char| c <= ' ');
    if let Some(v) = java_decimal_float(t).and_then(|x| x.parse::<f32>().ok()) {
        return Some(v);
    }
    if let Some(v) = hex_float(t) {
        return Some(v as f32);
    }
    special_float(t).map(|v| v as f32)
}

/// Spark's `processFloatingPointSpecialLiterals` and Java's own `NaN`/`Infinity` tokens.
fn special_float(t: &str) -> Option<f64> {
    match t {
        "NaN" | "+NaN" | "-NaN" => return Some(f64::NAN),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    match t.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    }
}

/// The text Rust should parse for a Java decimal floating literal
/// (`[+-](digits[.digits]|.digits)[(e|E)[+-]digits][fFdD]`), or None.
fn java_decimal_float(t: &str) -> Option<&str> {
    let body = t.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(t);
    let b = body.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let start_digits = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - start_digits;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return None;
        }
    }
    (i == b.len()).then_some(body)
}

/// A Java hexadecimal floating literal, `[+-]0x<hex>[.<hex>]p[+-]<dec>[fFdD]`.
fn hex_float(t: &str) -> Option<f64> {
    let body = t.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(t);
    let (neg, rest) = match body.as_bytes().first()? {
        b'-' => (true, &body[1..]),
        b'+' => (false, &body[1..]),
        _ => (false, body),
    };
    let rest = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))?;
    let (mantissa, exp) = rest.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// A decimal number as (negative, digits without leading zeros, exponent): digits × 10^exponent.
fn parse_decimal_parts(t: &str) -> Option<(bool, Vec<u8>, i64)> {
    let b = t.as_bytes();
    let mut i = 0;
    let neg = match b.first()? {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut digits = Vec::new();
    let mut exponent: i64 = 0;
    let mut seen = false;
    while i < b.len() && b[i].is_ascii_digit() {
        digits.push(b[i] - b'0');
        seen = true;
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] - b'0');
            exponent -= 1;
            seen = true;
            i += 1;
        }
    }
    if !seen {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let e: i64 = t.get(i..)?.parse().ok()?;
        exponent = exponent.checked_add(e)?;
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    let first = digits.iter().position(|d| *d != 0).unwrap_or(digits.len());
    Some((neg, digits[first..].to_vec(), exponent))
}

/// The unscaled value at `scale`, rounded HALF_UP; None when it needs more than `precision` digits.
fn rescale(neg: bool, digits: &[u8], exponent: i64, precision: u8, scale: i8) -> Option<i128> {
    let shift = exponent + i64::from(scale);
    let mut kept: Vec<u8> = digits.to_vec();
    let mut round_up = false;
    if shift >= 0 {
        if kept.len() as i64 + shift > 38 && !kept.is_empty() {
            return None;
        }
        kept.extend(std::iter::repeat_n(
            0,
            if kept.is_empty() { 0 } else { shift as usize },
        ));
    } else {
        let drop = (-shift) as usize;
        if drop > kept.len() {
            kept.clear();
        } else {
            round_up = kept[kept.len() - drop] >= 5;
            kept.truncate(kept.len() - drop);
        }
    }
    if kept.len() > 38 {
        return None;
    }
    let mut v: i128 = 0;
    for d in &kept {
        v = v * 10 + i128::from(*d);
    }
    if round_up {
        v += 1;
    }
    if v >= 10i128.pow(u32::from(precision)) {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Casts strings, row by row.
fn from_string(
    strs: &datafusion::arrow::array::StringArray,
    target: &DataType,
    mode: CastMode,
    tz: &Tz,
) -> Result<ArrayRef> {
    let invalid = |s: &str| -> Result<()> {
        if mode == CastMode::Ansi {
            Err(cast_invalid_input(s, &type_label(target)))
        } else {
            Ok(())
        }
    };
    macro_rules! each {
        ($parse:expr) => {{
            let mut out = Vec::with_capacity(strs.len());
            for s in strs.iter() {
                out.push(match s {
                    None => None,
                    Some(s) => match $parse(s) {
                        Some(v) => Some(v),
                        None => {
                            invalid(s)?;
                            None
                        }
                    },
                });
            }
            out
        }};
    }
    Ok(match target {
        t if is_integral(t) => {
            let (lo, hi) = int_range(t);
            let allow_fraction = mode == CastMode::Legacy;
            let values = each!(|s: &str| parse_integral(s, allow_fraction)
                .filter(|v| (lo..=hi).contains(&i128::from(*v))));
            integral_array(values, t)?
        }
        DataType::Float64 => Arc::new(Float64Array::from(each!(parse_double))),
        DataType::Float32 => Arc::new(Float32Array::from(each!(parse_float))),
        DataType::Decimal128(p, s) => {
            let mut out = Vec::with_capacity(strs.len());
            for v in strs.iter() {
                out.push(match v {
                    None => None,
                    Some(text) => match parse_decimal_parts(trim_all(text)) {
                        None => {
                            invalid(text)?;
                            None
                        }
                        Some((neg, digits, exp)) => match rescale(neg, &digits, exp, *p, *s) {
                            Some(v) => Some(v),
                            None if mode == CastMode::Ansi => {
                                return Err(decimal_out_of_range(trim_all(text), *p, *s))
                            }
                            None => None,
                        },
                    },
                });
            }
            Arc::new(Decimal128Array::from(out).with_precision_and_scale(*p, *s)?)
        }
        DataType::Boolean => {
            let values = each!(|s: &str| match trim_all(s).to_ascii_lowercase().as_str() {
                "t" | "true" | "y" | "yes" | "1" => Some(true),
                "f" | "false" | "n" | "no" | "0" => Some(false),
                _ => None,
            });
            let mut b = BooleanBuilder::with_capacity(values.len());
            b.extend(values);
            Arc::new(b.finish())
        }
        DataType::Date32 => Arc::new(Date32Array::from(each!(dt::parse_date_days))),
        DataType::Timestamp(_, Some(label)) => {
            let micros = each!(|s: &str| dt::parse_timestamp_micros(s, tz));
            timestamp_array(micros, Some(Arc::clone(label)))
        }
        DataType::Timestamp(_, None) => timestamp_array(each!(dt::cast_timestamp_ntz_micros), None),
        DataType::Binary => {
            let mut b = BinaryBuilder::with_capacity(strs.len(), strs.value_data().len());
            for s in strs.iter() {
                b.append_option(s.map(str::as_bytes));
            }
            Arc::new(b.finish())
        }
        other => {
            let arr: ArrayRef = Arc::new(strs.clone());
            arrow_cast(&arr, other, mode)?
        }
    })
}

fn float_to_decimal(arr: &ArrayRef, p: u8, s: i8, mode: CastMode) -> Result<ArrayRef> {
    // Scala's BigDecimal(double) starts from Double.toString's digits (Float.toString for FLOAT).
    let texts: Vec<Option<String>> = match arr.data_type() {
        DataType::Float32 => arr
            .as_primitive::<Float32Type>()
            .iter()
            .map(|v| v.map(|v| format!("{v:e}")))
            .collect(),
        _ => arr
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.map(|v| format!("{v:e}")))
            .collect(),
    };
    let mut out = Vec::with_capacity(texts.len());
    for t in texts {
        out.push(match t {
            None => None,
            Some(t) => {
                match parse_decimal_parts(&t).and_then(|(n, d, e)| rescale(n, &d, e, p, s)) {
                    Some(v) => Some(v),
                    None if mode == CastMode::Ansi => return Err(decimal_out_of_range(&t, p, s)),
                    None => None,
                }
            }
        });
    }
    Ok(Arc::new(
        Decimal128Array::from(out).with_precision_and_scale(p, s)?,
    ))
}

// ------------------------------------------------------------------------------------------------
// To STRING
// ------------------------------------------------------------------------------------------------

fn to_string(arr: &ArrayRef, tz: &Tz) -> Result<ArrayRef> {
    let mut b = StringBuilder::with_capacity(arr.len(), arr.len() * 8);
    for i in 0..arr.len() {
        b.append_option(value_text(arr.as_ref(), i, tz)?);
    }
    Ok(Arc::new(b.finish()))
}

/// Spark's string form of one value, None for NULL.
pub fn value_text(a: &dyn Array, i: usize, tz: &Tz) -> Result<Option<String>> {
    if a.is_null(i) {
        return Ok(None);
    }
    Ok(Some(match a.data_type() {
        DataType::Null => return Ok(None),
        DataType::Float64 => java_double(a.as_primitive::<Float64Type>().value(i)),
        DataType::Float32 => java_float(a.as_primitive::<Float32Type>().value(i)),
        DataType::Date32 => date_text(a.as_primitive::<Date32Type>().value(i)),
        DataType::Timestamp(_, zone) => {
            let micros = cast_with_options(
                &a.slice(i, 1),
                &DataType::Timestamp(TimeUnit::Microsecond, zone.clone()),
                &CastOptions::default(),
            )?;
            let m = micros.as_primitive::<TimestampMicrosecondType>().value(0);
            timestamp_text(m, zone.as_ref().map(|_| tz))
        }
        DataType::Duration(TimeUnit::Microsecond) => crate::datetime::interval::day_time_text(
            a.as_primitive::<DurationMicrosecondType>().value(i),
        ),
        DataType::Interval(IntervalUnit::YearMonth) => crate::datetime::interval::year_month_text(
            a.as_primitive::<IntervalYearMonthType>().value(i),
        ),
        DataType::Binary => String::from_utf8_lossy(a.as_binary::<i32>().value(i)).into_owned(),
        DataType::LargeBinary => {
            String::from_utf8_lossy(a.as_binary::<i64>().value(i)).into_owned()
        }
        DataType::List(_) => list_text(a.as_list::<i32>().value(i).as_ref(), tz)?,
        DataType::LargeList(_) => list_text(a.as_list::<i64>().value(i).as_ref(), tz)?,
        DataType::FixedSizeList(_, _) => list_text(a.as_fixed_size_list().value(i).as_ref(), tz)?,
        DataType::Struct(_) => {
            let s = a.as_struct();
            let mut parts = Vec::with_capacity(s.num_columns());
            for c in s.columns() {
                parts.push(value_text(c.as_ref(), i, tz)?.unwrap_or_else(|| "null".into()));
            }
            format!("{{{}}}", parts.join(", "))
        }
        DataType::Map(_, _) => {
            let entries = a.as_map().value(i);
            let mut parts = Vec::with_capacity(entries.len());
            for r in 0..entries.len() {
                let k =
                    value_text(entries.column(0).as_ref(), r, tz)?.unwrap_or_else(|| "null".into());
                let v =
                    value_text(entries.column(1).as_ref(), r, tz)?.unwrap_or_else(|| "null".into());
                parts.push(format!("{k} -> {v}"));
            }
            format!("{{{}}}", parts.join(", "))
        }
        _ => {
            let c = cast_with_options(&a.slice(i, 1), &DataType::Utf8, &CastOptions::default())?;
            c.as_string::<i32>().value(0).to_string()
        }
    }))
}

fn list_text(a: &dyn Array, tz: &Tz) -> Result<String> {
    let mut parts = Vec::with_capacity(a.len());
    for r in 0..a.len() {
        parts.push(value_text(a, r, tz)?.unwrap_or_else(|| "null".into()));
    }
    Ok(format!("[{}]", parts.join(", ")))
}

/// `yyyy-MM-dd`; years after 9999 get a `+`, as java.time prints them.
pub fn date_text(days: i32) -> String {
    match NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(days))))
    {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => days.to_string(),
    }
}

/// Spark's TIMESTAMP text: `yyyy-MM-dd HH:mm:ss` plus the fraction without trailing zeros, in
/// `tz` (None: a TIMESTAMP_NTZ wall clock).
pub fn timestamp_text(micros: i64, tz: Option<&Tz>) -> String {
    let Some(utc) = DateTime::from_timestamp_micros(micros) else {
        return micros.to_string();
    };
    let local = match tz {
        Some(tz) => utc.with_timezone(tz).naive_local(),
        None => utc.naive_utc(),
    };
    let mut s = local.format("%Y-%m-%d %H:%M:%S").to_string();
    let frac = micros.rem_euclid(1_000_000);
    if frac != 0 {
        let digits = format!("{frac:06}");
        s.push('.');
        s.push_str(digits.trim_end_matches('0'));
    }
    s
}

/// Java's `Double.toString`: shortest round-trip digits, plain between 1e-3 and 1e7, else `d.dddE±n`.
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    java_digits(
        &format!("{v:e}"),
        v == 0.0,
        v.is_sign_negative(),
        v.abs() >= 1e-3 && v.abs() < 1e7,
    )
}

/// Java's `Float.toString`.
pub fn java_float(v: f32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    java_digits(
        &format!("{v:e}"),
        v == 0.0,
        v.is_sign_negative(),
        v.abs() >= 1e-3 && v.abs() < 1e7,
    )
}

fn java_digits(sci: &str, zero: bool, negative: bool, plain: bool) -> String {
    let sign = if negative { "-" } else { "" };
    if zero {
        return format!("{sign}0.0");
    }
    let sci = sci.trim_start_matches('-');
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci.to_string();
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if plain {
        let point = exp + 1;
        if point <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!(
                "{sign}{digits}{}.0",
                "0".repeat(point as usize - digits.len())
            )
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{sign}{a}.{b}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, context_in, value};
    use super::*;

    async fn cast(ansi: bool, sql: &str) -> String {
        value(&context(ansi), sql)
            .await
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn java_number_text() {
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(-0.0), "-0.0");
        assert_eq!(java_float(16777216.0), "1.6777216E7");
        assert_eq!(java_float(0.1), "0.1");
    }

    #[test]
    fn string_numbers() {
        assert_eq!(parse_integral(" 12 ", false), Some(12));
        assert_eq!(parse_integral("1.5", true), Some(1));
        assert_eq!(parse_integral("1.5", false), None);
        assert_eq!(parse_integral(".5", true), Some(0));
        assert_eq!(
            parse_integral("-9223372036854775808", false),
            Some(i64::MIN)
        );
        assert_eq!(parse_integral("9223372036854775808", false), None);
        assert_eq!(parse_integral("+", true), None);
        assert_eq!(parse_double("1.5d"), Some(1.5));
        assert_eq!(parse_double("0x1p3"), Some(8.0));
        assert_eq!(parse_double("-infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double("1_000"), None);
        assert_eq!(parse_double(""), None);
        assert!(parse_double("nan").is_some_and(f64::is_nan));
        let d =
            |t: &str, p, s| parse_decimal_parts(t).and_then(|(n, d, e)| rescale(n, &d, e, p, s));
        assert_eq!(d("1.005", 10, 2), Some(101));
        assert_eq!(d("-0.005", 10, 2), Some(-1));
        assert_eq!(d("1e2", 10, 2), Some(10000));
        assert_eq!(d("123456789.1", 10, 2), None);
        assert_eq!(d("0", 10, 2), Some(0));
        assert_eq!(d("1,234.5", 10, 2), None);
    }

    #[tokio::test]
    async fn modes() {
        assert_eq!(
            cast(false, "SELECT spark_cast('1.5', 'INT', 'legacy')").await,
            "1"
        );
        assert!(cast(true, "SELECT spark_cast('1.5', 'INT', 'ansi')")
            .await
            .contains("CAST_INVALID_INPUT"));
        assert_eq!(
            cast(true, "SELECT spark_cast('x', 'INT', 'try')").await,
            "NULL"
        );
        assert_eq!(
            cast(false, "SELECT spark_cast(1e10, 'SMALLINT', 'legacy')").await,
            "-1"
        );
        assert!(cast(true, "SELECT spark_cast(1e10, 'INT', 'ansi')")
            .await
            .contains("CAST_OVERFLOW"));
        assert_eq!(
            cast(false, "SELECT spark_cast(1e7, 'STRING', 'legacy')").await,
            "1.0E7"
        );
    }

    #[tokio::test]
    async fn timestamps_use_the_session_zone() {
        let kolkata: Tz = "Asia/Kolkata".parse().expect("zone");
        let ctx = context_in(true, kolkata);
        let v = value(&ctx, "SELECT spark_cast(spark_cast('2024-05-01T12:34:56.1Z', 'TIMESTAMP', 'ansi'), 'STRING', 'ansi')")
            .await
            .expect("runs");
        assert_eq!(v, "2024-05-01 18:04:56.1");
    }
}
