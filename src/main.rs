//! `spate`: run Spark-style streaming pipelines (JSON folders -> Spark SQL -> Delta) on one machine.

mod demo;
mod emulate;
mod output;
mod pipeline_build;
mod reporter;
mod run_cmd;
mod sql_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc reuses freed memory where glibc's malloc often trims it back to the kernel and
/// page-faults it in again: decoding JSON batch after batch, that was about a third of the
/// decoder's time (spate-engine's `benches/json_decode.rs`, which runs under mimalloc too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Write emulated source data: `spate emulate pinterest --out DIR`.
    Emulate {
        #[command(subcommand)]
        workload: Workload,
    },
    /// The Pinterest showcase: emulate posts, run queries/pinterest/pipeline.sql, print the analytics.
    Demo {
        /// Folder for the landing data and the warehouse (cleared if an earlier demo made it).
        #[arg(long, default_value = "spate-demo")]
        dir: PathBuf,
        /// Posts to emulate.
        #[arg(long, default_value_t = 3000)]
        posts: u64,
        /// Seed of the emulator (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Run batch SQL (SELECT ...) over the warehouse's Delta tables, or over read_files(...).
    Sql {
        /// A file of SQL statements (SET and SELECT).
        file: Option<PathBuf>,
        /// SQL text to run instead of a file.
        #[arg(
            short = 'e',
            long = "execute",
            value_name = "SQL",
            conflicts_with = "file"
        )]
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

/// Workloads the emulator can write.
#[derive(Subcommand, Debug)]
enum Workload {
    /// Pinterest posts as three JSON Lines feeds: DIR/pin, DIR/geo, DIR/user (same post, same index),
    /// or as records on the Kinesis streams PREFIX-pin, PREFIX-geo, PREFIX-user.
    Pinterest {
        /// Landing folder to write into.
        #[arg(long, required_unless_present = "kinesis", conflicts_with = "kinesis")]
        out: Option<PathBuf>,
        /// Post to Kinesis streams PREFIX-pin|geo|user instead (created if missing; endpoint,
        /// region and credentials from the AWS_* variables, e.g. AWS_ENDPOINT_URL_KINESIS).
        #[arg(long, value_name = "PREFIX")]
        kinesis: Option<String>,
        /// Shards of the streams --kinesis creates.
        #[arg(long, default_value_t = 1)]
        kinesis_shards: i32,
        /// Posts to write (with --rate: stop after this many; default endless).
        #[arg(long)]
        posts: Option<u64>,
        /// Files per feed the posts are spread over (batch mode).
        #[arg(long, default_value_t = 10)]
        files: u64,
        /// Live mode: posts per second, a small file per feed about every second.
        #[arg(long)]
        rate: Option<f64>,
        /// Seed (same seed and options, byte-identical files).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Fraction of malformed lines (truncated JSON, wrong types, misrouted records).
        #[arg(long, default_value_t = 0.0)]
        malformed_frac: f64,
        /// Fraction of posts re-sent as exact duplicates.
        #[arg(long, default_value_t = 0.02)]
        dup_frac: f64,
        /// Fraction of posts with placeholder values ("User Info Error", "No Title Data Available", ...).
        #[arg(long, default_value_t = 0.1)]
        dirty_frac: f64,
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
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SPATE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run {
                file,
                warehouse,
                trigger,
                vars,
                progress_json,
            } => {
                let vars = parse_vars(&vars)?;
                run_cmd::run(&file, &warehouse, &trigger, &vars, progress_json.as_deref()).await
            }
            Command::Emulate {
                workload:
                    Workload::Pinterest {
                        out,
                        kinesis,
                        kinesis_shards,
                        posts,
                        files,
                        rate,
                        seed,
                        malformed_frac,
                        dup_frac,
                        dirty_frac,
                    },
            } => {
                let opts = emulate::EmulateOptions {
                    out: out.unwrap_or_default(),
                    posts: posts.unwrap_or(if rate.is_some() { u64::MAX } else { 1000 }),
                    files,
                    rate,
                    seed,
                    malformed_frac,
                    dup_frac,
                    dirty_frac,
                };
                let manifest = tokio::task::spawn_blocking(move || {
                    let live = opts.rate.is_some();
                    let mut progress = |m: &emulate::Manifest| {
                        if live {
                            eprintln!("emulated {} posts ({} files)", m.posts, m.files.len());
                        }
                    };
                    match &kinesis {
                        Some(prefix) => {
                            emulate::emulate_kinesis(&opts, prefix, kinesis_shards, &mut progress)
                        }
                        None => emulate::emulate(&opts, &mut progress),
                    }
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("emulator: {e}"))?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?
                );
                Ok(())
            }
            Command::Demo { dir, posts, seed } => demo::run(&dir, posts, seed).await,
            Command::Sql {
                file,
                execute,
                warehouse,
                format,
                vars,
            } => {
                let vars = parse_vars(&vars)?;
                let (text, origin) = match (file, execute) {
                    (_, Some(sql)) => (sql, "-e".to_string()),
                    (Some(f), None) => {
                        let text = std::fs::read_to_string(&f)
                            .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
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
