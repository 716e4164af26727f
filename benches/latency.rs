//! Landing-to-commit latency of a live `spate run` on a local folder, watched and polled.
//!
//! Files of 100 records are landed one at a time (written under a hidden name, renamed into place)
//! at a steady rate while `spate run` runs with the default trigger. A file's latency is from just
//! before its rename to the Delta commit that holds it: the file -> source batch map comes from the
//! source log (`sources/0/*`), source batch -> Delta version from the progress JSON (`endOffset`,
//! `tableVersion`), and the commit time is the mtime of `_delta_log/<version>.json`.
//!
//! ```text
//! cargo bench --bench latency                       # 10 files/s for 30 s, watching then polling
//! LATENCY_RATE=50 LATENCY_SECS=10 LATENCY_MODES=watch LATENCY_TRIGGER=0s cargo bench --bench latency
//! ```
//! Modes: `watch` (inotify wakes the query) and `poll` (`SPATE_WATCH=off`: Spark's 10 ms polling
//! with the default trigger). Alongside the latency, the CPU the process used is reported.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

const RECORDS_PER_FILE: usize = 100;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not meaningful here.
    let rate: f64 = env_or("LATENCY_RATE", 10.0);
    let secs: f64 = env_or("LATENCY_SECS", 30.0);
    let trigger: String = env_or("LATENCY_TRIGGER", "0s".to_string());
    let modes: String = env_or("LATENCY_MODES", "watch,poll".to_string());
    let files = (rate * secs).round() as usize;
    println!("landing {files} files of {RECORDS_PER_FILE} records at {rate}/s, trigger {trigger}");
    let mut results = vec![];
    for mode in modes.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        match run_mode(mode, rate, files, &trigger) {
            Ok(r) => {
                print_result(&r);
                results.push(r);
            }
            Err(e) => {
                eprintln!("{mode}: {e}");
                std::process::exit(1);
            }
        }
    }
    println!();
    println!("| mode | files | batches | p50 ms | p90 ms | p99 ms | max ms | CPU while landing | CPU idle |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1}% | {:.1}% |",
            r.mode, r.files, r.batches, r.p50, r.p90, r.p99, r.max, r.cpu_busy, r.cpu_idle
        );
    }
}

struct ModeResult {
    mode: String,
    files: usize,
    batches: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    /// Share of one core used while files were landing.
    cpu_busy: f64,
    /// Share of one core used over 5 idle seconds afterwards.
    cpu_idle: f64,
}

fn print_result(r: &ModeResult) {
    println!(
        "{}: {} files in {} batches; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; CPU {:.1}% while landing, {:.1}% idle",
        r.mode, r.files, r.batches, r.p50, r.p90, r.p99, r.max, r.cpu_busy, r.cpu_idle
    );
}

/// A `spate run` in the background with its stderr collected.
struct Live {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Live {
    fn wait_for_line(&self, needle: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.lines.lock().map(|l| l.join("\n")).unwrap_or_default();
            if text.contains(needle) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no line with {needle:?} from spate within {timeout:?}:\n{text}"
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_mode(mode: &str, rate: f64, files: usize, trigger: &str) -> Result<ModeResult, String> {
    let io = |what: &str| {
        let what = what.to_string();
        move |e: std::io::Error| format!("{what}: {e}")
    };
    let dir = tempfile::tempdir().map_err(io("temp dir"))?;
    let landing = dir.path().join("landing");
    let warehouse = dir.path().join("warehouse");
    let progress = dir.path().join("progress.jsonl");
    std::fs::create_dir_all(&landing).map_err(io("landing"))?;
    std::fs::write(
        dir.path().join("pipeline.sql"),
        "CREATE STREAMING TABLE t AS SELECT file, rec, payload FROM STREAM read_files('${landing}', format => 'json', schema => 'file INT, rec INT, payload STRING');",
    )
    .map_err(io("pipeline.sql"))?;
    let ready = match mode {
        "watch" => "watching the folder for new files",
        "poll" => "SPATE_WATCH=off",
        other => return Err(format!("unknown mode {other} (watch, poll)")),
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spate"));
    cmd.current_dir(dir.path())
        .args(["run", "pipeline.sql", "--trigger", trigger, "--warehouse"])
        .arg(&warehouse)
        .arg("--var")
        .arg(format!("landing={}", landing.display()))
        .arg("--progress-json")
        .arg(&progress)
        .env("SPATE_LOG", "warn,spate_connectors::files::watch=info")
        .env("SPATE_WATCH", if mode == "poll" { "off" } else { "on" })
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(io("start spate"))?;
    let lines = Arc::new(Mutex::new(vec![]));
    if let Some(stderr) = child.stderr.take() {
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push(line);
                }
            }
        });
    }
    let live = Live { child, lines };
    live.wait_for_line(ready, Duration::from_secs(120))?;

