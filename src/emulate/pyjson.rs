//! Flat records and their two text forms as the Python emulators print them: `json.dumps(row)`
//! (spec §4.1: `", "` / `": "` separators, `ensure_ascii=True`) and `repr(row)` (spec §2: the raw
//! row with `datetime.datetime(...)`, which shows up as a malformed line).

use std::fmt::Write;

use super::dates::DateTime;

/// One column value of a MySQL row as the emulator sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    /// A DATETIME: a string in JSON (`strftime`, spec §4.1), `datetime.datetime(...)` in `repr`.
    DateTime(DateTime),
    Null,
}

/// A row: column names in table order (spec §3.1-3.3) with their values.
pub type Record = Vec<(&'static str, Value)>;

/// `json.dumps(record)` with Python's default separators and `ensure_ascii=True`.
pub fn dumps(record: &Record) -> String {
    let mut out = String::with_capacity(1024);
    out.push('{');
    for (i, (name, value)) in record.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_json_str(&mut out, name);
        out.push_str(": ");
        match value {
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(x) => out.push_str(&py_float(*x)),
            Value::Str(s) => push_json_str(&mut out, s),
            Value::DateTime(t) => push_json_str(&mut out, &t.to_string()),
            Value::Null => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

/// `repr(record)` of the dict: single-quoted strings, `datetime.datetime(...)`, `None`.
pub fn py_repr(record: &Record) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in record.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&py_str_repr(name));
        out.push_str(": ");
        match value {
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Float(x) => out.push_str(&py_float(*x)),
            Value::Str(s) => out.push_str(&py_str_repr(s)),
            Value::DateTime(t) => out.push_str(&t.py_repr()),
            Value::Null => out.push_str("None"),
        }
    }
    out.push('}');
    out
}

/// A JSON string literal as Python's `ensure_ascii` encoder writes it: only `' '..='~'` stays raw,
/// everything else becomes `\uXXXX` (lowercase hex, UTF-16 surrogate pairs above U+FFFF).
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; control characters
/// and Latin-1 non-printables as `\xNN`. Other non-ASCII stays raw, as in Python 3.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{a0}' | '\u{ad}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(float)`: the shortest round-trip digits, positional for exponents -4..16 with at
/// least one fractional digit (`100.0`), otherwise `1e-05` / `1.5e+16`.
pub fn py_float(x: f64) -> String {
    if !x.is_finite() {
        // json.dumps writes these non-standard tokens (allow_nan=True); never generated here.
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` is also shortest round-trip: "-8.99787e1", "1e-5".
    let sci = format!("{x:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.push_str(&"0".repeat(int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python_repr() {
        // Expected values are what CPython 3 prints for repr(x).
        for (x, py) in [
            (-89.9787, "-89.9787"),
            (-0.375174, "-0.375174"),
            (-173.293, "-173.293"),
            (100.0, "100.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.000012345, "-1.2345e-05"),
            (1e16, "1e+16"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.0, "0.0"),
        ] {
            assert_eq!(py_float(x), py, "{x}");
        }
    }

    #[test]
    fn dumps_matches_python_json_dumps() {
        let rec: Record = vec![
            ("ind", Value::Int(7528)),
            (
                "description",
                Value::Str("I ca\u{2026}\u{a0} \"q\" \\ \u{1F384}\n".into()),
            ),
            ("latitude", Value::Float(-89.9787)),
            (
                "timestamp",
                Value::DateTime(DateTime {
                    year: 2020,
                    month: 8,
                    day: 28,
                    hour: 3,
                    minute: 52,
                    second: 47,
                }),
            ),
            ("x", Value::Null),
        ];
        // json.dumps({...}) in CPython 3.
        assert_eq!(
            dumps(&rec),
            r#"{"ind": 7528, "description": "I ca\u2026\u00a0 \"q\" \\ \ud83c\udf84\n", "latitude": -89.9787, "timestamp": "2020-08-28 03:52:47", "x": null}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&dumps(&rec)).expect("valid JSON");
        assert_eq!(
            parsed["description"],
            "I ca\u{2026}\u{a0} \"q\" \\ \u{1F384}\n"
        );
    }

    #[test]
    fn repr_matches_python_dict_repr() {
        let rec: Record = vec![
            ("ind", Value::Int(7528)),
            (
                "timestamp",
                Value::DateTime(DateTime {
                    year: 2020,
                    month: 8,
                    day: 28,
                    hour: 3,
                    minute: 52,
                    second: 47,
                }),
            ),
            ("country", Value::Str("Cote d'Ivoire".into())),
            ("name", Value::Str("it's \"x\"".into())),
            ("none", Value::Null),
        ];
        assert_eq!(
            py_repr(&rec),
            r#"{'ind': 7528, 'timestamp': datetime.datetime(2020, 8, 28, 3, 52, 47), 'country': "Cote d'Ivoire", 'name': 'it\'s "x"', 'none': None}"#
        );
    }
}
