//! Column builders that can be rolled back.
//!
//! Spark decides a record's fate only after converting all of it: DROPMALFORMED drops every row
//! of a record with one bad field, a bad array element nulls the whole array, a duplicate key's
//! later value replaces the earlier one (spark-semantics.md 6.3). Arrow's builders cannot undo an
//! append, so these keep plain vectors and support `truncate` back to an earlier length.

use std::sync::Arc;

use arrow::array::{
    new_null_array, ArrayRef, BinaryArray, BooleanArray, ListArray, MapArray, PrimitiveArray,
    StringArray, StructArray,
};
use arrow::array::{BooleanBufferBuilder, NullBufferBuilder};
use arrow::buffer::{OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Decimal128Type, DurationMicrosecondType, Field,
    FieldRef, Fields, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    IntervalUnit, IntervalYearMonthType, TimeUnit, TimestampMicrosecondType,
};

use super::error::JsonError;
use super::lookup::FieldLookup;

/// Values + validity of a fixed-width column.
pub(crate) struct Prim<P: ArrowPrimitiveType> {
    values: Vec<P::Native>,
    nulls: NullBufferBuilder,
}

impl<P: ArrowPrimitiveType> Prim<P> {
    fn new() -> Self {
        Prim {
            values: Vec::new(),
            nulls: NullBufferBuilder::new(0),
        }
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, v: P::Native) {
        self.values.push(v);
        self.nulls.append_non_null();
    }

    /// Appends a null slot.
    #[inline]
    pub fn push_null(&mut self) {
        self.values.push(P::Native::default());
        self.nulls.append_null();
    }

    fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
        self.nulls.truncate(len);
    }

    fn reserve_scaled(&mut self, factor: f64) {
        self.values.reserve(scaled(self.values.len(), factor));
    }

    fn finish(&mut self, dt: &DataType) -> ArrayRef {
        let values = ScalarBuffer::from(std::mem::take(&mut self.values));
        Arc::new(PrimitiveArray::<P>::new(values, self.nulls.finish()).with_data_type(dt.clone()))
    }
}

/// Offsets + bytes + validity of a Utf8 or Binary column.
pub(crate) struct VarBin {
    offsets: Vec<i32>,
    data: Vec<u8>,
    nulls: NullBufferBuilder,
}

impl VarBin {
    /// An empty column.
    pub fn new() -> Self {
        VarBin {
            offsets: vec![0],
            data: Vec::new(),
            nulls: NullBufferBuilder::new(0),
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Appends a value (`&str` for Utf8 columns, which keeps the data valid UTF-8).
    #[inline(always)]
    pub fn push(&mut self, v: &[u8]) {
        self.data.extend_from_slice(v);
        // Wraps past 2 GiB; `finish` refuses such a column before the offsets are used.
        self.offsets.push(self.data.len() as i32);
        self.nulls.append_non_null();
    }

    /// Appends a null slot.
    #[inline]
    pub fn push_null(&mut self) {
        self.offsets.push(self.data.len() as i32);
        self.nulls.append_null();
    }

    /// Drops slots from `len` on.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.offsets.truncate(len + 1);
            self.data.truncate(self.offsets[len] as usize);
            self.nulls.truncate(len);
        }
    }

    /// See [`Column::reserve_scaled`].
    pub fn reserve_scaled(&mut self, factor: f64) {
        self.offsets.reserve(scaled(self.offsets.len(), factor));
        self.data.reserve(scaled(self.data.len(), factor));
    }

    fn take_parts(
        &mut self,
    ) -> Result<
        (
            OffsetBuffer<i32>,
            arrow::buffer::Buffer,
            Option<arrow::buffer::NullBuffer>,
        ),
        JsonError,
    > {
        if self.data.len() > i32::MAX as usize {
            return Err(JsonError::Arrow(arrow::error::ArrowError::ComputeError(
                "a string/binary column exceeds 2 GiB in one batch".to_string(),
            )));
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(
            &mut self.offsets,
            vec![0],
        )));
        let data = arrow::buffer::Buffer::from_vec(std::mem::take(&mut self.data));
        Ok((offsets, data, self.nulls.finish()))
    }

    /// Builds a Utf8 array.
    pub fn finish_utf8(&mut self) -> Result<ArrayRef, JsonError> {
        let (offsets, data, nulls) = self.take_parts()?;
        // Only `&str` bytes are ever pushed into Utf8 columns, but validate rather than trust.
        Ok(Arc::new(StringArray::try_new(offsets, data, nulls)?))
    }

    fn finish_binary(&mut self) -> Result<ArrayRef, JsonError> {
        let (offsets, data, nulls) = self.take_parts()?;
        Ok(Arc::new(BinaryArray::try_new(offsets, data, nulls)?))
    }
}

