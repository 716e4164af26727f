//! Spark functions that DataFusion lacks but that are another call in disguise: each becomes,
//! in the SQL before planning, the expression Spark defines it as.
//!
//! `zeroifnull(x)` is `coalesce(x, 0)`, `try_divide(a, b)` is `a / nullif(b, 0)`, `get(a, i)`
//! is `try_element_at(a, i + 1)` for `i >= 0`,
//! `timestamp_seconds(x)` is `CAST(x AS TIMESTAMP)`, and so on (see [`spark_function_form`]).
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `forms_*`).

use datafusion::sql::sqlparser::ast::{
    self, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments,
    NullTreatment, ObjectName, OrderByExpr, OrderByOptions,
};

use super::functions::spark_cast::CastMode;
use super::rewrite::{
    call, column_name, spark_cast_expr, string_lit, take_args, unnamed_arg_count,
};

/// `CASE WHEN cond THEN then ELSE otherwise END` from `[cond, then, otherwise]`: DataFusion's
/// `if` only runs once the optimizer has turned it into a CASE, which a streaming aggregation's
/// expressions never go through.
fn case_when(args: Vec<Expr>) -> Expr {
    let mut args = args.into_iter();
    let (condition, result, otherwise) = (
        args.next().unwrap_or(Expr::value(ast::Value::Null)),
        args.next().unwrap_or(Expr::value(ast::Value::Null)),
        args.next().unwrap_or(Expr::value(ast::Value::Null)),
    );
    Expr::Case {
        case_token: ast::helpers::attached_token::AttachedToken::empty(),
        end_token: ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![ast::CaseWhen { condition, result }],
        else_result: Some(Box::new(otherwise)),
    }
}

fn int_lit(n: i64) -> Expr {
    Expr::value(ast::Value::Number(n.to_string(), false))
}

/// `x` read as an epoch count of `unit` (`Millisecond`, `Microsecond`), as a Spark TIMESTAMP.
fn epoch_timestamp(x: Expr, unit: &str, mode: CastMode) -> Expr {
    let as_int = call("arrow_cast", vec![x, string_lit("Int64")]);
    let stamped = call(
        "arrow_cast",
        vec![
            as_int,
            string_lit(&format!("Timestamp({unit}, Some(\"UTC\"))")),
        ],
    );
    spark_cast_expr(stamped, "TIMESTAMP", mode)
}

