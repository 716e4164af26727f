//! JSON token -> typed column value (spark-semantics.md 6.4) with Spark's partial results (6.3).
//!
//! Every `convert` call appends exactly one slot to the column and reports an [`Outcome`]:
//! - `Ok`: the value (or a JSON null) was stored;
//! - `Partial`: a struct/array/map was stored but some leaf inside failed and is null;
//! - `Fail`: the token could not be converted and a null was stored.
//!
//! How failures propagate mirrors JacksonParser: a failing struct field nulls only that field
//! (the struct is Partial); a failing (non-partial) array element or map value nulls the whole
//! array/map (Fail); Partial elements/values are kept. Any non-Ok outcome makes the record bad.

use std::borrow::Cow;

use chrono_tz::Tz;

use super::base64::decode_base64;
use super::columns::{Column, StructCol, VarBin};
use super::numbers::{parse_decimal, parse_decimal_string, parse_i64};
use super::rescue::{rescue_value, Rescue, Seg};
use super::tape::{Kind, Node};
use super::temporal;
use super::unescape::unescape_into;
use crate::datetime::interval;
use crate::datetime::pattern::SparkPattern;

/// Result of converting one JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Partial,
    Fail,
    /// A string Jackson could not decode left the parser mid-string (non-UTF-8 input): this
    /// object's slot is null and the object holding it stops reading its members, as Spark's
    /// JacksonParser ends up doing.
    Abort,
}

/// Buffers reused across records so the common path does not allocate.
#[derive(Default)]
pub(crate) struct Scratch {
    pub text: String,
    pub bytes: Vec<u8>,
    /// The rescued-data column's state (used only with `Ctx::rescue`).
    pub rescue: Rescue,
}

/// Everything a conversion needs about the current record.
pub(crate) struct Ctx<'a> {
    /// The record's bytes.
    pub buf: &'a [u8],
    /// The record as text, when it is valid UTF-8 (the common case).
    pub text: Option<&'a str>,
    /// The record's tape.
    pub nodes: &'a [Node],
    /// Zone of zone-less TIMESTAMP strings.
    pub tz: Tz,
    /// `timestampFormat`, compiled: TIMESTAMP strings must match it (no CAST-style fallback);
    /// `Some(None)` when the pattern is invalid (every string fails).
    pub ts_format: Option<Option<&'a SparkPattern>>,
    /// `dateFormat`, compiled: DATE strings must match it.
    pub date_format: Option<Option<&'a SparkPattern>>,
    /// `allowNonNumericNumbers` (FLOAT/DOUBLE strings `NaN`, `Infinity`, ...).
    pub allow_non_numeric: bool,
    pub scratch: &'a mut Scratch,
    /// Collect a human-readable reason for the first failure (FAILFAST only).
    pub want_reason: bool,
    /// The first failure's description.
    pub reason: Option<String>,
    /// Field names leading to the first failure, innermost first.
    pub path: Vec<String>,
    /// Strings Jackson cannot decode that a conversion read (each is a field failure).
    pub utf8_read: usize,
    /// A conversion read such a string and Jackson would resume mid-string (see `Outcome::Abort`).
    pub utf8_fatal: bool,
    /// `spark.sql.json.enablePartialResults`.
    pub partial_results: bool,
    /// `spark.sql.legacy.json.allowEmptyString.enabled`.
    pub allow_empty_string: bool,
    /// Struct nesting of the value being converted (0: a member of the record's object).
    pub depth: usize,
    /// `rescuedDataColumn` is set: unknown keys and values that do not convert are rescued
    /// (see `rescue.rs`) instead of making the record bad.
    pub rescue: bool,
    /// `readerCaseSensitive` (only consulted with `rescue`).
    pub reader_case_sensitive: bool,
}

impl<'a> Ctx<'a> {
    #[inline]
    fn node(&self, idx: usize) -> Option<Node> {
        self.nodes.get(idx).copied()
    }

    /// Tape index after the subtree at `idx` (`fallback` if the tape is inconsistent).
    #[inline]
    fn next(&self, idx: usize, fallback: usize) -> usize {
        self.nodes.get(idx).map_or(fallback, |n| n.next as usize)
    }

