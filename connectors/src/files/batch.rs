//! `read_files(...)` without `STREAM`: a batch read of every file the path selects, same options.

use arrow::record_batch::RecordBatch;
use spate_engine::Result;

use super::glob::SourcePath;
use super::listing::list_source;
use super::options::FileSourceOptions;
use super::read_limit::sort_files;
use super::reader::{fetch, FileDecoder, FileRef};

/// Reads and decodes every (non-hidden) file `opts.path` selects, oldest first, with partition
/// columns and decompression as the streaming source does.
pub async fn read_all(opts: &FileSourceOptions) -> Result<Vec<RecordBatch>> {
    let path = SourcePath::parse(&opts.path)?;
    let decoder = FileDecoder::new(opts, &path)?;
    let mut files = list_source(&path, opts.path_glob_filter.as_ref(), None).await?;
    sort_files(&mut files, false);
    let mut out = vec![];
    for f in &files {
        let file = FileRef {
            uri: &f.uri,
            path: &f.path,
            mtime_ms: f.mtime_ms,
        };
        let Some(bytes) = fetch(
            path.base.store.clone(),
            f.path.clone(),
            f.uri.clone(),
            decoder.ignore_missing(),
        )
        .await?
        else {
            continue;
        };
        if let Some((batches, _)) = decoder.decode(file, bytes)? {
            out.extend(batches);
        }
    }
    Ok(out)
}
