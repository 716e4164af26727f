//! `${name}` substitution from `--var name=value`, done on the raw text before lexing.

use std::collections::HashMap;
use std::ops::Range;

use super::position::Segment;

/// Replaces every `${name}` outside `skip` (the original file's comments, so a commented-out
/// line cannot fail on a variable nobody passes). Returns the new text and the segments that
/// map it back; errors are `(original offset, message)`.
pub(super) fn substitute(
    text: &str,
    vars: &HashMap<String, String>,
    skip: &[Range<usize>],
) -> Result<(String, Vec<Segment>), (usize, String)> {
    let mut out = String::with_capacity(text.len());
    let mut segments = vec![Segment {
        subst_start: 0,
        orig_start: 0,
        verbatim: true,
    }];
    let mut copied_to = 0;
    let mut search_from = 0;
    while let Some(rel) = text.get(search_from..).and_then(|rest| rest.find("${")) {
        let start = search_from + rel;
        if let Some(comment) = skip.iter().find(|r| r.contains(&start)) {
            search_from = comment.end;
            continue;
        }
        let name_start = start + 2;
        let rest = text.get(name_start..).unwrap_or("");
        let close = rest
            .find(|c| c == '}' || c == '\n')
            .filter(|&i| rest[i..].starts_with('}'))
            .ok_or_else(|| {
                (
                    start,
                    "unterminated ${ (no closing } on this line)".to_string(),
                )
            })?;
        let name = &rest[..close];
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '{' || c == '$') {
            return Err((start, format!("invalid variable reference ${{{name}}}")));
        }
        let value = vars.get(name).ok_or_else(|| {
            (
                start,
                format!("undefined variable ${{{name}}}; pass --var {name}=value"),
            )
        })?;
        out.push_str(text.get(copied_to..start).unwrap_or(""));
        segments.push(Segment {
            subst_start: out.len(),
            orig_start: start,
            verbatim: false,
        });
        out.push_str(value);
        let after = name_start + close + 1;
        segments.push(Segment {
            subst_start: out.len(),
            orig_start: after,
            verbatim: true,
        });
        copied_to = after;
        search_from = after;
    }
    out.push_str(text.get(copied_to..).unwrap_or(""));
    Ok((out, segments))
}
