//! The lease that keeps two live queries off one checkpoint.
//!
//! Spark relies on create-only writes alone, so a second query only fails when it writes its first
//! log entry. spate refuses at start instead, before writing anything: a live query holds
//! `_spate_lease.json` (create-only put) and renews it; a lease whose holder stopped renewing, or
//! whose process is gone on this host, is taken over. Spark ignores the file.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use object_store::{path::Path, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use super::log::read_string;
use crate::error::{Error, Result};

/// File name of the lease inside the checkpoint folder.
pub const LEASE_FILE: &str = "_spate_lease.json";

/// What the lease file says about its holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaseRecord {
    /// The holder's run id (new on every start).
    pub run_id: String,
    /// The holder's process id.
    pub pid: u32,
    /// The holder's host name.
    pub host: String,
    /// Until when the lease holds unless renewed (epoch ms).
    pub expires_at_ms: i64,
}

impl LeaseRecord {
    fn describe(&self) -> String {
        format!("run {} pid {} on {}", self.run_id, self.pid, self.host)
    }

    /// True if the holder can no longer be running: expired, or a dead process on this host.
    pub fn is_stale(&self, now_ms: i64, this_host: &str) -> bool {
        if now_ms > self.expires_at_ms {
            return true;
        }
        self.host == this_host && !process_alive(self.pid)
    }
}

/// A held lease; renewed in the background until released or dropped.
pub struct Lease {
    store: Arc<dyn ObjectStore>,
    path: Path,
    lost: Arc<AtomicBool>,
    renewer: tokio::task::JoinHandle<()>,
}

impl Lease {
    /// Takes the lease at `path` for `run_id`, or fails with `CheckpointInUse`.
    pub async fn acquire(
        store: Arc<dyn ObjectStore>,
        path: Path,
        run_id: &str,
        ttl: Duration,
    ) -> Result<Lease> {
        let host = host_name();
        let record = |now: i64| LeaseRecord {
            run_id: run_id.to_string(),
            pid: std::process::id(),
            host: host.clone(),
            expires_at_ms: now + ttl.as_millis() as i64,
        };
        for _ in 0..3 {
            let mine = record(now_ms());
            let body = serde_json::to_string(&mine).unwrap_or_default();
            let opts = PutOptions {
                mode: PutMode::Create,
                ..Default::default()
            };
            match store
                .put_opts(&path, PutPayload::from(Bytes::from(body)), opts)
                .await
            {
                Ok(_) => return Ok(Lease::start(store, path, mine, ttl)),
                Err(object_store::Error::AlreadyExists { .. }) => {
                    let Some(text) = read_string(store.as_ref(), &path).await? else {
                        continue;
                    };
                    let theirs: LeaseRecord = match serde_json::from_str(&text) {
                        Ok(r) => r,
                        // An unreadable lease (torn write) protects nobody: take it over.
                        Err(_) => {
                            delete_quietly(store.as_ref(), &path).await?;
                            continue;
                        }
                    };
                    if theirs.run_id == run_id || theirs.is_stale(now_ms(), &host) {
                        delete_quietly(store.as_ref(), &path).await?;
                        continue;
                    }
                    return Err(Error::CheckpointInUse {
                        path: path.to_string(),
                        holder: theirs.describe(),
                        expires: chrono::DateTime::from_timestamp_millis(theirs.expires_at_ms)
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_default(),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Checkpoint {
            path: path.to_string(),
            message: "could not take the lease after 3 attempts".into(),
        })
    }

    fn start(store: Arc<dyn ObjectStore>, path: Path, mine: LeaseRecord, ttl: Duration) -> Lease {
        let lost = Arc::new(AtomicBool::new(false));
        let (s, p, l) = (store.clone(), path.clone(), lost.clone());
        let renewer = tokio::spawn(async move {
            let every = ttl / 3;
            loop {
                tokio::time::sleep(every).await;
                match read_string(s.as_ref(), &p).await {
                    Ok(Some(text)) => {
                        let still_mine = serde_json::from_str::<LeaseRecord>(&text)
                            .is_ok_and(|r| r.run_id == mine.run_id);
                        if !still_mine {
                            l.store(true, Ordering::SeqCst);
                            return;
                        }
                    }
                    Ok(None) => {
                        l.store(true, Ordering::SeqCst);
                        return;
                    }
                    // A storage hiccup: try again at the next renewal; expiry covers long outages.
                    Err(_) => continue,
                }
                let renewed = LeaseRecord {
                    expires_at_ms: now_ms() + ttl.as_millis() as i64,
                    ..mine.clone()
                };
                let body = serde_json::to_string(&renewed).unwrap_or_default();
                let _ = s.put(&p, PutPayload::from(Bytes::from(body))).await;
            }
        });
        Lease {
            store,
            path,
            lost,
            renewer,
        }
    }

    /// True if another run took the lease over (we stalled past its expiry).
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Stops renewing and deletes the lease file.
    pub async fn release(self) -> Result<()> {
        self.renewer.abort();
        if !self.is_lost() {
            delete_quietly(self.store.as_ref(), &self.path).await?;
        }
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

async fn delete_quietly(store: &dyn ObjectStore, path: &Path) -> Result<()> {
    match store.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

fn process_alive(pid: u32) -> bool {
    // Without /proc (not Linux) we cannot tell: assume alive and let expiry decide.
    if !std::path::Path::new("/proc/self").exists() {
        return true;
    }
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn second_holder_is_refused_until_release() {
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let path = Path::from("ckpt/_spate_lease.json");
        let a = Lease::acquire(
            store.clone(),
            path.clone(),
            "run-a",
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let b = Lease::acquire(
            store.clone(),
            path.clone(),
            "run-b",
            Duration::from_secs(30),
        )
        .await;
        assert!(matches!(b, Err(Error::CheckpointInUse { .. })));
        a.release().await.unwrap();
        let b = Lease::acquire(
            store.clone(),
            path.clone(),
            "run-b",
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        b.release().await.unwrap();
    }

    #[test]
    fn stale_when_expired_or_dead_here() {
        let r = LeaseRecord {
            run_id: "x".into(),
            pid: std::process::id(),
            host: "h".into(),
            expires_at_ms: 1000,
        };
        assert!(r.is_stale(2000, "h"));
        assert!(!r.is_stale(500, "h"));
        let dead = LeaseRecord {
            pid: u32::MAX - 1,
            ..r.clone()
        };
        assert!(dead.is_stale(500, "h"));
        assert!(!dead.is_stale(500, "other-host"));
    }
}
