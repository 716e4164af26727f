//! Rate pacing for live mode: one small file per feed about every second (or every 1/rate seconds
//! below one post per second). The schedule is computed from the tick number, never from the clock,
//! so how many posts each file holds does not depend on timing: a slow disk makes files late, not
//! different.

use std::thread;
use std::time::{Duration, Instant};

/// Tick schedule for a rate in posts per second.
pub struct Pacer {
    rate: f64,
    interval: Duration,
    start: Instant,
    tick: u64,
}

impl Pacer {
    /// A pacer starting now; `rate` must be positive and finite.
    pub fn new(rate: f64) -> Pacer {
        let interval = if rate >= 1.0 {
            Duration::from_secs(1)
        } else {
            Duration::from_secs_f64(1.0 / rate)
        };
        Pacer {
            rate,
            interval,
            start: Instant::now(),
            tick: 0,
        }
    }

    /// Sleeps until the next tick (the first is immediate) and returns how many posts it sends.
    pub fn wait_next(&mut self) -> u64 {
        let deadline = self.start
            + self
                .interval
                .saturating_mul(u32::try_from(self.tick).unwrap_or(u32::MAX));
        let now = Instant::now();
        if deadline > now {
            thread::sleep(deadline - now);
        }
        let n = posts_in_tick(self.rate, self.tick);
        self.tick += 1;
        n
    }
}

/// Posts sent in tick `k`: below one post per second, one per tick (the tick is 1/rate seconds);
/// otherwise the growth of floor(rate * seconds), so 2.5/s gives 2, 3, 2, 3, ...
pub fn posts_in_tick(rate: f64, k: u64) -> u64 {
    if rate < 1.0 {
        return 1;
    }
    let due = |t: u64| (rate * t as f64).floor() as u64;
    due(k + 1) - due(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_add_up_to_the_rate() {
        assert_eq!(
            (0..4).map(|k| posts_in_tick(2.5, k)).collect::<Vec<_>>(),
            [2, 3, 2, 3]
        );
        assert_eq!((0..10).map(|k| posts_in_tick(100.0, k)).sum::<u64>(), 1000);
        assert_eq!(posts_in_tick(0.2, 5), 1);
    }

    #[test]
    fn first_tick_is_immediate() {
        let t = Instant::now();
        let mut p = Pacer::new(1000.0);
        assert_eq!(p.wait_next(), 1000);
        assert!(t.elapsed() < Duration::from_millis(500));
    }
}
