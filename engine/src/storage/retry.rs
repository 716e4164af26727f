//! Retries with exponential backoff around every store spate uses (checkpoint, sources, Delta tables).
//!
//! object_store retries 5xx answers inside one HTTP request, but not a timed-out create-only PUT
//! (not idempotent), not an error in the middle of a listing, and never on a local filesystem.
//! This layer retries whole calls that failed transiently, logs each retry at warn, and resolves
//! the one ambiguous case a retry creates: a create-only PUT whose first attempt landed but whose
//! reply was lost answers the retry with "already exists". Reading the object back and comparing
//! bytes tells our own write (success) from another writer's (a real conflict).
//!
//! ```text
//!  caller ─► RetryStore ─► [FaultStore, test builds] ─► LocalFileSystem | AmazonS3 | InMemory
//!              │ transient error: sleep 100ms, 200ms, ... (cap 3 s), up to 6 attempts
//!              │ Create + AlreadyExists after a retry: GET, same bytes ⇒ Ok
//!              ▼ permanent error (denied, not found, precondition, ...) or attempts used up ⇒ Err
//! ```

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    CopyMode, CopyOptions, Error, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, ObjectStoreExt, PutMode, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    RenameOptions, Result,
};

/// How often and how patiently a failed storage call is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first one included.
    pub attempts: u32,
    /// Sleep before the first retry; doubled for each further one.
    pub first_delay: Duration,
    /// Upper bound of one sleep.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts over about 3 s: rides out a blip without hiding an outage for long.
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(3),
        }
    }
}

impl RetryPolicy {
    /// The sleep before retry number `retry` (0-based), with up to 25% jitter so that several
    /// writers that failed together do not retry in lock step.
    pub fn delay(&self, retry: u32) -> Duration {
        let base = self
            .first_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = base.mul_f64(f64::from(nanos % 1000) / 4000.0);
        base + jitter
    }
}

/// True if trying the same call again may succeed: network errors, timeouts, 5xx after the
/// client's own retries, task join errors. Answers about the object itself (not found, exists,
/// precondition) and about the caller (denied, unauthenticated, bad configuration) are permanent.
pub fn is_transient(e: &Error) -> bool {
    match e {
        Error::Generic { source, .. } => !has_permanent_io_cause(source.as_ref()),
        Error::JoinError { .. } => true,
        _ => false,
    }
}

/// A local filesystem reports "permission denied" or "read-only" as a generic error; retrying won't help.
fn has_permanent_io_cause(e: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::*;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                PermissionDenied | ReadOnlyFilesystem | InvalidInput | StorageFull | QuotaExceeded
            ) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

/// The last error of a call that failed on every attempt, saying so.
#[derive(Debug)]
pub struct GaveUp {
    /// The operation (`put`, `get`, `list`, ...).
    pub op: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// The error of the last attempt.
    pub last: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed {} times, giving up: {}",
            self.op, self.attempts, self.last
        )
    }
}

impl std::error::Error for GaveUp {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.last.as_ref())
    }
}

/// An object store that retries transient failures of the store it wraps.
#[derive(Debug)]
pub struct RetryStore {
    inner: Arc<dyn ObjectStore>,
    policy: RetryPolicy,
}