    /// The token exactly as written (numbers, containers); lossy if the record is not UTF-8.
    pub(crate) fn raw(&self, n: &Node) -> Cow<'a, str> {
        if let Some(s) = self.text.and_then(|t| t.get(n.span())) {
            return Cow::Borrowed(s);
        }
        String::from_utf8_lossy(self.buf.get(n.span()).unwrap_or_default())
    }

    /// The token's text when it is valid UTF-8 (always true for numbers).
    #[inline]
    fn raw_str(&self, range: std::ops::Range<usize>) -> Option<&'a str> {
        match self.text {
            Some(t) => t.get(range),
            None => std::str::from_utf8(self.buf.get(range)?).ok(),
        }
    }

    /// Calls `f` with a string token's decoded text; `None` if it is not valid UTF-8.
    #[inline]
    pub(crate) fn with_str<R>(&mut self, n: &Node, f: impl FnOnce(&str) -> R) -> Option<R> {
        if n.invalid_utf8 {
            return None;
        }
        let Some(raw) = self.raw_str(n.body()) else {
            // Not UTF-8, but Jackson decodes it (overlong forms, surrogates).
            let decoded = super::tape::jackson_decode(self.buf.get(n.body())?);
            let mut s = String::new();
            if n.escaped {
                unescape_into(&decoded, &mut s);
            } else {
                s = decoded;
            }
            return Some(f(&s));
        };
        if !n.escaped {
            return Some(f(raw));
        }
        let mut s = std::mem::take(&mut self.scratch.text);
        s.clear();
        unescape_into(raw, &mut s);
        let r = f(&s);
        self.scratch.text = s;
        Some(r)
    }

    /// Records the first failure (when asked to) and returns `Outcome::Fail`.
    #[cold]
    fn fail(&mut self, n: &Node, type_name: &str) -> Outcome {
        if self.want_reason && self.reason.is_none() {
            let reason = if n.invalid_utf8 {
                format!("invalid UTF-8 in a string value for {type_name}")
            } else if n.kind == Kind::Str && n.end - n.start == 2 {
                format!("empty string cannot be converted to {type_name}")
            } else {
                let raw = self.raw(n);
                let shown: String = raw.chars().take(100).collect();
                let more = if raw.chars().nth(100).is_some() {
                    "..."
                } else {
                    ""
                };
                format!("cannot convert {shown}{more} to {type_name}")
            };
            self.reason = Some(reason);
        }
        Outcome::Fail
    }
}

/// A JSON integer token's value (only integer tokens convert to integral types).
#[inline]
fn int_value(n: &Node, cx: &Ctx) -> Option<i64> {
    if n.kind == Kind::Int {
        parse_i64(cx.raw_str(n.span())?)
    } else {
        None
    }
}

