//! Tokenizer: the first JSON value of a record -> a flat tape of nodes borrowing the input.
//!
//! Accepts what Spark's Jackson parser accepts with the JSON source's default features
//! (spark-semantics.md 6.1/6.2): strict JSON, plus single-quoted names and strings when
//! `allowSingleQuotes` (default on) and the tokens `NaN`, `Infinity`, `+Infinity`, `-Infinity`,
//! `+INF`, `-INF` when `allowNonNumericNumbers` (default on). Leading zeros, comments, unquoted
//! names, raw control characters in strings and unknown escapes are syntax errors unless the
//! matching option is on (`allowNumericLeadingZeros`, `allowComments` for `/* */` and `//`,
//! `allowUnquotedFieldNames`, `allowUnquotedControlChars`,
//! `allowBackslashEscapingAnyCharacter`; see [`Leniency`]). Only the first value is read: whatever
//! follows it on the line is never looked at (6.1).
//!
//! The whole value is validated before any conversion runs, because Spark turns a syntax error
//! anywhere in the record into "no partial result" (6.3).

use super::scan::{find_control, find_quote_or_backslash, find_string_special, skip_ws};

/// Jackson's default `StreamReadConstraints.maxNestingDepth`.
pub(crate) const MAX_DEPTH: usize = 1000;
/// Jackson's default `StreamReadConstraints.maxNumberLength`.
pub(crate) const MAX_NUMBER_LEN: usize = 1000;

/// The JSON token kind of a node (numbers split like Jackson's VALUE_NUMBER_INT / _FLOAT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    True,
    False,
    /// `-?digits`: Jackson VALUE_NUMBER_INT.
    Int,
    /// A number with a fraction and/or exponent: VALUE_NUMBER_FLOAT.
    Float,
    /// `NaN` / `Infinity` family (a VALUE_NUMBER_FLOAT for Jackson).
    NonFinite,
    Str,
    Object,
    Array,
}

/// One token of the tape. Containers are followed by their members (objects: key node, then the
/// value's subtree, repeated); `next` is the index just past this node's subtree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Strings: the body contains backslash escapes.
    pub escaped: bool,
    /// Strings: the body is not valid UTF-8 (only checked when the record is not valid UTF-8).
    pub invalid_utf8: bool,
    /// Strings: an unquoted field name (`allowUnquotedFieldNames`), so the token is all body.
    pub bare: bool,
    /// Strings with `invalid_utf8`: Jackson's failed decode consumed the closing quote (a
    /// multi-byte sequence cut short by it), so parsing resumes right after the string.
    pub utf8_resumes: bool,
    /// Byte offset of the token's first byte (the opening quote/bracket for strings/containers).
    pub start: u32,
    /// Byte offset just past the token's last byte.
    pub end: u32,
    /// Tape index just past this node's subtree.
    pub next: u32,
}

impl Node {
    /// Byte range of a string's body (between the quotes).
    #[inline]
    pub fn body(&self) -> std::ops::Range<usize> {
        if self.bare {
            return self.start as usize..self.end as usize;
        }
        (self.start as usize + 1)
            ..(self.end as usize)
                .saturating_sub(1)
                .max(self.start as usize + 1)
    }

    /// Byte range of the whole token as written.
    #[inline]
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Why a record is not valid JSON (the FAILFAST reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: usize,
    pub msg: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.pos, self.msg)
    }
}

/// A byte of an unquoted field name: Jackson's `CharTypes.sInputCodesUtf8JsNames`, which is
/// `Character.isJavaIdentifierPart` of the byte read as a Latin-1 character (so `é`'s UTF-8 lead
/// byte passes but its continuation byte 0xA9, `©`, does not), plus `@ # * - +`. The same table
/// applies to the first character, so `1a` and `a-b` are names.
fn is_name_byte(b: u8) -> bool {
    matches!(
        b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'$' | b'_' | b'@' | b'#' | b'*' | b'-' | b'+' | 0x7F
            | 0x80..=0x9F | 0xA2..=0xA5 | 0xAA | 0xAD | 0xB5 | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0xFF
    )
}

