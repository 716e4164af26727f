//! Spark's names for unaliased SELECT items: `count(*)` is `count(1)`, `n + 1` is `(n + 1)`,
//! `'x'` is `x`, `c || 'x'` is `concat(c, x)`, `regexp_replace(c, 'a', 'b')` is
//! `regexp_replace(c, a, b, 1)`.
//!
//! DataFusion would name them after its own plan (`Int64(1) + Int64(2)`, or spate's internal
//! `spark_cast(...)` calls), which a user sees as result headers and table columns. Before
//! planning, each unaliased item whose Spark name this module knows gets it as an alias; any
//! other keeps DataFusion's name. Names follow Spark 4.0.1 (checked with its `df.schema`).

use datafusion::sql::sqlparser::ast::{
    self, BinaryOperator, CastKind, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, SelectItem, UnaryOperator, Value, VisitMut,
};
use std::collections::HashSet;

use super::functions::spark_cast::{java_double, java_float};
use super::literals::TYPED_LITERAL;
use super::rewrite::{column_name, for_each_projection};

/// Gives every unaliased SELECT item of `stmt` (subqueries included) its Spark name, where known
/// and not already taken by another item of the same SELECT.
pub fn name_select_items<V: VisitMut>(stmt: &mut V) {
    for_each_projection(stmt, |items| name_items(items));
}

fn name_items(items: &mut [SelectItem]) {
    let mut taken: HashSet<String> = items
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
            SelectItem::UnnamedExpr(e) => column_name(e).map(str::to_string),
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        let SelectItem::UnnamedExpr(e) = item else {
            continue;
        };
        if column_name(e).is_some() {
            continue;
        }
        let Some(name) = spark_name(e) else {
            continue;
        };
        // Spark allows two result columns of one name; DataFusion does not.
        if !taken.insert(name.clone()) {
            continue;
        }
        let expr = std::mem::replace(e, Expr::value(Value::Null));
        *item = SelectItem::ExprWithAlias {
            expr,
            alias: Ident::with_quote('`', name),
        };
    }
}

