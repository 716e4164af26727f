//! BINARY from a JSON string: Jackson's `getBinaryValue` with its default Base64 variant.
//!
//! Spark reads BINARY with `parser.getBinaryValue` (spark-semantics.md 6.4), whose default
//! variant (MIME-NO-LINEFEEDS) uses the standard alphabet, requires `=` padding, allows
//! whitespace (any char <= 0x20) only before a 4-character group, does not check unused trailing
//! bits, and keeps decoding after a padded group.

/// Value of a standard-alphabet Base64 character.
#[inline]
fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Decodes `text` into `out` (cleared first); `false` when Jackson would reject it.
pub(crate) fn decode_base64(text: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(text.len() / 4 * 3);
    let mut i = 0;
    loop {
        while i < text.len() && text[i] <= b' ' {
            i += 1;
        }
        let Some(&c0) = text.get(i) else {
            return true;
        };
        let Some(a) = sextet(c0) else {
            return false;
        };
        let Some(b) = text.get(i + 1).copied().and_then(sextet) else {
            return false;
        };
        let bits = (a << 6) | b;
        match text.get(i + 2) {
            // Padding is required: a group cut short by the end of the string is an error.
            None => return false,
            Some(b'=') => {
                if text.get(i + 3) != Some(&b'=') {
                    return false;
                }
                out.push((bits >> 4) as u8);
                i += 4;
                continue;
            }
            Some(&c2) => {
                let Some(c) = sextet(c2) else {
                    return false;
                };
                let bits = (bits << 6) | c;
                match text.get(i + 3) {
                    None => return false,
                    Some(b'=') => {
                        let v = bits >> 2;
                        out.push((v >> 8) as u8);
                        out.push(v as u8);
                    }
                    Some(&c3) => {
                        let Some(d) = sextet(c3) else {
                            return false;
                        };
                        let v = (bits << 6) | d;
                        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
                    }
                }
                i += 4;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        decode_base64(s.as_bytes(), &mut out).then_some(out)
    }

    #[test]
    fn standard_and_padded() {
        assert_eq!(dec("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(dec("aGVsbG8h"), Some(b"hello!".to_vec()));
        assert_eq!(dec("aGk="), Some(b"hi".to_vec()));
        assert_eq!(dec("aA=="), Some(b"h".to_vec()));
        assert_eq!(dec(""), Some(vec![]));
        assert_eq!(dec("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
    }

    #[test]
    fn jackson_leniencies_and_errors() {
        // Whitespace between groups, and groups after padding, are accepted.
        assert_eq!(dec(" aGk= aGk=\n"), Some(b"hihi".to_vec()));
        // Unused trailing bits are not checked.
        assert_eq!(dec("aB=="), Some(b"h".to_vec()));
        // Missing padding, whitespace inside a group, URL alphabet, junk: rejected.
        for bad in [
            "aGk",
            "aA",
            "a",
            "aG k=",
            "-_-_",
            "aGk=!",
            "a===",
            "aGVsbG8=x",
        ] {
            assert_eq!(dec(bad), None, "{bad:?}");
        }
    }
}
