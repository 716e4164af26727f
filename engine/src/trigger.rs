//! Triggers: when the next micro-batch starts (spec §2).

use std::str::FromStr;
use std::time::Duration;

use crate::error::Error;

/// When batches run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Every `interval` (epoch-aligned); `0s` means as soon as the last batch ends.
    ProcessingTime(Duration),
    /// One batch with everything available (read limits ignored), then stop.
    Once,
    /// Everything available at start, in as many limited batches as needed, then stop.
    AvailableNow,
}

impl Default for Trigger {
    fn default() -> Self {
        Trigger::ProcessingTime(Duration::ZERO)
    }
}

impl Trigger {
    /// When the next trigger after one that started at `started_ms` may begin (epoch-aligned).
    pub fn next_start_ms(&self, started_ms: i64) -> i64 {
        match self {
            Trigger::ProcessingTime(d) if !d.is_zero() => {
                let i = d.as_millis() as i64;
                started_ms.div_euclid(i) * i + i
            }
            _ => started_ms,
        }
    }

    /// True for triggers that stop by themselves.
    pub fn is_terminating(&self) -> bool {
        !matches!(self, Trigger::ProcessingTime(_))
    }
}

impl FromStr for Trigger {
    type Err = Error;

    /// Parses `available-now`, `once`, or an interval like `10s`, `500ms`, `1 minute`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "available-now" | "availablenow" | "available_now" => Ok(Trigger::AvailableNow),
            "once" => Ok(Trigger::Once),
            _ => parse_duration(&t)
                .map(Trigger::ProcessingTime)
                .ok_or_else(|| Error::config(format!("invalid trigger '{s}': use available-now, once, or an interval such as 10s, 500ms, 2 minutes"))),
        }
    }
}

/// Parses Spark-style durations: `10s`, `500ms`, `2m`, `1h`, `1d`, `10 seconds`; a bare number is ms.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_prefix("interval").map(str::trim).unwrap_or(&t);
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let ms = match unit.trim() {
        "" | "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => n,
        "us" | "micro" | "micros" | "microsecond" | "microseconds" => n / 1000.0,
        "s" | "sec" | "secs" | "second" | "seconds" => n * 1000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => n * 60_000.0,
        "h" | "hour" | "hours" => n * 3_600_000.0,
        "d" | "day" | "days" => n * 86_400_000.0,
        _ => return None,
    };
    Some(Duration::from_micros((ms * 1000.0).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_forms() {
        assert_eq!(
            "available-now".parse::<Trigger>().unwrap(),
            Trigger::AvailableNow
        );
        assert_eq!("once".parse::<Trigger>().unwrap(), Trigger::Once);
        assert_eq!(
            "10s".parse::<Trigger>().unwrap(),
            Trigger::ProcessingTime(Duration::from_secs(10))
        );
        assert_eq!("0s".parse::<Trigger>().unwrap(), Trigger::default());
        assert_eq!(
            "2 minutes".parse::<Trigger>().unwrap(),
            Trigger::ProcessingTime(Duration::from_secs(120))
        );
        assert!("soon".parse::<Trigger>().is_err());
    }

    #[test]
    fn boundaries_are_epoch_aligned() {
        let t = Trigger::ProcessingTime(Duration::from_secs(10));
        assert_eq!(t.next_start_ms(12_345), 20_000);
        assert_eq!(t.next_start_ms(20_000), 30_000);
        assert_eq!(Trigger::default().next_start_ms(5), 5);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(7 * 86400)));
        assert_eq!(parse_duration("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("x"), None);
    }
}
