//! Rewrites of parsed Spark SQL so DataFusion computes Spark's answers.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;
use super::functions::spark_cast::{self, CastMode};
use super::functions::timestamp_units;
use datafusion::sql::sqlparser::ast::{
    self, visit_expressions_mut, AccessExpr, BinaryOperator, CastKind, Expr, FunctionArg,
    FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName, SelectItem,
    SetExpr, TimezoneInfo, VisitMut, VisitorMut,
};

/// Applies Spark's semantics to a parsed statement.
///
/// * `CAST`, `TRY_CAST`, `x::T` and the function forms `int(x)`, `string(x)`, ... to a type spate's
///   schema parser knows become `spark_cast(x, 'T', mode)` (Spark's conversion rules; the mode is
///   `ansi`, `legacy` with `spark.sql.ansi.enabled=false`, or `try`).
/// * Other casts: with ANSI off a failing `CAST` gives NULL (DataFusion's `TRY_CAST`), and Spark's
///   `TIMESTAMP` is a timestamp with the session time zone.
/// * `year(x)`, `hour(x)`, ... are `date_part` of `x` cast like Spark (strings parsed, the session zone).
/// * `rank()`, `dense_rank()`, `row_number()`, `ntile()` are INT, as in Spark.
pub fn apply_spark_semantics<V: VisitMut>(stmt: &mut V, ansi: bool) {
    let legacy_or_ansi = if ansi {
        CastMode::Ansi
    } else {
        CastMode::Legacy
    };
    let _ = visit_expressions_mut(stmt, |e: &mut Expr| {
        if let Some(replacement) = spark_cast_call(e, legacy_or_ansi) {
            *e = replacement;
        }
        if let Expr::Cast {
            kind, data_type, ..
        } = e
        {
            if !ansi && matches!(kind, CastKind::Cast | CastKind::DoubleColon) {
                *kind = CastKind::TryCast;
            }
            if let ast::DataType::Timestamp(p, tz @ TimezoneInfo::None) = data_type {
                let _ = p;
                *tz = TimezoneInfo::WithTimeZone;
            }
        }
        if let Some(replacement) = timestamp_literal(e) {
            *e = replacement;
        }
        if let Some(replacement) = spark_date_part(e, legacy_or_ansi) {
            *e = replacement;
        }
        if let Some(replacement) = int_ranking(e) {
            *e = replacement;
        }
        if let Some(replacement) = zero_based_subscripts(e) {
            *e = replacement;
        }
        if let Some(replacement) = expression_field_access(e) {
            *e = replacement;
        }
        if let Some(replacement) = spark_function_forms(e, legacy_or_ansi) {
            *e = replacement;
        }
        super::function_forms::spark_aggregate_form(e);
        if let Some(replacement) = super::function_forms::spark_function_form(e, legacy_or_ansi) {
            *e = replacement;
        }
        if let Some(replacement) = spark_division(e, ansi) {
            *e = replacement;
        }
        if let Expr::Collate { expr, collation } = e {
            // `x COLLATE name` is Spark's `collate(x, 'name')`; DataFusion has no COLLATE.
            let name = collation
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map_or_else(|| collation.to_string(), |i| i.value.clone());
            let x = std::mem::replace(expr, Box::new(Expr::value(ast::Value::Null)));
            *e = call(super::functions::collate::NAME, vec![*x, string_lit(&name)]);
        }
        if let Expr::RLike {
            negated,
            expr,
            pattern,
            ..
        } = e
        {
            let op = if *negated {
                BinaryOperator::PGRegexNotMatch
            } else {
                BinaryOperator::PGRegexMatch
            };
            let left = std::mem::replace(expr, Box::new(Expr::value(ast::Value::Null)));
            let right = std::mem::replace(pattern, Box::new(Expr::value(ast::Value::Null)));
            *e = Expr::Nested(Box::new(Expr::BinaryOp { left, op, right }));
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Calls `f` on the SELECT list of every SELECT in `stmt`, subqueries and set operations
/// included.
pub(super) fn for_each_projection<V: VisitMut>(stmt: &mut V, f: fn(&mut Vec<SelectItem>)) {
    struct Projections(fn(&mut Vec<SelectItem>));

    impl VisitorMut for Projections {
        type Break = ();

        fn pre_visit_query(&mut self, query: &mut ast::Query) -> ControlFlow<()> {
            each_select(&mut query.body, self.0);
            ControlFlow::Continue(())
        }
    }

    fn each_select(body: &mut SetExpr, f: fn(&mut Vec<SelectItem>)) {
        match body {
            SetExpr::Select(select) => f(&mut select.projection),
            SetExpr::SetOperation { left, right, .. } => {
                each_select(left, f);
                each_select(right, f);
            }
            _ => {}
        }
    }

    let _ = stmt.visit(&mut Projections(f));
}

/// `name(args...)` as an AST node.
pub(super) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(ast::Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        null_treatment: None,
        filter: None,
        over: None,
        parameters: FunctionArguments::None,
        within_group: vec![],
    })
}

/// `'s'` as an AST node.
pub(super) fn string_lit(s: &str) -> Expr {
    Expr::value(ast::Value::SingleQuotedString(s.to_string()))
}

/// `spark_cast(x, 'T', 'mode')`.
pub(super) fn spark_cast_expr(x: Expr, spark_type: &str, mode: CastMode) -> Expr {
    call(
        spark_cast::NAME,
        vec![x, string_lit(spark_type), string_lit(mode.as_str())],
    )
}

/// The single plain argument of a function call, taken out of it.
fn take_single_arg(f: &mut ast::Function) -> Option<Expr> {
    if f.over.is_some() || f.filter.is_some() {
        return None;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return None;
    };
    if list.args.len() != 1 || list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    match list.args.pop() {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) => Some(arg),
        Some(other) => {
            list.args.push(other);
            None
        }
        None => None,
    }
}

/// Spark's casts (`CAST`, `TRY_CAST`, `::`, `int(x)`, ...) as `spark_cast` calls, for target types
/// spate's schema parser knows.
fn spark_cast_call(e: &mut Expr, legacy_or_ansi: CastMode) -> Option<Expr> {
    match e {
        Expr::Cast {
            kind,
            expr,
            data_type,
            format: None,
            ..
        } => {
            let text = data_type.to_string();
            spark_cast::target_type(&text)?;
            let mode = match kind {
                CastKind::TryCast | CastKind::SafeCast => CastMode::Try,
                CastKind::Cast | CastKind::DoubleColon => legacy_or_ansi,
            };
            let x = std::mem::replace(expr.as_mut(), Expr::value(ast::Value::Null));
            Some(spark_cast_expr(x, &text, mode))
        }
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            let spark_type = match name.as_str() {
                "int" => "INT",
                "bigint" => "BIGINT",
                "smallint" => "SMALLINT",
                "tinyint" => "TINYINT",
                "double" => "DOUBLE",
                "float" => "FLOAT",
                "string" => "STRING",
                "boolean" => "BOOLEAN",
                "binary" => "BINARY",
                "decimal" => "DECIMAL",
                _ => return None,
            };
            let x = take_single_arg(f)?;
            Some(spark_cast_expr(x, spark_type, legacy_or_ansi))
        }
        _ => None,
    }
}

