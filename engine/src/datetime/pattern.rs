//! Spark (java.time `DateTimeFormatter`) patterns: compiled once, then used to parse strings into
//! timestamps/dates or to format timestamps.
//!
//! This is a small interpreter rather than a translation to chrono's strftime because Spark's
//! rules cannot be expressed in strftime: optional sections `[...]`, variable-width fractions
//! (`SSS` parses one to three digits), adjacent-value parsing (`yyyyMMdd`), strict widths (`dd`
//! needs exactly two digits), case-insensitive text, and 1970-01-01 / 00:00 defaults for missing
//! fields. The behaviour mirrors `DateTimeFormatterBuilder.appendPattern` as configured by Spark's
//! `DateTimeFormatterHelper` (STRICT resolver, case-insensitive, `Locale.US`, `y` treated as the
//! proleptic year `u` unless an era `G` is present, fraction parsed by `appendFraction(1, n)`).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
};
use chrono_tz::{OffsetName, Tz};

/// Why a pattern string is not a valid Spark datetime pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid datetime pattern '{pattern}': {reason}")]
pub struct PatternError {
    /// The pattern as written by the user.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A compiled Spark datetime pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparkPattern {
    source: String,
    items: Vec<Item>,
    /// First letter that Spark allows only for formatting (`E`, `F`, `q`, `Q`), if any.
    format_only: Option<char>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    Num(NumItem),
    /// `yy`: two digits, parsed with base year 2000.
    ReducedYear(NumField),
    /// `S`..`SSSSSSSSS`: formats exactly `width` digits, parses 1..=`width` digits.
    Fraction {
        width: usize,
    },
    Text {
        field: TextField,
        style: TextStyle,
    },
    /// `VV`
    ZoneId,
    /// `z`..`zzzz`
    ZoneName {
        full: bool,
    },
    Offset(OffsetStyle),
    Optional(Vec<Item>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NumField {
    Year,
    YearOfEra,
    Month,
    DayOfMonth,
    DayOfYear,
    HourOfDay,
    ClockHourOfDay,
    HourOfAmPm,
    ClockHourOfAmPm,
    Minute,
    Second,
    Quarter,
}

/// java.time `SignStyle`, restricted to the three styles `appendPattern` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignStyle {
    Normal,
    NotNegative,
    ExceedsPad,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct NumItem {
    field: NumField,
    min: usize,
    max: usize,
    sign: SignStyle,
    /// Digits reserved for the fixed-width fields that directly follow (adjacent value parsing).
    subsequent: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    Month,
    DayOfWeek,
    AmPm,
    Era,
    Quarter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextStyle {
    Short,
    Full,
    Narrow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    No,
    Optional,
    Required,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OffsetStyle {
    /// `X`, `x`, `Z`: `+HH[[:]MM[[:]SS]]`, with `no_offset` printed for a zero offset.
    Iso {
        no_offset: &'static str,
        colon: bool,
        minutes: Need,
        seconds: Need,
    },
    /// `O`, `ZZZZ`: `GMT+8` (short) or `GMT+08:00` (full).
    Localized { full: bool },
}

impl SparkPattern {
    /// Compiles a pattern for formatting and parsing (format-only letters make parsing return None).
    pub fn compile(p: &str) -> Result<SparkPattern, PatternError> {
        let err = |reason: String| PatternError {
            pattern: p.to_string(),
            reason,
        };
        let chars: Vec<char> = p.chars().collect();
        // Spark keeps `y` as year-of-era only when an era letter is present outside quotes;
        // otherwise it rewrites `y` to `u` (proleptic year, which allows negative years).
        let has_era = unquoted_letters(&chars).any(|c| c == 'G');
        let mut pos = 0;
        let mut items = compile_items(&chars, &mut pos, 0, has_era).map_err(err)?;
        link_adjacent(&mut items);
        let format_only = unquoted_letters(&chars).find(|c| matches!(c, 'E' | 'F' | 'q' | 'Q'));
        Ok(SparkPattern {
            source: p.to_string(),
            items,
            format_only,
        })
    }

    /// Compiles a pattern that will be used for parsing, rejecting letters Spark cannot parse.
    pub fn compile_for_parsing(p: &str) -> Result<SparkPattern, PatternError> {
        let compiled = Self::compile(p)?;
        match compiled.format_only {
            Some(c) => Err(PatternError {
                pattern: p.to_string(),
                reason: format!("Illegal pattern character: {c} (cannot be used for parsing)"),
            }),
            None => Ok(compiled),
        }
    }

    /// The pattern text this was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Parses a whole string into microseconds since the epoch; zone-less input is in `tz`.
    pub fn parse_timestamp_micros(&self, s: &str, tz: &Tz) -> Option<i64> {
        let fields = self.parse_fields(s)?;
        let date = fields.resolve_date()?;
        let time = fields.resolve_time()?;
        let local = NaiveDateTime::new(date, time);
        match fields.zone {
            Some(Zone::Fixed(secs)) => naive_minus_offset_micros(&local, secs),
            Some(Zone::Region(zone)) => local_to_utc_micros(&local, &zone),
            None => local_to_utc_micros(&local, tz),
        }
    }

    /// Parses a whole string into days since 1970-01-01 (time and zone fields are validated, then ignored).
    pub fn parse_date_days(&self, s: &str) -> Option<i32> {
        let fields = self.parse_fields(s)?;
        let date = fields.resolve_date()?;
        fields.resolve_time()?;
        days_since_epoch(date)
    }

    /// Formats microseconds since the epoch in `tz`; empty string if the instant is out of range.
    pub fn format_micros(&self, micros: i64, tz: &Tz) -> String {
        self.try_format_micros(micros, tz).unwrap_or_default()
    }

    /// Formats microseconds since the epoch in `tz`, or None when chrono cannot represent the instant.
    pub fn try_format_micros(&self, micros: i64, tz: &Tz) -> Option<String> {
        let utc = DateTime::from_timestamp_micros(micros)?;
        let local = utc.with_timezone(tz);
        let offset = local.offset();
        let ctx = FormatCtx {
            local: local.naive_local(),
            offset_secs: offset.fix().local_minus_utc(),
            abbreviation: offset.abbreviation().map(str::to_string),
            zone_id: tz.name(),
        };
        let mut out = String::new();
        format_items(&self.items, &ctx, &mut out)?;
        Some(out)
    }

    fn parse_fields(&self, s: &str) -> Option<Fields> {
        if self.format_only.is_some() {
            return None;
        }
        let mut fields = Fields::default();
        let end = parse_items(&self.items, s, 0, &mut fields)?;
        // Like DateTimeFormatter.parse(CharSequence): trailing unparsed text is an error.
        (end == s.len()).then_some(fields)
    }
}

/// Converts a wall-clock time in `tz` to microseconds since the epoch, like java's `ZonedDateTime.of`:
/// a time in a DST gap is moved forward by the gap, an ambiguous time takes the earlier offset.
pub fn local_to_utc_micros(local: &NaiveDateTime, tz: &Tz) -> Option<i64> {
    use chrono::LocalResult;
    let offset_secs = match tz.offset_from_local_datetime(local) {
        LocalResult::Single(o) => o.fix().local_minus_utc(),
        LocalResult::Ambiguous(earlier, later) => {
            // The earlier instant is the one with the larger offset.
            earlier
                .fix()
                .local_minus_utc()
                .max(later.fix().local_minus_utc())
        }
        LocalResult::None => {
            // Shifting forward by the gap length and then applying the later offset equals
            // applying the offset in force before the gap.
            let before = local.checked_sub_signed(Duration::days(1))?;
            tz.offset_from_utc_datetime(&before).fix().local_minus_utc()
        }
    };
    naive_minus_offset_micros(local, offset_secs)
}

/// Days since 1970-01-01 for a date, or None outside the i32 range.
pub fn days_since_epoch(date: NaiveDate) -> Option<i32> {
    const UNIX_EPOCH_FROM_CE: i64 = 719_163;
    i32::try_from(date.num_days_from_ce() as i64 - UNIX_EPOCH_FROM_CE).ok()
}

fn naive_minus_offset_micros(local: &NaiveDateTime, offset_secs: i32) -> Option<i64> {
    let secs = local
        .and_utc()
        .timestamp()
        .checked_sub(offset_secs as i64)?;
    let micros = (local.nanosecond() % 1_000_000_000) as i64 / 1_000;
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

// ------------------------------------------------------------------------------------------------
// Compilation

/// Letters outside quoted sections (used for whole-pattern checks, as Spark does).
fn unquoted_letters(chars: &[char]) -> impl Iterator<Item = char> + '_ {
    let mut in_quote = false;
    chars.iter().filter_map(move |&c| {
        if c == '\'' {
            in_quote = !in_quote;
            None
        } else if !in_quote && c.is_ascii_alphabetic() {
            Some(c)
        } else {
            None
        }
    })
}

fn compile_items(
    chars: &[char],
    pos: &mut usize,
    depth: usize,
    has_era: bool,
) -> Result<Vec<Item>, String> {
    let mut items: Vec<Item> = Vec::new();
    let push_literal = |items: &mut Vec<Item>, text: &str| {
        if let Some(Item::Literal(prev)) = items.last_mut() {
            prev.push_str(text);
        } else {
            items.push(Item::Literal(text.to_string()));
        }
    };
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            '\'' => {
                *pos += 1;
                if chars.get(*pos) == Some(&'\'') {
                    *pos += 1;
                    push_literal(&mut items, "'");
                    continue;
                }
                let mut text = String::new();
                loop {
                    match chars.get(*pos) {
                        None => return Err("Pattern ends with an incomplete string literal".into()),
                        Some('\'') if chars.get(*pos + 1) == Some(&'\'') => {
                            text.push('\'');
                            *pos += 2;
                        }
                        Some('\'') => {
                            *pos += 1;
                            break;
                        }
                        Some(&other) => {
                            text.push(other);
                            *pos += 1;
                        }
                    }
                }
                push_literal(&mut items, &text);
            }
            '[' => {
                *pos += 1;
                let inner = compile_items(chars, pos, depth + 1, has_era)?;
                items.push(Item::Optional(inner));
            }
            ']' => {
                if depth == 0 {
                    return Err("Pattern invalid as it contains ] without previous [".into());
                }
                *pos += 1;
                return Ok(items);
            }
            '{' | '}' | '#' => return Err(format!("Pattern includes reserved character: '{c}'")),
            c if c.is_ascii_alphabetic() => {
                let start = *pos;
                while *pos < chars.len() && chars[*pos] == c {
                    *pos += 1;
                }
                items.push(letter_item(c, *pos - start, has_era)?);
            }
            other => {
                *pos += 1;
                push_literal(&mut items, other.encode_utf8(&mut [0u8; 4]));
            }
        }
    }
    // An unclosed `[` is closed implicitly, as in DateTimeFormatterBuilder.toFormatter().
    Ok(items)
}

fn num(field: NumField, min: usize, max: usize, sign: SignStyle) -> Item {
    Item::Num(NumItem {
        field,
        min,
        max,
        sign,
        subsequent: 0,
    })
}

fn text_style(count: usize, letter: char) -> Result<TextStyle, String> {
    match count {
        1..=3 => Ok(TextStyle::Short),
        4 => Ok(TextStyle::Full),
        5 => Ok(TextStyle::Narrow),
        _ => Err(format!("Too many pattern letters: {letter}")),
    }
}

fn iso_offset(no_offset: &'static str, colon: bool, minutes: Need, seconds: Need) -> Item {
    Item::Offset(OffsetStyle::Iso {
        no_offset,
        colon,
        minutes,
        seconds,
    })
}

/// Maps a run of `count` identical letters to an item, following `DateTimeFormatterBuilder.parseField`.
fn letter_item(c: char, count: usize, has_era: bool) -> Result<Item, String> {
    use NumField::*;
    use SignStyle::*;
    let too_many = || Err(format!("Too many pattern letters: {c}"));
    // One letter: variable width; two letters: exactly two digits.
    let small = |field: NumField| match count {
        1 => Ok(num(field, 1, 19, Normal)),
        2 => Ok(num(field, 2, 2, NotNegative)),
        _ => too_many(),
    };
    match c {
        'G' => Ok(Item::Text {
            field: TextField::Era,
            style: text_style(count, c)?,
        }),
        'y' => {
            let field = if has_era { YearOfEra } else { Year };
            match count {
                1 => Ok(num(field, 1, 19, Normal)),
                2 => Ok(Item::ReducedYear(field)),
                3 => Ok(num(field, 3, 19, Normal)),
                4..=6 => Ok(num(field, count, 19, ExceedsPad)),
                _ => too_many(),
            }
        }
        'M' | 'L' => match count {
            1 | 2 => small(Month),
            _ => Ok(Item::Text {
                field: TextField::Month,
                style: text_style(count, c)?,
            }),
        },
        'Q' | 'q' => match count {
            1 | 2 => small(Quarter),
            _ => Ok(Item::Text {
                field: TextField::Quarter,
                style: text_style(count, c)?,
            }),
        },
        'd' => small(DayOfMonth),
        'D' => match count {
            1 => Ok(num(DayOfYear, 1, 19, Normal)),
            2 => Ok(num(DayOfYear, 2, 3, NotNegative)),
            3 => Ok(num(DayOfYear, 3, 3, NotNegative)),
            _ => too_many(),
        },
        'E' => Ok(Item::Text {
            field: TextField::DayOfWeek,
            style: text_style(count, c)?,
        }),
        'a' => match count {
            1 => Ok(Item::Text {
                field: TextField::AmPm,
                style: TextStyle::Short,
            }),
            _ => too_many(),
        },
        'H' => small(HourOfDay),
        'k' => small(ClockHourOfDay),
        'K' => small(HourOfAmPm),
        'h' => small(ClockHourOfAmPm),
        'm' => small(Minute),
        's' => small(Second),
        'S' => match count {
            1..=9 => Ok(Item::Fraction { width: count }),
            _ => too_many(),
        },
        'V' => match count {
            2 => Ok(Item::ZoneId),
            _ => Err("Pattern letter count must be 2: V".into()),
        },
        'z' => match count {
            1..=3 => Ok(Item::ZoneName { full: false }),
            4 => Ok(Item::ZoneName { full: true }),
            _ => too_many(),
        },
        'O' => match count {
            1 => Ok(Item::Offset(OffsetStyle::Localized { full: false })),
            4 => Ok(Item::Offset(OffsetStyle::Localized { full: true })),
            _ => Err("Pattern letter count must be 1 or 4: O".into()),
        },
        'X' | 'x' => {
            let zero = |z: &'static str, x: &'static str| if c == 'X' { z } else { x };
            match count {
                1 => Ok(iso_offset(
                    zero("Z", "+00"),
                    false,
                    Need::Optional,
                    Need::No,
                )),
                2 => Ok(iso_offset(
                    zero("Z", "+0000"),
                    false,
                    Need::Required,
                    Need::No,
                )),
                3 => Ok(iso_offset(
                    zero("Z", "+00:00"),
                    true,
                    Need::Required,
                    Need::No,
                )),
                4 => Ok(iso_offset(
                    zero("Z", "+0000"),
                    false,
                    Need::Required,
                    Need::Optional,
                )),
                5 => Ok(iso_offset(
                    zero("Z", "+00:00"),
                    true,
                    Need::Required,
                    Need::Optional,
                )),
                _ => too_many(),
            }
        }
        'Z' => match count {
            1..=3 => Ok(iso_offset("+0000", false, Need::Required, Need::No)),
            4 => Ok(Item::Offset(OffsetStyle::Localized { full: true })),
            5 => Ok(iso_offset("Z", true, Need::Required, Need::Optional)),
            _ => too_many(),
        },
        'Y' | 'W' | 'w' | 'u' | 'e' | 'c' => Err(format!(
            "All week-based patterns are unsupported since Spark 3.0, detected: {c}, \
             Please use the SQL function EXTRACT instead"
        )),
        // Spark rejects A, n, N, p; F (aligned week) and B (day period) are not implemented.
        'A' | 'n' | 'N' | 'p' | 'F' | 'B' => Err(format!("Illegal pattern character: {c}")),
        _ => Err(format!("Unknown pattern letter: {c}")),
    }
}

/// True for items that java.time chains onto a preceding value parser (fixed width, no sign).
fn fixed_width(item: &Item) -> Option<usize> {
    match item {
        Item::Num(n) if n.min == n.max && n.sign == SignStyle::NotNegative => Some(n.max),
        Item::ReducedYear(_) => Some(2),
        _ => None,
    }
}

/// Computes adjacent-value reservations: in `yyyyMMdd` the year leaves four digits for `MMdd`.
/// Mirrors `DateTimeFormatterBuilder.appendValue`'s handling of `valueParserIndex`.
fn link_adjacent(items: &mut [Item]) {
    let mut head: Option<usize> = None;
    for i in 0..items.len() {
        if let Item::Optional(inner) = &mut items[i] {
            link_adjacent(inner);
            head = None;
            continue;
        }
        let is_value = matches!(items[i], Item::Num(_) | Item::ReducedYear(_));
        if !is_value {
            head = None;
            continue;
        }
        match (head, fixed_width(&items[i])) {
            (Some(h), Some(width)) => {
                if let Item::Num(n) = &mut items[h] {
                    n.subsequent += width;
                }
            }
            (Some(h), None) => {
                // A variable-width value after the head ends the chain (withFixedWidth()).
                if let Item::Num(n) = &mut items[h] {
                    n.subsequent = 0;
                }
                head = Some(i);
            }
            (None, _) => head = Some(i),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Parsing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Fixed(i32),
    Region(Tz),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Year,
    YearOfEra,
    Era,
    Month,
    Day,
    DayOfYear,
    HourOfDay,
    ClockHourOfDay,
    HourOfAmPm,
    ClockHourOfAmPm,
    AmPm,
    Minute,
    Second,
    Nano,
}
const SLOTS: usize = 14;

#[derive(Debug, Clone, Default)]
struct Fields {
    values: [Option<i64>; SLOTS],
    zone: Option<Zone>,
}

impl Fields {
    fn get(&self, slot: Slot) -> Option<i64> {
        self.values[slot as usize]
    }

    /// Records a value; a second, different value for the same field is a conflict (parse failure).
    fn set(&mut self, slot: Slot, v: i64) -> Option<()> {
        match self.values[slot as usize] {
            Some(old) if old != v => None,
            _ => {
                self.values[slot as usize] = Some(v);
                Some(())
            }
        }
    }

    fn set_zone(&mut self, zone: Zone) -> Option<()> {
        match self.zone {
            Some(old) if old != zone => None,
            _ => {
                self.zone = Some(zone);
                Some(())
            }
        }
    }

    /// Spark's `toLocalDate`: missing year is 1970, missing month/day are 1.
    fn resolve_date(&self) -> Option<NaiveDate> {
        let era = self.get(Slot::Era);
        let from_yoe = |yoe: i64| -> Option<i64> {
            if yoe < 1 {
                return None;
            }
            Some(if era == Some(0) { 1 - yoe } else { yoe })
        };
        let year = match (self.get(Slot::Year), self.get(Slot::YearOfEra)) {
            (Some(y), Some(yoe)) => {
                if from_yoe(yoe)? != y {
                    return None;
                }
                y
            }
            (Some(y), None) => y,
            (None, Some(yoe)) => from_yoe(yoe)?,
            (None, None) => 1970,
        };
        let year = i32::try_from(year).ok()?;
        let small = |v: i64| u32::try_from(v).ok();
        if let Some(doy) = self.get(Slot::DayOfYear) {
            let date = NaiveDate::from_yo_opt(year, small(doy)?)?;
            let month_ok = self
                .get(Slot::Month)
                .is_none_or(|m| m == date.month() as i64);
            let day_ok = self.get(Slot::Day).is_none_or(|d| d == date.day() as i64);
            return (month_ok && day_ok).then_some(date);
        }
        let month = small(self.get(Slot::Month).unwrap_or(1))?;
        let day = small(self.get(Slot::Day).unwrap_or(1))?;
        NaiveDate::from_ymd_opt(year, month, day)
    }

    /// java.time STRICT hour resolution plus Spark's `toLocalTime` defaults (AM when only `h`).
    fn resolve_time(&self) -> Option<NaiveTime> {
        let in_range = |v: Option<i64>, lo: i64, hi: i64| -> Option<Option<i64>> {
            match v {
                Some(x) if x < lo || x > hi => None,
                other => Some(other),
            }
        };
        let mut hour_of_day = in_range(self.get(Slot::HourOfDay), 0, 23)?;
        if let Some(k) = in_range(self.get(Slot::ClockHourOfDay), 1, 24)? {
            let h = if k == 24 { 0 } else { k };
            if hour_of_day.is_some_and(|x| x != h) {
                return None;
            }
            hour_of_day = Some(h);
        }
        let mut hour_of_ampm = in_range(self.get(Slot::HourOfAmPm), 0, 11)?;
        if let Some(h) = in_range(self.get(Slot::ClockHourOfAmPm), 1, 12)? {
            let v = if h == 12 { 0 } else { h };
            if hour_of_ampm.is_some_and(|x| x != v) {
                return None;
            }
            hour_of_ampm = Some(v);
        }
        let ampm = self.get(Slot::AmPm);
        let hour = match (hour_of_day, hour_of_ampm, ampm) {
            (Some(h), hoa, ap) => {
                if ap.is_some_and(|a| a != h / 12) || hoa.is_some_and(|x| x != h % 12) {
                    return None;
                }
                h
            }
            (None, Some(x), Some(a)) => a * 12 + x,
            (None, Some(x), None) => x,
            (None, None, Some(1)) => 12,
            (None, None, _) => 0,
        };
        let minute = in_range(self.get(Slot::Minute), 0, 59)?.unwrap_or(0);
        let second = in_range(self.get(Slot::Second), 0, 59)?.unwrap_or(0);
        let nano = self.get(Slot::Nano).unwrap_or(0);
        NaiveTime::from_hms_nano_opt(hour as u32, minute as u32, second as u32, nano as u32)
    }
}

fn parse_items(items: &[Item], s: &str, mut pos: usize, fields: &mut Fields) -> Option<usize> {
    for item in items {
        pos = match item {
            Item::Optional(inner) => {
                // An optional section either parses completely or leaves no trace.
                let mut trial = fields.clone();
                match parse_items(inner, s, pos, &mut trial) {
                    Some(p) => {
                        *fields = trial;
                        p
                    }
                    None => pos,
                }
            }
            other => parse_item(other, s, pos, fields)?,
        };
    }
    Some(pos)
}

fn num_slot(field: NumField) -> Option<Slot> {
    Some(match field {
        NumField::Year => Slot::Year,
        NumField::YearOfEra => Slot::YearOfEra,
        NumField::Month => Slot::Month,
        NumField::DayOfMonth => Slot::Day,
        NumField::DayOfYear => Slot::DayOfYear,
        NumField::HourOfDay => Slot::HourOfDay,
        NumField::ClockHourOfDay => Slot::ClockHourOfDay,
        NumField::HourOfAmPm => Slot::HourOfAmPm,
        NumField::ClockHourOfAmPm => Slot::ClockHourOfAmPm,
        NumField::Minute => Slot::Minute,
        NumField::Second => Slot::Second,
        // Quarter is format-only in Spark.
        NumField::Quarter => return None,
    })
}

fn parse_item(item: &Item, s: &str, pos: usize, fields: &mut Fields) -> Option<usize> {
    let bytes = s.as_bytes();
    match item {
        Item::Literal(text) => match_ci(s, pos, text),
        Item::Num(n) => {
            let (v, end) = parse_number(n, bytes, pos)?;
            fields.set(num_slot(n.field)?, v)?;
            Some(end)
        }
        Item::ReducedYear(field) => {
            let digits = bytes.get(pos..pos + 2)?;
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let v = 2000 + ((digits[0] - b'0') * 10 + (digits[1] - b'0')) as i64;
            fields.set(num_slot(*field)?, v)?;
            Some(pos + 2)
        }
        Item::Fraction { width } => {
            let count = bytes[pos..]
                .iter()
                .take(*width)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if count == 0 {
                return None;
            }
            let mut nanos: i64 = 0;
            for i in 0..9 {
                let digit = if i < count {
                    (bytes[pos + i] - b'0') as i64
                } else {
                    0
                };
                nanos = nanos * 10 + digit;
            }
            fields.set(Slot::Nano, nanos)?;
            Some(pos + count)
        }
        Item::Text { field, style } => {
            let (slot, names) = match field {
                TextField::Month => (Slot::Month, month_names(*style)?),
                TextField::AmPm => (
                    Slot::AmPm,
                    AM_PM.iter().map(|(v, t)| (*v, t.to_string())).collect(),
                ),
                TextField::Era => (Slot::Era, era_names(*style)?),
                // Day-of-week and quarter text are format-only (rejected before parsing).
                TextField::DayOfWeek | TextField::Quarter => return None,
            };
            // Longest candidate first, like java's text iterator.
            let mut best: Option<(usize, i64)> = None;
            for (value, name) in names {
                if let Some(end) = match_ci(s, pos, &name) {
                    if best.is_none_or(|(e, _)| end > e) {
                        best = Some((end, value));
                    }
                }
            }
            let (end, value) = best?;
            fields.set(slot, value)?;
            Some(end)
        }
        Item::ZoneId => {
            let (zone, end) = parse_zone_id(s, pos)?;
            fields.set_zone(zone)?;
            Some(end)
        }
        Item::ZoneName { .. } => {
            let (zone, end) = parse_zone_name(s, pos)?;
            fields.set_zone(zone)?;
            Some(end)
        }
        Item::Offset(style) => {
            let (secs, end) = match style {
                OffsetStyle::Iso {
                    no_offset,
                    colon,
                    minutes,
                    seconds,
                } => parse_iso_offset(s, pos, no_offset, *colon, *minutes, *seconds)?,
                OffsetStyle::Localized { full } => parse_localized_offset(s, pos, *full)?,
            };
            fields.set_zone(Zone::Fixed(secs))?;
            Some(end)
        }
        Item::Optional(_) => None,
    }
}

/// Case-insensitive match of `text` at `pos` (Spark builds formatters with parseCaseInsensitive).
fn match_ci(s: &str, pos: usize, text: &str) -> Option<usize> {
    let rest = s.get(pos..)?;
    let mut rest_chars = rest.char_indices();
    for expected in text.chars() {
        let (_, got) = rest_chars.next()?;
        if got != expected
            && !got.to_lowercase().eq(expected.to_lowercase())
            && !got.to_uppercase().eq(expected.to_uppercase())
        {
            return None;
        }
    }
    let consumed = rest_chars.next().map_or(rest.len(), |(i, _)| i);
    Some(pos + consumed)
}

/// java.time `NumberPrinterParser.parse` in strict mode, including adjacent-value reservation.
fn parse_number(n: &NumItem, bytes: &[u8], pos: usize) -> Option<(i64, usize)> {
    let mut p = pos;
    let (mut negative, mut positive) = (false, false);
    match bytes.get(p) {
        Some(b'+') => {
            // Strict parsing accepts '+' only for EXCEEDS_PAD (and only when the width is exceeded).
            if n.sign != SignStyle::ExceedsPad {
                return None;
            }
            positive = true;
            p += 1;
        }
        Some(b'-') => {
            if n.sign == SignStyle::NotNegative {
                return None;
            }
            negative = true;
            p += 1;
        }
        _ => {}
    }
    let available = bytes[p..].iter().take_while(|b| b.is_ascii_digit()).count();
    let eff_max = if n.subsequent > 0 {
        let first_pass = available.min(n.max + n.subsequent);
        n.min.max(first_pass.saturating_sub(n.subsequent))
    } else {
        n.max
    };
    let take = available.min(eff_max);
    if take < n.min || take == 0 {
        return None;
    }
    let mut value: i64 = 0;
    for b in &bytes[p..p + take] {
        value = value.checked_mul(10)?.checked_add((b - b'0') as i64)?;
    }
    if negative {
        if value == 0 {
            return None; // "-0" is rejected in strict mode
        }
        value = -value;
    } else if n.sign == SignStyle::ExceedsPad {
        // '+' only when the minimum width is exceeded, and then it is mandatory.
        if positive && take <= n.min || !positive && take > n.min {
            return None;
        }
    }
    Some((value, p + take))
}

fn two_digits(bytes: &[u8], pos: usize) -> Option<i32> {
    let d = bytes.get(pos..pos + 2)?;
    if d.iter().all(u8::is_ascii_digit) {
        Some(((d[0] - b'0') * 10 + (d[1] - b'0')) as i32)
    } else {
        None
    }
}

/// java.time `OffsetIdPrinterParser.parse` (strict): the zero text is tried first.
fn parse_iso_offset(
    s: &str,
    pos: usize,
    no_offset: &str,
    colon: bool,
    minutes: Need,
    seconds: Need,
) -> Option<(i32, usize)> {
    if pos >= s.len() {
        return None;
    }
    if let Some(end) = match_ci(s, pos, no_offset) {
        return Some((0, end));
    }
    let bytes = s.as_bytes();
    let sign = match bytes[pos] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut p = pos + 1;
    let hours = two_digits(bytes, p)?;
    p += 2;
    let mut parts = [0i32; 2];
    for (i, need) in [minutes, seconds].into_iter().enumerate() {
        if need == Need::No {
            break;
        }
        let sep = usize::from(colon);
        let has_sep = !colon || bytes.get(p) == Some(&b':');
        match two_digits(bytes, p + sep).filter(|_| has_sep) {
            Some(v) => {
                parts[i] = v;
                p += sep + 2;
            }
            None if need == Need::Required => return None,
            None => break,
        }
    }
    if hours > 23 || parts[0] > 59 || parts[1] > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + parts[0] * 60 + parts[1]), p))
}

/// `GMT`, `GMT+8`, `GMT+08:00`, `GMT-5:30:15` (java's localized offset, lenient on hour width).
fn parse_localized_offset(s: &str, pos: usize, full: bool) -> Option<(i32, usize)> {
    let mut p = match_ci(s, pos, "GMT")?;
    let bytes = s.as_bytes();
    let sign = match bytes.get(p) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some((0, p)),
    };
    p += 1;
    let hour_digits = bytes[p..]
        .iter()
        .take(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if hour_digits == 0 || full && hour_digits != 2 {
        return None;
    }
    let hours: i32 = s[p..p + hour_digits].parse().ok()?;
    p += hour_digits;
    let mut parts = [0i32; 2];
    for part in parts.iter_mut() {
        if bytes.get(p) != Some(&b':') {
            break;
        }
        *part = two_digits(bytes, p + 1)?;
        p += 3;
    }
    if full && bytes.get(pos + 3 + 1 + 2) != Some(&b':') {
        return None;
    }
    if hours > 18 || parts[0] > 59 || parts[1] > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + parts[0] * 60 + parts[1]), p))
}

