//! S3 for real: landing folder, checkpoints and Delta tables on `s3://` against moto_server.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{assert_ok, read_delta_with, stderr, Env};
use crate::pipeline::{expected_rows, sort, FILE_A, FILE_B, PINS_PIPELINE};
use crate::services::Moto;

const BUCKET: &str = "spate-it";

/// A fifth pin, landed after the first run.
const FILE_C: &str = r#"{"index": 5, "unique_id": "u5", "title": "Fish", "follower_count": "7", "ts": "2024-01-04 08:00:00"}
"#;

fn row_c() -> Value {
    json!({"ind": 5, "unique_id": "u5", "title": "Fish", "follower_count": 7, "ts": "2024-01-04 08:00:00+00:00", "_corrupt_record": null})
}

/// A test folder (for pipeline.sql and progress files) and a fresh moto with one bucket.
struct S3Env {
    env: Env,
    moto: Moto,
}

impl S3Env {
    fn new() -> S3Env {
        let moto = Moto::start();
        moto.create_bucket(BUCKET);
        S3Env {
            env: Env::new(),
            moto,
        }
    }

    fn url(&self, key: &str) -> String {
        format!("s3://{BUCKET}/{key}")
    }

    /// `spate` with the moto environment.
    fn spate(&self) -> Command {
        let mut c = self.env.spate();
        self.moto.configure(&mut c);
        c.env_remove("SPATE_STORE_FAULTS");
        c
    }

    /// `spate run pipeline.sql` with landing and warehouse on S3.
    fn run(&self, trigger: &str, extra_env: &[(&str, &str)]) -> Command {
        let mut c = self.spate();
        c.args(["run", "pipeline.sql", "--trigger", trigger, "--warehouse"])
            .arg(self.url("wh"))
            .arg("--var")
            .arg(format!("landing={}", self.url("landing")));
        for (k, v) in extra_env {
            c.env(k, v);
        }
        c
    }

    fn run_available_now(&self, extra_env: &[(&str, &str)]) -> Output {
        self.run("available-now", extra_env)
            .output()
            .expect("run spate")
    }

    /// Reads an S3 table back with deltalake (on S3) and DuckDB (a downloaded copy).
    fn read_delta(&self, key: &str) -> Value {
        read_delta_with(&self.url(key), |c| self.moto.configure(c))
    }

