//! A second query on a live checkpoint is refused before it writes anything; SIGTERM stops cleanly.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{assert_ok, stderr, Env};

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                out.push(format!("{} {:?}", p.display(), meta.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn second_query_on_a_live_checkpoint_is_refused() {
    let env = Env::new();
    env.land("a.json", "{\"a\": 1}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');");
    let mut live = env
        .spate()
        .args(["run", "pipeline.sql", "--trigger", "200ms", "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let commit = env.checkpoint_file("t", "commits/0");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !commit.exists() {
        assert!(
            Instant::now() < deadline,
            "the live query never committed batch 0"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = files_under(&env.warehouse.join("_checkpoints"));
    let second = env.run_available_now(&[]);
    assert!(!second.status.success());
    let err = stderr(&second);
    assert!(err.contains("in use by another running query"), "{err}");

    // Stop the live one with SIGTERM: it finishes its batch and exits 0.
    unsafe_kill_term(live.id());
    let status = live.wait().unwrap();
    assert!(
        status.success(),
        "SIGTERM should stop cleanly, got {status:?}"
    );
    // The refused run wrote nothing (the live query was idle; its lease is gone after the clean stop).
    let without_lease = |v: Vec<String>| {
        v.into_iter()
            .filter(|f| !f.contains("_spate_lease"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_lease(before),
        without_lease(files_under(&env.warehouse.join("_checkpoints")))
    );
    assert!(!env.checkpoint_file("t", "_spate_lease.json").exists());
    // Now the checkpoint is free again.
    env.land("b.json", "{\"a\": 2}\n");
    assert_ok(&env.run_available_now(&[]));
    let mut rows = env.rows("t");
    crate::pipeline::sort(&mut rows);
    assert_eq!(
        rows,
        vec![serde_json::json!({"a": 1}), serde_json::json!({"a": 2})]
    );
}

fn unsafe_kill_term(pid: u32) {
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
