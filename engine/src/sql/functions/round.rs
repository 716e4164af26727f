//! Spark's `round`: datafusion-spark's HALF_UP rounding, with Spark's result type for DECIMAL input.
//!
//! datafusion-spark's `round` returns its input type, so `round(2.55, 1)` is DECIMAL(3,2) holding
//! 2.60. Spark's `RoundBase.dataType` narrows the scale to the rounding position and keeps one more
//! integral digit for the carry (`round(9.99, 1)` is 10.0): DECIMAL(3,1) holding 2.6. Cleaning code
//! writes the result to typed Delta columns, so the type is part of the answer.

use std::sync::Arc;

use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
};
use datafusion_spark::function::math::round::SparkRound;

use super::common::arg_types;

/// Spark's largest DECIMAL precision.
const MAX_PRECISION: i64 = 38;

/// `round(x[, d])` with Spark's result types.
#[derive(Debug, PartialEq, Eq, Hash, Default)]
pub struct Round {
    inner: SparkRound,
}

/// Spark's `RoundBase.dataType` for a DECIMAL(p, s) rounded at `d` places.
fn decimal_result(p: u8, s: i8, d: i64) -> (u8, i8) {
    let (p, s) = (i64::from(p), i64::from(s));
    let integral = p - s + 1;
    if d < 0 {
        (integral.max(1 - d).min(MAX_PRECISION) as u8, 0)
    } else {
        let scale = s.min(d);
        ((integral + scale).min(MAX_PRECISION) as u8, scale as i8)
    }
}

/// The rounding position `d` when it is a literal (Spark requires a foldable one); `round(x)` is 0.
fn places(scalars: &[Option<&ScalarValue>], arg_count: usize) -> Option<i64> {
    if arg_count < 2 {
        return Some(0);
    }
    match scalars.get(1).copied().flatten()? {
        ScalarValue::Int8(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int16(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int32(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v),
        _ => None,
    }
}

/// The result type for the argument types, given the rounding position if known.
fn result_type(types: &[DataType], d: Option<i64>) -> DataType {
    match (types.first(), d) {
        (Some(DataType::Decimal128(p, s)), Some(d)) => {
            let (p, s) = decimal_result(*p, *s, d);
            DataType::Decimal128(p, s)
        }
        (Some(t), _) => t.clone(),
        (None, _) => DataType::Null,
    }
}

impl ScalarUDFImpl for Round {
    fn name(&self) -> &str {
        "round"
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types = arg_types(&args);
        let t = result_type(&types, places(args.scalar_arguments, types.len()));
        Ok(Arc::new(Field::new(self.name(), t, true)))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let target = args.return_field.data_type().clone();
        let rounded = self.inner.invoke_with_args(args)?;
        if rounded.data_type() == target {
            return Ok(rounded);
        }
        // The value is already rounded at the input scale, so narrowing the scale drops only
        // zeros; a carry past Spark's precision 38 is NULL, as Spark's non-ANSI overflow.
        let options = CastOptions {
            safe: true,
            ..Default::default()
        };
        match rounded {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(cast_with_options(
                &a, &target, &options,
            )?)),
            ColumnarValue::Scalar(s) => {
                let a = cast_with_options(&s.to_array()?, &target, &options)?;
                Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&a, 0)?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::eval;
    use super::*;

    #[test]
    fn decimal_types_follow_spark_round_base() {
        assert_eq!(decimal_result(3, 2, 1), (3, 1));
        assert_eq!(decimal_result(2, 1, 0), (2, 0));
        assert_eq!(decimal_result(3, 2, 5), (4, 2));
        assert_eq!(decimal_result(5, 0, -2), (6, 0));
        assert_eq!(decimal_result(38, 10, 2), (31, 2));
        assert_eq!(decimal_result(38, 2, 1), (38, 1));
    }

    #[tokio::test]
    async fn decimals_round_to_the_narrower_type() {
        let cases = [
            (
                "round(CAST(2.55 AS DECIMAL(3,2)), 1)",
                "2.6",
                "decimal(3,1)",
            ),
            (
                "round(CAST(9.99 AS DECIMAL(3,2)), 1)",
                "10.0",
                "decimal(3,1)",
            ),
            ("round(CAST(-2.5 AS DECIMAL(2,1)))", "-3", "decimal(2,0)"),
            (
                "round(CAST(2.345 AS DECIMAL(4,3)), 5)",
                "2.345",
                "decimal(5,3)",
            ),
            (
                "round(CAST(125 AS DECIMAL(3,0)), -1)",
                "130",
                "decimal(4,0)",
            ),
            (
                "round(CAST(NULL AS DECIMAL(4,2)), 1)",
                "NULL",
                "decimal(4,1)",
            ),
        ];
        for (call, value, ty) in cases {
            assert_eq!(eval(&format!("SELECT {call}")).await, value, "{call}");
            assert_eq!(eval(&format!("SELECT typeof({call})")).await, ty, "{call}");
        }
        // Doubles keep their type.
        assert_eq!(eval("SELECT typeof(round(2.5E0))").await, "double");
    }
}