    fn rows(&self, key: &str) -> Vec<Value> {
        let mut rows = self.read_delta(key)["duckdb"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        sort(&mut rows);
        rows
    }

    fn checkpoint_keys(&self, table: &str) -> Vec<String> {
        let prefix = format!("wh/_checkpoints/{table}/");
        self.moto
            .keys(BUCKET, &prefix)
            .into_iter()
            .map(|k| k[prefix.len()..].to_string())
            .collect()
    }
}

#[test]
fn s3_pipeline_lands_exactly_once_and_restarts_exactly_once() {
    let s3 = S3Env::new();
    s3.moto.put(BUCKET, "landing/a.json", FILE_A);
    s3.moto.put(BUCKET, "landing/b.json", FILE_B);
    s3.moto.put(BUCKET, "landing/_SUCCESS", "");
    s3.env.pipeline(PINS_PIPELINE);

    let out = s3.run_available_now(&[]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("pins batch 0")
            && err.contains("pins batch 1")
            && !err.contains("pins batch 2"),
        "{err}"
    );
    let back = s3.read_delta("wh/pins");
    let mut rows = back["duckdb"].as_array().cloned().unwrap_or_default();
    sort(&mut rows);
    assert_eq!(rows, expected_rows());
    assert_eq!(back["version"], json!(2));
    assert_eq!(back["schema"]["ts"], json!("timestamp[us, tz=UTC]"));

    // Spark's checkpoint layout, on S3; the lease is gone after a clean stop.
    let keys = s3.checkpoint_keys("pins");
    for k in [
        "metadata",
        "offsets/0",
        "offsets/1",
        "commits/0",
        "commits/1",
        "sources/0/0",
        "sources/0/1",
    ] {
        assert!(keys.contains(&k.to_string()), "{k} missing from {keys:?}");
    }
    assert!(!keys.iter().any(|k| k.contains("_spate_lease")), "{keys:?}");
    // The file source logged S3 URIs.
    let src = s3
        .moto
        .get(BUCKET, "wh/_checkpoints/pins/sources/0/0")
        .unwrap_or_default();
    assert!(src.contains("\"path\":\"s3://spate-it/landing/"), "{src}");

    // Batch 2 reaches Delta but its commits/2 write fails (every attempt): the query stops.
    s3.moto.put(BUCKET, "landing/c.json", FILE_C);
    let out = s3.run_available_now(&[(
        "SPATE_STORE_FAULTS",
        "1.0,kinds=error,ops=put,path=_checkpoints/pins/commits/",
    )]);
    assert!(
        !out.status.success(),
        "the commits/2 write was meant to fail:\n{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("injected error on put") && err.contains("giving up"),
        "{err}"
    );
    let keys = s3.checkpoint_keys("pins");
    assert!(
        keys.contains(&"offsets/2".to_string()) && !keys.contains(&"commits/2".to_string()),
        "{keys:?}"
    );
    assert_eq!(
        s3.read_delta("wh/pins")["version"],
        json!(3),
        "the Delta commit of batch 2 landed"
    );

    // The restart re-runs batch 2, the sink finds its txn and skips it, and commits/2 appears.
    let out = s3.run_available_now(&[]);
    assert_ok(&out);
    assert!(s3
        .checkpoint_keys("pins")
        .contains(&"commits/2".to_string()));
    let mut want = expected_rows();
    want.push(row_c());
    sort(&mut want);
    assert_eq!(
        s3.rows("wh/pins"),
        want,
        "every row exactly once after the restart"
    );
    assert_eq!(
        s3.read_delta("wh/pins")["version"],
        json!(3),
        "no second commit for batch 2"
    );

    // Nothing new: nothing written.
    assert_ok(&s3.run_available_now(&[]));
    assert_eq!(s3.read_delta("wh/pins")["version"], json!(3));
    assert!(!s3
        .checkpoint_keys("pins")
        .contains(&"offsets/3".to_string()));
}

#[test]
fn s3_second_query_on_a_live_checkpoint_is_refused() {
    let s3 = S3Env::new();
    s3.moto.put(BUCKET, "landing/a.json", "{\"a\": 1}\n");
    s3.env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');",
    );
    let mut live = s3
        .run("200ms", &[])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the live query");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !s3.moto.exists(BUCKET, "wh/_checkpoints/t/commits/0") {
        assert!(
            Instant::now() < deadline,
            "the live query never committed batch 0"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        s3.moto
            .exists(BUCKET, "wh/_checkpoints/t/_spate_lease.json"),
        "the live query holds its lease on S3"
    );
    let before = s3.checkpoint_keys("t");
    let second = s3.run_available_now(&[]);
    assert!(!second.status.success());
    let err = stderr(&second);
    assert!(err.contains("in use by another running query"), "{err}");
    assert_eq!(
        before,
        s3.checkpoint_keys("t"),
        "the refused run wrote nothing"
    );

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(live.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let status = live.wait().expect("wait for the live query");
    assert!(
        status.success(),
        "SIGTERM should stop cleanly, got {status:?}"
    );
    assert!(
        !s3.moto
            .exists(BUCKET, "wh/_checkpoints/t/_spate_lease.json"),
        "the lease is released"
    );

    s3.moto.put(BUCKET, "landing/b.json", "{\"a\": 2}\n");
    assert_ok(&s3.run_available_now(&[]));
    assert_eq!(s3.rows("wh/t"), vec![json!({"a": 1}), json!({"a": 2})]);
}

#[test]
fn s3_sql_lists_warehouse_tables_and_location_writes_elsewhere() {
    let s3 = S3Env::new();
    s3.moto.put(BUCKET, "landing/a.json", FILE_A);
    s3.moto.put(BUCKET, "landing/b.json", FILE_B);
    // The same source twice: into the warehouse, and into a LOCATION outside it.
    let located = PINS_PIPELINE
        .replace("SET spark.sql.ansi.enabled = false;", "")
        .replace("STREAMING TABLE pins (", "STREAMING TABLE pins_ext (")
        .replace(
            ")\nAS SELECT",
            &format!(")\nLOCATION '{}'\nAS SELECT", s3.url("elsewhere/pins_ext")),
        );
    assert!(located.contains("LOCATION 's3://"), "{located}");
    s3.env.pipeline(&format!("{PINS_PIPELINE}\n{located}"));
    assert_ok(&s3.run_available_now(&[]));
    assert_eq!(s3.rows("wh/pins"), expected_rows());
    assert_eq!(s3.rows("elsewhere/pins_ext"), expected_rows());
    assert!(
        s3.moto.keys(BUCKET, "wh/pins_ext/").is_empty(),
        "LOCATION overrides <warehouse>/<name>"
    );

    // `spate sql` on the S3 warehouse, reaching moto through the S3-specific endpoint variable.
    let sql = |format: &str, query: &str| {
        let mut c = s3.spate();
        c.env_remove("AWS_ENDPOINT_URL")
            .env("AWS_ENDPOINT_URL_S3", s3.moto.endpoint());
        let out = c
            .args(["sql", "--warehouse"])
            .arg(s3.url("wh"))
            .args(["--format", format, "-e", query])
            .output()
            .unwrap();
        assert_ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        sql("csv", "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"),
        "table_name\npins\n"
    );
    assert_eq!(
        sql(
            "csv",
            "SELECT count(*) AS n, sum(follower_count) AS f FROM pins"
        ),
        "n,f\n4,1005120\n"
    );
    s3.moto.put(BUCKET, "preview/a.json", FILE_A);
    let preview = format!(
        "SELECT count(*) AS n, count(_corrupt_record) AS bad FROM read_files('{}', format => 'json', schema => 'index BIGINT, unique_id STRING, _corrupt_record STRING')",
        s3.url("preview")
    );
    assert_eq!(sql("csv", &preview), "n,bad\n3,1\n");
}

#[test]
fn s3_missing_bucket_is_a_clear_error() {
    let s3 = S3Env::new();
    s3.env.pipeline(PINS_PIPELINE);
    let mut c = s3.spate();
    let out = c
        .args([
            "run",
            "pipeline.sql",
            "--trigger",
            "available-now",
            "--warehouse",
            "s3://no-such-bucket/wh",
            "--var",
        ])
        .arg(format!("landing={}", s3.url("landing")))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no-such-bucket") || err.contains("NoSuchBucket"),
        "{err}"
    );
}

