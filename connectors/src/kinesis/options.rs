//! `read_kinesis(...)` options: Databricks' names and defaults (spec §8.3-8.4).

use std::time::Duration;

use chrono_tz::Tz;
use spate_engine::datetime::cast::parse_timestamp_micros;
use spate_engine::datetime::pattern::SparkPattern;
use spate_engine::trigger::parse_duration;

use super::KinesisError;

/// Options this source understands (lower case); anything else is refused so a typo never goes unnoticed.
const KEYS: &[&str] = &[
    "streamname",
    "region",
    "endpoint",
    "initialposition",
    "maxrecordsperfetch",
    "maxfetchrate",
    "minfetchperiod",
    "maxfetchduration",
    "fetchbuffersize",
    "shardfetchinterval",
    "maxshardsperdescribe",
    "awsaccesskey",
    "awssecretkey",
];
/// Databricks options spate cannot honour yet: refused with a reason, never ignored.
const NOT_YET: &[(&str, &str)] = &[
    ("streamarn", "streamARN is not supported yet; name the stream with streamName => '...'"),
    ("consumermode", "consumerMode is not supported yet: spate reads in polling mode only (leave consumerMode unset)"),
    ("consumername", "consumerName is for enhanced fan-out, which spate does not support yet"),
    ("rolearn", "roleArn is not supported yet; give credentials through awsAccessKey/awsSecretKey or the AWS default chain (AWS_* variables, profiles, instance role)"),
    ("roleexternalid", "roleExternalId is not supported yet (no assume-role)"),
    ("rolesessionname", "roleSessionName is not supported yet (no assume-role)"),
    ("stsendpoint", "stsEndpoint is not supported yet (no assume-role)"),
    ("servicecredential", "serviceCredential (Unity Catalog) does not exist outside Databricks"),
];

/// Databricks' `maxRecordsPerFetch` default, also Kinesis' GetRecords maximum.
pub const DEFAULT_MAX_RECORDS_PER_FETCH: i32 = 10_000;
/// Databricks' `minFetchPeriod` default.
pub const DEFAULT_MIN_FETCH_PERIOD: Duration = Duration::from_millis(400);
/// Kinesis allows 5 GetRecords calls per second per shard, so no shard is polled more often.
pub const MIN_FETCH_PERIOD_FLOOR: Duration = Duration::from_millis(200);
/// Databricks' `maxFetchDuration` default.
pub const DEFAULT_MAX_FETCH_DURATION: Duration = Duration::from_secs(10);
/// Databricks' `shardFetchInterval` default.
pub const DEFAULT_SHARD_FETCH_INTERVAL: Duration = Duration::from_secs(1);
/// Databricks' `maxFetchRate` default, in MB/s per shard.
pub const DEFAULT_MAX_FETCH_RATE: f64 = 1.0;
/// spate's `fetchBufferSize` default: per shard (Databricks' 20gb is a total it treats as a soft
/// stop); a shard's fetch loop pauses while this much is waiting for a trigger.
pub const DEFAULT_FETCH_BUFFER_BYTES: u64 = 64 << 20;
/// Databricks' `maxShardsPerDescribe` default (ListShards page size).
pub const DEFAULT_MAX_SHARDS_PER_DESCRIBE: i32 = 100;

/// Where a query with no checkpointed position starts reading (spec §8.4 `initialPosition`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialPosition {
    /// Records that arrive after the query first starts.
    Latest,
    /// The oldest record kept (`trim_horizon`, alias `earliest`).
    TrimHorizon,
    /// Records that arrived at or after this instant (epoch milliseconds).
    AtTimestamp(i64),
}

