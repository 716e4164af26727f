//! The schema of a streaming `read_files` that declares none (spec §8.2), as Auto Loader does it:
//! inferred once from a sample of the folder, adjusted by `schemaHints`, stored in the schema
//! location (`_schemas/0`), and read from there on every later start.
//!
//! - The sample is the oldest files, at most `schemaInference.sampleSize.numFiles` (Auto Loader's
//!   default 1000) and `schemaInference.sampleSize.numBytes` (default 50 GB).
//! - `inferColumnTypes` (read_files' default true) keeps Spark's inferred types; false makes every
//!   leaf STRING, Auto Loader's default for JSON.
//! - `schemaHints` (`'a STRING, b DECIMAL(10,2)'`) replaces the type of each named top-level column,
//!   or adds the column if the sample never had it.
//! - An empty folder cannot be inferred from: the query fails with Auto Loader's
//!   CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE and can be started again once files are there.

use std::collections::HashMap;

use arrow::datatypes::{DataType, Field, Fields, Schema};
use spate_engine::json::JsonOptions;
use spate_engine::schema::parse_schema;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::compression::decompress;
use super::glob::SourcePath;
use super::listing::list_source;
use super::options::FileSourceOptions;
use super::read_limit::sort_files;
use super::reader::fetch;
use super::schema_inference::{ddl, SchemaInference};
use super::schema_location::SchemaLocation;

/// The rescued-data column an inferred schema gets unless `rescuedDataColumn` names another.
pub const DEFAULT_RESCUED_DATA_COLUMN: &str = "_rescued_data";

/// Auto Loader's default `cloudFiles.schemaInference.sampleSize.numFiles`.
pub const SAMPLE_FILES: usize = 1000;
/// Auto Loader's default `cloudFiles.schemaInference.sampleSize.numBytes`: 50 GB.
pub const SAMPLE_BYTES: u64 = 50 * 1024 * 1024 * 1024;

/// The options of a streaming `read_files`, inferring the schema (or reading the stored one) when
/// none is declared. `schema_base` is where `_schemas/` goes unless `schemaLocation` is set;
/// `conf` holds the session's Spark confs.
pub async fn stream_options(
    path: &str,
    options: &[(String, String)],
    schema_base: &Location,
    conf: &HashMap<String, String>,
) -> Result<FileSourceOptions> {
    let declared = options.iter().any(|(k, _)| key(k) == "schema");
    if declared {
        return FileSourceOptions::parse(path, options, None, conf);
    }
    let base = match options.iter().find(|(k, _)| key(k) == "schemalocation") {
        Some((_, loc)) => Location::parse(loc)?,
        None => schema_base.clone(),
    };
    // Auto Loader rescues what does not fit an inferred schema (new columns, other types) into
    // `_rescued_data` unless told another name, so later files lose nothing.
    let mut options = options.to_vec();
    if !options.iter().any(|(k, _)| key(k) == "rescueddatacolumn") {
        options.push((
            "rescuedDataColumn".to_string(),
            DEFAULT_RESCUED_DATA_COLUMN.to_string(),
        ));
    }
    let options = &options[..];
    let stored = SchemaLocation::new(&base);
    let schema = match stored.latest().await? {
        Some(s) => s,
        None => {
            let schema = infer(path, options, conf).await?;
            stored.write(0, &schema).await?;
            // Another starter may have won the race with an equal schema; read what is stored.
            stored.latest().await?.unwrap_or(schema)
        }
    };
    FileSourceOptions::parse(path, options, Some(&schema), conf)
}

fn key(k: &str) -> String {
    k.trim_start_matches("cloudFiles.").to_ascii_lowercase()
}

/// Infers the schema from the folder's oldest files and applies `schemaHints`.
pub async fn infer(
    path: &str,
    options: &[(String, String)],
    conf: &HashMap<String, String>,
) -> Result<Schema> {
    let map: HashMap<String, String> = options.iter().map(|(k, v)| (key(k), v.clone())).collect();
    // The other options are checked (and the JSON ones read) with a placeholder schema.
    let probe = FileSourceOptions::parse(path, options, Some(&Schema::empty()), conf)?;
    let source_path = SourcePath::parse(path)?;
    let mut files = list_source(&source_path, probe.path_glob_filter.as_ref(), None).await?;
    if files.is_empty() {
        return Err(Error::config(format!(
            "[CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE] Cannot infer schema when the input path `{path}` is empty. \
             Please try to start the stream when there are files in the input path, or specify the schema."
        )));
    }
    sort_files(&mut files, false);
    let max_files = sample_limit(
        &map,
        "schemainference.samplesize.numfiles",
        SAMPLE_FILES as u64,
    )?;
    let max_bytes = sample_limit(&map, "schemainference.samplesize.numbytes", SAMPLE_BYTES)?;
    let mut inference = SchemaInference::new();
    let mut bytes_read = 0u64;
    for f in files.iter().take(max_files as usize) {
        if bytes_read >= max_bytes {
            break;
        }
        let Some(raw) = fetch(
            source_path.base.store.clone(),
            f.path.clone(),
            f.uri.clone(),
            probe.ignore_missing_files,
        )
        .await?
        else {
            continue;
        };
        bytes_read += raw.len() as u64;
        let data = match decompress(&f.uri, raw) {
            Ok(d) => d,
            Err(_) if probe.ignore_corrupt_files => continue,
            Err(e) => return Err(Error::config(format!("cannot decompress {}: {e}", f.uri))),
        };
        let text = text_of(&data, &probe.json);
        inference.add_text(&text, &f.uri, &probe.json)?;
    }
    let drop_all_null = flag(&map, "dropfieldifallnull", false)?;
    let mut schema = inference.schema(&probe.json, drop_all_null);
    if !flag(&map, "infercolumntypes", true)? {
        schema = all_strings(&schema);
    }
    if let Some(hints) = map.get("schemahints") {
        schema = apply_hints(&schema, hints)?;
    }
    tracing::info!(
        files = files.len().min(max_files as usize),
        records = inference.records(),
        "inferred the schema of {path}: {}",
        ddl(&schema)
    );
    Ok(schema)
}

