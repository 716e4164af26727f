//! The Delta sink: one Delta commit per batch carrying `txn{appId: query id, version: batch id}`.
//!
//! ```text
//!  add_batch(N) ─► load/refresh table ─► txn version for query id >= N ? ── yes ─► skip (already in)
//!                                                      │ no
//!                                                      ▼
//!                write parquet files ─► commit { commitInfo STREAMING UPDATE, txn(queryId, N), add* }
//! ```
//! delta-rs does not skip a replayed `(appId, version)` by itself (api-notes §1.2): the check is ours.
//! A concurrent writer committing the same app id fails our commit in delta-rs' conflict checker.

use std::collections::HashMap;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use async_trait::async_trait;
use deltalake::kernel::engine::arrow_conversion::TryFromArrow;
use deltalake::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake::kernel::{Action, StructType, Transaction};
use deltalake::protocol::{DeltaOperation, OutputMode, SaveMode};
use deltalake::writer::{DeltaWriter, RecordBatchWriter};
use deltalake::{DeltaTable, DeltaTableBuilder};
use futures::StreamExt;
use spate_engine::sink::{Sink, SinkOutcome, WriteMode};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};
use url::Url;

use super::arrow_types::{check_writable, delta_schema, to_schema};

/// Where and how the table is written.
#[derive(Debug, Clone, Default)]
pub struct DeltaSinkOptions {
    /// Table location (path or URL).
    pub location: String,
    /// Table name recorded in the Delta metadata.
    pub table_name: String,
    /// `PARTITIONED BY` columns.
    pub partition_by: Vec<String>,
    /// `TBLPROPERTIES`.
    pub properties: Vec<(String, String)>,
    /// `COMMENT`.
    pub comment: Option<String>,
}

/// A Delta table written exactly once per batch id.
pub struct DeltaSink {
    opts: DeltaSinkOptions,
    url: Url,
    /// The table's location: deltalake writes through its store, the same (retrying) one the checkpoint uses.
    loc: Location,
    table: Option<DeltaTable>,
    query_id: String,
}

fn sink_err(url: &Url, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Sink {
        description: format!("DeltaSink[{}]", url.as_str().trim_end_matches('/')),
        source: Box::new(e),
    }
}

impl DeltaSink {
    /// A sink for the table at `opts.location` (created on the first batch).
    pub fn new(opts: DeltaSinkOptions) -> Result<Self> {
        let loc = Location::parse(&opts.location)?;
        let url = loc.url.clone();
        Ok(DeltaSink {
            opts,
            url,
            loc,
            table: None,
            query_id: String::new(),
        })
    }

    /// Opens the table, creating it with `schema` if it does not exist.
    async fn open_or_create(&mut self, schema: &SchemaRef) -> Result<DeltaTable> {
        if let Some(mut t) = self.table.take() {
            t.update_state().await.map_err(|e| sink_err(&self.url, e))?;
            return Ok(t);
        }
        // The Delta kernel refuses a local table folder that does not exist (object stores have no folders).
        if let Ok(dir) = self.url.to_file_path() {
            std::fs::create_dir_all(&dir).map_err(|e| sink_err(&self.url, e))?;
        }
        // An unloaded handle: loading a table that does not exist yet makes the kernel log an error.
        let table = table_builder(&self.loc)
            .and_then(|b| b.build())
            .map_err(|e| sink_err(&self.url, e))?;
        if table_exists(&self.opts.location).await? {
            let mut t = table;
            t.load().await.map_err(|e| sink_err(&self.url, e))?;
            return Ok(t);
        }
        let delta = StructType::try_from_arrow(delta_schema(schema).as_ref())
            .map_err(|e| sink_err(&self.url, e))?;
        let config: HashMap<String, Option<String>> = self
            .opts
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        let mut create = table
            .create()
            .with_columns(delta.fields().cloned())
            .with_table_name(self.opts.table_name.clone())
            .with_configuration(config)
            // Another writer may create it at the same moment: load theirs instead of failing.
            .with_save_mode(SaveMode::Ignore);
        if !self.opts.partition_by.is_empty() {
            create = create.with_partition_columns(self.opts.partition_by.clone());
        }
        if let Some(c) = &self.opts.comment {
            create = create.with_comment(c.clone());
        }
        create.await.map_err(|e| sink_err(&self.url, e))
    }
}

