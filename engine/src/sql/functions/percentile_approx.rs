//! `percentile_approx(col, percentage [, accuracy])` (alias `approx_percentile`) with Spark's
//! exact answers.
//!
//! DataFusion's `approx_percentile_cont` is a t-digest that interpolates, so it returns values
//! Spark never would. Spark's `ApproximatePercentile.scala` feeds every non-null value, as a
//! double, into a `QuantileSummaries` (Greenwald-Khanna, relative error `1 / accuracy`, see
//! [`super::quantile_summaries`]) and answers with one of the sampled values, cast back to the
//! input type. Partial aggregates are compressed summaries merged with `QuantileSummaries.merge`,
//! as Spark's `PercentileDigestSerializer` does between its partial and final stages; with the
//! same rows in the same partials the answers are identical, and below `1 / (2 * relativeError)`
//! rows per partial (5,000 at the default accuracy) nothing is lost, so the answer does not
//! depend on the split at all.

use std::mem::size_of;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, Date32Array, Decimal128Array, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, Int8Array, ListArray, PrimitiveArray,
    RecordBatch, RecordBatchOptions, TimestampMicrosecondArray, TimestampMillisecondArray,
    TimestampNanosecondArray, TimestampSecondArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Field, FieldRef, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, Schema, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::{exec_err, not_impl_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, Signature, Volatility,
};
use datafusion::physical_expr::utils::collect_columns;
use datafusion::physical_expr::PhysicalExpr;

use super::common::check_arg_count;
use super::quantile_summaries::{QuantileSummaries, Stats};

/// `ApproximatePercentile.DEFAULT_PERCENTILE_ACCURACY`.
pub const DEFAULT_PERCENTILE_ACCURACY: i64 = 10_000;

const NAME: &str = "percentile_approx";

/// Spark's `percentile_approx` / `approx_percentile` aggregate.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PercentileApprox {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for PercentileApprox {
    fn default() -> Self {
        PercentileApprox {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: vec!["approx_percentile".to_string()],
        }
    }
}

/// A list type of `item`s, the shape of Spark's `ARRAY<T>` results and of the state lists.
fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

/// Spark's analysis error text: `[CONDITION] Cannot resolve ... due to data type mismatch: ...`.
fn mismatch<T>(condition: &str, detail: String) -> Result<T> {
    plan_err!("[DATATYPE_MISMATCH.{condition}] Cannot resolve \"{NAME}\" due to data type mismatch: {detail}")
}

/// Spark's `inputTypes`: numeric, DATE and TIMESTAMP values (cast to double internally).
fn coerce_value(t: &DataType) -> Result<DataType> {
    Ok(match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Date32
        | DataType::Timestamp(_, _) => t.clone(),
        // Spark has no unsigned types: widen to the next signed one that holds every value.
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 => DataType::Int64,
        DataType::UInt64 => DataType::Decimal128(20, 0),
        DataType::Float16 => DataType::Float32,
        // An untyped NULL takes NumericType's default, DOUBLE, as in Spark's ImplicitTypeCasts.
        DataType::Null => DataType::Float64,
        other => {
            return mismatch(
                "UNEXPECTED_INPUT_TYPE",
                format!(
                    "The first parameter requires a numeric, DATE or TIMESTAMP type, however it has the type {other}."
                ),
            )
        }
    })
}

/// The percentage is a DOUBLE or an ARRAY<DOUBLE>; numbers are cast as Spark's implicit casts do.
fn coerce_percentage(t: &DataType) -> Result<DataType> {
    let numeric = |t: &DataType| t.is_numeric() || *t == DataType::Null;
    match t {
        t if numeric(t) => Ok(DataType::Float64),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) if numeric(f.data_type()) => {
            Ok(list_of(DataType::Float64))
        }
        other => mismatch(
            "UNEXPECTED_INPUT_TYPE",
            format!("The second parameter requires the (\"DOUBLE\" or \"ARRAY<DOUBLE>\") type, however it has the type {other}."),
        ),
    }
}

/// The accuracy must be integral (Spark's `IntegralType`).
fn coerce_accuracy(t: &DataType) -> Result<DataType> {
    if t.is_integer() || *t == DataType::Null {
        Ok(DataType::Int64)
    } else {
        mismatch(
            "UNEXPECTED_INPUT_TYPE",
            format!(
                "The third parameter requires the \"INTEGRAL\" type, however it has the type {t}."
            ),
        )
    }
}