/// Spark's `/` (DOUBLE or DECIMAL, never integer division) and `div` as UDFs; with ANSI off a
/// zero divisor of `%` gives NULL, as in Spark.
fn spark_division(e: &mut Expr, ansi: bool) -> Option<Expr> {
    let Expr::BinaryOp { left, op, right } = e else {
        return None;
    };
    let name = match op {
        BinaryOperator::Divide => super::functions::divide::DIVIDE,
        BinaryOperator::MyIntegerDivide => super::functions::divide::INT_DIVIDE,
        BinaryOperator::Modulo if !ansi => {
            // CASE keeps `l % r`'s type, where NULLIF(r, 0) would widen r to the literal's BIGINT.
            let zero = Expr::BinaryOp {
                left: right.clone(),
                op: BinaryOperator::Eq,
                right: Box::new(Expr::value(ast::Value::Number("0".into(), false))),
            };
            let modulo = std::mem::replace(e, Expr::value(ast::Value::Null));
            return Some(Expr::Case {
                case_token: ast::helpers::attached_token::AttachedToken::empty(),
                end_token: ast::helpers::attached_token::AttachedToken::empty(),
                operand: None,
                conditions: vec![ast::CaseWhen {
                    condition: zero,
                    result: Expr::value(ast::Value::Null),
                }],
                else_result: Some(Box::new(modulo)),
            });
        }
        _ => return None,
    };
    let l = std::mem::replace(left.as_mut(), Expr::value(ast::Value::Null));
    let r = std::mem::replace(right.as_mut(), Expr::value(ast::Value::Null));
    Some(call(name, vec![l, r]))
}

