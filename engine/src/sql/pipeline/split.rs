//! Splits a lexed file into statements at `;` (the lexer already kept `;` inside strings,
//! backticks and comments out of the token stream as separators).

use super::lexer::Token;

/// One statement's tokens (never empty) and the offset of its `;` or of the end of the text.
pub(super) struct Statement<'t, 'a> {
    pub tokens: &'t [Token<'a>],
    pub end: usize,
}

/// The non-empty statements of `tokens`, in order; `text_len` ends an unterminated last one.
pub(super) fn statements<'t, 'a>(
    tokens: &'t [Token<'a>],
    text_len: usize,
) -> Vec<Statement<'t, 'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct(";") {
            if i > from {
                out.push(Statement {
                    tokens: &tokens[from..i],
                    end: t.start,
                });
            }
            from = i + 1;
        }
    }
    if from < tokens.len() {
        out.push(Statement {
            tokens: &tokens[from..],
            end: text_len,
        });
    }
    out
}
