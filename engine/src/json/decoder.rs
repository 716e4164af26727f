//! Record framing, parse modes and the corrupt-record column (spark-semantics.md 6.1, 6.3).

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};

use super::columns::{StructCol, VarBin};
use super::convert::{convert_object, Ctx, Outcome, Scratch};
use super::error::JsonError;
use super::options::{Charset, JsonOptions, ParseMode};
use super::plan::plan;
use super::rescue::Rescue;
use super::scan::{find_control, find_eol};
use super::tape::{Kind, Leniency, Tape};
use crate::datetime::pattern::SparkPattern;

/// UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Lines of a batch decoded before its column buffers are sized for the rest of the batch.
const PRESIZE_AFTER_LINES: usize = 1024;

/// Counts from one decode call (bad records are counted per record, i.e. per line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Rows in the output batches.
    pub rows: usize,
    /// Bad records kept under PERMISSIVE (their rows carry the raw text in the corrupt column).
    pub corrupt: usize,
    /// Bad records dropped under DROPMALFORMED.
    pub dropped: usize,
}

/// Where [`decode_json_batches`] ends a batch: after the first record that reaches either bound
/// (a record's rows, e.g. a top-level array's elements, never straddle two batches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize {
    /// Rows per batch.
    pub rows: usize,
    /// Input bytes per batch, so that long lines do not make huge batches either.
    pub input_bytes: usize,
}

impl BatchSize {
    /// One batch for the whole input.
    pub const UNBOUNDED: BatchSize = BatchSize {
        rows: usize::MAX,
        input_bytes: usize::MAX,
    };
}

impl Default for BatchSize {
    /// DataFusion's default batch size, and at most 16 MiB of input per batch: a large file's
    /// string columns stay far from Arrow's 2 GiB limit, and a consumer that drops each batch
    /// before the next lets a caching allocator hand the same warm memory back.
    fn default() -> Self {
        BatchSize {
            rows: 8192,
            input_bytes: 16 << 20,
        }
    }
}

/// Decodes JSON Lines (or one multiLine document) into one batch with exactly `schema`'s
/// fields, all nullable, applying Spark's conversion rules and parse mode: the whole input as
/// [`decode_json_batches`] with [`BatchSize::UNBOUNDED`].
pub fn decode_json_lines(
    data: &[u8],
    file: &str,
    schema: &SchemaRef,
    opts: &JsonOptions,
) -> Result<(RecordBatch, DecodeStats), JsonError> {
    let mut out = None;
    let stats = decode_json_batches(data, file, schema, opts, BatchSize::UNBOUNDED, |b| {
        out = Some(b)
    })?;
    // There is always a batch; an empty one stands in rather than a panic if that ever changes.
    let batch = match out {
        Some(batch) => batch,
        None => RecordBatch::new_empty(super::output_schema(schema, opts)?),
    };
    Ok((batch, stats))
}

