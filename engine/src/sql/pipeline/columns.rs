//! The parenthesized column list: `name type [NOT NULL] [COMMENT '...']` entries and
//! `CONSTRAINT ... EXPECT` entries, in any mix.

use super::cursor::{split_commas, Cursor, Nesting};
use super::lexer::Token;
use super::{expectation, ColumnDef, PipelineError, StreamingTableDef};

/// Words that end a column's type at top level (the column options Spark/Databricks allow).
const COLUMN_OPTIONS: [&str; 11] = [
    "NOT",
    "COMMENT",
    "MASK",
    "DEFAULT",
    "GENERATED",
    "PRIMARY",
    "FOREIGN",
    "REFERENCES",
    "CONSTRAINT",
    "COLLATE",
    "CHECK",
];

/// Parses `( ... )` into `def.columns` and `def.expectations`.
pub(super) fn parse_list(
    c: &mut Cursor<'_, '_>,
    def: &mut StreamingTableDef,
) -> Result<(), PipelineError> {
    let (inner, close) = c.parens()?;
    for (entry, end) in split_commas(inner, close, true) {
        let mut e = Cursor::new(c.ctx, entry, end);
        let first = e.peek();
        if first.is_some_and(|t| t.is_kw("CONSTRAINT")) {
            let x = expectation::parse(&mut e, &def.expectations)?;
            def.expectations.push(x);
        } else if first.is_some_and(|t| t.is_kw("PRIMARY") || t.is_kw("FOREIGN"))
            && e.peek_nth(1).is_some_and(|t| t.is_kw("KEY"))
        {
            return Err(e.error_here("unsupported: PRIMARY/FOREIGN KEY table constraints"));
        } else {
            let col = column(&mut e)?;
            if def
                .columns
                .iter()
                .any(|d| d.name.eq_ignore_ascii_case(&col.name))
            {
                return Err(c.ctx.error(
                    entry.first().map_or(end, |t| t.start),
                    format!("duplicate column {}", col.name),
                ));
            }
            def.columns.push(col);
        }
        e.finish("in the column list")?;
    }
    Ok(())
}

/// One `name type [NOT NULL] [COMMENT '...']` entry.
fn column(e: &mut Cursor<'_, '_>) -> Result<ColumnDef, PipelineError> {
    let (name, _) = e.ident("a column name or CONSTRAINT")?;
    let data_type = data_type(e).ok_or_else(|| e.expected(&format!("a type for column {name}")))?;
    let mut col = ColumnDef {
        name,
        data_type,
        not_null: false,
        comment: None,
    };
    let mut seen_not_null = false;
    while let Some(t) = e.peek() {
        if t.is_kw("NOT") {
            e.next();
            e.expect_kw("NULL")?;
            if seen_not_null {
                return Err(e.ctx.error(t.start, "duplicate NOT NULL"));
            }
            seen_not_null = true;
            col.not_null = true;
        } else if t.is_kw("COMMENT") {
            if col.comment.is_some() {
                return Err(e.ctx.error(t.start, "duplicate COMMENT"));
            }
            e.next();
            col.comment = Some(e.string("a quoted column COMMENT")?);
        } else if COLUMN_OPTIONS.iter().any(|kw| t.is_kw(kw)) {
            return Err(e.error_here(format!(
                "unsupported: column option {}",
                t.text.to_ascii_uppercase()
            )));
        } else {
            break;
        }
    }
    Ok(col)
}

/// The type's raw text: every token up to a top-level column option (nested `<...>` and
/// `(...)` may hold commas and words). None when there is no type.
fn data_type(e: &mut Cursor<'_, '_>) -> Option<String> {
    let mut nesting = Nesting::new(true);
    let mut span: Option<(Token<'_>, Token<'_>)> = None;
    while let Some(t) = e.peek() {
        if nesting.at_top() && COLUMN_OPTIONS.iter().any(|kw| t.is_kw(kw)) {
            break;
        }
        nesting.feed(&t);
        span = Some((span.map_or(t, |(first, _)| first), t));
        e.next();
    }
    span.map(|(first, last)| e.ctx.slice(first.start, last.end()).to_string())
}
