//! `regexp_replace(str, regexp, rep[, position])` with Spark's semantics.
//!
//! DataFusion's built-in replaces only the first match unless given a `'g'` flag, uses Rust regex
//! syntax and Rust's `${1}` replacement syntax; Spark replaces every match, takes a Java regex and
//! Java's `Matcher.appendReplacement` syntax (`$1`, `${name}`, `\$` for a literal dollar), and its
//! optional fourth argument is a 1-based character position where the search starts.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::{Captures, Regex};

use super::common::{
    check_arg_count, coerce_int64, coerce_string, int64, to_arrays, to_output, utf8,
};
use super::java_regex;

/// Spark's `regexp_replace`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpReplace {
    signature: Signature,
}

impl Default for RegexpReplace {
    fn default() -> Self {
        RegexpReplace {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for RegexpReplace {
    fn name(&self) -> &str {
        "regexp_replace"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 3, 4)?;
        arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i < 3 {
                    coerce_string(self.name(), t)
                } else {
                    coerce_int64(self.name(), t)
                }
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (strs, pats, reps) = (utf8(&arrays[0])?, utf8(&arrays[1])?, utf8(&arrays[2])?);
        let (strs, pats, reps) = (
            strs.as_string::<i32>(),
            pats.as_string::<i32>(),
            reps.as_string::<i32>(),
        );
        let positions = arrays.get(3).map(int64).transpose()?;
        let positions = positions.as_ref().map(|p| p.as_primitive::<Int64Type>());
        let mut out = StringBuilder::with_capacity(strs.len(), strs.value_data().len());
        // Patterns and replacements are nearly always literals: reuse the last compiled pair.
        let mut last: Option<(&str, &str, Arc<Regex>, Result<Replacement, String>)> = None;
        for i in 0..strs.len() {
            let position = match positions {
                Some(p) if p.is_null(i) => None,
                Some(p) => Some(p.value(i)),
                None => Some(1),
            };
            if strs.is_null(i) || pats.is_null(i) || reps.is_null(i) || position.is_none() {
                out.append_null();
                continue;
            }
            let (s, pat, rep) = (strs.value(i), pats.value(i), reps.value(i));
            let position = position.unwrap_or(1);
            if position < 1 {
                return exec_err!(
                    "regexp_replace: the position argument must be positive, got {position}"
                );
            }
            if !matches!(&last, Some((p, r, _, _)) if *p == pat && *r == rep) {
                let re = java_regex::compile(pat, "regexp_replace")?;
                let parsed = Replacement::parse(rep, &re);
                last = Some((pat, rep, re, parsed));
            }
            if let Some((_, _, re, replacement)) = &last {
                out.append_value(replace(re, replacement, s, position as usize)?);
            }
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args, result)
    }
}

/// One part of a Java replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Group(usize),
    Named(String),
}

/// A parsed Java replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Replacement {
    pieces: Vec<Piece>,
}

impl Replacement {
    /// Parses like `Matcher.appendReplacement`: `$n` takes further digits only while the number
    /// stays a valid group (`$1a` is group 1 then `a`; `$12` is group 12 only if it exists).
    fn parse(rep: &str, re: &Regex) -> Result<Replacement, String> {
        let group_count = re.captures_len() - 1;
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = rep.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(escaped) => literal.push(escaped),
                    None => return Err("character to be escaped is missing".into()),
                },
                '$' => {
                    let reference = match chars.next() {
                        Some('{') => {
                            let mut name = String::new();
                            loop {
                                match chars.next() {
                                    Some('}') => break,
                                    Some(ch) if ch.is_ascii_alphanumeric() => name.push(ch),
                                    _ => {
                                        return Err(
                                            "named capturing group is missing trailing '}'".into()
                                        )
                                    }
                                }
                            }
                            if name.is_empty() || name.starts_with(|ch: char| ch.is_ascii_digit()) {
                                return Err("capturing group name must start with a letter".into());
                            }
                            if !re.capture_names().any(|n| n == Some(name.as_str())) {
                                return Err(format!("No group with name {{{name}}}"));
                            }
                            Piece::Named(name)
                        }
                        Some(d) if d.is_ascii_digit() => {
                            let mut number = d as usize - '0' as usize;
                            while let Some(next) = chars.peek().and_then(|ch| ch.to_digit(10)) {
                                let candidate = number * 10 + next as usize;
                                if candidate > group_count {
                                    break;
                                }
                                number = candidate;
                                chars.next();
                            }
                            if number > group_count {
                                return Err(format!("No group {number}"));
                            }
                            Piece::Group(number)
                        }
                        _ => return Err("Illegal group reference".into()),
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(reference);
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Replacement { pieces })
    }

    fn needs_groups(&self) -> bool {
        self.pieces.iter().any(|p| !matches!(p, Piece::Literal(_)))
    }

    fn expand(&self, caps: Option<&Captures>, out: &mut String) {
        for piece in &self.pieces {
            // A group that did not take part in the match appends nothing (Java's null group).
            let text = match piece {
                Piece::Literal(s) => Some(s.as_str()),
                Piece::Group(n) => caps.and_then(|c| c.get(*n)).map(|m| m.as_str()),
                Piece::Named(name) => caps.and_then(|c| c.name(name)).map(|m| m.as_str()),
            };
            out.push_str(text.unwrap_or(""));
        }
    }
}

