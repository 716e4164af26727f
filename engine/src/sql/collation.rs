//! Spark's string collations (UTF8_LCASE and the ICU ones such as UNICODE_CI) in a planned
//! query.
//!
//! A collated column is a plain `Utf8` field marked in its metadata (`schema::collation`);
//! DataFusion would compare it byte by byte. After a query is planned, this pass follows the
//! collation through the plan as Spark's analyzer does and:
//!
//! - compares, sorts, groups, partitions, joins and de-duplicates a collated value by its key
//!   (`functions::collation_key`: the lower-case form under UTF8_LCASE, ICU's sort key under an
//!   ICU collation), while the output keeps the original text: `GROUP BY b` and `DISTINCT`
//!   return one of the group's own values, as Spark does, and `min`/`max` return the value
//!   whose key is smallest/largest;
//! - passes the collation on through the functions that keep it in Spark (`upper`, `concat`,
//!   `substr`, `trim`, `coalesce`, CASE, ...) and marks such computed columns, so a result
//!   column's type reads `string collate UTF8_LCASE`;
//! - under UTF8_LCASE, matches `LIKE`, `RLIKE`, `regexp_replace`, `regexp_extract`, `replace`,
//!   `contains`, `startswith` and `endswith` case-insensitively, as Spark does; under an ICU
//!   collation, refuses LIKE and the regular expressions with Spark's error (Spark only runs
//!   them on UTF8_BINARY and UTF8_LCASE);
//! - refuses, naming the function, every other use of a collated value: its meaning would
//!   depend on a collation spate cannot apply there (`instr`, `split`, `BETWEEN`, ...).
//!
//! Mixing two collations (a collated value and a plain STRING column, or two different
//! collations) in one comparison or string result is Spark's
//! INDETERMINATE_COLLATION_IN_EXPRESSION. Literals take the other side's collation.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, DataFusionError, ExprSchema, Result, ScalarValue};
use datafusion::functions_aggregate::first_last::first_value_udaf;
use datafusion::logical_expr::expr::{
    AggregateFunction, Alias, FieldMetadata, InList, Like, Sort, WindowFunction,
};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{
    Aggregate, BinaryExpr, Case, Distinct, Expr, ExprSchemable, LogicalPlan, Operator, Projection,
};

use super::functions::{collate, collation_key, utf8_lcase};
use crate::schema::collation::{
    collation_metadata, has_collation, has_nested_collation, is_string_type, Collation,
};

/// Collation of an expression's value, as Spark's analyzer derives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coll {
    /// Not a string, or a string from literals only: takes the other side's collation.
    Default,
    /// A plain STRING column (Spark's implicit UTF8_BINARY).
    Binary,
    /// A string of a collation other than UTF8_BINARY.
    Collated(Collation),
    /// Two collations met, such as UTF8_LCASE and a plain STRING column (Spark's indeterminate
    /// collation).
    Indeterminate,
    /// An ARRAY, MAP or STRUCT holding collated strings: only selected as it is.
    Nested,
    /// A collation a COLLATE clause set (Spark's explicit collation): wins over the others.
    Explicit(Collation),
    /// Two COLLATE clauses with different collations met (Spark's COLLATION_MISMATCH.EXPLICIT).
    ExplicitMismatch(Collation, Collation),
}

/// The pattern of what [`Coll::settle`] never returns, for the matches on a settled value.
macro_rules! settled_away {
    () => {
        Coll::Explicit(_) | Coll::ExplicitMismatch(..)
    };
}

impl Coll {
    fn and(self, other: Coll) -> Coll {
        use Coll::*;
        match (self, other) {
            (Nested, _) | (_, Nested) => Nested,
            (m @ ExplicitMismatch(..), _) | (_, m @ ExplicitMismatch(..)) => m,
            (Explicit(a), Explicit(b)) if a != b => ExplicitMismatch(a, b),
            (Explicit(c), _) | (_, Explicit(c)) => Explicit(c),
            (Indeterminate, _)
            | (_, Indeterminate)
            | (Collated(_), Binary)
            | (Binary, Collated(_)) => Indeterminate,
            (Collated(a), Collated(b)) if a != b => Indeterminate,
            (Collated(c), _) | (_, Collated(c)) => Collated(c),
            (Binary, _) | (_, Binary) => Binary,
            (Default, Default) => Default,
        }
    }

    /// The collation an operation applies once all its operands are combined: an explicit
    /// collation as the collated (or, for UTF8_BINARY, plain) string it sets; Spark's error for
    /// two different explicit ones. Never `Explicit` or `ExplicitMismatch`.
    fn settle(self) -> Result<Coll> {
        match self {
            Coll::Explicit(Collation::Utf8Binary) => Ok(Coll::Binary),
            Coll::Explicit(c) => Ok(Coll::Collated(c)),
            Coll::ExplicitMismatch(a, b) => Err(DataFusionError::Plan(format!(
                "[COLLATION_MISMATCH.EXPLICIT] Could not determine which collation to use for \
                 string functions and operators. Error occurred due to the mismatch between \
                 explicit collations: [\"STRING COLLATE {}\", \"STRING COLLATE {}\"]. Decide \
                 on a single explicit collation and remove others.",
                a.name(),
                b.name()
            ))),
            other => Ok(other),
        }
    }
}

