//! Spark's `/` (`spark_divide`) and `div` (`spark_div`), put in place of the operators by the
//! SQL rewrite: DataFusion divides integers as integers and always fails on a zero divisor.
//!
//! Checked against PySpark 4.0.1 (tests/golden, `integer_division_and_modulo`,
//! `division_by_zero_*`, `division_*`):
//! - `/` of integers or floats is DOUBLE; of DECIMALs (integers taking part as DECIMAL(10,0),
//!   BIGINT as DECIMAL(20,0)) it is DECIMAL with Spark's result type (scale
//!   `max(6, s1 + p2 + 1)`, precision `p1 - s1 + s2 + scale`, cut to 38 keeping at least 6
//!   fraction digits), rounded HALF_UP;
//! - `div` truncates toward zero and is BIGINT;
//! - a zero divisor raises DIVIDE_BY_ZERO under ANSI and gives NULL without it; a DECIMAL
//!   result that does not fit raises under ANSI and is NULL without it.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Builder, Float64Array, Int64Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    i256, DataType, Decimal128Type, Field, FieldRef, Float64Type, Int64Type,
};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{arg_types, check_arg_count, to_arrays, to_output};
use super::SparkConf;

/// Name of Spark's `/` in rewritten SQL.
pub const DIVIDE: &str = "spark_divide";
/// Name of Spark's `div` in rewritten SQL.
pub const INT_DIVIDE: &str = "spark_div";

/// Spark's DIVIDE_BY_ZERO error.
fn divide_by_zero() -> DataFusionError {
    DataFusionError::Execution(
        "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and \
         return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass \
         this error. SQLSTATE: 22012"
            .into(),
    )
}

/// The DECIMAL an exact number takes part as (Spark's `DecimalPrecision.forType`).
fn as_decimal(t: &DataType) -> Option<(u8, i8)> {
    Some(match t {
        DataType::Decimal128(p, s) => (*p, *s),
        DataType::Int8 | DataType::UInt8 => (3, 0),
        DataType::Int16 | DataType::UInt16 => (5, 0),
        DataType::Int32 | DataType::UInt32 => (10, 0),
        DataType::Int64 | DataType::UInt64 => (20, 0),
        _ => return None,
    })
}

/// Spark's result type of DECIMAL(p1,s1) / DECIMAL(p2,s2) (allowPrecisionLoss, the default).
fn decimal_quotient_type(p1: u8, s1: i8, p2: u8, s2: i8) -> (u8, i8) {
    let (p1, s1, p2, s2) = (i32::from(p1), i32::from(s1), i32::from(p2), i32::from(s2));
    let scale = 6.max(s1 + p2 + 1);
    let precision = p1 - s1 + s2 + scale;
    if precision <= 38 {
        return (precision as u8, scale as i8);
    }
    let int_digits = precision - scale;
    let scale = (38 - int_digits).max(scale.min(6));
    (38, scale as i8)
}

/// 10^n as i256, if it fits.
fn pow10(n: u32) -> Option<i256> {
    let ten = i256::from_i128(10);
    (0..n).try_fold(i256::ONE, |acc, _| acc.checked_mul(ten))
}

/// round_half_up(a·10^-s1 / (b·10^-s2)) at scale `s`, as an unscaled i256.
fn decimal_quotient(a: i128, s1: i8, b: i128, s2: i8, s: i8) -> Option<i256> {
    let e = i32::from(s) + i32::from(s2) - i32::from(s1);
    let (mut num, mut den) = (i256::from_i128(a), i256::from_i128(b));
    if e >= 0 {
        num = num.checked_mul(pow10(e as u32)?)?;
    } else {
        den = den.checked_mul(pow10((-e) as u32)?)?;
    }
    let q = num.checked_div(den)?;
    let r = num.checked_rem(den)?;
    let twice = r.checked_mul(i256::from_i128(2))?;
    // HALF_UP: away from zero when the remainder is at least half the divisor.
    if twice.wrapping_abs() >= den.wrapping_abs() {
        let away = if (num < i256::ZERO) != (den < i256::ZERO) {
            i256::MINUS_ONE
        } else {
            i256::ONE
        };
        return q.checked_add(away);
    }
    Some(q)
}

/// Spark's `/` and `div`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SparkDivide {
    signature: Signature,
    ansi: bool,
    /// `div`: truncated BIGINT quotient.
    integral: bool,
}

