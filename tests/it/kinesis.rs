//! The Kinesis source against kinesis-local: each initial position, restarts without loss or
//! duplicates, crashes in the middle of a batch, and a split and a merge during a run with every
//! partition key's order kept.

use std::collections::{BTreeMap, HashSet};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{assert_ok, Env, Live};
use crate::kinesis_local::{kinesis_local, KinesisLocal};

/// The columns of spec §8.5, the payload as text, and the batch each row came in. The camelCase
/// names are quoted: spate resolves unquoted names case-sensitively after lower-casing them
/// (DataFusion), where Spark would match them case-insensitively.
const ALL_COLUMNS: &str = "`partitionKey`, CAST(data AS STRING) AS body, stream, `shardId`, \
    `sequenceNumber`, `approximateArrivalTimestamp`, current_timestamp() AS batch_ts";

/// A `spate run` command for `pipeline.sql` against the server, with `--var stream=...`.
fn spate_run(env: &Env, kl: &KinesisLocal, trigger: &str, vars: &[(&str, &str)]) -> Command {
    let mut c = env.spate();
    c.args(["run", "pipeline.sql", "--trigger", trigger, "--warehouse"])
        .arg(&env.warehouse)
        .arg("--progress-json")
        .arg(env.dir.path().join("progress.jsonl"));
    for (k, v) in vars {
        c.arg("--var").arg(format!("{k}={v}"));
    }
    kl.configure(&mut c);
    c
}

fn run_available_now(env: &Env, kl: &KinesisLocal, vars: &[(&str, &str)]) -> Output {
    spate_run(env, kl, "available-now", vars)
        .output()
        .expect("run spate")
}

/// `(key, body)` records: `n` per key, bodies `{"key": .., "n": i}` numbered from `from`.
fn keyed(keys: usize, n: usize, from: usize) -> Vec<(String, String)> {
    let mut out = vec![];
    for i in from..from + n {
        for k in 0..keys {
            out.push((format!("k{k}"), format!("{{\"key\":\"k{k}\",\"n\":{i}}}")));
        }
    }
    out
}

