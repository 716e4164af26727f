//! Triggers and multi-table files: once, available-now over several tables, batch timestamps.

use serde_json::{json, Value};

use crate::harness::{assert_ok, stderr, Env};

#[test]
fn once_takes_everything_in_one_batch_despite_the_limit() {
    let env = Env::new();
    for i in 0..3 {
        env.land(&format!("f{i}.json"), &format!("{{\"a\": {i}}}\n"));
    }
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', maxFilesPerTrigger => 1);");
    let out = env
        .spate()
        .args(["run", "pipeline.sql", "--trigger", "once", "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        stderr(&out).contains("t batch 0: 3 rows in, 3 out"),
        "{}",
        stderr(&out)
    );
    assert!(!env.checkpoint_file("t", "offsets/1").exists());
}

#[test]
fn available_now_runs_every_table_of_the_file() {
    let env = Env::new();
    env.land("pin/p1.json", "{\"ind\": 1, \"title\": \"a\"}\n");
    env.land("pin/p2.json", "{\"ind\": 2, \"title\": \"b\"}\n");
    env.land("geo/g1.json", "{\"ind\": 1, \"country\": \"Fiji\"}\n");
    env.pipeline(
        r#"
CREATE OR REFRESH STREAMING TABLE pins AS SELECT ind, upper(title) AS title
FROM STREAM read_files('${landing}/pin', format => 'json', schema => 'ind INT, title STRING', maxFilesPerTrigger => 1);

-- a StructType JSON schema works as well as DDL
CREATE OR REFRESH STREAMING TABLE geo (ind BIGINT, country STRING) AS SELECT ind, country
FROM STREAM read_files('${landing}/geo', format => 'json',
  schema => '{"type":"struct","fields":[{"name":"ind","type":"integer","nullable":true,"metadata":{}},{"name":"country","type":"string","nullable":true,"metadata":{}}]}');
"#,
    );
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("pins batch 1:") && err.contains("geo batch 0:"),
        "{err}"
    );
    assert_eq!(
        env.rows("pins"),
        vec![
            json!({"ind": 1, "title": "A"}),
            json!({"ind": 2, "title": "B"})
        ]
    );
    let geo = env.read_delta("geo");
    assert_eq!(geo["duckdb"], json!([{"ind": 1, "country": "Fiji"}]));
    // The declared column type wins over the SELECT's (INT -> BIGINT).
    assert_eq!(geo["schema"]["ind"], json!("int64"));
}

#[test]
fn current_timestamp_is_the_batch_timestamp() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n{\"a\": 2}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT a, current_timestamp() AS ts FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');",
    );
    assert_ok(&env.run_available_now(&[]));
    let offsets = std::fs::read_to_string(env.checkpoint_file("t", "offsets/0")).unwrap();
    let meta: Value = serde_json::from_str(offsets.lines().nth(1).unwrap()).unwrap();
    let ms = meta["batchTimestampMs"].as_i64().unwrap();
    let expected = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .format("%Y-%m-%d %H:%M:%S%.6f+00:00")
        .to_string();
    let rows = env.rows("t");
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["ts"].as_str().unwrap(), expected);
    }
}
