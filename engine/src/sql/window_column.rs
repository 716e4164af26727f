//! Spark's `window` and `session_window` columns. Under `GROUP BY window(ts, ...)` Spark's
//! TimeWindowing rule makes the window an attribute named `window` (`session_window` for
//! `session_window(...)`), so the SELECT list and HAVING can name it: `SELECT window, count(*)`,
//! `window.start`, `window.end`. DataFusion knows only the call, so each such name is replaced by
//! the GROUP BY's call (`window.start` by the call's field `start`), keeping Spark's output names
//! (`window`, `start`, `end`).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, AccessExpr, Expr, GroupByExpr, Ident, Query, SelectItem, SetExpr,
    VisitMut, VisitorMut,
};

/// Replaces the window column names of every SELECT grouped by a window call in `stmt`.
pub fn resolve_window_columns<V: VisitMut>(stmt: &mut V) {
    let _ = stmt.visit(&mut Resolver);
}

struct Resolver;

impl VisitorMut for Resolver {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let SetExpr::Select(select) = query.body.as_mut() else {
            return ControlFlow::Continue(());
        };
        let GroupByExpr::Expressions(groups, _) = &select.group_by else {
            return ControlFlow::Continue(());
        };
        let Some((name, call)) = groups.iter().find_map(window_call) else {
            return ControlFlow::Continue(());
        };
        for item in select.projection.iter_mut() {
            let replaced = match item {
                SelectItem::UnnamedExpr(e) => named(e, &name, &call),
                _ => None,
            };
            match (replaced, item) {
                (Some(r), item) => *item = r,
                (None, SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) => {
                    replace_in(e, &name, &call)
                }
                _ => {}
            }
        }
        if let Some(h) = select.having.as_mut() {
            replace_in(h, &name, &call);
        }
        ControlFlow::Continue(())
    }
}

/// `window(...)` or `session_window(...)` in a GROUP BY: the column name it gives and the call.
fn window_call(e: &Expr) -> Option<(String, Expr)> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    matches!(name.as_str(), "window" | "session_window").then(|| (name, e.clone()))
}

/// A whole select item naming the window (`window`, `window.start`), with Spark's output name.
fn named(e: &Expr, name: &str, call: &Expr) -> Option<SelectItem> {
    let (expr, alias) = match e {
        Expr::Identifier(id) if id.value.eq_ignore_ascii_case(name) => {
            (call.clone(), Ident::new(name))
        }
        Expr::CompoundIdentifier(parts) if is_field_of(parts, name) => {
            (field(call, &parts[1]), parts[1].clone())
        }
        _ => return None,
    };
    Some(SelectItem::ExprWithAlias { expr, alias })
}

fn is_field_of(parts: &[Ident], name: &str) -> bool {
    parts.len() == 2 && parts[0].value.eq_ignore_ascii_case(name)
}

/// `call.field`, which the Spark-semantics rewrite turns into `get_field`.
fn field(call: &Expr, f: &Ident) -> Expr {
    Expr::CompoundFieldAccess {
        root: Box::new(call.clone()),
        access_chain: vec![AccessExpr::Dot(Expr::Identifier(f.clone()))],
    }
}

/// Replaces the window's names anywhere inside `e`.
fn replace_in(e: &mut Expr, name: &str, call: &Expr) {
    let _ = visit_expressions_mut(e, |x: &mut Expr| {
        match x {
            Expr::Identifier(id) if id.value.eq_ignore_ascii_case(name) => *x = call.clone(),
            Expr::CompoundIdentifier(parts) if is_field_of(parts, name) => {
                *x = field(call, &parts[1])
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::dialect::SparkDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn resolved(sql: &str) -> String {
        let mut stmts = Parser::parse_sql(&SparkDialect, sql).unwrap();
        resolve_window_columns(&mut stmts);
        stmts[0].to_string()
    }

    #[test]
    fn window_names_become_the_group_by_call() {
        assert_eq!(
            resolved("SELECT window, window.start, count(*) AS n FROM t GROUP BY window(ts, '10 seconds') HAVING window.end > x"),
            "SELECT window(ts, '10 seconds') AS window, window(ts, '10 seconds').start AS start, count(*) AS n FROM t GROUP BY window(ts, '10 seconds') HAVING window(ts, '10 seconds').end > x"
        );
        assert_eq!(
            resolved("SELECT id, date_format(session_window.end, 'HH') AS h FROM t GROUP BY id, session_window(ts, '5 minutes')"),
            "SELECT id, date_format(session_window(ts, '5 minutes').end, 'HH') AS h FROM t GROUP BY id, session_window(ts, '5 minutes')"
        );
        // Without a window in the GROUP BY, `window` stays an ordinary name.
        assert_eq!(
            resolved("SELECT window FROM t GROUP BY window"),
            "SELECT window FROM t GROUP BY window"
        );
    }
}
