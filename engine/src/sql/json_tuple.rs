//! Spark's `json_tuple(json, 'k1', ..., 'kn')` in a SELECT list: a generator of n STRING columns
//! (`c0`, `c1`, ... unless `AS (a, b, ...)` names them), each the top-level field's value as
//! `get_json_object` gives it. Each becomes `get_json_object(json, '$[''k'']')` before planning.
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `json_tuple*`).

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, SelectItem, Value, VisitMut,
};

use super::rewrite::{call, for_each_projection, string_lit};

/// Expands every `json_tuple` select item of `stmt` (subqueries included).
pub fn expand_json_tuples<V: VisitMut>(stmt: &mut V) {
    for_each_projection(stmt, |items| {
        *items = std::mem::take(items)
            .into_iter()
            .flat_map(expand_item)
            .collect();
    });
}

/// The json and key arguments of a `json_tuple(...)` call with literal keys.
fn json_tuple_args(e: &Expr) -> Option<(Expr, Vec<String>)> {
    let Expr::Function(f) = e else { return None };
    if !f.name.to_string().eq_ignore_ascii_case("json_tuple") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let mut args = list.args.iter().map(|a| match a {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    });
    let json = args.next()??.clone();
    let keys = args
        .map(|a| match a? {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    (!keys.is_empty()).then_some((json, keys))
}

fn expand_item(item: SelectItem) -> Vec<SelectItem> {
    let (expr, aliases) = match &item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(vec![alias.clone()])),
        SelectItem::ExprWithAliases { expr, aliases } => (expr, Some(aliases.clone())),
        _ => return vec![item],
    };
    let Some((json, keys)) = json_tuple_args(expr) else {
        return vec![item];
    };
    if aliases.as_ref().is_some_and(|a| a.len() != keys.len()) {
        // Spark's arity error is left to the planner (json_tuple is not a DataFusion function).
        return vec![item];
    }
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            let path = format!("$['{key}']");
            let alias = match &aliases {
                Some(a) => a[i].clone(),
                None => Ident::with_quote('`', format!("c{i}")),
            };
            SelectItem::ExprWithAlias {
                expr: call("get_json_object", vec![json.clone(), string_lit(&path)]),
                alias,
            }
        })
        .collect()
}
