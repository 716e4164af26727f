//! Reading the variant encoding: Spark's JSON text, `variant_get` paths, casts to SQL types.
//!
//! Checked against PySpark 4.0.1 (tests/golden/cases_schema.py, `*variant*`): `to_json` writes
//! keys sorted, decimals without trailing zeros (`1.50` is `1.5`, `100.0` is `100`), doubles as
//! Java's `Double.toString` with NaN and infinities quoted; `CAST(v AS STRING)` is the same text
//! except that a string is itself, a JSON null is NULL and NaN/infinities are bare.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, Decimal128Array, Float64Array,
    Int64Array, StringArray,
};
use arrow::datatypes::DataType;
use chrono_tz::Tz;
use datafusion::common::{exec_err, DataFusionError, Result};

use super::build::{id, ARRAY, OBJECT, PRIMITIVE, SHORT_STR};
use super::{is_variant, VariantError};
use crate::sql::functions::spark_cast::{cast_array, java_double, java_float, CastMode};

type VResult<T> = std::result::Result<T, VariantError>;

fn bad(what: &'static str) -> VariantError {
    VariantError::Malformed(what)
}

fn le(bytes: &[u8], at: usize, size: usize) -> VResult<usize> {
    let b = bytes.get(at..at + size).ok_or(bad("truncated"))?;
    let mut buf = [0u8; 8];
    buf[..size].copy_from_slice(b);
    Ok(u64::from_le_bytes(buf) as usize)
}

/// One encoded variant value and the metadata its object keys refer to.
#[derive(Debug, Clone, Copy)]
pub struct VariantRef<'a> {
    /// The dictionary of object keys.
    pub metadata: &'a [u8],
    /// The value, starting at its header byte (it may run on past its end).
    pub value: &'a [u8],
}

/// A scalar read out of a variant (containers stay references).
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Float(f32),
    /// Unscaled value and scale, trailing zeros already stripped (Spark's `getDecimal`).
    Decimal(i128, u8),
    Str(&'a str),
    Object,
    Array,
}

/// Layout of an object or array: element count, header sizes and where the data starts.
struct Container {
    n: usize,
    id_size: usize,
    offset_size: usize,
    ids_at: usize,
    offsets_at: usize,
    data_at: usize,
}

impl<'a> VariantRef<'a> {
    fn header(&self) -> VResult<(u8, u8)> {
        let h = *self.value.first().ok_or(bad("empty value"))?;
        Ok((h & 3, h >> 2))
    }

    fn container(&self) -> VResult<Container> {
        let (basic, vh) = self.header()?;
        let (large, id_size, offset_size) = match basic {
            OBJECT => (
                vh & 0x10 != 0,
                ((vh >> 2) & 3) as usize + 1,
                (vh & 3) as usize + 1,
            ),
            ARRAY => (vh & 0x04 != 0, 0, (vh & 3) as usize + 1),
            _ => return Err(bad("not a container")),
        };
        let count_size = if large { 4 } else { 1 };
        let n = le(self.value, 1, count_size)?;
        let ids_at = 1 + count_size;
        let offsets_at = ids_at + n * id_size;
        let data_at = offsets_at + (n + 1) * offset_size;
        Ok(Container {
            n,
            id_size,
            offset_size,
            ids_at,
            offsets_at,
            data_at,
        })
    }

