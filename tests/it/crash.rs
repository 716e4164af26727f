//! The crash test: kill `spate run` again and again, at every failpoint and at random moments, restart
//! it, and check that the Delta table ends up holding every input row exactly once.
//!
//! ```text
//!  round:  new folders, land 40 files (unique ids) ─┐
//!          ┌────────────────────────────────────────┘
//!          ▼
//!          land more files if the backlog runs low
//!          start `spate run --trigger available-now` (maxFilesPerTrigger 2: many batches)
//!            ├─ armed:   SPATE_FAILPOINT=<point>:<batch> or <point>:p=0.3  ─► SIGABRT at the point
//!            └─ unarmed: SIGKILL after 0-300 ms (files may land meanwhile)
//!          repeat until the round's kills are done and every point has fired
//!          ▼
//!          clean run exits 0 ─► multiset(Delta rows) == multiset(input rows), one Delta commit per batch
//! ```
//!
//! `crash_test_ci` is the CI version. `soak` is the long one, tuned by environment variables:
//! `SPATE_CRASH_KILLS=1000 cargo test --test it crash -- --ignored soak --nocapture`
//! (also `SPATE_CRASH_KILLS_PER_ROUND`, default 100, and `SPATE_CRASH_SEED` to replay the choices).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::Env;

/// The failpoints of `spate_engine::failpoint`, in the order one batch reaches them.
const POINTS: [&str; 5] = [
    "after-source-log",
    "after-offsets",
    "mid-delta-write",
    "after-sink",
    "after-commit",
];

const TABLE: &str = "events";

const PIPELINE: &str = "CREATE STREAMING TABLE events AS
SELECT id, name, score FROM STREAM read_files('${landing}', format => 'json',
  schema => 'id BIGINT, name STRING, score DOUBLE', maxFilesPerTrigger => 2);";

/// A run that takes longer than this is hung, not slow.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// What one crash test is asked to do.
struct Config {
    kills: u64,
    kills_per_round: u64,
    initial_files: u64,
    seed: u64,
}

impl Config {
    fn new(kills: u64, kills_per_round: u64) -> Config {
        let seed = std::env::var("SPATE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        Config {
            kills,
            kills_per_round,
            initial_files: 40,
            seed,
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the crash test did and found.
#[derive(Default, Debug)]
struct Figures {
    rounds: u64,
    runs: u64,
    kills: u64,
    sigkills: u64,
    aborts: BTreeMap<&'static str, u64>,
    files: u64,
    late_files: u64,
    batches: u64,
    rows: u64,
    lost: u64,
    duplicated: u64,
}

/// splitmix64: a tiny seeded generator, so a failing run can be replayed with its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The rows of input file `f`: a function of `f` alone, ids unique across files.
fn file_rows(f: u64) -> Vec<Value> {
    let n = 150 + (mix(f) % 200);
    (0..n)
        .map(|r| {
            let id = f * 1000 + r;
            let h = mix(id ^ 0x5eed);
            let name = match h % 17 {
                0 => Value::Null,
                // Escapes and non-ASCII, so the JSON decoding path is part of what must round-trip.
                1 => json!(format!("\"quoted\" \\ é {id}")),
                _ => json!(format!("user-{:06x}", h & 0xff_ffff)),
            };
            // Quarters are exact in binary, so the double survives parquet, DuckDB and JSON unchanged.
            let score = (h >> 20) % 400_000;
            json!({ "id": id, "name": name, "score": score as f64 / 4.0 })
        })
        .collect()
}

/// A row as a multiset key; the same for an input row and for the row DuckDB reads back.
fn row_key(row: &Value) -> String {
    format!(
        "{}|{}|{}",
        row["id"].as_i64().unwrap_or(-1),
        row["name"],
        row["score"]
            .as_f64()
            .map_or("null".into(), |s| s.to_string())
    )
}

struct Round<'a> {
    env: Env,
    rng: &'a mut Rng,
    figures: &'a mut Figures,
    expected: HashMap<String, i64>,
    next_file: u64,
    initial_files: u64,
    runs: u64,
}

impl Round<'_> {
    fn land_file(&mut self) {
        let f = self.next_file;
        self.next_file += 1;
        let rows = file_rows(f);
        let mut text = String::new();
        for r in &rows {
            *self.expected.entry(row_key(r)).or_default() += 1;
            text.push_str(&r.to_string());
            text.push('\n');
        }
        self.env.land(&format!("part-{f:05}.json"), &text);
        self.figures.files += 1;
    }

    fn checkpoint(&self, rel: &str) -> std::path::PathBuf {
        self.env.checkpoint_file(TABLE, rel)
    }

    /// Files the source has taken into its log so far (committed or not).
    fn taken_files(&self) -> u64 {
        let mut paths = HashSet::new();
        for name in names(&self.checkpoint("sources/0")) {
            let text = std::fs::read_to_string(self.checkpoint(&format!("sources/0/{name}")))
                .unwrap_or_default();
            for line in text.lines().skip(1) {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    paths.insert(v["path"].to_string());
                }
            }
        }
        paths.len() as u64
    }

