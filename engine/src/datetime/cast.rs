//! Spark CAST-style timestamp/date string parsing.
//!
//! Mirrors `DateTimeUtils.parseTimestampString` / `stringToTimestamp` /
//! `stringToTimestampWithoutTimeZone` / `stringToDate` and `getZoneId` (spark-semantics.md 6.5:
//! with no `timestampFormat`/`dateFormat`, the JSON reader parses strings exactly like
//! `CAST(str AS TIMESTAMP/DATE)`). Accepted timestamp forms (after trimming whitespace and ASCII
//! control characters at both ends):
//!
//! - `[+-]yyyy[yy]`, `[+-]yyyy-[m]m`, `[+-]yyyy-[m]m-[d]d`
//! - `[+-]yyyy-[m]m-[d]d( |T)[h]h[:[m]m[:[s]s[.fraction]]][zone]` (the zone may only follow the
//!   seconds or the fraction, like Spark; fraction digits after the sixth are truncated)
//! - `[h]h:[m]m[:[s]s[.fraction]][zone]` and `T[h]h...` (time only: today's date in the zone)
//!
//! Zones: `Z`, `UTC`/`GMT`/`UT` optionally followed by an offset, offsets `+h`, `+hh`, `+hh:mm`,
//! `+hhmm`, `+hh:mm:ss`, `+hhmmss` (also `+h:mm`, `+hh:m` like Spark), Java's short ids (`PST`,
//! `CET`, ...) and region ids (`Europe/Paris`), case-sensitive like `java.time.ZoneId.of`.

use std::borrow::Cow;

