//! A streaming table's aggregation, lifted out of its DataFusion plan (spec §9.5).
//!
//! The query is planned and analyzed as a whole; its one `Aggregate` node splits it in three:
//! the node's input (the pre-aggregation rows, run per batch by the cleaning plan), the node itself
//! (run by [`StreamingAggregate`](crate::state::StreamingAggregate) over the state), and the plan
//! above it (the SELECT list and HAVING), run over the rows the output mode emits by putting them
//! in place of the node. Spark's checks on the query shape are made here.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, DFSchemaRef, ScalarValue};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{Aggregate, Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::physical_expr::aggregate::AggregateExprBuilder;
use datafusion::prelude::SessionContext;

use crate::error::{Error, Result};
use crate::state::window::interval_us;
use crate::state::window::literal_spec;
use crate::state::{AggregateShape, GroupKey, SessionGap};

/// `e` as a physical expression over `input`, simplified first: the aggregation is analyzed but
/// not optimized, and functions such as `coalesce`, `nvl` and `if` only run once the
/// simplifier has turned them into CASE.
fn physical_expr(
    ctx: &SessionContext,
    e: Expr,
    input: &DFSchema,
) -> datafusion::common::Result<Arc<dyn datafusion::physical_plan::PhysicalExpr>> {
    let info = SimplifyContext::builder()
        .with_schema(Arc::new(input.clone()))
        .with_config_options(Arc::clone(ctx.state().config_options()))
        .build();
    let e = ExprSimplifier::new(info).simplify(e)?;
    ctx.create_physical_expr(e, input)
}

/// The plan analyzed (types coerced) but not optimized: the `Aggregate` node keeps its shape.
pub fn analyze(ctx: &SessionContext, plan: &LogicalPlan) -> Result<LogicalPlan> {
    let state = ctx.state();
    Ok(state
        .analyzer()
        .execute_and_check(plan.clone(), state.config_options(), |_, _| {})?)
}