/// `TIMESTAMP '...'` is Spark's TIMESTAMP (an instant, zone-less text in the session zone), not
/// DataFusion's zone-less timestamp; a malformed literal is an error in Spark whatever the mode.
fn timestamp_literal(e: &Expr) -> Option<Expr> {
    let Expr::TypedString(ts) = e else {
        return None;
    };
    if !matches!(
        ts.data_type,
        ast::DataType::Timestamp(None, TimezoneInfo::None)
    ) {
        return None;
    }
    let text = match &ts.value.value {
        ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s,
        _ => return None,
    };
    Some(spark_cast_expr(
        string_lit(text),
        "TIMESTAMP",
        CastMode::Ansi,
    ))
}

/// Spark's `year(x)`, `month(x)`, ... (INT results, in the session zone, strings cast like Spark)
/// as DataFusion's `date_part`.
fn spark_date_part(e: &mut Expr, mode: CastMode) -> Option<Expr> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    let (part, of_time) = match name.as_str() {
        "year" => ("year", false),
        "quarter" => ("quarter", false),
        "month" => ("month", false),
        "day" | "dayofmonth" => ("day", false),
        "dayofyear" => ("doy", false),
        // datafusion-spark's date_part follows Spark: 1 = Sunday ... 7 = Saturday.
        "dayofweek" => ("dow", false),
        "weekofyear" => ("week", false),
        "hour" => ("hour", true),
        "minute" => ("minute", true),
        _ => return None,
    };
    let arg = take_single_arg(f)?;
    let value = if of_time {
        // The instant Spark would cast to, labelled with the session zone so the fields are local.
        Expr::Cast {
            kind: CastKind::Cast,
            expr: Box::new(spark_cast_expr(arg, "TIMESTAMP", mode)),
            data_type: ast::DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
            array: false,
            format: None,
        }
    } else {
        spark_cast_expr(arg, "DATE", mode)
    };
    Some(Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(call("date_part", vec![string_lit(part), value])),
        data_type: ast::DataType::Int(None),
        array: false,
        format: None,
    })
}

/// The arguments of a plain call (no OVER/FILTER/DISTINCT), taken out of it.
pub(super) fn take_args(f: &mut ast::Function) -> Option<Vec<Expr>> {
    if f.over.is_some() || f.filter.is_some() {
        return None;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return None;
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    if !list
        .args
        .iter()
        .all(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))))
    {
        return None;
    }
    Some(
        std::mem::take(&mut list.args)
            .into_iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
    )
}

fn literal_string(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// Spark's `date_trunc` unit names, as DataFusion's.
fn trunc_unit(unit: &str) -> Option<&'static str> {
    Some(match unit.to_ascii_uppercase().as_str() {
        "MICROSECOND" => "microsecond",
        "MILLISECOND" => "millisecond",
        "SECOND" => "second",
        "MINUTE" => "minute",
        "HOUR" => "hour",
        "DAY" | "DD" => "day",
        "WEEK" => "week",
        "MON" | "MONTH" | "MM" => "month",
        "QUARTER" => "quarter",
        "YEAR" | "YYYY" | "YY" => "year",
        _ => return None,
    })
}

fn session_timestamp(x: Expr, mode: CastMode) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(spark_cast_expr(x, "TIMESTAMP", mode)),
        data_type: ast::DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
        array: false,
        format: None,
    }
}