/// Lenient `+H[H][:MM[:SS]]` offset as used after `UTC`/`GMT` and for offset-style zone ids.
fn parse_lenient_offset(bytes: &[u8], pos: usize) -> Option<(i32, usize)> {
    let sign = match bytes.get(pos) {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let mut p = pos + 1;
    let hour_digits = bytes[p..]
        .iter()
        .take(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if hour_digits == 0 {
        return None;
    }
    let mut hours = 0i32;
    for b in &bytes[p..p + hour_digits] {
        hours = hours * 10 + (b - b'0') as i32;
    }
    p += hour_digits;
    let mut parts = [0i32; 2];
    let colon = bytes.get(p) == Some(&b':');
    for part in parts.iter_mut() {
        let sep = usize::from(colon);
        if colon && bytes.get(p) != Some(&b':') {
            break;
        }
        match two_digits(bytes, p + sep) {
            Some(v) => {
                *part = v;
                p += sep + 2;
            }
            None => break,
        }
    }
    if hours > 18 || parts[0] > 59 || parts[1] > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + parts[0] * 60 + parts[1]), p))
}

/// Case-insensitive lookup table of IANA zone ids (chrono-tz's own lookup is case-sensitive).
fn zone_table() -> &'static HashMap<String, Tz> {
    static TABLE: OnceLock<HashMap<String, Tz>> = OnceLock::new();
    TABLE.get_or_init(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| (tz.name().to_ascii_lowercase(), *tz))
            .collect()
    })
}

