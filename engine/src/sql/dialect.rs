//! Spark SQL's lexical rules for sqlparser: Databricks' identifiers plus backslash escapes in strings.

use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr, Ident, ObjectName};
use datafusion::sql::sqlparser::dialect::{DatabricksDialect, Dialect};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;

/// Databricks' dialect with Spark's backslash string escapes (`'\\d+'` is the regex `\d+`).
#[derive(Debug, Default, Clone, Copy)]
pub struct SparkDialect;

impl Dialect for SparkDialect {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        DatabricksDialect.is_delimited_identifier_start(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        DatabricksDialect.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        DatabricksDialect.is_identifier_part(ch)
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        true
    }
    fn supports_numeric_prefix(&self) -> bool {
        true
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
    fn supports_group_by_expr(&self) -> bool {
        true
    }
    fn supports_lambda_functions(&self) -> bool {
        true
    }
    fn supports_select_wildcard_except(&self) -> bool {
        true
    }
    fn require_interval_qualifier(&self) -> bool {
        true
    }
    /// `SELECT json_tuple(j, 'a', 'b') AS (x, y)`: a generator's columns named at once.
    fn supports_select_item_multi_column_alias(&self) -> bool {
        true
    }
    fn supports_struct_literal(&self) -> bool {
        true
    }
    fn supports_nested_comments(&self) -> bool {
        true
    }
    fn supports_bang_not_operator(&self) -> bool {
        true
    }
    fn supports_cte_without_as(&self) -> bool {
        true
    }
    /// Spark's typed numbers (`10L`, `1.5D`, `1e3`, ...), which sqlparser reads as identifiers
    /// or as a number with an alias.
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        if let Some(exists) = exists_function(parser) {
            return Some(exists);
        }
        super::literals::parse_spark_number(parser)
    }
    /// Spark's `a div b`, binding like `*` and `/` (sqlparser already ranks DIV there).
    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        if !parser.parse_keyword(Keyword::DIV) {
            return None;
        }
        Some(
            parser
                .parse_subexpr(precedence)
                .map(|right| Expr::BinaryOp {
                    left: Box::new(expr.clone()),
                    op: BinaryOperator::MyIntegerDivide,
                    right: Box::new(right),
                }),
        )
    }
}

/// Spark's higher-order `exists(array, x -> predicate)`, which sqlparser would read as
/// `EXISTS (subquery)`: DataFusion's `array_any_match`, which has Spark's three-valued logic.
/// `None` leaves a real `EXISTS (SELECT ...)` to sqlparser.
fn exists_function(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let is_word = |t: &Token, k: Keyword| matches!(t, Token::Word(w) if w.keyword == k);
    if !is_word(&parser.peek_nth_token(0).token, Keyword::EXISTS)
        || parser.peek_nth_token(1).token != Token::LParen
    {
        return None;
    }
    let first = parser.peek_nth_token(2).token;
    if is_word(&first, Keyword::SELECT)
        || is_word(&first, Keyword::WITH)
        || is_word(&first, Keyword::VALUES)
        || first == Token::LParen
    {
        return None;
    }
    parser.next_token();
    Some(parser.parse_function(ObjectName::from(vec![Ident::new("array_any_match")])))
}
