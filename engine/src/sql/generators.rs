//! Spark's generators in a SELECT list: `explode`, `explode_outer`, `posexplode`,
//! `posexplode_outer` of an ARRAY or a MAP, as DataFusion `unnest`s.
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `explode*`):
//! - an ARRAY gives one column (`col` unless aliased), a MAP two (`key`, `value`); `pos*` adds
//!   a 0-based INT `pos` first;
//! - a NULL or empty collection gives no row, or with `_outer` one row of NULLs.
//!
//! Whether the argument is an ARRAY or a MAP decides the columns, so each SELECT holding a
//! generator is first planned with the generator's argument in its place to learn its type.
//! Several `unnest`s in one SELECT are zipped by DataFusion, which is what puts `pos`, `key` and
//! `value` side by side.

use std::ops::ControlFlow;

use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Query,
    SelectItem, SetExpr, Statement, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;

/// Alias of the probe column that stands in for a generator while its argument's type is found.
const PROBE_ALIAS: &str = "__spate_generator_arg";
/// Placeholder for the generator's argument in the templates below.
const ARG: &str = "__spate_arg";
/// Most generators rewritten in one statement (each costs one extra planning).
const MAX_GENERATORS: usize = 64;

/// A generator call in a select item: (function name, argument, alias).
fn generator(item: &SelectItem) -> Option<(String, Expr, Option<Ident>)> {
    let (expr, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
        _ => return None,
    };
    let Expr::Function(f) = expr else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "explode" | "explode_outer" | "posexplode" | "posexplode_outer"
    ) || f.over.is_some()
    {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => Some((name, arg.clone(), alias)),
        _ => None,
    }
}

/// Finds the first (innermost-first) query with a generator item; `replace` rewrites it.
struct Finder {
    /// The query and the item's index, once found.
    found: Option<(Query, usize)>,
    /// The items to put in place of the generator item of the first match.
    replace: Option<Vec<SelectItem>>,
}

impl VisitorMut for Finder {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let SetExpr::Select(select) = query.body.as_mut() else {
            return ControlFlow::Continue(());
        };
        let Some(index) = select
            .projection
            .iter()
            .position(|i| generator(i).is_some())
        else {
            return ControlFlow::Continue(());
        };
        match self.replace.take() {
            Some(items) => {
                select.projection.splice(index..=index, items);
            }
            None => self.found = Some((query.clone(), index)),
        }
        ControlFlow::Break(())
    }
}

/// Rewrites every generator item of `stmt` into `unnest`s (see the module doc).
pub async fn rewrite_generators(ctx: &SessionContext, stmt: &mut Statement) {
    for _ in 0..MAX_GENERATORS {
        let mut finder = Finder {
            found: None,
            replace: None,
        };
        let _ = stmt.visit(&mut finder);
        let Some((query, index)) = finder.found else {
            return;
        };
        let Some((name, arg, alias)) = select_item(&query, index).and_then(generator) else {
            return;
        };
        let is_map = matches!(
            argument_type(ctx, query, index, &arg).await,
            Some(DataType::Map(_, _))
        );
        let items = expansion(&name, &arg, alias, is_map);
        let mut apply = Finder {
            found: None,
            replace: Some(items),
        };
        let _ = stmt.visit(&mut apply);
    }
}

/// Item `index` of a plain SELECT query.
fn select_item(query: &Query, index: usize) -> Option<&SelectItem> {
    match query.body.as_ref() {
        SetExpr::Select(s) => s.projection.get(index),
        _ => None,
    }
}

/// The type of the generator's argument, planning `query` with the argument as item `index`.
async fn argument_type(
    ctx: &SessionContext,
    mut query: Query,
    index: usize,
    arg: &Expr,
) -> Option<DataType> {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    select.projection[index] = SelectItem::ExprWithAlias {
        expr: arg.clone(),
        alias: Ident::with_quote('`', PROBE_ALIAS),
    };
    let stmt = Statement::Query(Box::new(query));
    let plan = ctx
        .state()
        .statement_to_plan(DfStatement::Statement(Box::new(stmt)))
        .await
        .ok()?;
    let coercion = super::coercion::SparkCoercion::for_session(ctx, false);
    let plan = super::literal_types::spark_literal_types(plan, &coercion).ok()?;
    let field = plan
        .schema()
        .field_with_unqualified_name(PROBE_ALIAS)
        .ok()?;
    Some(field.data_type().clone())
}

/// The select items replacing generator `name` over `arg`.
fn expansion(name: &str, arg: &Expr, alias: Option<Ident>, is_map: bool) -> Vec<SelectItem> {
    let outer = name.ends_with("_outer");
    // `_outer`: a NULL or empty collection becomes a one-NULL array so unnest keeps a row.
    let collection = |of: &str| {
        if outer {
            format!("CASE WHEN cardinality({ARG}) > 0 THEN {of} ELSE make_array(NULL) END")
        } else {
            of.to_string()
        }
    };
    let mut items: Vec<(String, Ident)> = Vec::new();
    if name.starts_with("pos") {
        // An empty range when outer: zipped with the one-NULL array it gives pos NULL.
        items.push((
            format!("CAST(unnest(range(0, CAST(cardinality({ARG}) AS BIGINT))) AS INT)"),
            Ident::new("pos"),
        ));
    }
    if is_map {
        items.push((
            format!("unnest({})", collection(&format!("map_keys({ARG})"))),
            Ident::new("key"),
        ));
        items.push((
            format!("unnest({})", collection(&format!("map_values({ARG})"))),
            Ident::new("value"),
        ));
    } else {
        items.push((
            format!("unnest({})", collection(ARG)),
            alias.unwrap_or_else(|| Ident::new("col")),
        ));
    }
    items
        .into_iter()
        .filter_map(|(template, alias)| {
            let mut expr = Parser::new(&SparkDialect)
                .try_with_sql(&template)
                .and_then(|mut p| p.parse_expr())
                .ok()?;
            let _ = visit_expressions_mut(&mut expr, |e: &mut Expr| {
                if matches!(e, Expr::Identifier(id) if id.value == ARG) {
                    *e = arg.clone();
                }
                ControlFlow::<()>::Continue(())
            });
            Some(SelectItem::ExprWithAlias { expr, alias })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(name: &str, is_map: bool) -> String {
        let arg = Expr::Identifier(Ident::new("a"));
        expansion(name, &arg, None, is_map)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn expansions() {
        assert_eq!(items("explode", false), "unnest(a) AS col");
        assert_eq!(
            items("posexplode", true),
            "CAST(unnest(range(0, CAST(cardinality(a) AS BIGINT))) AS INT) AS pos, \
             unnest(map_keys(a)) AS key, unnest(map_values(a)) AS value"
        );
        assert_eq!(
            items("explode_outer", false),
            "unnest(CASE WHEN cardinality(a) > 0 THEN a ELSE make_array(NULL) END) AS col"
        );
    }
}
