//! Where a query starts, decided from what the checkpoint holds (spec §3.8). Pure: no I/O here.

/// The start decision for a query, from the latest `offsets/` and `commits/` ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartDecision {
    /// No `offsets/` entry: a brand-new query at batch 0.
    Fresh,
    /// Batch `last` finished: continue with `last + 1`, starting from `offsets/last`.
    Continue { last: u64 },
    /// Batch `batch` was planned but not committed: re-run it with exactly `offsets/batch`.
    Rerun { batch: u64 },
}

/// Decides the start as Spark's `populateStartOffsets` does.
pub fn decide(latest_offsets: Option<u64>, latest_commit: Option<u64>) -> StartDecision {
    match (latest_offsets, latest_commit) {
        (None, _) => StartDecision::Fresh,
        (Some(n), Some(c)) if c >= n => StartDecision::Continue { last: n },
        // C == N-1 is the normal crash case; a gap (C < N-1, or no commits) is re-run too, as Spark does.
        (Some(n), _) => StartDecision::Rerun { batch: n },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_cases() {
        assert_eq!(decide(None, None), StartDecision::Fresh);
        assert_eq!(
            decide(Some(3), Some(3)),
            StartDecision::Continue { last: 3 }
        );
        assert_eq!(decide(Some(3), Some(2)), StartDecision::Rerun { batch: 3 });
        assert_eq!(decide(Some(0), None), StartDecision::Rerun { batch: 0 });
        assert_eq!(decide(Some(5), Some(1)), StartDecision::Rerun { batch: 5 });
    }
}
