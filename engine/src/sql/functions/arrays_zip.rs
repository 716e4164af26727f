//! Spark's `arrays_zip(a, b, ...)`: an array of structs whose i-th holds the i-th element of each
//! array (NULL past an array's end), as long as the longest; NULL when any array is NULL. Spark
//! names each field after its column argument, or its position (`0`, `1`, ...) otherwise; the SQL
//! rewrite passes those names first, as string literals: `arrays_zip('a', '1', a, array(9))`.

use std::sync::Arc;

use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, ListArray, StructArray, UInt32Array,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{to_arrays, to_output};

/// The function's name in plans (the SQL rewrite calls it with the field names first).
pub const NAME: &str = "spark_arrays_zip";

/// `spark_arrays_zip(name..., array...)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArraysZip {
    signature: Signature,
}

impl Default for ArraysZip {
    fn default() -> Self {
        ArraysZip {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

/// The struct fields: the names (the first half of the arguments) with the element types.
fn fields(arg_types: &[DataType], names: &[Option<&ScalarValue>]) -> Result<Fields> {
    let n = arg_types.len() / 2;
    if n == 0 || !arg_types.len().is_multiple_of(2) {
        return plan_err!("arrays_zip: expected names then arrays");
    }
    (0..n)
        .map(|i| {
            let name = match names.get(i) {
                Some(Some(v)) => v.try_as_str().flatten().unwrap_or_default().to_string(),
                _ => i.to_string(),
            };
            let element = match &arg_types[n + i] {
                DataType::List(f) | DataType::LargeList(f) => f.data_type().clone(),
                DataType::Null => DataType::Null,
                other => {
                    return plan_err!("arrays_zip: argument {} is not an array: {other}", i + 1)
                }
            };
            Ok(Arc::new(Field::new(name, element, true)) as FieldRef)
        })
        .collect()
}

impl ScalarUDFImpl for ArraysZip {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("arrays_zip: the return type comes from return_field_from_args")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let fields = fields(&types, args.scalar_arguments)?;
        let item = Field::new_list_field(DataType::Struct(fields), true);
        Ok(Arc::new(Field::new(
            NAME,
            DataType::List(Arc::new(item)),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.args.len() / 2;
        let DataType::List(item) = args.return_field.data_type() else {
            return plan_err!("arrays_zip: unexpected return type");
        };
        let DataType::Struct(struct_fields) = item.data_type() else {
            return plan_err!("arrays_zip: unexpected element type");
        };
        let arrays = to_arrays(&args.args[n..])?;
        let lists: Vec<ListArray> = arrays
            .iter()
            .map(|a| match a.data_type() {
                DataType::Null => ListArray::new_null(
                    Arc::new(Field::new_list_field(DataType::Null, true)),
                    a.len(),
                ),
                _ => a.as_list::<i32>().clone(),
            })
            .collect();
        let rows = lists.first().map_or(0, |l| l.len());
        // For each output element, the index into each list's values (None past its end).
        let mut picks: Vec<Vec<Option<u32>>> = vec![Vec::new(); n];
        let mut offsets = vec![0i32];
        let mut valid = Vec::with_capacity(rows);
        for r in 0..rows {
            let null = lists.iter().any(|l| l.is_null(r));
            let len = if null {
                0
            } else {
                lists.iter().map(|l| l.value_length(r)).max().unwrap_or(0)
            };
            for (k, l) in lists.iter().enumerate() {
                let start = l.value_offsets()[r];
                for j in 0..len {
                    let pick = (j < l.value_length(r))
                        .then(|| u32::try_from(start + j).ok())
                        .flatten();
                    picks[k].push(pick);
                }
            }
            offsets.push(offsets[r] + len);
            valid.push(!null);
        }
        let columns: Vec<ArrayRef> = lists
            .iter()
            .zip(picks)
            .zip(struct_fields.iter())
            .map(|((l, pick), f)| {
                if l.values().data_type() == &DataType::Null {
                    return Ok(new_null_array(f.data_type(), pick.len()));
                }
                Ok(take(l.values().as_ref(), &UInt32Array::from(pick), None)?)
            })
            .collect::<Result<_>>()?;
        let len = offsets.last().copied().unwrap_or(0);
        let structs = StructArray::try_new_with_length(
            struct_fields.clone(),
            columns,
            None,
            usize::try_from(len).unwrap_or(0),
        )?;
        let list = ListArray::try_new(
            Arc::clone(item),
            OffsetBuffer::new(offsets.into()),
            Arc::new(structs),
            Some(NullBuffer::from(valid)),
        )?;
        to_output(&args.args, Arc::new(list))
    }
}
