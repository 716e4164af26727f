//! Crash points for the crash and restart tests: `SPATE_FAILPOINT` makes the process abort (like
//! `kill -9`: no cleanup, no flush, no lease release) when the query reaches a named point.
//!
//! Only builds with the `failpoints` cargo feature read the variable. `cargo test` turns the feature
//! on through the root package's dev-dependency; `cargo build`, `cargo run` and `cargo install`
//! binaries do not, so a stray variable in production can never abort a query.
//!
//! ```text
//!  SPATE_FAILPOINT=<point>:<batch>   abort when <point> is reached in batch <batch>
//!  SPATE_FAILPOINT=<point>:*         abort the first time <point> is reached
//!  SPATE_FAILPOINT=<point>:p=<f>     abort each time <point> is reached with probability f (0..=1)
//!  <point> = * matches every point.
//! ```
//!
//! The points, in the order one batch reaches them:
//! ```text
//!  after-source-log  the file source wrote sources/0/K, offsets/N not yet   (<batch> is K here)
//!  after-offsets     offsets/N written, nothing read yet
//!  after-state       a stateful query wrote state version N+1, the sink has not run
//!  mid-delta-write   the batch's parquet files are written, the Delta commit is not
//!  after-sink        the Delta commit holding txn(query id, N) is made, commits/N not yet
//!  after-commit      commits/N written
//! ```

/// Every failpoint name, in the order one batch reaches them.
pub const POINTS: [&str; 6] = [
    "after-source-log",
    "after-offsets",
    "after-state",
    "mid-delta-write",
    "after-sink",
    "after-commit",
];

/// Aborts the process if `SPATE_FAILPOINT` arms this point for this batch (test builds only).
#[cfg(feature = "failpoints")]
pub fn hit(point: &str, batch_id: u64) {
    armed::hit(point, batch_id)
}

/// Does nothing: this build has no failpoints (the `failpoints` feature is off).
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_point: &str, _batch_id: u64) {}

/// When an armed point fires.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// In this batch only.
    Batch(u64),
    /// The first time the point is reached.
    Any,
    /// Each time, with this probability.
    Chance(f64),
}

/// One parsed `SPATE_FAILPOINT` value.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The point name, or `*` for every point.
    pub point: String,
    /// When it fires.
    pub when: When,
}

impl Spec {
    /// Parses `<point>:<batch>`, `<point>:*` or `<point>:p=<f>`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let (point, when) = text
            .rsplit_once(':')
            .ok_or_else(|| format!("{text:?} is not <point>:<batch|*|p=f>"))?;
        if point != "*" && !POINTS.contains(&point) {
            return Err(format!(
                "unknown failpoint {point:?} (known: *, {})",
                POINTS.join(", ")
            ));
        }
        let when = if when == "*" {
            When::Any
        } else if let Some(p) = when.strip_prefix("p=") {
            let p: f64 = p
                .parse()
                .map_err(|_| format!("{when:?} is not p=<probability>"))?;
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("probability {p} is not within 0..=1"));
            }
            When::Chance(p)
        } else {
            When::Batch(
                when.parse()
                    .map_err(|_| format!("{when:?} is not a batch id, * or p=<probability>"))?,
            )
        };
        Ok(Spec {
            point: point.to_string(),
            when,
        })
    }

    /// True if this spec names `point` (a `Chance` spec still has to win its draw).
    pub fn names(&self, point: &str) -> bool {
        self.point == "*" || self.point == point
    }
}

#[cfg(feature = "failpoints")]
mod armed {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    use super::{Spec, When};

    pub fn hit(point: &str, batch_id: u64) {
        static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
        let spec = SPEC.get_or_init(|| {
            let text = std::env::var("SPATE_FAILPOINT").ok()?;
            // A typo would silently never fire and make a crash test pass vacuously: say so loudly.
            Spec::parse(&text)
                .map_err(|e| eprintln!("SPATE_FAILPOINT ignored: {e}"))
                .ok()
        });
        let Some(spec) = spec else { return };
        if !spec.names(point) {
            return;
        }
        let fire = match spec.when {
            When::Batch(b) => b == batch_id,
            When::Any => true,
            When::Chance(p) => draw() < p,
        };
        if fire {
            eprintln!("SPATE_FAILPOINT {point}:{batch_id}: aborting");
            std::process::abort();
        }
    }

    /// A uniform draw in [0, 1): std's per-process random SipHash keys over a counter, so no
    /// random-number crate is needed for a test-only feature.
    fn draw() -> f64 {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        (h.finish() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(
            Spec::parse("after-sink:3"),
            Ok(Spec {
                point: "after-sink".into(),
                when: When::Batch(3)
            })
        );
        assert_eq!(
            Spec::parse("after-offsets:*"),
            Ok(Spec {
                point: "after-offsets".into(),
                when: When::Any
            })
        );
        assert_eq!(
            Spec::parse("*:p=0.25"),
            Ok(Spec {
                point: "*".into(),
                when: When::Chance(0.25)
            })
        );
    }

    #[test]
    fn rejects_typos() {
        assert!(Spec::parse("after-sinks:1").is_err());
        assert!(Spec::parse("after-sink").is_err());
        assert!(Spec::parse("after-sink:x").is_err());
        assert!(Spec::parse("after-sink:p=2").is_err());
    }
}