/// A BOOLEAN column.
pub(crate) struct BoolCol {
    values: BooleanBufferBuilder,
    nulls: NullBufferBuilder,
}

impl BoolCol {
    /// Appends a value.
    #[inline]
    pub fn push(&mut self, v: bool) {
        self.values.append(v);
        self.nulls.append_non_null();
    }

    /// Appends a null slot.
    #[inline]
    pub fn push_null(&mut self) {
        self.values.append(false);
        self.nulls.append_null();
    }
}

/// An ARRAY column: offsets into one child column.
pub(crate) struct ListCol {
    pub offsets: Vec<i32>,
    pub nulls: NullBufferBuilder,
    pub child: Column,
    field: FieldRef,
}

/// A MAP<STRING, V> column: offsets into key and value columns.
pub(crate) struct MapCol {
    pub offsets: Vec<i32>,
    pub nulls: NullBufferBuilder,
    pub keys: VarBin,
    pub values: Column,
    entries: FieldRef,
    ordered: bool,
}

/// A VARIANT column: the encoded metadata and value of each slot (see `crate::variant`).
pub(crate) struct VariantCol {
    pub metadata: VarBin,
    pub value: VarBin,
    pub nulls: NullBufferBuilder,
    /// Reused for every value.
    pub builder: crate::variant::VariantBuilder,
}

impl VariantCol {
    /// Appends a finished value.
    pub fn push(&mut self, metadata: &[u8], value: &[u8]) {
        self.metadata.push(metadata);
        self.value.push(value);
        self.nulls.append_non_null();
    }

    /// Appends a NULL slot.
    pub fn push_null(&mut self) {
        // The children are non-null (empty bytes); the struct's validity says NULL.
        self.metadata.push(b"");
        self.value.push(b"");
        self.nulls.append_null();
    }
}

/// A STRUCT column (also the record itself); carries the per-object scratch of the converter.
pub(crate) struct StructCol {
    pub fields: Fields,
    pub children: Vec<Column>,
    pub nulls: NullBufferBuilder,
    pub len: usize,
    pub lookup: FieldLookup,
    /// Per field: the `stamp` of the last object that set it (duplicate/missing key detection).
    pub seen: Vec<u32>,
    pub stamp: u32,
}

impl StructCol {
    /// Builder for the given (already nullable-forced) fields.
    pub fn new(fields: Fields) -> Result<Self, JsonError> {
        let children = fields
            .iter()
            .map(|f| Column::for_type(f.data_type()))
            .collect::<Result<Vec<_>, _>>()?;
        let lookup = FieldLookup::new(fields.iter().map(|f| f.name().as_str()));
        let n = fields.len();
        Ok(StructCol {
            fields,
            children,
            nulls: NullBufferBuilder::new(0),
            len: 0,
            lookup,
            seen: vec![0; n],
            stamp: 0,
        })
    }

    /// Appends a null struct (children get null slots to stay aligned).
    pub fn push_null(&mut self) {
        for c in &mut self.children {
            c.push_null();
        }
        self.nulls.append_null();
        self.len += 1;
    }

    /// Appends a valid struct whose fields are all null (an unparsable record in PERMISSIVE).
    pub fn push_all_null_fields(&mut self) {
        for c in &mut self.children {
            c.push_null();
        }
        self.nulls.append_non_null();
        self.len += 1;
    }

    /// Drops slots from `len` on.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            for c in &mut self.children {
                c.truncate(len);
            }
            self.nulls.truncate(len);
            self.len = len;
        }
    }

    /// See [`Column::reserve_scaled`].
    pub fn reserve_scaled(&mut self, factor: f64) {
        for c in &mut self.children {
            c.reserve_scaled(factor);
        }
    }

    /// Finishes the children, in field order (the record's columns).
    pub fn finish_children(&mut self) -> Result<Vec<ArrayRef>, JsonError> {
        self.children.iter_mut().map(Column::finish).collect()
    }

    /// Finishes the children as the columns of one batch of records and starts the next batch
    /// empty (the record level has no validity of its own).
    pub fn finish_rows(&mut self) -> Result<Vec<ArrayRef>, JsonError> {
        self.nulls = NullBufferBuilder::new(0);
        self.len = 0;
        self.finish_children()
    }

    fn finish(&mut self) -> Result<ArrayRef, JsonError> {
        let len = self.len;
        let children = self.finish_children()?;
        let nulls = self.nulls.finish();
        self.len = 0;
        Ok(Arc::new(StructArray::try_new_with_length(
            self.fields.clone(),
            children,
            nulls,
            len,
        )?))
    }
}

