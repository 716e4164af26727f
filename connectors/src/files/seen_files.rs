//! Spark's `SeenFilesMap` (spec §1.4): which files were taken already, and `maxFileAge`.
//!
//! A file is known by its key only (its URI, or its name with `fileNameOnly`, spec §1.6): a file
//! rewritten under the same path is never read again while its entry is kept. Ages are relative
//! to the newest modification time ever added, not to the clock.

use std::collections::HashMap;

/// The seen-files map of one file source.
#[derive(Debug, Clone)]
pub struct SeenFiles {
    map: HashMap<String, i64>,
    /// `maxFileAge` in ms; None = infinite (`latestFirst` with a read limit, spec §1.1).
    max_age_ms: Option<i64>,
    file_name_only: bool,
    latest_ts: i64,
    last_purge_ts: i64,
}

impl SeenFiles {
    /// An empty map; `max_age_ms` None never ages files out.
    pub fn new(max_age_ms: Option<i64>, file_name_only: bool) -> Self {
        SeenFiles {
            map: HashMap::new(),
            max_age_ms,
            file_name_only,
            latest_ts: 0,
            last_purge_ts: 0,
        }
    }

    /// The dedup key of a file URI: the URI itself, or its last component with `fileNameOnly`.
    pub fn key<'a>(&self, uri: &'a str) -> &'a str {
        if self.file_name_only {
            uri.rsplit('/').next().unwrap_or(uri)
        } else {
            uri
        }
    }

    /// Records a taken file (Spark's `add`).
    pub fn add(&mut self, uri: &str, mtime_ms: i64) {
        self.latest_ts = self.latest_ts.max(mtime_ms);
        self.map.insert(self.key(uri).to_string(), mtime_ms);
    }

    /// Spark's `isNewFile`: not seen, and not older than the last purge threshold. Testing against
    /// the last purge (not the current newest file) keeps a file that is older than the threshold
    /// the batch being planned will set, but was not yet purged.
    pub fn is_new(&self, uri: &str, mtime_ms: i64) -> bool {
        mtime_ms >= self.last_purge_ts && !self.map.contains_key(self.key(uri))
    }

    /// Moves the threshold to `newest - maxFileAge` and forgets older entries; returns how many.
    pub fn purge(&mut self) -> usize {
        let Some(age) = self.max_age_ms else { return 0 };
        self.last_purge_ts = self.latest_ts.saturating_sub(age);
        let before = self.map.len();
        let threshold = self.last_purge_ts;
        self.map.retain(|_, mtime| *mtime >= threshold);
        before - self.map.len()
    }

    /// Files remembered now.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_is_relative_to_the_newest_file() {
        // Spark's doc example: newest 1000, maxFileAge 200 -> files below 800 are ignored.
        let mut s = SeenFiles::new(Some(200), false);
        assert!(s.is_new("a", 0), "a brand-new query takes every file");
        s.add("old", 100);
        s.add("new", 1000);
        assert_eq!(s.purge(), 1);
        assert!(!s.is_new("x", 799));
        assert!(s.is_new("x", 800), "the threshold itself is still new");
        assert!(!s.is_new("new", 1000), "seen");
        // A purged path is read again only if it reappears at or above the threshold (spec §1.4).
        assert!(!s.is_new("old", 100));
        assert!(s.is_new("old", 900));
    }

    #[test]
    fn infinite_age_never_purges() {
        let mut s = SeenFiles::new(None, false);
        s.add("a", 0);
        s.add("b", i64::MAX / 2);
        assert_eq!(s.purge(), 0);
        assert!(s.is_new("c", 0));
        assert!(!s.is_new("a", 5));
    }

    #[test]
    fn file_name_only_keys_by_name() {
        let mut s = SeenFiles::new(None, true);
        s.add("s3://a/x/data.json", 1);
        assert!(!s.is_new("s3://a/y/data.json", 2));
        assert!(s.is_new("s3://a/y/other.json", 2));
    }
}