/// String functions whose result keeps the collation of their string arguments in Spark, and
/// whose result does not depend on it.
const KEEP_COLLATION: &[&str] = &[
    "upper",
    "lower",
    "ucase",
    "lcase",
    "concat",
    "concat_ws",
    "substr",
    "substring",
    "left",
    "right",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "reverse",
    "initcap",
    "repeat",
    "coalesce",
    "nvl",
    "nvl2",
    "ifnull",
    "if",
];

/// Functions that take a collated value and whose (non-string) result does not depend on the
/// collation.
const IGNORE_COLLATION: &[&str] = &[
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "ascii",
    "md5",
    "sha1",
    "sha2",
    "crc32",
    "hash",
    "xxhash64",
    "base64",
    "hex",
    "isnull",
    "isnotnull",
    "typeof",
    "to_json",
    crate::sql::functions::spark_cast::NAME,
];

/// Regular-expression functions (pattern second) that Spark runs case-insensitively on a
/// UTF8_LCASE subject (and refuses on an ICU one); those returning a string keep the collation.
const REGEX_FUNCTIONS: &[&str] = &[
    "rlike",
    "regexp_like",
    "regexp",
    "regexp_replace",
    "regexp_extract",
];

/// Boolean matches that Spark's UTF8_LCASE answers on the lower-case forms of both sides (spate
/// refuses them under an ICU collation, where Spark matches with ICU's string search).
const MATCH_ON_KEYS: &[&str] = &[
    "contains",
    "startswith",
    "starts_with",
    "endswith",
    "ends_with",
];

/// What spate honours under every collation, for the refusal message.
const SUPPORTED: &str = "=, <>, <, <=, >, >=, <=>, IN, ORDER BY, GROUP BY, DISTINCT, \
    PARTITION BY, JOIN keys, min, max and count(DISTINCT ...)";

/// What spate also honours under UTF8_LCASE, for the refusal message.
const SUPPORTED_LCASE: &str = "LIKE, ILIKE, RLIKE, contains, startswith, endswith, replace, \
    regexp_replace, regexp_extract";

/// Spark's error for a value whose collation is indeterminate.
fn indeterminate(e: &Expr) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[INDETERMINATE_COLLATION_IN_EXPRESSION] Data type of \"{e}\" has indeterminate \
         collation: it mixes strings of different collations (a collated value with a plain \
         STRING column, or two collations). Use COLLATE clause to set the collation explicitly \
         (spate: compare lower() of both sides, or cast both to STRING, instead)."
    ))
}

/// The refusal for any use of an ARRAY, MAP or STRUCT value holding collated strings.
fn nested_refused(what: &str) -> DataFusionError {
    DataFusionError::Plan(format!(
        "{what}: a value whose ARRAY, MAP or STRUCT type holds a STRING COLLATE value can only \
         be selected as it is in spate; declare the nested string without COLLATE to compute \
         with it"
    ))
}

/// The refusal for a use of a collated value that spate cannot honour.
fn unsupported(what: &str, c: Collation) -> DataFusionError {
    let name = c.name();
    let also = if c == Collation::Utf8Lcase {
        format!(", {SUPPORTED_LCASE}")
    } else {
        String::new()
    };
    DataFusionError::Plan(format!(
        "{what} on a STRING COLLATE {name} value is not supported: spate honours {name} in \
         {SUPPORTED}{also}; cast the value to STRING (or apply lower() to it) first"
    ))
}

/// Spark's error for LIKE and the regular expressions on an ICU-collated value, which Spark
/// only runs on UTF8_BINARY and UTF8_LCASE strings.
fn unexpected_input_type(e: &Expr, c: Collation) -> DataFusionError {
    DataFusionError::Plan(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{e}\" due to data type \
         mismatch: The first parameter requires the \"STRING\" type, however the value has the \
         type \"STRING COLLATE {}\".",
        c.name()
    ))
}