/// The Spark definition of a call of one of these functions, or `None` to leave `e` alone.
pub(super) fn spark_function_form(e: &mut Expr, mode: CastMode) -> Option<Expr> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    if name == "arrays_zip" && unnamed_arg_count(f)? > 0 {
        // Spark names each field after its column argument, else its position.
        let args = take_args(f)?;
        let mut named: Vec<Expr> = args
            .iter()
            .enumerate()
            .map(|(i, a)| string_lit(&column_name(a).map_or_else(|| i.to_string(), str::to_string)))
            .collect();
        named.extend(args);
        return Some(call(super::functions::arrays_zip::NAME, named));
    }
    let arity = match (name.as_str(), unnamed_arg_count(f)?) {
        ("e", 0) => 0,
        (
            "zeroifnull"
            | "nullifzero"
            | "space"
            | "date_from_unix_date"
            | "unix_date"
            | "timestamp_seconds"
            | "timestamp_millis"
            | "timestamp_micros"
            | "array_size"
            | "factorial"
            | "rint",
            1,
        ) => 1,
        (
            "regexp_substr" | "map_contains_key" | "try_divide" | "array_prepend" | "get"
            | "forall",
            2,
        ) => 2,
        _ => return None,
    };
    let mut args = take_args(f)?;
    debug_assert_eq!(args.len(), arity);
    let b = args.pop();
    let a = args.pop();
    Some(match (name.as_str(), a, b) {
        ("e", _, _) => call("exp", vec![int_lit(1)]),
        ("zeroifnull", _, Some(x)) => call("coalesce", vec![x, int_lit(0)]),
        ("nullifzero", _, Some(x)) => call("nullif", vec![x, int_lit(0)]),
        ("space", _, Some(n)) => call("repeat", vec![string_lit(" "), n]),
        ("date_from_unix_date", _, Some(n)) => call(
            "date_add",
            vec![
                spark_cast_expr(string_lit("1970-01-01"), "DATE", mode),
                spark_cast_expr(n, "INT", mode),
            ],
        ),
        ("unix_date", _, Some(d)) => call(
            "datediff",
            vec![
                spark_cast_expr(d, "DATE", mode),
                spark_cast_expr(string_lit("1970-01-01"), "DATE", mode),
            ],
        ),
        // DataFusion's take exactly INT and DOUBLE; Spark casts to them.
        ("factorial", _, Some(x)) => call("factorial", vec![spark_cast_expr(x, "INT", mode)]),
        ("rint", _, Some(x)) => call("rint", vec![spark_cast_expr(x, "DOUBLE", mode)]),
        ("timestamp_seconds", _, Some(x)) => spark_cast_expr(x, "TIMESTAMP", mode),
        ("timestamp_millis", _, Some(x)) => epoch_timestamp(x, "Millisecond", mode),
        ("timestamp_micros", _, Some(x)) => epoch_timestamp(x, "Microsecond", mode),
        // NULL for a NULL array, whatever `size` gives it under the session's settings.
        ("array_size", _, Some(a)) => case_when(vec![
            Expr::IsNull(Box::new(a.clone())),
            spark_cast_expr(Expr::value(ast::Value::Null), "INT", mode),
            call("size", vec![a]),
        ]),
        // The first match, NULL when there is none (regexp_extract would give '').
        ("regexp_substr", Some(s), Some(p)) => call(
            "nullif",
            vec![
                call("regexp_extract", vec![s, p, int_lit(0)]),
                string_lit(""),
            ],
        ),
        ("map_contains_key", Some(m), Some(k)) => {
            call("array_contains", vec![call("map_keys", vec![m]), k])
        }
        // DataFusion's array_prepend takes the element first, and makes a NULL array [x].
        ("array_prepend", Some(a), Some(x)) => case_when(vec![
            Expr::IsNull(Box::new(a.clone())),
            Expr::value(ast::Value::Null),
            call("array_prepend", vec![x, a]),
        ]),
        // 0-based; NULL outside the array (element_at's indices start at 1).
        ("get", Some(a), Some(i)) => case_when(vec![
            Expr::BinaryOp {
                left: Box::new(i.clone()),
                op: ast::BinaryOperator::GtEq,
                right: Box::new(int_lit(0)),
            },
            call(
                "try_element_at",
                vec![
                    a,
                    Expr::BinaryOp {
                        left: Box::new(Expr::Nested(Box::new(i))),
                        op: ast::BinaryOperator::Plus,
                        right: Box::new(int_lit(1)),
                    },
                ],
            ),
            Expr::value(ast::Value::Null),
        ]),
        // Every element passes when none fails; DataFusion's array_any_match has Spark's
        // three-valued logic (NULL when no element fails but one is NULL).
        ("forall", Some(a), Some(Expr::Lambda(mut lambda))) => {
            let body = std::mem::replace(lambda.body.as_mut(), Expr::value(ast::Value::Null));
            *lambda.body = Expr::UnaryOp {
                op: ast::UnaryOperator::Not,
                expr: Box::new(Expr::Nested(Box::new(body))),
            };
            Expr::UnaryOp {
                op: ast::UnaryOperator::Not,
                expr: Box::new(call("array_any_match", vec![a, Expr::Lambda(lambda)])),
            }
        }
        ("try_divide", Some(x), Some(y)) => Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(x))),
            op: ast::BinaryOperator::Divide,
            right: Box::new(call("nullif", vec![y, int_lit(0)])),
        },
        // Not this form after all (`forall` without a lambda): the call as it was.
        (_, a, b) => call(&name, a.into_iter().chain(b).collect()),
    })
}

