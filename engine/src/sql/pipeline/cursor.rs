//! A cursor over one statement's tokens with the small parsing steps every clause needs.

use super::lexer::{Kind, Token};
use super::literal::{backtick_value, string_value};
use super::position::Ctx;
use super::PipelineError;

/// Walks a token slice; `end` is the offset errors point at when the tokens run out.
pub(super) struct Cursor<'t, 'a> {
    pub ctx: &'t Ctx<'a>,
    toks: &'t [Token<'a>],
    pos: usize,
    end: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor at the first of `toks`; `end` is where "end of statement" errors point.
    pub fn new(ctx: &'t Ctx<'a>, toks: &'t [Token<'a>], end: usize) -> Self {
        Self {
            ctx,
            toks,
            pos: 0,
            end,
        }
    }

    /// The next token, not consumed.
    pub fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.pos).copied()
    }

    /// The token `n` places after the next one, not consumed.
    pub fn peek_nth(&self, n: usize) -> Option<Token<'a>> {
        self.toks.get(self.pos + n).copied()
    }

    /// Consumes the next token.
    pub fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// The tokens not consumed yet.
    pub fn rest(&self) -> &'t [Token<'a>] {
        self.toks.get(self.pos..).unwrap_or(&[])
    }

    /// Offset of the next token, or the end offset when there is none.
    pub fn here(&self) -> usize {
        self.peek().map_or(self.end, |t| t.start)
    }

    /// An error at the next token (or at the end).
    pub fn error_here(&self, message: impl Into<String>) -> PipelineError {
        self.ctx.error(self.here(), message)
    }

    /// An error at the next token saying what was expected instead of it.
    pub fn expected(&self, what: &str) -> PipelineError {
        self.error_here(format!("expected {what}, found {}", describe(self.peek())))
    }

    /// Fails unless everything was consumed.
    pub fn finish(&self, context: &str) -> Result<(), PipelineError> {
        match self.peek() {
            Some(t) => Err(self
                .ctx
                .error(t.start, format!("unexpected '{}' {context}", t.text))),
            None => Ok(()),
        }
    }

    /// Consumes the keyword `kw` if it is next.
    pub fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_kw(kw));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Consumes the punctuation `p` if it is next.
    pub fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_punct(p));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Consumes the keyword `kw` or fails.
    pub fn expect_kw(&mut self, kw: &str) -> Result<Token<'a>, PipelineError> {
        match self.peek() {
            Some(t) if t.is_kw(kw) => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.expected(kw)),
        }
    }

    /// Consumes the punctuation `p` or fails.
    pub fn expect_punct(&mut self, p: &str) -> Result<Token<'a>, PipelineError> {
        match self.peek() {
            Some(t) if t.is_punct(p) => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.expected(&format!("'{p}'"))),
        }
    }

    /// An identifier (bare word or backticked), unquoted.
    pub fn ident(&mut self, what: &str) -> Result<(String, Token<'a>), PipelineError> {
        match self.peek().and_then(|t| ident_value(&t).map(|v| (v, t))) {
            Some(found) => {
                self.pos += 1;
                Ok(found)
            }
            None => Err(self.expected(what)),
        }
    }

    /// A dotted name (`a.b.c`), parts unquoted and joined with dots.
    pub fn dotted_ident(&mut self, what: &str) -> Result<(String, Token<'a>), PipelineError> {
        let (mut name, first) = self.ident(what)?;
        while self.eat_punct(".") {
            name.push('.');
            name.push_str(&self.ident(what)?.0);
        }
        Ok((name, first))
    }

    /// One or more adjacent string literals, concatenated as Spark does (`'a' 'b'` is `ab`).
    pub fn string(&mut self, what: &str) -> Result<String, PipelineError> {
        let mut value = None::<String>;
        while let Some(t) = self.peek().filter(|t| t.kind == Kind::Str) {
            value
                .get_or_insert_with(String::new)
                .push_str(&string_value(t.text));
            self.pos += 1;
        }
        value.ok_or_else(|| self.expected(what))
    }

    /// A literal option/property value: string(s), a signed number, or true/false, as text.
    pub fn literal(&mut self, what: &str) -> Result<String, PipelineError> {
        let Some(t) = self.peek() else {
            return Err(self.expected(what));
        };
        match t.kind {
            Kind::Str => self.string(what),
            Kind::Number => {
                self.pos += 1;
                Ok(t.text.to_string())
            }
            Kind::Punct if t.is_punct("-") || t.is_punct("+") => {
                match self.peek_nth(1).filter(|n| n.kind == Kind::Number) {
                    Some(n) => {
                        self.pos += 2;
                        let sign = if t.text == "-" { "-" } else { "" };
                        Ok(format!("{sign}{}", n.text))
                    }
                    None => Err(self.expected(what)),
                }
            }
            Kind::Word if t.is_kw("true") || t.is_kw("false") => {
                self.pos += 1;
                Ok(t.text.to_ascii_lowercase())
            }
            _ => Err(self.error_here(format!(
                "{what} must be a string, number or boolean literal, found '{}'",
                t.text
            ))),
        }
    }

    /// A parenthesized group: returns the tokens between `(` and its matching `)` and the
    /// offset of the `)`, with the cursor after it.
    pub fn parens(&mut self) -> Result<(&'t [Token<'a>], usize), PipelineError> {
        let open = self.pos;
        self.expect_punct("(")?;
        let close = matching_close(self.toks, open)
            .ok_or_else(|| self.ctx.error(self.toks[open].start, "unclosed '('"))?;
        self.pos = close + 1;
        Ok((&self.toks[open + 1..close], self.toks[close].start))
    }
}

