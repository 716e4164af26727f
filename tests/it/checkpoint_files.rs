//! The checkpoint is written in Spark's exact format (spec §3.2-3.5).

use serde_json::Value;

use crate::harness::{assert_ok, Env};

#[test]
fn checkpoint_files_match_sparks_format() {
    let env = Env::new();
    env.land("a b.json", "{\"a\": 1}\n");
    env.land("c.json", "{\"a\": 2}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', maxFilesPerTrigger => 1);",
    );
    assert_ok(&env.run_available_now(&[]));
    let read = |rel: &str| std::fs::read_to_string(env.checkpoint_file("t", rel)).unwrap();

    let meta = read("metadata");
    let id = serde_json::from_str::<Value>(&meta).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(meta, format!("{{\"id\":\"{id}\"}}"));
    assert_eq!(id.len(), 36);

    let offsets = read("offsets/1");
    let lines: Vec<&str> = offsets.split('\n').collect();
    assert_eq!(
        lines.len(),
        3,
        "v1, metadata, one source; no trailing newline: {offsets:?}"
    );
    assert_eq!(lines[0], "v1");
    assert!(
        lines[1].starts_with("{\"batchWatermarkMs\":0,\"batchTimestampMs\":"),
        "{}",
        lines[1]
    );
    let m: Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(
        m["conf"]["spark.sql.shuffle.partitions"],
        Value::from("200")
    );
    assert_eq!(
        m["conf"]["spark.sql.streaming.multipleWatermarkPolicy"],
        Value::from("min")
    );
    assert_eq!(lines[2], "{\"logOffset\":1}");

    assert_eq!(read("commits/0"), "v1\n{\"nextBatchWatermarkMs\":0}");
    assert_eq!(read("commits/1"), "v1\n{\"nextBatchWatermarkMs\":0}");

    let src0 = read("sources/0/0");
    let lines: Vec<&str> = src0.split('\n').collect();
    assert_eq!(lines[0], "v1");
    let entry: Value = serde_json::from_str(lines[1]).unwrap();
    let path = entry["path"].as_str().unwrap();
    // Spark 4.0.1 writes file:///abs/path (Spark 3.x wrote file:/abs/path); checked against real Spark.
    assert!(
        path.starts_with("file:///") && path.ends_with("/landing/a%20b.json"),
        "{path}"
    );
    assert_eq!(entry["batchId"], Value::from(0));
    assert!(entry["timestamp"].as_i64().unwrap() > 0);
    assert_eq!(
        lines[1],
        format!(
            "{{\"path\":\"{path}\",\"timestamp\":{},\"batchId\":0}}",
            entry["timestamp"]
        )
    );
}

#[test]
fn delta_log_is_checkpointed_every_10_commits() {
    let env = Env::new();
    for i in 0..12 {
        env.land(&format!("f{i:02}.json"), &format!("{{\"a\": {i}}}\n"));
    }
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', maxFilesPerTrigger => 1);",
    );
    assert_ok(&env.run_available_now(&[]));
    let log = env.warehouse.join("t/_delta_log");
    // Version 0 creates the table; batches 0..11 are versions 1..12; delta-rs checkpoints at (version + 1) % 10 == 0.
    assert!(
        log.join("00000000000000000009.checkpoint.parquet").exists(),
        "{:?}",
        std::fs::read_dir(&log).unwrap().count()
    );
    assert!(log.join("_last_checkpoint").exists());
    assert_eq!(env.rows("t").len(), 12);
    // The source log compacted at entry 9, as Spark does.
    assert!(env.checkpoint_file("t", "sources/0/9.compact").exists());
}

#[test]
fn a_corrupt_checkpoint_file_stops_the_query_naming_the_file() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');");
    assert_ok(&env.run_available_now(&[]));
    // A truncated offsets file (a torn write on a filesystem without atomic rename).
    std::fs::write(env.checkpoint_file("t", "offsets/0"), "v1\n{\"batchWaterm").unwrap();
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    let err = crate::harness::stderr(&out);
    assert!(
        err.contains("offsets/0") && err.contains("invalid JSON"),
        "{err}"
    );
    // A version written by a newer Spark.
    std::fs::write(
        env.checkpoint_file("t", "offsets/0"),
        "v9\n{}\n{\"logOffset\":0}",
    )
    .unwrap();
    let err = crate::harness::stderr(&env.run_available_now(&[]));
    assert!(
        err.contains("offsets/0") && err.contains("greater than supported"),
        "{err}"
    );
}

#[test]
fn confs_pinned_in_the_checkpoint_are_carried_forward() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');");
    assert_ok(&env.run_available_now(&[]));
    // As if a Spark query with 8 shuffle partitions had started this checkpoint.
    let first = env.checkpoint_file("t", "offsets/0");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replace(
            "\"spark.sql.shuffle.partitions\":\"200\"",
            "\"spark.sql.shuffle.partitions\":\"8\"",
        ),
    )
    .unwrap();
    env.land("b.json", "{\"a\": 2}\n");
    assert_ok(&env.run_available_now(&[]));
    let next = std::fs::read_to_string(env.checkpoint_file("t", "offsets/1")).unwrap();
    assert!(
        next.contains("\"spark.sql.shuffle.partitions\":\"8\""),
        "{next}"
    );
}
