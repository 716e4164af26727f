//! `SET key = value` (and `SET TIME ZONE '...'`), Spark's way of setting session conf.

use super::cursor::Cursor;
use super::lexer::Kind;
use super::literal::{backtick_value, string_value};
use super::position::Ctx;
use super::split::Statement;
use super::{PipelineError, PipelineStatement};

/// Parses a statement that starts with `SET`.
pub(super) fn parse(
    ctx: &Ctx<'_>,
    stmt: &Statement<'_, '_>,
) -> Result<PipelineStatement, PipelineError> {
    let mut c = Cursor::new(ctx, stmt.tokens, stmt.end);
    c.expect_kw("SET")?;
    if c.peek().is_none() {
        return Err(c.error_here("unsupported: SET without key = value (listing the settings)"));
    }
    if c.peek().is_some_and(|t| t.is_kw("TIME")) && c.peek_nth(1).is_some_and(|t| t.is_kw("ZONE")) {
        return time_zone(c);
    }
    let rest = c.rest();
    let Some(eq) = rest.iter().position(|t| t.is_punct("=")) else {
        return Err(c.error_here("unsupported: SET without '= value' (reading a setting)"));
    };
    let (key_toks, value_toks) = (&rest[..eq], &rest[eq + 1..]);
    let (Some(first), Some(last)) = (key_toks.first(), key_toks.last()) else {
        return Err(c.error_here("SET needs a key before '='"));
    };
    // Spark reads the key as raw text; spaces inside it are almost surely a typo.
    if let Some(gap) = key_toks.windows(2).find(|w| w[0].end() != w[1].start) {
        return Err(ctx.error(gap[1].start, "a SET key cannot contain spaces"));
    }
    let key = match key_toks {
        [only] if only.kind == Kind::Backtick => backtick_value(only.text),
        [only] if only.kind == Kind::Str => string_value(only.text),
        _ => ctx.slice(first.start, last.end()).to_string(),
    };
    let value = match (value_toks.first(), value_toks.last()) {
        (Some(_), _) if value_toks.iter().all(|t| t.kind == Kind::Str) => {
            value_toks.iter().map(|t| string_value(t.text)).collect()
        }
        (Some(f), Some(l)) => ctx.slice(f.start, l.end()).to_string(),
        _ => String::new(),
    };
    Ok(PipelineStatement::Set { key, value })
}

/// `SET TIME ZONE 'region'` is Spark's spelling of `spark.sql.session.timeZone`.
fn time_zone(mut c: Cursor<'_, '_>) -> Result<PipelineStatement, PipelineError> {
    c.expect_kw("TIME")?;
    c.expect_kw("ZONE")?;
    if c.peek().is_some_and(|t| t.kind != Kind::Str) {
        return Err(c.error_here("unsupported: SET TIME ZONE takes a quoted zone id here"));
    }
    let value = c.string("a time zone id")?;
    c.finish("after SET TIME ZONE")?;
    Ok(PipelineStatement::Set {
        key: "spark.sql.session.timeZone".to_string(),
        value,
    })
}
