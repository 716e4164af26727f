//! Turns a parsed pipeline file into streaming queries: file or Kinesis source -> cleaning plan ->
//! Delta sink.

use std::sync::Arc;

use spate_connectors::delta::{DeltaSink, DeltaSinkOptions};
use spate_connectors::files::inferred_schema::stream_options;
use spate_connectors::files::options::query_references_metadata;
use spate_connectors::files::FileSource;
use spate_connectors::kinesis::{KinesisOptions, KinesisSource};
use spate_engine::checkpoint::Checkpoint;
use spate_engine::query::{ProgressListener, StreamingQuery};
use spate_engine::source::Source;
use spate_engine::sql::batch_plan::CleaningPlan;
use spate_engine::sql::pipeline::{PipelineStatement, SourceKind, StreamingTableDef};
use spate_engine::sql::session::{keys, Settings};
use spate_engine::state::{OutputMode, Stateful};
use spate_engine::storage::Location;
use spate_engine::trigger::Trigger;
use tokio::sync::watch;

/// The Delta table property for how often the log is checkpointed.
const DELTA_CHECKPOINT_INTERVAL: &str = "delta.checkpointInterval";
/// The table property choosing the output mode (spec §9.5): append (default), update, complete.
const OUTPUT_MODE_PROPERTY: &str = "spate.outputMode";

/// Everything a query needs besides its definition.
pub struct BuildContext {
    /// The warehouse folder.
    pub warehouse: Location,
    /// The trigger for every query.
    pub trigger: Trigger,
    /// Progress output.
    pub listener: Arc<dyn ProgressListener>,
    /// Set to true to stop after the running batch.
    pub stop: watch::Receiver<bool>,
}

/// Builds one query per streaming table; `SET` applies to the tables after it.
pub async fn build_queries(
    statements: Vec<PipelineStatement>,
    ctx: &BuildContext,
) -> Result<Vec<(String, StreamingQuery)>, String> {
    let mut settings = Settings::default();
    let mut queries = vec![];
    for st in statements {
        match st {
            PipelineStatement::Set { key, value } => settings.set(&key, &value),
            PipelineStatement::StreamingTable(def) => {
                let name = def.name.clone();
                let q = build_one(def, &settings, ctx)
                    .await
                    .map_err(|e| format!("streaming table {name}: {e}"))?;
                queries.push((name, q));
            }
            PipelineStatement::Query { .. } => {
                return Err("spate run takes streaming tables; run plain SELECT statements with `spate sql`".into());
            }
        }
    }
    if queries.is_empty() {
        return Err("the file declares no streaming table (CREATE STREAMING TABLE ... AS SELECT ... FROM STREAM read_files(...))".into());
    }
    Ok(queries)
}

async fn build_one(
    def: StreamingTableDef,
    settings: &Settings,
    ctx: &BuildContext,
) -> Result<StreamingQuery, String> {
    let err = |e: spate_engine::Error| e.to_string();
    let [source] = def.sources.as_slice() else {
        return Err(format!(
            "line {}: a streaming table reads exactly one STREAM source (found {})",
            def.line,
            def.sources.len()
        ));
    };
    let at = |e: String| format!("line {}, column {}: {e}", source.line, source.column);
    let checkpoint = Checkpoint::new(ctx.warehouse.child(&format!("_checkpoints/{}", def.name)));
    let mut stream_source: Box<dyn Source> = match source.kind {
        SourceKind::ReadKinesis => {
            let opts = KinesisOptions::from_read_kinesis(&source.options)
                .map_err(|e| at(e.to_string()))?;
            Box::new(KinesisSource::new(opts))
        }
        SourceKind::ReadFiles => {
            let path = source
                .path
                .clone()
                .ok_or_else(|| at("read_files needs a path".into()))?;
            // Without a declared schema, the one inferred at the first start is kept in the checkpoint.
            let conf: std::collections::HashMap<String, String> = settings
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut opts = stream_options(&path, &source.options, checkpoint.location(), &conf)
                .await
                .map_err(|e| at(e.to_string()))?;
            if query_references_metadata(&def.query) {
                opts = opts.with_metadata_column();
            }
            Box::new(FileSource::new(opts, checkpoint.source_location(0)).map_err(err)?)
        }
    };
    let table_location = match &def.location {
        Some(l) => l.clone(),
        None => ctx.warehouse.child(&def.name).url.to_string(),
    };
    // `spate.*` properties configure the query, not the Delta table.
    let output_mode = match def
        .tblproperties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(OUTPUT_MODE_PROPERTY))
    {
        Some((_, v)) => OutputMode::parse(v).map_err(|e| format!("line {}: {e}", def.line))?,
        None => OutputMode::default(),
    };
    let mut properties: Vec<(String, String)> = def
        .tblproperties
        .iter()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("spate."))
        .cloned()
        .collect();
    // A long-running stream makes many small commits: a Delta checkpoint every 10 keeps the table
    // fast to open (delta-rs' default is 100). TBLPROPERTIES can override it.
    if !properties
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case(DELTA_CHECKPOINT_INTERVAL))
    {
        properties.push((DELTA_CHECKPOINT_INTERVAL.to_string(), "10".to_string()));
    }
    let sink = DeltaSink::new(DeltaSinkOptions {
        location: table_location,
        table_name: def.name.clone(),
        partition_by: def.partitioned_by.clone(),
        properties,
        comment: def.comment.clone(),
    })
    .map_err(err)?;
    let query = with_declared_columns(&def);
    let plan = CleaningPlan::new(
        &def.name,
        &query,
        &source.placeholder,
        def.expectations.clone(),
        settings,
    )
    .map_err(err)?;
    // Like Spark, parse only the columns the query reads (and the watermark's event time).
    let source_schema = stream_source.schema();
    let mut read = plan
        .read_columns(source_schema.clone())
        .await
        .map_err(err)?;
    if let Some(w) = &def.watermark {
        read.extend(source_schema.index_of(&w.column).ok());
    }
    stream_source.prune_columns(&read).map_err(err)?;
    let partitions = settings
        .get(keys::SHUFFLE_PARTITIONS)
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let stateful = Stateful {
        watermark: def.watermark.clone(),
        dedup: def.dedup.clone(),
        output_mode,
    };
    Ok(StreamingQuery::new(
        &def.name,
        checkpoint,
        stream_source,
        plan,
        Box::new(sink),
        ctx.trigger,
        partitions,
        ctx.listener.clone(),
        ctx.stop.clone(),
    )
    .with_stateful(stateful))
}

/// A declared column list casts the SELECT's columns (by name) to the declared types.
fn with_declared_columns(def: &StreamingTableDef) -> String {
    if def.columns.is_empty() {
        return def.query.clone();
    }
    let cols: Vec<String> = def
        .columns
        .iter()
        .map(|c| {
            let name = c.name.replace('`', "``");
            format!("CAST(`{name}` AS {}) AS `{name}`", c.data_type)
        })
        .collect();
    format!(
        "SELECT {} FROM ({}) AS __spate_declared",
        cols.join(", "),
        def.query
    )
}
