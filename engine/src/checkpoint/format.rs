//! Spark's on-disk formats for `metadata`, `offsets/N` and `commits/N` (spec §3.2-3.4).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The only log version spate writes and reads (`v1`, Spark's default).
pub const LOG_VERSION: u32 = 1;

/// `metadata`: `{"id":"<query uuid>"}` with no version line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMetadata {
    /// The query id, used as the Delta `txn.appId`.
    pub id: String,
}

/// Second line of `offsets/N`: watermark, batch timestamp and the confs pinned for the checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetSeqMetadata {
    /// Event-time watermark used by this batch.
    #[serde(default)]
    pub batch_watermark_ms: i64,
    /// Processing time of the batch (what `current_timestamp()` means inside it).
    #[serde(default)]
    pub batch_timestamp_ms: i64,
    /// Confs that must not change over the life of the checkpoint.
    #[serde(default)]
    pub conf: BTreeMap<String, String>,
}

/// One `offsets/N` entry: metadata plus one offset per source (None = `-`).
#[derive(Clone, Debug, PartialEq)]
pub struct OffsetSeq {
    /// Watermark, timestamp and pinned confs.
    pub metadata: OffsetSeqMetadata,
    /// Per-source end offsets, in source order.
    pub offsets: Vec<Option<serde_json::Value>>,
}

/// `commits/N`: the watermark for the next batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitMetadata {
    /// Watermark computed at the end of this batch.
    #[serde(default)]
    pub next_batch_watermark_ms: i64,
}

/// Why a log file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file is empty or lacks the `v1` line.
    #[error("missing version line")]
    MissingVersion,
    /// The file was written by a newer writer.
    #[error("log version {0} is greater than supported {LOG_VERSION}: written by a newer version")]
    UnsupportedVersion(u32),
    /// The version line is not `v<number>`.
    #[error("invalid version line '{0}'")]
    BadVersion(String),
    /// A JSON line did not parse.
    #[error("invalid JSON on line {line}: {source}")]
    Json {
        line: usize,
        source: serde_json::Error,
    },
}

/// Confs Spark pins in every `offsets/N` (spec §3.3); written so that Spark can resume the checkpoint.
pub fn spark_pinned_conf(shuffle_partitions: usize) -> BTreeMap<String, String> {
    [
        (
            "spark.sql.shuffle.partitions",
            shuffle_partitions.to_string(),
        ),
        (
            "spark.sql.streaming.stateStore.providerClass",
            "org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider".into(),
        ),
        ("spark.sql.streaming.multipleWatermarkPolicy", "min".into()),
        (
            "spark.sql.streaming.flatMapGroupsWithState.stateFormatVersion",
            "2".into(),
        ),
        (
            "spark.sql.streaming.aggregation.stateFormatVersion",
            "2".into(),
        ),
        ("spark.sql.streaming.join.stateFormatVersion", "2".into()),
        (
            "spark.sql.streaming.stateStore.compression.codec",
            "lz4".into(),
        ),
        (
            "spark.sql.streaming.stateStore.rocksdb.formatVersion",
            "5".into(),
        ),
        (
            "spark.sql.streaming.statefulOperator.useStrictDistribution",
            "true".into(),
        ),
        (
            "spark.sql.optimizer.pruneFiltersCanPruneStreamingSubplan",
            "false".into(),
        ),
        (
            "spark.sql.streaming.stateStore.encodingFormat",
            "unsaferow".into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn check_version(first: Option<&str>) -> Result<(), FormatError> {
    let line = first.ok_or(FormatError::MissingVersion)?;
    let n: u32 = line
        .strip_prefix('v')
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| FormatError::BadVersion(line.to_string()))?;
    if n > LOG_VERSION {
        return Err(FormatError::UnsupportedVersion(n));
    }
    Ok(())
}

impl OffsetSeq {
    /// Serialises as Spark does: `v1`, metadata JSON, one line per source, no trailing newline.
    pub fn to_log_string(&self) -> String {
        let mut out = format!("v{LOG_VERSION}\n");
        // serde_json of a struct keeps field order; Spark's json4s writes the same order.
        out.push_str(&serde_json::to_string(&self.metadata).unwrap_or_default());
        for o in &self.offsets {
            out.push('\n');
            match o {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push('-'),
            }
        }
        out
    }

    /// Parses an `offsets/N` file.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        let mut lines = text.split('\n');
        check_version(lines.next())?;
        let meta_line = lines.next().unwrap_or("");
        let metadata = if meta_line.trim().is_empty() {
            OffsetSeqMetadata {
                batch_watermark_ms: 0,
                batch_timestamp_ms: 0,
                conf: BTreeMap::new(),
            }
        } else {
            serde_json::from_str(meta_line)
                .map_err(|source| FormatError::Json { line: 2, source })?
        };
        let mut offsets = Vec::new();
        for (i, line) in lines.enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line == "-" {
                offsets.push(None);
            } else {
                let v = serde_json::from_str(line).map_err(|source| FormatError::Json {
                    line: i + 3,
                    source,
                })?;
                offsets.push(Some(v));
            }
        }
        Ok(OffsetSeq { metadata, offsets })
    }
}

