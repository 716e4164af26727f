//! Shard lineage and the decisions over it: which shards to start, from where, and when a closed
//! shard may leave the offset (spec §8.6). Pure functions over what ListShards and GetRecords said.
//!
//! ```text
//!   split:  P ──► C1, C2          merge:  A ─┐
//!                                         B ─┴─► C
//! ```
//! A child is started only once every parent reached SHARD_END, so a partition key's records come
//! out parent first, child after, across a split and a merge alike. A parent leaves the offset once
//! all its children are in it; from then on it is recognised as done because it is an ancestor of a
//! shard being read.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::offsets::ShardPosition;
use super::options::InitialPosition;

/// What is known about one shard of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMeta {
    /// `shardId-...`.
    pub id: String,
    /// `ParentShardId` and `AdjacentParentShardId` (merge), when present.
    pub parents: Vec<String>,
    /// It has an ending sequence number: no new records will arrive.
    pub closed: bool,
}

/// One stream's shards, from ListShards and from the `ChildShards` of GetRecords.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    shards: BTreeMap<String, ShardMeta>,
}

/// How the source stands with a shard right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    /// Being read (in the offset or fetching).
    Reading,
    /// Read to SHARD_END.
    Ended,
}

impl Lineage {
    /// Adds or refreshes shards from a ListShards answer.
    pub fn merge_listing(&mut self, listed: Vec<ShardMeta>) {
        for s in listed {
            self.shards.insert(s.id.clone(), s);
        }
    }

    /// Adds a child named by GetRecords' `ChildShards` (ListShards may not show it yet).
    pub fn add_child(&mut self, id: &str, parents: &[String]) {
        let e = self.shards.entry(id.to_string()).or_insert(ShardMeta {
            id: id.to_string(),
            parents: vec![],
            closed: false,
        });
        for p in parents {
            if !e.parents.contains(p) {
                e.parents.push(p.clone());
            }
        }
    }

    /// Marks a shard closed (a fetch loop reached its end).
    pub fn mark_closed(&mut self, id: &str) {
        if let Some(s) = self.shards.get_mut(id) {
            s.closed = true;
        }
    }

    /// The shards whose parents include `id`.
    pub fn children(&self, id: &str) -> Vec<&str> {
        self.shards
            .values()
            .filter(|s| s.parents.iter().any(|p| p == id))
            .map(|s| s.id.as_str())
            .collect()
    }

