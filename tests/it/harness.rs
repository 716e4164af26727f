//! Test harness: a temp folder with a landing zone and a warehouse, the `spate` binary, and the
//! Python read-back (DuckDB delta_scan + deltalake) from the venv `.ci/run` creates.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// The `spate` binary under test: cargo's, or `SPATE_BIN` (worktrees sharing one target folder
/// overwrite each other's `target/debug/spate`; a copy keeps a run on its own build).
pub fn spate_bin() -> PathBuf {
    std::env::var_os("SPATE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_spate")))
}

/// Runs `tests/py/read_delta.py` on `table` (a path or URL; `configure` adds the environment it
/// needs), and checks DuckDB and deltalake agree.
///
/// pyarrow sometimes aborts while the interpreter tears down its threads ("terminate called
/// without an active exception"), before or after printing: the tool crashed, the answer was not
/// wrong, so it is run again, up to three times.
pub fn read_delta_with(table: &str, configure: impl Fn(&mut Command)) -> Value {
    let mut attempt = 0;
    let out = loop {
        attempt += 1;
        let mut c = Command::new(python());
        c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/read_delta.py"))
            .arg(table);
        configure(&mut c);
        let out = c.output().expect("run python");
        let crashed = String::from_utf8_lossy(&out.stderr).contains("terminate called");
        if out.status.success() || !crashed || attempt == 3 {
            break out;
        }
    };
    assert!(
        out.status.success(),
        "read_delta.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("read_delta.py JSON");
    assert_eq!(
        v["duckdb"], v["deltalake"],
        "DuckDB and deltalake disagree on {table}"
    );
    v
}

/// One test's folders.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub landing: PathBuf,
    pub warehouse: PathBuf,
    files_written: std::cell::Cell<u64>,
}

/// The Python interpreter with duckdb, duckdb-ext-delta and deltalake: `SPATE_PYTHON`, or the
/// repo's `.venv`, created from `tests/py/requirements.txt` on first use if missing.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("SPATE_PYTHON") {
        return PathBuf::from(p);
    }
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let py = root.join(".venv/bin/python");
        if !py.exists() {
            let ok = Command::new("python3")
                .args(["-m", "venv"])
                .arg(root.join(".venv"))
                .status()
                .map(|s| s.success());
            assert!(
                matches!(ok, Ok(true)),
                "could not create {}/.venv with python3 -m venv",
                root.display()
            );
        }
        let ok = Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(root.join("tests/py/requirements.txt"))
            .status()
            .map(|s| s.success());
        assert!(
            matches!(ok, Ok(true)),
            "could not install tests/py/requirements.txt into .venv"
        );
        py
    })
    .clone()
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let landing = dir.path().join("landing");
        let warehouse = dir.path().join("warehouse");
        std::fs::create_dir_all(&landing).expect("landing dir");
        Env {
            dir,
            landing,
            warehouse,
            files_written: std::cell::Cell::new(0),
        }
    }

    /// Writes a landing file atomically (temp name, then rename), with an mtime one second after the previous one,
    /// so "oldest first" is deterministic.
    pub fn land(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.landing.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let tmp = path.with_file_name(format!(
            ".tmp-{}",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&tmp, content).unwrap();
        let n = self.files_written.get() + 1;
        self.files_written.set(n);
        let mtime = SystemTime::now() - Duration::from_secs(3600) + Duration::from_secs(n);
        std::fs::File::options()
            .write(true)
            .open(&tmp)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        path
    }

    /// Writes `pipeline.sql` and returns its path.
    pub fn pipeline(&self, sql: &str) -> PathBuf {
        let p = self.dir.path().join("pipeline.sql");
        std::fs::write(&p, sql).unwrap();
        p
    }

    /// A `spate` command in the test folder.
    pub fn spate(&self) -> Command {
        let mut c = Command::new(spate_bin());
        c.current_dir(self.dir.path());
        c.env_remove("SPATE_FAILPOINT");
        c
    }

    /// `spate run pipeline.sql --trigger available-now` with `landing` as `${landing}`.
    pub fn run_available_now(&self, extra_env: &[(&str, &str)]) -> Output {
        let mut c = self.spate();
        c.args([
            "run",
            "pipeline.sql",
            "--trigger",
            "available-now",
            "--warehouse",
        ])
        .arg(&self.warehouse)
        .arg("--var")
        .arg(format!("landing={}", self.landing.display()))
        .arg("--progress-json")
        .arg(self.dir.path().join("progress.jsonl"));
        for (k, v) in extra_env {
            c.env(k, v);
        }
        c.output().expect("run spate")
    }

    /// Reads `<warehouse>/<table>` back with DuckDB and deltalake; panics if they disagree.
    pub fn read_delta(&self, table: &str) -> Value {
        read_delta_with(&self.warehouse.join(table).to_string_lossy(), |_| {})
    }

    /// The DuckDB rows of a table.
    pub fn rows(&self, table: &str) -> Vec<Value> {
        self.read_delta(table)["duckdb"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// A file in the checkpoint of `table`.
    pub fn checkpoint_file(&self, table: &str, rel: &str) -> PathBuf {
        self.warehouse.join("_checkpoints").join(table).join(rel)
    }
}

/// Asserts a command succeeded, showing its stderr otherwise.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "spate failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The stderr of a command as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `spate` process in the background, its stderr collected line by line; killed when dropped.
pub struct Live {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Live {
    /// Spawns `cmd` with `SPATE_LOG=log`, stdout discarded and stderr collected.
    pub fn spawn(mut cmd: Command, log: &str) -> Live {
        cmd.env("SPATE_LOG", log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start spate run");
        let lines = Arc::new(Mutex::new(vec![]));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Live { child, lines }
    }

    /// The stderr lines so far.
    pub fn stderr(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Waits until a stderr line contains `needle`.
    pub fn wait_for_line(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no stderr line with {needle:?} after {timeout:?}:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// SIGTERM, then wait: the running batch finishes and the process exits 0. Returns stderr.
    pub fn stop(mut self) -> String {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
        let status = self.child.wait().expect("wait for spate");
        // The reader thread ends with the pipe; give it a moment to take the last lines.
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            status.success(),
            "SIGTERM should stop cleanly, got {status:?}:\n{}",
            self.stderr()
        );
        self.stderr()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // A failed assertion must not leave a query running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