use chrono::{LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A parsed Spark zone id: a fixed offset or a tz-database region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SparkZone {
    /// Fixed offset east of UTC, in seconds (`Z`, `UTC`, `+02:00`, `GMT-5`, `EST`, ...).
    Fixed(i32),
    /// A tz-database region (`Europe/Paris`, `PST` -> `America/Los_Angeles`, ...).
    Region(Tz),
}

/// Parses a Spark timestamp string to UTC epoch microseconds; zone-less strings are in `default_tz`.
pub fn parse_timestamp_micros(s: &str, default_tz: &Tz) -> Option<i64> {
    let p = parse_segments(s.as_bytes())?;
    let zone = match p.zone {
        Some(z) => parse_zone_id(z)?,
        None => SparkZone::Region(*default_tz),
    };
    let (year, month, day) = if p.just_time {
        today_in(zone)?
    } else {
        (p.year, p.month, p.day)
    };
    let local = local_seconds(year, month, day, p.hour, p.minute, p.second)?;
    let offset = offset_for_local(zone, local)?;
    to_micros(local - offset as i64, p.micros)
}

/// Parses a TIMESTAMP_NTZ string (as the JSON reader does): any zone suffix makes it invalid.
pub fn parse_timestamp_ntz_micros(s: &str) -> Option<i64> {
    let p = parse_segments(s.as_bytes())?;
    if p.just_time || p.zone.is_some() {
        return None;
    }
    to_micros(
        local_seconds(p.year, p.month, p.day, p.hour, p.minute, p.second)?,
        p.micros,
    )
}

/// Parses a TIMESTAMP_NTZ string like `CAST(s AS TIMESTAMP_NTZ)`: a valid zone is accepted and ignored.
pub fn cast_timestamp_ntz_micros(s: &str) -> Option<i64> {
    let p = parse_segments(s.as_bytes())?;
    if p.just_time {
        return None;
    }
    if let Some(z) = p.zone {
        // Spark still resolves the zone id (ZoneId.of throws on garbage) before dropping it.
        parse_zone_id(z)?;
    }
    to_micros(
        local_seconds(p.year, p.month, p.day, p.hour, p.minute, p.second)?,
        p.micros,
    )
}

/// Parses a Spark date string (`yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d[( |T)anything]`) to days since 1970-01-01.
pub fn parse_date_days(s: &str) -> Option<i32> {
    let bytes = trim_all(s.as_bytes());
    if bytes.is_empty() {
        return None;
    }
    let mut segments = [1i64, 1, 1];
    let mut sign = 1i64;
    let mut i = 0usize;
    let mut value = 0i64;
    let mut digits = 0usize;
    let mut j = 0usize;
    if bytes[0] == b'-' || bytes[0] == b'+' {
        sign = if bytes[0] == b'-' { -1 } else { 1 };
        j = 1;
    }
    // Like Spark's stringToDate: stop at the first ' ' or 'T'; whatever follows is ignored.
    while j < bytes.len() && bytes[j] != b' ' && bytes[j] != b'T' {
        let b = bytes[j];
        if i < 2 && b == b'-' {
            if !valid_date_digits(i, digits) {
                return None;
            }
            segments[i] = value;
            value = 0;
            digits = 0;
            i += 1;
        } else if b.is_ascii_digit() {
            // Segments are at most 7 digits, so this cannot overflow before the digit check.
            if digits < 8 {
                value = value * 10 + i64::from(b - b'0');
            }
            digits += 1;
        } else {
            return None;
        }
        j += 1;
    }
    if !valid_date_digits(i, digits) {
        return None;
    }
    // `yyyy` and `yyyy-[m]m` must consume the whole input.
    if i < 2 && j < bytes.len() {
        return None;
    }
    segments[i] = value;
    let year = sign * segments[0];
    let (month, day) = (segments[1], segments[2]);
    if !valid_date(year, month, day) {
        return None;
    }
    i32::try_from(days_from_civil(year, month, day)).ok()
}

/// Resolves a Spark zone id like `DateTimeUtils.getZoneId` (`ZoneId.of` with Java's SHORT_IDS).
pub fn parse_zone_id(id: &str) -> Option<SparkZone> {
    let trimmed = id.trim_matches(|c: char| c <= ' ');
    // The common suffixes skip the normalization (which allocates).
    match trimmed {
        "Z" | "UTC" | "GMT" | "UT" => return Some(SparkZone::Fixed(0)),
        _ => {}
    }
    let normalized = if trimmed.contains(':') {
        Cow::Owned(normalize_zone_id(trimmed))
    } else {
        Cow::Borrowed(trimmed)
    };
    let id = short_id(&normalized).unwrap_or(&normalized);
    if id.len() <= 1 || id.starts_with('+') || id.starts_with('-') {
        return parse_offset(id).map(SparkZone::Fixed);
    }
    if id.starts_with("UTC") || id.starts_with("GMT") {
        return zone_with_prefix(id, 3);
    }
    if id.starts_with("UT") {
        return zone_with_prefix(id, 2);
    }
    region(id)
}

/// The pieces of a timestamp string, before calendar validation.
#[derive(Debug, Default)]
struct Parsed<'a> {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    zone: Option<&'a str>,
    just_time: bool,
}

/// Spark's `isValidDigits` for timestamps: year 4-6 digits, fraction any, zone 0-2, others 1-2.
fn valid_ts_digits(segment: usize, digits: usize) -> bool {
    match segment {
        0 => (4..=6).contains(&digits),
        6 => true,
        7 => digits <= 2,
        _ => (1..=2).contains(&digits),
    }
}

/// Spark's `isValidDigits` for dates: year 4-7 digits, month/day 1-2.
fn valid_date_digits(segment: usize, digits: usize) -> bool {
    if segment == 0 {
        (4..=7).contains(&digits)
    } else {
        (1..=2).contains(&digits)
    }
}