/// `len * factor`, rounded up (capacity to reserve for `factor` times the current contents).
fn scaled(len: usize, factor: f64) -> usize {
    (len as f64 * factor).ceil() as usize
}

/// One column of the output, by Spark type.
pub(crate) enum Column {
    Null(usize),
    Utf8(VarBin),
    Binary(VarBin),
    Boolean(BoolCol),
    Int8(Prim<Int8Type>),
    Int16(Prim<Int16Type>),
    Int32(Prim<Int32Type>),
    Int64(Prim<Int64Type>),
    Float32(Prim<Float32Type>),
    Float64(Prim<Float64Type>),
    Decimal(Prim<Decimal128Type>, u8, i8),
    Date(Prim<Date32Type>),
    /// TIMESTAMP (zone Some, only Arrow metadata) or TIMESTAMP_NTZ (None).
    Timestamp(Prim<TimestampMicrosecondType>, Option<Arc<str>>),
    /// INTERVAL DAY TO SECOND: microseconds.
    DayTime(Prim<DurationMicrosecondType>),
    /// INTERVAL YEAR TO MONTH: months.
    YearMonth(Prim<IntervalYearMonthType>),
    Variant(Box<VariantCol>),
    List(Box<ListCol>),
    Struct(StructCol),
    Map(Box<MapCol>),
}