    // A warm-up file creates the Delta table, so the measured files see steady state.
    land(&landing, "warmup", 0)?;
    let checkpoint = warehouse.join("_checkpoints/t");
    wait_until(Duration::from_secs(60), || {
        checkpoint.join("commits/0").exists()
    })?;
    std::thread::sleep(Duration::from_millis(500));

    let pid = live.child.id();
    let cpu0 = (cpu_ticks(pid)?, Instant::now());
    let start = Instant::now();
    let mut landed: HashMap<String, SystemTime> = HashMap::new();
    for i in 0..files {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        if let Some(d) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        let (name, at) = land(&landing, &format!("f{i:06}"), i + 1)?;
        landed.insert(name, at);
    }
    let expected_rows = (files + 1) * RECORDS_PER_FILE;
    wait_until(Duration::from_secs(120), || {
        rows_in(&progress) >= expected_rows
    })?;
    let cpu1 = (cpu_ticks(pid)?, Instant::now());
    std::thread::sleep(Duration::from_secs(5));
    let cpu2 = (cpu_ticks(pid)?, Instant::now());
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let share = |a: (u64, Instant), b: (u64, Instant)| {
        (b.0 - a.0) as f64 / ticks_per_s / (b.1 - a.1).as_secs_f64() * 100.0
    };
    let (cpu_busy, cpu_idle) = (share(cpu0, cpu1), share(cpu1, cpu2));
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .map_err(io("kill"))?;
    if !status.success() {
        return Err("could not stop spate".into());
    }
    drop(live);

    // file name -> source batch, source batch -> Delta version, Delta version -> commit time.
    let file_batch = source_log(&checkpoint.join("sources/0"))?;
    let mut batch_version: HashMap<u64, u64> = HashMap::new();
    let text = std::fs::read_to_string(&progress).map_err(io("progress JSON"))?;
    for line in text.lines() {
        let p: Value = serde_json::from_str(line).map_err(|e| format!("progress JSON: {e}"))?;
        let end = p["sources"][0]["endOffset"]["logOffset"].as_u64();
        let version = p["sink"]["metrics"]["tableVersion"]
            .as_str()
            .and_then(|v| v.parse().ok());
        if let (Some(end), Some(version)) = (end, version) {
            batch_version.insert(end, version);
        }
    }
    let mut latencies = vec![];
    let mut batches = std::collections::BTreeSet::new();
    for (name, at) in &landed {
        let batch = file_batch
            .get(name)
            .ok_or_else(|| format!("{name} is in no source batch"))?;
        let version = batch_version
            .get(batch)
            .ok_or_else(|| format!("source batch {batch} has no table version"))?;
        batches.insert(*version);
        let log = warehouse.join(format!("t/_delta_log/{version:020}.json"));
        let committed = std::fs::metadata(&log)
            .and_then(|m| m.modified())
            .map_err(io(&log.display().to_string()))?;
        let ms = committed
            .duration_since(*at)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        latencies.push(ms);
    }
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| {
        latencies[((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    Ok(ModeResult {
        mode: mode.to_string(),
        files,
        batches: batches.len(),
        p50: q(0.50),
        p90: q(0.90),
        p99: q(0.99),
        max: latencies.last().copied().unwrap_or(0.0),
        cpu_busy,
        cpu_idle,
    })
}

/// Writes file `stem.json` under a hidden name and renames it into place; returns its name and
/// the time just before the rename.
fn land(dir: &Path, stem: &str, file: usize) -> Result<(String, SystemTime), String> {
    let name = format!("{stem}.json");
    let tmp = dir.join(format!(".{name}.tmp"));
    let body: String = (0..RECORDS_PER_FILE)
        .map(|r| {
            format!(
                "{{\"file\": {file}, \"rec\": {r}, \"payload\": \"{}\"}}\n",
                "x".repeat(64)
            )
        })
        .collect();
    std::fs::write(&tmp, body).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let at = SystemTime::now();
    std::fs::rename(&tmp, dir.join(&name)).map_err(|e| format!("rename {}: {e}", tmp.display()))?;
    Ok((name, at))
}

fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            return Err(format!("timed out after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// Rows read so far, from the progress JSON.
fn rows_in(progress: &Path) -> usize {
    std::fs::read_to_string(progress)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|p| p["numInputRows"].as_u64())
        .sum::<u64>() as usize
}

/// File name -> source batch id, from every entry of the source log (plain and `.compact`).
fn source_log(dir: &Path) -> Result<HashMap<String, u64>, String> {
    let mut out = HashMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for line in text.lines().skip(1) {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let (Some(p), Some(b)) = (v["path"].as_str(), v["batchId"].as_u64()) {
                out.insert(p.rsplit('/').next().unwrap_or(p).to_string(), b);
            }
        }
    }
    Ok(out)
}

/// CPU ticks (user + system) used by `pid`, from `/proc/<pid>/stat`.
fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    let rest = stat
        .rfind(')')
        .map(|i| &stat[i + 2..])
        .ok_or("unexpected /proc/<pid>/stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or("unexpected /proc/<pid>/stat")
    };
    Ok(field(11)? + field(12)?)
}
