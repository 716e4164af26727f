//! Maps byte offsets in the substituted text back to 1-based line/column in the original file.
//!
//! `${name}` substitution happens before lexing, so every offset the parser sees is in the
//! substituted text; users need positions in the file they wrote.

use super::PipelineError;

/// One stretch of the substituted text: either copied verbatim from the original, or the value
/// of one `${name}` reference (every offset inside it maps to the `$`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub subst_start: usize,
    pub orig_start: usize,
    pub verbatim: bool,
}

/// Offset translation from substituted text to original file positions.
pub(super) struct SourceMap<'a> {
    original: &'a str,
    line_starts: Vec<usize>,
    segments: Vec<Segment>,
}

impl<'a> SourceMap<'a> {
    /// A map for text that was not substituted (offsets are already original offsets).
    pub fn identity(original: &'a str) -> Self {
        Self::new(
            original,
            vec![Segment {
                subst_start: 0,
                orig_start: 0,
                verbatim: true,
            }],
        )
    }

    /// A map from the segments `vars::substitute` produced (sorted by `subst_start`).
    pub fn new(original: &'a str, segments: Vec<Segment>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(original.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            original,
            line_starts,
            segments,
        }
    }

    /// The original byte offset for a substituted byte offset.
    fn original_offset(&self, subst: usize) -> usize {
        // The last segment starting at or before `subst`: with an empty `${x}` value two
        // segments share a start, and the later (verbatim) one is the right one.
        let idx = self.segments.partition_point(|s| s.subst_start <= subst);
        let offset = match idx.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(s) if s.verbatim => s.orig_start + (subst - s.subst_start),
            Some(s) => s.orig_start,
            None => subst,
        };
        offset.min(self.original.len())
    }

    /// 1-based (line, column) in the original file; columns count characters, not bytes.
    pub fn line_col(&self, subst: usize) -> (usize, usize) {
        let offset = self.original_offset(subst);
        // line_starts[0] == 0 <= offset, so the partition point is at least 1.
        let line_idx = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line_idx).copied().unwrap_or(0);
        let column = self
            .original
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line_idx + 1, column + 1)
    }
}

/// The text being parsed plus the way back to the user's file; every parser step gets one.
pub(super) struct Ctx<'a> {
    /// The substituted text all token offsets refer to.
    pub src: &'a str,
    pub map: SourceMap<'a>,
}

impl<'a> Ctx<'a> {
    /// A context for text that had no substitution (e.g. `extract_batch_read_files`).
    pub fn identity(src: &'a str) -> Self {
        Self {
            src,
            map: SourceMap::identity(src),
        }
    }

    /// An error located at a substituted byte offset.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> PipelineError {
        let (line, column) = self.map.line_col(offset);
        PipelineError {
            line,
            column,
            message: message.into(),
        }
    }

    /// 1-based (line, column) in the original file of a substituted byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.map.line_col(offset)
    }

    /// The substituted text between two token offsets (empty if the offsets are not valid,
    /// which the lexer never produces).
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }
}