/// Spark functions whose arguments or spelling differ from DataFusion's:
/// `date_trunc(unit, x)` (Spark's unit names, truncation in the session zone, NULL for an unknown
/// unit, strings cast like Spark), `add_months(d, n)` (an INT count), `sort_array(a[, asc])`.
fn spark_function_forms(e: &mut Expr, mode: CastMode) -> Option<Expr> {
    if let Expr::Substring {
        expr,
        substring_from,
        substring_for,
        ..
    } = e
    {
        // DataFusion plans SUBSTRING/SUBSTR syntax with its own `substr`; Spark's is `substring`.
        let mut args = vec![std::mem::replace(
            expr.as_mut(),
            Expr::value(ast::Value::Null),
        )];
        args.push(substring_from.take().map_or_else(
            || Expr::value(ast::Value::Number("1".into(), false)),
            |b| *b,
        ));
        if let Some(len) = substring_for.take() {
            args.push(*len);
        }
        return Some(call("substring", args));
    }
    if let Expr::Struct { values, fields } = e {
        if fields.is_empty() && !values.is_empty() {
            return Some(spark_struct(std::mem::take(values)));
        }
    }
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    match name.as_str() {
        "date_trunc" => {
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let [FunctionArg::Unnamed(FunctionArgExpr::Expr(unit)), _] = list.args.as_slice()
            else {
                return None;
            };
            let unit = match unit {
                Expr::Value(v) if v.value == ast::Value::Null => String::new(),
                other => literal_string(other)?.to_string(),
            };
            let mut args = take_args(f)?;
            let x = args.pop()?;
            let truncated = match trunc_unit(&unit) {
                Some(u) => call(
                    "date_trunc",
                    vec![string_lit(u), session_timestamp(x, mode)],
                ),
                None => Expr::value(ast::Value::Null),
            };
            Some(spark_cast_expr(truncated, "TIMESTAMP", CastMode::Ansi))
        }
        // Spark's unit forms: timestampadd(DAY, n, ts), timestampdiff(HOUR, start, end).
        "timestampadd" | "dateadd" | "date_add" | "timestampdiff" | "datediff" | "date_diff"
            if unnamed_arg_count(f) == Some(3) =>
        {
            let mut args = take_args(f)?;
            let unit = match args.remove(0) {
                Expr::Identifier(id) => id.value,
                // Spark wants the unit unquoted; a string fails its unit check.
                other => format!("{other}"),
            };
            let last = spark_cast_expr(args.pop()?, "TIMESTAMP", mode);
            let middle = args.pop()?;
            let adding = matches!(name.as_str(), "timestampadd" | "dateadd" | "date_add");
            let (function, middle) = if adding {
                (timestamp_units::ADD, spark_cast_expr(middle, "INT", mode))
            } else {
                (
                    timestamp_units::DIFF,
                    spark_cast_expr(middle, "TIMESTAMP", mode),
                )
            };
            Some(call(function, vec![string_lit(&unit), middle, last]))
        }
        "add_months" | "date_add" | "date_sub" if unnamed_arg_count(f) == Some(2) => {
            let mut args = take_args(f)?;
            if args.len() != 2 {
                return None;
            }
            let n = args.pop()?;
            let d = args.pop()?;
            Some(call(
                &name,
                vec![
                    spark_cast_expr(d, "DATE", mode),
                    spark_cast_expr(n, "INT", mode),
                ],
            ))
        }
        "sort_array" => {
            let mut args = take_args(f)?;
            let ascending = match args.get(1) {
                None => true,
                Some(Expr::Value(v)) => match v.value {
                    ast::Value::Boolean(b) => b,
                    _ => return None,
                },
                Some(_) => return None,
            };
            args.truncate(1);
            let a = args.pop()?;
            let (order, nulls) = if ascending {
                ("ASC", "NULLS FIRST")
            } else {
                ("DESC", "NULLS LAST")
            };
            Some(call(
                "array_sort",
                vec![a, string_lit(order), string_lit(nulls)],
            ))
        }
        // Spark casts the leading date arguments of these to the DATE or TIMESTAMP they take.
        "last_day" | "next_day" | "weekday" | "second" | "from_utc_timestamp"
        | "to_utc_timestamp" | "months_between" => {
            let (target, leading, arities) = match name.as_str() {
                "last_day" | "next_day" | "weekday" => ("DATE", 1, 1..=2),
                "months_between" => ("TIMESTAMP", 2, 2..=3),
                _ => ("TIMESTAMP", 1, 1..=2),
            };
            if !arities.contains(&unnamed_arg_count(f)?) {
                return None;
            }
            let args = take_args(f)?
                .into_iter()
                .enumerate()
                .map(|(i, a)| {
                    if i < leading {
                        spark_cast_expr(a, target, mode)
                    } else {
                        a
                    }
                })
                .collect();
            Some(call(&name, args))
        }
        // Spark's two-argument `replace(s, search)` removes `search`.
        "replace" if unnamed_arg_count(f) == Some(2) => {
            let mut args = take_args(f)?;
            args.push(string_lit(""));
            Some(call("replace", args))
        }
        _ => None,
    }
}

