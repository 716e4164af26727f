//! The functions `sql::collation` puts in a plan for UTF8_LCASE values; none is registered
//! under a name, since a user never writes them:
//!
//! - `utf8_lcase_key(s)`: the comparison key, wherever a collated string is compared, sorted,
//!   grouped or de-duplicated;
//! - `utf8_lcase_replace(s, search, replacement)`: Spark's `replace` under UTF8_LCASE, which
//!   finds `search` case-insensitively.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{to_arrays, to_output, utf8};
use crate::schema::collation::{utf8_lcase_key, utf8_lcase_key_into};

/// The key function's name, as it shows in plans.
pub const NAME: &str = "utf8_lcase_key";

/// The replace function's name, as it shows in plans.
pub const REPLACE_NAME: &str = "utf8_lcase_replace";

/// The UTF8_LCASE comparison key of a string column (see `schema::collation`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Utf8LcaseKey {
    signature: Signature,
}

impl Default for Utf8LcaseKey {
    fn default() -> Self {
        Utf8LcaseKey {
            signature: Signature::uniform(
                1,
                vec![DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View],
                Volatility::Immutable,
            ),
        }
    }
}

static UDF: LazyLock<Arc<ScalarUDF>> =
    LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(Utf8LcaseKey::default())));

static REPLACE_UDF: LazyLock<Arc<ScalarUDF>> =
    LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(Utf8LcaseReplace::default())));

/// `utf8_lcase_key(e)`.
pub fn call(e: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(&UDF), vec![e]))
}

/// `utf8_lcase_replace(args...)`, for the arguments of a `replace` call.
pub fn replace_call(args: Vec<Expr>) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(&REPLACE_UDF), args))
}

/// Whether `e` is a call of `utf8_lcase_key`.
pub fn is_call(e: &Expr) -> bool {
    matches!(e, Expr::ScalarFunction(f) if f.name() == NAME)
}

impl ScalarUDFImpl for Utf8LcaseKey {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        to_output(&args.args, lcase_keys(&arrays[0])?)
    }
}

/// The UTF8_LCASE key of every string in `strings` (a `Utf8` array; NULL stays NULL).
pub fn lcase_keys(strings: &ArrayRef) -> Result<ArrayRef> {
    let strs = utf8(strings)?;
    let strs = strs.as_string::<i32>();
    let mut out = StringBuilder::with_capacity(strs.len(), strs.value_data().len());
    let mut key = String::new();
    for s in strs.iter() {
        match s {
            None => out.append_null(),
            Some(s) => {
                key.clear();
                utf8_lcase_key_into(s, &mut key);
                out.append_value(&key);
            }
        }
    }
    Ok(Arc::new(out.finish()))
}

/// Spark's `replace` under UTF8_LCASE (`CollationAwareUTF8String.lowercaseReplace`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Utf8LcaseReplace {
    signature: Signature,
}

impl Default for Utf8LcaseReplace {
    fn default() -> Self {
        Utf8LcaseReplace {
            signature: Signature::string(3, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Utf8LcaseReplace {
    fn name(&self) -> &str {
        REPLACE_NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let cols = arrays.iter().map(utf8).collect::<Result<Vec<_>>>()?;
        let (s, search, with) = (
            cols[0].as_string::<i32>(),
            cols[1].as_string::<i32>(),
            cols[2].as_string::<i32>(),
        );
        let mut out = StringBuilder::with_capacity(s.len(), s.value_data().len());
        for i in 0..s.len() {
            if s.is_null(i) || search.is_null(i) || with.is_null(i) {
                out.append_null();
            } else {
                out.append_value(lcase_replace(s.value(i), search.value(i), with.value(i)));
            }
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

/// Replaces every match of `search` in `s`, matching by UTF8_LCASE keys, left to right and not
/// overlapping; a match starts and ends on characters of `s`. An empty `search` changes nothing.
pub fn lcase_replace(s: &str, search: &str, with: &str) -> String {
    let target = utf8_lcase_key(search);
    if target.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    while let Some(c) = s[at..].chars().next() {
        match lcase_match_len(&s[at..], &target) {
            Some(len) => {
                out.push_str(with);
                at += len;
            }
            None => {
                out.push(c);
                at += c.len_utf8();
            }
        }
    }
    out
}

/// The byte length of the shortest prefix of `s` whose UTF8_LCASE key is `target`, if any.
fn lcase_match_len(s: &str, target: &str) -> Option<usize> {
    let mut key = String::with_capacity(target.len());
    for (i, c) in s.char_indices() {
        utf8_lcase_key_into(c.encode_utf8(&mut [0; 4]), &mut key);
        if key.len() >= target.len() {
            return (key == target).then_some(i + c.len_utf8());
        }
        if !target.starts_with(key.as_str()) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_matches_case_insensitively() {
        assert_eq!(lcase_replace("Abc", "b", "-"), "A-c");
        assert_eq!(lcase_replace("aBcBC", "bc", "x"), "axx");
        assert_eq!(lcase_replace("abc", "", "x"), "abc");
        assert_eq!(lcase_replace("İx", "i\u{307}", "-"), "-x");
        // Half of İ's lower case is not a match: matches end on characters of `s`.
        assert_eq!(lcase_replace("İx", "i", "-"), "İx");
        assert_eq!(lcase_replace("ΣΑΣ", "ς", "s"), "sΑs");
    }
}