impl Column {
    /// A builder for an Arrow type of the project's Spark mapping; other types are refused.
    pub fn for_type(dt: &DataType) -> Result<Column, JsonError> {
        Ok(match dt {
            DataType::Null => Column::Null(0),
            DataType::Utf8 => Column::Utf8(VarBin::new()),
            DataType::Binary => Column::Binary(VarBin::new()),
            DataType::Boolean => Column::Boolean(BoolCol {
                values: BooleanBufferBuilder::new(0),
                nulls: NullBufferBuilder::new(0),
            }),
            DataType::Int8 => Column::Int8(Prim::new()),
            DataType::Int16 => Column::Int16(Prim::new()),
            DataType::Int32 => Column::Int32(Prim::new()),
            DataType::Int64 => Column::Int64(Prim::new()),
            DataType::Float32 => Column::Float32(Prim::new()),
            DataType::Float64 => Column::Float64(Prim::new()),
            // Precision 0 is Spark's DECIMAL(0,0): a column of nulls (see `schema::types::decimal`).
            DataType::Decimal128(p, s) if *p <= 38 && *s >= 0 && (*s as u8) <= *p => {
                Column::Decimal(Prim::new(), *p, *s)
            }
            DataType::Date32 => Column::Date(Prim::new()),
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                Column::Timestamp(Prim::new(), tz.clone())
            }
            DataType::Duration(TimeUnit::Microsecond) => Column::DayTime(Prim::new()),
            DataType::Interval(IntervalUnit::YearMonth) => Column::YearMonth(Prim::new()),
            DataType::List(f) => Column::List(Box::new(ListCol {
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
                child: Column::for_type(f.data_type())?,
                field: f.clone(),
            })),
            dt if crate::variant::is_variant(dt) => Column::Variant(Box::new(VariantCol {
                metadata: VarBin::new(),
                value: VarBin::new(),
                nulls: NullBufferBuilder::new(0),
                builder: crate::variant::VariantBuilder::new(),
            })),
            DataType::Struct(fields) => Column::Struct(StructCol::new(fields.clone())?),
            DataType::Map(entries, ordered) => {
                let DataType::Struct(kv) = entries.data_type() else {
                    return Err(JsonError::InvalidSchema(format!(
                        "map entries must be a struct, got {dt}"
                    )));
                };
                if kv.len() != 2 || kv[0].data_type() != &DataType::Utf8 {
                    return Err(JsonError::InvalidSchema(format!(
                        "JSON maps need STRING keys (MAP<STRING, V>), got {dt}"
                    )));
                }
                Column::Map(Box::new(MapCol {
                    offsets: vec![0],
                    nulls: NullBufferBuilder::new(0),
                    keys: VarBin::new(),
                    values: Column::for_type(kv[1].data_type())?,
                    entries: entries.clone(),
                    ordered: *ordered,
                }))
            }
            other => {
                return Err(JsonError::InvalidSchema(format!(
                    "type {other} is not a Spark type the JSON reader supports"
                )))
            }
        })
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        match self {
            Column::Null(n) => *n,
            Column::Utf8(c) | Column::Binary(c) => c.len(),
            Column::Boolean(c) => c.values.len(),
            Column::Int8(c) => c.values.len(),
            Column::Int16(c) => c.values.len(),
            Column::Int32(c) => c.values.len(),
            Column::Int64(c) => c.values.len(),
            Column::Float32(c) => c.values.len(),
            Column::Float64(c) => c.values.len(),
            Column::Decimal(c, ..) => c.values.len(),
            Column::Date(c) => c.values.len(),
            Column::Timestamp(c, _) => c.values.len(),
            Column::DayTime(c) => c.values.len(),
            Column::YearMonth(c) => c.values.len(),
            Column::Variant(c) => c.value.len(),
            Column::List(c) => c.offsets.len() - 1,
            Column::Struct(c) => c.len,
            Column::Map(c) => c.offsets.len() - 1,
        }
    }

    /// Appends a null slot.
    pub fn push_null(&mut self) {
        match self {
            Column::Null(n) => *n += 1,
            Column::Utf8(c) | Column::Binary(c) => c.push_null(),
            Column::Boolean(c) => c.push_null(),
            Column::Int8(c) => c.push_null(),
            Column::Int16(c) => c.push_null(),
            Column::Int32(c) => c.push_null(),
            Column::Int64(c) => c.push_null(),
            Column::Float32(c) => c.push_null(),
            Column::Float64(c) => c.push_null(),
            Column::Decimal(c, ..) => c.push_null(),
            Column::Date(c) => c.push_null(),
            Column::Timestamp(c, _) => c.push_null(),
            Column::DayTime(c) => c.push_null(),
            Column::YearMonth(c) => c.push_null(),
            Column::Variant(c) => c.push_null(),
            Column::List(c) => {
                let end = c.offsets.last().copied().unwrap_or(0);
                c.offsets.push(end);
                c.nulls.append_null();
            }
            Column::Struct(c) => c.push_null(),
            Column::Map(c) => {
                let end = c.offsets.last().copied().unwrap_or(0);
                c.offsets.push(end);
                c.nulls.append_null();
            }
        }
    }

    /// Reserves room for `factor` times the current contents more, recursively.
    ///
    /// The decoder calls this once, after a sample of the input, with its estimate of the rest:
    /// growing by doubling would copy (and page-fault in) the large buffers several times.
    pub fn reserve_scaled(&mut self, factor: f64) {
        match self {
            Column::Null(_) | Column::Boolean(_) => {}
            Column::Utf8(c) | Column::Binary(c) => c.reserve_scaled(factor),
            Column::Int8(c) => c.reserve_scaled(factor),
            Column::Int16(c) => c.reserve_scaled(factor),
            Column::Int32(c) => c.reserve_scaled(factor),
            Column::Int64(c) => c.reserve_scaled(factor),
            Column::Float32(c) => c.reserve_scaled(factor),
            Column::Float64(c) => c.reserve_scaled(factor),
            Column::Decimal(c, ..) => c.reserve_scaled(factor),
            Column::Date(c) => c.reserve_scaled(factor),
            Column::Timestamp(c, _) => c.reserve_scaled(factor),
            Column::DayTime(c) => c.reserve_scaled(factor),
            Column::YearMonth(c) => c.reserve_scaled(factor),
            Column::Variant(c) => {
                c.metadata.reserve_scaled(factor);
                c.value.reserve_scaled(factor);
            }
            Column::List(c) => {
                c.offsets.reserve(scaled(c.offsets.len(), factor));
                c.child.reserve_scaled(factor);
            }
            Column::Struct(c) => c.reserve_scaled(factor),
            Column::Map(c) => {
                c.offsets.reserve(scaled(c.offsets.len(), factor));
                c.keys.reserve_scaled(factor);
                c.values.reserve_scaled(factor);
            }
        }
    }

    /// Drops slots from `len` on (recursively for nested columns).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        match self {
            Column::Null(n) => *n = len,
            Column::Utf8(c) | Column::Binary(c) => c.truncate(len),
            Column::Boolean(c) => {
                c.values.truncate(len);
                c.nulls.truncate(len);
            }
            Column::Int8(c) => c.truncate(len),
            Column::Int16(c) => c.truncate(len),
            Column::Int32(c) => c.truncate(len),
            Column::Int64(c) => c.truncate(len),
            Column::Float32(c) => c.truncate(len),
            Column::Float64(c) => c.truncate(len),
            Column::Decimal(c, ..) => c.truncate(len),
            Column::Date(c) => c.truncate(len),
            Column::Timestamp(c, _) => c.truncate(len),
            Column::DayTime(c) => c.truncate(len),
            Column::YearMonth(c) => c.truncate(len),
            Column::Variant(c) => {
                c.metadata.truncate(len);
                c.value.truncate(len);
                c.nulls.truncate(len);
            }
            Column::List(c) => {
                c.offsets.truncate(len + 1);
                c.nulls.truncate(len);
                let child_len = c.offsets[len] as usize;
                c.child.truncate(child_len);
            }
            Column::Struct(c) => c.truncate(len),
            Column::Map(c) => {
                c.offsets.truncate(len + 1);
                c.nulls.truncate(len);
                let child_len = c.offsets[len] as usize;
                c.keys.truncate(child_len);
                c.values.truncate(child_len);
            }
        }
    }

    /// Builds the Arrow array and resets the builder.
    pub fn finish(&mut self) -> Result<ArrayRef, JsonError> {
        Ok(match self {
            Column::Null(n) => new_null_array(&DataType::Null, std::mem::take(n)),
            Column::Utf8(c) => c.finish_utf8()?,
            Column::Binary(c) => c.finish_binary()?,
            Column::Boolean(c) => Arc::new(BooleanArray::new(c.values.finish(), c.nulls.finish())),
            Column::Int8(c) => c.finish(&DataType::Int8),
            Column::Int16(c) => c.finish(&DataType::Int16),
            Column::Int32(c) => c.finish(&DataType::Int32),
            Column::Int64(c) => c.finish(&DataType::Int64),
            Column::Float32(c) => c.finish(&DataType::Float32),
            Column::Float64(c) => c.finish(&DataType::Float64),
            Column::Decimal(c, p, s) => c.finish(&DataType::Decimal128(*p, *s)),
            Column::Date(c) => c.finish(&DataType::Date32),
            Column::Timestamp(c, tz) => {
                c.finish(&DataType::Timestamp(TimeUnit::Microsecond, tz.clone()))
            }
            Column::DayTime(c) => c.finish(&DataType::Duration(TimeUnit::Microsecond)),
            Column::YearMonth(c) => c.finish(&DataType::Interval(IntervalUnit::YearMonth)),
            Column::Variant(c) => {
                let DataType::Struct(fields) = crate::variant::variant_type() else {
                    return Err(JsonError::InvalidSchema("variant is a struct".to_string()));
                };
                let metadata = c.metadata.finish_binary()?;
                let value = c.value.finish_binary()?;
                Arc::new(StructArray::try_new(
                    fields,
                    vec![metadata, value],
                    c.nulls.finish(),
                )?)
            }
            Column::List(c) => {
                check_offsets(c.child.len())?;
                let values = c.child.finish()?;
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(
                    &mut c.offsets,
                    vec![0],
                )));
                Arc::new(ListArray::try_new(
                    c.field.clone(),
                    offsets,
                    values,
                    c.nulls.finish(),
                )?)
            }
            Column::Struct(c) => c.finish()?,
            Column::Map(c) => {
                let DataType::Struct(kv) = c.entries.data_type() else {
                    return Err(JsonError::InvalidSchema(
                        "map entries must be a struct".to_string(),
                    ));
                };
                check_offsets(c.keys.len())?;
                let keys = c.keys.finish_utf8()?;
                let values = c.values.finish()?;
                let entries = StructArray::try_new(kv.clone(), vec![keys, values], None)?;
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(
                    &mut c.offsets,
                    vec![0],
                )));
                Arc::new(MapArray::try_new(
                    c.entries.clone(),
                    offsets,
                    entries,
                    c.nulls.finish(),
                    c.ordered,
                )?)
            }
        })
    }
}