/// The plain (unnamed, expression) arguments of a call, without taking them.
fn plain_args(f: &ast::Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// Spark aggregates that are DataFusion ones with other arguments or options:
///
/// - `first(x[, ignoreNulls])`, `last(...)` and `any_value(...)` are `first_value`/`last_value`
///   (`IGNORE NULLS` when asked; Spark's default keeps NULLs, DataFusion's any_value does not);
/// - `count_if(p)` is `count(if(p, 1, NULL))`;
/// - `max_by(x, y)` / `min_by(x, y)` are `first_value(x ORDER BY y DESC|ASC) FILTER (WHERE y IS
///   NOT NULL)`;
/// - `percentile(x, p)` with one fraction is `percentile_cont(p) WITHIN GROUP (ORDER BY x)`.
///
/// The call keeps its `OVER` and `FILTER` clauses. `None` leaves other calls alone.
pub(super) fn spark_aggregate_form(e: &mut Expr) -> Option<()> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    let args = plain_args(f)?;
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    if !list.clauses.is_empty() {
        return None;
    }
    if list.duplicate_treatment.is_some() {
        return distinct_count_of_tuples(f, &name);
    }
    let rename =
        |f: &mut ast::Function, to: &str| f.name = ObjectName::from(vec![ast::Ident::new(to)]);
    let set_args =
        |f: &mut ast::Function, args: Vec<Expr>, clauses: Vec<FunctionArgumentClause>| {
            if let FunctionArguments::List(list) = &mut f.args {
                list.args = args
                    .into_iter()
                    .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                    .collect();
                list.clauses = clauses;
            }
        };
    match (name.as_str(), args.as_slice()) {
        ("first" | "last" | "any_value", [x, rest @ ..]) if rest.len() <= 1 => {
            let ignore_nulls = match rest.first() {
                None => false,
                Some(Expr::Value(v)) => match v.value {
                    ast::Value::Boolean(b) => b,
                    _ => return None,
                },
                Some(_) => return None,
            };
            let x = (*x).clone();
            rename(
                f,
                if name == "last" {
                    "last_value"
                } else {
                    "first_value"
                },
            );
            set_args(f, vec![x], vec![]);
            if ignore_nulls {
                f.null_treatment = Some(NullTreatment::IgnoreNulls);
            }
        }
        ("count_if", [p]) => {
            let p = (*p).clone();
            rename(f, "count");
            set_args(
                f,
                vec![case_when(vec![
                    p,
                    int_lit(1),
                    Expr::value(ast::Value::Null),
                ])],
                vec![],
            );
        }
        ("max_by" | "min_by", [x, y]) if f.over.is_none() && f.filter.is_none() => {
            let (x, y) = ((*x).clone(), (*y).clone());
            let order = OrderByExpr {
                expr: y.clone(),
                options: OrderByOptions {
                    asc: Some(name == "min_by"),
                    nulls_first: Some(false),
                },
                with_fill: None,
            };
            rename(f, "first_value");
            set_args(
                f,
                vec![x],
                vec![FunctionArgumentClause::OrderBy(vec![order])],
            );
            f.filter = Some(Box::new(Expr::IsNotNull(Box::new(y))));
        }
        ("percentile", [x, p]) if f.over.is_none() && matches!(p, Expr::Value(_)) => {
            let (x, p) = ((*x).clone(), (*p).clone());
            rename(f, "percentile_cont");
            set_args(f, vec![p], vec![]);
            f.within_group = vec![OrderByExpr {
                expr: x,
                options: OrderByOptions {
                    asc: None,
                    nulls_first: None,
                },
                with_fill: None,
            }];
        }
        _ => return None,
    }
    Some(())
}

/// `count(DISTINCT a, b, ...)`, which DataFusion lacks: the distinct tuples with no NULL member,
/// counted as `count(DISTINCT if(a IS NULL OR b IS NULL ..., NULL, struct(a, b, ...)))`.
fn distinct_count_of_tuples(f: &mut ast::Function, name: &str) -> Option<()> {
    if name != "count" || f.over.is_some() {
        return None;
    }
    let args: Vec<Expr> = plain_args(f)?.into_iter().cloned().collect();
    if args.len() < 2 {
        return None;
    }
    let any_null = args
        .iter()
        .map(|a| Expr::IsNull(Box::new(a.clone())))
        .reduce(|l, r| Expr::BinaryOp {
            left: Box::new(l),
            op: ast::BinaryOperator::Or,
            right: Box::new(r),
        })?;
    let mut fields = Vec::with_capacity(args.len() * 2);
    for (i, a) in args.into_iter().enumerate() {
        fields.push(string_lit(&format!("c{i}")));
        fields.push(a);
    }
    let tuple = case_when(vec![
        any_null,
        Expr::value(ast::Value::Null),
        call("named_struct", fields),
    ]);
    if let FunctionArguments::List(list) = &mut f.args {
        list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(tuple))];
    }
    Some(())
}