/// Everything `read_kinesis(...)` was given, validated.
#[derive(Clone, PartialEq)]
pub struct KinesisOptions {
    /// `streamName`, split at commas.
    pub stream_names: Vec<String>,
    /// `region`; None: the AWS default chain's region.
    pub region: Option<String>,
    /// `endpoint`; None: the SDK's (which honours `AWS_ENDPOINT_URL_KINESIS`).
    pub endpoint: Option<String>,
    /// `initialPosition`.
    pub initial_position: InitialPosition,
    /// `maxRecordsPerFetch`: records per GetRecords call.
    pub max_records_per_fetch: i32,
    /// `maxFetchRate`: MB/s per shard the fetch loop stays under.
    pub max_fetch_rate_mb: f64,
    /// `minFetchPeriod`: least time between two GetRecords calls on one shard.
    pub min_fetch_period: Duration,
    /// `maxFetchDuration`: fetched records wait at most this long before a trigger can take them.
    pub max_fetch_duration: Duration,
    /// `fetchBufferSize`: bytes a shard may hold for the next trigger before its fetch loop pauses.
    pub fetch_buffer_bytes: u64,
    /// `shardFetchInterval`: how often shards are listed to find new ones.
    pub shard_fetch_interval: Duration,
    /// `maxShardsPerDescribe`: ListShards page size.
    pub max_shards_per_describe: i32,
    /// `awsAccessKey` + `awsSecretKey`; None: the AWS default credential chain.
    pub credentials: Option<(String, String)>,
}

// Written by hand so the secret key never reaches a log line or an error message.
impl std::fmt::Debug for KinesisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KinesisOptions")
            .field("stream_names", &self.stream_names)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("initial_position", &self.initial_position)
            .field("max_records_per_fetch", &self.max_records_per_fetch)
            .field("min_fetch_period", &self.min_fetch_period)
            .field("max_fetch_duration", &self.max_fetch_duration)
            .field("fetch_buffer_bytes", &self.fetch_buffer_bytes)
            .field("shard_fetch_interval", &self.shard_fetch_interval)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<static, redacted>"),
            )
            .finish()
    }
}

impl KinesisOptions {
    /// Options for `streamName` with every default.
    pub fn new(stream_names: Vec<String>) -> Self {
        KinesisOptions {
            stream_names,
            region: None,
            endpoint: None,
            initial_position: InitialPosition::Latest,
            max_records_per_fetch: DEFAULT_MAX_RECORDS_PER_FETCH,
            max_fetch_rate_mb: DEFAULT_MAX_FETCH_RATE,
            min_fetch_period: DEFAULT_MIN_FETCH_PERIOD,
            max_fetch_duration: DEFAULT_MAX_FETCH_DURATION,
            fetch_buffer_bytes: DEFAULT_FETCH_BUFFER_BYTES,
            shard_fetch_interval: DEFAULT_SHARD_FETCH_INTERVAL,
            max_shards_per_describe: DEFAULT_MAX_SHARDS_PER_DESCRIBE,
            credentials: None,
        }
    }