/// Spark's name for `e`, if this module knows how Spark prints it.
fn spark_name(e: &Expr) -> Option<String> {
    Some(match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => column_name(e)?.to_string(),
        Expr::Value(v) => literal_name(&v.value)?,
        Expr::TypedString(ts) => {
            let text = match &ts.value.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s,
                _ => return None,
            };
            let kind = ts.data_type.to_string().to_ascii_uppercase();
            if !matches!(kind.as_str(), "DATE" | "TIMESTAMP" | "TIMESTAMP_NTZ") {
                return None;
            }
            format!("{kind} '{text}'")
        }
        Expr::Nested(inner) => spark_name(inner)?,
        Expr::UnaryOp { op, expr } => match (op, expr.as_ref()) {
            (UnaryOperator::Minus, Expr::Value(v)) if matches!(v.value, Value::Number(..)) => {
                format!("-{}", literal_name(&v.value)?)
            }
            (UnaryOperator::Minus, x) => format!("(- {})", spark_name(x)?),
            (UnaryOperator::Plus, x) => format!("(+ {})", spark_name(x)?),
            (UnaryOperator::Not, x) => format!("(NOT {})", spark_name(x)?),
            _ => return None,
        },
        Expr::BinaryOp { left, op, right } => {
            let (l, r) = (spark_name(left)?, spark_name(right)?);
            let op = match op {
                BinaryOperator::StringConcat => return Some(format!("concat({l}, {r})")),
                BinaryOperator::NotEq => return Some(format!("(NOT ({l} = {r}))")),
                BinaryOperator::Plus => "+",
                BinaryOperator::Minus => "-",
                BinaryOperator::Multiply => "*",
                BinaryOperator::Divide => "/",
                BinaryOperator::Modulo => "%",
                BinaryOperator::MyIntegerDivide => "div",
                BinaryOperator::Eq => "=",
                BinaryOperator::Lt => "<",
                BinaryOperator::LtEq => "<=",
                BinaryOperator::Gt => ">",
                BinaryOperator::GtEq => ">=",
                BinaryOperator::Spaceship => "<=>",
                BinaryOperator::And => "AND",
                BinaryOperator::Or => "OR",
                _ => return None,
            };
            format!("({l} {op} {r})")
        }
        Expr::IsNull(x) => format!("({} IS NULL)", spark_name(x)?),
        Expr::IsNotNull(x) => format!("({} IS NOT NULL)", spark_name(x)?),
        Expr::IsNotDistinctFrom(a, b) => format!("({} <=> {})", spark_name(a)?, spark_name(b)?),
        Expr::IsDistinctFrom(a, b) => {
            format!("(NOT ({} <=> {}))", spark_name(a)?, spark_name(b)?)
        }
        Expr::InList {
            expr,
            list,
            negated: false,
        } => format!("({} IN ({}))", spark_name(expr)?, names(list.iter())?),
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } => format!(
            "between({}, {}, {})",
            spark_name(expr)?,
            spark_name(low)?,
            spark_name(high)?
        ),
        Expr::Like {
            negated: false,
            any: false,
            expr,
            pattern,
            escape_char: None,
        } => format!("{} LIKE {}", spark_name(expr)?, spark_name(pattern)?),
        Expr::RLike {
            negated: false,
            expr,
            pattern,
            ..
        } => format!("RLIKE({}, {})", spark_name(expr)?, spark_name(pattern)?),
        Expr::Cast {
            kind,
            expr,
            data_type,
            format: None,
            ..
        } => match expr.as_ref() {
            // Spark names a cast column after the column.
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => spark_name(expr)?,
            x if matches!(kind, CastKind::Cast) => {
                format!("CAST({} AS {})", spark_name(x)?, spark_type(data_type)?)
            }
            _ => return None,
        },
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            let operand = match operand {
                Some(x) => Some(spark_name(x)?),
                None => None,
            };
            let mut text = "CASE".to_string();
            for w in conditions {
                let when = spark_name(&w.condition)?;
                let when = match &operand {
                    Some(x) => format!("({x} = {when})"),
                    None => when,
                };
                text.push_str(&format!(" WHEN {when} THEN {}", spark_name(&w.result)?));
            }
            if let Some(e) = else_result {
                text.push_str(&format!(" ELSE {}", spark_name(e)?));
            }
            text.push_str(" END");
            text
        }
        Expr::Function(f) => function_name(f)?,
        Expr::Struct { values, fields } if fields.is_empty() => {
            format!("struct({})", names(values.iter())?)
        }
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            special: true,
            shorthand,
        } => {
            let from = match substring_from {
                Some(f) => spark_name(f)?,
                None => "1".to_string(),
            };
            let length = match substring_for {
                Some(l) => spark_name(l)?,
                None => "2147483647".to_string(),
            };
            let name = if *shorthand { "substr" } else { "substring" };
            format!("{name}({}, {from}, {length})", spark_name(expr)?)
        }
        Expr::Trim {
            expr,
            trim_where: None,
            trim_what: None,
            trim_characters: None,
        } => format!("trim({})", spark_name(expr)?),
        _ => return None,
    })
}

fn names<'a>(exprs: impl Iterator<Item = &'a Expr>) -> Option<String> {
    Some(
        exprs
            .map(spark_name)
            .collect::<Option<Vec<_>>>()?
            .join(", "),
    )
}

/// A literal as Spark prints it in a name: strings without quotes, numbers by their value.
fn literal_name(v: &Value) -> Option<String> {
    Some(match v {
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
        Value::Boolean(b) => b.to_string(),
        Value::Null => "NULL".to_string(),
        Value::Number(text, _) => {
            if text.contains(['e', 'E']) {
                java_double(text.parse().ok()?)
            } else if text.contains('.') {
                let t = text.trim_end_matches('.');
                match t.strip_prefix('.') {
                    Some(frac) => format!("0.{frac}"),
                    None => t.to_string(),
                }
            } else {
                text.parse::<i128>().ok()?.to_string()
            }
        }
        _ => return None,
    })
}

/// A typed number (`10L`, `1e3`, `1.5F`; see `sql::literals`) as Spark prints it: its value.
fn typed_number_name(text: &str, kind: &str) -> Option<String> {
    Some(match kind {
        "DOUBLE" => java_double(text.parse().ok()?),
        "FLOAT" => java_float(text.parse().ok()?),
        _ => literal_name(&Value::Number(text.to_string(), false))?,
    })
}

