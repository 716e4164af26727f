//! Streaming aggregations and output modes against PySpark 4.0.1, batch by batch.
//!
//! `tests/spark/stateful/agg_golden.json` (made by `tests/spark/stateful/make_agg_golden.py`) holds,
//! per case, what Spark emitted in each batch for the same files read one per batch, with the
//! watermarks and state numbers. spate runs the case's pipeline SQL with the same output mode; its
//! progress must match batch by batch, each batch's Delta commit must hold the rows Spark emitted
//! in that batch, and the table must end as the mode implies: every emitted row (append), the
//! last emitted row of each group (update), the last batch (complete).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::harness::{assert_ok, stderr, Env};
use crate::stateful_golden::{
    check_batch_logs, golden, land_files, land_range, progress, table_after_each_batch,
};

/// Rows (JSON objects) as arrays in the golden's column order, timestamps as Spark prints them,
/// sorted.
fn as_golden(rows: &[Value], columns: &[String]) -> Vec<Value> {
    let mut rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Array(
                columns
                    .iter()
                    .map(|c| match &r[c] {
                        Value::String(s) => json!(s.trim_end_matches("+00:00")),
                        v => v.clone(),
                    })
                    .collect(),
            )
        })
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

/// The table's rows as the golden writes them.
fn table_rows(env: &Env, columns: &[String]) -> Vec<Value> {
    as_golden(&env.rows("t"), columns)
}

