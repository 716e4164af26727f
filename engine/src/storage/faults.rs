//! A fault-injecting object store for tests: errors, timeouts, slow calls, denied access, and
//! writes that land but whose reply is lost, on a chosen fraction of calls.
//!
//! Armed in test builds (cargo feature `fault-injection`) by an environment variable:
//!
//! ```text
//! SPATE_STORE_FAULTS=<rate>[,seed=N][,kinds=error+timeout+slow+lost+denied][,delay=200ms]
//!                          [,ops=put+get+head+list+delete+copy+rename][,path=SUBSTRING][,max=N]
//!   rate   fraction of calls that fail, 0.0 ..= 1.0
//!   seed   makes the choice of calls deterministic (default 0)
//!   kinds  what a fault does (default error+timeout+slow+lost):
//!            error   fails at once (transient)        timeout  waits `delay`, then fails (transient)
//!            slow    waits `delay`, then succeeds     lost     does the call, then fails (transient)
//!            denied  fails with "permission denied" (permanent)
//!   ops    which calls may fail (default all)   path  only paths containing SUBSTRING
//!   max    at most N faults per call site (op + path); e.g. max=1 fails each call's first try only
//! ```
//!
//! Whether a call fails depends on (seed, operation, path, how many times this operation was
//! called on this path before), not on timing, so a run with the same seed and the same calls
//! sees the same faults even though spate's tasks interleave differently.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream};
use futures::StreamExt;
use object_store::path::Path;
use object_store::{
    CopyOptions, Error, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};

/// The environment variable that arms fault injection (honoured only with feature `fault-injection`).
pub const FAULTS_ENV: &str = "SPATE_STORE_FAULTS";

/// What an injected fault does to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Fails at once with a transient error; nothing happens.
    Error,
    /// Waits the configured delay, then fails with a transient "timed out"; nothing happens.
    Timeout,
    /// Waits the configured delay, then performs the call normally.
    Slow,
    /// Performs the call, then fails with a transient error: the write landed, the reply was lost.
    Lost,
    /// Fails with `PermissionDenied`, a permanent error; nothing happens.
    Denied,
}

impl FaultKind {
    fn parse(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "error" => FaultKind::Error,
            "timeout" => FaultKind::Timeout,
            "slow" => FaultKind::Slow,
            "lost" => FaultKind::Lost,
            "denied" => FaultKind::Denied,
            other => {
                return Err(format!(
                    "unknown fault kind '{other}' (error, timeout, slow, lost, denied)"
                ))
            }
        })
    }
}

/// Which faults to inject, where, and how often.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// Fraction of eligible calls that get a fault.
    pub rate: f64,
    /// Seed of the deterministic choice.
    pub seed: u64,
    /// Fault kinds, chosen among evenly.
    pub kinds: Vec<FaultKind>,
    /// Delay of `timeout` and `slow` faults.
    pub delay: Duration,
    /// Operations that may fail (empty: all).
    pub ops: Vec<String>,
    /// Only paths containing this text may fail.
    pub path: Option<String>,
    /// At most this many faults per call site (operation + path).
    pub max_per_call: Option<u64>,
}

const OPS: [&str; 7] = ["put", "get", "head", "list", "delete", "copy", "rename"];

impl FaultConfig {
    /// Parses `<rate>[,key=value...]` (see the module docs).
    pub fn parse(spec: &str) -> std::result::Result<Self, String> {
        let mut parts = spec.split(',').map(str::trim);
        let rate_text = parts.next().unwrap_or_default();
        let rate: f64 = rate_text
            .parse()
            .map_err(|_| format!("{FAULTS_ENV}: '{rate_text}' is not a rate between 0 and 1"))?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("{FAULTS_ENV}: rate {rate} is not between 0 and 1"));
        }
        let mut cfg = FaultConfig {
            rate,
            seed: 0,
            kinds: vec![
                FaultKind::Error,
                FaultKind::Timeout,
                FaultKind::Slow,
                FaultKind::Lost,
            ],
            delay: Duration::from_millis(200),
            ops: vec![],
            path: None,
            max_per_call: None,
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{FAULTS_ENV}: expected key=value, got '{part}'"))?;
            match key {
                "seed" => {
                    cfg.seed = value
                        .parse()
                        .map_err(|_| format!("{FAULTS_ENV}: bad seed '{value}'"))?
                }
                "kinds" => {
                    cfg.kinds = value
                        .split('+')
                        .map(FaultKind::parse)
                        .collect::<std::result::Result<_, _>>()?
                }
                "delay" => {
                    let ms = value.trim_end_matches("ms");
                    cfg.delay = Duration::from_millis(ms.parse().map_err(|_| {
                        format!("{FAULTS_ENV}: bad delay '{value}' (milliseconds)")
                    })?);
                }
                "ops" => {
                    cfg.ops = value.split('+').map(str::to_string).collect();
                    if let Some(bad) = cfg.ops.iter().find(|o| !OPS.contains(&o.as_str())) {
                        return Err(format!(
                            "{FAULTS_ENV}: unknown operation '{bad}' ({})",
                            OPS.join(", ")
                        ));
                    }
                }
                "path" => cfg.path = Some(value.to_string()),
                "max" => {
                    cfg.max_per_call = Some(
                        value
                            .parse()
                            .map_err(|_| format!("{FAULTS_ENV}: bad max '{value}'"))?,
                    )
                }
                other => return Err(format!("{FAULTS_ENV}: unknown setting '{other}'")),
            }
        }
        if cfg.kinds.is_empty() {
            return Err(format!("{FAULTS_ENV}: no fault kinds"));
        }
        Ok(cfg)
    }

    /// The configuration in `SPATE_STORE_FAULTS`, if set and not empty.
    pub fn from_env() -> std::result::Result<Option<Self>, String> {
        match std::env::var(FAULTS_ENV) {
            Ok(v) if !v.trim().is_empty() => Self::parse(&v).map(Some),
            _ => Ok(None),
        }
    }
}

