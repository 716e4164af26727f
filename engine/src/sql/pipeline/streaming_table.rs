//! `CREATE [OR REFRESH] STREAMING TABLE name [(...)] [clauses] AS query`, and the errors for
//! every other `CREATE`.

use super::cursor::Cursor;
use super::lexer::Token;
use super::position::Ctx;
use super::source_call::{self, Mode};
use super::split::Statement;
use super::{clauses, columns, stateful, PipelineError, StreamingTableDef};

/// Parses a statement that starts with `CREATE`.
pub(super) fn parse(
    ctx: &Ctx<'_>,
    stmt: &Statement<'_, '_>,
) -> Result<StreamingTableDef, PipelineError> {
    let mut c = Cursor::new(ctx, stmt.tokens, stmt.end);
    let create = c.expect_kw("CREATE")?;
    let or_refresh = header(&mut c, create)?;
    let (name, _) = c.dotted_ident("a table name")?;
    let mut def = StreamingTableDef {
        name,
        or_refresh,
        line: ctx.line_col(create.start).0,
        ..StreamingTableDef::default()
    };
    if c.peek().is_some_and(|t| t.is_punct("(")) {
        columns::parse_list(&mut c, &mut def)?;
    }
    clauses::parse(&mut c, &mut def)?;
    query(&mut c, &mut def)?;
    Ok(def)
}

/// Everything between `CREATE` and the table name; returns whether `OR REFRESH` was given.
fn header(c: &mut Cursor<'_, '_>, create: Token<'_>) -> Result<bool, PipelineError> {
    let unsupported_statement = |c: &Cursor<'_, '_>| {
        let words: Vec<&str> = c.rest().iter().take(2).map(|t| t.text).collect();
        c.ctx.error(
            create.start,
            format!(
                "unsupported statement: CREATE {}; a pipeline file holds SET, CREATE STREAMING \
                 TABLE ... AS and queries",
                words.join(" ")
            ),
        )
    };
    let unsupported = |c: &Cursor<'_, '_>, what: &str| c.error_here(format!("unsupported: {what}"));
    let or_refresh = if c.peek().is_some_and(|t| t.is_kw("OR")) {
        if !c.peek_nth(1).is_some_and(|t| t.is_kw("REFRESH")) {
            return Err(unsupported_statement(c));
        }
        c.next();
        c.next();
        true
    } else {
        false
    };
    let Some(t) = c.peek() else {
        return Err(c.expected("STREAMING TABLE"));
    };
    match t.text.to_ascii_uppercase().as_str() {
        "STREAMING" => {
            c.next();
            if c.peek().is_some_and(|t| t.is_kw("LIVE")) {
                return Err(unsupported(
                    c,
                    "STREAMING LIVE TABLE (legacy syntax); write STREAMING TABLE",
                ));
            }
            c.expect_kw("TABLE")?;
        }
        "PRIVATE" => {
            return Err(unsupported(
                c,
                "PRIVATE (every table is published to the warehouse)",
            ))
        }
        "TEMPORARY" | "TEMP" => {
            return Err(unsupported(
                c,
                "TEMPORARY (every table is published to the warehouse)",
            ))
        }
        "TABLE" => {
            return Err(unsupported(
                c,
                "CREATE TABLE; a pipeline file defines CREATE STREAMING TABLE ... AS",
            ))
        }
        "MATERIALIZED" => {
            return Err(unsupported(
                c,
                "CREATE MATERIALIZED VIEW; a pipeline file defines CREATE STREAMING TABLE ... AS",
            ))
        }
        "LIVE" => return Err(unsupported(c, "CREATE LIVE TABLE (legacy syntax)")),
        _ => return Err(unsupported_statement(c)),
    }
    if c.peek().is_some_and(|t| t.is_kw("IF")) {
        if or_refresh {
            return Err(c.error_here("OR REFRESH and IF NOT EXISTS cannot be combined"));
        }
        c.next();
        c.expect_kw("NOT")?;
        c.expect_kw("EXISTS")?;
    }
    Ok(or_refresh)
}

/// The query after `AS`, with its STREAM source calls swapped for placeholder tables.
fn query(c: &mut Cursor<'_, '_>, def: &mut StreamingTableDef) -> Result<(), PipelineError> {
    let toks = c.rest();
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
        return Err(c.expected("a query after AS"));
    };
    if !super::starts_query(first) {
        return Err(c.expected("a query after AS (SELECT, WITH, VALUES)"));
    }
    let found = source_call::scan(c.ctx, toks, Mode::Streaming)?;
    if found.is_empty() {
        return Err(c.ctx.error(
            first.start,
            format!(
                "streaming table {} reads no STREAM source; write FROM STREAM read_files(...) \
                 or FROM STREAM read_kinesis(...)",
                def.name
            ),
        ));
    }
    let mut edits: Vec<stateful::Edit> = Vec::with_capacity(found.len() + 1);
    for f in &found {
        let mut range = f.range.clone();
        let after = toks
            .iter()
            .position(|t| t.end() == f.range.end)
            .map(|i| i + 1);
        if let Some((last, wm)) = after
            .map(|i| stateful::watermark_at(c.ctx, toks, i))
            .transpose()?
            .flatten()
        {
            if def.watermark.is_some() {
                return Err(c
                    .ctx
                    .error(f.range.end, "only one source may declare a WATERMARK"));
            }
            range.end = toks[last].end();
            def.watermark = Some(wm);
        }
        edits.push((range, f.call.placeholder.clone()));
    }
    if let Some((spec, edit)) = stateful::dedup(c.ctx, toks)? {
        def.dedup = Some(spec);
        edits.push(edit);
    }
    def.query = stateful::apply_edits(c.ctx, first.start..last.end(), edits);
    def.sources = found.into_iter().map(|f| f.call).collect();
    Ok(())
}