/// Trims like UTF8String.trimAll: ASCII whitespace and ISO control bytes at both ends.
fn trim_all(b: &[u8]) -> &[u8] {
    let is_trim = |c: &u8| *c <= b' ' || *c == 0x7f;
    let start = b.iter().position(|c| !is_trim(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_trim(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Direct port of Spark's `parseTimestampString` state machine (segment indices 0..=8).
fn parse_segments(input: &[u8]) -> Option<Parsed<'_>> {
    let bytes = trim_all(input);
    if bytes.is_empty() {
        return None;
    }
    // year, month, day, hour, minute, second, fraction, (zone hours, zone minutes: unused)
    let mut segments = [1i64, 1, 1, 0, 0, 0, 0, 0, 0];
    let mut i = 0usize;
    let mut value = 0i64;
    let mut digits = 0usize;
    let mut j = 0usize;
    let mut fraction_digits = 0usize;
    let mut just_time = false;
    let mut year_sign: Option<i64> = None;
    let mut zone: Option<&[u8]> = None;
    if bytes[0] == b'-' || bytes[0] == b'+' {
        year_sign = Some(if bytes[0] == b'-' { -1 } else { 1 });
        j = 1;
    }
    macro_rules! end_segment {
        ($seg:expr) => {{
            if !valid_ts_digits($seg, digits) {
                return None;
            }
            segments[$seg] = value;
            value = 0;
            digits = 0;
        }};
    }
    while j < bytes.len() {
        let b = bytes[j];
        if !b.is_ascii_digit() {
            if j == 0 && b == b'T' {
                just_time = true;
                i += 3;
            } else if i < 2 {
                if b == b'-' {
                    end_segment!(i);
                    i += 1;
                } else if i == 0 && b == b':' && year_sign.is_none() {
                    just_time = true;
                    end_segment!(3);
                    i = 4;
                } else {
                    return None;
                }
            } else if i == 2 {
                if b == b' ' || b == b'T' {
                    end_segment!(i);
                    i += 1;
                } else {
                    return None;
                }
            } else if i == 3 || i == 4 {
                if b == b':' {
                    end_segment!(i);
                    i += 1;
                } else {
                    return None;
                }
            } else if i == 5 || i == 6 {
                if b == b'.' && i == 5 {
                    end_segment!(i);
                    i += 1;
                } else {
                    // Anything else after the seconds (or fraction) starts the zone id.
                    end_segment!(i);
                    i += 1;
                    zone = Some(&bytes[j..]);
                    j = bytes.len() - 1;
                }
                if i == 6 && b != b'.' {
                    i += 1;
                }
            } else if i < segments.len() && (b == b':' || b == b' ') {
                end_segment!(i);
                i += 1;
            } else {
                return None;
            }
        } else {
            if i == 6 {
                fraction_digits += 1;
            }
            // Fraction digits after the sixth are dropped (truncation, like Spark).
            if i != 6 || digits < 6 {
                // Other segments are at most 6 digits long, so no overflow before validation.
                if digits < 9 {
                    value = value * 10 + i64::from(b - b'0');
                }
            }
            digits += 1;
        }
        j += 1;
    }
    if i >= segments.len() || !valid_ts_digits(i, digits) {
        return None;
    }
    segments[i] = value;
    let mut micros = segments[6];
    for _ in fraction_digits.min(6)..6 {
        micros *= 10;
    }
    let zone = match zone {
        Some(z) => Some(std::str::from_utf8(z).ok()?),
        None => None,
    };
    Some(Parsed {
        year: segments[0] * year_sign.unwrap_or(1),
        month: segments[1],
        day: segments[2],
        hour: segments[3],
        minute: segments[4],
        second: segments[5],
        micros,
        zone,
        just_time,
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `LocalDate.of` validation (proleptic Gregorian, years within +-999,999,999).
fn valid_date(year: i64, month: i64, day: i64) -> bool {
    year.abs() <= 999_999_999
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Local wall-clock seconds since 1970-01-01T00:00 after `LocalDate.of`/`LocalTime.of` validation.
fn local_seconds(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
) -> Option<i64> {
    if !valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
}

/// Seconds + micros to epoch micros, failing on overflow like `instantToMicros`' multiplyExact.
fn to_micros(seconds: i64, micros: i64) -> Option<i64> {
    seconds.checked_mul(MICROS_PER_SECOND)?.checked_add(micros)
}

impl SparkZone {
    /// The zone's offset (seconds east of UTC) at the instant `utc_micros`.
    pub fn offset_at(self, utc_micros: i64) -> Option<i32> {
        match self {
            SparkZone::Fixed(off) => Some(off),
            SparkZone::Region(tz) => {
                let at = chrono::DateTime::from_timestamp_micros(utc_micros)?;
                Some(
                    tz.offset_from_utc_datetime(&at.naive_utc())
                        .fix()
                        .local_minus_utc(),
                )
            }
        }
    }

    /// The instant (UTC microseconds) of the wall-clock time `local_micros` (microseconds since
    /// 1970-01-01T00:00 local) in this zone, resolved as `ZonedDateTime.of` resolves it.
    pub fn local_to_utc(self, local_micros: i64) -> Option<i64> {
        let seconds = local_micros.div_euclid(MICROS_PER_SECOND);
        let offset = offset_for_local(self, seconds)?;
        local_micros.checked_sub(i64::from(offset) * MICROS_PER_SECOND)
    }
}

/// The zone's offset (seconds east of UTC) for a local wall-clock time, resolved like
/// `ZonedDateTime.of`: overlaps take the earlier offset, gaps shift forward by the gap length.
fn offset_for_local(zone: SparkZone, local_seconds: i64) -> Option<i32> {
    let tz = match zone {
        SparkZone::Fixed(off) => return Some(off),
        // The default session zone: no tz-database lookup needed.
        SparkZone::Region(Tz::UTC) => return Some(0),
        SparkZone::Region(tz) => tz,
    };
    let ndt = naive_from_seconds(local_seconds)?;
    match tz.offset_from_local_datetime(&ndt) {
        LocalResult::Single(o) => Some(o.fix().local_minus_utc()),
        LocalResult::Ambiguous(earlier, _) => Some(earlier.fix().local_minus_utc()),
        LocalResult::None => {
            // In a gap Java uses the offset in force before the transition, which moves the
            // wall-clock time forward by the gap length. A day earlier is before any gap.
            let before = ndt.checked_sub_signed(chrono::TimeDelta::days(1))?;
            Some(tz.offset_from_utc_datetime(&before).fix().local_minus_utc())
        }
    }
}

fn naive_from_seconds(seconds: i64) -> Option<NaiveDateTime> {
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let secs = seconds.rem_euclid(SECONDS_PER_DAY);
    let date = NaiveDate::from_num_days_from_ce_opt(i32::try_from(days + 719_163).ok()?)?;
    date.and_hms_opt(
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
    )
}

/// Today's date in the zone (`LocalDate.now(zoneId)`), for time-only strings.
fn today_in(zone: SparkZone) -> Option<(i64, i64, i64)> {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    let date = match zone {
        SparkZone::Fixed(off) => now
            .with_timezone(&chrono::FixedOffset::east_opt(off)?)
            .date_naive(),
        SparkZone::Region(tz) => now.with_timezone(&tz).date_naive(),
    };
    Some((
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    ))
}

/// Spark's pre-3.0 compatibility rewrites: `+h:mm` -> `+0h:mm` and a trailing `+hh:m` -> `+hh:0m`.
fn normalize_zone_id(id: &str) -> String {
    let mut s = id.to_string();
    let b = s.as_bytes();
    if let Some(p) = (0..b.len().saturating_sub(2))
        .find(|&k| matches!(b[k], b'+' | b'-') && b[k + 1].is_ascii_digit() && b[k + 2] == b':')
    {
        s.insert(p + 1, '0');
    }
    let b = s.as_bytes();
    let n = b.len();
    if n >= 5
        && matches!(b[n - 5], b'+' | b'-')
        && b[n - 4].is_ascii_digit()
        && b[n - 3].is_ascii_digit()
        && b[n - 2] == b':'
        && b[n - 1].is_ascii_digit()
    {
        s.insert(n - 1, '0');
    }
    s
}

/// `java.time.ZoneId.SHORT_IDS`.
fn short_id(id: &str) -> Option<&'static str> {
    Some(match id {
        "EST" => "-05:00",
        "HST" => "-10:00",
        "MST" => "-07:00",
        "ACT" => "Australia/Darwin",
        "AET" => "Australia/Sydney",
        "AGT" => "America/Argentina/Buenos_Aires",
        "ART" => "Africa/Cairo",
        "AST" => "America/Anchorage",
        "BET" => "America/Sao_Paulo",
        "BST" => "Asia/Dhaka",
        "CAT" => "Africa/Harare",
        "CNT" => "America/St_Johns",
        "CST" => "America/Chicago",
        "CTT" => "Asia/Shanghai",
        "EAT" => "Africa/Addis_Ababa",
        "ECT" => "Europe/Paris",
        "IET" => "America/Indiana/Indianapolis",
        "IST" => "Asia/Kolkata",
        "JST" => "Asia/Tokyo",
        "MIT" => "Pacific/Apia",
        "NET" => "Asia/Yerevan",
        "NST" => "Pacific/Auckland",
        "PLT" => "Asia/Karachi",
        "PNT" => "America/Phoenix",
        "PRT" => "America/Puerto_Rico",
        "PST" => "America/Los_Angeles",
        "SST" => "Pacific/Guadalcanal",
        "VST" => "Asia/Ho_Chi_Minh",
        _ => return None,
    })
}

/// `ZoneId.ofWithPrefix`: `UTC`, `GMT+2`, `UT-03:30`; `GMT0` and the like are region ids.
fn zone_with_prefix(id: &str, prefix_len: usize) -> Option<SparkZone> {
    match id.as_bytes().get(prefix_len) {
        None => Some(SparkZone::Fixed(0)),
        Some(b'+') | Some(b'-') => parse_offset(&id[prefix_len..]).map(SparkZone::Fixed),
        Some(_) => region(id),
    }
}

/// A tz-database region id (case-sensitive, like `ZoneRegion.ofId`).
fn region(id: &str) -> Option<SparkZone> {
    let valid_shape = id.len() >= 2
        && id.as_bytes()[0].is_ascii_alphabetic()
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"~/._+-".contains(&c));
    if !valid_shape {
        return None;
    }
    id.parse::<Tz>().ok().map(SparkZone::Region)
}

/// `ZoneOffset.of`: `Z`, `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss`, within +-18:00.
fn parse_offset(id: &str) -> Option<i32> {
    if id == "Z" {
        return Some(0);
    }
    let b = id.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let num = |k: usize| -> Option<i32> {
        let (x, y) = (*b.get(k)?, *b.get(k + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit())
            .then(|| i32::from(x - b'0') * 10 + i32::from(y - b'0'))
    };
    let colon = |k: usize| b.get(k) == Some(&b':');
    let (h, m, s) = match b.len() {
        2 if b[1].is_ascii_digit() => (i32::from(b[1] - b'0'), 0, 0),
        3 => (num(1)?, 0, 0),
        5 => (num(1)?, num(3)?, 0),
        6 if colon(3) => (num(1)?, num(4)?, 0),
        7 => (num(1)?, num(3)?, num(5)?),
        9 if colon(3) && colon(6) => (num(1)?, num(4)?, num(7)?),
        _ => return None,
    };
    if h > 18 || m > 59 || s > 59 {
        return None;
    }
    let total = h * 3600 + m * 60 + s;
    if total > 18 * 3600 {
        return None;
    }
    Some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTC: Tz = Tz::UTC;

    fn ts(s: &str) -> Option<i64> {
        parse_timestamp_micros(s, &UTC)
    }

    /// Epoch micros of a UTC wall-clock time, for expectations.
    fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, us: i64) -> i64 {
        (days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s) * MICROS_PER_SECOND
            + us
    }

    #[test]
    fn date_only_forms() {
        assert_eq!(ts("2024"), Some(utc(2024, 1, 1, 0, 0, 0, 0)));
        assert_eq!(ts("2024-5"), Some(utc(2024, 5, 1, 0, 0, 0, 0)));
        assert_eq!(ts("2024-05-01"), Some(utc(2024, 5, 1, 0, 0, 0, 0)));
        assert_eq!(ts("2024-5-1 "), Some(utc(2024, 5, 1, 0, 0, 0, 0)));
        assert_eq!(ts("  2024-05-01\t"), Some(utc(2024, 5, 1, 0, 0, 0, 0)));
    }

    #[test]
    fn date_time_forms() {
        assert_eq!(ts("2024-05-01 12:00"), Some(utc(2024, 5, 1, 12, 0, 0, 0)));
        assert_eq!(ts("2024-05-01T12:00"), Some(utc(2024, 5, 1, 12, 0, 0, 0)));
        assert_eq!(ts("2024-05-01T12"), Some(utc(2024, 5, 1, 12, 0, 0, 0)));
        assert_eq!(ts("2024-05-01 1:2:3"), Some(utc(2024, 5, 1, 1, 2, 3, 0)));
        assert_eq!(
            ts("2024-05-01T12:00:00.123456Z"),
            Some(utc(2024, 5, 1, 12, 0, 0, 123_456))
        );
        assert_eq!(
            ts("2024-05-01T12:00:00.1"),
            Some(utc(2024, 5, 1, 12, 0, 0, 100_000))
        );
        // Digits after the sixth fraction digit are truncated, not rounded.
        assert_eq!(
            ts("2024-05-01T12:00:00.1234567899"),
            Some(utc(2024, 5, 1, 12, 0, 0, 123_456))
        );
        assert_eq!(
            ts("2024-05-01T12:00:00."),
            Some(utc(2024, 5, 1, 12, 0, 0, 0))
        );
    }

    #[test]
    fn zones() {
        let base = utc(2024, 5, 1, 12, 0, 0, 0);
        assert_eq!(
            ts("2024-05-01T12:00:00+02:00"),
            Some(base - 2 * 3600 * MICROS_PER_SECOND)
        );
        assert_eq!(
            ts("2024-05-01T12:00:00+0200"),
            Some(base - 2 * 3600 * MICROS_PER_SECOND)
        );
        assert_eq!(
            ts("2024-05-01T12:00:00+02"),
            Some(base - 2 * 3600 * MICROS_PER_SECOND)
        );
        assert_eq!(
            ts("2024-05-01T12:00:00+2:00"),
            Some(base - 2 * 3600 * MICROS_PER_SECOND)
        );
        assert_eq!(
            ts("2024-05-01T12:00:00-05:30"),
            Some(base + 5 * 3600 * MICROS_PER_SECOND + 1800 * MICROS_PER_SECOND)
        );
        assert_eq!(ts("2024-05-01T12:00:00Z"), Some(base));
        assert_eq!(ts("2024-05-01 12:00:00 UTC"), Some(base));
        assert_eq!(ts("2024-05-01 12:00:00UTC"), Some(base));
        assert_eq!(
            ts("2024-05-01 12:00:00 GMT+1"),
            Some(base - 3600 * MICROS_PER_SECOND)
        );
        assert_eq!(
            ts("2024-05-01T12:00:00.5Europe/Paris"),
            Some(base - 2 * 3600 * MICROS_PER_SECOND + 500_000)
        );
        assert_eq!(
            ts("2024-01-01 12:00:00 Europe/Paris"),
            Some(utc(2024, 1, 1, 11, 0, 0, 0))
        );
        assert_eq!(
            ts("2024-01-01 12:00:00 PST"),
            Some(utc(2024, 1, 1, 20, 0, 0, 0))
        );
        assert_eq!(
            ts("2024-01-01 12:00:00 EST"),
            Some(utc(2024, 1, 1, 17, 0, 0, 0))
        );
        // Unknown or wrongly cased ids, and a zone right after the minutes, are invalid (Spark).
        assert_eq!(ts("2024-05-01 12:00:00 Mars/Base"), None);
        assert_eq!(ts("2024-05-01 12:00:00 europe/paris"), None);
        assert_eq!(ts("2024-05-01 12:00:00 utc"), None);
        assert_eq!(ts("2024-05-01T12:00Z"), None);
        assert_eq!(ts("2024-05-01T12:00:00+19:00"), None);
    }

    #[test]
    fn default_zone_applies_to_zone_less_strings() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            parse_timestamp_micros("2024-05-01 12:00:00", &paris),
            Some(utc(2024, 5, 1, 10, 0, 0, 0))
        );
        // An explicit zone wins over the default.
        assert_eq!(
            parse_timestamp_micros("2024-05-01 12:00:00Z", &paris),
            Some(utc(2024, 5, 1, 12, 0, 0, 0))
        );
        // DST gap (02:30 does not exist on 2024-03-31 in Paris): moved forward by the gap -> 03:30 CEST.
        assert_eq!(
            parse_timestamp_micros("2024-03-31 02:30:00", &paris),
            Some(utc(2024, 3, 31, 1, 30, 0, 0))
        );
        // DST overlap (02:30 happens twice on 2024-10-27): the earlier offset (+02:00) wins.
        assert_eq!(
            parse_timestamp_micros("2024-10-27 02:30:00", &paris),
            Some(utc(2024, 10, 27, 0, 30, 0, 0))
        );
    }

    #[test]
    fn invalid_timestamps() {
        for s in [
            "",
            "   ",
            "abc",
            "12",
            "202-01-01",
            "2024-13-01",
            "2024-02-30",
            "2024-05-01T",
            "2024-05-01 25:00:00",
            "2024-05-01 12:60",
            "2024-05-01 12:00:61",
            "2024/05/01",
            "2024-05-01X12:00",
            "2024-005-01",
            "2024-05-01 12:00:00:00",
            "1234567-01-01",
        ] {
            assert_eq!(ts(s), None, "{s:?}");
        }
        assert_eq!(ts("2023-02-29"), None);
        assert_eq!(ts("2024-02-29"), Some(utc(2024, 2, 29, 0, 0, 0, 0)));
    }

    #[test]
    fn signed_and_long_years() {
        assert_eq!(ts("+2024-01-01"), Some(utc(2024, 1, 1, 0, 0, 0, 0)));
        assert_eq!(ts("-0001-01-01"), Some(utc(-1, 1, 1, 0, 0, 0, 0)));
        assert_eq!(ts("12345-01-01"), Some(utc(12345, 1, 1, 0, 0, 0, 0)));
        // Beyond the i64 microsecond range.
        assert_eq!(ts("999999-01-01"), None);
    }

    #[test]
    fn time_only_uses_today() {
        let v = ts("12:34:56").expect("time-only parses");
        let today = chrono::Utc::now().date_naive();
        use chrono::Datelike;
        let day_start = utc(
            i64::from(today.year()),
            i64::from(today.month()),
            i64::from(today.day()),
            0,
            0,
            0,
            0,
        );
        // Allow for a midnight rollover between the two clock reads.
        let offset = v - day_start;
        assert!(
            offset == (12 * 3600 + 34 * 60 + 56) * MICROS_PER_SECOND || offset < 0,
            "{offset}"
        );
        assert!(ts("T01:02:03").is_some());
        assert!(ts("+12:00").is_none());
    }

    #[test]
    fn ntz() {
        assert_eq!(
            parse_timestamp_ntz_micros("2024-05-01T12:00:00.5"),
            Some(utc(2024, 5, 1, 12, 0, 0, 500_000))
        );
        assert_eq!(
            parse_timestamp_ntz_micros(" 2024-05-01 "),
            Some(utc(2024, 5, 1, 0, 0, 0, 0))
        );
        // The JSON reader refuses any zone, including Z (errata); CAST accepts and drops it.
        assert_eq!(parse_timestamp_ntz_micros("2024-05-01T12:00:00Z"), None);
        assert_eq!(
            parse_timestamp_ntz_micros("2024-05-01T12:00:00+01:00"),
            None
        );
        assert_eq!(
            cast_timestamp_ntz_micros("2024-05-01T12:00:00Z"),
            Some(utc(2024, 5, 1, 12, 0, 0, 0))
        );
        assert_eq!(
            cast_timestamp_ntz_micros("2024-05-01T12:00:00 Nowhere/City"),
            None
        );
        assert_eq!(parse_timestamp_ntz_micros("12:00:00"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date_days("1970-01-01"), Some(0));
        assert_eq!(parse_date_days("2024-05-01"), Some(19844));
        assert_eq!(parse_date_days("2024"), Some(19723));
        assert_eq!(parse_date_days("2024-5"), Some(19844));
        assert_eq!(parse_date_days("2024-5-1"), Some(19844));
        assert_eq!(parse_date_days(" 2024-05-01T12:34:56Z "), Some(19844));
        assert_eq!(parse_date_days("2024-05-01 anything at all"), Some(19844));
        assert_eq!(parse_date_days("2024-05-01Tjunk"), Some(19844));
        assert_eq!(
            parse_date_days("-0001-01-01"),
            Some(days_from_civil(-1, 1, 1) as i32)
        );
        for s in [
            "",
            "2024 x",
            "2024-05 01",
            "2024-05-01x",
            "2024-13-01",
            "2024-02-30",
            "20-01-01",
            "T2024",
            "2024-05-01-",
        ] {
            assert_eq!(parse_date_days(s), None, "{s:?}");
        }
        // Seven-digit years parse, but must still fit in an i32 day count.
        assert_eq!(
            parse_date_days("1000000-01-01"),
            Some(days_from_civil(1_000_000, 1, 1) as i32)
        );
        assert_eq!(parse_date_days("9999999-01-01"), None);
    }

    #[test]
    fn zone_ids() {
        assert_eq!(parse_zone_id("Z"), Some(SparkZone::Fixed(0)));
        assert_eq!(parse_zone_id("UTC"), Some(SparkZone::Fixed(0)));
        assert_eq!(parse_zone_id("GMT+01:30"), Some(SparkZone::Fixed(5400)));
        assert_eq!(parse_zone_id("UT-3"), Some(SparkZone::Fixed(-3 * 3600)));
        assert_eq!(parse_zone_id("+01:5"), Some(SparkZone::Fixed(3600 + 300)));
        assert_eq!(
            parse_zone_id("-083045"),
            Some(SparkZone::Fixed(-(8 * 3600 + 30 * 60 + 45)))
        );
        assert_eq!(
            parse_zone_id("Europe/Paris"),
            Some(SparkZone::Region(chrono_tz::Europe::Paris))
        );
        assert_eq!(
            parse_zone_id("CTT"),
            Some(SparkZone::Region(chrono_tz::Asia::Shanghai))
        );
        assert_eq!(
            parse_zone_id("GMT0"),
            Some(SparkZone::Region(chrono_tz::Tz::GMT0))
        );
        for bad in ["", "+", "+1:", "+123", "X", "GMTx+1", "UTC+25", "1/2"] {
            assert_eq!(parse_zone_id(bad), None, "{bad:?}");
        }
    }
}
