//! Rewrites of parsed Spark SQL so DataFusion computes Spark's answers.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;
use datafusion::sql::sqlparser::ast::{self, visit_expressions_mut, BinaryOperator, CastKind, Expr, TimezoneInfo, VisitMut};

/// Applies Spark's semantics to a parsed statement.
///
/// * With `spark.sql.ansi.enabled=false` a failing `CAST` gives NULL, which is DataFusion's `TRY_CAST`.
/// * Spark's `TIMESTAMP` is a timestamp with the session time zone (TIMESTAMP_LTZ); DataFusion's plain
///   `TIMESTAMP` has none, so it becomes `TIMESTAMP WITH TIME ZONE`.
pub fn apply_spark_semantics<V: VisitMut>(stmt: &mut V, ansi: bool) {
    let _ = visit_expressions_mut(stmt, |e: &mut Expr| {
        if let Expr::Cast { kind, data_type, .. } = e {
            if !ansi && matches!(kind, CastKind::Cast | CastKind::DoubleColon) {
                *kind = CastKind::TryCast;
            }
            if let ast::DataType::Timestamp(p, tz @ TimezoneInfo::None) = data_type {
                let _ = p;
                *tz = TimezoneInfo::WithTimeZone;
            }
        }
        if let Some(replacement) = spark_date_part(e) {
            *e = replacement;
        }
        if let Expr::RLike { negated, expr, pattern, .. } = e {
            let op = if *negated { BinaryOperator::PGRegexNotMatch } else { BinaryOperator::PGRegexMatch };
            let left = std::mem::replace(expr, Box::new(Expr::value(ast::Value::Null)));
            let right = std::mem::replace(pattern, Box::new(Expr::value(ast::Value::Null)));
            *e = Expr::Nested(Box::new(Expr::BinaryOp { left, op, right }));
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Spark's `year(x)`, `month(x)`, ... (INT results) as DataFusion's `date_part`.
fn spark_date_part(e: &Expr) -> Option<Expr> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    let (part, offset) = match name.as_str() {
        "year" => ("year", ""),
        "quarter" => ("quarter", ""),
        "month" => ("month", ""),
        "day" | "dayofmonth" => ("day", ""),
        "dayofyear" => ("doy", ""),
        // Spark: 1 = Sunday ... 7 = Saturday; DataFusion's dow: 0 = Sunday.
        "dayofweek" => ("dow", " + 1"),
        "hour" => ("hour", ""),
        "minute" => ("minute", ""),
        "weekofyear" => ("week", ""),
        _ => return None,
    };
    let ast::FunctionArguments::List(list) = &f.args else { return None };
    let [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(arg))] = list.args.as_slice() else { return None };
    let sql = format!("CAST(date_part('{part}', {arg}){offset} AS INT)");
    Parser::new(&SparkDialect).try_with_sql(&sql).and_then(|mut p| p.parse_expr()).ok()
}

/// Replaces `current_timestamp()`, `now()`, `current_date()` and `localtimestamp()` by the batch's
/// timestamp, so they are constant within a batch and identical when the batch is re-run (spec §0 step 6).
pub fn pin_current_time<V: VisitMut>(stmt: &mut V, batch_timestamp_ms: i64, tz: &chrono_tz::Tz) {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(batch_timestamp_ms) else { return };
    let local = utc.with_timezone(tz);
    let _ = visit_expressions_mut(stmt, |e: &mut Expr| {
        if let Expr::Function(f) = e {
            let name = f.name.to_string().to_ascii_lowercase();
            let replacement = match name.as_str() {
                "current_timestamp" | "now" => {
                    Some(format!("CAST('{}' AS TIMESTAMP WITH TIME ZONE)", utc.format("%Y-%m-%dT%H:%M:%S%.6fZ")))
                }
                "current_date" | "curdate" => Some(format!("CAST('{}' AS DATE)", local.format("%Y-%m-%d"))),
                "localtimestamp" => Some(format!("CAST('{}' AS TIMESTAMP)", local.format("%Y-%m-%d %H:%M:%S%.6f"))),
                _ => None,
            };
            if let Some(sql) = replacement {
                let parsed = Parser::new(&SparkDialect).try_with_sql(&sql).and_then(|mut p| p.parse_expr());
                if let Ok(expr) = parsed {
                    *e = expr;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(sql: &str, ansi: bool) -> String {
        let mut stmts = Parser::parse_sql(&SparkDialect, sql).unwrap();
        apply_spark_semantics(&mut stmts, ansi);
        stmts[0].to_string()
    }

    #[test]
    fn cast_becomes_try_cast_without_ansi() {
        assert_eq!(rewrite("SELECT CAST(a AS INT) FROM t", false), "SELECT TRY_CAST(a AS INT) FROM t");
        assert_eq!(rewrite("SELECT CAST(a AS INT) FROM t", true), "SELECT CAST(a AS INT) FROM t");
    }

    #[test]
    fn current_time_is_the_batch_timestamp() {
        let mut stmts = Parser::parse_sql(&SparkDialect, "SELECT current_timestamp(), now(), current_date, x FROM t").unwrap();
        pin_current_time(&mut stmts, 1714564800123, &chrono_tz::Tz::UTC);
        assert_eq!(
            stmts[0].to_string(),
            "SELECT CAST('2024-05-01T12:00:00.123000Z' AS TIMESTAMP WITH TIME ZONE), \
             CAST('2024-05-01T12:00:00.123000Z' AS TIMESTAMP WITH TIME ZONE), CAST('2024-05-01' AS DATE), x FROM t"
        );
    }

    #[test]
    fn spark_date_parts() {
        assert_eq!(rewrite("SELECT year(ts) FROM t", true), "SELECT CAST(date_part('year', ts) AS INT) FROM t");
        assert_eq!(rewrite("SELECT dayofweek(ts) FROM t", true), "SELECT CAST(date_part('dow', ts) + 1 AS INT) FROM t");
    }

    #[test]
    fn rlike_becomes_regex_match() {
        assert_eq!(rewrite("SELECT a RLIKE '^x' FROM t", true), "SELECT (a ~ '^x') FROM t");
        assert_eq!(rewrite("SELECT a NOT RLIKE '^x' FROM t", true), "SELECT (a !~ '^x') FROM t");
    }

    #[test]
    fn timestamp_is_ltz() {
        assert_eq!(
            rewrite("SELECT CAST(a AS TIMESTAMP) FROM t", true),
            "SELECT CAST(a AS TIMESTAMP WITH TIME ZONE) FROM t"
        );
    }

    #[test]
    fn backslash_escapes_like_spark() {
        let stmts = Parser::parse_sql(&SparkDialect, r"SELECT '\\d+'").unwrap();
        assert!(stmts[0].to_string().contains(r"\d+") || stmts[0].to_string().contains(r"\\d+"));
    }
}