impl SparkDivide {
    /// Spark's `/`.
    pub fn divide(conf: &SparkConf) -> Self {
        Self::build(conf, false)
    }

    /// Spark's `div`.
    pub fn int_divide(conf: &SparkConf) -> Self {
        Self::build(conf, true)
    }

    fn build(conf: &SparkConf, integral: bool) -> Self {
        SparkDivide {
            signature: Signature::user_defined(Volatility::Immutable),
            ansi: conf.ansi,
            integral,
        }
    }

    /// NULL without ANSI, `error` with it.
    fn fail<T>(&self, error: DataFusionError) -> Result<Option<T>> {
        if self.ansi {
            Err(error)
        } else {
            Ok(None)
        }
    }

    fn floats(&self, a: &ArrayRef, b: &ArrayRef) -> Result<ArrayRef> {
        let (a, b) = (cast(a, &DataType::Float64)?, cast(b, &DataType::Float64)?);
        let (a, b) = (
            a.as_primitive::<Float64Type>(),
            b.as_primitive::<Float64Type>(),
        );
        let out = (0..a.len())
            .map(|i| {
                if a.is_null(i) || b.is_null(i) {
                    return Ok(None);
                }
                if b.value(i) == 0.0 {
                    return self.fail(divide_by_zero());
                }
                Ok(Some(a.value(i) / b.value(i)))
            })
            .collect::<Result<Float64Array>>()?;
        Ok(Arc::new(out))
    }

    fn integers(&self, a: &ArrayRef, b: &ArrayRef) -> Result<ArrayRef> {
        let (a, b) = (cast(a, &DataType::Int64)?, cast(b, &DataType::Int64)?);
        let (a, b) = (a.as_primitive::<Int64Type>(), b.as_primitive::<Int64Type>());
        let out = (0..a.len())
            .map(|i| {
                if a.is_null(i) || b.is_null(i) {
                    return Ok(None);
                }
                if b.value(i) == 0 {
                    return self.fail(divide_by_zero());
                }
                match a.value(i).checked_div(b.value(i)) {
                    Some(q) => Ok(Some(q)),
                    None => self.fail(DataFusionError::Execution(
                        "[ARITHMETIC_OVERFLOW] long overflow in div. SQLSTATE: 22003".into(),
                    )),
                }
            })
            .collect::<Result<Int64Array>>()?;
        Ok(Arc::new(out))
    }

    fn decimals(&self, a: &ArrayRef, b: &ArrayRef, result: (u8, i8)) -> Result<ArrayRef> {
        let (Some((p1, s1)), Some((p2, s2))) =
            (as_decimal(a.data_type()), as_decimal(b.data_type()))
        else {
            return exec_err!("/: expected DECIMAL arguments");
        };
        let a = cast(a, &DataType::Decimal128(p1, s1))?;
        let b = cast(b, &DataType::Decimal128(p2, s2))?;
        let (a, b) = (
            a.as_primitive::<Decimal128Type>(),
            b.as_primitive::<Decimal128Type>(),
        );
        let (p, s) = result;
        let limit = pow10(u32::from(p)).unwrap_or(i256::MAX);
        let mut out = Decimal128Builder::with_capacity(a.len());
        for i in 0..a.len() {
            if a.is_null(i) || b.is_null(i) {
                out.append_null();
                continue;
            }
            if b.value(i) == 0 {
                out.append_option(self.fail::<i128>(divide_by_zero())?);
                continue;
            }
            let q = decimal_quotient(a.value(i), s1, b.value(i), s2, s)
                .filter(|q| q.wrapping_abs() < limit)
                .and_then(|q| q.to_i128());
            match q {
                Some(q) => out.append_value(q),
                None => {
                    out.append_option(self.fail::<i128>(DataFusionError::Execution(format!(
                        "[NUMERIC_VALUE_OUT_OF_RANGE] the quotient cannot be represented as \
                         DECIMAL({p},{s}). If necessary set \"spark.sql.ansi.enabled\" to \
                         \"false\" to bypass this error. SQLSTATE: 22003"
                    )))?)
                }
            }
        }
        Ok(Arc::new(out.finish().with_precision_and_scale(p, s)?))
    }
}

