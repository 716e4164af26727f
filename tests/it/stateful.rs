//! Streaming de-duplication and watermarks against PySpark 4.0.1, batch by batch.
//!
//! `tests/spark/stateful/golden.json` (made by `tests/spark/stateful/make_golden.py`) holds, per
//! case, what Spark did with the same files read one per batch: each batch's rows, watermarks and
//! state numbers. spate runs the case's pipeline SQL over the same files and must match.

use serde_json::{json, Value};

use crate::harness::{assert_ok, Env};
use crate::stateful_golden::{check_batch_logs, golden, land_files, land_range, progress};

fn rows_of(table: &Value) -> Vec<Value> {
    let mut rows: Vec<Value> = table["duckdb"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let ts = r["ts"].as_str().unwrap();
            json!([r["id"], r["v"], ts.trim_end_matches("+00:00")])
        })
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

fn check_case(name: &str, case: &Value, files: &Value) {
    let env = Env::new();
    land_files(&env, files);
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS {};",
        case["pipeline"].as_str().unwrap()
    ));
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let expected = case["batches"].as_array().unwrap();
    let progress = check_batch_logs(&env, name, &out, expected);
    let mut all_rows = vec![];
    for b in expected {
        let id = b["batchId"].as_u64().unwrap();
        let p = &progress[&id];
        let what = format!("{name} batch {id}");
        let rows = b["rows"].as_array().unwrap();
        all_rows.extend(rows.iter().cloned());
        let op = &p["stateOperators"][0];
        for key in [
            "operatorName",
            "numRowsTotal",
            "numRowsUpdated",
            "numRowsRemoved",
            "numRowsDroppedByWatermark",
        ] {
            assert_eq!(op[key], b[key], "{what}: {key}");
        }
        assert_eq!(
            op["customMetrics"]["numDroppedDuplicateRows"], b["numDroppedDuplicateRows"],
            "{what}: duplicates"
        );
        if b["eventTime"].as_object().is_some_and(|o| !o.is_empty()) {
            assert_eq!(p["eventTime"], b["eventTime"], "{what}: eventTime");
        }
    }
    all_rows.sort_by_key(|r| r.to_string());
    assert_eq!(
        rows_of(&env.read_delta("t")),
        all_rows,
        "{name}: table rows"
    );
}

#[test]
fn deduplication_matches_pyspark_batch_by_batch() {
    let g = golden("golden.json");
    for (name, case) in g["cases"].as_object().unwrap() {
        check_case(name, case, &g["files"]);
    }
}

fn expected_rows(case: &Value) -> Vec<Value> {
    let mut rows: Vec<Value> = case["batches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["rows"].as_array().unwrap().clone())
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

#[test]
fn deduplication_state_survives_a_restart() {
    let g = golden("golden.json");
    for name in ["distinct", "dedup_columns"] {
        let case = &g["cases"][name];
        let env = Env::new();
        env.pipeline(&format!(
            "CREATE STREAMING TABLE t AS {};",
            case["pipeline"].as_str().unwrap()
        ));
        land_range(&env, &g["files"], 0..2);
        assert_ok(&env.run_available_now(&[]));
        land_range(&env, &g["files"], 2..5);
        assert_ok(&env.run_available_now(&[]));
        // Restored from the checkpoint's state (state/0/0), the second run drops the rows the first saw.
        assert_eq!(rows_of(&env.read_delta("t")), expected_rows(case), "{name}");
        let state = env.warehouse.join("_checkpoints/t/state/0/0");
        assert!(state.join("5.delta.arrow").exists(), "{name}: {state:?}");
    }
}

#[test]
fn a_crash_between_the_state_write_and_the_commit_reruns_the_batch_from_the_old_state() {
    let g = golden("golden.json");
    for point in ["after-state", "after-sink"] {
        let case = &g["cases"]["dedup_within_watermark"];
        let env = Env::new();
        land_files(&env, &g["files"]);
        env.pipeline(&format!(
            "CREATE STREAMING TABLE t AS {};",
            case["pipeline"].as_str().unwrap()
        ));
        let out = env.run_available_now(&[("SPATE_FAILPOINT", &format!("{point}:2"))]);
        assert!(
            !out.status.success(),
            "{point}: the failpoint must stop the run"
        );
        assert!(env
            .warehouse
            .join("_checkpoints/t/state/0/0/3.delta.arrow")
            .exists());
        assert!(!env.warehouse.join("_checkpoints/t/commits/2").exists());
        assert_ok(&env.run_available_now(&[]));
        assert_eq!(
            rows_of(&env.read_delta("t")),
            expected_rows(case),
            "{point}: every row once, none lost"
        );
        // The re-run batch 2 and the rest match Spark's numbers.
        let progress = progress(&env);
        for b in case["batches"].as_array().unwrap().iter().skip(2) {
            let id = b["batchId"].as_u64().unwrap();
            let op = &progress[&id]["stateOperators"][0];
            assert_eq!(op["numRowsTotal"], b["numRowsTotal"], "{point} batch {id}");
            assert_eq!(
                op["customMetrics"]["numDroppedDuplicateRows"], b["numDroppedDuplicateRows"],
                "{point} batch {id}"
            );
        }
    }
}