/// The value of a bare or backticked identifier token, None for other tokens.
pub(super) fn ident_value(t: &Token<'_>) -> Option<String> {
    match t.kind {
        Kind::Word => Some(t.text.to_string()),
        Kind::Backtick => Some(backtick_value(t.text)),
        _ => None,
    }
}

/// How a token reads in an error message.
pub(super) fn describe(t: Option<Token<'_>>) -> String {
    t.map_or_else(
        || "end of statement".to_string(),
        |t| format!("'{}'", t.text),
    )
}

/// Index of the bracket closing the `(` at `open` (parens and square brackets nest).
pub(super) fn matching_close(toks: &[Token<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct("(") || t.is_punct("[") {
            depth += 1;
        } else if t.is_punct(")") || t.is_punct("]") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Tracks bracket nesting; with `angles`, `<`/`>` nest too outside parentheses, as in
/// `STRUCT<a: INT, b: DECIMAL(10,2)>` (inside parentheses they are comparisons).
pub(super) struct Nesting {
    stack: Vec<char>,
    angles: bool,
}

impl Nesting {
    /// Starts at top level.
    pub fn new(angles: bool) -> Self {
        Self {
            stack: Vec::new(),
            angles,
        }
    }

    /// True when no bracket is open.
    pub fn at_top(&self) -> bool {
        self.stack.is_empty()
    }

    /// Accounts for one token.
    pub fn feed(&mut self, t: &Token<'_>) {
        if t.kind != Kind::Punct {
            return;
        }
        let top = self.stack.last().copied();
        match t.text {
            "(" | "[" => self.stack.push('('),
            "<" if self.angles && matches!(top, None | Some('<')) => self.stack.push('<'),
            ")" | "]" if top == Some('(') => {
                self.stack.pop();
            }
            ">" if top == Some('<') => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Splits `toks` on top-level commas; each part comes with the offset of the comma (or
/// `end` for the last part) for errors about an empty or truncated part.
pub(super) fn split_commas<'t, 'a>(
    toks: &'t [Token<'a>],
    end: usize,
    angles: bool,
) -> Vec<(&'t [Token<'a>], usize)> {
    let mut parts = Vec::new();
    let mut nesting = Nesting::new(angles);
    let mut from = 0;
    for (i, t) in toks.iter().enumerate() {
        if nesting.at_top() && t.is_punct(",") {
            parts.push((&toks[from..i], t.start));
            from = i + 1;
        } else {
            nesting.feed(t);
        }
    }
    parts.push((&toks[from..], end));
    parts
}
