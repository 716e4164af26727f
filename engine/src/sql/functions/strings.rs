//! String and small scalar functions whose DataFusion versions give other answers than Spark
//! (checked against PySpark 4.0.1, tests/golden/cases_sql_functions.py):
//!
//! - `substring`/`substr(s, pos[, len])`: Spark's `substringSQL` (position 0 is 1, a negative
//!   position counts from the end).
//! - `locate(substr, s[, pos])`: 1-based, 0 when absent or `pos < 1`.
//! - `initcap(s)`: lower-cases, then title-cases the first letter after each space only
//!   (`ß` becomes `Ss`, `a-b` stays `A-b`).
//! - `concat(...)`: strings (other values cast to STRING like Spark's CAST), or arrays when every
//!   argument is an array; NULL if any argument is NULL.
//! - `bround(x[, d])`: HALF_EVEN rounding.
//! - `typeof(x)`: Spark's type name.

use std::sync::Arc;

use chrono_tz::Tz;
use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, Float64Array, Int32Array, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{
    check_arg_count, coerce_int64, coerce_string, int64, to_arrays, to_output, utf8,
};
use super::spark_cast::value_text;
use super::SparkConf;
use crate::schema::spark_type_name;

fn user_defined() -> Signature {
    Signature::user_defined(Volatility::Immutable)
}

/// Spark's `substring` / `substr`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Substring {
    signature: Signature,
    aliases: Vec<String>,
}

impl Default for Substring {
    fn default() -> Self {
        Substring {
            signature: user_defined(),
            aliases: vec!["substr".to_string()],
        }
    }
}

/// `UTF8String.substringSQL(pos, length)` on characters.
fn substring_sql(s: &str, pos: i64, len: Option<i64>) -> String {
    let n = s.chars().count() as i64;
    let start = if pos > 0 {
        pos - 1
    } else if pos < 0 {
        n + pos
    } else {
        0
    };
    let end = match len {
        None => n,
        Some(l) => start.saturating_add(l),
    };
    if end <= start || start >= n {
        return String::new();
    }
    let (from, to) = (start.max(0) as usize, end.min(n).max(0) as usize);
    s.chars().skip(from).take(to.saturating_sub(from)).collect()
}