/// Call counts per call site, shared with the streams a store hands out.
#[derive(Debug)]
struct Dice {
    cfg: FaultConfig,
    calls: Mutex<HashMap<String, (u64, u64)>>,
}

impl Dice {
    /// The fault for this call, if any.
    fn roll(&self, op: &'static str, path: &str) -> Option<FaultKind> {
        if !self.cfg.ops.is_empty() && !self.cfg.ops.iter().any(|o| o == op) {
            return None;
        }
        if self.cfg.path.as_deref().is_some_and(|p| !path.contains(p)) {
            return None;
        }
        let key = format!("{op} {path}");
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let (n, faults) = calls.entry(key.clone()).or_insert((0, 0));
        *n += 1;
        if self.cfg.max_per_call.is_some_and(|m| *faults >= m) {
            return None;
        }
        let h = mix(fnv1a(self.cfg.seed, key.as_bytes()) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        if u >= self.cfg.rate {
            return None;
        }
        *faults += 1;
        let kind = self.cfg.kinds[(mix(h) % self.cfg.kinds.len() as u64) as usize];
        tracing::debug!(op, path, ?kind, "injecting a storage fault");
        Some(kind)
    }

    fn error(&self, kind: FaultKind, op: &'static str, path: &str) -> Error {
        let what = match kind {
            FaultKind::Timeout => "timeout",
            FaultKind::Lost => "lost reply (the call took effect)",
            _ => "error",
        };
        match kind {
            FaultKind::Denied => Error::PermissionDenied {
                path: path.to_string(),
                source: format!("injected: access denied on {op}").into(),
            },
            _ => Error::Generic {
                store: "FaultStore",
                source: format!("injected {what} on {op} {path}").into(),
            },
        }
    }
}

/// FNV-1a over `bytes`, started from `seed`.
fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// SplitMix64's finaliser: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An object store that injects faults into the calls it passes on.
#[derive(Debug)]
pub struct FaultStore {
    inner: Arc<dyn ObjectStore>,
    dice: Arc<Dice>,
}

impl FaultStore {
    /// Wraps `inner`, injecting faults as `cfg` says.
    pub fn new(inner: Arc<dyn ObjectStore>, cfg: FaultConfig) -> Self {
        FaultStore {
            inner,
            dice: Arc::new(Dice {
                cfg,
                calls: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Runs `call` through the fault chosen for (`op`, `path`).
    async fn inject<T, F>(&self, op: &'static str, path: &str, call: F) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let Some(kind) = self.dice.roll(op, path) else {
            return call.await;
        };
        match kind {
            FaultKind::Slow => {
                tokio::time::sleep(self.dice.cfg.delay).await;
                call.await
            }
            FaultKind::Timeout => {
                tokio::time::sleep(self.dice.cfg.delay).await;
                Err(self.dice.error(kind, op, path))
            }
            FaultKind::Lost => {
                // A failed call had no effect to lose: report its own error.
                call.await?;
                Err(self.dice.error(kind, op, path))
            }
            FaultKind::Error | FaultKind::Denied => Err(self.dice.error(kind, op, path)),
        }
    }

    /// A listing through the fault chosen for it; `lost` cuts the listing short with an error.
    fn inject_list(
        &self,
        path: &str,
        inner: BoxStream<'static, Result<ObjectMeta>>,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let Some(kind) = self.dice.roll("list", path) else {
            return inner;
        };
        let delay = self.dice.cfg.delay;
        let err = self.dice.error(kind, "list", path);
        match kind {
            FaultKind::Slow => stream::once(async move {
                tokio::time::sleep(delay).await;
                inner
            })
            .flatten()
            .boxed(),
            FaultKind::Timeout => stream::once(async move {
                tokio::time::sleep(delay).await;
                Err(err)
            })
            .boxed(),
            FaultKind::Lost => inner
                .take(1)
                .chain(stream::once(async move { Err(err) }))
                .boxed(),
            FaultKind::Error | FaultKind::Denied => stream::once(async move { Err(err) }).boxed(),
        }
    }
}

impl fmt::Display for FaultStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Faults({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for FaultStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inject(
            "put",
            location.as_ref(),
            self.inner.put_opts(location, payload, opts),
        )
        .await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inject(
            "put",
            location.as_ref(),
            self.inner.put_multipart_opts(location, opts),
        )
        .await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let op = if options.head { "head" } else { "get" };
        self.inject(
            op,
            location.as_ref(),
            self.inner.get_opts(location, options),
        )
        .await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.inject(
            "get",
            location.as_ref(),
            self.inner.get_ranges(location, ranges),
        )
        .await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let inner = self.inner.clone();
        let dice = self.dice.clone();
        // One path at a time, so each delete gets its own roll.
        locations
            .then(move |item| {
                let inner = inner.clone();
                let dice = dice.clone();
                async move {
                    let path = item?;
                    let fault = dice.roll("delete", path.as_ref());
                    let delete = async {
                        let one = stream::iter([Ok(path.clone())]).boxed();
                        let mut results: Vec<Result<Path>> =
                            inner.delete_stream(one).collect().await;
                        results.pop().unwrap_or(Ok(path.clone()))
                    };
                    match fault {
                        None => delete.await,
                        Some(FaultKind::Slow) => {
                            tokio::time::sleep(dice.cfg.delay).await;
                            delete.await
                        }
                        Some(FaultKind::Timeout) => {
                            tokio::time::sleep(dice.cfg.delay).await;
                            Err(dice.error(FaultKind::Timeout, "delete", path.as_ref()))
                        }
                        Some(FaultKind::Lost) => {
                            delete.await?;
                            Err(dice.error(FaultKind::Lost, "delete", path.as_ref()))
                        }
                        Some(kind) => Err(dice.error(kind, "delete", path.as_ref())),
                    }
                }
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let shown = prefix.map(|p| p.to_string()).unwrap_or_default();
        self.inject_list(&shown, self.inner.list(prefix))
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let shown = prefix.map(|p| p.to_string()).unwrap_or_default();
        self.inject_list(&shown, self.inner.list_with_offset(prefix, offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let shown = prefix.map(|p| p.to_string()).unwrap_or_default();
        self.inject("list", &shown, self.inner.list_with_delimiter(prefix))
            .await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inject("copy", to.as_ref(), self.inner.copy_opts(from, to, options))
            .await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inject(
            "rename",
            to.as_ref(),
            self.inner.rename_opts(from, to, options),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_spec() {
        let c = FaultConfig::parse(
            "0.1,seed=7,kinds=error+lost,delay=50ms,ops=put+list,path=_delta_log,max=2",
        )
        .unwrap();
        assert_eq!(c.rate, 0.1);
        assert_eq!(c.seed, 7);
        assert_eq!(c.kinds, vec![FaultKind::Error, FaultKind::Lost]);
        assert_eq!(c.delay, Duration::from_millis(50));
        assert_eq!(c.ops, vec!["put".to_string(), "list".to_string()]);
        assert_eq!(c.path.as_deref(), Some("_delta_log"));
        assert_eq!(c.max_per_call, Some(2));
        assert!(FaultConfig::parse("2").is_err());
        assert!(FaultConfig::parse("0.1,kinds=boom").is_err());
        assert!(FaultConfig::parse("0.1,ops=fly").is_err());
    }

    #[test]
    fn same_seed_same_faults_and_rate_is_respected() {
        let cfg = FaultConfig::parse("0.1,seed=7").unwrap();
        let roll_all = || {
            let d = Dice {
                cfg: cfg.clone(),
                calls: Mutex::new(HashMap::new()),
            };
            (0..5000)
                .map(|i| d.roll("put", &format!("p/{}", i % 50)).is_some())
                .collect::<Vec<_>>()
        };
        let a = roll_all();
        assert_eq!(a, roll_all());
        let hits = a.iter().filter(|h| **h).count();
        assert!(
            (350..650).contains(&hits),
            "{hits} faults in 5000 calls at 10%"
        );
        let other = Dice {
            cfg: FaultConfig::parse("0.1,seed=8").unwrap(),
            calls: Mutex::new(HashMap::new()),
        };
        let b: Vec<_> = (0..5000)
            .map(|i| other.roll("put", &format!("p/{}", i % 50)).is_some())
            .collect();
        assert_ne!(a, b);
    }
}
