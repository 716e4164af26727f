//! Spark's `collate(expr, name)`, which the SQL clause `expr COLLATE name` becomes: the value
//! unchanged, typed as a STRING of the named collation. Spark calls this an explicit collation;
//! `sql::collation` lets it win over a column's own (implicit) one.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, is_string_like, to_arrays, to_output, utf8};
use crate::schema::collation::{collation_metadata, Collation};

/// The function's name, in SQL and in plans.
pub const NAME: &str = "collate";

/// `collate(expr, 'name')`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Collate {
    signature: Signature,
}

impl Default for Collate {
    fn default() -> Self {
        Collate {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// The collation a COLLATE clause names, or Spark's error for it: Spark 4.0.1 refuses the
/// `_RTRIM` collations here (a read schema may still declare them).
fn clause_collation(name: &str) -> Result<Collation> {
    if name.split('_').any(|p| p.eq_ignore_ascii_case("RTRIM")) {
        return plan_err!(
            "[UNSUPPORTED_FEATURE.TRIM_COLLATION] The feature is not supported: TRIM specifier \
             in the collation ('{name}' in a COLLATE clause; a read schema may declare it)"
        );
    }
    Collation::from_name(name).or_else(|e| plan_err!("{e}"))
}

/// The collation named by a `collate(...)` call, if `e` is a valid one.
pub fn explicit_collation(e: &Expr) -> Option<Collation> {
    match e {
        Expr::ScalarFunction(f) if f.name() == NAME => match f.args.get(1) {
            Some(Expr::Literal(v, _)) => clause_collation(v.try_as_str()??).ok(),
            _ => None,
        },
        _ => None,
    }
}

impl ScalarUDFImpl for Collate {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let name = match args.scalar_arguments.get(1) {
            Some(Some(
                ScalarValue::Utf8(Some(s))
                | ScalarValue::LargeUtf8(Some(s))
                | ScalarValue::Utf8View(Some(s)),
            )) => s.clone(),
            _ => {
                return plan_err!(
                    "collate: the collation must be a name, e.g. x COLLATE UNICODE_CI"
                )
            }
        };
        let field = Field::new(NAME, DataType::Utf8, true);
        Ok(Arc::new(match clause_collation(&name)? {
            Collation::Utf8Binary => field,
            c => field.with_metadata(collation_metadata(c)),
        }))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(NAME, arg_types.len(), 2, 2)?;
        if !is_string_like(&arg_types[0]) {
            return plan_err!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"collate\" due to data \
                 type mismatch: The first parameter requires the \"STRING\" type, however it has \
                 the type \"{}\".",
                crate::schema::spark_type_name(&arg_types[0]).to_uppercase()
            );
        }
        Ok(vec![DataType::Utf8, DataType::Utf8])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let value = &args.args[..1];
        let arrays = to_arrays(value)?;
        to_output(value, utf8(&arrays[0])?)
    }
}
