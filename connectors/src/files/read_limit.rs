//! Picking one trigger's files under the read limit, and the unread-file cache (spec §1.3).
//!
//! Pure decisions over an already sorted, already filtered list of new files, so every edge case
//! of Spark's `fetchMaxOffset` is a unit test here.

use super::listing::InputFile;

/// How much one trigger may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `maxFilesPerTrigger`.
    Files(usize),
    /// `maxBytesPerTrigger` (a soft limit: the first file is always taken).
    Bytes(u64),
    /// Everything (no limit, or `Trigger.Once`).
    All,
}

/// The remainder cache's settings: `maxCachedFiles` and `discardCachedInputRatio`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CachePolicy {
    /// At most this many unread files are kept; 0 disables the cache.
    pub max_cached_files: usize,
    /// A remainder smaller than `limit * ratio` (files or bytes) is dropped and the folder re-listed.
    /// A float as in Spark, whose `Int * Float` and `Long * Float` products decide ties.
    pub discard_ratio: f32,
}

/// What one trigger takes, and what it keeps for the next ones.
#[derive(Debug, Default, PartialEq)]
pub struct Selection {
    /// The batch's files, in order.
    pub batch: Vec<InputFile>,
    /// Files listed but not taken, served to the next triggers without listing (None: list again).
    pub unread: Option<Vec<InputFile>>,
}

/// Sorts candidates in Spark's order: oldest first, or newest first with `latestFirst` (spec §1.5).
/// Spark leaves ties unordered; the URI breaks them here so runs are reproducible.
pub fn sort_files(files: &mut [InputFile], latest_first: bool) {
    if latest_first {
        files.sort_by(|a, b| b.mtime_ms.cmp(&a.mtime_ms).then_with(|| a.uri.cmp(&b.uri)));
    } else {
        files.sort_by(|a, b| a.mtime_ms.cmp(&b.mtime_ms).then_with(|| a.uri.cmp(&b.uri)));
    }
}

/// Splits `new_files` into this trigger's batch and, when `cache` is given (not `latestFirst`,
/// not AvailableNow), the remainder kept for later triggers.
pub fn select(new_files: Vec<InputFile>, limit: Limit, cache: Option<CachePolicy>) -> Selection {
    let (batch, rest, worth_keeping) = match limit {
        Limit::All => {
            return Selection {
                batch: new_files,
                unread: None,
            }
        }
        Limit::Files(n) => {
            let mut batch = new_files;
            let rest = batch.split_off(n.min(batch.len()));
            let keep = |ratio: f32| rest.len() as f32 >= n as f32 * ratio;
            let worth = cache.is_some_and(|c| keep(c.discard_ratio));
            (batch, rest, worth)
        }
        Limit::Bytes(max) => {
            let (batch, rest) = take_bytes(new_files, max);
            let rest_bytes: u64 = rest.iter().map(|f| f.size).sum();
            let worth =
                cache.is_some_and(|c| rest_bytes as f64 >= f64::from(max as f32 * c.discard_ratio));
            (batch, rest, worth)
        }
    };
    let unread = match cache {
        Some(c) if worth_keeping && !rest.is_empty() && c.max_cached_files > 0 => {
            Some(rest.into_iter().take(c.max_cached_files).collect())
        }
        _ => None,
    };
    Selection { batch, unread }
}

