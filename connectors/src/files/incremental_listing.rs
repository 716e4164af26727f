//! Incremental listing on object stores: list only the keys after the last one taken.
//!
//! Spark lists the whole input folder on every trigger, which on S3 costs one LIST call per 1000
//! keys: a folder holding 100,000 old files costs 100 calls a trigger to find one new file. When
//! files arrive in lexical order of their keys (timestamped names, zero-padded date folders),
//! everything new sorts after the last key taken, so a listing from that key (S3's `StartAfter`,
//! object_store's `list_with_offset`) finds it in one call. This is Auto Loader's
//! `cloudFiles.useIncrementalListing`:
//!
//! - `auto` (default): incremental on object stores once a full listing has shown that new files
//!   sort after every file taken; one full listing after every 7 incremental ones (Auto Loader's
//!   rule) finds files that broke the order, and switches back to full listings until order returns.
//! - `true`: incremental after the first listing, never a full one again (files that sort before
//!   the last key taken are never found: use it only for strictly ordered names).
//! - `false`: Spark's full listing every trigger.
//!
//! The start key is the greatest taken key below every file that was listed and not yet taken
//! (files left over by `maxFilesPerTrigger` or dropped from the unread cache), so a read limit
//! never makes a listing skip a file. Local folders always get full listings in `auto` mode: a
//! local listing reads the whole folder anyway, and the watch makes triggers cheap there.

use std::collections::BTreeSet;

use object_store::path::Path;
use spate_engine::{Error, Result};

use super::listing::InputFile;

/// Auto Loader's limit of consecutive incremental listings before a full one (`auto` mode).
pub const INCREMENTAL_LISTINGS_BEFORE_FULL: u32 = 7;

/// `useIncrementalListing`: `auto`, `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncrementalListing {
    /// Incremental on object stores while the keys are seen to arrive in order.
    #[default]
    Auto,
    /// Always incremental after the first listing.
    On,
    /// Full listings only (Spark's file source).
    Off,
}

impl IncrementalListing {
    /// Parses the option's value (case-insensitive), with Auto Loader's wording on a bad one.
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(IncrementalListing::Auto),
            "true" => Ok(IncrementalListing::On),
            "false" => Ok(IncrementalListing::Off),
            _ => Err(Error::config(format!(
                "Invalid value '{value}' for option useIncrementalListing: expected one of auto, true, false"
            ))),
        }
    }
}

/// How the next listing is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingPlan {
    /// List the whole folder.
    Full,
    /// List the keys after this one.
    After(Path),
}

/// What decides between full and incremental listings, and where an incremental one starts.
#[derive(Debug)]
pub struct ListingCursor {
    mode: IncrementalListing,
    /// False for local folders: `auto` never lists incrementally there.
    remote: bool,
    /// Keys taken into batches (store paths). Keys below the start key are pruned: a later
    /// listing never needs them.
    taken: BTreeSet<String>,
    /// The smallest key listed but not taken yet, if any.
    pending_min: Option<String>,
    /// `auto`: the last full listing found every new key after every taken key.
    in_order: bool,
    /// Incremental listings since the last full one.
    since_full: u32,
    /// A full listing has been made since start (incremental needs one to begin from).
    listed_once: bool,
}

impl ListingCursor {
    /// A cursor for `mode`; `remote` is false for local folders.
    pub fn new(mode: IncrementalListing, remote: bool) -> Self {
        ListingCursor {
            mode,
            remote,
            taken: BTreeSet::new(),
            pending_min: None,
            in_order: false,
            since_full: 0,
            listed_once: false,
        }
    }

    /// Records a file taken into a batch (also used on restart, from the source log).
    pub fn taken(&mut self, path: &Path) {
        self.taken.insert(path.as_ref().to_string());
    }

    /// The plan for the next listing.
    pub fn plan(&self) -> ListingPlan {
        let incremental = self.listed_once
            && match self.mode {
                IncrementalListing::Off => false,
                IncrementalListing::On => true,
                IncrementalListing::Auto => {
                    self.remote
                        && self.in_order
                        && self.since_full < INCREMENTAL_LISTINGS_BEFORE_FULL
                }
            };
        match self.start_key().filter(|_| incremental) {
            Some(k) => ListingPlan::After(Path::from(k.as_str())),
            None => ListingPlan::Full,
        }
    }

    /// The greatest taken key below every pending one: nothing after it has been missed.
    fn start_key(&self) -> Option<&String> {
        match &self.pending_min {
            Some(p) => self.taken.range::<String, _>(..p).next_back(),
            None => self.taken.last(),
        }
    }

    /// Records a listing made with `plan`; `new_files` are its files not taken before.
    pub fn listed(&mut self, plan: &ListingPlan, new_files: &[InputFile]) {
        match plan {
            ListingPlan::Full => {
                // In order when no new key sorts before a taken one.
                let last = self.taken.last();
                self.in_order = new_files
                    .iter()
                    .all(|f| last.is_none_or(|l| f.path.as_ref() > l.as_str()));
                self.since_full = 0;
                self.listed_once = true;
            }
            ListingPlan::After(_) => self.since_full += 1,
        }
    }

