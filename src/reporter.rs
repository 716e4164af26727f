//! Batch progress for humans (one line to stderr) and machines (`--progress-json`, one JSON per line).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use spate_engine::progress::QueryProgress;
use spate_engine::query::{BatchSummary, ProgressListener};
use spate_engine::sink::SinkOutcome;

/// Prints each batch and appends its progress JSON to a file when asked.
pub struct Reporter {
    json: Option<Mutex<File>>,
}

impl Reporter {
    /// A reporter appending JSON progress to `path`, if given.
    pub fn new(path: Option<&Path>) -> Result<Self, String> {
        let json = match path {
            None => None,
            Some(p) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("cannot open {}: {e}", p.display()))?,
            )),
        };
        Ok(Reporter { json })
    }
}

/// The human line for one batch.
pub fn describe(s: &BatchSummary) -> String {
    let mut line = format!(
        "{} batch {}: {} rows in, {} out",
        s.table, s.batch_id, s.rows_in, s.rows_out
    );
    if s.dropped > 0 {
        line.push_str(&format!(", {} dropped by expectations", s.dropped));
    }
    let kept: Vec<String> = s
        .violations
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(e, n)| format!("{e}={n}"))
        .collect();
    if !kept.is_empty() {
        line.push_str(&format!(" (violations: {})", kept.join(", ")));
    }
    line.push_str(&format!(", {} ms", s.duration_ms));
    match &s.outcome {
        SinkOutcome::Committed {
            version: Some(v), ..
        } => line.push_str(&format!(", table version {v}")),
        SinkOutcome::AlreadyCommitted { .. } => {
            line.push_str(", already in the table (re-run skipped)")
        }
        _ => {}
    }
    line
}

impl ProgressListener for Reporter {
    fn on_batch(&self, progress: &QueryProgress, summary: &BatchSummary) {
        eprintln!("{}", describe(summary));
        if let Some(f) = &self.json {
            if let Ok(mut f) = f.lock() {
                if let Err(e) = writeln!(f, "{}", progress.to_json()) {
                    eprintln!("warning: cannot write progress JSON: {e}");
                }
            }
        }
    }
}