    /// The first batch id a new run will reach at `point` (approximately: any nearby id fires too).
    fn next_id(&self, point: &str) -> u64 {
        let log = if point == "after-source-log" {
            "sources/0"
        } else {
            "commits"
        };
        names(&self.checkpoint(log))
            .iter()
            .filter_map(|n| n.trim_end_matches(".compact").parse::<u64>().ok())
            .max()
            .map_or(0, |id| id + 1)
    }

    fn command(&self) -> Command {
        let mut c = self.env.spate();
        c.args([
            "run",
            "pipeline.sql",
            "--trigger",
            "available-now",
            "--warehouse",
        ])
        .arg(&self.env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", self.env.landing.display()));
        c
    }

    /// Starts a run with its stderr in `run.log` (the previous run's kept as `prev.log`).
    fn spawn(&mut self, failpoint: Option<&str>) -> Child {
        let log = self.env.dir.path().join("run.log");
        let _ = std::fs::rename(&log, self.env.dir.path().join("prev.log"));
        let file = std::fs::File::create(&log).expect("run.log");
        let mut c = self.command();
        if let Some(fp) = failpoint {
            c.env("SPATE_FAILPOINT", fp);
        }
        self.runs += 1;
        self.figures.runs += 1;
        c.stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start spate")
    }

    /// Waits for the child until `deadline`; None if it is still running then.
    fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Copies the round's folders out of the temp dir (deleted when the test unwinds) for a post-mortem.
    fn keep_folder(&self) -> String {
        let dest = std::env::temp_dir().join(format!(
            "spate-crash-failure-{}-{}",
            std::process::id(),
            self.runs
        ));
        let copied = Command::new("cp")
            .arg("-a")
            .arg(self.env.dir.path())
            .arg(&dest)
            .status()
            .is_ok_and(|s| s.success());
        if copied {
            dest.display().to_string()
        } else {
            "(copy failed)".into()
        }
    }

    /// Fails the test with both recent run logs: a run that ends any other way than expected is the bug.
    fn unexpected(&self, what: &str, status: ExitStatus) -> ! {
        let read =
            |n: &str| std::fs::read_to_string(self.env.dir.path().join(n)).unwrap_or_default();
        panic!(
            "run {} {what}: {status:?}\n--- previous run's stderr ---\n{}\n--- this run's stderr ---\n{}\nfolder kept at {}",
            self.runs,
            read("prev.log"),
            read("run.log"),
            self.keep_folder()
        );
    }

    /// One run armed with a failpoint; true if it aborted there.
    fn failpoint_run(&mut self, point: &'static str) -> bool {
        let spec = if self.rng.chance(0.5) {
            format!("{point}:{}", self.next_id(point) + self.rng.below(3))
        } else {
            format!("{point}:p=0.3")
        };
        let mut child = self.spawn(Some(&spec));
        let arrival = self
            .rng
            .chance(0.2)
            .then(|| Instant::now() + Duration::from_millis(self.rng.below(150)));
        if let Some(at) = arrival {
            // A file lands while the run lists and plans: the next run must pick it up.
            if Self::wait_until(&mut child, at).is_none() {
                self.land_file();
                self.figures.late_files += 1;
            }
        }
        let Some(status) = Self::wait_until(&mut child, Instant::now() + RUN_TIMEOUT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "run {} with SPATE_FAILPOINT={spec} hung for {RUN_TIMEOUT:?}",
                self.runs
            );
        };
        match status.signal() {
            Some(6) => {
                *self.figures.aborts.entry(point).or_default() += 1;
                true
            }
            _ if status.success() => false,
            _ => self.unexpected(
                &format!("with SPATE_FAILPOINT={spec} ended unexpectedly"),
                status,
            ),
        }
    }

    /// One unarmed run killed with SIGKILL after 0-300 ms; true if the kill landed before it finished.
    fn random_kill_run(&mut self) -> bool {
        let mut child = self.spawn(None);
        let start = Instant::now();
        let delay = Duration::from_millis(self.rng.below(301));
        let status = if self.rng.chance(0.3) {
            // A file lands partway through: the next run must pick it up.
            let halfway = Self::wait_until(&mut child, start + delay / 2);
            if halfway.is_none() {
                self.land_file();
                self.figures.late_files += 1;
            }
            halfway.or_else(|| Self::wait_until(&mut child, start + delay))
        } else {
            Self::wait_until(&mut child, start + delay)
        };
        let status = match status {
            Some(s) => s,
            None => {
                child.kill().expect("SIGKILL spate"); // Child::kill is SIGKILL on Unix
                child.wait().expect("reap spate")
            }
        };
        match status.signal() {
            Some(9) => {
                self.figures.sigkills += 1;
                true
            }
            _ if status.success() => false,
            _ => self.unexpected("ended unexpectedly before the SIGKILL", status),
        }
    }

