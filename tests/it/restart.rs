//! Stop and restart: clean stops, and aborts (like kill -9) at the two dangerous points of a batch.

use serde_json::json;

use crate::harness::{assert_ok, stderr, Env};
use crate::pipeline::{expected_rows, sort, FILE_A, FILE_B, PINS_PIPELINE};

#[test]
fn restart_continues_where_it_stopped() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.pipeline(PINS_PIPELINE);
    assert_ok(&env.run_available_now(&[]));
    env.land("b.json", FILE_B);
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    assert!(stderr(&out).contains("pins batch 1:"), "{}", stderr(&out));
    let mut rows = env.rows("pins");
    sort(&mut rows);
    assert_eq!(rows, expected_rows());
}

fn crash_then_resume(point: &str) {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.land("b.json", FILE_B);
    env.pipeline(PINS_PIPELINE);
    let out = env.run_available_now(&[("SPATE_FAILPOINT", &format!("{point}:1"))]);
    assert!(
        !out.status.success(),
        "the failpoint should abort the process"
    );
    assert!(env.checkpoint_file("pins", "offsets/1").exists());
    assert!(!env.checkpoint_file("pins", "commits/1").exists());
    let version_after_crash = if point == "after-sink" { 2 } else { 1 };
    assert_eq!(
        env.read_delta("pins")["version"],
        json!(version_after_crash)
    );

    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let err = stderr(&out);
    if point == "after-sink" {
        assert!(
            err.contains("pins batch 1:") && err.contains("already in the table"),
            "{err}"
        );
    }
    assert!(env.checkpoint_file("pins", "commits/1").exists());
    assert!(
        !env.checkpoint_file("pins", "offsets/2").exists(),
        "the re-run must reuse offsets/1"
    );
    let back = env.read_delta("pins");
    assert_eq!(
        back["version"],
        json!(2),
        "exactly one Delta commit per batch"
    );
    let mut rows = back["duckdb"].as_array().unwrap().clone();
    sort(&mut rows);
    assert_eq!(rows, expected_rows());
}

#[test]
fn abort_after_offsets_write_reruns_the_batch_once() {
    crash_then_resume("after-offsets");
}

#[test]
fn abort_after_delta_commit_skips_the_committed_batch() {
    crash_then_resume("after-sink");
}

#[test]
fn rerun_uses_the_same_batch_timestamp() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.pipeline(PINS_PIPELINE);
    let out = env.run_available_now(&[("SPATE_FAILPOINT", "after-offsets:0")]);
    assert!(!out.status.success());
    let before = std::fs::read_to_string(env.checkpoint_file("pins", "offsets/0")).unwrap();
    assert_ok(&env.run_available_now(&[]));
    let after = std::fs::read_to_string(env.checkpoint_file("pins", "offsets/0")).unwrap();
    assert_eq!(before, after);
    assert_eq!(env.rows("pins").len(), 2);
}

#[test]
fn kill_9_at_any_moment_loses_and_duplicates_nothing() {
    let env = Env::new();
    for i in 0..12 {
        let lines: String = (0..50)
            .map(|j| format!("{{\"a\": {}}}\n", i * 100 + j))
            .collect();
        env.land(&format!("f{i:02}.json"), &lines);
    }
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT', maxFilesPerTrigger => 1);");
    let mut live = env
        .spate()
        .args(["run", "pipeline.sql", "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let third = env.checkpoint_file("t", "offsets/3");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !third.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "batch 3 never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    live.kill().unwrap(); // SIGKILL
    live.wait().unwrap();
    assert_ok(&env.run_available_now(&[]));
    let mut got: Vec<i64> = env
        .rows("t")
        .iter()
        .map(|r| r["a"].as_i64().unwrap())
        .collect();
    got.sort_unstable();
    let mut want: Vec<i64> = (0..12)
        .flat_map(|i| (0..50).map(move |j| i * 100 + j))
        .collect();
    want.sort_unstable();
    assert_eq!(got, want);
}
