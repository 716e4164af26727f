//! `regexp_extract(str, regexp[, idx])` and `regexp_extract_all(str, regexp[, idx])` with Spark's
//! semantics: a Java regex (translated, see `java_regex`), the first match found by
//! `Matcher.find()` (or every match), group `idx` (default 1, 0 is the whole match), `""` when
//! nothing matches or the group did not take part, and INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX
//! when the pattern has fewer groups than `idx`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::{Captures, Regex};

use super::common::{
    check_arg_count, coerce_int64, coerce_string, int64, to_arrays, to_output, utf8,
};
use super::java_regex;

/// Spark's `regexp_extract` (`all: false`) or `regexp_extract_all` (`all: true`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpExtract {
    signature: Signature,
    all: bool,
}

impl RegexpExtract {
    /// `regexp_extract`.
    pub fn first() -> Self {
        RegexpExtract {
            signature: Signature::user_defined(Volatility::Immutable),
            all: false,
        }
    }

    /// `regexp_extract_all`.
    pub fn all() -> Self {
        RegexpExtract {
            signature: Signature::user_defined(Volatility::Immutable),
            all: true,
        }
    }
}

/// Captures in `Matcher.find()` order.
fn captures_iter<'h>(re: &Regex, s: &'h str) -> Vec<Captures<'h>> {
    let mut out = Vec::new();
    let mut from = 0;
    while from <= s.len() {
        let Some(caps) = re.captures_at(s, from) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        from = if m.is_empty() {
            m.end() + s[m.end()..].chars().next().map_or(1, char::len_utf8)
        } else {
            m.end()
        };
        out.push(caps);
    }
    out
}

impl ScalarUDFImpl for RegexpExtract {
    fn name(&self) -> &str {
        if self.all {
            "regexp_extract_all"
        } else {
            "regexp_extract"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.all {
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
        } else {
            DataType::Utf8
        })
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
        let idxs = arrays.get(2).map(int64).transpose()?;
        let idxs = idxs.as_ref().map(|p| p.as_primitive::<Int64Type>());
        let mut single = StringBuilder::new();
        let mut lists = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            true,
        )));
        for i in 0..strs.len() {
            let idx = match idxs {
                Some(p) if p.is_null(i) => None,
                Some(p) => Some(p.value(i)),
                None => Some(1),
            };
            let (Some(idx), false, false) = (idx, strs.is_null(i), pats.is_null(i)) else {
                if self.all {
                    lists.append_null();
                } else {
                    single.append_null();
                }
                continue;
            };
            let re = java_regex::compile(pats.value(i), self.name())?;
            let groups = re.captures_len() as i64 - 1;
            if idx < 0 || idx > groups {
                return Err(DataFusionError::Execution(format!(
                    "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) `idx` in `{}` is invalid: \
                     Expects group index between 0 and {groups}, but got {idx}. SQLSTATE: 22023",
                    self.name()
                )));
            }
            let group = |c: &Captures| c.get(idx as usize).map_or("", |m| m.as_str()).to_string();
            let caps = captures_iter(&re, strs.value(i));
            if self.all {
                for c in &caps {
                    lists.values().append_value(group(c));
                }
                lists.append(true);
            } else {
                single.append_value(caps.first().map(group).unwrap_or_default());
            }
        }
        let result: ArrayRef = if self.all {
            Arc::new(lists.finish())
        } else {
            Arc::new(single.finish())
        };
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::eval;

    #[tokio::test]
    async fn extracts_like_spark() {
        assert_eq!(
            eval(r"SELECT regexp_extract('26k', '(\d+)([kM]?)', 1)").await,
            "26"
        );
        assert_eq!(
            eval(r"SELECT regexp_extract('26k', '(\d+)([kM]?)', 2)").await,
            "k"
        );
        assert_eq!(eval("SELECT regexp_extract('none', '(a)', 1)").await, "");
        assert_eq!(eval("SELECT regexp_extract('abc', '(a)(x)?', 2)").await, "");
        assert_eq!(
            eval(r"SELECT regexp_extract_all('a1b22', '(\d+)', 1)").await,
            "[1, 22]"
        );
    }
}