/// Decodes JSON Lines (or one multiLine document) into batches of about `size` with exactly
/// `schema`'s fields, all nullable, applying Spark's conversion rules and parse mode; each batch
/// is handed to `on_batch` as soon as it is complete, so the caller can drop it before the next
/// one is built. There is at least one batch (empty when the input has no rows), and the batches
/// together hold the rows [`decode_json_lines`] returns. Under FAILFAST, batches before the bad
/// record may have been handed over before the error is returned.
///
/// `file` labels FAILFAST errors and the rescued data's `_file_path`; line numbers in errors
/// count from the start of `data`. A UTF-8 byte-order mark at the start of `data` is skipped. A
/// schema field named `opts.column_name_of_corrupt_record` (must be Utf8) receives the raw text
/// of bad records, and one named `opts.rescued_data_column` (must be Utf8) what did not fit the
/// schema (see `rescue.rs`); neither is filled from a JSON key.
pub fn decode_json_batches(
    data: &[u8],
    file: &str,
    schema: &SchemaRef,
    opts: &JsonOptions,
    size: BatchSize,
    mut on_batch: impl FnMut(RecordBatch),
) -> Result<DecodeStats, JsonError> {
    opts.check_supported()?;
    let (ts_format, date_format) = opts.patterns();
    let plan = plan(schema, opts)?;
    let mut scratch = Scratch::default();
    scratch.rescue.collect = plan.rescued_index.is_some();
    let mut d = Decoder {
        opts,
        file,
        tape: Tape::new(opts.allow_single_quotes, opts.allow_non_numeric_numbers).with_leniency(
            Leniency {
                comments: opts.allow_comments,
                unquoted_field_names: opts.allow_unquoted_field_names,
                numeric_leading_zeros: opts.allow_numeric_leading_zeros,
                backslash_escaping_any: opts.allow_backslash_escaping_any_character,
                unquoted_control_chars: opts.allow_unquoted_control_chars,
            },
        ),
        root: plan.root,
        corrupt: plan.corrupt_index.map(|_| VarBin::new()),
        rescued: plan.rescued_index.map(|_| VarBin::new()),
        rescue_file: opts.rescued_file_path.then_some(file),
        scratch,
        stats: DecodeStats::default(),
        ts_format: ts_format.as_ref().map(Option::as_ref),
        date_format: date_format.as_ref().map(Option::as_ref),
        out_schema: plan.out_schema,
        corrupt_index: plan.corrupt_index,
        rescued_index: plan.rescued_index,
        size,
        batch_start: 0,
        batch_lines: 0,
        batches: 0,
        on_batch: &mut on_batch,
    };
    let charset = opts.encoding.filter(|c| *c != Charset::Utf8);
    if opts.multi_line {
        // One document per file. A set charset is decoded leniently (Java's InputStreamReader);
        // without one, Jackson detects UTF-16/UTF-32 from a BOM or the zero bytes of `{`/`[`.
        let charset = charset.or_else(|| Charset::detect_json(data));
        match charset {
            Some(cs) => {
                let text = cs.decode(data);
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                d.record(text.as_bytes(), Some(text), data, 1, None)?;
            }
            None => {
                let data = data.strip_prefix(BOM).unwrap_or(data);
                d.record(data, None, data, 1, None)?;
            }
        }
    } else if let Some(cs) = charset {
        // Records are split on the lineSep encoded in the charset, then each is decoded strictly
        // (Spark's stream decoder reports malformed input: the record is bad, and its corrupt
        // text is the raw bytes read as UTF-8, like Hadoop's Text).
        let sep = cs.encode(opts.line_sep.as_deref().unwrap_or("\n"));
        for (line, raw) in (1..).zip(split_on(data, &sep)) {
            match cs.decode_strict(raw) {
                Some(text) => d.record(text.as_bytes(), Some(&text), raw, line, None)?,
                None => d.unparsable(raw, line, format!("malformed {} input", cs.name()))?,
            }
            d.after_record(end_offset(data, raw), data.len())?;
        }
    } else {
        // Hadoop's line reader drops a BOM at the start of a file.
        let data = data.strip_prefix(BOM).unwrap_or(data);
        // One SIMD validation of the whole input usually proves every line UTF-8 (lines split
        // at ASCII bytes, so their bounds are char boundaries); otherwise each line is checked.
        let whole = simdutf8::basic::from_utf8(data).ok();
        let line_text = |start: usize, len: usize| whole.and_then(|w| w.get(start..start + len));
        if let Some(sep) = opts.line_sep.as_deref().filter(|s| !s.is_empty()) {
            // A set lineSep splits on exactly that string (no \r handling), like Hadoop's reader.
            for (i, rec) in split_on(data, sep.as_bytes()).enumerate() {
                let start = end_offset(data, rec) - rec.len();
                d.record(rec, line_text(start, rec.len()), rec, i + 1, None)?;
                d.after_record(end_offset(data, rec), data.len())?;
            }
        } else {
            let mut pos = 0;
            let mut line = 1;
            while pos < data.len() {
                let rest = &data[pos..];
                // The first byte below 0x20 is usually the line end, which then proves the line
                // free of control characters (strings skip that check); otherwise look further.
                let (eol, plain) = match find_control(rest) {
                    Some(i) if matches!(rest[i], b'\n' | b'\r') => (Some(i), true),
                    Some(i) => (find_eol(&rest[i..]).map(|e| i + e), false),
                    None => (None, true),
                };
                let (rec, advance) = match eol {
                    Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => {
                        (&rest[..i], i + 2)
                    }
                    Some(i) => (&rest[..i], i + 1),
                    None => (rest, rest.len()),
                };
                d.record(rec, line_text(pos, rec.len()), rec, line, Some(plain))?;
                pos += advance;
                d.after_record(pos, data.len())?;
                line += 1;
            }
        }
    }
    if d.root.len > 0 || d.batches == 0 {
        d.emit()?;
    }
    Ok(d.stats)
}

