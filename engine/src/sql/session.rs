//! The SQL session: Spark confs from `SET`, a DataFusion context with Spark's functions,
//! and planning of Spark SQL text.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::execution::{FunctionRegistry, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::parser::Parser;

use super::coercion::SparkCoercion;
use super::dialect::SparkDialect;
use super::functions::{register_spark_compat, SparkConf};
use super::generators::rewrite_generators;
use super::literal_types::spark_literal_types;
use super::rewrite::{apply_spark_semantics, pin_current_time};
use super::struct_star::expand_struct_stars;
use crate::error::{Error, Result};

/// Spark conf keys spate reads.
pub mod keys {
    /// ANSI mode: failing casts raise instead of giving NULL (Spark 4 default: true).
    pub const ANSI: &str = "spark.sql.ansi.enabled";
    /// Zone for zone-less timestamp strings and for display.
    pub const TIME_ZONE: &str = "spark.sql.session.timeZone";
    /// Pinned in the checkpoint like Spark does; used as DataFusion's target partitions.
    pub const SHUFFLE_PARTITIONS: &str = "spark.sql.shuffle.partitions";
}

/// Settings from `SET key = value`, with Spark's defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// Records `SET key = value`.
    pub fn set(&mut self, key: &str, value: &str) {
        self.values
            .insert(key.trim().to_string(), value.trim().to_string());
    }

    /// The raw value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// All settings, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.values.iter()
    }

    /// `spark.sql.ansi.enabled` (default true, as in Spark 4).
    pub fn ansi(&self) -> Result<bool> {
        match self.get(keys::ANSI) {
            None => Ok(true),
            Some(v) => parse_bool(keys::ANSI, v),
        }
    }

    /// `spark.sql.session.timeZone` (default UTC).
    pub fn time_zone(&self) -> Result<chrono_tz::Tz> {
        let v = self.get(keys::TIME_ZONE).unwrap_or("UTC");
        chrono_tz::Tz::from_str(v).map_err(|_| {
            Error::config(format!(
                "invalid {}: '{v}' is not a time zone id",
                keys::TIME_ZONE
            ))
        })
    }

    /// The Spark confs the SQL functions need.
    pub fn spark_conf(&self) -> Result<SparkConf> {
        Ok(SparkConf {
            ansi: self.ansi()?,
            session_time_zone: self.time_zone()?,
        })
    }
}

/// Parses a Spark boolean option (`true`/`false` only, case-insensitive).
pub fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::config(format!(
            "{key} must be 'true' or 'false', got '{v}'"
        ))),
    }
}

/// A DataFusion context with datafusion-spark's functions and spate's Spark-compatible ones.
pub fn new_context(settings: &Settings) -> Result<SessionContext> {
    let spark = settings.spark_conf()?;
    let mut cfg = SessionConfig::new()
        .with_target_partitions(2)
        .with_information_schema(true)
        .set_bool("datafusion.execution.enable_ansi_mode", spark.ansi)
        .set_str(
            "datafusion.execution.time_zone",
            &spark.session_time_zone.to_string(),
        )
        // Spark sorts NULL as the smallest value: first for ASC, last for DESC.
        .set_str("datafusion.sql_parser.default_null_ordering", "nulls_min")
        // Aggregate each input partition as it comes, like Spark's partial aggregation per input
        // split: percentile_approx's answer depends on how rows are grouped into partial summaries,
        // and a round-robin split of one input gives other answers than Spark's single summary
        // (golden sql_functions/percentile_approx_large_group).
        .set_bool("datafusion.optimizer.enable_round_robin_repartition", false)
        // Spark reads `1.5` as DECIMAL(2,1), not DOUBLE.
        .set_bool("datafusion.sql_parser.parse_float_as_decimal", true);
    for (k, v) in settings
        .iter()
        .filter(|(k, _)| k.starts_with("datafusion."))
    {
        cfg.options_mut().set(k, v)?;
    }
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(cfg)
        .build();
    let mut ctx = SessionContext::new_with_state(state);
    datafusion_spark::register_all(&mut ctx)?;
    register_spark_compat(&ctx, &spark);
    // After DataFusion's planners, which leave arithmetic and comparisons to the default.
    ctx.register_expr_planner(Arc::new(SparkCoercion::new(&spark)))?;
    Ok(ctx)
}

/// Plans one Spark SQL query (a single statement) with Spark's semantics applied.
pub async fn plan_sql(ctx: &SessionContext, sql: &str, ansi: bool) -> Result<DataFrame> {
    plan_sql_at(ctx, sql, ansi, None).await
}