/// Spark's accepted special strings for FLOAT/DOUBLE (6.4).
fn special_float(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" | "+INF" => Some(f64::INFINITY),
        "-Infinity" | "-INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Value of a NaN/Infinity token.
fn non_finite_token(n: &Node, cx: &Ctx) -> f64 {
    match cx.buf.get(n.start as usize) {
        Some(b'N') => f64::NAN,
        Some(b'-') => f64::NEG_INFINITY,
        _ => f64::INFINITY,
    }
}

fn f64_value(n: &Node, cx: &mut Ctx) -> Option<f64> {
    match n.kind {
        Kind::Int => {
            let t = cx.raw_str(n.span())?;
            // Jackson converts integer tokens through long (so "-0" is +0.0) or BigInteger.
            parse_i64(t).map(|v| v as f64).or_else(|| t.parse().ok())
        }
        Kind::Float => cx.raw_str(n.span())?.parse().ok(),
        Kind::NonFinite => Some(non_finite_token(n, cx)),
        Kind::Str if cx.allow_non_numeric => cx.with_str(n, special_float).flatten(),
        _ => None,
    }
}

fn f32_value(n: &Node, cx: &mut Ctx) -> Option<f32> {
    match n.kind {
        Kind::Int => {
            let t = cx.raw_str(n.span())?;
            parse_i64(t).map(|v| v as f32).or_else(|| t.parse().ok())
        }
        // Jackson parses float tokens straight to float (no double rounding).
        Kind::Float => cx.raw_str(n.span())?.parse().ok(),
        Kind::NonFinite => Some(non_finite_token(n, cx) as f32),
        Kind::Str if cx.allow_non_numeric => cx
            .with_str(n, |s| special_float(s).map(|v| v as f32))
            .flatten(),
        _ => None,
    }
}

fn decimal_value(n: &Node, cx: &mut Ctx, p: u8, s: i8) -> Option<i128> {
    match n.kind {
        Kind::Int | Kind::Float => parse_decimal(cx.raw_str(n.span())?, p, s),
        Kind::Str => cx.with_str(n, |t| parse_decimal_string(t, p, s)).flatten(),
        _ => None,
    }
}

/// Runs `f` on a non-empty string token (dates and timestamps take strings only).
fn non_empty_str<R>(n: &Node, cx: &mut Ctx, f: impl FnOnce(&str) -> Option<R>) -> Option<R> {
    if n.kind != Kind::Str {
        return None;
    }
    cx.with_str(n, |s| if s.is_empty() { None } else { f(s) })
        .flatten()
}

/// Appends `v` or, if `None`, a null plus a failure.
macro_rules! store {
    ($col:expr, $v:expr, $n:expr, $cx:expr, $ty:expr) => {
        match $v {
            Some(v) => {
                $col.push(v);
                Outcome::Ok
            }
            None => {
                $col.push_null();
                $cx.fail(&$n, $ty)
            }
        }
    };
}

/// Converts the value at tape index `idx` into `col` (always appends exactly one slot).
pub(crate) fn convert(col: &mut Column, idx: usize, cx: &mut Ctx) -> Outcome {
    let Some(n) = cx.node(idx) else {
        col.push_null();
        return Outcome::Fail;
    };
    // A JSON null is SQL NULL, except in a VARIANT, where it is the variant null (not NULL).
    if n.kind == Kind::Null && !matches!(col, Column::Variant(_)) {
        col.push_null();
        return Outcome::Ok;
    }
    if cx.allow_empty_string && n.kind == Kind::Str && !n.bare && n.end - n.start == 2 {
        // The legacy conf: "" is NULL except for these types (JacksonParser.parseJsonToken).
        let still_bad = matches!(
            col,
            Column::Float32(_)
                | Column::Float64(_)
                | Column::Date(_)
                | Column::Timestamp(_, Some(_))
                | Column::Utf8(_)
                | Column::Binary(_)
                // Intervals convert the string with CAST, which fails on "" (checked on 4.0.1).
                | Column::DayTime(_)
                | Column::YearMonth(_)
        );
        if !still_bad {
            col.push_null();
            return Outcome::Ok;
        }
    }
    if n.invalid_utf8 {
        // Any converter reads the text (for the value or the error message): Jackson fails.
        cx.utf8_read += 1;
        if !n.utf8_resumes {
            cx.utf8_fatal = true;
        }
        col.push_null();
        return cx.fail(&n, "a value");
    }
    match col {
        // NullType: every token is null (JacksonParser's `case _ => null`).
        Column::Null(len) => {
            *len += 1;
            Outcome::Ok
        }
        Column::Utf8(c) => string(c, &n, cx),
        Column::Boolean(c) => {
            let v = match n.kind {
                Kind::True => Some(true),
                Kind::False => Some(false),
                _ => None,
            };
            store!(c, v, n, cx, "BOOLEAN")
        }
        // Jackson's getByteValue accepts -128..=255 and wraps (errata).
        Column::Int8(c) => store!(
            c,
            int_value(&n, cx)
                .filter(|v| (-128..=255).contains(v))
                .map(|v| v as i8),
            n,
            cx,
            "TINYINT"
        ),
        Column::Int16(c) => store!(
            c,
            int_value(&n, cx).and_then(|v| i16::try_from(v).ok()),
            n,
            cx,
            "SMALLINT"
        ),
        Column::Int32(c) => store!(
            c,
            int_value(&n, cx).and_then(|v| i32::try_from(v).ok()),
            n,
            cx,
            "INT"
        ),
        Column::Int64(c) => store!(c, int_value(&n, cx), n, cx, "BIGINT"),
        Column::Float32(c) => store!(c, f32_value(&n, cx), n, cx, "FLOAT"),
        Column::Float64(c) => store!(c, f64_value(&n, cx), n, cx, "DOUBLE"),
        Column::Decimal(c, p, s) => {
            let (p, s) = (*p, *s);
            // DECIMAL(0,0) holds no value: even 0 has precision 1 for Spark (checked on 4.0.1).
            let v = if p == 0 {
                None
            } else {
                decimal_value(&n, cx, p, s)
            };
            store!(c, v, n, cx, "DECIMAL")
        }
        Column::Date(c) => {
            let v = match cx.date_format {
                Some(f) => non_empty_str(&n, cx, |s| f.and_then(|f| f.parse_date_days(s))),
                None => non_empty_str(&n, cx, temporal::date),
            };
            store!(c, v, n, cx, "DATE")
        }
        Column::Timestamp(c, Some(_)) => {
            let v = match n.kind {
                // Integers are epoch seconds; Spark multiplies without an overflow check.
                Kind::Int => int_value(&n, cx).map(|s| s.wrapping_mul(1_000_000)),
                _ => {
                    let tz = cx.tz;
                    match cx.ts_format {
                        Some(f) => non_empty_str(&n, cx, |s| {
                            f.and_then(|f| f.parse_timestamp_micros(s, &tz))
                        }),
                        None => non_empty_str(&n, cx, |s| temporal::timestamp(s, &tz)),
                    }
                }
            };
            store!(c, v, n, cx, "TIMESTAMP")
        }
        Column::Timestamp(c, None) => store!(
            c,
            non_empty_str(&n, cx, temporal::timestamp_ntz),
            n,
            cx,
            "TIMESTAMP_NTZ"
        ),
        // Strings only, read as CAST(s AS INTERVAL ...) does (JacksonParser); numbers are bad.
        Column::DayTime(c) => {
            let v = if n.kind == Kind::Str {
                cx.with_str(&n, interval::parse_day_time).flatten()
            } else {
                None
            };
            store!(c, v, n, cx, "INTERVAL DAY TO SECOND")
        }
        Column::YearMonth(c) => {
            let v = if n.kind == Kind::Str {
                cx.with_str(&n, interval::parse_year_month).flatten()
            } else {
                None
            };
            store!(c, v, n, cx, "INTERVAL YEAR TO MONTH")
        }
        Column::Binary(c) => binary(c, &n, cx),
        // Any JSON value is a variant (6.4); only a duplicate key fails.
        Column::Variant(c) => {
            let mut b = std::mem::take(&mut c.builder);
            let outcome = match super::variant::append(&mut b, idx, cx) {
                Ok(()) => {
                    let (m, v) = b.finish();
                    c.push(&m, &v);
                    Outcome::Ok
                }
                Err(_) => {
                    b.reset();
                    c.push_null();
                    cx.fail(&n, "VARIANT")
                }
            };
            c.builder = b;
            outcome
        }
        Column::List(l) => {
            if n.kind != Kind::Array {
                col.push_null();
                return cx.fail(&n, "ARRAY");
            }
            let start = l.child.len();
            let rescued_before = cx.scratch.rescue.members.len();
            let end = n.next as usize;
            let mut partial = false;
            let mut e = idx + 1;
            let mut i = 0u32;
            while e < end {
                if cx.rescue {
                    cx.scratch.rescue.path.push(Seg::Index(i));
                }
                let outcome = convert(&mut l.child, e, cx);
                if cx.rescue {
                    cx.scratch.rescue.path.pop();
                }
                i = i.wrapping_add(1);
                match outcome {
                    Outcome::Ok => {}
                    Outcome::Partial => partial = true,
                    failed @ (Outcome::Fail | Outcome::Abort) => {
                        // A failing element nulls the whole array (6.3); an aborted struct element
                        // also ends the object holding the array (see Outcome::Abort). The
                        // parent rescues the whole array, not what its elements rescued.
                        l.child.truncate(start);
                        cx.scratch.rescue.members.truncate(rescued_before);
                        col.push_null();
                        return failed;
                    }
                }
                e = cx.next(e, end);
            }
            l.offsets.push(l.child.len() as i32);
            l.nulls.append_non_null();
            if partial {
                Outcome::Partial
            } else {
                Outcome::Ok
            }
        }
        Column::Struct(st) => {
            if n.kind != Kind::Object {
                st.push_null();
                return cx.fail(&n, "STRUCT");
            }
            cx.depth += 1;
            let outcome = convert_object(st, idx, cx);
            cx.depth -= 1;
            outcome
        }
        Column::Map(m) => {
            if n.kind != Kind::Object {
                col.push_null();
                return cx.fail(&n, "MAP");
            }
            let start = m.keys.len();
            let rescued_before = cx.scratch.rescue.members.len();
            let end = n.next as usize;
            let mut partial = false;
            let mut k = idx + 1;
            while k < end {
                let val = k + 1;
                let key_ok = match cx.node(k) {
                    Some(key) => cx.with_str(&key, |s| m.keys.push(s.as_bytes())).is_some(),
                    None => false,
                };
                let outcome = if key_ok {
                    if cx.rescue {
                        cx.scratch.rescue.path.push(Seg::Key(k as u32));
                    }
                    let outcome = convert(&mut m.values, val, cx);
                    if cx.rescue {
                        cx.scratch.rescue.path.pop();
                    }
                    outcome
                } else {
                    Outcome::Fail
                };
                match outcome {
                    Outcome::Ok => {}
                    Outcome::Partial => partial = true,
                    failed @ (Outcome::Fail | Outcome::Abort) => {
                        // A failing value nulls the whole map (6.3), rescued whole.
                        m.keys.truncate(start);
                        cx.scratch.rescue.members.truncate(rescued_before);
                        m.values.truncate(start);
                        col.push_null();
                        return failed;
                    }
                }
                k = cx.next(val, end);
            }
            m.offsets.push(m.keys.len() as i32);
            m.nulls.append_non_null();
            if partial {
                Outcome::Partial
            } else {
                Outcome::Ok
            }
        }
    }
}

/// STRING accepts every token: strings decode, anything else keeps its exact input text
/// (Spark 4's exact string parsing: `1.50` stays `1.50`, objects keep their spacing).
fn string(c: &mut VarBin, n: &Node, cx: &mut Ctx) -> Outcome {
    // The common case: an escape-free string in a record already known to be UTF-8 is valid
    // UTF-8 between its (ASCII) quotes, so its bytes go straight in.
    if n.kind == Kind::Str && !n.escaped && cx.text.is_some() {
        if let Some(body) = cx.buf.get(n.body()) {
            c.push(body);
            return Outcome::Ok;
        }
    }
    match n.kind {
        Kind::Str => match cx.with_str(n, |s| c.push(s.as_bytes())) {
            Some(()) => Outcome::Ok,
            None => {
                c.push_null();
                cx.fail(n, "STRING")
            }
        },
        Kind::True => {
            c.push(b"true");
            Outcome::Ok
        }
        Kind::False => {
            c.push(b"false");
            Outcome::Ok
        }
        _ => {
            c.push(cx.raw(n).as_bytes());
            Outcome::Ok
        }
    }
}

/// BINARY: a Base64 string (an empty string is an empty value, not a failure).
fn binary(c: &mut VarBin, n: &Node, cx: &mut Ctx) -> Outcome {
    if n.kind != Kind::Str {
        c.push_null();
        return cx.fail(n, "BINARY");
    }
    let mut out = std::mem::take(&mut cx.scratch.bytes);
    let ok = cx.with_str(n, |s| decode_base64(s.as_bytes(), &mut out)) == Some(true);
    let outcome = if ok {
        c.push(&out);
        Outcome::Ok
    } else {
        c.push_null();
        cx.fail(n, "BINARY")
    };
    cx.scratch.bytes = out;
    outcome
}

/// Field index of an object member's name (exact, case-sensitive; see `rescue.rs` for
/// `readerCaseSensitive`).
#[inline]
fn field_index(st: &mut StructCol, key: &Node, cx: &mut Ctx) -> Option<usize> {
    let found = if !key.escaped {
        // Escape-free: the raw bytes are the name (bytes that are not UTF-8 match no field).
        st.lookup.find(cx.buf.get(key.body())?)
    } else {
        cx.with_str(key, |s| st.lookup.find(s.as_bytes())).flatten()
    };
    if found.is_none() && cx.rescue && !cx.reader_case_sensitive {
        return cx
            .with_str(key, |s| st.lookup.find_ignore_case(s))
            .flatten();
    }
    found
}

/// Converts member `val` (key node `k`) into field `f`; with `rescue`, a value that does not
/// convert is rescued and counts as converted (the flag says it was rescued).
#[inline]
fn convert_member(
    st: &mut StructCol,
    f: usize,
    k: usize,
    val: usize,
    cx: &mut Ctx,
) -> (Outcome, bool) {
    if !cx.rescue {
        return (convert(&mut st.children[f], val, cx), false);
    }
    let (had_reason, utf8_before) = (cx.reason.is_some(), cx.utf8_read);
    cx.scratch.rescue.path.push(Seg::Key(k as u32));
    let outcome = convert(&mut st.children[f], val, cx);
    cx.scratch.rescue.path.pop();
    // Invalid UTF-8 stays a bad record: Jackson fails on it, it is not a type mismatch.
    if outcome == Outcome::Fail && cx.utf8_read == utf8_before {
        rescue_value(cx, Seg::Key(k as u32), val);
        if !had_reason {
            cx.reason = None;
        }
        return (Outcome::Ok, true);
    }
    (outcome, false)
}

/// Converts the object at `obj` into one valid slot of `st` (Ok or Partial, never Fail).
pub(crate) fn convert_object(st: &mut StructCol, obj: usize, cx: &mut Ctx) -> Outcome {
    let end = cx.next(obj, obj + 1);
    let base = st.len;
    st.stamp = st.stamp.wrapping_add(1);
    if st.stamp == 0 {
        st.seen.fill(0);
        st.stamp = 1;
    }
    let stamp = st.stamp;
    let rescued_before = cx.scratch.rescue.members.len();
    let mut partial = false;
    let mut aborted = false;
    let mut k = obj + 1;
    while k < end {
        let val = k + 1;
        let next = cx.next(val, end);
        let Some(key) = cx.node(k) else { break };
        if let Some(f) = field_index(st, &key, cx) {
            if st.seen[f] == stamp {
                // Duplicate key: undo this object's appends and redo it the careful way.
                for c in &mut st.children {
                    c.truncate(base);
                }
                cx.scratch.rescue.members.truncate(rescued_before);
                return convert_object_with_duplicates(st, obj, cx);
            }
            st.seen[f] = stamp;
            let had_reason = cx.reason.is_some();
            let (outcome, _) = convert_member(st, f, k, val, cx);
            if outcome != Outcome::Ok {
                partial = true;
                note_path(st, f, had_reason, cx);
            }
            if cx.utf8_fatal {
                // Jackson resumed mid-string in one of this object's members: the object is
                // null in its parent, which stops reading its own members.
                cx.utf8_fatal = false;
                aborted = true;
                break;
            }
            if outcome != Outcome::Ok && cx.depth > 0 && !cx.partial_results {
                // Without partial results a nested failure escapes to the record's object.
                aborted = true;
                break;
            }
            if outcome == Outcome::Abort {
                // A member object aborted: Jackson took its `}` for this object's end.
                break;
            }
        } else if cx.rescue {
            rescue_value(cx, Seg::Key(k as u32), val);
        }
        k = next;
    }
    // Missing keys are null, not failures (6.3).
    for (f, child) in st.children.iter_mut().enumerate() {
        if st.seen[f] != stamp {
            child.push_null();
        }
    }
    st.len += 1;
    if aborted {
        st.nulls.append_null();
        return Outcome::Abort;
    }
    st.nulls.append_non_null();
    if partial {
        Outcome::Partial
    } else {
        Outcome::Ok
    }
}

/// Remembers which field the first failure was in (for FAILFAST messages).
#[inline]
fn note_path(st: &StructCol, f: usize, had_reason: bool, cx: &mut Ctx) {
    if cx.want_reason && !had_reason && cx.reason.is_some() {
        cx.path.push(st.fields[f].name().clone());
    }
}

/// Object conversion when a key repeats: the last value that converts wins, but a failing
/// occurrence anywhere still makes the record bad (errata; JacksonParser keeps the previous
/// value when a later occurrence fails).
fn convert_object_with_duplicates(st: &mut StructCol, obj: usize, cx: &mut Ctx) -> Outcome {
    let end = cx.next(obj, obj + 1);
    let mut occurrences: Vec<Vec<usize>> = vec![Vec::new(); st.children.len()];
    let mut k = obj + 1;
    while k < end {
        let val = k + 1;
        let next = cx.next(val, end);
        let Some(key) = cx.node(k) else { break };
        if let Some(f) = field_index(st, &key, cx) {
            occurrences[f].push(k);
        } else if cx.rescue {
            rescue_value(cx, Seg::Key(k as u32), val);
        }
        k = next;
    }
    let mut partial = false;
    for (f, occ) in occurrences.iter().enumerate() {
        let mut kept = false;
        // Walk backwards: the first success seen is the last one in the record.
        for &k in occ.iter().rev() {
            let before = st.children[f].len();
            let had_reason = cx.reason.is_some();
            let (outcome, rescued) = convert_member(st, f, k, k + 1, cx);
            if outcome != Outcome::Ok {
                partial = true;
                note_path(st, f, had_reason, cx);
            }
            let child = &mut st.children[f];
            if outcome == Outcome::Fail || rescued || kept {
                child.truncate(before);
            } else {
                kept = true;
            }
        }
        if !kept {
            st.children[f].push_null();
        }
    }
    st.nulls.append_non_null();
    st.len += 1;
    if partial {
        Outcome::Partial
    } else {
        Outcome::Ok
    }
}