/// Looks up a zone id case-insensitively.
pub fn zone_by_name(name: &str) -> Option<Tz> {
    zone_table().get(&name.to_ascii_lowercase()).copied()
}

/// java.time `ZoneIdPrinterParser.parse`: offsets, `UTC`/`GMT`/`UT` prefixes, then the longest region id.
fn parse_zone_id(s: &str, pos: usize) -> Option<(Zone, usize)> {
    let bytes = s.as_bytes();
    let first = *bytes.get(pos)?;
    if first == b'+' || first == b'-' {
        let (secs, end) = parse_lenient_offset(bytes, pos)?;
        return Some((Zone::Fixed(secs), end));
    }
    for prefix in ["UTC", "GMT", "UT"] {
        if let Some(end) = match_ci(s, pos, prefix) {
            if let Some((secs, off_end)) = parse_lenient_offset(bytes, end) {
                return Some((Zone::Fixed(secs), off_end));
            }
            // `GMT0` and longer region ids starting with the prefix (e.g. `UTC` itself, `UCT`).
            if let Some(found) = longest_region(s, pos) {
                return Some(found);
            }
            return Some((Zone::Fixed(0), end));
        }
    }
    if let Some(found) = longest_region(s, pos) {
        return Some(found);
    }
    if first == b'Z' || first == b'z' {
        return Some((Zone::Fixed(0), pos + 1));
    }
    None
}