/// Replaces every match at or after character `position` (1-based); the text before stays as is.
/// A bad replacement string only fails when there is something to replace, as in Java.
fn replace(
    re: &Regex,
    replacement: &Result<Replacement, String>,
    s: &str,
    position: usize,
) -> Result<String> {
    let skip = position - 1;
    let start = match s.char_indices().nth(skip) {
        Some((byte, _)) => byte,
        None if skip == 0 => 0,
        // Spark leaves the string alone when the position is past its end.
        None => return Ok(s.to_string()),
    };
    // Searching the suffix mirrors Java's region with anchoring, opaque bounds: `^` matches at
    // the region start and look-behind-like assertions (`\b`) do not see the prefix.
    let region = &s[start..];
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..start]);
    let mut copied = 0;
    for m in java_regex::find_iter(re, region, 0) {
        let replacement = match replacement {
            Ok(r) => r,
            Err(e) => return exec_err!("regexp_replace: invalid replacement string: {e}"),
        };
        out.push_str(&region[copied..m.start()]);
        let caps = if replacement.needs_groups() {
            re.captures_at(region, m.start())
        } else {
            None
        };
        replacement.expand(caps.as_ref(), &mut out);
        copied = m.end();
    }
    out.push_str(&region[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, eval, value};

    #[tokio::test]
    async fn replaces_every_match() {
        assert_eq!(eval("SELECT regexp_replace('aaa', 'a', 'b')").await, "bbb");
        assert_eq!(
            eval("SELECT regexp_replace('1.5k', 'k', '000')").await,
            "1.5000"
        );
        assert_eq!(
            eval("SELECT regexp_replace('Local save in /data/art', 'Local save in ', '')").await,
            "/data/art"
        );
    }

    #[tokio::test]
    async fn java_group_references() {
        assert_eq!(
            eval(r"SELECT regexp_replace('2024-01-02', '(\d+)-(\d+)-(\d+)', '$3/$2/$1')").await,
            "02/01/2024"
        );
        // `$1a` is group 1 followed by `a`; `$12` falls back to group 1 and `2` when there is no group 12.
        assert_eq!(
            eval("SELECT regexp_replace('xy', '(x)', '$1a')").await,
            "xay"
        );
        assert_eq!(
            eval("SELECT regexp_replace('xy', '(x)', '$12')").await,
            "x2y"
        );
        assert_eq!(
            eval("SELECT regexp_replace('xy', '(?<first>x)', '[${first}]')").await,
            "[x]y"
        );
        assert_eq!(eval(r"SELECT regexp_replace('a', 'a', '\$1')").await, "$1");
        assert_eq!(
            eval("SELECT regexp_replace('ab', '(x)?a', '[$1]')").await,
            "[]b"
        );
    }

    #[tokio::test]
    async fn bad_replacement_fails_only_when_used() {
        assert_eq!(eval("SELECT regexp_replace('abc', 'x', '$5')").await, "abc");
        let err = value(&context(false), "SELECT regexp_replace('abc', 'a', '$5')")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("No group 5"), "{err}");
    }

    #[tokio::test]
    async fn position_argument() {
        assert_eq!(
            eval("SELECT regexp_replace('aaa', 'a', 'b', 2)").await,
            "abb"
        );
        assert_eq!(
            eval("SELECT regexp_replace('aaa', '^a', 'b', 2)").await,
            "aba",
            "^ anchors at the region start"
        );
        assert_eq!(
            eval("SELECT regexp_replace('aaa', 'a', 'b', 4)").await,
            "aaa"
        );
        assert!(
            value(&context(false), "SELECT regexp_replace('aaa', 'a', 'b', 0)")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn nulls_and_empty_matches() {
        assert_eq!(eval("SELECT regexp_replace(NULL, 'a', 'b')").await, "NULL");
        assert_eq!(eval("SELECT regexp_replace('a', NULL, 'b')").await, "NULL");
        assert_eq!(eval("SELECT regexp_replace('a', 'a', NULL)").await, "NULL");
        assert_eq!(
            eval("SELECT regexp_replace('abc', '', '-')").await,
            "-a-b-c-"
        );
        assert_eq!(
            eval("SELECT regexp_replace('baaac', 'a*', '-')").await,
            "-b--c-"
        );
    }

    #[tokio::test]
    async fn java_regex_syntax() {
        assert_eq!(
            eval(r"SELECT regexp_replace('a1b22', '\d', '#')").await,
            "a#b##"
        );
        assert_eq!(
            eval(r"SELECT regexp_replace('ab12', '\p{Alpha}', '')").await,
            "12"
        );
        let err = value(&context(false), "SELECT regexp_replace('aaa', 'a++', 'b')")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("possessive"), "{err}");
    }

    #[tokio::test]
    async fn works_on_columns() {
        let ctx = context(false);
        let sql = "SELECT regexp_replace(s, p, r) FROM (VALUES ('10k', 'k', '000'), ('2M', 'M', '000000'), \
                   (NULL, 'k', '')) AS t(s, p, r)";
        let batches = ctx
            .sql(sql)
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
            .expect("formats")
            .to_string();
        assert!(text.contains("10000") && text.contains("2000000"), "{text}");
    }
}
