//! Spark's numeric literal forms that sqlparser and DataFusion read otherwise.
//!
//! Spark's lexer (SqlBaseLexer.g4) has typed numbers: `10L` BIGINT, `7S` SMALLINT, `3Y` TINYINT,
//! `1.5D`/`1e3D` DOUBLE, `1.5F` FLOAT, `1.5BD` DECIMAL, and reads an exponent form `1e3` as
//! DOUBLE. With identifiers that may start with digits, sqlparser tokenizes `10L` and `1.5D` as
//! the identifiers `10L`/`1.5D` (a missing column), and `1e3D` as `1e3 AS D` (silently another
//! answer). [`parse_spark_number`], the dialect's prefix hook, reads these tokens as
//! `spark_typed_literal('<text>', '<TYPE>')` calls; [`crate::sql::literal_types`] replaces each call by
//! the literal it names before the plan is analyzed ([`TypedLiteral`] also computes it, for plans
//! that skip that pass).
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_casts.py, `cast_literal_*`).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr as LogicalExpr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::sql::sqlparser::ast::Expr;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;

/// Name of the typed-literal marker in rewritten SQL.
pub const TYPED_LITERAL: &str = "spark_typed_literal";

/// The type a Spark number literal names with its suffix (or its exponent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// `3Y`
    TinyInt,
    /// `7S`
    SmallInt,
    /// `10L`
    BigInt,
    /// `1.5F`
    Float,
    /// `1.5D`, `1e3`
    Double,
    /// `1.5BD`
    Decimal,
}

impl LiteralKind {
    /// Spark's type name, as written in the marker.
    pub fn name(self) -> &'static str {
        match self {
            LiteralKind::TinyInt => "TINYINT",
            LiteralKind::SmallInt => "SMALLINT",
            LiteralKind::BigInt => "BIGINT",
            LiteralKind::Float => "FLOAT",
            LiteralKind::Double => "DOUBLE",
            LiteralKind::Decimal => "DECIMAL",
        }
    }

    /// The kind a marker's type name stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "TINYINT" => LiteralKind::TinyInt,
            "SMALLINT" => LiteralKind::SmallInt,
            "BIGINT" => LiteralKind::BigInt,
            "FLOAT" => LiteralKind::Float,
            "DOUBLE" => LiteralKind::Double,
            "DECIMAL" => LiteralKind::Decimal,
            _ => return None,
        })
    }
}

/// `^\d+$`
fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Spark's DECIMAL_DIGITS or DIGIT+: `12`, `1.5`, `1.`, `.5`.
fn is_decimal_digits(s: &str) -> bool {
    match s.split_once('.') {
        None => is_digits(s),
        Some((int, frac)) => {
            (is_digits(int) && (frac.is_empty() || is_digits(frac)))
                || (int.is_empty() && is_digits(frac))
        }
    }
}

/// A word token that is a Spark typed number (`10L`, `1.5D`, `.5BD`), split into number and kind.
fn typed_word(word: &str) -> Option<(&str, LiteralKind)> {
    let lower = word.to_ascii_lowercase();
    let (cut, kind) = if lower.ends_with("bd") {
        (2, LiteralKind::Decimal)
    } else {
        let kind = match lower.as_bytes().last()? {
            b'l' => LiteralKind::BigInt,
            b's' => LiteralKind::SmallInt,
            b'y' => LiteralKind::TinyInt,
            b'd' => LiteralKind::Double,
            b'f' => LiteralKind::Float,
            _ => return None,
        };
        (1, kind)
    };
    let number = &word[..word.len() - cut];
    let integral = matches!(
        kind,
        LiteralKind::BigInt | LiteralKind::SmallInt | LiteralKind::TinyInt
    );
    let ok = if integral {
        is_digits(number)
    } else {
        is_decimal_digits(number)
    };
    ok.then_some((number, kind))
}

/// The suffix word that may follow an exponent number (`1e3D`): the tokenizer splits it off.
fn exponent_suffix(word: &str) -> Option<LiteralKind> {
    match word.to_ascii_lowercase().as_str() {
        "d" => Some(LiteralKind::Double),
        "f" => Some(LiteralKind::Float),
        "bd" => Some(LiteralKind::Decimal),
        _ => None,
    }
}

fn is_exponent_number(n: &str) -> bool {
    n.contains(['e', 'E'])
}

/// The marker call `spark_typed_literal('<text>', '<TYPE>')`.
pub fn marker(text: &str, kind: LiteralKind) -> Expr {
    super::rewrite::call(
        TYPED_LITERAL,
        vec![
            super::rewrite::string_lit(text),
            super::rewrite::string_lit(kind.name()),
        ],
    )
}

