//! The emulator's Kinesis destination: each round's rows as records on `<prefix>-pin|geo|user`,
//! the way the pipeline's API gateway puts them (pinterest-workload.md §4.3: the row's JSON as
//! the data, partition key `partition-1`).

use std::io;
use std::time::{Duration, Instant};

use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use spate_connectors::kinesis::client::KinesisClient;
use spate_connectors::kinesis::KinesisOptions;

use super::manifest::Manifest;
use super::pinterest::Feed;
use super::Destination;

/// The partition key most of the studied pipelines send (§4.3).
const PARTITION_KEY: &str = "partition-1";
/// PutRecords takes at most 500 records per call.
const PUT_RECORDS_MAX: usize = 500;

/// The three streams and a client (with its own runtime: the emulator runs on a blocking thread).
pub struct Streams {
    rt: tokio::runtime::Runtime,
    client: aws_sdk_kinesis::Client,
    names: [String; 3],
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl Streams {
    /// Connects with the AWS default chain (`AWS_REGION`, `AWS_ENDPOINT_URL_KINESIS`, keys, ...)
    /// and creates the streams that do not exist yet.
    pub fn connect(prefix: &str, shards: i32) -> io::Result<Streams> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let names = Feed::ALL.map(|f| format!("{prefix}-{}", f.name()));
        let opts = KinesisOptions::new(names.to_vec());
        let client = rt
            .block_on(KinesisClient::connect(&opts))
            .map_err(other)?
            .sdk()
            .clone();
        let streams = Streams { rt, client, names };
        for name in &streams.names {
            streams.ensure(name, shards)?;
        }
        Ok(streams)
    }

    fn ensure(&self, name: &str, shards: i32) -> io::Result<()> {
        let exists = self.rt.block_on(
            self.client
                .describe_stream_summary()
                .stream_name(name)
                .send(),
        );
        if let Err(e) = exists {
            let missing = e
                .as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception());
            if !missing {
                return Err(other(aws_sdk_kinesis::error::DisplayErrorContext(e)));
            }
            self.rt
                .block_on(
                    self.client
                        .create_stream()
                        .stream_name(name)
                        .shard_count(shards)
                        .send(),
                )
                .map_err(|e| other(aws_sdk_kinesis::error::DisplayErrorContext(e)))?;
        }
        // A new stream takes a moment to become ACTIVE (30 s or so on AWS).
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let out = self
                .rt
                .block_on(
                    self.client
                        .describe_stream_summary()
                        .stream_name(name)
                        .send(),
                )
                .map_err(|e| other(aws_sdk_kinesis::error::DisplayErrorContext(e)))?;
            let active = out
                .stream_description_summary()
                .is_some_and(|d| d.stream_status().as_str() == "ACTIVE");
            if active {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(other(format!("stream {name} is not ACTIVE after 120 s")));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Puts `lines` in order; entries Kinesis refuses (throttling) are sent again after a pause.
    fn put(&self, stream: &str, lines: &[String]) -> io::Result<()> {
        for chunk in lines.chunks(PUT_RECORDS_MAX) {
            let mut todo: Vec<&String> = chunk.iter().collect();
            let mut attempt = 0u32;
            while !todo.is_empty() {
                let entries = todo
                    .iter()
                    .map(|l| {
                        PutRecordsRequestEntry::builder()
                            .partition_key(PARTITION_KEY)
                            .data(Blob::new(l.as_bytes()))
                            .build()
                            .map_err(other)
                    })
                    .collect::<io::Result<Vec<_>>>()?;
                let out = self
                    .rt
                    .block_on(
                        self.client
                            .put_records()
                            .stream_name(stream)
                            .set_records(Some(entries))
                            .send(),
                    )
                    .map_err(|e| other(aws_sdk_kinesis::error::DisplayErrorContext(e)))?;
                todo = todo
                    .into_iter()
                    .zip(out.records())
                    .filter(|(_, r)| r.error_code().is_some())
                    .map(|(l, _)| l)
                    .collect();
                if !todo.is_empty() {
                    attempt += 1;
                    if attempt > 10 {
                        return Err(other(format!(
                            "{stream}: {} records still refused after 10 attempts",
                            todo.len()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(100 << attempt.min(6)));
                }
            }
        }
        Ok(())
    }
}

impl Destination for Streams {
    fn deliver(&mut self, round: [Vec<String>; 3], _manifest: &mut Manifest) -> io::Result<()> {
        for (name, lines) in self.names.iter().zip(&round) {
            self.put(name, lines)?;
        }
        Ok(())
    }
}
