//! One background fetch loop per shard: GetRecords into a bounded buffer a trigger takes from.
//!
//! ```text
//!  GetShardIterator(from) ─► GetRecords ─► pending ──(caught up, maxFetchDuration, full)──► buffer
//!        ▲                     │  ▲                                                      │
//!        └─ expired: after the │  └─ no more often than minFetchPeriod / maxFetchRate      ▼
//!           last record read   └─ throttled: back off                     a trigger takes (start, end]
//! ```
//! The loop pauses while the buffer holds `fetchBufferSize`, so memory stays bounded however far
//! behind the query is. Data landing in the buffer bumps the query's wake signal.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};

use super::client::{backoff, CallError, KinesisClient, KinesisRecord};
use super::offsets::{SequenceNumber, ShardKey, ShardPosition};
use super::options::KinesisOptions;

/// Transient errors (network, 5xx) in a row before the loop gives up and fails the query.
const MAX_TRANSIENT_ATTEMPTS: u32 = 10;
/// How long the loop sleeps waiting for room before looking again (a missed wake-up costs no more).
const ROOM_POLL: Duration = Duration::from_millis(500);

/// The fetch settings every shard's loop shares.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Records per GetRecords call.
    pub limit: i32,
    /// Least time between two calls.
    pub min_period: Duration,
    /// Bytes per second the loop stays under (`maxFetchRate`).
    pub bytes_per_second: f64,
    /// Longest time fetched records wait before a trigger can take them.
    pub max_fetch_duration: Duration,
    /// Bytes the buffer may hold before the loop pauses.
    pub buffer_bytes: u64,
}

impl FetchConfig {
    /// The settings `read_kinesis` was given.
    pub fn from_options(o: &KinesisOptions) -> Self {
        FetchConfig {
            limit: o.max_records_per_fetch,
            min_period: o.min_fetch_period,
            bytes_per_second: o.max_fetch_rate_mb * 1_000_000.0,
            max_fetch_duration: o.max_fetch_duration,
            buffer_bytes: o.fetch_buffer_bytes,
        }
    }
}

/// What a shard's loop has delivered so far.
#[derive(Debug, Default)]
pub struct FeedState {
    /// Fetched records no batch has taken yet, oldest first.
    records: VecDeque<KinesisRecord>,
    bytes: u64,
    /// Every record up to SHARD_END is in `records` (or was taken).
    pub ended: bool,
    /// At SHARD_END: the children and their parents (GetRecords' `ChildShards`).
    pub children: Vec<(String, Vec<String>)>,
    /// When a GetRecords call last found nothing newer to return.
    pub caught_up_at: Option<Instant>,
    /// Why the loop stopped, if it failed.
    pub error: Option<String>,
}

impl FeedState {
    /// The newest record in the buffer.
    pub fn last_sequence(&self) -> Option<&SequenceNumber> {
        self.records.back().map(|r| &r.sequence)
    }
}