/// Jackson's UTF-8 check of a string body (UTF8StreamJsonParser): a lead byte 0xC0-0xF7 needs
/// 1-3 continuation bytes (overlong forms, surrogates and values past U+10FFFF are *not*
/// checked), bytes 0x80-0xBF and 0xF8-0xFF cannot start a character. Returns (invalid, resumes):
/// `resumes` when the first failure is a sequence cut short by the closing quote, which Jackson
/// consumes while failing, so the record's parsing continues after the string.
pub(crate) fn jackson_utf8_check(body: &[u8]) -> (bool, bool) {
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        let need = match b {
            0x00..=0x7F => 0,
            0xC0..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF7 => 3,
            _ => return (true, false),
        };
        for k in 1..=need {
            match body.get(i + k) {
                Some(c) if c & 0xC0 == 0x80 => {}
                // The closing quote is the byte that failed: Jackson read past it.
                None => return (true, true),
                Some(_) => return (true, false),
            }
        }
        i += need + 1;
    }
    (false, false)
}

/// Decodes a body that passes [`jackson_utf8_check`] the way Jackson does, then Java's UTF-8
/// encoder: overlong forms decode, CESU-style surrogate pairs combine, a lone surrogate or a value
/// past U+10FFFF becomes `?`.
pub(crate) fn jackson_decode(body: &[u8]) -> String {
    // Jackson builds UTF-16 units: a 4-byte sequence always becomes a (possibly bogus) pair.
    let mut units: Vec<u16> = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = u32::from(body[i]);
        let c = |k: usize| u32::from(body.get(i + k).copied().unwrap_or(0x80) & 0x3F);
        match body[i] {
            0x00..=0x7F => {
                units.push(b as u16);
                i += 1;
            }
            0xC0..=0xDF => {
                units.push((((b & 0x1F) << 6) | c(1)) as u16);
                i += 2;
            }
            0xE0..=0xEF => {
                units.push((((b & 0x0F) << 12) | (c(1) << 6) | c(2)) as u16);
                i += 3;
            }
            _ => {
                let v =
                    (((b & 0x07) << 18) | (c(1) << 12) | (c(2) << 6) | c(3)).wrapping_sub(0x10000);
                units.push((0xD800 | (v >> 10)) as u16);
                units.push((0xDC00 | (v & 0x3FF)) as u16);
                i += 4;
            }
        }
    }
    // Java's UTF-8 encoder writes `?` for a surrogate without its partner.
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('?'))
        .collect()
}

fn err<T>(pos: usize, msg: &'static str) -> Result<T, SyntaxError> {
    Err(SyntaxError { pos, msg })
}

/// Jackson features that are off by default in Spark's JSON source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Leniency {
    /// `allowComments`: `/* ... */` and `// ...` between tokens.
    pub comments: bool,
    /// `allowUnquotedFieldNames`: `{a:1}` (Java identifier characters).
    pub unquoted_field_names: bool,
    /// `allowNumericLeadingZeros`: `007`.
    pub numeric_leading_zeros: bool,
    /// `allowBackslashEscapingAnyCharacter`: `\q` is `q`.
    pub backslash_escaping_any: bool,
    /// `allowUnquotedControlChars`: raw tabs, newlines, ... inside strings.
    pub unquoted_control_chars: bool,
}

/// A reusable tokenizer and the tape of the last record it read.
pub(crate) struct Tape {
    pub nodes: Vec<Node>,
    /// String values in the tape that Jackson cannot decode (see [`jackson_utf8_check`]).
    pub invalid_strings: usize,
    stack: Vec<u32>,
    /// The record being read has no byte below 0x20, so strings need no control-character check.
    plain: bool,
    allow_single_quotes: bool,
    allow_non_numeric: bool,
    lenient: Leniency,
}

impl Tape {
    /// A tokenizer with the given Jackson leniencies.
    pub fn new(allow_single_quotes: bool, allow_non_numeric: bool) -> Self {
        Tape {
            invalid_strings: 0,
            nodes: Vec::with_capacity(64),
            stack: Vec::with_capacity(8),
            plain: false,
            allow_single_quotes,
            allow_non_numeric,
            lenient: Leniency::default(),
        }
    }

    /// The same tokenizer with the optional Jackson features turned on as given.
    pub fn with_leniency(mut self, lenient: Leniency) -> Self {
        self.lenient = lenient;
        self
    }

    /// Skips whitespace and, with `allowComments`, comments.
    #[inline(always)]
    fn ws(&self, buf: &[u8], p: usize) -> Result<usize, SyntaxError> {
        let p = skip_ws(buf, p);
        if self.lenient.comments && buf.get(p) == Some(&b'/') {
            return self.skip_comments(buf, p);
        }
        Ok(p)
    }

