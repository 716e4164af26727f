//! The comparison key of a collated string, which `sql::collation` puts wherever such a value is
//! compared, sorted, grouped or de-duplicated:
//!
//! - UTF8_LCASE: `utf8_lcase_key(s)` (a STRING, see `utf8_lcase`);
//! - any other: `collation_key(s, 'UNICODE_CI')`, a BINARY: ICU's sort key under an ICU
//!   collation, the UTF-8 bytes without trailing spaces under UTF8_BINARY_RTRIM, the UTF8_LCASE
//!   key of the string without trailing spaces under UTF8_LCASE_RTRIM. Unsigned byte order is
//!   the collation's order.
//!
//! Neither is registered under a name: a user never writes them.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};

use super::common::{to_arrays, to_output, utf8};
use super::utf8_lcase;
use crate::schema::collation::{utf8_lcase_key_into, Collation};
use crate::schema::icu_collation::rtrim_spaces;

/// The BINARY key function's name, as it shows in plans.
pub const NAME: &str = "collation_key";

/// `key(e)` for collation `c`: the expression to compare in place of the string `e`.
pub fn call(e: Expr, c: Collation) -> Expr {
    match c {
        Collation::Utf8Binary => e,
        Collation::Utf8Lcase => utf8_lcase::call(e),
        c => Expr::ScalarFunction(ScalarFunction::new_udf(
            Arc::clone(&UDF),
            vec![e, Expr::Literal(ScalarValue::Utf8(Some(c.name())), None)],
        )),
    }
}

/// The collation whose key `e` computes, when `e` is a call of a key function.
pub fn collation_of_call(e: &Expr) -> Option<Collation> {
    if utf8_lcase::is_call(e) {
        return Some(Collation::Utf8Lcase);
    }
    match e {
        Expr::ScalarFunction(f) if f.name() == NAME => match f.args.get(1) {
            Some(Expr::Literal(v, _)) => Collation::from_name(v.try_as_str()??).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` is a call of a key function.
pub fn is_call(e: &Expr) -> bool {
    collation_of_call(e).is_some()
}

/// The BINARY keys of `strings` under `c` (see the module docs).
fn binary_keys(c: Collation, strings: &ArrayRef) -> Result<ArrayRef> {
    let icu = match c {
        Collation::Icu(icu) => match icu.sort_keys() {
            Ok(k) => Some(k),
            Err(e) => return exec_err!("{e}"),
        },
        _ => None,
    };
    let strs = utf8(strings)?;
    let strs = strs.as_string::<i32>();
    let mut out = BinaryBuilder::with_capacity(strs.len(), strs.value_data().len() * 2);
    let (mut key, mut lcase) = (Vec::new(), String::new());
    for s in strs.iter() {
        let Some(s) = s else {
            out.append_null();
            continue;
        };
        match (&icu, c) {
            (Some(sort_keys), _) => {
                key.clear();
                sort_keys.write(s, &mut key);
                out.append_value(&key);
            }
            (None, Collation::Utf8LcaseRtrim) => {
                lcase.clear();
                utf8_lcase_key_into(rtrim_spaces(s), &mut lcase);
                out.append_value(&lcase);
            }
            (None, _) => out.append_value(rtrim_spaces(s)),
        }
    }
    Ok(Arc::new(out.finish()))
}

static UDF: LazyLock<Arc<ScalarUDF>> =
    LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CollationKey::default())));

/// `collation_key(s, collation_name)`: the BINARY comparison key of `s` under the named
/// collation.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CollationKey {
    signature: Signature,
}

impl Default for CollationKey {
    fn default() -> Self {
        let strings = [DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View];
        CollationKey {
            signature: Signature::one_of(
                strings
                    .iter()
                    .map(|t| TypeSignature::Exact(vec![t.clone(), DataType::Utf8]))
                    .collect(),
                Volatility::Immutable,
            ),
        }
    }
}

impl ScalarUDFImpl for CollationKey {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = match args.args.get(1) {
            Some(ColumnarValue::Scalar(v)) => v.try_as_str().flatten().unwrap_or_default(),
            _ => return exec_err!("{NAME} takes a literal collation name"),
        };
        let collation = match Collation::from_name(name) {
            Ok(c) => c,
            Err(e) => return exec_err!("{NAME}: {e}"),
        };
        let value = &args.args[..1];
        let arrays = to_arrays(value)?;
        to_output(value, binary_keys(collation, &arrays[0])?)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::StringArray;

    use super::*;

    fn key_strings(name: &str, values: &[&str]) -> Vec<Vec<u8>> {
        let c = Collation::from_name(name).unwrap();
        let array: ArrayRef = Arc::new(StringArray::from(values.to_vec()));
        let keys = binary_keys(c, &array).unwrap();
        let keys = keys.as_binary::<i32>();
        keys.iter().map(|k| k.unwrap().to_vec()).collect()
    }

    #[test]
    fn rtrim_keys_ignore_trailing_spaces_only() {
        let k = key_strings("UTF8_BINARY_RTRIM", &["a", "a  ", "A", "a\t", " a"]);
        assert_eq!(k[0], k[1]);
        assert_ne!(k[0], k[2]);
        assert!(k[0] < k[3] && k[4] < k[2]);
        let k = key_strings("UTF8_LCASE_RTRIM", &["a", "A  "]);
        assert_eq!(k[0], k[1]);
    }
}
