//! `read_files(...)` options for JSON folders: Spark's file-source options plus the JSON options.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use spate_engine::json::JsonOptions;
use spate_engine::schema::{parse_schema_with, SchemaOptions};
use spate_engine::trigger::parse_duration;
use spate_engine::{Error, Result};

use super::glob::GlobPattern;
use super::incremental_listing::IncrementalListing;

/// `read_files` (Auto Loader) takes at most this many files per trigger unless told otherwise (spec §8.2).
pub const DEFAULT_MAX_FILES_PER_TRIGGER: usize = 1000;

/// Options this source understands; anything else is refused so a typo never goes unnoticed.
const FILE_SOURCE_KEYS: &[&str] = &[
    "format",
    "schema",
    "maxfilespertrigger",
    "maxbytespertrigger",
    "latestfirst",
    "filenameonly",
    "maxfileage",
    "cleansource",
    "sourcearchivedir",
    "maxcachedfiles",
    "discardcachedinputratio",
    "pathglobfilter",
    "recursivefilelookup",
    "ignoremissingfiles",
    "ignorecorruptfiles",
    "partitioncolumns",
    "includeexistingfiles",
    "useincrementallisting",
    "schemahints",
    "infercolumntypes",
    "schemalocation",
    "schemainference.samplesize.numfiles",
    "schemainference.samplesize.numbytes",
];
/// Auto Loader options spate knows but cannot honour yet: refused with a reason, never ignored.
const NOT_YET: &[(&str, &str)] = &[];
/// JSON reader options (spec §6.2), handed to the JSON decoder.
const JSON_KEYS: &[&str] = &[
    "mode",
    "columnnameofcorruptrecord",
    "timestampformat",
    "timestampntzformat",
    "dateformat",
    "timezone",
    "locale",
    "multiline",
    "linesep",
    "encoding",
    "charset",
    "allowcomments",
    "allowunquotedfieldnames",
    "allowsinglequotes",
    "allownumericleadingzeros",
    "allownonnumericnumbers",
    "allowbackslashescapinganycharacter",
    "allowunquotedcontrolchars",
    "enabledatetimeparsingfallback",
    "primitivesasstring",
    "prefersdecimal",
    "dropfieldifallnull",
    "samplingratio",
    "infertimestamp",
    "rescueddatacolumn",
    "readercasesensitive",
];

/// Spark's default `maxCachedFiles` (spec §1.1).
pub const DEFAULT_MAX_CACHED_FILES: usize = 10_000;
/// Spark's default `discardCachedInputRatio` (spec §1.1).
pub const DEFAULT_DISCARD_CACHED_INPUT_RATIO: f32 = 0.2;
/// Spark's default `maxFileAge`: 7 days.
pub const DEFAULT_MAX_FILE_AGE_MS: i64 = 7 * 86_400_000;

/// `cleanSource`: what happens to a batch's files once the next batch starts (spec §1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CleanSource {
    /// Leave them (the default).
    Off,
    /// Delete each file.
    Delete,
    /// Move each file to this folder + its full path.
    Archive(String),
}

/// Options of one JSON folder source.
#[derive(Debug, Clone)]
pub struct FileSourceOptions {
    /// The folder (path or URL), possibly a Hadoop glob.
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
    /// `cleanSource` with `sourceArchiveDir`.
    pub clean_source: CleanSource,
    /// `maxCachedFiles`.
    pub max_cached_files: usize,
    /// `discardCachedInputRatio`.
    pub discard_cached_input_ratio: f32,
    /// `pathGlobFilter`: only file names matching it are read.
    pub path_glob_filter: Option<GlobPattern>,
    /// `recursiveFileLookup`: listing is recursive anyway (read_files, spec §8.2); this turns off
    /// partition discovery, as in Spark.
    pub recursive_file_lookup: bool,
    /// Auto Loader's `partitionColumns`: which `key=value` folders fill columns (None: every one
    /// the schema names; empty: none).
    pub partition_columns: Option<Vec<String>>,
    /// `ignoreMissingFiles`: a logged file that is gone when read is skipped instead of failing.
    pub ignore_missing_files: bool,
    /// `ignoreCorruptFiles`: a file that cannot be read or decompressed is skipped instead of failing.
    pub ignore_corrupt_files: bool,
    /// Auto Loader's `includeExistingFiles` (default true): false skips what is there at first start.
    pub include_existing_files: bool,
    /// Auto Loader's `useIncrementalListing` (default `auto`): list object stores from the last
    /// key taken when keys arrive in order.
    pub incremental_listing: IncrementalListing,
    /// Whether the source adds the hidden `_metadata` column (set when the query selects it).
    pub metadata_column: bool,
    /// JSON decoding options.
    pub json: JsonOptions,
}