    /// Every ancestor of the given shards (not the shards themselves).
    fn ancestors<'a>(&self, of: impl Iterator<Item = &'a str>) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut todo: Vec<String> = of.map(str::to_string).collect();
        while let Some(id) = todo.pop() {
            if let Some(s) = self.shards.get(&id) {
                for p in &s.parents {
                    if seen.insert(p.clone()) {
                        todo.push(p.clone());
                    }
                }
            }
        }
        seen
    }

    /// The shards to start reading now, with their start positions.
    ///
    /// `tracked`: every shard in the offset or fetching. `now_ms` pins `latest` as an instant, so
    /// a re-run batch reads the same records (offsets.rs).
    pub fn shards_to_start(
        &self,
        tracked: &HashMap<String, Tracked>,
        initial: &InitialPosition,
        now_ms: i64,
    ) -> Vec<(String, ShardPosition)> {
        let done_ancestors = self.ancestors(tracked.keys().map(String::as_str));
        // `latest` skips closed shards never read: all their records predate the query.
        let skipped = |id: &str| {
            *initial == InitialPosition::Latest
                && !tracked.contains_key(id)
                && !done_ancestors.contains(id)
                && self.shards.get(id).is_some_and(|s| s.closed)
        };
        let mut start = vec![];
        for s in self.shards.values() {
            if tracked.contains_key(&s.id) || done_ancestors.contains(&s.id) || skipped(&s.id) {
                continue;
            }
            // A parent ListShards no longer returns is past retention: nothing left to wait for.
            let parents: Vec<&String> = s
                .parents
                .iter()
                .filter(|p| self.shards.contains_key(*p))
                .collect();
            let parent_done = |p: &str| {
                tracked.get(p) == Some(&Tracked::Ended) || done_ancestors.contains(p) || skipped(p)
            };
            if !parents.iter().all(|p| parent_done(p)) {
                continue;
            }
            let read_parents = parents.iter().any(|p| !skipped(p));
            let position = match initial {
                InitialPosition::TrimHorizon => ShardPosition::TrimHorizon,
                // A child of a read parent holds only records newer than its parent's, but maybe
                // older than the timestamp: the timestamp still applies.
                InitialPosition::AtTimestamp(ms) => ShardPosition::AtTimestamp(*ms),
                // A child of a read parent: all of it is new since the query started.
                InitialPosition::Latest if read_parents => ShardPosition::TrimHorizon,
                InitialPosition::Latest => ShardPosition::AtTimestamp(now_ms),
            };
            start.push((s.id.clone(), position));
        }
        start
    }

    /// Closed, fully read shards that can leave the offset: all their children are in it.
    /// `in_offset(id)` says whether a shard of this stream is in the offset.
    pub fn finished(&self, ended: &[&str], in_offset: impl Fn(&str) -> bool) -> Vec<String> {
        ended
            .iter()
            .filter(|id| {
                let children = self.children(id);
                !children.is_empty() && children.iter().all(|c| in_offset(c))
            })
            .map(|id| id.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, parents: &[&str], closed: bool) -> ShardMeta {
        ShardMeta {
            id: id.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            closed,
        }
    }

    /// P (0) split into 1 and 2; 1 and 2 merged into 3.
    fn split_then_merge() -> Lineage {
        let mut l = Lineage::default();
        l.merge_listing(vec![
            meta("0", &[], true),
            meta("1", &["0"], true),
            meta("2", &["0"], true),
            meta("3", &["1", "2"], false),
        ]);
        l
    }

    fn tracked(pairs: &[(&str, Tracked)]) -> HashMap<String, Tracked> {
        pairs.iter().map(|(k, t)| (k.to_string(), *t)).collect()
    }

    #[test]
    fn trim_horizon_starts_at_the_root_and_children_wait_for_all_parents() {
        let l = split_then_merge();
        let th = InitialPosition::TrimHorizon;
        assert_eq!(
            l.shards_to_start(&tracked(&[]), &th, 0),
            vec![("0".to_string(), ShardPosition::TrimHorizon)]
        );
        assert!(l
            .shards_to_start(&tracked(&[("0", Tracked::Reading)]), &th, 0)
            .is_empty());
        let after_split = l.shards_to_start(&tracked(&[("0", Tracked::Ended)]), &th, 0);
        assert_eq!(
            after_split.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
            ["1", "2"]
        );
        // The merge child waits until both parents ended.
        assert!(l
            .shards_to_start(
                &tracked(&[("1", Tracked::Ended), ("2", Tracked::Reading)]),
                &th,
                0
            )
            .is_empty());
        assert_eq!(
            l.shards_to_start(
                &tracked(&[("1", Tracked::Ended), ("2", Tracked::Ended)]),
                &th,
                0
            ),
            vec![("3".to_string(), ShardPosition::TrimHorizon)]
        );
        // Once the parents left the offset, their child being read marks them as done.
        assert!(l
            .shards_to_start(&tracked(&[("3", Tracked::Reading)]), &th, 0)
            .is_empty());
    }

    #[test]
    fn latest_reads_only_open_shards_from_the_start_instant() {
        let l = split_then_merge();
        assert_eq!(
            l.shards_to_start(&tracked(&[]), &InitialPosition::Latest, 42),
            vec![("3".to_string(), ShardPosition::AtTimestamp(42))]
        );
        // A child of a shard the query read starts at its beginning.
        let mut l = Lineage::default();
        l.merge_listing(vec![meta("0", &[], true), meta("1", &["0"], false)]);
        assert_eq!(
            l.shards_to_start(
                &tracked(&[("0", Tracked::Ended)]),
                &InitialPosition::Latest,
                42
            ),
            vec![("1".to_string(), ShardPosition::TrimHorizon)]
        );
    }

    #[test]
    fn parents_leave_the_offset_once_all_children_are_in() {
        let mut l = split_then_merge();
        l.add_child("4", &["3".to_string()]);
        assert_eq!(l.children("3"), ["4"]);
        assert_eq!(l.finished(&["0"], |id| id == "1"), Vec::<String>::new());
        assert_eq!(l.finished(&["0"], |id| id == "1" || id == "2"), ["0"]);
        // A merge parent stays until the child is in; the child is in only once both parents ended.
        assert_eq!(l.finished(&["1"], |_| false), Vec::<String>::new());
        assert_eq!(l.finished(&["1", "2"], |id| id == "3"), ["1", "2"]);
        // No known children (the listing is behind): keep it.
        assert!(l.finished(&["4"], |_| true).is_empty());
    }
}