struct Shared {
    state: Mutex<FeedState>,
    /// A batch took records: there may be room again.
    room: Notify,
    /// Records, an end or an error arrived.
    arrived: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FeedState> {
        // A panic while holding the lock leaves plain data behind, still consistent enough to read.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A shard's fetch loop and its buffer; dropping it stops the loop.
pub struct Feed {
    /// The shard.
    pub key: ShardKey,
    /// Where the loop started reading.
    pub started_from: ShardPosition,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Feed {
    /// Starts reading `key` from `from` in the background.
    pub fn spawn(
        client: KinesisClient,
        key: ShardKey,
        from: ShardPosition,
        cfg: FetchConfig,
        wake: watch::Sender<u64>,
    ) -> Feed {
        let shared = Arc::new(Shared {
            state: Mutex::new(FeedState::default()),
            room: Notify::new(),
            arrived: Notify::new(),
        });
        let task = tokio::spawn(
            Loop {
                client,
                key: key.clone(),
                cfg,
                shared: shared.clone(),
                wake,
            }
            .run(from.clone()),
        );
        Feed {
            key,
            started_from: from,
            shared,
            task,
        }
    }

    /// Reads the loop's state under its lock.
    pub fn with_state<T>(&self, f: impl FnOnce(&FeedState) -> T) -> T {
        f(&self.shared.lock())
    }

    /// Takes the buffered records up to and including `through` (all of them for None).
    pub fn take_through(&self, through: Option<&SequenceNumber>) -> Vec<KinesisRecord> {
        let mut st = self.shared.lock();
        let n = match through {
            Some(end) => st.records.iter().take_while(|r| r.sequence <= *end).count(),
            None => st.records.len(),
        };
        let taken: Vec<KinesisRecord> = st.records.drain(..n).collect();
        st.bytes -= taken.iter().map(|r| r.data.len() as u64).sum::<u64>();
        drop(st);
        self.shared.room.notify_one();
        taken
    }

    /// Waits until something arrives or `max` passes.
    pub async fn wait_for_arrival(&self, max: Duration) {
        let _ = tokio::time::timeout(max, self.shared.arrived.notified()).await;
    }
}

struct Loop {
    client: KinesisClient,
    key: ShardKey,
    cfg: FetchConfig,
    shared: Arc<Shared>,
    wake: watch::Sender<u64>,
}

/// Records fetched but not yet handed to the buffer.
#[derive(Default)]
struct Pending {
    records: Vec<KinesisRecord>,
    bytes: u64,
    since: Option<Instant>,
}

impl Loop {
    async fn run(self, from: ShardPosition) {
        let mut last: Option<SequenceNumber> = None;
        let mut iterator: Option<String> = None;
        let mut pending = Pending::default();
        let mut attempt = 0u32;
        let mut next_call = Instant::now();
        loop {
            let result = match &iterator {
                None => {
                    // A fresh iterator, or a renewed one after expiry: continue after the last record
                    // fetched, never re-reading or skipping one.
                    let pos = last
                        .clone()
                        .map(ShardPosition::After)
                        .unwrap_or(from.clone());
                    self.client
                        .shard_iterator(&self.key, &pos)
                        .await
                        .map(|it| iterator = Some(it))
                }
                Some(it) => {
                    self.wait_for_room(&mut pending).await;
                    tokio::time::sleep_until(next_call.into()).await;
                    let called = Instant::now();
                    match self.client.get_records(it, self.cfg.limit).await {
                        Ok(f) => {
                            let bytes: u64 = f.records.iter().map(|r| r.data.len() as u64).sum();
                            // maxFetchRate: a large answer earns a longer pause before the next call.
                            let by_rate =
                                Duration::from_secs_f64(bytes as f64 / self.cfg.bytes_per_second);
                            next_call = called + self.cfg.min_period.max(by_rate);
                            if let Some(r) = f.records.last() {
                                last = Some(r.sequence.clone());
                            }
                            // At the tip: publish now. Caught up (for AvailableNow): an empty
                            // answer at the tip; records sharing the newest arrival millisecond
                            // also say 0 ms behind while more of them wait.
                            let at_tip = f.millis_behind_latest.unwrap_or(0) == 0;
                            let caught_up = at_tip && f.records.is_empty();
                            if !f.records.is_empty() && pending.since.is_none() {
                                pending.since = Some(Instant::now());
                            }
                            pending.bytes += bytes;
                            pending.records.extend(f.records);
                            match f.next_iterator {
                                None => {
                                    self.publish(&mut pending, true, Some(f.children));
                                    return;
                                }
                                Some(next) => iterator = Some(next),
                            }
                            let waited = pending
                                .since
                                .is_some_and(|s| s.elapsed() >= self.cfg.max_fetch_duration);
                            if at_tip || waited || pending.bytes >= self.cfg.buffer_bytes {
                                self.publish(&mut pending, caught_up, None);
                            }
                            Ok(())
                        }
                        Err(CallError::ExpiredIterator) => {
                            iterator = None;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
            };
            match result {
                Ok(()) => attempt = 0,
                Err(CallError::Throttled(m)) => {
                    // Kinesis' answer to more than 5 reads/s or 2 MB/s on a shard: wait it out.
                    let wait = backoff(self.cfg.min_period, attempt);
                    tracing::debug!(shard = %self.key, ms = wait.as_millis() as u64, "throttled: {m}");
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(CallError::Transient(m)) if attempt < MAX_TRANSIENT_ATTEMPTS => {
                    let wait = backoff(Duration::from_millis(200), attempt);
                    tracing::warn!(shard = %self.key, attempt, "Kinesis call failed, retrying in {} ms: {m}", wait.as_millis());
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    self.fail(e.message().to_string());
                    return;
                }
            }
        }
    }

    /// Pauses while the buffer is full, handing over what is pending first.
    async fn wait_for_room(&self, pending: &mut Pending) {
        loop {
            let held = self.shared.lock().bytes;
            if held + pending.bytes < self.cfg.buffer_bytes {
                return;
            }
            if !pending.records.is_empty() {
                self.publish(pending, false, None);
                continue;
            }
            let _ = tokio::time::timeout(ROOM_POLL, self.shared.room.notified()).await;
        }
    }

    fn publish(
        &self,
        pending: &mut Pending,
        caught_up: bool,
        ended_with: Option<Vec<(String, Vec<String>)>>,
    ) {
        let had_records = !pending.records.is_empty();
        {
            let mut st = self.shared.lock();
            st.bytes += pending.bytes;
            st.records.extend(pending.records.drain(..));
            if caught_up || ended_with.is_some() {
                st.caught_up_at = Some(Instant::now());
            }
            if let Some(children) = ended_with.as_ref() {
                st.ended = true;
                st.children = children.clone();
            }
        }
        *pending = Pending::default();
        self.shared.arrived.notify_waiters();
        if had_records || ended_with.is_some() {
            self.wake.send_modify(|v| *v = v.wrapping_add(1));
        }
    }

    fn fail(&self, message: String) {
        tracing::error!(shard = %self.key, "fetching stopped: {message}");
        self.shared.lock().error = Some(message);
        self.shared.arrived.notify_waiters();
        self.wake.send_modify(|v| *v = v.wrapping_add(1));
    }
}
