//! The PySpark goldens of the stateful tests (`tests/spark/stateful/*.json`) and their input files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

use crate::harness::{python, stderr, Env};

/// `tests/spark/stateful/<name>`, parsed.
pub fn golden(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/spark/stateful")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Lands the golden's files `range` (each a list of lines) as `part-NN.json`, one second apart.
pub fn land_range(env: &Env, files: &Value, range: std::ops::Range<usize>) {
    for i in range {
        let text: Vec<&str> = files[i]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        env.land(&format!("part-{i:02}.json"), &(text.join("\n") + "\n"));
    }
}

/// Lands every file of the golden, oldest first.
pub fn land_files(env: &Env, files: &Value) {
    land_range(env, files, 0..files.as_array().map_or(0, Vec::len));
}

/// The metadata line (the second) of `offsets/N` or `commits/N` of table `t`.
pub fn log_line(env: &Env, log: &str, batch: u64) -> Value {
    let p = env.checkpoint_file("t", &format!("{log}/{batch}"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(text.lines().nth(1).unwrap()).unwrap()
}

/// The progress JSON of each batch (the last one written for a batch id wins).
pub fn progress(env: &Env) -> std::collections::BTreeMap<u64, Value> {
    std::fs::read_to_string(env.dir.path().join("progress.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["batchId"].as_u64().unwrap(), v)
        })
        .collect()
}

/// The rows of table `t` after each batch that committed to it, by batch id (the `txn` version of
/// the Delta commit), read back with deltalake's time travel.
pub fn table_after_each_batch(env: &Env) -> std::collections::BTreeMap<u64, Vec<Value>> {
    let out = std::process::Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_delta.py"))
        .arg(env.warehouse.join("t"))
        .arg("--versions")
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "read_delta.py --versions: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let versions: Vec<Value> = serde_json::from_slice(&out.stdout).expect("versions JSON");
    versions
        .into_iter()
        .filter_map(|v| {
            let batch = v["batch"].as_u64()?;
            Some((batch, v["rows"].as_array().cloned().unwrap_or_default()))
        })
        .collect()
}

/// Checks what every stateful golden pins for each batch of a finished run: the batch ids, the
/// watermarks in `offsets/N` and `commits/N`, input rows and rows written. Returns each batch's
/// progress for the operator-specific checks.
pub fn check_batch_logs(
    env: &Env,
    name: &str,
    out: &Output,
    expected: &[Value],
) -> BTreeMap<u64, Value> {
    let progress = progress(env);
    let ids: Vec<u64> = progress.keys().copied().collect();
    let want: Vec<u64> = expected
        .iter()
        .map(|b| b["batchId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, want, "{name}: batch ids ({})", stderr(out));
    for b in expected {
        let id = b["batchId"].as_u64().unwrap();
        let what = format!("{name} batch {id}");
        assert_eq!(
            log_line(env, "offsets", id)["batchWatermarkMs"],
            b["batchWatermarkMs"],
            "{what}: offsets watermark"
        );
        assert_eq!(
            log_line(env, "commits", id)["nextBatchWatermarkMs"],
            b["nextBatchWatermarkMs"],
            "{what}: commit watermark"
        );
        let p = &progress[&id];
        assert_eq!(p["numInputRows"], b["numInputRows"], "{what}: input rows");
        assert_eq!(
            p["sink"]["metrics"]["numRowsWritten"],
            json!(b["rows"].as_array().unwrap().len().to_string()),
            "{what}: rows written"
        );
    }
    progress
}
