//! Spark's `from_json(json, schema[, options])`: JSON text to a STRUCT, decoded by spate's own
//! Spark-compatible JSON reader (`crate::json`), so values convert exactly as in a JSON file read.
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py, `from_json_*`):
//! - the schema is a literal: DDL (`a INT, b STRING`, or `STRUCT<...>`) or StructType JSON;
//! - NULL, empty or whitespace-only text gives a NULL struct;
//! - malformed text, a bad value, a top-level array, scalar or `null` is a bad record: under
//!   PERMISSIVE (the default) the struct is kept with the fields that failed (all, for syntax
//!   errors) NULL, and a `_corrupt_record` (or `columnNameOfCorruptRecord`) STRING field gets the
//!   text; FAILFAST raises; DROPMALFORMED is refused (PARSE_MODE_UNSUPPORTED);
//! - only the first JSON value is read (`{"a":1} junk` is `{a: 1}`), newlines inside are fine;
//! - zone-less timestamps use the `timeZone` option, else the session time zone.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, StringArray, StructArray,
};
use datafusion::arrow::compute::interleave;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, SchemaRef};
use datafusion::common::{exec_err, internal_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, is_string_like, to_output, utf8};
use super::json_fn_options::{check_options_type, options_map};
use super::SparkConf;
use crate::json::{decode_json_lines, output_schema, JsonOptions, ParseMode};
use crate::schema::parse_type_schema;

/// Spark's `from_json`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromJson {
    signature: Signature,
    /// `spark.sql.session.timeZone`, the default of the `timeZone` option.
    session_time_zone: String,
}

impl FromJson {
    /// `from_json` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        FromJson {
            signature: Signature::user_defined(Volatility::Immutable),
            session_time_zone: conf.session_time_zone.to_string(),
        }
    }

    /// The reader options: the call's options over the session's time zone.
    fn json_options(&self, options: &HashMap<String, String>) -> Result<JsonOptions> {
        let conf = HashMap::from([(
            "spark.sql.session.timeZone".to_string(),
            self.session_time_zone.clone(),
        )]);
        let mut opts = JsonOptions::from_options_and_conf(options, &conf)
            .map_err(|e| DataFusionError::Execution(format!("from_json: {e}")))?;
        if opts.mode == ParseMode::DropMalformed {
            return exec_err!(
                "[PARSE_MODE_UNSUPPORTED] The function `from_json` doesn't support the \
                 DROPMALFORMED mode. Acceptable modes are PERMISSIVE and FAILFAST. SQLSTATE: 42601"
            );
        }
        // Each value is one document; framing options of the file reader do not apply.
        opts.line_sep = None;
        opts.encoding = None;
        opts.multi_line = false;
        Ok(opts)
    }
}

/// The struct type `from_json` returns for a schema text: the reader's output fields.
fn result_fields(schema_text: &str) -> Result<Fields> {
    let schema = parse_type_schema(schema_text)
        .map_err(|e| DataFusionError::Plan(format!("from_json: invalid schema: {e}")))?;
    let out = output_schema(&Arc::new(schema), &JsonOptions::default())
        .map_err(|e| DataFusionError::Plan(format!("from_json: {e}")))?;
    Ok(out.fields().clone())
}