/// Takes files in order while the total stays within `max`; the first file is always taken, and
/// the first file that does not fit ends the batch (no skipping ahead to smaller files).
fn take_bytes(files: Vec<InputFile>, max: u64) -> (Vec<InputFile>, Vec<InputFile>) {
    let mut total = 0u64;
    let mut split = files.len();
    for (i, f) in files.iter().enumerate() {
        if i > 0 && total.saturating_add(f.size) > max {
            split = i;
            break;
        }
        total = total.saturating_add(f.size);
    }
    let mut batch = files;
    let rest = batch.split_off(split);
    (batch, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::path::Path;

    fn f(name: &str, mtime_ms: i64, size: u64) -> InputFile {
        InputFile {
            path: Path::from(name),
            uri: format!("file:///in/{name}"),
            mtime_ms,
            size,
        }
    }

    fn names(files: &[InputFile]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_ref()).collect()
    }

    const CACHE: CachePolicy = CachePolicy {
        max_cached_files: 10_000,
        discard_ratio: 0.2,
    };

    #[test]
    fn bytes_limit_is_soft_and_never_skips_ahead() {
        let files = vec![
            f("a", 1, 50),
            f("b", 2, 10),
            f("c", 3, 10),
            f("d", 4, 100),
            f("e", 5, 10),
        ];
        let s = select(files, Limit::Bytes(60), None);
        assert_eq!(
            names(&s.batch),
            ["a", "b"],
            "50 + 10 fits exactly; c would make 70"
        );
        // The first file is taken even when it alone is over the limit.
        let s = select(vec![f("d", 4, 100), f("e", 5, 10)], Limit::Bytes(60), None);
        assert_eq!(names(&s.batch), ["d"]);
        // c (10) fits after b but d (100) does not, and e (10) is not taken in its place.
        let s = select(
            vec![f("c", 3, 10), f("d", 4, 100), f("e", 5, 10)],
            Limit::Bytes(60),
            None,
        );
        assert_eq!(names(&s.batch), ["c"]);
        // Empty files always fit.
        let s = select(
            vec![f("a", 1, 60), f("z", 2, 0), f("b", 3, 1)],
            Limit::Bytes(60),
            None,
        );
        assert_eq!(names(&s.batch), ["a", "z"]);
    }

    #[test]
    fn files_limit_takes_the_first_n() {
        let files: Vec<_> = (0..5).map(|i| f(&format!("f{i}"), i, 1)).collect();
        let s = select(files.clone(), Limit::Files(2), None);
        assert_eq!(names(&s.batch), ["f0", "f1"]);
        assert_eq!(
            s.unread, None,
            "no cache without a policy (latestFirst, AvailableNow)"
        );
        let s = select(files, Limit::All, Some(CACHE));
        assert_eq!(s.batch.len(), 5);
        assert_eq!(s.unread, None);
    }

    #[test]
    fn remainder_is_cached_unless_too_small() {
        let files: Vec<_> = (0..13).map(|i| f(&format!("f{i}"), i, 1)).collect();
        // 10 per trigger: a remainder of 3 >= 10 * 0.2 is kept...
        let s = select(files.clone(), Limit::Files(10), Some(CACHE));
        assert_eq!(names(s.unread.as_deref().unwrap()), ["f10", "f11", "f12"]);
        // ...a remainder of 1 < 2 is discarded, so the next trigger lists again.
        let s = select(files[..11].to_vec(), Limit::Files(10), Some(CACHE));
        assert_eq!(s.unread, None);
        // Ratio 0 keeps any non-empty remainder; maxCachedFiles truncates it; 0 disables the cache.
        let keep_all = CachePolicy {
            max_cached_files: 2,
            discard_ratio: 0.0,
        };
        let s = select(files[..11].to_vec(), Limit::Files(5), Some(keep_all));
        assert_eq!(names(s.unread.as_deref().unwrap()), ["f5", "f6"]);
        let off = CachePolicy {
            max_cached_files: 0,
            discard_ratio: 0.0,
        };
        assert_eq!(
            select(files.clone(), Limit::Files(5), Some(off)).unread,
            None
        );
        // Nothing left over: nothing cached.
        assert_eq!(
            select(files[..5].to_vec(), Limit::Files(5), Some(keep_all)).unread,
            None
        );
    }

    #[test]
    fn bytes_remainder_is_measured_in_bytes() {
        let files = vec![f("a", 1, 100), f("b", 2, 15), f("c", 3, 5)];
        // Limit 100: a is the batch; the remainder is 20 bytes >= 100 * 0.2: kept.
        let s = select(files.clone(), Limit::Bytes(100), Some(CACHE));
        assert_eq!(names(&s.batch), ["a"]);
        assert_eq!(names(s.unread.as_deref().unwrap()), ["b", "c"]);
        // Remainder of 19 bytes < 20: discarded.
        let files = vec![f("a", 1, 100), f("b", 2, 14), f("c", 3, 5)];
        assert_eq!(select(files, Limit::Bytes(100), Some(CACHE)).unread, None);
    }

    #[test]
    fn ties_and_latest_first_order() {
        let mut files = vec![f("b", 5, 1), f("a", 5, 1), f("c", 1, 1), f("d", 9, 1)];
        sort_files(&mut files, false);
        assert_eq!(names(&files), ["c", "a", "b", "d"]);
        sort_files(&mut files, true);
        assert_eq!(names(&files), ["d", "a", "b", "c"]);
    }
}