/// The dialect's prefix hook: reads a Spark typed number (optionally after a unary minus, which
/// Spark's grammar makes part of the literal: `-128Y` is a TINYINT) as a marker call. `None`
/// leaves every other expression to sqlparser.
pub fn parse_spark_number(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let negative = parser.peek_token_ref().token == Token::Minus;
    let at = usize::from(negative);
    // The number token (whitespace may follow the minus), and the raw token right after it.
    let mut raw = 0;
    let mut seen = 0;
    let number = loop {
        let t = parser.peek_nth_token_no_skip(raw);
        raw += 1;
        match t.token {
            Token::Whitespace(_) => continue,
            Token::EOF => return None,
            tok if seen == at => break tok,
            _ => seen += 1,
        }
    };
    let next = parser.peek_nth_token_no_skip(raw).token;
    let (text, kind, tokens) = match (&number, &next) {
        (Token::Word(w), _) if w.quote_style.is_none() => {
            let (n, kind) = typed_word(&w.value)?;
            (n.to_string(), kind, 1)
        }
        (Token::Number(n, false), Token::Word(w))
            if is_exponent_number(n) && w.quote_style.is_none() =>
        {
            match exponent_suffix(&w.value) {
                Some(kind) => (n.clone(), kind, 2),
                None => (n.clone(), LiteralKind::Double, 1),
            }
        }
        (Token::Number(n, false), _) if is_exponent_number(n) => {
            (n.clone(), LiteralKind::Double, 1)
        }
        _ => return None,
    };
    if negative {
        parser.next_token();
    }
    parser.next_token();
    if tokens == 2 {
        parser.next_token_no_skip();
    }
    let text = if negative { format!("-{text}") } else { text };
    if let Err(e) = literal_value(&text, kind) {
        return Some(Err(ParserError::ParserError(e)));
    }
    Some(Ok(marker(&text, kind)))
}

/// Spark's INVALID_NUMERIC_LITERAL_RANGE.
fn out_of_range(text: &str, kind: LiteralKind, min: &str, max: &str) -> String {
    format!(
        "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal {text} is outside the valid range for {} \
         with minimum value of {min} and maximum value of {max}. Please adjust the value \
         accordingly. SQLSTATE: 22003",
        kind.name().to_ascii_lowercase()
    )
}

/// The value of a typed number (`text` may start with `-`), or Spark's error for it.
pub fn literal_value(text: &str, kind: LiteralKind) -> std::result::Result<ScalarValue, String> {
    fn int<T: std::str::FromStr + ToString + Copy>(
        text: &str,
        kind: LiteralKind,
        min: T,
        max: T,
    ) -> std::result::Result<T, String> {
        text.parse::<T>()
            .map_err(|_| out_of_range(text, kind, &min.to_string(), &max.to_string()))
    }
    Ok(match kind {
        LiteralKind::TinyInt => ScalarValue::Int8(Some(int(text, kind, i8::MIN, i8::MAX)?)),
        LiteralKind::SmallInt => ScalarValue::Int16(Some(int(text, kind, i16::MIN, i16::MAX)?)),
        LiteralKind::BigInt => ScalarValue::Int64(Some(int(text, kind, i64::MIN, i64::MAX)?)),
        LiteralKind::Double => {
            // Rust's parse rounds correctly, as Java's Double.parseDouble does.
            let v: f64 = text.parse().map_err(|_| format!("invalid number {text}"))?;
            if v.is_infinite() {
                return Err(out_of_range(
                    text,
                    kind,
                    "-1.7976931348623157E+308",
                    "1.7976931348623157E+308",
                ));
            }
            ScalarValue::Float64(Some(v))
        }
        LiteralKind::Float => {
            let v: f32 = text.parse().map_err(|_| format!("invalid number {text}"))?;
            if v.is_infinite() {
                return Err(out_of_range(
                    text,
                    kind,
                    "-3.4028234663852886E+38",
                    "3.4028234663852886E+38",
                ));
            }
            ScalarValue::Float32(Some(v))
        }
        LiteralKind::Decimal => {
            let (unscaled, precision, scale) = decimal_literal(text)?;
            ScalarValue::Decimal128(Some(unscaled), precision, scale)
        }
    })
}

/// `text` as Spark's DECIMAL literal (Java's BigDecimal, then Spark's Decimal: a negative scale
/// becomes scale 0, and the precision is at least the scale): (unscaled, precision, scale).
pub fn decimal_literal(text: &str) -> std::result::Result<(i128, u8, i8), String> {
    let too_big = || {
        format!(
            "[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision exceeds max precision 38 \
             in literal {text}. SQLSTATE: 22003"
        )
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = body[i + 1..]
                .parse()
                .map_err(|_| format!("invalid number {text}"))?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !is_decimal_digits(mantissa) {
        return Err(format!("invalid number {text}"));
    }
    let digits = format!("{int}{frac}");
    let significant = digits.trim_start_matches('0');
    let mut scale = i32::try_from(frac.len()).map_err(|_| too_big())? - exponent;
    let mut precision = i32::try_from(significant.len().max(1)).map_err(|_| too_big())?;
    let mut unscaled: i128 = if significant.is_empty() {
        0
    } else if significant.len() > 38 {
        return Err(too_big());
    } else {
        significant.parse().map_err(|_| too_big())?
    };
    if scale < 0 {
        precision -= scale;
        if precision > 38 {
            return Err(too_big());
        }
        unscaled *= 10i128.pow((-scale) as u32);
        scale = 0;
    }
    precision = precision.max(scale);
    if precision > 38 {
        return Err(too_big());
    }
    if negative {
        unscaled = -unscaled;
    }
    Ok((unscaled, precision as u8, scale as i8))
}

/// The (text, kind) of a marker call's literal arguments.
pub fn marker_args(args: &[Option<&ScalarValue>]) -> Option<(String, LiteralKind)> {
    match args {
        [Some(ScalarValue::Utf8(Some(text))), Some(ScalarValue::Utf8(Some(kind)))] => {
            Some((text.clone(), LiteralKind::from_name(kind)?))
        }
        _ => None,
    }
}

/// `spark_typed_literal(text, type)`: the literal a Spark typed number names.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TypedLiteral {
    signature: Signature,
}

