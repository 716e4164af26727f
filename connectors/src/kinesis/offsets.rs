//! The Kinesis offset in `offsets/N`: per stream and shard, how far the batch reads.
//!
//! ```json
//! {"orders": {"shardId-000000000000": {"iteratorType": "AFTER_SEQUENCE_NUMBER",
//!                                      "iteratorPosition": "4959...0002"},
//!             "shardId-000000000001": {"iteratorType": "SHARD_END"},
//!             "shardId-000000000002": {"iteratorType": "AFTER_SEQUENCE_NUMBER",
//!                                      "iteratorPosition": "4959...0042",
//!                                      "startedFrom": {"iteratorType": "TRIM_HORIZON"}}}}
//! ```
//!
//! A batch reads `(start, end]` per shard: from the start offset's position (or, for a shard new in
//! this batch, its `startedFrom`) through the end position. `AFTER_SEQUENCE_NUMBER` names the last
//! record the batch includes, so a restart continues with the next one (never re-reads, never
//! skips). `SHARD_END`: the shard is closed and read to its end; it leaves the offset once all its
//! children are in it (spec §8.6). A shard with nothing read yet keeps its start position
//! (`TRIM_HORIZON`, or `AT_TIMESTAMP` in epoch milliseconds), so re-running a batch re-reads exactly
//! the same records: even `latest` is pinned as the instant the query first started.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use spate_engine::source::Offset;

use super::KinesisError;

/// A Kinesis sequence number: a decimal string of up to 128 digits, ordered as a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SequenceNumber(pub String);

impl Ord for SequenceNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        // Too long for u128: compare as decimal strings (Kinesis writes no leading zeros), the
        // shorter is smaller.
        let (a, b) = (&self.0, &other.0);
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }
}

impl PartialOrd for SequenceNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where reading a shard starts, or how far it has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardPosition {
    /// Nothing read yet; start at the oldest record kept.
    TrimHorizon,
    /// Nothing read yet; start at the first record that arrived at or after this (epoch ms).
    AtTimestamp(i64),
    /// Read through this record.
    After(SequenceNumber),
    /// Closed and read to its end.
    Ended,
}

impl ShardPosition {
    /// True when no record of the shard has been read at this position.
    pub fn is_start(&self) -> bool {
        matches!(
            self,
            ShardPosition::TrimHorizon | ShardPosition::AtTimestamp(_)
        )
    }

    fn to_json(&self) -> Value {
        match self {
            ShardPosition::TrimHorizon => json!({"iteratorType": "TRIM_HORIZON"}),
            ShardPosition::AtTimestamp(ms) => {
                json!({"iteratorType": "AT_TIMESTAMP", "iteratorPosition": ms.to_string()})
            }
            ShardPosition::After(s) => {
                json!({"iteratorType": "AFTER_SEQUENCE_NUMBER", "iteratorPosition": s.0})
            }
            ShardPosition::Ended => json!({"iteratorType": "SHARD_END"}),
        }
    }

    fn from_json(v: &Value) -> Result<Self, String> {
        let kind = v
            .get("iteratorType")
            .and_then(Value::as_str)
            .ok_or("a shard without iteratorType")?;
        let pos = || {
            v.get("iteratorPosition")
                .and_then(Value::as_str)
                .ok_or(format!("{kind} without iteratorPosition"))
        };
        Ok(match kind {
            "TRIM_HORIZON" => ShardPosition::TrimHorizon,
            "AT_TIMESTAMP" => ShardPosition::AtTimestamp(
                pos()?
                    .parse()
                    .map_err(|_| "AT_TIMESTAMP position is not epoch milliseconds")?,
            ),
            "AFTER_SEQUENCE_NUMBER" => {
                let s = pos()?;
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("'{s}' is not a sequence number"));
                }
                ShardPosition::After(SequenceNumber(s.to_string()))
            }
            "SHARD_END" => ShardPosition::Ended,
            other => return Err(format!("unknown iteratorType {other}")),
        })
    }
}

/// A stream and one of its shards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShardKey {
    /// Stream name.
    pub stream: String,
    /// `shardId-000000000000`.
    pub shard: String,
}

impl std::fmt::Display for ShardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.stream, self.shard)
    }
}

/// One shard's entry in the offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardOffset {
    /// How far the batch reads.
    pub position: ShardPosition,
    /// For a shard that enters the offset with records read: where its reading started.
    pub started_from: Option<ShardPosition>,
}

/// The whole source offset: every shard being read, or closed but not yet succeeded by its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KinesisOffset {
    /// Shards in key order (stream, then shard id).
    pub shards: BTreeMap<ShardKey, ShardOffset>,
}

