//! Spark's ANSI interval strings: `INTERVAL DAY TO SECOND` and `INTERVAL YEAR TO MONTH`.
//!
//! Parsing follows `IntervalUtils.castStringToDTInterval` / `castStringToYMInterval` for the two
//! full ranges spate maps (see `schema::types::ansi_interval`): the JSON reader converts a string
//! exactly as `CAST(s AS INTERVAL ...)` does (JacksonParser), so these are shared. Text output is
//! Spark's ANSI style (`INTERVAL '1 02:03:04.5' DAY TO SECOND`, `INTERVAL '-1-2' YEAR TO MONTH`),
//! which CAST to STRING and to_json write. Checked against PySpark 4.0.1
//! (tests/golden/cases_json_read.py, `interval_*`).

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;
/// Largest day count Spark accepts (`IntervalUtils.MAX_DAY`: days of `Long.MaxValue` micros).
const MAX_DAY: i64 = 106_751_991;

/// `UTF8String.trimAll`: drops leading and trailing whitespace and control characters.
fn trim_all(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ' || c.is_whitespace())
}

/// Spark's `finalSign`: one `-` makes the value negative, two cancel out.
fn final_sign(first: Option<char>, second: Option<char>) -> i64 {
    match (first == Some('-'), second == Some('-')) {
        (true, true) | (false, false) => 1,
        _ => -1,
    }
}

/// A character cursor with the few regex pieces Spark's patterns use.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn done(&self) -> bool {
        self.pos == self.s.len()
    }

    /// `([+|-])?`: Spark's character class also takes `|` (as a plus).
    fn sign(&mut self) -> Option<char> {
        let c = self
            .rest()
            .chars()
            .next()
            .filter(|c| matches!(c, '+' | '|' | '-'))?;
        self.pos += 1;
        Some(c)
    }

    /// `\d{min,max}` (ASCII digits), greedy.
    fn digits(&mut self, min: usize, max: usize) -> Option<&'a str> {
        let n = self
            .rest()
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n < min {
            return None;
        }
        let d = &self.rest()[..n];
        self.pos += n;
        Some(d)
    }

    fn char(&mut self, c: char) -> Option<()> {
        self.rest().starts_with(c).then(|| self.pos += c.len_utf8())
    }

    /// `\s+` (Java's whitespace class).
    fn spaces(&mut self) -> Option<()> {
        let n = self
            .rest()
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
            .count();
        (n > 0).then(|| self.pos += n)
    }

    /// A keyword, ASCII case-insensitively (the `(?i)` of Spark's literal patterns).
    fn word(&mut self, w: &str) -> Option<()> {
        let head = self.rest().get(..w.len())?;
        head.eq_ignore_ascii_case(w).then(|| self.pos += w.len())
    }
}

/// Parses `[+|-]d h:m:s[.n]`, returning (sign, micros before the sign) or None.
fn day_second_body(c: &mut Cursor) -> Option<(Option<char>, i128)> {
    let sign = c.sign();
    let day: i64 = c.digits(1, 9)?.parse().ok()?;
    c.char(' ')?;
    let hour: i64 = c.digits(1, 2)?.parse().ok()?;
    c.char(':')?;
    let minute: i64 = c.digits(1, 2)?.parse().ok()?;
    c.char(':')?;
    let second: i64 = c.digits(1, 2)?.parse().ok()?;
    let micros = match c.char('.') {
        Some(()) => {
            let d = c.digits(1, 9)?;
            // Spark pads to nanoseconds and truncates to microseconds.
            format!("{d:0<9}").parse::<i64>().ok()? / 1_000
        }
        None => 0,
    };
    if day > MAX_DAY || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let total = day * MICROS_PER_DAY
        + hour * MICROS_PER_HOUR
        + minute * MICROS_PER_MINUTE
        + second * MICROS_PER_SECOND;
    // i128: the largest magnitude is one past i64::MAX (valid only when negative).
    Some((sign, i128::from(total) + i128::from(micros)))
}

/// `CAST(s AS INTERVAL DAY TO SECOND)`: microseconds, or None where Spark fails.
///
/// Accepts `[+|-]d h:m:s[.n]` and `INTERVAL [+|-]'[+|-]d h:m:s[.n]' DAY TO SECOND`.
pub fn parse_day_time(s: &str) -> Option<i64> {
    let s = trim_all(s);
    let mut c = Cursor::new(s);
    let (outer, (inner, magnitude)) = if c.word("INTERVAL").is_some() {
        c.spaces()?;
        let outer = c.sign();
        c.char('\'')?;
        let body = day_second_body(&mut c)?;
        c.char('\'')?;
        c.spaces()?;
        c.word("DAY")?;
        c.spaces()?;
        c.word("TO")?;
        c.spaces()?;
        c.word("SECOND")?;
        (outer, body)
    } else {
        (None, day_second_body(&mut c)?)
    };
    if !c.done() {
        return None;
    }
    // Spark adds the signed parts with addExact: out of the i64 range is a failure.
    i64::try_from(i128::from(final_sign(outer, inner)) * magnitude).ok()
}

/// Parses `[+|-]y-m`, returning (sign, years, months).
fn year_month_body<'a>(c: &mut Cursor<'a>) -> Option<(Option<char>, &'a str, &'a str)> {
    let sign = c.sign();
    let years = c.digits(1, usize::MAX)?;
    c.char('-')?;
    let months = c.digits(1, usize::MAX)?;
    Some((sign, years, months))
}

