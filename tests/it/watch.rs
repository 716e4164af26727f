//! Watched folders: a running query is woken by the filesystem when a file lands, instead of
//! sleeping out its trigger interval; files landed under a hidden name are read whole; an idle
//! watched query does not spin.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{Env, Live};

const PIPELINE: &str = "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('${landing}', format => 'json', schema => 'a INT');";
/// The info line the watch logs once it is armed.
const ARMED: &str = "watching the folder for new files";

/// `spate run` of the pipeline in the background, with the watch's log lines.
fn start(env: &Env, trigger: &str, extra_env: &[(&str, &str)]) -> Live {
    let mut c = env.spate();
    c.args(["run", "pipeline.sql", "--trigger", trigger, "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .arg("--progress-json")
        .arg(env.dir.path().join("progress.jsonl"));
    for (k, v) in extra_env {
        c.env(k, v);
    }
    Live::spawn(
        c,
        "warn,spate_connectors::files::watch=info,spate_engine::query=info",
    )
}

/// Waits for `path` to exist and returns how long that took.
fn wait_for_file(path: &Path, timeout: Duration, what: &str) -> Duration {
    let t0 = Instant::now();
    while !path.exists() {
        assert!(
            t0.elapsed() < timeout,
            "{what}: {} did not appear within {timeout:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    t0.elapsed()
}

/// Milliseconds until the next boundary of a `secs`-second trigger (boundaries are epoch-aligned).
fn ms_to_boundary(secs: i64) -> i64 {
    let now = chrono::Utc::now().timestamp_millis();
    let i = secs * 1000;
    now.div_euclid(i) * i + i - now
}

fn progress(env: &Env) -> Vec<Value> {
    std::fs::read_to_string(env.dir.path().join("progress.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("progress JSON"))
        .collect()
}

#[test]
fn a_renamed_file_wakes_a_60s_trigger_query_within_two_seconds() {
    let env = Env::new();
    env.pipeline(PIPELINE);
    let live = start(&env, "60s", &[]);
    live.wait_for_line(ARMED, Duration::from_secs(60));
    // Without the watch the file would wait for the next minute boundary; skip the rare case where
    // that boundary is close enough to pass the test by itself.
    if ms_to_boundary(60) < 3000 {
        std::thread::sleep(Duration::from_millis(3500));
    }
    env.land("a.json", "{\"a\": 1}\n");
    let took = wait_for_file(
        &env.checkpoint_file("t", "commits/0"),
        Duration::from_secs(10),
        "batch 0",
    );
    assert!(
        took < Duration::from_secs(2),
        "the landed file took {took:?} to be committed"
    );
    let err = live.stop();
    assert!(err.contains("t batch 0: 1 rows in, 1 out"), "{err}");
    assert_eq!(env.rows("t"), vec![json!({"a": 1})]);
}

#[test]
fn with_watching_off_the_trigger_interval_rules() {
    let env = Env::new();
    env.pipeline(PIPELINE);
    let live = start(&env, "60s", &[("SPATE_WATCH", "off")]);
    live.wait_for_line("SPATE_WATCH=off", Duration::from_secs(60));
    // Land the file well before the next boundary, so only a watch could pick it up in time.
    if ms_to_boundary(60) < 6000 {
        std::thread::sleep(Duration::from_millis(6500));
    }
    env.land("a.json", "{\"a\": 1}\n");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !env.checkpoint_file("t", "offsets/0").exists(),
        "a polling query must wait for its trigger boundary"
    );
    let err = live.stop();
    assert!(!err.contains(ARMED), "{err}");
}

#[test]
fn a_file_written_under_a_hidden_name_is_read_whole() {
    let env = Env::new();
    env.pipeline(PIPELINE);
    let live = start(&env, "0s", &[]);
    live.wait_for_line(ARMED, Duration::from_secs(60));

    // Written slowly, closed and reopened between chunks (each close is an inotify close-write),
    // under the two hidden forms the listing skips, then renamed into place.
    let chunks = 5;
    let per_chunk = 2000;
    for (batch, (tmp, name)) in [
        (".big.json.tmp", "big.json"),
        ("copied.json._COPYING_", "copied.json"),
    ]
    .into_iter()
    .enumerate()
    {
        let tmp = env.landing.join(tmp);
        for c in 0..chunks {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&tmp)
                .unwrap();
            let lines: String = (0..per_chunk)
                .map(|i| format!("{{\"a\": {}}}\n", c * per_chunk + i))
                .collect();
            f.write_all(lines.as_bytes()).unwrap();
            drop(f);
            std::thread::sleep(Duration::from_millis(150));
        }
        assert!(
            !env.checkpoint_file("t", &format!("offsets/{batch}"))
                .exists(),
            "a hidden file was picked up"
        );
        std::fs::rename(&tmp, env.landing.join(name)).unwrap();
        wait_for_file(
            &env.checkpoint_file("t", &format!("commits/{batch}")),
            Duration::from_secs(10),
            name,
        );
    }
    live.stop();

    let total = (chunks * per_chunk) as u64;
    let batches = progress(&env);
    assert_eq!(batches.len(), 2, "one batch per landed file: {batches:?}");
    for b in &batches {
        assert_eq!(
            b["numInputRows"],
            json!(total),
            "a file was read before it was complete: {b}"
        );
    }
    let rows = env.rows("t");
    assert_eq!(rows.len() as u64, 2 * total);
    let listed: String = ["sources/0/0", "sources/0/1"]
        .iter()
        .map(|f| std::fs::read_to_string(env.checkpoint_file("t", f)).unwrap())
        .collect();
    assert!(
        !listed.contains("._COPYING_") && !listed.contains(".big.json.tmp"),
        "{listed}"
    );
}

/// CPU ticks (user + system) the process used so far, from `/proc/<pid>/stat`.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn an_idle_watched_query_does_not_spin() {
    if !Path::new("/proc/self/stat").exists() {
        return;
    }
    let env = Env::new();
    env.pipeline(PIPELINE);
    let live = start(&env, "0s", &[]);
    live.wait_for_line(ARMED, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(live.child.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(live.child.id()) - before;
    // Clock ticks are usually 10 ms: a query polling every 10 ms burns several of them in 2 s,
    // a watched one lists twice.
    assert!(
        used <= 5,
        "an idle watched query used {used} CPU ticks in 2 s"
    );
    live.stop();
}
