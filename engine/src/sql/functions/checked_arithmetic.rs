//! Integer `+`, `-` and `*` under ANSI (`spark_checked_add`, `spark_checked_subtract`,
//! `spark_checked_multiply`), put in place of the operators by `sql::literal_types`: DataFusion's
//! integer arithmetic wraps around silently, which is Spark's answer only with ANSI off.
//!
//! Checked against PySpark 4.0.1 (tests/golden `int_add_overflow_*`, `long_overflow_*`): with ANSI
//! on an INT or BIGINT result that does not fit raises ARITHMETIC_OVERFLOW ("integer overflow",
//! "long overflow"); TINYINT and SMALLINT raise BINARY_ARITHMETIC_OVERFLOW.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::{
    ArrowNativeTypeOp, ArrowPrimitiveType, DataType, Int16Type, Int32Type, Int64Type, Int8Type,
};
use datafusion::arrow::error::ArrowError;
use datafusion::common::{plan_err, DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, to_arrays, to_output};

/// The operator a [`CheckedArithmetic`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithmeticOp {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
}

impl ArithmeticOp {
    fn try_name(self) -> &'static str {
        match self {
            ArithmeticOp::Add => "try_add",
            ArithmeticOp::Subtract => "try_subtract",
            ArithmeticOp::Multiply => "try_multiply",
        }
    }

    /// The operator over two arrays of one numeric type; arrow's kernels fail on an integer
    /// overflow (and skip NULL slots).
    fn apply(self, l: &ArrayRef, r: &ArrayRef) -> std::result::Result<ArrayRef, ArrowError> {
        match self {
            ArithmeticOp::Add => numeric::add(l, r),
            ArithmeticOp::Subtract => numeric::sub(l, r),
            ArithmeticOp::Multiply => numeric::mul(l, r),
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            ArithmeticOp::Add => "+",
            ArithmeticOp::Subtract => "-",
            ArithmeticOp::Multiply => "*",
        }
    }
}

/// Spark's overflow error for `op` on integers of type `t`.
fn overflow(op: ArithmeticOp, t: &DataType) -> DataFusionError {
    let message = match t {
        DataType::Int8 | DataType::Int16 => format!(
            "[BINARY_ARITHMETIC_OVERFLOW] {} {} caused overflow. Use `{}` to ignore overflow \
             problem and return NULL. SQLSTATE: 22003",
            crate::schema::spark_type_name(t),
            op.symbol(),
            op.try_name()
        ),
        _ => format!(
            "[ARITHMETIC_OVERFLOW] {} overflow. Use '{}' to tolerate overflow and return NULL \
             instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this \
             error. SQLSTATE: 22003",
            if *t == DataType::Int64 {
                "long"
            } else {
                "integer"
            },
            op.try_name()
        ),
    };
    DataFusionError::Execution(message)
}

/// Integer arithmetic that raises Spark's error on overflow; both arguments have one type.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CheckedArithmetic {
    signature: Signature,
    op: ArithmeticOp,
    name: &'static str,
}

impl CheckedArithmetic {
    /// The checked form of `op`.
    pub fn new(op: ArithmeticOp) -> Self {
        let name = match op {
            ArithmeticOp::Add => "spark_checked_add",
            ArithmeticOp::Subtract => "spark_checked_subtract",
            ArithmeticOp::Multiply => "spark_checked_multiply",
        };
        CheckedArithmetic {
            signature: Signature::any(2, Volatility::Immutable),
            op,
            name,
        }
    }
}

impl ScalarUDFImpl for CheckedArithmetic {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_arg_count(self.name, arg_types.len(), 2, 2)?;
        if arg_types[0] != arg_types[1] || !arg_types[0].is_integer() {
            return plan_err!(
                "{}: expected two integers of one type, got {} and {}",
                self.name,
                arg_types[0],
                arg_types[1]
            );
        }
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (l, r) = (&arrays[0], &arrays[1]);
        let result = self.op.apply(l, r).map_err(|e| match e {
            ArrowError::ArithmeticOverflow(_) => overflow(self.op, l.data_type()),
            other => other.into(),
        })?;
        to_output(&args.args, result)
    }
}

