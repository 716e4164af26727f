//! Spark's functions over JSON text: `get_json_object(json, path)`, `json_array_length(json)`
//! and `json_object_keys(json)` (the reading is in `json::path`).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Builder, ListBuilder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{to_arrays, to_output, utf8};
use crate::json::{get_json_object, json_array_length, json_object_keys};

/// Which of the functions a [`JsonText`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonTextFn {
    /// `get_json_object(json, path)`: STRING.
    GetJsonObject,
    /// `json_array_length(json)`: INT.
    ArrayLength,
    /// `json_object_keys(json)`: ARRAY<STRING>.
    ObjectKeys,
}

/// One of Spark's JSON text functions.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonText {
    signature: Signature,
    which: JsonTextFn,
}

impl JsonText {
    /// The UDF for `which`.
    pub fn new(which: JsonTextFn) -> Self {
        let args = if which == JsonTextFn::GetJsonObject {
            2
        } else {
            1
        };
        JsonText {
            signature: Signature::string(args, Volatility::Immutable),
            which,
        }
    }
}

impl ScalarUDFImpl for JsonText {
    fn name(&self) -> &str {
        match self.which {
            JsonTextFn::GetJsonObject => "get_json_object",
            JsonTextFn::ArrayLength => "json_array_length",
            JsonTextFn::ObjectKeys => "json_object_keys",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.which {
            JsonTextFn::GetJsonObject => DataType::Utf8,
            JsonTextFn::ArrayLength => DataType::Int32,
            JsonTextFn::ObjectKeys => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
            }
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let json = utf8(&arrays[0])?;
        let json = json.as_string::<i32>();
        let rows = 0..json.len();
        let text = |i: usize| (!json.is_null(i)).then(|| json.value(i));
        let result: ArrayRef = match self.which {
            JsonTextFn::GetJsonObject => {
                let path = utf8(&arrays[1])?;
                let path = path.as_string::<i32>();
                let mut out = StringBuilder::with_capacity(json.len(), json.len() * 8);
                for i in rows {
                    let p = (!path.is_null(i)).then(|| path.value(i));
                    match (text(i), p) {
                        (Some(j), Some(p)) => out.append_option(get_json_object(j, p)),
                        _ => out.append_null(),
                    }
                }
                Arc::new(out.finish())
            }
            JsonTextFn::ArrayLength => {
                let mut out = Int32Builder::with_capacity(json.len());
                for i in rows {
                    let n = text(i).and_then(json_array_length);
                    out.append_option(n.and_then(|n| i32::try_from(n).ok()));
                }
                Arc::new(out.finish())
            }
            JsonTextFn::ObjectKeys => {
                let mut out = ListBuilder::new(StringBuilder::new());
                for i in rows {
                    match text(i).and_then(json_object_keys) {
                        Some(keys) => {
                            for k in keys {
                                out.values().append_value(k);
                            }
                            out.append(true);
                        }
                        None => out.append(false),
                    }
                }
                Arc::new(out.finish())
            }
        };
        to_output(&args.args, result)
    }
}
