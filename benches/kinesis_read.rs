//! Records per second the Kinesis source reads from kinesalite (spec/services.md: the stand-in for
//! volume), on one shard and on four.
//!
//! For each shard count a fresh stream is filled with `KINESIS_BENCH_RECORDS` records per shard
//! (~300-byte JSON rows, random partition keys), then a `KinesisSource` at `trim_horizon` with
//! Databricks' defaults except `maxFetchDuration` (published as fetched) and `maxFetchRate` (1.0,
//! 2.0, and unlimited) is timed from `restore`
//! through `latest_offset` (which under `Trigger.Once` waits until every shard's fetch loop is
//! caught up) to the `read` that turns the batch into Arrow. The time includes one last empty
//! GetRecords per shard (how the loop knows it is at the tip: one `minFetchPeriod`, 400 ms).
//!
//! ```text
//! npm install --prefix .ci-services/npm kinesalite@3.3.3      # .ci/run does this
//! cargo bench --bench kinesis_read                            # 50,000 records per shard, 3 runs
//! KINESIS_BENCH_RECORDS=20000 KINESIS_BENCH_RUNS=1 cargo bench --bench kinesis_read
//! ```

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use spate_connectors::kinesis::options::InitialPosition;
use spate_connectors::kinesis::{KinesisOptions, KinesisSource};
use spate_engine::source::{ReadLimit, Source};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// kinesalite on a free loopback port; it exits when its standard input closes.
struct Kinesalite {
    _child: Child,
    _stdin: ChildStdin,
    endpoint: String,
}

fn start_kinesalite() -> Kinesalite {
    let module =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci-services/npm/node_modules/kinesalite");
    assert!(
        module.exists(),
        "kinesalite is not installed: npm install --prefix .ci-services/npm kinesalite@3.3.3"
    );
    let port = TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let script = "const k = require(process.argv[1])({createStreamMs: 10, deleteStreamMs: 10, shardLimit: 100});\
                  k.listen(+process.argv[2], '127.0.0.1', () => console.log('ready'));\
                  process.stdin.on('end', () => process.exit(0)); process.stdin.resume();";
    let mut child = Command::new("node")
        .args(["-e", script])
        .arg(&module)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start node");
    let stdin = child.stdin.take().expect("stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("kinesalite ready");
    assert_eq!(line.trim(), "ready", "kinesalite did not start");
    Kinesalite {
        _child: child,
        _stdin: stdin,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

fn client(endpoint: &str) -> aws_sdk_kinesis::Client {
    aws_sdk_kinesis::Client::from_conf(
        aws_sdk_kinesis::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
            .endpoint_url(endpoint)
            .build(),
    )
}

async fn fill(client: &aws_sdk_kinesis::Client, stream: &str, shards: i32, records: usize) {
    client
        .create_stream()
        .stream_name(stream)
        .shard_count(shards)
        .send()
        .await
        .expect("CreateStream");
    loop {
        let s = client
            .describe_stream_summary()
            .stream_name(stream)
            .send()
            .await
            .expect("DescribeStreamSummary");
        if s.stream_description_summary()
            .is_some_and(|d| d.stream_status().as_str() == "ACTIVE")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let row = |i: usize| {
        format!(
            "{{\"index\": {i}, \"unique_id\": \"{:08x}-0000-4000-8000-000000000000\", \"title\": \"Easy Landscape Sketches\", \
             \"description\": \"Learn how to blend colours like a pro with this simple step by step guide.\", \
             \"follower_count\": \"26k\", \"category\": \"art\", \"save_location\": \"Local save in /data/art\"}}",
            i
        )
    };
    // Four PutRecords in flight: kinesalite takes them faster than one at a time.
    let chunks: Vec<Vec<usize>> = (0..records)
        .collect::<Vec<_>>()
        .chunks(500)
        .map(|c| c.to_vec())
        .collect();
    for group in chunks.chunks(4) {
        let calls = group.iter().map(|chunk| {
            let entries: Vec<PutRecordsRequestEntry> = chunk
                .iter()
                .map(|&i| {
                    PutRecordsRequestEntry::builder()
                        .partition_key(format!("key-{i}"))
                        .data(Blob::new(row(i)))
                        .build()
                        .expect("entry")
                })
                .collect();
            client
                .put_records()
                .stream_name(stream)
                .set_records(Some(entries))
                .send()
        });
        for out in futures::future::join_all(calls).await {
            let out = out.expect("PutRecords");
            assert_eq!(out.failed_record_count(), Some(0));
        }
    }
}

async fn read_all(endpoint: &str, stream: &str, rate_mb: f64) -> (u64, u64, Duration) {
    let mut opts = KinesisOptions::new(vec![stream.to_string()]);
    opts.max_fetch_rate_mb = rate_mb;
    opts.endpoint = Some(endpoint.to_string());
    opts.region = Some("us-east-1".into());
    opts.credentials = Some(("test".into(), "test".into()));
    opts.initial_position = InitialPosition::TrimHorizon;
    opts.max_fetch_duration = Duration::ZERO;
    let mut source = KinesisSource::new(opts);
    let t0 = Instant::now();
    source.restore(None).await.expect("restore");
    let end = source
        .latest_offset(None, ReadLimit::All)
        .await
        .expect("latest_offset")
        .expect("an end offset");
    let data = source.read(None, &end).await.expect("read");
    let elapsed = t0.elapsed();
    let bytes = data
        .batches
        .iter()
        .map(|b| {
            b.column(1)
                .to_data()
                .buffers()
                .iter()
                .map(|x| x.len() as u64)
                .sum::<u64>()
        })
        .sum();
    (data.num_input_rows, bytes, elapsed)
}

fn main() {
    let per_shard: usize = env_or("KINESIS_BENCH_RECORDS", 50_000);
    let runs: usize = env_or("KINESIS_BENCH_RUNS", 3);
    let server = start_kinesalite();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let kinesis = client(&server.endpoint);
    println!("kinesalite 3.3.3, {per_shard} records per shard, release build");
    // maxFetchRate 1.0 is Databricks' default and 2.0 Kinesis' per-shard read limit (the most the
    // option accepts); the unlimited run, set here past the option's check, shows the source's own
    // ceiling against a stand-in that has no limit.
    for (label, rate_mb) in [
        ("maxFetchRate 1.0", 1.0),
        ("maxFetchRate 2.0", 2.0),
        ("unlimited", 1e6),
    ] {
        for shards in [1, 4] {
            for run in 0..runs {
                let stream = format!("bench-{rate_mb}-{shards}-{run}");
                let records = per_shard * shards as usize;
                let put = Instant::now();
                rt.block_on(fill(&kinesis, &stream, shards, records));
                let put = put.elapsed();
                let (rows, bytes, took) = rt.block_on(read_all(&server.endpoint, &stream, rate_mb));
                assert_eq!(rows, records as u64, "read everything put");
                println!(
                    "{label}, {shards} shard(s), run {run}: {rows} records ({:.1} MB) read in {:.2} s \
                     = {:.0} records/s (put took {:.1} s)",
                    bytes as f64 / 1e6,
                    took.as_secs_f64(),
                    rows as f64 / took.as_secs_f64(),
                    put.as_secs_f64()
                );
            }
        }
    }
}
