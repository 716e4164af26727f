//! The stateful parts of a streaming table's query, taken out of the SQL the cleaning plan runs
//! and handed to the stateful operators instead (spec §9):
//!
//! - `FROM STREAM read_files(...) WATERMARK col DELAY OF INTERVAL 10 MINUTES` (Databricks SQL's
//!   watermark clause) declares the source's event-time column and delay.
//! - `SELECT DISTINCT ...` de-duplicates on every output column (Spark's `dropDuplicates()`).
//! - `... QUALIFY row_number() OVER (PARTITION BY a, b [ORDER BY ...]) = 1` de-duplicates on
//!   the named output columns (Spark's `dropDuplicates(["a", "b"])`, or
//!   `dropDuplicatesWithinWatermark` when a watermark is declared and the event time is not a key).
//!   As in Spark, the first row seen wins: an ORDER BY inside the window cannot reorder a stream
//!   and is refused.

use std::ops::Range;

use super::cursor::{ident_value, matching_close, split_commas, Nesting};
use super::lexer::{Kind, Token};
use super::position::Ctx;
use super::PipelineError;
use crate::state::{DedupSpec, Watermark};

/// One text edit of the query: replace `range` with `text`.
pub(super) type Edit = (Range<usize>, String);

/// Parses a `WATERMARK col DELAY OF INTERVAL ...` clause starting at `toks[i]`, if there is one:
/// the index of its last token and the watermark.
pub(super) fn watermark_at(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
    i: usize,
) -> Result<Option<(usize, Watermark)>, PipelineError> {
    if !toks.get(i).is_some_and(|t| t.is_kw("WATERMARK")) {
        return Ok(None);
    }
    let at = |j: usize| toks.get(j).map_or(toks[toks.len() - 1].end(), |t| t.start);
    let column = toks
        .get(i + 1)
        .and_then(ident_value)
        .ok_or_else(|| ctx.error(at(i + 1), "expected the event-time column after WATERMARK"))?;
    if toks
        .get(i + 2)
        .is_some_and(|t| t.is_punct("(") || t.is_punct("."))
    {
        return Err(ctx.error(
            at(i + 2),
            "WATERMARK takes a column of the source; declare it TIMESTAMP in the schema (an expression is not supported yet)",
        ));
    }
    if toks.get(i + 2).is_some_and(|t| t.is_kw("AS")) {
        return Err(ctx.error(
            at(i + 2),
            "WATERMARK takes a source column as it is (no AS alias)",
        ));
    }
    for (k, kw) in ["DELAY", "OF", "INTERVAL"].iter().enumerate() {
        if !toks.get(i + 2 + k).is_some_and(|t| t.is_kw(kw)) {
            return Err(ctx.error(
                at(i + 2 + k),
                format!("expected {kw} in WATERMARK {column} DELAY OF INTERVAL <n> <unit>"),
            ));
        }
    }
    // `INTERVAL 10 MINUTES`, `INTERVAL '10' MINUTE`, `INTERVAL '10 minutes'`, and sums of them.
    let mut j = i + 5;
    let mut total_ms: f64 = 0.0;
    let mut parts = 0;
    while let Some(t) = toks.get(j) {
        let (amount, unit, used): (&str, Option<&str>, usize) = match t.kind {
            Kind::Number => (t.text, toks.get(j + 1).map(|u| u.text), 2),
            Kind::Str => {
                let inner = t.text[1..t.text.len().saturating_sub(1)].trim();
                match inner.split_once(char::is_whitespace) {
                    Some((n, u)) => (n, Some(u.trim()), 1),
                    None => (inner, toks.get(j + 1).map(|u| u.text), 2),
                }
            }
            _ => break,
        };
        let unit_ms = unit.and_then(unit_ms).ok_or_else(|| {
            ctx.error(
                at(j + used - 1),
                "expected an interval unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS, WEEKS)",
            )
        })?;
        let n: f64 = amount
            .parse()
            .map_err(|_| ctx.error(t.start, format!("'{amount}' is not a number")))?;
        total_ms += n * unit_ms;
        parts += 1;
        j += used;
    }
    if parts == 0 {
        return Err(ctx.error(
            at(j),
            "expected the delay after INTERVAL, e.g. INTERVAL 10 MINUTES",
        ));
    }
    if total_ms < 0.0 {
        return Err(ctx.error(toks[i].start, "the watermark delay must not be negative"));
    }
    Ok(Some((
        j - 1,
        Watermark {
            column,
            delay_ms: total_ms.round() as i64,
        },
    )))
}

