//! `spate sql`: batch SELECTs over the warehouse's Delta tables and over batch `read_files(...)`.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::datasource::MemTable;
use spate_connectors::delta::register_warehouse_tables;
use spate_connectors::files::{batch::read_all, FileSourceOptions};
use spate_engine::sql::pipeline::{
    extract_batch_read_files, parse_pipeline, PipelineStatement, SourceKind,
};
use spate_engine::sql::session::{new_context, plan_sql, Settings};
use spate_engine::storage::Location;

use crate::output::print_batches;
use crate::Format;

/// Runs every statement of `text`, printing each SELECT's result.
pub async fn run(
    text: &str,
    origin: &str,
    warehouse: &str,
    format: Format,
    vars: &HashMap<String, String>,
) -> Result<(), String> {
    let statements = parse_pipeline(text, vars).map_err(|e| format!("{origin}: {e}"))?;
    let warehouse = Location::parse(warehouse).map_err(|e| e.to_string())?;
    let mut settings = Settings::default();
    let mut printed = 0;
    for st in statements {
        match st {
            PipelineStatement::Set { key, value } => settings.set(&key, &value),
            PipelineStatement::StreamingTable(def) => {
                return Err(format!(
                    "{origin}: line {}: streaming table {} — run pipeline files with `spate run`",
                    def.line, def.name
                ));
            }
            PipelineStatement::Query { sql } => {
                let ctx = new_context(&settings).map_err(|e| e.to_string())?;
                register_warehouse_tables(&ctx, &warehouse)
                    .await
                    .map_err(|e| e.to_string())?;
                let (sql, calls) =
                    extract_batch_read_files(&sql).map_err(|e| format!("{origin}: {e}"))?;
                for call in calls {
                    if call.kind != SourceKind::ReadFiles {
                        return Err(format!("{origin}: only read_files can be read in batch"));
                    }
                    let path = call.path.clone().ok_or("read_files needs a path")?;
                    let opts = FileSourceOptions::from_read_files(&path, &call.options)
                        .map_err(|e| e.to_string())?;
                    let batches = read_all(&opts).await.map_err(|e| e.to_string())?;
                    let table = MemTable::try_new(opts.schema.clone(), vec![batches])
                        .map_err(|e| e.to_string())?;
                    ctx.register_table(call.placeholder.as_str(), Arc::new(table))
                        .map_err(|e| e.to_string())?;
                }
                let ansi = settings.ansi().map_err(|e| e.to_string())?;
                let df = plan_sql(&ctx, &sql, ansi)
                    .await
                    .map_err(|e| e.to_string())?;
                let schema = Arc::new(df.schema().as_arrow().clone());
                let batches = df.collect().await.map_err(|e| e.to_string())?;
                if printed > 0 && format == Format::Table {
                    println!();
                }
                print_batches(&schema, &batches, format)?;
                printed += 1;
            }
        }
    }
    Ok(())
}