/// Spark's `struct(a, b, ...)` as `named_struct`: Spark names the fields after the column
/// arguments (`colN` for the others), where DataFusion's `struct` names them c0, c1, ...
fn spark_struct(values: Vec<Expr>) -> Expr {
    let mut named = Vec::with_capacity(values.len() * 2);
    for (i, v) in values.into_iter().enumerate() {
        let (name, v) = match v {
            Expr::Named { expr, name } => (name.value, *expr),
            other => (
                column_name(&other).map_or_else(|| format!("col{}", i + 1), str::to_string),
                other,
            ),
        };
        named.push(string_lit(&name));
        named.push(v);
    }
    call("named_struct", named)
}

/// The column an argument names (`c`, or `t.c`'s `c`), which Spark uses to name what it
/// derives from it (struct and `arrays_zip` fields).
pub(super) fn column_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Identifier(id) => Some(&id.value),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.as_str()),
        _ => None,
    }
}

/// The number of arguments of a plain call `f(a, b, ...)` (no DISTINCT, clauses, FILTER or
/// OVER, no named arguments).
pub(super) fn unnamed_arg_count(f: &ast::Function) -> Option<usize> {
    if f.over.is_some() || f.filter.is_some() {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let plain = list.duplicate_treatment.is_none()
        && list.clauses.is_empty()
        && list
            .args
            .iter()
            .all(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_))));
    plain.then_some(list.args.len())
}

/// Spark's `a[i]` is 0-based (DataFusion's is 1-based): subscripts other than string literals
/// (`m['key']`, `s['field']` stay DataFusion's) become `spark_get_item(a, i)`.
fn zero_based_subscripts(e: &mut Expr) -> Option<Expr> {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return None;
    };
    let is_rewritten = |a: &AccessExpr| {
        matches!(a, AccessExpr::Subscript(ast::Subscript::Index { index })
            if !matches!(index, Expr::Value(v) if matches!(v.value, ast::Value::SingleQuotedString(_) | ast::Value::DoubleQuotedString(_))))
    };
    if !access_chain.iter().any(is_rewritten) {
        return None;
    }
    let mut current = std::mem::replace(root.as_mut(), Expr::value(ast::Value::Null));
    let mut pending: Vec<AccessExpr> = Vec::new();
    let mut rewritten_any = false;
    for access in std::mem::take(access_chain) {
        if is_rewritten(&access) {
            if !pending.is_empty() {
                current = Expr::CompoundFieldAccess {
                    root: Box::new(current),
                    access_chain: std::mem::take(&mut pending),
                };
            }
            let AccessExpr::Subscript(ast::Subscript::Index { index }) = access else {
                continue;
            };
            current = call(
                super::functions::collections::GET_ITEM,
                vec![current, index],
            );
            rewritten_any = true;
        } else if let (true, true, AccessExpr::Dot(Expr::Identifier(id))) =
            (rewritten_any, pending.is_empty(), &access)
        {
            // `a[i].x`: a field of the element, which DataFusion only plans as get_field.
            current = call("get_field", vec![current, string_lit(&id.value)]);
        } else {
            pending.push(access);
        }
    }
    if !pending.is_empty() {
        current = Expr::CompoundFieldAccess {
            root: Box::new(current),
            access_chain: pending,
        };
    }
    Some(current)
}