/// Applies the collations of the plan's columns (see the module docs); a plan without
/// a collated column is returned unchanged.
pub fn apply_collations(plan: LogicalPlan) -> Result<LogicalPlan> {
    let mut collated = false;
    plan.apply_with_subqueries(|node| {
        collated = node.schema().fields().iter().any(|f| has_collation(f));
        // A COLLATE clause can sit in a node whose output is not collated (WHERE, ORDER BY).
        node.apply_expressions(|e| {
            collated |= e.exists(|x| {
                Ok(matches!(x, Expr::ScalarFunction(f) if f.name() == collate::NAME))
            })?;
            Ok(if collated {
                TreeNodeRecursion::Stop
            } else {
                TreeNodeRecursion::Continue
            })
        })?;
        Ok(if collated {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    })?;
    if !collated {
        return Ok(plan);
    }
    plan.transform_up_with_subqueries(rewrite_node).data()
}

/// A value `agg` groups by, or takes `min`/`max` of, through a collation key (its text and
/// collation): Spark keeps no streaming state keyed on it.
pub fn uses_collation_key(agg: &Aggregate) -> Option<(String, Collation)> {
    let mut found = None;
    for e in agg.group_expr.iter().chain(&agg.aggr_expr) {
        let _ = e.apply(|x| {
            if found.is_none() {
                found = keyed_value(x);
            }
            Ok(if found.is_some() {
                TreeNodeRecursion::Stop
            } else {
                TreeNodeRecursion::Continue
            })
        });
    }
    found
}

/// The value and collation of `e` when it is a collation key call.
fn keyed_value(e: &Expr) -> Option<(String, Collation)> {
    let c = collation_key::collation_of_call(e)?;
    let value = match e {
        Expr::ScalarFunction(f) => match f.args.first()? {
            Expr::Column(c) => c.name.clone(),
            other => other.to_string(),
        },
        _ => return None,
    };
    Some((value, c))
}

fn coll_of_field(field: &arrow::datatypes::Field) -> Coll {
    if has_nested_collation(field.data_type()) {
        Coll::Nested
    } else if !is_string_type(field.data_type()) {
        Coll::Default
    } else {
        Collation::of_field(field).map_or(Coll::Binary, Coll::Collated)
    }
}

fn coll_all<'a>(exprs: impl IntoIterator<Item = &'a Expr>, schema: &DFSchema) -> Coll {
    exprs
        .into_iter()
        .fold(Coll::Default, |k, e| k.and(coll_of(e, schema)))
}

/// The collation of `e`'s value.
fn coll_of(e: &Expr, schema: &DFSchema) -> Coll {
    match e {
        Expr::Column(c) => schema
            .field_from_column(c)
            .map_or(Coll::Default, |f| coll_of_field(f)),
        Expr::OuterReferenceColumn(f, _) => coll_of_field(f),
        Expr::Alias(a) => coll_of(&a.expr, schema),
        Expr::ScalarFunction(f) if f.name() == collate::NAME => {
            collate::explicit_collation(e).map_or(Coll::Default, Coll::Explicit)
        }
        Expr::BinaryExpr(b) if b.op == Operator::StringConcat => {
            coll_of(&b.left, schema).and(coll_of(&b.right, schema))
        }
        Expr::Case(c) => coll_all(
            c.when_then_expr
                .iter()
                .map(|(_, t)| t.as_ref())
                .chain(c.else_expr.as_deref()),
            schema,
        ),
        Expr::ScalarFunction(f) if keeps_collation(f.name()) && returns_string(e, schema) => {
            coll_all(&f.args, schema)
        }
        Expr::AggregateFunction(a) if keeps_value(a.func.name()) => {
            coll_all(a.params.args.first(), schema)
        }
        Expr::WindowFunction(w) if keeps_value(w.fun.name()) => {
            coll_all(w.params.args.first(), schema)
        }
        _ => Coll::Default,
    }
}

/// Scalar functions whose string result has their string arguments' collation.
fn keeps_collation(name: &str) -> bool {
    KEEP_COLLATION.contains(&name)
        || REGEX_FUNCTIONS.contains(&name)
        || name == "replace"
        || name == utf8_lcase::REPLACE_NAME
}

/// Aggregate and window functions that return one of their input values.
fn keeps_value(name: &str) -> bool {
    matches!(
        name,
        "first_value"
            | "last_value"
            | "any_value"
            | "first"
            | "last"
            | "nth_value"
            | "lag"
            | "lead"
    )
}

fn returns_string(e: &Expr, schema: &DFSchema) -> bool {
    e.get_type(schema).is_ok_and(|t| is_string_type(&t))
}

/// The comparison key of `e` under collation `c` when `e` is a string, else `e`.
fn key(e: Expr, c: Collation, schema: &DFSchema) -> Expr {
    if returns_string(&e, schema) {
        collation_key::call(e, c)
    } else {
        e
    }
}

/// `=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT] DISTINCT FROM`: the operators that compare values.
pub(super) fn is_comparison(op: Operator) -> bool {
    matches!(
        op,
        Operator::Eq
            | Operator::NotEq
            | Operator::Lt
            | Operator::LtEq
            | Operator::Gt
            | Operator::GtEq
            | Operator::IsDistinctFrom
            | Operator::IsNotDistinctFrom
    )
}

/// Rewrites every expression of `e` bottom-up (see [`rewrite_one`]).
fn rewrite_expr(e: Expr, schema: &DFSchema) -> Result<Expr> {
    e.transform_up(|e| rewrite_one(e, schema)).data()
}

/// Puts the comparison key where `e` itself compares collated values; refuses what cannot be
/// honoured. `e`'s children are already rewritten.
fn rewrite_one(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let k = |x: &Expr| coll_of(x, schema);
    if !matches!(
        e,
        Expr::Column(_)
            | Expr::OuterReferenceColumn(..)
            | Expr::Alias(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
    ) {
        let mut nested = false;
        e.apply_children(|c| {
            nested |= k(c) == Coll::Nested;
            Ok(TreeNodeRecursion::Continue)
        })?;
        if nested {
            return Err(nested_refused(&format!("\"{e}\"")));
        }
    }
    match e {
        Expr::BinaryExpr(b) if is_comparison(b.op) => match k(&b.left).and(k(&b.right)).settle()? {
            Coll::Indeterminate => Err(indeterminate(&Expr::BinaryExpr(b))),
            Coll::Collated(c) => Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                Box::new(key(*b.left, c, schema)),
                b.op,
                Box::new(key(*b.right, c, schema)),
            )))),
            _ => Ok(Transformed::no(Expr::BinaryExpr(b))),
        },
        Expr::InList(l) => match k(&l.expr).and(coll_all(&l.list, schema)).settle()? {
            Coll::Indeterminate => Err(indeterminate(&Expr::InList(l))),
            Coll::Collated(c) => Ok(Transformed::yes(Expr::InList(InList::new(
                Box::new(key(*l.expr, c, schema)),
                l.list.into_iter().map(|x| key(x, c, schema)).collect(),
                l.negated,
            )))),
            _ => Ok(Transformed::no(Expr::InList(l))),
        },
        Expr::Like(l) => match k(&l.expr).and(k(&l.pattern)).settle()? {
            Coll::Indeterminate => Err(indeterminate(&Expr::Like(l))),
            Coll::Collated(Collation::Utf8Lcase) => Ok(Transformed::yes(Expr::Like(Like::new(
                l.negated,
                Box::new(key(*l.expr, Collation::Utf8Lcase, schema)),
                Box::new(key(*l.pattern, Collation::Utf8Lcase, schema)),
                l.escape_char,
                l.case_insensitive,
            )))),
            Coll::Collated(c) => Err(unexpected_input_type(&Expr::Like(l), c)),
            _ => Ok(Transformed::no(Expr::Like(l))),
        },
        Expr::Case(c) if c.expr.is_some() => {
            let operand = c.expr.as_deref().map_or(Coll::Default, k);
            match operand
                .and(coll_all(
                    c.when_then_expr.iter().map(|(w, _)| w.as_ref()),
                    schema,
                ))
                .settle()?
            {
                Coll::Indeterminate => Err(indeterminate(&Expr::Case(c))),
                Coll::Collated(coll) => {
                    let case = Case {
                        expr: c.expr.map(|x| Box::new(key(*x, coll, schema))),
                        when_then_expr: c
                            .when_then_expr
                            .into_iter()
                            .map(|(w, t)| (Box::new(key(*w, coll, schema)), t))
                            .collect(),
                        else_expr: c.else_expr,
                    };
                    check_result(Expr::Case(case), schema).map(Transformed::yes)
                }
                _ => check_result(Expr::Case(c), schema).map(Transformed::no),
            }
        }
        Expr::ScalarFunction(f) => {
            let name = f.name().to_string();
            let args = coll_all(&f.args, schema);
            let e = Expr::ScalarFunction(f);
            if collation_key::is_call(&e) || name == collate::NAME {
                return Ok(Transformed::no(e));
            }
            let c = match args.settle()? {
                Coll::Default | Coll::Binary | Coll::Nested | settled_away!() => {
                    return Ok(Transformed::no(e))
                }
                Coll::Indeterminate => return Err(indeterminate(&e)),
                Coll::Collated(c) => c,
            };
            if KEEP_COLLATION.contains(&name.as_str()) || IGNORE_COLLATION.contains(&name.as_str())
            {
                return Ok(Transformed::no(e));
            }
            if c != Collation::Utf8Lcase {
                if REGEX_FUNCTIONS.contains(&name.as_str()) {
                    return Err(unexpected_input_type(&e, c));
                }
                return Err(unsupported(&format!("{name}()"), c));
            }
            let Expr::ScalarFunction(mut f) = e else {
                unreachable!("matched above")
            };
            if MATCH_ON_KEYS.contains(&name.as_str()) {
                f.args = f.args.into_iter().map(|a| key(a, c, schema)).collect();
                return Ok(Transformed::yes(Expr::ScalarFunction(f)));
            }
            if name == "replace" {
                return Ok(Transformed::yes(utf8_lcase::replace_call(f.args)));
            }
            if REGEX_FUNCTIONS.contains(&name.as_str()) {
                let pattern = f.args.get(1).and_then(|p| match p {
                    Expr::Literal(v, _) => v.try_as_str().flatten(),
                    _ => None,
                });
                let Some(pattern) = pattern else {
                    return Err(unsupported(
                        &format!("{name}() with a pattern that is not a literal"),
                        c,
                    ));
                };
                f.args[1] = Expr::Literal(ScalarValue::Utf8(Some(format!("(?i){pattern}"))), None);
                return Ok(Transformed::yes(Expr::ScalarFunction(f)));
            }
            Err(unsupported(&format!("{name}()"), c))
        }
        Expr::AggregateFunction(a) => rewrite_aggregate_function(a, schema),
        Expr::WindowFunction(w) => rewrite_window_function(*w, schema),
        Expr::Between(_) | Expr::SimilarTo(_) | Expr::InSubquery(_) => {
            refuse_if_collated_child(e, schema)
        }
        // RLIKE: Spark matches a UTF8_LCASE subject case-insensitively.
        Expr::BinaryExpr(b) if case_insensitive_regex(b.op).is_some() => {
            match k(&b.left).and(k(&b.right)).settle()? {
                Coll::Indeterminate => Err(indeterminate(&Expr::BinaryExpr(b))),
                Coll::Collated(Collation::Utf8Lcase) => {
                    Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                        b.left,
                        case_insensitive_regex(b.op).unwrap_or(b.op),
                        b.right,
                    ))))
                }
                Coll::Collated(c) => Err(unexpected_input_type(&Expr::BinaryExpr(b), c)),
                _ => Ok(Transformed::no(Expr::BinaryExpr(b))),
            }
        }
        Expr::BinaryExpr(b) if b.op != Operator::StringConcat && !is_logical(b.op) => {
            refuse_if_collated_child(Expr::BinaryExpr(b), schema)
        }
        Expr::Column(_)
        | Expr::OuterReferenceColumn(..)
        | Expr::Literal(..)
        | Expr::Alias(_)
        | Expr::Cast(_)
        | Expr::TryCast(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::Not(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNotFalse(_)
        | Expr::IsNotUnknown(_)
        | Expr::ScalarSubquery(_)
        | Expr::Exists(_)
        | Expr::BinaryExpr(_)
        | Expr::Case(_) => check_result(e, schema).map(Transformed::no),
        other => refuse_if_collated_child(other, schema),
    }
}

