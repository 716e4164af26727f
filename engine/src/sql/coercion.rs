//! Spark's implicit STRING-to-number coercion in binary operators, as a DataFusion
//! [`ExprPlanner`]: the string side gets Spark's cast before DataFusion types the operator
//! (DataFusion refuses `'26' * 1000` and compares strings with numbers through its own cast).
//!
//! Spark 4.0.1 (checked with PySpark, tests/golden `implicit_string_*`, `string_times_int_*`):
//!
//! * ANSI on (`AnsiTypeCoercion.PromoteStrings`): in arithmetic, comparison and bitwise
//!   operators a STRING meeting an integral type is cast to BIGINT, meeting another numeric type
//!   to DOUBLE, with ANSI's cast (a malformed string raises CAST_INVALID_INPUT). Two strings in
//!   arithmetic are refused.
//! * ANSI off (`TypeCoercion.PromoteStrings`): in arithmetic a STRING is cast to DOUBLE (also
//!   two strings); in a comparison it is cast to the other side's numeric type (`'1.5' = 1` is
//!   true: the string becomes INT 1), DOUBLE next to a DECIMAL; the cast gives NULL for a
//!   malformed string.
//!
//! `/` and `div` are Spark functions here (`spark_divide`, `spark_div`), not operators, and
//! CASE/COALESCE/IN keep DataFusion's coercion.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{lit, Expr, ExprSchemable, ScalarUDF};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::BinaryOperator;

use super::functions::spark_cast::{CastMode, SparkCast};
use super::functions::SparkConf;
use crate::schema::spark_type_name;

/// What Spark's coercion does with an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpClass {
    Arithmetic,
    Comparison,
    Bitwise,
}

fn op_class(op: &BinaryOperator) -> Option<OpClass> {
    Some(match op {
        BinaryOperator::Plus
        | BinaryOperator::Minus
        | BinaryOperator::Multiply
        | BinaryOperator::Modulo => OpClass::Arithmetic,
        BinaryOperator::Eq
        | BinaryOperator::NotEq
        | BinaryOperator::Lt
        | BinaryOperator::LtEq
        | BinaryOperator::Gt
        | BinaryOperator::GtEq
        | BinaryOperator::Spaceship => OpClass::Comparison,
        BinaryOperator::BitwiseAnd | BinaryOperator::BitwiseOr | BinaryOperator::BitwiseXor => {
            OpClass::Bitwise
        }
        _ => return None,
    })
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_integral(t: &DataType) -> bool {
    t.is_integer()
}

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric()
}

/// Spark's implicit string coercion in binary operators (see the module docs).
#[derive(Debug)]
pub struct SparkCoercion {
    ansi: bool,
    cast: Arc<ScalarUDF>,
}

impl SparkCoercion {
    /// The planner for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        SparkCoercion {
            ansi: conf.ansi,
            cast: Arc::new(ScalarUDF::new_from_impl(SparkCast::new(conf))),
        }
    }

    /// The planner for a session: its `spark_cast` (for its time zone), or one for UTC when the
    /// session lacks spate's functions (the casts it inserts, between strings and numbers, do
    /// not read the zone).
    pub fn for_session(ctx: &SessionContext, ansi: bool) -> Self {
        match ctx.udf(super::functions::spark_cast::NAME) {
            Ok(cast) => SparkCoercion { ansi, cast },
            Err(_) => SparkCoercion::new(&SparkConf {
                ansi,
                session_time_zone: chrono_tz::Tz::UTC,
            }),
        }
    }

    /// Whether this applies ANSI's rules.
    pub fn ansi(&self) -> bool {
        self.ansi
    }

    /// The Spark type a string operand is cast to, next to `other` (of type `other_type`).
    fn target(&self, class: OpClass, other: &Expr, other_type: &DataType) -> Option<String> {
        if self.ansi {
            if is_integral(other_type) {
                Some("BIGINT".into())
            } else if is_numeric(other_type) {
                Some("DOUBLE".into())
            } else {
                None
            }
        } else {
            match class {
                OpClass::Arithmetic if is_numeric(other_type) || is_string(other_type) => {
                    Some("DOUBLE".into())
                }
                // Next to a DECIMAL the string becomes DOUBLE ('26' = 1.5 is false, not NULL).
                OpClass::Comparison
                    if matches!(
                        other_type,
                        DataType::Decimal128(..) | DataType::Decimal256(..)
                    ) =>
                {
                    Some("DOUBLE".into())
                }
                OpClass::Comparison if is_numeric(other_type) => {
                    // An integer literal is INT when it fits (literal_types narrows it later).
                    let narrowed = match other {
                        Expr::Literal(ScalarValue::Int64(Some(v)), _)
                            if i32::try_from(*v).is_ok() =>
                        {
                            DataType::Int32
                        }
                        _ => other_type.clone(),
                    };
                    Some(spark_type_name(&narrowed))
                }
                _ => None,
            }
        }
    }

    fn spark_cast(&self, x: Expr, spark_type: &str) -> Expr {
        let mode = if self.ansi {
            CastMode::Ansi
        } else {
            CastMode::Legacy
        };
        Expr::ScalarFunction(ScalarFunction::new_udf(
            Arc::clone(&self.cast),
            vec![x, lit(spark_type), lit(mode.as_str())],
        ))
    }
}