/// `f(x).a.b`: fields of a struct-valued expression, which DataFusion's SQL planner only
/// resolves on column names, become `get_field(get_field(f(x), 'a'), 'b')`.
fn expression_field_access(e: &mut Expr) -> Option<Expr> {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return None;
    };
    let is_name = matches!(
        root.as_ref(),
        Expr::Identifier(_) | Expr::CompoundIdentifier(_)
    );
    if is_name
        || !matches!(
            access_chain.first(),
            Some(AccessExpr::Dot(Expr::Identifier(_)))
        )
    {
        return None;
    }
    let mut current = std::mem::replace(root.as_mut(), Expr::value(ast::Value::Null));
    let mut rest = std::mem::take(access_chain).into_iter().peekable();
    while let Some(AccessExpr::Dot(Expr::Identifier(id))) = rest.peek() {
        current = call("get_field", vec![current, string_lit(&id.value)]);
        rest.next();
    }
    let rest: Vec<AccessExpr> = rest.collect();
    if rest.is_empty() {
        Some(current)
    } else {
        Some(Expr::CompoundFieldAccess {
            root: Box::new(current),
            access_chain: rest,
        })
    }
}

/// `rank()`, `dense_rank()`, `row_number()`, `ntile(n)` over a window are INT in Spark.
fn int_ranking(e: &mut Expr) -> Option<Expr> {
    let Expr::Function(f) = e else { return None };
    f.over.as_ref()?;
    let name = f.name.to_string().to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "rank" | "dense_rank" | "row_number" | "ntile"
    ) {
        return None;
    }
    let inner = std::mem::replace(e, Expr::value(ast::Value::Null));
    Some(Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(inner),
        data_type: ast::DataType::Int(None),
        array: false,
        format: None,
    })
}