impl FileSourceOptions {
    /// Parses `read_files(path, key => value, ...)`; keys are case-insensitive as in Spark.
    pub fn from_read_files(path: &str, options: &[(String, String)]) -> Result<Self> {
        Self::parse(path, options, None, &HashMap::new())
    }

    /// Parses the options with `inferred` as the schema when none is declared (see
    /// [`super::inferred_schema`]); without either, the schema option is required. `conf` holds
    /// the session's Spark confs (`SET`), which the JSON reader and the schema parser read as in
    /// Spark (`spark.sql.session.timeZone`, `spark.sql.columnNameOfCorruptRecord`, ...).
    pub fn parse(
        path: &str,
        options: &[(String, String)],
        inferred: Option<&Schema>,
        conf: &HashMap<String, String>,
    ) -> Result<Self> {
        let mut map: HashMap<String, String> = HashMap::new();
        for (k, v) in options {
            let key = k.trim_start_matches("cloudFiles.").to_ascii_lowercase();
            if key == "modifiedbefore" || key == "modifiedafter" {
                return Err(Error::config(format!(
                    "option '{k}' is not allowed in file stream sources"
                )));
            }
            if let Some((_, why)) = NOT_YET.iter().find(|(n, _)| *n == key) {
                return Err(Error::config(format!("read_files: {why}")));
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
        let format = map
            .get("format")
            .map(|f| f.to_ascii_lowercase())
            .unwrap_or_else(|| "json".into());
        if format != "json" {
            return Err(Error::config(format!(
                "read_files: format '{format}' is not supported yet (only 'json')"
            )));
        }
        let declared = match (map.get("schema"), inferred) {
            (Some(text), _) => {
                if map.contains_key("schemahints") {
                    return Err(Error::config("read_files: schemaHints applies on top of schema inference; with schema => '...' declared, write the types into the schema instead"));
                }
                parse_schema_with(text, &SchemaOptions::from_conf(conf)?)?
            }
            (None, Some(s)) => s.clone(),
            (None, None) => {
                return Err(Error::config(
                    "read_files: a schema is required here (schema => 'col TYPE, ...'); streaming tables infer one when it is left out",
                ))
            }
        };
        // Databricks adds the rescued-data column to the schema; it is never declared.
        let declared = match map.get("rescueddatacolumn") {
            Some(name) if declared.field_with_name(name).is_err() => {
                let mut fields: Vec<Field> = declared
                    .fields()
                    .iter()
                    .map(|f| f.as_ref().clone())
                    .collect();
                fields.push(Field::new(name, arrow::datatypes::DataType::Utf8, true));
                Schema::new_with_metadata(fields, declared.metadata().clone())
            }
            _ => declared,
        };
        let schema = Arc::new(force_nullable(&declared));

        let max_files_per_trigger = map
            .get("maxfilespertrigger")
            .map(|v| positive(v, "maxFilesPerTrigger"))
            .transpose()?;
        let max_bytes_per_trigger = map
            .get("maxbytespertrigger")
            .map(|v| positive(v, "maxBytesPerTrigger"))
            .transpose()?;
        if max_files_per_trigger.is_some() && max_bytes_per_trigger.is_some() {
            return Err(Error::config("Options 'maxFilesPerTrigger' and 'maxBytesPerTrigger' can't be both set at the same time"));
        }
        // read_files defaults to 1000 files per trigger unless a bytes limit is set (spec §8.2).
        let max_files_per_trigger = match (max_files_per_trigger, max_bytes_per_trigger) {
            (None, None) => Some(DEFAULT_MAX_FILES_PER_TRIGGER),
            (f, _) => f.map(|n| n as usize),
        };
        let max_file_age_ms = match map.get("maxfileage") {
            None => DEFAULT_MAX_FILE_AGE_MS,
            // Spark's `Utils.timeStringAsMs` wording (checked against PySpark 4.0.1).
            Some(v) => parse_duration(v).map(|d| d.as_millis() as i64).ok_or_else(|| {
                Error::config(format!(
                    "Invalid value '{v}' for option 'maxFileAge': Time must be specified as seconds (s), milliseconds (ms), \
                     microseconds (us), minutes (m or min), hour (h), or day (d). E.g. 50s, 100ms, or 250us."
                ))
            })?,
        };
        let max_cached_files = match map.get("maxcachedfiles") {
            None => DEFAULT_MAX_CACHED_FILES,
            Some(v) => v.trim().parse::<i32>().ok().filter(|n| *n >= 0).map(|n| n as usize).ok_or_else(|| {
                Error::config(format!("Invalid value '{v}' for option 'maxCachedFiles', must be an integer greater than or equal to 0"))
            })?,
        };
        let discard_cached_input_ratio = match map.get("discardcachedinputratio") {
            None => DEFAULT_DISCARD_CACHED_INPUT_RATIO,
            Some(v) => v.trim().parse::<f32>().ok().filter(|r| (0.0..=1.0).contains(r)).ok_or_else(|| {
                Error::config(format!("Invalid value '{v}' for option 'discardCachedInputRatio', must be a positive float between 0 and 1"))
            })?,
        };
        let clean_source = clean_source(map.get("cleansource"), map.get("sourcearchivedir"))?;
        let path_glob_filter = map
            .get("pathglobfilter")
            .map(|g| GlobPattern::compile(g))
            .transpose()?;
        let partition_columns = map.get("partitioncolumns").map(|v| {
            v.split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        });
        let json_map: HashMap<String, String> = map
            .iter()
            .filter(|(k, _)| JSON_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let json = JsonOptions::from_options_and_conf(&json_map, conf)?;
        Ok(FileSourceOptions {
            path: path.to_string(),
            schema,
            max_files_per_trigger,
            max_bytes_per_trigger,
            latest_first: flag(&map, "latestfirst", "latestFirst", false)?,
            file_name_only: flag(&map, "filenameonly", "fileNameOnly", false)?,
            max_file_age_ms,
            clean_source,
            max_cached_files,
            discard_cached_input_ratio,
            path_glob_filter,
            recursive_file_lookup: flag(&map, "recursivefilelookup", "recursiveFileLookup", false)?,
            partition_columns,
            ignore_missing_files: flag(&map, "ignoremissingfiles", "ignoreMissingFiles", false)?,
            ignore_corrupt_files: flag(&map, "ignorecorruptfiles", "ignoreCorruptFiles", false)?,
            include_existing_files: flag(
                &map,
                "includeexistingfiles",
                "includeExistingFiles",
                true,
            )?,
            incremental_listing: map
                .get("useincrementallisting")
                .map(|v| IncrementalListing::parse(v))
                .transpose()?
                .unwrap_or_default(),
            metadata_column: false,
            json,
        })
    }

    /// The same options with the hidden `_metadata` column added to the rows (spec §1.10), for a
    /// query that selects it. A declared column named `_metadata` wins, as in Spark.
    pub fn with_metadata_column(mut self) -> Self {
        self.metadata_column = self
            .schema
            .field_with_name(super::metadata_column::METADATA_COLUMN)
            .is_err();
        self
    }

    /// `maxFileAge` as the seen-files map uses it: infinite with `latestFirst` and a read limit,
    /// or the oldest backlog would never be reached (spec §1.1, §1.5).
    pub fn effective_max_file_age_ms(&self) -> Option<i64> {
        let limited = self.max_files_per_trigger.is_some() || self.max_bytes_per_trigger.is_some();
        (!(self.latest_first && limited)).then_some(self.max_file_age_ms)
    }
}

/// Spark's `CleanSourceMode.fromString` and its archive-dir check, with Spark's wording
/// (checked against PySpark 4.0.1, `Some(..)` included).
fn clean_source(mode: Option<&String>, archive_dir: Option<&String>) -> Result<CleanSource> {
    let Some(mode) = mode else {
        return Ok(CleanSource::Off);
    };
    match mode.to_ascii_uppercase().as_str() {
        "OFF" => Ok(CleanSource::Off),
        "DELETE" => Ok(CleanSource::Delete),
        "ARCHIVE" => match archive_dir {
            Some(dir) => Ok(CleanSource::Archive(dir.clone())),
            None => Err(Error::config(
                "Archive mode must be used with 'sourceArchiveDir' option.",
            )),
        },
        _ => Err(Error::config(format!(
            "Invalid mode for clean source option Some({mode}). Must be one of ARCHIVE,DELETE,OFF"
        ))),
    }
}

fn positive(v: &str, name: &str) -> Result<u64> {
    match v.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n as u64),
        _ => Err(Error::config(format!(
            "Invalid value '{v}' for option '{name}', must be a positive integer"
        ))),
    }
}

/// A boolean option, with Spark's `FileStreamOptions` wording for bad values.
fn flag(map: &HashMap<String, String>, key: &str, name: &str, default: bool) -> Result<bool> {
    match map.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(_) => Err(Error::config(format!(
            "Invalid value '{}' for option '{name}', must be 'true' or 'false'",
            map[key]
        ))),
    }
}

