//! Crash points for the restart tests: `SPATE_FAILPOINT=<point>:<batch id>` aborts the process
//! (like `kill -9`: no cleanup, no flush) when the query reaches that point of that batch.
//!
//! Points: `after-offsets` (offsets/N written), `after-sink` (Delta commit done, commits/N not yet).

use std::sync::OnceLock;

/// Aborts the process if `SPATE_FAILPOINT` names this point and batch.
pub fn hit(point: &str, batch_id: u64) {
    static SPEC: OnceLock<Option<(String, u64)>> = OnceLock::new();
    let spec = SPEC.get_or_init(|| {
        let v = std::env::var("SPATE_FAILPOINT").ok()?;
        let (p, b) = v.rsplit_once(':')?;
        Some((p.to_string(), b.parse().ok()?))
    });
    if let Some((p, b)) = spec {
        if p == point && *b == batch_id {
            eprintln!("SPATE_FAILPOINT {point}:{batch_id}: aborting");
            std::process::abort();
        }
    }
}