/// The DECIMAL an integer literal takes part as: just its digits (Spark's
/// `DecimalType.fromLiteral`), so `d / 3` is DECIMAL(p,s) / DECIMAL(1,0).
fn literal_decimal(v: Option<&ScalarValue>) -> Option<(u8, i8)> {
    let n: i128 = match v? {
        ScalarValue::Int8(Some(n)) => (*n).into(),
        ScalarValue::Int16(Some(n)) => (*n).into(),
        ScalarValue::Int32(Some(n)) => (*n).into(),
        ScalarValue::Int64(Some(n)) => (*n).into(),
        _ => return None,
    };
    let digits = n.unsigned_abs().to_string().len();
    Some((u8::try_from(digits).unwrap_or(38).max(1), 0))
}

impl SparkDivide {
    /// The result type for argument types and literal values (`None`: not a literal).
    fn result_type(
        &self,
        types: &[DataType],
        literals: &[Option<&ScalarValue>],
    ) -> Result<DataType> {
        if self.integral {
            return Ok(DataType::Int64);
        }
        let [a, b] = types else {
            return plan_err!("/ expects 2 arguments");
        };
        if !matches!(a, DataType::Decimal128(..)) && !matches!(b, DataType::Decimal128(..)) {
            return Ok(DataType::Float64);
        }
        let operand = |t: &DataType, i: usize| {
            literal_decimal(literals.get(i).copied().flatten()).or_else(|| as_decimal(t))
        };
        match (operand(a, 0), operand(b, 1)) {
            (Some((p1, s1)), Some((p2, s2))) => {
                let (p, s) = decimal_quotient_type(p1, s1, p2, s2);
                Ok(DataType::Decimal128(p, s))
            }
            _ => Ok(DataType::Float64),
        }
    }
}

/// Whether `t` takes part in arithmetic (strings are read as numbers, as Spark's implicit cast).
fn is_operand(t: &DataType) -> bool {
    t.is_numeric()
        || matches!(
            t,
            DataType::Null | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
}

impl ScalarUDFImpl for SparkDivide {
    fn name(&self) -> &str {
        if self.integral {
            INT_DIVIDE
        } else {
            DIVIDE
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.result_type(arg_types, &[None, None])
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types = arg_types(&args);
        let t = self.result_type(&types, args.scalar_arguments)?;
        Ok(Arc::new(Field::new(self.name(), t, true)))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 2)?;
        if !arg_types.iter().all(is_operand) {
            return plan_err!(
                "{}: cannot divide {} by {}",
                if self.integral { "div" } else { "/" },
                arg_types[0],
                arg_types[1]
            );
        }
        let exact = |t: &DataType| as_decimal(t).is_some();
        Ok(arg_types
            .iter()
            .map(|t| {
                if exact(t) && arg_types.iter().all(exact) {
                    t.clone()
                } else if self.integral && t.is_integer() {
                    DataType::Int64
                } else {
                    DataType::Float64
                }
            })
            .collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (a, b) = (&arrays[0], &arrays[1]);
        let result = match args.return_field.data_type() {
            DataType::Decimal128(p, s) => self.decimals(a, b, (*p, *s))?,
            DataType::Int64 if a.data_type().is_integer() && b.data_type().is_integer() => {
                self.integers(a, b)?
            }
            DataType::Int64 => {
                // `div` of decimals or floats: the truncated quotient.
                let q = self.floats(a, b)?;
                cast(&cast(&q, &DataType::Float64)?, &DataType::Int64)?
            }
            _ => self.floats(a, b)?,
        };
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_decimal_quotient_types() {
        // DECIMAL(2,1) / DECIMAL(10,0): scale max(6, 1+10+1) = 12, precision 2-1+0+12 = 13.
        assert_eq!(decimal_quotient_type(2, 1, 10, 0), (13, 12));
        assert_eq!(decimal_quotient_type(38, 10, 38, 10), (38, 6));
        assert_eq!(decimal_quotient_type(10, 2, 5, 0), (16, 8));
    }

    #[test]
    fn rounds_half_up() {
        // 1 / 3 at scale 2 is 0.33; 2 / 3 is 0.67; -2 / 3 is -0.67.
        assert_eq!(decimal_quotient(1, 0, 3, 0, 2), Some(i256::from_i128(33)));
        assert_eq!(decimal_quotient(2, 0, 3, 0, 2), Some(i256::from_i128(67)));
        assert_eq!(decimal_quotient(-2, 0, 3, 0, 2), Some(i256::from_i128(-67)));
        // 0.5 / 1 at scale 0 is 1 (HALF_UP).
        assert_eq!(decimal_quotient(5, 1, 1, 0, 0), Some(i256::from_i128(1)));
    }
}
