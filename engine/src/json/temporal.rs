//! DATE / TIMESTAMP / TIMESTAMP_NTZ from JSON strings without a format (spark-semantics.md 6.5).
//!
//! With `dateFormat`/`timestampFormat` unset Spark's JacksonParser parses with CAST rules and,
//! because "fallback" is then enabled, retries failures after removing every `GMT` substring
//! (`cleanLegacyTimestampStr`); DATE finally accepts a plain day count (Spark 1.5 wrote dates that
//! way). TIMESTAMP_NTZ has no fallback and refuses any zone (errata: a trailing `Z` is bad).

use chrono_tz::Tz;

use super::numbers::java_parse_int;
use crate::datetime::cast;

/// TIMESTAMP from a non-empty JSON string, in epoch microseconds.
pub(crate) fn timestamp(text: &str, tz: &Tz) -> Option<i64> {
    cast::parse_timestamp_micros(text, tz).or_else(|| {
        if text.contains("GMT") {
            cast::parse_timestamp_micros(&text.replace("GMT", ""), tz)
        } else {
            None
        }
    })
}

/// TIMESTAMP_NTZ from a non-empty JSON string, in microseconds since the local epoch.
pub(crate) fn timestamp_ntz(text: &str) -> Option<i64> {
    cast::parse_timestamp_ntz_micros(text)
}

/// DATE from a non-empty JSON string, in days since 1970-01-01.
pub(crate) fn date(text: &str) -> Option<i32> {
    if let Some(d) = cast::parse_date_days(text) {
        return Some(d);
    }
    if text.contains("GMT") {
        if let Some(d) = cast::parse_date_days(&text.replace("GMT", "")) {
            return Some(d);
        }
    }
    java_parse_int(text).map(rebase_julian_to_gregorian_days)
}

/// First day of the Gregorian calendar (1582-10-15) in days since the epoch.
const GREGORIAN_START_DAY: i32 = -141_427;

/// Spark's `rebaseJulianToGregorianDays`: a day count in the hybrid Julian/Gregorian calendar
/// re-read as the same year-month-day in the proleptic Gregorian calendar.
fn rebase_julian_to_gregorian_days(days: i32) -> i32 {
    if days >= GREGORIAN_START_DAY {
        return days;
    }
    // Julian calendar date of the day (Richards' algorithm on the Julian day number).
    let jdn = i64::from(days) + 2_440_588;
    let c = jdn + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = d - 4800 + m.div_euclid(10);
    let rebased = crate::datetime::cast::days_from_civil(year, month, day);
    i32::try_from(rebased).unwrap_or(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt_fallback() {
        let utc = Tz::UTC;
        let expected = cast::parse_timestamp_micros("2000-01-01T00:00:00+01:00", &utc);
        assert!(expected.is_some());
        assert_eq!(timestamp("2000-01-01T00:00:00GMT+01:00", &utc), expected);
        assert_eq!(date("2000-01-01GMT"), cast::parse_date_days("2000-01-01"));
    }

    #[test]
    fn date_day_count_fallback() {
        // Four or more digits are a year for CAST rules; the day count is only a fallback.
        assert_eq!(date("19000"), cast::parse_date_days("19000-01-01"));
        assert_eq!(date("123"), Some(123));
        assert_eq!(date("-5"), Some(-5));
        assert_eq!(date("1.5"), None);
        // 1582-10-04 (Julian) is the day before the Gregorian switch; read as Gregorian it is
        // 1582-10-04 proleptic, 10 days earlier than the hybrid count.
        assert_eq!(rebase_julian_to_gregorian_days(-141428), -141438);
        assert_eq!(rebase_julian_to_gregorian_days(-141427), -141427);
        assert_eq!(rebase_julian_to_gregorian_days(0), 0);
    }

    #[test]
    fn ntz_rejects_zones() {
        assert!(timestamp_ntz("2024-05-01T10:00:00").is_some());
        assert_eq!(timestamp_ntz("2024-05-01T10:00:00Z"), None);
    }
}
