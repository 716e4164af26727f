//! Databricks' rescued-data column (`rescuedDataColumn`, spark-semantics.md 8.2).
//!
//! With the option set, whatever a record holds that the schema cannot take is kept as JSON text
//! instead of being lost, and such a record is *not* bad: it gets no corrupt-record text, is not
//! dropped by DROPMALFORMED and does not fail FAILFAST (Databricks' JSON docs: "data type
//! mismatches do not cause records to be dropped ... Only corrupt records - incomplete or
//! malformed JSON - are dropped or throw errors"). The rules implemented here:
//!
//! - A key that names no field of its struct is rescued with its value. With `readerCaseSensitive`
//!   (default true) a key matching a field only by case is such a key; with it false the key
//!   fills the field instead (Databricks' "case mismatches" rescue).
//! - A value that does not convert to its field's type leaves the field NULL and is rescued.
//!   Spark's nulling granularity is kept: a bad array element or map value nulls (and rescues)
//!   the whole array or map, a non-object for a STRUCT rescues the whole value, a bad leaf inside
//!   a struct rescues only that leaf.
//! - Rescued members are keyed by their path from the record's object: struct levels joined with
//!   `.`, array elements as `[i]`, map values by their key (`a.b`, `arr[2].x`, `m.k.x`). The
//!   Databricks docs do not say how nested mismatches are named; this is spate's choice.
//! - Values are written as compact JSON rebuilt from the tokens: numbers exactly as written,
//!   strings re-escaped with double quotes (so single-quoted input still gives valid JSON), and
//!   `NaN`/`Infinity` tokens as JSON strings.
//! - The object ends with `"_file_path": "<file>"` unless the conf
//!   `spark.databricks.sql.rescuedDataColumn.filePath.enabled` is false; a row with nothing
//!   rescued has NULL.
//! - Still bad (not rescued): invalid JSON, a record that is not an object, invalid UTF-8.
//! - Duplicate keys: the last occurrence that converts wins (as in Spark) and every occurrence
//!   that does not convert is rescued.

use super::convert::Ctx;
use super::tape::Kind;

/// One step from the record's object down to a rescued value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seg {
    /// A struct member or map entry: the tape index of its key node.
    Key(u32),
    /// An array element, by position.
    Index(u32),
}

/// Rescue state of the current row (kept across rows to reuse its buffers).
#[derive(Default)]
pub(crate) struct Rescue {
    /// Whether rescued values are written out (the read schema has the column).
    pub collect: bool,
    /// Path from the record's object to the value being converted.
    pub path: Vec<Seg>,
    /// The row's `"path":value` members so far, comma-separated.
    pub members: String,
}

impl Rescue {
    /// The row's rescued JSON object, or None when nothing was rescued; clears the members.
    pub fn finish_row(&mut self, file: Option<&str>) -> Option<String> {
        if self.members.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(self.members.len() + 32);
        out.push('{');
        out.push_str(&self.members);
        if let Some(file) = file {
            out.push_str(",\"_file_path\":");
            write_json_string(file, &mut out);
        }
        out.push('}');
        self.members.clear();
        Some(out)
    }
}

/// Rescues the value at tape index `val`, found under `last` (below the current path).
#[cold]
pub(crate) fn rescue_value(cx: &mut Ctx, last: Seg, val: usize) {
    if !cx.scratch.rescue.collect {
        return;
    }
    let mut out = std::mem::take(&mut cx.scratch.rescue.members);
    if !out.is_empty() {
        out.push(',');
    }
    let mut path = String::new();
    let segs = std::mem::take(&mut cx.scratch.rescue.path);
    for seg in segs.iter().chain(std::iter::once(&last)) {
        match *seg {
            Seg::Key(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                push_key(cx, k as usize, &mut path);
            }
            Seg::Index(i) => {
                path.push('[');
                path.push_str(&i.to_string());
                path.push(']');
            }
        }
    }
    cx.scratch.rescue.path = segs;
    write_json_string(&path, &mut out);
    out.push(':');
    write_value(cx, val, &mut out);
    cx.scratch.rescue.members = out;
}

/// Appends the decoded name of the key node at `k` (lossy if Jackson could not decode it).
fn push_key(cx: &mut Ctx, k: usize, out: &mut String) {
    let Some(node) = cx.nodes.get(k).copied() else {
        return;
    };
    if cx.with_str(&node, |s| out.push_str(s)).is_none() {
        out.push_str(&String::from_utf8_lossy(
            cx.buf.get(node.body()).unwrap_or_default(),
        ));
    }
}

/// Appends the value at tape index `idx` as compact JSON.
fn write_value(cx: &mut Ctx, idx: usize, out: &mut String) {
    let Some(n) = cx.nodes.get(idx).copied() else {
        out.push_str("null");
        return;
    };
    match n.kind {
        Kind::Null => out.push_str("null"),
        Kind::True => out.push_str("true"),
        Kind::False => out.push_str("false"),
        Kind::Int | Kind::Float => out.push_str(&cx.raw(&n)),
        // Not valid JSON numbers: kept as the token text in a string.
        Kind::NonFinite => write_json_string(&cx.raw(&n), out),
        Kind::Str => {
            let mut s = String::new();
            if cx.with_str(&n, |t| s.push_str(t)).is_none() {
                s = String::from_utf8_lossy(cx.buf.get(n.body()).unwrap_or_default()).into_owned();
            }
            write_json_string(&s, out);
        }
        Kind::Array => {
            out.push('[');
            let end = n.next as usize;
            let mut e = idx + 1;
            while e < end {
                if e > idx + 1 {
                    out.push(',');
                }
                write_value(cx, e, out);
                e = cx.nodes.get(e).map_or(end, |m| m.next as usize);
            }
            out.push(']');
        }
        Kind::Object => {
            out.push('{');
            let end = n.next as usize;
            let mut k = idx + 1;
            while k < end {
                if k > idx + 1 {
                    out.push(',');
                }
                let mut name = String::new();
                push_key(cx, k, &mut name);
                write_json_string(&name, out);
                out.push(':');
                write_value(cx, k + 1, out);
                k = cx.nodes.get(k + 1).map_or(end, |m| m.next as usize);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string literal with Jackson's escapes (what Spark's `to_json` and
/// Databricks' rescued data write): `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00XX` for other controls.
pub fn write_json_string(s: &str, out: &mut String) {
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
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut out = String::new();
        write_json_string("a\"b\\c\nd\u{1}é", &mut out);
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn finish_row_adds_the_file_path() {
        let mut r = Rescue::default();
        assert_eq!(r.finish_row(Some("f.json")), None);
        r.members.push_str(r#""a":1"#);
        assert_eq!(
            r.finish_row(Some("dir/f.json")).as_deref(),
            Some(r#"{"a":1,"_file_path":"dir/f.json"}"#)
        );
        assert!(r.members.is_empty());
        r.members.push_str(r#""a":1"#);
        assert_eq!(r.finish_row(None).as_deref(), Some(r#"{"a":1}"#));
    }
}