/// Refuses nested columns whose i32 offsets would have wrapped (more than 2^31 elements).
fn check_offsets(child_len: usize) -> Result<(), JsonError> {
    if child_len > i32::MAX as usize {
        return Err(JsonError::Arrow(arrow::error::ArrowError::ComputeError(
            "a list/map column holds more than 2^31 elements in one batch".to_string(),
        )));
    }
    Ok(())
}

/// Spark forces every field of a file source nullable; map keys and entries stay non-null
/// because Arrow requires it (JSON object keys are never null anyway).
pub(crate) fn nullable_field(f: &Field) -> Field {
    if crate::variant::is_variant(f.data_type()) {
        // The variant's own children are required parts of its encoding.
        return f.clone().with_nullable(true);
    }
    f.clone()
        .with_data_type(nullable_type(f.data_type()))
        .with_nullable(true)
}

fn nullable_type(dt: &DataType) -> DataType {
    match dt {
        DataType::List(f) => DataType::List(Arc::new(nullable_field(f))),
        dt if crate::variant::is_variant(dt) => dt.clone(),
        DataType::Struct(fs) => DataType::Struct(fs.iter().map(|f| nullable_field(f)).collect()),
        DataType::Map(entries, ordered) => {
            let entries = match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => {
                    let key = kv[0].as_ref().clone().with_nullable(false);
                    let value = nullable_field(&kv[1]);
                    entries
                        .as_ref()
                        .clone()
                        .with_data_type(DataType::Struct(vec![key, value].into()))
                        .with_nullable(false)
                }
                _ => entries.as_ref().clone(),
            };
            DataType::Map(Arc::new(entries), *ordered)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray, Int32Array};

    #[test]
    fn truncate_nested_list_rolls_back_children() {
        let dt = DataType::List(Arc::new(Field::new("element", DataType::Int32, true)));
        let mut col = Column::for_type(&dt).unwrap();
        let Column::List(l) = &mut col else { panic!() };
        for v in [1, 2, 3] {
            let Column::Int32(c) = &mut l.child else {
                panic!()
            };
            c.push(v);
        }
        l.offsets.push(3);
        l.nulls.append_non_null();
        let Column::Int32(c) = &mut l.child else {
            panic!()
        };
        c.push(9);
        l.offsets.push(4);
        l.nulls.append_non_null();
        col.truncate(1);
        col.push_null();
        let arr = col.finish().unwrap();
        let list = arr.as_list::<i32>();
        assert_eq!(list.len(), 2);
        assert!(list.is_null(1));
        assert_eq!(
            list.values()
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .values(),
            &[1, 2, 3]
        );
    }

    #[test]
    fn varbin_truncate() {
        let mut v = VarBin::new();
        v.push(b"ab");
        v.push_null();
        v.push(b"cde");
        v.truncate(1);
        v.push(b"x");
        let arr = v.finish_utf8().unwrap();
        let s = arr.as_string::<i32>();
        assert_eq!(s.len(), 2);
        assert_eq!(s.value(0), "ab");
        assert_eq!(s.value(1), "x");
    }

    #[test]
    fn nullable_forcing_keeps_map_keys_required() {
        let kv = Fields::from(vec![
            Field::new("key", DataType::Utf8, true),
            Field::new("value", DataType::Int32, false),
        ]);
        let map = DataType::Map(
            Arc::new(Field::new("key_value", DataType::Struct(kv), true)),
            false,
        );
        let f = nullable_field(&Field::new("m", map, false));
        assert!(f.is_nullable());
        let DataType::Map(entries, _) = f.data_type() else {
            panic!()
        };
        assert!(!entries.is_nullable());
        let DataType::Struct(kv) = entries.data_type() else {
            panic!()
        };
        assert!(!kv[0].is_nullable());
        assert!(kv[1].is_nullable());
    }

    #[test]
    fn unsupported_types_are_refused() {
        assert!(Column::for_type(&DataType::UInt32).is_err());
        assert!(Column::for_type(&DataType::Timestamp(TimeUnit::Millisecond, None)).is_err());
        assert!(Column::for_type(&DataType::Decimal128(10, -2)).is_err());
        let kv = Fields::from(vec![
            Field::new("key", DataType::Int32, false),
            Field::new("value", DataType::Int32, true),
        ]);
        let map = DataType::Map(
            Arc::new(Field::new("key_value", DataType::Struct(kv), false)),
            false,
        );
        assert!(Column::for_type(&map).is_err());
    }
}