    /// `allowComments`: `/* ... */` and `// ...` (to the end of the record), then whitespace.
    #[cold]
    fn skip_comments(&self, buf: &[u8], mut p: usize) -> Result<usize, SyntaxError> {
        while buf.get(p) == Some(&b'/') {
            match buf.get(p + 1) {
                Some(b'/') => return Ok(buf.len()),
                Some(b'*') => {
                    let Some(end) = buf[p + 2..].windows(2).position(|w| w == b"*/") else {
                        return err(p, "unterminated comment");
                    };
                    p = skip_ws(buf, p + 2 + end + 2);
                }
                _ => return Ok(p),
            }
        }
        Ok(p)
    }

    /// Reads the first JSON value of `buf` into the tape (root at index 0).
    ///
    /// Returns `Ok(false)` for a blank record (nothing but whitespace). `check_utf8` asks for a
    /// per-string UTF-8 check, needed only when the record as a whole is not valid UTF-8.
    pub fn parse(&mut self, buf: &[u8], check_utf8: bool) -> Result<bool, SyntaxError> {
        // One vectorised pass decides whether strings must look for raw control characters;
        // JSON Lines records rarely hold any (tabs between tokens are the usual exception).
        self.parse_known(buf, check_utf8, find_control(buf).is_none())
    }