#[test]
fn s3_lost_replies_and_random_faults_still_land_every_row_exactly_once() {
    let s3 = S3Env::new();
    s3.moto.put(BUCKET, "landing/a.json", FILE_A);
    s3.env.pipeline(PINS_PIPELINE);

    // Every write below the warehouse lands on S3 but its first reply is lost. The retried
    // `If-None-Match: *` PUTs of offsets/N, commits/N, the lease and the Delta commit get
    // 412 from S3, read the object back, find their own bytes, and carry on.
    let out = s3.run_available_now(&[
        (
            "SPATE_STORE_FAULTS",
            "1.0,kinds=lost,ops=put,path=wh/,max=1",
        ),
        ("SPATE_LOG", "warn"),
    ]);
    assert_ok(&out);
    let err = stderr(&out);
    for what in [
        "_checkpoints/pins/offsets/0",
        "_checkpoints/pins/commits/0",
        "pins/_delta_log/00000000000000000001.json",
    ] {
        let resolved = err
            .lines()
            .any(|l| l.contains("found its own earlier write") && l.contains(what));
        assert!(resolved, "no read-back resolution for {what}:\n{err}");
    }
    assert_eq!(s3.read_delta("wh/pins")["version"], json!(1));

    // 10% of all calls fail in every way; restart on error like an orchestrator.
    s3.moto.put(BUCKET, "landing/b.json", FILE_B);
    s3.moto.put(BUCKET, "landing/c.json", FILE_C);
    let mut logs = String::new();
    let finished = (0..12u64).any(|attempt| {
        let spec = format!("0.1,seed={},delay=100", 21 + attempt);
        let out =
            s3.run_available_now(&[("SPATE_STORE_FAULTS", spec.as_str()), ("SPATE_LOG", "warn")]);
        logs.push_str(&stderr(&out));
        out.status.success()
    });
    assert!(
        finished,
        "the pipeline never finished under 10% faults:\n{logs}"
    );
    assert_ok(&s3.run_available_now(&[]));
    let mut want = expected_rows();
    want.push(row_c());
    sort(&mut want);
    assert_eq!(s3.rows("wh/pins"), want);
    let keys = s3.checkpoint_keys("pins");
    let commits: Vec<_> = keys.iter().filter(|k| k.starts_with("commits/")).collect();
    assert_eq!(
        commits,
        vec!["commits/0", "commits/1", "commits/2"],
        "{keys:?}"
    );
    assert_eq!(
        s3.read_delta("wh/pins")["version"],
        json!(3),
        "one Delta commit per batch"
    );
}

