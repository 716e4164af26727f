//! Spark's `format_number(x, d)`: `x` with `d` decimals and thousands separators, as Java's
//! `DecimalFormat("#,##0.00")` writes it: half-even rounding of the exact value (`2.675D` is
//! `2.67`, a double being slightly below it), the sign kept on a rounded-away negative
//! (`-0.00`), `NaN` and `∞` for the non-finite doubles, NULL for a negative `d`.
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `format_number*`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int32Type, Int64Type};
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, to_arrays, to_output};

/// `format_number(x, d)` with an integer `d`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FormatNumber {
    signature: Signature,
}

impl Default for FormatNumber {
    fn default() -> Self {
        FormatNumber {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// `digits` (ASCII digits) with a comma between each group of three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plain decimal text (`-1234.50`) with its integer part grouped.
fn group_plain(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    match rest.split_once('.') {
        Some((int, frac)) => format!("{sign}{}.{frac}", grouped(int)),
        None => format!("{sign}{}", grouped(rest)),
    }
}

fn format_f64(v: f64, d: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "-∞" }.to_string();
    }
    // Rust formats the exact binary value with ties to even, as DecimalFormat does.
    group_plain(&format!("{v:.d$}"))
}

/// `v` (unscaled, with `scale`) rounded half-even to `d` decimals, as plain text.
fn decimal_text(v: i128, scale: i8, d: usize) -> Option<String> {
    let scale = usize::try_from(scale.max(0)).ok()?;
    let (mut units, shown) = if d >= scale {
        (
            v.checked_mul(10i128.checked_pow(u32::try_from(d - scale).ok()?)?)?,
            d,
        )
    } else {
        let div = 10i128.checked_pow(u32::try_from(scale - d).ok()?)?;
        let (q, r) = (v / div, (v % div).abs());
        let up = r * 2 > div || (r * 2 == div && q % 2 != 0);
        (if up { q + v.signum() } else { q }, d)
    };
    let negative = v < 0;
    units = units.abs();
    let digits = format!("{units:0>width$}", width = shown + 1);
    let (int, frac) = digits.split_at(digits.len() - shown);
    let sign = if negative { "-" } else { "" };
    Some(if shown == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

impl ScalarUDFImpl for FormatNumber {
    fn name(&self) -> &str {
        "format_number"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("format_number", arg_types.len(), 2, 2)?;
        let x = match &arg_types[0] {
            t if t.is_integer() || *t == DataType::Null => DataType::Int64,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => DataType::Float64,
            t @ DataType::Decimal128(..) => t.clone(),
            DataType::Decimal256(p, s) if *p <= 38 => DataType::Decimal128(*p, *s),
            other => {
                return plan_err!(
                    "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"format_number\" \
                     due to data type mismatch: The first parameter requires the \"NUMERIC\" \
                     type, however it has the type \"{}\" (spate takes an integer number of \
                     decimals, not a pattern, as the second).",
                    crate::schema::spark_type_name(other).to_uppercase()
                )
            }
        };
        if !(arg_types[1].is_integer() || arg_types[1] == DataType::Null) {
            return plan_err!(
                "format_number: spate takes an integer number of decimals, not a pattern, got {}",
                arg_types[1]
            );
        }
        Ok(vec![x, DataType::Int32])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (x, d) = (&arrays[0], arrays[1].as_primitive::<Int32Type>());
        let mut out = StringBuilder::with_capacity(x.len(), x.len() * 12);
        for i in 0..x.len() {
            let places = (d.is_valid(i) && x.is_valid(i))
                .then(|| usize::try_from(d.value(i)).ok())
                .flatten();
            let Some(places) = places else {
                out.append_null();
                continue;
            };
            let text = match x.data_type() {
                DataType::Float64 => {
                    Some(format_f64(x.as_primitive::<Float64Type>().value(i), places))
                }
                DataType::Decimal128(_, scale) => {
                    decimal_text(x.as_primitive::<Decimal128Type>().value(i), *scale, places)
                        .map(|t| group_plain(&t))
                }
                _ => decimal_text(
                    i128::from(x.as_primitive::<Int64Type>().value(i)),
                    0,
                    places,
                )
                .map(|t| group_plain(&t)),
            };
            out.append_option(text);
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_decimal_format() {
        assert_eq!(format_f64(1234.565, 2), "1,234.57");
        assert_eq!(format_f64(2.675, 2), "2.67");
        assert_eq!(format_f64(-0.001, 2), "-0.00");
        assert_eq!(format_f64(0.5, 0), "0");
        assert_eq!(format_f64(1.5, 0), "2");
        assert_eq!(format_f64(1e20, 2), "100,000,000,000,000,000,000.00");
        assert_eq!(format_f64(99.999, 2), "100.00");
        assert_eq!(
            group_plain(&decimal_text(123456789, 4, 2).unwrap()),
            "12,345.68"
        );
        assert_eq!(
            group_plain(&decimal_text(1234567, 0, 0).unwrap()),
            "1,234,567"
        );
        assert_eq!(decimal_text(-125, 2, 1).unwrap(), "-1.2");
        assert_eq!(decimal_text(5, 0, 2).unwrap(), "5.00");
    }
}