/// Whether a query mentions the hidden `_metadata` column (as a whole word, any case), so the
/// source adds it only then: Spark hides it from `SELECT *`, and spate cannot, so a query that
/// does not ask for it must not get it.
pub fn query_references_metadata(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    lower
        .match_indices(super::metadata_column::METADATA_COLUMN)
        .any(|(i, m)| {
            !word(lower[..i].chars().next_back()) && !word(lower[i + m.len()..].chars().next())
        })
}

/// File sources read every field as nullable, whatever the DDL says (spec §1.10).
pub fn force_nullable(schema: &Schema) -> Schema {
    Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::clone(f).with_nullable(true))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(kv: &[(&str, &str)]) -> Result<FileSourceOptions> {
        let v: Vec<(String, String)> = kv
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
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
        let e = opts(&[("schema", "a INT"), ("maxFilesPerTrigger", "0")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "Invalid value '0' for option 'maxFilesPerTrigger', must be a positive integer"
            ),
            "{e}"
        );
        assert!(opts(&[
            ("schema", "a INT"),
            ("maxFilesPerTrigger", "1"),
            ("maxBytesPerTrigger", "1")
        ])
        .is_err());
        assert!(opts(&[("schema", "a INT"), ("modifiedAfter", "x")])
            .unwrap_err()
            .to_string()
            .contains("not allowed"));
        assert!(opts(&[("schema", "a INT"), ("maxFilesPerTriger", "1")])
            .unwrap_err()
            .to_string()
            .contains("unknown"));
        assert!(opts(&[("format", "csv"), ("schema", "a INT")]).is_err());
        assert!(opts(&[("format", "json")])
            .unwrap_err()
            .to_string()
            .contains("schema is required"));
    }

    fn err(kv: &[(&str, &str)]) -> String {
        let mut all = vec![("schema", "a INT")];
        all.extend_from_slice(kv);
        opts(&all).unwrap_err().to_string()
    }

    /// The messages PySpark 4.0.1 gave for the same options (its text after "terminated with exception: ").
    #[test]
    fn spark_wording_of_option_errors() {
        assert_eq!(
            err(&[("cleanSource", "bogus")]),
            "Invalid mode for clean source option Some(bogus). Must be one of ARCHIVE,DELETE,OFF"
        );
        assert_eq!(
            err(&[("cleanSource", "archive")]),
            "Archive mode must be used with 'sourceArchiveDir' option."
        );
        assert_eq!(err(&[("maxCachedFiles", "-1")]), "Invalid value '-1' for option 'maxCachedFiles', must be an integer greater than or equal to 0");
        assert_eq!(err(&[("maxCachedFiles", "x")]), "Invalid value 'x' for option 'maxCachedFiles', must be an integer greater than or equal to 0");
        assert_eq!(err(&[("discardCachedInputRatio", "2")]), "Invalid value '2' for option 'discardCachedInputRatio', must be a positive float between 0 and 1");
        assert_eq!(err(&[("maxFilesPerTrigger", "1"), ("maxBytesPerTrigger", "1")]), "Options 'maxFilesPerTrigger' and 'maxBytesPerTrigger' can't be both set at the same time");
        assert_eq!(
            err(&[("maxBytesPerTrigger", "0")]),
            "Invalid value '0' for option 'maxBytesPerTrigger', must be a positive integer"
        );
        assert_eq!(
            err(&[("latestFirst", "yes")]),
            "Invalid value 'yes' for option 'latestFirst', must be 'true' or 'false'"
        );
        assert!(err(&[("maxFileAge", "soon")]).contains("Time must be specified as seconds (s)"));
    }

    #[test]
    fn file_source_options() {
        let o = opts(&[("schema", "a INT")]).unwrap();
        assert_eq!(o.clean_source, CleanSource::Off);
        assert_eq!(
            (o.max_cached_files, o.discard_cached_input_ratio),
            (10_000, 0.2)
        );
        assert!(o.include_existing_files && !o.recursive_file_lookup && !o.metadata_column);
        let o = opts(&[
            ("schema", "a INT"),
            ("CLEANSOURCE", "Archive"),
            ("sourceArchiveDir", "/arch"),
            ("maxCachedFiles", "0"),
            ("discardCachedInputRatio", "1"),
            ("pathGlobFilter", "*.json"),
            ("cloudFiles.includeExistingFiles", "false"),
            ("partitionColumns", "dt, h"),
        ])
        .unwrap();
        assert_eq!(o.clean_source, CleanSource::Archive("/arch".into()));
        assert_eq!((o.max_cached_files, o.discard_cached_input_ratio), (0, 1.0));
        assert!(o.path_glob_filter.unwrap().matches("x.json"));
        assert!(!o.include_existing_files);
        assert_eq!(
            o.partition_columns,
            Some(vec!["dt".to_string(), "h".to_string()])
        );
        assert_eq!(
            opts(&[("schema", "a INT"), ("cleanSource", "DELETE")])
                .unwrap()
                .clean_source,
            CleanSource::Delete
        );
        assert!(err(&[("pathGlobFilter", "[ab")]).contains("invalid glob pattern"));
    }

    #[test]
    fn max_file_age_is_infinite_with_latest_first_and_a_limit() {
        assert_eq!(
            opts(&[("schema", "a INT"), ("maxFileAge", "1h")])
                .unwrap()
                .effective_max_file_age_ms(),
            Some(3_600_000)
        );
        // read_files' default 1000-file limit counts as a limit.
        assert_eq!(
            opts(&[("schema", "a INT"), ("latestFirst", "true")])
                .unwrap()
                .effective_max_file_age_ms(),
            None
        );
        let o = opts(&[
            ("schema", "a INT"),
            ("latestFirst", "true"),
            ("maxBytesPerTrigger", "10"),
        ])
        .unwrap();
        assert_eq!(o.effective_max_file_age_ms(), None);
    }

    #[test]
    fn schema_hints_need_inference_and_the_rescued_column_is_added() {
        assert!(err(&[("schemaHints", "a INT")])
            .contains("schemaHints applies on top of schema inference"));
        let o = opts(&[
            ("schema", "a INT"),
            ("cloudFiles.rescuedDataColumn", "_rescued"),
        ])
        .unwrap();
        assert_eq!(o.schema.fields().len(), 2);
        assert_eq!(o.schema.field(1).name(), "_rescued");
        assert_eq!(o.json.rescued_data_column.as_deref(), Some("_rescued"));
    }

    #[test]
    fn metadata_references_are_whole_words() {
        assert!(query_references_metadata(
            "SELECT _metadata.file_path FROM x"
        ));
        assert!(query_references_metadata(
            "SELECT `_METADATA`.file_name FROM x"
        ));
        assert!(!query_references_metadata(
            "SELECT my_metadata, _metadata_x FROM x"
        ));
    }

    #[test]
    fn metadata_column_is_added_unless_declared() {
        assert!(
            opts(&[("schema", "a INT")])
                .unwrap()
                .with_metadata_column()
                .metadata_column
        );
        assert!(
            !opts(&[("schema", "a INT, _metadata STRING")])
                .unwrap()
                .with_metadata_column()
                .metadata_column
        );
    }
}
