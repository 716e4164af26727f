//! Spark's `size`/`cardinality`, `element_at`, `try_element_at` and the subscript `a[i]`
//! (`spark_get_item`, put in place of `a[i]` by the SQL rewrite).
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_sql_functions.py):
//! - `size(NULL)` is NULL under ANSI and -1 with ANSI off (`spark.sql.legacy.sizeOfNull` only
//!   applies without ANSI); the result is INT.
//! - `element_at(array, i)` is 1-based, negative `i` counts from the end, `0` raises
//!   INVALID_INDEX_OF_ZERO, an index past the end raises INVALID_ARRAY_INDEX_IN_ELEMENT_AT under
//!   ANSI and is NULL otherwise; `element_at(map, k)` is the value or NULL.
//! - `a[i]` is 0-based; out of range raises INVALID_ARRAY_INDEX under ANSI, NULL otherwise; `m[k]`
//!   is the value or NULL.
//! - `try_element_at` never raises.

use std::sync::Arc;

use datafusion::arrow::array::{new_null_array, Array, ArrayRef, AsArray, Int32Array, UInt64Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{check_arg_count, to_arrays, to_output};
use super::SparkConf;

/// Spark's `size` and its alias `cardinality`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Size {
    signature: Signature,
    aliases: Vec<String>,
    /// ANSI off: `size(NULL)` is -1 (`spark.sql.legacy.sizeOfNull`).
    null_is_minus_one: bool,
}

impl Size {
    /// `size` for a session's settings.
    pub fn new(conf: &SparkConf) -> Self {
        Size {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: vec!["cardinality".to_string()],
            null_is_minus_one: !conf.ansi,
        }
    }
}

fn is_collection(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Map(_, _)
            | DataType::Null
    )
}

impl ScalarUDFImpl for Size {
    fn name(&self) -> &str {
        "size"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("size", arg_types.len(), 1, 1)?;
        if !is_collection(&arg_types[0]) {
            return plan_err!(
                "size: expected an ARRAY or MAP argument, got {}",
                arg_types[0]
            );
        }
        Ok(arg_types.to_vec())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let a = &arrays[0];
        let null = if self.null_is_minus_one {
            Some(-1)
        } else {
            None
        };
        let sizes: Int32Array = (0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    return null;
                }
                Some(match a.data_type() {
                    DataType::List(_) => a.as_list::<i32>().value_length(i),
                    DataType::LargeList(_) => a.as_list::<i64>().value_length(i) as i32,
                    DataType::FixedSizeList(_, n) => *n,
                    DataType::Map(_, _) => {
                        let o = a.as_map().value_offsets();
                        o[i + 1] - o[i]
                    }
                    _ => return null,
                })
            })
            .collect();
        to_output(&args.args, Arc::new(sizes))
    }
}

/// Which element access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Access {
    /// `element_at`: 1-based.
    ElementAt,
    /// `try_element_at`: 1-based, never raises.
    TryElementAt,
    /// `a[i]`: 0-based.
    Subscript,
}

/// `element_at`, `try_element_at` and `spark_get_item` (`a[i]`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAt {
    signature: Signature,
    access: Access,
    ansi: bool,
}

impl ElementAt {
    /// Spark's `element_at` (1-based).
    pub fn first_based(conf: &SparkConf) -> Self {
        Self::build(Access::ElementAt, conf)
    }

    /// Spark's `try_element_at`.
    pub fn try_element_at(conf: &SparkConf) -> Self {
        Self::build(Access::TryElementAt, conf)
    }

    /// `spark_get_item(container, key)`: Spark's `a[i]` / `m[k]`.
    pub fn subscript(conf: &SparkConf) -> Self {
        Self::build(Access::Subscript, conf)
    }

    fn build(access: Access, conf: &SparkConf) -> Self {
        ElementAt {
            signature: Signature::user_defined(Volatility::Immutable),
            access,
            ansi: conf.ansi,
        }
    }
}

/// The name the SQL rewrite calls for `a[i]`.
pub const GET_ITEM: &str = "spark_get_item";

impl ScalarUDFImpl for ElementAt {
    fn name(&self) -> &str {
        match self.access {
            Access::ElementAt => "element_at",
            Access::TryElementAt => "try_element_at",
            Access::Subscript => GET_ITEM,
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match &arg_types[0] {
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                Ok(f.data_type().clone())
            }
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => Ok(kv[1].data_type().clone()),
                other => plan_err!("{}: unexpected map entries {other}", self.name()),
            },
            DataType::Null => Ok(DataType::Null),
            other => plan_err!("{}: expected an ARRAY or MAP, got {other}", self.name()),
        }
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count(self.name(), arg_types.len(), 2, 2)?;
        let key = match &arg_types[0] {
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => kv[0].data_type().clone(),
                other => return plan_err!("{}: unexpected map entries {other}", self.name()),
            },
            t if is_collection(t) => DataType::Int64,
            other => return plan_err!("{}: expected an ARRAY or MAP, got {other}", self.name()),
        };
        Ok(vec![arg_types[0].clone(), key])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (container, keys) = (&arrays[0], &arrays[1]);
        let out = match container.data_type() {
            DataType::Map(_, _) => map_lookup(container, keys)?,
            DataType::Null => new_null_array(args.return_field.data_type(), container.len()),
            _ => self.array_lookup(container, keys)?,
        };
        to_output(&args.args, out)
    }
}