    /// Records which new files a trigger left for later (`left`: new, not taken). `listed` says
    /// whether the trigger listed: a trigger served from the unread cache does not know every
    /// file left behind (the cache holds at most `maxCachedFiles`), so it only lowers the bound.
    pub fn left_over<'a>(&mut self, left: impl IntoIterator<Item = &'a Path>, listed: bool) {
        let min = left.into_iter().map(|p| p.as_ref().to_string()).min();
        self.pending_min = if listed {
            min
        } else {
            match (self.pending_min.take(), min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        // Keys below the start key can never be a start key again.
        if let Some(start) = self.start_key().cloned() {
            self.taken = self.taken.split_off(&start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str) -> InputFile {
        InputFile {
            path: Path::from(key),
            uri: format!("s3://b/{key}"),
            mtime_ms: 0,
            size: 1,
        }
    }

    fn take(c: &mut ListingCursor, keys: &[&str]) {
        for k in keys {
            c.taken(&Path::from(*k));
        }
    }

    #[test]
    fn parse_values() {
        assert_eq!(
            IncrementalListing::parse("AUTO").unwrap(),
            IncrementalListing::Auto
        );
        assert_eq!(
            IncrementalListing::parse("true").unwrap(),
            IncrementalListing::On
        );
        assert_eq!(
            IncrementalListing::parse("false").unwrap(),
            IncrementalListing::Off
        );
        let e = IncrementalListing::parse("yes").unwrap_err().to_string();
        assert!(e.contains("useIncrementalListing"), "{e}");
    }

    #[test]
    fn auto_goes_incremental_after_an_ordered_full_listing() {
        let mut c = ListingCursor::new(IncrementalListing::Auto, true);
        assert_eq!(c.plan(), ListingPlan::Full);
        let files = [file("in/001.json"), file("in/002.json")];
        c.listed(&ListingPlan::Full, &files);
        take(&mut c, &["in/001.json", "in/002.json"]);
        c.left_over([], true);
        // The first listing had nothing taken before it: order is unknown yet, but nothing
        // contradicted it.
        assert_eq!(c.plan(), ListingPlan::After(Path::from("in/002.json")));
    }

    #[test]
    fn auto_makes_a_full_listing_after_seven_incremental_ones() {
        let mut c = ListingCursor::new(IncrementalListing::Auto, true);
        c.listed(&ListingPlan::Full, &[file("in/1")]);
        take(&mut c, &["in/1"]);
        c.left_over([], true);
        for _ in 0..INCREMENTAL_LISTINGS_BEFORE_FULL {
            let plan = c.plan();
            assert!(matches!(plan, ListingPlan::After(_)));
            c.listed(&plan, &[]);
        }
        assert_eq!(c.plan(), ListingPlan::Full);
    }

    #[test]
    fn auto_falls_back_to_full_listings_when_a_key_arrives_out_of_order() {
        let mut c = ListingCursor::new(IncrementalListing::Auto, true);
        c.listed(&ListingPlan::Full, &[file("in/5")]);
        take(&mut c, &["in/5"]);
        c.left_over([], true);
        // A full listing finds `in/3`, which sorts before the taken `in/5`.
        c.listed(&ListingPlan::Full, &[file("in/3")]);
        take(&mut c, &["in/3"]);
        c.left_over([], true);
        assert_eq!(c.plan(), ListingPlan::Full);
        // Order returns: the next full listing finds only later keys.
        c.listed(&ListingPlan::Full, &[file("in/6")]);
        take(&mut c, &["in/6"]);
        c.left_over([], true);
        assert_eq!(c.plan(), ListingPlan::After(Path::from("in/6")));
    }

    #[test]
    fn the_start_key_stays_below_files_left_by_a_read_limit() {
        let mut c = ListingCursor::new(IncrementalListing::On, true);
        let files = [file("in/1"), file("in/2"), file("in/3"), file("in/4")];
        c.listed(&ListingPlan::Full, &files);
        take(&mut c, &["in/1", "in/3"]);
        c.left_over([&files[1].path, &files[3].path], true);
        assert_eq!(c.plan(), ListingPlan::After(Path::from("in/1")));
        // Nothing taken below the pending key: list everything.
        let mut c = ListingCursor::new(IncrementalListing::On, true);
        c.listed(&ListingPlan::Full, &files);
        take(&mut c, &["in/2"]);
        c.left_over([&files[0].path], true);
        assert_eq!(c.plan(), ListingPlan::Full);
    }

    #[test]
    fn local_folders_and_off_always_list_fully() {
        for (mode, remote) in [
            (IncrementalListing::Auto, false),
            (IncrementalListing::Off, true),
        ] {
            let mut c = ListingCursor::new(mode, remote);
            c.listed(&ListingPlan::Full, &[file("in/1")]);
            take(&mut c, &["in/1"]);
            c.left_over([], true);
            assert_eq!(c.plan(), ListingPlan::Full, "{mode:?} remote={remote}");
        }
        // `true` lists incrementally on a local folder too (correct, if no cheaper).
        let mut c = ListingCursor::new(IncrementalListing::On, false);
        c.listed(&ListingPlan::Full, &[file("in/1")]);
        take(&mut c, &["in/1"]);
        c.left_over([], true);
        assert_eq!(c.plan(), ListingPlan::After(Path::from("in/1")));
    }

    #[test]
    fn taken_keys_below_the_start_are_pruned() {
        let mut c = ListingCursor::new(IncrementalListing::On, true);
        c.listed(&ListingPlan::Full, &[]);
        take(&mut c, &["in/1", "in/2", "in/3"]);
        c.left_over([], true);
        assert_eq!(c.taken.len(), 1);
        assert_eq!(c.plan(), ListingPlan::After(Path::from("in/3")));
    }
}