/// Where `part` (a subslice of `data`) ends, as an offset into `data`.
fn end_offset(data: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize + part.len() - data.as_ptr() as usize
}

/// The records of `data` separated by `sep` (a trailing separator ends the last record).
fn split_on<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= data.len() || sep.is_empty() {
            return None;
        }
        let rest = &data[pos..];
        let (rec, advance) = match rest.windows(sep.len()).position(|w| w == sep) {
            Some(i) => (&rest[..i], i + sep.len()),
            None => (rest, rest.len()),
        };
        pos += advance;
        Some(rec)
    })
}

/// State of one decode call.
struct Decoder<'o> {
    opts: &'o JsonOptions,
    file: &'o str,
    tape: Tape,
    root: StructCol,
    corrupt: Option<VarBin>,
    /// The rescued-data column, when the read schema has it.
    rescued: Option<VarBin>,
    /// The `_file_path` written into rescued data (None when the conf turns it off).
    rescue_file: Option<&'o str>,
    scratch: Scratch,
    stats: DecodeStats,
    ts_format: Option<Option<&'o SparkPattern>>,
    date_format: Option<Option<&'o SparkPattern>>,
    out_schema: SchemaRef,
    /// Schema positions of the corrupt-record and rescued-data columns.
    corrupt_index: Option<usize>,
    rescued_index: Option<usize>,
    size: BatchSize,
    /// Input offset where the current batch's first record starts.
    batch_start: usize,
    /// Records (lines) in the current batch.
    batch_lines: usize,
    /// Batches handed over so far.
    batches: usize,
    on_batch: &'o mut dyn FnMut(RecordBatch),
}

/// Ends a row: its rescued JSON (or NULL) goes into the rescued-data column, if there is one.
#[inline]
fn end_row(rescue: &mut Rescue, col: Option<&mut VarBin>, file: Option<&str>) {
    if let Some(col) = col {
        match rescue.finish_row(file) {
            Some(text) => col.push(text.as_bytes()),
            None => col.push_null(),
        }
    }
}

/// The first conversion failure, for FAILFAST.
fn describe(reason: Option<String>, path: &[String]) -> String {
    let reason = reason.unwrap_or_else(|| "a value could not be converted".to_string());
    if path.is_empty() {
        reason
    } else {
        let dotted: Vec<&str> = path.iter().rev().map(String::as_str).collect();
        format!("field '{}': {reason}", dotted.join("."))
    }
}

