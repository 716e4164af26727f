//! `rlike(str, regexp)` (also `regexp_like`): true when the Java regex matches anywhere in `str`.
//!
//! datafusion-spark has no `rlike`, and DataFusion's `regexp_like` takes Rust syntax plus a flags
//! argument; Spark's `RLike` is `Pattern.compile(regexp).matcher(str).find(0)` — unanchored.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

use super::common::{check_arg_count, coerce_string, to_arrays, to_output, utf8};
use super::java_regex;

/// Spark's `rlike` / `regexp_like`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RLike {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for RLike {
    fn default() -> Self {
        RLike {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: vec!["regexp_like".to_string()],
        }
    }
}

impl ScalarUDFImpl for RLike {
    fn name(&self) -> &str {
        "rlike"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 2)?;
        arg_types
            .iter()
            .map(|t| coerce_string(self.name(), t))
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (strs, pats) = (utf8(&arrays[0])?, utf8(&arrays[1])?);
        let (strs, pats) = (strs.as_string::<i32>(), pats.as_string::<i32>());
        let mut out = BooleanBuilder::with_capacity(strs.len());
        let mut last: Option<(&str, Arc<Regex>)> = None;
        for i in 0..strs.len() {
            if strs.is_null(i) || pats.is_null(i) {
                out.append_null();
                continue;
            }
            let pat = pats.value(i);
            if !matches!(&last, Some((p, _)) if *p == pat) {
                last = Some((pat, java_regex::compile(pat, "rlike")?));
            }
            out.append_option(last.as_ref().map(|(_, re)| re.is_match(strs.value(i))));
        }
        let result: ArrayRef = Arc::new(out.finish());
        to_output(&args.args, result)
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::eval;

    #[tokio::test]
    async fn unanchored_java_regex() {
        assert_eq!(eval("SELECT rlike('12k', '[0-9]{1,}[kM]?')").await, "true");
        assert_eq!(
            eval("SELECT rlike('User Info Error', '[0-9]{1,}[kM]?')").await,
            "false"
        );
        assert_eq!(eval(r"SELECT rlike('abc', '^\p{Lower}+$')").await, "true");
        assert_eq!(eval("SELECT regexp_like('abc', 'B')").await, "false");
        assert_eq!(eval("SELECT rlike(NULL, 'a')").await, "NULL");
    }
}
