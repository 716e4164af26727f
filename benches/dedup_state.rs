//! State size and memory of a streaming de-duplication over a long stream (issue 8).
//!
//! Drives spate's de-duplication operator and state store as the query loop does: batches of rows
//! whose event time advances steadily (1 ms of event time per row, so 10 minutes is 600,000 rows),
//! 5% re-sends of a recent row, a 10-minute watermark, the state committed to a local checkpoint
//! folder after every batch. With the watermark, the state holds about one watermark's worth of
//! keys whatever the stream's length; without it, it grows with the stream.
//!
//! ```text
//! cargo bench --bench dedup_state                                # 10M rows, watermark on
//! DEDUP_ROWS=2000000 DEDUP_WATERMARK=off cargo bench --bench dedup_state
//! ```

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use spate_engine::state::{DedupSpec, Deduplicate, StateStore, Watermark};
use spate_engine::storage::Location;

/// The `spate` binary's allocator, so RSS is what the binary would hold.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH_ROWS: usize = 100_000;
const DELAY_MS: i64 = 10 * 60 * 1000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of this process, from /proc (Linux).
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("unique_id", DataType::Utf8, true),
        Field::new("follower_count", DataType::Int64, true),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
    ]))
}

/// Rows `from..from + n`; every 20th row re-sends the row 1001 before it (an original: only
/// positions 19 mod 20 are re-sends).
fn batch(from: u64, n: usize) -> RecordBatch {
    let ids: Vec<u64> = (from..from + n as u64)
        .map(|i| {
            if i % 20 == 19 && i >= 1001 {
                i - 1001
            } else {
                i
            }
        })
        .collect();
    let uid = StringArray::from_iter_values(ids.iter().map(|i| format!("{i:036}")));
    let fc = Int64Array::from_iter_values(ids.iter().map(|i| (*i % 100_000) as i64));
    // Event time: 1 ms per row since 2024-01-01.
    let ts = TimestampMicrosecondArray::from_iter_values(
        ids.iter().map(|i| (1_704_067_200_000 + *i as i64) * 1000),
    )
    .with_timezone("UTC");
    RecordBatch::try_new(schema(), vec![Arc::new(uid), Arc::new(fc), Arc::new(ts)]).expect("batch")
}

#[tokio::main]
async fn main() {
    let rows: u64 = env_or("DEDUP_ROWS", 10_000_000);
    let watermark_on = env_or("DEDUP_WATERMARK", "on".to_string()) != "off";
    let dir = tempfile::tempdir().expect("temp dir");
    let loc = Location::parse(dir.path().to_str().expect("utf-8 path")).expect("state location");
    let spec = DedupSpec {
        columns: Some(vec!["unique_id".into()]),
    };
    let wm = Watermark {
        column: "ts".into(),
        delay_ms: DELAY_MS,
    };
    let mut op = Deduplicate::new(
        &spec,
        watermark_on.then_some(&wm),
        &schema(),
        StateStore::empty(loc.clone()),
    )
    .expect("operator");
    println!(
        "{rows} rows in batches of {BATCH_ROWS}, watermark {}",
        if watermark_on { "10 minutes" } else { "off" }
    );
    println!(
        "| rows in | state keys | state MB (est.) | RSS MB | kept | duplicates | late | rows/s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let (mut watermark, mut prev_watermark) = (0i64, 0i64);
    let (mut kept, mut dups, mut late) = (0u64, 0u64, 0u64);
    let started = Instant::now();
    let mut done = 0u64;
    let mut batch_id = 0u64;
    while done < rows {
        let n = BATCH_ROWS.min((rows - done) as usize);
        let b = batch(done, n);
        let (out, m) = op
            .process(vec![b], prev_watermark, watermark)
            .expect("process");
        op.store.commit().await.expect("state commit");
        if (batch_id + 1) % 10 == 0 {
            op.store
                .purge((batch_id + 1).saturating_sub(100))
                .await
                .expect("purge");
        }
        kept += out.iter().map(|b| b.num_rows() as u64).sum::<u64>();
        dups += m.dropped_duplicates;
        late += m.dropped_late;
        done += n as u64;
        batch_id += 1;
        // The next batch's watermark: the latest event time so far minus the delay.
        let max_event_ms = 1_704_067_200_000 + done as i64 - 1;
        prev_watermark = watermark;
        if watermark_on {
            watermark = watermark.max(max_event_ms - DELAY_MS);
        }
        if done % 1_000_000 == 0 || done == rows {
            println!(
                "| {done} | {} | {:.1} | {:.0} | {kept} | {dups} | {late} | {:.0} |",
                op.store.len(),
                op.store.memory_bytes() as f64 / 1e6,
                rss_mb(),
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let on_disk: u64 = walk_size(dir.path());
    println!(
        "state files on disk at the end: {:.1} MB (snapshots every 10 versions, 100 versions kept)",
        on_disk as f64 / 1e6
    );
}

fn walk_size(p: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk_size(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}