    /// Parses `read_kinesis(key => value, ...)` arguments (keys case-insensitive, as in Spark).
    pub fn from_read_kinesis(args: &[(String, String)]) -> Result<Self, KinesisError> {
        let bad = |m: String| KinesisError::InvalidOption(m);
        let mut opts = KinesisOptions::new(vec![]);
        let (mut access, mut secret) = (None, None);
        for (key, value) in args {
            let k = key.to_ascii_lowercase();
            if let Some((_, why)) = NOT_YET.iter().find(|(n, _)| *n == k) {
                return Err(bad(why.to_string()));
            }
            if !KEYS.contains(&k.as_str()) {
                return Err(bad(format!(
                    "read_kinesis does not know the option '{key}'; known options: streamName, region, endpoint, initialPosition, maxRecordsPerFetch, maxFetchRate, minFetchPeriod, maxFetchDuration, fetchBufferSize, shardFetchInterval, maxShardsPerDescribe, awsAccessKey, awsSecretKey"
                )));
            }
            let v = value.trim();
            match k.as_str() {
                "streamname" => {
                    opts.stream_names = v
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    if let Some(s) = opts.stream_names.iter().find(|s| !valid_stream_name(s)) {
                        return Err(bad(format!("streamName: '{s}' is not a Kinesis stream name (1-128 of a-z, A-Z, 0-9, '_', '.', '-')")));
                    }
                }
                "region" => opts.region = Some(v.to_string()).filter(|s| !s.is_empty()),
                "endpoint" => opts.endpoint = Some(v.to_string()).filter(|s| !s.is_empty()),
                "initialposition" => opts.initial_position = parse_initial_position(v)?,
                "maxrecordsperfetch" => {
                    opts.max_records_per_fetch = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| {
                            bad(format!(
                                "maxRecordsPerFetch must be a number from 1 to 10000, not '{v}'"
                            ))
                        })?
                }
                "maxfetchrate" => {
                    opts.max_fetch_rate_mb = v
                        .parse::<f64>()
                        .ok()
                        .filter(|r| *r > 0.0 && *r <= 2.0)
                        .ok_or_else(|| {
                            bad(format!("maxFetchRate is MB/s per shard, above 0 and at most 2.0 (Kinesis' read limit), not '{v}'"))
                        })?
                }
                "minfetchperiod" => {
                    let d = duration(key, v)?;
                    if d < MIN_FETCH_PERIOD_FLOOR {
                        return Err(bad(format!("minFetchPeriod must be at least 200ms: Kinesis allows 5 GetRecords calls per second per shard (got '{v}')")));
                    }
                    opts.min_fetch_period = d;
                }
                "maxfetchduration" => opts.max_fetch_duration = duration(key, v)?,
                "shardfetchinterval" => opts.shard_fetch_interval = duration(key, v)?,
                "fetchbuffersize" => {
                    opts.fetch_buffer_bytes = parse_size(v).filter(|b| *b > 0).ok_or_else(|| {
                        bad(format!(
                            "fetchBufferSize must be a size such as '64mb' or '1gb', not '{v}'"
                        ))
                    })?
                }
                "maxshardsperdescribe" => {
                    opts.max_shards_per_describe = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| {
                            bad(format!(
                                "maxShardsPerDescribe must be a number from 1 to 10000, not '{v}'"
                            ))
                        })?
                }
                "awsaccesskey" => access = Some(v.to_string()),
                "awssecretkey" => secret = Some(v.to_string()),
                _ => unreachable!("every key in KEYS has an arm"),
            }
        }
        if opts.stream_names.is_empty() {
            return Err(bad(
                "read_kinesis needs streamName => 'name' (several: 'a,b')".into(),
            ));
        }
        opts.credentials = match (access, secret) {
            (Some(a), Some(s)) => Some((a, s)),
            (None, None) => None,
            _ => {
                return Err(bad(
                    "awsAccessKey and awsSecretKey must be given together (or neither, for the AWS default credential chain)".into(),
                ))
            }
        };
        Ok(opts)
    }
}