#[test]
fn s3_incremental_listing_starts_after_the_last_key_and_finds_every_new_file() {
    let s3 = S3Env::new();
    for i in 0..3 {
        s3.moto.put(
            BUCKET,
            &format!("landing/{i:03}.json"),
            &format!("{{\"a\": {i}}}\n"),
        );
    }
    s3.env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');",
    );
    let live = s3
        .run("100ms", &[("SPATE_LOG", "spate_connectors=debug")])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the live query");
    // Files keep landing in key order while the query runs: listings after the first start at
    // the last key taken (S3's StartAfter) and still find each one.
    let deadline = Instant::now() + Duration::from_secs(120);
    for i in 3..8 {
        while !s3
            .moto
            .exists(BUCKET, &format!("wh/_checkpoints/t/commits/{}", i - 3))
        {
            assert!(Instant::now() < deadline, "batch {} never committed", i - 3);
            std::thread::sleep(Duration::from_millis(50));
        }
        s3.moto.put(
            BUCKET,
            &format!("landing/{i:03}.json"),
            &format!("{{\"a\": {i}}}\n"),
        );
    }
    // Each file after the first three lands once the previous batch committed, so it is a batch
    // of its own: the last one (007) is batch 5. Wait on the checkpoint, not the table: reading a
    // table that is being committed to can catch DuckDB's copy and deltalake at different versions.
    while !s3.moto.exists(BUCKET, "wh/_checkpoints/t/commits/5") {
        assert!(Instant::now() < deadline, "not every file was read");
        std::thread::sleep(Duration::from_millis(100));
    }
    Command::new("kill")
        .arg("-TERM")
        .arg(live.id().to_string())
        .status()
        .expect("kill");
    let out = live.wait_with_output().expect("wait for the live query");
    let log = String::from_utf8_lossy(&out.stderr);
    // The debug line of a listing names its start key (`after="landing/002.json"`).
    assert!(
        log.contains("\"landing/002.json\""),
        "an incremental listing was made: {log}"
    );
    let mut rows = s3.rows("wh/t");
    sort(&mut rows);
    let want: Vec<Value> = (0..8).map(|i| json!({"a": i})).collect();
    assert_eq!(rows, want);
}