    /// [`Tape::parse`] when the caller already knows whether `buf` is `plain`: free of bytes
    /// below 0x20 (the line splitter finds that out while looking for the line end).
    pub fn parse_known(
        &mut self,
        buf: &[u8],
        check_utf8: bool,
        plain: bool,
    ) -> Result<bool, SyntaxError> {
        self.plain = plain;
        self.nodes.clear();
        self.stack.clear();
        self.invalid_strings = 0;
        if buf.len() >= u32::MAX as usize {
            return err(0, "record larger than 4 GiB");
        }
        let mut p = self.ws(buf, 0)?;
        if p >= buf.len() {
            return Ok(false);
        }
        'value: loop {
            p = self.ws(buf, p)?;
            let Some(&b) = buf.get(p) else {
                return err(p, "unexpected end of input, expected a value");
            };
            match b {
                b'{' => {
                    self.open(Kind::Object, p)?;
                    p = self.ws(buf, p + 1)?;
                    if buf.get(p) == Some(&b'}') {
                        self.close(p);
                        p += 1;
                    } else {
                        p = self.key(buf, p, check_utf8)?;
                        continue 'value;
                    }
                }
                b'[' => {
                    self.open(Kind::Array, p)?;
                    p = self.ws(buf, p + 1)?;
                    if buf.get(p) == Some(&b']') {
                        self.close(p);
                        p += 1;
                    } else {
                        continue 'value;
                    }
                }
                b'"' => p = self.string(buf, p, check_utf8)?.0,
                b'\'' if self.allow_single_quotes => p = self.string(buf, p, check_utf8)?.0,
                b'-' | b'0'..=b'9' => p = self.number(buf, p)?,
                b't' => p = self.literal(buf, p, b"true", Kind::True)?,
                b'f' => p = self.literal(buf, p, b"false", Kind::False)?,
                b'n' => p = self.literal(buf, p, b"null", Kind::Null)?,
                b'N' | b'I' | b'+' => p = self.non_finite(buf, p)?,
                _ => return err(p, "unexpected character, expected a value"),
            }
            // A value is complete: close containers until one expects another member.
            loop {
                let Some(&top) = self.stack.last() else {
                    return Ok(true);
                };
                p = self.ws(buf, p)?;
                let in_object = self.nodes[top as usize].kind == Kind::Object;
                match (in_object, buf.get(p)) {
                    (true, Some(b',')) => {
                        let q = self.ws(buf, p + 1)?;
                        p = self.key(buf, q, check_utf8)?;
                        continue 'value;
                    }
                    (false, Some(b',')) => {
                        p += 1;
                        continue 'value;
                    }
                    (true, Some(b'}')) | (false, Some(b']')) => {
                        self.close(p);
                        p += 1;
                    }
                    (_, None) => return err(p, "unexpected end of input inside a container"),
                    (true, Some(_)) => return err(p, "expected ',' or '}' in object"),
                    (false, Some(_)) => return err(p, "expected ',' or ']' in array"),
                }
            }
        }
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let next = self.nodes.len() as u32 + 1;
        self.nodes.push(Node {
            kind,
            escaped: false,
            invalid_utf8: false,
            bare: false,
            utf8_resumes: false,
            start: start as u32,
            end: end as u32,
            next,
        });
    }

    fn open(&mut self, kind: Kind, p: usize) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return err(p, "nesting depth exceeds 1000");
        }
        self.stack.push(self.nodes.len() as u32);
        self.push(kind, p, p + 1);
        Ok(())
    }

    /// Closes the innermost container at the bracket at `p`.
    fn close(&mut self, p: usize) {
        if let Some(top) = self.stack.pop() {
            let next = self.nodes.len() as u32;
            let node = &mut self.nodes[top as usize];
            node.end = p as u32 + 1;
            node.next = next;
        }
    }

    /// An object member name and its colon; returns the position after the colon.
    fn key(&mut self, buf: &[u8], p: usize, check_utf8: bool) -> Result<usize, SyntaxError> {
        let after = match buf.get(p) {
            Some(b'"') => self.quoted_key(buf, p, check_utf8)?,
            Some(b'\'') if self.allow_single_quotes => self.quoted_key(buf, p, check_utf8)?,
            Some(b'}') => return err(p, "trailing comma in object"),
            Some(&b) if self.lenient.unquoted_field_names && is_name_byte(b) => {
                let mut end = p + 1;
                while buf.get(end).is_some_and(|b| is_name_byte(*b)) {
                    end += 1;
                }
                if std::str::from_utf8(&buf[p..end]).is_err() {
                    return err(p, "invalid UTF-8 in field name");
                }
                self.push(Kind::Str, p, end);
                if let Some(n) = self.nodes.last_mut() {
                    n.bare = true;
                }
                end
            }
            _ => return err(p, "expected a double-quoted field name"),
        };
        let q = self.ws(buf, after)?;
        if buf.get(q) != Some(&b':') {
            return err(q, "expected ':' after field name");
        }
        Ok(q + 1)
    }

    /// A quoted field name; Jackson decodes names eagerly, so a bad name fails the whole record.
    fn quoted_key(&mut self, buf: &[u8], p: usize, check_utf8: bool) -> Result<usize, SyntaxError> {
        let (after, invalid) = self.string(buf, p, check_utf8)?;
        if invalid {
            return err(p, "invalid UTF-8 in field name");
        }
        Ok(after)
    }

    /// A quoted string starting at the quote at `p`; returns (position after it, invalid UTF-8).
    fn string(
        &mut self,
        buf: &[u8],
        p: usize,
        check_utf8: bool,
    ) -> Result<(usize, bool), SyntaxError> {
        let quote = buf[p];
        // Fast path, nearly every string of a clean record: no control characters in the line,
        // no UTF-8 check needed, and the first quote-or-backslash is the closing quote.
        if self.plain && !check_utf8 {
            let i = find_quote_or_backslash(buf, p + 1, quote);
            if buf.get(i) == Some(&quote) {
                let next = self.nodes.len() as u32 + 1;
                self.nodes.push(Node {
                    kind: Kind::Str,
                    escaped: false,
                    invalid_utf8: false,
                    bare: false,
                    utf8_resumes: false,
                    start: p as u32,
                    end: i as u32 + 1,
                    next,
                });
                return Ok((i + 1, false));
            }
        }
        let mut i = p + 1;
        let mut escaped = false;
        loop {
            i = if self.plain {
                find_quote_or_backslash(buf, i, quote)
            } else {
                find_string_special(buf, i, quote)
            };
            let Some(&b) = buf.get(i) else {
                return err(i, "unterminated string");
            };
            if b == quote {
                break;
            }
            if b != b'\\' {
                if self.lenient.unquoted_control_chars {
                    i += 1;
                    continue;
                }
                return err(i, "illegal unquoted control character in string");
            }
            escaped = true;
            match buf.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                // Jackson accepts \' when single quotes are enabled, in any string.
                Some(b'\'') if self.allow_single_quotes => i += 2,
                Some(b'u') => {
                    let hex = buf.get(i + 2..i + 6).ok_or(SyntaxError {
                        pos: i,
                        msg: "truncated \\u escape",
                    })?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return err(i, "invalid \\u escape");
                    }
                    i += 6;
                }
                // allowBackslashEscapingAnyCharacter: `\x` is `x` (decoded by unescape_into).
                Some(&c) if self.lenient.backslash_escaping_any && c >= 0x20 => i += 2,
                _ => return err(i, "unrecognized character escape"),
            }
        }
        let end = i + 1;
        let (invalid, resumes) = match check_utf8 {
            true => jackson_utf8_check(&buf[p + 1..i]),
            false => (false, false),
        };
        self.push(Kind::Str, p, end);
        if let Some(n) = self.nodes.last_mut() {
            n.escaped = escaped;
            n.invalid_utf8 = invalid;
            n.utf8_resumes = resumes;
        }
        if invalid {
            self.invalid_strings += 1;
        }
        Ok((end, invalid))
    }

    /// A number (Jackson's grammar: no leading zeros, no '+', digits required around '.').
    fn number(&mut self, buf: &[u8], p: usize) -> Result<usize, SyntaxError> {
        let digits = |mut i: usize| {
            while buf.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = p;
        if buf[i] == b'-' {
            i += 1;
            if buf.get(i) == Some(&b'I') {
                return self.non_finite(buf, p);
            }
        }
        match buf.get(i) {
            Some(b'0') => {
                i += 1;
                if buf.get(i).is_some_and(u8::is_ascii_digit) {
                    if !self.lenient.numeric_leading_zeros {
                        return err(i, "leading zeros are not allowed");
                    }
                    i = digits(i);
                }
            }
            Some(b'1'..=b'9') => i = digits(i),
            _ => return err(i, "expected a digit"),
        }
        if i - p > MAX_NUMBER_LEN {
            return err(p, "number longer than 1000 characters");
        }
        let mut kind = Kind::Int;
        if buf.get(i) == Some(&b'.') {
            let j = digits(i + 1);
            if j == i + 1 {
                return err(j, "decimal point not followed by a digit");
            }
            i = j;
            kind = Kind::Float;
        }
        if matches!(buf.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(buf.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let j = digits(i);
            if j == i {
                return err(j, "exponent not followed by a digit");
            }
            i = j;
            kind = Kind::Float;
        }
        if i - p > MAX_NUMBER_LEN {
            return err(p, "number longer than 1000 characters");
        }
        self.push(kind, p, i);
        Ok(i)
    }

    /// `true` / `false` / `null`.
    fn literal(
        &mut self,
        buf: &[u8],
        p: usize,
        word: &[u8],
        kind: Kind,
    ) -> Result<usize, SyntaxError> {
        if !buf[p..].starts_with(word) {
            return err(p, "unrecognized token");
        }
        let end = check_token_end(buf, p + word.len())?;
        self.push(kind, p, end);
        Ok(end)
    }

    /// `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF`, `-INF` (Jackson ALLOW_NON_NUMERIC_NUMBERS).
    fn non_finite(&mut self, buf: &[u8], p: usize) -> Result<usize, SyntaxError> {
        let rest = &buf[p..];
        let word: &[u8] = match rest {
            [b'N', ..] => b"NaN",
            [b'I', ..] => b"Infinity",
            [b'+' | b'-', b'I', b'N', ..] => &rest[..4],
            [b'+' | b'-', b'I', ..] => &rest[..2],
            _ => return err(p, "unexpected character, expected a value"),
        };
        let word: &[u8] = match word {
            [s, b'I'] if *s == b'+' => b"+Infinity",
            [_, b'I'] => b"-Infinity",
            [s, b'I', b'N', _] if *s == b'+' => b"+INF",
            [_, b'I', b'N', _] => b"-INF",
            w => w,
        };
        if !rest.starts_with(word) {
            return err(p, "unrecognized token");
        }
        if !self.allow_non_numeric {
            return err(
                p,
                "non-standard numeric token (allowNonNumericNumbers is off)",
            );
        }
        let end = check_token_end(buf, p + word.len())?;
        self.push(Kind::NonFinite, p, end);
        Ok(end)
    }
}

/// Jackson's `_checkMatchEnd`: a keyword must not run into identifier characters (`truex`).
fn check_token_end(buf: &[u8], end: usize) -> Result<usize, SyntaxError> {
    match buf.get(end) {
        Some(&c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
            err(end, "unrecognized token")
        }
        _ => Ok(end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Result<Vec<Kind>, SyntaxError> {
        let mut t = Tape::new(true, true);
        t.parse(src.as_bytes(), false)?;
        Ok(t.nodes.iter().map(|n| n.kind).collect())
    }

    fn ok(src: &str) -> bool {
        kinds(src).is_ok()
    }

    #[test]
    fn structure_and_next_links() {
        let mut t = Tape::new(true, true);
        assert!(t
            .parse(
                br#" {"a": [1, 2.5, {"b": null}], "c": "x"} trailing junk"#,
                false
            )
            .unwrap());
        let k: Vec<Kind> = t.nodes.iter().map(|n| n.kind).collect();
        use Kind::*;
        assert_eq!(
            k,
            vec![Object, Str, Array, Int, Float, Object, Str, Null, Str, Str]
        );
        assert_eq!(t.nodes[0].next, 10);
        assert_eq!(t.nodes[2].next, 8);
        assert_eq!(t.nodes[5].next, 8);
        assert_eq!(t.nodes[3].next, 4);
        // The object's span covers exactly the braces.
        let src = br#" {"a": [1, 2.5, {"b": null}], "c": "x"} trailing junk"#;
        assert_eq!(
            &src[t.nodes[0].span()],
            br#"{"a": [1, 2.5, {"b": null}], "c": "x"}"#
        );
        assert_eq!(&src[t.nodes[9].body()], b"x");
    }

    #[test]
    fn blank_and_only_first_value() {
        let mut t = Tape::new(true, true);
        assert!(!t.parse(b"   \t ", false).unwrap());
        assert!(!t.parse(b"", false).unwrap());
        assert!(ok(r#"{"a":1} junk"#));
        assert!(ok(r#"{"a":1}{"b":2}"#));
        assert!(ok("[] x"));
    }

    #[test]
    fn jackson_number_grammar() {
        for good in ["0", "-0", "12", "1.5", "1e5", "1E+5", "-1.25e-3", "0.0"] {
            assert!(ok(&format!("[{good}]")), "{good}");
        }
        for bad in [
            "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e5", "0x10", "1.5.3", "--1",
        ] {
            assert!(!ok(&format!("[{bad}]")), "{bad}");
        }
        assert_eq!(
            kinds("[1, 1.0, 1e0]").unwrap()[1..],
            [Kind::Int, Kind::Float, Kind::Float]
        );
        assert!(!ok(&format!("[{}]", "9".repeat(1001))));
        assert!(ok(&format!("[{}]", "9".repeat(1000))));
    }

    #[test]
    fn non_finite_tokens() {
        for good in ["NaN", "Infinity", "+Infinity", "-Infinity", "+INF", "-INF"] {
            assert_eq!(
                kinds(&format!("[{good}]")).unwrap()[1],
                Kind::NonFinite,
                "{good}"
            );
        }
        for bad in ["INF", "nan", "NaNx", "+Inf", "-infinity", "Infinit"] {
            assert!(!ok(&format!("[{bad}]")), "{bad}");
        }
        let mut strict = Tape::new(true, false);
        assert!(strict.parse(b"[NaN]", false).is_err());
    }

    #[test]
    fn literals_and_strings() {
        assert!(ok("[true,false,null]"));
        for bad in [
            "[truex]",
            "[nul]",
            "[True]",
            "[\"a\tb\"]",
            r#"["\x"]"#,
            r#"["\u12G4"]"#,
            r#"["abc]"#,
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert!(ok(r#"["\" \\ \/ \b \f \n \r \t \u00e9 \'"]"#));
        // Single quotes: names and values, with " inside and \' escapes.
        assert!(ok(r#"{'a': 'say "hi"', 'b': 'it\'s'}"#));
        let mut no_single = Tape::new(false, true);
        assert!(no_single.parse(b"{'a': 1}", false).is_err());
        assert!(no_single.parse(br#"{"a": "it\'s"}"#, false).is_err());
    }

    #[test]
    fn object_grammar_errors() {
        for bad in [
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":1 \"b\":2}",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "\u{c}{}",
            "/* c */ {}",
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert!(ok("{ \"a\" : 1 , \"b\" : [ ] , \"c\" : { } }"));
    }

    #[test]
    fn nesting_limit() {
        let deep_ok = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(ok(&deep_ok));
        let too_deep = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
        assert!(!ok(&too_deep));
    }

    #[test]
    fn utf8_checks_only_when_asked() {
        let mut t = Tape::new(true, true);
        let src = b"{\"a\": \"ok\", \"b\": \"bad\xff\"}";
        assert!(t.parse(src, true).unwrap());
        assert!(!t.nodes[2].invalid_utf8);
        assert!(t.nodes[4].invalid_utf8);
        // An invalid name fails the whole record.
        assert!(t.parse(b"{\"a\xff\": 1}", true).is_err());
        // Invalid bytes outside strings are plain syntax errors.
        assert!(t.parse(b"{\"a\": 1\xff}", true).is_err());
    }
}