impl ElementAt {
    fn array_lookup(&self, container: &ArrayRef, keys: &ArrayRef) -> Result<ArrayRef> {
        let list = match container.data_type() {
            DataType::List(_) => Arc::clone(container),
            other => cast(
                container,
                &DataType::List(match other {
                    DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Arc::clone(f),
                    _ => return exec_err!("{}: expected an ARRAY, got {other}", self.name()),
                }),
            )?,
        };
        let list = list.as_list::<i32>();
        let keys = keys.as_primitive::<Int64Type>();
        let mut indices = Vec::with_capacity(list.len());
        for i in 0..list.len() {
            if list.is_null(i) || keys.is_null(i) {
                indices.push(None);
                continue;
            }
            let start = list.value_offsets()[i] as i64;
            let len = i64::from(list.value_length(i));
            let k = keys.value(i);
            let position = match self.access {
                Access::Subscript => (0..len).contains(&k).then_some(k),
                _ if k == 0 => {
                    if self.access == Access::TryElementAt {
                        None
                    } else {
                        return Err(DataFusionError::Execution(
                            "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 \
                             (the first element has index 1). SQLSTATE: 22003"
                                .to_string(),
                        ));
                    }
                }
                _ if k > 0 => (k <= len).then_some(k - 1),
                _ => (-k <= len).then_some(len + k),
            };
            match position {
                Some(p) => indices.push(Some((start + p) as u64)),
                None if !self.ansi || self.access == Access::TryElementAt => indices.push(None),
                None => {
                    let error = match self.access {
                        Access::Subscript => format!(
                            "[INVALID_ARRAY_INDEX] The index {k} is out of bounds. The array has {len} elements. \
                             Use the SQL function `get()` to tolerate accessing element at invalid index and return \
                             NULL instead. SQLSTATE: 22003"
                        ),
                        _ => format!(
                            "[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index {k} is out of bounds. The array has {len} \
                             elements. Use `try_element_at` to tolerate accessing element at invalid index and return \
                             NULL instead. SQLSTATE: 22003"
                        ),
                    };
                    return Err(DataFusionError::Execution(error));
                }
            }
        }
        Ok(take(
            list.values().as_ref(),
            &UInt64Array::from(indices),
            None,
        )?)
    }
}

/// The value for each row's key (the last entry with that key), or NULL.
fn map_lookup(container: &ArrayRef, keys: &ArrayRef) -> Result<ArrayRef> {
    let map = container.as_map();
    let entry_keys = map.keys();
    let mut indices = Vec::with_capacity(map.len());
    for i in 0..map.len() {
        if map.is_null(i) || keys.is_null(i) {
            indices.push(None);
            continue;
        }
        let key = ScalarValue::try_from_array(keys, i)?;
        let (start, end) = (
            map.value_offsets()[i] as usize,
            map.value_offsets()[i + 1] as usize,
        );
        let mut found = None;
        for j in start..end {
            if ScalarValue::try_from_array(entry_keys, j)? == key {
                found = Some(j as u64);
            }
        }
        indices.push(found);
    }
    Ok(take(
        map.values().as_ref(),
        &UInt64Array::from(indices),
        None,
    )?)
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::{context, value};

    async fn v(ansi: bool, sql: &str) -> String {
        value(&context(ansi), sql)
            .await
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[tokio::test]
    async fn size_and_element_at() {
        assert_eq!(v(true, "SELECT size(array(1, 2))").await, "2");
        assert_eq!(v(true, "SELECT size(CAST(NULL AS INT[]))").await, "NULL");
        assert_eq!(v(false, "SELECT size(CAST(NULL AS INT[]))").await, "-1");
        assert_eq!(
            v(true, "SELECT element_at(array(10, 20, 30), -1)").await,
            "30"
        );
        assert_eq!(
            v(false, "SELECT element_at(array(10, 20), 5)").await,
            "NULL"
        );
        assert!(v(true, "SELECT element_at(array(10, 20), 5)")
            .await
            .contains("INVALID_ARRAY_INDEX_IN_ELEMENT_AT"));
        assert!(v(false, "SELECT element_at(array(10, 20), 0)")
            .await
            .contains("INVALID_INDEX_OF_ZERO"));
        assert_eq!(
            v(true, "SELECT try_element_at(array(10, 20), 5)").await,
            "NULL"
        );
        assert_eq!(
            v(true, "SELECT spark_get_item(array(10, 20), 0)").await,
            "10"
        );
        assert_eq!(v(true, "SELECT element_at(map('a', 1), 'a')").await, "1");
        assert_eq!(v(true, "SELECT element_at(map('a', 1), 'b')").await, "NULL");
    }
}
