//! The `options` argument of `from_json`/`to_json`: a constant `map(key, value, ...)`.

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray, MapArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::ColumnarValue;

/// Whether `t` can be an options argument (a MAP, or an untyped NULL for no options).
pub(crate) fn is_options_type(t: &DataType) -> bool {
    matches!(t, DataType::Map(_, _) | DataType::Null)
}

/// Plan-time check of the options argument's type.
pub(crate) fn check_options_type(function: &str, t: &DataType) -> Result<()> {
    if is_options_type(t) {
        Ok(())
    } else {
        plan_err!("{function}: the options must be a map of strings, e.g. map('mode', 'FAILFAST'), got {t}")
    }
}

/// The options as `key -> value`; an absent or NULL map is no options.
///
/// Spark requires a foldable map; a map that differs between rows is refused rather than
/// silently applying the first row's options to all.
pub(crate) fn options_map(
    function: &str,
    arg: Option<&ColumnarValue>,
) -> Result<HashMap<String, String>> {
    let map = match arg {
        None => return Ok(HashMap::new()),
        Some(ColumnarValue::Scalar(ScalarValue::Map(m))) => m.as_ref().clone(),
        Some(ColumnarValue::Scalar(s)) if s.is_null() => return Ok(HashMap::new()),
        Some(ColumnarValue::Array(a)) => {
            let Some(m) = a.as_map_opt() else {
                return exec_err!(
                    "{function}: the options must be a map, got {}",
                    a.data_type()
                );
            };
            let first = m.slice(0, m.len().min(1));
            for i in 1..m.len() {
                if m.slice(i, 1).to_data() != first.to_data() {
                    return exec_err!("{function}: the options must be a constant map");
                }
            }
            first
        }
        Some(ColumnarValue::Scalar(s)) => {
            return exec_err!(
                "{function}: the options must be a map, got {}",
                s.data_type()
            )
        }
    };
    entries(function, &map)
}

/// The string entries of the first row of `map`.
fn entries(function: &str, map: &MapArray) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    if map.is_empty() || map.is_null(0) {
        return Ok(out);
    }
    let row = map.value(0);
    let keys = cast(row.column(0), &DataType::Utf8)?;
    let values = cast(row.column(1), &DataType::Utf8)?;
    let (keys, values) = (keys.as_string::<i32>(), values.as_string::<i32>());
    for i in 0..keys.len() {
        if values.is_null(i) {
            return exec_err!(
                "{function}: the value of option '{}' is NULL",
                keys.value(i)
            );
        }
        out.insert(keys.value(i).to_string(), values.value(i).to_string());
    }
    Ok(out)
}