    fn at(&self, c: &Container, i: usize) -> VResult<VariantRef<'a>> {
        let off = le(self.value, c.offsets_at + i * c.offset_size, c.offset_size)?;
        let value = self.value.get(c.data_at + off..).ok_or(bad("offset"))?;
        Ok(VariantRef {
            metadata: self.metadata,
            value,
        })
    }

    /// The dictionary's key `id`.
    fn key(&self, key_id: usize) -> VResult<&'a str> {
        let m = self.metadata;
        let offset_size = ((*m.first().ok_or(bad("empty metadata"))? >> 6) & 3) as usize + 1;
        let n = le(m, 1, offset_size)?;
        if key_id >= n {
            return Err(bad("key id"));
        }
        let base = 1 + (n + 2) * offset_size;
        let start = le(m, 1 + (key_id + 1) * offset_size, offset_size)?;
        let end = le(m, 1 + (key_id + 2) * offset_size, offset_size)?;
        let bytes = m.get(base + start..base + end).ok_or(bad("key bytes"))?;
        std::str::from_utf8(bytes).map_err(|_| bad("key not UTF-8"))
    }

    /// Object members in key order.
    fn fields(&self) -> VResult<Vec<(&'a str, VariantRef<'a>)>> {
        let c = self.container()?;
        (0..c.n)
            .map(|i| {
                let id = le(self.value, c.ids_at + i * c.id_size, c.id_size)?;
                Ok((self.key(id)?, self.at(&c, i)?))
            })
            .collect()
    }

    /// Array elements.
    fn elements(&self) -> VResult<Vec<VariantRef<'a>>> {
        let c = self.container()?;
        (0..c.n).map(|i| self.at(&c, i)).collect()
    }

    /// Bytes this value occupies.
    fn size(&self) -> VResult<usize> {
        let (basic, vh) = self.header()?;
        Ok(match basic {
            SHORT_STR => 1 + vh as usize,
            OBJECT | ARRAY => {
                let c = self.container()?;
                c.data_at
                    + le(
                        self.value,
                        c.offsets_at + c.n * c.offset_size,
                        c.offset_size,
                    )?
            }
            _ => match vh {
                id::NULL | id::TRUE | id::FALSE => 1,
                id::INT1 => 2,
                id::INT2 => 3,
                id::INT4 | id::FLOAT => 5,
                id::INT8 | id::DOUBLE => 9,
                id::DECIMAL4 => 6,
                id::DECIMAL8 => 10,
                id::DECIMAL16 => 18,
                id::LONG_STR => 5 + le(self.value, 1, 4)?,
                _ => return Err(bad("unsupported primitive type")),
            },
        })
    }

    fn scalar(&self) -> VResult<Scalar<'a>> {
        let (basic, vh) = self.header()?;
        let v = self.value;
        let int = |n: usize| -> VResult<i64> {
            let b = v.get(1..1 + n).ok_or(bad("truncated"))?;
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(b);
            // Sign-extend the n-byte little-endian integer.
            let shift = 64 - 8 * n as u32;
            Ok(((u64::from_le_bytes(buf) << shift) as i64) >> shift)
        };
        Ok(match basic {
            SHORT_STR => Scalar::Str(
                std::str::from_utf8(v.get(1..1 + vh as usize).ok_or(bad("truncated"))?)
                    .map_err(|_| bad("string not UTF-8"))?,
            ),
            OBJECT => Scalar::Object,
            ARRAY => Scalar::Array,
            PRIMITIVE => match vh {
                id::NULL => Scalar::Null,
                id::TRUE => Scalar::Bool(true),
                id::FALSE => Scalar::Bool(false),
                id::INT1 => Scalar::Int(int(1)?),
                id::INT2 => Scalar::Int(int(2)?),
                id::INT4 => Scalar::Int(int(4)?),
                id::INT8 => Scalar::Int(int(8)?),
                id::DOUBLE => Scalar::Double(f64::from_bits(int(8)? as u64)),
                id::FLOAT => Scalar::Float(f32::from_bits(int(4)? as u32)),
                id::DECIMAL4 | id::DECIMAL8 | id::DECIMAL16 => {
                    let n = match vh {
                        id::DECIMAL4 => 4,
                        id::DECIMAL8 => 8,
                        _ => 16,
                    };
                    let scale = *v.get(1).ok_or(bad("truncated"))?;
                    let b = v.get(2..2 + n).ok_or(bad("truncated"))?;
                    let mut buf = [0u8; 16];
                    buf[..n].copy_from_slice(b);
                    let shift = 128 - 8 * n as u32;
                    let mut unscaled = (i128::from_le_bytes(buf) << shift) >> shift;
                    let mut scale = scale;
                    while scale > 0 && unscaled % 10 == 0 {
                        unscaled /= 10;
                        scale -= 1;
                    }
                    Scalar::Decimal(unscaled, scale)
                }
                id::LONG_STR => {
                    let len = le(v, 1, 4)?;
                    Scalar::Str(
                        std::str::from_utf8(v.get(5..5 + len).ok_or(bad("truncated"))?)
                            .map_err(|_| bad("string not UTF-8"))?,
                    )
                }
                _ => return Err(bad("unsupported primitive type")),
            },
            _ => return Err(bad("header")),
        })
    }

    /// Whether this is a variant null (a JSON `null`, which is not a SQL NULL).
    pub fn is_null(&self) -> bool {
        self.value.first() == Some(&(id::NULL << 2))
    }

    /// Appends Spark's JSON text of this value (`to_json`).
    pub fn write_json(&self, out: &mut String) -> VResult<()> {
        match self.scalar()? {
            Scalar::Null => out.push_str("null"),
            Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Scalar::Int(i) => out.push_str(&i.to_string()),
            Scalar::Double(d) => json_float(out, d, java_double(d)),
            Scalar::Float(f) => json_float(out, f64::from(f), java_float(f)),
            Scalar::Decimal(u, s) => out.push_str(&decimal_text(u, s)),
            Scalar::Str(s) => crate::json::write_json_string(s, out),
            Scalar::Object => {
                out.push('{');
                for (i, (k, v)) in self.fields()?.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::json::write_json_string(k, out);
                    out.push(':');
                    v.write_json(out)?;
                }
                out.push('}');
            }
            Scalar::Array => {
                out.push('[');
                for (i, v) in self.elements()?.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out)?;
                }
                out.push(']');
            }
        }
        Ok(())
    }

    /// The value at `path`, or None where the path leads nowhere.
    pub fn get(&self, path: &VariantPath) -> VResult<Option<VariantRef<'a>>> {
        let mut cur = *self;
        for step in &path.0 {
            let next = match (step, cur.header()?.0) {
                (Step::Key(k), OBJECT) => cur.fields()?.into_iter().find(|(n, _)| n == k),
                (Step::Index(i), ARRAY) => cur.elements()?.into_iter().nth(*i).map(|v| ("", v)),
                _ => None,
            };
            match next {
                Some((_, v)) => cur = v,
                None => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    /// The value cut to its own bytes (for a sub-variant returned by `variant_get`).
    fn own_bytes(&self) -> VResult<&'a [u8]> {
        let n = self.size()?;
        self.value.get(..n).ok_or(bad("truncated"))
    }

    /// This value as a one-row Arrow array of its natural SQL type; None for objects and
    /// arrays, a null array for a variant null.
    fn scalar_array(&self) -> VResult<Option<ArrayRef>> {
        Ok(Some(match self.scalar()? {
            Scalar::Null => new_null_array(&DataType::Null, 1),
            Scalar::Bool(b) => Arc::new(BooleanArray::from(vec![b])),
            Scalar::Int(i) => Arc::new(Int64Array::from(vec![i])),
            Scalar::Double(d) => Arc::new(Float64Array::from(vec![d])),
            Scalar::Float(f) => Arc::new(Float64Array::from(vec![f64::from(f)])),
            Scalar::Decimal(u, s) => Arc::new(
                Decimal128Array::from(vec![u])
                    .with_precision_and_scale(38, s as i8)
                    .map_err(|_| bad("decimal"))?,
            ),
            Scalar::Str(s) => Arc::new(StringArray::from(vec![s])),
            Scalar::Object | Scalar::Array => return Ok(None),
        }))
    }
}

