//! The warehouse as a catalog: every Delta table below it, registered by its folder name.

use std::sync::Arc;

use datafusion::prelude::SessionContext;
use object_store::ObjectStore;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::sink::table_builder;

/// Registers each `<warehouse>/<name>/` holding a `_delta_log/` as table `name`; returns the names.
pub async fn register_warehouse_tables(
    ctx: &SessionContext,
    warehouse: &Location,
) -> Result<Vec<String>> {
    let listing = match warehouse
        .store
        .list_with_delimiter(Some(&warehouse.prefix))
        .await
    {
        Ok(l) => l,
        Err(object_store::Error::NotFound { .. }) => return Ok(vec![]),
        Err(e) => return Err(e.into()),
    };
    let mut names = vec![];
    for dir in listing.common_prefixes {
        let Some(name) = dir.filename().map(str::to_string) else {
            continue;
        };
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let table_loc = warehouse.child(&name);
        let log = table_loc.path("_delta_log");
        let has_log = warehouse
            .store
            .list_with_delimiter(Some(&log))
            .await
            .map(|l| !l.objects.is_empty())
            .unwrap_or(false);
        if !has_log {
            continue;
        }
        // Through the warehouse's own store: the same S3 settings and retries as `spate run` used.
        let table = table_builder(&table_loc)
            .map_err(|e| Error::Sink {
                description: format!("DeltaTable[{}]", table_loc.display()),
                source: Box::new(e),
            })?
            .load()
            .await
            .map_err(|e| Error::Sink {
                description: format!("DeltaTable[{}]", table_loc.display()),
                source: Box::new(e),
            })?;
        table
            .update_datafusion_session(&ctx.state())
            .map_err(|e| Error::Sink {
                description: format!("DeltaTable[{}]", table_loc.display()),
                source: Box::new(e),
            })?;
        let provider = table.table_provider().await?;
        ctx.register_table(name.as_str(), provider)?;
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// Keeps the trait in scope for `list_with_delimiter` on `Arc<dyn ObjectStore>`.
#[allow(dead_code)]
fn _assert_store(_: Arc<dyn ObjectStore>) {}
