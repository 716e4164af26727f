//! JSON values into Spark's VARIANT (`crate::variant`): the reader's VARIANT columns and
//! `parse_json`.
//!
//! Any JSON value converts (spec 6.4); an object with a repeated key fails, as Spark's variant
//! builder refuses duplicates (the record is bad; `parse_json` raises).

use chrono_tz::Tz;

use super::convert::{Ctx, Scratch};
use super::tape::{Kind, Tape};
use crate::variant::{VariantBuilder, VariantError};

/// Appends the value at tape index `idx` to `b`; Err for a duplicate key or unreadable text.
pub(crate) fn append(b: &mut VariantBuilder, idx: usize, cx: &mut Ctx) -> Result<(), VariantError> {
    let Some(n) = cx.nodes.get(idx).copied() else {
        return Err(VariantError::Malformed("tape"));
    };
    let unreadable = || VariantError::Malformed("a string that is not valid UTF-8");
    match n.kind {
        Kind::Null => b.null(),
        Kind::True => b.boolean(true),
        Kind::False => b.boolean(false),
        Kind::Int | Kind::Float => {
            let text = cx.raw(&n);
            b.number(&text, n.kind == Kind::Int);
        }
        Kind::NonFinite => {
            let v = match cx.buf.get(n.start as usize) {
                Some(b'N') => f64::NAN,
                Some(b'-') => f64::NEG_INFINITY,
                _ => f64::INFINITY,
            };
            b.non_finite(v);
        }
        Kind::Str => cx.with_str(&n, |s| b.string(s)).ok_or_else(unreadable)?,
        Kind::Array => {
            let start = b.pos();
            let mut starts = Vec::new();
            let mut e = idx + 1;
            while e < n.next as usize {
                starts.push(b.pos());
                append(b, e, cx)?;
                e = cx.nodes.get(e).map_or(n.next as usize, |c| c.next as usize);
            }
            b.finish_array(start, &starts);
        }
        Kind::Object => {
            let start = b.pos();
            let mut fields = Vec::new();
            let mut k = idx + 1;
            while k < n.next as usize {
                let Some(key) = cx.nodes.get(k).copied() else {
                    return Err(VariantError::Malformed("tape"));
                };
                let id = cx.with_str(&key, |s| b.key_id(s)).ok_or_else(unreadable)?;
                fields.push((id, b.pos()));
                append(b, k + 1, cx)?;
                k = cx
                    .nodes
                    .get(k + 1)
                    .map_or(n.next as usize, |c| c.next as usize);
            }
            b.finish_object(start, &mut fields)?;
        }
    }
    Ok(())
}

/// Why `parse_json` failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseJsonError {
    /// Not JSON (Spark: MALFORMED_RECORD_IN_PARSING).
    #[error(
        "[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected in \
         record parsing: {0}. Parse Mode: FAILFAST."
    )]
    Malformed(String),
    /// Valid JSON that is not a variant (a duplicate key).
    #[error("{0}")]
    Variant(#[from] VariantError),
}

/// Spark's `parse_json`: the text's first JSON value (strict JSON: no single quotes, no NaN)
/// as a variant's (metadata, value).
pub fn parse_json(text: &str) -> Result<(Vec<u8>, Vec<u8>), ParseJsonError> {
    let mut tape = Tape::new(false, false);
    match tape.parse(text.as_bytes(), false) {
        Ok(true) => {}
        _ => return Err(ParseJsonError::Malformed(text.to_string())),
    }
    let mut scratch = Scratch::default();
    let mut cx = Ctx {
        buf: text.as_bytes(),
        text: Some(text),
        nodes: &tape.nodes,
        tz: Tz::UTC,
        ts_format: None,
        date_format: None,
        allow_non_numeric: false,
        scratch: &mut scratch,
        want_reason: false,
        reason: None,
        path: Vec::new(),
        utf8_read: 0,
        utf8_fatal: false,
        partial_results: true,
        allow_empty_string: false,
        depth: 0,
        rescue: false,
        reader_case_sensitive: false,
    };
    let mut b = VariantBuilder::new();
    append(&mut b, 0, &mut cx)?;
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::VariantRef;

    fn round_trip(text: &str) -> String {
        let (m, v) = parse_json(text).unwrap();
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
    fn parse_json_like_spark() {
        assert_eq!(
            round_trip(r#" {"b":1,"a":[1.5,true,null,"x\n"]} "#),
            r#"{"a":[1.5,true,null,"x\n"],"b":1}"#
        );
        assert_eq!(round_trip("1e2"), "100.0");
        let long = "y".repeat(300);
        assert_eq!(
            round_trip(&format!("[\"{long}\"]")),
            format!("[\"{long}\"]")
        );
        assert!(matches!(
            parse_json(r#"{"a":"#),
            Err(ParseJsonError::Malformed(_))
        ));
        assert!(matches!(
            parse_json("NaN"),
            Err(ParseJsonError::Malformed(_))
        ));
        assert!(matches!(
            parse_json(r#"{"a":1,"a":2}"#),
            Err(ParseJsonError::Variant(VariantError::DuplicateKey(_)))
        ));
    }
}
