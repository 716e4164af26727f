//! Writing the variant encoding, typed as Spark's `VariantBuilder` types JSON values.

use std::collections::HashMap;

use super::VariantError;

/// Primitive type ids of the value encoding (Parquet Variant specification).
pub(super) mod id {
    pub const NULL: u8 = 0;
    pub const TRUE: u8 = 1;
    pub const FALSE: u8 = 2;
    pub const INT1: u8 = 3;
    pub const INT2: u8 = 4;
    pub const INT4: u8 = 5;
    pub const INT8: u8 = 6;
    pub const DOUBLE: u8 = 7;
    pub const DECIMAL4: u8 = 8;
    pub const DECIMAL8: u8 = 9;
    pub const DECIMAL16: u8 = 10;
    pub const FLOAT: u8 = 14;
    pub const LONG_STR: u8 = 16;
}

/// Basic types (the low two bits of a value's header byte).
pub(super) const PRIMITIVE: u8 = 0;
pub(super) const SHORT_STR: u8 = 1;
pub(super) const OBJECT: u8 = 2;
pub(super) const ARRAY: u8 = 3;

/// Largest decimal precision a variant holds (DECIMAL16).
const MAX_DECIMAL_PRECISION: usize = 38;

/// Bytes needed for `v` as an unsigned little-endian integer (Spark's `getIntegerSize`).
fn int_size(v: usize) -> usize {
    match v {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFF_FFFF => 3,
        _ => 4,
    }
}

fn push_le(out: &mut Vec<u8>, v: usize, size: usize) {
    out.extend_from_slice(&(v as u64).to_le_bytes()[..size]);
}

/// Builds one variant value at a time: containers are written as their members arrive and
/// get their header when finished, as Spark's builder does.
#[derive(Debug, Default)]
pub struct VariantBuilder {
    keys: Vec<String>,
    ids: HashMap<String, u32>,
    value: Vec<u8>,
}