/// Like `plan_sql`, with `current_timestamp()` and friends fixed to `batch_time` (epoch ms, zone).
pub async fn plan_sql_at(
    ctx: &SessionContext,
    sql: &str,
    ansi: bool,
    batch_time: Option<(i64, chrono_tz::Tz)>,
) -> Result<DataFrame> {
    let mut stmts =
        Parser::parse_sql(&SparkDialect, sql).map_err(|e| Error::DataFusion(e.into()))?;
    if stmts.len() != 1 {
        return Err(Error::config(format!(
            "expected one SQL statement, found {}",
            stmts.len()
        )));
    }
    super::json_tuple::expand_json_tuples(&mut stmts);
    // On the SQL as written, before any rewrite: Spark names items after the user's expressions.
    super::spark_names::name_select_items(&mut stmts);
    // Before the Spark rewrites, so the copied window calls get the same ones as the GROUP BY's.
    super::window_column::resolve_window_columns(&mut stmts);
    apply_spark_semantics(&mut stmts, ansi);
    if let Some((ms, tz)) = batch_time {
        pin_current_time(&mut stmts, ms, &tz);
    }
    let mut stmt = stmts.remove(0);
    rewrite_generators(ctx, &mut stmt).await;
    let plan = match ctx
        .state()
        .statement_to_plan(DfStatement::Statement(Box::new(stmt.clone())))
        .await
    {
        Ok(plan) => plan,
        // `x.*` of a STRUCT column fails as an unknown relation `x`; retry with it expanded.
        Err(e) => match expand_struct_stars(ctx, &stmt).await {
            Some(expanded) => {
                ctx.state()
                    .statement_to_plan(DfStatement::Statement(Box::new(expanded)))
                    .await?
            }
            None => return Err(e.into()),
        },
    };
    let plan = spark_literal_types(plan, &SparkCoercion::for_session(ctx, ansi))?;
    super::variant_check::refuse_variant_ordering(&plan)?;
    let plan = super::collation::apply_collations(plan)?;
    Ok(ctx.execute_logical_plan(plan).await?)
}

/// The columns of `table` (indices into its registered schema) that `sql` reads, after
/// DataFusion's projection pushdown: what Spark's file sources use as the read schema, so only
/// these columns are parsed (a bad value in another column does not make a record bad).
/// `table` must be registered (an empty table with the full schema is enough).
pub async fn read_columns(
    ctx: &SessionContext,
    sql: &str,
    ansi: bool,
    table: &str,
) -> Result<Vec<usize>> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    use datafusion::logical_expr::LogicalPlan;
    let df = plan_sql(ctx, sql, ansi).await?;
    let plan = ctx.state().optimize(df.logical_plan())?;
    let width = ctx.table_provider(table).await?.schema().fields().len();
    let mut used = std::collections::BTreeSet::new();
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            if scan.table_name.table() == table {
                match &scan.projection {
                    Some(p) => used.extend(p.iter().copied()),
                    None => used.extend(0..width),
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(used.into_iter().collect())
}

/// Shared handle used by queries that plan many batches.
pub type ContextRef = Arc<SessionContext>;

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};

    async fn one_value(settings: &Settings, sql: &str) -> Result<arrow::array::ArrayRef> {
        let ctx = new_context(settings)?;
        let df = plan_sql(&ctx, sql, settings.ansi()?).await?;
        let batches = df.collect().await?;
        Ok(batches[0].column(0).clone())
    }

    #[tokio::test]
    async fn bad_cast_is_null_without_ansi_and_an_error_with_it() {
        let mut s = Settings::default();
        s.set(keys::ANSI, "false");
        let v = one_value(
            &s,
            "SELECT CAST(x AS INT) FROM (VALUES ('abc'), ('12')) AS t(x)",
        )
        .await
        .unwrap();
        assert!(v.is_null(0));
        assert_eq!(v.as_primitive::<arrow::datatypes::Int32Type>().value(1), 12);
        let ansi = Settings::default();
        assert!(
            one_value(&ansi, "SELECT CAST(x AS INT) FROM (VALUES ('abc')) AS t(x)")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn spark_functions_are_registered() {
        let s = Settings::default();
        let v = one_value(&s, "SELECT regexp_replace('5k and 6k', 'k', '000')")
            .await
            .unwrap();
        assert_eq!(v.as_string::<i32>().value(0), "5000 and 6000");
        let v = one_value(&s, "SELECT concat_ws('-', 'a', NULL, 'b')")
            .await
            .unwrap();
        assert_eq!(
            arrow::compute::cast(&v, &arrow::datatypes::DataType::Utf8)
                .unwrap()
                .as_string::<i32>()
                .value(0),
            "a-b"
        );
        let v = one_value(&s, "SELECT 'abc' RLIKE '^a'").await.unwrap();
        assert!(v.as_boolean().value(0));
    }

    #[test]
    fn settings_defaults_follow_spark_4() {
        let s = Settings::default();
        assert!(s.ansi().unwrap());
        assert_eq!(s.time_zone().unwrap(), chrono_tz::Tz::UTC);
        let mut bad = Settings::default();
        bad.set(keys::ANSI, "yes");
        assert!(bad.ansi().is_err());
    }
}