impl RetryStore {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: Arc<dyn ObjectStore>, policy: RetryPolicy) -> Self {
        RetryStore { inner, policy }
    }

    /// Runs `call` until it succeeds, fails permanently, or the attempts are used up.
    /// Returns the result and the number of attempts made.
    async fn retry<T, F, Fut>(&self, op: &'static str, path: &str, call: F) -> (Result<T>, u32)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        retry_loop(self.policy, op, path, call).await
    }

    /// After a retried create-only write answered "already exists": our own earlier attempt
    /// landed if the object holds exactly our bytes.
    async fn resolve_existing(
        &self,
        location: &Path,
        payload: &PutPayload,
        err: Error,
    ) -> Result<PutResult> {
        let (got, _) = self
            .retry("get", location.as_ref(), || async {
                self.inner.get(location).await?.bytes().await
            })
            .await;
        let existing = match got {
            Ok(b) => b,
            // Gone again (deleted since): we cannot prove it was ours, so report the conflict.
            Err(Error::NotFound { .. }) => return Err(err),
            Err(e) => return Err(e),
        };
        let ours = Bytes::from(payload.clone());
        if existing == ours {
            tracing::warn!(path = %location, "a retried create found its own earlier write (the first reply was lost); treating it as done");
            let meta = self.head_retried(location).await?;
            Ok(PutResult {
                e_tag: meta.e_tag,
                version: meta.version,
            })
        } else {
            Err(err)
        }
    }

    async fn head_retried(&self, location: &Path) -> Result<ObjectMeta> {
        self.retry("head", location.as_ref(), || self.inner.head(location))
            .await
            .0
    }

    async fn exists(&self, location: &Path) -> Result<bool> {
        match self.head_retried(location).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

async fn retry_loop<T, F, Fut>(
    policy: RetryPolicy,
    op: &'static str,
    path: &str,
    mut call: F,
) -> (Result<T>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(v) => return (Ok(v), attempt),
            Err(e) if is_transient(&e) && attempt < policy.attempts => {
                let delay = policy.delay(attempt - 1);
                tracing::warn!(op, path, attempt, delay_ms = delay.as_millis() as u64, error = %e, "storage call failed; retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            Err(e) if is_transient(&e) && attempt > 1 => {
                return (Err(gave_up(op, attempt, e)), attempt)
            }
            Err(e) => return (Err(e), attempt),
        }
    }
}

/// Keeps the error's kind (so callers still match on it) and adds how hard we tried.
fn gave_up(op: &'static str, attempts: u32, e: Error) -> Error {
    match e {
        Error::Generic { store, source } => Error::Generic {
            store,
            source: Box::new(GaveUp {
                op,
                attempts,
                last: source,
            }),
        },
        Error::JoinError { source } => Error::Generic {
            store: "retry",
            source: Box::new(GaveUp {
                op,
                attempts,
                last: Box::new(source),
            }),
        },
        other => other,
    }
}