impl ScalarUDFImpl for FromJson {
    fn name(&self) -> &str {
        "from_json"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        internal_err!("from_json: the return type comes from return_field_from_args")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let schema_text = match args.scalar_arguments.get(1) {
            Some(Some(ScalarValue::Utf8(Some(s))))
            | Some(Some(ScalarValue::LargeUtf8(Some(s))))
            | Some(Some(ScalarValue::Utf8View(Some(s)))) => s.clone(),
            _ => {
                return plan_err!(
                    "from_json: the schema must be a string literal, e.g. 'a INT, b STRING'"
                )
            }
        };
        let fields = result_fields(&schema_text)?;
        Ok(Arc::new(Field::new(
            self.name(),
            DataType::Struct(fields),
            true,
        )))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("from_json", arg_types.len(), 2, 3)?;
        if !is_string_like(&arg_types[0]) {
            return plan_err!(
                "from_json: the JSON argument must be a STRING, got {}",
                arg_types[0]
            );
        }
        if !is_string_like(&arg_types[1]) {
            return plan_err!("from_json: the schema must be a string literal");
        }
        if let Some(t) = arg_types.get(2) {
            check_options_type("from_json", t)?;
        }
        let mut out = vec![DataType::Utf8, DataType::Utf8];
        out.extend(arg_types.get(2).cloned());
        Ok(out)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::Struct(fields) = args.return_field.data_type() else {
            return internal_err!("from_json: the return type is not a struct");
        };
        let opts = self.json_options(&options_map("from_json", args.args.get(2))?)?;
        let input = utf8(&args.args[0].to_array(args.number_rows)?)?;
        let result = decode_column(input.as_string::<i32>(), fields, &opts)?;
        to_output(&args.args[..1], result)
    }
}

/// How one input value is decoded.
enum Route {
    /// NULL struct: NULL, empty or whitespace-only text.
    Null,
    /// One line of the batched line-mode decode.
    Line,
    /// Its own one-document decode (the text holds a line break).
    Document,
    /// A top-level array: a bad record without decoding (Spark's struct schema needs an object).
    Array,
}

/// Jackson's insignificant whitespace.
fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn route(text: Option<&str>) -> Route {
    let Some(text) = text else { return Route::Null };
    let trimmed = text.trim_start_matches(is_json_space);
    if trimmed.is_empty() {
        Route::Null
    } else if trimmed.starts_with('[') {
        Route::Array
    } else if text.contains(['\n', '\r']) {
        Route::Document
    } else {
        Route::Line
    }
}

/// Decodes every value of `input` into a struct array with `fields`.
///
/// Values without line breaks are joined into one JSON Lines buffer and decoded in one call (the
/// reader's per-call setup dominates for short values); the rest are decoded one by one.
fn decode_column(input: &StringArray, fields: &Fields, opts: &JsonOptions) -> Result<ArrayRef> {
    let schema: SchemaRef = Arc::new(Schema::new(fields.clone()));
    let struct_type = DataType::Struct(fields.clone());
    let routes: Vec<Route> = (0..input.len())
        .map(|i| route((!input.is_null(i)).then(|| input.value(i))))
        .collect();

    let mut buffer = Vec::new();
    let mut lines = 0usize;
    for (i, r) in routes.iter().enumerate() {
        if matches!(r, Route::Line) {
            buffer.extend_from_slice(input.value(i).as_bytes());
            buffer.push(b'\n');
            lines += 1;
        }
    }
    let batched = decode(&buffer, &schema, opts)?;
    if batched.len() != lines {
        return internal_err!(
            "from_json: {lines} values decoded into {} rows",
            batched.len()
        );
    }

    // interleave() picks each output row from one of these sources.
    let mut sources: Vec<ArrayRef> = vec![batched, new_null_array(&struct_type, 1)];
    let mut picks = Vec::with_capacity(input.len());
    let mut next_line = 0usize;
    for (i, r) in routes.iter().enumerate() {
        let pick = match r {
            Route::Null => (1, 0),
            Route::Line => {
                next_line += 1;
                (0, next_line - 1)
            }
            Route::Document => {
                let mut one = opts.clone();
                one.multi_line = true;
                let row = decode(input.value(i).as_bytes(), &schema, &one)?;
                sources.push(if row.len() == 1 {
                    row
                } else {
                    bad_record(fields, input.value(i), opts)?
                });
                (sources.len() - 1, 0)
            }
            Route::Array => {
                sources.push(bad_record(fields, input.value(i), opts)?);
                (sources.len() - 1, 0)
            }
        };
        picks.push(pick);
    }
    let refs: Vec<&dyn Array> = sources.iter().map(|a| a.as_ref()).collect();
    Ok(interleave(&refs, &picks)?)
}