/// `CAST(s AS INTERVAL YEAR TO MONTH)`: months, or None where Spark fails.
///
/// Accepts `[+|-]y-m` and `INTERVAL [+|-]'[+|-]y-m' YEAR TO MONTH`.
pub fn parse_year_month(s: &str) -> Option<i32> {
    let s = trim_all(s);
    let mut c = Cursor::new(s);
    let (outer, (inner, years, months)) = if c.word("INTERVAL").is_some() {
        c.spaces()?;
        let outer = c.sign();
        c.char('\'')?;
        let body = year_month_body(&mut c)?;
        c.char('\'')?;
        c.spaces()?;
        c.word("YEAR")?;
        c.spaces()?;
        c.word("TO")?;
        c.spaces()?;
        c.word("MONTH")?;
        (outer, body)
    } else {
        (None, year_month_body(&mut c)?)
    };
    if !c.done() {
        return None;
    }
    let years: i64 = years.parse().ok()?;
    let months: i64 = months.parse().ok()?;
    if years > i64::from(i32::MAX) / 12 || months > 11 {
        return None;
    }
    i32::try_from(final_sign(outer, inner) * (years * 12 + months)).ok()
}

/// Spark's text of an `INTERVAL DAY TO SECOND` value (`INTERVAL '-1 02:03:04.5' DAY TO SECOND`).
pub fn day_time_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    // i64::MIN has no positive counterpart in i64.
    let rest = micros.unsigned_abs();
    let (day, rest) = (rest / MICROS_PER_DAY as u64, rest % MICROS_PER_DAY as u64);
    let (hour, rest) = (rest / MICROS_PER_HOUR as u64, rest % MICROS_PER_HOUR as u64);
    let (minute, rest) = (
        rest / MICROS_PER_MINUTE as u64,
        rest % MICROS_PER_MINUTE as u64,
    );
    let (second, fraction) = (
        rest / MICROS_PER_SECOND as u64,
        rest % MICROS_PER_SECOND as u64,
    );
    // BigDecimal.valueOf(rest, 6).stripTrailingZeros.toPlainString, with a leading zero below 10.
    let fraction = if fraction == 0 {
        String::new()
    } else {
        format!(".{fraction:06}").trim_end_matches('0').to_string()
    };
    format!("INTERVAL '{sign}{day} {hour:02}:{minute:02}:{second:02}{fraction}' DAY TO SECOND")
}

/// Spark's text of an `INTERVAL YEAR TO MONTH` value (`INTERVAL '-1-2' YEAR TO MONTH`).
pub fn year_month_text(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let m = months.unsigned_abs();
    format!("INTERVAL '{sign}{}-{}' YEAR TO MONTH", m / 12, m % 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = MICROS_PER_DAY;
    const H: i64 = MICROS_PER_HOUR;

    #[test]
    fn day_time_forms() {
        let v = D + 2 * H + 3 * MICROS_PER_MINUTE + 4 * MICROS_PER_SECOND;
        for s in [
            "1 02:03:04",
            "INTERVAL '1 02:03:04' DAY TO SECOND",
            "interval '1 2:3:4' day  to  second",
            "  +1 02:03:04  ",
            "|1 02:03:04",
            "INTERVAL -'-1 02:03:04' DAY TO SECOND",
        ] {
            assert_eq!(parse_day_time(s), Some(v), "{s}");
        }
        for s in [
            "-1 02:03:04",
            "INTERVAL -'1 02:03:04' DAY TO SECOND",
            "INTERVAL '-1 02:03:04' DAY TO SECOND",
        ] {
            assert_eq!(parse_day_time(s), Some(-v), "{s}");
        }
        assert_eq!(parse_day_time("0 00:00:00.1234567"), Some(123_456));
        assert_eq!(parse_day_time("106751991 04:00:54.775807"), Some(i64::MAX));
        assert_eq!(parse_day_time("-106751991 04:00:54.775808"), Some(i64::MIN));
    }

    #[test]
    fn day_time_failures() {
        for s in [
            "106751991 04:00:54.775808",
            "1 24:03:04",
            "1 02:60:04",
            "1 02:03:60",
            "1 02:03",
            "INTERVAL '1' DAY",
            "1 day",
            "",
            "1000000000 00:00:00",
            "1 02:03:04.1234567891",
            "INTERVAL '1 02:03:04' HOUR TO SECOND",
            "INTERVAL'1 02:03:04' DAY TO SECOND",
        ] {
            assert_eq!(parse_day_time(s), None, "{s}");
        }
    }

    #[test]
    fn year_month_forms() {
        assert_eq!(parse_year_month("1-2"), Some(14));
        assert_eq!(parse_year_month("INTERVAL '1-2' YEAR TO MONTH"), Some(14));
        assert_eq!(parse_year_month("interval -'3-0' year to month"), Some(-36));
        assert_eq!(parse_year_month("178956970-7"), Some(i32::MAX));
        assert_eq!(parse_year_month("-178956970-8"), Some(i32::MIN));
        for s in ["1-12", "178956970-8", "1", "INTERVAL '1' YEAR", "", "1-2-3"] {
            assert_eq!(parse_year_month(s), None, "{s}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(
            day_time_text(D + 2 * H + 4 * MICROS_PER_SECOND),
            "INTERVAL '1 02:00:04' DAY TO SECOND"
        );
        assert_eq!(
            day_time_text(-1_500_000),
            "INTERVAL '-0 00:00:01.5' DAY TO SECOND"
        );
        assert_eq!(
            day_time_text(12_000_001),
            "INTERVAL '0 00:00:12.000001' DAY TO SECOND"
        );
        assert_eq!(
            day_time_text(i64::MIN),
            "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND"
        );
        assert_eq!(year_month_text(-14), "INTERVAL '-1-2' YEAR TO MONTH");
        assert_eq!(
            year_month_text(i32::MIN),
            "INTERVAL '-178956970-8' YEAR TO MONTH"
        );
    }
}