impl AggregateUDFImpl for PercentileApprox {
    fn name(&self) -> &str {
        NAME
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(NAME, arg_types.len(), 2, 3)?;
        let mut out = vec![
            coerce_value(&arg_types[0])?,
            coerce_percentage(&arg_types[1])?,
        ];
        if let Some(t) = arg_types.get(2) {
            out.push(coerce_accuracy(t)?);
        }
        Ok(out)
    }

    /// The input type, or an array of it when the percentage is an array (Spark's `dataType`).
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_arg_count(NAME, arg_types.len(), 2, 3)?;
        let value = coerce_value(&arg_types[0])?;
        Ok(match coerce_percentage(&arg_types[1])? {
            DataType::List(_) => list_of(value),
            _ => value,
        })
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if args.is_distinct {
            return not_impl_err!("{NAME}(DISTINCT ...) is not supported");
        }
        let (Some(value_field), Some(percentage_expr)) =
            (args.expr_fields.first(), args.exprs.get(1))
        else {
            return plan_err!("{NAME} expects 2 to 3 arguments, got {}", args.exprs.len());
        };
        // Spark checks, in this order: constant percentage and accuracy, accuracy range, null
        // percentage, percentage range (ApproximatePercentile.checkInputDataTypes).
        let shown = match percentage_expr.data_type(args.schema)? {
            DataType::List(_) => "ARRAY<DOUBLE>",
            _ => "DOUBLE",
        };
        let percentage = constant(percentage_expr, "percentage", shown)?;
        let accuracy = match args.exprs.get(2) {
            None => DEFAULT_PERCENTILE_ACCURACY,
            Some(e) => match constant(e, "accuracy", "INT")?.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(a)) => a,
                _ => return mismatch("UNEXPECTED_NULL", "The accuracy must not be null.".into()),
            },
        };
        if accuracy <= 0 || accuracy > i32::MAX as i64 {
            return mismatch(
                "VALUE_OUT_OF_RANGE",
                format!(
                    "The accuracy must be between (0, 2147483647] (current value = {accuracy}L)."
                ),
            );
        }
        let (percentages, returns_array) = percentages(&percentage)?;
        if percentages.iter().any(|p| !(0.0..=1.0).contains(p)) {
            let shown: Vec<String> = percentages
                .iter()
                .map(|p| format!("{}D", java_double_string(*p)))
                .collect();
            return mismatch(
                "VALUE_OUT_OF_RANGE",
                format!(
                    "The percentage must be between [0.0, 1.0] (current value = {}).",
                    shown.join(",")
                ),
            );
        }
        Ok(Box::new(PercentileApproxAccumulator {
            summaries: QuantileSummaries::new(1.0 / accuracy as f64),
            percentages,
            returns_array,
            value_type: value_field.data_type().clone(),
            return_type: args.return_field.data_type().clone(),
        }))
    }

    /// The partial state is a compressed summary: relative error, count and the G-K tuples as
    /// three parallel lists (Spark's `PercentileDigestSerializer` layout, minus the unused
    /// compress threshold).
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let field = |name: &str, t: DataType| {
            Arc::new(Field::new(format_state_name(args.name, name), t, true))
        };
        Ok(vec![
            field("relative_error", DataType::Float64),
            field("count", DataType::Int64),
            field("value", list_of(DataType::Float64)),
            field("g", list_of(DataType::Int64)),
            field("delta", list_of(DataType::Int64)),
        ])
    }
}

/// Evaluates an argument Spark requires to be foldable; fails like Spark's NON_FOLDABLE_INPUT,
/// naming the argument's Spark type `shown`.
fn constant(expr: &Arc<dyn PhysicalExpr>, name: &str, shown: &str) -> Result<ScalarValue> {
    if !collect_columns(expr).is_empty() {
        return mismatch(
            "NON_FOLDABLE_INPUT",
            format!("the input `{name}` should be a foldable \"{shown}\" expression; however, got \"{expr}\"."),
        );
    }
    // No column references: evaluate once against a one-row batch without columns.
    let batch = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    match expr.evaluate(&batch)? {
        ColumnarValue::Scalar(s) => Ok(s),
        ColumnarValue::Array(a) if a.len() == 1 => ScalarValue::try_from_array(&a, 0),
        ColumnarValue::Array(_) => plan_err!("{NAME}: the {name} must be a single constant"),
    }
}

