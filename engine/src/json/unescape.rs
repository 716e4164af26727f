//! Decoding of JSON string bodies that contain backslash escapes.
//!
//! Jackson builds a Java (UTF-16) string; Spark then encodes it to UTF-8 with
//! `String.getBytes(UTF_8)`, which writes `?` for an unpaired surrogate. `"\ud800"` therefore
//! becomes `"?"`, and a valid `\ud83d\ude00` pair becomes one 4-byte character.

/// Appends the decoded form of a string body (the text between the quotes) to `out`.
///
/// The tokenizer has already validated every escape; anything malformed here is copied through
/// rather than panicking.
pub(crate) fn unescape_into(body: &str, out: &mut String) {
    let bytes = body.as_bytes();
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&body[run_start..i]);
        let (ch, used) = decode_escape(bytes, i);
        out.push(ch);
        i += used;
        run_start = i;
    }
    out.push_str(&body[run_start..]);
}

/// Decodes the escape at `bytes[i] == '\\'`; returns the character and the bytes consumed.
fn decode_escape(bytes: &[u8], i: usize) -> (char, usize) {
    let Some(&e) = bytes.get(i + 1) else {
        return ('\\', 1);
    };
    let simple = match e {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'\'' => '\'',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return decode_unicode(bytes, i),
        other => return (char::from(other), 2),
    };
    (simple, 2)
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let h = bytes.get(at..at + 4)?;
    let s = std::str::from_utf8(h).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// `\uXXXX`, pairing a high surrogate with a directly following `\uDCxx` low surrogate.
fn decode_unicode(bytes: &[u8], i: usize) -> (char, usize) {
    let Some(unit) = hex4(bytes, i + 2) else {
        return ('?', 2);
    };
    match unit {
        0xD800..=0xDBFF => {
            let low = (bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u'))
                .then(|| hex4(bytes, i + 8))
                .flatten()
                .filter(|l| (0xDC00..=0xDFFF).contains(l));
            match low {
                Some(low) => {
                    let cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    (char::from_u32(cp).unwrap_or('?'), 12)
                }
                None => ('?', 6),
            }
        }
        0xDC00..=0xDFFF => ('?', 6),
        cp => (char::from_u32(cp).unwrap_or('?'), 6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(s: &str) -> String {
        let mut out = String::new();
        unescape_into(s, &mut out);
        out
    }

    #[test]
    fn simple_escapes() {
        assert_eq!(
            un(r#"a\"b\\c\/d\be\ff\ng\rh\ti\'j"#),
            "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti'j"
        );
        assert_eq!(un("plain h\u{e9}llo"), "plain h\u{e9}llo");
        assert_eq!(un(r"\u00e9t\u00C9"), "\u{e9}t\u{c9}");
    }

    #[test]
    fn surrogates_like_java() {
        assert_eq!(un(r"\ud83d\ude00!"), "\u{1F600}!");
        assert_eq!(un(r"\ud800"), "?");
        assert_eq!(un(r"\ud800x"), "?x");
        assert_eq!(un(r"\udc00\ud800"), "??");
        assert_eq!(un(r"\ud800\u0041"), "?A");
    }
}