/// The rows each batch emitted, from the table after each batch: all of it in complete mode, what
/// the batch's commit added or changed otherwise (a batch without a commit emitted nothing).
fn emitted_per_batch(env: &Env, case: &Value) -> BTreeMap<u64, Vec<Value>> {
    let columns = columns(case);
    let complete = case["outputMode"] == "complete";
    let mut before: Vec<Value> = vec![];
    let mut out = BTreeMap::new();
    for (batch, rows) in table_after_each_batch(env) {
        let rows = as_golden(&rows, &columns);
        let emitted = if complete {
            rows.clone()
        } else {
            let mut old = before.clone();
            rows.iter()
                .filter(|r| match old.iter().position(|o| o == *r) {
                    Some(i) => {
                        old.remove(i);
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect()
        };
        out.insert(batch, emitted);
        before = rows;
    }
    out
}

/// The case's input files: its own, or the golden's shared ones.
fn files_of<'a>(g: &'a Value, case: &'a Value) -> &'a Value {
    if case["files"].is_array() {
        &case["files"]
    } else {
        &g["files"]
    }
}

/// The case's result columns, in the golden's order.
fn columns(case: &Value) -> Vec<String> {
    case["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// What the Delta table holds after the golden's batches, by output mode.
fn expected_table(case: &Value, keys: usize) -> Vec<Value> {
    let batches = case["batches"].as_array().unwrap();
    let rows = |b: &Value| b["rows"].as_array().unwrap().clone();
    let mut out: Vec<Value> = match case["outputMode"].as_str().unwrap() {
        "append" => batches.iter().flat_map(rows).collect(),
        "complete" => batches
            .iter()
            .rev()
            .find(|b| !rows(b).is_empty())
            .map(rows)
            .unwrap_or_default(),
        _ => {
            let mut by_key = BTreeMap::new();
            for r in batches.iter().flat_map(rows) {
                let key = Value::Array(r.as_array().unwrap()[..keys].to_vec()).to_string();
                by_key.insert(key, r);
            }
            by_key.into_values().collect()
        }
    };
    out.sort_by_key(|r| r.to_string());
    out
}

fn pipeline(case: &Value) -> String {
    format!(
        "CREATE STREAMING TABLE t TBLPROPERTIES ('spate.outputMode' = '{}') AS {};",
        case["outputMode"].as_str().unwrap(),
        case["pipeline"].as_str().unwrap()
    )
}

fn check_case(name: &str, case: &Value, files: &Value) {
    let env = Env::new();
    land_files(&env, files);
    env.pipeline(&pipeline(case));
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let expected = case["batches"].as_array().unwrap();
    let progress = check_batch_logs(&env, name, &out, expected);
    let emitted = emitted_per_batch(&env, case);
    for b in expected {
        let id = b["batchId"].as_u64().unwrap();
        let p = &progress[&id];
        let what = format!("{name} batch {id}");
        let mut want = b["rows"].as_array().unwrap().clone();
        want.sort_by_key(|r| r.to_string());
        assert_eq!(
            emitted.get(&id).cloned().unwrap_or_default(),
            want,
            "{what}: the rows of the batch's commit"
        );
        let op = &p["stateOperators"][0];
        for key in [
            "operatorName",
            "numRowsTotal",
            "numRowsUpdated",
            "numRowsRemoved",
            "numRowsDroppedByWatermark",
        ] {
            // Older cases do not record every number.
            if !b[key].is_null() {
                assert_eq!(op[key], b[key], "{what}: {key}");
            }
        }
    }
    let columns = columns(case);
    let keys = if columns[0] == "id" { 1 } else { 2 };
    assert_eq!(
        table_rows(&env, &columns),
        expected_table(case, keys),
        "{name}: table rows"
    );
}

#[test]
fn windowed_aggregation_matches_pyspark_in_every_output_mode() {
    let g = golden("agg_golden.json");
    for (name, case) in g["cases"].as_object().unwrap() {
        if !name.starts_with("session_") {
            check_case(name, case, files_of(&g, case));
        }
    }
}

#[test]
fn session_windows_match_pyspark_batch_by_batch() {
    let g = golden("agg_golden.json");
    for (name, case) in g["cases"].as_object().unwrap() {
        if name.starts_with("session_") {
            check_case(name, case, files_of(&g, case));
        }
    }
}

#[test]
fn a_crash_after_the_state_or_the_sink_reruns_the_batch_exactly_once_in_every_mode() {
    let g = golden("agg_golden.json");
    for name in [
        "tumbling_append",
        "tumbling_update",
        "tumbling_complete",
        "session_append",
        "session_merge_append",
        "session_complete",
    ] {
        for point in ["after-state", "after-sink"] {
            let case = &g["cases"][name];
            let env = Env::new();
            land_files(&env, files_of(&g, case));
            env.pipeline(&pipeline(case));
            let out = env.run_available_now(&[("SPATE_FAILPOINT", &format!("{point}:2"))]);
            assert!(
                !out.status.success(),
                "{name} {point}: the failpoint stops the run"
            );
            assert!(!env.warehouse.join("_checkpoints/t/commits/2").exists());
            assert_ok(&env.run_available_now(&[]));
            let columns = columns(case);
            assert_eq!(
                table_rows(&env, &columns),
                expected_table(case, 2),
                "{name} {point}: every batch once"
            );
            let progress = progress(&env);
            for b in case["batches"].as_array().unwrap().iter().skip(2) {
                let id = b["batchId"].as_u64().unwrap();
                let op = &progress[&id]["stateOperators"][0];
                assert_eq!(
                    op["numRowsTotal"], b["numRowsTotal"],
                    "{name} {point} batch {id}"
                );
            }
        }
    }
}

#[test]
fn queries_spark_rejects_are_rejected_with_its_reason() {
    let source = "FROM STREAM read_files('${landing}', format => 'json', schema => 'id STRING, v BIGINT, ts TIMESTAMP')";
    let cases = [
        (
            "append",
            format!("SELECT id, count(*) AS n {source} GROUP BY id"),
            "Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark",
        ),
        (
            "append",
            format!("SELECT window(ts, '10 seconds') AS w, count(*) AS n {source} GROUP BY window(ts, '10 seconds')"),
            "without watermark",
        ),
        (
            "complete",
            format!("SELECT id, v {source}"),
            "Complete output mode not supported when there are no streaming aggregations",
        ),
        (
            "update",
            format!("SELECT id, count(DISTINCT v) AS n {source} GROUP BY id"),
            "Distinct aggregations are not supported on streaming DataFrames/Datasets",
        ),
        ("sideways", format!("SELECT id {source}"), "spate.outputMode 'sideways'"),
        (
            "update",
            format!("SELECT id, count(*) AS n {source} WATERMARK ts DELAY OF INTERVAL 10 SECONDS GROUP BY id, session_window(ts, '10 seconds')"),
            "Invalid streaming output mode: update. This output mode is not supported for session window streaming aggregations",
        ),
        (
            "append",
            format!("SELECT count(*) AS n {source} WATERMARK ts DELAY OF INTERVAL 10 SECONDS GROUP BY session_window(ts, '10 seconds')"),
            "Global aggregation with session window in streaming query is not supported",
        ),
        (
            "append",
            format!("SELECT id, count(*) AS n {source} GROUP BY id, session_window(ts, '10 seconds')"),
            "without watermark",
        ),
        (
            "complete",
            format!("SELECT id, count(*) AS n {source} GROUP BY id, session_window(ts, '10 seconds'), window(ts, '10 seconds')"),
            "Multiple time/session window expressions",
        ),
        (
            "append",
            format!("SELECT id, session_window(ts, '10 seconds') AS s {source}"),
            "session_window() is only supported in the GROUP BY of a streaming table",
        ),
    ];
    for (mode, sql, reason) in cases {
        let env = Env::new();
        env.land(
            "a.json",
            "{\"id\":\"a\",\"v\":1,\"ts\":\"2024-01-01 00:00:10\"}\n",
        );
        env.pipeline(&format!(
            "CREATE STREAMING TABLE t TBLPROPERTIES ('spate.outputMode' = '{mode}') AS {sql};"
        ));
        let out = env.run_available_now(&[]);
        assert!(!out.status.success(), "{sql}: must fail");
        assert!(stderr(&out).contains(reason), "{sql}: {}", stderr(&out));
    }
}

#[test]
fn aggregation_state_survives_a_restart() {
    let g = golden("agg_golden.json");
    // Complete mode evicts nothing and runs no batch without data, so where the run stops does not
    // change the answer (session_complete's late rows are late against the same watermarks).
    for name in ["tumbling_complete", "by_id_complete", "session_complete"] {
        let case = &g["cases"][name];
        let env = Env::new();
        env.pipeline(&pipeline(case));
        let files = files_of(&g, case);
        // Stop after the second file: the rest is aggregated onto the restored state.
        land_range(&env, files, 0..2);
        assert_ok(&env.run_available_now(&[]));
        land_range(&env, files, 2..files.as_array().unwrap().len());
        assert_ok(&env.run_available_now(&[]));
        let columns = columns(case);
        let keys = if columns[0] == "id" { 1 } else { 2 };
        assert_eq!(
            table_rows(&env, &columns),
            expected_table(case, keys),
            "{name}: the final result after a restart"
        );
    }
}

#[test]
fn a_bare_window_column_is_spark_s_window_struct() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"id\":\"a\",\"v\":1,\"ts\":\"2024-01-01 00:00:10\"}\n{\"id\":\"a\",\"v\":2,\"ts\":\"2024-01-01 00:00:12\"}\n{\"id\":\"b\",\"v\":3,\"ts\":\"2024-01-01 00:00:25\"}\n",
    );
    env.pipeline(
        "CREATE STREAMING TABLE t TBLPROPERTIES ('spate.outputMode' = 'complete') AS \
         SELECT window, window.end, count(*) AS n \
         FROM STREAM read_files('${landing}', format => 'json', schema => 'id STRING, v BIGINT, ts TIMESTAMP') \
         GROUP BY window(ts, '10 seconds');",
    );
    assert_ok(&env.run_available_now(&[]));
    let t = env.read_delta("t");
    // Spark's names and types: window STRUCT<start, end>, then `end` from window.end.
    assert_eq!(t["columns"], json!(["window", "end", "n"]));
    let rows: Vec<Value> = t["deltalake"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["window"]["start"], r["end"], r["n"]]))
        .collect();
    assert_eq!(
        rows,
        vec![
            json!(["2024-01-01 00:00:10+00:00", "2024-01-01 00:00:20+00:00", 2]),
            json!(["2024-01-01 00:00:20+00:00", "2024-01-01 00:00:30+00:00", 1]),
        ]
    );
}

#[test]
fn first_and_last_with_ignore_nulls_keep_it_in_the_state() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"g\":\"a\",\"n\":null}\n{\"g\":\"a\",\"n\":1}\n",
    );
    env.land(
        "b.json",
        "{\"g\":\"a\",\"n\":2}\n{\"g\":\"a\",\"n\":null}\n",
    );
    env.pipeline(
        "CREATE STREAMING TABLE t TBLPROPERTIES ('spate.outputMode' = 'complete') AS \
         SELECT g, first(n) AS f, first(n, true) AS fi, last(n) AS l, last(n, true) AS li, count_if(n > 0) AS c \
         FROM STREAM read_files('${landing}', format => 'json', schema => 'g STRING, n INT', maxFilesPerTrigger => 1) \
         GROUP BY g;",
    );
    assert_ok(&env.run_available_now(&[]));
    // Two batches: the state carries the first value seen and the last, with or without NULLs.
    let rows = env.read_delta("t")["duckdb"].clone();
    assert_eq!(
        rows,
        json!([{"g": "a", "f": null, "fi": 1, "l": null, "li": 2, "c": 2}])
    );
}

#[test]
fn coalesce_nvl_and_if_inside_a_streaming_aggregate() {
    // These only run once DataFusion's simplifier has made them CASE expressions; the streaming
    // aggregation's expressions used to skip it ("coalesce should have been simplified").
    let env = Env::new();
    env.land(
        "a.json",
        "{\"g\":\"a\",\"n\":null}\n{\"g\":\"a\",\"n\":1}\n",
    );
    env.pipeline(
        "CREATE STREAMING TABLE t TBLPROPERTIES ('spate.outputMode' = 'complete') AS \
         SELECT coalesce(g, '?') AS g, sum(coalesce(n, 10)) AS s, sum(if(n IS NULL, 1, 0)) AS nulls, \
         sum(nvl(n, 5)) AS nv \
         FROM STREAM read_files('${landing}', format => 'json', schema => 'g STRING, n INT') \
         GROUP BY coalesce(g, '?');",
    );
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(
        env.read_delta("t")["duckdb"],
        json!([{"g": "a", "s": 11, "nulls": 1, "nv": 6}])
    );
}
