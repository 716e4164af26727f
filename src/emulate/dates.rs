//! Calendar arithmetic for the emulator's DATETIME columns, without a date crate: the root package
//! has chrono only as a dev-dependency, and the proleptic Gregorian algorithms are a few lines.

use std::fmt;

/// A wall-clock time with whole seconds, like MySQL DATETIME (spec §2: the source tables' type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since 1970-01-01 00:00:00 of midnight on a civil date.
pub fn midnight(year: i64, month: u32, day: u32) -> i64 {
    days_from_civil(year, month, day) * 86_400
}

impl DateTime {
    /// The civil time `secs` seconds after 1970-01-01 00:00:00 (H. Hinnant's `civil_from_days`).
    pub fn from_epoch_seconds(secs: i64) -> DateTime {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        DateTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// Python's `repr(datetime)`: `datetime.datetime(2020, 8, 28, 3, 52, 47)`, dropping a zero
    /// second (microseconds are always zero here), as printed by the emulators (spec §2).
    pub fn py_repr(&self) -> String {
        let mut s = format!(
            "datetime.datetime({}, {}, {}, {}, {}",
            self.year, self.month, self.day, self.hour, self.minute
        );
        if self.second != 0 {
            s.push_str(&format!(", {}", self.second));
        }
        s.push(')');
        s
    }
}

/// `strftime('%Y-%m-%d %H:%M:%S')`, the usual wire form of a DATETIME (spec §4.1).
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    #[test]
    fn matches_chrono_across_leap_years_and_centuries() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("epoch");
        let mut secs = midnight(1899, 12, 25) + 3 * 3600 + 7;
        while secs < midnight(2101, 3, 2) {
            let ours = DateTime::from_epoch_seconds(secs).to_string();
            let theirs: NaiveDateTime = epoch + chrono::Duration::seconds(secs);
            assert_eq!(ours, theirs.format("%Y-%m-%d %H:%M:%S").to_string());
            secs += 86_400 * 3 + 3601;
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn python_repr_drops_a_zero_second() {
        let t = DateTime::from_epoch_seconds(midnight(2020, 8, 28) + 3 * 3600 + 52 * 60 + 47);
        assert_eq!(t.py_repr(), "datetime.datetime(2020, 8, 28, 3, 52, 47)");
        let t = DateTime::from_epoch_seconds(midnight(2015, 10, 24));
        assert_eq!(t.py_repr(), "datetime.datetime(2015, 10, 24, 0, 0)");
    }
}
