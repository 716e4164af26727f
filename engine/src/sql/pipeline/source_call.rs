//! Finds `STREAM read_files(...)` / `STREAM read_kinesis(...)` (and batch `read_files(...)`)
//! in a query, parses their arguments, and swaps each call for a placeholder table name.

use std::ops::Range;

use super::cursor::{matching_close, split_commas, Cursor};
use super::lexer::{Kind, Token};
use super::position::Ctx;
use super::{PipelineError, SourceCall, SourceKind};

/// Whether the query is a streaming table's (STREAM sources) or a batch query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Streaming,
    Batch,
}

/// One source call and the byte range it occupies (from `STREAM` to the last `)`).
pub(super) struct Found {
    pub range: Range<usize>,
    pub call: SourceCall,
}

/// Scans `toks` for source calls, in order; errors on the forms `mode` does not allow.
pub(super) fn scan(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
    mode: Mode,
) -> Result<Vec<Found>, PipelineError> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        // `x.read_files` / `x.stream` are column or function paths, not sources.
        let after_dot = i > 0 && toks[i - 1].is_punct(".");
        if t.is_kw("STREAM") && !after_dot {
            if let Some(next) = stream_source(ctx, toks, i, mode, found.len())? {
                let (end, call) = next;
                found.push(Found {
                    range: t.start..toks[end].end(),
                    call,
                });
                i = end + 1;
                continue;
            }
        } else if let Some(kind) = source_kind(toks, i).filter(|_| !after_dot) {
            let name = function_name(kind);
            match (mode, kind) {
                (Mode::Streaming, _) => {
                    return Err(ctx.error(
                        t.start,
                        format!(
                            "{name} without STREAM in a streaming table is a batch read; \
                             write FROM STREAM {name}(...)"
                        ),
                    ))
                }
                (Mode::Batch, SourceKind::ReadKinesis) => {
                    return Err(ctx.error(
                        t.start,
                        "read_kinesis is a streaming source; use FROM STREAM read_kinesis(...) \
                         in a CREATE STREAMING TABLE",
                    ))
                }
                (Mode::Batch, SourceKind::ReadFiles) => {
                    let (end, call) = call(ctx, toks, i, kind, found.len())?;
                    found.push(Found {
                        range: t.start..toks[end].end(),
                        call,
                    });
                    i = end + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    Ok(found)
}

/// The query text in `span` with every found call replaced by its placeholder.
pub(super) fn splice(ctx: &Ctx<'_>, span: Range<usize>, found: &[Found]) -> String {
    let mut out = String::with_capacity(span.len());
    let mut at = span.start;
    for f in found {
        out.push_str(ctx.slice(at, f.range.start));
        out.push_str(&f.call.placeholder);
        at = f.range.end;
    }
    out.push_str(ctx.slice(at, span.end));
    out
}

/// Looks at the `STREAM` at `i`: Some((index of the last token, call)) for a STREAM source
/// call, an error for a STREAM table read, None when `stream` is just an identifier.
fn stream_source(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
    i: usize,
    mode: Mode,
    index: usize,
) -> Result<Option<(usize, SourceCall)>, PipelineError> {
    let stream = &toks[i];
    let prev_is_from = i > 0 && (toks[i - 1].is_kw("FROM") || toks[i - 1].is_kw("JOIN"));
    let Some(next) = toks.get(i + 1) else {
        return Ok(None);
    };
    let batch_error = || {
        ctx.error(
            stream.start,
            "STREAM sources belong in CREATE STREAMING TABLE ... AS; a plain query reads in batch \
             (drop STREAM)",
        )
    };
    let table_error = || {
        ctx.error(
            stream.start,
            "STREAM of a table (reading another streaming table) is not supported yet; \
             read its files with STREAM read_files(...)",
        )
    };
    // STREAM read_files(...)
    if let Some(kind) = source_kind(toks, i + 1) {
        if mode == Mode::Batch {
            return Err(batch_error());
        }
        return call(ctx, toks, i + 1, kind, index).map(Some);
    }
    if next.is_punct("(") {
        // STREAM(read_files(...))
        if let Some(kind) = source_kind(toks, i + 2) {
            if mode == Mode::Batch {
                return Err(batch_error());
            }
            let (end, call) = call(ctx, toks, i + 2, kind, index)?;
            return match toks.get(end + 1) {
                Some(close) if close.is_punct(")") => Ok(Some((end + 1, call))),
                other => Err(ctx.error(
                    other.map_or(toks[end].end(), |t| t.start),
                    "expected ')' closing STREAM(",
                )),
            };
        }
        // STREAM(table)
        return Err(if mode == Mode::Batch {
            batch_error()
        } else {
            table_error()
        });
    }
    // FROM STREAM table; elsewhere `stream x` is a column named stream with an alias.
    if prev_is_from && matches!(next.kind, Kind::Word | Kind::Backtick) {
        return Err(if mode == Mode::Batch {
            batch_error()
        } else {
            table_error()
        });
    }
    Ok(None)
}

/// Which source function starts at `i` (`read_files(` / `read_kinesis(`), if any.
fn source_kind(toks: &[Token<'_>], i: usize) -> Option<SourceKind> {
    let name = toks.get(i)?;
    if !toks.get(i + 1)?.is_punct("(") {
        return None;
    }
    if name.is_kw("read_files") {
        Some(SourceKind::ReadFiles)
    } else if name.is_kw("read_kinesis") {
        Some(SourceKind::ReadKinesis)
    } else {
        None
    }
}

fn function_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::ReadFiles => "read_files",
        SourceKind::ReadKinesis => "read_kinesis",
    }
}

/// Parses the call whose name is at `i` (followed by `(`); returns the index of its `)`.
fn call(
    ctx: &Ctx<'_>,
    toks: &[Token<'_>],
    i: usize,
    kind: SourceKind,
    index: usize,
) -> Result<(usize, SourceCall), PipelineError> {
    let name_tok = &toks[i];
    let name = function_name(kind);
    let close = matching_close(toks, i + 1)
        .ok_or_else(|| ctx.error(toks[i + 1].start, format!("unclosed '(' of {name}")))?;
    let (line, column) = ctx.line_col(name_tok.start);
    let mut call = SourceCall {
        kind,
        placeholder: format!("__spate_source_{index}"),
        path: None,
        options: Vec::new(),
        line,
        column,
    };
    let args = &toks[i + 2..close];
    if !args.is_empty() {
        for (n, (arg, end)) in split_commas(args, toks[close].start, false)
            .into_iter()
            .enumerate()
        {
            argument(ctx, &mut call, name, n, arg, end)?;
        }
    }
    if kind == SourceKind::ReadFiles && call.path.is_none() {
        return Err(ctx.error(
            name_tok.start,
            "read_files needs a path as its first argument",
        ));
    }
    Ok((close, call))
}

/// One argument: the positional path (read_files, first only) or `key => literal`.
fn argument(
    ctx: &Ctx<'_>,
    call: &mut SourceCall,
    name: &str,
    n: usize,
    arg: &[Token<'_>],
    end: usize,
) -> Result<(), PipelineError> {
    let mut a = Cursor::new(ctx, arg, end);
    if arg.is_empty() {
        return Err(a.error_here(format!("empty argument in {name}(...)")));
    }
    let named = arg.get(1).is_some_and(|t| t.is_punct("=>"));
    if !named {
        if call.kind != SourceKind::ReadFiles || n != 0 {
            return Err(a.error_here(format!(
                "{name} takes named arguments here (option => value)"
            )));
        }
        call.path = Some(a.string("the path as a string literal")?);
        return a.finish(&format!("in the path argument of {name}"));
    }
    let (key, key_tok) = a.ident("an option name")?;
    a.expect_punct("=>")?;
    let value = a.literal(&format!("the value of option {key}"))?;
    a.finish(&format!("after the value of option {key}"))?;
    // Option names are case-insensitive in Spark, so `format` and `FORMAT` clash.
    if call
        .options
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case(&key))
    {
        return Err(ctx.error(key_tok.start, format!("option {key} given twice")));
    }
    call.options.push((key, value));
    Ok(())
}
