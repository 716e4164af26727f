//! `spate run`: every streaming table of a pipeline file, concurrently, until the trigger or a signal stops them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use spate_engine::sql::pipeline::parse_pipeline;
use spate_engine::storage::Location;
use spate_engine::trigger::Trigger;
use tokio::sync::watch;

use crate::pipeline_build::{build_queries, BuildContext};
use crate::reporter::Reporter;

/// Runs the pipeline in `file`.
pub async fn run(
    file: &Path,
    warehouse: &str,
    trigger: &str,
    vars: &HashMap<String, String>,
    progress_json: Option<&Path>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    run_text(
        &text,
        &file.display().to_string(),
        warehouse,
        trigger,
        vars,
        progress_json,
    )
    .await
}

/// Runs the pipeline `text` (`origin` names it in errors).
pub async fn run_text(
    text: &str,
    origin: &str,
    warehouse: &str,
    trigger: &str,
    vars: &HashMap<String, String>,
    progress_json: Option<&Path>,
) -> Result<(), String> {
    let statements = parse_pipeline(text, vars).map_err(|e| format!("{origin}: {e}"))?;
    let trigger: Trigger = trigger
        .parse()
        .map_err(|e: spate_engine::Error| e.to_string())?;
    let warehouse = Location::parse(warehouse).map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let ctx = BuildContext {
        warehouse,
        trigger,
        listener: Arc::new(Reporter::new(progress_json)?),
        stop: stop_rx,
    };
    let queries = build_queries(statements, &ctx)
        .await
        .map_err(|e| format!("{origin}: {e}"))?;

    tokio::spawn(wait_for_signal(stop_tx.clone()));
    let mut tasks = tokio::task::JoinSet::new();
    for (name, q) in queries {
        tasks.spawn(async move { (name, q.run().await) });
    }
    let mut failures = vec![];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((name, Ok(summary))) => {
                tracing::info!(table = %name, batches = summary.batches, "query stopped");
            }
            Ok((name, Err(e))) => {
                // One failed query stops the others after their running batch, like a failed pipeline update.
                let _ = stop_tx.send(true);
                failures.push(format!("streaming table {name}: {e}"));
            }
            Err(e) => {
                let _ = stop_tx.send(true);
                failures.push(format!("a query task failed: {e}"));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Ctrl-C or SIGTERM: let the running batches finish, then stop.
async fn wait_for_signal(stop: watch::Sender<bool>) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    let _ = stop.send(true);
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    eprintln!("stopping: finishing the running batches (press Ctrl-C again to abort)");
    let _ = stop.send(true);
    // A second signal aborts at once.
    let _ = tokio::signal::ctrl_c().await;
    std::process::exit(130);
}