fn bodies(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["body"].as_str().expect("body").to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The checkpoint's newest `offsets/N`, parsed (line 3 holds the source offset).
fn last_offsets(env: &Env, table: &str) -> Value {
    let dir = env.checkpoint_file(table, "offsets");
    let last = std::fs::read_dir(&dir)
        .expect("offsets dir")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .expect("an offsets file");
    let text = std::fs::read_to_string(dir.join(last.to_string())).expect("offsets file");
    serde_json::from_str(text.lines().nth(2).expect("offset line")).expect("offset JSON")
}

#[test]
fn kinesis_trim_horizon_and_at_timestamp() {
    let Some(kl) = kinesis_local() else { return };
    let s = kl.stream("positions", 1);
    let env = Env::new();
    let old = keyed(1, 5, 0);
    let mut seqs = s.put(&old);
    std::thread::sleep(Duration::from_millis(1000));
    let cut = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string();
    std::thread::sleep(Duration::from_millis(500));
    let new = keyed(1, 5, 5);
    seqs.extend(s.put(&new));
    env.pipeline(&format!(
        "CREATE STREAMING TABLE th AS SELECT {ALL_COLUMNS}
           FROM STREAM read_kinesis(streamName => '${{stream}}', initialPosition => 'trim_horizon',
                                    region => 'us-east-1', maxFetchDuration => '100ms');
         CREATE STREAMING TABLE ts AS SELECT CAST(data AS STRING) AS body
           FROM STREAM read_kinesis(streamName => '${{stream}}',
             initialPosition => '{{\"at_timestamp\": \"${{cut}}\", \"format\": \"yyyy-MM-dd HH:mm:ss.SSS\"}}');
         CREATE STREAMING TABLE earliest AS SELECT CAST(data AS STRING) AS body
           FROM STREAM read_kinesis(streamName => '${{stream}}', initialPosition => 'earliest');"
    ));
    let out = run_available_now(&env, kl, &[("stream", &s.name), ("cut", &cut)]);
    assert_ok(&out);

    // The read-back sorts rows by their JSON; put them back in sequence-number order.
    let mut th = env.rows("th");
    th.sort_by_key(|r| {
        let seq = r["sequenceNumber"].as_str().unwrap_or_default().to_string();
        (seq.len(), seq)
    });
    let all: Vec<String> = old.iter().chain(&new).map(|r| r.1.clone()).collect();
    assert_eq!(bodies(&th), all);
    for (row, seq) in th.iter().zip(&seqs) {
        assert_eq!(row["sequenceNumber"], Value::from(seq.as_str()));
        assert_eq!(row["partitionKey"], "k0");
        assert_eq!(row["stream"], Value::from(s.name.as_str()));
        assert_eq!(row["shardId"], "shardId-000000000000");
        assert!(row["approximateArrivalTimestamp"].is_string(), "{row}");
    }
    let new_bodies: Vec<String> = new.iter().map(|r| r.1.clone()).collect();
    assert_eq!(sorted(bodies(&env.rows("ts"))), sorted(new_bodies));
    assert_eq!(sorted(bodies(&env.rows("earliest"))), sorted(all));

    // The offset names the last record read, and (the shard being new in this batch) where
    // reading it started, so a re-run reads the same records.
    let off = last_offsets(&env, "th");
    assert_eq!(
        off[&s.name]["shardId-000000000000"],
        serde_json::json!({"iteratorType": "AFTER_SEQUENCE_NUMBER", "iteratorPosition": seqs.last().unwrap(),
                           "startedFrom": {"iteratorType": "TRIM_HORIZON"}})
    );
}

/// `spate run` in the background with the connectors' log lines.
fn start(cmd: Command) -> Live {
    Live::spawn(cmd, "warn,spate_connectors=info,spate_engine::query=info")
}

/// Waits until the progress file counts `rows` input rows for `table` in total.
fn wait_rows(live: &mut Live, env: &Env, table: &str, rows: u64, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let got = input_rows(env, table);
        if got >= rows {
            return;
        }
        if let Ok(Some(status)) = live.child.try_wait() {
            panic!(
                "spate exited ({status:?}) at {got} rows:\n{}",
                live.stderr()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{got} of {rows} rows after {timeout:?}:\n{}",
            live.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Input rows the progress file reports for `table`, over all batches and runs.
fn input_rows(env: &Env, table: &str) -> u64 {
    let text = std::fs::read_to_string(env.dir.path().join("progress.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|p| p["name"] == table)
        .map(|p| p["numInputRows"].as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn kinesis_latest_skips_what_was_there_before() {
    let Some(kl) = kinesis_local() else { return };
    let s = kl.stream("latest", 2);
    let env = Env::new();
    s.put(&keyed(4, 5, 0));
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS SELECT {ALL_COLUMNS}
           FROM STREAM read_kinesis(streamName => '${{stream}}', maxFetchDuration => '100ms',
                                    minFetchPeriod => '200ms');"
    ));
    let mut live = start(spate_run(&env, kl, "0 seconds", &[("stream", &s.name)]));
    // Batch 0 pins `latest` as the start instant (no rows); records put after it are read.
    let first = env.checkpoint_file("t", "commits/0");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !first.exists() {
        assert!(Instant::now() < deadline, "no batch 0:\n{}", live.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let new = keyed(4, 5, 100);
    s.put(&new);
    wait_rows(
        &mut live,
        &env,
        "t",
        new.len() as u64,
        Duration::from_secs(30),
    );
    live.stop();
    let got = sorted(bodies(&env.rows("t")));
    assert_eq!(got, sorted(new.iter().map(|r| r.1.clone()).collect()));
}

#[test]
fn kinesis_restart_reads_on_without_loss_or_duplicates() {
    let Some(kl) = kinesis_local() else { return };
    let s = kl.stream("restart", 2);
    let env = Env::new();
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS SELECT {ALL_COLUMNS}
           FROM STREAM read_kinesis(streamName => '${{stream}}', initialPosition => 'trim_horizon',
                                    maxRecordsPerFetch => 7);"
    ));
    let mut expected = vec![];
    for round in 0..3 {
        let batch = keyed(8, 5, round * 5);
        let seqs = s.put(&batch);
        expected.extend(batch.iter().map(|r| r.1.clone()));
        let out = run_available_now(&env, kl, &[("stream", &s.name)]);
        assert_ok(&out);
        let rows = env.rows("t");
        assert_eq!(
            sorted(bodies(&rows)),
            sorted(expected.clone()),
            "round {round}"
        );
        // Each shard's offset is the newest sequence number the round put into it.
        let off = last_offsets(&env, "t");
        let mut newest: BTreeMap<String, String> = BTreeMap::new();
        for r in &rows {
            let (shard, seq) = (
                r["shardId"].as_str().unwrap(),
                r["sequenceNumber"].as_str().unwrap(),
            );
            let e = newest.entry(shard.to_string()).or_default();
            if (seq.len(), seq) > (e.len(), e.as_str()) {
                *e = seq.to_string();
            }
        }
        for (shard, seq) in &newest {
            assert_eq!(
                off[&s.name][shard]["iteratorPosition"],
                Value::from(seq.as_str()),
                "{off}"
            );
        }
        assert!(seqs
            .iter()
            .all(|q| newest.values().any(|n| (q.len(), q) <= (n.len(), n))));
    }
}

#[test]
fn kinesis_crash_mid_batch_rereads_exactly_the_planned_records() {
    let Some(kl) = kinesis_local() else { return };
    let s = kl.stream("crash", 2);
    let env = Env::new();
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS SELECT {ALL_COLUMNS}
           FROM STREAM read_kinesis(streamName => '${{stream}}', initialPosition => 'trim_horizon');"
    ));
    let mut expected = vec![];
    let points = [
        "after-offsets",
        "mid-delta-write",
        "after-sink",
        "after-commit",
    ];
    for (round, point) in points.iter().enumerate() {
        let batch = next_batch_id(&env, "t");
        let planned = keyed(6, 4, round * 4);
        s.put(&planned);
        expected.extend(planned.iter().map(|r| r.1.clone()));
        // The batch is planned and written ahead, then the process dies at `point` (SIGABRT, as
        // abrupt as kill -9).
        let mut c = spate_run(&env, kl, "available-now", &[("stream", &s.name)]);
        c.env("SPATE_FAILPOINT", format!("{point}:{batch}"));
        let out = c.output().expect("run spate");
        assert!(!out.status.success(), "{point}: the failpoint did not fire");
        // Records put now belong to the next batch; the re-run must not take them.
        let later = keyed(6, 1, 1000 + round);
        s.put(&later);
        expected.extend(later.iter().map(|r| r.1.clone()));
        let out = run_available_now(&env, kl, &[("stream", &s.name)]);
        assert_ok(&out);
        let rows = env.rows("t");
        assert_eq!(
            sorted(bodies(&rows)),
            sorted(expected.clone()),
            "after {point}"
        );
        // The crashed batch's rows share one batch timestamp, and the later records are not among them.
        let planned_ts: HashSet<String> = rows
            .iter()
            .filter(|r| planned.iter().any(|p| r["body"] == p.1.as_str()))
            .map(|r| r["batch_ts"].to_string())
            .collect();
        assert_eq!(planned_ts.len(), 1, "{point}: {planned_ts:?}");
        let later_ts: HashSet<String> = rows
            .iter()
            .filter(|r| later.iter().any(|p| r["body"] == p.1.as_str()))
            .map(|r| r["batch_ts"].to_string())
            .collect();
        assert!(
            later_ts.is_disjoint(&planned_ts),
            "{point}: re-run took later records"
        );
    }

    // And a plain kill -9 in the middle of a live run.
    let more = keyed(6, 30, 5000);
    s.put(&more);
    expected.extend(more.iter().map(|r| r.1.clone()));
    let mut c = spate_run(&env, kl, "0 seconds", &[("stream", &s.name)]);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().expect("start spate");
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    let out = run_available_now(&env, kl, &[("stream", &s.name)]);
    assert_ok(&out);
    assert_eq!(sorted(bodies(&env.rows("t"))), sorted(expected));
}

/// The id the next batch of `table` will get: one past the newest `commits/N`.
fn next_batch_id(env: &Env, table: &str) -> u64 {
    std::fs::read_dir(env.checkpoint_file(table, "commits"))
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
                .max()
                .map_or(0, |n| n + 1)
        })
        .unwrap_or(0)
}

/// Per key, the batches its records came in never go back in time as its counter grows.
fn assert_key_order(rows: &[Value]) {
    let mut by_key: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for r in rows {
        let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        by_key
            .entry(body["key"].as_str().unwrap().to_string())
            .or_default()
            .push((body["n"].as_i64().unwrap(), r["batch_ts"].to_string()));
    }
    for (key, mut v) in by_key {
        v.sort();
        for w in v.windows(2) {
            assert!(
                w[0].1 <= w[1].1,
                "key {key}: record {} came in batch {} after record {} in batch {}",
                w[0].0,
                w[0].1,
                w[1].0,
                w[1].1
            );
        }
    }
}

#[test]
fn kinesis_split_and_merge_keep_each_keys_order() {
    let Some(kl) = kinesis_local() else { return };
    let s = kl.stream("reshard", 1);
    let env = Env::new();
    // Small, slow fetches: the parent's backlog takes seconds to read while its children already
    // hold records, so reading a child early would put a key's later records first.
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS SELECT {ALL_COLUMNS}
           FROM STREAM read_kinesis(streamName => '${{stream}}', initialPosition => 'trim_horizon',
                                    maxRecordsPerFetch => 10, minFetchPeriod => '200ms',
                                    maxFetchDuration => '100ms', shardFetchInterval => '300ms');"
    ));
    let keys = 8;
    let mut expected = vec![];
    let mut put = |batch: Vec<(String, String)>| {
        s.put(&batch);
        expected.extend(batch.into_iter().map(|r| r.1));
    };
    put(keyed(keys, 15, 0));
    let mut live = start(spate_run(&env, kl, "0 seconds", &[("stream", &s.name)]));
    s.split("shardId-000000000000");
    put(keyed(keys, 15, 15));
    wait_rows(
        &mut live,
        &env,
        "t",
        (keys * 30) as u64,
        Duration::from_secs(60),
    );
    // Stop while the children are being read; the restart carries on from the checkpoint.
    live.stop();
    s.merge("shardId-000000000001", "shardId-000000000002");
    put(keyed(keys, 15, 30));
    let mut live = start(spate_run(&env, kl, "0 seconds", &[("stream", &s.name)]));
    wait_rows(
        &mut live,
        &env,
        "t",
        (keys * 45) as u64,
        Duration::from_secs(60),
    );
    // One more record after the merge child started: the batch that takes it drops the parents.
    put(keyed(1, 1, 45));
    wait_rows(
        &mut live,
        &env,
        "t",
        (keys * 45 + 1) as u64,
        Duration::from_secs(60),
    );
    live.stop();

    let rows = env.rows("t");
    assert_eq!(sorted(bodies(&rows)), sorted(expected));
    assert_key_order(&rows);
    let shards: HashSet<&str> = rows
        .iter()
        .map(|r| r["shardId"].as_str().unwrap())
        .collect();
    assert_eq!(
        shards.len(),
        4,
        "parent, two children, merged child: {shards:?}"
    );
    let off = last_offsets(&env, "t");
    let in_offset: Vec<&String> = off[&s.name].as_object().unwrap().keys().collect();
    assert_eq!(in_offset, ["shardId-000000000003"], "{off}");
    assert_eq!(s.shards().iter().filter(|(_, open)| *open).count(), 1);
}