impl fmt::Display for RetryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Retrying({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for RetryStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        let (res, attempts) = self
            .retry("put", location.as_ref(), || {
                self.inner.put_opts(location, payload.clone(), opts.clone())
            })
            .await;
        match (res, &opts.mode) {
            // Only a retry makes "already exists" ambiguous; on the first attempt it is the truth
            // (the checkpoint log reads back by itself, to tell a re-run from another writer).
            (Err(e @ Error::AlreadyExists { .. }), PutMode::Create) if attempts > 1 => {
                self.resolve_existing(location, &payload, e).await
            }
            // Our first conditional update landed and changed the e-tag the retry was conditioned on.
            (Err(e @ Error::Precondition { .. }), PutMode::Update(_)) if attempts > 1 => {
                self.resolve_existing(location, &payload, e).await
            }
            (res, _) => res,
        }
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        // Only starting the upload is retried here: a part cannot be re-sent through the
        // MultipartUpload trait without changing its number, and the HTTP client retries parts.
        self.retry("put_multipart", location.as_ref(), || {
            self.inner.put_multipart_opts(location, opts.clone())
        })
        .await
        .0
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let op = if options.head { "head" } else { "get" };
        self.retry(op, location.as_ref(), || {
            self.inner.get_opts(location, options.clone())
        })
        .await
        .0
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.retry("get_ranges", location.as_ref(), || {
            self.inner.get_ranges(location, ranges)
        })
        .await
        .0
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let inner = self.inner.clone();
        let policy = self.policy;
        // Deletes are idempotent, so a failed chunk is simply sent again. A retry that finds an
        // object gone proves an earlier attempt deleted it.
        locations
            .ready_chunks(1000)
            .then(move |chunk| {
                let inner = inner.clone();
                async move { delete_chunk(inner, policy, chunk).await }
            })
            .flat_map(stream::iter)
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let inner = self.inner.clone();
        let prefix = prefix.cloned();
        let shown = prefix.as_ref().map(|p| p.to_string()).unwrap_or_default();
        self.listed(shown, move || inner.list(prefix.as_ref()))
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let inner = self.inner.clone();
        let prefix = prefix.cloned();
        let offset = offset.clone();
        let shown = prefix.as_ref().map(|p| p.to_string()).unwrap_or_default();
        self.listed(shown, move || {
            inner.list_with_offset(prefix.as_ref(), &offset)
        })
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let p = prefix.map(|p| p.to_string()).unwrap_or_default();
        self.retry("list", &p, || self.inner.list_with_delimiter(prefix))
            .await
            .0
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        let (res, attempts) = self
            .retry("copy", to.as_ref(), || {
                self.inner.copy_opts(from, to, options.clone())
            })
            .await;
        match (res, &options.mode) {
            // A retried copy-if-not-exists that finds the target holding the source's bytes did it.
            (Err(e @ Error::AlreadyExists { .. }), CopyMode::Create) if attempts > 1 => {
                let src = self
                    .retry("get", from.as_ref(), || async {
                        self.inner.get(from).await?.bytes().await
                    })
                    .await
                    .0?;
                let dst = self
                    .retry("get", to.as_ref(), || async {
                        self.inner.get(to).await?.bytes().await
                    })
                    .await
                    .0?;
                if src == dst {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            (res, _) => res,
        }
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        let (res, attempts) = self
            .retry("rename", to.as_ref(), || {
                self.inner.rename_opts(from, to, options.clone())
            })
            .await;
        match res {
            Err(e @ (Error::NotFound { .. } | Error::AlreadyExists { .. })) if attempts > 1 => {
                // The source is gone and the target is there: an earlier attempt moved it.
                if !self.exists(from).await? && self.exists(to).await? {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            res => res,
        }
    }
}

impl RetryStore {
    /// A listing, collected in full and retried from the start on a transient error, so a
    /// caller never sees half a listing followed by an error.
    fn listed<F>(&self, prefix: String, start: F) -> BoxStream<'static, Result<ObjectMeta>>
    where
        F: Fn() -> BoxStream<'static, Result<ObjectMeta>> + Send + Sync + 'static,
    {
        let policy = self.policy;
        stream::once(async move {
            let (res, _) =
                retry_loop(policy, "list", &prefix, || start().try_collect::<Vec<_>>()).await;
            match res {
                Ok(items) => stream::iter(items.into_iter().map(Ok)).boxed(),
                Err(e) => stream::iter(vec![Err(e)]).boxed(),
            }
        })
        .flatten()
        .boxed()
    }
}

async fn delete_chunk(
    inner: Arc<dyn ObjectStore>,
    policy: RetryPolicy,
    chunk: Vec<Result<Path>>,
) -> Vec<Result<Path>> {
    let mut out = Vec::with_capacity(chunk.len());
    let mut paths = Vec::with_capacity(chunk.len());
    for item in chunk {
        match item {
            Ok(p) => paths.push(p),
            Err(e) => out.push(Err(e)),
        }
    }
    if paths.is_empty() {
        return out;
    }
    let first = paths.first().map(|p| p.to_string()).unwrap_or_default();
    let mut attempt = 1;
    let (res, _) = retry_loop(policy, "delete", &first, || {
        let inner = inner.clone();
        let paths = paths.clone();
        let retried = attempt > 1;
        attempt += 1;
        async move {
            let input = stream::iter(paths.clone().into_iter().map(Ok)).boxed();
            let results: Vec<Result<Path>> = inner.delete_stream(input).collect().await;
            let mut done = Vec::with_capacity(results.len());
            for r in results {
                match r {
                    Err(e) if is_transient(&e) => return Err(e),
                    // On a retry, "not found" means an earlier attempt deleted it.
                    Err(Error::NotFound { .. }) if retried => {}
                    other => done.push(other),
                }
            }
            if retried {
                // Results carry no order; keep one per input path, errors first.
                let missing = paths.len().saturating_sub(done.len());
                done.extend(paths.into_iter().take(missing).map(Ok));
            }
            Ok(done)
        }
    })
    .await;
    match res {
        Ok(results) => out.extend(results),
        Err(e) => {
            // One error per path keeps "one result per input", which `delete` relies on.
            let msg = e.to_string();
            out.push(Err(e));
            for _ in 1..paths.len() {
                out.push(Err(Error::Generic {
                    store: "retry",
                    source: msg.clone().into(),
                }));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::faults::{FaultConfig, FaultStore};
    use object_store::memory::InMemory;

    fn quick() -> RetryPolicy {
        RetryPolicy {
            attempts: 12,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        }
    }

    fn faulty(spec: &str) -> (Arc<InMemory>, RetryStore) {
        let mem = Arc::new(InMemory::new());
        let cfg = FaultConfig::parse(spec).unwrap();
        let store = RetryStore::new(Arc::new(FaultStore::new(mem.clone(), cfg)), quick());
        (mem, store)
    }

    fn create() -> PutOptions {
        PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn lost_reply_on_create_resolves_by_reading_back() {
        // Every first call loses its reply; the retry finds our bytes and succeeds.
        let (mem, store) = faulty("1.0,seed=1,kinds=lost,max=1");
        let p = Path::from("ckpt/offsets/0");
        store
            .put_opts(&p, PutPayload::from("v1"), create())
            .await
            .unwrap();
        assert_eq!(
            mem.get(&p).await.unwrap().bytes().await.unwrap(),
            Bytes::from("v1")
        );
        // Someone else's bytes are still a conflict.
        let q = Path::from("ckpt/offsets/1");
        mem.put(&q, PutPayload::from("theirs")).await.unwrap();
        let err = store
            .put_opts(&q, PutPayload::from("ours"), create())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    }

    #[tokio::test]
    async fn first_attempt_already_exists_is_reported() {
        let (mem, store) = faulty("0.0");
        let p = Path::from("a");
        mem.put(&p, PutPayload::from("x")).await.unwrap();
        assert!(matches!(
            store.put_opts(&p, PutPayload::from("x"), create()).await,
            Err(Error::AlreadyExists { .. })
        ));
    }

    #[tokio::test]
    async fn transient_faults_are_retried_until_success() {
        let (mem, store) = faulty("0.3,seed=3,kinds=error+timeout+lost,delay=1ms");
        for i in 0..40 {
            let p = Path::from(format!("dir/f{i}"));
            store
                .put(&p, PutPayload::from(format!("{i}")))
                .await
                .unwrap();
            assert_eq!(
                store.get(&p).await.unwrap().bytes().await.unwrap(),
                Bytes::from(format!("{i}"))
            );
        }
        let listed: Vec<_> = store
            .list(Some(&Path::from("dir")))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(listed.len(), 40);
        let names: Vec<_> = store
            .list_with_delimiter(Some(&Path::from("dir")))
            .await
            .unwrap()
            .objects;
        assert_eq!(names.len(), 40);
        for i in 0..40 {
            store
                .delete(&Path::from(format!("dir/f{i}")))
                .await
                .unwrap();
        }
        assert_eq!(mem.list(None).count().await, 0);
    }

    #[tokio::test]
    async fn total_outage_gives_up_with_a_clear_error() {
        let (_, store) = faulty("1.0,kinds=error");
        let err = store
            .put(&Path::from("x"), PutPayload::from("x"))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Generic { .. }));
        assert!(
            text.contains("failed 12 times, giving up") && text.contains("injected"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let (_, store) = faulty("1.0,kinds=denied");
        let err = store.get(&Path::from("x")).await.unwrap_err();
        assert!(matches!(err, Error::PermissionDenied { .. }), "{err}");
        assert!(!err.to_string().contains("giving up"));
    }
}