/// A NaN or infinity is a quoted string in JSON (Jackson's default), other values Java's text.
fn json_float(out: &mut String, v: f64, text: String) {
    if v.is_finite() {
        out.push_str(&text);
    } else {
        out.push('"');
        out.push_str(&text);
        out.push('"');
    }
}

/// `BigDecimal.toPlainString` of `unscaled * 10^-scale`.
fn decimal_text(unscaled: i128, scale: u8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let scale = usize::from(scale);
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// One step of a `variant_get` path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed `variant_get` path: `$` followed by `.key`, `['key']`, `["key"]` or `[index]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantPath(Vec<Step>);

impl VariantPath {
    /// Parses Spark's path syntax (`VariantPathParser`).
    pub fn parse(text: &str) -> std::result::Result<Self, VariantError> {
        let invalid = || VariantError::InvalidPath(text.to_string());
        let rest = text.strip_prefix('$').ok_or_else(invalid)?;
        let b = rest.as_bytes();
        let mut steps = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => {
                    let end = rest[i + 1..]
                        .find(['.', '['])
                        .map_or(rest.len(), |e| i + 1 + e);
                    if end == i + 1 {
                        return Err(invalid());
                    }
                    steps.push(Step::Key(rest[i + 1..end].to_string()));
                    i = end;
                }
                b'[' => {
                    let inner = &rest[i + 1..];
                    if let Some(q @ ('\'' | '"')) = inner.chars().next() {
                        let close = inner[1..].find(q).ok_or_else(invalid)? + 1;
                        if inner.as_bytes().get(close + 1) != Some(&b']') {
                            return Err(invalid());
                        }
                        steps.push(Step::Key(inner[1..close].to_string()));
                        i += close + 3;
                    } else {
                        let close = inner.find(']').ok_or_else(invalid)?;
                        let digits = &inner[..close];
                        if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
                            return Err(invalid());
                        }
                        steps.push(Step::Index(digits.parse().map_err(|_| invalid())?));
                        i += close + 2;
                    }
                }
                _ => return Err(invalid()),
            }
        }
        Ok(VariantPath(steps))
    }
}

