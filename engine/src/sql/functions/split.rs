//! `split(str, regex[, limit])` with Spark's semantics.
//!
//! DataFusion has no `split` (only `string_to_array` with a literal delimiter). Spark splits with
//! a Java regex through `UTF8String.split`, which calls `String.split(regex, limit)` but maps
//! limit 0 to -1, so trailing empty strings are kept (`split('a,b,,', ',')` is `["a","b","",""]`),
//! and treats an empty pattern specially: one element per character, no trailing empty string.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::common::{
    check_arg_count, coerce_int64, coerce_string, int64, to_arrays, to_output, utf8,
};
use super::java_regex;

/// Spark's `split`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Split {
    signature: Signature,
}

impl Default for Split {
    fn default() -> Self {
        Split {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Split {
    fn name(&self) -> &str {
        "split"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Utf8,
            true,
        ))))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 3)?;
        arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i < 2 {
                    coerce_string(self.name(), t)
                } else {
                    coerce_int64(self.name(), t)
                }
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (strs, pats) = (utf8(&arrays[0])?, utf8(&arrays[1])?);
        let (strs, pats) = (strs.as_string::<i32>(), pats.as_string::<i32>());
        let limits = arrays.get(2).map(int64).transpose()?;
        let limits = limits.as_ref().map(|l| l.as_primitive::<Int64Type>());
        let mut out = ListBuilder::new(StringBuilder::new())
            .with_field(Arc::new(Field::new_list_field(DataType::Utf8, true)));
        let mut last: Option<(&str, Arc<Regex>)> = None;
        for i in 0..strs.len() {
            let limit = match limits {
                Some(l) if l.is_null(i) => None,
                Some(l) => Some(l.value(i).clamp(i32::MIN as i64, i32::MAX as i64)),
                None => Some(-1),
            };
            let (Some(limit), false, false) = (limit, strs.is_null(i), pats.is_null(i)) else {
                out.append_null();
                continue;
            };
            let (s, pat) = (strs.value(i), pats.value(i));
            let parts = if pat.is_empty() {
                split_chars(s, limit)
            } else {
                if !matches!(&last, Some((p, _)) if *p == pat) {
                    last = Some((pat, java_regex::compile(pat, "split")?));
                }
                match &last {
                    Some((_, re)) => java_split(re, s, limit),
                    None => vec![s],
                }
            };
            for part in parts {
                out.values().append_value(part);
            }
            out.append(true);
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args, result)
    }
}

/// `UTF8String.split` with an empty pattern: one element per character; with a positive limit
/// the last element holds the rest. An empty input gives `[""]`.
fn split_chars(s: &str, limit: i64) -> Vec<&str> {
    if s.is_empty() {
        return vec![s];
    }
    let count = s.chars().count();
    let n = if limit <= 0 || limit as usize > count {
        count
    } else {
        limit as usize
    };
    let mut parts = Vec::with_capacity(n);
    let mut rest = s;
    for _ in 0..n - 1 {
        let len = rest.chars().next().map_or(0, char::len_utf8);
        parts.push(&rest[..len]);
        rest = &rest[len..];
    }
    parts.push(rest);
    parts
}

/// `java.util.regex.Pattern.split(input, limit)` with limit 0 treated as -1 (Spark).
fn java_split<'h>(re: &Regex, s: &'h str, limit: i64) -> Vec<&'h str> {
    let limited = limit > 0;
    let mut parts: Vec<&'h str> = Vec::new();
    let mut index = 0;
    for m in java_regex::find_iter(re, s, 0) {
        if !limited || (parts.len() as i64) < limit - 1 {
            // No empty leading substring for a zero-width match at the beginning.
            if index == 0 && m.start() == 0 && m.end() == 0 {
                continue;
            }
            parts.push(&s[index..m.start()]);
            index = m.end();
        } else {
            // The limit is reached: the last element is the rest of the input.
            parts.push(&s[index..]);
            index = m.end();
            break;
        }
    }
    if index == 0 {
        return vec![s];
    }
    if !limited || (parts.len() as i64) < limit {
        parts.push(&s[index..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};

    use super::super::common::test_support::{context, first};

    async fn split(sql: &str) -> Option<Vec<String>> {
        let col = first(&context(false), sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let list = col.as_list::<i32>();
        if list.is_null(0) {
            return None;
        }
        let values = list.value(0);
        let strings = values.as_string::<i32>();
        Some(
            (0..strings.len())
                .map(|i| strings.value(i).to_string())
                .collect(),
        )
    }

    fn v(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    #[tokio::test]
    async fn keeps_trailing_empty_strings() {
        assert_eq!(
            split("SELECT split('a,b,,c', ',')").await,
            v(&["a", "b", "", "c"])
        );
        assert_eq!(
            split("SELECT split('a,b,,c,,', ',')").await,
            v(&["a", "b", "", "c", "", ""])
        );
        assert_eq!(split("SELECT split(',a', ',')").await, v(&["", "a"]));
        assert_eq!(split("SELECT split('', ',')").await, v(&[""]));
        assert_eq!(split("SELECT split('abc', ',')").await, v(&["abc"]));
    }

    #[tokio::test]
    async fn regex_and_limit() {
        assert_eq!(
            split(r"SELECT split('oneAtwoBthreeC', '[ABC]')").await,
            v(&["one", "two", "three", ""])
        );
        assert_eq!(
            split(r"SELECT split('oneAtwoBthreeC', '[ABC]', 2)").await,
            v(&["one", "twoBthreeC"])
        );
        assert_eq!(
            split(r"SELECT split('oneAtwoBthreeC', '[ABC]', 0)").await,
            v(&["one", "two", "three", ""])
        );
        assert_eq!(
            split(r"SELECT split('a1b22c', '\d+')").await,
            v(&["a", "b", "c"])
        );
        assert_eq!(
            split("SELECT split('a.b', '.')").await,
            v(&["", "", "", ""]),
            "the pattern is a regex"
        );
        assert_eq!(
            split("SELECT split('Local save in /data/x', 'Local save in')").await,
            v(&["", " /data/x"])
        );
    }

    #[tokio::test]
    async fn empty_pattern_splits_characters() {
        assert_eq!(split("SELECT split('abc', '')").await, v(&["a", "b", "c"]));
        assert_eq!(split("SELECT split('abc', '', 2)").await, v(&["a", "bc"]));
        assert_eq!(split("SELECT split('', '')").await, v(&[""]));
    }

    #[tokio::test]
    async fn nulls() {
        assert_eq!(split("SELECT split(NULL, ',')").await, None);
        assert_eq!(split("SELECT split('a', NULL)").await, None);
    }
}
