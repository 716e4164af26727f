//! Spark 4's VARIANT functions: `parse_json`, `try_parse_json`, `variant_get`,
//! `try_variant_get` (the type and its encoding are in `crate::variant`).
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_schema.py, `variant_*`): `parse_json` of
//! malformed text raises MALFORMED_RECORD_IN_PARSING (`try_parse_json`: NULL, also for a
//! duplicate key); `variant_get(v, path, type)` is NULL where the path leads nowhere or to a JSON
//! null, casts with Spark's CAST (`"12"` to INT is 12, `1.5` to INT is 1) and raises
//! INVALID_VARIANT_CAST where that fails (`try_variant_get`: NULL); without a type it returns
//! the variant at the path. The `v:path` syntax is a syntax error in Spark 4.0.1 too.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, is_string_like, to_output};
use super::spark_cast::{cast_array, target_type, CastMode};
use super::SparkConf;
use crate::json::{parse_json, ParseJsonError};
use crate::schema::spark_type_name;
use crate::variant::{is_variant, variant_array, variant_get, variant_type, VariantPath};

/// `parse_json(s)` / `try_parse_json(s)`: a STRING as a VARIANT.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseJson {
    signature: Signature,
    /// `try_parse_json`: NULL instead of an error.
    try_mode: bool,
}

impl ParseJson {
    /// `parse_json` (raises on malformed text) or `try_parse_json` (NULL).
    pub fn new(try_mode: bool) -> Self {
        ParseJson {
            signature: Signature::user_defined(Volatility::Immutable),
            try_mode,
        }
    }
}

impl ScalarUDFImpl for ParseJson {
    fn name(&self) -> &str {
        if self.try_mode {
            "try_parse_json"
        } else {
            "parse_json"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(variant_type())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 1, 1)?;
        if !is_string_like(&arg_types[0]) {
            return plan_err!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {} needs a STRING, got {}",
                self.name(),
                spark_type_name(&arg_types[0]).to_uppercase()
            );
        }
        Ok(vec![DataType::Utf8])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let input = cast_array(&input, &DataType::Utf8, CastMode::Try, &Tz::UTC)?;
        let strings = input.as_string::<i32>();
        let mut values = Vec::with_capacity(strings.len());
        for s in strings.iter() {
            values.push(match s.map(parse_json) {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(_)) if self.try_mode => None,
                Some(Err(e @ ParseJsonError::Malformed(_))) => {
                    return exec_err!(
                        "{e} To process malformed records as null result, try \
                         setting the option 'mode' as 'PERMISSIVE'."
                    )
                }
                Some(Err(e)) => return exec_err!("{e}"),
            });
        }
        to_output(&args.args[..1], variant_array(&values))
    }
}

/// `variant_get(v, path[, type])` / `try_variant_get(...)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VariantGet {
    signature: Signature,
    /// `try_variant_get`: NULL where the value does not cast.
    try_mode: bool,
    time_zone: Tz,
}

impl VariantGet {
    /// `variant_get` or `try_variant_get` for a session's settings.
    pub fn new(conf: &SparkConf, try_mode: bool) -> Self {
        VariantGet {
            signature: Signature::user_defined(Volatility::Immutable),
            try_mode,
            time_zone: conf.session_time_zone,
        }
    }
}

/// A constant string argument (the path or the type).
fn constant<'a>(arg: Option<&'a ScalarValue>, function: &str, what: &str) -> Result<&'a str> {
    match arg.and_then(|v| v.try_as_str().flatten()) {
        Some(s) => Ok(s),
        None => plan_err!("{function}: the {what} must be a constant string"),
    }
}

impl ScalarUDFImpl for VariantGet {
    fn name(&self) -> &str {
        if self.try_mode {
            "try_variant_get"
        } else {
            "variant_get"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!(
            "{}: the return type comes from the type argument",
            self.name()
        )
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let data_type = match args.scalar_arguments.get(2) {
            None => variant_type(),
            Some(arg) => {
                let text = constant(arg.as_ref().copied(), self.name(), "type")?;
                match target_type(text) {
                    Some(t) => t,
                    None => return plan_err!("{}: unsupported type {text}", self.name()),
                }
            }
        };
        Ok(Arc::new(Field::new(self.name(), data_type, true)))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 3)?;
        if !is_variant(&arg_types[0]) {
            return plan_err!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {} needs a VARIANT first argument, \
                 got {}",
                self.name(),
                spark_type_name(&arg_types[0]).to_uppercase()
            );
        }
        let mut out = vec![arg_types[0].clone()];
        out.extend(arg_types[1..].iter().map(|_| DataType::Utf8));
        Ok(out)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let path_text = match args.args.get(1) {
            Some(ColumnarValue::Scalar(v)) => constant(Some(v), self.name(), "path")?,
            _ => return plan_err!("{}: the path must be a constant string", self.name()),
        };
        let path =
            VariantPath::parse(path_text).map_err(|e| DataFusionError::Execution(e.to_string()))?;
        let target = args.return_field.data_type().clone();
        let input = args.args[0].to_array(args.number_rows)?;
        let out: ArrayRef = variant_get(
            &input,
            &path,
            Some(&target),
            !self.try_mode,
            &self.time_zone,
        )?;
        to_output(&args.args[..1], out)
    }
}