impl ExprPlanner for SparkCoercion {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> Result<PlannerResult<RawBinaryExpr>> {
        let Some(class) = op_class(&expr.op) else {
            return Ok(PlannerResult::Original(expr));
        };
        let (Ok(lt), Ok(rt)) = (expr.left.get_type(schema), expr.right.get_type(schema)) else {
            return Ok(PlannerResult::Original(expr));
        };
        let left_to = is_string(&lt)
            .then(|| self.target(class, &expr.right, &rt))
            .flatten();
        let right_to = is_string(&rt)
            .then(|| self.target(class, &expr.left, &lt))
            .flatten();
        if left_to.is_none() && right_to.is_none() {
            return Ok(PlannerResult::Original(expr));
        }
        let RawBinaryExpr { op, left, right } = expr;
        let left = match left_to {
            Some(t) => self.spark_cast(left, &t),
            None => left,
        };
        let right = match right_to {
            Some(t) => self.spark_cast(right, &t),
            None => right,
        };
        Ok(PlannerResult::Original(RawBinaryExpr { op, left, right }))
    }
}

/// Which values of an expression Spark brings to one type: CASE results, the arguments of
/// `coalesce`/`nvl`/`nvl2`/`if`, and an IN's value with its list.
fn value_positions(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Case(c) => c
            .when_then_expr
            .iter()
            .map(|(_, then)| then.as_ref())
            .chain(c.else_expr.as_deref())
            .collect(),
        Expr::ScalarFunction(f) => match f.name() {
            "coalesce" | "nvl" => f.args.iter().collect(),
            "if" | "nvl2" => f.args.iter().skip(1).collect(),
            _ => vec![],
        },
        Expr::InList(i) => std::iter::once(i.expr.as_ref()).chain(&i.list).collect(),
        _ => vec![],
    }
}

/// Spark's common type of values that mix STRING and numbers (`findWiderCommonType`): with ANSI
/// the strings become BIGINT (next to integers only) or everything DOUBLE, with ANSI's cast;
/// without ANSI the numbers become STRING. DataFusion would cast the strings to the number's type with its
/// own cast, which fails the query on a malformed string even without ANSI.
/// `None` when the values do not mix strings and numbers only.
fn mixed_value_casts(types: &[DataType], ansi: bool) -> Option<Vec<Option<&'static str>>> {
    let values = types.iter().filter(|t| **t != DataType::Null);
    let (mut strings, mut numbers, mut integral) = (false, false, true);
    for t in values {
        if is_string(t) {
            strings = true;
        } else if is_numeric(t) {
            numbers = true;
            integral &= is_integral(t);
        } else {
            return None;
        }
    }
    if !(strings && numbers) {
        return None;
    }
    Some(
        types
            .iter()
            .map(|t| match (ansi, is_string(t), is_numeric(t)) {
                (true, true, _) if integral => Some("BIGINT"),
                // DOUBLE is also wider than the DECIMALs (DataFusion would pick a DECIMAL).
                (true, true, _) | (true, _, true) if !integral => Some("DOUBLE"),
                (false, _, true) => Some("STRING"),
                _ => None,
            })
            .collect(),
    )
}

