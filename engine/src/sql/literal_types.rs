//! Spark's literal types, applied to a planned query before DataFusion's analyzer coerces types.
//!
//! DataFusion's SQL planner makes every integer literal BIGINT (a `u64` one UBIGINT); Spark makes
//! it INT when it fits in 32 bits, else BIGINT, else DECIMAL(digits, 0). The difference shows in
//! result types (`array(1, 2)` is `array<int>`, `coalesce(int_col, -1)` is INT) and in overflow
//! (`int_col + 1` stays INT and wraps, or raises under ANSI, instead of widening). So after
//! planning, [`spark_literal_types`]:
//!
//! * replaces the `spark_typed_literal` markers ([`super::literals`]) by their literals;
//! * narrows BIGINT literals that fit to INT, and makes UBIGINT ones DECIMAL;
//! * gives an integer literal that meets a DECIMAL in arithmetic just the precision it needs
//!   (Spark's `DecimalPrecision` with `literalPickMinimumPrecision`: `2 * 1.5` is DECIMAL(4,1),
//!   not DECIMAL(13,1));
//! * brings CASE/coalesce/nvl/nvl2/if/IN values that mix strings and numbers to Spark's common
//!   type ([`SparkCoercion::coerce_mixed_values`]);
//! * with ANSI on, makes integer `+`, `-`, `*` raise on overflow like Spark
//!   ([`super::functions::checked_arithmetic`]); without ANSI they wrap, as in Spark, now that
//!   `int_col + 1` is INT.
//!
//! LIMIT and OFFSET keep BIGINT (DataFusion reads them as such), as does `count(*)`'s `1`
//! (DataFusion recognises `count(*)` by it). Names of rewritten output columns are kept, so the
//! plan's columns are named as DataFusion planned them.
//!
//! Checked against PySpark 4.0.1 (tests/golden `cast_literal_int_type`,
//! `cast_integer_arithmetic_types`, `int_add_overflow_*`, `concat_arrays`, ...).

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::{Cast, ScalarFunction};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::type_coercion::binary::BinaryTypeCoercer;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, Operator, ScalarUDF, Union,
    Values,
};
use datafusion::optimizer::analyzer::type_coercion::coerce_union_schema;

use super::coercion::SparkCoercion;
use super::functions::checked_arithmetic::{ArithmeticOp, CheckedArithmetic};
use super::literals::{literal_value, marker_args, TYPED_LITERAL};

/// Applies Spark's literal types (and, with `ansi`, checked integer arithmetic) to a planned
/// query (see the module docs).
pub fn spark_literal_types(plan: LogicalPlan, coercion: &SparkCoercion) -> Result<LogicalPlan> {
    let checked = coercion.ansi().then(Checked::default);
    let rules = Rules {
        checked: checked.as_ref(),
        coercion,
    };
    plan.transform_up_with_subqueries(|node| rewrite_node(node, &rules))
        .map(|t| t.data)
}

/// What the pass applies besides the literal types.
struct Rules<'a> {
    /// ANSI's checked integer arithmetic.
    checked: Option<&'a Checked>,
    /// Spark's coercion of values mixing strings and numbers.
    coercion: &'a SparkCoercion,
}

/// The checked forms of integer `+`, `-`, `*`.
struct Checked {
    add: Arc<ScalarUDF>,
    subtract: Arc<ScalarUDF>,
    multiply: Arc<ScalarUDF>,
}

impl Default for Checked {
    fn default() -> Self {
        let udf = |op| Arc::new(ScalarUDF::new_from_impl(CheckedArithmetic::new(op)));
        Checked {
            add: udf(ArithmeticOp::Add),
            subtract: udf(ArithmeticOp::Subtract),
            multiply: udf(ArithmeticOp::Multiply),
        }
    }
}

