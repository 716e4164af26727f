//! The table clauses between the column list and `AS`, in any order, each at most once.

use super::cursor::{split_commas, Cursor};
use super::lexer::{Kind, Token};
use super::{expectation, PipelineError, StreamingTableDef};

/// Parses clauses up to and including `AS`.
pub(super) fn parse(
    c: &mut Cursor<'_, '_>,
    def: &mut StreamingTableDef,
) -> Result<(), PipelineError> {
    let mut seen: Vec<String> = Vec::new();
    loop {
        let Some(t) = c.peek() else {
            return Err(c.error_here(format!(
                "expected AS query after CREATE STREAMING TABLE {}, found end of statement",
                def.name
            )));
        };
        if t.kind != Kind::Word {
            return Err(c.expected(
                "a table clause (PARTITIONED BY, LOCATION, COMMENT, TBLPROPERTIES) or AS",
            ));
        }
        let kw = t.text.to_ascii_uppercase();
        let ctx = c.ctx;
        let unsupported = |what: &str| ctx.error(t.start, format!("unsupported: {what}"));
        if kw != "CONSTRAINT" {
            // A repeated clause would silently override the first one.
            if seen.contains(&kw) {
                return Err(ctx.error(t.start, format!("duplicate {kw} clause")));
            }
            seen.push(kw.clone());
        }
        match kw.as_str() {
            "AS" => {
                c.next();
                return Ok(());
            }
            "PARTITIONED" => {
                c.next();
                c.expect_kw("BY")?;
                def.partitioned_by = partition_columns(c)?;
            }
            "LOCATION" => {
                c.next();
                def.location = Some(c.string("a quoted LOCATION")?);
            }
            "COMMENT" => {
                c.next();
                def.comment = Some(c.string("a quoted COMMENT")?);
            }
            "TBLPROPERTIES" => {
                c.next();
                def.tblproperties = properties(c)?;
            }
            "USING" => {
                c.next();
                let (format, _) = c.ident("a table format")?;
                if !format.eq_ignore_ascii_case("delta") {
                    return Err(unsupported(&format!(
                        "USING {format} (streaming tables are Delta tables)"
                    )));
                }
            }
            "CONSTRAINT" => {
                let e = expectation::parse(c, &def.expectations)?;
                def.expectations.push(e);
            }
            "CLUSTER" => return Err(unsupported("CLUSTER BY")),
            "SCHEDULE" => return Err(unsupported("SCHEDULE")),
            "TRIGGER" => return Err(unsupported("TRIGGER ON UPDATE")),
            "DEFAULT" => return Err(unsupported("DEFAULT COLLATION")),
            "WITH" if c.peek_nth(1).is_some_and(|n| n.is_kw("ROW")) => {
                return Err(unsupported("WITH ROW FILTER"))
            }
            "SELECT" | "WITH" | "VALUES" | "FROM" => {
                return Err(ctx.error(
                    t.start,
                    format!("expected AS before the query, found '{}'", t.text),
                ))
            }
            _ => {
                return Err(unsupported(&format!(
                    "{} clause in CREATE STREAMING TABLE",
                    t.text
                )))
            }
        }
    }
}

/// `(col, ...)` after `PARTITIONED BY`: plain column names only.
fn partition_columns(c: &mut Cursor<'_, '_>) -> Result<Vec<String>, PipelineError> {
    let (inner, close) = c.parens()?;
    let mut cols = Vec::new();
    for (part, end) in split_commas(inner, close, false) {
        let mut p = Cursor::new(c.ctx, part, end);
        cols.push(p.ident("a partition column name")?.0);
        p.finish("in PARTITIONED BY (partition columns are names of columns of the query)")?;
    }
    Ok(cols)
}

/// `('key' = value, delta.x = value, ...)` after `TBLPROPERTIES`.
fn properties(c: &mut Cursor<'_, '_>) -> Result<Vec<(String, String)>, PipelineError> {
    let (inner, close) = c.parens()?;
    let mut props: Vec<(String, String)> = Vec::new();
    for (part, end) in split_commas(inner, close, false) {
        let mut p = Cursor::new(c.ctx, part, end);
        let key_tok: Option<Token<'_>> = p.peek();
        let key = if key_tok.is_some_and(|t| t.kind == Kind::Str) {
            p.string("a property key")?
        } else {
            p.dotted_ident("a property key")?.0
        };
        p.expect_punct("=")?;
        let value = p.literal("a property value")?;
        p.finish("in TBLPROPERTIES")?;
        if props.iter().any(|(k, _)| *k == key) {
            let at = key_tok.map_or(end, |t| t.start);
            return Err(c.ctx.error(at, format!("duplicate table property '{key}'")));
        }
        props.push((key, value));
    }
    Ok(props)
}
