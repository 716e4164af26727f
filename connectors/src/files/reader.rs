//! One input file -> rows of the source schema: fetch, decompress, decode the JSON, then add the
//! partition columns from its folders and the hidden `_metadata` column.
//!
//! Shared by the streaming source and the batch `read_files`, so both see a file the same way.

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use spate_engine::json::{decode_json_batches, output_schema, BatchSize, DecodeStats, JsonOptions};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::compression::decompress;
use super::glob::SourcePath;
use super::listing::relative_parts;
use super::metadata_column::{metadata_array, metadata_field};
use super::options::FileSourceOptions;
use super::partitions::{columns_to_fill, parse_partition_dirs, partition_array};

/// One file to decode.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    /// Spark's key for it (`file:///in/a%20b.json`).
    pub uri: &'a str,
    /// Its path in the store.
    pub path: &'a Path,
    /// Modification time, epoch ms.
    pub mtime_ms: i64,
}

/// Reads a file's bytes; None if it is gone and `ignore_missing` (`ignoreMissingFiles`) is on.
/// Owned arguments so the future can run concurrently with other fetches.
pub async fn fetch(
    store: Arc<dyn ObjectStore>,
    path: Path,
    uri: String,
    ignore_missing: bool,
) -> Result<Option<Bytes>> {
    match store.get(&path).await {
        Ok(r) => Ok(Some(r.bytes().await?)),
        Err(object_store::Error::NotFound { .. }) if ignore_missing => {
            tracing::warn!(file = %uri, "skipped a missing file (ignoreMissingFiles)");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Turns files into rows of the source's output schema.
#[derive(Debug, Clone)]
pub struct FileDecoder {
    /// The declared schema (forced nullable).
    schema: SchemaRef,
    json: JsonOptions,
    /// Declared columns (as the JSON decoder outputs them) plus `_metadata` when asked for.
    output: SchemaRef,
    /// Partition folders are looked for below this folder...
    base: Location,
    /// ...after skipping this many components (the glob's: a glob match is a root, spec §1.8).
    root_depth: usize,
    /// Partition discovery is on (off with `recursiveFileLookup`).
    partitions: bool,
    partition_columns: Option<Vec<String>>,
    metadata: bool,
    ignore_missing: bool,
    ignore_corrupt: bool,
    /// Which declared columns the query reads (None: all). Like Spark, only these are parsed, so
    /// a bad value in another column does not make a record bad; the others come back NULL.
    read: Option<Vec<bool>>,
}

impl FileDecoder {
    /// A decoder for the files of `path` under `opts`.
    pub fn new(opts: &FileSourceOptions, path: &SourcePath) -> Result<Self> {
        let data = output_schema(&opts.schema, &opts.json)?;
        let mut fields: Vec<_> = data.fields().iter().cloned().collect();
        if opts.metadata_column {
            fields.push(Arc::new(metadata_field()));
        }
        Ok(FileDecoder {
            schema: opts.schema.clone(),
            json: opts.json.clone(),
            output: Arc::new(Schema::new_with_metadata(fields, data.metadata().clone())),
            base: path.base.clone(),
            root_depth: path.patterns.len(),
            partitions: !opts.recursive_file_lookup,
            partition_columns: opts.partition_columns.clone(),
            metadata: opts.metadata_column,
            ignore_missing: opts.ignore_missing_files,
            ignore_corrupt: opts.ignore_corrupt_files,
            read: None,
        })
    }

    /// Parses only the columns the query reads (`columns`: indices into `output_schema`), as
    /// Spark prunes its JSON read schema. Refuses, like Spark, a query that reads only the
    /// corrupt-record column.
    pub fn prune(&mut self, columns: &[usize]) -> Result<()> {
        let declared: Vec<usize> = columns
            .iter()
            .copied()
            .filter(|c| *c < self.schema.fields().len())
            .collect();
        spate_engine::json::pruned_schema(&self.schema, &self.json, &declared)?;
        let mut read = vec![false; self.schema.fields().len()];
        for c in declared {
            read[c] = true;
        }
        self.read = (!read.iter().all(|r| *r)).then_some(read);
        Ok(())
    }

    /// The schema of every batch `decode` returns.
    pub fn output_schema(&self) -> SchemaRef {
        self.output.clone()
    }

    /// Whether a missing file is skipped (`ignoreMissingFiles`) rather than an error.
    pub fn ignore_missing(&self) -> bool {
        self.ignore_missing
    }

    /// Decodes one file's bytes into rows of `output_schema`, in batches of the JSON decoder's
    /// default [`BatchSize`] (none when the file has no rows); None if the file is corrupt and
    /// `ignoreCorruptFiles` is on.
    pub fn decode(
        &self,
        file: FileRef<'_>,
        raw: Bytes,
    ) -> Result<Option<(Vec<RecordBatch>, DecodeStats)>> {
        let size = raw.len() as u64;
        let text = match decompress(file.uri, raw) {
            Ok(t) => t,
            Err(e) if self.ignore_corrupt => {
                tracing::warn!(file = %file.uri, error = %e, "skipped a corrupt file (ignoreCorruptFiles)");
                return Ok(None);
            }
            Err(e) => {
                return Err(Error::config(format!(
                    "cannot decompress {}: {e}",
                    file.uri
                )))
            }
        };
        let fill = self.partition_fill(file.path);
        let mut batches = vec![];
        let mut keep = |b: RecordBatch| {
            if b.num_rows() > 0 {
                batches.push(b)
            }
        };
        if fill.is_empty() && !self.metadata && self.read.is_none() {
            let stats = decode_json_batches(
                &text,
                file.uri,
                &self.schema,
                &self.json,
                BatchSize::default(),
                keep,
            )?;
            return Ok(Some((batches, stats)));
        }
        // Partition columns come from the path only: the JSON is decoded without them, so a value
        // for them inside the file is ignored and cannot make the record corrupt (as in Spark).
        let is_read = |i: usize| self.read.as_ref().is_none_or(|r| r[i]);
        let data_fields: Vec<_> = self
            .schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(i, _)| !fill.iter().any(|(j, _)| j == i) && is_read(*i))
            .map(|(_, f)| f.clone())
            .collect();
        let data_schema = Arc::new(Schema::new_with_metadata(
            data_fields,
            self.schema.metadata().clone(),
        ));
        let stats = decode_json_batches(
            &text,
            file.uri,
            &data_schema,
            &self.json,
            BatchSize::default(),
            &mut keep,
        )?;
        let out = batches
            .iter()
            .map(|decoded| self.add_columns(decoded, &fill, file, size))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((out, stats)))
    }

    /// One decoded batch with the partition columns from the file's folders, NULL columns for
    /// the declared columns the query does not read, and `_metadata` (`size`: the file's size).
    fn add_columns(
        &self,
        decoded: &RecordBatch,
        fill: &[(usize, Option<String>)],
        file: FileRef<'_>,
        size: u64,
    ) -> Result<RecordBatch> {
        let is_read = |i: usize| self.read.as_ref().is_none_or(|r| r[i]);
        let rows = decoded.num_rows();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.output.fields().len());
        for (i, field) in self.schema.fields().iter().enumerate() {
            match fill.iter().find(|(j, _)| *j == i) {
                Some((_, value)) => columns.push(partition_array(
                    &self.output.fields()[i],
                    value.as_deref(),
                    rows,
                )?),
                None if !is_read(i) => columns.push(arrow::array::new_null_array(
                    self.output.field(i).data_type(),
                    rows,
                )),
                None => columns.push(decoded.column_by_name(field.name()).cloned().ok_or_else(
                    || {
                        Error::config(format!(
                            "internal: the JSON decoder returned no column '{}'",
                            field.name()
                        ))
                    },
                )?),
            }
        }
        if self.metadata {
            columns.push(metadata_array(file.uri, size, file.mtime_ms, rows));
        }
        Ok(RecordBatch::try_new_with_options(
            self.output.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?)
    }

    /// The declared columns a file's `key=value` folders fill.
    fn partition_fill(&self, path: &Path) -> Vec<(usize, Option<String>)> {
        if !self.partitions {
            return vec![];
        }
        let Some(rel) = relative_parts(&self.base, path) else {
            return vec![];
        };
        let dirs = &rel[self.root_depth.min(rel.len().saturating_sub(1))..rel.len() - 1];
        let values = parse_partition_dirs(dirs);
        if values.is_empty() {
            return vec![];
        }
        columns_to_fill(&self.schema, &values, self.partition_columns.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Int32Type, Int64Type};

    use super::*;
    use crate::files::listing::path_of_uri;

    fn decoder(metadata: bool) -> FileDecoder {
        let schema = ("schema", "id BIGINT, year INT, _corrupt_record STRING");
        let opts = [schema].map(|(k, v)| (k.to_string(), v.to_string()));
        let mut opts = FileSourceOptions::from_read_files("/in", &opts).unwrap();
        if metadata {
            opts = opts.with_metadata_column();
        }
        FileDecoder::new(&opts, &SourcePath::parse(&opts.path).unwrap()).unwrap()
    }

    #[test]
    fn a_large_file_comes_back_in_several_batches_each_with_its_columns() {
        let mut text = String::new();
        for i in 0..20_000 {
            match i {
                9_000 => text.push_str("{\"id\": oops\n"),
                _ => text.push_str(&format!("{{\"id\": {i}}}\n")),
            }
        }
        let uri = "file:///in/year=2024/f.json";
        let path = path_of_uri(uri).unwrap();
        let file = FileRef {
            uri,
            path: &path,
            mtime_ms: 7,
        };
        for metadata in [false, true] {
            let d = decoder(metadata);
            let (batches, stats) = d.decode(file, Bytes::from(text.clone())).unwrap().unwrap();
            assert!(batches.len() > 1, "{}", batches.len());
            assert_eq!((stats.rows, stats.corrupt), (20_000, 1));
            let mut ids = vec![];
            for b in &batches {
                assert_eq!(b.schema(), d.output_schema());
                let year = b
                    .column_by_name("year")
                    .unwrap()
                    .as_primitive::<Int32Type>();
                assert!(year.iter().all(|y| y == Some(2024)));
                let id = b.column_by_name("id").unwrap().as_primitive::<Int64Type>();
                ids.extend(id.iter());
                if metadata {
                    assert_eq!(b.column_by_name("_metadata").unwrap().len(), b.num_rows());
                }
            }
            let want: Vec<Option<i64>> = (0..20_000).map(|i| (i != 9_000).then_some(i)).collect();
            assert_eq!(ids, want);
        }
    }

    #[test]
    fn a_file_without_rows_gives_no_batch() {
        let uri = "file:///in/f.json";
        let path = path_of_uri(uri).unwrap();
        let file = FileRef {
            uri,
            path: &path,
            mtime_ms: 7,
        };
        let (batches, stats) = decoder(false)
            .decode(file, Bytes::from_static(b"\n\n"))
            .unwrap()
            .unwrap();
        assert!(batches.is_empty());
        assert_eq!(stats.rows, 0);
    }
}