impl Default for TypedLiteral {
    fn default() -> Self {
        TypedLiteral {
            signature: Signature::exact(
                vec![DataType::Utf8, DataType::Utf8],
                Volatility::Immutable,
            ),
        }
    }
}

impl TypedLiteral {
    fn value(args: &[Option<&ScalarValue>]) -> Result<ScalarValue> {
        let Some((text, kind)) = marker_args(args) else {
            return plan_err!("{TYPED_LITERAL} takes a number text and a type name literal");
        };
        literal_value(&text, kind).or_else(|e| plan_err!("{e}"))
    }
}

impl ScalarUDFImpl for TypedLiteral {
    fn name(&self) -> &str {
        TYPED_LITERAL
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("{TYPED_LITERAL}: return_field_from_args is used")
    }

    /// Named like the literal that replaces the call, so the column keeps one name.
    fn schema_name(&self, args: &[LogicalExpr]) -> Result<String> {
        let scalars: Vec<Option<&ScalarValue>> = args
            .iter()
            .map(|a| match a {
                LogicalExpr::Literal(v, _) => Some(v),
                _ => None,
            })
            .collect();
        Ok(LogicalExpr::Literal(Self::value(&scalars)?, None)
            .schema_name()
            .to_string())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let value = Self::value(args.scalar_arguments)?;
        Ok(Arc::new(Field::new(self.name(), value.data_type(), false)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalars: Vec<Option<&ScalarValue>> = args
            .args
            .iter()
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Some(s),
                ColumnarValue::Array(_) => None,
            })
            .collect();
        match Self::value(&scalars) {
            Ok(v) => Ok(ColumnarValue::Scalar(v)),
            Err(e) => exec_err!("{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::dialect::SparkDialect;

    fn parse(sql: &str) -> String {
        Parser::parse_sql(&SparkDialect, sql).unwrap()[0].to_string()
    }

    #[test]
    fn typed_numbers_become_markers() {
        assert_eq!(
            parse("SELECT 10L, 7s, 3Y, 1.5D, .5f, 1.5BD, 1e3, 1E3D, -128Y, - 2L"),
            "SELECT spark_typed_literal('10', 'BIGINT'), spark_typed_literal('7', 'SMALLINT'), \
             spark_typed_literal('3', 'TINYINT'), spark_typed_literal('1.5', 'DOUBLE'), \
             spark_typed_literal('.5', 'FLOAT'), spark_typed_literal('1.5', 'DECIMAL'), \
             spark_typed_literal('1e3', 'DOUBLE'), spark_typed_literal('1E3', 'DOUBLE'), \
             spark_typed_literal('-128', 'TINYINT'), spark_typed_literal('-2', 'BIGINT')"
        );
        // Not typed numbers: identifiers, an alias after a space, plain numbers.
        assert_eq!(
            parse("SELECT 10Lx, 1 L, 12, 1.5, a - 1 FROM t"),
            "SELECT 10Lx, 1 AS L, 12, 1.5, a - 1 FROM t"
        );
    }

    #[test]
    fn out_of_range_is_a_parse_error() {
        let e = Parser::parse_sql(&SparkDialect, "SELECT 128Y").unwrap_err();
        assert!(
            e.to_string().contains("INVALID_NUMERIC_LITERAL_RANGE"),
            "{e}"
        );
        assert!(Parser::parse_sql(&SparkDialect, "SELECT 9223372036854775808L").is_err());
        assert!(Parser::parse_sql(&SparkDialect, "SELECT 1e400D").is_err());
    }

    #[test]
    fn decimal_literals_follow_spark() {
        assert_eq!(decimal_literal("1.5"), Ok((15, 2, 1)));
        assert_eq!(decimal_literal("0.01"), Ok((1, 2, 2)));
        assert_eq!(decimal_literal("1e3"), Ok((1000, 4, 0)));
        assert_eq!(decimal_literal("-.5"), Ok((-5, 1, 1)));
        assert_eq!(decimal_literal("0"), Ok((0, 1, 0)));
        assert!(decimal_literal(&"9".repeat(39)).is_err());
    }
}
