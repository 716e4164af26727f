//! `spate`: run Spark-style streaming pipelines (JSON folders -> Spark SQL -> Delta) on one machine.

mod output;
mod pipeline_build;
mod reporter;
mod run_cmd;
mod sql_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Spark-compatible structured streaming on one machine: JSON files in, exactly-once Delta tables out.
#[derive(Parser, Debug)]
#[command(name = "spate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every streaming table of a pipeline file (CREATE STREAMING TABLE ... AS SELECT ... FROM STREAM read_files(...)).
    Run {
        /// The pipeline file (.sql).
        file: PathBuf,
        /// Where tables (`<warehouse>/<name>`) and checkpoints (`<warehouse>/_checkpoints/<name>`) live: a path or URL.
        #[arg(long, default_value = "./spark-warehouse")]
        warehouse: String,
        /// `available-now` (process what is there, then exit), `once`, or an interval such as `10s` (0s = back to back).
        #[arg(long, default_value = "0s")]
        trigger: String,
        /// Substitute `${name}` in the file; repeatable.
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        /// Append each batch's StreamingQueryProgress JSON to this file, one line per batch.
        #[arg(long, value_name = "FILE")]
        progress_json: Option<PathBuf>,
    },
    /// Run batch SQL (SELECT ...) over the warehouse's Delta tables, or over read_files(...).
    Sql {
        /// A file of SQL statements (SET and SELECT).
        file: Option<PathBuf>,
        /// SQL text to run instead of a file.
        #[arg(short = 'e', long = "execute", value_name = "SQL", conflicts_with = "file")]
        execute: Option<String>,
        /// Where the tables live: each `<warehouse>/<name>` Delta table is registered as `name`.
        #[arg(long, default_value = "./spark-warehouse")]
        warehouse: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Substitute `${name}` in the SQL; repeatable.
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
    },
}

/// How `spate sql` prints results.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// One JSON object per line.
    Json,
}

fn parse_vars(vars: &[String]) -> Result<std::collections::HashMap<String, String>, String> {
    vars.iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| format!("--var expects NAME=VALUE, got '{v}'"))
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("SPATE_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run { file, warehouse, trigger, vars, progress_json } => {
                let vars = parse_vars(&vars)?;
                run_cmd::run(&file, &warehouse, &trigger, &vars, progress_json.as_deref()).await
            }
            Command::Sql { file, execute, warehouse, format, vars } => {
                let vars = parse_vars(&vars)?;
                let (text, origin) = match (file, execute) {
                    (_, Some(sql)) => (sql, "-e".to_string()),
                    (Some(f), None) => {
                        let text = std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                        (text, f.display().to_string())
                    }
                    (None, None) => return Err("spate sql needs a FILE or -e \"SQL\"".to_string()),
                };
                sql_cmd::run(&text, &origin, &warehouse, format, &vars).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