impl ScalarUDFImpl for Substring {
    fn name(&self) -> &str {
        "substring"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("substring", arg_types.len(), 2, 3)?;
        arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == 0 {
                    coerce_string("substring", t)
                } else {
                    coerce_int64("substring", t)
                }
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let strs = utf8(&arrays[0])?;
        let strs = strs.as_string::<i32>();
        let pos = int64(&arrays[1])?;
        let pos = pos.as_primitive::<Int64Type>();
        let lens = arrays.get(2).map(int64).transpose()?;
        let lens = lens.as_ref().map(|l| l.as_primitive::<Int64Type>());
        let mut out = StringBuilder::with_capacity(strs.len(), strs.value_data().len());
        for i in 0..strs.len() {
            let len = match lens {
                Some(l) if l.is_null(i) => {
                    out.append_null();
                    continue;
                }
                Some(l) => Some(l.value(i)),
                None => None,
            };
            if strs.is_null(i) || pos.is_null(i) {
                out.append_null();
                continue;
            }
            out.append_value(substring_sql(strs.value(i), pos.value(i), len));
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

/// Spark's `locate(substr, str[, pos])`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Locate {
    signature: Signature,
}

impl Default for Locate {
    fn default() -> Self {
        Locate {
            signature: user_defined(),
        }
    }
}

impl ScalarUDFImpl for Locate {
    fn name(&self) -> &str {
        "locate"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("locate", arg_types.len(), 2, 3)?;
        arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i < 2 {
                    coerce_string("locate", t)
                } else {
                    coerce_int64("locate", t)
                }
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let (subs, strs) = (utf8(&arrays[0])?, utf8(&arrays[1])?);
        let (subs, strs) = (subs.as_string::<i32>(), strs.as_string::<i32>());
        let pos = arrays.get(2).map(int64).transpose()?;
        let pos = pos.as_ref().map(|p| p.as_primitive::<Int64Type>());
        let out: Int32Array = (0..strs.len())
            .map(|i| {
                let start = match pos {
                    Some(p) if p.is_null(i) => return None,
                    Some(p) => p.value(i),
                    None => 1,
                };
                if subs.is_null(i) || strs.is_null(i) {
                    return None;
                }
                if start < 1 {
                    return Some(0);
                }
                let (sub, s) = (subs.value(i), strs.value(i));
                let skip = (start - 1) as usize;
                let Some((byte_start, _)) = s
                    .char_indices()
                    .nth(skip)
                    .or((skip == s.chars().count()).then_some((s.len(), ' ')))
                else {
                    return Some(0);
                };
                Some(match s[byte_start..].find(sub) {
                    Some(b) => (s[..byte_start + b].chars().count() + 1) as i32,
                    None => 0,
                })
            })
            .collect();
        to_output(&args.args, Arc::new(out))
    }
}

/// Spark's `initcap`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Initcap {
    signature: Signature,
}

impl Default for Initcap {
    fn default() -> Self {
        Initcap {
            signature: user_defined(),
        }
    }
}

/// Unicode title case of one character (`ß` is `Ss`, not `SS`).
fn title_case(c: char, out: &mut String) {
    match c {
        'ß' => out.push_str("Ss"),
        'ǆ' | 'ǅ' | 'Ǆ' => out.push('ǅ'),
        'ǉ' | 'ǈ' | 'Ǉ' => out.push('ǈ'),
        'ǌ' | 'ǋ' | 'Ǌ' => out.push('ǋ'),
        'ǳ' | 'ǲ' | 'Ǳ' => out.push('ǲ'),
        _ => out.extend(c.to_uppercase()),
    }
}

impl ScalarUDFImpl for Initcap {
    fn name(&self) -> &str {
        "initcap"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("initcap", arg_types.len(), 1, 1)?;
        Ok(vec![coerce_string("initcap", &arg_types[0])?])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let strs = utf8(&arrays[0])?;
        let strs = strs.as_string::<i32>();
        let mut out = StringBuilder::with_capacity(strs.len(), strs.value_data().len());
        for s in strs.iter() {
            match s {
                None => out.append_null(),
                Some(s) => {
                    let mut r = String::with_capacity(s.len());
                    let mut word_start = true;
                    for c in s.to_lowercase().chars() {
                        if word_start {
                            title_case(c, &mut r);
                        } else {
                            r.push(c);
                        }
                        word_start = c == ' ';
                    }
                    out.append_value(r);
                }
            }
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

/// Spark's `concat`: strings, or arrays when every argument is an array.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Concat {
    signature: Signature,
    time_zone: Tz,
}

impl Concat {
    /// `concat` for a session's settings (the zone shows in TIMESTAMP arguments cast to STRING).
    pub fn new(conf: &SparkConf) -> Self {
        Concat {
            signature: Signature::variadic_any(Volatility::Immutable),
            time_zone: conf.session_time_zone,
        }
    }
}

fn is_list(t: &DataType) -> bool {
    matches!(t, DataType::List(_) | DataType::LargeList(_))
}

impl ScalarUDFImpl for Concat {
    fn name(&self) -> &str {
        "concat"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !arg_types.is_empty() && arg_types.iter().all(|t| is_list(t) || *t == DataType::Null) {
            if let Some(t) = arg_types.iter().find(|t| is_list(t)) {
                return Ok(t.clone());
            }
        }
        if arg_types.iter().any(is_list) {
            return plan_err!(
                "concat: the arguments must all be arrays or all be strings, got {arg_types:?}"
            );
        }
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let rows = arrays.first().map_or(1, |a| a.len());
        let target = args.return_field.data_type().clone();
        if is_list(&target) {
            // Array concatenation: NULL if any argument is NULL.
            let lists: Vec<ArrayRef> = arrays
                .iter()
                .map(|a| {
                    if a.data_type() == &DataType::Null {
                        Ok(new_null_array(&target, a.len()))
                    } else {
                        cast(a, &target)
                    }
                })
                .collect::<std::result::Result<_, _>>()?;
            let mut out: Vec<ScalarValue> = Vec::with_capacity(rows);
            for i in 0..rows {
                if lists.iter().any(|l| l.is_null(i)) {
                    out.push(ScalarValue::try_from(&target)?);
                    continue;
                }
                let parts: Vec<ArrayRef> =
                    lists.iter().map(|l| l.as_list::<i32>().value(i)).collect();
                let refs: Vec<&dyn Array> = parts.iter().map(|p| p.as_ref()).collect();
                let values = datafusion::arrow::compute::concat(&refs)?;
                out.push(ScalarValue::List(Arc::new(
                    datafusion::arrow::array::ListArray::new(
                        match &target {
                            DataType::List(f) => Arc::clone(f),
                            _ => return plan_err!("concat: unexpected {target}"),
                        },
                        datafusion::arrow::buffer::OffsetBuffer::from_lengths([values.len()]),
                        values,
                        None,
                    ),
                )));
            }
            let result = ScalarValue::iter_to_array(out)?;
            return to_output(&args.args, result);
        }
        let mut out = StringBuilder::with_capacity(rows, rows * 16);
        'rows: for i in 0..rows {
            let mut s = String::new();
            for a in &arrays {
                match value_text(a.as_ref(), i, &self.time_zone)? {
                    Some(t) => s.push_str(&t),
                    None => {
                        out.append_null();
                        continue 'rows;
                    }
                }
            }
            out.append_value(s);
        }
        to_output(&args.args, Arc::new(out.finish()))
    }
}

/// Spark's `bround(x[, d])`: HALF_EVEN rounding of a DOUBLE.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BRound {
    signature: Signature,
}

impl Default for BRound {
    fn default() -> Self {
        BRound {
            signature: user_defined(),
        }
    }
}

/// HALF_EVEN at `d` decimal places, from the decimal digits of `x` (Scala's `BigDecimal(x)`).
fn bround(x: f64, d: i64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let text = format!("{:e}", x.abs());
    let Some((mantissa, exp)) = text.split_once('e') else {
        return x;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let n = digits.len() as i64;
    // |x| = M × 10^(exp - n + 1) with M the digits; at scale d that is M × 10^k.
    let k = exp - n + 1 + d;
    if k >= 0 {
        return x;
    }
    let drop = -k;
    if drop > n {
        return 0.0f64.copysign(x);
    }
    let keep = (n - drop) as usize;
    let mut kept: u128 = digits[..keep]
        .iter()
        .fold(0u128, |v, d| v * 10 + u128::from(*d));
    let first = digits[keep];
    let beyond = digits[keep + 1..].iter().any(|d| *d != 0);
    if first > 5 || (first == 5 && (beyond || kept % 2 == 1)) {
        kept += 1;
    }
    let v: f64 = format!("{kept}e{}", -d).parse().unwrap_or(x);
    v.copysign(x)
}

impl ScalarUDFImpl for BRound {
    fn name(&self) -> &str {
        "bround"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_arg_count("bround", arg_types.len(), 1, 2)?;
        let mut types = vec![DataType::Float64];
        if let Some(t) = arg_types.get(1) {
            types.push(coerce_int64("bround", t)?);
        }
        Ok(types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = to_arrays(&args.args)?;
        let xs = arrays[0].as_primitive::<Float64Type>();
        let ds = arrays.get(1).map(int64).transpose()?;
        let ds = ds.as_ref().map(|d| d.as_primitive::<Int64Type>());
        let out: Float64Array = (0..xs.len())
            .map(|i| {
                let d = match ds {
                    Some(d) if d.is_null(i) => return None,
                    Some(d) => d.value(i),
                    None => 0,
                };
                (!xs.is_null(i)).then(|| bround(xs.value(i), d))
            })
            .collect();
        to_output(&args.args, Arc::new(out))
    }
}

/// Spark's `typeof(x)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TypeOf {
    signature: Signature,
}

impl Default for TypeOf {
    fn default() -> Self {
        TypeOf {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = spark_type_name(&args.args[0].data_type());
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::test_support::eval;
    use super::*;

    #[test]
    fn substring_positions() {
        assert_eq!(substring_sql("abcdef", 2, Some(3)), "bcd");
        assert_eq!(substring_sql("abcdef", -3, None), "def");
        assert_eq!(substring_sql("abcdef", 0, Some(2)), "ab");
        assert_eq!(substring_sql("abcdef", -10, Some(2)), "");
        assert_eq!(substring_sql("héllo", 2, Some(2)), "él");
    }

    #[test]
    fn half_even() {
        assert_eq!(bround(2.25, 1), 2.2);
        assert_eq!(bround(2.35, 1), 2.4);
        assert_eq!(bround(-2.5, 0), -2.0);
        assert_eq!(bround(2.5, 0), 2.0);
        assert_eq!(bround(3.5, 0), 4.0);
        assert_eq!(bround(9.5, 0), 10.0);
        assert_eq!(bround(1234.5, -2), 1200.0);
    }

    #[tokio::test]
    async fn strings() {
        assert_eq!(
            eval("SELECT initcap('ß straße a-b')").await,
            "Ss Straße A-b"
        );
        assert_eq!(eval("SELECT locate('na', 'banana', 4)").await, "5");
        assert_eq!(eval("SELECT locate('x', 'banana')").await, "0");
        assert_eq!(eval("SELECT concat('a', 1.5, true)").await, "a1.5true");
        assert_eq!(eval("SELECT concat('a', NULL)").await, "NULL");
    }
}
