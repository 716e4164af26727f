//! A pipeline over messy JSON: malformed lines, placeholders, wrong types, expectations.

use serde_json::{json, Value};

use crate::harness::{assert_ok, stderr, Env};

pub const PINS_PIPELINE: &str = r#"
-- the pin cleaning, in miniature
SET spark.sql.ansi.enabled = false;

CREATE OR REFRESH STREAMING TABLE pins (
  CONSTRAINT has_id EXPECT (unique_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT has_title EXPECT (title IS NOT NULL)
)
AS SELECT
  CAST(`index` AS INT) AS ind,
  unique_id,
  CASE WHEN title = 'No Title Data Available' THEN NULL ELSE title END AS title,
  CAST(regexp_replace(regexp_replace(follower_count, 'k', '000'), 'M', '000000') AS INT) AS follower_count,
  to_timestamp(ts, 'yyyy-MM-dd HH:mm:ss') AS ts,
  _corrupt_record
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'index BIGINT, unique_id STRING, title STRING, follower_count STRING, ts STRING, _corrupt_record STRING',
  maxFilesPerTrigger => 1);
"#;

pub const FILE_A: &str = r#"{"index": 1, "unique_id": "u1", "title": "Cats", "follower_count": "5k", "ts": "2024-01-02 10:00:00"}
{"index": 2, "unique_id": "u2", "title": "No Title Data Available", "follower_count": "1M", "ts": "2024-01-02 11:00:00"}
{broken json
"#;

pub const FILE_B: &str = r#"{"index": "3", "unique_id": "u3", "title": "Dogs", "follower_count": "120", "ts": "not a time"}

{"index": 4, "unique_id": "u4", "title": "Birds", "follower_count": "User Info Error", "ts": "2024-01-03 09:30:00"}
"#;

/// The rows FILE_A and FILE_B must give, as DuckDB prints them.
pub fn expected_rows() -> Vec<Value> {
    let mut rows = vec![
        json!({"ind": 1, "unique_id": "u1", "title": "Cats", "follower_count": 5000, "ts": "2024-01-02 10:00:00+00:00", "_corrupt_record": null}),
        json!({"ind": 2, "unique_id": "u2", "title": null, "follower_count": 1000000, "ts": "2024-01-02 11:00:00+00:00", "_corrupt_record": null}),
        // "index" is a JSON string: not a BIGINT in Spark, so the field is null and the line is corrupt.
        json!({"ind": null, "unique_id": "u3", "title": "Dogs", "follower_count": 120, "ts": null,
               "_corrupt_record": r#"{"index": "3", "unique_id": "u3", "title": "Dogs", "follower_count": "120", "ts": "not a time"}"#}),
        json!({"ind": 4, "unique_id": "u4", "title": "Birds", "follower_count": null, "ts": "2024-01-03 09:30:00+00:00", "_corrupt_record": null}),
    ];
    sort(&mut rows);
    rows
}

pub fn sort(rows: &mut [Value]) {
    rows.sort_by_key(|r| serde_json::to_string(r).unwrap());
}

#[test]
fn messy_json_becomes_the_expected_delta_rows() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.land("b.json", FILE_B);
    env.land("_SUCCESS", "");
    env.land(".hidden.json", r#"{"index": 99, "unique_id": "hidden"}"#);
    env.pipeline(PINS_PIPELINE);
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("pins batch 0: 3 rows in, 2 out, 1 dropped by expectations"),
        "{err}"
    );
    assert!(err.contains("pins batch 1: 2 rows in, 2 out"), "{err}");

    let back = env.read_delta("pins");
    let mut rows = back["duckdb"].as_array().unwrap().clone();
    sort(&mut rows);
    assert_eq!(rows, expected_rows());
    assert_eq!(back["schema"]["ts"], json!("timestamp[us, tz=UTC]"));
    // version 0 creates the table, versions 1 and 2 are batches 0 and 1.
    assert_eq!(back["version"], json!(2));

    // Progress JSON: one line per batch, Spark's shape.
    let progress = std::fs::read_to_string(env.dir.path().join("progress.jsonl")).unwrap();
    let lines: Vec<Value> = progress
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["batchId"], json!(0));
    assert_eq!(lines[0]["numInputRows"], json!(3));
    assert_eq!(lines[0]["sink"]["numOutputRows"], json!(-1));
    assert_eq!(
        lines[1]["sources"][0]["startOffset"],
        json!({"logOffset": 0})
    );
    assert_eq!(lines[1]["sources"][0]["endOffset"], json!({"logOffset": 1}));
    assert!(lines[0]["sources"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("FileStreamSource[file:/"));
    assert_eq!(
        lines[0]["observedMetrics"]["expectations"]["droppedRows"],
        json!(1)
    );

    // A second run finds nothing new and writes nothing.
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    assert_eq!(env.read_delta("pins")["version"], json!(2));
}

#[test]
fn delta_commits_carry_txn_and_streaming_update() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.pipeline(PINS_PIPELINE);
    assert_ok(&env.run_available_now(&[]));
    let meta = std::fs::read_to_string(env.checkpoint_file("pins", "metadata")).unwrap();
    let query_id = serde_json::from_str::<Value>(&meta).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let commit = std::fs::read_to_string(
        env.warehouse
            .join("pins/_delta_log/00000000000000000001.json"),
    )
    .unwrap();
    let actions: Vec<Value> = commit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let info = actions
        .iter()
        .find_map(|a| a.get("commitInfo"))
        .expect("commitInfo");
    assert_eq!(info["operation"], json!("STREAMING UPDATE"));
    assert_eq!(info["operationParameters"]["outputMode"], json!("Append"));
    assert_eq!(info["operationParameters"]["queryId"], json!(query_id));
    assert_eq!(info["operationParameters"]["epochId"], json!("0"));
    let txn = actions.iter().find_map(|a| a.get("txn")).expect("txn");
    assert_eq!(txn["appId"], json!(query_id));
    assert_eq!(txn["version"], json!(0));
}

#[test]
fn failfast_names_file_and_line() {
    let env = Env::new();
    env.land("good.json", "{\"a\": 1}\n");
    env.land("bad.json", "{\"a\": 1}\n{\"a\": \"x\"}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', mode => 'FAILFAST');",
    );
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad.json") && err.contains("line 2") && err.contains("FAILFAST"),
        "{err}"
    );
}