/// Decodes JSON text with the reader into a struct array.
fn decode(data: &[u8], schema: &SchemaRef, opts: &JsonOptions) -> Result<ArrayRef> {
    if data.is_empty() {
        return Ok(new_null_array(
            &DataType::Struct(schema.fields().clone()),
            0,
        ));
    }
    let (batch, _) = decode_json_lines(data, "from_json", schema, opts)
        .map_err(|e| DataFusionError::Execution(format!("from_json: {e}")))?;
    Ok(Arc::new(StructArray::from(batch)))
}

/// A bad record decoded without the reader: every field NULL, the corrupt-record field (if the
/// schema has one) the whole text; FAILFAST raises like the reader does.
fn bad_record(fields: &Fields, text: &str, opts: &JsonOptions) -> Result<ArrayRef> {
    if opts.mode == ParseMode::FailFast {
        return exec_err!(
            "from_json: [MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are \
             detected in record parsing: a struct schema needs a JSON object, got {text}. Parse \
             Mode: FAILFAST. To process malformed records as null result, try setting the option \
             'mode' as 'PERMISSIVE'."
        );
    }
    let columns = fields
        .iter()
        .map(|f| {
            if f.name() == &opts.column_name_of_corrupt_record && f.data_type() == &DataType::Utf8 {
                Arc::new(StringArray::from(vec![text])) as ArrayRef
            } else {
                new_null_array(f.data_type(), 1)
            }
        })
        .collect();
    Ok(Arc::new(StructArray::try_new(
        fields.clone(),
        columns,
        None,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[Option<&str>], schema: &str, opts: &JsonOptions) -> Result<StructArray> {
        let fields = result_fields(schema)?;
        let input = StringArray::from(values.to_vec());
        let out = decode_column(&input, &fields, opts)?;
        Ok(out.as_struct().clone())
    }

    #[test]
    fn routes_values() {
        let values = [
            Some(r#"{"a":1,"b":"x"}"#),
            None,
            Some("   "),
            Some("[{\"a\":2}]"),
            Some("{\"a\":\n3}"),
            Some("nope"),
            Some(r#"{"a":"bad","b":"y"}"#),
        ];
        let s = run(
            &values,
            "a INT, b STRING, _corrupt_record STRING",
            &JsonOptions::default(),
        )
        .unwrap();
        let a = s
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int32Type>();
        let corrupt = s.column(2).as_string::<i32>();
        assert_eq!(s.len(), 7);
        assert_eq!(a.value(0), 1);
        assert!(s.is_null(1) && s.is_null(2));
        assert!(a.is_null(3));
        assert_eq!(corrupt.value(3), "[{\"a\":2}]");
        assert_eq!(a.value(4), 3);
        assert!(corrupt.is_null(4));
        assert!(!s.is_null(5) && a.is_null(5));
        assert_eq!(corrupt.value(5), "nope");
        assert!(a.is_null(6));
        assert_eq!(s.column(1).as_string::<i32>().value(6), "y");
    }

    #[test]
    fn failfast_raises_and_dropmalformed_is_refused() {
        let f = FromJson::new(&SparkConf {
            ansi: true,
            session_time_zone: chrono_tz::Tz::UTC,
        });
        let failfast = f
            .json_options(&HashMap::from([("mode".into(), "FAILFAST".into())]))
            .unwrap();
        assert!(run(&[Some("x")], "a INT", &failfast).is_err());
        assert!(run(&[Some("[1]")], "a INT", &failfast).is_err());
        assert!(run(&[Some(r#"{"a":1}"#)], "a INT", &failfast).is_ok());
        let err = f
            .json_options(&HashMap::from([("mode".into(), "DROPMALFORMED".into())]))
            .unwrap_err();
        assert!(err.to_string().contains("PARSE_MODE_UNSUPPORTED"));
    }
}
