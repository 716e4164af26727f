//! A small Spark SQL lexer: just enough to split statements, find clauses and source calls,
//! and slice the original text back out (every token keeps its byte span).
//!
//! Spark rules that matter here: `'...'` and `"..."` are both string literals with backslash
//! escapes, `r'...'` is raw, backticks quote identifiers (doubled backtick escapes one),
//! `--` and (nestable) `/* */` are comments.

use std::ops::Range;

/// What a token is; keywords are plain words, compared case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Backtick,
    Str,
    Number,
    Punct,
}

/// One token and where it sits in the lexed text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    pub start: usize,
}

impl Token<'_> {
    /// Byte offset just past the token.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// True for the bare word `kw`, any case.
    pub fn is_kw(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// True for the punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }
}

/// Tokens without comments, plus where the comments were.
pub(super) struct Lexed<'a> {
    pub tokens: Vec<Token<'a>>,
    pub comments: Vec<Range<usize>>,
}

/// Multi-character operators, longest first; `=>` is the named-argument arrow.
const OPERATORS: [&str; 10] = ["<=>", "=>", "<=", ">=", "<>", "!=", "==", "||", "::", "->"];

/// Lexes `src`; errors are `(byte offset, message)` for unterminated literals and comments.
pub(super) fn lex(src: &str) -> Result<Lexed<'_>, (usize, String)> {
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    let mut i = 0;
    while let Some(c) = char_at(src, i) {
        let next = char_at(src, i + c.len_utf8());
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if c == '-' && next == Some('-') {
            let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
            comments.push(i..end);
            i = end;
            continue;
        }
        if c == '/' && next == Some('*') {
            let end = block_comment_end(src, i)
                .ok_or_else(|| (i, "unterminated /* comment".to_string()))?;
            comments.push(i..end);
            i = end;
            continue;
        }
        let (kind, end) = match (c, next) {
            ('\'' | '"', _) => (Kind::Str, quoted_end(src, i, c, true)),
            ('r' | 'R', Some(q @ ('\'' | '"'))) => (Kind::Str, quoted_end(src, i + 1, q, false)),
            ('`', _) => (Kind::Backtick, backtick_end(src, i)),
            (d, _) if d.is_ascii_digit() => (Kind::Number, Some(number_end(src, i))),
            ('.', Some(d)) if d.is_ascii_digit() => (Kind::Number, Some(number_end(src, i))),
            (w, _) if w.is_alphabetic() || w == '_' => (Kind::Word, Some(word_end(src, i))),
            _ => (Kind::Punct, Some(punct_end(src, i, c))),
        };
        let end = end.ok_or_else(|| {
            let what = if kind == Kind::Backtick {
                "`identifier"
            } else {
                "string literal"
            };
            (i, format!("unterminated {what}"))
        })?;
        tokens.push(Token {
            kind,
            text: &src[i..end],
            start: i,
        });
        i = end;
    }
    Ok(Lexed { tokens, comments })
}

fn char_at(src: &str, i: usize) -> Option<char> {
    src.get(i..).and_then(|s| s.chars().next())
}

/// End of a (possibly nested) block comment starting at `start`, or None if unterminated.
fn block_comment_end(src: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(c) = char_at(src, i) {
        let rest = &src[i..];
        if rest.starts_with("/*") {
            depth += 1;
            i += 2;
        } else if rest.starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += c.len_utf8();
        }
    }
    None
}

/// End of a quoted string whose opening quote is at `open`; backslash escapes the next char.
fn quoted_end(src: &str, open: usize, quote: char, escapes: bool) -> Option<usize> {
    let mut chars = src.get(open + 1..)?.char_indices();
    while let Some((j, c)) = chars.next() {
        if escapes && c == '\\' {
            chars.next();
        } else if c == quote {
            return Some(open + 1 + j + 1);
        }
    }
    None
}

/// End of a backticked identifier; a doubled backtick inside is an escaped backtick.
fn backtick_end(src: &str, open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let close = i + src.get(i..)?.find('`')?;
        if src[close + 1..].starts_with('`') {
            i = close + 2;
        } else {
            return Some(close + 1);
        }
    }
}

/// Digits, a decimal point, an exponent and a type suffix (`10L`, `1.5BD`, `1e-3`).
fn number_end(src: &str, start: usize) -> usize {
    let b = src.as_bytes();
    let mut i = start;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    word_end(src, i)
}

fn word_end(src: &str, start: usize) -> usize {
    src[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(src.len(), |(j, _)| start + j)
}

fn punct_end(src: &str, start: usize, c: char) -> usize {
    let rest = &src[start..];
    OPERATORS
        .iter()
        .find(|op| rest.starts_with(**op))
        .map_or(start + c.len_utf8(), |op| start + op.len())
}