/// `spate emulate pinterest` into a folder, and the same options with `--kinesis` onto streams.
fn emulate_both(env: &Env, kl: &KinesisLocal, prefix: &str, posts: u64) {
    let common = [
        "--posts",
        &posts.to_string(),
        "--files",
        "3",
        "--seed",
        "11",
    ];
    let out = env
        .spate()
        .args(["emulate", "pinterest", "--out"])
        .arg(&env.landing)
        .args(common)
        .output()
        .expect("emulate to folders");
    assert_ok(&out);
    let mut c = env.spate();
    c.args(["emulate", "pinterest", "--kinesis", prefix])
        .args(common);
    kl.configure(&mut c);
    let out = c.output().expect("emulate to Kinesis");
    assert_ok(&out);
    let manifest: Value = serde_json::from_slice(&out.stdout).expect("manifest JSON");
    assert_eq!(manifest["posts"], Value::from(posts));
}

#[test]
fn kinesis_emulator_posts_the_same_rows_as_the_folders_get() {
    let Some(kl) = kinesis_local() else { return };
    let env = Env::new();
    let prefix = format!("emul-{}", std::process::id());
    emulate_both(&env, kl, &prefix, 120);
    env.pipeline(
        "CREATE STREAMING TABLE pin_raw AS SELECT CAST(data AS STRING) AS body, `partitionKey`
           FROM STREAM read_kinesis(streamName => '${prefix}-pin', initialPosition => 'trim_horizon');
         CREATE STREAMING TABLE geo_raw AS SELECT CAST(data AS STRING) AS body, `partitionKey`
           FROM STREAM read_kinesis(streamName => '${prefix}-geo', initialPosition => 'trim_horizon');
         CREATE STREAMING TABLE user_raw AS SELECT CAST(data AS STRING) AS body, `partitionKey`
           FROM STREAM read_kinesis(streamName => '${prefix}-user', initialPosition => 'trim_horizon');",
    );
    let out = run_available_now(&env, kl, &[("prefix", &prefix)]);
    assert_ok(&out);
    for feed in ["pin", "geo", "user"] {
        let mut lines = vec![];
        let mut parts: Vec<_> = std::fs::read_dir(env.landing.join(feed))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        parts.sort();
        for p in parts {
            lines.extend(
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .map(str::to_string),
            );
        }
        let rows = env.rows(&format!("{feed}_raw"));
        // The read-back sorts rows, so compare as multisets (sizes first: a short message).
        let got = sorted(bodies(&rows));
        assert_eq!(got.len(), lines.len(), "{feed}");
        assert!(
            got == sorted(lines),
            "{feed}: the records differ from the lines"
        );
        assert!(rows.iter().all(|r| r["partitionKey"] == "partition-1"));
    }
}