fn vref(a: &dyn Array, i: usize) -> Result<VariantRef<'_>> {
    let s = a.as_struct();
    Ok(VariantRef {
        metadata: s.column(0).as_binary::<i32>().value(i),
        value: s.column(1).as_binary::<i32>().value(i),
    })
}

fn to_df(e: VariantError) -> DataFusionError {
    DataFusionError::Execution(e.to_string())
}

/// Spark's JSON text of row `i` of a variant array (not null).
pub fn variant_json(a: &dyn Array, i: usize) -> Result<String> {
    let mut out = String::new();
    vref(a, i)?.write_json(&mut out).map_err(to_df)?;
    Ok(out)
}

/// `CAST(variant AS target)`: `ansi`/`legacy` fail with INVALID_VARIANT_CAST where the value
/// does not convert (Spark's variant casts fail in both), `try` gives NULL.
pub fn cast_variant(
    arr: &ArrayRef,
    target: &DataType,
    mode: CastMode,
    tz: &Tz,
) -> Result<ArrayRef> {
    let path = VariantPath(Vec::new());
    variant_get(arr, &path, Some(target), mode != CastMode::Try, tz)
}

/// `variant_get(v, path, type)` (`target` None: the variant at `path`); `fail` raises
/// INVALID_VARIANT_CAST where a value does not convert, else it is NULL (`try_variant_get`).
pub fn variant_get(
    arr: &ArrayRef,
    path: &VariantPath,
    target: Option<&DataType>,
    fail: bool,
    tz: &Tz,
) -> Result<ArrayRef> {
    if !is_variant(arr.data_type()) {
        return exec_err!("variant_get: the first argument must be a VARIANT");
    }
    let mut found = Vec::with_capacity(arr.len());
    for i in 0..arr.len() {
        found.push(if arr.is_null(i) {
            None
        } else {
            vref(arr.as_ref(), i)?.get(path).map_err(to_df)?
        });
    }
    let Some(target) = target.filter(|t| !is_variant(t)) else {
        let values: Vec<_> = found
            .iter()
            .map(|v| {
                v.map(|v| Ok((v.metadata.to_vec(), v.own_bytes()?.to_vec())))
                    .transpose()
            })
            .collect::<VResult<_>>()
            .map_err(to_df)?;
        return Ok(super::variant_array(&values));
    };
    let mut parts = Vec::with_capacity(found.len());
    for v in found {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            parts.push(new_null_array(target, 1));
            continue;
        };
        let out = match v.scalar_array().map_err(to_df)? {
            // A string is itself as STRING; other scalars go through Spark's CAST.
            Some(a) => cast_array(&a, target, CastMode::Try, tz)?,
            // Objects and arrays convert to STRING only (their JSON text).
            None if *target == DataType::Utf8 => {
                let mut text = String::new();
                v.write_json(&mut text).map_err(to_df)?;
                Arc::new(StringArray::from(vec![text])) as ArrayRef
            }
            None => new_null_array(target, 1),
        };
        if out.is_null(0) && fail {
            let mut text = String::new();
            v.write_json(&mut text).map_err(to_df)?;
            return exec_err!(
                "[INVALID_VARIANT_CAST] The variant value `{text}` cannot be cast into `\"{}\"`. \
                 Please use `try_variant_get` instead.",
                crate::schema::spark_type_name(target).to_uppercase()
            );
        }
        parts.push(out);
    }
    if parts.is_empty() {
        return Ok(new_null_array(target, 0));
    }
    let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
    Ok(arrow::compute::concat(&refs)?)
}

