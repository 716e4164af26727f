//! The AWS SDK's Kinesis client, reduced to the three calls the source makes, with errors sorted
//! into what the fetch loop does about them (back off, renew the iterator, retry, give up).

use std::time::Duration;

use aws_sdk_kinesis::config::http::HttpResponse;
use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kinesis::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kinesis::primitives::DateTime;
use aws_sdk_kinesis::types::ShardIteratorType;

use super::offsets::{SequenceNumber, ShardKey, ShardPosition};
use super::options::KinesisOptions;
use super::shards::ShardMeta;
use super::KinesisError;

/// One Kinesis record, as the source keeps it until a batch takes it.
#[derive(Debug, Clone)]
pub struct KinesisRecord {
    /// Its sequence number in the shard.
    pub sequence: SequenceNumber,
    /// The producer's partition key.
    pub partition_key: String,
    /// The payload.
    pub data: Vec<u8>,
    /// `ApproximateArrivalTimestamp` in epoch microseconds.
    pub arrival_us: Option<i64>,
}

/// One GetRecords answer.
#[derive(Debug)]
pub struct Fetched {
    /// Records, oldest first.
    pub records: Vec<KinesisRecord>,
    /// The iterator for the next call; None: the shard is closed and read to its end.
    pub next_iterator: Option<String>,
    /// 0 when the shard's newest record was returned.
    pub millis_behind_latest: Option<i64>,
    /// At SHARD_END: the children and each child's parents.
    pub children: Vec<(String, Vec<String>)>,
}

/// What a failed call means for the caller.
#[derive(Debug)]
pub enum CallError {
    /// ProvisionedThroughputExceeded or a similar limit: wait longer, then retry.
    Throttled(String),
    /// The shard iterator is older than 5 minutes: get a new one from the last record read.
    ExpiredIterator,
    /// A network error, a timeout or a 5xx: retrying may help.
    Transient(String),
    /// Wrong stream, no permission, bad argument: retrying will not help.
    Fatal(String),
}

impl CallError {
    /// The message for logs and errors.
    pub fn message(&self) -> &str {
        match self {
            CallError::Throttled(m) | CallError::Transient(m) | CallError::Fatal(m) => m,
            CallError::ExpiredIterator => "the shard iterator expired",
        }
    }
}

fn classify<E>(e: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = e.code().map(str::to_string);
    let status = e.raw_response().map(|r| r.status().as_u16());
    let message = DisplayErrorContext(&e).to_string();
    match code.as_deref() {
        Some("ProvisionedThroughputExceededException")
        | Some("LimitExceededException")
        | Some("KMSThrottlingException")
        | Some("ThrottlingException") => CallError::Throttled(message),
        Some("ExpiredIteratorException") => CallError::ExpiredIterator,
        Some("InternalFailureException") | Some("ServiceUnavailable") => {
            CallError::Transient(message)
        }
        _ => match e {
            SdkError::DispatchFailure(_)
            | SdkError::TimeoutError(_)
            | SdkError::ResponseError(_) => CallError::Transient(message),
            _ if status.is_some_and(|s| s >= 500) => CallError::Transient(message),
            _ => CallError::Fatal(message),
        },
    }
}

/// The Kinesis client for one query.
#[derive(Clone, Debug)]
pub struct KinesisClient {
    inner: aws_sdk_kinesis::Client,
}

