//! Spark casts a VARIANT to STRING implicitly where a string function expects a string
//! (`upper(v)` of the variant `"x"` is `X`).
//!
//! DataFusion checks a function's argument types while it builds the plan, before any rewrite
//! could insert a cast, and spate's variant is an Arrow struct no string signature accepts. So the
//! string functions are wrapped: the wrapper accepts a variant wherever the function takes a
//! string, and turns it into Spark's `CAST(v AS STRING)` text before calling the function.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use datafusion::prelude::SessionContext;

use super::spark_cast::CastMode;
use crate::variant::{cast_variant, is_variant};

/// Spark's string functions that take a VARIANT through an implicit cast to STRING.
const STRING_FUNCTIONS: &[&str] = &[
    "upper",
    "lower",
    "ucase",
    "lcase",
    "length",
    "char_length",
    "character_length",
    "trim",
    "ltrim",
    "rtrim",
    "btrim",
    "substr",
    "substring",
    "left",
    "right",
    "concat",
    "concat_ws",
    "replace",
    "translate",
    "regexp_replace",
    "regexp_extract",
    "regexp_extract_all",
    "rlike",
    "regexp_like",
    "split",
    "lpad",
    "rpad",
    "initcap",
    "reverse",
    "repeat",
    "instr",
    "locate",
    "ascii",
    "md5",
    "sha1",
    "sha2",
    "contains",
    "startswith",
    "endswith",
];

/// Wraps the registered string functions of `ctx` so they take VARIANT arguments as Spark does.
pub fn register(ctx: &SessionContext, tz: Tz) {
    for name in STRING_FUNCTIONS {
        if let Ok(inner) = ctx.udf(name) {
            // Registering twice on one context must not wrap a wrapper.
            let any: &dyn std::any::Any = inner.inner().as_ref();
            if any.is::<VariantStringArgs>() {
                continue;
            }
            ctx.register_udf(ScalarUDF::new_from_impl(VariantStringArgs::new(inner, tz)));
        }
    }
}

/// A string function that also takes VARIANT arguments, cast to STRING first.
#[derive(Debug, PartialEq, Eq, Hash)]
struct VariantStringArgs {
    inner: Arc<ScalarUDF>,
    signature: Signature,
    tz: Tz,
}

impl VariantStringArgs {
    fn new(inner: Arc<ScalarUDF>, tz: Tz) -> Self {
        let signature = Signature::user_defined(inner.signature().volatility);
        VariantStringArgs {
            inner,
            signature,
            tz,
        }
    }
}

/// `t` with a variant replaced by the STRING it is cast to.
fn as_string(t: &DataType) -> DataType {
    if is_variant(t) {
        DataType::Utf8
    } else {
        t.clone()
    }
}

fn string_fields(fields: &[FieldRef]) -> Vec<FieldRef> {
    fields
        .iter()
        .map(|f| {
            if is_variant(f.data_type()) {
                Arc::new(Field::new(f.name(), DataType::Utf8, true))
            } else {
                Arc::clone(f)
            }
        })
        .collect()
}

impl ScalarUDFImpl for VariantStringArgs {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let types: Vec<DataType> = arg_types.iter().map(as_string).collect();
        self.inner.return_type(&types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let fields = string_fields(args.arg_fields);
        self.inner.return_field_from_args(ReturnFieldArgs {
            arg_fields: &fields,
            scalar_arguments: args.scalar_arguments,
        })
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let fields: Vec<FieldRef> = arg_types
            .iter()
            .map(|t| Arc::new(Field::new("f", as_string(t), true)))
            .collect();
        let coerced = fields_with_udf(&fields, self.inner.as_ref())?;
        // A variant stays a variant (the cast is Spark's, done in `invoke_with_args`) where the
        // function takes it as a string.
        Ok(arg_types
            .iter()
            .zip(coerced)
            .map(|(t, c)| {
                if is_variant(t) && c.data_type() == &DataType::Utf8 {
                    t.clone()
                } else {
                    c.data_type().clone()
                }
            })
            .collect())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        self.inner.schema_name(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !args.arg_fields.iter().any(|f| is_variant(f.data_type())) {
            return self.inner.invoke_with_args(args);
        }
        let arg_fields = string_fields(&args.arg_fields);
        let rows = args.number_rows;
        let values = args
            .args
            .into_iter()
            .map(|v| {
                if !is_variant(&v.data_type()) {
                    return Ok(v);
                }
                let text = cast_variant(
                    &v.into_array(rows)?,
                    &DataType::Utf8,
                    CastMode::Legacy,
                    &self.tz,
                )?;
                Ok(ColumnarValue::Array(text))
            })
            .collect::<Result<Vec<_>>>()?;
        self.inner.invoke_with_args(ScalarFunctionArgs {
            args: values,
            arg_fields,
            ..args
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, eval, value};

    #[tokio::test]
    async fn string_functions_take_a_variant_as_its_string_cast() {
        assert_eq!(eval("SELECT upper(parse_json('\"x\"'))").await, "X");
        assert_eq!(
            eval("SELECT concat(parse_json('{\"b\":1,\"a\":2}'), '!')").await,
            "{\"a\":2,\"b\":1}!"
        );
        assert_eq!(eval("SELECT length(parse_json('1.50'))").await, "3");
        assert_eq!(eval("SELECT upper(parse_json('null'))").await, "NULL");
    }

    #[tokio::test]
    async fn strings_and_wrong_types_are_unchanged() {
        assert_eq!(eval("SELECT upper('a')").await, "A");
        assert_eq!(eval("SELECT substr('hello', 2, 3)").await, "ell");
        let ctx = context(false);
        // Registering the Spark functions twice does not wrap a wrapper.
        super::register(&ctx, chrono_tz::Tz::UTC);
        assert_eq!(value(&ctx, "SELECT lower('B')").await.unwrap(), "b");
        assert!(value(&ctx, "SELECT upper(named_struct('a', 1))")
            .await
            .is_err());
    }
}