/// Replaces `current_timestamp()`, `now()`, `current_date()` and `localtimestamp()` by the batch's
/// timestamp, so they are constant within a batch and identical when the batch is re-run (spec §0 step 6).
pub fn pin_current_time<V: VisitMut>(stmt: &mut V, batch_timestamp_ms: i64, tz: &chrono_tz::Tz) {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(batch_timestamp_ms) else {
        return;
    };
    let local = utc.with_timezone(tz);
    let _ = visit_expressions_mut(stmt, |e: &mut Expr| {
        if let Expr::Function(f) = e {
            let name = f.name.to_string().to_ascii_lowercase();
            let replacement = match name.as_str() {
                "current_timestamp" | "now" => Some(format!(
                    "CAST('{}' AS TIMESTAMP WITH TIME ZONE)",
                    utc.format("%Y-%m-%dT%H:%M:%S%.6fZ")
                )),
                "current_date" | "curdate" => {
                    Some(format!("CAST('{}' AS DATE)", local.format("%Y-%m-%d")))
                }
                "localtimestamp" => Some(format!(
                    "CAST('{}' AS TIMESTAMP)",
                    local.format("%Y-%m-%d %H:%M:%S%.6f")
                )),
                _ => None,
            };
            if let Some(sql) = replacement {
                let parsed = Parser::new(&SparkDialect)
                    .try_with_sql(&sql)
                    .and_then(|mut p| p.parse_expr());
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
    fn casts_become_spark_cast() {
        assert_eq!(
            rewrite("SELECT CAST(a AS INT) FROM t", false),
            "SELECT spark_cast(a, 'INT', 'legacy') FROM t"
        );
        assert_eq!(
            rewrite("SELECT CAST(a AS INT) FROM t", true),
            "SELECT spark_cast(a, 'INT', 'ansi') FROM t"
        );
        assert_eq!(
            rewrite("SELECT TRY_CAST(a AS DECIMAL(10,2)) FROM t", true),
            "SELECT spark_cast(a, 'DECIMAL(10,2)', 'try') FROM t"
        );
        assert_eq!(
            rewrite("SELECT a::BIGINT, int(b) FROM t", true),
            "SELECT spark_cast(a, 'BIGINT', 'ansi'), spark_cast(b, 'INT', 'ansi') FROM t"
        );
        assert_eq!(
            rewrite("SELECT CAST(CAST(a AS STRING) AS INT) FROM t", true),
            "SELECT spark_cast(spark_cast(a, 'STRING', 'ansi'), 'INT', 'ansi') FROM t"
        );
        // Types spate's schema parser does not know keep DataFusion's CAST (TRY_CAST without ANSI).
        assert_eq!(
            rewrite("SELECT CAST(a AS VARCHAR(3)) FROM t", false),
            "SELECT TRY_CAST(a AS VARCHAR(3)) FROM t"
        );
    }

    #[test]
    fn subscripts_are_zero_based() {
        assert_eq!(
            rewrite("SELECT a[0], m['k'], split(s, ',')[1] FROM t", true),
            "SELECT spark_get_item(a, 0), m['k'], spark_get_item(split(s, ','), 1) FROM t"
        );
    }

    #[test]
    fn fields_of_expressions() {
        assert_eq!(
            rewrite("SELECT from_json(j, 'a INT').a, s.x, t.s.x FROM t", true),
            "SELECT get_field(from_json(j, 'a INT'), 'a'), s.x, t.s.x FROM t"
        );
        assert_eq!(
            rewrite("SELECT named_struct('a', named_struct('b', 1)).a.b", true),
            "SELECT get_field(get_field(named_struct('a', named_struct('b', 1)), 'a'), 'b')"
        );
    }

    #[test]
    fn ranking_is_int() {
        assert_eq!(
            rewrite("SELECT rank() OVER (ORDER BY a) FROM t", true),
            "SELECT CAST(rank() OVER (ORDER BY a) AS INT) FROM t"
        );
    }

    #[test]
    fn current_time_is_the_batch_timestamp() {
        let mut stmts = Parser::parse_sql(
            &SparkDialect,
            "SELECT current_timestamp(), now(), current_date, x FROM t",
        )
        .unwrap();
        pin_current_time(&mut stmts, 1714564800123, &chrono_tz::Tz::UTC);
        assert_eq!(
            stmts[0].to_string(),
            "SELECT CAST('2024-05-01T12:00:00.123000Z' AS TIMESTAMP WITH TIME ZONE), \
             CAST('2024-05-01T12:00:00.123000Z' AS TIMESTAMP WITH TIME ZONE), CAST('2024-05-01' AS DATE), x FROM t"
        );
    }

    #[test]
    fn spark_date_parts() {
        assert_eq!(
            rewrite("SELECT year(ts) FROM t", true),
            "SELECT CAST(date_part('year', spark_cast(ts, 'DATE', 'ansi')) AS INT) FROM t"
        );
        assert_eq!(
            rewrite("SELECT dayofweek(ts) FROM t", false),
            "SELECT CAST(date_part('dow', spark_cast(ts, 'DATE', 'legacy')) AS INT) FROM t"
        );
        assert_eq!(
            rewrite("SELECT hour(ts) FROM t", true),
            "SELECT CAST(date_part('hour', CAST(spark_cast(ts, 'TIMESTAMP', 'ansi') AS TIMESTAMP WITH TIME ZONE)) AS INT) FROM t"
        );
    }

    #[test]
    fn rlike_becomes_regex_match() {
        assert_eq!(
            rewrite("SELECT a RLIKE '^x' FROM t", true),
            "SELECT (a ~ '^x') FROM t"
        );
        assert_eq!(
            rewrite("SELECT a NOT RLIKE '^x' FROM t", true),
            "SELECT (a !~ '^x') FROM t"
        );
    }

    #[test]
    fn timestamp_is_ltz() {
        assert_eq!(
            rewrite("SELECT CAST(a AS TIMESTAMP) FROM t", true),
            "SELECT spark_cast(a, 'TIMESTAMP', 'ansi') FROM t"
        );
        assert_eq!(
            rewrite("SELECT CAST(a AS TIMESTAMP(3)) FROM t", true),
            "SELECT CAST(a AS TIMESTAMP(3) WITH TIME ZONE) FROM t"
        );
    }

    #[test]
    fn backslash_escapes_like_spark() {
        let stmts = Parser::parse_sql(&SparkDialect, r"SELECT '\\d+'").unwrap();
        assert!(stmts[0].to_string().contains(r"\d+") || stmts[0].to_string().contains(r"\\d+"));
    }
}
