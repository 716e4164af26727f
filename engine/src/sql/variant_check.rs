//! Spark refuses to compare, sort or group VARIANT values; DataFusion would compare the
//! variant's struct storage byte by byte, so planned queries are checked here.

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, DataFusionError, Result};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan};

use crate::variant::is_variant;

/// Spark's error for an ordering operation on a VARIANT.
fn refused(what: &str) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[DATATYPE_MISMATCH.INVALID_ORDERING_TYPE] Cannot resolve \"{what}\" due to data type \
         mismatch: ordering and equality are not supported on type \"VARIANT\" (compare \
         variant_get(v, '$', 'string') or to_json(v) instead)"
    ))
}

fn is_variant_expr(e: &Expr, schema: &DFSchema) -> bool {
    e.get_type(schema).is_ok_and(|t| is_variant(&t))
}

/// Fails when `plan` compares, sorts, groups or de-duplicates a VARIANT, as Spark's analyzer does.
pub fn refuse_variant_ordering(plan: &LogicalPlan) -> Result<()> {
    plan.apply_with_subqueries(|node| {
        let inputs = node.inputs();
        let Some(schema) = inputs.first().map(|i| i.schema()) else {
            return Ok(TreeNodeRecursion::Continue);
        };
        match node {
            LogicalPlan::Sort(sort) => {
                if let Some(e) = sort.expr.iter().find(|s| is_variant_expr(&s.expr, schema)) {
                    return Err(refused(&e.expr.to_string()));
                }
            }
            LogicalPlan::Aggregate(agg) => {
                if let Some(e) = agg.group_expr.iter().find(|e| is_variant_expr(e, schema)) {
                    return Err(refused(&e.to_string()));
                }
            }
            LogicalPlan::Distinct(_)
                if schema.fields().iter().any(|f| is_variant(f.data_type())) =>
            {
                return Err(refused("DISTINCT"));
            }
            _ => {}
        }
        for expr in node.expressions() {
            expr.apply(|e| {
                if let Expr::BinaryExpr(b) = e {
                    let comparison = super::collation::is_comparison(b.op);
                    if comparison
                        && (is_variant_expr(&b.left, schema) || is_variant_expr(&b.right, schema))
                    {
                        return Err(refused(&e.to_string()));
                    }
                }
                Ok(TreeNodeRecursion::Continue)
            })?;
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(())
}