impl KinesisClient {
    /// Region and credentials from the options, else the AWS default chain (`AWS_*` variables,
    /// profiles, instance role); the endpoint from `endpoint`, else the SDK's own resolution
    /// (which honours `AWS_ENDPOINT_URL_KINESIS`).
    pub async fn connect(opts: &KinesisOptions) -> Result<Self, KinesisError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some((key, secret)) = &opts.credentials {
            loader = loader.credentials_provider(Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "read_kinesis awsAccessKey",
            ));
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(KinesisError::InvalidOption(
                "no AWS region: pass region => '...' to read_kinesis or set AWS_REGION".into(),
            ));
        }
        let mut conf = aws_sdk_kinesis::config::Builder::from(&sdk);
        if let Some(e) = &opts.endpoint {
            conf = conf.endpoint_url(e.clone());
        }
        Ok(KinesisClient {
            inner: aws_sdk_kinesis::Client::from_conf(conf.build()),
        })
    }

    /// The SDK client, for tools that write to streams (the emulator, tests, benchmarks).
    pub fn sdk(&self) -> &aws_sdk_kinesis::Client {
        &self.inner
    }

    /// Every shard of the stream, open and closed (ListShards, paginated).
    pub async fn list_shards(
        &self,
        stream: &str,
        page_size: i32,
    ) -> Result<Vec<ShardMeta>, CallError> {
        let mut shards = vec![];
        let mut token: Option<String> = None;
        loop {
            // A follow-up page names only the token: the API refuses it together with the stream.
            let req = match &token {
                Some(t) => self.inner.list_shards().next_token(t),
                None => self.inner.list_shards().stream_name(stream),
            };
            let out = req.max_results(page_size).send().await.map_err(classify)?;
            for s in out.shards() {
                shards.push(ShardMeta {
                    id: s.shard_id().to_string(),
                    parents: s
                        .parent_shard_id()
                        .into_iter()
                        .chain(s.adjacent_parent_shard_id())
                        .map(str::to_string)
                        .collect(),
                    closed: s
                        .sequence_number_range()
                        .and_then(|r| r.ending_sequence_number())
                        .is_some(),
                });
            }
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(shards);
            }
        }
    }

    /// An iterator reading `key` from `from` (which must not be `Ended`).
    pub async fn shard_iterator(
        &self,
        key: &ShardKey,
        from: &ShardPosition,
    ) -> Result<String, CallError> {
        let req = self
            .inner
            .get_shard_iterator()
            .stream_name(&key.stream)
            .shard_id(&key.shard);
        let req = match from {
            ShardPosition::TrimHorizon => req.shard_iterator_type(ShardIteratorType::TrimHorizon),
            ShardPosition::AtTimestamp(ms) => req
                .shard_iterator_type(ShardIteratorType::AtTimestamp)
                .timestamp(DateTime::from_millis(*ms)),
            ShardPosition::After(seq) => req
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(&seq.0),
            ShardPosition::Ended => {
                return Err(CallError::Fatal(format!(
                    "{key} is read to its end; there is nothing to iterate"
                )))
            }
        };
        let out = req.send().await.map_err(classify)?;
        out.shard_iterator().map(str::to_string).ok_or_else(|| {
            CallError::Fatal(format!("GetShardIterator for {key} returned no iterator"))
        })
    }

    /// Up to `limit` records from `iterator`.
    pub async fn get_records(&self, iterator: &str, limit: i32) -> Result<Fetched, CallError> {
        let out = self
            .inner
            .get_records()
            .shard_iterator(iterator)
            .limit(limit)
            .send()
            .await
            .map_err(classify)?;
        let records = out
            .records
            .into_iter()
            .map(|r| KinesisRecord {
                sequence: SequenceNumber(r.sequence_number),
                partition_key: r.partition_key.unwrap_or_default(),
                arrival_us: r
                    .approximate_arrival_timestamp
                    .map(|t| t.secs() * 1_000_000 + i64::from(t.subsec_nanos() / 1000)),
                data: r.data.into_inner(),
            })
            .collect();
        Ok(Fetched {
            records,
            next_iterator: out.next_shard_iterator,
            millis_behind_latest: out.millis_behind_latest,
            children: out
                .child_shards
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.shard_id, c.parent_shards))
                .collect(),
        })
    }
}

/// Exponential backoff from `base`, capped at 10 s: throttling and transient errors wait this long.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    (base * 2u32.saturating_pow(attempt.min(10))).min(Duration::from_secs(10))
}
