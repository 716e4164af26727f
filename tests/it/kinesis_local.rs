//! kinesis-local (kinesis-mock 0.6.2, spec/services.md), the Kinesis stand-in, started by the tests.
//!
//! One server per test binary on free loopback ports, shared by the Kinesis tests; each test makes
//! its own small streams (kinesis-mock slows down as a stream fills). The server runs under
//! `tests/services/kinesis_local.js`, which exits when its standard input closes, so it goes away
//! with the test process however that ends. `.ci/run` installs the npm package into
//! `.ci-services/npm`; `SPATE_KINESIS_LOCAL` may point at another `kinesis-local/main.js`.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;

/// The running server.
pub struct KinesisLocal {
    /// Kept so the server lives as long as the test binary; it exits when this pipe closes.
    _process: Mutex<(Child, ChildStdin)>,
    /// Plain-HTTP port on 127.0.0.1.
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn main_js() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SPATE_KINESIS_LOCAL") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".ci-services/npm/node_modules/kinesis-local/main.js");
    p.exists().then_some(p)
}

/// The shared server, or None (after saying why) when kinesis-local is not installed and this is
/// not CI. Under `CI=true` a missing install fails the test instead of skipping it.
pub fn kinesis_local() -> Option<&'static KinesisLocal> {
    static SERVER: OnceLock<Option<KinesisLocal>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref()
}

fn start() -> Option<KinesisLocal> {
    let Some(main) = main_js() else {
        let msg = "kinesis-local is not installed: run `npm install --prefix .ci-services/npm kinesis-local@0.6.2` (as .ci/run does) or set SPATE_KINESIS_LOCAL";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg}");
        eprintln!("skipping: {msg}");
        return None;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/services/kinesis_local.js");
    let (port, tls_port) = (free_port(), free_port());
    let cert = main.with_file_name("server.json");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&main)
        .env("KINESIS_MOCK_PLAIN_PORT", port.to_string())
        .env("KINESIS_MOCK_TLS_PORT", tls_port.to_string())
        .env("KINESIS_MOCK_CERT_PATH", &cert)
        .env("LOG_LEVEL", "ERROR")
        // Resharding and stream creation take 500 ms by default; tests need not wait.
        .env("CREATE_STREAM_DURATION", "10ms")
        .env("DELETE_STREAM_DURATION", "10ms")
        .env("SPLIT_SHARD_DURATION", "10ms")
        .env("MERGE_SHARDS_DURATION", "10ms")
        .env("UPDATE_SHARD_COUNT_DURATION", "10ms")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node (is Node.js installed?)");
    let stdin = child.stdin.take().expect("piped stdin");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthy(port) {
        assert!(
            Instant::now() < deadline,
            "kinesis-local on port {port} never became healthy"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(KinesisLocal {
        _process: Mutex::new((child, stdin)),
        port,
    })
}

fn healthy(port: u16) -> bool {
    use std::io::Write;
    let Ok(mut c) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
    let req =
        format!("GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if c.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

impl KinesisLocal {
    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Points a spate process at this server through the AWS variables (never set globally).
    pub fn configure(&self, cmd: &mut Command) {
        for var in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"] {
            cmd.env_remove(var);
        }
        cmd.env("AWS_ENDPOINT_URL_KINESIS", self.endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true");
    }

    /// A fresh stream with `shards` shards, named after `prefix` and unique in this server.
    pub fn stream(&self, prefix: &str, shards: i32) -> TestStream {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let conf = aws_sdk_kinesis::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url(self.endpoint())
            .build();
        let client = aws_sdk_kinesis::Client::from_conf(conf);
        let s = TestStream { name, rt, client };
        s.rt.block_on(
            s.client
                .create_stream()
                .stream_name(&s.name)
                .shard_count(shards)
                .send(),
        )
        .expect("CreateStream");
        s.wait_active();
        s
    }
}

/// One test's stream and a client to write to and reshard it.
pub struct TestStream {
    /// The stream name.
    pub name: String,
    rt: tokio::runtime::Runtime,
    client: aws_sdk_kinesis::Client,
}

impl TestStream {
    fn wait_active(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self
                .rt
                .block_on(
                    self.client
                        .describe_stream_summary()
                        .stream_name(&self.name)
                        .send(),
                )
                .expect("DescribeStreamSummary");
            let status = out
                .stream_description_summary()
                .map(|d| d.stream_status().as_str().to_string());
            if status.as_deref() == Some("ACTIVE") {
                return;
            }
            assert!(Instant::now() < deadline, "stream {} not ACTIVE", self.name);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Puts `(partition key, data)` records in order (PutRecords, 500 at a time); returns the
    /// sequence numbers.
    pub fn put(&self, records: &[(String, String)]) -> Vec<String> {
        let mut seqs = vec![];
        for chunk in records.chunks(500) {
            let entries: Vec<PutRecordsRequestEntry> = chunk
                .iter()
                .map(|(k, d)| {
                    PutRecordsRequestEntry::builder()
                        .partition_key(k)
                        .data(Blob::new(d.as_bytes()))
                        .build()
                        .expect("entry")
                })
                .collect();
            let out = self
                .rt
                .block_on(
                    self.client
                        .put_records()
                        .stream_name(&self.name)
                        .set_records(Some(entries))
                        .send(),
                )
                .expect("PutRecords");
            assert_eq!(out.failed_record_count(), Some(0), "PutRecords failures");
            seqs.extend(
                out.records()
                    .iter()
                    .map(|r| r.sequence_number().unwrap_or_default().to_string()),
            );
        }
        seqs
    }

    /// Splits `shard` at the middle of the hash key space (a one-shard stream's shard covers it all).
    pub fn split(&self, shard: &str) {
        self.rt
            .block_on(
                self.client
                    .split_shard()
                    .stream_name(&self.name)
                    .shard_to_split(shard)
                    .new_starting_hash_key((1u128 << 127).to_string())
                    .send(),
            )
            .expect("SplitShard");
        self.wait_active();
    }

    /// Merges two adjacent shards.
    pub fn merge(&self, shard: &str, adjacent: &str) {
        self.rt
            .block_on(
                self.client
                    .merge_shards()
                    .stream_name(&self.name)
                    .shard_to_merge(shard)
                    .adjacent_shard_to_merge(adjacent)
                    .send(),
            )
            .expect("MergeShards");
        self.wait_active();
    }

    /// Every shard id with whether it is open.
    pub fn shards(&self) -> Vec<(String, bool)> {
        let out = self
            .rt
            .block_on(self.client.list_shards().stream_name(&self.name).send())
            .expect("ListShards");
        out.shards()
            .iter()
            .map(|s| {
                let open = s
                    .sequence_number_range()
                    .and_then(|r| r.ending_sequence_number())
                    .is_none();
                (s.shard_id().to_string(), open)
            })
            .collect()
    }
}