impl DeltaSink {
    /// MERGE `batches` into the table on `keys` (NULL keys match NULL), with the batch's txn.
    async fn merge(
        &self,
        table: DeltaTable,
        target: &SchemaRef,
        batches: Vec<RecordBatch>,
        keys: &[String],
        props: CommitProperties,
    ) -> Result<(DeltaTable, i64)> {
        use datafusion::logical_expr::Expr;
        use datafusion::prelude::SessionContext;
        let ctx = SessionContext::new();
        let source = ctx
            .read_batches(batches)
            .map_err(|e| sink_err(&self.url, e))?;
        let qualified = |side: &str, name: &str| {
            Expr::Column(datafusion::common::Column::new(Some(side), name))
        };
        let predicate = keys
            .iter()
            .map(|k| {
                Expr::BinaryExpr(datafusion::logical_expr::BinaryExpr::new(
                    Box::new(qualified("t", k)),
                    datafusion::logical_expr::Operator::IsNotDistinctFrom,
                    Box::new(qualified("s", k)),
                ))
            })
            .reduce(Expr::and)
            .ok_or_else(|| {
                Error::config("update output mode needs the grouping columns in the SELECT list")
            })?;
        let names: Vec<String> = target.fields().iter().map(|f| f.name().clone()).collect();
        let (table, _) = table
            .merge(source, predicate)
            .with_source_alias("s")
            .with_target_alias("t")
            .with_commit_properties(props)
            .when_matched_update(|u| {
                names
                    .iter()
                    .filter(|n| !keys.contains(n))
                    .fold(u, |u, n| u.update(n.as_str(), qualified("s", n)))
            })
            .map_err(|e| sink_err(&self.url, e))?
            .when_not_matched_insert(|i| {
                names
                    .iter()
                    .fold(i, |i, n| i.set(n.as_str(), qualified("s", n)))
            })
            .map_err(|e| sink_err(&self.url, e))?
            .await
            .map_err(|e| sink_err(&self.url, e))?;
        let version = table.version().map_or(-1, |v| v as i64);
        Ok((table, version))
    }
}

/// A deltalake builder for the table at `loc` that reads and writes through `loc.store`, so the
/// Delta table gets the same S3 configuration, retries and (in tests) injected faults as the
/// checkpoint. The store is rooted at the bucket (or `/`); deltalake adds the table's prefix.
pub fn table_builder(loc: &Location) -> deltalake::DeltaResult<DeltaTableBuilder> {
    register_s3_handlers();
    Ok(DeltaTableBuilder::from_url(loc.url.clone())?
        .with_storage_backend(loc.store.clone(), loc.url.clone()))
}

/// deltalake's `s3://`/`s3a://` log store factories. deltalake registers them from a static
/// constructor, which a linker may drop from a binary that never names that module; registering
/// again is harmless (api-notes 1.7).
fn register_s3_handlers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| deltalake::aws::register_handlers(None));
}

/// True if the folder holds a `_delta_log/` with at least one entry. Asked through object_store,
/// because the Delta kernel errors (and logs) on a local folder that does not exist yet.
pub async fn table_exists(location: &str) -> Result<bool> {
    let loc = Location::parse(location)?;
    let log = loc.path("_delta_log");
    let mut entries = loc.store.list(Some(&log));
    match entries.next().await {
        None => Ok(false),
        Some(Ok(_)) => Ok(true),
        Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
        Some(Err(e)) => Err(e.into()),
    }
}

#[async_trait]
impl Sink for DeltaSink {
    fn description(&self) -> String {
        format!("DeltaSink[{}]", self.url.as_str().trim_end_matches('/'))
    }

    fn set_query_id(&mut self, query_id: &str) {
        self.query_id = query_id.to_string();
    }

    fn check_schema(&self, schema: &arrow::datatypes::Schema) -> Result<()> {
        check_writable(schema)
    }