    fn run(mut self, kills: u64) {
        for _ in 0..self.initial_files {
            self.land_file();
        }
        let mut kills_here = 0;
        let mut fired_here: HashSet<&str> = HashSet::new();
        let mut turn = 0usize;
        while kills_here < kills || fired_here.len() < POINTS.len() {
            assert!(
                self.runs < 20 * kills.max(10),
                "{} runs for {kills_here} kills: the runs no longer crash",
                self.runs
            );
            // Keep a backlog, so that a run has batches to be killed in.
            if self.next_file - self.taken_files() < 6 {
                for _ in 0..2 + self.rng.below(5) {
                    self.land_file();
                }
            }
            let killed = if self.rng.chance(0.5) {
                let point = POINTS[turn % POINTS.len()];
                turn += 1;
                let fired = self.failpoint_run(point);
                if fired {
                    fired_here.insert(point);
                }
                fired
            } else {
                self.random_kill_run()
            };
            if killed {
                kills_here += 1;
                self.figures.kills += 1;
            }
        }
        self.finish();
    }

    /// A clean run must finish everything; then the table must hold each input row exactly once.
    fn finish(mut self) {
        let mut child = self.spawn(None);
        let status =
            Self::wait_until(&mut child, Instant::now() + RUN_TIMEOUT).expect("the final run hung");
        if !status.success() {
            self.unexpected("(the final, unarmed run) failed", status);
        }
        let back = self.env.read_delta(TABLE);
        let rows = back["duckdb"].as_array().cloned().unwrap_or_default();
        let mut diff = self.expected.clone();
        for r in &rows {
            *diff.entry(row_key(r)).or_default() -= 1;
        }
        let lost: i64 = diff.values().filter(|d| **d > 0).sum();
        let duplicated: i64 = diff.values().filter(|d| **d < 0).map(|d| -d).sum();
        self.figures.rows += rows.len() as u64;
        self.figures.lost += lost as u64;
        self.figures.duplicated += duplicated as u64;
        let last_batch = names(&self.checkpoint("commits"))
            .iter()
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .expect("a commit");
        self.figures.batches += last_batch + 1;
        let mut sample: Vec<_> = diff.iter().filter(|(_, d)| **d != 0).take(5).collect();
        sample.sort();
        assert!(
            lost == 0 && duplicated == 0,
            "{lost} rows lost, {duplicated} duplicated (row: +missing / -extra): {sample:?}; folder kept at {}",
            self.keep_folder()
        );
        // Version 0 creates the table; then exactly one commit per batch, none for a skipped re-run.
        if back["version"] != json!(last_batch + 1) {
            panic!("Delta version {} after batch {last_batch}: not one commit per batch; folder kept at {}", back["version"], self.keep_folder());
        }
    }
}

/// File names in a folder (none if it does not exist yet).
fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs rounds of kills until `cfg.kills` kills are done; every round checks its own table.
fn crash_test(cfg: &Config) -> Figures {
    let started = Instant::now();
    let mut rng = Rng(cfg.seed);
    let mut figures = Figures::default();
    eprintln!(
        "crash test: seed {} (SPATE_CRASH_SEED to replay the choices), {} kills",
        cfg.seed, cfg.kills
    );
    while figures.kills < cfg.kills {
        let kills = cfg.kills_per_round.min(cfg.kills - figures.kills);
        let env = Env::new();
        env.pipeline(PIPELINE);
        let round = Round {
            env,
            rng: &mut rng,
            figures: &mut figures,
            expected: HashMap::new(),
            next_file: 0,
            initial_files: cfg.initial_files,
            runs: 0,
        };
        round.run(kills);
        figures.rounds += 1;
    }
    let fired: u64 = figures.aborts.values().sum();
    eprintln!(
        "crash test: {} kills ({} SIGKILL at random moments, {} at failpoints {:?}) in {} runs over {} rounds; \
         {} files ({} landed during a run), {} batches, {} rows; lost {}, duplicated {}; wall {:.1}s",
        figures.kills,
        figures.sigkills,
        fired,
        figures.aborts,
        figures.runs,
        figures.rounds,
        figures.files,
        figures.late_files,
        figures.batches,
        figures.rows,
        figures.lost,
        figures.duplicated,
        started.elapsed().as_secs_f64()
    );
    figures
}

#[test]
fn crash_test_ci() {
    let figures = crash_test(&Config::new(60, 60));
    assert!(figures.kills >= 50);
    assert!(
        figures.sigkills > 0 && figures.aborts.len() == POINTS.len(),
        "{figures:?}"
    );
    assert_eq!((figures.lost, figures.duplicated), (0, 0));
}

#[test]
#[ignore = "soak: SPATE_CRASH_KILLS=1000 cargo test --test it crash -- --ignored soak --nocapture"]
fn soak() {
    let cfg = Config::new(
        env_u64("SPATE_CRASH_KILLS", 1000),
        env_u64("SPATE_CRASH_KILLS_PER_ROUND", 100).max(1),
    );
    let figures = crash_test(&cfg);
    assert_eq!((figures.lost, figures.duplicated), (0, 0));
}