#[test]
fn kinesis_pinterest_pipeline_cleans_like_the_file_pipeline() {
    let Some(kl) = kinesis_local() else { return };
    let env = Env::new();
    let prefix = format!("pinterest-{}", std::process::id());
    emulate_both(&env, kl, &prefix, 300);
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The file pipeline's tables go to a second test folder's warehouse.
    let files_env = Env::new();
    let out = env
        .spate()
        .arg("run")
        .arg(repo.join("queries/pinterest/pipeline.sql"))
        .args(["--trigger", "available-now", "--warehouse"])
        .arg(&files_env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .output()
        .expect("file pipeline");
    assert_ok(&out);
    let mut c = env.spate();
    c.arg("run")
        .arg(repo.join("queries/pinterest/pipeline_kinesis.sql"))
        .args(["--trigger", "available-now", "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("stream_prefix={prefix}"));
    kl.configure(&mut c);
    assert_ok(&c.output().expect("Kinesis pipeline"));
    for table in ["pin_clean", "geo_clean", "user_clean"] {
        let key = |v: &Value| v.to_string();
        let mut from_kinesis = env.rows(table);
        let mut from_files = files_env.rows(table);
        assert!(!from_files.is_empty(), "{table} is empty");
        from_kinesis.sort_by_key(key);
        from_files.sort_by_key(key);
        assert_eq!(from_kinesis, from_files, "{table}");
    }
}
