//! `CONSTRAINT name EXPECT (expr) [ON VIOLATION DROP ROW | ON VIOLATION FAIL UPDATE]`.

use super::cursor::Cursor;
use super::{Expectation, OnViolation, PipelineError};

/// Parses one expectation; `existing` catches a repeated constraint name.
pub(super) fn parse(
    c: &mut Cursor<'_, '_>,
    existing: &[Expectation],
) -> Result<Expectation, PipelineError> {
    c.expect_kw("CONSTRAINT")?;
    let (name, name_tok) = c.ident("a constraint name")?;
    if existing.iter().any(|e| e.name.eq_ignore_ascii_case(&name)) {
        return Err(c
            .ctx
            .error(name_tok.start, format!("duplicate constraint {name}")));
    }
    if !c.eat_kw("EXPECT") {
        return Err(match c.peek() {
            Some(t) if t.kind == super::lexer::Kind::Word => c.error_here(format!(
                "unsupported: CONSTRAINT ... {} (only EXPECT (expr) constraints)",
                t.text.to_ascii_uppercase()
            )),
            _ => c.expected("EXPECT"),
        });
    }
    let (inner, close) = c.parens()?;
    let (Some(first), Some(last)) = (inner.first(), inner.last()) else {
        return Err(c.ctx.error(close, "EXPECT needs a condition"));
    };
    let expr = c.ctx.slice(first.start, last.end()).to_string();
    let on_violation = if c.eat_kw("ON") {
        c.expect_kw("VIOLATION")?;
        if c.eat_kw("DROP") {
            c.expect_kw("ROW")?;
            OnViolation::DropRow
        } else if c.eat_kw("FAIL") {
            c.expect_kw("UPDATE")?;
            OnViolation::FailUpdate
        } else {
            return Err(c.expected("DROP ROW or FAIL UPDATE after ON VIOLATION"));
        }
    } else {
        OnViolation::Keep
    };
    Ok(Expectation {
        name,
        expr,
        on_violation,
    })
}
