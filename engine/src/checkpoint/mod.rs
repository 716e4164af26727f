//! The checkpoint: Spark's `metadata`, `offsets/`, `commits/` and `sources/` on object_store.
//!
//! ```text
//!  <checkpoint>/
//!    metadata            {"id":"<query id>"}           created once (create-only)
//!    offsets/N           v1 / {watermark, ts, conf} / one offset per source   (write-ahead)
//!    commits/N           v1 / {"nextBatchWatermarkMs":0}                       (batch done)
//!    sources/<i>/...     each source's private log (file source: seen files)
//!    _spate_lease.json   spate only: the live run's lease
//!
//!  batch N:  sources plan ──► offsets/N ──► sink.add_batch(N) ──► commits/N
//!  restart:  offsets/N without commits/N  ⇒  re-run N with the same offsets and timestamp
//! ```

pub mod format;
pub mod lease;
pub mod log;
pub mod recovery;

use std::time::Duration;

pub use format::{CommitMetadata, OffsetSeq, OffsetSeqMetadata, StreamMetadata};
pub use lease::Lease;
pub use log::{Created, NumberedLog};
pub use recovery::StartDecision;

use crate::error::{Error, Result};
use crate::storage::Location;

/// How long a lease holds without renewal.
pub const LEASE_TTL: Duration = Duration::from_secs(15);

/// Where a query resumes, with the offsets it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// The batch id to run next.
    pub next_batch_id: u64,
    /// End offsets of the last committed batch (the next batch's start), if any.
    pub committed: Option<OffsetSeq>,
    /// A planned-but-uncommitted batch to re-run first with exactly these offsets.
    pub rerun: Option<OffsetSeq>,
    /// Watermark to use for the next batch.
    pub watermark_ms: i64,
}

/// One query's checkpoint folder.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    loc: Location,
    offsets: NumberedLog,
    commits: NumberedLog,
}

impl Checkpoint {
    /// The checkpoint at `loc` (nothing is read or written yet).
    pub fn new(loc: Location) -> Self {
        Checkpoint {
            offsets: NumberedLog::new(loc.child("offsets")),
            commits: NumberedLog::new(loc.child("commits")),
            loc,
        }
    }

    /// The checkpoint folder.
    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// The private folder of source number `i` (`sources/<i>`).
    pub fn source_location(&self, i: usize) -> Location {
        self.loc.child(&format!("sources/{i}"))
    }

    /// Takes the lease for this run (fails if another live query holds the checkpoint).
    pub async fn lease(&self, run_id: &str) -> Result<Lease> {
        Lease::acquire(
            self.loc.store.clone(),
            self.loc.path(lease::LEASE_FILE),
            run_id,
            LEASE_TTL,
        )
        .await
    }

    /// Reads `metadata`, creating it with a new query id on the first start.
    pub async fn load_or_create_metadata(&self) -> Result<StreamMetadata> {
        let path = self.loc.path("metadata");
        if let Some(text) = log::read_string(self.loc.store.as_ref(), &path).await? {
            return StreamMetadata::parse(&text).map_err(|e| self.err("metadata", e));
        }
        let fresh = StreamMetadata {
            id: uuid::Uuid::new_v4().to_string(),
        };
        let root = NumberedLog::new(self.loc.clone());
        match root.create("metadata", 0, &fresh.to_log_string()).await {
            Ok(_) => Ok(fresh),
            // Someone created it between our read and write: theirs wins, read it.
            Err(Error::ConcurrentUpdate { .. }) => {
                let text = log::read_string(self.loc.store.as_ref(), &path)
                    .await?
                    .unwrap_or_default();
                StreamMetadata::parse(&text).map_err(|e| self.err("metadata", e))
            }
            Err(e) => Err(e),
        }
    }

    /// Works out where to resume (spec §3.8).
    pub async fn recover(&self) -> Result<Recovered> {
        let latest_offsets = self.offsets.latest().await?;
        let latest_commit = self.commits.latest().await?;
        match recovery::decide(latest_offsets, latest_commit) {
            StartDecision::Fresh => Ok(Recovered {
                next_batch_id: 0,
                committed: None,
                rerun: None,
                watermark_ms: 0,
            }),
            StartDecision::Continue { last } => {
                let committed = self.read_offsets(last).await?;
                let commit = self.read_commit(last).await?;
                let watermark_ms = committed
                    .metadata
                    .batch_watermark_ms
                    .max(commit.next_batch_watermark_ms);
                Ok(Recovered {
                    next_batch_id: last + 1,
                    committed: Some(committed),
                    rerun: None,
                    watermark_ms,
                })
            }
            StartDecision::Rerun { batch } => {
                let rerun = self.read_offsets(batch).await?;
                let committed = if batch == 0 {
                    None
                } else {
                    match self.offsets.get(&(batch - 1).to_string()).await? {
                        Some(t) => Some(
                            OffsetSeq::parse(&t)
                                .map_err(|e| self.err(&format!("offsets/{}", batch - 1), e))?,
                        ),
                        None => {
                            return Err(Error::Checkpoint {
                                path: self.loc.display(),
                                message: format!(
                                    "batch {} doesn't exist (needed to re-run batch {batch})",
                                    batch - 1
                                ),
                            })
                        }
                    }
                };
                let watermark_ms = rerun.metadata.batch_watermark_ms;
                Ok(Recovered {
                    next_batch_id: batch,
                    committed,
                    rerun: Some(rerun),
                    watermark_ms,
                })
            }
        }
    }