fn rewrite_node(node: LogicalPlan, rules: &Rules) -> Result<Transformed<LogicalPlan>> {
    match node {
        // DataFusion requires LIMIT/OFFSET to be BIGINT.
        LogicalPlan::Limit(_) => Ok(Transformed::no(node)),
        LogicalPlan::Values(Values { schema, values }) => {
            let mut changed = false;
            let empty = DFSchema::empty();
            let values = values
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|e| {
                            let t = rewrite_expr(e, &empty, rules)?;
                            changed |= t.transformed;
                            Ok(t.data)
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .collect::<Result<Vec<_>>>()?;
            if !changed {
                return Ok(Transformed::no(LogicalPlan::Values(Values {
                    schema,
                    values,
                })));
            }
            // The column types follow the rows' (narrowed) types, as the builder infers them.
            LogicalPlanBuilder::values(values)?
                .build()
                .map(Transformed::yes)
        }
        LogicalPlan::Union(Union { inputs, schema }) => {
            // Inputs may have narrowed; the analyzer casts each to the union's coerced schema.
            let coerced = Arc::new(coerce_union_schema(&inputs)?);
            let changed = coerced.fields() != schema.fields();
            let union = LogicalPlan::Union(Union {
                inputs,
                schema: if changed { coerced } else { schema },
            });
            Ok(Transformed::new_transformed(union, changed))
        }
        node => {
            let schema = merge_schema(&node.inputs());
            let names = NamePreserver::new(&node);
            let t = node.map_expressions(|e| {
                let saved = names.save(&e);
                Ok(rewrite_expr(e, &schema, rules)?.update_data(|e| saved.restore(e)))
            })?;
            // Recomputed even when this node's expressions stayed: an input's types may have
            // changed below it.
            t.map_data(|p| p.recompute_schema())
        }
    }
}

/// Spark's literal types inside one expression, over its input `schema`.
fn rewrite_expr(e: Expr, schema: &DFSchema, rules: &Rules) -> Result<Transformed<Expr>> {
    e.transform_down(literal_outside_lambda_inputs)?
        .transform_data(|e| {
            e.transform_up(|e| {
                decimal_operand(e, schema)?
                    .transform_data(|e| rules.coercion.coerce_mixed_values(e, schema))?
                    .transform_data(|e| match rules.checked {
                        Some(c) => checked_arithmetic(e, schema, c),
                        None => Ok(Transformed::no(e)),
                    })
            })
        })
}

/// Integer `+`, `-`, `*` as the checked functions, on operands cast to DataFusion's common type.
fn checked_arithmetic(e: Expr, schema: &DFSchema, checked: &Checked) -> Result<Transformed<Expr>> {
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else {
        return Ok(Transformed::no(e));
    };
    let udf = match op {
        Operator::Plus => &checked.add,
        Operator::Minus => &checked.subtract,
        Operator::Multiply => &checked.multiply,
        _ => return Ok(Transformed::no(e)),
    };
    let (Ok(lt), Ok(rt)) = (left.get_type(schema), right.get_type(schema)) else {
        return Ok(Transformed::no(e));
    };
    if !lt.is_integer() || !rt.is_integer() {
        return Ok(Transformed::no(e));
    }
    let Ok((lc, rc)) = BinaryTypeCoercer::new(&lt, op, &rt).get_input_types() else {
        return Ok(Transformed::no(e));
    };
    if lc != rc || !lc.is_integer() {
        return Ok(Transformed::no(e));
    }
    let udf = Arc::clone(udf);
    let Expr::BinaryExpr(BinaryExpr { left, right, .. }) = e else {
        return Ok(Transformed::no(e));
    };
    let cast = |x: Expr, from: &DataType| {
        if *from == lc {
            x
        } else {
            Expr::Cast(Cast::new(Box::new(x), lc.clone()))
        }
    };
    Ok(Transformed::yes(Expr::ScalarFunction(
        ScalarFunction::new_udf(udf, vec![cast(*left, &lt), cast(*right, &rt)]),
    )))
}

/// One literal as Spark types it (top-down, so markers and `count(*)` are left whole).
/// [`literal`], except in the arguments a higher-order function hands to its lambdas: their
/// element types are fixed in the lambda's variables when DataFusion plans the call, so a
/// literal array there keeps DataFusion's types (the lambda bodies are retyped).
fn literal_outside_lambda_inputs(e: Expr) -> Result<Transformed<Expr>> {
    let Expr::HigherOrderFunction(mut f) = e else {
        return literal(e);
    };
    let mut changed = false;
    for arg in f.args.iter_mut() {
        if let Expr::Lambda(lambda) = arg {
            let body =
                std::mem::replace(lambda.body.as_mut(), Expr::Literal(ScalarValue::Null, None));
            let t = body.transform_down(literal_outside_lambda_inputs)?;
            changed |= t.transformed;
            *lambda.body = t.data;
        }
    }
    Ok(Transformed::new(
        Expr::HigherOrderFunction(f),
        changed,
        TreeNodeRecursion::Jump,
    ))
}

fn literal(e: Expr) -> Result<Transformed<Expr>> {
    match e {
        Expr::ScalarFunction(ref f) if f.name() == TYPED_LITERAL => {
            let args: Vec<Option<&ScalarValue>> = f
                .args
                .iter()
                .map(|a| match a {
                    Expr::Literal(v, _) => Some(v),
                    _ => None,
                })
                .collect();
            let Some((text, kind)) = marker_args(&args) else {
                return Ok(Transformed::no(e));
            };
            let value =
                literal_value(&text, kind).map_err(datafusion::common::DataFusionError::Plan)?;
            Ok(Transformed::new(
                Expr::Literal(value, None),
                true,
                TreeNodeRecursion::Jump,
            ))
        }
        Expr::AggregateFunction(ref a) if is_count_star(a.func.name(), &a.params.args) => {
            Ok(Transformed::new(e, false, TreeNodeRecursion::Jump))
        }
        Expr::WindowFunction(ref w) if is_count_star(w.fun.name(), &w.params.args) => {
            Ok(Transformed::new(e, false, TreeNodeRecursion::Jump))
        }
        Expr::Literal(ScalarValue::Int64(Some(v)), meta) => match i32::try_from(v) {
            Ok(v) => Ok(Transformed::yes(Expr::Literal(
                ScalarValue::Int32(Some(v)),
                meta,
            ))),
            Err(_) => Ok(Transformed::no(Expr::Literal(
                ScalarValue::Int64(Some(v)),
                meta,
            ))),
        },
        // Above i64::MAX Spark reads an integer as DECIMAL(digits, 0).
        Expr::Literal(ScalarValue::UInt64(Some(v)), meta) => {
            let digits = v.to_string().len() as u8;
            Ok(Transformed::yes(Expr::Literal(
                ScalarValue::Decimal128(Some(i128::from(v)), digits, 0),
                meta,
            )))
        }
        e => Ok(Transformed::no(e)),
    }
}

/// `count(*)` as DataFusion plans it: `count(Int64(1))`.
fn is_count_star(name: &str, args: &[Expr]) -> bool {
    name.eq_ignore_ascii_case("count")
        && matches!(args, [Expr::Literal(ScalarValue::Int64(Some(1)), _)])
}

/// An integer literal in arithmetic with a DECIMAL as DECIMAL(digits, 0).
fn decimal_operand(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = e else {
        return Ok(Transformed::no(e));
    };
    let arithmetic = matches!(
        op,
        Operator::Plus | Operator::Minus | Operator::Multiply | Operator::Modulo
    );
    let is_decimal = |x: &Expr| matches!(x.get_type(schema), Ok(DataType::Decimal128(..)));
    let (left, right, changed) = match (integer_literal(&left), integer_literal(&right)) {
        (Some(v), None) if arithmetic && is_decimal(&right) => (minimal_decimal(v), *right, true),
        (None, Some(v)) if arithmetic && is_decimal(&left) => (*left, minimal_decimal(v), true),
        _ => (*left, *right, false),
    };
    Ok(Transformed::new_transformed(
        Expr::BinaryExpr(BinaryExpr::new(Box::new(left), op, Box::new(right))),
        changed,
    ))
}

fn integer_literal(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(ScalarValue::Int8(Some(v)), _) => Some(i64::from(*v)),
        Expr::Literal(ScalarValue::Int16(Some(v)), _) => Some(i64::from(*v)),
        Expr::Literal(ScalarValue::Int32(Some(v)), _) => Some(i64::from(*v)),
        Expr::Literal(ScalarValue::Int64(Some(v)), _) => Some(*v),
        _ => None,
    }
}