/// Kinesis' stream-name rule; it also keeps names safe as JSON keys and in descriptions.
fn valid_stream_name(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn duration(key: &str, v: &str) -> Result<Duration, KinesisError> {
    parse_duration(v).ok_or_else(|| {
        KinesisError::InvalidOption(format!(
            "{key} must be a duration such as '400ms' or '10s', not '{v}'"
        ))
    })
}

/// `latest`, `trim_horizon`/`earliest`, or Databricks' JSON
/// `{"at_timestamp": "06/25/2020 10:23:45 PDT", "format": "MM/dd/yyyy HH:mm:ss ZZZ"}`.
pub fn parse_initial_position(v: &str) -> Result<InitialPosition, KinesisError> {
    let bad = |m: String| KinesisError::InvalidOption(m);
    match v.to_ascii_lowercase().as_str() {
        "latest" => return Ok(InitialPosition::Latest),
        "trim_horizon" | "earliest" => return Ok(InitialPosition::TrimHorizon),
        _ => {}
    }
    let json: serde_json::Value = serde_json::from_str(v).map_err(|_| {
        bad(format!("initialPosition must be latest, trim_horizon, earliest or {{\"at_timestamp\": \"...\", \"format\": \"...\"}}, not '{v}'"))
    })?;
    let ts = json
        .get("at_timestamp")
        .and_then(|t| t.as_str())
        .ok_or_else(|| {
            bad(format!(
                "initialPosition JSON needs an \"at_timestamp\" string: {v}"
            ))
        })?;
    let utc: Tz = chrono_tz::UTC;
    // Without a format the string is read as CAST(... AS TIMESTAMP) reads it (zone-less: UTC);
    // Databricks' default format is not documented (spec §8.4 [unconfirmed]).
    let micros = match json.get("format").and_then(|f| f.as_str()) {
        Some(fmt) => {
            let pattern = SparkPattern::compile_for_parsing(fmt)
                .map_err(|e| bad(format!("initialPosition format: {e}")))?;
            pattern.parse_timestamp_micros(ts, &utc)
        }
        None => parse_timestamp_micros(ts, &utc),
    }
    .ok_or_else(|| {
        bad(format!(
            "initialPosition: at_timestamp '{ts}' does not match its format"
        ))
    })?;
    Ok(InitialPosition::AtTimestamp(micros.div_euclid(1000)))
}

/// `64mb`, `1gb`, `512k`, `1048576` (bytes) -> bytes.
fn parse_size(v: &str) -> Option<u64> {
    let t = v.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        "t" | "tb" => 1 << 40,
        _ => return None,
    };
    Some((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_and_names() {
        let o = KinesisOptions::from_read_kinesis(&args(&[("streamName", "a, b")])).unwrap();
        assert_eq!(o.stream_names, vec!["a", "b"]);
        assert_eq!(o.initial_position, InitialPosition::Latest);
        assert_eq!(o.min_fetch_period, Duration::from_millis(400));
        assert_eq!(o.max_records_per_fetch, 10_000);
        let o = KinesisOptions::from_read_kinesis(&args(&[
            ("STREAMNAME", "s"),
            ("initialPosition", "earliest"),
            ("minFetchPeriod", "1s"),
            ("fetchBufferSize", "1mb"),
            ("maxRecordsPerFetch", "10"),
        ]))
        .unwrap();
        assert_eq!(o.initial_position, InitialPosition::TrimHorizon);
        assert_eq!(o.min_fetch_period, Duration::from_secs(1));
        assert_eq!(o.fetch_buffer_bytes, 1 << 20);
        assert_eq!(o.max_records_per_fetch, 10);
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        for bad in [
            vec![],
            vec![("streamName", "s"), ("minFetchPeriod", "100ms")],
            vec![("streamName", "s"), ("maxRecordsPerFetch", "0")],
            vec![("streamName", "s"), ("awsAccessKey", "k")],
            vec![("streamName", "s"), ("consumerMode", "efo")],
            vec![("streamName", "s"), ("typo", "1")],
            vec![("streamName", "bad/name")],
        ] {
            assert!(
                KinesisOptions::from_read_kinesis(&args(&bad)).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn secret_key_never_printed() {
        let o = KinesisOptions::from_read_kinesis(&args(&[
            ("streamName", "s"),
            ("awsAccessKey", "AKIAEXAMPLE"),
            ("awsSecretKey", "very-secret"),
        ]))
        .unwrap();
        let shown = format!("{o:?}");
        assert!(!shown.contains("very-secret") && !shown.contains("AKIAEXAMPLE"));
    }

    #[test]
    fn at_timestamp_in_databricks_json() {
        let p = parse_initial_position(
            r#"{"at_timestamp": "06/25/2020 10:23:45 PDT", "format": "MM/dd/yyyy HH:mm:ss z"}"#,
        )
        .unwrap();
        // 10:23:45 PDT = 17:23:45 UTC.
        assert_eq!(p, InitialPosition::AtTimestamp(1_593_105_825_000));
        let p = parse_initial_position(r#"{"at_timestamp": "2020-06-25 17:23:45"}"#).unwrap();
        assert_eq!(p, InitialPosition::AtTimestamp(1_593_105_825_000));
        assert!(parse_initial_position("{\"format\": \"x\"}").is_err());
        assert!(parse_initial_position("yesterday").is_err());
    }
}