fn unit_ms(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "millisecond" | "milliseconds" => 1.0,
        "second" | "seconds" => 1_000.0,
        "minute" | "minutes" => 60_000.0,
        "hour" | "hours" => 3_600_000.0,
        "day" | "days" => 86_400_000.0,
        "week" | "weeks" => 7.0 * 86_400_000.0,
        _ => return None,
    })
}

/// Finds the de-duplication of the query `toks` (a `SELECT DISTINCT` at its start or a final
/// top-level `QUALIFY row_number() OVER (PARTITION BY ...) = 1`) and the edits removing it.
pub(super) fn dedup(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
) -> Result<Option<(DedupSpec, Edit)>, PipelineError> {
    if let Some(q) = top_level(toks, "QUALIFY") {
        return qualify(ctx, toks, q).map(Some);
    }
    let (Some(select), Some(distinct)) = (toks.first(), toks.get(1)) else {
        return Ok(None);
    };
    if select.is_kw("SELECT") && distinct.is_kw("DISTINCT") {
        if top_level(toks, "UNION").is_some() {
            return Err(ctx.error(
                distinct.start,
                "SELECT DISTINCT with UNION on a stream is not supported; de-duplicate each table",
            ));
        }
        return Ok(Some((
            DedupSpec { columns: None },
            (distinct.start..distinct.end(), String::new()),
        )));
    }
    Ok(None)
}

/// Index of the first `kw` outside any bracket.
fn top_level(toks: &[Token<'_>], kw: &str) -> Option<usize> {
    let mut nesting = Nesting::new(false);
    for (i, t) in toks.iter().enumerate() {
        if nesting.at_top() && t.is_kw(kw) {
            return Some(i);
        }
        nesting.feed(t);
    }
    None
}

fn qualify(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
    q: usize,
) -> Result<(DedupSpec, Edit), PipelineError> {
    let shape = "a streaming QUALIFY de-duplicates: write QUALIFY row_number() OVER (PARTITION BY col, ...) = 1";
    let bad = |j: usize| {
        ctx.error(
            toks.get(j).map_or(toks[toks.len() - 1].end(), |t| t.start),
            shape,
        )
    };
    let expect = |j: usize, ok: bool| if ok { Ok(()) } else { Err(bad(j)) };
    expect(
        q + 1,
        toks.get(q + 1).is_some_and(|t| t.is_kw("row_number")),
    )?;
    expect(q + 2, toks.get(q + 2).is_some_and(|t| t.is_punct("(")))?;
    expect(q + 3, toks.get(q + 3).is_some_and(|t| t.is_punct(")")))?;
    expect(q + 4, toks.get(q + 4).is_some_and(|t| t.is_kw("OVER")))?;
    expect(q + 5, toks.get(q + 5).is_some_and(|t| t.is_punct("(")))?;
    let close = matching_close(toks, q + 5).ok_or_else(|| bad(q + 5))?;
    expect(q + 6, toks.get(q + 6).is_some_and(|t| t.is_kw("PARTITION")))?;
    expect(q + 7, toks.get(q + 7).is_some_and(|t| t.is_kw("BY")))?;
    let inside = &toks[q + 8..close];
    if let Some(o) = inside.iter().position(|t| t.is_kw("ORDER")) {
        return Err(ctx.error(
            inside[o].start,
            "ORDER BY in a streaming de-duplication: a stream keeps the first row seen per key (Spark's dropDuplicates); drop the ORDER BY",
        ));
    }
    let mut columns = vec![];
    for (part, end) in split_commas(inside, toks[close].start, false) {
        match part {
            [t] => columns.push(ident_value(t).ok_or_else(|| ctx.error(t.start, shape))?),
            [first, ..] => {
                return Err(ctx.error(
                    first.start,
                    "PARTITION BY of a streaming de-duplication takes output column names",
                ))
            }
            [] => return Err(ctx.error(end, "expected a column name")),
        }
    }
    let rest = &toks[close + 1..];
    let is_eq_one = rest.len() == 2 && rest[0].is_punct("=") && rest[1].text == "1";
    if !is_eq_one {
        return Err(bad(close + 1));
    }
    let end = toks[toks.len() - 1].end();
    Ok((
        DedupSpec {
            columns: Some(columns),
        },
        (toks[q].start..end, String::new()),
    ))
}

/// `span` of the original text with `edits` applied (edits sorted, not overlapping).
pub(super) fn apply_edits(ctx: &Ctx<'_>, span: Range<usize>, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(span.len());
    let mut at = span.start;
    for (r, text) in edits {
        out.push_str(ctx.slice(at, r.start));
        out.push_str(&text);
        at = r.end;
    }
    out.push_str(ctx.slice(at, span.end));
    out
}