#[test]
fn dropmalformed_drops_bad_rows() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"a\": 1}\n{\"a\": \"x\"}\nnot json\n{\"a\": 3}\n",
    );
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', mode => 'DROPMALFORMED');",
    );
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(env.rows("t"), vec![json!({"a": 1}), json!({"a": 3})]);
}

#[test]
fn fail_update_expectation_stops_the_query() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n{\"a\": -5}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t (CONSTRAINT positive EXPECT (a > 0) ON VIOLATION FAIL UPDATE)
         AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');",
    );
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("expectation 'positive' failed"), "{err}");
    // Nothing was committed: no commits/0, no Delta table.
    assert!(!env.checkpoint_file("t", "commits/0").exists());
    assert!(!env.warehouse.join("t/_delta_log").exists());
}

#[test]
fn unsupported_syntax_names_line_and_column() {
    let env = Env::new();
    env.pipeline("CREATE STREAMING TABLE t\nCLUSTER BY (a)\nAS SELECT a FROM STREAM read_files('x', schema => 'a INT');");
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 2, column 1"), "{err}");
}

#[test]
fn rewritten_files_are_not_read_again() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');");
    assert_ok(&env.run_available_now(&[]));
    // Same path again (Spark keys seen files by path): ignored. A new name is new data.
    env.land("a.json", "{\"a\": 100}\n");
    env.land("b.json", "{\"a\": 2}\n");
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(env.rows("t"), vec![json!({"a": 1}), json!({"a": 2})]);
}

#[test]
fn partitioned_table_with_location_and_properties() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"a\": 1, \"dt\": \"2024-01-01\"}\n{\"a\": 2, \"dt\": \"2024-01-02\"}\n",
    );
    let elsewhere = env.dir.path().join("elsewhere/t");
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t PARTITIONED BY (dt) LOCATION '{}' TBLPROPERTIES ('delta.appendOnly' = 'true')
         AS SELECT a, dt FROM STREAM read_files('${{landing}}', format => 'json', schema => 'a INT, dt STRING');",
        elsewhere.display()
    ));
    assert_ok(&env.run_available_now(&[]));
    assert!(
        !env.warehouse.join("t").exists(),
        "LOCATION overrides <warehouse>/<name>"
    );
    assert!(elsewhere.join("dt=2024-01-01").is_dir());
    let log =
        std::fs::read_to_string(elsewhere.join("_delta_log/00000000000000000000.json")).unwrap();
    let meta = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find_map(|a| a.get("metaData").cloned())
        .unwrap();
    assert_eq!(meta["partitionColumns"], json!(["dt"]));
    assert_eq!(meta["configuration"]["delta.appendOnly"], json!("true"));
}

#[test]
fn file_name_only_skips_a_second_file_with_the_same_name() {
    let env = Env::new();
    env.land("x/data.json", "{\"a\": 1}\n");
    env.land("y/data.json", "{\"a\": 2}\n");
    env.land("y/other.json", "{\"a\": 3}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', fileNameOnly => true);");
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(env.rows("t"), vec![json!({"a": 1}), json!({"a": 3})]);
}