/// Spark's `DecimalType.fromLiteral` of an integer: just its digits.
fn minimal_decimal(v: i64) -> Expr {
    let digits = v.unsigned_abs().to_string().len() as u8;
    Expr::Literal(
        ScalarValue::Decimal128(Some(i128::from(v)), digits, 0),
        None,
    )
}

#[cfg(test)]
mod tests {
    use crate::sql::session::{new_context, plan_sql, Settings};
    use datafusion::arrow::datatypes::DataType;

    async fn types(sql: &str) -> Vec<DataType> {
        let ctx = new_context(&Settings::default()).unwrap();
        let df = plan_sql(&ctx, sql, true).await.unwrap();
        let batches = df.collect().await.unwrap();
        batches[0]
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect()
    }

    #[tokio::test]
    async fn literals_are_typed_like_spark() {
        assert_eq!(
            types("SELECT 1, 2147483648, 9223372036854775808, 1e3, 10L, 7S, 3Y, 1.5F, 1.5BD").await,
            vec![
                DataType::Int32,
                DataType::Int64,
                DataType::Decimal128(19, 0),
                DataType::Float64,
                DataType::Int64,
                DataType::Int16,
                DataType::Int8,
                DataType::Float32,
                DataType::Decimal128(2, 1),
            ]
        );
        // Integer literals in DECIMAL arithmetic take just their digits: DECIMAL(1,0) * DECIMAL(2,1).
        assert_eq!(
            types("SELECT 2 * 1.5, 1 + 1L").await,
            vec![DataType::Decimal128(4, 1), DataType::Int64]
        );
    }

    #[tokio::test]
    async fn limit_values_and_count_star_still_plan() {
        let ctx = new_context(&Settings::default()).unwrap();
        let sql = "SELECT x, count(*) AS n FROM (VALUES (1), (2), (2)) AS v(x) \
                   GROUP BY x ORDER BY x LIMIT 1 OFFSET 1";
        let batches = plan_sql(&ctx, sql, true)
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(batches[0].schema().field(0).data_type(), &DataType::Int32);
        assert_eq!(batches[0].num_rows(), 1);
    }
}