/// The percentages and whether the result is an array (Spark's `returnPercentileArray`).
fn percentages(value: &ScalarValue) -> Result<(Vec<f64>, bool)> {
    if value.is_null() {
        return mismatch("UNEXPECTED_NULL", "The percentage must not be null.".into());
    }
    let list: ArrayRef = match value {
        ScalarValue::List(l) => l.value(0),
        ScalarValue::LargeList(l) => l.value(0),
        ScalarValue::FixedSizeList(l) => l.value(0),
        other => {
            return match other.cast_to(&DataType::Float64)? {
                ScalarValue::Float64(Some(p)) => Ok((vec![p], false)),
                _ => mismatch("UNEXPECTED_NULL", "The percentage must not be null.".into()),
            };
        }
    };
    let list = cast(&list, &DataType::Float64)?;
    if list.null_count() > 0 {
        // Spark types such a literal ARRAY<DOUBLE> with containsNull, which it rejects.
        return mismatch(
            "UNEXPECTED_INPUT_TYPE",
            "The second parameter requires the (\"DOUBLE\" or \"ARRAY<DOUBLE>\") type, however the array contains NULL.".into(),
        );
    }
    Ok((list.as_primitive::<Float64Type>().values().to_vec(), true))
}

/// `java.lang.Double.toString` for the values an error message shows (`1.5`, `1.0E-5`).
fn java_double_string(d: f64) -> String {
    let a = d.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) || !d.is_finite() {
        return format!("{d:?}");
    }
    let s = format!("{d:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let dot = if mantissa.contains('.') { "" } else { ".0" };
    format!("{mantissa}{dot}E{exp}")
}

/// Spark's `Decimal.toDouble` (`BigDecimal.doubleValue`): the correctly rounded double.
fn decimal_to_f64(unscaled: i128, scale: i8) -> f64 {
    if unscaled.unsigned_abs() < (1u128 << 53) && (0..=22).contains(&scale) {
        // Both operands are exact doubles, so one IEEE division is correctly rounded.
        return unscaled as f64 / 10f64.powi(scale as i32);
    }
    // Rust's float parsing is correctly rounded too.
    format!("{unscaled}e{}", -(scale as i32))
        .parse()
        .unwrap_or(f64::NAN)
}

/// Spark's `Decimal(double)` written into a `DECIMAL(precision, scale)` column: the decimal of
/// `Double.toString(d)` rounded HALF_UP to `scale`, NULL if it needs more than `precision` digits.
///
/// Rust prints the shortest round-tripping digits where Java 17's `Double.toString` sometimes
/// prints a longer string; both lie within half an ulp of `d`, so rounding them to `scale` agrees
/// whenever the decimal has at most 15 significant digits.
fn f64_to_decimal(d: f64, precision: u8, scale: i8) -> Option<i128> {
    if !d.is_finite() {
        return None;
    }
    let text = format!("{:e}", d.abs());
    let (mantissa, exp) = text.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let int_digits: i128 = digits.parse().ok()?;
    // value = int_digits * 10^(exp - (len - 1)); unscaled = value * 10^scale.
    let shift = exp - (digits.len() as i32 - 1) + scale as i32;
    let unscaled = if shift >= 0 {
        int_digits.checked_mul(10i128.checked_pow(shift as u32)?)?
    } else if -shift > 38 {
        0
    } else {
        let div = 10i128.pow((-shift) as u32);
        let (q, r) = (int_digits / div, int_digits % div);
        if r * 2 >= div {
            q + 1
        } else {
            q
        }
    };
    if unscaled >= 10i128.checked_pow(precision as u32)? {
        return None;
    }
    Some(if d < 0.0 { -unscaled } else { unscaled })
}

/// Feeds the non-null values of a primitive array, converted to double, to `add`.
fn each<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    to_f64: impl Fn(T::Native) -> f64,
    mut add: impl FnMut(f64),
) {
    for v in array.as_primitive::<T>().iter().flatten() {
        add(to_f64(v));
    }
}