/// Spark's `try_add`, `try_subtract` and `try_multiply`: the operator, NULL where an integer
/// result overflows (instead of an error or a wrapped value).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TryArithmetic {
    signature: Signature,
    op: ArithmeticOp,
}

impl TryArithmetic {
    /// The `try_` form of `op`.
    pub fn new(op: ArithmeticOp) -> Self {
        TryArithmetic {
            signature: Signature::user_defined(Volatility::Immutable),
            op,
        }
    }
}

/// `op` over two integer arrays of type `T`, NULL where the result overflows.
fn try_integers<T: ArrowPrimitiveType>(op: ArithmeticOp, l: &ArrayRef, r: &ArrayRef) -> ArrayRef {
    let (l, r) = (l.as_primitive::<T>(), r.as_primitive::<T>());
    let out: PrimitiveArray<T> = l
        .iter()
        .zip(r.iter())
        .map(|(x, y)| {
            let (x, y) = (x?, y?);
            match op {
                ArithmeticOp::Add => x.add_checked(y),
                ArithmeticOp::Subtract => x.sub_checked(y),
                ArithmeticOp::Multiply => x.mul_checked(y),
            }
            .ok()
        })
        .collect();
    Arc::new(out)
}

impl ScalarUDFImpl for TryArithmetic {
    fn name(&self) -> &str {
        self.op.try_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Null))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.op.try_name(), arg_types.len(), 2, 2)?;
        let rank = |t: &DataType| match t {
            DataType::Null => Some(0),
            DataType::Int8 => Some(1),
            DataType::Int16 => Some(2),
            DataType::Int32 => Some(3),
            DataType::Int64 => Some(4),
            DataType::Float32 | DataType::Float64 => Some(5),
            _ => None,
        };
        let (Some(a), Some(b)) = (rank(&arg_types[0]), rank(&arg_types[1])) else {
            return plan_err!(
                "{}: spate takes integers and floating-point numbers here, got {} and {}",
                self.op.try_name(),
                arg_types[0],
                arg_types[1]
            );
        };
        let t = match a.max(b) {
            0 | 3 => DataType::Int32,
            1 => DataType::Int8,
            2 => DataType::Int16,
            4 => DataType::Int64,
            _ => DataType::Float64,
        };
        Ok(vec![t.clone(), t])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (l, r) = (&arrays[0], &arrays[1]);
        let result = match l.data_type() {
            DataType::Int8 => try_integers::<Int8Type>(self.op, l, r),
            DataType::Int16 => try_integers::<Int16Type>(self.op, l, r),
            DataType::Int32 => try_integers::<Int32Type>(self.op, l, r),
            DataType::Int64 => try_integers::<Int64Type>(self.op, l, r),
            _ => self.op.apply(l, r)?,
        };
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::session::{keys, new_context, plan_sql, Settings};

    async fn run(sql: &str, ansi: bool) -> crate::error::Result<String> {
        let mut s = Settings::default();
        s.set(keys::ANSI, if ansi { "true" } else { "false" });
        let ctx = new_context(&s)?;
        let batches = plan_sql(&ctx, sql, ansi).await?.collect().await?;
        Ok(datafusion::arrow::util::display::array_value_to_string(
            batches[0].column(0),
            0,
        )?)
    }

    #[tokio::test]
    async fn overflow_raises_under_ansi_and_wraps_without() {
        let sql = "SELECT a + 1 FROM (VALUES (2147483647)) AS t(a)";
        let e = run(sql, true).await.unwrap_err().to_string();
        assert!(e.contains("[ARITHMETIC_OVERFLOW] integer overflow"), "{e}");
        assert_eq!(run(sql, false).await.unwrap(), "-2147483648");
        let e = run("SELECT 9223372036854775807L * 2", true)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("long overflow"), "{e}");
        assert_eq!(
            run("SELECT a - 1 FROM (VALUES (5)) AS t(a)", true)
                .await
                .unwrap(),
            "4"
        );
        assert_eq!(run("SELECT 1 + CAST(NULL AS INT)", true).await.unwrap(), "");
    }
}