fn text_of(data: &[u8], opts: &JsonOptions) -> String {
    match opts.encoding {
        Some(cs) => cs.decode(data),
        None => String::from_utf8_lossy(data).into_owned(),
    }
}

fn sample_limit(map: &HashMap<String, String>, key: &str, default: u64) -> Result<u64> {
    match map.get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                Error::config(format!(
                    "Invalid value '{v}' for option '{key}': must be a positive integer"
                ))
            }),
    }
}

fn flag(map: &HashMap<String, String>, key: &str, default: bool) -> Result<bool> {
    match map.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(Error::config(format!(
            "Invalid value '{v}' for option '{key}': must be true or false"
        ))),
    }
}

/// Every leaf type made STRING, structure kept (`inferColumnTypes => false`).
fn all_strings(schema: &Schema) -> Schema {
    fn strings(dt: &DataType) -> DataType {
        match dt {
            DataType::Struct(fields) => DataType::Struct(Fields::from(
                fields
                    .iter()
                    .map(|f| f.as_ref().clone().with_data_type(strings(f.data_type())))
                    .collect::<Vec<_>>(),
            )),
            DataType::List(f) => DataType::List(std::sync::Arc::new(
                f.as_ref().clone().with_data_type(strings(f.data_type())),
            )),
            _ => DataType::Utf8,
        }
    }
    Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_data_type(strings(f.data_type())))
            .collect::<Vec<_>>(),
    )
}

/// Applies `schemaHints`: each hinted top-level column gets the hinted type, added if missing.
/// Names match case-insensitively, as Spark resolves columns; the inferred name's case is kept.
fn apply_hints(schema: &Schema, hints: &str) -> Result<Schema> {
    if hints.contains('.') && first_names(hints).iter().any(|n| n.contains('.')) {
        return Err(Error::config(format!(
            "schemaHints '{hints}': hints on nested fields (a.b TYPE) are not supported yet; hint the whole top-level column"
        )));
    }
    let hinted =
        parse_schema(hints).map_err(|e| Error::config(format!("schemaHints '{hints}': {e}")))?;
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for h in hinted.fields() {
        match fields
            .iter_mut()
            .find(|f| f.name().eq_ignore_ascii_case(h.name()))
        {
            Some(f) => *f = f.clone().with_data_type(h.data_type().clone()),
            None => fields.push(Field::new(h.name(), h.data_type().clone(), true)),
        }
    }
    Ok(Schema::new(fields))
}

/// The first word of each comma-separated hint, for spotting dotted names before DDL parsing.
fn first_names(hints: &str) -> Vec<String> {
    let mut depth = 0i32;
    let mut parts = vec![String::new()];
    for c in hints.chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
        .iter()
        .filter_map(|p| {
            p.split_whitespace()
                .next()
                .map(|w| w.trim_matches('`').to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn land(dir: &std::path::Path, name: &str, body: &str) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    #[tokio::test]
    async fn infers_stores_and_reuses_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let landing = dir.path().join("in");
        std::fs::create_dir_all(&landing).unwrap();
        land(&landing, "a.json", "{\"id\": 1, \"name\": \"x\"}\n");
        let ckpt = Location::parse(dir.path().join("ckpt").to_str().unwrap()).unwrap();
        let path = landing.to_str().unwrap();
        let o = stream_options(
            path,
            &opts(&[("schemaHints", "id INT")]),
            &ckpt,
            &HashMap::new(),
        )
        .await
        .unwrap();
        assert_eq!(ddl(&o.schema), "id int, name string, _rescued_data string");
        // A later file with a new column does not change a stored schema.
        land(&landing, "b.json", "{\"id\": 2, \"extra\": true}\n");
        let o = stream_options(path, &opts(&[]), &ckpt, &HashMap::new())
            .await
            .unwrap();
        assert_eq!(ddl(&o.schema), "id int, name string, _rescued_data string");
        assert!(dir.path().join("ckpt/_schemas/0").exists());
    }

    #[tokio::test]
    async fn empty_folder_and_bad_hints_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let ckpt = Location::parse(dir.path().join("ckpt").to_str().unwrap()).unwrap();
        let e = stream_options(
            dir.path().to_str().unwrap(),
            &opts(&[]),
            &ckpt,
            &HashMap::new(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE"), "{e}");
        land(dir.path(), "a.json", "{\"s\": {\"x\": 1}}\n");
        let e = infer(
            dir.path().to_str().unwrap(),
            &opts(&[("schemaHints", "s.x STRING")]),
            &HashMap::new(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("nested fields"), "{e}");
    }

    #[test]
    fn hints_replace_or_add_and_strings_keep_structure() {
        let s = parse_schema("ID BIGINT, s STRUCT<x: BIGINT>, l ARRAY<DOUBLE>").unwrap();
        let h = apply_hints(&s, "id STRING, extra DECIMAL(10, 2)").unwrap();
        assert_eq!(
            ddl(&h),
            "ID string, s struct<x:bigint>, l array<double>, extra decimal(10,2)"
        );
        assert_eq!(
            ddl(&all_strings(&s)),
            "ID string, s struct<x:string>, l array<string>"
        );
    }
}