/// Builds an array of `value_type` from doubles, converting as Spark's `eval` does
/// (`toInt`, `toLong`, ... which saturate like Rust's `as`; bytes and shorts wrap after `toInt`).
fn from_f64(values: &[f64], value_type: &DataType) -> Result<ArrayRef> {
    let it = values.iter().copied();
    Ok(match value_type {
        DataType::Int8 => Arc::new(Int8Array::from_iter_values(it.map(|d| d as i32 as i8))),
        DataType::Int16 => Arc::new(Int16Array::from_iter_values(it.map(|d| d as i32 as i16))),
        DataType::Int32 => Arc::new(Int32Array::from_iter_values(it.map(|d| d as i32))),
        DataType::Int64 => Arc::new(Int64Array::from_iter_values(it.map(|d| d as i64))),
        DataType::Float32 => Arc::new(Float32Array::from_iter_values(it.map(|d| d as f32))),
        DataType::Float64 => Arc::new(Float64Array::from_iter_values(it)),
        DataType::Decimal128(p, s) => Arc::new(
            it.map(|d| f64_to_decimal(d, *p, *s))
                .collect::<Decimal128Array>()
                .with_precision_and_scale(*p, *s)?,
        ),
        DataType::Date32 => Arc::new(Date32Array::from_iter_values(it.map(|d| d as i32))),
        DataType::Timestamp(unit, tz) => {
            let longs = it.map(|d| d as i64);
            match unit {
                TimeUnit::Second => Arc::new(
                    TimestampSecondArray::from_iter_values(longs).with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Millisecond => Arc::new(
                    TimestampMillisecondArray::from_iter_values(longs)
                        .with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Microsecond => Arc::new(
                    TimestampMicrosecondArray::from_iter_values(longs)
                        .with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Nanosecond => Arc::new(
                    TimestampNanosecondArray::from_iter_values(longs).with_timezone_opt(tz.clone()),
                ),
            }
        }
        other => return exec_err!("{NAME}: unsupported value type {other}"),
    })
}

/// One row of a list column as a list scalar whose item field matches [`list_of`].
fn list_scalar(values: ArrayRef) -> ScalarValue {
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    let offsets = OffsetBuffer::from_lengths([values.len()]);
    ScalarValue::List(Arc::new(ListArray::new(field, offsets, values, None)))
}

/// Spark's `PercentileDigest` for one group.
#[derive(Debug)]
struct PercentileApproxAccumulator {
    summaries: QuantileSummaries,
    percentages: Vec<f64>,
    returns_array: bool,
    value_type: DataType,
    return_type: DataType,
}

impl PercentileApproxAccumulator {
    /// `PercentileDigest.quantileSummaries`: compresses on first use after inserts.
    fn compressed(&mut self) -> &QuantileSummaries {
        if !self.summaries.compressed {
            self.summaries.compress();
        }
        &self.summaries
    }

    /// `PercentileDigest.getPercentiles`: no rows or no percentages -> `None` (NULL).
    fn percentiles(&mut self) -> Option<Vec<f64>> {
        if self.compressed().count == 0 || self.percentages.is_empty() {
            return None;
        }
        self.summaries.query(&self.percentages)
    }
}

impl Accumulator for PercentileApproxAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(array) = values.first() else {
            return exec_err!("{NAME}: missing input column");
        };
        let s = &mut self.summaries;
        let add = |v: f64| s.insert(v);
        // Nulls are skipped ("Ignore empty rows" in ApproximatePercentile.update).
        match array.data_type() {
            DataType::Int8 => each::<Int8Type>(array, f64::from, add),
            DataType::Int16 => each::<Int16Type>(array, f64::from, add),
            DataType::Int32 => each::<Int32Type>(array, f64::from, add),
            DataType::Int64 => each::<Int64Type>(array, |v| v as f64, add),
            DataType::Float32 => each::<Float32Type>(array, f64::from, add),
            DataType::Float64 => each::<Float64Type>(array, |v| v, add),
            DataType::Decimal128(_, scale) => {
                let scale = *scale;
                each::<Decimal128Type>(array, |v| decimal_to_f64(v, scale), add)
            }
            DataType::Date32 => each::<Date32Type>(array, f64::from, add),
            DataType::Timestamp(TimeUnit::Second, _) => {
                each::<TimestampSecondType>(array, |v| v as f64, add)
            }
            DataType::Timestamp(TimeUnit::Millisecond, _) => {
                each::<TimestampMillisecondType>(array, |v| v as f64, add)
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                each::<TimestampMicrosecondType>(array, |v| v as f64, add)
            }
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                each::<TimestampNanosecondType>(array, |v| v as f64, add)
            }
            DataType::Null => {}
            other => return exec_err!("{NAME}: unsupported value type {other}"),
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let Some(answers) = self.percentiles() else {
            return ScalarValue::try_from(&self.return_type);
        };
        let array = from_f64(&answers, &self.value_type)?;
        if self.returns_array {
            Ok(list_scalar(array))
        } else {
            ScalarValue::try_from_array(&array, 0)
        }
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.summaries.sampled.capacity() * size_of::<Stats>()
            + self.percentages.capacity() * size_of::<f64>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let s = self.compressed();
        let values: Float64Array = s.sampled.iter().map(|t| t.value).collect::<Vec<_>>().into();
        let gs: Int64Array = s.sampled.iter().map(|t| t.g).collect::<Vec<_>>().into();
        let deltas: Int64Array = s.sampled.iter().map(|t| t.delta).collect::<Vec<_>>().into();
        Ok(vec![
            ScalarValue::Float64(Some(s.relative_error)),
            ScalarValue::Int64(Some(s.count)),
            list_scalar(Arc::new(values)),
            list_scalar(Arc::new(gs)),
            list_scalar(Arc::new(deltas)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [rel, count, values, gs, deltas] = states else {
            return exec_err!("{NAME}: expected 5 state columns, got {}", states.len());
        };
        let rel = rel.as_primitive::<Float64Type>();
        let count = count.as_primitive::<Int64Type>();
        let (values, gs, deltas) = (
            values.as_list::<i32>(),
            gs.as_list::<i32>(),
            deltas.as_list::<i32>(),
        );
        for i in 0..count.len() {
            if count.is_null(i)
                || rel.is_null(i)
                || values.is_null(i)
                || gs.is_null(i)
                || deltas.is_null(i)
            {
                continue;
            }
            let (v, g, d) = (values.value(i), gs.value(i), deltas.value(i));
            let (v, g, d): (&PrimitiveArray<Float64Type>, &Int64Array, &Int64Array) =
                (v.as_primitive(), g.as_primitive(), d.as_primitive());
            if v.len() != g.len() || v.len() != d.len() {
                return exec_err!("{NAME}: malformed partial state");
            }
            let sampled = (0..v.len())
                .map(|j| Stats {
                    value: v.value(j),
                    g: g.value(j),
                    delta: d.value(j),
                })
                .collect();
            let other = QuantileSummaries::from_parts(rel.value(i), sampled, count.value(i));
            // PercentileDigest.merge: compress our own inserts first, then merge.
            let merged = self.compressed().merge(&other);
            self.summaries = merged;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trips() {
        assert_eq!(decimal_to_f64(1875, 3), 1.875);
        assert_eq!(decimal_to_f64(-25, 2), -0.25);
        assert_eq!(f64_to_decimal(1.875, 10, 2), Some(188)); // HALF_UP
        assert_eq!(f64_to_decimal(-0.125, 10, 2), Some(-13));
        assert_eq!(f64_to_decimal(12.34, 4, 2), Some(1234));
        assert_eq!(f64_to_decimal(123.45, 4, 2), None); // does not fit DECIMAL(4,2)
        assert_eq!(f64_to_decimal(2e37, 38, 0), Some(2 * 10i128.pow(37)));
        assert_eq!(f64_to_decimal(0.0, 1, 0), Some(0));
    }

    #[test]
    fn java_double_strings() {
        assert_eq!(java_double_string(1.5), "1.5");
        assert_eq!(java_double_string(-0.1), "-0.1");
        assert_eq!(java_double_string(1.0), "1.0");
        assert_eq!(java_double_string(1e-5), "1.0E-5");
        assert_eq!(java_double_string(2.5e10), "2.5E10");
    }
}

/// Spark's own answers (engine/tests/golden/percentile_approx/golden.json, from make_golden.py)
/// for the same SQL over the same tables.
#[cfg(test)]
mod golden {
    use std::sync::Arc;

    use chrono::{NaiveDate, NaiveDateTime};
    use chrono_tz::Tz;
    use datafusion::arrow::array::{
        Array, ArrayRef, AsArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
        Int64Array, RecordBatch, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{
        DataType, Date32Type, Decimal128Type, Field, Float32Type, Float64Type, Int16Type,
        Int32Type, Int64Type, Int8Type, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
    };
    use datafusion::common::Result;
    use datafusion::datasource::MemTable;
    use datafusion::physical_plan::displayable;
    use datafusion::prelude::{SessionConfig, SessionContext};
    use serde_json::Value;

    use super::super::{register_spark_compat, SparkConf};

    const GOLDEN: &str = include_str!("../../../tests/golden/percentile_approx/golden.json");

    fn golden() -> Value {
        serde_json::from_str(GOLDEN).expect("golden.json parses")
    }

    /// A spate-like session with `target_partitions` partitions.
    fn context(target_partitions: usize) -> SessionContext {
        let config = SessionConfig::new().with_target_partitions(target_partitions);
        let mut ctx = SessionContext::new_with_config(config);
        datafusion_spark::register_all(&mut ctx).expect("datafusion-spark registers");
        let conf = SparkConf {
            ansi: false,
            session_time_zone: Tz::UTC,
        };
        register_spark_compat(&ctx, &conf);
        ctx
    }

    fn int(v: &Value) -> Option<i32> {
        v.as_i64().map(|i| i as i32)
    }

    fn decimal(v: &Value, scale: usize) -> Option<i128> {
        let s = v.as_str()?;
        let (int_part, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = format!("{int_part}{frac:0<scale$}");
        digits.parse().ok()
    }

    fn date(v: &Value) -> Option<i32> {
        let d = NaiveDate::parse_from_str(v.as_str()?, "%Y-%m-%d").ok()?;
        Some((d - NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days() as i32)
    }

    fn timestamp(v: &Value) -> Option<i64> {
        let t = NaiveDateTime::parse_from_str(v.as_str()?, "%Y-%m-%d %H:%M:%S").ok()?;
        Some(t.and_utc().timestamp_micros())
    }

    /// The `small` table as Spark read it: the first and second half of the golden rows as two
    /// partitions (group 12 straddles them), each in batches of 7 rows.
    fn small_table(golden: &Value) -> MemTable {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("g", DataType::Int32, true),
            Field::new("x", DataType::Int32, true),
            Field::new("d", DataType::Float64, true),
            Field::new("dec", DataType::Decimal128(10, 2), true),
            Field::new("dt", DataType::Date32, true),
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]));
        let rows = golden["small_rows"].as_array().expect("small_rows");
        let (first, second) = rows.split_at(rows.len() / 2);
        let mut partitions = vec![vec![], vec![]];
        for (k, chunk) in first
            .chunks(7)
            .map(|c| (0, c))
            .chain(second.chunks(7).map(|c| (1, c)))
        {
            let col = |i: usize| chunk.iter().map(move |r| &r[i]);
            let columns: Vec<ArrayRef> = vec![
                Arc::new(col(0).map(int).collect::<Int32Array>()),
                Arc::new(col(1).map(int).collect::<Int32Array>()),
                Arc::new(col(2).map(Value::as_f64).collect::<Float64Array>()),
                Arc::new(
                    col(3)
                        .map(|v| decimal(v, 2))
                        .collect::<Decimal128Array>()
                        .with_precision_and_scale(10, 2)
                        .expect("decimal(10,2)"),
                ),
                Arc::new(col(4).map(date).collect::<Date32Array>()),
                Arc::new(
                    col(5)
                        .map(timestamp)
                        .collect::<TimestampMicrosecondArray>()
                        .with_timezone("UTC"),
                ),
            ];
            let batch = RecordBatch::try_new(schema.clone(), columns).expect("small batch");
            partitions[k].push(batch);
        }
        MemTable::try_new(schema, partitions).expect("small table")
    }

    /// A `big_*` table from the formula in make_golden.py. Like `spark.range(0, n, 1, parts)`,
    /// partition `p` holds ids `p * n / parts .. (p + 1) * n / parts`, in order, in batches.
    fn big_table(rows: i64, parts: i64) -> MemTable {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("g", DataType::Int64, false),
            Field::new("v", DataType::Int64, false),
            Field::new("w", DataType::Int64, false),
            Field::new("d", DataType::Float64, false),
        ]));
        let partitions = (0..parts)
            .map(|p| {
                let ids: Vec<i64> = (p * rows / parts..(p + 1) * rows / parts).collect();
                ids.chunks(8192)
                    .map(|ids| {
                        let v: Vec<i64> = ids
                            .iter()
                            .map(|id| (id * 1103515245 + 12345) % 2147483648)
                            .collect();
                        let columns: Vec<ArrayRef> = vec![
                            Arc::new(Int64Array::from(ids.to_vec())),
                            Arc::new(ids.iter().map(|id| id % 4).collect::<Int64Array>()),
                            Arc::new(Int64Array::from(v.clone())),
                            Arc::new(v.iter().map(|v| v % 1000).collect::<Int64Array>()),
                            Arc::new(
                                v.iter()
                                    .map(|v| *v as f64 / 1000.0)
                                    .collect::<Float64Array>(),
                            ),
                        ];
                        RecordBatch::try_new(schema.clone(), columns).expect("big batch")
                    })
                    .collect()
            })
            .collect();
        MemTable::try_new(schema, partitions).expect("big table")
    }

    /// A session with `table` registered, with as many target partitions as the table has.
    fn context_for(golden: &Value, table: &str) -> SessionContext {
        if table == "small" {
            let ctx = context(2);
            ctx.register_table("small", Arc::new(small_table(golden)))
                .expect("register small");
            return ctx;
        }
        let spec = &golden["big_tables"][table];
        let (rows, parts) = (
            spec["rows"].as_i64().expect("rows"),
            spec["partitions"].as_i64().expect("partitions"),
        );
        // As many target partitions as input partitions: DataFusion then keeps Spark's split
        // instead of redistributing batches round-robin.
        let ctx = context(parts as usize);
        ctx.register_table(table, Arc::new(big_table(rows, parts)))
            .expect("register big table");
        ctx
    }

    /// A value as make_golden.py writes it: numbers, decimals/dates/timestamps as text, lists.
    fn json(a: &dyn Array, i: usize) -> Value {
        if a.is_null(i) {
            return Value::Null;
        }
        match a.data_type() {
            DataType::Int8 => a.as_primitive::<Int8Type>().value(i).into(),
            DataType::Int16 => a.as_primitive::<Int16Type>().value(i).into(),
            DataType::Int32 => a.as_primitive::<Int32Type>().value(i).into(),
            DataType::Int64 => a.as_primitive::<Int64Type>().value(i).into(),
            DataType::Float32 => f64::from(a.as_primitive::<Float32Type>().value(i)).into(),
            DataType::Float64 => a.as_primitive::<Float64Type>().value(i).into(),
            DataType::Decimal128(_, s) => {
                let v = a.as_primitive::<Decimal128Type>().value(i);
                let scale = *s as u32;
                let (int_part, frac) = (
                    v.unsigned_abs() / 10u128.pow(scale),
                    v.unsigned_abs() % 10u128.pow(scale),
                );
                let sign = if v < 0 { "-" } else { "" };
                format!("{sign}{int_part}.{frac:0>width$}", width = scale as usize).into()
            }
            DataType::Date32 => {
                let days = a.as_primitive::<Date32Type>().value(i);
                let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
                (epoch + chrono::Duration::days(days.into()))
                    .format("%Y-%m-%d")
                    .to_string()
                    .into()
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let micros = a.as_primitive::<TimestampMicrosecondType>().value(i);
                let t =
                    chrono::DateTime::from_timestamp_micros(micros).expect("timestamp in range");
                t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string().into()
            }
            DataType::List(_) => {
                let items = a.as_list::<i32>().value(i);
                Value::Array((0..items.len()).map(|j| json(items.as_ref(), j)).collect())
            }
            other => panic!("unexpected result type {other}"),
        }
    }

    async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
        ctx.sql(sql).await?.collect().await
    }

    /// Runs every golden case whose table name starts with `prefix` and compares exactly.
    async fn check_cases(prefix: &str) {
        let golden = golden();
        let cases = golden["cases"].as_array().expect("cases");
        let mut ran = 0;
        for case in cases
            .iter()
            .filter(|c| c["table"].as_str().is_some_and(|t| t.starts_with(prefix)))
        {
            let (name, table, sql) = (
                &case["name"],
                case["table"].as_str().expect("table"),
                case["sql"].as_str().expect("sql"),
            );
            let ctx = context_for(&golden, table);
            let batches = run(&ctx, sql)
                .await
                .unwrap_or_else(|e| panic!("{name}: {sql}: {e}"));
            let schema = batches
                .first()
                .map(|b| b.schema())
                .unwrap_or_else(|| panic!("{name}: no batches"));
            let types: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| crate::schema::spark_type_name(f.data_type()))
                .collect();
            let expected_types: Vec<String> = case["types"]
                .as_array()
                .expect("types")
                .iter()
                .map(|t| t.as_str().expect("type").to_string())
                .collect();
            assert_eq!(types, expected_types, "{name}: result types");
            let rows: Vec<Value> = batches
                .iter()
                .flat_map(|b| {
                    (0..b.num_rows()).map(move |i| {
                        Value::Array(b.columns().iter().map(|c| json(c.as_ref(), i)).collect())
                    })
                })
                .collect();
            let expected = case["rows"].as_array().expect("rows");
            assert_eq!(rows.len(), expected.len(), "{name}: row count");
            for (row, want) in rows.iter().zip(expected) {
                assert_eq!(row, want, "{name}: {sql}");
            }
            ran += 1;
        }
        assert!(ran > 0, "no golden cases for {prefix}");
    }

    #[tokio::test]
    async fn small_groups_match_spark() {
        check_cases("small").await;
    }

    #[tokio::test]
    async fn fifty_thousand_rows_match_spark() {
        check_cases("big_50k").await;
    }

    #[tokio::test]
    async fn head_buffer_flushes_match_spark() {
        // 120,000 rows: the 50,000-value head buffer is flushed and compressed mid-stream.
        check_cases("big_120k").await;
    }

    #[tokio::test]
    async fn approximation_differs_from_exact_median() {
        let golden = golden();
        let case = golden["cases"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "big_50k_p1_v"))
            .expect("big_50k_p1_v");
        // Index 7 of the percentage array is 0.5; the default accuracy is 10000.
        let approx = &case["rows"][0][0][7];
        let exact = &golden["exact"]["big_50k_p1.v.median"];
        assert_ne!(
            approx, exact,
            "Spark's approximate median should not be the exact one here"
        );
    }

    #[tokio::test]
    async fn grouped_queries_run_partial_and_final_aggregates() {
        let golden = golden();
        let ctx = context_for(&golden, "big_50k_p2");
        let sql = "SELECT g, percentile_approx(v, 0.5) FROM big_50k_p2 GROUP BY g";
        let plan = ctx
            .sql(sql)
            .await
            .expect("plans")
            .create_physical_plan()
            .await
            .expect("physical plan");
        let shown = displayable(plan.as_ref()).indent(true).to_string();
        assert!(
            shown.contains("mode=Partial") && shown.contains("mode=FinalPartitioned"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn invalid_arguments_fail_like_spark() {
        let golden = golden();
        let ctx = context_for(&golden, "small");
        for case in golden["errors"].as_array().expect("errors") {
            let (sql, condition) = (
                case["sql"].as_str().expect("sql"),
                case["condition"].as_str().expect("condition"),
            );
            let message = case["message"].as_str().expect("message");
            let err = match run(&ctx, sql).await {
                Ok(_) => panic!("{sql}: expected {condition}"),
                Err(e) => e.to_string(),
            };
            assert!(err.contains(&format!("[{condition}]")), "{sql}: {err}");
            // Spark's explanation, minus the expression text DataFusion prints differently.
            let detail = message
                .split_once("due to data type mismatch: ")
                .and_then(|(_, d)| d.split_once(" SQLSTATE"))
                .map(|(d, _)| d)
                .expect("Spark message has a detail");
            let detail = if condition.ends_with("NON_FOLDABLE_INPUT") {
                detail
                    .split_once("; however")
                    .map(|(d, _)| d)
                    .unwrap_or(detail)
            } else {
                detail
            };
            assert!(
                err.contains(detail),
                "{sql}:\n ours:  {err}\n spark: {detail}"
            );
        }
    }
}