impl VariantBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current end of the value (where the next member starts).
    pub fn pos(&self) -> usize {
        self.value.len()
    }

    /// Drops whatever was written (after a failed value).
    pub fn reset(&mut self) {
        self.keys.clear();
        self.ids.clear();
        self.value.clear();
    }

    /// A JSON null.
    pub fn null(&mut self) {
        self.value.push(id::NULL << 2);
    }

    /// A boolean.
    pub fn boolean(&mut self, b: bool) {
        self.value.push(if b { id::TRUE } else { id::FALSE } << 2);
    }

    /// An integer in the smallest integer type that holds it.
    pub fn int(&mut self, v: i64) {
        let (t, n) = if i8::try_from(v).is_ok() {
            (id::INT1, 1)
        } else if i16::try_from(v).is_ok() {
            (id::INT2, 2)
        } else if i32::try_from(v).is_ok() {
            (id::INT4, 4)
        } else {
            (id::INT8, 8)
        };
        self.value.push(t << 2);
        self.value.extend_from_slice(&v.to_le_bytes()[..n]);
    }

    /// A DOUBLE.
    pub fn double(&mut self, v: f64) {
        self.value.push(id::DOUBLE << 2);
        self.value.extend_from_slice(&v.to_le_bytes());
    }

    /// A decimal `unscaled * 10^-scale` of `precision` digits (at most 38).
    fn decimal(&mut self, unscaled: i128, scale: u8, precision: usize) {
        let (t, n) = if precision <= 9 && scale <= 9 {
            (id::DECIMAL4, 4)
        } else if precision <= 18 && scale <= 18 {
            (id::DECIMAL8, 8)
        } else {
            (id::DECIMAL16, 16)
        };
        self.value.push(t << 2);
        self.value.push(scale);
        self.value.extend_from_slice(&unscaled.to_le_bytes()[..n]);
    }

    /// A JSON number token as Spark types it: an integer token that fits a long is an integer;
    /// otherwise a plain decimal (digits, `-`, `.` only) of at most 38 digits and scale is a
    /// DECIMAL; anything else (exponents, longer numbers) is a DOUBLE.
    pub fn number(&mut self, text: &str, integer_token: bool) {
        if integer_token {
            if let Ok(v) = text.parse::<i64>() {
                return self.int(v);
            }
        }
        if !self.try_decimal(text) {
            // Jackson's getDoubleValue: out-of-range values become infinities.
            self.double(text.parse().unwrap_or(f64::NAN));
        }
    }

    /// Spark's `tryParseDecimal`: `new BigDecimal(text)` when it fits a variant decimal.
    fn try_decimal(&mut self, text: &str) -> bool {
        if !text
            .bytes()
            .all(|b| b == b'-' || b == b'.' || b.is_ascii_digit())
        {
            return false;
        }
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || frac.contains('.') || int.contains('-') || frac.contains('-') {
            return false;
        }
        let digits = format!("{int}{frac}");
        let significant = digits.trim_start_matches('0');
        // BigDecimal's precision: digits of the unscaled value, 1 for zero.
        let precision = significant.len().max(1);
        if precision > MAX_DECIMAL_PRECISION || frac.len() > MAX_DECIMAL_PRECISION {
            return false;
        }
        let Ok(unscaled) = significant.parse::<i128>().or_else(|e| {
            if significant.is_empty() {
                Ok(0)
            } else {
                Err(e)
            }
        }) else {
            return false;
        };
        let unscaled = if neg { -unscaled } else { unscaled };
        self.decimal(unscaled, frac.len() as u8, precision);
        true
    }

    /// A NaN or infinity token (`allowNonNumericNumbers`).
    pub fn non_finite(&mut self, v: f64) {
        self.double(v);
    }

    /// A string.
    pub fn string(&mut self, s: &str) {
        if s.len() < 64 {
            self.value.push(((s.len() as u8) << 2) | SHORT_STR);
        } else {
            self.value.push(id::LONG_STR << 2);
            self.value
                .extend_from_slice(&(s.len() as u32).to_le_bytes());
        }
        self.value.extend_from_slice(s.as_bytes());
    }

    /// The dictionary id of an object key.
    pub fn key_id(&mut self, key: &str) -> u32 {
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.to_string());
        self.ids.insert(key.to_string(), id);
        id
    }

    /// Closes the object whose members were written from `start`; `fields` holds each
    /// member's key id and start position. Keys are sorted as Java sorts strings (UTF-16
    /// units), as the encoding requires; a repeated key is Spark's VARIANT_DUPLICATE_KEY.
    pub fn finish_object(
        &mut self,
        start: usize,
        fields: &mut [(u32, usize)],
    ) -> Result<(), VariantError> {
        let keys = &self.keys;
        fields.sort_by(|a, b| {
            keys[a.0 as usize]
                .encode_utf16()
                .cmp(keys[b.0 as usize].encode_utf16())
        });
        if let Some(w) = fields.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(VariantError::DuplicateKey(keys[w[0].0 as usize].clone()));
        }
        let n = fields.len();
        let data_size = self.value.len() - start;
        let max_id = fields.iter().map(|f| f.0 as usize).max().unwrap_or(0);
        let (id_size, offset_size) = (int_size(max_id), int_size(data_size));
        let large = n > 0xFF;
        let mut header = Vec::with_capacity(1 + 4 + n * id_size + (n + 1) * offset_size);
        header.push(
            (((large as u8) << 4) | ((id_size as u8 - 1) << 2) | (offset_size as u8 - 1)) << 2
                | OBJECT,
        );
        push_le(&mut header, n, if large { 4 } else { 1 });
        for f in fields.iter() {
            push_le(&mut header, f.0 as usize, id_size);
        }
        for f in fields.iter() {
            push_le(&mut header, f.1 - start, offset_size);
        }
        push_le(&mut header, data_size, offset_size);
        self.value.splice(start..start, header);
        Ok(())
    }

    /// Closes the array whose elements were written from `start`; `starts` are their positions.
    pub fn finish_array(&mut self, start: usize, starts: &[usize]) {
        let n = starts.len();
        let data_size = self.value.len() - start;
        let offset_size = int_size(data_size);
        let large = n > 0xFF;
        let mut header = Vec::with_capacity(1 + 4 + (n + 1) * offset_size);
        header.push((((large as u8) << 2) | (offset_size as u8 - 1)) << 2 | ARRAY);
        push_le(&mut header, n, if large { 4 } else { 1 });
        for s in starts {
            push_le(&mut header, s - start, offset_size);
        }
        push_le(&mut header, data_size, offset_size);
        self.value.splice(start..start, header);
    }

    /// The finished (metadata, value) pair; the builder is empty again.
    pub fn finish(&mut self) -> (Vec<u8>, Vec<u8>) {
        let strings: usize = self.keys.iter().map(String::len).sum();
        let offset_size = int_size(strings.max(self.keys.len()));
        let mut meta = Vec::with_capacity(1 + (self.keys.len() + 2) * offset_size + strings);
        // Version 1, keys not sorted (they are in first-seen order, as Spark writes them).
        meta.push(1 | ((offset_size as u8 - 1) << 6));
        push_le(&mut meta, self.keys.len(), offset_size);
        let mut end = 0;
        push_le(&mut meta, 0, offset_size);
        for k in &self.keys {
            end += k.len();
            push_le(&mut meta, end, offset_size);
        }
        for k in &self.keys {
            meta.extend_from_slice(k.as_bytes());
        }
        let value = std::mem::take(&mut self.value);
        self.keys.clear();
        self.ids.clear();
        (meta, value)
    }
}
