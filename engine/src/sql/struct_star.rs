//! Spark's `s.*` on a STRUCT column: one column per field (`SELECT r.* FROM (SELECT
//! from_json(j, 'a INT, b STRING') AS r FROM t)` gives columns `a` and `b`).
//!
//! DataFusion reads `x.*` only as "every column of relation x". Whether `x` is a relation or a
//! column is known only after planning, so [`expand_struct_stars`] is tried when planning fails:
//! each one-part `x.*` of the top-level SELECT is planned as the column `x`, and where that is a
//! STRUCT the item becomes `get_field(x, 'f') AS f` for each field `f`.

use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    Expr, Ident, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement,
};

use super::rewrite::{call, string_lit};

/// Alias of the probe column that stands in for `x.*` while its type is looked up.
const PROBE_ALIAS: &str = "__spate_struct_star";

/// The select list of a plain top-level `SELECT`.
fn projection(stmt: &mut Statement) -> Option<&mut Vec<SelectItem>> {
    let Statement::Query(q) = stmt else {
        return None;
    };
    match q.body.as_mut() {
        SetExpr::Select(select) => Some(&mut select.projection),
        _ => None,
    }
}

/// The name `x` of a one-part `x.*` item.
fn star_qualifier(item: &SelectItem) -> Option<Ident> {
    let SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) = item
    else {
        return None;
    };
    match name.0.as_slice() {
        [part] => part.as_ident().cloned(),
        _ => None,
    }
}

/// `get_field(x, 'field')`.
fn get_field(column: &Ident, field: &str) -> Expr {
    call(
        "get_field",
        vec![Expr::Identifier(column.clone()), string_lit(field)],
    )
}

/// The field names of the STRUCT column `x` as seen by item `index`, if it is one.
async fn struct_fields(
    ctx: &SessionContext,
    stmt: &Statement,
    index: usize,
    column: &Ident,
) -> Option<Vec<String>> {
    let mut probe = stmt.clone();
    let items = projection(&mut probe)?;
    items[index] = SelectItem::ExprWithAlias {
        expr: Expr::Identifier(column.clone()),
        alias: Ident::with_quote('`', PROBE_ALIAS),
    };
    let plan = ctx
        .state()
        .statement_to_plan(DfStatement::Statement(Box::new(probe)))
        .await
        .ok()?;
    let field = plan
        .schema()
        .field_with_unqualified_name(PROBE_ALIAS)
        .ok()?;
    match field.data_type() {
        DataType::Struct(fields) => Some(fields.iter().map(|f| f.name().clone()).collect()),
        _ => None,
    }
}

/// `stmt` with every `x.*` whose `x` is a STRUCT column expanded, or None when there is none.
pub async fn expand_struct_stars(ctx: &SessionContext, stmt: &Statement) -> Option<Statement> {
    let mut probe_source = stmt.clone();
    let items = projection(&mut probe_source)?.clone();
    let mut expanded = Vec::with_capacity(items.len());
    let mut changed = false;
    for (index, item) in items.iter().enumerate() {
        let fields = match star_qualifier(item) {
            Some(column) => struct_fields(ctx, stmt, index, &column)
                .await
                .map(|f| (column, f)),
            None => None,
        };
        match fields {
            Some((column, fields)) => {
                changed = true;
                expanded.extend(fields.iter().map(|f| SelectItem::ExprWithAlias {
                    expr: get_field(&column, f),
                    alias: Ident::with_quote('`', f.clone()),
                }));
            }
            None => expanded.push(item.clone()),
        }
    }
    if !changed {
        return None;
    }
    let mut out = stmt.clone();
    *projection(&mut out)? = expanded;
    Some(out)
}
