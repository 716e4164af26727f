//! `read_files(...)` without `STREAM`: a batch read of every file in the folder, same options.

use arrow::record_batch::RecordBatch;
use spate_engine::json::decode_json_lines;
use spate_engine::storage::Location;
use spate_engine::Result;
use object_store::ObjectStoreExt;

use super::listing::list_files;
use super::options::FileSourceOptions;

/// Reads and decodes every (non-hidden) file below `opts.path`, oldest first.
pub async fn read_all(opts: &FileSourceOptions) -> Result<Vec<RecordBatch>> {
    let loc = Location::parse(&opts.path)?;
    let mut files = list_files(&loc).await?;
    files.sort_by(|a, b| a.mtime_ms.cmp(&b.mtime_ms).then_with(|| a.uri.cmp(&b.uri)));
    let mut out = vec![];
    for f in files {
        let bytes = loc.store.get(&f.path).await?.bytes().await?;
        let (batch, _) = decode_json_lines(&bytes, &f.uri, &opts.schema, &opts.json)?;
        if batch.num_rows() > 0 {
            out.push(batch);
        }
    }
    Ok(out)
}