impl KinesisOffset {
    /// The JSON written into `offsets/N`.
    pub fn to_json(&self) -> Offset {
        let mut streams: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for (k, o) in &self.shards {
            let mut v = o.position.to_json();
            if let (Some(from), Some(obj)) = (&o.started_from, v.as_object_mut()) {
                obj.insert("startedFrom".into(), from.to_json());
            }
            streams
                .entry(&k.stream)
                .or_default()
                .insert(k.shard.clone(), v);
        }
        Value::Object(
            streams
                .into_iter()
                .map(|(s, m)| (s.to_string(), Value::Object(m)))
                .collect(),
        )
    }

    /// Reads an offset this source wrote.
    pub fn from_json(v: &Offset) -> Result<Self, KinesisError> {
        let bad = |reason: String| KinesisError::BadOffset {
            offset: v.to_string(),
            reason,
        };
        let streams = v.as_object().ok_or_else(|| bad("not an object".into()))?;
        let mut shards = BTreeMap::new();
        for (stream, m) in streams {
            let m = m
                .as_object()
                .ok_or_else(|| bad(format!("stream {stream} is not an object")))?;
            for (shard, e) in m {
                let position = ShardPosition::from_json(e).map_err(&bad)?;
                let started_from = e
                    .get("startedFrom")
                    .map(ShardPosition::from_json)
                    .transpose()
                    .map_err(&bad)?;
                shards.insert(
                    ShardKey {
                        stream: stream.clone(),
                        shard: shard.clone(),
                    },
                    ShardOffset {
                        position,
                        started_from,
                    },
                );
            }
        }
        Ok(KinesisOffset { shards })
    }

    /// The same shards at the same positions (`startedFrom` only says how a shard began).
    pub fn same_positions(&self, other: &KinesisOffset) -> bool {
        self.shards.len() == other.shards.len()
            && self
                .shards
                .iter()
                .zip(&other.shards)
                .all(|((k1, o1), (k2, o2))| k1 == k2 && o1.position == o2.position)
    }

    /// Where reading `key` starts in the batch `(self, end]`: this offset's position, or for a shard
    /// new in `end`, where it started.
    pub fn read_from(&self, key: &ShardKey, end: &ShardOffset) -> ShardPosition {
        match self.shards.get(key) {
            Some(s) => s.position.clone(),
            None => end
                .started_from
                .clone()
                .unwrap_or_else(|| end.position.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(s: &str) -> SequenceNumber {
        SequenceNumber(s.into())
    }

    #[test]
    fn sequence_numbers_order_as_numbers() {
        assert!(seq("9") < seq("10"));
        assert!(
            seq("49590338271490256608559692538361571095921575989136588898")
                < seq("49590338271490256608559692540925702759324208523137515618")
        );
    }

    #[test]
    fn round_trips_through_json() {
        let mut o = KinesisOffset::default();
        let key = |s: &str, id: &str| ShardKey {
            stream: s.into(),
            shard: id.into(),
        };
        o.shards.insert(
            key("a", "shardId-000000000000"),
            ShardOffset {
                position: ShardPosition::After(seq("123")),
                started_from: Some(ShardPosition::AtTimestamp(1_700_000_000_000)),
            },
        );
        o.shards.insert(
            key("a", "shardId-000000000001"),
            ShardOffset {
                position: ShardPosition::Ended,
                started_from: None,
            },
        );
        o.shards.insert(
            key("b", "shardId-000000000000"),
            ShardOffset {
                position: ShardPosition::TrimHorizon,
                started_from: None,
            },
        );
        let j = o.to_json();
        assert_eq!(
            j,
            json!({"a": {"shardId-000000000000": {"iteratorType": "AFTER_SEQUENCE_NUMBER", "iteratorPosition": "123",
                                                  "startedFrom": {"iteratorType": "AT_TIMESTAMP", "iteratorPosition": "1700000000000"}},
                         "shardId-000000000001": {"iteratorType": "SHARD_END"}},
                   "b": {"shardId-000000000000": {"iteratorType": "TRIM_HORIZON"}}})
        );
        assert_eq!(KinesisOffset::from_json(&j).unwrap(), o);
        // Dropping startedFrom (the next batch's start) is not a change worth a batch.
        let mut next = o.clone();
        next.shards.values_mut().for_each(|s| s.started_from = None);
        assert!(next.same_positions(&o) && next != o);
        next.shards.values_mut().next().unwrap().position = ShardPosition::Ended;
        assert!(!next.same_positions(&o));
        assert!(KinesisOffset::from_json(&json!({"logOffset": 3})).is_err());
        assert!(KinesisOffset::from_json(&json!({"a": {"s": {"iteratorType": "AFTER_SEQUENCE_NUMBER", "iteratorPosition": "x1"}}})).is_err());
    }
}