#[cfg(test)]
mod tests {
    use super::super::VariantBuilder;
    use super::*;

    fn json_of(build: impl FnOnce(&mut VariantBuilder)) -> String {
        let mut b = VariantBuilder::new();
        build(&mut b);
        let (m, v) = b.finish();
        let mut out = String::new();
        VariantRef {
            metadata: &m,
            value: &v,
        }
        .write_json(&mut out)
        .unwrap();
        out
    }

    #[test]
    fn numbers_are_typed_like_spark() {
        for (text, int, want) in [
            ("1", true, "1"),
            ("-0", true, "0"),
            ("12345678901234567890", true, "12345678901234567890"),
            ("1.50", false, "1.5"),
            ("100.0", false, "100"),
            ("-0.0", false, "0"),
            ("0.000001", false, "0.000001"),
            ("1e3", false, "1000.0"),
            ("-1.5e-7", false, "-1.5E-7"),
            ("1.0e400", false, "\"Infinity\""),
            (
                "3.14159265358979323846264338327950288419",
                false,
                "3.141592653589793",
            ),
        ] {
            assert_eq!(json_of(|b| b.number(text, int)), want, "{text}");
        }
    }

    #[test]
    fn objects_sort_keys_and_refuse_duplicates() {
        let text = json_of(|b| {
            let start = b.pos();
            let mut fields = Vec::new();
            for (k, v) in [("b", 1), ("a", 2)] {
                let id = b.key_id(k);
                fields.push((id, b.pos()));
                b.int(v);
            }
            b.finish_object(start, &mut fields).unwrap();
        });
        assert_eq!(text, r#"{"a":2,"b":1}"#);
        let mut b = VariantBuilder::new();
        let mut fields = Vec::new();
        for k in ["a", "a"] {
            let id = b.key_id(k);
            fields.push((id, b.pos()));
            b.null();
        }
        assert_eq!(
            b.finish_object(0, &mut fields),
            Err(VariantError::DuplicateKey("a".into()))
        );
    }

    #[test]
    fn paths() {
        assert_eq!(
            VariantPath::parse("$.a['b c'][2]").unwrap(),
            VariantPath(vec![
                Step::Key("a".into()),
                Step::Key("b c".into()),
                Step::Index(2)
            ])
        );
        assert_eq!(VariantPath::parse("$").unwrap(), VariantPath(vec![]));
        for bad in ["a", "$.", "$[x]", "$['a'", "$a"] {
            assert!(VariantPath::parse(bad).is_err(), "{bad}");
        }
    }
}