/// The case-insensitive form of a regex-match operator.
fn case_insensitive_regex(op: Operator) -> Option<Operator> {
    match op {
        Operator::RegexMatch | Operator::RegexIMatch => Some(Operator::RegexIMatch),
        Operator::RegexNotMatch | Operator::RegexNotIMatch => Some(Operator::RegexNotIMatch),
        _ => None,
    }
}

fn is_logical(op: Operator) -> bool {
    matches!(op, Operator::And | Operator::Or)
}

/// `e`, unless its own value has an indeterminate collation.
fn check_result(e: Expr, schema: &DFSchema) -> Result<Expr> {
    if coll_of(&e, schema).settle()? == Coll::Indeterminate {
        return Err(indeterminate(&e));
    }
    Ok(e)
}

/// Refuses `e` when one of its direct children is a collated value.
fn refuse_if_collated_child(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let mut collated = None;
    e.apply_children(|c| {
        match coll_of(c, schema).settle()? {
            Coll::Collated(c) => collated = Some(c),
            Coll::Indeterminate => collated = collated.or(Some(Collation::Utf8Lcase)),
            _ => {}
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    if let Some(c) = collated {
        let what = match &e {
            Expr::BinaryExpr(b) => format!("the operator {}", b.op),
            Expr::Between(_) => "BETWEEN".to_string(),
            Expr::SimilarTo(_) => "SIMILAR TO".to_string(),
            Expr::InSubquery(_) => "IN (subquery)".to_string(),
            other => format!("\"{other}\""),
        };
        return Err(unsupported(&what, c));
    }
    Ok(Transformed::no(e))
}

/// Sort keys: a collated one sorts by its comparison key.
fn sort_keys(order_by: Vec<Sort>, schema: &DFSchema) -> Result<(Vec<Sort>, bool)> {
    let mut changed = false;
    let sorts = order_by
        .into_iter()
        .map(|mut s| {
            match coll_of(&s.expr, schema).settle()? {
                Coll::Collated(c) => {
                    s.expr = key(s.expr, c, schema);
                    changed = true;
                }
                Coll::Nested => return Err(nested_refused(&format!("ORDER BY {}", s.expr))),
                Coll::Indeterminate => return Err(indeterminate(&s.expr)),
                Coll::Default | Coll::Binary | settled_away!() => {}
            }
            Ok(s)
        })
        .collect::<Result<_>>()?;
    Ok((sorts, changed))
}

fn rewrite_aggregate_function(
    mut a: AggregateFunction,
    schema: &DFSchema,
) -> Result<Transformed<Expr>> {
    let name = a.func.name().to_string();
    let (order_by, mut changed) = sort_keys(std::mem::take(&mut a.params.order_by), schema)?;
    a.params.order_by = order_by;
    match coll_all(&a.params.args, schema).settle()? {
        Coll::Default | Coll::Binary | Coll::Nested | settled_away!() => {}
        Coll::Indeterminate => return Err(indeterminate(&Expr::AggregateFunction(a))),
        Coll::Collated(c) => match name.as_str() {
            "count" if a.params.distinct => {
                a.params.args = a
                    .params
                    .args
                    .into_iter()
                    .map(|x| key(x, c, schema))
                    .collect();
                changed = true;
            }
            "count" => {}
            n if keeps_value(n) => {}
            "min" | "max" if a.params.args.len() == 1 => {
                // The value with the smallest (largest) key; NULLS LAST skips NULL values as
                // min/max do.
                let arg = a.params.args.remove(0);
                let by = Sort::new(key(arg.clone(), c, schema), name == "min", false);
                let f = AggregateFunction::new_udf(
                    first_value_udaf(),
                    vec![arg],
                    false,
                    a.params.filter,
                    vec![by],
                    None,
                );
                return Ok(Transformed::yes(Expr::AggregateFunction(f)));
            }
            _ => return Err(unsupported(&format!("the aggregate {name}()"), c)),
        },
    }
    Ok(Transformed::new_transformed(
        Expr::AggregateFunction(a),
        changed,
    ))
}

fn rewrite_window_function(mut w: WindowFunction, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let name = w.fun.name().to_string();
    match coll_all(&w.params.args, schema).settle()? {
        Coll::Default | Coll::Binary | Coll::Nested | settled_away!() => {}
        Coll::Indeterminate => return Err(indeterminate(&Expr::from(w))),
        Coll::Collated(_) if (name == "count" && !w.params.distinct) || keeps_value(&name) => {}
        Coll::Collated(c) => {
            return Err(unsupported(&format!("the window function {name}()"), c));
        }
    }
    let mut changed = false;
    w.params.partition_by = std::mem::take(&mut w.params.partition_by)
        .into_iter()
        .map(|p| match coll_of(&p, schema).settle()? {
            Coll::Collated(c) => {
                changed = true;
                Ok(key(p, c, schema))
            }
            Coll::Indeterminate => Err(indeterminate(&p)),
            Coll::Nested => Err(nested_refused(&format!("PARTITION BY {p}"))),
            _ => Ok(p),
        })
        .collect::<Result<_>>()?;
    let (order_by, sorted) = sort_keys(std::mem::take(&mut w.params.order_by), schema)?;
    w.params.order_by = order_by;
    Ok(Transformed::new_transformed(
        Expr::from(w),
        changed || sorted,
    ))
}

/// Marks a computed collated output column so its field carries the collation.
fn mark_output(e: Expr, schema: &DFSchema) -> Result<Expr> {
    match coll_of(&e, schema).settle()? {
        Coll::Indeterminate => Err(indeterminate(&e)),
        Coll::Collated(c) if !matches!(e, Expr::Column(_)) => {
            let metadata = Some(FieldMetadata::from(collation_metadata(c)));
            Ok(match e {
                Expr::Alias(a) => Expr::Alias(a.with_metadata(metadata)),
                e => {
                    let (relation, name) = e.qualified_name();
                    Expr::Alias(Alias::new(e, relation, name).with_metadata(metadata))
                }
            })
        }
        _ => Ok(e),
    }
}

/// The schema a node's expressions are resolved against: its inputs' schemas, joined.
fn input_schema(node: &LogicalPlan) -> Result<Option<DFSchema>> {
    let inputs = node.inputs();
    let Some(first) = inputs.first() else {
        return Ok(None);
    };
    let mut schema = first.schema().as_ref().clone();
    for other in &inputs[1..] {
        schema = schema.join(other.schema())?;
    }
    Ok(Some(schema))
}

/// Rewrites one plan node whose inputs are already rewritten.
fn rewrite_node(node: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let node = match node {
        LogicalPlan::Join(mut j) => {
            let (left, right) = (Arc::clone(j.left.schema()), Arc::clone(j.right.schema()));
            j.on = std::mem::take(&mut j.on)
                .into_iter()
                .map(|(l, r)| {
                    let (l, r) = (rewrite_expr(l, &left)?, rewrite_expr(r, &right)?);
                    match coll_of(&l, &left).and(coll_of(&r, &right)).settle()? {
                        Coll::Indeterminate => Err(indeterminate(&l.clone().eq(r))),
                        Coll::Nested => Err(nested_refused(&format!("JOIN ON {l} = {r}"))),
                        Coll::Collated(c) => Ok((key(l, c, &left), key(r, c, &right))),
                        _ => Ok((l, r)),
                    }
                })
                .collect::<Result<_>>()?;
            let both = left.join(&right)?;
            j.filter = j.filter.map(|f| rewrite_expr(f, &both)).transpose()?;
            LogicalPlan::Join(j)
        }
        LogicalPlan::Sort(mut s) => {
            let schema = Arc::clone(s.input.schema());
            let sorts = std::mem::take(&mut s.expr)
                .into_iter()
                .map(|mut x| {
                    x.expr = rewrite_expr(x.expr, &schema)?;
                    Ok(x)
                })
                .collect::<Result<Vec<_>>>()?;
            s.expr = sort_keys(sorts, &schema)?.0;
            LogicalPlan::Sort(s)
        }
        LogicalPlan::Distinct(Distinct::All(input))
            if input.schema().fields().iter().any(|f| has_collation(f)) =>
        {
            // DISTINCT is a GROUP BY of every column; the grouping below keys it.
            let columns = input
                .schema()
                .columns()
                .into_iter()
                .map(Expr::Column)
                .collect();
            LogicalPlan::Aggregate(Aggregate::try_new(input, columns, vec![])?)
        }
        LogicalPlan::Distinct(Distinct::On(on))
            if on.input.schema().fields().iter().any(|f| has_collation(f)) =>
        {
            let c = on
                .input
                .schema()
                .fields()
                .iter()
                .find_map(|f| Collation::of_field(f));
            return Err(unsupported(
                "DISTINCT ON",
                c.unwrap_or(Collation::Utf8Lcase),
            ));
        }
        other => rewrite_expressions(other)?,
    };
    let node = match node {
        LogicalPlan::Aggregate(agg) => group_by_keys(agg)?,
        other => other,
    };
    Ok(Transformed::yes(node.recompute_schema()?))
}

/// Rewrites a node's expressions, keeping its output names, and marks collated outputs.
fn rewrite_expressions(node: LogicalPlan) -> Result<LogicalPlan> {
    let Some(schema) = input_schema(&node)? else {
        return Ok(node);
    };
    let names = NamePreserver::new(&node);
    let node = node
        .map_expressions(|e| {
            let saved = names.save(&e);
            let new = rewrite_expr(e, &schema)?;
            Ok(Transformed::yes(saved.restore(new)))
        })?
        .data;
    let mark = |exprs: Vec<Expr>| -> Result<Vec<Expr>> {
        exprs.into_iter().map(|e| mark_output(e, &schema)).collect()
    };
    Ok(match node {
        LogicalPlan::Projection(mut p) => {
            p.expr = mark(std::mem::take(&mut p.expr))?;
            LogicalPlan::Projection(p)
        }
        LogicalPlan::Aggregate(mut a) => {
            a.aggr_expr = mark(std::mem::take(&mut a.aggr_expr))?;
            LogicalPlan::Aggregate(a)
        }
        LogicalPlan::Window(mut w) => {
            w.window_expr = mark(std::mem::take(&mut w.window_expr))?;
            LogicalPlan::Window(w)
        }
        other => other,
    })
}

/// Groups a collated grouping key by its comparison key and outputs the first value seen in
/// each group (Spark's answer), under the key's original name; `agg` is returned unchanged
/// when no key is collated.
fn group_by_keys(agg: Aggregate) -> Result<LogicalPlan> {
    let input = Arc::clone(agg.input.schema());
    let collated: Vec<Option<Collation>> = agg
        .group_expr
        .iter()
        .map(|g| match coll_of(g, &input).settle()? {
            Coll::Indeterminate => Err(indeterminate(g)),
            Coll::Nested => Err(nested_refused(&format!("GROUP BY {g}"))),
            Coll::Collated(c) => Ok(Some(c)),
            Coll::Default | Coll::Binary | settled_away!() => Ok(None),
        })
        .collect::<Result<_>>()?;
    let Some(first) = collated.iter().flatten().next() else {
        return Ok(LogicalPlan::Aggregate(agg));
    };
    if agg
        .group_expr
        .iter()
        .any(|g| matches!(g, Expr::GroupingSet(_)))
    {
        return Err(unsupported("GROUPING SETS, ROLLUP or CUBE", *first));
    }
    let output = Arc::clone(&agg.schema);
    let mut groups = Vec::with_capacity(agg.group_expr.len());
    let mut aggregates = agg.aggr_expr.clone();
    for (i, (g, collation)) in agg.group_expr.iter().zip(&collated).enumerate() {
        if let Some(c) = *collation {
            let value = g.clone().unalias();
            groups.push(key(value.clone(), c, &input).alias(format!("__spate_collation_key_{i}")));
            aggregates.push(
                Expr::AggregateFunction(AggregateFunction::new_udf(
                    first_value_udaf(),
                    vec![value],
                    false,
                    None,
                    vec![],
                    None,
                ))
                .alias(format!("__spate_collated_value_{i}")),
            );
        } else {
            groups.push(g.clone());
        }
    }
    let keyed = Aggregate::try_new(Arc::clone(&agg.input), groups, aggregates)?;
    let restore = output
        .iter()
        .enumerate()
        .map(
            |(i, (relation, field))| match collated.get(i).copied().flatten() {
                Some(c) => {
                    let value =
                        Expr::Column(Column::from_name(format!("__spate_collated_value_{i}")));
                    Expr::Alias(
                        Alias::new(value, relation.cloned(), field.name())
                            .with_metadata(Some(FieldMetadata::from(collation_metadata(c)))),
                    )
                }
                None => Expr::Column(Column::new(relation.cloned(), field.name())),
            },
        )
        .collect();
    Ok(LogicalPlan::Projection(Projection::try_new(
        restore,
        Arc::new(LogicalPlan::Aggregate(keyed)),
    )?))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, AsArray, Int32Array, RecordBatch, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;

    use crate::schema::collation::{spark_field_type_name, with_lcase_collation};
    use crate::sql::session::{new_context, plan_sql, Settings};

    /// `t(b STRING COLLATE UTF8_LCASE, c STRING, n INT)`.
    async fn query(sql: &str) -> crate::error::Result<Vec<RecordBatch>> {
        let schema = Arc::new(Schema::new(vec![
            with_lcase_collation(Field::new("b", DataType::Utf8, true)),
            Field::new("c", DataType::Utf8, true),
            Field::new("n", DataType::Int32, true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![
                Some("x"),
                Some("X"),
                Some("Abc"),
                None,
            ])),
            Arc::new(StringArray::from(vec![
                Some("a"),
                Some("b"),
                Some("c"),
                Some("d"),
            ])),
            Arc::new(Int32Array::from(vec![1, 2, 3, 4])),
        ];
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        let ctx = new_context(&Settings::default())?;
        ctx.register_table("t", Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?;
        Ok(plan_sql(&ctx, sql, true).await?.collect().await?)
    }

    fn strings(batches: &[RecordBatch], column: usize) -> Vec<Option<String>> {
        batches
            .iter()
            .flat_map(|b| {
                let c = arrow::compute::cast(b.column(column), &DataType::Utf8).unwrap();
                c.as_string::<i32>()
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[tokio::test]
    async fn group_by_keeps_a_value_of_the_group_and_the_collation() {
        let out = query("SELECT b, count(*) AS k FROM t WHERE b = 'X' GROUP BY b")
            .await
            .unwrap();
        assert_eq!(strings(&out, 0), vec![Some("x".to_string())]);
        assert_eq!(
            spark_field_type_name(out[0].schema().field(0)),
            "string collate UTF8_LCASE"
        );
    }

    #[tokio::test]
    async fn computed_columns_carry_the_collation() {
        let out = query("SELECT upper(b) AS u, length(b) AS l FROM t")
            .await
            .unwrap();
        let schema = out[0].schema();
        assert_eq!(
            spark_field_type_name(schema.field(0)),
            "string collate UTF8_LCASE"
        );
        assert_eq!(spark_field_type_name(schema.field(1)), "int");
    }

    #[tokio::test]
    async fn mixing_with_a_plain_string_column_is_indeterminate() {
        let e = query("SELECT b = c AS e FROM t")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("INDETERMINATE_COLLATION_IN_EXPRESSION"), "{e}");
    }

    #[tokio::test]
    async fn other_functions_are_refused_by_name() {
        let e = query("SELECT instr(b, 'c') AS i FROM t")
            .await
            .unwrap_err()
            .to_string();
        // instr is DataFusion's strpos under another name.
        assert!(
            e.contains("strpos() on a STRING COLLATE UTF8_LCASE value"),
            "{e}"
        );
        let e = query("SELECT b BETWEEN 'a' AND 'z' AS i FROM t")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("BETWEEN"), "{e}");
    }

    #[tokio::test]
    async fn nested_collated_strings_are_only_selected() {
        let schema =
            Arc::new(crate::schema::parse_ddl("a ARRAY<STRING COLLATE UTF8_LCASE>").unwrap());
        let ctx = new_context(&Settings::default()).unwrap();
        let table = MemTable::try_new(schema, vec![vec![]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        let df = plan_sql(&ctx, "SELECT a FROM t", true).await.unwrap();
        let field = df.schema().field(0).clone();
        assert_eq!(
            spark_field_type_name(&field),
            "array<string collate UTF8_LCASE>"
        );
        for sql in [
            "SELECT array_contains(a, 'x') AS c FROM t",
            "SELECT DISTINCT a FROM t",
            "SELECT a FROM t ORDER BY a",
        ] {
            let e = plan_sql(&ctx, sql, true).await.unwrap_err().to_string();
            assert!(e.contains("can only be selected as it is"), "{sql}: {e}");
        }
    }

    #[tokio::test]
    async fn icu_collations_key_by_sort_key_and_refuse_what_spark_refuses() {
        let schema = Arc::new(
            crate::schema::parse_ddl("u STRING COLLATE UNICODE_CI_AI, b STRING COLLATE UTF8_LCASE")
                .unwrap(),
        );
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["Café", "cafe", "tea"])),
            Arc::new(StringArray::from(vec!["x", "X", "y"])),
        ];
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns).unwrap();
        let ctx = new_context(&Settings::default()).unwrap();
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        let run = |sql: &'static str| {
            let ctx = ctx.clone();
            async move {
                Ok::<_, crate::error::Error>(plan_sql(&ctx, sql, true).await?.collect().await?)
            }
        };
        let out = run("SELECT u, count(*) AS k FROM t GROUP BY u ORDER BY u")
            .await
            .unwrap();
        assert_eq!(
            strings(&out, 0),
            vec![Some("Café".to_string()), Some("tea".to_string())]
        );
        assert_eq!(
            spark_field_type_name(out[0].schema().field(0)),
            "string collate UNICODE_CI_AI"
        );
        for (sql, want) in [
            ("SELECT u LIKE 'c%' AS l FROM t", "UNEXPECTED_INPUT_TYPE"),
            ("SELECT u = b AS e FROM t", "INDETERMINATE_COLLATION"),
            (
                "SELECT contains(u, 'a') AS c FROM t",
                "contains() on a STRING COLLATE UNICODE_CI_AI value is not supported",
            ),
        ] {
            let e = run(sql).await.unwrap_err().to_string();
            assert!(e.contains(want), "{sql}: {e}");
        }
    }

    #[tokio::test]
    async fn plain_strings_are_untouched() {
        let out = query("SELECT c FROM t WHERE c = 'A'").await.unwrap();
        assert!(strings(&out, 0).is_empty());
    }
}