    /// Reads `offsets/N`.
    pub async fn read_offsets(&self, id: u64) -> Result<OffsetSeq> {
        let name = format!("offsets/{id}");
        let text = self
            .offsets
            .get(&id.to_string())
            .await?
            .ok_or_else(|| Error::Checkpoint {
                path: self.loc.display(),
                message: format!("{name} is missing"),
            })?;
        OffsetSeq::parse(&text).map_err(|e| self.err(&name, e))
    }

    /// Reads `commits/N`.
    pub async fn read_commit(&self, id: u64) -> Result<CommitMetadata> {
        let name = format!("commits/{id}");
        let text = self
            .commits
            .get(&id.to_string())
            .await?
            .ok_or_else(|| Error::Checkpoint {
                path: self.loc.display(),
                message: format!("{name} is missing"),
            })?;
        CommitMetadata::parse(&text).map_err(|e| self.err(&name, e))
    }

    /// Writes `offsets/N` (create-only: the write-ahead step).
    pub async fn write_offsets(&self, id: u64, seq: &OffsetSeq) -> Result<Created> {
        self.offsets
            .create(&id.to_string(), id, &seq.to_log_string())
            .await
    }

    /// Writes `commits/N` (create-only).
    pub async fn write_commit(&self, id: u64, commit: &CommitMetadata) -> Result<Created> {
        self.commits
            .create(&id.to_string(), id, &commit.to_log_string())
            .await
    }

    /// Deletes `offsets/` and `commits/` entries older than the retained window (spec §3.10).
    pub async fn purge(&self, current: u64, min_batches_to_retain: u64) -> Result<()> {
        if current > min_batches_to_retain {
            let below = current - min_batches_to_retain;
            self.offsets.delete_below(below).await?;
            self.commits.delete_below(below).await?;
        }
        Ok(())
    }

    fn err(&self, name: &str, e: format::FormatError) -> Error {
        Error::Checkpoint {
            path: format!("{}/{name}", self.loc.display()),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ckpt() -> Checkpoint {
        Checkpoint::new(
            Location::parse(&format!("memory:///ckpt/{}", uuid::Uuid::new_v4())).unwrap(),
        )
    }

    fn seq(ts: i64, off: i64) -> OffsetSeq {
        OffsetSeq {
            metadata: OffsetSeqMetadata {
                batch_watermark_ms: 0,
                batch_timestamp_ms: ts,
                conf: Default::default(),
            },
            offsets: vec![Some(json!({ "logOffset": off }))],
        }
    }

    #[tokio::test]
    async fn metadata_is_stable_across_starts() {
        let c = ckpt();
        let a = c.load_or_create_metadata().await.unwrap();
        let b = c.load_or_create_metadata().await.unwrap();
        assert_eq!(a, b);
    }

    #[tokio::test]
    async fn recovery_reruns_uncommitted_batch() {
        let c = ckpt();
        assert_eq!(c.recover().await.unwrap().next_batch_id, 0);
        c.write_offsets(0, &seq(10, 0)).await.unwrap();
        c.write_commit(
            0,
            &CommitMetadata {
                next_batch_watermark_ms: 0,
            },
        )
        .await
        .unwrap();
        c.write_offsets(1, &seq(20, 1)).await.unwrap();
        let r = c.recover().await.unwrap();
        assert_eq!(r.next_batch_id, 1);
        assert_eq!(r.rerun, Some(seq(20, 1)));
        assert_eq!(r.committed, Some(seq(10, 0)));
        c.write_commit(
            1,
            &CommitMetadata {
                next_batch_watermark_ms: 0,
            },
        )
        .await
        .unwrap();
        let r = c.recover().await.unwrap();
        assert_eq!((r.next_batch_id, r.rerun), (2, None));
    }
}