/// Spark's SQL name of a CAST target type, for the types a cleaning query casts to.
fn spark_type(t: &ast::DataType) -> Option<String> {
    let text = t.to_string().to_ascii_uppercase();
    Some(match text.as_str() {
        "INT" | "INTEGER" => "INT".to_string(),
        "BIGINT" | "LONG" => "BIGINT".to_string(),
        "SMALLINT" | "SHORT" => "SMALLINT".to_string(),
        "TINYINT" | "BYTE" => "TINYINT".to_string(),
        "STRING" | "DOUBLE" | "FLOAT" | "BOOLEAN" | "DATE" | "TIMESTAMP" => text,
        t if t.starts_with("DECIMAL(") => t.replace(' ', ""),
        _ => return None,
    })
}

/// The arguments Spark adds to a call when they are left out, as they show in its name.
fn default_args(name: &str, given: usize) -> &'static [&'static str] {
    match (name, given) {
        ("regexp_replace", 3) | ("regexp_extract", 2) => &["1"],
        ("split", 2) => &["-1"],
        ("round" | "bround", 1) => &["0"],
        ("substr" | "substring", 2) => &["2147483647"],
        ("unix_timestamp" | "from_unixtime", 1) => &["yyyy-MM-dd HH:mm:ss"],
        ("percentile_approx" | "approx_percentile", 2) => &["10000"],
        ("replace", 2) => &[""],
        _ => &[],
    }
}

fn function_name(f: &ast::Function) -> Option<String> {
    if f.over.is_some()
        || f.filter.is_some()
        || f.null_treatment.is_some()
        || !f.within_group.is_empty()
        || !matches!(f.parameters, FunctionArguments::None)
    {
        return None;
    }
    let name = match f.name.0.as_slice() {
        [part] => part.as_ident()?.value.to_ascii_lowercase(),
        _ => return None,
    };
    let (args, distinct) = match &f.args {
        FunctionArguments::None => (vec![], false),
        FunctionArguments::List(list) if list.clauses.is_empty() => {
            let mut args = Vec::with_capacity(list.args.len());
            for a in &list.args {
                args.push(match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => spark_name(e)?,
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => {
                        "1".to_string()
                    }
                    _ => return None,
                });
            }
            let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
            (args, distinct)
        }
        _ => return None,
    };
    // Generators name their output columns (`col`, `pos`) themselves.
    if matches!(
        name.as_str(),
        "explode"
            | "explode_outer"
            | "posexplode"
            | "posexplode_outer"
            | "inline"
            | "inline_outer"
            | "stack"
    ) {
        return None;
    }
    // Spark names a time or session window column after the function alone.
    if matches!(name.as_str(), "window" | "session_window") {
        return Some(name);
    }
    if name == TYPED_LITERAL {
        return typed_number_name(args.first()?, args.get(1)?);
    }
    let mut args = args;
    args.extend(
        default_args(&name, args.len())
            .iter()
            .map(|a| a.to_string()),
    );
    let list = args.join(", ");
    Some(match name.as_str() {
        "if" => format!("(IF({list}))"),
        _ if distinct => format!("{name}(DISTINCT {list})"),
        _ => format!("{name}({list})"),
    })
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::parser::Parser;

    use super::*;
    use crate::sql::dialect::SparkDialect;

    fn named(sql: &str) -> String {
        let mut stmts = Parser::parse_sql(&SparkDialect, sql).unwrap();
        name_select_items(&mut stmts);
        stmts[0].to_string()
    }

    #[test]
    fn unaliased_items_get_sparks_names() {
        assert_eq!(
            named("SELECT count(*), n + 1, 'x', c FROM t"),
            "SELECT count(*) AS `count(1)`, n + 1 AS `(n + 1)`, 'x' AS `x`, c FROM t"
        );
        assert_eq!(
            named("SELECT regexp_replace(c, 'a', 'b'), CAST(n AS BIGINT), -1, 1e-5 FROM t"),
            "SELECT regexp_replace(c, 'a', 'b') AS `regexp_replace(c, a, b, 1)`, \
             CAST(n AS BIGINT) AS `n`, -1 AS `-1`, \
             spark_typed_literal('1e-5', 'DOUBLE') AS `1.0E-5` FROM t"
        );
    }

    #[test]
    fn aliases_windows_and_taken_names_are_kept() {
        assert_eq!(
            named("SELECT c AS k, row_number() OVER (ORDER BY n), count(*), COUNT(1) FROM t"),
            "SELECT c AS k, row_number() OVER (ORDER BY n), count(*) AS `count(1)`, COUNT(1) FROM t"
        );
    }
}
