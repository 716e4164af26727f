//! Storage faults (`SPATE_STORE_FAULTS`, test builds only): transient ones are retried and the
//! rows still land exactly once; permanent ones stop the query with nothing half-committed.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use serde_json::{json, Value};

use crate::harness::{assert_ok, stderr, Env};
use crate::pipeline::{expected_rows, sort, FILE_A, FILE_B, PINS_PIPELINE};

/// Four more files of two clean pins each, and the rows they give.
fn generated_files() -> (Vec<(String, String)>, Vec<Value>) {
    let mut files = vec![];
    let mut rows = vec![];
    for f in 0..4 {
        let mut text = String::new();
        for r in 0..2 {
            let i = 10 + f * 2 + r;
            text.push_str(&format!(
                "{{\"index\": {i}, \"unique_id\": \"u{i}\", \"title\": \"T{i}\", \"follower_count\": \"{i}k\", \"ts\": \"2024-02-0{} 12:00:00\"}}\n",
                f + 1
            ));
            rows.push(json!({"ind": i, "unique_id": format!("u{i}"), "title": format!("T{i}"), "follower_count": i * 1000,
                             "ts": format!("2024-02-0{} 12:00:00+00:00", f + 1), "_corrupt_record": null}));
        }
        files.push((format!("g{f}.json"), text));
    }
    (files, rows)
}

/// Batch id -> how many Delta commits carry `txn.version == id` for the table.
fn delta_txn_versions(env: &Env, table: &str) -> BTreeMap<u64, usize> {
    let mut out = BTreeMap::new();
    let log = env.warehouse.join(table).join("_delta_log");
    let Ok(dir) = std::fs::read_dir(&log) else {
        return out;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let action: Value = serde_json::from_str(line).unwrap_or(Value::Null);
            if let Some(v) = action["txn"]["version"].as_u64() {
                *out.entry(v).or_default() += 1;
            }
        }
    }
    out
}

/// Batch ids with a file in `<checkpoint>/<log>/`.
fn log_ids(env: &Env, table: &str, log: &str) -> BTreeSet<u64> {
    let dir = env.checkpoint_file(table, log);
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_string_lossy().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The exactly-once invariant on disk: each batch is in Delta at most once, and every
/// `commits/N` has its Delta commit.
fn assert_nothing_half_committed(env: &Env, table: &str) {
    let txns = delta_txn_versions(env, table);
    assert!(
        txns.values().all(|n| *n == 1),
        "a batch was committed to Delta twice: {txns:?}"
    );
    for id in log_ids(env, table, "commits") {
        assert!(
            txns.contains_key(&id),
            "commits/{id} exists without its Delta commit (txns {txns:?})"
        );
    }
}

fn run_with_faults(env: &Env, spec: &str) -> Output {
    env.run_available_now(&[("SPATE_STORE_FAULTS", spec), ("SPATE_LOG", "warn")])
}

#[test]
fn ten_percent_storage_faults_still_land_every_row_exactly_once() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.land("b.json", FILE_B);
    let (files, more_rows) = generated_files();
    for (name, text) in &files {
        env.land(name, text);
    }
    env.pipeline(PINS_PIPELINE);

    // Like an orchestrator: restart the query when it stops on an error, with new dice each time.
    let mut logs = String::new();
    let mut finished = false;
    for attempt in 0..12u64 {
        let out = run_with_faults(&env, &format!("0.1,seed={},delay=100", 7 + attempt));
        logs.push_str(&stderr(&out));
        assert_nothing_half_committed(&env, "pins");
        if out.status.success() {
            finished = true;
            break;
        }
    }
    assert!(
        finished,
        "the pipeline never finished under 10% faults:\n{logs}"
    );
    assert!(
        logs.contains("storage call failed; retrying"),
        "no retry was logged, so no fault was injected:\n{logs}"
    );

    // A clean run afterwards finds nothing left to do.
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let mut want = expected_rows();
    want.extend(more_rows);
    sort(&mut want);
    let mut rows = env.rows("pins");
    sort(&mut rows);
    assert_eq!(rows, want);
    let txns = delta_txn_versions(&env, "pins");
    assert_eq!(
        txns,
        (0..6).map(|b| (b, 1)).collect::<BTreeMap<u64, usize>>(),
        "one Delta commit per batch"
    );
    assert_eq!(
        log_ids(&env, "pins", "commits"),
        (0..6).collect::<BTreeSet<u64>>()
    );
    assert_nothing_half_committed(&env, "pins");
}

#[test]
fn storage_outage_stops_the_query_with_nothing_half_committed() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.pipeline(PINS_PIPELINE);

    // Every call fails: the query gives up after its retries and says why.
    let out = run_with_faults(&env, "1.0,kinds=error+timeout,delay=20");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("giving up") && err.contains("injected"),
        "{err}"
    );
    assert!(log_ids(&env, "pins", "commits").is_empty());
    assert!(delta_txn_versions(&env, "pins").is_empty());

    // Batch 0 lands cleanly.
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(delta_txn_versions(&env, "pins").len(), 1);

    // Batch 1: the Delta commit is denied (permanent, not retried). offsets/1 is written, the
    // table is untouched, and commits/1 must not appear.
    env.land("b.json", FILE_B);
    let out = run_with_faults(&env, "1.0,kinds=denied,ops=put,path=pins/_delta_log/");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("access denied"), "{err}");
    assert!(
        !err.contains("giving up"),
        "a permanent error is not retried:\n{err}"
    );
    assert!(log_ids(&env, "pins", "offsets").contains(&1));
    assert!(!log_ids(&env, "pins", "commits").contains(&1));
    assert_nothing_half_committed(&env, "pins");
    assert_eq!(env.read_delta("pins")["version"], json!(1));

    // Transient faults on every Delta log write outlast the retries: same outcome.
    let out = run_with_faults(
        &env,
        "1.0,kinds=timeout,delay=20,ops=put,path=pins/_delta_log/",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("giving up"), "{}", stderr(&out));
    assert_nothing_half_committed(&env, "pins");
    assert_eq!(env.read_delta("pins")["version"], json!(1));

    // Every Delta commit lands but its reply is lost: the retry finds the commit file holding
    // our own bytes and takes it as done, so batch 1 is committed once, without a restart.
    let out = run_with_faults(&env, "1.0,kinds=lost,ops=put,path=pins/_delta_log/");
    assert_ok(&out);
    assert!(
        stderr(&out).contains("found its own earlier write"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.read_delta("pins")["version"], json!(2));

    // Storage back: nothing left to do.
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(env.read_delta("pins")["version"], json!(2));
    let mut rows = env.rows("pins");
    sort(&mut rows);
    assert_eq!(rows, expected_rows());
    assert_eq!(log_ids(&env, "pins", "commits"), BTreeSet::from([0, 1]));
    assert_nothing_half_committed(&env, "pins");
}