/// The query's aggregation node, if it has one; more than one is refused as Spark does.
pub fn find_aggregate(plan: &LogicalPlan) -> Result<Option<Aggregate>> {
    let mut found: Vec<Aggregate> = vec![];
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::Aggregate(a) = node {
            found.push(a.clone());
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    if found.len() > 1 {
        return Err(Error::config(
            "Multiple streaming aggregations are not supported with streaming DataFrames/Datasets",
        ));
    }
    Ok(found.pop())
}

/// The operator's shape for `agg`; `watermark` is the declared event-time column.
pub fn shape(
    ctx: &SessionContext,
    agg: &Aggregate,
    watermark: Option<&str>,
) -> Result<AggregateShape> {
    if let Some((value, c)) = crate::sql::collation::uses_collation_key(agg) {
        return Err(crate::state::collated_state_key(
            &value,
            &format!("string collate {}", c.name()),
        ));
    }
    let input = agg.input.schema();
    let mut keys = Vec::with_capacity(agg.group_expr.len());
    let mut event_time_key = None;
    let mut windows = 0;
    for (i, g) in agg.group_expr.iter().enumerate() {
        let g = strip_alias(g);
        if let Expr::GroupingSet(_) = g {
            return Err(Error::config(
                "GROUPING SETS, CUBE and ROLLUP are not supported on a stream",
            ));
        }
        match window_call(g)? {
            Some((ts, spec)) => {
                windows += 1;
                if is_column(ts, watermark) {
                    event_time_key = Some(i);
                }
                let ts_type = ts.get_type(input)?;
                keys.push(GroupKey::Window {
                    ts: physical_expr(ctx, ts.clone(), input)?,
                    spec,
                    ts_type,
                });
            }
            None if is_call(g, "session_window") => {
                windows += 1;
                let (ts, gap) = session_call(ctx, g, input)?;
                if is_column(ts, watermark) {
                    event_time_key = Some(i);
                }
                let ts_type = ts.get_type(input)?;
                keys.push(GroupKey::Session {
                    ts: physical_expr(ctx, ts.clone(), input)?,
                    gap,
                    ts_type,
                });
            }
            None => {
                if is_column(g, watermark) && event_time_key.is_none() {
                    event_time_key = Some(i);
                }
                keys.push(GroupKey::Expr(physical_expr(ctx, g.clone(), input)?));
            }
        }
    }
    if windows > 1 {
        return Err(Error::config(
            "Multiple time/session window expressions would result in a cartesian product of rows, therefore they are currently not supported.",
        ));
    }
    if keys.len() == 1 && matches!(keys[0], GroupKey::Session { .. }) {
        // Spark keeps a stream's sessions per grouping key; a key-less session has none.
        return Err(Error::config(
            "Global aggregation with session window in streaming query is not supported. Group by another column too (e.g. GROUP BY user_id, session_window(ts, '5 minutes')).",
        ));
    }
    let arrow_input = Arc::new(input.as_arrow().clone());
    let mut aggs = Vec::with_capacity(agg.aggr_expr.len());
    for (i, e) in agg.aggr_expr.iter().enumerate() {
        let Expr::AggregateFunction(AggregateFunction { func, params }) = strip_alias(e) else {
            return Err(Error::config(format!(
                "unsupported aggregate expression {e}"
            )));
        };
        if params.distinct {
            return Err(Error::config(
                "Distinct aggregations are not supported on streaming DataFrames/Datasets. Consider using approx_count_distinct() instead.",
            ));
        }
        if params.filter.is_some() || !params.order_by.is_empty() {
            return Err(Error::config(format!(
                "{}: FILTER and ORDER BY inside a streaming aggregate are not supported",
                func.name()
            )));
        }
        let args = params
            .args
            .iter()
            .map(|a| match a {
                // `count(*)` before the analyzer rewrote it: count a constant.
                #[allow(deprecated)]
                Expr::Wildcard { .. } => Ok(Expr::Literal(ScalarValue::Int64(Some(1)), None)),
                a => Ok(a.clone()),
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .map(|a| physical_expr(ctx, a, input))
            .collect::<datafusion::common::Result<Vec<_>>>()?;
        let name = agg.schema.field(agg.group_expr.len() + i).name().clone();
        // `first(x, true)` and `x IGNORE NULLS` skip NULL inputs in the state too.
        let ignore_nulls = matches!(
            params.null_treatment,
            Some(datafusion::logical_expr::expr::NullTreatment::IgnoreNulls)
        );
        let built = AggregateExprBuilder::new(func.clone(), args)
            .schema(arrow_input.clone())
            .alias(name)
            .with_ignore_nulls(ignore_nulls)
            .build()?;
        aggs.push(Arc::new(built));
    }
    Ok(AggregateShape {
        keys,
        aggs,
        output_keys: vec![],
        output: Arc::new(agg.schema.as_arrow().clone()),
        event_time_key,
    })
}

/// The names, in the query's result, of the SELECT items computed from grouping keys only: the
/// columns an update-mode sink merges on. Found in the projection over the aggregation (through
/// HAVING filters).
pub fn output_keys(plan: &LogicalPlan, agg: &Aggregate) -> Vec<String> {
    let groups: Vec<datafusion::common::Column> = agg
        .schema
        .columns()
        .into_iter()
        .take(agg.group_expr.len())
        .collect();
    let mut keys = vec![];
    let _ = plan.apply(|node| {
        if let LogicalPlan::Projection(p) = node {
            let mut below = p.input.as_ref();
            while let LogicalPlan::Filter(f) = below {
                below = f.input.as_ref();
            }
            if matches!(below, LogicalPlan::Aggregate(a) if a.schema == agg.schema) {
                for (i, e) in p.expr.iter().enumerate() {
                    let refs = e.column_refs();
                    if !refs.is_empty() && refs.iter().all(|c| groups.contains(c)) {
                        keys.push(p.schema.field(i).name().clone());
                    }
                }
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    keys
}

/// `plan` with its aggregation replaced by `rows` (of the aggregation's output schema): a scan of
/// the rows, projected back to the node's qualified column names so the plan above resolves.
pub fn replace_aggregate(
    plan: LogicalPlan,
    rows: Vec<arrow::array::RecordBatch>,
) -> Result<LogicalPlan> {
    let mut rows = Some(rows);
    let mut err = None;
    let plan = plan
        .transform_up(|node| match node {
            LogicalPlan::Aggregate(a) => {
                match scan_of(&a.schema, rows.take().unwrap_or_default()) {
                    Ok(p) => Ok(Transformed::yes(p)),
                    Err(e) => {
                        err = Some(e);
                        Ok(Transformed::no(LogicalPlan::Aggregate(a)))
                    }
                }
            }
            other => Ok(Transformed::no(other)),
        })?
        .data;
    match err {
        Some(e) => Err(e),
        None => Ok(plan),
    }
}

/// A plan producing `rows` with exactly the columns (qualifiers and names) of `schema`.
fn scan_of(schema: &DFSchemaRef, rows: Vec<arrow::array::RecordBatch>) -> Result<LogicalPlan> {
    use arrow::datatypes::{Field, Schema};
    // Positional names: two aggregation columns may share a name under different qualifiers.
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| Field::new(format!("c{i}"), f.data_type().clone(), true))
        .collect();
    let arrow_schema = Arc::new(Schema::new(fields));
    let rows = rows
        .into_iter()
        .map(|b| {
            Ok(arrow::array::RecordBatch::try_new(
                arrow_schema.clone(),
                b.columns().to_vec(),
            )?)
        })
        .collect::<Result<Vec<_>>>()?;
    let table = datafusion::datasource::MemTable::try_new(arrow_schema, vec![rows])?;
    let source = datafusion::datasource::provider_as_source(Arc::new(table));
    let exprs: Vec<Expr> = schema
        .iter()
        .enumerate()
        .map(|(i, (q, f))| {
            Expr::Column(datafusion::common::Column::new(
                Some("__spate_agg"),
                format!("c{i}"),
            ))
            .alias_qualified(q.cloned(), f.name())
        })
        .collect();
    Ok(LogicalPlanBuilder::scan("__spate_agg", source, None)?
        .project(exprs)?
        .build()?)
}

fn strip_alias(e: &Expr) -> &Expr {
    match e {
        Expr::Alias(a) => strip_alias(&a.expr),
        e => e,
    }
}

fn is_column(e: &Expr, name: Option<&str>) -> bool {
    match (strip_alias(e), name) {
        (Expr::Column(c), Some(n)) => c.name.eq_ignore_ascii_case(n),
        _ => false,
    }
}

/// `window(ts, '10 minutes', ...)`: the time expression and the window.
fn window_call(e: &Expr) -> Result<Option<(&Expr, crate::state::window::WindowSpec)>> {
    let Expr::ScalarFunction(f) = e else {
        return Ok(None);
    };
    if f.func.name() != "window" {
        return Ok(None);
    }
    let Some((ts, rest)) = f.args.split_first() else {
        return Ok(None);
    };
    let literals = rest
        .iter()
        .map(|a| match strip_alias(a) {
            Expr::Literal(v, _) => Ok(v.clone()),
            other => Err(Error::config(format!(
                "window() durations must be literal strings, not {other}"
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    let spec = literal_spec(&literals).map_err(Error::config)?;
    Ok(Some((ts, spec)))
}

fn is_call(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::ScalarFunction(f) if f.func.name() == name)
}

/// `session_window(ts, gap)`: the time expression and the gap, a literal interval string or an
/// expression giving one per row (Spark's dynamic gap).
fn session_call<'a>(
    ctx: &SessionContext,
    e: &'a Expr,
    input: &DFSchemaRef,
) -> Result<(&'a Expr, SessionGap)> {
    let usage =
        "session_window() takes (timeColumn, gapDuration), e.g. session_window(ts, '5 minutes')";
    let Expr::ScalarFunction(f) = e else {
        return Err(Error::config(usage));
    };
    let [ts, gap] = f.args.as_slice() else {
        return Err(Error::config(usage));
    };
    let gap = match strip_alias(gap) {
        Expr::Literal(v, _) => {
            let text = match v {
                ScalarValue::Utf8(Some(s))
                | ScalarValue::LargeUtf8(Some(s))
                | ScalarValue::Utf8View(Some(s)) => s,
                other => {
                    return Err(Error::config(format!(
                        "session_window() takes the gap as an interval string such as '5 minutes', not {other}"
                    )))
                }
            };
            let us = interval_us(text).map_err(Error::config)?;
            if us <= 0 {
                // Spark opens no session for a gap that is not positive: every row would vanish.
                return Err(Error::config(format!(
                    "session_window() gap '{text}' must be positive"
                )));
            }
            SessionGap::Fixed(us)
        }
        other => {
            let t = other.get_type(input)?;
            if !matches!(
                t,
                arrow::datatypes::DataType::Utf8
                    | arrow::datatypes::DataType::LargeUtf8
                    | arrow::datatypes::DataType::Utf8View
            ) {
                return Err(Error::config(format!(
                    "Gap duration expression used in session window must be an interval string (e.g. CASE WHEN ... THEN '5 minutes' ELSE '10 minutes' END), but got {t}"
                )));
            }
            SessionGap::PerRow(physical_expr(ctx, other.clone(), input)?)
        }
    };
    Ok((ts, gap))
}