impl SparkCoercion {
    /// Spark's coercion of CASE/coalesce/nvl/nvl2/if/IN values mixing strings and numbers,
    /// over the expression's input `schema` (run before DataFusion's analyzer).
    pub fn coerce_mixed_values(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        let positions = value_positions(&e);
        if positions.len() < 2 {
            return Ok(Transformed::no(e));
        }
        let Ok(types) = positions
            .iter()
            .map(|x| x.get_type(schema))
            .collect::<Result<Vec<_>>>()
        else {
            return Ok(Transformed::no(e));
        };
        let Some(casts) = mixed_value_casts(&types, self.ansi) else {
            return Ok(Transformed::no(e));
        };
        let mut casts = casts.into_iter();
        let mut cast = |x: Box<Expr>| match casts.next().flatten() {
            Some(t) => Box::new(self.spark_cast(*x, t)),
            None => x,
        };
        let e = match e {
            Expr::Case(mut c) => {
                c.when_then_expr = c
                    .when_then_expr
                    .into_iter()
                    .map(|(when, then)| (when, cast(then)))
                    .collect();
                c.else_expr = c.else_expr.map(&mut cast);
                Expr::Case(c)
            }
            Expr::ScalarFunction(mut f) => {
                let skip = usize::from(matches!(f.name(), "if" | "nvl2"));
                f.args = f
                    .args
                    .into_iter()
                    .enumerate()
                    .map(|(i, a)| if i < skip { a } else { *cast(Box::new(a)) })
                    .collect();
                Expr::ScalarFunction(f)
            }
            Expr::InList(mut i) => {
                i.expr = cast(i.expr);
                i.list = i.list.into_iter().map(|a| *cast(Box::new(a))).collect();
                Expr::InList(i)
            }
            other => return Ok(Transformed::no(other)),
        };
        Ok(Transformed::yes(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::session::{keys, new_context, plan_sql, Settings};
    use datafusion::arrow::util::display::array_value_to_string;

    /// `typeof(expr)` and `expr` as text, in a session with ANSI on or off.
    async fn typed(expr: &str, ansi: bool) -> crate::error::Result<(String, String)> {
        let mut s = Settings::default();
        s.set(keys::ANSI, if ansi { "true" } else { "false" });
        let ctx = new_context(&s)?;
        let sql = format!("SELECT typeof({expr}), {expr}");
        let batches = plan_sql(&ctx, &sql, ansi).await?.collect().await?;
        let b = &batches[0];
        Ok((
            array_value_to_string(b.column(0), 0)?,
            array_value_to_string(b.column(1), 0)?,
        ))
    }

    #[tokio::test]
    async fn ansi_strings_become_bigint_or_double() {
        assert_eq!(
            typed("'26' * 1000", true).await.unwrap(),
            ("bigint".into(), "26000".into())
        );
        assert_eq!(
            typed("'26' + 1.5", true).await.unwrap(),
            ("double".into(), "27.5".into())
        );
        assert_eq!(
            typed("'26' = 26", true).await.unwrap(),
            ("boolean".into(), "true".into())
        );
        // ANSI's cast: a malformed string raises.
        assert!(typed("'1.5' = 1", true).await.is_err());
        assert!(typed("'x' + 1", true).await.is_err());
    }

    #[tokio::test]
    async fn legacy_strings_become_double_in_arithmetic_and_the_other_type_in_comparisons() {
        assert_eq!(
            typed("'26' * 1000", false).await.unwrap(),
            ("double".into(), "26000.0".into())
        );
        assert_eq!(
            typed("'2' * '3'", false).await.unwrap(),
            ("double".into(), "6.0".into())
        );
        assert_eq!(typed("'x' + 1", false).await.unwrap().1, "");
        // '1.5' becomes INT 1 next to the INT literal, DOUBLE next to a DECIMAL.
        assert_eq!(typed("'1.5' = 1", false).await.unwrap().1, "true");
        assert_eq!(typed("'26' = 1.5", false).await.unwrap().1, "false");
    }

    #[tokio::test]
    async fn mixed_values_take_sparks_common_type() {
        assert_eq!(
            typed("coalesce('26', 1)", true).await.unwrap(),
            ("bigint".into(), "26".into())
        );
        assert_eq!(
            typed("CASE WHEN true THEN '1.5' ELSE 1.5 END", true)
                .await
                .unwrap(),
            ("double".into(), "1.5".into())
        );
        assert!(typed("coalesce('x', 1)", true).await.is_err());
        // Without ANSI the numbers become strings: no failing cast of 'x'.
        assert_eq!(
            typed("coalesce('x', 1)", false).await.unwrap(),
            ("string".into(), "x".into())
        );
        assert_eq!(typed("' 1' IN (1)", false).await.unwrap().1, "false");
        assert_eq!(typed("' 1' IN (1)", true).await.unwrap().1, "true");
    }
}
