//! Listing cost per trigger against folder size, on S3 (moto_server on loopback).
//!
//! For each folder size N, N old files are put under a fresh prefix; a file source starts with
//! `includeExistingFiles => false` (the old files are there, already handled), and then each
//! trigger lands one new file and asks the source for its next offset, which lists the folder.
//! The time of that call is the listing cost per trigger, with Spark's full listing
//! (`useIncrementalListing => false`) and with the default `auto` (from the last key taken).
//!
//! ```text
//! cargo bench --bench listing                 # N = 1000, 10000, 100000
//! LISTING_SIZES=1000,5000 LISTING_TRIGGERS=10 cargo bench --bench listing
//! ```
//! Needs moto in the repo's `.venv` (`.ci/run` installs it: tests/services/requirements.txt).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use object_store::{ObjectStoreExt, PutPayload};
use spate_connectors::files::{FileSource, FileSourceOptions};
use spate_engine::source::{ReadLimit, Source};
use spate_engine::storage::Location;

const BUCKET: &str = "listing-bench";

/// Sequence number of the next new file.
static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// moto's S3 on a free port, as the tests start it (`tests/services/moto_s3.py`).
fn start_moto() -> (Child, u16) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv/bin/python");
    let mut child = Command::new(&python)
        .arg(root.join("tests/services/moto_s3.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {} (run .ci/run once to create it): {e}",
                python.display()
            )
        });
    let mut line = String::new();
    let stdout = child.stdout.take().expect("moto stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("moto port");
    let port = line.trim().parse().expect("moto printed its port");
    (child, port)
}

fn create_bucket(port: u16) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to moto");
    write!(
        s,
        "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("reply");
    assert!(reply.starts_with("HTTP/1.1 200"), "create bucket: {reply}");
}

async fn fill(folder: &Location, n: usize) {
    let puts = (0..n).map(|i| {
        let store = folder.store.clone();
        let path = object_store::path::Path::from(format!("{}/a-old-{i:08}.json", folder.prefix));
        async move {
            store
                .put(&path, PutPayload::from(format!("{{\"id\":{i}}}\n")))
                .await
                .expect("put");
        }
    });
    futures::stream::iter(puts)
        .buffer_unordered(64)
        .collect::<Vec<_>>()
        .await;
}

/// Median and max of the per-trigger `latest_offset` time, ms.
async fn triggers(folder: &Location, mode: &str, n_triggers: usize) -> (f64, f64) {
    let opts = FileSourceOptions::from_read_files(
        folder.url.as_str(),
        &[
            ("schema".into(), "id BIGINT".into()),
            ("includeExistingFiles".into(), "false".into()),
            ("useIncrementalListing".into(), mode.into()),
        ],
    )
    .expect("options");
    let log = Location::parse(&format!("memory://listing-bench/{}", uuid::Uuid::new_v4()))
        .expect("log location");
    let mut source = FileSource::new(opts, log).expect("source");
    source.restore(None).await.expect("restore");
    let mut committed = None;
    let mut times = vec![];
    for t in 0..n_triggers {
        // New names sort after every earlier one, old or new, as timestamped names do.
        let seq = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = object_store::path::Path::from(format!("{}/b-new-{seq:08}.json", folder.prefix));
        folder
            .store
            .put(&path, PutPayload::from(format!("{{\"id\":{t}}}\n")))
            .await
            .expect("put");
        let started = Instant::now();
        let end = source
            .latest_offset(committed.as_ref(), ReadLimit::Configured)
            .await
            .expect("latest_offset")
            .expect("an offset");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let data = source.read(committed.as_ref(), &end).await.expect("read");
        assert_eq!(data.num_input_rows, 1, "trigger {t} read one new file");
        committed = Some(end);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1])
}

#[tokio::main]
async fn main() {
    let sizes: String = env_or("LISTING_SIZES", "1000,10000,100000".to_string());
    let n_triggers: usize = env_or("LISTING_TRIGGERS", 20);
    let (mut moto, port) = start_moto();
    create_bucket(port);
    for (k, v) in [
        ("AWS_ENDPOINT_URL_S3", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ] {
        std::env::set_var(k, v);
    }
    println!("| old files | full listing p50 ms | full max ms | incremental p50 ms | incremental max ms | speed-up |");
    println!("|---|---|---|---|---|---|");
    for n in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let folder = Location::parse(&format!("s3://{BUCKET}/size-{n}")).expect("folder location");
        let started = Instant::now();
        fill(&folder, n).await;
        eprintln!("put {n} files in {:.1} s", started.elapsed().as_secs_f64());
        let (full_p50, full_max) = triggers(&folder, "false", n_triggers).await;
        let (inc_p50, inc_max) = triggers(&folder, "auto", n_triggers).await;
        println!(
            "| {n} | {full_p50:.1} | {full_max:.1} | {inc_p50:.1} | {inc_max:.1} | {:.0}x |",
            full_p50 / inc_p50
        );
    }
    let _ = moto.kill();
    let _ = moto.wait();
    std::thread::sleep(Duration::from_millis(10));
}