    async fn add_batch(
        &mut self,
        batch_id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<SinkOutcome> {
        self.write_batch(batch_id, schema, batches, &WriteMode::Append)
            .await
    }

    /// Append adds files; complete also removes every file the table had (Spark's Delta sink in
    /// complete mode); update MERGEs the rows on the grouping columns. Each commit carries
    /// `txn(queryId, batchId)`, so a re-run batch is skipped whatever the mode.
    async fn write_batch(
        &mut self,
        batch_id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        mode: &WriteMode,
    ) -> Result<SinkOutcome> {
        let mut table = self.open_or_create(&schema).await?;
        let done = {
            let snap = table.snapshot().map_err(|e| sink_err(&self.url, e))?;
            snap.transaction_version(table.log_store().as_ref(), &self.query_id)
                .await
                .map_err(|e| sink_err(&self.url, e))?
        };
        if let Some(v) = done.filter(|v| *v >= batch_id as i64) {
            tracing::info!(batch_id, query_id = %self.query_id, "Skipping already complete epoch {batch_id}, in query {}", self.query_id);
            self.table = Some(table);
            return Ok(SinkOutcome::AlreadyCommitted { version: v });
        }
        // Cast to the table's own schema: a later batch may come out of the plan with a wider type.
        let target = match table.snapshot() {
            Ok(state) => state.snapshot().arrow_schema(),
            Err(_) => delta_schema(&schema),
        };
        let now = chrono::Utc::now().timestamp_millis();
        let props = CommitProperties::default().with_application_transaction(
            Transaction::new_with_last_update(&self.query_id, batch_id as i64, Some(now)),
        );
        let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
        // An update of an aggregation without grouping keys replaces its one row.
        let mode = match mode {
            WriteMode::Update { keys } if keys.is_empty() && rows > 0 => &WriteMode::Complete,
            m => m,
        };
        if let WriteMode::Update { keys } = mode {
            if rows > 0 {
                let cast = batches
                    .iter()
                    .map(|b| to_schema(b, &target))
                    .collect::<Result<Vec<_>>>()?;
                let (t, version) = self.merge(table, &target, cast, keys, props).await?;
                self.table = Some(t);
                return Ok(SinkOutcome::Committed {
                    version: Some(version),
                    rows,
                });
            }
        }
        let mut rows = 0u64;
        let mut writer =
            RecordBatchWriter::for_table(&table).map_err(|e| sink_err(&self.url, e))?;
        for b in &batches {
            rows += b.num_rows() as u64;
            writer
                .write(to_schema(b, &target)?)
                .await
                .map_err(|e| sink_err(&self.url, e))?;
        }
        let adds = writer.flush().await.map_err(|e| sink_err(&self.url, e))?;
        spate_engine::failpoint::hit("mid-delta-write", batch_id);
        let mut actions: Vec<Action> = adds.into_iter().map(Action::Add).collect();
        let output_mode = match mode {
            WriteMode::Append => OutputMode::Append,
            WriteMode::Update { .. } => OutputMode::Update,
            WriteMode::Complete => {
                // The new result replaces every file in the table, in the same commit.
                let snap = table.snapshot().map_err(|e| sink_err(&self.url, e))?;
                let files: Vec<_> = snap
                    .snapshot()
                    .file_views(table.log_store().as_ref(), None)
                    .collect()
                    .await;
                for f in files {
                    let f = f.map_err(|e| sink_err(&self.url, e))?;
                    actions.push(Action::Remove(f.remove_action(true)));
                }
                OutputMode::Complete
            }
        };
        let operation = DeltaOperation::StreamingUpdate {
            output_mode,
            query_id: self.query_id.clone(),
            epoch_id: batch_id as i64,
        };
        let version = {
            let snap = table.snapshot().map_err(|e| sink_err(&self.url, e))?;
            CommitBuilder::from(props)
                .with_actions(actions)
                .build(Some(snap), table.log_store(), operation)
                .await
                .map_err(|e| sink_err(&self.url, e))?
                .version()
        };
        table
            .update_state()
            .await
            .map_err(|e| sink_err(&self.url, e))?;
        self.table = Some(table);
        Ok(SinkOutcome::Committed {
            version: Some(version as i64),
            rows,
        })
    }
}
