//! `read_files(...)` options for JSON folders: Spark's file-source options plus the JSON options.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use spate_engine::json::JsonOptions;
use spate_engine::schema::parse_schema;
use spate_engine::trigger::parse_duration;
use spate_engine::{Error, Result};

/// `read_files` (Auto Loader) takes at most this many files per trigger unless told otherwise (spec §8.2).
pub const DEFAULT_MAX_FILES_PER_TRIGGER: usize = 1000;

/// Options this source understands; anything else is refused so a typo never goes unnoticed.
const FILE_SOURCE_KEYS: &[&str] = &[
    "format", "schema", "maxfilespertrigger", "maxbytespertrigger", "latestfirst", "filenameonly", "maxfileage",
];
/// JSON reader options (spec §6.2), handed to the JSON decoder.
const JSON_KEYS: &[&str] = &[
    "mode", "columnnameofcorruptrecord", "timestampformat", "timestampntzformat", "dateformat", "timezone", "locale",
    "multiline", "linesep", "encoding", "charset", "allowcomments", "allowunquotedfieldnames", "allowsinglequotes",
    "allownumericleadingzeros", "allownonnumericnumbers", "allowbackslashescapinganycharacter",
    "allowunquotedcontrolchars", "enabledatetimeparsingfallback", "primitivesasstring", "prefersdecimal",
    "dropfieldifallnull", "samplingratio", "infertimestamp",
];

/// Options of one JSON folder source.
#[derive(Debug, Clone)]
pub struct FileSourceOptions {
    /// The folder (path or URL).
    pub path: String,
    /// The declared schema, every field nullable (spec §1.10).
    pub schema: SchemaRef,
    /// `maxFilesPerTrigger`.
    pub max_files_per_trigger: Option<usize>,
    /// `maxBytesPerTrigger`.
    pub max_bytes_per_trigger: Option<u64>,
    /// `latestFirst`.
    pub latest_first: bool,
    /// `fileNameOnly`.
    pub file_name_only: bool,
    /// `maxFileAge` in ms (default 7 days).
    pub max_file_age_ms: i64,
    /// JSON decoding options.
    pub json: JsonOptions,
}

impl FileSourceOptions {
    /// Parses `read_files(path, key => value, ...)`; keys are case-insensitive as in Spark.
    pub fn from_read_files(path: &str, options: &[(String, String)]) -> Result<Self> {
        let mut map: HashMap<String, String> = HashMap::new();
        for (k, v) in options {
            let key = k.trim_start_matches("cloudFiles.").to_ascii_lowercase();
            if key == "modifiedbefore" || key == "modifiedafter" {
                return Err(Error::config(format!("option '{k}' is not allowed in file stream sources")));
            }
            if !FILE_SOURCE_KEYS.contains(&key.as_str()) && !JSON_KEYS.contains(&key.as_str()) {
                return Err(Error::config(format!(
                    "read_files: unknown or unsupported option '{k}' (supported: {}, and the JSON options {})",
                    FILE_SOURCE_KEYS.join(", "),
                    JSON_KEYS.join(", ")
                )));
            }
            map.insert(key, v.clone());
        }
        let format = map.get("format").map(|f| f.to_ascii_lowercase()).unwrap_or_else(|| "json".into());
        if format != "json" {
            return Err(Error::config(format!("read_files: format '{format}' is not supported yet (only 'json')")));
        }
        let schema_text = map.get("schema").ok_or_else(|| {
            Error::config("read_files: a schema is required (schema => 'col TYPE, ...'); schema inference is not supported")
        })?;
        let declared = parse_schema(schema_text)?;
        let schema = Arc::new(force_nullable(&declared));

        let max_files_per_trigger = match map.get("maxfilespertrigger") {
            None => None,
            Some(v) => Some(positive(v, "maxFilesPerTrigger")? as usize),
        };
        let max_bytes_per_trigger = match map.get("maxbytespertrigger") {
            None => None,
            Some(v) => Some(positive(v, "maxBytesPerTrigger")?),
        };
        if max_files_per_trigger.is_some() && max_bytes_per_trigger.is_some() {
            return Err(Error::config("maxFilesPerTrigger and maxBytesPerTrigger can't both be set at the same time"));
        }
        // read_files defaults to 1000 files per trigger unless a bytes limit is set.
        let max_files_per_trigger = match (max_files_per_trigger, max_bytes_per_trigger) {
            (None, None) => Some(DEFAULT_MAX_FILES_PER_TRIGGER),
            (f, _) => f,
        };
        let max_file_age_ms = match map.get("maxfileage") {
            None => 7 * 86_400_000,
            Some(v) => parse_duration(v)
                .map(|d| d.as_millis() as i64)
                .ok_or_else(|| Error::config(format!("Invalid value '{v}' for option 'maxFileAge', must be a time string such as 7d")))?,
        };
        let json_map: HashMap<String, String> =
            map.iter().filter(|(k, _)| JSON_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
        let json = JsonOptions::from_options(&json_map)?;
        Ok(FileSourceOptions {
            path: path.to_string(),
            schema,
            max_files_per_trigger,
            max_bytes_per_trigger,
            latest_first: flag(&map, "latestfirst", "latestFirst")?,
            file_name_only: flag(&map, "filenameonly", "fileNameOnly")?,
            max_file_age_ms,
            json,
        })
    }
}

fn positive(v: &str, name: &str) -> Result<u64> {
    match v.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n as u64),
        _ => Err(Error::config(format!("Invalid value '{v}' for option '{name}', must be a positive integer"))),
    }
}

fn flag(map: &HashMap<String, String>, key: &str, name: &str) -> Result<bool> {
    match map.get(key) {
        None => Ok(false),
        Some(v) => spate_engine::sql::session::parse_bool(name, v),
    }
}

/// File sources read every field as nullable, whatever the DDL says (spec §1.10).
pub fn force_nullable(schema: &Schema) -> Schema {
    Schema::new(schema.fields().iter().map(|f| Field::clone(f).with_nullable(true)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(kv: &[(&str, &str)]) -> Result<FileSourceOptions> {
        let v: Vec<(String, String)> = kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        FileSourceOptions::from_read_files("/in", &v)
    }

    #[test]
    fn defaults_and_limits() {
        let o = opts(&[("format", "json"), ("schema", "a INT NOT NULL")]).unwrap();
        assert_eq!(o.max_files_per_trigger, Some(1000));
        assert!(o.schema.field(0).is_nullable());
        let o = opts(&[("schema", "a INT"), ("MAXFILESPERTRIGGER", "2")]).unwrap();
        assert_eq!(o.max_files_per_trigger, Some(2));
    }

    #[test]
    fn spark_errors() {
        let e = opts(&[("schema", "a INT"), ("maxFilesPerTrigger", "0")]).unwrap_err().to_string();
        assert!(e.contains("Invalid value '0' for option 'maxFilesPerTrigger', must be a positive integer"), "{e}");
        assert!(opts(&[("schema", "a INT"), ("maxFilesPerTrigger", "1"), ("maxBytesPerTrigger", "1")]).is_err());
        assert!(opts(&[("schema", "a INT"), ("modifiedAfter", "x")]).unwrap_err().to_string().contains("not allowed"));
        assert!(opts(&[("schema", "a INT"), ("maxFilesPerTriger", "1")]).unwrap_err().to_string().contains("unknown"));
        assert!(opts(&[("format", "csv"), ("schema", "a INT")]).is_err());
        assert!(opts(&[("format", "json")]).unwrap_err().to_string().contains("schema is required"));
    }
}