impl Decoder<'_> {
    /// Decodes one record (a line, or the whole document in multiLine mode); `rec_text` is `rec`
    /// as text when the caller already validated it, and `raw` the record as read, which a bad
    /// record's corrupt-record column shows (differs from `rec` only when another charset was
    /// decoded). `plain` says, when the caller knows, whether `rec` is free of bytes below 0x20.
    fn record(
        &mut self,
        rec: &[u8],
        rec_text: Option<&str>,
        raw: &[u8],
        line: usize,
        plain: Option<bool>,
    ) -> Result<(), JsonError> {
        // Jackson skips a byte-order mark at the start of every record it parses; the corrupt
        // text still shows the record as read.
        let body = rec.strip_prefix(BOM).unwrap_or(rec);
        let text = match rec_text {
            Some(t) => Some(t.strip_prefix('\u{feff}').unwrap_or(t)),
            None => simdutf8::basic::from_utf8(body).ok(),
        };
        let parsed = match plain {
            Some(plain) => self.tape.parse_known(body, text.is_none(), plain),
            None => self.tape.parse(body, text.is_none()),
        };
        match parsed {
            Ok(false) => return Ok(()), // blank line: no row (6.1)
            Ok(true) => {}
            Err(e) => return self.unparsable(raw, line, e.to_string()),
        }
        let rows_before = self.root.len;
        let mut cx = Ctx {
            buf: body,
            text,
            nodes: &self.tape.nodes,
            tz: self.opts.time_zone,
            ts_format: self.ts_format,
            date_format: self.date_format,
            allow_non_numeric: self.opts.allow_non_numeric_numbers,
            scratch: &mut self.scratch,
            want_reason: self.opts.mode == ParseMode::FailFast,
            reason: None,
            path: Vec::new(),
            utf8_read: 0,
            utf8_fatal: false,
            partial_results: self.opts.partial_results,
            allow_empty_string: self.opts.allow_empty_string,
            depth: 0,
            rescue: self.opts.rescued_data_column.is_some(),
            reader_case_sensitive: self.opts.reader_case_sensitive,
        };
        let Some(root) = cx.nodes.first().copied() else {
            return Ok(());
        };
        let (rescued, file) = (&mut self.rescued, self.rescue_file);
        let outcome = match root.kind {
            Kind::Object => {
                let outcome = convert_object(&mut self.root, 0, &mut cx);
                end_row(&mut cx.scratch.rescue, rescued.as_mut(), file);
                outcome
            }
            // A top-level array yields one row per element (6.1); a non-object element (or null)
            // fails the whole record with no partial result, like JacksonParser.
            Kind::Array => {
                let mut outcome = Outcome::Ok;
                let mut e = 1;
                while e < root.next as usize {
                    let Some(el) = cx.nodes.get(e).copied() else {
                        break;
                    };
                    if el.kind != Kind::Object {
                        outcome = Outcome::Fail;
                        break;
                    }
                    let converted = convert_object(&mut self.root, e, &mut cx);
                    end_row(&mut cx.scratch.rescue, rescued.as_mut(), file);
                    match converted {
                        Outcome::Ok => {}
                        Outcome::Abort => {
                            outcome = Outcome::Abort;
                            break;
                        }
                        _ => outcome = Outcome::Partial,
                    }
                    e = el.next as usize;
                }
                outcome
            }
            _ => Outcome::Fail,
        };
        let (reason, path) = (cx.reason.take(), std::mem::take(&mut cx.path));
        // Non-UTF-8 bytes in the first value: Jackson fails the whole record when it meets them
        // while skipping a string (an unknown field) or when a top-level string leaves it
        // mid-string (Outcome::Abort from the root); see tape::jackson_utf8_check.
        if outcome == Outcome::Abort || cx.utf8_read < self.tape.invalid_strings {
            self.truncate(rows_before);
            return self.unparsable(raw, line, "invalid UTF-8 in a string".to_string());
        }
        if outcome == Outcome::Fail {
            self.truncate(rows_before);
            let why = if root.kind == Kind::Array {
                "a top-level array element is not a JSON object"
            } else {
                "a record must be a JSON object or an array of objects"
            };
            return self.unparsable(raw, line, why.to_string());
        }
        let rows = self.root.len - rows_before;
        // A record with no rows (`[]`) has nothing to mark.
        if outcome == Outcome::Ok || rows == 0 {
            if let Some(c) = self.corrupt.as_mut() {
                for _ in 0..rows {
                    c.push_null();
                }
            }
            return Ok(());
        }
        let reason = describe(reason, &path);
        match self.opts.mode {
            ParseMode::Permissive => {
                // Every row of the record carries the whole record text (errata: arrays).
                self.stats.corrupt += 1;
                if let Some(c) = self.corrupt.as_mut() {
                    let raw = String::from_utf8_lossy(raw);
                    for _ in 0..rows {
                        c.push(raw.as_bytes());
                    }
                }
                Ok(())
            }
            ParseMode::DropMalformed => {
                self.truncate(rows_before);
                self.stats.dropped += 1;
                Ok(())
            }
            ParseMode::FailFast => Err(self.malformed(line, reason)),
        }
    }

    /// A record with no partial result: one all-null row in PERMISSIVE (6.3).
    fn unparsable(&mut self, rec: &[u8], line: usize, reason: String) -> Result<(), JsonError> {
        match self.opts.mode {
            ParseMode::Permissive => {
                self.stats.corrupt += 1;
                self.root.push_all_null_fields();
                if let Some(c) = self.corrupt.as_mut() {
                    c.push(String::from_utf8_lossy(rec).as_bytes());
                }
                if let Some(c) = self.rescued.as_mut() {
                    c.push_null();
                }
                Ok(())
            }
            ParseMode::DropMalformed => {
                self.stats.dropped += 1;
                Ok(())
            }
            ParseMode::FailFast => Err(self.malformed(line, reason)),
        }
    }

    /// Called after each record with the input offset just past it (`total`: the input's
    /// length): ends the batch when it is full, or sizes its buffers after a sample of it.
    fn after_record(&mut self, pos: usize, total: usize) -> Result<(), JsonError> {
        self.batch_lines += 1;
        let used = pos.saturating_sub(self.batch_start);
        if self.root.len >= self.size.rows || used >= self.size.input_bytes {
            // Input that gave no rows (blank lines, dropped records) starts the next batch
            // rather than making an empty one.
            if self.root.len > 0 {
                self.emit()?;
            }
            self.batch_start = pos;
            self.batch_lines = 0;
        } else if self.batch_lines == PRESIZE_AFTER_LINES && used > 0 && self.root.len > 0 {
            // Extrapolate the sample (with a little slack) to what is left of the batch: the
            // rest of the input, or of the byte or row bound, whichever comes first.
            let rest = (total - pos).min(self.size.input_bytes - used);
            let by_bytes = rest as f64 / used as f64;
            let by_rows = (self.size.rows - self.root.len) as f64 / self.root.len as f64;
            let factor = by_bytes.min(by_rows) * 1.02;
            // Growing by doubling is cheap enough when the sample is a large part of the batch.
            if factor > 3.0 {
                self.reserve_scaled(factor);
            }
        }
        Ok(())
    }

    /// Hands the rows decoded so far to `on_batch` as one batch and starts an empty one.
    fn emit(&mut self) -> Result<(), JsonError> {
        let rows = self.root.len;
        let mut columns = self.root.finish_rows()?;
        // Insert the special columns at their schema positions, lowest position first.
        let mut special = Vec::new();
        if let (Some(i), Some(c)) = (self.corrupt_index, self.corrupt.as_mut()) {
            special.push((i, c.finish_utf8()?));
        }
        if let (Some(i), Some(c)) = (self.rescued_index, self.rescued.as_mut()) {
            special.push((i, c.finish_utf8()?));
        }
        special.sort_by_key(|(i, _)| *i);
        for (i, c) in special {
            columns.insert(i, c);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(self.out_schema.clone(), columns, &options)?;
        self.stats.rows += rows;
        self.batches += 1;
        (self.on_batch)(batch);
        Ok(())
    }

    /// Reserves column room for `factor` times what was decoded so far.
    fn reserve_scaled(&mut self, factor: f64) {
        self.root.reserve_scaled(factor);
        for c in [self.corrupt.as_mut(), self.rescued.as_mut()]
            .into_iter()
            .flatten()
        {
            c.reserve_scaled(factor);
        }
    }

    /// Drops the rows from `rows` on (a record that turned out bad).
    fn truncate(&mut self, rows: usize) {
        self.root.truncate(rows);
        if let Some(c) = self.rescued.as_mut() {
            c.truncate(rows);
        }
    }

    fn malformed(&self, line: usize, reason: String) -> JsonError {
        JsonError::MalformedRecord {
            file: self.file.to_string(),
            line,
            reason,
        }
    }
}