impl CommitMetadata {
    /// Serialises as Spark does: `v1\n{"nextBatchWatermarkMs":0}`.
    pub fn to_log_string(&self) -> String {
        format!(
            "v{LOG_VERSION}\n{}",
            serde_json::to_string(self).unwrap_or_default()
        )
    }

    /// Parses a `commits/N` file; a missing second line reads as `{}`.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        let mut lines = text.split('\n');
        check_version(lines.next())?;
        match lines.next().map(str::trim) {
            None | Some("") => Ok(CommitMetadata {
                next_batch_watermark_ms: 0,
            }),
            Some(l) => {
                serde_json::from_str(l).map_err(|source| FormatError::Json { line: 2, source })
            }
        }
    }
}

impl StreamMetadata {
    /// Serialises as Spark does: one JSON object, no version line, no newline.
    pub fn to_log_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a `metadata` file.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        serde_json::from_str(text.trim()).map_err(|source| FormatError::Json { line: 1, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offsets_match_spark_bytes() {
        let seq = OffsetSeq {
            metadata: OffsetSeqMetadata {
                batch_watermark_ms: 0,
                batch_timestamp_ms: 1714564800123,
                conf: [(
                    "spark.sql.shuffle.partitions".to_string(),
                    "200".to_string(),
                )]
                .into(),
            },
            offsets: vec![Some(json!({"logOffset": 3})), None],
        };
        let s = seq.to_log_string();
        assert_eq!(
            s,
            "v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":1714564800123,\"conf\":{\"spark.sql.shuffle.partitions\":\"200\"}}\n{\"logOffset\":3}\n-"
        );
        assert_eq!(OffsetSeq::parse(&s).unwrap(), seq);
    }

    #[test]
    fn commit_matches_spark_bytes() {
        let c = CommitMetadata {
            next_batch_watermark_ms: 0,
        };
        assert_eq!(c.to_log_string(), "v1\n{\"nextBatchWatermarkMs\":0}");
        assert_eq!(CommitMetadata::parse("v1").unwrap(), c);
        assert_eq!(CommitMetadata::parse("v1\n{}").unwrap(), c);
    }

    #[test]
    fn metadata_matches_spark_bytes() {
        let m = StreamMetadata {
            id: "0b1f5c7e-3b6e-4d3a-9a55-6f1d2e8b9c10".into(),
        };
        assert_eq!(
            m.to_log_string(),
            "{\"id\":\"0b1f5c7e-3b6e-4d3a-9a55-6f1d2e8b9c10\"}"
        );
        assert_eq!(StreamMetadata::parse(&m.to_log_string()).unwrap(), m);
    }

    /// Files PySpark 4.0.1 wrote (`tests/spark/make_golden.py`): spate reads them and pins the same confs.
    #[test]
    fn reads_spark_401_files_and_pins_the_same_conf() {
        let golden = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/spark/golden/committed/checkpoint"
        );
        let read = |rel: &str| std::fs::read_to_string(format!("{golden}/{rel}")).unwrap();
        let seq = OffsetSeq::parse(&read("offsets/11")).unwrap();
        assert_eq!(seq.offsets, vec![Some(json!({"logOffset": 11}))]);
        assert_eq!(
            seq.metadata.conf,
            spark_pinned_conf(200),
            "Spark 4.0.1 pins exactly these confs"
        );
        // Spark's JSON has the same fields in the same order; only the conf map's order differs.
        let ours = seq.to_log_string();
        let theirs = read("offsets/11");
        assert_eq!(ours.len(), theirs.len());
        assert_eq!(ours.split('\n').count(), 3);
        assert!(theirs.starts_with(&ours[..ours.find("\"conf\"").unwrap()]));
        assert_eq!(
            CommitMetadata::parse(&read("commits/11"))
                .unwrap()
                .to_log_string(),
            read("commits/11")
        );
        let meta = read("metadata");
        assert_eq!(StreamMetadata::parse(&meta).unwrap().to_log_string(), meta);
    }

    #[test]
    fn newer_versions_are_refused() {
        assert!(matches!(
            OffsetSeq::parse("v2\n{}\n{}"),
            Err(FormatError::UnsupportedVersion(2))
        ));
        assert!(matches!(
            CommitMetadata::parse("x1"),
            Err(FormatError::BadVersion(_))
        ));
    }
}