fn longest_region(s: &str, pos: usize) -> Option<(Zone, usize)> {
    let bytes = s.as_bytes();
    let run = bytes[pos..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
        .count();
    (1..=run)
        .rev()
        .find_map(|len| zone_by_name(&s[pos..pos + len]).map(|tz| (Zone::Region(tz), pos + len)))
}

/// `z`: common abbreviations map to their region (as java's zone-name parser does), else a zone id.
fn parse_zone_name(s: &str, pos: usize) -> Option<(Zone, usize)> {
    const NAMES: &[(&str, &str)] = &[
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("MST", "America/Denver"),
        ("MDT", "America/Denver"),
        ("CST", "America/Chicago"),
        ("CDT", "America/Chicago"),
        ("EST", "America/New_York"),
        ("EDT", "America/New_York"),
        ("BST", "Europe/London"),
        ("CEST", "Europe/Paris"),
        ("JST", "Asia/Tokyo"),
    ];
    let word_len = s.as_bytes()[pos.min(s.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let word = &s[pos..pos + word_len];
    if let Some((_, id)) = NAMES
        .iter()
        .find(|(abbr, _)| abbr.eq_ignore_ascii_case(word))
    {
        return Some((Zone::Region(zone_by_name(id)?), pos + word_len));
    }
    parse_zone_id(s, pos)
}

// ------------------------------------------------------------------------------------------------
// Formatting

struct FormatCtx {
    local: NaiveDateTime,
    offset_secs: i32,
    abbreviation: Option<String>,
    zone_id: &'static str,
}

const MONTHS_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS_FULL: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const AM_PM: [(i64, &str); 2] = [(0, "AM"), (1, "PM")];

fn styled(full: &str, style: TextStyle) -> String {
    match style {
        TextStyle::Full => full.to_string(),
        TextStyle::Short => full.chars().take(3).collect(),
        TextStyle::Narrow => full.chars().take(1).collect(),
    }
}

fn month_names(style: TextStyle) -> Option<Vec<(i64, String)>> {
    if style == TextStyle::Narrow {
        return None; // ambiguous (J = Jan/Jun/Jul): not parseable
    }
    Some(
        MONTHS_FULL
            .iter()
            .enumerate()
            .map(|(i, m)| (i as i64 + 1, styled(m, style)))
            .collect(),
    )
}

fn era_names(style: TextStyle) -> Option<Vec<(i64, String)>> {
    Some(match style {
        TextStyle::Short => vec![(0, "BC".to_string()), (1, "AD".to_string())],
        TextStyle::Full => vec![
            (0, "Before Christ".to_string()),
            (1, "Anno Domini".to_string()),
        ],
        TextStyle::Narrow => vec![(0, "B".to_string()), (1, "A".to_string())],
    })
}

fn format_items(items: &[Item], ctx: &FormatCtx, out: &mut String) -> Option<()> {
    for item in items {
        format_item(item, ctx, out)?;
    }
    Some(())
}

fn push_padded(out: &mut String, value: i64, min: usize, sign: SignStyle) {
    let digits = value.unsigned_abs().to_string();
    if value < 0 {
        out.push('-');
    } else if sign == SignStyle::ExceedsPad && digits.len() > min {
        out.push('+');
    }
    for _ in digits.len()..min {
        out.push('0');
    }
    out.push_str(&digits);
}

fn field_value(field: NumField, local: &NaiveDateTime) -> i64 {
    let year = local.year() as i64;
    let hour = local.hour() as i64;
    match field {
        NumField::Year => year,
        NumField::YearOfEra => {
            if year >= 1 {
                year
            } else {
                1 - year
            }
        }
        NumField::Month => local.month() as i64,
        NumField::DayOfMonth => local.day() as i64,
        NumField::DayOfYear => local.ordinal() as i64,
        NumField::HourOfDay => hour,
        NumField::ClockHourOfDay => {
            if hour == 0 {
                24
            } else {
                hour
            }
        }
        NumField::HourOfAmPm => hour % 12,
        NumField::ClockHourOfAmPm => {
            if hour % 12 == 0 {
                12
            } else {
                hour % 12
            }
        }
        NumField::Minute => local.minute() as i64,
        NumField::Second => local.second() as i64,
        NumField::Quarter => (local.month0() / 3 + 1) as i64,
    }
}

fn format_item(item: &Item, ctx: &FormatCtx, out: &mut String) -> Option<()> {
    let local = &ctx.local;
    match item {
        Item::Literal(text) => out.push_str(text),
        Item::Num(n) => push_padded(out, field_value(n.field, local), n.min, n.sign),
        Item::ReducedYear(field) => push_padded(
            out,
            field_value(*field, local).rem_euclid(100),
            2,
            SignStyle::NotNegative,
        ),
        Item::Fraction { width } => {
            let nanos = format!("{:09}", local.nanosecond() % 1_000_000_000);
            out.push_str(&nanos[..(*width).min(9)]);
        }
        Item::Text { field, style } => {
            let text = match field {
                TextField::Month => styled(MONTHS_FULL[local.month0() as usize], *style),
                TextField::DayOfWeek => styled(
                    DAYS_FULL[local.weekday().num_days_from_monday() as usize],
                    *style,
                ),
                TextField::AmPm => {
                    let text = AM_PM[(local.hour() / 12) as usize].1;
                    if *style == TextStyle::Narrow {
                        text[..1].to_lowercase()
                    } else {
                        text.to_string()
                    }
                }
                TextField::Era => {
                    let era = i64::from(local.year() >= 1);
                    era_names(*style)?.into_iter().find(|(v, _)| *v == era)?.1
                }
                TextField::Quarter => {
                    let q = local.month0() / 3 + 1;
                    match style {
                        TextStyle::Short => format!("Q{q}"),
                        TextStyle::Full => {
                            ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"]
                                [(q - 1) as usize]
                                .to_string()
                        }
                        TextStyle::Narrow => q.to_string(),
                    }
                }
            };
            out.push_str(&text);
        }
        Item::ZoneId => out.push_str(ctx.zone_id),
        Item::ZoneName { full } => {
            if *full && ctx.zone_id == "UTC" {
                out.push_str("Coordinated Universal Time");
            } else if *full {
                out.push_str(ctx.zone_id);
            } else {
                out.push_str(ctx.abbreviation.as_deref().unwrap_or(ctx.zone_id));
            }
        }
        Item::Offset(style) => format_offset(style, ctx.offset_secs, out),
        Item::Optional(inner) => format_items(inner, ctx, out)?,
    }
    Some(())
}

fn format_offset(style: &OffsetStyle, total: i32, out: &mut String) {
    let abs = total.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    let sign = if total < 0 { '-' } else { '+' };
    match style {
        OffsetStyle::Iso {
            no_offset,
            colon,
            minutes: need_min,
            seconds: need_sec,
        } => {
            if total == 0 {
                out.push_str(no_offset);
                return;
            }
            out.push(sign);
            out.push_str(&format!("{hours:02}"));
            let sep = if *colon { ":" } else { "" };
            let show_sec =
                *need_sec == Need::Required || *need_sec == Need::Optional && seconds != 0;
            let show_min = *need_min == Need::Required
                || *need_min == Need::Optional && (minutes != 0 || show_sec);
            if show_min {
                out.push_str(&format!("{sep}{minutes:02}"));
                if show_sec {
                    out.push_str(&format!("{sep}{seconds:02}"));
                }
            }
        }
        OffsetStyle::Localized { full } => {
            out.push_str("GMT");
            if total == 0 {
                return;
            }
            out.push(sign);
            if *full {
                out.push_str(&format!("{hours:02}:{minutes:02}"));
                if seconds != 0 {
                    out.push_str(&format!(":{seconds:02}"));
                }
            } else {
                out.push_str(&hours.to_string());
                if minutes != 0 || seconds != 0 {
                    out.push_str(&format!(":{minutes:02}"));
                    if seconds != 0 {
                        out.push_str(&format!(":{seconds:02}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC: Tz = Tz::UTC;

    fn micros(s: &str) -> i64 {
        // Helper for expected values: "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
        let fmt = if s.contains('.') {
            "%Y-%m-%d %H:%M:%S%.f"
        } else {
            "%Y-%m-%d %H:%M:%S"
        };
        NaiveDateTime::parse_from_str(s, fmt)
            .expect("test literal")
            .and_utc()
            .timestamp_micros()
    }

    fn parse(p: &str, s: &str) -> Option<i64> {
        SparkPattern::compile(p)
            .expect("pattern compiles")
            .parse_timestamp_micros(s, &UTC)
    }

    fn fmt(p: &str, ts: &str, tz: &Tz) -> String {
        SparkPattern::compile(p)
            .expect("pattern compiles")
            .format_micros(micros(ts), tz)
    }

    #[test]
    fn parses_date_only_with_midnight_default() {
        assert_eq!(
            parse("yyyy-MM-dd", "2016-12-31"),
            Some(micros("2016-12-31 00:00:00"))
        );
    }

    #[test]
    fn parses_full_timestamp() {
        assert_eq!(
            parse("yyyy-MM-dd HH:mm:ss", "2020-01-01 10:11:12"),
            Some(micros("2020-01-01 10:11:12"))
        );
        assert_eq!(
            parse("yyyy:MM:dd HH:mm:ss", "2020:08:28 03:52:47"),
            Some(micros("2020-08-28 03:52:47"))
        );
    }

    #[test]
    fn missing_date_defaults_to_1970() {
        assert_eq!(parse("HH:mm", "10:30"), Some(micros("1970-01-01 10:30:00")));
        assert_eq!(parse("MM-dd", "03-04"), Some(micros("1970-03-04 00:00:00")));
        assert_eq!(parse("MM-dd", "02-29"), None, "1970 is not a leap year");
    }

    #[test]
    fn whole_string_must_match() {
        assert_eq!(parse("yyyy-MM-dd", "2016-12-31 10:00"), None);
        assert_eq!(
            parse("yyyy-MM-dd", "2016-12-3"),
            None,
            "dd needs two digits"
        );
        assert_eq!(
            parse("yyyy-M-d", "2016-1-3"),
            Some(micros("2016-01-03 00:00:00"))
        );
        assert_eq!(
            parse("yyyy-M-d", "2016-12-31"),
            Some(micros("2016-12-31 00:00:00"))
        );
        assert_eq!(parse("yyyy-MM-dd", "garbage"), None);
    }

    #[test]
    fn strict_ranges() {
        assert_eq!(parse("yyyy-MM-dd", "2016-02-30"), None);
        assert_eq!(parse("yyyy-MM-dd", "2016-13-01"), None);
        assert_eq!(parse("HH:mm", "24:00"), None);
        assert_eq!(parse("HH:mm:ss", "10:00:60"), None);
    }

    #[test]
    fn fraction_sss_accepts_one_to_three_digits() {
        let p = "yyyy-MM-dd HH:mm:ss.SSS";
        assert_eq!(
            parse(p, "2020-01-01 00:00:00.1"),
            Some(micros("2020-01-01 00:00:00.100"))
        );
        assert_eq!(
            parse(p, "2020-01-01 00:00:00.12"),
            Some(micros("2020-01-01 00:00:00.120"))
        );
        assert_eq!(
            parse(p, "2020-01-01 00:00:00.123"),
            Some(micros("2020-01-01 00:00:00.123"))
        );
        assert_eq!(parse(p, "2020-01-01 00:00:00.1234"), None);
        assert_eq!(parse(p, "2020-01-01 00:00:00"), None);
        // Nanosecond digits beyond microseconds are truncated.
        assert_eq!(
            parse(
                "yyyy-MM-dd HH:mm:ss.SSSSSSSSS",
                "2020-01-01 00:00:00.123456789"
            ),
            Some(micros("2020-01-01 00:00:00.123456"))
        );
    }

    #[test]
    fn optional_sections() {
        let p = "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]";
        assert_eq!(
            parse(p, "2020-01-01T10:00:00"),
            Some(micros("2020-01-01 10:00:00"))
        );
        assert_eq!(
            parse(p, "2020-01-01T10:00:00.5"),
            Some(micros("2020-01-01 10:00:00.500"))
        );
        assert_eq!(
            parse(p, "2020-01-01T10:00:00+02:00"),
            Some(micros("2020-01-01 08:00:00"))
        );
        assert_eq!(
            parse(p, "2020-01-01T10:00:00.250Z"),
            Some(micros("2020-01-01 10:00:00.250"))
        );
        assert_eq!(
            parse("yyyy-MM-dd[ HH:mm[:ss]]", "2020-01-01 10:05"),
            Some(micros("2020-01-01 10:05:00"))
        );
        assert_eq!(
            SparkPattern::compile(p)
                .expect("compiles")
                .format_micros(micros("2020-01-01 10:00:00.5"), &UTC),
            "2020-01-01T10:00:00.500Z"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            parse("yyyy-MM-dd'T'HH", "2020-01-01T05"),
            Some(micros("2020-01-01 05:00:00"))
        );
        assert_eq!(
            parse("''yyyy''", "'2020'"),
            Some(micros("2020-01-01 00:00:00"))
        );
        assert_eq!(
            parse("'it''s' yyyy", "it's 2020"),
            Some(micros("2020-01-01 00:00:00"))
        );
        assert_eq!(
            fmt("'at' HH 'o''clock'", "2020-01-01 05:00:00", &UTC),
            "at 05 o'clock"
        );
        assert!(
            SparkPattern::compile("yyyy-MM-ddTHH").is_err(),
            "T is an unknown letter"
        );
        assert!(SparkPattern::compile("'open").is_err());
    }

    #[test]
    fn adjacent_values() {
        assert_eq!(
            parse("yyyyMMdd", "20200131"),
            Some(micros("2020-01-31 00:00:00"))
        );
        assert_eq!(
            parse("yyyyMMddHHmmss", "20200131102030"),
            Some(micros("2020-01-31 10:20:30"))
        );
        assert_eq!(
            parse("yyMMdd", "200131"),
            Some(micros("2020-01-31 00:00:00"))
        );
    }

    #[test]
    fn years() {
        assert_eq!(
            parse("yy-MM-dd", "99-01-01"),
            Some(micros("2099-01-01 00:00:00"))
        );
        assert_eq!(
            parse("yyyy", "12345"),
            None,
            "more than 4 digits needs a sign"
        );
        assert_eq!(parse("y", "12345").is_some(), true);
        assert_eq!(fmt("yy", "2016-04-08 10:00:00", &UTC), "16");
        assert_eq!(fmt("y", "0012-04-08 10:00:00", &UTC), "12");
        assert_eq!(fmt("yyyy", "0012-04-08 10:00:00", &UTC), "0012");
    }

    #[test]
    fn text_fields_are_case_insensitive() {
        assert_eq!(
            parse("dd MMM yyyy", "05 jan 2021"),
            Some(micros("2021-01-05 00:00:00"))
        );
        assert_eq!(
            parse("dd MMMM yyyy", "05 SEPTEMBER 2021"),
            Some(micros("2021-09-05 00:00:00"))
        );
        assert_eq!(
            parse("hh:mm a", "12:30 am"),
            Some(micros("1970-01-01 00:30:00"))
        );
        assert_eq!(
            parse("hh:mm a", "01:30 PM"),
            Some(micros("1970-01-01 13:30:00"))
        );
        assert_eq!(
            parse("hh:mm", "12:30"),
            Some(micros("1970-01-01 00:30:00")),
            "h without a means AM"
        );
        assert_eq!(parse("HH a", "13 AM"), None, "conflicting am/pm");
    }

    #[test]
    fn day_of_week_is_format_only() {
        assert!(SparkPattern::compile_for_parsing("EEE yyyy").is_err());
        let p = SparkPattern::compile("EEE, dd MMM yyyy").expect("compiles for formatting");
        assert_eq!(p.parse_timestamp_micros("Fri, 08 Apr 2016", &UTC), None);
        assert_eq!(
            p.format_micros(micros("2016-04-08 10:00:00"), &UTC),
            "Fri, 08 Apr 2016"
        );
        assert_eq!(
            fmt("EEEE MMMM", "2016-04-08 10:00:00", &UTC),
            "Friday April"
        );
    }

    #[test]
    fn rejects_spark_unsupported_letters() {
        for p in [
            "YYYY", "ww", "u", "e", "yyyyyyy", "MMMMMM", "ddd", "A", "{", "]",
        ] {
            assert!(SparkPattern::compile(p).is_err(), "{p} should be rejected");
        }
    }

    #[test]
    fn zones_and_offsets_when_parsing() {
        let la: Tz = "America/Los_Angeles".parse().expect("zone");
        // Zone-less input is in the given zone.
        assert_eq!(
            SparkPattern::compile("yyyy-MM-dd HH:mm")
                .expect("compiles")
                .parse_timestamp_micros("2020-07-01 10:00", &la),
            Some(micros("2020-07-01 17:00:00"))
        );
        assert_eq!(
            parse(
                "yyyy-MM-dd HH:mm VV",
                "2020-07-01 10:00 America/Los_Angeles"
            ),
            Some(micros("2020-07-01 17:00:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm VV", "2020-07-01 10:00 UTC"),
            Some(micros("2020-07-01 10:00:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm z", "2020-01-01 10:00 PST"),
            Some(micros("2020-01-01 18:00:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm Z", "2020-01-01 10:00 +0530"),
            Some(micros("2020-01-01 04:30:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm X", "2020-01-01 10:00 -08"),
            Some(micros("2020-01-01 18:00:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm XXX", "2020-01-01 10:00 -0800"),
            None,
            "XXX needs a colon"
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm O", "2020-01-01 10:00 GMT+8"),
            Some(micros("2020-01-01 02:00:00"))
        );
    }

    #[test]
    fn dst_gap_moves_forward() {
        let la: Tz = "America/Los_Angeles".parse().expect("zone");
        let p = SparkPattern::compile("yyyy-MM-dd HH:mm").expect("compiles");
        // 02:30 does not exist on 2020-03-08 in Los Angeles; java gives 03:30 PDT = 10:30 UTC.
        assert_eq!(
            p.parse_timestamp_micros("2020-03-08 02:30", &la),
            Some(micros("2020-03-08 10:30:00"))
        );
        // 01:30 on 2020-11-01 happens twice; java takes the earlier (PDT) offset.
        assert_eq!(
            p.parse_timestamp_micros("2020-11-01 01:30", &la),
            Some(micros("2020-11-01 08:30:00"))
        );
    }

    #[test]
    fn formats_fields() {
        let ts = "2016-04-08 13:05:09.123456";
        assert_eq!(fmt("yyyy-MM-dd HH:mm:ss", ts, &UTC), "2016-04-08 13:05:09");
        assert_eq!(fmt("yyyy", ts, &UTC), "2016");
        assert_eq!(fmt("S", ts, &UTC), "1");
        assert_eq!(fmt("SSS", ts, &UTC), "123");
        assert_eq!(fmt("SSSSSSSSS", ts, &UTC), "123456000");
        assert_eq!(fmt("h:m a", ts, &UTC), "1:5 PM");
        assert_eq!(fmt("k K D DDD", "2016-02-01 00:00:00", &UTC), "24 0 32 032");
        assert_eq!(fmt("Q QQQ QQQQ", ts, &UTC), "2 Q2 2nd quarter");
        assert_eq!(fmt("G yyyy", ts, &UTC), "AD 2016");
    }

    #[test]
    fn formats_zones() {
        let la: Tz = "America/Los_Angeles".parse().expect("zone");
        let ts = "2016-01-08 18:00:00";
        assert_eq!(fmt("HH:mm XXX", ts, &la), "10:00 -08:00");
        assert_eq!(
            fmt("X|XX|XXXXX|x|Z|ZZZZ|O", ts, &la),
            "-08|-0800|-08:00|-08|-0800|GMT-08:00|GMT-8"
        );
        assert_eq!(fmt("VV z", ts, &la), "America/Los_Angeles PST");
        assert_eq!(
            fmt("X|xxx|Z|ZZZZZ|O|z", ts, &UTC),
            "Z|+00:00|+0000|Z|GMT|UTC"
        );
    }

    #[test]
    fn parse_date_days_ignores_time() {
        let p = SparkPattern::compile("yyyy-MM-dd HH:mm").expect("compiles");
        assert_eq!(p.parse_date_days("1970-01-02 23:59"), Some(1));
        assert_eq!(p.parse_date_days("1969-12-31 00:00"), Some(-1));
        assert_eq!(p.parse_date_days("1970-01-02 25:00"), None);
    }

    #[test]
    fn more_parsing_rules() {
        assert_eq!(
            parse("yyyy-MM-dd't'HH", "2020-01-01T05"),
            Some(micros("2020-01-01 05:00:00")),
            "literals ignore case"
        );
        assert_eq!(
            parse("yyyy[-MM[-dd]]", "2020-05"),
            Some(micros("2020-05-01 00:00:00"))
        );
        assert_eq!(
            parse("yyyy[-MM[-dd]]", "2020"),
            Some(micros("2020-01-01 00:00:00"))
        );
        assert_eq!(
            parse("KK:mm a", "11:00 PM"),
            Some(micros("1970-01-01 23:00:00"))
        );
        assert_eq!(parse("kk:mm", "24:00"), Some(micros("1970-01-01 00:00:00")));
        assert_eq!(
            parse("yyyy DDD", "2020 060"),
            Some(micros("2020-02-29 00:00:00"))
        );
        assert_eq!(
            parse("yyyy DDD MM", "2020 060 03"),
            None,
            "day-of-year and month disagree"
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm VV", "2020-01-01 10:00 europe/paris"),
            Some(micros("2020-01-01 09:00:00"))
        );
        assert_eq!(
            parse("yyyy-MM-dd HH:mm:ss.SSSSSS", "2020-01-01 00:00:00.000001"),
            Some(micros("2020-01-01 00:00:00.000001"))
        );
        assert_eq!(
            parse("G yyyy", "BC 0001"),
            Some(micros("0000-01-01 00:00:00"))
        );
        assert_eq!(
            parse("yyyy yyyy", "2020 2021"),
            None,
            "conflicting values for one field"
        );
    }

    #[test]
    fn round_trips() {
        let p = SparkPattern::compile("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").expect("compiles");
        let v = micros("2023-11-14 22:13:20.654321");
        let text = p.format_micros(v, &UTC);
        assert_eq!(text, "2023-11-14T22:13:20.654321Z");
        assert_eq!(p.parse_timestamp_micros(&text, &UTC), Some(v));
    }
}
