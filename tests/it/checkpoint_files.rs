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
    let id = serde_json::from_str::<Value>(&meta).unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(meta, format!("{{\"id\":\"{id}\"}}"));
    assert_eq!(id.len(), 36);

    let offsets = read("offsets/1");
    let lines: Vec<&str> = offsets.split('\n').collect();
    assert_eq!(lines.len(), 3, "v1, metadata, one source; no trailing newline: {offsets:?}");
    assert_eq!(lines[0], "v1");
    assert!(lines[1].starts_with("{\"batchWatermarkMs\":0,\"batchTimestampMs\":"), "{}", lines[1]);
    let m: Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(m["conf"]["spark.sql.shuffle.partitions"], Value::from("200"));
    assert_eq!(m["conf"]["spark.sql.streaming.multipleWatermarkPolicy"], Value::from("min"));
    assert_eq!(lines[2], "{\"logOffset\":1}");

    assert_eq!(read("commits/0"), "v1\n{\"nextBatchWatermarkMs\":0}");
    assert_eq!(read("commits/1"), "v1\n{\"nextBatchWatermarkMs\":0}");

    let src0 = read("sources/0/0");
    let lines: Vec<&str> = src0.split('\n').collect();
    assert_eq!(lines[0], "v1");
    let entry: Value = serde_json::from_str(lines[1]).unwrap();
    let path = entry["path"].as_str().unwrap();
    assert!(path.starts_with("file:/") && !path.starts_with("file://") && path.ends_with("/landing/a%20b.json"), "{path}");
    assert_eq!(entry["batchId"], Value::from(0));
    assert!(entry["timestamp"].as_i64().unwrap() > 0);
    assert_eq!(lines[1], format!("{{\"path\":\"{path}\",\"timestamp\":{},\"batchId\":0}}", entry["timestamp"]));
}
